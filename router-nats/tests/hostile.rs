//! What a client of the server, or a pipe's own sender, cannot do with
//! bad frames: stall the pipe behind one of them, or flood the log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use router_api::{MessageReceiver, MessageRouter, MessageSender, SenderEnd};
use router_nats::{DropReason, NatsSender};
use serde::{Deserialize, Serialize};
use support::{NatsServer, pipe_with_inbox, started_router};

/// A message whose type refuses to decode 13 (its `Deserialize` fails);
/// it serializes as a plain number.
#[derive(Clone, PartialEq, Debug, Serialize)]
struct Picky(u64);

impl<'de> Deserialize<'de> for Picky {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let n = u64::deserialize(deserializer)?;
        if n == 13 {
            return Err(serde::de::Error::custom("Picky will not decode 13"));
        }
        Ok(Self(n))
    }
}

#[test]
fn a_message_that_does_not_decode_costs_that_message_only() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<Picky>(server);
    let (sender, receiver, inbox) = pipe_with_inbox(&router);
    let ended = Rc::new(RefCell::new(None));
    receiver.on_end({
        let ended = Rc::clone(&ended);
        move |end: &SenderEnd| *ended.borrow_mut() = Some(*end)
    });
    let token = sender.token();
    let worker = std::thread::spawn(move || {
        let mut sender = NatsSender::<Picky>::from_token(&token).unwrap();
        sender.start().unwrap();
        for n in [1, 13, 2, 3] {
            sender.send(Picky(n)).unwrap();
        }
        sender.stop().unwrap();
    });
    worker.join().unwrap();
    // Well short of the hold's 4 096 frames, and of the patience.
    let _ = event_loop.run_until(|| ended.borrow().is_some(), Some(Duration::from_secs(20)));
    assert_eq!(inbox.messages(), [Picky(1), Picky(2), Picky(3)]);
    assert_eq!(*ended.borrow(), Some(SenderEnd::Stopped));
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    let counts = router.dropped_frames();
    assert_eq!(counts.get(DropReason::MessageUndecodable), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}

#[test]
fn a_flood_of_garbage_is_counted_exactly_and_logged_at_a_pace() {
    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<u64>(server);
    let (mut sender, receiver, inbox) = pipe_with_inbox(&router);
    let subject = router.subject_of(receiver.pipe_id()).unwrap();
    support::log_lines_containing("");
    sender.start().unwrap();
    let garbage = vec![b"garbage, long enough to hold a tag of 32 bytes".to_vec(); 300];
    support::publish_raw(&server.url(), &subject, garbage);
    sender.send(7).unwrap();
    support::run_until(&event_loop, "the pipe's message", || inbox.len() == 1);
    sender.stop().unwrap();
    router.close_pipe(&receiver).unwrap();
    router.stop().unwrap();
    let counts = router.dropped_frames();
    assert_eq!(counts.total(), 300, "{counts:?}");
    // The drops of one second beyond the first few, summed: far fewer
    // lines than frames, however fast they came.
    let one_by_one = support::log_lines_containing(&subject)
        .into_iter()
        .filter(|line| line.contains("reason="))
        .count();
    assert!(
        (8..=40).contains(&one_by_one),
        "{one_by_one} drops logged one by one"
    );
    let sums = support::log_lines_containing("more frames of unknown peers");
    let unlogged: u64 = sums
        .iter()
        .filter_map(|line| {
            line.split("unlogged=")
                .nth(1)?
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert_eq!(unlogged + one_by_one as u64, 300, "{sums:?}");
}

#[test]
fn a_frame_replayed_on_another_pipe_s_subject_is_dropped() {
    use futures_util::StreamExt;

    let server = NatsServer::shared();
    let (event_loop, router) = started_router::<u64>(server);
    let (mut first, first_rx, first_inbox) = pipe_with_inbox(&router);
    let (_second, second_rx, second_inbox) = pipe_with_inbox(&router);
    let first_subject = router.subject_of(first_rx.pipe_id()).unwrap();
    let second_subject = router.subject_of(second_rx.pipe_id()).unwrap();
    // A client that listens on the first pipe's subject keeps a frame.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = server.url();
    let (_client, mut frames) = runtime.block_on(async {
        let client = async_nats::connect(&url).await.unwrap();
        let frames = client.subscribe(first_subject.clone()).await.unwrap();
        client.flush().await.unwrap();
        (client, frames)
    });
    first.start().unwrap();
    first.send(1).unwrap();
    let kept = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(30), frames.next())
            .await
            .unwrap()
            .unwrap()
    });
    support::publish_raw(&url, &second_subject, vec![kept.payload.to_vec()]);
    first.send(2).unwrap();
    support::run_until(&event_loop, "the first pipe's messages", || {
        first_inbox.len() == 2
    });
    support::run_for(&event_loop, Duration::from_millis(100));
    assert_eq!(first_inbox.messages(), [1, 2]);
    assert!(second_inbox.messages().is_empty());
    first.stop().unwrap();
    router.close_pipe(&first_rx).unwrap();
    router.close_pipe(&second_rx).unwrap();
    router.stop().unwrap();
    let counts = router.dropped_frames();
    assert_eq!(counts.get(DropReason::SubjectMismatch), 1, "{counts:?}");
    assert_eq!(counts.total(), 1, "{counts:?}");
}
