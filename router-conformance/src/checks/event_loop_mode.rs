//! Event-loop mode and the switch to manual mode (R10).

use std::sync::mpsc;
use std::time::{Duration, Instant};

use router_api::{MessageRouter, MessageSender};

use crate::fixtures::drive::{
    SAFETY_TIMEOUT, drain, join, route_until, run_loop_until, started_with_inbox,
};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// **R10**: after `start`, every message sent is routed by the running
/// event loop with no call by the user, also when the senders fall idle
/// between bursts.
///
/// > R10 event-loop mode: after `start`, every message sent is routed by
/// > the running event loop with no call by the user. After `route_until`
/// > the router ignores pings for good (manual mode), and a ping still
/// > queued in the event loop then neither blocks nor routes anything
/// > twice.
///
/// A worker sends 20 bursts of 5 messages, each once the loop has routed
/// the one before: a wake-up lost between bursts shows as a burst never
/// routed.
///
/// # Panics
///
/// When the backend breaks R10.
pub fn event_loop_routes_every_burst_without_user_call<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const BURSTS: u32 = 20;
    const BURST: u32 = 5;
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R10");
    let (next_burst, burst_asked) = mpsc::channel::<u32>();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R10: start failed");
        // Ends when the check hangs up, done or failed.
        while let Ok(burst) = burst_asked.recv() {
            for message in &sequence(0, (burst + 1) * BURST)[(burst * BURST) as usize..] {
                open.send(*message).expect("R10: send failed");
            }
        }
    });
    for burst in 0..BURSTS {
        next_burst
            .send(burst)
            .expect("R10: the sending worker died");
        let expected = ((burst + 1) * BURST) as usize;
        run_loop_until(
            &event_loop,
            || inbox.len() >= expected,
            || {
                format!(
                    "R10: the event loop routed {} of the {expected} messages of bursts 0..={burst}",
                    inbox.len()
                )
            },
        );
    }
    drop(next_burst);
    join(worker);
    drain(&router, "R10");
    assert_messages(
        &inbox.messages(),
        &sequence(0, BURSTS * BURST),
        "R10: messages routed by the event loop",
    );
    router
        .close_pipe(&receiver)
        .expect("R10: close_pipe failed");
    router.stop().expect("R10: stop failed");
}

/// **R10**: pings still queued in the event loop when `route_until`
/// switched the router to manual mode neither block the loop nor route
/// anything again.
///
/// > R10 event-loop mode: after `start`, every message sent is routed by
/// > the running event loop with no call by the user. After `route_until`
/// > the router ignores pings for good (manual mode), and a ping still
/// > queued in the event loop then neither blocks nor routes anything
/// > twice.
///
/// Messages are sent from the foreground (their pings queue in the loop),
/// routed by `route_until`, then the loop runs its pending pings. Should
/// the router's callback wait for a message, a rescue message comes on
/// another pipe after 3 s, and the check fails instead of hanging.
///
/// # Panics
///
/// When the backend breaks R10.
pub fn pings_queued_before_route_until_neither_block_nor_route_twice<
    L: KitLoop,
    R: MessageRouter<Msg>,
>(
    new_router: &dyn Fn(&L) -> R,
) {
    const RESCUE_AFTER: Duration = Duration::from_secs(3);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R10");
    let (mut rescue_sender, rescue_receiver) = router.pipe().expect("R10: pipe failed");
    let rescue_inbox = Inbox::connect(&rescue_receiver);
    sender.start().expect("R10: start of the sender failed");
    for message in sequence(0, 5) {
        sender.send(message).expect("R10: send failed");
    }
    route_until(
        &router,
        || inbox.len() >= 5,
        || "R10: route_until(5 messages routed)".to_owned(),
    );
    let (done, done_seen) = mpsc::channel::<()>();
    let rescuer = std::thread::spawn(move || {
        if done_seen.recv_timeout(RESCUE_AFTER) == Err(mpsc::RecvTimeoutError::Timeout) {
            let mut open = rescue_sender
                .open()
                .expect("R10: start of the rescue sender failed");
            open.send(Msg::new(1, 0))
                .expect("R10: send of the rescue message failed");
        }
    });
    let started = Instant::now();
    event_loop.run_pending();
    let took = started.elapsed();
    let _ = done.send(());
    join(rescuer);
    assert!(
        took < RESCUE_AFTER && rescue_inbox.len() == 0,
        "R10: a ping left over from event-loop mode blocked the event loop for {took:?} \
         after route_until had switched the router to manual mode"
    );
    assert_messages(
        &inbox.messages(),
        &sequence(0, 5),
        "R10: messages routed by route_until, then by pings left over in the event loop",
    );
    sender.send(Msg::new(0, 5)).expect("R10: send failed");
    event_loop.run_pending();
    assert_eq!(
        inbox.len(),
        5,
        "R10: the event loop routed a message sent after route_until; in manual mode the \
         router must ignore pings"
    );
    route_until(
        &router,
        || inbox.len() >= 6,
        || "R10: route_until in manual mode".to_owned(),
    );
    drain(&router, "R10");
    assert_messages(&inbox.messages(), &sequence(0, 6), "R10: messages routed");
    sender.stop().expect("R10: stop of the sender failed");
    router
        .close_pipe(&receiver)
        .expect("R10: close_pipe failed");
    router
        .close_pipe(&rescue_receiver)
        .expect("R10: close_pipe failed");
    router.stop().expect("R10: stop failed");
}

/// **R10**: after `route_until`, the event loop no longer routes messages
/// sent from other threads; only `route_until` does.
///
/// > R10 event-loop mode: after `start`, every message sent is routed by
/// > the running event loop with no call by the user. After `route_until`
/// > the router ignores pings for good (manual mode), and a ping still
/// > queued in the event loop then neither blocks nor routes anything
/// > twice.
///
/// The loop is run for 100 ms after the message was sent; a router that
/// still routes pings routes it then.
///
/// # Panics
///
/// When the backend breaks R10.
pub fn router_in_manual_mode_ignores_pings<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    const WATCH: Duration = Duration::from_millis(100);
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver, inbox) = started_with_inbox(&router, "R10");
    router
        .route_until(|| true, Some(SAFETY_TIMEOUT))
        .unwrap_or_else(|error| panic!("R10: route_until failed: {error}"));
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("R10: start failed");
        open.send(Msg::new(0, 0)).expect("R10: send failed");
    });
    join(worker);
    // The loop must not route it: its run ends by timeout.
    let _ = event_loop.run_until(&mut || inbox.len() > 0, WATCH);
    assert_eq!(
        inbox.len(),
        0,
        "R10: the event loop routed a message after route_until; in manual mode the router \
         must ignore pings"
    );
    route_until(
        &router,
        || inbox.len() >= 1,
        || "R10: route_until in manual mode".to_owned(),
    );
    drain(&router, "R10");
    assert_messages(&inbox.messages(), &sequence(0, 1), "R10: messages routed");
    router
        .close_pipe(&receiver)
        .expect("R10: close_pipe failed");
    router.stop().expect("R10: stop failed");
}
