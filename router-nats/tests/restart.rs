//! A restart of the NATS server in the middle of a stream: every message
//! a `send` accepted is delivered once, in order, and nothing else is.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use router_api::{MessageRouter, MessageSender};
use support::{NatsServer, PATIENCE, pipe_with_inbox, run_until, started_router};

/// A message: its source and its place in that source's sequence.
type Msg = (u32, u32);

const COUNT: u32 = 3000;

/// Two senders (one waiting for each acknowledgement, one with a window of
/// 32) send `COUNT` messages each while the server is restarted after the
/// first third has arrived.
#[test]
fn a_server_restart_mid_stream_loses_and_repeats_nothing() {
    let mut server = NatsServer::start();
    let (event_loop, router) = started_router::<Msg>(&server);
    let mut pipes = Vec::new();
    let mut workers = Vec::new();
    for (source, window) in [(0u32, 1usize), (1, 32)] {
        let (mut sender, receiver, inbox) = pipe_with_inbox(&router);
        sender.set_window(window);
        sender.set_patience(PATIENCE);
        workers.push(std::thread::spawn(move || {
            let mut accepted = Vec::new();
            let mut open = sender.open().unwrap();
            for seq in 0..COUNT {
                if open.send((source, seq)).is_ok() {
                    accepted.push((source, seq));
                }
                // Paced, so that the restart lands mid-stream.
                if seq % 100 == 0 {
                    std::thread::sleep(Duration::from_millis(5));
                }
            }
            accepted
        }));
        pipes.push((receiver, inbox));
    }
    run_until(&event_loop, "a third of the stream", || {
        pipes
            .iter()
            .all(|(_, inbox)| inbox.len() as u32 >= COUNT / 3)
    });
    server.restart();
    let accepted: Vec<Vec<Msg>> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    for (source, accepted) in accepted.iter().enumerate() {
        assert_eq!(
            accepted.len() as u32,
            COUNT,
            "source {source}: sends failed across the restart"
        );
    }
    run_until(&event_loop, "every accepted message", || {
        pipes
            .iter()
            .zip(&accepted)
            .all(|((_, inbox), accepted)| inbox.len() >= accepted.len())
    });
    // Anything more (a copy) would arrive right after: give it a moment.
    support::run_for(&event_loop, Duration::from_millis(300));
    for ((_, inbox), accepted) in pipes.iter().zip(&accepted) {
        assert_eq!(
            &inbox.messages(),
            accepted,
            "exactly the accepted messages, once, in order"
        );
    }
    for (receiver, _) in &pipes {
        router.close_pipe(receiver).unwrap();
    }
    router.stop().unwrap();
}

/// A server that goes away for good: a sender's `send` fails as
/// disconnected once its patience runs out, and does not hang.
#[test]
fn a_server_gone_for_good_fails_send_within_the_patience() {
    let mut server = NatsServer::start();
    let (_event_loop, router) = started_router::<Msg>(&server);
    let (mut sender, receiver, _inbox) = pipe_with_inbox(&router);
    sender.set_patience(Duration::from_secs(3));
    sender.start().unwrap();
    sender.send((0, 0)).unwrap();
    server.stop();
    let started = std::time::Instant::now();
    let error = sender.send((0, 1)).unwrap_err();
    assert!(
        error.disconnect() == Some(router_api::Disconnect::ConnectionClosed),
        "{error:?}"
    );
    assert_eq!(error.into_message(), (0, 1));
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    drop(sender);
    router.close_pipe(&receiver).unwrap();
    // The consumer's own clean-up gives up on the missing server in time.
    router.stop().unwrap();
}
