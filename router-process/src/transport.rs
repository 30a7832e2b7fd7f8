//! The process backend's transport: each run listens on a Unix socket in
//! a private directory, and one monitor thread reads every connection.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use router_api::PipeId;
use router_remote::{DropLog, PipeBook, PipeWatch, Transport};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::drops::DropReason;
use crate::endpoint::{Endpoint, ListenError};
use crate::intake::Intake;
use crate::monitor::Monitor;
use crate::sender::ProcessSender;
use crate::token::Token;
use crate::wire;

/// How long a connection may take to present its hello, unless set.
const DEFAULT_HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// The transport of a [`ProcessRouter`](crate::ProcessRouter): what it
/// keeps between runs.
#[derive(Debug)]
pub(crate) struct UnixSocket {
    pub(crate) hello_timeout: Cell<Duration>,
}

impl Default for UnixSocket {
    fn default() -> Self {
        Self {
            hello_timeout: Cell::new(DEFAULT_HELLO_TIMEOUT),
        }
    }
}

/// What one run adds to the core's run.
#[derive(Debug)]
pub(crate) struct SocketRun {
    pub(crate) endpoint: Endpoint,
    monitor: Monitor,
}

impl<M> Transport<M> for UnixSocket
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    type Run = SocketRun;
    type Entry = ();
    type Sender = ProcessSender<M>;
    type Error = ListenError;
    type Reason = DropReason;

    /// Makes the run's directory, socket and secret, and starts the
    /// monitor thread on them.
    fn open(
        &self,
        book: Arc<PipeBook<M>>,
        drops: DropLog<DropReason>,
    ) -> Result<SocketRun, ListenError> {
        let (endpoint, listener) = Endpoint::open()?;
        let intake = Intake {
            secret: endpoint.secret(),
            book,
            hello_timeout: self.hello_timeout.get(),
            message_type: wire::message_type::<M>(),
            type_name: std::any::type_name::<M>(),
            drops,
        };
        match Monitor::spawn(listener, intake) {
            Ok(monitor) => {
                tracing::debug!(socket = %endpoint.socket(), "process router listening");
                Ok(SocketRun { endpoint, monitor })
            }
            Err(error) => {
                endpoint.remove();
                Err(ListenError::Monitor(error))
            }
        }
    }

    /// Joins the monitor thread (which closes every connection), then
    /// removes the socket and its directory.
    fn close(&self, run: SocketRun) {
        run.monitor.stop();
        let dir = run.endpoint.dir().to_owned();
        run.endpoint.remove();
        tracing::debug!(dir = %dir.display(), "process router socket removed");
    }

    fn pipe(&self, run: &SocketRun, pipe: PipeId, watch: PipeWatch) -> ((), ProcessSender<M>) {
        let token = Token {
            pipe,
            secret: run.endpoint.secret(),
            socket: Arc::clone(run.endpoint.socket()),
        };
        ((), ProcessSender::watched(token, watch))
    }
}
