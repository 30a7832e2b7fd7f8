//! A loom model of the wake-and-pump core (`WakeLoop`, `Pump`), run on
//! router-api's own code: built with `--cfg loom`, its flags and queue
//! come from loom (`src/sync.rs`), so loom explores every interleaving of
//! pingers on other threads with the pump on the foreground.
//!
//! The host is modelled as what every adapter's loop does: each call of
//! the wake function is one wake-up, and the foreground answers each
//! wake-up with one `run_pending`. Checked, over every interleaving:
//! - no lost ping (W2): once the pingers are done and every wake-up is
//!   answered, the callback has run after the last ping, and saw every
//!   message sent before it;
//! - coalescing: a pingee is queued at most once at a time (one
//!   `run_pending` never runs it twice), and there are never more
//!   wake-ups than pings;
//! - pingees queued behind another (one wake per batch) still run;
//! - after `disconnect` the callback never runs (W3).
//!
//! ```text
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 CARGO_TARGET_DIR=target/loom \
//!     cargo test -p router-api --release --test loom_wake
//! ```
//!
//! Showing it can fail (tried, not committed): clearing the pending mark
//! *after* the callback instead of before loses the last ping in the
//! two-pinger model; making the pinger's `swap` a load then a store queues
//! a pingee twice.
#![cfg(loom)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::rc::Rc;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use router_api::{EventLoop, WakeLoop};

/// The model's host: counts wake-ups; the foreground answers each with one
/// `run_pending`.
fn host() -> (WakeLoop, router_api::Pump, Arc<AtomicUsize>) {
    let wakes = Arc::new(AtomicUsize::new(0));
    let (event_loop, pump) = WakeLoop::new({
        let wakes = Arc::clone(&wakes);
        move || {
            wakes.fetch_add(1, Ordering::AcqRel);
        }
    });
    (event_loop, pump, wakes)
}

fn pingers_never_lose_the_last_ping(pingers: usize) {
    loom::model(move || {
        let (event_loop, pump, wakes) = host();
        let sent = Arc::new(AtomicUsize::new(0));
        let seen = Rc::new(Cell::new(0));
        let runs = Rc::new(Cell::new(0));
        let pingee = event_loop.pingee(Box::new({
            let (sent, seen, runs) = (Arc::clone(&sent), Rc::clone(&seen), Rc::clone(&runs));
            move || {
                seen.set(sent.load(Ordering::Acquire));
                runs.set(runs.get() + 1);
            }
        }));
        let workers: Vec<_> = (0..pingers)
            .map(|_| {
                let (pinger, sent) = (pingee.pinger(), Arc::clone(&sent));
                thread::spawn(move || {
                    sent.fetch_add(1, Ordering::Release);
                    pinger.ping();
                })
            })
            .collect();
        let mut answered = 0;
        let answer = |answered: &mut usize| {
            while *answered < wakes.load(Ordering::Acquire) {
                *answered += 1;
                assert!(
                    pump.run_pending() <= 1,
                    "one pingee ran twice in one call: it was queued twice"
                );
            }
        };
        // The foreground runs while the pingers ping.
        answer(&mut answered);
        for worker in workers {
            worker.join().unwrap();
        }
        answer(&mut answered);
        assert_eq!(
            seen.get(),
            pingers,
            "a ping was lost: the callback missed a message"
        );
        assert!(
            wakes.load(Ordering::Acquire) <= pingers,
            "more wake-ups than pings: a pingee was queued twice"
        );
        assert!(!pump.is_pending(), "a wake-up left a pingee queued");
        assert!(runs.get() >= 1);
    });
}

#[test]
fn one_pinger_never_loses_its_ping() {
    pingers_never_lose_the_last_ping(1);
}

#[test]
fn two_pingers_never_lose_the_last_ping() {
    pingers_never_lose_the_last_ping(2);
}

#[test]
fn pings_racing_a_disconnect_never_run_the_callback_after_it() {
    loom::model(|| {
        let (event_loop, pump, wakes) = host();
        let after = Rc::new(Cell::new(false));
        let ran_after = Rc::new(Cell::new(false));
        let mut pingee = event_loop.pingee(Box::new({
            let (after, ran_after) = (Rc::clone(&after), Rc::clone(&ran_after));
            move || {
                if after.get() {
                    ran_after.set(true);
                }
            }
        }));
        let pinger = pingee.pinger();
        let worker = thread::spawn(move || {
            pinger.ping();
            pinger.ping();
        });
        pump.run_pending();
        pingee.disconnect();
        after.set(true);
        worker.join().unwrap();
        for _ in 0..wakes.load(Ordering::Acquire) {
            pump.run_pending();
        }
        assert!(!ran_after.get(), "W3: the callback ran after disconnect");
    });
}

#[test]
fn two_pingees_pinged_together_both_run_after_their_ping() {
    // One wake per batch: the second pingee queued behind the first wakes
    // nothing, and must still be run.
    loom::model(|| {
        let (event_loop, pump, wakes) = host();
        let sent = [Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0))];
        let seen = [Rc::new(Cell::new(0)), Rc::new(Cell::new(0))];
        let pingees: Vec<_> = (0..2)
            .map(|i| {
                let (sent, seen) = (Arc::clone(&sent[i]), Rc::clone(&seen[i]));
                event_loop.pingee(Box::new(move || seen.set(sent.load(Ordering::Acquire))))
            })
            .collect();
        let workers: Vec<_> = (0..2)
            .map(|i| {
                let (pinger, sent) = (pingees[i].pinger(), Arc::clone(&sent[i]));
                thread::spawn(move || {
                    sent.fetch_add(1, Ordering::Release);
                    pinger.ping();
                })
            })
            .collect();
        let mut answered = 0;
        let answer = |answered: &mut usize| {
            while *answered < wakes.load(Ordering::Acquire) {
                *answered += 1;
                pump.run_pending();
            }
        };
        answer(&mut answered);
        for worker in workers {
            worker.join().unwrap();
        }
        answer(&mut answered);
        assert_eq!(seen[0].get(), 1, "the first pingee's ping was lost");
        assert_eq!(seen[1].get(), 1, "the second pingee's ping was lost");
    });
}
