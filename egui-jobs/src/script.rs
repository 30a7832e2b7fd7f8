//! Scripted mode (`--scripted PATH`), what the Xvfb test runs: it plays
//! the fixed scene of [`plan::scripted`](crate::plan::scripted) (cancels
//! the held jobs it names), and once every state shows, saves a
//! screenshot of the window to PATH and a report of the same frame next
//! to it (PATH with the extension `txt`), then closes the window.
//!
//! The report says, per row, the job's state as its handle gives it and
//! where its bar and button were drawn, and lists every text the frame
//! drew, with its rectangle, read from egui's shapes: the test checks both
//! against the screenshot.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, LayerId, Rect, Shape, ViewportCommand};
use router_jobs::JobState;

use crate::row::Row;
use crate::view::{self, Drawn};

/// The states of the scene, job by job.
pub(crate) const SCENE: [JobState; 6] = [
    JobState::Completed,
    JobState::Failed,
    JobState::Cancelled,
    JobState::Cancelling,
    JobState::Running,
    JobState::Waiting,
];

/// How long the scene may take to set before the app gives up, writes
/// what it saw and closes (its jobs take well under a second).
const DEADLINE: Duration = Duration::from_secs(60);

/// Where scripted mode is.
#[derive(Debug)]
pub(crate) struct Script {
    screenshot: PathBuf,
    started: Instant,
    /// Frames drawn in a row with the whole scene set: the screenshot
    /// waits for the second, so the grid's columns have settled.
    settled: u32,
    requested: bool,
    saved: Arc<AtomicBool>,
}

impl Script {
    /// A script that saves its screenshot to `screenshot` and sets `saved`
    /// once it has.
    pub(crate) fn new(screenshot: PathBuf, saved: Arc<AtomicBool>) -> Self {
        Self {
            screenshot,
            started: Instant::now(),
            settled: 0,
            requested: false,
            saved,
        }
    }

    /// At the start of a frame, after the routing: cancels each job the
    /// scene cancels, once it is held at its gate.
    pub(crate) fn advance(&mut self, rows: &[Row]) {
        for row in rows {
            let held = row
                .plan
                .work
                .hold
                .as_ref()
                .is_some_and(|hold| row.progress.get() >= f32::from(hold.at) / 100.0);
            if row.plan.cancel_when_held && held && row.state() == JobState::Running {
                row.job.cancel();
            }
        }
        let set = rows.iter().map(Row::state).eq(SCENE)
            && rows
                .iter()
                .all(|row| row.state().is_done() == row.ended.is_some())
            && rows.get(4).is_some_and(|row| row.progress.get() >= 0.45);
        self.settled = if set { self.settled + 1 } else { 0 };
    }

    /// After the frame is drawn: once the scene has held for two frames,
    /// writes the report and asks for a screenshot of this frame, which
    /// closes the window once saved; past the deadline, writes what it
    /// saw and closes.
    pub(crate) fn after_draw(&mut self, ui: &egui::Ui, rows: &[Row], drawn: &[Drawn]) {
        if self.requested {
            return;
        }
        let context = ui.ctx().clone();
        let timed_out = self.started.elapsed() > DEADLINE;
        if self.settled < 2 && !timed_out {
            if self.settled == 1 {
                context.request_repaint();
            }
            return;
        }
        self.requested = true;
        let outcome = if timed_out { "timed-out" } else { "set" };
        let report = report(ui, outcome, rows, drawn);
        let report_path = self.screenshot.with_extension("txt");
        if let Err(error) = std::fs::write(&report_path, report) {
            eprintln!(
                "egui-jobs: could not write {}: {error}",
                report_path.display()
            );
        }
        if timed_out {
            let states: Vec<_> = rows.iter().map(|row| row.state().to_string()).collect();
            eprintln!(
                "egui-jobs: the scene did not set within {DEADLINE:?}; the jobs are {states:?}"
            );
            context.send_viewport_cmd(ViewportCommand::Close);
            return;
        }
        let (path, saved, closer) = (
            self.screenshot.clone(),
            Arc::clone(&self.saved),
            context.clone(),
        );
        context.request_screenshot(move |image| {
            let [width, height] = image.size;
            let bytes: Vec<u8> = image
                .pixels
                .iter()
                .flat_map(|pixel| pixel.to_array())
                .collect();
            let saved_ok = u32::try_from(width)
                .ok()
                .zip(u32::try_from(height).ok())
                .and_then(|(width, height)| image::RgbaImage::from_raw(width, height, bytes))
                .map(|png| png.save(&path));
            match saved_ok {
                Some(Ok(())) => saved.store(true, Ordering::Release),
                Some(Err(error)) => {
                    eprintln!("egui-jobs: could not save {}: {error}", path.display());
                }
                None => eprintln!("egui-jobs: the screenshot had no pixels"),
            }
            closer.send_viewport_cmd(ViewportCommand::Close);
        });
    }
}

/// The report of the frame just drawn: one tab-separated record a line,
/// fields as `key=value`, rectangles in points as `x0,y0,x1,y1`.
fn report(ui: &egui::Ui, outcome: &str, rows: &[Row], drawn: &[Drawn]) -> String {
    let context = ui.ctx();
    let mut out = String::new();
    let _ = writeln!(out, "scene\toutcome={outcome}");
    let _ = writeln!(
        out,
        "frame\tpixels_per_point={}\tpanel={}",
        context.pixels_per_point(),
        hex(ui.visuals().panel_fill),
    );
    for (index, (row, drawn)) in rows.iter().zip(drawn).enumerate() {
        let state = row.state();
        let _ = writeln!(
            out,
            "row\tnumber={}\tlabel={}\tstate={state}\tfraction={:.3}\tcancel={}\tfill={}\tbar={}\tbutton={}\trow={}\ttext={}",
            index + 1,
            row.plan.label,
            row.fraction(),
            if state.can_cancel() {
                "enabled"
            } else {
                "disabled"
            },
            view::fill(state).map_or_else(|| "none".to_owned(), hex),
            rect(drawn.bar),
            rect(drawn.button),
            rect(drawn.row),
            row.bar_text(),
        );
    }
    let mut layers: Vec<LayerId> = context.memory(|memory| memory.layer_ids().collect());
    if !layers.contains(&ui.layer_id()) {
        layers.push(ui.layer_id());
    }
    let mut texts = Vec::new();
    context.graphics(|graphics| {
        for layer in &layers {
            if let Some(list) = graphics.get(*layer) {
                for clipped in list.all_entries() {
                    collect_texts(&clipped.shape, &mut texts);
                }
            }
        }
    });
    for (bounds, text) in texts {
        let _ = writeln!(out, "text\trect={}\ttext={text}", rect(bounds));
    }
    out
}

/// The texts `shape` draws, with their rectangles.
fn collect_texts(shape: &Shape, texts: &mut Vec<(Rect, String)>) {
    match shape {
        Shape::Text(text) => {
            texts.push((text.visual_bounding_rect(), text.galley.text().to_owned()))
        }
        Shape::Vec(shapes) => {
            for shape in shapes {
                collect_texts(shape, texts);
            }
        }
        _ => {}
    }
}

fn rect(rect: Rect) -> String {
    format!(
        "{},{},{},{}",
        rect.min.x, rect.min.y, rect.max.x, rect.max.y
    )
}

fn hex(colour: Color32) -> String {
    let [r, g, b, _] = colour.to_array();
    format!("{r:02x}{g:02x}{b:02x}")
}
