//! The executor's stop and shutdown (J7).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use router_api::{MessageRouter, RouterControl};
use router_jobs::{ExecutorState, JobMessage, JobState, ShutdownError, SubmitError};

use crate::fixtures::jobs::{SAFETY, blocker, executor, run_until};
use crate::kit_loop::KitLoop;

/// **J7**: `stop` cancels every job, refuses new ones and returns at once;
/// the executor is stopping until the last job is done, then stopped.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J7.
pub fn stop_cancels_refuses_and_stops_when_the_last_job_is_done<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 1);
    let (blocker, release) = blocker(&executor);
    let waiting = executor
        .submit_call(|_| Ok::<_, ()>(()))
        .expect("J7: submitting to a running executor");
    run_until(
        &event_loop,
        || blocker.state() == JobState::Running,
        "J7: the blocker never ran",
    );
    let states = Rc::new(RefCell::new(Vec::new()));
    executor.on_state({
        let states = Rc::clone(&states);
        move |state| states.borrow_mut().push(state)
    });
    executor.stop();
    assert_eq!(executor.state(), ExecutorState::Stopping);
    assert_eq!(blocker.state(), JobState::Cancelling);
    assert_eq!(waiting.state(), JobState::Cancelling);
    assert!(matches!(
        executor.submit_call(|_| Ok::<_, ()>(())),
        Err(SubmitError::NotRunning {
            state: ExecutorState::Stopping
        })
    ));
    release
        .send(())
        .expect("J7: the blocker waits for its release");
    run_until(
        &event_loop,
        || executor.state() == ExecutorState::Stopped,
        "J7: never stopped",
    );
    assert_eq!(
        *states.borrow(),
        [ExecutorState::Stopping, ExecutorState::Stopped]
    );
    assert_eq!(
        (blocker.state(), waiting.state()),
        (JobState::Cancelled, JobState::Cancelled)
    );
    assert!(
        !executor.router().is_running(),
        "J7: the router runs after the executor stopped"
    );
}

/// **J7**: `shutdown` with a job that ignores its cancel times out naming
/// how many jobs are live, leaves the executor stopping, and a second
/// `shutdown` once that job ended stops it.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J7.
pub fn shutdown_times_out_naming_live_jobs_then_finishes<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 2);
    let (stubborn, release) = blocker(&executor);
    run_until(
        &event_loop,
        || stubborn.state() == JobState::Running,
        "J7: the job never ran",
    );
    let timeout = Duration::from_millis(100);
    assert_eq!(
        executor.shutdown(timeout),
        Err(ShutdownError::TimedOut { live: 1, timeout })
    );
    assert_eq!(executor.state(), ExecutorState::Stopping);
    release
        .send(())
        .expect("J7: the blocker waits for its release");
    executor.shutdown(SAFETY).expect("J7: the second shutdown");
    assert_eq!(executor.state(), ExecutorState::Stopped);
    assert_eq!(stubborn.state(), JobState::Cancelled);
}
