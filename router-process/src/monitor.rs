//! The monitor thread: the one thread a router run starts. It accepts
//! senders' connections and reads them all, with one `poll`, and forwards
//! each message into the run's channel, waking the router once per read
//! (connection/mod.rs).
//!
//! One thread for any number of senders, rather than one per connection:
//! sixteen child processes cost one thread, not seventeen, and stopping
//! is one wake-up and one join. Connections are read in turns of a few
//! reads each, so a flood on one pipe does not starve the others.
//!
//! When `accept` fails (the process is out of file descriptors, most
//! likely: `EMFILE`), the connection stays in the socket's backlog. The
//! listener's readiness is edge-triggered, so no new event would come for
//! it; instead the monitor tries `accept` again every [`ACCEPT_RETRY`]
//! until it succeeds, and warns once per such stall, not once per retry.
//! A timer rather than the spare-descriptor trick (keep a descriptor open,
//! close it to accept and at once close the connection): that trick can
//! only turn a waiting sender away, while the retry lets it in as soon as
//! descriptors are free, and it costs nothing while `accept` works.
//!
//! A sender learns that its pipe closed (C2) from the monitor: a pipe
//! closes inside the core router (`close_pipe`, or its receiver dropped
//! anywhere on the foreground), with no event on any socket, so while a
//! connected sender has not been told the monitor wakes every
//! [`CLOSED_LOOK_EVERY`] (20 ms) and looks at each connection's
//! in-process sender (an atomic load), writing the byte
//! [`wire::CLOSED`](crate::wire::CLOSED) to those whose pipe closed. With
//! no such sender connected it sleeps until an event, as before.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mio::net::UnixListener;
use mio::{Events, Interest, Poll, Token, Waker};
use router_remote::CLOSED_LOOK_EVERY;
use serde::de::DeserializeOwned;

use crate::connection::{Connection, Turn};
use crate::intake::Intake;

/// The monitor thread's name, as the system shows it (15 bytes at most on
/// Linux, so it is not cut short).
pub const MONITOR_THREAD_NAME: &str = "router-process";

const WAKE: Token = Token(0);
const LISTEN: Token = Token(1);
const FIRST_CONNECTION: usize = 2;

/// How long the monitor waits before it tries `accept` again after it
/// failed: short next to a sender's connect timeout (30 s), long enough
/// not to spin while the process is out of descriptors.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// How often the monitor looks again at a connection paused on a full
/// bounded pipe (B2): the sender waits in its socket writes meanwhile.
const PAUSE_RETRY: Duration = Duration::from_millis(1);

/// A running monitor thread.
#[derive(Debug)]
pub(crate) struct Monitor {
    waker: Waker,
    thread: JoinHandle<()>,
}

impl Monitor {
    /// Starts the thread on `listener`. Its log events go to the
    /// subscriber of the calling thread, like the router's own.
    ///
    /// # Errors
    ///
    /// What the system said when the poll or the thread could not be made.
    pub(crate) fn spawn<M>(mut listener: UnixListener, intake: Intake<M>) -> io::Result<Self>
    where
        M: DeserializeOwned + Send + 'static,
    {
        let poll = Poll::new()?;
        let waker = Waker::new(poll.registry(), WAKE)?;
        poll.registry()
            .register(&mut listener, LISTEN, Interest::READABLE)?;
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        let watch = Watch {
            poll,
            listener,
            intake,
            connections: HashMap::new(),
            ready: VecDeque::new(),
            paused: Vec::new(),
            next: FIRST_CONNECTION,
            stalled: None,
            hello_deadlines: VecDeque::new(),
            next_look: None,
        };
        let thread = thread::Builder::new()
            .name(MONITOR_THREAD_NAME.to_owned())
            .spawn(move || tracing::dispatcher::with_default(&dispatch, || watch.run()))?;
        Ok(Self { waker, thread })
    }

    /// Tells the thread to close every connection and end, and waits
    /// until it has.
    pub(crate) fn stop(self) {
        if let Err(error) = self.waker.wake() {
            // Joining a thread that was not told would never return.
            tracing::error!(%error, "cannot wake the router's monitor thread; leaving it behind");
            return;
        }
        if self.thread.join().is_err() {
            tracing::error!("the router's monitor thread panicked");
        }
    }
}

struct Queued<M: Send + 'static> {
    connection: Connection<M>,
    /// In the ready list: it may have bytes to read.
    ready: bool,
}

/// A run of failed `accept`s: connections may be waiting in the backlog.
struct Stalled {
    since: Instant,
    retry_at: Instant,
    retries: u64,
}

/// The monitor thread's state.
struct Watch<M: Send + 'static> {
    poll: Poll,
    listener: UnixListener,
    intake: Intake<M>,
    connections: HashMap<Token, Queued<M>>,
    ready: VecDeque<Token>,
    /// Connections paused on a full bounded pipe, looked at again every
    /// [`PAUSE_RETRY`].
    paused: Vec<Token>,
    next: usize,
    /// Set while `accept` fails, to try again on a timer.
    stalled: Option<Stalled>,
    /// When each connection's hello is due, in the order they were
    /// accepted (so in the order they fall due: one timeout for all).
    hello_deadlines: VecDeque<(Instant, Token)>,
    /// When to look again whether a connected sender's pipe closed; none
    /// while every connected sender was told (or none is connected).
    next_look: Option<Instant>,
}

impl<M> Watch<M>
where
    M: DeserializeOwned + Send + 'static,
{
    fn run(mut self) {
        tracing::debug!("router monitor started");
        let mut events = Events::with_capacity(256);
        loop {
            let timeout = self.poll_timeout(Instant::now());
            if let Err(error) = self.poll.poll(&mut events, timeout) {
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                tracing::error!(%error, "the router's monitor cannot poll; closing every connection");
                return;
            }
            for event in &events {
                match event.token() {
                    WAKE => {
                        tracing::debug!(
                            connections = self.connections.len(),
                            "router monitor stopping; closing every connection"
                        );
                        return;
                    }
                    LISTEN => self.accept(),
                    token => self.mark_ready(token),
                }
            }
            if self
                .stalled
                .as_ref()
                .is_some_and(|stalled| Instant::now() >= stalled.retry_at)
            {
                self.accept();
            }
            self.resume_paused();
            self.serve_ready();
            let now = Instant::now();
            self.close_overdue(now);
            if self.next_look.is_some_and(|at| now >= at) {
                self.look_closed(now);
            }
        }
    }

    /// Tells each connected sender whose pipe closed (C2), and looks
    /// again in [`CLOSED_LOOK_EVERY`] if one is still to be told.
    fn look_closed(&mut self, now: Instant) {
        let mut untold = false;
        for queued in self.connections.values_mut() {
            untold |= queued.connection.look_closed();
        }
        self.next_look = untold.then(|| now + CLOSED_LOOK_EVERY);
    }

    /// Has the monitor look at a connection that was just admitted, and
    /// is yet to be told that its pipe closed.
    fn watch_closing(&mut self, token: Token) {
        let admitted = self.connections.get(&token);
        if self.next_look.is_none() && admitted.is_some_and(|q| q.connection.awaits_closing()) {
            self.next_look = Some(Instant::now() + CLOSED_LOOK_EVERY);
        }
    }

    /// How long the next poll may wait: not at all while connections have
    /// turns left, until the next `accept` retry, hello deadline or look
    /// for closed pipes, else for an event.
    fn poll_timeout(&self, now: Instant) -> Option<Duration> {
        if !self.ready.is_empty() {
            return Some(Duration::ZERO);
        }
        if !self.paused.is_empty() {
            return Some(PAUSE_RETRY);
        }
        let retry = self.stalled.as_ref().map(|stalled| stalled.retry_at);
        let hello = self.hello_deadlines.front().map(|(due, _)| *due);
        let wake = [retry, hello, self.next_look].into_iter().flatten().min();
        wake.map(|at| at.saturating_duration_since(now))
    }

    /// Closes the connections whose hello was due by `now` and has not
    /// come. Connections that presented theirs, or are gone, just leave
    /// the list.
    fn close_overdue(&mut self, now: Instant) {
        while let Some(&(due, token)) = self.hello_deadlines.front() {
            if due > now {
                return;
            }
            self.hello_deadlines.pop_front();
            let overdue = self
                .connections
                .get(&token)
                .is_some_and(|queued| queued.connection.awaits_hello());
            if overdue && let Some(mut queued) = self.connections.remove(&token) {
                queued.connection.hello_timed_out(&self.intake);
                self.close(&mut queued);
            }
        }
    }

    /// Stops watching a connection that left the table; dropping it then
    /// closes its stream. A token still in the ready list or the deadline
    /// list finds nothing and is passed over.
    fn close(&self, queued: &mut Queued<M>) {
        let _ = self.poll.registry().deregister(queued.connection.stream());
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    self.accepting_again();
                    let token = Token(self.next);
                    self.next += 1;
                    if let Err(error) =
                        self.poll
                            .registry()
                            .register(&mut stream, token, Interest::READABLE)
                    {
                        tracing::warn!(%error, "cannot watch a new connection; closing it");
                        continue;
                    }
                    let id = token.0 as u64;
                    self.connections.insert(
                        token,
                        Queued {
                            connection: Connection::new(id, stream),
                            ready: false,
                        },
                    );
                    // A timeout too long to add up is no timeout.
                    if let Some(due) = Instant::now().checked_add(self.intake.hello_timeout) {
                        self.hello_deadlines.push_back((due, token));
                    }
                    self.mark_ready(token);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.accepting_again();
                    return;
                }
                // Interrupted, or a connection that was reset while it
                // waited: the next one may be fine.
                Err(error)
                    if matches!(
                        error.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(error) => {
                    self.accept_failed(&error);
                    return;
                }
            }
        }
    }

    /// `accept` failed: out of descriptors, most likely. Retries on a
    /// timer, since the listener's readiness is edge-triggered and the
    /// connection already waiting brings no new event. Warns on the first
    /// failure of a stall only.
    fn accept_failed(&mut self, error: &io::Error) {
        let now = Instant::now();
        let retry_at = now + ACCEPT_RETRY;
        if let Some(stalled) = &mut self.stalled {
            stalled.retries += 1;
            stalled.retry_at = retry_at;
            return;
        }
        tracing::warn!(
            %error,
            os_error = error.raw_os_error(),
            connections = self.connections.len(),
            retry_ms = ACCEPT_RETRY.as_millis(),
            "cannot accept a connection (out of file descriptors?); it waits in the backlog, \
             and accepting is retried every {} ms until it works",
            ACCEPT_RETRY.as_millis()
        );
        self.stalled = Some(Stalled {
            since: now,
            retry_at,
            retries: 0,
        });
    }

    /// `accept` works (it returned a connection or found none waiting):
    /// ends a stall, saying so.
    fn accepting_again(&mut self) {
        if let Some(stalled) = self.stalled.take() {
            tracing::info!(
                retries = stalled.retries,
                stalled_ms = stalled.since.elapsed().as_millis(),
                "accepting connections again"
            );
        }
    }

    fn mark_ready(&mut self, token: Token) {
        if let Some(queued) = self.connections.get_mut(&token)
            && !queued.ready
        {
            queued.ready = true;
            self.ready.push_back(token);
        }
    }

    /// Gives every ready connection one turn.
    fn serve_ready(&mut self) {
        for _ in 0..self.ready.len() {
            let Some(token) = self.ready.pop_front() else {
                return;
            };
            let Some(queued) = self.connections.get_mut(&token) else {
                continue;
            };
            let turn = queued.connection.read_turn(&self.intake);
            self.after_turn(token, turn);
            self.watch_closing(token);
        }
    }

    /// Gives each paused connection a look: those whose pipe has room go
    /// back to the ready list.
    fn resume_paused(&mut self) {
        for token in std::mem::take(&mut self.paused) {
            let Some(queued) = self.connections.get_mut(&token) else {
                continue;
            };
            let turn = queued.connection.resume(&self.intake);
            self.after_turn(token, turn);
        }
    }

    /// Files a connection by how its turn ended.
    fn after_turn(&mut self, token: Token, turn: Turn) {
        match turn {
            Turn::Drained => {
                if let Some(queued) = self.connections.get_mut(&token) {
                    queued.ready = false;
                }
            }
            Turn::More => {
                if let Some(queued) = self.connections.get_mut(&token) {
                    queued.ready = true;
                }
                self.ready.push_back(token);
            }
            Turn::Paused => {
                // Out of the ready list: its events are not lost, as
                // `resume` ends with a turn that reads on.
                if let Some(queued) = self.connections.get_mut(&token) {
                    queued.ready = true;
                }
                self.paused.push(token);
            }
            Turn::Closed => {
                if let Some(mut queued) = self.connections.remove(&token) {
                    self.close(&mut queued);
                }
            }
        }
    }
}
