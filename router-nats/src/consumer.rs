//! The router's background thread: it makes the run's JetStream stream,
//! reads it in order with an ordered consumer (which JetStream re-creates
//! from where it was after a server restart), hands each frame to the
//! [`Intake`], tells the senders that listen when their pipe closed
//! ([`Closings`]), and deletes the stream when the run stops.

use std::sync::{Arc, mpsc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use async_nats::jetstream::{self, consumer, stream};
use futures_util::StreamExt;
use router_remote::CLOSED_LOOK_EVERY;
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, oneshot};
use tokio::time::MissedTickBehavior;

use crate::closings::Closings;
use crate::connect::{self, ConnectError, REQUEST_TIMEOUT};
use crate::frame::Key;
use crate::intake::Intake;
use crate::{notice, token};

/// The name of the router's background thread.
pub const CONSUMER_THREAD_NAME: &str = "router-nats-consumer";

/// How long a stream keeps a frame. The consumer reads each within
/// moments; this bounds what a router that died without deleting its
/// stream leaves on the server's disk.
const MAX_AGE: Duration = Duration::from_secs(60 * 60);

/// The most bytes a run's stream holds unless set
/// ([`NatsRouter::set_max_stream_bytes`](crate::NatsRouter::set_max_stream_bytes)): 256 MiB.
pub const DEFAULT_MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

/// The most frames a run's stream holds unless set
/// ([`NatsRouter::set_max_stream_messages`](crate::NatsRouter::set_max_stream_messages)): a million.
pub const DEFAULT_MAX_STREAM_MESSAGES: u64 = 1_000_000;

/// How much a run's stream may hold. Past either limit the server drops
/// the oldest frames, which the consumer read long before unless it is
/// that far behind: a client that can publish to the run's subjects can
/// fill no more of the server than this.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct StreamLimits {
    pub(crate) max_bytes: u64,
    pub(crate) max_messages: u64,
}

impl Default for StreamLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_STREAM_BYTES,
            max_messages: DEFAULT_MAX_STREAM_MESSAGES,
        }
    }
}

/// How long JetStream remembers a message id, to drop a frame a sender
/// published again after a lost acknowledgement.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(120);

/// How many times the run's stream is asked for before start gives up.
const CREATE_TRIES: u32 = 5;

/// How long to wait before opening the consumer again after it ended.
const REOPEN_DELAY: Duration = Duration::from_millis(250);

/// The running background thread of one router run.
#[derive(Debug)]
pub(crate) struct Consumer {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Where the consumer reads: the server, the run, and how much the run's
/// stream may hold.
#[derive(Clone, Debug)]
pub(crate) struct Place {
    pub(crate) server: Arc<str>,
    pub(crate) run: u64,
    pub(crate) limits: StreamLimits,
}

impl Consumer {
    /// Starts the thread and waits until it reads the run's stream.
    ///
    /// # Errors
    ///
    /// The [`ConnectError`] that kept it from starting: the server is
    /// unreachable (within the connect timeout), has no JetStream, or the
    /// thread could not start.
    pub(crate) fn spawn<M>(place: Place, key: Key, intake: Intake<M>) -> Result<Self, ConnectError>
    where
        M: DeserializeOwned + Send + 'static,
    {
        let (ready, is_ready) = mpsc::channel();
        let (stop, stopped) = oneshot::channel();
        let thread = thread::Builder::new()
            .name(CONSUMER_THREAD_NAME.to_owned())
            .spawn(move || serve(place, key, intake, ready, stopped))
            .map_err(|error| ConnectError::Thread(Some(error)))?;
        let outcome = is_ready.recv().unwrap_or(Err(ConnectError::Thread(None)));
        match outcome {
            Ok(()) => Ok(Self {
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(error) => {
                let _ = thread.join();
                Err(error)
            }
        }
    }

    /// Stops reading, deletes the run's stream and joins the thread.
    pub(crate) fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the router-nats consumer thread panicked");
        }
    }
}

impl Drop for Consumer {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The thread's body.
fn serve<M: DeserializeOwned + Send + 'static>(
    place: Place,
    key: Key,
    mut intake: Intake<M>,
    ready: mpsc::Sender<Result<(), ConnectError>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let runtime = match connect::runtime() {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    runtime.block_on(async move {
        let reconnected = Arc::new(Notify::new());
        let (context, stream) = match open(&place, Arc::clone(&reconnected)).await {
            Ok(opened) => opened,
            Err(error) => {
                let _ = ready.send(Err(error));
                return;
            }
        };
        let client = context.client();
        let mut asks = match client.subscribe(notice::asks(place.run)).await {
            Ok(asks) => asks,
            Err(source) => {
                let server = place.server.to_string();
                let subject = notice::asks(place.run);
                let _ = ready.send(Err(ConnectError::Subscribe { server, subject, source }));
                return;
            }
        };
        let mut closings = Closings::new(client, place.run, key);
        let mut looks = tokio::time::interval(CLOSED_LOOK_EVERY);
        looks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let _ = ready.send(Ok(()));
        // The notice of the first connection is not a reconnection.
        tokio::task::yield_now().await;
        let _ = tokio::time::timeout(Duration::ZERO, reconnected.notified()).await;
        // The stream sequence of the last frame read, so that a consumer
        // opened again starts after it.
        let mut last = 0u64;
        'run: loop {
            let mut messages = match messages(&stream, last).await {
                Ok(messages) => messages,
                Err(error) => {
                    tracing::warn!(server = %place.server, %error, "cannot open the stream's consumer; trying again");
                    tokio::select! {
                        _ = &mut stopped => break 'run,
                        () = tokio::time::sleep(REOPEN_DELAY) => continue 'run,
                    }
                }
            };
            loop {
                let next = tokio::select! {
                    _ = &mut stopped => break 'run,
                    next = messages.next() => next,
                    Some(ask) = asks.next() => {
                        closings.ask(ask.subject.as_str(), &intake).await;
                        continue;
                    }
                    // No timer while no sender listens.
                    _ = looks.tick(), if closings.watching() => {
                        closings.look(&intake).await;
                        continue;
                    }
                    () = reconnected.notified() => {
                        // The server may have lost the consumer: open it
                        // again after the last frame read, rather than
                        // wait for its heartbeats to be missed.
                        tracing::info!(server = %place.server, last, "connected again; reading the stream on after its last frame");
                        break;
                    }
                };
                match next {
                    Some(Ok(message)) => {
                        if let Ok(info) = message.info() {
                            last = info.stream_sequence;
                        }
                        intake.take(message.subject.as_str(), &message.payload);
                    }
                    Some(Err(error)) => {
                        tracing::info!(server = %place.server, %error, "the stream's consumer failed; opening it again");
                        break;
                    }
                    None => break,
                }
            }
        }
        closings.run_over().await;
        let name = token::stream_name(place.run);
        match tokio::time::timeout(REQUEST_TIMEOUT, context.delete_stream(&name)).await {
            Ok(Ok(_)) => tracing::debug!(stream = %name, "router-nats stream deleted"),
            Ok(Err(error)) => tracing::warn!(stream = %name, %error, "cannot delete the run's stream"),
            Err(_) => tracing::warn!(stream = %name, "the server did not delete the run's stream in time"),
        }
    });
}

/// Connects and makes the run's stream.
async fn open(
    place: &Place,
    reconnected: Arc<Notify>,
) -> Result<(jetstream::Context, stream::Stream), ConnectError> {
    let context = connect::connect(&place.server, "router-nats router", Some(reconnected)).await?;
    let limit = |limit: u64| i64::try_from(limit).unwrap_or(i64::MAX);
    let config = stream::Config {
        name: token::stream_name(place.run),
        subjects: vec![token::subjects(place.run)],
        storage: stream::StorageType::File,
        max_age: MAX_AGE,
        max_bytes: limit(place.limits.max_bytes),
        max_messages: limit(place.limits.max_messages),
        discard: stream::DiscardPolicy::Old,
        duplicate_window: DUPLICATE_WINDOW,
        ..Default::default()
    };
    // A busy server sometimes fails to make a stream's store at once
    // (error 10049); the next try succeeds.
    let mut tries = 1;
    loop {
        match context.create_stream(config.clone()).await {
            Ok(stream) => return Ok((context, stream)),
            Err(error) if tries < CREATE_TRIES => {
                tracing::debug!(server = %place.server, %error, tries, "cannot make the run's stream yet; trying again");
                tries += 1;
                tokio::time::sleep(REOPEN_DELAY).await;
            }
            Err(error) => {
                return Err(ConnectError::JetStream {
                    server: place.server.to_string(),
                    source: Box::new(error),
                });
            }
        }
    }
}

/// An ordered consumer of the run's stream, from after stream sequence
/// `last`.
async fn messages(
    stream: &stream::Stream,
    last: u64,
) -> Result<consumer::pull::Ordered, async_nats::Error> {
    let deliver_policy = if last == 0 {
        consumer::DeliverPolicy::All
    } else {
        consumer::DeliverPolicy::ByStartSequence {
            start_sequence: last + 1,
        }
    };
    let consumer = stream
        .create_consumer(consumer::pull::OrderedConfig {
            deliver_policy,
            ..Default::default()
        })
        .await?;
    Ok(consumer.messages().await?)
}
