//! Cooperative cancellation (J4).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use router_api::{MessageRouter, RouterControl};
use router_jobs::{Cancelled, JobError, JobMessage, JobState};

use crate::fixtures::jobs::{SAFETY, blocker, executor, run_until, watch};
use crate::kit_loop::KitLoop;

/// **J4**: a job cancelled while it waits for a worker never runs its
/// body; `cancel` is true once, then false, and false once done.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J4.
pub fn cancel_before_start_never_runs_the_body<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 1);
    let (blocker, release) = blocker(&executor);
    let ran = Arc::new(AtomicBool::new(false));
    let job = executor
        .submit_call({
            let ran = Arc::clone(&ran);
            move |_| {
                ran.store(true, Ordering::Release);
                Ok::<_, ()>(())
            }
        })
        .expect("J4: submitting to a running executor");
    let (states, dones) = watch(&job);
    assert!(job.cancel(), "J4: cancel of a waiting job");
    assert!(!job.cancel(), "J4: a second cancel");
    assert_eq!(job.state(), JobState::Cancelling);
    release
        .send(())
        .expect("J4: the blocker waits for its release");
    run_until(
        &event_loop,
        || job.is_done() && blocker.is_done(),
        "J4: the cancelled job never ended",
    );
    assert!(
        !ran.load(Ordering::Acquire),
        "J4: the body of a job cancelled before it started ran"
    );
    assert_eq!(
        *states.borrow(),
        [JobState::Cancelling, JobState::Cancelled]
    );
    assert_eq!(dones.get(), 1);
    assert!(!job.cancel(), "J4: cancel of a done job");
    assert!(matches!(job.take_result(), Some(Err(JobError::Cancelled))));
}

/// **J4**: a running job's next check fails once it is cancelled, and
/// what it returns after reaches no result.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J4.
pub fn cancel_while_running_fails_the_next_check_and_discards_the_result<L, R>(
    new_router: &dyn Fn(&L) -> R,
) where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 2);
    let saw_cancel = Arc::new(AtomicBool::new(false));
    let job = executor
        .submit_call({
            let saw_cancel = Arc::clone(&saw_cancel);
            move |cancel| {
                let deadline = Instant::now() + SAFETY;
                while cancel.check().is_ok() && Instant::now() < deadline {
                    std::thread::yield_now();
                }
                saw_cancel.store(cancel.is_cancelled(), Ordering::Release);
                Ok::<_, ()>(7)
            }
        })
        .expect("J4: submitting to a running executor");
    run_until(
        &event_loop,
        || job.state() == JobState::Running,
        "J4: the job never ran",
    );
    assert!(job.cancel());
    run_until(
        &event_loop,
        || job.is_done(),
        "J4: the cancelled job never ended",
    );
    assert!(
        saw_cancel.load(Ordering::Acquire),
        "J4: the body's check never failed"
    );
    assert_eq!(job.state(), JobState::Cancelled);
    assert!(matches!(job.take_result(), Some(Err(JobError::Cancelled))));
}

/// **J4**: a worker waiting for room in a full items pipe wakes with
/// `Cancelled` when its job is cancelled, and no item reaches a listener
/// after the cancel.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J4.
pub fn cancel_wakes_a_worker_waiting_for_room<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 2);
    let (waiting, is_waiting) = mpsc::channel();
    let job = executor
        .submit_items(1, move |items| {
            items.send(0u64)?;
            let _ = waiting.send(());
            let second = items.send(1);
            Ok::<_, Cancelled>(second)
        })
        .expect("J4: submitting to a running executor");
    let seen = Rc::new(Cell::new(0));
    job.on_report({
        let seen = Rc::clone(&seen);
        move |_: &u64| seen.set(seen.get() + 1)
    });
    is_waiting
        .recv_timeout(SAFETY)
        .expect("J4: the worker never filled its pipe");
    std::thread::sleep(Duration::from_millis(20));
    assert!(job.cancel());
    let before = seen.get();
    run_until(
        &event_loop,
        || job.is_done(),
        "J4: the waiting worker never woke",
    );
    assert_eq!(job.state(), JobState::Cancelled);
    assert_eq!(
        seen.get(),
        before,
        "J4: an item reached a listener after cancel"
    );
}
