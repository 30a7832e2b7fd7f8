//! The sender that travels to another process as a token.

use router_remote::{PipeWatch, RemoteSender};

use crate::token::{Token, TokenError};

/// The background end of a pipe of a [`ProcessRouter`](crate::ProcessRouter),
/// for a thread of this process or for another process.
///
/// Hand it to another process as text: [`token`](Self::token) in the
/// parent, [`from_token`](Self::from_token) in the child; the
/// [`child`](crate::child) module hands it over in a one-shot file, which
/// keeps it out of the child's environment and its own children. Then it
/// is a [`MessageSender`](router_api::MessageSender) like any other:
///
/// - [`start`](router_api::MessageSender::start) connects to the router's socket and
///   presents the router's secret; it fails with
///   [`SenderStartError::Connect`](router_api::SenderStartError::Connect) when no router is listening (not started
///   yet, or stopped) or the router refuses the connection, its source the
///   [`ConnectError`](crate::ConnectError) that says which one cause it was, and the sender
///   stays un-started, so `start` may be tried again;
/// - [`send`](router_api::MessageSender::send) writes one frame. It does not wait for
///   the foreground thread; it waits only while the router's monitor
///   thread catches up with the socket. It fails with
///   [`SendErrorKind::Disconnected`](router_api::SendErrorKind::Disconnected) once the router has stopped and with
///   [`SendErrorKind::Encode`](router_api::SendErrorKind::Encode) (its source an
///   [`EncodeError`](crate::wire::EncodeError)) for a message that cannot
///   be serialized or is over [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN);
/// - [`stop`](router_api::MessageSender::stop), or dropping the sender, writes its end
///   frame and closes the connection; what was sent before is delivered,
///   and then the receiver is told how the sender ended (E2). A connection
///   that breaks without its end frame (the process died) ends the pipe
///   as [`SenderEnd::Lost`](router_api::SenderEnd::Lost).
///
/// A pipe takes one connection per router run: a second sender rebuilt
/// from the same token is refused at `start` (S1: a sender starts once).
///
/// [`is_closed`](router_api::MessageSender::is_closed) turns true within
/// 100 ms of its pipe closing (C1, C2): once started, the router writes a
/// byte on its connection (or closes it, stopping) and the sender reads
/// it, without waiting, at most once per 5 ms
/// ([`SENDER_LOOK_EVERY`](router_remote::SENDER_LOOK_EVERY)); between
/// those reads, asking costs an atomic load and a clock read. Before it
/// starts, the sender the router handed out reads the router's book in
/// this process; one rebuilt from a token says `false` until it starts,
/// and learns then.
pub struct ProcessSender<M> {
    remote: RemoteSender<M, Token>,
}

router_remote::remote_sender!(ProcessSender(remote));

impl<M> ProcessSender<M> {
    pub(crate) fn new(token: Token) -> Self {
        Self {
            remote: RemoteSender::new(token),
        }
    }

    /// The sender the router hands out in its own process, which reads
    /// `watch` until it connects.
    pub(crate) fn watched(token: Token, watch: PipeWatch) -> Self {
        Self {
            remote: RemoteSender::watched(token, watch),
        }
    }

    /// The token that rebuilds this sender in another process, one line
    /// of text: hand it to a child with
    /// [`child::pass_token`](crate::child::pass_token). Once it was
    /// taken, dropping this sender un-started leaves the pipe's end to the
    /// sender made from it.
    ///
    /// It holds the router's secret: anyone who reads it can send on this
    /// pipe while the router runs, so do not log it.
    #[must_use]
    pub fn token(&self) -> String {
        self.remote.hand_over().to_string()
    }

    /// Rebuilds a sender from its [`token`](Self::token), un-started.
    /// Whitespace around the token (a trailing newline, say) is ignored.
    ///
    /// # Errors
    ///
    /// A [`TokenError`] saying what is wrong with the text. Whether a
    /// router is listening is found out by
    /// [`start`](router_api::MessageSender::start).
    pub fn from_token(token: &str) -> Result<Self, TokenError> {
        token.parse().map(Self::new)
    }
}
