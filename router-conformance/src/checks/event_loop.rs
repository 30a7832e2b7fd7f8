//! The event loop's own rules (W1–W4; the busy threads of W2 are in
//! `event_loop_storms.rs`), checked on the loop alone, through
//! [`EventLoop::pingee`](router_api::EventLoop::pingee) and its
//! [`Pinger`]s, and through a router on it.
//!
//! The checks that use the loop alone take the factory like every check
//! and do not call it.

use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::{Arc, mpsc};
use std::thread::ThreadId;
use std::time::Duration;

use router_api::Pinger;

use crate::fixtures::drive::{SAFETY_TIMEOUT, panic_text, run_loop_until};
use crate::kit_loop::KitLoop;

/// How long a check runs the loop to see that a callback does *not* run.
const WATCH: Duration = Duration::from_millis(100);

/// A callback's runs, counted where the callback runs.
#[derive(Clone, Default)]
struct Runs(Rc<Cell<usize>>);

impl Runs {
    fn get(&self) -> usize {
        self.0.get()
    }

    fn add(&self) -> usize {
        let runs = self.0.get() + 1;
        self.0.set(runs);
        runs
    }
}

/// A pingee on `event_loop` whose callback counts its runs, pinged once
/// and run once: the start of the W3 and W4 checks. Panics, naming `rule`,
/// when the loop does not run the callback.
fn pinged_and_run<L: KitLoop>(
    event_loop: &L,
    rule: &str,
) -> (Runs, Box<dyn router_api::Pingee>, Arc<dyn Pinger>) {
    let runs = Runs::default();
    let pingee = event_loop.pingee(Box::new({
        let runs = runs.clone();
        move || {
            runs.add();
        }
    }));
    let pinger = pingee.pinger();
    pinger.ping();
    run_loop_until(
        event_loop,
        || runs.get() >= 1,
        || format!("{rule}: the loop did not run the callback of a connected pingee"),
    );
    (runs, pingee, pinger)
}

/// Pings from a new thread, and waits for it; panics, naming `rule`, when
/// the ping panicked or did not return within the safety timeout.
fn ping_from_another_thread(pinger: &Arc<dyn Pinger>, rule: &str, when: &str) {
    let pinger = Arc::clone(pinger);
    let (pinged, ping_seen) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        pinger.ping();
        let _ = pinged.send(());
    });
    if ping_seen.recv_timeout(SAFETY_TIMEOUT) == Err(mpsc::RecvTimeoutError::Timeout) {
        panic!(
            "{rule}: a ping from another thread {when} did not return within {SAFETY_TIMEOUT:?}"
        );
    }
    if let Err(panic) = worker.join() {
        panic!(
            "{rule}: a ping from another thread {when} panicked: {}",
            panic_text(&*panic)
        );
    }
}

/// **W1**: after a ping, the loop runs the callback on its own thread,
/// never inside `ping`: not when the loop's own thread pings, and not on
/// the thread that pinged.
///
/// > W1 After a `ping`, the loop must run the pingee's callback at least
/// > once, on the loop's own thread (unless the pingee was disconnected
/// > first). The callback must never run inside `ping`.
///
/// Pings once from the loop's thread (the check's: the callback must not
/// have run when `ping` returns, and runs once the loop runs), once from
/// another thread, and once more from the loop's thread while a callback
/// is running: none may run the callback inside the running one.
///
/// # Panics
///
/// When the loop breaks W1.
pub fn callback_runs_on_the_loop_thread_never_inside_ping<L: KitLoop, R>(
    _new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let runs = Runs::default();
    let depth = Rc::new(Cell::new(0_usize));
    let deepest = Rc::new(Cell::new(0_usize));
    let threads: Rc<RefCell<Vec<ThreadId>>> = Rc::default();
    let own: Rc<RefCell<Option<Arc<dyn Pinger>>>> = Rc::default();
    let pingee = event_loop.pingee(Box::new({
        let (runs, depth, deepest) = (runs.clone(), Rc::clone(&depth), Rc::clone(&deepest));
        let (threads, own) = (Rc::clone(&threads), Rc::clone(&own));
        move || {
            depth.set(depth.get() + 1);
            deepest.set(deepest.get().max(depth.get()));
            threads.borrow_mut().push(std::thread::current().id());
            if runs.add() == 2 {
                // A ping from inside the callback: it must not run the
                // callback again in here.
                let pinger = own.borrow().clone();
                if let Some(pinger) = pinger {
                    pinger.ping();
                }
            }
            depth.set(depth.get() - 1);
        }
    }));
    let pinger = pingee.pinger();
    *own.borrow_mut() = Some(Arc::clone(&pinger));
    pinger.ping();
    assert_eq!(
        runs.get(),
        0,
        "W1: the callback ran inside ping, called on the loop's own thread; it must run \
         only when the loop runs"
    );
    run_loop_until(
        &event_loop,
        || runs.get() >= 1,
        || "W1: the loop did not run the callback after a ping from its own thread".to_owned(),
    );
    ping_from_another_thread(&pinger, "W1", "");
    run_loop_until(
        &event_loop,
        || runs.get() >= 3,
        || {
            format!(
                "W1: the loop ran the callback {} times for a ping from its own thread, one \
                 from another thread and one from inside the callback; it must run at least \
                 once after each",
                runs.get()
            )
        },
    );
    assert_eq!(
        deepest.get(),
        1,
        "W1: the callback ran inside itself, inside a ping made while it ran"
    );
    let here = std::thread::current().id();
    let elsewhere: Vec<_> = threads
        .borrow()
        .iter()
        .filter(|thread| **thread != here)
        .copied()
        .collect();
    assert!(
        elsewhere.is_empty(),
        "W1: the callback ran on {elsewhere:?}, not on the loop's own thread {here:?}"
    );
    *own.borrow_mut() = None;
    drop(pingee);
}

/// **W2**: a ping made while the callback runs, from the callback itself
/// or from another thread, runs the callback again: the pump clears the
/// pending mark *before* it runs the callback.
///
/// > W2 Several pings may be served by one run of the callback, but no
/// > ping may be lost: the pump must swap the pingee's pending flag off
/// > *before* it runs the callback, so a ping that lands during the
/// > callback wakes the loop again.
///
/// The first run pings from inside the callback; the second run has
/// another thread ping, and waits for that ping to return before it
/// returns itself. Each must bring one more run.
///
/// # Panics
///
/// When the loop breaks W2.
pub fn ping_during_the_callback_runs_it_again<L: KitLoop, R>(_new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let runs = Runs::default();
    let own: Rc<RefCell<Option<Arc<dyn Pinger>>>> = Rc::default();
    let failure: Rc<RefCell<Option<String>>> = Rc::default();
    let pingee = event_loop.pingee(Box::new({
        let (runs, own, failure) = (runs.clone(), Rc::clone(&own), Rc::clone(&failure));
        move || {
            let run = runs.add();
            let Some(pinger) = own.borrow().clone() else {
                return;
            };
            match run {
                1 => pinger.ping(),
                2 => {
                    let caught = catch_unwind(AssertUnwindSafe(|| {
                        ping_from_another_thread(&pinger, "W2", "while the callback ran");
                    }));
                    if let Err(panic) = caught {
                        *failure.borrow_mut() = Some(panic_text(&*panic));
                    }
                }
                _ => {}
            }
        }
    }));
    let pinger = pingee.pinger();
    *own.borrow_mut() = Some(Arc::clone(&pinger));
    pinger.ping();
    run_loop_until(
        &event_loop,
        || runs.get() >= 3 || failure.borrow().is_some(),
        || {
            format!(
                "W2: the callback ran {} times; a ping from inside its first run and one from \
                 another thread during its second run must each run it again (a ping that \
                 lands during the callback was lost)",
                runs.get()
            )
        },
    );
    if let Some(failure) = failure.borrow().as_ref() {
        panic!("{failure}");
    }
    *own.borrow_mut() = None;
    drop(pingee);
}

/// **W3**: once `disconnect` has returned, the callback never runs again:
/// not for pings made before it (from the loop's thread and another),
/// nor for pings made after it, nor after a second `disconnect` and the
/// pingee's drop.
///
/// > W3 Once `disconnect` has returned, the callback must never run
/// > again.
///
/// # Panics
///
/// When the loop breaks W3.
pub fn callback_never_runs_after_disconnect<L: KitLoop, R>(_new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let (runs, mut pingee, pinger) = pinged_and_run(&event_loop, "W3");
    // Pings still queued when disconnect returns.
    pinger.ping();
    ping_from_another_thread(&pinger, "W3", "before disconnect");
    pingee.disconnect();
    pinger.ping();
    ping_from_another_thread(&pinger, "W3", "after disconnect");
    let ran = event_loop.run_pending();
    assert_eq!(
        (ran, runs.get()),
        (0, 1),
        "W3: (callbacks the loop ran, runs of the callback) after disconnect: the callback ran \
         again for pings made before or after disconnect returned"
    );
    let ran_on = event_loop.run_until(&mut || runs.get() > 1, WATCH);
    assert!(
        !ran_on && runs.get() == 1,
        "W3: the callback ran {} times in all, again after disconnect returned",
        runs.get()
    );
    pingee.disconnect();
    drop(pingee);
    pinger.ping();
    ping_from_another_thread(&pinger, "W3", "after the pingee was dropped");
    let ran = event_loop.run_pending();
    assert_eq!(
        (ran, runs.get()),
        (0, 1),
        "W3: (callbacks the loop ran, runs of the callback) after a second disconnect and the \
         pingee's drop"
    );
}

/// **W4**: pings made after the loop itself is gone do nothing: no panic,
/// from the loop's thread or another, no callback; disconnecting and
/// dropping the pingee then is fine too.
///
/// > W4 A ping made after the loop itself is gone must do nothing: no
/// > panic, and no error visible to the sender.
///
/// The check makes a loop, a pingee and its pinger, sees the callback run
/// once, then drops every handle of the loop (the check holds the only
/// one) and pings.
///
/// # Panics
///
/// When the loop breaks W4.
pub fn pings_after_the_loop_is_gone_do_nothing<L: KitLoop, R>(_new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let (runs, mut pingee, pinger) = pinged_and_run(&event_loop, "W4");
    drop(event_loop);
    let pinged = catch_unwind(AssertUnwindSafe(|| {
        pinger.ping();
        pinger.ping();
    }));
    if let Err(panic) = pinged {
        panic!(
            "W4: a ping from the loop's thread after the loop was gone panicked: {}",
            panic_text(&*panic)
        );
    }
    ping_from_another_thread(&pinger, "W4", "after the loop was gone");
    let ended = catch_unwind(AssertUnwindSafe(|| {
        pingee.disconnect();
        pinger.ping();
        drop(pingee);
    }));
    if let Err(panic) = ended {
        panic!(
            "W4: disconnecting and dropping the pingee after its loop was gone panicked: {}",
            panic_text(&*panic)
        );
    }
    ping_from_another_thread(&pinger, "W4", "after the loop and the pingee were gone");
    assert_eq!(
        runs.get(),
        1,
        "W4: the callback ran after its loop was gone"
    );
}
