//! The process backend against a bare socket hop of the same frames.
//!
//! Both sides run a child process (the running bench binary again, with
//! [`CHILD_FLAG`]) that writes the same frames (length + postcard, one
//! `write_all` per message) to a Unix socket. The bare hop reads them in a
//! plain loop on the parent's main thread (buffered reader, decode,
//! count); the process router reads them on its monitor thread, forwards
//! them into its channel and routes them to a listener on the event loop.
//! The clock runs from the first message the parent sees to the last, so
//! process start and connection set-up are left out of both.
//!
//! A binary that measures this must call [`run_child_if_asked`] first
//! thing in `main`.

use std::cell::Cell;
use std::io::{BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Child, Command};
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_process::{ProcessRouter, child, wire};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::BenchError;

/// The first argument of a bench binary run as a sending child.
pub const CHILD_FLAG: &str = "--process-bench-child";

/// A message kind of the process rows, made from its number.
pub trait Payload: Serialize + DeserializeOwned + Send + 'static {
    /// The row's name.
    const NAME: &'static str;
    /// The argument that names it to a child.
    const KIND: &'static str;
    /// How many messages a run sends.
    const COUNT: u32;
    /// The `n`th message.
    fn make(n: u32) -> Self;
}

/// Two numbers: 2 to 10 bytes on the wire.
pub type Pair = (u32, u32);

impl Payload for Pair {
    const NAME: &'static str = "(u32, u32)";
    const KIND: &'static str = "pair";
    const COUNT: u32 = 1_000_000;
    fn make(n: u32) -> Self {
        (n % 16, n)
    }
}

/// A 256-byte blob.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Blob(Vec<u8>);

impl Payload for Blob {
    const NAME: &'static str = "256-byte `Vec<u8>`";
    const KIND: &'static str = "blob";
    const COUNT: u32 = 200_000;
    fn make(n: u32) -> Self {
        Self(vec![n.to_le_bytes()[0]; 256])
    }
}

/// The median rates of `rounds` runs of each side, messages per second:
/// `(bare socket hop, process router)`.
///
/// # Errors
///
/// When a socket, a child process or the router fails.
pub fn median_rates<P: Payload>(rounds: usize) -> Result<(f64, f64), BenchError> {
    let mut bare = Vec::new();
    let mut routed = Vec::new();
    for _ in 0..rounds.max(1) {
        bare.push(bare_hop::<P>()?);
        routed.push(process_router::<P>()?);
    }
    Ok((median(bare), median(routed)))
}

/// Runs the sending child and returns its outcome, when this process was
/// started as one (its first argument is [`CHILD_FLAG`]); `None` otherwise.
#[must_use]
pub fn run_child_if_asked() -> Option<Result<(), BenchError>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [CHILD_FLAG, "router", kind] => Some(by_kind(kind, |p| p.child_router())),
        [CHILD_FLAG, "bare", kind, socket] => Some(by_kind(kind, |p| p.child_bare(socket))),
        _ => None,
    }
}

/// The two payloads, so a child can be told which by name.
enum Kind {
    Pair,
    Blob,
}

impl Kind {
    fn child_router(&self) -> Result<(), BenchError> {
        match self {
            Self::Pair => child_router::<Pair>(),
            Self::Blob => child_router::<Blob>(),
        }
    }

    fn child_bare(&self, socket: &str) -> Result<(), BenchError> {
        match self {
            Self::Pair => child_bare::<Pair>(socket),
            Self::Blob => child_bare::<Blob>(socket),
        }
    }
}

fn by_kind(kind: &str, run: impl FnOnce(Kind) -> Result<(), BenchError>) -> Result<(), BenchError> {
    match kind {
        k if k == Pair::KIND => run(Kind::Pair),
        k if k == Blob::KIND => run(Kind::Blob),
        other => Err(BenchError::NoPayloadKind {
            kind: other.to_owned(),
        }),
    }
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates.get(rates.len() / 2).copied().unwrap_or(0.0)
}

/// Messages per second from the first message seen to the last.
fn rate(count: u32, first: Instant, last: Instant) -> f64 {
    f64::from(count.saturating_sub(1)) / (last - first).as_secs_f64().max(f64::MIN_POSITIVE)
}

fn process_error(error: impl Into<router_api::BoxError>) -> BenchError {
    BenchError::Process(error.into())
}

fn child_command(args: &[&str]) -> Result<Command, BenchError> {
    let mut command = Command::new(std::env::current_exe().map_err(process_error)?);
    command.arg(CHILD_FLAG).args(args);
    Ok(command)
}

fn wait(mut child: Child) -> Result<(), BenchError> {
    let status = child.wait().map_err(process_error)?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::ChildFailed { status })
    }
}

/// The baseline: the same frames on the same kind of socket, read in a plain loop.
fn bare_hop<P: Payload>() -> Result<f64, BenchError> {
    let dir = tempfile::tempdir().map_err(process_error)?;
    let path = dir.path().join("socket");
    let listener = UnixListener::bind(&path).map_err(process_error)?;
    let child = child_command(&["bare", P::KIND])?
        .arg(&path)
        .spawn()
        .map_err(process_error)?;
    let (stream, _) = listener.accept().map_err(process_error)?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut header = [0u8; wire::HEADER_LEN];
    let mut payload = Vec::new();
    let mut first = None;
    for _ in 0..P::COUNT {
        reader.read_exact(&mut header).map_err(process_error)?;
        payload.resize(wire::payload_len(header), 0);
        reader.read_exact(&mut payload).map_err(process_error)?;
        let message: P = wire::decode_payload(&payload).map_err(process_error)?;
        std::hint::black_box(&message);
        first.get_or_insert_with(Instant::now);
    }
    let last = Instant::now();
    wait(child)?;
    Ok(rate(P::COUNT, first.unwrap_or(last), last))
}

/// The backend: a process sender, the monitor thread, the channel, the
/// event loop and a listener.
fn process_router<P: Payload>() -> Result<f64, BenchError> {
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::<P>::new(&event_loop);
    router.start()?;
    let (sender, receiver) = router.pipe()?;
    let count = Rc::new(Cell::new(0u32));
    let first = Rc::new(Cell::new(None));
    receiver.connect({
        let count = Rc::clone(&count);
        let first = Rc::clone(&first);
        move |message: &P| {
            std::hint::black_box(message);
            if first.get().is_none() {
                first.set(Some(Instant::now()));
            }
            count.set(count.get() + 1);
        }
    });
    let mut command = child_command(&["router", P::KIND])?;
    child::pass_token(&mut command, &sender.token()).map_err(process_error)?;
    let child = command.spawn().map_err(process_error)?;
    event_loop.run_until(|| count.get() == P::COUNT, Some(Duration::from_secs(120)))?;
    let last = Instant::now();
    wait(child)?;
    router.close_pipe(&receiver)?;
    router.stop()?;
    Ok(rate(P::COUNT, first.get().unwrap_or(last), last))
}

fn child_router<P: Payload>() -> Result<(), BenchError> {
    let mut sender = child::sender_from_env::<P>().map_err(process_error)?;
    let mut open = sender.open()?;
    for n in 0..P::COUNT {
        open.send(P::make(n))?;
    }
    Ok(())
}

fn child_bare<P: Payload>(socket: &str) -> Result<(), BenchError> {
    let mut stream = UnixStream::connect(socket).map_err(process_error)?;
    let mut buffer = Vec::new();
    for n in 0..P::COUNT {
        buffer.clear();
        buffer = wire::encode_frame(&P::make(n), buffer).map_err(process_error)?;
        stream.write_all(&buffer).map_err(process_error)?;
    }
    Ok(())
}
