//! A sender's connection: JetStream publishes with acknowledgements, a
//! bounded window of frames under way, and publishing again in order,
//! under the same message ids, until the server acknowledges them.

use std::collections::VecDeque;
use std::fmt;
use std::future::IntoFuture;
use std::time::{Duration, Instant};

use async_nats::jetstream::context::{PublishAckFuture, PublishError, PublishErrorKind};
use async_nats::jetstream::message::PublishMessage;
use async_nats::jetstream::{self};
use bytes::Bytes;
use hmac::Hmac;
use sha2::Sha256;
use tokio::runtime::Runtime;

use crate::connect::{self, ConnectError};
use crate::frame;
use crate::token::Token;

/// How long to wait before publishing again after a failed attempt.
const RETRY_DELAY: Duration = Duration::from_millis(200);

/// Why frames could not be delivered to the server.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// The router's run is over: its stream is gone.
    #[error("the router's run is over (its stream {0} is gone)")]
    RunOver(String),
    /// The server did not acknowledge within the patience.
    #[error("the server did not acknowledge within {patience:?}")]
    Gone {
        /// How long the sender tried.
        patience: Duration,
        /// The last error.
        #[source]
        last: PublishError,
    },
    /// A frame of the sender's own (its end) could not be encoded.
    #[error("the frame could not be encoded")]
    Encode(#[source] postcard::Error),
}

/// One frame published and not yet acknowledged.
struct InFlight {
    id: String,
    frame: Bytes,
    ack: Option<PublishAckFuture>,
}

/// The connection of one started sender.
pub(crate) struct Publisher {
    runtime: Runtime,
    context: jetstream::Context,
    server: String,
    stream: String,
    subject: String,
    mac: Hmac<Sha256>,
    session: u64,
    next_seq: u64,
    sent: u64,
    window: usize,
    patience: Duration,
    in_flight: VecDeque<InFlight>,
}

impl Publisher {
    /// Connects to the token's server and checks that its run's stream is
    /// there.
    ///
    /// # Errors
    ///
    /// [`ConnectError`]: unreachable, no such run, JetStream failing.
    pub(crate) fn open(
        token: &Token,
        window: usize,
        patience: Duration,
    ) -> Result<Self, ConnectError> {
        let runtime = connect::runtime()?;
        let server = token.server.to_string();
        let stream = token.stream();
        let context = runtime.block_on(async {
            let context = connect::connect(&server, "router-nats sender", None).await?;
            if connect::stream_exists(&context, &server, &stream).await? {
                Ok(context)
            } else {
                Err(ConnectError::NoRouter {
                    server: server.clone(),
                    stream: stream.clone(),
                })
            }
        })?;
        let session = getrandom::u64().map_err(ConnectError::Random)?;
        Ok(Self {
            runtime,
            context,
            server,
            stream,
            subject: token.subject(),
            mac: frame::keyed(&token.key),
            session,
            next_seq: 0,
            sent: 0,
            window,
            patience,
            in_flight: VecDeque::new(),
        })
    }

    pub(crate) fn session(&self) -> u64 {
        self.session
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// How many messages were pushed.
    pub(crate) fn sent(&self) -> u64 {
        self.sent
    }

    pub(crate) fn mac(&self) -> &Hmac<Sha256> {
        &self.mac
    }

    /// Publishes the next frame (`last` for the end frame, which waits for
    /// every acknowledgement); waits for acknowledgements as the window
    /// says.
    ///
    /// # Errors
    ///
    /// [`Failure`] when the frames under way cannot be delivered; those
    /// not acknowledged are then lost (and logged).
    pub(crate) fn push(&mut self, frame: Vec<u8>, last: bool) -> Result<(), Failure> {
        while self.in_flight.len() >= self.window {
            self.settle_oldest()?;
        }
        let id = format!("{:016x}-{}", self.session, self.next_seq);
        let frame = Bytes::from(frame);
        let ack = self.runtime.block_on(async {
            let ack = publish(&self.context, &self.subject, &id, frame.clone()).await;
            // Let the connection write it out now, not at the next call.
            tokio::task::yield_now().await;
            ack
        });
        self.next_seq += 1;
        if !last {
            self.sent += 1;
        }
        self.in_flight.push_back(InFlight {
            id,
            frame,
            ack: ack.ok(),
        });
        if self.window == 1 || last {
            while !self.in_flight.is_empty() {
                self.settle_oldest()?;
            }
        }
        Ok(())
    }

    /// Waits for the oldest frame's acknowledgement; on a failure, has
    /// every frame under way published again, in order, until each is
    /// acknowledged or the patience runs out.
    fn settle_oldest(&mut self) -> Result<(), Failure> {
        let Some(oldest) = self.in_flight.front_mut() else {
            return Ok(());
        };
        let acked = match oldest.ack.take() {
            Some(ack) => self.runtime.block_on(ack.into_future()).map(|_| ()),
            None => Err(PublishErrorKind::Other.into()),
        };
        match acked {
            Ok(()) => {
                self.in_flight.pop_front();
                Ok(())
            }
            Err(error) => {
                tracing::info!(server = %self.server, subject = %self.subject, %error, "a frame was not acknowledged; publishing again");
                let outcome = self.republish(error);
                if let Err(failure) = &outcome {
                    let lost = self.in_flight.len();
                    self.in_flight.clear();
                    tracing::warn!(server = %self.server, subject = %self.subject, lost, %failure, "nats sender gives up: {lost} frames under way are lost");
                }
                outcome
            }
        }
    }

    /// Publishes every frame under way again, in order, each waiting for
    /// its acknowledgement.
    fn republish(&mut self, first: PublishError) -> Result<(), Failure> {
        let deadline = Instant::now() + self.patience;
        let mut last = first;
        loop {
            if last.kind() == PublishErrorKind::StreamNotFound && self.run_is_over() {
                return Err(Failure::RunOver(self.stream.clone()));
            }
            if Instant::now() >= deadline {
                return Err(Failure::Gone {
                    patience: self.patience,
                    last,
                });
            }
            let context = &self.context;
            let subject = &self.subject;
            let in_flight = &mut self.in_flight;
            let failed = self.runtime.block_on(async {
                while let Some(frame) = in_flight.front() {
                    let acked =
                        match publish(context, subject, &frame.id, frame.frame.clone()).await {
                            Ok(ack) => ack.await.map(|_| ()),
                            Err(error) => Err(error),
                        };
                    match acked {
                        Ok(()) => {
                            in_flight.pop_front();
                        }
                        Err(error) => {
                            tokio::time::sleep(RETRY_DELAY).await;
                            return Some(error);
                        }
                    }
                }
                None
            });
            match failed {
                None => return Ok(()),
                Some(error) => last = error,
            }
        }
    }

    /// Whether the server says the run's stream is gone (not merely that
    /// it cannot answer now).
    fn run_is_over(&self) -> bool {
        let exists = self.runtime.block_on(connect::stream_exists(
            &self.context,
            &self.server,
            &self.stream,
        ));
        matches!(exists, Ok(false))
    }
}

/// Publishes one frame under its message id.
async fn publish(
    context: &jetstream::Context,
    subject: &str,
    id: &str,
    frame: Bytes,
) -> Result<PublishAckFuture, jetstream::context::PublishError> {
    let publish = PublishMessage::build().payload(frame).message_id(id);
    context.send_publish(subject.to_owned(), publish).await
}

impl fmt::Debug for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("subject", &self.subject)
            .field("next_seq", &self.next_seq)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}
