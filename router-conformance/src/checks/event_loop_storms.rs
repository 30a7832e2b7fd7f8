//! W2 under load: four threads ping, or send, in a tight loop, and the
//! callback still runs after the last ping, on the loop alone and through
//! a router.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use router_api::{MessageReceiver, MessageRouter, MessageSender};

use crate::fixtures::drive::{join, run_loop_until};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// Threads that ping, or send, at once in the W2 checks.
const BUSY_THREADS: u32 = 4;

/// Pings, or messages, of each of them.
const PER_THREAD: u32 = 20_000;

/// **W2**: four threads pinging one pingee in a tight loop: the callback
/// runs after the last ping of each, however the pings were coalesced.
///
/// > W2 Several pings may be served by one run of the callback, but no
/// > ping may be lost: the pump must swap the pingee's pending flag off
/// > *before* it runs the callback, so a ping that lands during the
/// > callback wakes the loop again. For example, with four threads
/// > pinging in a tight loop, the last message sent must always be
/// > delivered.
///
/// Each thread writes its count (1 to 20 000) before each ping; the
/// callback reads the four counts. A lost ping shows as a count the
/// callback never saw, while the loop runs as the threads ping.
///
/// # Panics
///
/// When the loop breaks W2.
pub fn pings_of_four_busy_threads_are_never_lost<L: KitLoop, R>(_new_router: &dyn Fn(&L) -> R) {
    let event_loop = L::new_loop();
    let sent: Arc<Vec<AtomicU32>> =
        Arc::new((0..BUSY_THREADS).map(|_| AtomicU32::new(0)).collect());
    let seen: Rc<RefCell<Vec<u32>>> = Rc::new(RefCell::new(vec![0; BUSY_THREADS as usize]));
    let pingee = event_loop.pingee(Box::new({
        let (sent, seen) = (Arc::clone(&sent), Rc::clone(&seen));
        move || {
            for (seen, sent) in seen.borrow_mut().iter_mut().zip(sent.iter()) {
                *seen = sent.load(Ordering::Acquire);
            }
        }
    }));
    let workers: Vec<_> = (0..BUSY_THREADS as usize)
        .map(|thread| {
            let (sent, pinger) = (Arc::clone(&sent), pingee.pinger());
            std::thread::spawn(move || {
                for count in 1..=PER_THREAD {
                    sent[thread].store(count, Ordering::Release);
                    pinger.ping();
                }
            })
        })
        .collect();
    run_loop_until(
        &event_loop,
        || seen.borrow().iter().all(|count| *count == PER_THREAD),
        || {
            format!(
                "W2: {BUSY_THREADS} threads pinged {PER_THREAD} times each; the callback last \
                 saw the counts {:?}: the callback did not run after the last ping of each",
                seen.borrow()
            )
        },
    );
    workers.into_iter().for_each(join);
    drop(pingee);
}

/// **W2**: a router on the loop, four threads sending through four pipes
/// in a tight loop: the last message of each is always delivered.
///
/// > W2 Several pings may be served by one run of the callback, but no
/// > ping may be lost: the pump must swap the pingee's pending flag off
/// > *before* it runs the callback, so a ping that lands during the
/// > callback wakes the loop again. For example, with four threads
/// > pinging in a tight loop, the last message sent must always be
/// > delivered.
///
/// 4 × 20 000 messages: more than one turn of the router's drain budget,
/// so the router pings again from its own callback, while the senders'
/// pings land during the callback.
///
/// # Panics
///
/// When the loop (or the router) breaks W2.
pub fn last_message_of_four_busy_senders_is_always_delivered<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    router.start().expect("W2: start failed");
    let last: Rc<RefCell<Vec<Option<u32>>>> =
        Rc::new(RefCell::new(vec![None; BUSY_THREADS as usize]));
    let mut receivers = Vec::new();
    let mut workers = Vec::new();
    for source in 0..BUSY_THREADS {
        let (mut sender, receiver) = router.pipe().expect("W2: pipe failed");
        receiver.connect({
            let last = Rc::clone(&last);
            move |message: &Msg| last.borrow_mut()[message.source as usize] = Some(message.seq)
        });
        receivers.push(receiver);
        workers.push(std::thread::spawn(move || {
            let mut open = sender.open().expect("W2: start of a sender failed");
            for seq in 0..PER_THREAD {
                open.send(Msg::new(source, seq)).expect("W2: send failed");
            }
        }));
    }
    run_loop_until(
        &event_loop,
        || last.borrow().iter().all(|seq| *seq == Some(PER_THREAD - 1)),
        || {
            format!(
                "W2: {BUSY_THREADS} threads sent {PER_THREAD} messages each in a tight loop; the \
                 last message routed of each was {:?}: the loop lost a ping",
                last.borrow()
            )
        },
    );
    workers.into_iter().for_each(join);
    for receiver in &receivers {
        router.close_pipe(receiver).expect("W2: close_pipe failed");
    }
    router.stop().expect("W2: stop failed");
}
