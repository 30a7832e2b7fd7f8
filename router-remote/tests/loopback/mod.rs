//! A transport whose "other process" is this one: a sender's line encodes
//! each message, and the router's side of the line decodes it and sends
//! it through the pipe's in-process sender, noting what it drops. It
//! proves the shell and the sender's states with no socket in the way.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use router_api::{MessageSender, PipeId, SenderEnd};
use router_remote::{
    Admission, CoreSender, Dial, DropLog, DropReason, Dropped, Line, LineFault, PipeBook,
    PipeWatch, RemoteSender, Transport,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What the loopback did, in order, for the tests to check.
pub type Journal = Arc<Mutex<Vec<String>>>;

/// The transport; `refuse_open` makes the next runs fail to open.
#[derive(Debug, Default)]
pub struct Loopback {
    pub journal: Journal,
    pub refuse_open: AtomicBool,
}

impl Loopback {
    pub fn journal(&self) -> Vec<String> {
        self.journal.lock().unwrap().clone()
    }

    fn write(journal: &Journal, line: impl Into<String>) {
        journal.lock().unwrap().push(line.into());
    }
}

router_remote::drop_reasons! {
    /// Why the loopback drops a frame.
    pub enum Why {
        /// The bytes do not decode as the router's message type.
        Undecodable,
    }
}

struct FrameDrop {
    pipe: PipeId,
}

impl Dropped for FrameDrop {
    type Reason = Why;

    fn reason(&self) -> Why {
        Why::Undecodable
    }

    fn peer(&self) -> Option<PipeId> {
        Some(self.pipe)
    }

    fn log(&self) {
        tracing::warn!(reason = Why::Undecodable.name(), pipe = %self.pipe, "loopback drops a frame");
    }
}

/// What one run of the loopback is: its book and its drop log.
pub struct Run<M: Send + 'static> {
    book: Arc<PipeBook<M>>,
    drops: DropLog<Why>,
    journal: Journal,
}

impl<M: Send + 'static> fmt::Debug for Run<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Run").field("book", &self.book).finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the loopback refused to open")]
pub struct Refused;

impl<M> Transport<M> for Loopback
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    type Run = Run<M>;
    type Entry = ();
    type Sender = RemoteSender<M, ToBook<M>>;
    type Error = Refused;
    type Reason = Why;

    fn open(&self, book: Arc<PipeBook<M>>, drops: DropLog<Why>) -> Result<Run<M>, Refused> {
        if self.refuse_open.load(Ordering::Relaxed) {
            Self::write(&self.journal, "refused to open");
            return Err(Refused);
        }
        Self::write(&self.journal, "open");
        Ok(Run {
            book,
            drops,
            journal: Arc::clone(&self.journal),
        })
    }

    fn close(&self, run: Run<M>) {
        Self::write(
            &self.journal,
            format!("close with {} pipes", run.book.len()),
        );
    }

    fn pipe(&self, run: &Run<M>, pipe: PipeId, watch: PipeWatch) -> ((), Self::Sender) {
        let dial = ToBook {
            book: Arc::clone(&run.book),
            drops: run.drops.clone(),
            journal: Arc::clone(&run.journal),
            pipe,
            _message: PhantomData,
        };
        ((), RemoteSender::watched(dial, watch))
    }
}

/// A sender's way to its router: the run's book.
pub struct ToBook<M: Send + 'static> {
    book: Arc<PipeBook<M>>,
    drops: DropLog<Why>,
    journal: Journal,
    pipe: PipeId,
    _message: PhantomData<fn(M)>,
}

impl<M: Send + 'static> fmt::Debug for ToBook<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToBook").field("pipe", &self.pipe).finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the router refused pipe {pipe}")]
pub struct NotAdmitted {
    pub pipe: PipeId,
}

impl<M: DeserializeOwned + Send + 'static> Dial for ToBook<M> {
    type Line = ToPipe<M>;
    type Error = NotAdmitted;

    fn pipe(&self) -> PipeId {
        self.pipe
    }

    fn dial<S: ?Sized>(&self) -> Result<ToPipe<M>, NotAdmitted> {
        match self.book.admit(self.pipe) {
            Admission::Admitted { sender, .. } => Ok(ToPipe {
                sender: Some(sender),
                drops: self.drops.clone(),
                journal: Arc::clone(&self.journal),
                pipe: self.pipe,
            }),
            _ => Err(NotAdmitted { pipe: self.pipe }),
        }
    }
}

/// An open line: the router's side of it decodes and forwards.
pub struct ToPipe<M: Send + 'static> {
    sender: Option<CoreSender<M>>,
    drops: DropLog<Why>,
    journal: Journal,
    pipe: PipeId,
}

impl<M: DeserializeOwned + Send + 'static> Line for ToPipe<M> {
    fn send<S: Serialize + ?Sized>(&mut self, message: &S) -> Result<(), LineFault> {
        let bytes = postcard::to_allocvec(message).map_err(|e| LineFault::Encode(e.into()))?;
        let Ok(message) = router_remote::decode_whole::<M>(&bytes) else {
            // As a real transport's thread does: the frame is dropped, the
            // line goes on.
            self.drops.note(&FrameDrop { pipe: self.pipe });
            return Ok(());
        };
        let sender =
            (self.sender.as_mut()).ok_or_else(|| LineFault::Lost("the line ended".into()))?;
        sender
            .send(message)
            .map_err(|error| LineFault::Lost(Box::new(error.without_message())))
    }

    fn end(&mut self, end: SenderEnd) {
        Loopback::write(&self.journal, format!("{} ended {end:?}", self.pipe));
        if let Some(sender) = self.sender.take() {
            sender.finish(end);
        }
    }

    /// The router's side of the line is in this process: its in-process
    /// sender says at once whether the pipe closed, where a socket would
    /// carry the router's notice (C2).
    fn is_closed(&self) -> bool {
        self.sender.as_ref().is_some_and(MessageSender::is_closed)
    }
}
