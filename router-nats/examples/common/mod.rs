//! What the examples share: a `nats-server -js` of their own.

#![allow(dead_code, unreachable_pub)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An example's error.
pub type Failure = Box<dyn std::error::Error>;

/// The server at `NATS_URL`, or else a local one of the example's own
/// (kept alive by the second value).
pub fn server_from_env() -> Result<(String, Option<LocalServer>), Failure> {
    match std::env::var("NATS_URL") {
        Ok(url) => Ok((url, None)),
        Err(_) => {
            let server = LocalServer::start()?;
            Ok((server.url.clone(), Some(server)))
        }
    }
}

/// A `nats-server -js` of the example's own, stopped when dropped.
pub struct LocalServer {
    /// Where it listens.
    pub url: String,
    child: Child,
    _store: tempfile::TempDir,
}

impl LocalServer {
    /// Starts it on a free loopback port, its store in a temp dir.
    pub fn start() -> Result<Self, Failure> {
        let binary = std::env::var_os("NATS_SERVER")
            .map(PathBuf::from)
            .or_else(|| {
                let path = std::env::var_os("PATH").unwrap_or_default();
                std::env::split_paths(&path)
                    .chain([PathBuf::from("/usr/sbin")])
                    .map(|dir| dir.join("nats-server"))
                    .find(|candidate| candidate.is_file())
            });
        let binary = binary.ok_or("nats-server not found: apt-get install -y nats-server")?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let store = tempfile::tempdir()?;
        let child = Command::new(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(store.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("nats-server did not start".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Self {
            url: format!("nats://127.0.0.1:{port}"),
            child,
            _store: store,
        })
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
