//! A current-thread tokio program whose worker threads and async tasks
//! report progress to listeners on the program's own thread:
//!
//! ```sh
//! cargo run --release -p router-tokio --example tokio_jobs
//! ```
//!
//! Two threads do CPU work (sums of squares), two async tasks of the
//! runtime "download" in timed chunks; each reports through its own pipe,
//! and the listeners, on the `LocalSet`, print one line per report.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{MessageReceiver, MessageRouter, MessageSender};

/// Why a worker stopped early: its sender did not start, or a send was refused.
type WorkError = Box<dyn std::error::Error + Send + Sync>;
use router_crossbeam::CrossbeamRouter;
use router_tokio::TokioLoop;
use tokio::sync::Notify;
use tokio::task::LocalSet;

/// What a job reports.
#[derive(Clone, Copy, Debug)]
enum Report {
    /// Percent done.
    Progress(u8),
    /// The job's result.
    Done(u64),
}

/// CPU work on a thread: the sum of the squares below `n`, in ten steps.
fn sum_of_squares(mut sender: impl MessageSender<Report>, n: u64) -> Result<(), WorkError> {
    let mut open = sender.open()?;
    let mut sum = 0_u64;
    for step in 0..10 {
        for k in step * n / 10..(step + 1) * n / 10 {
            sum = sum.wrapping_add(k * k);
        }
        open.send(Report::Progress((step as u8 + 1) * 10))?;
    }
    open.send(Report::Done(sum))?;
    Ok(())
}

/// Async work on the runtime: `chunks` chunks of `chunk` bytes, one per
/// tick.
async fn download(
    mut sender: impl MessageSender<Report>,
    chunks: u64,
    chunk: u64,
) -> Result<(), WorkError> {
    let mut open = sender.open()?;
    for done in 1..=chunks {
        tokio::time::sleep(Duration::from_millis(30)).await;
        #[allow(clippy::cast_possible_truncation)] // a percentage
        let percent = (done * 100 / chunks) as u8;
        open.send(Report::Progress(percent))?;
    }
    open.send(Report::Done(chunks * chunk))?;
    Ok(())
}

fn main() -> Result<(), WorkError> {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let local = LocalSet::new();
    let router = CrossbeamRouter::<Report>::new(&TokioLoop::new(&local));
    router.start()?;

    let names = ["squares A", "squares B", "download C", "download D"];
    let finished = Rc::new(Cell::new(0));
    let all_done = Rc::new(Notify::new());
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for name in names {
        let (sender, receiver) = router.pipe()?;
        receiver.connect({
            let (finished, all_done) = (Rc::clone(&finished), Rc::clone(&all_done));
            move |report: &Report| match report {
                Report::Progress(percent) => println!("{name:<11} {percent:>3}%"),
                Report::Done(result) => {
                    println!("{name:<11} done: {result}");
                    finished.set(finished.get() + 1);
                    if finished.get() == names.len() {
                        all_done.notify_one();
                    }
                }
            }
        });
        receivers.push(receiver);
        senders.push(sender);
    }
    let mut senders = senders.into_iter();
    let mut next = || senders.next().ok_or("one sender per job");
    let threads = [next()?, next()?]
        .map(|sender| std::thread::spawn(move || sum_of_squares(sender, 20_000_000)));
    let downloads = [
        runtime.spawn(download(next()?, 10, 64 * 1024)),
        runtime.spawn(download(next()?, 5, 1024 * 1024)),
    ];

    // The foreground: the listeners run here, between the runtime's tasks.
    local.block_on(&runtime, all_done.notified());
    for thread in threads {
        thread.join().map_err(|_| "a worker thread panicked")??;
    }
    for download in downloads {
        runtime.block_on(download)??;
    }
    for receiver in &receivers {
        router.close_pipe(receiver)?;
    }
    let stats = router.stats();
    router.stop()?;
    println!(
        "{} jobs in {:.2} s: {} reports routed in {} pings",
        names.len(),
        started.elapsed().as_secs_f64(),
        stats.routed,
        stats.pings
    );
    Ok(())
}
