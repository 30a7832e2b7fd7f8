//! The router: router-remote's shell over the Unix socket transport.

use std::path::PathBuf;
use std::time::Duration;

use router_api::EventLoop;
use router_remote::{DropCounts, RemoteMessage, RemoteRouter};

use crate::drops::DropReason;
use crate::sender::ProcessSender;
use crate::transport::UnixSocket;

/// A router whose senders may live in other processes.
///
/// Routing is router-api's [`ChannelRouter`](router_channel::ChannelRouter)
/// over crossbeam, unchanged: lifecycle, routing table, listener dispatch,
/// warnings, ping coalescing and `route_until` are the in-process rules.
/// What this type adds is the way in: at
/// [`start`](router_api::MessageRouter::start) it makes a directory only
/// the user can open, listens on a Unix socket in it, draws a random
/// secret and starts one monitor thread; each [`ProcessSender`] connects
/// there, presents the secret and the pipe, and its frames are forwarded
/// into the run's channel as if a thread had sent them.
/// [`stop`](router_api::MessageRouter::stop) closes every connection,
/// joins the monitor thread and removes the socket and its directory;
/// senders then fail with
/// [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected).
/// A failed `start` fails with
/// [`RouterStartError::Setup`](router_api::RouterStartError::Setup), its
/// source the [`ListenError`](crate::ListenError), and leaves the router
/// stopped.
///
/// Messages are any `serde` type; they travel as postcard. What a
/// connection wrote and the router dropped is counted by reason:
/// [`dropped_frames`](Self::dropped_frames).
pub struct ProcessRouter<M: RemoteMessage> {
    shell: RemoteRouter<M, UnixSocket>,
}

router_remote::remote_router!(ProcessRouter(shell), ProcessSender);

impl<M: RemoteMessage> ProcessRouter<M> {
    /// A router, not yet started, that will route on `event_loop`.
    pub fn new<E: EventLoop + Clone + 'static>(event_loop: &E) -> Self {
        Self {
            shell: RemoteRouter::new(event_loop, UnixSocket::default()),
        }
    }

    /// Sets how long a connection may take to present its hello before
    /// the router closes it (and logs a `WARN`); 10 s unless set. A
    /// [`ProcessSender`] writes its hello as soon as it connects, so only
    /// a stuck or hostile peer ever waits this long; until then the
    /// connection holds a descriptor and a little memory, and the router
    /// serves every other connection as usual. Takes effect at the next
    /// [`start`](router_api::MessageRouter::start).
    pub fn set_hello_timeout(&self, timeout: Duration) {
        self.shell.transport().hello_timeout.set(timeout);
    }

    /// How long a connection may take to present its hello.
    #[must_use]
    pub fn hello_timeout(&self) -> Duration {
        self.shell.transport().hello_timeout.get()
    }

    /// The socket senders connect to in this run, or `None` when the
    /// router is not running. Its directory is open to this user alone.
    #[must_use]
    pub fn socket_path(&self) -> Option<PathBuf> {
        self.shell
            .with_run(|run| PathBuf::from(&**run.endpoint.socket()))
    }

    /// How many times the router dropped what a connection wrote, by
    /// reason, over all its runs: a refused hello, a frame over the size
    /// limit, one that does not decode, ... ([`DropReason`]). Each drop
    /// was logged too, a `WARN` whose `reason` field names it. Every drop
    /// of a run is counted once its [`stop`](router_api::MessageRouter::stop)
    /// has returned.
    #[must_use]
    pub fn dropped_frames(&self) -> DropCounts<DropReason> {
        self.shell.dropped_frames()
    }
}
