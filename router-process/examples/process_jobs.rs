//! Child processes reporting progress to the parent's event loop.
//!
//! The example runs itself again as each child (`--child <job>`), hands
//! the child its pipe's token in a one-shot file (`child::pass_token`),
//! and prints each report on the parent's foreground thread as it arrives.
//!
//! ```text
//! cargo run --release -p router-process --example process_jobs
//! ```

use std::cell::Cell;
use std::error::Error;
use std::process::Command;
use std::rc::Rc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_process::{ProcessRouter, ProcessSender, child};
use serde::{Deserialize, Serialize};

const JOBS: u32 = 4;
const STEPS: u8 = 4;

/// What a child reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Report {
    Started { pid: u32 },
    Progress { percent: u8 },
    Done { checksum: u64 },
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [flag, job] if flag == "--child" => run_child(job.parse()?),
        _ => run_parent(),
    }
}

fn run_parent() -> Result<(), Box<dyn Error>> {
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<Report>::new(&event_loop);
    router.start()?;
    let done = Rc::new(Cell::new(0));
    let mut jobs = Vec::new();
    for job in 1..=JOBS {
        let (sender, receiver) = router.pipe()?;
        let pid = Rc::new(Cell::new(0));
        receiver.connect({
            let done = Rc::clone(&done);
            move |report: &Report| match *report {
                Report::Started { pid: child } => {
                    pid.set(child);
                    println!("job {job} (pid {child}): started");
                }
                Report::Progress { percent } => {
                    println!("job {job} (pid {}): {percent}%", pid.get());
                }
                Report::Done { checksum } => {
                    println!("job {job} (pid {}): done, checksum {checksum}", pid.get());
                    done.set(done.get() + 1);
                }
            }
        });
        // The token goes in a one-shot file, which only this user can read
        // and the child removes once read, so the child's own children
        // never see it; not by argument, which other users can read.
        let mut command = Command::new(std::env::current_exe()?);
        command.args(["--child", &job.to_string()]);
        child::pass_token(&mut command, &sender.token())?;
        let child = command.spawn()?;
        jobs.push((receiver, child));
    }
    event_loop.run_until(|| done.get() == JOBS, Some(Duration::from_secs(60)))?;
    for (receiver, mut child) in jobs {
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("a child failed: {status}").into());
        }
        router.close_pipe(&receiver)?;
    }
    router.stop()?;
    println!("all {JOBS} jobs done");
    Ok(())
}

/// A child: a job in steps, each reported to the parent.
fn run_child(job: u64) -> Result<(), Box<dyn Error>> {
    let mut sender: ProcessSender<Report> = child::sender_from_env()?;
    let mut open = sender.open()?;
    open.send(Report::Started {
        pid: std::process::id(),
    })?;
    let mut checksum = 0u64;
    for step in 1..=STEPS {
        for n in 0..200_000 * job {
            checksum = checksum.wrapping_mul(31).wrapping_add(n ^ u64::from(step));
        }
        std::thread::sleep(Duration::from_millis(50 * job));
        open.send(Report::Progress {
            percent: step * (100 / STEPS),
        })?;
    }
    open.send(Report::Done { checksum })?;
    Ok(())
}
