//! The sending threads of a measurement.

use std::sync::{Arc, Barrier};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crate::BenchError;

/// Sender threads, spawned ahead and held at a barrier so that thread
/// start-up is not measured. Each calls its send function with `0..n`
/// once released, and stops early when the function returns `false`.
#[derive(Debug)]
pub struct Feed {
    start: Arc<Barrier>,
    threads: Vec<JoinHandle<()>>,
}

impl Feed {
    /// Spawns one thread per send function; each sends `per_sender`
    /// messages once [`release`](Self::release)d.
    pub fn spawn<S>(senders: Vec<S>, per_sender: u64) -> Self
    where
        S: FnMut(u64) -> bool + Send + 'static,
    {
        let start = Arc::new(Barrier::new(senders.len() + 1));
        let threads = senders
            .into_iter()
            .map(|mut send| {
                let start = Arc::clone(&start);
                thread::spawn(move || {
                    start.wait();
                    for value in 0..per_sender {
                        if !send(value) {
                            break;
                        }
                    }
                })
            })
            .collect();
        Self { start, threads }
    }

    /// Lets the senders go, and returns when they went.
    #[must_use]
    pub fn release(&self) -> Instant {
        self.start.wait();
        Instant::now()
    }

    /// Whether every sender has finished (or panicked).
    #[must_use]
    pub fn finished(&self) -> bool {
        self.threads.iter().all(JoinHandle::is_finished)
    }

    /// Waits for every sender to finish.
    ///
    /// # Errors
    ///
    /// [`BenchError::SenderPanicked`] if a sending thread panicked.
    pub fn join(self) -> Result<(), BenchError> {
        for thread in self.threads {
            thread.join().map_err(|_| BenchError::SenderPanicked)?;
        }
        Ok(())
    }
}
