//! A receiver as an async stream (A1, A2), polled by hand with a waker
//! that the check watches, while the kit's event loop routes.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_core::Stream;
use router_api::{IntoMessageStream, MessageReceiver, MessageRouter, MessageSender};

use crate::capture::capture_live;
use crate::fixtures::drive::{join, run_loop_until, started_with_pipe};
use crate::fixtures::inbox::{Inbox, assert_messages, sequence};
use crate::kit_loop::KitLoop;
use crate::message::Msg;

/// A waker that only records that it was woken.
#[derive(Default)]
struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Polls `stream` to its end, running the event loop whenever it is
/// pending until its waker is woken; returns what it yielded. Fails under
/// `rule` if the stream is pending and never woken.
fn drain_stream<L: KitLoop, S: Stream<Item = Msg> + Unpin>(
    event_loop: &L,
    stream: &mut S,
    rule: &str,
) -> Vec<Msg> {
    let flag = Arc::new(Flag::default());
    let waker = Waker::from(Arc::clone(&flag));
    let mut context = Context::from_waker(&waker);
    let mut got = Vec::new();
    loop {
        flag.0.store(false, Ordering::SeqCst);
        match Pin::new(&mut *stream).poll_next(&mut context) {
            Poll::Ready(Some(message)) => got.push(message),
            Poll::Ready(None) => return got,
            Poll::Pending => run_loop_until(
                event_loop,
                || flag.0.load(Ordering::SeqCst),
                || {
                    format!(
                        "{rule}: the stream was pending after {} messages and was never woken",
                        got.len()
                    )
                },
            ),
        }
    }
}

/// **A1**: a receiver turned into a stream yields each message its sender
/// sends, by value, once, in order; listeners connected before still get
/// them.
///
/// > A1 a receiver turned into a stream yields each message once, in
/// > order, by value, on the foreground.
///
/// # Panics
///
/// When the backend breaks A1.
pub fn stream_yields_every_message_once_in_order<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    let (mut sender, receiver) = started_with_pipe(&router, "A1");
    let inbox = Inbox::connect(&receiver);
    let mut stream = receiver.into_stream();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("A1: start failed");
        for message in sequence(0, 300) {
            open.send(message).expect("A1: send failed");
        }
    });
    let got = drain_stream(&event_loop, &mut stream, "A1");
    join(worker);
    assert_messages(&got, &sequence(0, 300), "A1: what the stream yielded");
    assert_messages(
        &inbox.messages(),
        &sequence(0, 300),
        "A1: what a listener connected before the stream got",
    );
    drop(stream);
    router.stop().expect("A1: stop failed");
}

/// **A2**: a stream ends after its sender's end of stream, and when its
/// router stops; dropping it closes its pipe.
///
/// > A2 the stream ends after the end of stream (E1); dropping it closes
/// > the pipe (D1).
///
/// # Panics
///
/// When the backend breaks A2.
pub fn stream_ends_with_its_pipe_and_closes_it_when_dropped<L: KitLoop, R: MessageRouter<Msg>>(
    new_router: &dyn Fn(&L) -> R,
) {
    let event_loop = L::new_loop();
    let router = new_router(&event_loop);
    // Ends after the sender's end: what it sent, then `None`.
    let (mut sender, receiver) = started_with_pipe(&router, "A2");
    let mut stream = receiver.into_stream();
    let worker = std::thread::spawn(move || {
        let mut open = sender.open().expect("A2: start failed");
        open.send(Msg::new(0, 0)).expect("A2: send failed");
    });
    let got = drain_stream(
        &event_loop,
        &mut stream,
        "A2 (a stream whose sender stopped)",
    );
    join(worker);
    assert_messages(
        &got,
        &sequence(0, 1),
        "A2: what the stream yielded before its end",
    );
    drop(stream);

    // Dropping it closes the pipe: a later message is discarded (R7).
    let (mut sender, receiver) = router.pipe().expect("A2: pipe failed");
    let pipe = receiver.pipe_id().to_string();
    drop(receiver.into_stream());
    sender.start().expect("A2: start failed");
    sender
        .send(Msg::new(1, 0))
        .expect("A2: a send after the stream was dropped failed; the send itself must succeed");
    let text = format!("discarding message from closed pipe {pipe}");
    let ((), _) = capture_live(|recording| {
        run_loop_until(
            &event_loop,
            || recording.has_warning_containing(&text),
            || format!("A2: no WARN \"{text}\": dropping the stream left its pipe open"),
        );
    });

    // Ends when the router stops, with its sender still open.
    let (mut open_sender, receiver) = router.pipe().expect("A2: pipe failed");
    open_sender.start().expect("A2: start failed");
    let mut stream = receiver.into_stream();
    router.stop().expect("A2: stop failed");
    let got = drain_stream(
        &event_loop,
        &mut stream,
        "A2 (a stream whose router stopped)",
    );
    assert_messages(&got, &[], "A2: what a stream of a stopped router yielded");
    drop(open_sender);
}
