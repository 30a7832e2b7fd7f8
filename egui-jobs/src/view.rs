//! How a job's row is drawn: its label, its state, a bar in the state's
//! colour with the job's progress, result or failure on it, and a cancel
//! button that is live only while a cancel would take effect.

use eframe::egui::{self, Color32, ProgressBar, Rect, RichText};
use router_jobs::JobState;

use crate::row::Row;

/// The width of a bar, in points.
const BAR_WIDTH: f32 = 380.0;

/// The fill of a bar, per state; `None` for a waiting job's empty bar.
/// The scripted mode's report gives them to the Xvfb test.
pub(crate) fn fill(state: JobState) -> Option<Color32> {
    match state {
        JobState::Waiting => None,
        JobState::Running => Some(Color32::from_rgb(0x38, 0x7d, 0xd9)),
        JobState::Cancelling => Some(Color32::from_rgb(0xd9, 0x8e, 0x04)),
        JobState::Completed => Some(Color32::from_rgb(0x2e, 0xa0, 0x43)),
        JobState::Failed => Some(Color32::from_rgb(0xcf, 0x22, 0x2e)),
        // Cancelled, and any state a later router-jobs adds.
        _ => Some(Color32::from_rgb(0x8c, 0x8c, 0x8c)),
    }
}

/// Where a row was drawn, in points.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drawn {
    /// The progress bar.
    pub(crate) bar: Rect,
    /// The cancel button.
    pub(crate) button: Rect,
    /// The whole row, from its label to its button.
    pub(crate) row: Rect,
}

/// Draws the rows in a grid; returns where each was drawn, and the rows
/// whose cancel button was clicked.
pub(crate) fn rows(ui: &mut egui::Ui, rows: &[Row]) -> (Vec<Drawn>, Vec<usize>) {
    let mut drawn = Vec::with_capacity(rows.len());
    let mut clicked = Vec::new();
    egui::Grid::new("jobs")
        .num_columns(4)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for (index, row) in rows.iter().enumerate() {
                let state = row.state();
                let label = ui.label(&row.plan.label);
                let word = RichText::new(state.to_string());
                let word = match fill(state) {
                    Some(colour) => word.color(colour),
                    None => word.weak(),
                };
                let word = ui.label(word);
                let bar = ProgressBar::new(row.fraction())
                    .desired_width(BAR_WIDTH)
                    .fill(fill(state).unwrap_or(ui.visuals().extreme_bg_color))
                    .text(row.bar_text());
                let bar = ui.add(bar);
                let button = ui.add_enabled(state.can_cancel(), egui::Button::new("Cancel"));
                if button.clicked() {
                    clicked.push(index);
                }
                ui.end_row();
                drawn.push(Drawn {
                    bar: bar.rect,
                    button: button.rect,
                    row: label
                        .rect
                        .union(word.rect)
                        .union(bar.rect)
                        .union(button.rect),
                });
            }
        });
    (drawn, clicked)
}
