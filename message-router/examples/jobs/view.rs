//! The foreground side: what the user sees of each job.

use std::cell::Cell;
use std::io::IsTerminal;
use std::ops::Range;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use message_router::jobs::{Cancelled, JobError, JobState};

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
                    .with_prefix(format!("job {number}"))
                    .with_message("waiting");
                Out::Bar(bars.add(bar))
            }
            Self::Plain => Out::Lines {
                quarters: Cell::new(0),
            },
        };
        JobView {
            number,
            range,
            out,
            started: Cell::new(None),
        }
    }
}

/// One job on the screen; its handle's callbacks feed it.
#[derive(Debug)]
pub(crate) struct JobView {
    number: usize,
    range: Range<u64>,
    out: Out,
    /// When a worker took the job.
    started: Cell<Option<Instant>>,
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
    /// Shows the state the job entered. Callbacks get no `&mut self`,
    /// hence the `Cell`s.
    pub(crate) fn enter(&self, state: JobState) {
        if state == JobState::Running {
            self.started.set(Some(Instant::now()));
        }
        if let Out::Bar(bar) = &self.out {
            match state {
                JobState::Running => bar.set_message(""),
                JobState::Cancelling => bar.set_message("cancelling"),
                _ => {}
            }
        }
    }

    /// Shows that `checked` numbers of the range are checked.
    pub(crate) fn progress(&self, checked: u64) {
        let size = (self.range.end - self.range.start).max(1);
        match &self.out {
            Out::Bar(bar) => bar.set_position(checked),
            Out::Lines { quarters } => {
                // The last quarter is the line of `done`, which has the count.
                let reached = (checked * 4 / size).min(3);
                while quarters.get() < reached {
                    quarters.set(quarters.get() + 1);
                    println!("job {}: {:>3}%", self.number, quarters.get() * 25);
                }
            }
        }
    }

    /// Shows how the job ended: its count, or why it has none.
    pub(crate) fn done(&self, result: &Result<u64, JobError<Cancelled>>) {
        let took = self.started.get().map_or(Duration::ZERO, |t| t.elapsed());
        match (&self.out, result) {
            (Out::Bar(bar), Ok(primes)) => {
                bar.finish_with_message(format!("{primes} primes in {:.2} s", took.as_secs_f64()));
            }
            (Out::Bar(bar), Err(error)) => bar.abandon_with_message(error.to_string()),
            (Out::Lines { quarters }, Ok(primes)) => {
                quarters.set(4);
                println!(
                    "job {}: 100%, {primes} primes in [{}, {}), {:.2} s",
                    self.number,
                    self.range.start,
                    self.range.end,
                    took.as_secs_f64()
                );
            }
            (Out::Lines { .. }, Err(error)) => println!("job {}: {error}", self.number),
        }
    }
}
