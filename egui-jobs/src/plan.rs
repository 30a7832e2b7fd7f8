//! Which jobs the window runs: the free demo's, or the scripted mode's
//! fixed scene, in which gates hold jobs so that its screenshot shows
//! every state at once.

use crate::work::{Gate, Hold, Work};

/// Where the second job panics on purpose, in both modes.
const PANIC_AT: u8 = 50;

/// One job as the window submits it: its row's label, its body's work,
/// and what the script does to it.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The row's label.
    pub(crate) label: String,
    /// What the body does (moved to a worker thread).
    pub(crate) work: Work,
    /// Scripted mode: cancel the job once it is held at its gate.
    pub(crate) cancel_when_held: bool,
}

impl Plan {
    /// The job's gate, if it is held at one.
    pub(crate) fn gate(&self) -> Option<&Gate> {
        self.work.hold.as_ref().map(|hold| &hold.gate)
    }
}

/// The free demo: `jobs` jobs of `size` numbers each, one range after the
/// other; the second panics halfway.
pub(crate) fn free(jobs: usize, size: u64) -> Vec<Plan> {
    (1..=jobs)
        .map(|number| {
            let panics = number == 2;
            let label = if panics {
                format!("job {number} (panics at {PANIC_AT}%)")
            } else {
                format!("job {number}")
            };
            Plan {
                label,
                work: Work {
                    number,
                    range: range(number, size),
                    panic_at: panics.then_some(PANIC_AT),
                    hold: None,
                },
                cancel_when_held: false,
            }
        })
        .collect()
}

/// The jobs of the scripted scene.
pub(crate) const SCRIPTED_JOBS: usize = 6;
/// The worker threads of the scripted scene.
pub(crate) const SCRIPTED_THREADS: usize = 2;

/// The scripted scene, for [`SCRIPTED_THREADS`] worker threads, whose
/// queue takes jobs in order. Jobs 1 and 2 take both threads and end
/// (completed; failed, panicking at 50%); jobs 3 and 4 take them next and
/// are held at their gates, where the script cancels both: job 3 heeds it
/// and ends cancelled, freeing its thread for job 5, which is held running
/// at 45%; job 4 sees the cancel only once let go, so it stays cancelling
/// and keeps the other thread, and job 6 keeps waiting. Nothing depends on
/// timing: each step waits for the one before.
pub(crate) fn scripted(size: u64) -> Vec<Plan> {
    let held = |at: u8, heeds_cancel: bool| {
        Some(Hold {
            at,
            gate: Gate::default(),
            heeds_cancel,
        })
    };
    let plans = [
        ("job 1".to_owned(), None, None, false),
        (
            format!("job 2 (panics at {PANIC_AT}%)"),
            Some(PANIC_AT),
            None,
            false,
        ),
        ("job 3 (held at 30%)".to_owned(), None, held(30, true), true),
        (
            "job 4 (held at 60%, slow to cancel)".to_owned(),
            None,
            held(60, false),
            true,
        ),
        (
            "job 5 (held at 45%)".to_owned(),
            None,
            held(45, true),
            false,
        ),
        ("job 6".to_owned(), None, None, false),
    ];
    plans
        .into_iter()
        .enumerate()
        .map(|(index, (label, panic_at, hold, cancel_when_held))| Plan {
            label,
            work: Work {
                number: index + 1,
                range: range(index + 1, size),
                panic_at,
                hold,
            },
            cancel_when_held,
        })
        .collect()
}

/// Job `number`'s numbers: the `number`th run of `size` from 1.
fn range(number: usize, size: u64) -> std::ops::Range<u64> {
    let before = u64::try_from(number - 1).unwrap_or(u64::MAX);
    let start = before.saturating_mul(size).saturating_add(1);
    start..start.saturating_add(size)
}

#[cfg(test)]
mod tests {
    use super::{SCRIPTED_JOBS, free, scripted};

    #[test]
    fn the_ranges_follow_one_another_and_only_job_2_panics() {
        let plans = free(3, 10);
        let ranges: Vec<_> = plans.iter().map(|plan| plan.work.range.clone()).collect();
        assert_eq!(ranges, [1..11, 11..21, 21..31]);
        let panics: Vec<_> = plans.iter().map(|plan| plan.work.panic_at).collect();
        assert_eq!(panics, [None, Some(50), None]);
    }

    #[test]
    fn the_scene_holds_jobs_3_to_5_and_cancels_3_and_4() {
        let plans = scripted(10);
        assert_eq!(plans.len(), SCRIPTED_JOBS);
        let held: Vec<_> = plans
            .iter()
            .map(|plan| {
                plan.work
                    .hold
                    .as_ref()
                    .map(|hold| (hold.at, hold.heeds_cancel))
            })
            .collect();
        assert_eq!(
            held,
            [
                None,
                None,
                Some((30, true)),
                Some((60, false)),
                Some((45, true)),
                None
            ]
        );
        let cancelled: Vec<_> = plans.iter().map(|plan| plan.cancel_when_held).collect();
        assert_eq!(cancelled, [false, false, true, true, false, false]);
    }
}
