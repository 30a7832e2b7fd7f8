//! What a job reports: progress through a latest-value pipe, items through a bounded one (J2, J3).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use router_api::{MessageRouter, RouterControl};
use router_jobs::{Cancelled, JobMessage, JobState};

use crate::fixtures::jobs::{SAFETY, executor, run_until};
use crate::kit_loop::KitLoop;

/// **J2**: a progress job's last report before it returns is seen before
/// the job is completed, and a burst of reports made while the foreground
/// routes nothing costs a few wakes, not one per report.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J2.
pub fn last_report_comes_before_completed_and_a_burst_wakes_once<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    const REPORTS: u64 = 100_000;
    let (event_loop, executor) = executor(new_router, 2);
    let returned = Arc::new(AtomicBool::new(false));
    let pings_before = executor.router().stats().pings;
    let job = executor
        .submit_progress({
            let returned = Arc::clone(&returned);
            move |progress| {
                for value in 1..=REPORTS {
                    progress.report(value)?;
                }
                returned.store(true, Ordering::Release);
                Ok::<_, Cancelled>("counted")
            }
        })
        .expect("J2: submitting to a running executor");
    let seen = Rc::new(RefCell::new(Vec::new()));
    job.on_report({
        let seen = Rc::clone(&seen);
        move |value: &u64| seen.borrow_mut().push(*value)
    });
    let seen_at_completion = Rc::new(Cell::new(None));
    job.on_state({
        let (seen, at) = (Rc::clone(&seen), Rc::clone(&seen_at_completion));
        move |state| {
            if state == JobState::Completed {
                at.set(seen.borrow().last().copied());
            }
        }
    });
    // The foreground routes nothing while the body runs.
    let deadline = Instant::now() + SAFETY;
    while !returned.load(Ordering::Acquire) {
        assert!(Instant::now() < deadline, "J2: the body never returned");
        std::thread::sleep(Duration::from_millis(1));
    }
    run_until(
        &event_loop,
        || job.is_done(),
        "J2: the progress job never finished",
    );
    assert_eq!(job.state(), JobState::Completed);
    assert_eq!(
        seen_at_completion.get(),
        Some(REPORTS),
        "J2: the last report must be seen before the job completes"
    );
    assert!(
        seen.borrow().len() <= 3,
        "J2: {} reports delivered, not the newest only",
        seen.borrow().len()
    );
    let pings = executor.router().stats().pings - pings_before;
    assert!(
        pings <= 8,
        "J2: {REPORTS} reports woke the foreground {pings} times"
    );
}

/// **J3**: an items job's items arrive in order, each once, and at most
/// the pipe's capacity wait unrouted: a body that runs ahead waits.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J3.
pub fn items_arrive_in_order_and_at_most_capacity_wait<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    const CAPACITY: usize = 4;
    let (event_loop, executor) = executor(new_router, 2);
    let sent = Arc::new(AtomicU64::new(0));
    let job = executor
        .submit_items(CAPACITY, {
            let sent = Arc::clone(&sent);
            move |items| {
                for item in 0..100u64 {
                    items.send(item)?;
                    sent.fetch_add(1, Ordering::AcqRel);
                }
                Ok::<_, Cancelled>(())
            }
        })
        .expect("J2: submitting to a running executor");
    let seen = Rc::new(RefCell::new(Vec::new()));
    job.on_report({
        let seen = Rc::clone(&seen);
        move |item: &u64| seen.borrow_mut().push(*item)
    });
    std::thread::sleep(Duration::from_millis(100));
    let ahead = sent.load(Ordering::Acquire);
    assert!(
        ahead <= CAPACITY as u64,
        "J3: {ahead} items were sent into a pipe of {CAPACITY} that nothing routed"
    );
    run_until(
        &event_loop,
        || job.is_done(),
        "J3: the items job never finished",
    );
    assert_eq!(*seen.borrow(), (0..100).collect::<Vec<_>>());
    assert_eq!(job.state(), JobState::Completed);
}
