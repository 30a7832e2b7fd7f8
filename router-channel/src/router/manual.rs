//! Manual routing: `route_until`, which routes on the caller's thread and
//! switches the router to manual mode for good (R9, R10).

use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{RouteError, TimedOut};

use crate::tuning::CLOCK_EVERY;
use crate::{Channel, Envelope};

use super::Inner;
use super::dispatch::{Dispatch, Streak};
use super::run::Run;

/// What `route_until` routes next.
enum Next<M> {
    /// A message.
    Message(Envelope<M>),
    /// Notes to act on: ends of stream, latest values.
    Notes,
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
    ) -> Result<(), RouteError>
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
        let mut streak = Streak::new();
        // Messages routed since the notes were last looked at.
        let mut since_notes = 0;
        loop {
            if let Some(envelope) = self.next_queued(&run) {
                streak.route(&mut dispatch, envelope);
                since_notes += 1;
                // A flood does not keep ends and latest values waiting
                // (E3, L4): they are looked at every few dozen messages.
                if since_notes == CLOCK_EVERY {
                    since_notes = 0;
                    // The counts stay unsettled: a burst of discards goes
                    // on as one (R7's two warnings).
                    if self.notes_waiting(&run) {
                        self.act_on_notes(&run);
                    }
                }
            } else {
                // A bounded pipe's sender may wait for the units owed.
                dispatch.pay_credits();
                match self.next_manual_idle(&mut run, deadline, timeout)? {
                    Next::Message(envelope) => dispatch.route(envelope),
                    Next::Notes => {
                        dispatch.settle();
                        self.act_on_notes(&run);
                    }
                }
            }
            if condition() {
                run.trim_backlog();
                return Ok(());
            }
        }
    }

    /// The next message queued for `route_until`, if its run is still the
    /// current one.
    ///
    /// The channel's receive is called here once, inline, for the queue
    /// that holds messages; the rest of the look for what comes next is out
    /// of line, in [`next_manual_idle`](Self::next_manual_idle): more
    /// inlined callers of the receive make LLVM keep the channel's receive
    /// path out of line, which costs the routing loop more than all the
    /// rest (waiter.rs).
    #[inline]
    fn next_queued(&self, run: &Run<M, C>) -> Option<Envelope<M>> {
        if self.live.get() == run.number {
            run.try_recv()
        } else {
            None
        }
    }

    /// What `route_until` does once the queue looked empty, or the run
    /// changed: follows the run, delivers the ends of stream whose messages
    /// are all routed (notes.rs), then waits for whatever comes before the
    /// deadline.
    #[inline(never)]
    fn next_manual_idle(
        &self,
        run: &mut Rc<Run<M, C>>,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<Next<M>, RouteError> {
        // One look for the whole of this function (see `next_manual`).
        let look = |run: &Run<M, C>| run.try_recv();
        loop {
            if self.live.get() != run.number {
                // A listener stopped the router during the last dispatch,
                // and may have started it again: follow it to its current
                // run.
                self.follow(run)?;
            }
            if let Some(envelope) = look(run) {
                return Ok(Next::Message(envelope));
            }
            // The queue looked empty: the notes' turn.
            if self.notes_waiting(run) {
                return Ok(Next::Notes);
            }
            // Not the channel's blocking receive: see waiter.rs. A note
            // posted meanwhile ends the wait too.
            let wait_look = || {
                if run.link.notes.posted() {
                    Some(None)
                } else {
                    look(run).map(Some)
                }
            };
            match run.link.waiter.wait(wait_look, deadline) {
                Some(Some(envelope)) => return Ok(Next::Message(envelope)),
                Some(None) => {}
                None => {
                    return Err(TimedOut::after(timeout.unwrap_or(Duration::MAX)).into());
                }
            }
        }
    }

    /// Moves `run` on to the current run, or fails if there is none. The
    /// old run is dropped with no borrow held (its queued messages' drops
    /// may call the router).
    #[inline(never)]
    fn follow(&self, run: &mut Rc<Run<M, C>>) -> Result<(), RouteError> {
        let current = self.current_to_route_until()?;
        drop(std::mem::replace(run, current));
        Ok(())
    }

    /// The current run, for `route_until`, which fails without one (R3).
    fn current_to_route_until(&self) -> Result<Rc<Run<M, C>>, RouteError> {
        self.current().ok_or(RouteError::NotRunning)
    }
}
