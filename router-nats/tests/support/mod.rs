//! What the tests share: a real `nats-server -js` on a free loopback port
//! with its store in a temp dir, and an inbox that records what a
//! receiver got.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::cell::RefCell;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter};
use router_nats::{NatsRouter, NatsSender};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A generous bound for anything a test waits for.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The server binary: `$NATS_SERVER`, or `nats-server` on `PATH`.
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NATS_SERVER") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/bin")])
        .map(|dir| dir.join("nats-server"))
        .find(|candidate| candidate.is_file())
        .expect(
            "nats-server not found: install it (apt-get install -y nats-server) \
             or name it in NATS_SERVER",
        )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `nats-server -js` of the test's own. It runs under a small shell that
/// stops it (SIGTERM, then waits) when its standard input closes: when the
/// harness is dropped, or when the test process ends in any way, so no
/// server outlives its tests.
pub struct NatsServer {
    port: u16,
    store: tempfile::TempDir,
    shell: Option<(Child, ChildStdin)>,
}

impl NatsServer {
    /// Starts a server and waits until its port answers.
    pub fn start() -> Self {
        let mut server = Self {
            port: free_port(),
            store: tempfile::tempdir().unwrap(),
            shell: None,
        };
        server.launch();
        server
    }

    /// The one server the tests of this binary share.
    pub fn shared() -> &'static NatsServer {
        static SERVER: OnceLock<NatsServer> = OnceLock::new();
        SERVER.get_or_init(NatsServer::start)
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    fn launch(&mut self) {
        let mut shell = Command::new("sh")
            .arg("-c")
            .arg(r#""$@" </dev/null & pid=$!; read _; kill $pid; wait $pid"#)
            .arg("sh")
            .arg(binary())
            .args(["-js", "-a", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-sd")
            .arg(self.store.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = shell.stdin.take().unwrap();
        self.shell = Some((shell, stdin));
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not answer on {address}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops the server (gracefully) and waits until it has exited.
    pub fn stop(&mut self) {
        if let Some((mut shell, mut stdin)) = self.shell.take() {
            let _ = stdin.write_all(b"\n");
            drop(stdin);
            let deadline = Instant::now() + PATIENCE;
            while shell.try_wait().unwrap().is_none() {
                if Instant::now() > deadline {
                    let _ = shell.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = shell.wait();
        }
    }

    /// Stops the server and starts it again on the same port and store.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A URL nothing listens at.
pub fn dead_url() -> String {
    format!("nats://127.0.0.1:{}", free_port())
}

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

/// A started router on `server` that routes on a new event loop.
pub fn started_router<M>(server: &NatsServer) -> (DefaultEventLoop, NatsRouter<M>)
where
    M: Serialize + DeserializeOwned + Send + 'static,
{
    let event_loop = DefaultEventLoop::new();
    let router = NatsRouter::new(&event_loop, &server.url());
    router.start().unwrap();
    (event_loop, router)
}

/// Makes a pipe on `router` and connects an inbox to its receiver.
pub fn pipe_with_inbox<M>(
    router: &NatsRouter<M>,
) -> (
    NatsSender<M>,
    <NatsRouter<M> as MessageRouter<M>>::Receiver,
    Inbox<M>,
)
where
    M: Serialize + DeserializeOwned + Send + Clone + 'static,
{
    let (sender, receiver) = router.pipe().unwrap();
    let inbox = Inbox::connect(&receiver);
    (sender, receiver, inbox)
}

/// Runs the loop until `condition` holds; fails the test after PATIENCE.
pub fn run_until(event_loop: &DefaultEventLoop, what: &str, mut condition: impl FnMut() -> bool) {
    let outcome = event_loop.run_until(&mut condition, Some(PATIENCE));
    assert!(
        outcome.is_ok() && condition(),
        "timed out waiting for {what}"
    );
}

/// Runs the loop for `span`, routing whatever arrives.
pub fn run_for(event_loop: &DefaultEventLoop, span: Duration) {
    let deadline = Instant::now() + span;
    let _ = event_loop.run_until(|| Instant::now() >= deadline, Some(span));
}

/// Everything logged in this test process, as text: a global subscriber
/// (installed by the first call) writes each event as one line, so that
/// the router's consumer thread is heard too.
pub fn log_lines_containing(needle: &str) -> Vec<String> {
    use std::sync::Mutex;
    static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());
    struct Sink;
    impl Write for Sink {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            LOG.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(|| Sink)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
    String::from_utf8_lossy(&LOG.lock().unwrap())
        .lines()
        .filter(|line| line.contains(needle))
        .map(str::to_owned)
        .collect()
}

/// Waits until a line of the log holds every one of `needles`, and
/// returns it; fails the test after PATIENCE.
pub fn await_log(needles: &[&str]) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let found = log_lines_containing(needles[0])
            .into_iter()
            .find(|line| needles.iter().all(|needle| line.contains(needle)));
        if let Some(line) = found {
            return line;
        }
        assert!(Instant::now() < deadline, "nothing logged with {needles:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Publishes `frames` on `subject` through JetStream, acknowledged, as a
/// client of the server that holds no token.
pub fn publish_raw(url: &str, subject: &str, frames: Vec<Vec<u8>>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let context = async_nats::jetstream::new(client);
        for frame in frames {
            let ack = context
                .publish(subject.to_owned(), frame.into())
                .await
                .unwrap();
            ack.await.unwrap();
        }
    });
}
