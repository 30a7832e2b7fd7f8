//! Where one router run listens: a private directory, its socket and the
//! run's secret.

use std::fmt;
use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mio::net::UnixListener;
use tempfile::TempDir;

/// Only the user may open the directory: other users cannot reach the
/// socket at all, whatever they know of the secret.
const PRIVATE: u32 = 0o700;

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
    /// A sentence saying what failed.
    pub(crate) fn open() -> Result<(Self, UnixListener), String> {
        let dir = tempfile::Builder::new()
            .prefix("router-process-")
            .permissions(Permissions::from_mode(PRIVATE))
            .tempdir()
            .map_err(|error| format!("cannot make a private directory for its socket: {error}"))?;
        let path = dir.path().join("socket");
        let socket: Arc<str> = path
            .to_str()
            .ok_or_else(|| {
                format!(
                    "its socket path {} is not Unicode and cannot go into a token; \
                     set TMPDIR to a Unicode path",
                    path.display()
                )
            })?
            .into();
        let listener = UnixListener::bind(&path)
            .map_err(|error| format!("cannot listen at {}: {error}", path.display()))?;
        let mut secret = [0u8; 16];
        getrandom::fill(&mut secret)
            .map_err(|error| format!("cannot draw a random secret: {error}"))?;
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
