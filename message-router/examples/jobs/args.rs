//! The demo's command line.

use std::ffi::OsString;
use std::fmt;

/// What `--help` prints.
pub(crate) const USAGE: &str = "\
Count primes in jobs on a pool of worker threads and watch their progress
and results arrive through a message router on the main thread.

Usage: jobs [--jobs N] [--size N] [--plain]

Options:
  -j, --jobs N   how many jobs run, on a pool of one thread per core (up
                 to N); jobs beyond the pool wait (1 to 64; default 4)
  -s, --size N   how many numbers each job checks: job k counts the primes
                 in [(k-1)*N, k*N) (1 to 1000000000; default 8000000)
      --plain    print plain lines even when stdout is a terminal
  -h, --help     print this help

Progress bars are drawn when stdout is a terminal; otherwise each job prints
a line at every quarter of its range. The backend is the one the Cargo
features of message-router pick:
  cargo run --release --example jobs
  cargo run --release --example jobs --no-default-features --features flume,jobs
";

/// How many jobs at most: each has a bar on the screen.
const MAX_JOBS: u64 = 64;
/// How many numbers one job checks at most: keeps `jobs * size` far from
/// overflow and every run finite.
const MAX_SIZE: u64 = 1_000_000_000;

/// The settings of one run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Options {
    /// How many jobs run.
    pub(crate) jobs: usize,
    /// How many numbers each job checks.
    pub(crate) size: u64,
    /// Plain lines even on a terminal.
    pub(crate) plain: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            jobs: 4,
            size: 8_000_000,
            plain: false,
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Command {
    /// Run the demo.
    Run(Options),
    /// Print the usage and stop.
    Help,
}

/// Why the command line was refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum UsageError {
    /// An argument the demo does not know.
    Unknown(String),
    /// An option that needs a value came last.
    MissingValue(&'static str),
    /// A value that is not a whole number in range.
    OutOfRange {
        option: &'static str,
        value: String,
        max: u64,
    },
    /// An argument that is not valid Unicode.
    NotUnicode(OsString),
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(arg) => write!(f, "unknown argument '{arg}'"),
            Self::MissingValue(option) => write!(f, "{option} needs a value"),
            Self::OutOfRange { option, value, max } => write!(
                f,
                "{option} takes a whole number from 1 to {max}, not '{value}'"
            ),
            Self::NotUnicode(arg) => write!(f, "argument {arg:?} is not valid Unicode"),
        }
    }
}

impl std::error::Error for UsageError {}

/// Reads the arguments that follow the program name.
pub(crate) fn parse<I>(args: I) -> Result<Command, UsageError>
where
    I: IntoIterator<Item = OsString>,
{
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(UsageError::NotUnicode)?;
        // `--jobs=4` and `--jobs 4` both work.
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        match name {
            "-h" | "--help" => return Ok(Command::Help),
            "--plain" if inline.is_none() => options.plain = true,
            "-j" | "--jobs" => {
                let value = value_of("--jobs", inline, &mut args)?;
                let jobs = number("--jobs", &value, MAX_JOBS)?;
                options.jobs =
                    usize::try_from(jobs).map_err(|_| out_of_range("--jobs", value, MAX_JOBS))?;
            }
            "-s" | "--size" => {
                let value = value_of("--size", inline, &mut args)?;
                options.size = number("--size", &value, MAX_SIZE)?;
            }
            _ => return Err(UsageError::Unknown(arg)),
        }
    }
    Ok(Command::Run(options))
}

/// The value of `option`: after its `=`, or the next argument.
fn value_of(
    option: &'static str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = OsString>,
) -> Result<String, UsageError> {
    match inline {
        Some(value) => Ok(value),
        None => rest
            .next()
            .ok_or(UsageError::MissingValue(option))?
            .into_string()
            .map_err(UsageError::NotUnicode),
    }
}

/// `value` as a number from 1 to `max`.
fn number(option: &'static str, value: &str, max: u64) -> Result<u64, UsageError> {
    // Underscores as in Rust literals: `--size 3_000_000`.
    match value.replace('_', "").parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(out_of_range(option, value.to_owned(), max)),
    }
}

fn out_of_range(option: &'static str, value: String, max: u64) -> UsageError {
    UsageError::OutOfRange { option, value, max }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, UsageError> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn no_arguments_run_the_defaults() {
        assert_eq!(parse_strs(&[]), Ok(Command::Run(Options::default())));
    }

    #[test]
    fn jobs_and_size_are_read_in_both_spellings() {
        let expected = Command::Run(Options {
            jobs: 3,
            size: 1_000,
            plain: true,
        });
        assert_eq!(
            parse_strs(&["--jobs", "3", "--size", "1000", "--plain"]),
            Ok(expected)
        );
        assert_eq!(
            parse_strs(&["--jobs=3", "-s", "1_000", "--plain"]),
            Ok(expected)
        );
    }

    #[test]
    fn help_wins_over_everything_else() {
        assert_eq!(parse_strs(&["--jobs", "3", "--help"]), Ok(Command::Help));
        assert_eq!(parse_strs(&["-h"]), Ok(Command::Help));
    }

    #[test]
    fn zero_negative_huge_and_non_numbers_are_refused_with_the_option_named() {
        for bad in ["0", "-1", "65", "four", ""] {
            let error = parse_strs(&["--jobs", bad]);
            assert!(
                matches!(&error, Err(UsageError::OutOfRange { option: "--jobs", value, max: 64 }) if value == bad),
                "--jobs {bad:?} gave {error:?}"
            );
        }
        assert!(matches!(
            parse_strs(&["--size", "1000000001"]),
            Err(UsageError::OutOfRange {
                option: "--size",
                ..
            })
        ));
    }

    #[test]
    fn a_missing_value_and_an_unknown_argument_are_refused() {
        assert_eq!(
            parse_strs(&["--size"]),
            Err(UsageError::MissingValue("--size"))
        );
        assert_eq!(
            parse_strs(&["--jobs", "2", "--fast"]),
            Err(UsageError::Unknown("--fast".to_owned()))
        );
        assert_eq!(
            parse_strs(&["--plain=yes"]),
            Err(UsageError::Unknown("--plain=yes".to_owned()))
        );
    }

    #[test]
    fn errors_read_as_sentences_naming_the_option() {
        let error = parse_strs(&["--jobs", "0"]).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("--jobs takes a whole number from 1 to 64, not '0'")
        );
    }
}
