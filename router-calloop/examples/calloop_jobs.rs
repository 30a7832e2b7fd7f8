//! A calloop program whose worker threads report progress to listeners on
//! the loop's thread, while a timer source of the same loop keeps ticking:
//!
//! ```sh
//! cargo run --release -p router-calloop --example calloop_jobs
//! ```

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use calloop::timer::{TimeoutAction, Timer};
use router_api::{MessageReceiver, MessageRouter, MessageSender};

/// Why a worker stopped early: its sender did not start, or a send was refused.
type WorkError = Box<dyn std::error::Error + Send + Sync>;
use router_calloop::CalloopLoop;
use router_crossbeam::CrossbeamRouter;

/// What a job reports.
#[derive(Clone, Copy, Debug)]
enum Report {
    /// Percent done.
    Progress(u8),
    /// The number of steps of the longest Collatz chain in the job's range.
    Done(u32),
}

fn collatz_steps(mut n: u64) -> u32 {
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

/// The longest chain starting in `range`, in ten reported steps.
fn longest_chain(
    mut sender: impl MessageSender<Report>,
    range: std::ops::Range<u64>,
) -> Result<(), WorkError> {
    let mut open = sender.open()?;
    let length = range.end - range.start;
    let mut longest = 0;
    for step in 0..10 {
        let from = range.start + step * length / 10;
        let to = range.start + (step + 1) * length / 10;
        longest = (from..to).map(collatz_steps).fold(longest, u32::max);
        open.send(Report::Progress((step as u8 + 1) * 10))?;
    }
    open.send(Report::Done(longest))?;
    Ok(())
}

fn main() -> Result<(), WorkError> {
    let started = Instant::now();
    let mut event_loop = calloop::EventLoop::<'static, ()>::try_new()?;
    let router = CrossbeamRouter::<Report>::new(&CalloopLoop::new(&event_loop.handle())?);
    router.start()?;

    // Another source of the loop: it keeps ticking while the jobs report.
    let ticks = Rc::new(Cell::new(0));
    event_loop
        .handle()
        .insert_source(Timer::from_duration(Duration::from_millis(50)), {
            let ticks = Rc::clone(&ticks);
            move |_, _, _| {
                ticks.set(ticks.get() + 1);
                TimeoutAction::ToDuration(Duration::from_millis(50))
            }
        })
        .map_err(|error| error.error)?;

    const JOBS: u64 = 3;
    const SIZE: u64 = 1_000_000;
    let finished = Rc::new(Cell::new(0));
    let mut receivers = Vec::new();
    let mut workers = Vec::new();
    for job in 0..JOBS {
        let (sender, receiver) = router.pipe()?;
        receiver.connect({
            let finished = Rc::clone(&finished);
            move |report: &Report| match report {
                Report::Progress(percent) => println!("job {job}: {percent:>3}%"),
                Report::Done(steps) => {
                    println!("job {job}: done, longest chain {steps} steps");
                    finished.set(finished.get() + 1);
                }
            }
        });
        receivers.push(receiver);
        let range = 1 + job * SIZE..1 + (job + 1) * SIZE;
        workers.push(std::thread::spawn(move || longest_chain(sender, range)));
    }

    // The foreground: listeners and the timer run here, one dispatch at a time.
    while finished.get() < JOBS {
        event_loop.dispatch(Some(Duration::from_secs(1)), &mut ())?;
    }
    for worker in workers {
        worker.join().map_err(|_| "a worker thread panicked")??;
    }
    for receiver in &receivers {
        router.close_pipe(receiver)?;
    }
    let stats = router.stats();
    router.stop()?;
    println!(
        "{JOBS} jobs in {:.2} s, {} timer ticks meanwhile: {} reports routed in {} pings",
        started.elapsed().as_secs_f64(),
        ticks.get(),
        stats.routed,
        stats.pings
    );
    Ok(())
}
