//! The foreground side: what the user sees of each job.

use std::cell::Cell;
use std::io::IsTerminal;
use std::ops::Range;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::work::Report;

const BAR_TEMPLATE: &str = "{prefix:>6} [{bar:40.cyan/blue}] {percent:>3}% {msg}";

/// Where the jobs are shown: live bars on a terminal, plain lines elsewhere
/// (a pipe, a file, CI logs).
#[derive(Debug)]
pub(crate) enum Screen {
    Bars(MultiProgress),
    Plain,
}

impl Screen {
    /// Bars if stdout is a terminal and `plain` is off.
    pub(crate) fn new(plain: bool) -> Self {
        if !plain && std::io::stdout().is_terminal() {
            Self::Bars(MultiProgress::with_draw_target(ProgressDrawTarget::stdout()))
        } else {
            Self::Plain
        }
    }

    /// The view of job `number` (from 1), which checks `range`.
    pub(crate) fn job(&self, number: usize, range: Range<u64>) -> JobView {
        let out = match self {
            Self::Bars(bars) => {
                let style = ProgressStyle::with_template(BAR_TEMPLATE)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> ");
                let bar = ProgressBar::new(range.end - range.start)
                    .with_style(style)
                    .with_prefix(format!("job {number}"));
                Out::Bar(bars.add(bar))
            }
            Self::Plain => Out::Lines {
                quarters: Cell::new(0),
            },
        };
        JobView { number, range, out }
    }
}

/// One job on the screen; its pipe's listener feeds it each report.
#[derive(Debug)]
pub(crate) struct JobView {
    number: usize,
    range: Range<u64>,
    out: Out,
}

#[derive(Debug)]
enum Out {
    Bar(ProgressBar),
    /// How many quarters of the range have been printed.
    Lines {
        quarters: Cell<u64>,
    },
}

impl JobView {
    /// Shows `report`. Listeners get `&Report` and no `&mut self`, hence
    /// the `Cell`.
    pub(crate) fn show(&self, report: &Report) {
        let size = (self.range.end - self.range.start).max(1);
        match (&self.out, *report) {
            (Out::Bar(bar), Report::Progress { checked }) => bar.set_position(checked),
            (Out::Bar(bar), Report::Finished { primes, took }) => {
                bar.finish_with_message(format!("{primes} primes in {:.2} s", took.as_secs_f64()));
            }
            (Out::Lines { quarters }, Report::Progress { checked }) => {
                // The last quarter is the line of `Finished`, which has the count.
                let reached = (checked * 4 / size).min(3);
                while quarters.get() < reached {
                    quarters.set(quarters.get() + 1);
                    println!("job {}: {:>3}%", self.number, quarters.get() * 25);
                }
            }
            (Out::Lines { quarters }, Report::Finished { primes, took }) => {
                quarters.set(4);
                println!(
                    "job {}: 100%, {primes} primes in [{}, {}), {:.2} s",
                    self.number,
                    self.range.start,
                    self.range.end,
                    took.as_secs_f64()
                );
            }
        }
    }
}
