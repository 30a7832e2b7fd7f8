//! The main demo: progress jobs of router-jobs count primes on a pool of
//! worker threads; the main thread shows each job's progress and state as
//! the router delivers them, then a summary of their results.
//!
//! ```text
//! cargo run --release --example jobs
//! cargo run --release --example jobs -- --jobs 8 --size 1000000
//! cargo run --release --example jobs -- --help
//! ```
//!
//! Warnings of the router go to stderr; a clean run shows none.

use std::io::IsTerminal;
use std::process::ExitCode;

mod args;
#[cfg(all(feature = "jobs", any(feature = "crossbeam", feature = "flume")))]
mod run;
#[cfg(all(feature = "jobs", any(feature = "crossbeam", feature = "flume")))]
mod view;
#[cfg(all(feature = "jobs", any(feature = "crossbeam", feature = "flume")))]
mod work;

use args::{Command, Options, USAGE};

fn main() -> ExitCode {
    let options = match args::parse(std::env::args_os().skip(1)) {
        Ok(Command::Run(options)) => options,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("jobs: {error}\nTry 'jobs --help' for the options.");
            return ExitCode::from(2);
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Fails only if a subscriber is set already, and then that one logs.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init();
    run_jobs(options)
}

#[cfg(all(feature = "jobs", any(feature = "crossbeam", feature = "flume")))]
fn run_jobs(options: Options) -> ExitCode {
    match run::run(options) {
        Ok(summary) => {
            summary.print();
            if summary.all_counted() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(error) => {
            eprintln!("jobs: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(all(feature = "jobs", any(feature = "crossbeam", feature = "flume"))))]
fn run_jobs(_: Options) -> ExitCode {
    eprintln!(
        "jobs: this build lacks the jobs layer or a backend; enable the `jobs` feature and \
         `crossbeam` or `flume`"
    );
    ExitCode::from(2)
}
