//! Runs the demo's scripted scene under a display (Xvfb in CI: `xvfb-run
//! -a cargo test ...`), keeps its screenshot under `target/`, and checks
//! that the window shows each state of a job, three ways:
//!
//! - the app's own state: the report the demo writes of the frame it
//!   screenshots says, from the jobs' handles, that job 1 completed, job 2
//!   (which panics) failed, job 3 was cancelled, job 4 is cancelling, job 5
//!   running and job 6 waiting, how far each got, and that only the last
//!   two have a live cancel button;
//! - egui's output: the same report lists every text the frame drew, from
//!   its shapes; each row's label, state, bar text (its result, the
//!   panic's message) and button must be among the texts drawn in that
//!   row;
//! - the screenshot's pixels: each bar is filled with its state's colour
//!   over the fraction reported (a waiting job's bar with no fill at all),
//!   and the disabled cancel buttons stand out less from the panel than
//!   the live ones.
//!
//! The scene does not depend on timing: gates hold jobs where the script
//! wants them (see the demo's `plan::scripted`), and the demo saves the
//! screenshot and exits as soon as every state shows.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use image::RgbImage;

/// Generous: the scene sets well within a second, on a loaded machine in
/// a few; the demo itself gives up after a minute.
const PATIENCE: Duration = Duration::from_secs(120);

/// The scene, job by job: state, fraction, bar text (a prefix for the
/// completed one, whose numbers depend on `--size`), live cancel button.
const SCENE: [(&str, f32, &str, bool); 6] = [
    ("completed", 1.0, "done: ", false),
    (
        "failed",
        0.5,
        "panicked: job 2 panics on purpose at 50%",
        false,
    ),
    ("cancelled", 0.3, "cancelled at 30%", false),
    ("cancelling", 0.6, "stopping at 60%", false),
    ("running", 0.45, "45%", true),
    ("waiting", 0.0, "waiting for a worker thread", true),
];

/// How far a pixel's channels may stray from a bar's fill and still count
/// as it.
const TOLERANCE: u8 = 6;

#[test]
fn the_scripted_scene_shows_every_state_of_a_job() {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "this test opens a window: run it under a display, e.g. `xvfb-run -a cargo test`"
    );
    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("egui-jobs.png");
    let report_path = screenshot.with_extension("txt");
    let _ = std::fs::remove_file(&screenshot);
    let _ = std::fs::remove_file(&report_path);
    run_demo(&screenshot);
    let report = Report::read(&report_path);
    let image = image::open(&screenshot)
        .unwrap_or_else(|error| panic!("no screenshot at {}: {error}", screenshot.display()))
        .to_rgb8();
    println!("screenshot: {}", screenshot.display());
    println!("report: {}", report_path.display());

    the_app_says_each_job_is_where_the_scene_put_it(&report);
    each_row_draws_its_label_state_text_and_button(&report);
    the_screenshot_is_not_blank(&image);
    each_bar_shows_its_state_colour_over_its_fraction(&report, &image);
    the_live_cancel_buttons_stand_out_from_the_disabled_ones(&report, &image);
}

/// Runs the demo in scripted mode until it exits, at most [`PATIENCE`].
fn run_demo(screenshot: &Path) {
    let mut demo = Command::new(env!("CARGO_BIN_EXE_egui-jobs"))
        .args(["--size", "200000", "--scripted"])
        .arg(screenshot)
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = demo.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > PATIENCE {
            demo.kill().unwrap();
            panic!("the demo did not exit within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "the demo failed: {status}");
}

fn the_app_says_each_job_is_where_the_scene_put_it(report: &Report) {
    assert_eq!(report.outcome, "set");
    assert_eq!(report.rows.len(), SCENE.len(), "one row per job");
    for (row, (state, fraction, text, live)) in report.rows.iter().zip(SCENE) {
        assert_eq!(row.state, state, "{row:?}");
        assert!((row.fraction - fraction).abs() < 1e-3, "{row:?}");
        assert!(row.text.starts_with(text), "{row:?}");
        assert_eq!(row.cancel_live, live, "{row:?}");
    }
    assert!(
        report.rows[1].label.contains("panics"),
        "the panicking job says so"
    );
}

fn each_row_draws_its_label_state_text_and_button(report: &Report) {
    for row in &report.rows {
        let drawn: Vec<&str> = report
            .texts
            .iter()
            .filter(|(rect, _)| {
                let middle = (rect[1] + rect[3]) / 2.0;
                row.row[1] <= middle && middle <= row.row[3]
            })
            .map(|(_, text)| text.as_str())
            .collect();
        for wanted in [&*row.label, &*row.state, &*row.text, "Cancel"] {
            assert!(
                drawn.contains(&wanted),
                "row {} draws no {wanted:?}; it draws {drawn:?}",
                row.number
            );
        }
    }
}

fn the_screenshot_is_not_blank(image: &RgbImage) {
    let mut colours: Vec<[u8; 3]> = image.pixels().map(|pixel| pixel.0).collect();
    colours.sort_unstable();
    colours.dedup();
    assert!(
        colours.len() > 100,
        "the screenshot has {} colours: blank?",
        colours.len()
    );
}

fn each_bar_shows_its_state_colour_over_its_fraction(report: &Report, image: &RgbImage) {
    let fills: Vec<[u8; 3]> = report.rows.iter().filter_map(|row| row.fill).collect();
    for (index, fill) in fills.iter().enumerate() {
        assert!(
            !fills[index + 1..].contains(fill),
            "two states share the fill {fill:?}"
        );
    }
    for row in &report.rows {
        let bar = report.physical(row.bar);
        let (width, height) = (bar[2] - bar[0], bar[3] - bar[1]);
        let count = |fill: [u8; 3]| count_pixels(image, bar, fill);
        if let Some(fill) = row.fill {
            // The fill covers the fraction, less the text over it, and at
            // least a height's width (its rounded ends).
            let expected = width * height * row.fraction;
            let seen = count(fill) as f32;
            assert!(
                seen >= 0.5 * expected && seen <= expected.max(height * height) + 2.0 * height,
                "row {} ({}): {seen} pixels of its fill, for {expected} expected",
                row.number,
                row.state
            );
        }
        // No other state's colour: a waiting bar shows none at all.
        for fill in fills.iter().filter(|&&fill| Some(fill) != row.fill) {
            let seen = count(*fill);
            assert!(
                seen < 20,
                "row {} ({}) has {seen} pixels of another state's fill {fill:?}",
                row.number,
                row.state
            );
        }
    }
}

fn the_live_cancel_buttons_stand_out_from_the_disabled_ones(report: &Report, image: &RgbImage) {
    let contrast = |row: &ReportRow| {
        let [x0, y0, x1, y1] = report.physical(row.button).map(|edge| edge as u32);
        let (mut sum, mut count) = (0u64, 0u64);
        for y in y0..y1.min(image.height()) {
            for x in x0..x1.min(image.width()) {
                let pixel = image.get_pixel(x, y).0;
                sum += pixel
                    .iter()
                    .zip(report.panel)
                    .map(|(&have, panel)| u64::from(have.abs_diff(panel)))
                    .sum::<u64>();
                count += 1;
            }
        }
        sum as f64 / count.max(1) as f64
    };
    let (live, disabled): (Vec<_>, Vec<_>) = report.rows.iter().partition(|row| row.cancel_live);
    let faintest_live = live
        .iter()
        .map(|row| contrast(row))
        .fold(f64::MAX, f64::min);
    let boldest_disabled = disabled.iter().map(|row| contrast(row)).fold(0.0, f64::max);
    assert!(
        faintest_live > boldest_disabled,
        "a disabled button ({boldest_disabled:.1}) stands out as much as a live one ({faintest_live:.1})"
    );
}

/// The pixels of `bar` (physical pixels, `[x0, y0, x1, y1]`) within
/// [`TOLERANCE`] of `fill`.
fn count_pixels(image: &RgbImage, bar: [f32; 4], fill: [u8; 3]) -> usize {
    let [x0, y0, x1, y1] = bar.map(|edge| edge.round().max(0.0) as u32);
    (y0..y1.min(image.height()))
        .flat_map(|y| (x0..x1.min(image.width())).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            image
                .get_pixel(x, y)
                .0
                .iter()
                .zip(fill)
                .all(|(&have, want)| have.abs_diff(want) <= TOLERANCE)
        })
        .count()
}

/// What the demo wrote of the frame it screenshot (see its `script.rs`).
#[derive(Debug)]
struct Report {
    outcome: String,
    pixels_per_point: f32,
    panel: [u8; 3],
    rows: Vec<ReportRow>,
    texts: Vec<([f32; 4], String)>,
}

/// One job's row, as the demo saw it.
#[derive(Debug)]
struct ReportRow {
    number: usize,
    label: String,
    state: String,
    fraction: f32,
    cancel_live: bool,
    fill: Option<[u8; 3]>,
    bar: [f32; 4],
    button: [f32; 4],
    row: [f32; 4],
    text: String,
}

impl Report {
    fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("no report at {}: {error}", path.display()));
        let mut report = Self {
            outcome: String::new(),
            pixels_per_point: 1.0,
            panel: [0; 3],
            rows: Vec::new(),
            texts: Vec::new(),
        };
        for line in text.lines() {
            let mut fields = line.split('\t');
            let kind = fields.next().unwrap_or_default();
            let fields: HashMap<&str, &str> = fields
                .map(|field| field.split_once('=').expect("key=value"))
                .collect();
            match kind {
                "scene" => report.outcome = fields["outcome"].to_owned(),
                "frame" => {
                    report.pixels_per_point = fields["pixels_per_point"].parse().unwrap();
                    report.panel = colour(fields["panel"]).unwrap();
                }
                "row" => report.rows.push(ReportRow {
                    number: fields["number"].parse().unwrap(),
                    label: fields["label"].to_owned(),
                    state: fields["state"].to_owned(),
                    fraction: fields["fraction"].parse().unwrap(),
                    cancel_live: fields["cancel"] == "enabled",
                    fill: colour(fields["fill"]),
                    bar: rect(fields["bar"]),
                    button: rect(fields["button"]),
                    row: rect(fields["row"]),
                    text: fields["text"].to_owned(),
                }),
                "text" => report
                    .texts
                    .push((rect(fields["rect"]), fields["text"].to_owned())),
                other => panic!("a report line of an unknown kind {other:?}"),
            }
        }
        report
    }

    /// `rect` in points, in the screenshot's pixels.
    fn physical(&self, rect: [f32; 4]) -> [f32; 4] {
        rect.map(|edge| edge * self.pixels_per_point)
    }
}

fn rect(text: &str) -> [f32; 4] {
    let edges: Vec<f32> = text.split(',').map(|edge| edge.parse().unwrap()).collect();
    edges.try_into().expect("four edges")
}

fn colour(hex: &str) -> Option<[u8; 3]> {
    let value = u32::from_str_radix(hex, 16).ok()?;
    let [_, r, g, b] = value.to_be_bytes();
    Some([r, g, b])
}
