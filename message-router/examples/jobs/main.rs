//! The main demo: worker threads count primes and report their progress
//! and results through their pipes; the main thread shows each job as the
//! router delivers its reports.
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
#[cfg(any(feature = "crossbeam", feature = "flume"))]
mod run;
#[cfg(any(feature = "crossbeam", feature = "flume"))]
mod view;
#[cfg(any(feature = "crossbeam", feature = "flume"))]
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

#[cfg(any(feature = "crossbeam", feature = "flume"))]
fn run_jobs(options: Options) -> ExitCode {
    match run::run(options) {
        Ok(summary) => {
            summary.print();
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("jobs: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(not(any(feature = "crossbeam", feature = "flume")))]
fn run_jobs(_: Options) -> ExitCode {
    eprintln!("jobs: this build has no backend; enable the `crossbeam` or `flume` feature");
    ExitCode::from(2)
}
