//! The router's side of C2: which senders listen for their pipe's
//! closing (they asked when they started), and the notices that tell
//! them, published in plain NATS outside the run's stream.
//!
//! A pipe closes inside the core router (`close_pipe`, or its receiver
//! dropped), with nothing on the server to show it, so while a sender
//! that asked is yet to be told, the consumer thread looks at its pipe's
//! in-process sender every [`CLOSED_LOOK_EVERY`](router_remote::CLOSED_LOOK_EVERY)
//! (an atomic load a pipe); with none, it takes no timer. When the run
//! stops, every sender still listening is told.

use std::collections::HashSet;

use async_nats::Client;
use serde::de::DeserializeOwned;

use crate::frame::{self, Key};
use crate::intake::Intake;
use crate::notice;

/// The senders of one run that listen, and how to tell them.
pub(crate) struct Closings {
    client: Client,
    run: u64,
    /// The run's key, from which each pipe's is derived to tag its notice.
    key: Key,
    /// Pipes whose sender asked and is yet to be told; at most one entry
    /// for each pipe the run made.
    listening: HashSet<u64>,
}

impl Closings {
    pub(crate) fn new(client: Client, run: u64, key: Key) -> Self {
        Self {
            client,
            run,
            key,
            listening: HashSet::new(),
        }
    }

    /// Whether a sender is yet to be told: the consumer looks again in
    /// [`CLOSED_LOOK_EVERY`](router_remote::CLOSED_LOOK_EVERY).
    pub(crate) fn watching(&self) -> bool {
        !self.listening.is_empty()
    }

    /// Takes a sender's ask, on `subject`: tells it at once if its pipe
    /// closed, else listens for it. An ask that names no pipe of the run
    /// is ignored; what it carries is never read.
    pub(crate) async fn ask<M: DeserializeOwned + Send + 'static>(
        &mut self,
        subject: &str,
        intake: &Intake<M>,
    ) {
        let Some(pipe) = notice::pipe_of_ask(self.run, subject) else {
            tracing::debug!(subject, "ignoring an ask that names no pipe");
            return;
        };
        match intake.closed(pipe) {
            Some(true) => self.tell(pipe).await,
            Some(false) => {
                self.listening.insert(pipe);
            }
            None => tracing::debug!(pipe, "ignoring an ask for a pipe the run never made"),
        }
    }

    /// Tells each listening sender whose pipe closed.
    pub(crate) async fn look<M: DeserializeOwned + Send + 'static>(&mut self, intake: &Intake<M>) {
        let closed: Vec<u64> = (self.listening.iter().copied())
            .filter(|&pipe| intake.closed(pipe) != Some(false))
            .collect();
        for pipe in closed {
            self.listening.remove(&pipe);
            self.tell(pipe).await;
        }
    }

    /// The run is over: tells every sender still listening, and waits (a
    /// little) until the notices are out.
    pub(crate) async fn run_over(&mut self) {
        for pipe in std::mem::take(&mut self.listening) {
            self.tell(pipe).await;
        }
        let flushed = tokio::time::timeout(crate::connect::REQUEST_TIMEOUT, self.client.flush());
        if !matches!(flushed.await, Ok(Ok(()))) {
            tracing::debug!(
                run = self.run,
                "the run's last closed notices may not be out"
            );
        }
    }

    /// Publishes the notice that `pipe` closed.
    async fn tell(&self, pipe: u64) {
        let mac = frame::keyed(&frame::pipe_key(&self.key, pipe));
        let notice = notice::closed_notice(&mac, self.run, pipe);
        let subject = notice::closed_subject(self.run, pipe);
        match self.client.publish(subject, notice.into()).await {
            Ok(()) => tracing::debug!(pipe, "told the sender its pipe closed"),
            Err(error) => tracing::info!(pipe, %error, "cannot tell the sender its pipe closed"),
        }
    }
}

impl std::fmt::Debug for Closings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of logs.
        f.debug_struct("Closings")
            .field("run", &format_args!("{:016x}", self.run))
            .field("listening", &self.listening.len())
            .finish_non_exhaustive()
    }
}
