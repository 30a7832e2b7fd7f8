//! Why a sender could not connect to its router, one variant per cause.

use std::io;
use std::time::Duration;

use router_api::PipeId;

use crate::wire::{EncodeError, PROTOCOL, Refusal};

/// Why a [`ProcessSender`](crate::ProcessSender) could not connect to its
/// router: the `source` of the
/// [`SenderStartError::Connect`](router_api::SenderStartError::Connect)
/// that [`MessageSender::start`](router_api::MessageSender::start) returns
/// (`error.cause::<ConnectError>()` finds it).
///
/// ```
/// use router_api::MessageSender;
/// use router_process::{ConnectError, ProcessSender};
///
/// // A token whose router is gone: nothing listens at its socket.
/// let token = "rp1:1:0123456789abcdef0123456789abcdef:/nonexistent/router/socket";
/// let mut sender = ProcessSender::<u64>::from_token(token)?;
/// let error = sender.start().unwrap_err();
/// assert!(matches!(error.cause::<ConnectError>(), Some(ConnectError::NoRouter { .. })));
/// # Ok::<(), router_process::TokenError>(())
/// ```
///
/// The router answers a refused hello with the one byte of a
/// [`Refusal`], so a refusal names its cause, and only that one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// Nothing listens at the token's socket: the router has not started
    /// yet, or it has stopped. Trying again later may work.
    #[error("no router is listening at {socket}: it has not started yet, or it has stopped")]
    NoRouter {
        /// The token's socket path.
        socket: String,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The socket could not be reached for another reason (permissions,
    /// out of descriptors, ...).
    #[error("cannot connect to {socket}")]
    Socket {
        /// The token's socket path.
        socket: String,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The connection was made but could not be set up, or broke before
    /// the router answered, for a reason other than the router closing it.
    #[error("the connection to the router failed: cannot {doing}")]
    Io {
        /// What the sender was doing, as a verb phrase.
        doing: &'static str,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The router did not answer the hello in time: its process hangs, or
    /// is out of descriptors for longer than that.
    #[error("the router did not answer within {timeout:?}")]
    NoAnswer {
        /// How long the sender waited.
        timeout: Duration,
    },
    /// The router closed the connection without answering: it is
    /// stopping (a refusal always says why).
    #[error("the router closed the connection without answering: it is stopping")]
    Closed {
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The token's secret is not the router run's: a token of an earlier
    /// run, of another router, or altered.
    #[error(
        "the router refused this sender: the token's secret is not this router run's \
         (a token of an earlier run or of another router, or an altered one)"
    )]
    WrongSecret,
    /// The router run never made the token's pipe.
    #[error(
        "the router refused this sender: it never made pipe {pipe} \
         (a token of an earlier run, or an altered one)"
    )]
    UnknownPipe {
        /// The token's pipe.
        pipe: PipeId,
    },
    /// Another sender of the pipe connected first in this run (S1: a
    /// sender starts once); a token rebuilds one connection per run.
    #[error(
        "the router refused this sender: pipe {pipe} has a sender connected already, \
         and a pipe takes one"
    )]
    AlreadyConnected {
        /// The token's pipe.
        pipe: PipeId,
    },
    /// The router speaks another version of the wire format.
    #[error(
        "the router refused this sender: it speaks another protocol version than this \
         sender's {PROTOCOL} (parent and child are built from different versions of router-process)"
    )]
    Protocol,
    /// The router could not read the hello (it never refuses the hello of
    /// a `ProcessSender` of the same version so).
    #[error("the router refused this sender: it could not read its hello")]
    BadHello,
    /// The hello took longer than the router's hello timeout to arrive.
    #[error("the router refused this sender: its hello did not arrive within the router's timeout")]
    HelloTimeout,
    /// The sender sends another message type than the router routes (the
    /// fingerprints of [`wire::message_type`](crate::wire::message_type)
    /// differ; see its limits).
    #[error(
        "the router refused this sender: it routes messages of type `{router}`, \
         and this sender's are `{sender}`"
    )]
    MessageType {
        /// The sender's message type, as `std::any::type_name` says it.
        sender: String,
        /// The router's message type, as its refusal names it.
        router: String,
    },
    /// The router answered a byte this sender does not know: another
    /// version, or not a router-process socket at all.
    #[error(
        "the router answered {answer:#04x}, neither an accept nor a refusal of protocol {PROTOCOL}"
    )]
    UnknownAnswer {
        /// The byte.
        answer: u8,
    },
    /// The hello could not be encoded.
    #[error("cannot encode the hello")]
    Hello(#[source] EncodeError),
}

impl ConnectError {
    /// The error a refusal stands for, for the sender of `pipe`;
    /// `types` gives the sender's and the router's message types for
    /// [`Refusal::MessageType`].
    pub(crate) fn refused(
        refusal: Refusal,
        pipe: PipeId,
        types: impl FnOnce() -> (String, String),
    ) -> Self {
        match refusal {
            Refusal::MessageType => {
                let (sender, router) = types();
                Self::MessageType { sender, router }
            }
            Refusal::BadHello => Self::BadHello,
            Refusal::Protocol => Self::Protocol,
            Refusal::Secret => Self::WrongSecret,
            Refusal::UnknownPipe => Self::UnknownPipe { pipe },
            Refusal::AlreadyConnected => Self::AlreadyConnected { pipe },
            Refusal::HelloTimeout => Self::HelloTimeout,
        }
    }
}
