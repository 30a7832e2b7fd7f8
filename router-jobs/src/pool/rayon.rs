//! rayon's thread pool as a [`Pool`](super::Pool).

use super::{Pool, Task};

/// Runs each task with [`rayon::ThreadPool::spawn`]. A rayon pool takes
/// work until it is dropped, so `execute` never hands a task back.
impl Pool for rayon::ThreadPool {
    fn execute(&self, task: Task) -> Result<(), Task> {
        self.spawn(move || task.run());
        Ok(())
    }
}
