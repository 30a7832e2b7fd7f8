//! Failures that never hang (J5).

use router_api::{MessageRouter, RouterControl, SenderEnd};
use router_jobs::{Executor, JobError, JobMessage, JobState};

use crate::fixtures::jobs::{DroppingPool, SAFETY, executor, run_until, watch};
use crate::kit_loop::KitLoop;

/// **J5**: a body's error fails the job with that error.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J5.
pub fn an_error_fails_the_job_with_it<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 2);
    let job = executor
        .submit_call(|_| Err::<(), _>("no disk"))
        .expect("J5: submitting to a running executor");
    let (states, _) = watch(&job);
    run_until(
        &event_loop,
        || job.is_done(),
        "J5: the failing job never ended",
    );
    assert_eq!(*states.borrow(), [JobState::Running, JobState::Failed]);
    assert!(matches!(
        job.take_result(),
        Some(Err(JobError::Failed("no disk")))
    ));
}

/// **J5**: a body's panic fails the job with the panic's message, and the
/// pool and the executor go on working.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J5.
pub fn a_panic_fails_the_job_and_the_pool_goes_on<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 1);
    let job = executor
        .submit_call(|_| -> Result<(), ()> { panic!("on purpose") })
        .expect("J5: submitting to a running executor");
    let next = executor
        .submit_call(|_| Ok::<_, ()>(1))
        .expect("J5: submitting to a running executor");
    run_until(
        &event_loop,
        || job.is_done() && next.is_done(),
        "J5: the jobs never ended",
    );
    assert_eq!(job.state(), JobState::Failed);
    match job.take_result() {
        Some(Err(JobError::Panicked(message))) => assert_eq!(message, "on purpose"),
        other => panic!("J5: a panicking job's result is {other:?}"),
    }
    assert_eq!(
        next.state(),
        JobState::Completed,
        "J5: the pool stopped after a panic"
    );
}

/// **J5**: a job whose worker ends without a result (its task dropped
/// unrun) fails as lost within one routing; shutdown does not hang.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J5.
pub fn a_lost_worker_fails_its_job_as_lost<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let event_loop = L::new_loop();
    let executor =
        Executor::new(new_router(&event_loop), DroppingPool).expect("J5: the router starts");
    let job = executor
        .submit_call(|_| Ok::<_, ()>(()))
        .expect("J5: submitting to a running executor");
    run_until(&event_loop, || job.is_done(), "J5: a lost job never ended");
    assert_eq!(job.state(), JobState::Failed);
    assert!(matches!(
        job.take_result(),
        Some(Err(JobError::Lost(SenderEnd::Dropped)))
    ));
    executor
        .shutdown(SAFETY)
        .expect("J5: shutdown after a lost job");
}
