//! What the tests of this crate share: an inbox that records what a
//! receiver got, and a raw client that speaks the wire format by hand.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::Duration;

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
use router_process::{ProcessRouter, ProcessSender, wire};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A generous bound for anything a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// What a receiver got, in order.
#[derive(Clone)]
pub struct Inbox<M>(Rc<RefCell<Vec<M>>>);

impl<M: Clone + 'static> Inbox<M> {
    pub fn connect(receiver: &impl MessageReceiver<M>) -> Self {
        let inbox = Self(Rc::new(RefCell::new(Vec::new())));
        let sink = Rc::clone(&inbox.0);
        receiver.connect(move |message: &M| sink.borrow_mut().push(message.clone()));
        inbox
    }

    pub fn len(&self) -> usize {
        self.0.borrow().len()
    }

    pub fn messages(&self) -> Vec<M> {
        self.0.borrow().clone()
    }
}

/// A started router that routes on a new event loop.
pub fn started_router<M>() -> (DefaultEventLoop, ProcessRouter<M>)
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    let event_loop = DefaultEventLoop::new();
    let router = ProcessRouter::new(&event_loop);
    router.start().unwrap();
    (event_loop, router)
}

/// Makes a pipe on `router` and connects an inbox to its receiver.
pub fn pipe_with_inbox<M>(
    router: &ProcessRouter<M>,
) -> (
    ProcessSender<M>,
    <ProcessRouter<M> as MessageRouter<M>>::Receiver,
    Inbox<M>,
)
where
    M: Serialize + DeserializeOwned + Send + Clone + 'static,
{
    let (sender, receiver) = router.pipe().unwrap();
    let inbox = Inbox::connect(&receiver);
    (sender, receiver, inbox)
}

/// The parts of a sender's token: pipe number, secret, socket path.
pub struct TokenParts {
    pub pipe: u64,
    pub secret: u128,
    pub socket: String,
}

/// Reads a token as the README documents it: `rp1:<pipe>:<secret>:<path>`.
pub fn token_parts(token: &str) -> TokenParts {
    let rest = token
        .strip_prefix("rp1:")
        .expect("a token starts with rp1:");
    let mut fields = rest.splitn(3, ':');
    let pipe = fields.next().unwrap().parse().unwrap();
    let secret = u128::from_str_radix(fields.next().unwrap(), 16).unwrap();
    let socket = fields.next().unwrap().to_owned();
    TokenParts {
        pipe,
        secret,
        socket,
    }
}

/// A client that writes frames by hand, as a faulty or hostile sender would.
pub struct RawClient {
    pub stream: UnixStream,
}

impl RawClient {
    pub fn connect(socket: &str) -> Self {
        let stream = UnixStream::connect(socket).expect("the router listens");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        Self { stream }
    }

    /// Writes the hello of a sender of `M` with the given secret and pipe.
    pub fn hello<M>(&mut self, secret: u128, pipe: u64) {
        self.write_value(&wire::Hello::new::<M>(secret, pipe));
    }

    /// Writes the hello of a sender of `M` and waits for the router's
    /// accept byte.
    pub fn admitted<M>(socket: &str, secret: u128, pipe: u64) -> Self {
        let mut client = Self::connect(socket);
        client.hello::<M>(secret, pipe);
        let mut answer = [0u8];
        client.stream.read_exact(&mut answer).unwrap();
        assert_eq!(answer[0], wire::ACCEPTED);
        client
    }

    pub fn write_value<T: serde::Serialize>(&mut self, value: &T) {
        let frame = wire::encode_frame(value, Vec::new()).unwrap();
        self.stream.write_all(&frame).unwrap();
    }

    /// Writes one message frame, as a sender's `send` does.
    pub fn write_message<T: serde::Serialize>(&mut self, message: &T) {
        let frame = wire::encode_message(message, Vec::new()).unwrap();
        self.stream.write_all(&frame).unwrap();
    }

    pub fn write_bytes(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Waits until the router closes the connection; returns the refusal
    /// it answered with, or `None` if it answered nothing or something
    /// else than one refusal byte.
    pub fn refusal(&mut self) -> Option<wire::Refusal> {
        let mut rest = Vec::new();
        // A reset after the answer still leaves the answer read.
        let mut byte = [0u8];
        match self.stream.read(&mut byte) {
            Ok(1) => {}
            _ => return None,
        }
        match self.stream.read_to_end(&mut rest) {
            Ok(_) if rest.is_empty() => wire::Refusal::from_code(byte[0]),
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => {
                wire::Refusal::from_code(byte[0])
            }
            _ => None,
        }
    }

    /// Waits until the router closes the connection (after an accept).
    pub fn wait_closed(&mut self) {
        let mut rest = Vec::new();
        let _ = self.stream.read_to_end(&mut rest);
    }
}
