//! The table the `bench` example prints.

use std::fmt;
use std::time::Duration;

/// Whether a row meets its target.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Verdict {
    /// The target is met.
    Met,
    /// The target is missed.
    Missed,
    /// The row has no target of its own.
    Info,
}

impl Verdict {
    /// `Met` if `met`, else `Missed`.
    #[must_use]
    pub fn of(met: bool) -> Self {
        if met { Self::Met } else { Self::Missed }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Met => "met",
            Self::Missed => "MISSED",
            Self::Info => "",
        })
    }
}

/// One line of the table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Row {
    /// The backend measured.
    pub backend: &'static str,
    /// What was measured.
    pub measure: String,
    /// The router's figure.
    pub router: String,
    /// The bare channel's figure, if it has one.
    pub bare: String,
    /// The router against the bare channel, or another derived figure.
    pub ratio: String,
    /// The target, as the issue states it.
    pub target: String,
    /// Whether the target is met.
    pub verdict: Verdict,
}

/// The table: rows under a header, columns aligned.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
}

const HEADER: [&str; 7] = [
    "backend", "measure", "router", "bare", "ratio", "target", "verdict",
];

impl Table {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a row.
    pub fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// The rows so far.
    #[must_use]
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    fn cells(row: &Row) -> [String; 7] {
        [
            row.backend.to_owned(),
            row.measure.clone(),
            row.router.clone(),
            row.bare.clone(),
            row.ratio.clone(),
            row.target.clone(),
            row.verdict.to_string(),
        ]
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<[String; 7]> = std::iter::once(HEADER.map(str::to_owned))
            .chain(self.rows.iter().map(Self::cells))
            .collect();
        let mut widths = [0usize; 7];
        for line in &lines {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for (number, line) in lines.iter().enumerate() {
            write!(f, "|")?;
            for (cell, width) in line.iter().zip(widths) {
                write!(f, " {cell:<width$} |")?;
            }
            writeln!(f)?;
            if number == 0 {
                write!(f, "|")?;
                for width in widths {
                    write!(f, "{}|", "-".repeat(width + 2))?;
                }
                writeln!(f)?;
            }
        }
        Ok(())
    }
}

/// `count` per second over `elapsed`, in millions: "21.4 M/s".
#[must_use]
pub fn rate(count: u64, elapsed: Duration) -> String {
    format!("{:.1} M/s", per_second(count, elapsed) / 1e6)
}

/// `count` per second over `elapsed`.
#[must_use]
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
}

/// A short duration in microseconds: "12.3 µs".
#[must_use]
pub fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}
