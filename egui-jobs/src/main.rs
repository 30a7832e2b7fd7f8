//! egui-jobs: background jobs report their progress to an eframe window
//! through message-router (`router-egui`); each job has a progress bar and
//! a cancel button, and a summary follows when all have ended.
//!
//! ```sh
//! cargo run --release --manifest-path desktop/Cargo.toml -p egui-jobs
//! cargo run --release --manifest-path desktop/Cargo.toml -p egui-jobs -- --jobs 8 --size 3000000
//! ```
//!
//! `--scripted PATH` starts the jobs, waits until all have ended, saves a
//! screenshot of the window to PATH (PNG) and exits: what the Xvfb test
//! runs.

mod app;
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
    pub(crate) size: u64,
    pub(crate) scripted: Option<PathBuf>,
}

const USAGE: &str = "\
usage: egui-jobs [--jobs N] [--size N] [--scripted PATH]

  --jobs N         background jobs, each with its bar (default 4, 1 to 64)
  --size N         numbers per job whose Collatz chains it walks (default 2000000)
  --scripted PATH  run the jobs to the end, save a PNG screenshot to PATH, exit";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options {
        jobs: 4,
        size: 2_000_000,
        scripted: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--jobs" => {
                options.jobs = value()?
                    .parse()
                    .ok()
                    .filter(|jobs| (1..=64).contains(jobs))
                    .ok_or("--jobs takes a number from 1 to 64")?;
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
            .with_title("egui-jobs: message-router")
            .with_inner_size([560.0, 96.0 + 24.0 * options.jobs as f32]),
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
            parse(args("--jobs 3 --size 10 --scripted out.png")),
            Ok(Options {
                jobs: 3,
                size: 10,
                scripted: Some("out.png".into()),
            })
        );
        assert!(parse(args("--jobs 0")).is_err());
        assert!(parse(args("--jobs")).is_err());
        assert!(parse(args("--size -1")).is_err());
        assert!(parse(args("--colour red")).is_err());
    }
}
