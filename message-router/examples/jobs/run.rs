//! One run of the demo: an executor on a router and a pool, a progress job
//! per range, each shown by its handle's callbacks.

use std::cell::RefCell;
use std::error::Error;
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::time::{Duration, Instant};

use message_router::jobs::{Cancelled, Executor, JobError, JobMessage, ThreadPool};
use message_router::prelude::*;
use message_router::{BACKEND, RouterStats};

use crate::args::Options;
use crate::view::Screen;
use crate::work;

/// How long `shutdown` may route once every job is done: it has only the
/// router to stop by then.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// How a job ended: its prime count, or why it has none.
type Count = Result<u64, JobError<Cancelled>>;

/// What a run did.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) options: Options,
    /// How many threads the pool ran the jobs on.
    pub(crate) threads: usize,
    /// Each job's result, in the order of the jobs.
    pub(crate) counts: Vec<Count>,
    pub(crate) elapsed: Duration,
    pub(crate) stats: RouterStats,
    /// Pipes still open when the executor shut down (the router warns if
    /// there are any).
    pub(crate) left_open: usize,
}

impl Summary {
    /// Whether every job completed with its count.
    pub(crate) fn all_counted(&self) -> bool {
        self.counts.iter().all(Result::is_ok)
    }

    pub(crate) fn print(&self) {
        let Options { jobs, size, .. } = self.options;
        let RouterStats {
            routed,
            dropped,
            pings,
            ..
        } = self.stats;
        let primes: u64 = self.counts.iter().filter_map(|c| c.as_ref().ok()).sum();
        println!();
        println!("backend          {BACKEND}");
        println!(
            "jobs             {jobs} of {size} numbers, on {} pool threads",
            self.threads
        );
        if self.all_counted() {
            println!("primes found     {primes} below {}", jobs as u64 * size);
        } else {
            println!("primes found     {primes} in the jobs that completed");
            for (number, count) in (1..).zip(&self.counts) {
                if let Err(error) = count {
                    println!("{:<17}{error}", format!("job {number}"));
                }
            }
        }
        println!("elapsed          {:.2} s", self.elapsed.as_secs_f64());
        println!("messages routed  {routed} in {pings} pings, {dropped} dropped");
        println!("pipes            {} left open at shutdown", self.left_open);
    }
}

/// Runs `options.jobs` jobs to the end, showing them as they go.
///
/// # Errors
///
/// A pool, router or executor that could not start, a job that could not
/// be submitted, or an executor that did not shut down. A job that fails
/// is no error here: its result says so in the summary.
pub(crate) fn run(options: Options) -> Result<Summary, Box<dyn Error>> {
    let started = Instant::now();
    println!(
        "counting primes below {} in {} jobs on the {BACKEND} backend",
        options.jobs as u64 * options.size,
        options.jobs
    );

    // A thread per core: jobs beyond that wait for one.
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let pool = ThreadPool::with_threads(cores.min(options.jobs))?;
    let threads = pool.threads();
    let event_loop = DefaultEventLoop::new();
    let router: Router<JobMessage> = Router::new(&event_loop);
    let executor = Executor::new(router, pool)?;

    let screen = Screen::new(options.plain);
    // Each job's number and result, as they end.
    let counts: Rc<RefCell<Vec<(usize, Count)>>> = Rc::default();
    // The handles, kept until every job is done: `on_done` reaches its
    // job through a weak reference to take the result.
    let mut jobs = Vec::with_capacity(options.jobs);
    for index in 0..options.jobs {
        let start = index as u64 * options.size;
        let range = start..start + options.size;
        let view = Rc::new(screen.job(index + 1, range.clone()));
        let job = Rc::new(executor.submit_progress(move |progress| {
            work::count_primes(range, |checked| progress.report(checked))
        })?);
        job.on_state({
            let view = Rc::clone(&view);
            move |state| view.enter(state)
        });
        job.on_report({
            let view = Rc::clone(&view);
            move |checked: &u64| view.progress(*checked)
        });
        job.on_done({
            // Weak: the job's own callback must not keep it alive.
            let job = Rc::downgrade(&job);
            let counts = Rc::clone(&counts);
            move |_| {
                let count = job.upgrade().and_then(|job| job.take_result());
                let count = count.unwrap_or(Err(JobError::Taken));
                view.done(&count);
                counts.borrow_mut().push((index, count));
            }
        });
        jobs.push(job);
    }

    // A job always ends, a panic or a lost worker included: no timeout.
    event_loop.run_until(|| counts.borrow().len() == options.jobs, None)?;
    let stats = executor.router().stats();
    let left_open = executor.router().open_pipes();
    executor.shutdown(SHUTDOWN_TIMEOUT)?;
    drop(jobs);

    let mut counts = counts.take();
    counts.sort_by_key(|(index, _)| *index);
    Ok(Summary {
        options,
        threads,
        counts: counts.into_iter().map(|(_, count)| count).collect(),
        elapsed: started.elapsed(),
        stats,
        left_open,
    })
}
