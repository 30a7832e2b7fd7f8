//! Worker threads that each open a sender and send a numbered stream.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};

use router_api::{MessageSender, PipeId, SendError, SenderStartError};

/// Why a worker's first message was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WorkerFailure {
    /// The sender did not start, so nothing was sent.
    #[error(transparent)]
    Start(SenderStartError),
    /// A send was refused (its message handed back, and dropped here).
    #[error(transparent)]
    Send(SendError<()>),
}

/// What one worker did.
#[derive(Debug)]
pub struct WorkerReport {
    /// The worker's pipe.
    pub pipe: PipeId,
    /// Messages `send` accepted: `0..sent` in order.
    pub sent: u64,
    /// Messages `send` refused and handed back (each the one it was given).
    pub handed_back: u64,
    /// Why the first refused message was refused.
    pub first_failure: Option<WorkerFailure>,
}

/// Worker threads, one per sender, each sending `0..messages` through its
/// own sender, opened with [`MessageSender::open`] so it stops when the
/// worker ends (or panics).
///
/// ```
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
/// use router_crossbeam::CrossbeamRouter;
/// use router_reliability::Workers;
///
/// let event_loop = DefaultEventLoop::new();
/// let router = CrossbeamRouter::<u64>::new(&event_loop);
/// router.start()?;
/// let (sender, receiver) = router.pipe()?;
/// let seen = Rc::new(Cell::new(0));
/// receiver.connect({
///     let seen = seen.clone();
///     move |_: &u64| seen.set(seen.get() + 1)
/// });
/// let workers = Workers::spawn(vec![sender], 100);
/// // Wait for what pings announce (deliveries), then for the threads.
/// event_loop.run_until(|| seen.get() == 100, Some(Duration::from_secs(10)))?;
/// let reports = workers.join();
/// assert_eq!(reports[0].as_ref().map(|report| report.sent).ok(), Some(100));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Workers {
    threads: Vec<JoinHandle<WorkerReport>>,
    finished: Arc<AtomicUsize>,
}

impl Workers {
    /// Spawns one worker per sender, each sending `0..messages`.
    pub fn spawn<S>(senders: impl IntoIterator<Item = S>, messages: u64) -> Self
    where
        S: MessageSender<u64>,
    {
        Self::spawn_with(senders, messages, |_, _| {})
    }

    /// As [`spawn`](Self::spawn), calling `before_send(worker, message)`
    /// before each send: to pace the workers, or to make one panic
    /// mid-stream.
    pub fn spawn_with<S, F>(
        senders: impl IntoIterator<Item = S>,
        messages: u64,
        before_send: F,
    ) -> Self
    where
        S: MessageSender<u64>,
        F: Fn(usize, u64) + Send + Sync + 'static,
    {
        let before_send = Arc::new(before_send);
        let finished = Arc::new(AtomicUsize::new(0));
        let threads = senders
            .into_iter()
            .enumerate()
            .map(|(worker, mut sender)| {
                let before_send = Arc::clone(&before_send);
                let finished = Finished(Arc::clone(&finished));
                thread::spawn(move || {
                    let _finished = finished;
                    send_stream(worker, &mut sender, messages, &*before_send)
                })
            })
            .collect();
        Self { threads, finished }
    }

    /// How many workers have ended, panicked ones included.
    ///
    /// A worker's ending sends no ping: an event loop waiting for this
    /// alone may sleep through it. Wait for deliveries, or poll with a
    /// timeout.
    #[must_use]
    pub fn finished(&self) -> usize {
        self.finished.load(Ordering::Acquire)
    }

    /// Whether every worker has ended.
    #[must_use]
    pub fn all_finished(&self) -> bool {
        self.finished() == self.threads.len()
    }

    /// Waits for every worker and returns its report, or its panic.
    #[must_use]
    pub fn join(self) -> Vec<thread::Result<WorkerReport>> {
        self.threads.into_iter().map(JoinHandle::join).collect()
    }
}

fn send_stream<S: MessageSender<u64>>(
    worker: usize,
    sender: &mut S,
    messages: u64,
    before_send: &dyn Fn(usize, u64),
) -> WorkerReport {
    let mut report = WorkerReport {
        pipe: sender.pipe_id(),
        sent: 0,
        handed_back: 0,
        first_failure: None,
    };
    let mut open = match sender.open() {
        Ok(open) => open,
        Err(error) => {
            report.first_failure = Some(WorkerFailure::Start(error));
            return report;
        }
    };
    for message in 0..messages {
        before_send(worker, message);
        match open.send(message) {
            Ok(()) => report.sent += 1,
            Err(error) => {
                assert_eq!(
                    *error.message(),
                    message,
                    "send handed back another message"
                );
                report.handed_back += 1;
                report
                    .first_failure
                    .get_or_insert(WorkerFailure::Send(error.without_message()));
            }
        }
    }
    report
}

/// Counts a worker as finished when its thread ends, however it ends.
struct Finished(Arc<AtomicUsize>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}
