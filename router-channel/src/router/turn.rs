//! A ping's turn: routes what is queued within the drain budget, then
//! either ends the router's hold of the ping gate or pings again.

use std::time::{Duration, Instant};

use router_api::DrainBudget;

use crate::gate::{HoldEnd, Look};
use crate::tuning::{CLOCK_EVERY, FAST_AFTER};
use crate::{Channel, Envelope};

use super::Inner;
use super::dispatch::{Dispatch, Streak};
use super::run::Run;

/// How a turn ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// The queue is empty and the gate was freed, or the run is over.
    Finished,
    /// The turn stopped with the gate still held (budget spent, or the
    /// barrier failed): it pings again, so the rest gets routed and no
    /// wake-up is lost.
    Unfinished,
}

impl<M, C> Inner<M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// The callback the event loop runs for each ping.
    pub(super) fn on_ping(&self) {
        self.pings.set(self.pings.get() + 1);
        if self.manual.get() {
            // Manual mode for good (R10): the gate stays held, so senders
            // stop pinging, and a ping still queued routes nothing.
            return;
        }
        // Held for the turn (dropped after it): see `Inner::run`.
        let Some(run) = self.current() else {
            return;
        };
        let mut turn = Turn {
            inner: self,
            run: &run,
            taken: 0,
            dispatch: Dispatch::new(self),
            ended: false,
        };
        let end = turn.route(self.budget.get());
        turn.end(end);
    }

    /// The next queued message of `run`, if that run is still on and routed
    /// by pings.
    #[inline]
    fn look(&self, run: &Run<M, C>) -> Look<Envelope<M>> {
        if !self.current_run(run.number) {
            return Look::Over;
        }
        match run.try_recv() {
            Some(envelope) => Look::Found(envelope),
            None => Look::Empty,
        }
    }
}

/// One ping's turn.
struct Turn<'a, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    inner: &'a Inner<M, C>,
    run: &'a Run<M, C>,
    /// Messages this turn has taken from the queue, routed or discarded:
    /// what the budget counts.
    taken: usize,
    dispatch: Dispatch<'a, M, C>,
    /// Set by [`end`](Self::end); a turn dropped without it is one whose
    /// listener panicked.
    ended: bool,
}

impl<M, C> Turn<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// Routes until the queue is empty or `budget` is spent. Every way a
    /// turn ends is a `return` here.
    fn route(&mut self, budget: DrainBudget) -> End {
        let max_messages = budget.max_messages.max(1);
        let started = Instant::now();
        let mut streak = Streak::new();
        loop {
            let envelope = match self.inner.look(self.run) {
                Look::Found(envelope) => envelope,
                Look::Over => return End::Finished,
                Look::Empty => match self.idle_paid(budget) {
                    HoldEnd::Resume(envelope) => envelope,
                    HoldEnd::Last(envelope) => {
                        self.dispatch.route(envelope);
                        return End::Finished;
                    }
                    HoldEnd::Done => {
                        // Idle: the turn's counts settle first, as at its
                        // end (a bounded pipe's units paid, the discards'
                        // burst over).
                        self.dispatch.settle();
                        self.act_on_notes();
                        return End::Finished;
                    }
                    HoldEnd::Held => return self.unfinished(),
                },
            };
            streak.route(&mut self.dispatch, envelope);
            self.taken += 1;
            if self.taken.is_multiple_of(FAST_AFTER) {
                // A burst: let senders stop claiming the gate (gate.rs).
                self.run.link.gate.speed_up();
            }
            if self.taken >= max_messages {
                return self.unfinished();
            }
            if self.taken.is_multiple_of(CLOCK_EVERY) {
                if started.elapsed() >= budget.max_time {
                    return self.unfinished();
                }
                // A flood does not keep ends and latest values waiting
                // (E3, L4): they are acted on every few dozen messages.
                if self.inner.notes_waiting(self.run) {
                    self.act_on_notes();
                }
            }
        }
    }

    /// A turn that stops with messages still queued: acts on the notes
    /// first, so a flood that outlasts many turns delays no end of stream
    /// and no latest value by more than one turn (E3, L4).
    fn unfinished(&mut self) -> End {
        if self.inner.notes_waiting(self.run) {
            self.act_on_notes();
        }
        End::Unfinished
    }

    /// Acts on the senders' notes (notes.rs): ends of stream, told once
    /// their pipes' last messages are routed, and latest values. Between
    /// messages the turn's counts stay as they are: a burst of discards
    /// goes on as one (R7's two warnings), and the routed count reaches
    /// the stats when the turn ends. Kept out of line, like
    /// [`idle`](Self::idle).
    #[inline(never)]
    fn act_on_notes(&mut self) {
        self.inner.act_on_notes(self.run);
    }

    /// Settles the turn's counts and, if it ended unfinished while its run
    /// is still current, pings again.
    fn end(&mut self, end: End) {
        self.ended = true;
        self.dispatch.settle();
        if end == End::Finished {
            self.run.trim_backlog();
        }
        self.inner.bursting.set(self.taken > 1);
        if end == End::Unfinished && self.inner.current_run(self.run.number) {
            self.run.link.pinger.ping();
        }
    }

    /// How long to keep looking once the queue is empty. Only in a burst
    /// (this turn or the last routed more than one message): there it saves
    /// the pings of the gaps, but after lone messages it only delays going
    /// back to sleep, and the next lone message then takes longer to wake
    /// the loop.
    fn linger(&self, budget: DrainBudget) -> Duration {
        if self.taken > 1 || self.inner.bursting.get() {
            budget.linger
        } else {
            Duration::ZERO
        }
    }

    /// [`idle`](Self::idle), once the bounded pipes routed are paid the
    /// units owed them: their senders may be waiting for room.
    fn idle_paid(&mut self, budget: DrainBudget) -> HoldEnd<Envelope<M>> {
        self.dispatch.pay_credits();
        self.idle(self.linger(budget))
    }

    /// What the turn does when it finds the queue empty: keeps looking for
    /// `linger` (a burst then costs one ping, not one per gap), then ends
    /// the hold of the gate, which looks again (gate.rs).
    ///
    /// Kept out of line: the turn's loop over a full queue stays small.
    #[inline(never)]
    fn idle(&self, linger: Duration) -> HoldEnd<Envelope<M>> {
        match self.keep_looking(linger) {
            Look::Found(envelope) => return HoldEnd::Resume(envelope),
            Look::Over => return HoldEnd::Done,
            Look::Empty => {}
        }
        // The backlog is empty here (the look that led here found nothing
        // in it, and only this thread fills it), so these looks are at the
        // channel, as gate.rs argues.
        self.run.link.gate.end_hold(|| self.inner.look(self.run))
    }

    /// Keeps looking for the next message for `linger`.
    fn keep_looking(&self, linger: Duration) -> Look<Envelope<M>> {
        if linger.is_zero() {
            return Look::Empty;
        }
        let started = Instant::now();
        loop {
            for _ in 0..CLOCK_EVERY {
                std::hint::spin_loop();
                match self.inner.look(self.run) {
                    Look::Empty => {}
                    found => return found,
                }
            }
            if started.elapsed() >= linger {
                return Look::Empty;
            }
        }
    }
}

impl<M, C> Drop for Turn<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    /// Only a turn whose listener panicked gets here un-ended: its gate is
    /// still held, so it pings again.
    fn drop(&mut self) {
        if !self.ended {
            self.end(End::Unfinished);
        }
    }
}
