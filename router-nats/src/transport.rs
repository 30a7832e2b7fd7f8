//! The NATS backend's transport: each run draws a key, makes its own
//! JetStream stream, and one consumer thread reads it in order.

use std::cell::Cell;
use std::sync::Arc;

use router_api::PipeId;
use router_remote::{DropLog, PipeBook, PipeWatch, Transport};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connect::ConnectError;
use crate::consumer::{Consumer, Place, StreamLimits};
use crate::drops::DropReason;
use crate::frame::{self, Key};
use crate::intake::{Intake, PipeMac};
use crate::sender::NatsSender;
use crate::token::{self, Token};

/// The transport of a [`NatsRouter`](crate::NatsRouter): the server it
/// connects to, and how much a run's stream may hold.
#[derive(Debug)]
pub(crate) struct JetStream {
    pub(crate) server: Arc<str>,
    pub(crate) limits: Cell<StreamLimits>,
}

/// What one run adds to the core's run.
pub(crate) struct StreamRun {
    /// The run's number, which names its stream and subjects.
    pub(crate) id: u64,
    /// The run's key, under which each pipe's key is derived.
    key: Key,
    consumer: Consumer,
}

impl std::fmt::Debug for StreamRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("StreamRun")
            .field("stream", &token::stream_name(self.id))
            .field("consumer", &self.consumer)
            .finish_non_exhaustive()
    }
}

/// A random key and run number for a new run.
fn draw() -> Result<(Key, u64), ConnectError> {
    let mut bytes = [0u8; 40];
    getrandom::fill(&mut bytes).map_err(ConnectError::Random)?;
    let mut key = [0u8; 32];
    key.copy_from_slice(&bytes[..32]);
    let mut run = [0u8; 8];
    run.copy_from_slice(&bytes[32..]);
    Ok((key, u64::from_le_bytes(run)))
}

impl<M> Transport<M> for JetStream
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    type Run = StreamRun;
    type Entry = PipeMac;
    type Sender = NatsSender<M>;
    type Error = ConnectError;
    type Reason = DropReason;

    /// Connects (at most 5 s), makes the run's stream and starts the
    /// consumer thread; fails when the server is unreachable or its
    /// JetStream refused the stream.
    fn open(
        &self,
        book: Arc<PipeBook<M, PipeMac>>,
        drops: DropLog<DropReason>,
    ) -> Result<StreamRun, ConnectError> {
        let (key, id) = draw()?;
        let place = Place {
            server: Arc::clone(&self.server),
            run: id,
            limits: self.limits.get(),
        };
        let consumer = Consumer::spawn(place, key, Intake::new(book, drops, id))?;
        tracing::debug!(server = %self.server, stream = %token::stream_name(id), "nats router started");
        Ok(StreamRun { id, key, consumer })
    }

    /// Joins the consumer thread, which deletes the stream: senders of the
    /// run are refused from then on (R5).
    fn close(&self, run: StreamRun) {
        run.consumer.stop();
    }

    /// The pipe's key, derived from the run's: its MAC for the book, and
    /// in its sender's token.
    fn pipe(&self, run: &StreamRun, pipe: PipeId, watch: PipeWatch) -> (PipeMac, NatsSender<M>) {
        let key = frame::pipe_key(&run.key, pipe.get());
        let token = Token {
            pipe,
            key,
            message_type: frame::fingerprint::<M>(),
            run: run.id,
            server: Arc::clone(&self.server),
        };
        (frame::keyed(&key), NatsSender::watched(token, watch))
    }
}
