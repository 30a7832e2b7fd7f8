//! Jobs in child processes (feature `jobs`): the test binary re-runs
//! itself as each child, filtered to `child_serves_the_test_jobs` at the
//! bottom (ignored when run by hand), which serves the jobs of
//! `registry()`.
//!
//! Each test is named after the rule of RULES.md's J section it checks,
//! for jobs whose bodies run in a child: router-conformance's jobs suite
//! cannot run on this backend, since its bodies are closures over the
//! test's own state (channels, flags), which cannot cross to another
//! process, and its routers carry `JobMessage`, which does not serialize.

#![cfg(feature = "jobs")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use router_api::{DefaultEventLoop, MessageRouter, SenderEnd};
use router_jobs::{
    Cancel, Cancelled, Executor, ExecutorState, Items, Job, JobError, JobState, Progress,
    ShutdownError, SubmitError,
};
use router_process::ProcessRouter;
use router_process::jobs::{
    ChildExecutor, ChildJobs, ChildPool, ChildSubmitError, JobKind, JobRefusal, JobRegistry,
    serve_with_threads,
};

/// A generous bound for anything a test waits for.
const PATIENCE: Duration = Duration::from_secs(30);

/// How many threads the child serves on.
const THREADS_VAR: &str = "ROUTER_PROCESS_TEST_JOB_THREADS";

/// A pool of `children` children of this test binary, each serving on
/// `threads` threads.
fn pool(children: usize, threads: usize) -> ChildPool {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "child_serves_the_test_jobs",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(THREADS_VAR, threads.to_string())
        .stdout(Stdio::null());
    ChildPool::spawn(&mut command, children).unwrap()
}

/// An executor on a new loop whose pool is `children` children.
fn executor(children: usize, threads: usize) -> (DefaultEventLoop, ChildExecutor, ChildPool) {
    let event_loop = DefaultEventLoop::new();
    let pool = pool(children, threads);
    let executor = Executor::new(ProcessRouter::new(&event_loop), pool.clone()).unwrap();
    (event_loop, executor, pool)
}

fn run_until(event_loop: &DefaultEventLoop, condition: impl FnMut() -> bool, what: &str) {
    if event_loop.run_until(condition, Some(PATIENCE)).is_err() {
        panic!("{what}: not within {PATIENCE:?}");
    }
}

/// Shuts the executor down and waits for the children to exit.
fn finish(executor: &ChildExecutor, pool: &ChildPool) {
    executor.shutdown(PATIENCE).unwrap();
    pool.close();
    pool.wait(PATIENCE).unwrap();
}

type Watched = (Rc<RefCell<Vec<JobState>>>, Rc<Cell<u32>>);

/// Records each state `job` enters and each `on_done`.
fn watch<T: 'static, E: 'static, R: 'static>(job: &Job<T, E, R>) -> Watched {
    let states = Rc::new(RefCell::new(Vec::new()));
    let dones = Rc::new(Cell::new(0));
    job.on_state({
        let states = Rc::clone(&states);
        move |state| states.borrow_mut().push(state)
    });
    job.on_done({
        let dones = Rc::clone(&dones);
        move |_| dones.set(dones.get() + 1)
    });
    (states, dones)
}

/// Milliseconds since the epoch: a clock both processes read.
fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    u64::try_from(since.as_millis()).unwrap()
}

fn wait_for_file(path: &Path) {
    let deadline = Instant::now() + PATIENCE;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn path_arg(path: &Path) -> String {
    path.to_str().unwrap().to_owned()
}

#[test]
fn j1_a_call_in_a_child_runs_then_completes_once() {
    let (event_loop, executor, pool) = executor(2, 2);
    let jobs: Vec<Job<u64, String>> = (0..4u64)
        .map(|n| executor.submit_call_in(&pool, "sum", &(n, 40u64)).unwrap())
        .collect();
    let first = &jobs[0];
    assert_eq!(first.state(), JobState::Waiting);
    let (states, dones) = watch(first);
    run_until(
        &event_loop,
        || jobs.iter().all(Job::is_done),
        "J1: the calls never finished",
    );
    assert_eq!(*states.borrow(), [JobState::Running, JobState::Completed]);
    assert_eq!(dones.get(), 1, "J1: done fires once");
    for (n, job) in (0..4u64).zip(&jobs) {
        assert_eq!(job.take_result().unwrap().unwrap(), n + 40);
    }
    let late = Rc::new(Cell::new(None));
    first.on_done({
        let late = Rc::clone(&late);
        move |state| late.set(Some(state))
    });
    assert_eq!(late.get(), Some(JobState::Completed));
    assert_eq!(dones.get(), 1);
    assert_eq!(executor.live(), 0);
    finish(&executor, &pool);
}

#[test]
fn j2_a_progress_job_in_a_child_shows_its_last_report_before_it_completes() {
    const REPORTS: u64 = 100_000;
    let (event_loop, executor, pool) = executor(1, 1);
    let dir = tempfile::tempdir().unwrap();
    let returned = dir.path().join("returned");
    let pings_before = executor.router().stats().pings;
    let job: Job<String, Cancelled, u64> = executor
        .submit_progress_in(&pool, "count", &(REPORTS, path_arg(&returned)))
        .unwrap();
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
    wait_for_file(&returned);
    run_until(
        &event_loop,
        || job.is_done(),
        "J2: the progress job never finished",
    );
    assert_eq!(job.state(), JobState::Completed);
    assert_eq!(job.take_result().unwrap().unwrap(), "counted");
    assert_eq!(
        seen_at_completion.get(),
        Some(REPORTS),
        "J2: the last report must be seen before the job completes"
    );
    let pings = executor.router().stats().pings - pings_before;
    eprintln!(
        "J2 in a child: {REPORTS} reports, {} delivered, {pings} wake-ups",
        seen.borrow().len()
    );
    assert!(
        seen.borrow().len() <= 3,
        "J2: {} reports delivered, not the newest only",
        seen.borrow().len()
    );
    assert!(
        pings <= 8,
        "J2: {REPORTS} reports woke the foreground {pings} times"
    );
    finish(&executor, &pool);
}

#[test]
fn j3_an_items_job_in_a_child_delivers_each_item_once_in_order_and_waits_for_the_foreground() {
    const ITEMS: u64 = 20_000;
    let (event_loop, executor, pool) = executor(1, 1);
    let job: Job<u64, Cancelled, u64> = executor
        .submit_items_in(&pool, 4, "numbers", &ITEMS)
        .unwrap();
    let seen = Rc::new(RefCell::new(Vec::new()));
    job.on_report({
        let seen = Rc::clone(&seen);
        move |item: &u64| seen.borrow_mut().push(*item)
    });
    // Nothing routes: the child fills the pipe and the socket, then waits.
    std::thread::sleep(Duration::from_millis(300));
    let routing_from = now_ms();
    run_until(
        &event_loop,
        || job.is_done(),
        "J3: the items job never finished",
    );
    assert_eq!(job.state(), JobState::Completed);
    assert_eq!(*seen.borrow(), (0..ITEMS).collect::<Vec<_>>());
    let returned_at = job.take_result().unwrap().unwrap();
    assert!(
        returned_at >= routing_from,
        "J3: the body returned {} ms before the foreground routed an item",
        routing_from - returned_at
    );
    finish(&executor, &pool);
}

#[test]
fn j4_a_job_cancelled_before_its_child_takes_it_never_runs() {
    let (event_loop, executor, pool) = executor(1, 1);
    let dir = tempfile::tempdir().unwrap();
    let touched = dir.path().join("touched");
    let blocker: Job<(), String> = executor.submit_call_in(&pool, "sleep", &300u64).unwrap();
    let job: Job<(), String> = executor
        .submit_call_in(&pool, "touch", &path_arg(&touched))
        .unwrap();
    let (states, dones) = watch(&job);
    assert!(job.cancel(), "J4: cancel of a waiting job");
    assert!(!job.cancel(), "J4: a second cancel");
    assert_eq!(job.state(), JobState::Cancelling);
    run_until(
        &event_loop,
        || job.is_done() && blocker.is_done(),
        "J4: the cancelled job never ended",
    );
    assert!(
        !touched.exists(),
        "J4: the body of a job cancelled before it started ran"
    );
    assert_eq!(
        *states.borrow(),
        [JobState::Cancelling, JobState::Cancelled]
    );
    assert_eq!(dones.get(), 1);
    assert!(!job.cancel(), "J4: cancel of a done job");
    assert!(matches!(job.take_result(), Some(Err(JobError::Cancelled))));
    assert_eq!(blocker.state(), JobState::Completed);
    finish(&executor, &pool);
}

#[test]
fn j4_a_running_child_job_learns_of_its_cancel_within_100_ms() {
    let (event_loop, executor, pool) = executor(1, 1);
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let job: Job<(), String> = executor
        .submit_call_in(&pool, "until_cancelled", &path_arg(&seen))
        .unwrap();
    run_until(
        &event_loop,
        || job.state() == JobState::Running,
        "J4: the job never ran",
    );
    let cancelled_at = now_ms();
    assert!(job.cancel());
    run_until(
        &event_loop,
        || job.is_done(),
        "J4: the cancelled job never ended",
    );
    assert_eq!(job.state(), JobState::Cancelled);
    assert!(matches!(job.take_result(), Some(Err(JobError::Cancelled))));
    let seen_at: u64 = std::fs::read_to_string(&seen).unwrap().parse().unwrap();
    let after = seen_at.saturating_sub(cancelled_at);
    eprintln!("C2 in a child job: its check failed {after} ms after the cancel");
    assert!(
        after <= 100,
        "C2: the child's check failed {after} ms after the cancel"
    );
    finish(&executor, &pool);
}

#[test]
fn j4_a_cancel_wakes_a_child_job_waiting_for_room() {
    let (event_loop, executor, pool) = executor(1, 1);
    let job: Job<(), Cancelled, u64> = executor
        .submit_items_in(&pool, 1, "numbers_until_cancelled", &())
        .unwrap();
    let seen = Rc::new(Cell::new(0));
    job.on_report({
        let seen = Rc::clone(&seen);
        move |_: &u64| seen.set(seen.get() + 1)
    });
    // Nothing routes: the child fills the pipe and the socket, and waits.
    std::thread::sleep(Duration::from_millis(300));
    assert!(job.cancel());
    let before = seen.get();
    run_until(
        &event_loop,
        || job.is_done(),
        "J4: the waiting child job never woke",
    );
    assert_eq!(job.state(), JobState::Cancelled);
    assert_eq!(
        seen.get(),
        before,
        "J4: an item reached a listener after cancel"
    );
    finish(&executor, &pool);
}

#[test]
fn j5_an_error_in_a_child_fails_the_job_with_it() {
    let (event_loop, executor, pool) = executor(1, 1);
    let job: Job<(), String> = executor.submit_call_in(&pool, "fail", "no disk").unwrap();
    let (states, _) = watch(&job);
    run_until(
        &event_loop,
        || job.is_done(),
        "J5: the failing job never ended",
    );
    assert_eq!(*states.borrow(), [JobState::Running, JobState::Failed]);
    match job.take_result() {
        Some(Err(JobError::Failed(error))) => assert_eq!(error, "no disk"),
        other => panic!("J5: a failing job's result is {other:?}"),
    }
    finish(&executor, &pool);
}

#[test]
fn j5_a_panic_in_a_child_fails_the_job_and_the_child_goes_on() {
    let (event_loop, executor, pool) = executor(1, 1);
    let job: Job<(), String> = executor
        .submit_call_in(&pool, "panic", "on purpose")
        .unwrap();
    let next: Job<u64, String> = executor
        .submit_call_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
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
        next.take_result().unwrap().unwrap(),
        3,
        "J5: the child stopped after a panic"
    );
    assert_eq!(pool.open(), 1);
    finish(&executor, &pool);
}

#[test]
fn j5_a_killed_child_fails_its_jobs_as_lost_and_shutdown_does_not_hang() {
    let (event_loop, executor, pool) = executor(1, 1);
    let running: Job<(), String> = executor.submit_call_in(&pool, "sleep", &60_000u64).unwrap();
    let queued: Job<u64, String> = executor
        .submit_call_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
    run_until(
        &event_loop,
        || running.state() == JobState::Running,
        "J5: the job never ran",
    );
    let pid = pool.pids()[0];
    let killed = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let killed_at = Instant::now();
    run_until(
        &event_loop,
        || running.is_done() && queued.is_done(),
        "J5: the jobs of a killed child never ended",
    );
    let took = killed_at.elapsed();
    eprintln!("J5: the jobs of a killed child failed {took:?} after the kill");
    assert!(took < Duration::from_secs(5), "J5: {took:?} after the kill");
    assert_eq!(running.state(), JobState::Failed);
    assert!(matches!(
        running.take_result(),
        Some(Err(JobError::Lost(SenderEnd::Lost)))
    ));
    assert_eq!(queued.state(), JobState::Failed);
    assert!(matches!(queued.take_result(), Some(Err(JobError::Lost(_)))));
    // No child takes jobs: the executor refuses them.
    assert_eq!(pool.open(), 0);
    assert!(matches!(
        executor.submit_call_in::<u64, String, _>(&pool, "sum", &(1u64, 2u64)),
        Err(ChildSubmitError::Executor(SubmitError::PoolClosed))
    ));
    let shutdown = Instant::now();
    executor
        .shutdown(Duration::from_secs(5))
        .expect("J5: shutdown after a lost child");
    assert!(shutdown.elapsed() < Duration::from_secs(1));
    pool.wait(PATIENCE).unwrap();
}

/// The refusal a failed job's result holds.
fn refusal<T, E, R>(job: &Job<T, E, R>) -> JobRefusal
where
    T: std::fmt::Debug + 'static,
    E: std::fmt::Debug + 'static,
    R: 'static,
{
    assert_eq!(job.state(), JobState::Failed);
    match job.take_result() {
        Some(Err(JobError::BadMessage(error))) => {
            let refusal = error.downcast_ref::<JobRefusal>().unwrap().clone();
            eprintln!("refused: {refusal}");
            refusal
        }
        other => panic!("J5: a refused job's result is {other:?}"),
    }
}

#[test]
fn j5_a_job_the_child_cannot_run_fails_with_the_childs_refusal() {
    let (event_loop, executor, pool) = executor(1, 2);
    let unknown: Job<u64, String> = executor.submit_call_in(&pool, "nope", &()).unwrap();
    let other_type: Job<String, String> = executor
        .submit_call_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
    let other_kind: Job<u64, String, u64> = executor
        .submit_progress_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
    // An `i32` literal: its bytes would decode as a `u64`'s, wrongly.
    let other_args: Job<u64, String> = executor.submit_call_in(&pool, "sum", &(1u64, 2)).unwrap();
    let fine: Job<u64, String> = executor
        .submit_call_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
    run_until(
        &event_loop,
        || {
            unknown.is_done()
                && other_type.is_done()
                && other_kind.is_done()
                && other_args.is_done()
                && fine.is_done()
        },
        "J5: the refused jobs never ended",
    );
    match refusal(&unknown) {
        JobRefusal::UnknownJob { name, known } => {
            assert_eq!(name, "nope");
            assert!(known.contains(&"sum".to_owned()), "{known:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        refusal(&other_type),
        JobRefusal::OtherType { part, .. } if part == "value"
    ));
    assert!(matches!(
        refusal(&other_kind),
        JobRefusal::OtherKind {
            registered: JobKind::Call,
            submitted: JobKind::Progress,
            ..
        }
    ));
    match refusal(&other_args) {
        JobRefusal::OtherType {
            part,
            registered,
            submitted,
            ..
        } => {
            assert_eq!(part, "arguments");
            assert_eq!(
                (registered.as_str(), submitted.as_str()),
                ("(u64, u64)", "(u64, i32)")
            );
        }
        other => panic!("{other:?}"),
    }
    // The child goes on.
    assert_eq!(fine.take_result().unwrap().unwrap(), 3);
    finish(&executor, &pool);
}

#[test]
fn j6_result_is_taken_once_and_the_future_resolves_when_done() {
    struct Count(AtomicU64);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::AcqRel);
        }
    }
    let (event_loop, executor, pool) = executor(1, 1);
    let job: Job<String, String> = executor.submit_call_in(&pool, "echo", "value").unwrap();
    let wakes = Arc::new(Count(AtomicU64::new(0)));
    let waker = Waker::from(Arc::clone(&wakes));
    let mut done = Box::pin(job.done());
    let mut result = Box::pin(job.result());
    let mut cx = Context::from_waker(&waker);
    assert!(done.as_mut().poll(&mut cx).is_pending());
    assert!(result.as_mut().poll(&mut cx).is_pending());
    run_until(&event_loop, || job.is_done(), "J6: the job never ended");
    assert!(wakes.0.load(Ordering::Acquire) >= 1, "J6: not woken");
    assert_eq!(
        done.as_mut().poll(&mut cx),
        Poll::Ready(JobState::Completed)
    );
    match result.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(value)) => assert_eq!(value, "value"),
        other => panic!("J6: the result future gave {other:?}"),
    }
    assert!(
        job.take_result().is_none(),
        "J6: the result was taken twice"
    );
    assert!(matches!(
        Box::pin(job.result()).as_mut().poll(&mut cx),
        Poll::Ready(Err(JobError::Taken))
    ));
    finish(&executor, &pool);
}

#[test]
fn j7_stop_cancels_refuses_and_stops_when_the_last_child_job_is_done() {
    let (event_loop, executor, pool) = executor(1, 1);
    let blocker: Job<(), String> = executor.submit_call_in(&pool, "sleep", &300u64).unwrap();
    let waiting: Job<u64, String> = executor
        .submit_call_in(&pool, "sum", &(1u64, 2u64))
        .unwrap();
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
        executor.submit_call_in::<u64, String, _>(&pool, "sum", &(1u64, 2u64)),
        Err(ChildSubmitError::Executor(SubmitError::NotRunning {
            state: ExecutorState::Stopping
        }))
    ));
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
    assert!(!executor.router().is_running());
    pool.close();
    pool.wait(PATIENCE).unwrap();
}

#[test]
fn j7_shutdown_times_out_naming_live_child_jobs_then_finishes() {
    let (event_loop, executor, pool) = executor(1, 1);
    let stubborn: Job<(), String> = executor.submit_call_in(&pool, "sleep", &500u64).unwrap();
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
    executor
        .shutdown(PATIENCE)
        .expect("J7: the second shutdown");
    assert_eq!(executor.state(), ExecutorState::Stopped);
    assert_eq!(stubborn.state(), JobState::Cancelled);
    pool.close();
    pool.wait(PATIENCE).unwrap();
}

#[test]
fn children_exit_once_their_pool_is_closed() {
    let pool = pool(2, 1);
    assert_eq!(pool.open(), 2);
    pool.close();
    assert_eq!(pool.open(), 0);
    pool.wait(PATIENCE).unwrap();
}

#[test]
fn children_that_do_not_serve_fail_their_jobs_as_lost() {
    let event_loop = DefaultEventLoop::new();
    let pool = ChildPool::spawn(&mut Command::new("true"), 1).unwrap();
    let executor: ChildExecutor =
        Executor::new(ProcessRouter::new(&event_loop), pool.clone()).unwrap();
    match executor.submit_call_in::<u64, String, _>(&pool, "sum", &(1u64, 2u64)) {
        // The pool saw it gone already.
        Err(ChildSubmitError::Executor(SubmitError::PoolClosed)) => {}
        Err(other) => panic!("{other}"),
        Ok(job) => {
            run_until(
                &event_loop,
                || job.is_done(),
                "a job of no child never ended",
            );
            assert!(matches!(job.take_result(), Some(Err(JobError::Lost(_)))));
        }
    }
    pool.wait(PATIENCE).unwrap();
    executor.shutdown(PATIENCE).unwrap();
}

// ---- the child ----------------------------------------------------------

/// The jobs of the children.
fn registry() -> JobRegistry {
    JobRegistry::new()
        .call("sum", |(a, b): (u64, u64), _: &Cancel| {
            Ok::<u64, String>(a + b)
        })
        .call("echo", |text: String, _: &Cancel| {
            Ok::<String, String>(text)
        })
        .call("fail", |reason: String, _: &Cancel| {
            Err::<(), String>(reason)
        })
        .call(
            "panic",
            |message: String, _: &Cancel| -> Result<(), String> { panic!("{message}") },
        )
        .call("sleep", |millis: u64, _: &Cancel| {
            // Deaf to its cancel.
            std::thread::sleep(Duration::from_millis(millis));
            Ok::<(), String>(())
        })
        .call("touch", |path: String, _: &Cancel| {
            std::fs::write(path, b"ran").map_err(|error| error.to_string())
        })
        .call("until_cancelled", |seen: String, cancel: &Cancel| {
            let deadline = Instant::now() + PATIENCE;
            while cancel.check().is_ok() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::fs::write(seen, now_ms().to_string()).map_err(|error| error.to_string())
        })
        .progress(
            "count",
            |(to, returned): (u64, String), progress: &Progress<u64>| {
                for value in 1..=to {
                    progress.report(value)?;
                }
                let _ = std::fs::write(returned, b"returned");
                Ok::<String, Cancelled>("counted".to_owned())
            },
        )
        .items("numbers", |to: u64, items: &Items<u64>| {
            for item in 0..to {
                items.send(item)?;
            }
            Ok::<u64, Cancelled>(now_ms())
        })
        .items("numbers_until_cancelled", |(): (), items: &Items<u64>| {
            for item in 0.. {
                items.send(item)?;
            }
            Ok::<(), Cancelled>(())
        })
}

#[test]
#[ignore = "a child process of the tests above"]
fn child_serves_the_test_jobs() {
    let threads = std::env::var(THREADS_VAR)
        .ok()
        .and_then(|threads| threads.parse().ok())
        .unwrap_or(2);
    serve_with_threads(registry(), threads).unwrap();
}
