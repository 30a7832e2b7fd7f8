//! Jobs in child processes: the example runs itself again as each child
//! (`--jobs-child`), which serves the jobs it registered by name; the
//! parent submits a call, a progress job and an items job by name and
//! watches them on its event loop, with router-jobs' handles.
//!
//! ```text
//! cargo run -p router-process --features jobs --example child_jobs
//! ```

use std::error::Error;
use std::process::Command;
use std::time::Duration;

use router_api::DefaultEventLoop;
use router_jobs::{Cancelled, Executor, Job};
use router_process::ProcessRouter;
use router_process::jobs::{ChildJobs, ChildPool, JobRegistry, serve};

/// The jobs a child has.
fn registry() -> JobRegistry {
    JobRegistry::new()
        .call("sum", |(from, to): (u64, u64), _cancel| {
            Ok::<u64, String>((from..=to).sum())
        })
        .progress("count", |to: u32, progress| {
            for n in 1..=to {
                std::thread::sleep(Duration::from_millis(20));
                progress.report(n * 100 / to)?;
            }
            Ok::<_, Cancelled>(format!("counted to {to} in {}", std::process::id()))
        })
        .items("words", |text: String, items| {
            for word in text.split_whitespace() {
                items.send(word.to_uppercase())?;
            }
            Ok::<usize, Cancelled>(text.split_whitespace().count())
        })
}

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().nth(1).as_deref() == Some("--jobs-child") {
        return Ok(serve(registry())?);
    }
    let event_loop = DefaultEventLoop::new();
    let mut command = Command::new(std::env::current_exe()?);
    command.arg("--jobs-child");
    let children = ChildPool::spawn(&mut command, 2)?;
    println!("children: {:?}", children.pids());
    let executor = Executor::new(ProcessRouter::new(&event_loop), children.clone())?;

    let sum: Job<u64, String> = executor.submit_call_in(&children, "sum", &(1u64, 100u64))?;
    sum.on_done(|state| println!("sum: {state}"));
    let count: Job<String, Cancelled, u32> =
        executor.submit_progress_in(&children, "count", &10u32)?;
    count.on_report(|percent: &u32| println!("count: {percent}%"));
    let words: Job<usize, Cancelled, String> =
        executor.submit_items_in(&children, 4, "words", "jobs in child processes")?;
    words.on_report(|word: &String| println!("words: {word}"));

    event_loop.run_until(
        || sum.is_done() && count.is_done() && words.is_done(),
        Some(Duration::from_secs(30)),
    )?;
    println!("sum: {:?}", sum.take_result());
    println!("count: {:?}", count.take_result());
    println!("words: {:?}", words.take_result());
    executor.shutdown(Duration::from_secs(10))?;
    children.close();
    children.wait(Duration::from_secs(10))?;
    Ok(())
}
