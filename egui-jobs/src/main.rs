//! egui-jobs: jobs of router-jobs in an eframe window. An executor runs
//! progress jobs on a pool of fewer threads than jobs, over a router the
//! frame pumps (`router-egui`); each job's row shows its state, a bar
//! with its progress, result or failure, and a cancel button that is live
//! while a cancel would take effect. The second job panics on purpose.
//!
//! ```sh
//! cargo run --release --manifest-path desktop/Cargo.toml -p egui-jobs
//! cargo run --release --manifest-path desktop/Cargo.toml -p egui-jobs -- --jobs 8 --threads 3 --size 3000000
//! ```
//!
//! `--scripted PATH` plays a fixed scene in which every state shows at
//! once, saves a screenshot of the window to PATH (PNG) and a report of
//! the frame next to it, and exits: what the Xvfb test runs.

mod app;
mod plan;
mod row;
mod script;
mod view;
mod work;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use eframe::egui;

/// The command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) jobs: usize,
    pub(crate) threads: usize,
    pub(crate) size: u64,
    pub(crate) scripted: Option<PathBuf>,
}

const USAGE: &str = "\
usage: egui-jobs [--jobs N] [--threads N] [--size N] [--scripted PATH]

  --jobs N         jobs, each with its row (default 6, 1 to 64); the second panics
  --threads N      worker threads of the pool (default 2, 1 to 64)
  --size N         numbers per job whose Collatz chains it walks (default 2000000)
  --scripted PATH  play the fixed scene of 6 jobs on 2 threads, save a PNG
                   screenshot to PATH and a report to PATH with extension txt, exit";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        jobs: 6,
        threads: 2,
        size: 2_000_000,
        scripted: None,
    };
    let mut sized_by_hand = false;
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        let mut count = |what: &str| {
            value()?
                .parse()
                .ok()
                .filter(|count| (1..=64).contains(count))
                .ok_or(format!("{what} takes a number from 1 to 64"))
        };
        match arg.as_str() {
            "--jobs" => {
                options.jobs = count("--jobs")?;
                sized_by_hand = true;
            }
            "--threads" => {
                options.threads = count("--threads")?;
                sized_by_hand = true;
            }
            "--size" => {
                options.size = value()?
                    .parse()
                    .ok()
                    .filter(|&size| size > 0)
                    .ok_or("--size takes a positive number")?;
            }
            "--scripted" => options.scripted = Some(PathBuf::from(value()?)),
            "--help" | "-h" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n\n{USAGE}")),
        }
    }
    if options.scripted.is_some() {
        if sized_by_hand {
            return Err(format!(
                "--scripted plays its scene of {} jobs on {} threads: leave out --jobs and --threads",
                plan::SCRIPTED_JOBS,
                plan::SCRIPTED_THREADS
            ));
        }
        options.jobs = plan::SCRIPTED_JOBS;
        options.threads = plan::SCRIPTED_THREADS;
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let saved = Arc::new(AtomicBool::new(false));
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("egui-jobs: router-jobs")
            .with_inner_size([820.0, 100.0 + 28.0 * options.jobs as f32]),
        ..eframe::NativeOptions::default()
    };
    let result = eframe::run_native(
        "egui-jobs",
        native,
        Box::new({
            let (options, saved) = (options.clone(), Arc::clone(&saved));
            move |creation| {
                Ok(Box::new(app::JobsApp::new(
                    &creation.egui_ctx,
                    &options,
                    saved,
                )?))
            }
        }),
    );
    if let Err(error) = result {
        eprintln!("egui-jobs: {error}");
        return ExitCode::FAILURE;
    }
    if options.scripted.is_some() && !saved.load(Ordering::Acquire) {
        eprintln!("egui-jobs: the window closed before its screenshot was saved");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::{Options, parse};

    fn args(line: &str) -> impl Iterator<Item = String> {
        line.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn options_parse_and_refuse_bad_values() {
        assert_eq!(
            parse(args("--jobs 3 --threads 1 --size 10")),
            Ok(Options {
                jobs: 3,
                threads: 1,
                size: 10,
                scripted: None,
            })
        );
        assert!(parse(args("--jobs 0")).is_err());
        assert!(parse(args("--threads 65")).is_err());
        assert!(parse(args("--jobs")).is_err());
        assert!(parse(args("--size -1")).is_err());
        assert!(parse(args("--colour red")).is_err());
    }

    #[test]
    fn scripted_mode_plays_its_own_scene() {
        assert_eq!(
            parse(args("--size 10 --scripted out.png")),
            Ok(Options {
                jobs: 6,
                threads: 2,
                size: 10,
                scripted: Some("out.png".into()),
            })
        );
        assert!(parse(args("--jobs 3 --scripted out.png")).is_err());
    }
}
