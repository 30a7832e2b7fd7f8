#![doc = include_str!("../README.md")]

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use router_api::{EventLoop, Pingee, Pump, WakeLoop};
use tokio::sync::Notify;
use tokio::task::LocalSet;

/// A router's event loop on a tokio [`LocalSet`].
///
/// Made with [`TokioLoop::new`], which spawns one local task on the
/// `LocalSet`. A ping calls [`Notify::notify_one`], which stores one
/// permit when the task is not waiting: pings coalesce and none is lost.
/// The task wakes, runs the callbacks of the pingees pinged since (on the
/// `LocalSet`'s thread, through router-api's [`Pump`]), and yields to the
/// other tasks before it waits again, so a router draining a flood shares
/// the thread with them.
///
/// A listener that panics does not end the task: there is nobody to pass
/// the panic on to (a task's panic stops at its `JoinHandle`), so it is
/// caught, logged through `tracing` as an error, and routing goes on.
///
/// Callbacks run while the `LocalSet` is driven (`LocalSet::run_until`,
/// `block_on`, or awaiting the `LocalSet`). Once it is dropped, its task
/// goes with it: pings do nothing from then on, and `stop` on a router of
/// this loop still works.
///
/// Clones are handles to the same loop.
#[derive(Clone)]
pub struct TokioLoop {
    wake_loop: WakeLoop,
    ran: Rc<Cell<u64>>,
}

impl TokioLoop {
    /// A loop whose callbacks run on `local`.
    ///
    /// `local` is named, not looked up, because tokio has no way to ask
    /// whether the caller runs inside a `LocalSet` short of
    /// `spawn_local`'s panic: this constructor cannot fail, wherever it is
    /// called from (inside or outside a runtime or a `LocalSet`).
    #[must_use]
    pub fn new(local: &LocalSet) -> Self {
        let notify = Arc::new(Notify::new());
        let (wake_loop, pump) = WakeLoop::new({
            let notify = Arc::clone(&notify);
            move || notify.notify_one()
        });
        let ran = Rc::new(Cell::new(0));
        local.spawn_local(pump_task(notify, pump, Rc::clone(&ran)));
        Self { wake_loop, ran }
    }

    /// How many callbacks this loop has run so far.
    #[must_use]
    pub fn callbacks_run(&self) -> u64 {
        self.ran.get()
    }
}

/// The loop's task: waits for a ping, runs what is pending, yields.
async fn pump_task(notify: Arc<Notify>, pump: Pump, ran: Rc<Cell<u64>>) {
    loop {
        notify.notified().await;
        // A listener's panic would end this task, and routing with it:
        // caught and logged instead, and the loop goes on (R11).
        let count = pump.run_pending_caught();
        ran.set(ran.get() + count as u64);
        // A router that ended its turn on the budget has pinged again, and
        // the permit is there: without a yield the task would go on at
        // once and starve the `LocalSet`'s other tasks.
        tokio::task::yield_now().await;
    }
}

impl EventLoop for TokioLoop {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        self.wake_loop.pingee(on_ping)
    }
}

impl fmt::Debug for TokioLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioLoop")
            .field("callbacks_run", &self.ran.get())
            .finish_non_exhaustive()
    }
}

/// Compile-time facts (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::assert_not_impl_any;

    assert_not_impl_any!(super::TokioLoop: Send, Sync);
}
