//! A [`PipeReceiver`] as an async stream (A1, A2).

use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures_core::Stream;
use router_api::{IntoMessageStream, SenderEnd};

use crate::receiver::PipeReceiver;
use crate::stream_shared::StreamShared;

/// The messages of one pipe, owned, as a [`Stream`]; made by
/// [`IntoMessageStream::into_stream`](router_api::IntoMessageStream::into_stream)
/// on a [`PipeReceiver`].
///
/// It yields each message the router routes to the pipe from then on, in
/// order, once (A1), and ends after the sender's end of stream, or once
/// the pipe is closed (its router stopped), after what was routed before
/// (A2). It lives on the foreground thread, like its receiver, and owns
/// it: dropping the stream closes the pipe (D1). A task that awaits it
/// runs on the loop the router routes on (a `LocalSet`, a glib
/// `MainContext`), since only routing fills it.
pub struct MessageStream<M> {
    shared: Rc<StreamShared<M>>,
    receiver: PipeReceiver<M>,
}

impl<M: 'static> MessageStream<M> {
    pub(crate) fn new(receiver: PipeReceiver<M>) -> Self {
        let shared = Rc::new(StreamShared::new());
        receiver.attach_stream(Rc::clone(&shared));
        let at_end = Rc::clone(&shared);
        router_api::MessageReceiver::on_end(&receiver, move |_: &SenderEnd| at_end.end());
        if receiver.shared().is_closed() {
            // Closed already, or its router stopped: no end will come, and
            // nothing will be routed (A2).
            shared.end();
        }
        Self { shared, receiver }
    }

    /// The receiver the stream reads, for its pipe id, its end and its
    /// count of waiting messages.
    #[must_use]
    pub fn receiver(&self) -> &PipeReceiver<M> {
        &self.receiver
    }
}

impl<M: 'static> IntoMessageStream<M> for PipeReceiver<M> {
    type Stream = MessageStream<M>;

    fn into_stream(self) -> MessageStream<M> {
        MessageStream::new(self)
    }
}

impl<M> Stream for MessageStream<M> {
    type Item = M;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<M>> {
        if let Some(message) = self.shared.pop() {
            return Poll::Ready(Some(message));
        }
        if self.shared.over.get() {
            return Poll::Ready(None);
        }
        *self.shared.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let queued = self.shared.queue.borrow().len();
        (queued, self.shared.over.get().then_some(queued))
    }
}

impl<M> fmt::Debug for MessageStream<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageStream")
            .field("receiver", &self.receiver)
            .field("queued", &self.shared.queue.borrow().len())
            .field("over", &self.shared.over.get())
            .finish()
    }
}
