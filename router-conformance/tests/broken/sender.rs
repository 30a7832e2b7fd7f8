//! The sender of a [`Broken`](super::Broken) router.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use router_conformance::Msg;
use router_conformance::api::{
    MessageSender, Pinger, PipeId, PipeKind, SendError, SenderStartError, SenderStopError,
};

use super::Flaw;
use super::linger::Lingering;

pub(crate) struct BrokenSender<S: MessageSender<Msg>> {
    inner: S,
    flaw: Flaw,
    /// The first of a pair, held back to be sent after the second
    /// ([`Flaw::Reordering`]).
    held: Option<Msg>,
    /// The helper thread `start` sets up and `stop` ends
    /// ([`Flaw::DropLeavesOpen`]).
    helper: Option<Lingering>,
    /// Where a drop leaves the helper running: the router's, which ends
    /// them when it is dropped.
    abandoned: Arc<Mutex<Vec<Lingering>>>,
    /// The kind of pipe the test asked for.
    kind: PipeKind,
    /// Pinged once more per send ([`Flaw::LatestPingsPerSend`]).
    pub(crate) pingers: Vec<Arc<dyn Pinger>>,
    sends: usize,
}

impl<S: MessageSender<Msg>> BrokenSender<S> {
    pub(crate) fn new(
        inner: S,
        flaw: Flaw,
        abandoned: Arc<Mutex<Vec<Lingering>>>,
        kind: PipeKind,
    ) -> Self {
        Self {
            inner,
            flaw,
            held: None,
            helper: None,
            abandoned,
            kind,
            pingers: Vec::new(),
            sends: 0,
        }
    }

    /// Whether the flaw applies to this pipe's kind.
    fn flawed(&self, flaw: Flaw, kind: PipeKind) -> bool {
        self.flaw == flaw && self.kind == kind
    }

    fn flush(&mut self) {
        if let Some(message) = self.held.take() {
            let _ = self.inner.send(message);
        }
    }
}

impl<S: MessageSender<Msg>> MessageSender<Msg> for BrokenSender<S> {
    fn pipe_id(&self) -> PipeId {
        self.inner.pipe_id()
    }

    fn start(&mut self) -> Result<(), SenderStartError> {
        match self.inner.start() {
            Err(SenderStartError::AlreadyStarted { .. })
                if self.flaw == Flaw::RestartableSender =>
            {
                Ok(())
            }
            Ok(()) if self.flaw == Flaw::DropLeavesOpen => {
                self.helper = Some(Lingering::spawn("sender-helper"));
                Ok(())
            }
            started => started,
        }
    }

    fn send(&mut self, message: Msg) -> Result<(), SendError<Msg>> {
        if self.flawed(Flaw::LatestLosesLast, PipeKind::Latest) {
            return match self.held.replace(message) {
                Some(previous) => self.inner.send(previous),
                None => Ok(()),
            };
        }
        if self.flawed(Flaw::LatestPingsPerSend, PipeKind::Latest) && !self.pingers.is_empty() {
            self.pingers[self.sends % self.pingers.len()].ping();
            self.sends += 1;
        }
        if matches!(self.kind, PipeKind::Bounded { .. }) && self.flaw == Flaw::FullSendHangs {
            return self.inner.send(message).inspect_err(|error| {
                if error.is_disconnected() {
                    std::thread::sleep(Duration::from_secs(11));
                }
            });
        }
        match self.flaw {
            Flaw::Reordering => match self.held.take() {
                None => {
                    self.held = Some(message);
                    Ok(())
                }
                Some(first) => {
                    self.inner.send(message)?;
                    self.inner.send(first)
                }
            },
            Flaw::SwallowedDisconnect => match self.inner.send(message) {
                Err(error) if error.is_disconnected() => Ok(()),
                sent => sent,
            },
            _ => self.inner.send(message),
        }
    }

    fn try_send(&mut self, message: Msg) -> Result<(), SendError<Msg>> {
        self.inner.try_send(message)
    }

    fn send_timeout(&mut self, message: Msg, timeout: Duration) -> Result<(), SendError<Msg>> {
        self.inner.send_timeout(message, timeout)
    }

    fn stop(&mut self) -> Result<(), SenderStopError> {
        if self.flaw == Flaw::StopIgnored {
            return Ok(());
        }
        if self.flawed(Flaw::LatestLosesLast, PipeKind::Latest) {
            self.held = None;
        }
        self.flush();
        // Ends (joins) the helper thread, if `start` set one up.
        self.helper = None;
        self.inner.stop()
    }

    fn is_closed(&self) -> bool {
        self.flaw != Flaw::SenderNeverClosed && self.inner.is_closed()
    }

    fn stop_on_panic(&mut self) -> Result<(), SenderStopError> {
        if self.flawed(Flaw::LatestLosesLast, PipeKind::Latest) {
            self.held = None;
        }
        self.flush();
        self.helper = None;
        self.inner.stop_on_panic()
    }
}

impl<S: MessageSender<Msg>> Drop for BrokenSender<S> {
    fn drop(&mut self) {
        self.flush();
        // No `stop` here: the helper of an open sender keeps running.
        if let Some(helper) = self.helper.take() {
            self.abandoned
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(helper);
        }
    }
}
