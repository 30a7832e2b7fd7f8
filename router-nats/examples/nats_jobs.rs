//! Worker processes count primes and report their progress to the
//! foreground through a NATS server: each gets its pipe's token, which
//! could as well travel to another machine that reaches the server.
//!
//! ```sh
//! apt-get install -y nats-server
//! cargo run --release --manifest-path servers/Cargo.toml -p router-nats --example nats_jobs
//! cargo run ... --example nats_jobs -- --jobs 6 --size 3000000
//! NATS_URL=nats://server:4222 cargo run ... --example nats_jobs   # a server of your own
//! ```
//!
//! Without `NATS_URL` it starts a `nats-server -js` of its own (found on
//! `PATH`, `/usr/sbin`, or at `NATS_SERVER`) on a free loopback port, with
//! its store in a temp dir, and stops it at the end.

mod common;

use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_nats::{NatsRouter, NatsSender};
use serde::{Deserialize, Serialize};

/// What a worker reports.
#[derive(Clone, Debug, Serialize, Deserialize)]
enum Report {
    /// How many numbers of its range it has looked at.
    Progress(u64),
    /// How many primes it found.
    Done(u64),
}

const TOKEN_VAR: &str = "NATS_JOBS_TOKEN";
const STEPS: u64 = 20;

use common::Failure;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--worker") {
        return worker(&args[1..]);
    }
    let mut jobs = 4u64;
    let mut size = 2_000_000u64;
    let mut at = 0;
    while let Some(arg) = args.get(at) {
        let number = || -> Result<u64, Failure> {
            Ok(args.get(at + 1).ok_or("a number must follow")?.parse()?)
        };
        match arg.as_str() {
            "--jobs" => jobs = number()?,
            "--size" => size = number()?,
            "--help" | "-h" => {
                println!(
                    "nats_jobs [--jobs N (4)] [--size N (2000000)]; NATS_URL to use a server of your own"
                );
                return Ok(());
            }
            other => return Err(format!("unknown option {other}").into()),
        }
        at += 2;
    }
    let (url, _server) = common::server_from_env()?;
    foreground(&url, jobs, size)
}

/// The foreground: one pipe and one worker process per job.
fn foreground(url: &str, jobs: u64, size: u64) -> Result<(), Failure> {
    let started = Instant::now();
    let event_loop = DefaultEventLoop::new();
    let router = NatsRouter::<Report>::new(&event_loop, url);
    router.start()?;
    let state = Rc::new(RefCell::new(vec![(0u64, None::<u64>); jobs as usize]));
    let mut receivers = Vec::new();
    let mut workers = Vec::new();
    for job in 0..jobs {
        let (sender, receiver) = router.pipe()?;
        receiver.connect({
            let state = Rc::clone(&state);
            move |report: &Report| {
                let mut state = state.borrow_mut();
                let entry = &mut state[job as usize];
                match report {
                    Report::Progress(done) => entry.0 = *done,
                    Report::Done(primes) => (entry.0, entry.1) = (size, Some(*primes)),
                }
                println!("job {job}: {:>3}% {report:?}", entry.0 * 100 / size.max(1));
            }
        });
        let (from, to) = (job * size, (job + 1) * size);
        workers.push(
            Command::new(std::env::current_exe()?)
                .args(["--worker", &from.to_string(), &to.to_string()])
                .env(TOKEN_VAR, sender.token())
                .spawn()?,
        );
        receivers.push(receiver);
    }
    let all_done = || state.borrow().iter().all(|(_, primes)| primes.is_some());
    event_loop.run_until(all_done, Some(Duration::from_secs(600)))?;
    for mut worker in workers {
        worker.wait()?;
    }
    for receiver in &receivers {
        router.close_pipe(receiver)?;
    }
    let stats = router.stats();
    router.stop()?;
    let primes: u64 = state
        .borrow()
        .iter()
        .filter_map(|(_, primes)| *primes)
        .sum();
    println!(
        "{jobs} jobs, {primes} primes below {}, in {:.2?}; {stats:?}",
        jobs * size,
        started.elapsed()
    );
    Ok(())
}

/// A worker process: counts the primes of `[from, to)`, reporting as it goes.
fn worker(args: &[String]) -> Result<(), Failure> {
    let [from, to] = args else {
        return Err("a worker takes its range: --worker FROM TO".into());
    };
    let (from, to): (u64, u64) = (from.parse()?, to.parse()?);
    let mut sender = NatsSender::<Report>::from_token(&std::env::var(TOKEN_VAR)?)?;
    let mut open = sender.open()?;
    let step = ((to - from) / STEPS).max(1);
    let mut primes = 0;
    for n in from..to {
        primes += u64::from(is_prime(n));
        if (n - from + 1).is_multiple_of(step) {
            open.send(Report::Progress(n - from + 1))?;
        }
    }
    open.send(Report::Done(primes))?;
    Ok(())
}

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
