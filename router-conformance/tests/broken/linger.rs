//! A thread that outlives `stop` (for [`Flaw::LingeringThread`](super::Flaw)),
//! or a sender's drop ([`Flaw::DropLeavesOpen`](super::Flaw)).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// A thread that idles until this is dropped.
pub(crate) struct Lingering {
    done: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Lingering {
    /// A thread named `name` that idles until this is dropped.
    pub(crate) fn spawn(name: &str) -> Self {
        let done = Arc::new(AtomicBool::new(false));
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn({
                let done = Arc::clone(&done);
                move || {
                    while !done.load(Ordering::Acquire) {
                        std::thread::park_timeout(Duration::from_millis(50));
                    }
                }
            })
            .expect("spawn the lingering thread");
        Self {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Lingering {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}
