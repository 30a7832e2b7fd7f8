//! The child's loop: reads the parent's requests from standard input and
//! runs each job on one of a few threads.

use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::{self, JoinHandle};

use router_api::MessageSender;

use crate::jobs::registry::{JobRegistry, Senders};
use crate::jobs::request::{GREETING, Order, Request};
use crate::token::TokenError;
use crate::wire;

/// Why [`serve`] stopped before its parent closed its standard input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Standard input does not start with a pool's greeting: this process
    /// was not started by a [`ChildPool`](crate::jobs::ChildPool).
    #[error("standard input does not come from a ChildPool (it does not start with its greeting)")]
    NotFromAPool,
    /// A request announced more bytes than a frame may hold.
    #[error("a job request of {len} bytes is over the limit of {limit}")]
    Oversized {
        /// The length announced.
        len: usize,
        /// [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN).
        limit: usize,
    },
    /// A request did not decode: the parent runs another build.
    #[error("a job request does not decode")]
    Undecodable(#[source] postcard::Error),
    /// A request's token did not read.
    #[error("a job request holds a token that does not read")]
    Token(#[source] TokenError),
    /// Standard input failed, or ended within a request.
    #[error("reading job requests from standard input failed")]
    Read(#[source] io::Error),
    /// The system refused a thread.
    #[error("the system refused a thread to run jobs on")]
    Thread(#[source] io::Error),
}

/// Serves the parent's jobs until it closes this process's standard input
/// (its [`ChildPool`](crate::jobs::ChildPool) was closed or dropped, or
/// the parent died): each job the parent submits by name runs on one of
/// as many threads as
/// [`available_parallelism`](std::thread::available_parallelism) says, as
/// `registry` registered it. Returns once every job taken has ended.
///
/// Call it from the child's `main` (or from a test the test binary re-runs
/// as the child); it owns standard input, which carries the requests and
/// the tokens in them: a job that starts a process gives it a standard
/// input of its own (`Stdio::null()`, say), or the process inherits the
/// pool's.
///
/// # Errors
///
/// A [`ServeError`] when standard input is not a pool's, or breaks: the
/// jobs taken before still end first. A child that returns from `main`
/// then exits, and its pool fails the jobs it had not started as lost.
pub fn serve(registry: JobRegistry) -> Result<(), ServeError> {
    let threads = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    serve_with_threads(registry, threads)
}

/// As [`serve`], on `threads` threads (at least one): at most that many of
/// the child's jobs run at once, the others wait (their handles in the
/// parent say [`Waiting`](router_jobs::JobState::Waiting)).
///
/// # Errors
///
/// As [`serve`].
pub fn serve_with_threads(registry: JobRegistry, threads: usize) -> Result<(), ServeError> {
    let stdin = io::stdin();
    serve_from(&mut stdin.lock(), registry, threads)
}

/// A job taken from the parent, waiting for a thread.
type Taken = (Order, Senders);

/// Serves the requests `input` holds.
fn serve_from(
    input: &mut impl Read,
    registry: JobRegistry,
    threads: usize,
) -> Result<(), ServeError> {
    let mut greeting = [0u8; GREETING.len()];
    match input.read_exact(&mut greeting) {
        Ok(()) if greeting == GREETING => {}
        Ok(()) => return Err(ServeError::NotFromAPool),
        Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => {
            return Err(ServeError::NotFromAPool);
        }
        Err(error) => return Err(ServeError::Read(error)),
    }
    let registry = Arc::new(registry);
    let (queue, taken) = mpsc::channel::<Taken>();
    let taken = Arc::new(Mutex::new(taken));
    let mut workers: Vec<JoinHandle<()>> = Vec::new();
    let mut read = Ok(());
    for number in 0..threads.max(1) {
        let (registry, taken) = (Arc::clone(&registry), Arc::clone(&taken));
        match thread::Builder::new()
            .name(format!("router-process-job-{number}"))
            .spawn(move || work(&registry, &taken))
        {
            Ok(worker) => workers.push(worker),
            Err(error) => {
                read = Err(ServeError::Thread(error));
                break;
            }
        }
    }
    while read.is_ok() {
        match next_request(input) {
            Ok(Some(job)) => {
                // The workers end only once the queue is dropped, below.
                let _ = queue.send(job);
            }
            Ok(None) => break,
            Err(error) => read = Err(error),
        }
    }
    drop(queue);
    for worker in workers {
        // A worker does not panic: the jobs' frames catch the bodies'.
        let _ = worker.join();
    }
    read
}

/// A worker: takes the jobs in order and runs each.
fn work(registry: &JobRegistry, taken: &Mutex<mpsc::Receiver<Taken>>) {
    loop {
        let next = taken.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((order, mut senders)) = next else {
            return;
        };
        // Started, it learns from the router whether the job was
        // cancelled while it waited (C2): then the body never runs.
        if let Err(error) = senders.cancel.start() {
            tracing::debug!(%error, job = %order.name, "a job's cancel pipe did not start");
        }
        registry.run(&order, senders);
    }
}

/// The next request, or `None` once the parent closed standard input.
fn next_request(input: &mut impl Read) -> Result<Option<Taken>, ServeError> {
    let mut header = [0u8; wire::HEADER_LEN];
    // The end of input between requests is the parent's close.
    loop {
        match input.read(&mut header[..1]) {
            Ok(0) => return Ok(None),
            Ok(_) => break,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(ServeError::Read(error)),
        }
    }
    input
        .read_exact(&mut header[1..])
        .map_err(ServeError::Read)?;
    let len = wire::payload_len(header);
    // Bounded before anything is allocated for it.
    if len > wire::MAX_FRAME_LEN {
        return Err(ServeError::Oversized {
            len,
            limit: wire::MAX_FRAME_LEN,
        });
    }
    let mut payload = vec![0u8; len];
    input.read_exact(&mut payload).map_err(ServeError::Read)?;
    let request: Request = wire::decode_payload(&payload).map_err(ServeError::Undecodable)?;
    request.into_parts().map(Some).map_err(ServeError::Token)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Cursor;

    use super::*;

    fn serve_bytes(bytes: Vec<u8>) -> Result<(), ServeError> {
        serve_from(&mut Cursor::new(bytes), JobRegistry::new(), 1)
    }

    fn greeted(rest: &[u8]) -> Vec<u8> {
        let mut bytes = GREETING.to_vec();
        bytes.extend_from_slice(rest);
        bytes
    }

    #[test]
    fn input_without_the_greeting_is_not_served() {
        assert!(matches!(
            serve_bytes(Vec::new()),
            Err(ServeError::NotFromAPool)
        ));
        assert!(matches!(
            serve_bytes(b"hello, world".to_vec()),
            Err(ServeError::NotFromAPool)
        ));
    }

    #[test]
    fn input_closed_after_the_greeting_ends_the_serving() {
        serve_bytes(greeted(&[])).unwrap();
    }

    #[test]
    fn an_oversized_request_is_refused_before_it_is_read() {
        let header = u32::MAX.to_le_bytes();
        assert!(matches!(
            serve_bytes(greeted(&header)),
            Err(ServeError::Oversized { .. })
        ));
    }

    #[test]
    fn a_request_cut_short_or_undecodable_ends_the_serving_with_an_error() {
        assert!(matches!(
            serve_bytes(greeted(&[9, 0])),
            Err(ServeError::Read(_))
        ));
        assert!(matches!(
            serve_bytes(greeted(&[4, 0, 0, 0, 1, 2])),
            Err(ServeError::Read(_))
        ));
        assert!(matches!(
            serve_bytes(greeted(&[3, 0, 0, 0, 0xff, 0xff, 0xff])),
            Err(ServeError::Undecodable(_))
        ));
    }
}
