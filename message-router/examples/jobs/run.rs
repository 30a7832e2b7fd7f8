//! One run of the demo: a router, a pipe per job, a worker thread per pipe.

use std::cell::Cell;
use std::error::Error;
use std::rc::Rc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use message_router::prelude::*;
use message_router::{BACKEND, RouterStats};

use crate::args::Options;
use crate::view::Screen;
use crate::work::{self, Report};

/// How long the main thread runs the loop before it looks for a job that
/// died without reporting (a panic sends nothing).
const CHECK_EVERY: Duration = Duration::from_millis(250);

/// What a run did.
#[derive(Debug)]
pub(crate) struct Summary {
    pub(crate) options: Options,
    pub(crate) primes: u64,
    pub(crate) elapsed: Duration,
    pub(crate) stats: RouterStats,
    /// Pipes still open when the router stopped (it warns if there are any).
    pub(crate) left_open: usize,
}

impl Summary {
    pub(crate) fn print(&self) {
        let Options { jobs, size, .. } = self.options;
        let RouterStats {
            routed,
            dropped,
            pings,
            ..
        } = self.stats;
        println!();
        println!("backend          {BACKEND}");
        println!("jobs             {jobs} of {size} numbers");
        println!(
            "primes found     {} below {}",
            self.primes,
            jobs as u64 * size
        );
        println!("elapsed          {:.2} s", self.elapsed.as_secs_f64());
        println!("messages routed  {routed} in {pings} pings, {dropped} dropped");
        println!(
            "pipes            {jobs} opened, {} left open at stop",
            self.left_open
        );
    }
}

/// Runs `options.jobs` jobs to the end, showing them as they go.
///
/// # Errors
///
/// Any router error, a worker that could not start or send, or a job
/// that ended without reporting.
pub(crate) fn run(options: Options) -> Result<Summary, Box<dyn Error>> {
    let started = Instant::now();
    println!(
        "counting primes below {} in {} jobs on the {BACKEND} backend",
        options.jobs as u64 * options.size,
        options.jobs
    );

    let event_loop = DefaultEventLoop::new();
    let router: Router<Report> = Router::new(&event_loop);
    router.start()?;

    let screen = Screen::new(options.plain);
    let finished = Rc::new(Cell::new(0_usize));
    let primes = Rc::new(Cell::new(0_u64));
    let mut receivers = Vec::with_capacity(options.jobs);
    let mut workers = Vec::with_capacity(options.jobs);
    for index in 0..options.jobs {
        let (sender, receiver) = router.pipe()?;
        let start = index as u64 * options.size;
        let range = start..start + options.size;
        let view = screen.job(index + 1, range.clone());
        receiver.connect({
            let finished = Rc::clone(&finished);
            let primes = Rc::clone(&primes);
            move |report: &Report| {
                view.show(report);
                if let Report::Finished { primes: found, .. } = report {
                    primes.set(primes.get() + found);
                    finished.set(finished.get() + 1);
                }
            }
        });
        let worker = thread::Builder::new()
            .name(format!("job {}", index + 1))
            .spawn(move || work::count_primes(sender, range))?;
        receivers.push(receiver);
        workers.push(worker);
    }

    wait_for_reports(&event_loop, &workers, || finished.get() == options.jobs)?;
    for worker in workers {
        let worked = worker.join().map_err(|_| "a job panicked")?;
        worked.map_err(|error| -> Box<dyn Error> { error })?;
    }
    for receiver in &receivers {
        router.close_pipe(receiver)?;
    }
    let stats = router.stats();
    let left_open = router.open_pipes();
    router.stop()?;

    Ok(Summary {
        options,
        primes: primes.get(),
        elapsed: started.elapsed(),
        stats,
        left_open,
    })
}

/// Drives the event loop, which routes the reports, until `all_in` holds.
fn wait_for_reports<T>(
    event_loop: &DefaultEventLoop,
    workers: &[JoinHandle<T>],
    all_in: impl Fn() -> bool,
) -> Result<(), Box<dyn Error>> {
    loop {
        if event_loop.run_until(&all_in, Some(CHECK_EVERY)).is_ok() {
            return Ok(());
        }
        if workers.iter().all(JoinHandle::is_finished) {
            // Whatever the jobs sent is queued, with its ping, by now.
            return event_loop
                .run_until(&all_in, Some(Duration::from_secs(5)))
                .map_err(|_| "a job ended without reporting its result".into());
        }
    }
}
