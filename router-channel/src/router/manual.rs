//! Manual routing: `route_until`, which routes on the caller's thread and
//! switches the router to manual mode for good (R9, R10).

use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{Operation, RouterError};

use crate::{Channel, Envelope};

use super::Inner;
use super::dispatch::Dispatch;
use super::run::Run;

/// What `route_until` routes next.
enum Next<M> {
    /// A message.
    Message(Envelope<M>),
    /// Ends of stream whose senders' messages are all routed.
    Ends,
}

impl<M, C> Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    pub(super) fn route_until<F>(
        &self,
        mut condition: F,
        timeout: Option<Duration>,
    ) -> Result<(), RouterError>
    where
        F: FnMut() -> bool,
    {
        // Held for the call: see `Inner::run`.
        let mut run = self.current_to_route_until()?;
        run.link.gate.silence();
        self.manual.set(true);
        if condition() {
            return Ok(());
        }
        let deadline = timeout.and_then(|timeout| Instant::now().checked_add(timeout));
        let mut dispatch = Dispatch::new(self);
        loop {
            // A bounded pipe's sender may wait for the units owed.
            dispatch.pay_credits();
            match self.next_manual(&mut run, deadline, timeout)? {
                Next::Message(envelope) => dispatch.route(envelope),
                Next::Ends => {
                    dispatch.settle();
                    self.act_on_notes();
                }
            }
            if condition() {
                run.trim_backlog();
                return Ok(());
            }
        }
    }

    /// What `route_until` does next: route what is queued first, deliver
    /// the ends of stream whose messages are all routed once the queue is
    /// empty (notes.rs), then wait for whatever comes before the deadline.
    #[inline]
    fn next_manual(
        &self,
        run: &mut Rc<Run<M, C>>,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<Next<M>, RouterError> {
        loop {
            if self.live.get() != run.number {
                // A listener stopped the router during the last dispatch,
                // and may have started it again: follow it to its current
                // run.
                self.follow(run)?;
            }
            let ends = self.take_notes(run);
            if let Some(envelope) = run.try_recv() {
                return Ok(Next::Message(envelope));
            }
            if ends {
                self.fence_notes();
                return Ok(Next::Ends);
            }
            // Not the channel's blocking receive: see waiter.rs. A note
            // posted meanwhile ends the wait too.
            let look = || {
                if run.link.notes.posted() {
                    Some(None)
                } else {
                    run.try_recv().map(Some)
                }
            };
            match run.link.waiter.wait(look, deadline) {
                Some(Some(envelope)) => return Ok(Next::Message(envelope)),
                Some(None) => {}
                None => {
                    return Err(RouterError::Timeout {
                        timeout: timeout.unwrap_or(Duration::MAX),
                    });
                }
            }
        }
    }

    /// Moves `run` on to the current run, or fails if there is none. The
    /// old run is dropped with no borrow held (its queued messages' drops
    /// may call the router).
    #[inline(never)]
    fn follow(&self, run: &mut Rc<Run<M, C>>) -> Result<(), RouterError> {
        let current = self.current_to_route_until()?;
        drop(std::mem::replace(run, current));
        Ok(())
    }

    /// The current run, for `route_until`, which fails without one (R3).
    fn current_to_route_until(&self) -> Result<Rc<Run<M, C>>, RouterError> {
        self.current().ok_or(RouterError::NotRunning {
            operation: Operation::RouteUntil,
        })
    }
}
