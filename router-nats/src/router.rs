//! The router: router-remote's shell over the JetStream transport.

use std::cell::Cell;
use std::sync::Arc;

use router_api::{EventLoop, PipeId};
use router_remote::{DropCounts, RemoteMessage, RemoteRouter};

use crate::consumer::StreamLimits;
use crate::drops::DropReason;
use crate::sender::NatsSender;
use crate::token;
use crate::transport::JetStream;

/// A router whose senders may run on other machines, reaching it through
/// a NATS server with JetStream.
///
/// Routing is router-channel's
/// [`ChannelRouter`](router_channel::ChannelRouter) over crossbeam,
/// unchanged: lifecycle, routing table, listener dispatch, warnings, ping
/// coalescing and `route_until` are the in-process rules. What this type
/// adds is the way in: [`start`](router_api::MessageRouter::start)
/// connects to the server (at most 5 s), draws a random key for the run
/// and makes the run's JetStream stream (file storage), and one consumer
/// thread reads it in order; each pipe's [`NatsSender`] travels as a
/// [token](NatsSender::token) and publishes frames authenticated with its
/// pipe's key, which the thread checks and forwards into the run as if a
/// thread had sent them. [`stop`](router_api::MessageRouter::stop) joins
/// that thread and deletes the stream; senders of the run then fail with
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected).
/// A failed `start` fails with
/// [`RouterStartError::Setup`](router_api::RouterStartError::Setup), its
/// source the [`ConnectError`](crate::ConnectError) (the server is
/// unreachable, or its JetStream refused the stream), and leaves the
/// router stopped.
///
/// Messages are any `serde` type; they travel as postcard. A frame the
/// router dropped is counted by reason:
/// [`dropped_frames`](Self::dropped_frames).
///
/// ```no_run
/// use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
/// use router_nats::NatsRouter;
///
/// let event_loop = DefaultEventLoop::new();
/// let router = NatsRouter::<u64>::new(&event_loop, "nats://127.0.0.1:4222");
/// router.start()?; // fails within 5 s when no server answers
/// let (sender, receiver) = router.pipe()?;
/// receiver.connect(|n: &u64| println!("worker says {n}"));
/// let token = sender.token(); // hand it to a worker anywhere
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct NatsRouter<M: RemoteMessage> {
    shell: RemoteRouter<M, JetStream>,
}

router_remote::remote_router!(NatsRouter(shell), NatsSender);

impl<M: RemoteMessage> NatsRouter<M> {
    /// A router, not yet started, that will route on `event_loop` and
    /// take its senders' frames from the NATS server at `server`
    /// (`nats://host:port`, or `host:port`).
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E, server: &str) -> Self {
        let transport = JetStream {
            server: Arc::from(server),
            limits: Cell::default(),
        };
        Self {
            shell: RemoteRouter::new(event_loop, transport),
        }
    }

    /// The server this router connects to.
    #[must_use]
    pub fn server(&self) -> &str {
        &self.shell.transport().server
    }

    /// Sets the most bytes a run's stream may hold on the server, 256 MiB
    /// unless set ([`DEFAULT_MAX_STREAM_BYTES`](crate::DEFAULT_MAX_STREAM_BYTES)).
    /// The consumer reads each frame within moments, but JetStream keeps
    /// a frame read until it is an hour old or the stream is over a
    /// limit, when it drops the oldest: so a client that can publish to
    /// the run's subjects fills no more of the server than this, and a
    /// router that died without deleting its stream leaves no more.
    /// Frames are lost only when the router is this far behind. Takes
    /// effect at the next [`start`](router_api::MessageRouter::start).
    pub fn set_max_stream_bytes(&self, max_bytes: u64) {
        let limits = &self.shell.transport().limits;
        limits.set(StreamLimits {
            max_bytes,
            ..limits.get()
        });
    }

    /// The most bytes a run's stream may hold.
    #[must_use]
    pub fn max_stream_bytes(&self) -> u64 {
        self.shell.transport().limits.get().max_bytes
    }

    /// Sets the most frames a run's stream may hold on the server, a
    /// million unless set
    /// ([`DEFAULT_MAX_STREAM_MESSAGES`](crate::DEFAULT_MAX_STREAM_MESSAGES));
    /// as [`set_max_stream_bytes`](Self::set_max_stream_bytes) for the
    /// bytes. Takes effect at the next
    /// [`start`](router_api::MessageRouter::start).
    pub fn set_max_stream_messages(&self, max_messages: u64) {
        let limits = &self.shell.transport().limits;
        limits.set(StreamLimits {
            max_messages,
            ..limits.get()
        });
    }

    /// The most frames a run's stream may hold.
    #[must_use]
    pub fn max_stream_messages(&self) -> u64 {
        self.shell.transport().limits.get().max_messages
    }

    /// The name of this run's JetStream stream, or `None` when the router
    /// is not running.
    #[must_use]
    pub fn stream_name(&self) -> Option<String> {
        self.shell.with_run(|run| token::stream_name(run.id))
    }

    /// The subject a pipe's frames are published on in this run, or `None`
    /// when the router is not running.
    #[must_use]
    pub fn subject_of(&self, pipe: PipeId) -> Option<String> {
        self.shell
            .with_run(|run| token::subject(run.id, pipe.get()))
    }

    /// How many frames the router dropped, by reason, over all its runs:
    /// one whose tag does not verify, one over the size limit, one that
    /// does not decode, a copy of one delivered, ... ([`DropReason`]).
    /// Each drop was logged too, its `reason` field naming it. Every drop
    /// of a run is counted once its
    /// [`stop`](router_api::MessageRouter::stop) has returned.
    #[must_use]
    pub fn dropped_frames(&self) -> DropCounts<DropReason> {
        self.shell.dropped_frames()
    }
}
