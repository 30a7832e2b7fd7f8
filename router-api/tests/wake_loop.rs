//! The wake-and-pump core (`WakeLoop`, `Pump`) on std threads: W1–W4 of
//! RULES.md. The interleavings are model-checked in `loom_wake.rs`.
#![cfg(not(loom))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use router_api::{EventLoop, Pingee, Pump, WakeLoop};

const PATIENCE: Duration = Duration::from_secs(10);

/// A host whose wake counts and signals a condvar, as a real loop's
/// wake-up would.
#[derive(Clone, Default)]
struct Host {
    wakes: Arc<(Mutex<usize>, Condvar)>,
}

impl Host {
    fn wake_loop(&self) -> (WakeLoop, Pump) {
        let wakes = Arc::clone(&self.wakes);
        WakeLoop::new(move || {
            *wakes.0.lock().unwrap() += 1;
            wakes.1.notify_all();
        })
    }

    fn wakes(&self) -> usize {
        *self.wakes.0.lock().unwrap()
    }

    /// Runs the pump once per wake until `done` holds; false on timeout.
    fn run_until(&self, pump: &Pump, mut done: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        let mut handled = 0;
        loop {
            if done() {
                return true;
            }
            let mut wakes = self.wakes.0.lock().unwrap();
            while *wakes == handled {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return false;
                }
                wakes = self.wakes.1.wait_timeout(wakes, left).unwrap().0;
            }
            handled = *wakes;
            drop(wakes);
            pump.run_pending();
        }
    }
}

fn counting(event_loop: &WakeLoop) -> (Box<dyn Pingee>, Rc<Cell<usize>>) {
    let runs = Rc::new(Cell::new(0));
    let pingee = event_loop.pingee(Box::new({
        let runs = Rc::clone(&runs);
        move || runs.set(runs.get() + 1)
    }));
    (pingee, runs)
}

#[test]
fn w1_ping_from_another_thread_runs_the_callback_on_the_pump() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let (pingee, runs) = counting(&event_loop);
    let pinger = pingee.pinger();
    thread::spawn(move || pinger.ping()).join().unwrap();
    assert_eq!(runs.get(), 0, "W1: the callback must not run inside ping");
    assert_eq!(host.wakes(), 1);
    assert_eq!(pump.run_pending(), 1);
    assert_eq!(runs.get(), 1);
    assert_eq!(pump.run_pending(), 0, "W1: one ping, one run");
}

#[test]
fn w2_a_burst_of_pings_costs_one_wake() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let (pingee, runs) = counting(&event_loop);
    let pinger = pingee.pinger();
    for _ in 0..100 {
        pinger.ping();
    }
    assert_eq!(host.wakes(), 1, "W2: pings of a pending pingee coalesce");
    assert_eq!(pump.run_pending(), 1);
    assert_eq!(runs.get(), 1);
}

#[test]
fn w2_a_ping_during_the_callback_wakes_the_host_again() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let runs = Rc::new(Cell::new(0));
    let pinger_cell: Rc<Cell<Option<Arc<dyn router_api::Pinger>>>> = Rc::new(Cell::new(None));
    let pingee = event_loop.pingee(Box::new({
        let (runs, pinger_cell) = (Rc::clone(&runs), Rc::clone(&pinger_cell));
        move || {
            runs.set(runs.get() + 1);
            if runs.get() == 1 {
                let pinger = pinger_cell.take().unwrap();
                pinger.ping();
            }
        }
    }));
    pinger_cell.set(Some(pingee.pinger()));
    pingee.pinger().ping();
    assert_eq!(
        pump.run_pending(),
        1,
        "the ping during the run waits for the next call"
    );
    assert_eq!(
        host.wakes(),
        2,
        "W2: a ping during the callback wakes again"
    );
    assert_eq!(pump.run_pending(), 1);
    assert_eq!(runs.get(), 2);
}

#[test]
fn w2_four_threads_pinging_in_a_tight_loop_never_lose_the_last_ping() {
    for _ in 0..20 {
        let host = Host::default();
        let (event_loop, pump) = host.wake_loop();
        let sent = Arc::new(AtomicUsize::new(0));
        let seen = Rc::new(Cell::new(0));
        let pingee = event_loop.pingee(Box::new({
            let (sent, seen) = (Arc::clone(&sent), Rc::clone(&seen));
            move || seen.set(sent.load(Ordering::Acquire))
        }));
        const PER_THREAD: usize = 5_000;
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let (pinger, sent) = (pingee.pinger(), Arc::clone(&sent));
                thread::spawn(move || {
                    for _ in 0..PER_THREAD {
                        sent.fetch_add(1, Ordering::AcqRel);
                        pinger.ping();
                    }
                })
            })
            .collect();
        let all = 4 * PER_THREAD;
        assert!(
            host.run_until(&pump, || seen.get() == all),
            "W2: the callback must run after the last ping (saw {} of {all})",
            seen.get()
        );
        for worker in workers {
            worker.join().unwrap();
        }
    }
}

#[test]
fn w2_pings_of_many_pingees_before_the_pump_runs_cost_one_wake() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let pingees: Vec<_> = (0..5).map(|_| counting(&event_loop)).collect();
    for (pingee, _) in &pingees {
        pingee.pinger().ping();
    }
    assert_eq!(host.wakes(), 1, "one batch, one wake (one winit event)");
    assert_eq!(pump.run_pending(), 5);
    assert!(pingees.iter().all(|(_, runs)| runs.get() == 1));
    pingees[0].0.pinger().ping();
    assert_eq!(host.wakes(), 2, "an empty queue wakes again");
}

#[test]
fn w3_after_disconnect_the_callback_never_runs_and_pings_do_not_wake() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let (mut pingee, runs) = counting(&event_loop);
    let pinger = pingee.pinger();
    pinger.ping();
    pingee.disconnect();
    assert_eq!(
        pump.run_pending(),
        0,
        "W3: a ping queued before disconnect runs nothing"
    );
    pinger.ping();
    assert_eq!(
        host.wakes(),
        1,
        "W3: a ping after disconnect does not wake the host"
    );
    assert_eq!(pump.run_pending(), 0);
    assert_eq!(runs.get(), 0);
    pingee.disconnect();
}

#[test]
fn w4_pings_after_the_pump_is_gone_do_nothing() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let (pingee, runs) = counting(&event_loop);
    let pinger = pingee.pinger();
    drop(pump);
    pinger.ping();
    assert_eq!(host.wakes(), 0, "W4: no wake once the loop is gone");
    drop(pingee);
    pinger.ping();
    drop(event_loop);
    pinger.ping();
    assert_eq!(runs.get(), 0);
}

#[test]
fn a_panicking_callback_requeues_the_pingees_it_did_not_reach() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let panicking = event_loop.pingee(Box::new(|| panic!("listener bug")));
    let (other, runs) = counting(&event_loop);
    panicking.pinger().ping();
    other.pinger().ping();
    assert_eq!(host.wakes(), 1, "two pingees queued together: one wake");
    let outcome = catch_unwind(AssertUnwindSafe(|| pump.run_pending()));
    assert!(outcome.is_err(), "the callback's panic reaches the host");
    assert_eq!(runs.get(), 0);
    assert_eq!(host.wakes(), 2, "the pingee not reached is woken for again");
    assert!(pump.is_pending());
    assert_eq!(pump.run_pending(), 1);
    assert_eq!(runs.get(), 1);
    // The panicking pingee was not lost either: it pings again as usual.
    panicking.pinger().ping();
    assert!(pump.is_pending());
}

#[test]
fn a_callback_may_register_and_disconnect_pingees_while_it_runs() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let made: Rc<Cell<Option<Box<dyn Pingee>>>> = Rc::new(Cell::new(None));
    let pingee = event_loop.pingee(Box::new({
        let (event_loop, made) = (event_loop.clone(), Rc::clone(&made));
        move || {
            let mut fresh = event_loop.pingee(Box::new(|| {}));
            fresh.disconnect();
            made.set(Some(fresh));
        }
    }));
    pingee.pinger().ping();
    assert_eq!(pump.run_pending(), 1);
    assert!(made.take().is_some());
}

#[test]
fn run_pending_caught_logs_a_callbacks_panic_and_the_loop_goes_on() {
    let host = Host::default();
    let (event_loop, pump) = host.wake_loop();
    let (first, first_runs) = counting(&event_loop);
    let panicking = event_loop.pingee(Box::new(|| panic!("a listener panics on purpose")));
    let (last, last_runs) = counting(&event_loop);
    first.pinger().ping();
    panicking.pinger().ping();
    last.pinger().ping();
    assert_eq!(
        pump.run_pending_caught(),
        1,
        "the first ran to its end, then the panic"
    );
    assert_eq!(first_runs.get(), 1);
    assert!(
        pump.is_pending(),
        "the pingee behind the panic is queued again"
    );
    assert_eq!(host.wakes(), 2, "and the host woken for it");
    assert_eq!(pump.run_pending_caught(), 1);
    assert_eq!(last_runs.get(), 1);
}
