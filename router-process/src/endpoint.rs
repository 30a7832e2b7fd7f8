//! Where one router run listens: a private directory, its socket and the
//! run's secret.

use std::fmt;
use std::fs::Permissions;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mio::net::UnixListener;
use tempfile::TempDir;

/// Only the user may open the directory: other users cannot reach the
/// socket at all, whatever they know of the secret.
const PRIVATE: u32 = 0o700;

/// Why a [`ProcessRouter`](crate::ProcessRouter) could not start
/// listening for its senders: the `source` of the
/// [`RouterStartError::Setup`](router_api::RouterStartError::Setup) that
/// its `start` returns (`error.cause::<ListenError>()` finds it). The
/// router stays stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListenError {
    /// The private directory for the socket could not be made (under
    /// `TMPDIR`, or `/tmp`).
    #[error("cannot make a private directory for the router's socket")]
    Directory(#[source] io::Error),
    /// The socket's path is not Unicode, so it cannot go into a token.
    #[error(
        "the router's socket path {} is not Unicode and cannot go into a token; set TMPDIR to a Unicode path",
        path.display()
    )]
    NotUnicode {
        /// The path.
        path: PathBuf,
    },
    /// The socket could not be bound.
    #[error("cannot listen at {}", path.display())]
    Listen {
        /// The socket's path.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// The system's random source failed, so no secret could be drawn.
    #[error("cannot draw a random secret for the router run")]
    Secret(#[source] getrandom::Error),
    /// The monitor thread, or the poll it waits in, could not be made.
    #[error("cannot start the router's monitor thread")]
    Monitor(#[source] io::Error),
}

/// One run's socket, in a directory made for it and removed with it.
pub(crate) struct Endpoint {
    dir: TempDir,
    socket: Arc<str>,
    secret: u128,
}

impl Endpoint {
    /// Makes the directory, binds the socket in it and draws the secret.
    ///
    /// # Errors
    ///
    /// The [`ListenError`] that says which step failed.
    pub(crate) fn open() -> Result<(Self, UnixListener), ListenError> {
        let dir = tempfile::Builder::new()
            .prefix("router-process-")
            .permissions(Permissions::from_mode(PRIVATE))
            .tempdir()
            .map_err(ListenError::Directory)?;
        let path = dir.path().join("socket");
        let Some(socket) = path.to_str().map(Arc::<str>::from) else {
            return Err(ListenError::NotUnicode { path });
        };
        let listener =
            UnixListener::bind(&path).map_err(|source| ListenError::Listen { path, source })?;
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret).map_err(ListenError::Secret)?;
        let endpoint = Self {
            dir,
            socket,
            secret: u128::from_le_bytes(secret),
        };
        Ok((endpoint, listener))
    }

    pub(crate) fn socket(&self) -> &Arc<str> {
        &self.socket
    }

    pub(crate) fn secret(&self) -> u128 {
        self.secret
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Removes the socket and its directory.
    pub(crate) fn remove(self) {
        let dir: PathBuf = self.dir.path().to_owned();
        if let Err(error) = self.dir.close() {
            tracing::warn!(dir = %dir.display(), %error, "cannot remove the router's socket directory");
        }
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}
