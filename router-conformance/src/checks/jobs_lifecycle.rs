//! A job's states, callbacks, result and futures (J1, J6).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use router_api::{MessageRouter, RouterControl};
use router_jobs::{JobError, JobMessage, JobState};

use crate::fixtures::jobs::{executor, run_until, watch};
use crate::kit_loop::KitLoop;

/// **J1**: a call runs, then completes: its states are running then
/// completed, each once, in order; `on_done` fires once; the result is
/// its value.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J1.
pub fn call_runs_then_completes_once<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    let (event_loop, executor) = executor(new_router, 2);
    let job = executor
        .submit_call(|_| Ok::<_, ()>(6 * 7))
        .expect("J1: submitting to a running executor");
    assert_eq!(job.state(), JobState::Waiting);
    let (states, dones) = watch(&job);
    run_until(&event_loop, || job.is_done(), "J1: the call never finished");
    assert_eq!(*states.borrow(), [JobState::Running, JobState::Completed]);
    assert_eq!(dones.get(), 1, "J1: done fires once");
    assert_eq!(
        job.take_result()
            .expect("J1: a result once done")
            .expect("J1: its value"),
        42
    );
    let late = Rc::new(Cell::new(None));
    job.on_done({
        let late = Rc::clone(&late);
        move |state| late.set(Some(state))
    });
    assert_eq!(
        late.get(),
        Some(JobState::Completed),
        "J1: on_done after done runs at once"
    );
    assert_eq!(dones.get(), 1);
    assert_eq!(executor.live(), 0);
}

/// **J6**: the result is taken once, and a job's future resolves with
/// the final state when it is done.
///
/// # Panics
///
/// When the jobs layer, its router or its loop breaks J6.
pub fn result_is_taken_once_and_the_future_resolves_when_done<L, R>(new_router: &dyn Fn(&L) -> R)
where
    L: KitLoop,
    R: MessageRouter<JobMessage> + RouterControl + 'static,
{
    struct Count(AtomicU64);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::AcqRel);
        }
    }
    let (event_loop, executor) = executor(new_router, 2);
    let job = executor
        .submit_call(|_| Ok::<_, ()>("value"))
        .expect("J1: submitting to a running executor");
    let wakes = Arc::new(Count(AtomicU64::new(0)));
    let waker = Waker::from(Arc::clone(&wakes));
    let mut done = Box::pin(job.done());
    let mut result = Box::pin(job.result());
    let mut cx = Context::from_waker(&waker);
    assert!(done.as_mut().poll(&mut cx).is_pending());
    assert!(result.as_mut().poll(&mut cx).is_pending());
    run_until(&event_loop, || job.is_done(), "J6: the job never ended");
    assert!(
        wakes.0.load(Ordering::Acquire) >= 1,
        "J6: the futures were not woken"
    );
    assert_eq!(
        done.as_mut().poll(&mut cx),
        Poll::Ready(JobState::Completed)
    );
    assert!(matches!(
        result.as_mut().poll(&mut cx),
        Poll::Ready(Ok("value"))
    ));
    assert!(
        job.take_result().is_none(),
        "J6: the result was taken twice"
    );
    assert!(matches!(
        Box::pin(job.result()).as_mut().poll(&mut cx),
        Poll::Ready(Err(JobError::Taken))
    ));
}
