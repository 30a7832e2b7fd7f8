//! The monitor thread: the one thread a router run starts. It accepts
//! senders' connections and reads them all, with one `poll`, and forwards
//! each message into the run's channel, which pings the event loop.
//!
//! One thread for any number of senders, rather than one per connection:
//! sixteen child processes cost one thread, not seventeen, and stopping
//! is one wake-up and one join. Connections are read in turns of a few
//! reads each, so a flood on one pipe does not starve the others.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use mio::net::UnixListener;
use mio::{Events, Interest, Poll, Token, Waker};
use serde::de::DeserializeOwned;

use crate::connection::{Connection, Intake, Turn};

/// The monitor thread's name, as the system shows it (15 bytes at most on
/// Linux, so it is not cut short).
pub const MONITOR_THREAD_NAME: &str = "router-process";

const WAKE: Token = Token(0);
const LISTEN: Token = Token(1);
const FIRST_CONNECTION: usize = 2;

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
            next: FIRST_CONNECTION,
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

struct Queued {
    connection: Connection,
    /// In the ready list: it may have bytes to read.
    ready: bool,
}

/// The monitor thread's state.
struct Watch<M: Send + 'static> {
    poll: Poll,
    listener: UnixListener,
    intake: Intake<M>,
    connections: HashMap<Token, Queued>,
    ready: VecDeque<Token>,
    next: usize,
}

impl<M> Watch<M>
where
    M: DeserializeOwned + Send + 'static,
{
    fn run(mut self) {
        tracing::debug!("router monitor started");
        let mut events = Events::with_capacity(256);
        loop {
            // Poll without waiting while connections have turns left.
            let timeout = (!self.ready.is_empty()).then_some(Duration::ZERO);
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
            self.serve_ready();
        }
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
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
                    self.mark_ready(token);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    // Out of descriptors, most likely: the next connection tries again.
                    tracing::warn!(%error, "cannot accept a connection");
                    return;
                }
            }
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
            match queued.connection.read_turn(&self.intake) {
                Turn::Drained => queued.ready = false,
                Turn::More => self.ready.push_back(token),
                Turn::Closed => {
                    if let Some(mut queued) = self.connections.remove(&token) {
                        // Dropping the stream closes it, registered or not.
                        let _ = self.poll.registry().deregister(queued.connection.stream());
                    }
                }
            }
        }
    }
}
