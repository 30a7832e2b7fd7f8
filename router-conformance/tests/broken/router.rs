//! The [`Broken`] router.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use router_conformance::Msg;
use router_conformance::api::{
    ClosePipeError, DefaultEventLoop, EventLoop, MessageRouter, Pingee, PipeError, PipeKind,
    RouteError, RouterStartError, RouterStopError, SenderEnd,
};

use super::Flaw;
use super::linger::Lingering;
use super::receiver::{BrokenReceiver, fire_ends};
use super::sender::BrokenSender;

/// A good router `R` with one [`Flaw`].
pub(crate) struct Broken<R> {
    inner: R,
    flaw: Flaw,
    event_loop: DefaultEventLoop,
    lingering: RefCell<Option<Lingering>>,
    /// The helper threads of senders dropped open ([`Flaw::DropLeavesOpen`]),
    /// ended when the router is dropped.
    abandoned: Arc<Mutex<Vec<Lingering>>>,
    poisoned: Rc<Cell<bool>>,
    /// The receivers kept open after their drop ([`Flaw::DropLeavesPipeOpen`]);
    /// after `inner`, so they drop after it.
    kept: RefCell<Vec<Box<dyn std::any::Any>>>,
    /// Pingees that wake the loop for nothing ([`Flaw::LatestPingsPerSend`]).
    pingees: RefCell<Vec<Box<dyn Pingee>>>,
}

impl<R: MessageRouter<Msg>> Broken<R> {
    /// `inner`, made on `event_loop`, with `flaw`.
    pub(crate) fn new(inner: R, event_loop: &DefaultEventLoop, flaw: Flaw) -> Self {
        Self {
            inner,
            flaw,
            event_loop: event_loop.clone(),
            lingering: RefCell::new(None),
            abandoned: Arc::default(),
            poisoned: Rc::default(),
            kept: RefCell::default(),
            pingees: RefCell::default(),
        }
    }

    /// `route_until` with a deadline restarted after each message.
    fn route_until_per_message<F: FnMut() -> bool>(
        &self,
        mut condition: F,
        timeout: Option<Duration>,
    ) -> Result<(), RouteError> {
        loop {
            let (mut asked, mut held) = (0, false);
            self.inner.route_until(
                || {
                    asked += 1;
                    held = condition();
                    // Return after one message, to start over with a fresh timeout.
                    held || asked > 1
                },
                timeout,
            )?;
            if held {
                return Ok(());
            }
        }
    }

    /// `route_until` that routes one message, if one is queued, first.
    fn route_until_eagerly<F: FnMut() -> bool>(
        &self,
        condition: F,
        timeout: Option<Duration>,
    ) -> Result<(), RouteError> {
        let mut asked = 0;
        let _ = self.inner.route_until(
            || {
                asked += 1;
                asked > 1
            },
            Some(Duration::ZERO),
        );
        self.inner.route_until(condition, timeout)
    }

    /// `route_until` that drives the event loop, so the router stays in
    /// event-loop mode.
    fn route_until_by_event_loop<F: FnMut() -> bool>(
        &self,
        condition: F,
        timeout: Option<Duration>,
    ) -> Result<(), RouteError> {
        if !self.inner.is_running() {
            return Err(RouteError::NotRunning);
        }
        self.event_loop
            .run_until(condition, timeout)
            .map_err(RouteError::from)
    }
}

impl<R> MessageRouter<Msg> for Broken<R>
where
    R: MessageRouter<Msg>,
{
    type Sender = BrokenSender<R::Sender>;
    type Receiver = BrokenReceiver<R::Receiver>;

    fn start(&self) -> Result<(), RouterStartError> {
        match self.inner.start() {
            Err(RouterStartError::AlreadyRunning) if self.flaw == Flaw::SecondStartAccepted => {
                Ok(())
            }
            Ok(()) if self.flaw == Flaw::LingeringThread => {
                *self.lingering.borrow_mut() = Some(Lingering::spawn("lingering"));
                Ok(())
            }
            started => started,
        }
    }

    fn stop(&self) -> Result<(), RouterStopError> {
        match self.flaw {
            Flaw::SilentStop => tracing::subscriber::with_default(
                tracing::subscriber::NoSubscriber::default(),
                || self.inner.stop(),
            ),
            Flaw::SecondStopAccepted => match self.inner.stop() {
                Err(RouterStopError::NotRunning) => Ok(()),
                stopped => stopped,
            },
            _ => self.inner.stop(),
        }
    }

    fn pipe(&self) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        self.pipe_of(PipeKind::Unbounded)
    }

    fn pipe_of(&self, kind: PipeKind) -> Result<(Self::Sender, Self::Receiver), PipeError> {
        if self.poisoned.get() {
            return Err(PipeError::NotRunning);
        }
        let made = match (self.flaw, kind) {
            (Flaw::BoundIgnored, PipeKind::Bounded { .. })
            | (Flaw::LatestDeliversAll, PipeKind::Latest) => PipeKind::Unbounded,
            _ => kind,
        };
        let (sender, receiver) = self.inner.pipe_of(made)?;
        let receiver = BrokenReceiver::new(receiver, self.flaw, Rc::clone(&self.poisoned));
        if matches!(
            self.flaw,
            Flaw::DropLeavesPipeOpen | Flaw::StreamDropLeavesPipeOpen
        ) {
            self.kept
                .borrow_mut()
                .push(Box::new(Rc::clone(&receiver.inner)));
        }
        let mut sender = BrokenSender::new(sender, self.flaw, Arc::clone(&self.abandoned), kind);
        if self.flaw == Flaw::LatestPingsPerSend && kind == PipeKind::Latest {
            let mut pingees = self.pingees.borrow_mut();
            for _ in 0..16 {
                let pingee = self.event_loop.pingee(Box::new(|| {}));
                sender.pingers.push(pingee.pinger());
                pingees.push(pingee);
            }
        }
        Ok((sender, receiver))
    }

    fn close_pipe(&self, receiver: &Self::Receiver) -> Result<(), ClosePipeError> {
        match self.flaw {
            Flaw::LateDelivery if self.inner.is_running() => Ok(()),
            Flaw::ForeignPipeAccepted => match self.inner.close_pipe(&receiver.inner) {
                Err(ClosePipeError::Foreign { .. }) => Ok(()),
                closed => closed,
            },
            Flaw::EndOnClosedPipe => {
                self.inner.close_pipe(&receiver.inner)?;
                fire_ends(&receiver.own_ends, SenderEnd::Dropped);
                Ok(())
            }
            _ => self.inner.close_pipe(&receiver.inner),
        }
    }

    fn route_until<F>(&self, condition: F, timeout: Option<Duration>) -> Result<(), RouteError>
    where
        F: FnMut() -> bool,
    {
        match self.flaw {
            Flaw::PerMessageDeadline => self.route_until_per_message(condition, timeout),
            Flaw::EagerRouteUntil => self.route_until_eagerly(condition, timeout),
            Flaw::NoManualMode => self.route_until_by_event_loop(condition, timeout),
            _ => self.inner.route_until(condition, timeout),
        }
    }

    fn is_running(&self) -> bool {
        self.inner.is_running()
    }
}
