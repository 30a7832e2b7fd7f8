//! The foreground's state machine of one job: what each thing the worker
//! says, and each `cancel()`, does to the job's state. Pure, with no
//! router in it, so a model test can feed it any order of events.

use router_api::SenderEnd;

use crate::JobState;

/// How a worker's last word ends the job.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Finish {
    /// The body returned `Ok`.
    Returned,
    /// The body returned `Err`, or panicked.
    Raised,
    /// The worker found the job cancelled before it started, and never ran
    /// the body.
    Abandoned,
}

/// What the foreground learns of a job.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Event {
    /// The worker started the body.
    Started,
    /// The worker's last word.
    Finished(Finish),
    /// The job's report pipe (progress or items) ended, after its last
    /// value: a result may be final now (J2).
    ReportEnded,
    /// The pipe the worker's words come on ended, as its sender says.
    /// After a [`Finished`](Self::Finished) it is the usual close; before
    /// one, the worker is lost (J5).
    OutcomeEnded(SenderEnd),
    /// The foreground asked to cancel (J4).
    Cancel,
}

/// What an event did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub(crate) struct Step {
    /// The states entered, in order (at most two: an implied start, then
    /// the event's own).
    pub(crate) entered: Vec<JobState>,
    /// Whether the job became done with this event (once per job).
    pub(crate) done: bool,
    /// For [`Event::Cancel`]: whether the cancel took effect.
    pub(crate) cancelled: bool,
    /// Whether the job failed because its worker was lost.
    pub(crate) lost: Option<SenderEnd>,
}

/// The state of one job on the foreground.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    state: JobState,
    /// The worker's last word, kept while the report pipe has not ended.
    pending: Option<Finish>,
    /// Whether the job has a report pipe whose end a result waits for.
    waits_for_reports: bool,
    report_ended: bool,
}

impl Machine {
    /// A waiting job; `reports` says whether it has a report pipe.
    pub(crate) fn new(reports: bool) -> Self {
        Self {
            state: JobState::Waiting,
            pending: None,
            waits_for_reports: reports,
            report_ended: false,
        }
    }

    pub(crate) fn state(&self) -> JobState {
        self.state
    }

    /// Applies `event`; never panics, whatever the order.
    pub(crate) fn apply(&mut self, event: Event) -> Step {
        let mut step = Step::default();
        if self.state.is_done() {
            return step;
        }
        match event {
            Event::Started => {
                if self.state == JobState::Waiting {
                    self.enter(JobState::Running, &mut step);
                }
            }
            Event::Cancel => {
                if self.state.can_cancel() {
                    step.cancelled = true;
                    self.enter(JobState::Cancelling, &mut step);
                    if self.pending.take().is_some() {
                        // The worker's last word came already (its result
                        // waited for the report pipe): nothing more will.
                        self.enter(JobState::Cancelled, &mut step);
                    }
                }
            }
            Event::Finished(finish) => self.finished(finish, &mut step),
            Event::ReportEnded => {
                self.report_ended = true;
                if let Some(finish) = self.pending.take() {
                    self.settle(finish, &mut step);
                }
            }
            Event::OutcomeEnded(end) => {
                if self.pending.is_none() {
                    // No last word came: the worker is lost.
                    let last = if self.state == JobState::Cancelling {
                        JobState::Cancelled
                    } else {
                        step.lost = Some(end);
                        JobState::Failed
                    };
                    self.enter(last, &mut step);
                }
            }
        }
        step
    }

    fn finished(&mut self, finish: Finish, step: &mut Step) {
        if self.state == JobState::Cancelling || finish == Finish::Abandoned {
            self.enter(JobState::Cancelled, step);
            return;
        }
        if self.pending.is_some() {
            // A second last word: the first stands.
            return;
        }
        if self.state == JobState::Waiting {
            // Every last word but "abandoned" comes after a start.
            self.enter(JobState::Running, step);
        }
        if self.waits_for_reports && !self.report_ended {
            self.pending = Some(finish);
        } else {
            self.settle(finish, step);
        }
    }

    fn settle(&mut self, finish: Finish, step: &mut Step) {
        let last = match finish {
            Finish::Returned => JobState::Completed,
            Finish::Raised => JobState::Failed,
            Finish::Abandoned => JobState::Cancelled,
        };
        self.enter(last, step);
    }

    fn enter(&mut self, state: JobState, step: &mut Step) {
        self.state = state;
        step.entered.push(state);
        if state.is_done() {
            step.done = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(reports: bool, events: &[Event]) -> (Vec<JobState>, usize) {
        let mut machine = Machine::new(reports);
        let mut states = Vec::new();
        let mut dones = 0;
        for event in events {
            let step = machine.apply(*event);
            states.extend(step.entered);
            dones += usize::from(step.done);
        }
        (states, dones)
    }

    use Event::{Cancel, Finished, OutcomeEnded, ReportEnded, Started};
    use JobState::{Cancelled, Cancelling, Completed, Failed, Running};

    #[test]
    fn every_complete_order_of_traits_futures_ends_where_it_should() {
        let end = OutcomeEnded(SenderEnd::Stopped);
        let cases: [(&[Event], &[JobState]); 7] = [
            (
                &[Started, Finished(Finish::Returned), end],
                &[Running, Completed],
            ),
            (
                &[Started, Finished(Finish::Raised), end],
                &[Running, Failed],
            ),
            (
                &[Cancel, Started, Finished(Finish::Returned), end],
                &[Cancelling, Cancelled],
            ),
            (
                &[Cancel, Started, Finished(Finish::Raised), end],
                &[Cancelling, Cancelled],
            ),
            (
                &[Started, Cancel, Finished(Finish::Returned), end],
                &[Running, Cancelling, Cancelled],
            ),
            (
                &[Started, Cancel, Finished(Finish::Raised), end],
                &[Running, Cancelling, Cancelled],
            ),
            (
                &[Cancel, Finished(Finish::Abandoned), end],
                &[Cancelling, Cancelled],
            ),
        ];
        for (events, states) in cases {
            assert_eq!(run(false, events), (states.to_vec(), 1), "{events:?}");
        }
    }

    #[test]
    fn a_result_waits_for_the_report_pipe_to_end() {
        let mut machine = Machine::new(true);
        machine.apply(Started);
        let step = machine.apply(Finished(Finish::Returned));
        assert!(!step.done && step.entered.is_empty());
        assert_eq!(machine.state(), Running);
        let step = machine.apply(ReportEnded);
        assert_eq!((step.entered, step.done), (vec![Completed], true));
    }

    #[test]
    fn a_worker_lost_before_its_last_word_fails_the_job_or_ends_its_cancel() {
        assert_eq!(
            run(false, &[Started, OutcomeEnded(SenderEnd::Lost)]),
            (vec![Running, Failed], 1)
        );
        assert_eq!(
            run(false, &[OutcomeEnded(SenderEnd::Dropped)]),
            (vec![Failed], 1)
        );
        assert_eq!(
            run(false, &[Started, Cancel, OutcomeEnded(SenderEnd::Lost)]),
            (vec![Running, Cancelling, Cancelled], 1)
        );
        let mut machine = Machine::new(false);
        assert_eq!(
            machine.apply(OutcomeEnded(SenderEnd::Lost)).lost,
            Some(SenderEnd::Lost)
        );
    }

    #[test]
    fn a_cancel_after_the_last_word_came_ends_the_job_at_once() {
        let events = [
            Started,
            Finished(Finish::Returned),
            OutcomeEnded(SenderEnd::Stopped),
            Cancel,
        ];
        assert_eq!(
            run(true, &events),
            (vec![Running, Cancelling, Cancelled], 1)
        );
    }

    #[test]
    fn cancel_takes_effect_only_while_waiting_or_running() {
        let mut machine = Machine::new(false);
        assert!(machine.apply(Cancel).cancelled);
        assert!(!machine.apply(Cancel).cancelled, "cancelling already");
        machine.apply(Finished(Finish::Abandoned));
        assert!(!machine.apply(Cancel).cancelled, "done");
        assert_eq!(machine.state(), Cancelled);
    }

    mod model {
        use proptest::prelude::*;

        use super::*;

        fn event() -> impl Strategy<Value = Event> {
            prop_oneof![
                Just(Event::Started),
                Just(Event::Finished(Finish::Returned)),
                Just(Event::Finished(Finish::Raised)),
                Just(Event::Finished(Finish::Abandoned)),
                Just(Event::ReportEnded),
                Just(Event::OutcomeEnded(SenderEnd::Stopped)),
                Just(Event::OutcomeEnded(SenderEnd::Lost)),
                Just(Event::Cancel),
            ]
        }

        /// The states a job may enter from `from` (J1).
        fn allowed(from: JobState, to: JobState) -> bool {
            use JobState::{Cancelled, Cancelling, Completed, Failed, Running, Waiting};
            match from {
                Waiting => matches!(to, Running | Cancelling | Failed | Cancelled),
                Running => matches!(to, Cancelling | Completed | Failed | Cancelled),
                Cancelling => to == Cancelled,
                Completed | Failed | Cancelled => false,
            }
        }

        proptest! {
            /// Any order of words and cancels: no panic, only the
            /// transitions of J1, done at most once, a cancel true only
            /// while waiting or running.
            #[test]
            fn any_order_keeps_the_transitions_and_fires_done_at_most_once(
                reports in any::<bool>(),
                events in proptest::collection::vec(event(), 0..24),
            ) {
                let mut machine = Machine::new(reports);
                let mut dones = 0;
                for event in events {
                    let before = machine.state();
                    let step = machine.apply(event);
                    let mut from = before;
                    for state in &step.entered {
                        prop_assert!(allowed(from, *state), "{from:?} -> {state:?} on {event:?}");
                        from = *state;
                    }
                    prop_assert_eq!(from, machine.state());
                    prop_assert_eq!(step.cancelled, event == Event::Cancel && before.can_cancel());
                    prop_assert_eq!(step.done, !before.is_done() && machine.state().is_done());
                    dones += usize::from(step.done);
                }
                prop_assert!(dones <= 1);
            }

            /// The words of a worker in the order a router delivers them
            /// (its last word before its pipe's end; a report pipe's end at
            /// any point after the start), with cancels anywhere: the job
            /// always ends, once.
            #[test]
            fn a_worker_that_says_its_last_word_always_ends_the_job(
                finish in prop_oneof![Just(Finish::Returned), Just(Finish::Raised)],
                report_at in 0usize..3,
                cancel_at in proptest::option::of(0usize..5),
            ) {
                let mut words = vec![Event::Started, Event::Finished(finish), Event::OutcomeEnded(SenderEnd::Stopped)];
                words.insert(1 + report_at, Event::ReportEnded);
                if let Some(at) = cancel_at {
                    words.insert(at.min(words.len()), Event::Cancel);
                }
                let mut machine = Machine::new(true);
                let (mut dones, mut cancelled) = (0, false);
                for event in &words {
                    let step = machine.apply(*event);
                    dones += usize::from(step.done);
                    cancelled |= step.cancelled;
                }
                prop_assert_eq!(dones, 1);
                // A cancel that came after the job ended took no effect.
                let expected = match (cancelled, finish) {
                    (true, _) => JobState::Cancelled,
                    (false, Finish::Returned) => JobState::Completed,
                    (false, _) => JobState::Failed,
                };
                prop_assert_eq!(machine.state(), expected);
            }
        }
    }
}
