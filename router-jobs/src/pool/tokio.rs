//! tokio's blocking pool as a [`Pool`](super::Pool).

use super::{Pool, Task};

/// Runs each task with [`tokio::runtime::Handle::spawn_blocking`], on
/// the runtime's blocking threads (a job's body blocks: it must not run
/// on the runtime's async workers). A task given after the runtime shut
/// down is dropped by tokio unrun, and its job fails as lost.
impl Pool for tokio::runtime::Handle {
    fn execute(&self, task: Task) -> Result<(), Task> {
        drop(self.spawn_blocking(move || task.run()));
        Ok(())
    }
}
