//! The window: a progress bar and a cancel button per job, a summary at
//! the end, and in scripted mode a screenshot once every job has ended.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use eframe::egui::{self, Color32, ProgressBar, RichText, ViewportCommand};
use router_api::{MessageReceiver, MessageRouter, Pump};
use router_crossbeam::{CrossbeamRouter, CrossbeamSender};
use router_egui::EguiLoop;

use crate::Options;
use crate::work::{self, JobEvent, WorkError};

/// The fill of a finished job's bar; the Xvfb test looks for it.
pub(crate) const FINISHED: Color32 = Color32::from_rgb(0x2e, 0xa0, 0x43);
/// The fill of a cancelled job's bar.
const CANCELLED: Color32 = Color32::from_rgb(0x9a, 0x9a, 0x9a);

/// What the window shows of one job.
#[derive(Clone, Copy, Debug)]
enum Shown {
    Running(f32),
    Finished { start: u64, steps: u32 },
    Cancelled(f32),
}

/// One job: its view (shared with its listener), its cancel flag, its
/// worker.
struct Job {
    shown: Rc<RefCell<Shown>>,
    cancel: Arc<AtomicBool>,
    worker: Option<JoinHandle<Result<(), WorkError>>>,
    receiver: router_channel_receiver::Receiver,
}

/// The receiver type of the demo's router, named once.
mod router_channel_receiver {
    use router_api::MessageRouter;

    use crate::work::JobEvent;

    pub(crate) type Receiver =
        <router_crossbeam::CrossbeamRouter<JobEvent> as MessageRouter<JobEvent>>::Receiver;
}

/// The app.
pub(crate) struct JobsApp {
    pump: Pump,
    router: CrossbeamRouter<JobEvent>,
    jobs: Vec<Job>,
    started: Instant,
    summary: Option<String>,
    scripted: Option<Scripted>,
}

/// Scripted mode: where the screenshot goes, and whether it was asked for.
struct Scripted {
    screenshot: PathBuf,
    requested: bool,
    saved: Arc<AtomicBool>,
}

impl JobsApp {
    /// Starts the router and one worker per job.
    pub(crate) fn new(
        context: &egui::Context,
        options: &Options,
        saved: Arc<AtomicBool>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let (event_loop, pump) = EguiLoop::new(context);
        let router = CrossbeamRouter::<JobEvent>::new(&event_loop);
        router.start()?;
        let mut jobs = Vec::with_capacity(options.jobs);
        for index in 0..options.jobs as u64 {
            let (sender, receiver) = router.pipe()?;
            let shown = Rc::new(RefCell::new(Shown::Running(0.0)));
            receiver.connect({
                let shown = Rc::clone(&shown);
                move |event: &JobEvent| {
                    let mut shown = shown.borrow_mut();
                    *shown = match (*event, *shown) {
                        (JobEvent::Progress(done), _) => Shown::Running(done),
                        (JobEvent::Finished { start, steps }, _) => {
                            Shown::Finished { start, steps }
                        }
                        (JobEvent::Cancelled, Shown::Running(done)) => Shown::Cancelled(done),
                        (JobEvent::Cancelled, other) => other,
                    };
                }
            });
            let cancel = Arc::new(AtomicBool::new(false));
            let range = 1 + index * options.size..1 + (index + 1) * options.size;
            let worker = spawn_worker(index, sender, range, Arc::clone(&cancel))?;
            jobs.push(Job {
                shown,
                cancel,
                worker: Some(worker),
                receiver,
            });
        }
        Ok(Self {
            pump,
            router,
            jobs,
            started: Instant::now(),
            summary: None,
            scripted: options.scripted.clone().map(|screenshot| Scripted {
                screenshot,
                requested: false,
                saved,
            }),
        })
    }

    /// Once every job has ended: joins the workers, closes the pipes,
    /// stops the router and writes the summary.
    fn finish(&mut self) {
        let (mut finished, mut cancelled, mut longest) = (0, 0, (0, 0));
        for job in &mut self.jobs {
            if let Some(worker) = job.worker.take()
                && !matches!(worker.join(), Ok(Ok(())))
            {
                eprintln!("egui-jobs: a job ended with an error");
            }
            match *job.shown.borrow() {
                Shown::Finished { start, steps } => {
                    finished += 1;
                    if steps > longest.1 {
                        longest = (start, steps);
                    }
                }
                Shown::Cancelled(_) => cancelled += 1,
                Shown::Running(_) => {}
            }
            if let Err(error) = self.router.close_pipe(&job.receiver) {
                eprintln!("egui-jobs: {error}");
            }
        }
        let stats = self.router.stats();
        if let Err(error) = self.router.stop() {
            eprintln!("egui-jobs: {error}");
        }
        self.summary = Some(format!(
            "{finished} finished, {cancelled} cancelled in {:.2} s; longest chain from {} ({} steps); \
             {} messages routed in {} pings",
            self.started.elapsed().as_secs_f64(),
            longest.0,
            longest.1,
            stats.routed,
            stats.pings,
        ));
    }

    fn all_ended(&self) -> bool {
        self.jobs
            .iter()
            .all(|job| !matches!(*job.shown.borrow(), Shown::Running(_)))
    }

    /// Scripted mode: once the summary is drawn, a screenshot of the next
    /// frame, saved as PNG, then the window closes.
    fn take_screenshot(&mut self, context: &egui::Context) {
        let Some(scripted) = &mut self.scripted else {
            return;
        };
        if self.summary.is_none() || scripted.requested {
            return;
        }
        scripted.requested = true;
        let (path, saved, closer) = (
            scripted.screenshot.clone(),
            Arc::clone(&scripted.saved),
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
                    eprintln!("egui-jobs: could not save {}: {error}", path.display())
                }
                None => eprintln!("egui-jobs: the screenshot had no pixels"),
            }
            closer.send_viewport_cmd(ViewportCommand::Close);
        });
    }
}

fn spawn_worker(
    index: u64,
    sender: CrossbeamSender<JobEvent>,
    range: std::ops::Range<u64>,
    cancel: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<Result<(), WorkError>>> {
    thread::Builder::new()
        .name(format!("job {}", index + 1))
        .spawn(move || work::longest_chain(sender, range, cancel))
}

impl eframe::App for JobsApp {
    fn logic(&mut self, _: &egui::Context, _: &mut eframe::Frame) {
        // The start of the frame: route what the jobs sent since the last.
        self.pump.run_pending();
        if self.summary.is_none() && self.all_ended() {
            self.finish();
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _: &mut eframe::Frame) {
        let context = ui.ctx().clone();
        egui::Frame::central_panel(ui.style()).show(ui, |ui| {
            ui.heading(format!("{} background jobs", self.jobs.len()));
            ui.add_space(8.0);
            for (index, job) in self.jobs.iter().enumerate() {
                let shown = *job.shown.borrow();
                ui.horizontal(|ui| {
                    ui.label(format!("job {}", index + 1));
                    let bar = match shown {
                        Shown::Running(done) => ProgressBar::new(done).show_percentage(),
                        Shown::Finished { start, steps } => ProgressBar::new(1.0)
                            .fill(FINISHED)
                            .text(format!("done: {start} takes {steps} steps")),
                        Shown::Cancelled(done) => {
                            ProgressBar::new(done).fill(CANCELLED).text("cancelled")
                        }
                    };
                    ui.add(bar.desired_width(360.0));
                    let running = matches!(shown, Shown::Running(_));
                    if ui
                        .add_enabled(running, egui::Button::new("Cancel"))
                        .clicked()
                    {
                        job.cancel.store(true, Ordering::Relaxed);
                    }
                });
            }
            ui.add_space(8.0);
            match &self.summary {
                Some(summary) => {
                    ui.label(RichText::new(summary).strong());
                }
                None => {
                    ui.label(format!(
                        "running for {:.1} s",
                        self.started.elapsed().as_secs_f64()
                    ));
                    // The clock ticks even while no job reports.
                    context.request_repaint_after(Duration::from_millis(100));
                }
            }
        });
        self.take_screenshot(&context);
    }
}

impl Drop for JobsApp {
    /// Closing the window early: cancel the jobs and wait for them, so no
    /// worker outlives the router it reports to.
    fn drop(&mut self) {
        for job in &self.jobs {
            job.cancel.store(true, Ordering::Relaxed);
        }
        for job in &mut self.jobs {
            if let Some(worker) = job.worker.take() {
                let _ = worker.join();
            }
        }
    }
}
