//! Runs the demo in scripted mode under a display (Xvfb in CI: `xvfb-run
//! -a cargo test ...`), keeps its screenshot under `target/`, and fails if
//! the window shows no finished bar.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The fill of a finished bar (`app::FINISHED`).
const FINISHED: [u8; 3] = [0x2e, 0xa0, 0x43];

/// Generous: the demo's jobs take well under a second.
const PATIENCE: Duration = Duration::from_secs(120);

#[test]
fn the_scripted_demo_shows_every_bar_finished_in_its_screenshot() {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "this test opens a window: run it under a display, e.g. `xvfb-run -a cargo test`"
    );
    let screenshot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("egui-jobs.png");
    let _ = std::fs::remove_file(&screenshot);
    let jobs = 3;
    let mut demo = Command::new(env!("CARGO_BIN_EXE_egui-jobs"))
        .args([
            "--jobs",
            &jobs.to_string(),
            "--size",
            "200000",
            "--scripted",
        ])
        .arg(&screenshot)
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
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the demo failed: {status}");
    let image = image::open(&screenshot)
        .unwrap_or_else(|error| panic!("no screenshot at {}: {error}", screenshot.display()))
        .to_rgb8();
    let finished = image
        .pixels()
        .filter(|pixel| {
            pixel
                .0
                .iter()
                .zip(FINISHED)
                .all(|(&have, want)| have.abs_diff(want) <= 8)
        })
        .count();
    // A bar is 360 x 18 logical pixels; its text covers some of its fill.
    assert!(
        finished >= jobs * 2_000,
        "the screenshot ({}) shows {finished} pixels of finished bars, too few for {jobs} bars",
        screenshot.display()
    );
    println!("screenshot: {}", screenshot.display());
}
