//! Manual routing: `route_until`, which routes on the caller's thread and
//! switches the router to manual mode for good (R9, R10).

use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{Operation, RouterError};

use crate::{Channel, Envelope};

use super::Inner;
use super::dispatch::Dispatch;
use super::run::Run;

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
            let envelope = self.next_manual(&mut run, deadline, timeout)?;
            dispatch.route(envelope);
            if condition() {
                run.trim_backlog();
                return Ok(());
            }
        }
    }

    /// The next message for `route_until`: what is queued first, then
    /// whatever comes before the deadline.
    #[inline]
    fn next_manual(
        &self,
        run: &mut Rc<Run<M, C>>,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<Envelope<M>, RouterError> {
        if self.live.get() != run.number {
            // A listener stopped the router during the last dispatch, and
            // may have started it again: follow it to its current run.
            self.follow(run)?;
        }
        if let Some(envelope) = run.try_recv() {
            return Ok(envelope);
        }
        // Not the channel's blocking receive: see waiter.rs.
        run.link
            .waiter
            .wait(|| run.try_recv(), deadline)
            .ok_or(RouterError::Timeout {
                timeout: timeout.unwrap_or(Duration::MAX),
            })
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
