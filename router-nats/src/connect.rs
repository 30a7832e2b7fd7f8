//! Reaching a NATS server, for the router and for senders alike, and the
//! errors of it.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use tokio::runtime::Runtime;
use tokio::sync::Notify;

/// How long connecting to a server may take before it counts as
/// unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a JetStream request (an ack, a stream lookup) may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a router or a sender could not set up its side of NATS.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The server could not be reached within the connect timeout (5 s):
    /// nothing listens there, or it does not answer.
    #[error("cannot reach the NATS server at {server}: {reason}")]
    Unreachable {
        /// The server's URL.
        server: String,
        /// What the client said.
        reason: String,
    },
    /// The server has no stream for the token's router run: the router
    /// has not started, has stopped, or the token is of an earlier run.
    #[error(
        "no router is running for this token: the server at {server} has no stream {stream} \
         (the router has not started or has stopped, or the token is of an earlier run)"
    )]
    NoRouter {
        /// The server's URL.
        server: String,
        /// The stream the token names.
        stream: String,
    },
    /// The server refused or failed a JetStream request (is JetStream
    /// enabled? `nats-server -js`).
    #[error("JetStream request to {server} failed: {reason} (is the server run with -js?)")]
    JetStream {
        /// The server's URL.
        server: String,
        /// What the server or the client said.
        reason: String,
    },
    /// The client's runtime or thread could not be made.
    #[error("cannot start the NATS client: {reason}")]
    Runtime {
        /// What the system said.
        reason: String,
    },
}

/// A runtime that runs on the thread that drives it (no thread of its own).
pub(crate) fn runtime() -> Result<Runtime, ConnectError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| ConnectError::Runtime {
            reason: error.to_string(),
        })
}

/// Connects to `server` as `name`, logging what happens to the connection
/// later (disconnects, reconnects) through `tracing`, and notifying
/// `connected`, if given, each time the connection is made again.
pub(crate) async fn connect(
    server: &str,
    name: &'static str,
    connected: Option<Arc<Notify>>,
) -> Result<jetstream::Context, ConnectError> {
    let owned = server.to_owned();
    let options = async_nats::ConnectOptions::new()
        .name(name)
        .connection_timeout(CONNECT_TIMEOUT)
        .request_timeout(Some(REQUEST_TIMEOUT))
        .event_callback(move |event| {
            let server = owned.clone();
            let connected = connected.clone();
            async move {
                match event {
                    async_nats::Event::Connected => {
                        tracing::debug!(%server, client = name, "connected to the NATS server");
                        if let Some(connected) = connected {
                            connected.notify_one();
                        }
                    }
                    async_nats::Event::SlowConsumer(_) | async_nats::Event::ClientError(_) => {
                        tracing::warn!(%server, client = name, %event, "NATS client trouble");
                    }
                    _ => tracing::info!(%server, client = name, %event, "NATS connection event"),
                }
            }
        });
    let connected = tokio::time::timeout(CONNECT_TIMEOUT, options.connect(server)).await;
    let client = match connected {
        Ok(Ok(client)) => client,
        Ok(Err(error)) => {
            return Err(ConnectError::Unreachable {
                server: server.to_owned(),
                reason: error.to_string(),
            });
        }
        Err(_) => {
            return Err(ConnectError::Unreachable {
                server: server.to_owned(),
                reason: format!("no answer within {CONNECT_TIMEOUT:?}"),
            });
        }
    };
    let mut context = jetstream::new(client);
    context.set_timeout(REQUEST_TIMEOUT);
    Ok(context)
}

/// Whether the stream `stream` exists on the server: `Ok(false)` when the
/// server says it does not.
pub(crate) async fn stream_exists(
    context: &jetstream::Context,
    server: &str,
    stream: &str,
) -> Result<bool, ConnectError> {
    match context.get_stream(stream).await {
        Ok(_) => Ok(true),
        Err(error) => match error.kind() {
            jetstream::context::GetStreamErrorKind::JetStream(inner)
                if inner.error_code() == jetstream::ErrorCode::STREAM_NOT_FOUND =>
            {
                Ok(false)
            }
            _ => Err(ConnectError::JetStream {
                server: server.to_owned(),
                reason: error.to_string(),
            }),
        },
    }
}

/// Why [`NatsSender::connect`](crate::NatsSender::connect) failed. It
/// converts into the [`SenderError`](router_api::SenderError) that
/// [`MessageSender::start`](router_api::MessageSender::start) returns.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The sender was started before (S1: a sender starts once).
    #[error("the sender of pipe {pipe} was already started; a sender starts once")]
    AlreadyStarted {
        /// The sender's pipe.
        pipe: router_api::PipeId,
    },
    /// The sender was stopped; it cannot start again.
    #[error("the sender of pipe {pipe} was stopped and cannot be used again")]
    Stopped {
        /// The sender's pipe.
        pipe: router_api::PipeId,
    },
    /// The sender could not reach its server or its router's run; it
    /// stays un-started, so connecting may be tried again.
    #[error("the sender of pipe {pipe} could not connect: {cause}")]
    Connect {
        /// The sender's pipe.
        pipe: router_api::PipeId,
        /// Why.
        cause: ConnectError,
    },
}

impl From<StartError> for router_api::SenderError {
    fn from(error: StartError) -> Self {
        match error {
            StartError::AlreadyStarted { pipe } => Self::AlreadyStarted { pipe },
            StartError::Stopped { pipe } => Self::Stopped { pipe },
            StartError::Connect { pipe, cause } => Self::Connect {
                pipe,
                reason: cause.to_string(),
            },
        }
    }
}
