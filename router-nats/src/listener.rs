//! A started sender's ear for the router's notice that its pipe closed
//! (C2). The sender's own runtime runs only inside its calls, so the
//! listening has a thread of its own, with its own runtime and its own
//! connection to the server: the publishing path stays as it was.
//!
//! At start the thread subscribes to the pipe's closed subject, then asks
//! (so a sender that starts after its pipe closed is told at once), and
//! asks again each time its connection comes back (a notice published
//! while it was away is lost). A notice that verifies sets the flag that
//! [`is_closed`](router_api::MessageSender::is_closed) reads, and the
//! thread ends; anything else on the subject is passed over.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};

use async_nats::{Client, Subscriber};
use futures_util::StreamExt;
use tokio::sync::{Notify, oneshot};

use crate::connect::{self, ConnectError};
use crate::frame;
use crate::notice;
use crate::token::Token;

/// The name of a started sender's listening thread.
pub const LISTENER_THREAD_NAME: &str = "router-nats-ear";

/// The listening thread of one started sender; dropping it stops and
/// joins the thread.
#[derive(Debug)]
pub(crate) struct Listener {
    closed: Arc<AtomicBool>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Listener {
    /// Starts the thread for `token`'s pipe and waits until it listens
    /// and has asked.
    ///
    /// # Errors
    ///
    /// The [`ConnectError`] that kept it from listening.
    pub(crate) fn spawn(token: &Token) -> Result<Self, ConnectError> {
        let runtime = connect::runtime()?;
        let closed = Arc::new(AtomicBool::new(false));
        let (ready, is_ready) = mpsc::channel();
        let (stop, stopped) = oneshot::channel();
        let ear = Ear {
            token: token.clone(),
            closed: Arc::clone(&closed),
        };
        let thread = thread::Builder::new()
            .name(LISTENER_THREAD_NAME.to_owned())
            .spawn(move || runtime.block_on(ear.listen(&ready, stopped)))
            .map_err(|error| ConnectError::Thread(Some(error)))?;
        match is_ready.recv().unwrap_or(Err(ConnectError::Thread(None))) {
            Ok(()) => Ok(Self {
                closed,
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(error) => {
                let _ = thread.join();
                Err(error)
            }
        }
    }

    /// Whether the router said the pipe closed: one atomic load.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("a router-nats sender's listening thread panicked");
        }
    }
}

/// What the thread listens for, and where it says it heard it.
struct Ear {
    token: Token,
    closed: Arc<AtomicBool>,
}

impl Ear {
    /// Connects and subscribes to the pipe's closed subject, then asks;
    /// says on `ready` whether it listens; listens until told or stopped.
    async fn listen(
        self,
        ready: &mpsc::Sender<Result<(), ConnectError>>,
        mut stopped: oneshot::Receiver<()>,
    ) {
        let (run, pipe) = (self.token.run, self.token.pipe.get());
        let reconnected = Arc::new(Notify::new());
        let (client, mut notices) = match self.subscribe(Arc::clone(&reconnected)).await {
            Ok(listening) => listening,
            Err(error) => {
                let _ = ready.send(Err(error));
                return;
            }
        };
        // The subscription is on the server before the ask is.
        ask(&client, run, pipe).await;
        let _ = ready.send(Ok(()));
        // The notice of the first connection is not a reconnection.
        tokio::task::yield_now().await;
        let _ = tokio::time::timeout(std::time::Duration::ZERO, reconnected.notified()).await;
        let mac = frame::keyed(&self.token.key);
        loop {
            tokio::select! {
                _ = &mut stopped => return,
                () = reconnected.notified() => ask(&client, run, pipe).await,
                heard = notices.next() => match heard {
                    // The payload is in memory already, bounded by the
                    // server's payload limit; its length is checked
                    // before its tag.
                    Some(said) if notice::is_closed_notice(&mac, run, pipe, &said.payload) => {
                        tracing::debug!(pipe, "the router said the pipe closed");
                        self.closed.store(true, Ordering::Release);
                        return;
                    }
                    Some(said) => tracing::debug!(
                        pipe,
                        len = said.payload.len(),
                        "passing over a closed notice that does not verify"
                    ),
                    // The client is gone for good: nothing more will come.
                    None => return,
                },
            }
        }
    }

    /// A connection of its own, subscribed to the pipe's closed subject.
    async fn subscribe(
        &self,
        reconnected: Arc<Notify>,
    ) -> Result<(Client, Subscriber), ConnectError> {
        let server = &*self.token.server;
        let context = connect::connect(server, "router-nats ear", Some(reconnected)).await?;
        let client = context.client();
        let subject = notice::closed_subject(self.token.run, self.token.pipe.get());
        match client.subscribe(subject.clone()).await {
            Ok(notices) => Ok((client, notices)),
            Err(source) => Err(ConnectError::Subscribe {
                server: server.to_owned(),
                subject,
                source,
            }),
        }
    }
}

/// Asks the router whether the pipe is closed; it answers only if it is.
async fn ask(client: &Client, run: u64, pipe: u64) {
    let asked = client
        .publish(notice::ask_subject(run, pipe), bytes::Bytes::new())
        .await;
    if let Err(error) = asked.map_err(async_nats::Error::from) {
        tracing::debug!(pipe, %error, "cannot ask whether the pipe is closed");
        return;
    }
    if let Err(error) = client.flush().await {
        tracing::debug!(pipe, %error, "cannot send the ask whether the pipe is closed");
    }
}
