//! Reaching a NATS server, for the router and for senders alike, and the
//! errors of it.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream;
use router_api::BoxError;
use tokio::runtime::Runtime;
use tokio::sync::Notify;

/// How long connecting to a server may take before it counts as
/// unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a JetStream request (an ack, a stream lookup) may take.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a router or a sender could not set up its side of NATS: the
/// `source` of the
/// [`RouterStartError::Setup`](router_api::RouterStartError::Setup) or
/// [`SenderStartError::Connect`](router_api::SenderStartError::Connect)
/// that `start` returns (`error.cause::<ConnectError>()` finds it).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The server refused the connection, or it could not be made: nothing
    /// listens there, or the address is wrong.
    #[error("cannot reach the NATS server at {server}")]
    Unreachable {
        /// The server's URL.
        server: String,
        /// What the client said.
        #[source]
        source: async_nats::ConnectError,
    },
    /// The server did not answer within the connect timeout (5 s).
    #[error("the NATS server at {server} did not answer within {timeout:?}")]
    NoAnswer {
        /// The server's URL.
        server: String,
        /// How long the client waited.
        timeout: Duration,
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
    #[error("a JetStream request to {server} failed (is the server run with -js?)")]
    JetStream {
        /// The server's URL.
        server: String,
        /// What the server or the client said.
        #[source]
        source: BoxError,
    },
    /// The server refused a subscription: the router's to its senders'
    /// asks, or a sender's to the notice that its pipe closed (C2).
    #[error("cannot subscribe to {subject} on the NATS server at {server}")]
    Subscribe {
        /// The server's URL.
        server: String,
        /// The subject.
        subject: String,
        /// What the client said.
        #[source]
        source: async_nats::SubscribeError,
    },
    /// The client's runtime could not be made.
    #[error("cannot start the NATS client's runtime")]
    Runtime(#[source] std::io::Error),
    /// The router's consumer thread could not be started, or ended before
    /// it was ready.
    #[error("cannot start the router's consumer thread")]
    Thread(#[source] Option<std::io::Error>),
    /// The system's random source failed (for a run's key, or a sender's
    /// session number).
    #[error("cannot draw a random number for the run's key or the sender's session")]
    Random(#[source] getrandom::Error),
}

/// A runtime that runs on the thread that drives it (no thread of its own).
pub(crate) fn runtime() -> Result<Runtime, ConnectError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(ConnectError::Runtime)
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
        Ok(Err(source)) => {
            return Err(ConnectError::Unreachable {
                server: server.to_owned(),
                source,
            });
        }
        Err(_) => {
            return Err(ConnectError::NoAnswer {
                server: server.to_owned(),
                timeout: CONNECT_TIMEOUT,
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
                source: Box::new(error),
            }),
        },
    }
}
