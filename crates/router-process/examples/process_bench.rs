//! Throughput of the process backend against a bare socket hop of the same
//! frames, measured in one run.
//!
//! Both sides run a child process (this example again, `--child ...`)
//! that writes the same frames (length + postcard, one `write_all` per
//! message) to a Unix socket. The bare hop reads them in a plain loop on
//! the parent's main thread (buffered reader, decode, count); the process
//! router reads them on its monitor thread, forwards them into its channel
//! and routes them to a listener on the event loop. The clock runs from
//! the first message the parent sees to the last, so process start and
//! connection set-up are left out of both.
//!
//! ```text
//! cargo run --release -p router-process --example process_bench
//! ```

use std::cell::Cell;
use std::error::Error;
use std::io::{BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::process::{Child, Command};
use std::rc::Rc;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_process::{ProcessRouter, ProcessSender, child::TOKEN_VAR, wire};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Rounds per row; the table shows the median.
const ROUNDS: usize = 5;

/// A message of a row, made from its number.
trait Payload: Serialize + DeserializeOwned + Send + 'static {
    const NAME: &'static str;
    const COUNT: u32;
    fn make(n: u32) -> Self;
}

/// Two numbers: 2 to 10 bytes on the wire.
type Pair = (u32, u32);

impl Payload for Pair {
    const NAME: &'static str = "(u32, u32)";
    const COUNT: u32 = 1_000_000;
    fn make(n: u32) -> Self {
        (n % 16, n)
    }
}

/// A 256-byte blob.
#[derive(serde::Serialize, serde::Deserialize)]
struct Blob(Vec<u8>);

impl Payload for Blob {
    const NAME: &'static str = "256-byte Vec<u8>";
    const COUNT: u32 = 200_000;
    fn make(n: u32) -> Self {
        Self(vec![n.to_le_bytes()[0]; 256])
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["--child", "router", kind] => child_router(kind),
        ["--child", "bare", kind, socket] => child_bare(kind, socket),
        _ => parent(),
    }
}

fn parent() -> Result<(), Box<dyn Error>> {
    println!(
        "{:<18} {:>9} {:>18} {:>18} {:>12}",
        "message", "messages", "bare socket hop", "process router", "router/bare"
    );
    row::<Pair>("pair")?;
    row::<Blob>("blob")?;
    println!("(median of {ROUNDS} rounds, each side with one child process sending)");
    Ok(())
}

fn row<P: Payload>(kind: &str) -> Result<(), Box<dyn Error>> {
    let mut bare = Vec::new();
    let mut routed = Vec::new();
    for _ in 0..ROUNDS {
        bare.push(bare_hop::<P>(kind)?);
        routed.push(process_router::<P>(kind)?);
    }
    let bare = median(bare);
    let routed = median(routed);
    println!(
        "{:<18} {:>9} {:>12.2} M/s {:>14.2} M/s {:>12.2}",
        P::NAME,
        P::COUNT,
        bare / 1e6,
        routed / 1e6,
        routed / bare
    );
    Ok(())
}

fn median(mut rates: Vec<f64>) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

/// Messages per second from the first message seen to the last.
fn rate(count: u32, first: Instant, last: Instant) -> f64 {
    f64::from(count - 1) / (last - first).as_secs_f64()
}

fn wait(mut child: Child) -> Result<(), Box<dyn Error>> {
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("a child failed: {status}").into())
    }
}

/// The baseline: the same frames on the same kind of socket, read in a plain loop.
fn bare_hop<P: Payload>(kind: &str) -> Result<f64, Box<dyn Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("socket");
    let listener = UnixListener::bind(&path)?;
    let child = Command::new(std::env::current_exe()?)
        .args(["--child", "bare", kind])
        .arg(&path)
        .spawn()?;
    let (stream, _) = listener.accept()?;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    let mut header = [0u8; wire::HEADER_LEN];
    let mut payload = Vec::new();
    let mut first = None;
    for _ in 0..P::COUNT {
        reader.read_exact(&mut header)?;
        payload.resize(wire::payload_len(header), 0);
        reader.read_exact(&mut payload)?;
        let message: P = wire::decode_payload(&payload)?;
        std::hint::black_box(&message);
        first.get_or_insert_with(Instant::now);
    }
    let last = Instant::now();
    wait(child)?;
    Ok(rate(P::COUNT, first.unwrap_or(last), last))
}

/// The backend: a process sender, the monitor thread, the channel, the
/// event loop and a listener.
fn process_router<P: Payload>(kind: &str) -> Result<f64, Box<dyn Error>> {
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
    let child = Command::new(std::env::current_exe()?)
        .args(["--child", "router", kind])
        .env(TOKEN_VAR, sender.token())
        .spawn()?;
    event_loop.run_until(|| count.get() == P::COUNT, Some(Duration::from_secs(120)))?;
    let last = Instant::now();
    wait(child)?;
    router.close_pipe(&receiver)?;
    router.stop()?;
    Ok(rate(P::COUNT, first.get().unwrap_or(last), last))
}

fn child_router(kind: &str) -> Result<(), Box<dyn Error>> {
    fn send_all<P: Payload>() -> Result<(), Box<dyn Error>> {
        let mut sender = ProcessSender::<P>::from_token(&std::env::var(TOKEN_VAR)?)?;
        let mut open = sender.open()?;
        for n in 0..P::COUNT {
            open.send(P::make(n))?;
        }
        Ok(())
    }
    match kind {
        "pair" => send_all::<Pair>(),
        _ => send_all::<Blob>(),
    }
}

fn child_bare(kind: &str, socket: &str) -> Result<(), Box<dyn Error>> {
    fn send_all<P: Payload>(socket: &str) -> Result<(), Box<dyn Error>> {
        let mut stream = UnixStream::connect(socket)?;
        let mut buffer = Vec::new();
        for n in 0..P::COUNT {
            buffer.clear();
            buffer = wire::encode_frame(&P::make(n), buffer)?;
            stream.write_all(&buffer)?;
        }
        Ok(())
    }
    match kind {
        "pair" => send_all::<Pair>(socket),
        _ => send_all::<Blob>(socket),
    }
}
