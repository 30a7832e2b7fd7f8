//! A receiver as an async stream (A1, A2).

use crate::MessageReceiver;

/// A receiver that can become a [`Stream`](futures_core::Stream) of its
/// pipe's messages, owned, on the foreground thread: for code that awaits
/// (a task on tokio's `LocalSet`, glib's `MainContext::spawn_local`).
///
/// ```
/// use std::future::poll_fn;
/// use std::pin::Pin;
/// use futures_core::Stream;
/// use router_api::IntoMessageStream;
///
/// /// Sums a pipe's messages until its sender ends.
/// async fn total(receiver: impl IntoMessageStream<u64>) -> u64 {
///     let mut stream = receiver.into_stream();
///     let mut total = 0;
///     while let Some(n) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
///         total += n;
///     }
///     total
/// }
/// ```
///
/// # Contract
///
/// For backend authors, the stream **must** (A1) yield every message of
/// the pipe routed from the call on, once, in the order sent, by value,
/// and wake its task on the foreground thread; and (A2) end (yield `None`)
/// after the end of stream of E1, or once the pipe is closed (the router
/// stopped), after the messages routed before. Dropping the stream drops
/// the receiver, which closes the pipe (D1). Listeners connected before
/// the call are still called, before the stream gets each message.
pub trait IntoMessageStream<M>: MessageReceiver<M> + Sized {
    /// The stream this receiver becomes.
    type Stream: futures_core::Stream<Item = M> + Unpin + 'static;

    /// Turns the receiver into a stream of its pipe's messages.
    fn into_stream(self) -> Self::Stream;
}
