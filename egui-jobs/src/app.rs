//! The window: an executor of router-jobs on the router the frame pumps,
//! one row per job, a summary once every job is done, and on close a
//! shutdown that gives up after a timeout.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use eframe::egui::{self, RichText};
use router_api::Pump;
use router_crossbeam::CrossbeamRouter;
use router_egui::EguiLoop;
use router_jobs::{Executor, JobMessage, JobState, ThreadPool};

use crate::Options;
use crate::plan;
use crate::row::{Ended, Row};
use crate::script::Script;
use crate::view;
use crate::work;

/// How long closing the window waits for the jobs' bodies to stop.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

/// The app.
pub(crate) struct JobsApp {
    /// Routes the jobs' messages at the start of each frame.
    pump: Pump,
    executor: Executor<CrossbeamRouter<JobMessage>>,
    threads: usize,
    rows: Vec<Row>,
    started: Instant,
    summary: Option<String>,
    script: Option<Script>,
}

impl JobsApp {
    /// Starts the router and the pool, and submits the jobs.
    pub(crate) fn new(
        context: &egui::Context,
        options: &Options,
        saved: Arc<AtomicBool>,
    ) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let (event_loop, pump) = EguiLoop::new(context);
        let router = CrossbeamRouter::<JobMessage>::new(&event_loop);
        let executor = Executor::new(router, ThreadPool::with_threads(options.threads)?)?;
        let (plans, script) = match &options.scripted {
            Some(path) => (
                plan::scripted(options.size),
                Some(Script::new(path.clone(), saved)),
            ),
            None => (plan::free(options.jobs, options.size), None),
        };
        let mut rows = Vec::with_capacity(plans.len());
        for plan in plans {
            let work = plan.work.clone();
            let job =
                executor.submit_progress(move |progress| work::longest_chain(progress, &work))?;
            rows.push(Row::new(plan, job));
        }
        Ok(Self {
            pump,
            executor,
            threads: options.threads,
            rows,
            started: Instant::now(),
            summary: None,
            script,
        })
    }

    /// Once every job is done: how they ended and what the router did.
    fn summarize(&self) -> String {
        let count = |wanted: JobState| self.rows.iter().filter(|row| row.state() == wanted).count();
        let longest = self
            .rows
            .iter()
            .filter_map(|row| match row.ended {
                Some(Ended::Completed(longest)) => Some(longest),
                _ => None,
            })
            .max_by_key(|longest| longest.steps);
        let stats = self.executor.router().stats();
        let longest = longest.map_or_else(String::new, |longest| {
            format!(
                "; longest chain from {} ({} steps)",
                longest.start, longest.steps
            )
        });
        format!(
            "{} completed, {} failed, {} cancelled in {:.2} s{longest}; {} messages routed in {} pings",
            count(JobState::Completed),
            count(JobState::Failed),
            count(JobState::Cancelled),
            self.started.elapsed().as_secs_f64(),
            stats.routed,
            stats.pings,
        )
    }
}

impl eframe::App for JobsApp {
    fn logic(&mut self, _: &egui::Context, _: &mut eframe::Frame) {
        // The start of the frame: route what the jobs sent since the last.
        self.pump.run_pending();
        for row in &mut self.rows {
            row.settle();
        }
        if let Some(script) = &mut self.script {
            script.advance(&self.rows);
        }
        if self.summary.is_none() && self.executor.live() == 0 {
            self.summary = Some(self.summarize());
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading(format!(
                "{} jobs on {} worker threads",
                self.rows.len(),
                self.threads
            ));
            ui.add_space(8.0);
            let (drawn, clicked) = view::rows(ui, &self.rows);
            for index in clicked {
                if let Some(row) = self.rows.get(index) {
                    row.job.cancel();
                }
            }
            ui.add_space(8.0);
            match &self.summary {
                Some(summary) => {
                    ui.label(RichText::new(summary).strong());
                }
                None => {
                    ui.label(format!(
                        "{} jobs live for {:.1} s",
                        self.executor.live(),
                        self.started.elapsed().as_secs_f64()
                    ));
                    // The clock ticks even while no job reports.
                    ui.ctx().request_repaint_after(Duration::from_millis(100));
                }
            }
            if let Some(script) = &mut self.script {
                script.after_draw(ui, &self.rows, &drawn);
            }
        });
    }
}

impl Drop for JobsApp {
    /// Closing the window: lets held jobs go, cancels every job and waits
    /// for their bodies to stop, at most [`SHUTDOWN_TIMEOUT`], so the
    /// window never hangs; a body still running then finds its pipes
    /// closed once the executor is dropped.
    fn drop(&mut self) {
        for gate in self.rows.iter().filter_map(|row| row.plan.gate()) {
            gate.open();
        }
        if let Err(error) = self.executor.shutdown(SHUTDOWN_TIMEOUT) {
            eprintln!("egui-jobs: {error}");
        }
    }
}

impl std::fmt::Debug for JobsApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobsApp")
            .field("executor", &self.executor)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}
