//! Handing a sender to a child process, so that only the child gets it;
//! and child processes for tests: re-run the test binary as the child.
//!
//! # Handing over the token
//!
//! A sender's token holds its router's secret. Put in the child's
//! environment, it would stay there for the child's life and pass on to
//! every process the child starts (a shell, a compiler, a plug-in);
//! removing it again is `unsafe` (`std::env::remove_var`). So
//! [`pass_token`] writes the token to a **one-shot file**, readable by
//! this user only, in the router's private socket directory, and puts
//! only the file's path in the child's environment ([`TOKEN_FILE_VAR`]).
//! The child reads it once ([`token_from_env`], [`sender_from_env`]) and
//! removes the file: a grandchild inherits the path of a file that is
//! gone, never the secret. Read the token before the child starts any
//! process of its own.
//!
//! ```no_run
//! use std::process::Command;
//! use router_api::{DefaultEventLoop, MessageRouter};
//! use router_process::{ProcessRouter, child};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let event_loop = DefaultEventLoop::new();
//! let router = ProcessRouter::<u64>::new(&event_loop);
//! router.start()?;
//! let (sender, receiver) = router.pipe()?;
//! let mut command = Command::new("my-worker");
//! child::pass_token(&mut command, &sender.token())?;
//! let child = command.spawn()?;
//! // In my-worker: let sender: ProcessSender<u64> = child::sender_from_env()?;
//! # Ok(())
//! # }
//! ```
//!
//! # Senders in child processes, in tests
//!
//! A test that needs a sender in another process spawns its own test
//! binary again, filtered to one `#[test]` that plays the child, and hands
//! it the sender's token with [`pass_token`]. The child test is
//! `#[ignore]`d, so a plain `cargo test` lists it as ignored instead of
//! running it without a router:
//!
//! ```no_run
//! use router_api::{DefaultEventLoop, MessageRouter, MessageSender};
//! use router_process::{ProcessRouter, ProcessSender, child};
//!
//! #[test]
//! fn messages_from_a_child_process_arrive() -> Result<(), Box<dyn std::error::Error>> {
//!     let event_loop = DefaultEventLoop::new();
//!     let router = ProcessRouter::<u64>::new(&event_loop);
//!     router.start()?;
//!     let (sender, receiver) = router.pipe()?;
//!     let mut child = child::test_command("child_sends_three", &sender.token())?.spawn()?;
//!     // ... connect a listener, run the event loop until three messages came ...
//!     assert!(child.wait()?.success());
//!     router.close_pipe(&receiver)?;
//!     router.stop()?;
//!     Ok(())
//! }
//!
//! #[test]
//! #[ignore = "a child process of messages_from_a_child_process_arrive"]
//! fn child_sends_three() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut sender: ProcessSender<u64> = child::sender_from_env()?;
//!     let mut open = sender.open()?;
//!     for n in 0..3 {
//!         open.send(n)?;
//!     }
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! Give the child test's full path (`module::name`) when it is not at
//! the top of the test crate. Further arguments go to the child by
//! environment variables on the returned [`Command`]. The child's test
//! harness prints its summary on stdout, which is discarded; a panic in
//! the child shows on stderr and makes its exit status a failure.

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};

use crate::sender::ProcessSender;
use crate::token::{Token, TokenError};

/// The environment variable that carries the path of a one-shot token
/// file ([`pass_token`]) to a child.
pub const TOKEN_FILE_VAR: &str = "ROUTER_PROCESS_TOKEN_FILE";

/// The environment variable that may carry a token itself to a child.
///
/// [`token_from_env`] still reads it when [`TOKEN_FILE_VAR`] is not set,
/// but a token there stays in the child's environment and passes on to
/// every process the child starts: hand tokens over with [`pass_token`].
pub const TOKEN_VAR: &str = "ROUTER_PROCESS_TOKEN";

/// Only the user may read or write a token file.
const PRIVATE_FILE: u32 = 0o600;

/// Hands `token` to the child that `command` will start: writes it to a
/// one-shot file only this user can read and sets [`TOKEN_FILE_VAR`] to
/// the file's path on `command` (and removes [`TOKEN_VAR`] from it, so a
/// token this process was given does not pass on). Returns the path.
///
/// The file goes in the router's private socket directory, which the
/// router removes when it stops, so a child that never reads it leaves
/// nothing behind; when that directory is gone (the router stopped), in
/// the system's temporary directory, where it stays until a child reads
/// it (the secret in it is then of a router that stopped). Each file is
/// read once: call this again for each spawn of `command`.
///
/// # Errors
///
/// When `token` is not a token ([`io::ErrorKind::InvalidInput`]), or the
/// file cannot be written.
pub fn pass_token(command: &mut Command, token: &str) -> io::Result<PathBuf> {
    let parsed: Token = token
        .parse()
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidInput, error))?;
    let socket_dir = Path::new(&*parsed.socket)
        .parent()
        .filter(|dir| dir.is_dir())
        .map(Path::to_owned);
    let dir = socket_dir.unwrap_or_else(std::env::temp_dir);
    let mut file = tempfile::Builder::new()
        .prefix("router-process-token-")
        .permissions(Permissions::from_mode(PRIVATE_FILE))
        .tempfile_in(&dir)?;
    file.write_all(parsed.to_string().as_bytes())?;
    let path = file.into_temp_path().keep().map_err(|error| error.error)?;
    command.env(TOKEN_FILE_VAR, &path).env_remove(TOKEN_VAR);
    Ok(path)
}

/// A command that runs this test binary again, only the `#[ignore]`d test
/// `test`, with `token` handed over by [`pass_token`].
///
/// # Errors
///
/// When the path of the running executable cannot be found, or
/// [`pass_token`] fails.
pub fn test_command(test: &str, token: &str) -> io::Result<Command> {
    let mut command = Command::new(std::env::current_exe()?);
    command
        .args([
            test,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    pass_token(&mut command, token)?;
    Ok(command)
}

/// The token this process was handed, read once and kept: from the
/// one-shot file [`TOKEN_FILE_VAR`] names, which is removed once read, or
/// else from [`TOKEN_VAR`]. Later calls give the same answer.
///
/// # Errors
///
/// [`TokenError::NotInEnvironment`] when neither variable is set (the
/// process was not started by its router's parent);
/// [`TokenError::FileGone`] when the file was read before (by another
/// process that inherited the path) or its router stopped;
/// [`TokenError::File`] when the file cannot be read, and
/// [`TokenError::FileNotRemoved`] when it cannot be removed (the secret
/// would stay readable for the processes this one starts).
pub fn token_from_env() -> Result<String, TokenError> {
    static TOKEN: OnceLock<Result<String, TokenError>> = OnceLock::new();
    TOKEN.get_or_init(read_token).clone()
}

fn read_token() -> Result<String, TokenError> {
    if let Some(path) = std::env::var_os(TOKEN_FILE_VAR) {
        return read_token_file(PathBuf::from(path));
    }
    std::env::var(TOKEN_VAR).map_err(|_| TokenError::NotInEnvironment {
        variable: TOKEN_FILE_VAR,
    })
}

/// Claims the file at `path` by renaming it (of processes that race for
/// it, one wins), then reads it and removes it.
fn read_token_file(path: PathBuf) -> Result<String, TokenError> {
    let mut claimed = path.clone().into_os_string();
    claimed.push(format!(".read-by-{}", std::process::id()));
    let claimed = PathBuf::from(claimed);
    match fs::rename(&path, &claimed) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(TokenError::FileGone { path });
        }
        Err(source) => {
            return Err(TokenError::File {
                path,
                source: Arc::new(source),
            });
        }
    }
    let text = fs::read_to_string(&claimed);
    if let Err(source) = fs::remove_file(&claimed) {
        return Err(TokenError::FileNotRemoved {
            path: claimed,
            source: Arc::new(source),
        });
    }
    text.map_err(|source| TokenError::File {
        path,
        source: Arc::new(source),
    })
}

/// The sender whose token this process was handed ([`token_from_env`]),
/// un-started.
///
/// # Errors
///
/// What [`token_from_env`] says, or what is wrong with the token.
pub fn sender_from_env<M>() -> Result<ProcessSender<M>, TokenError> {
    ProcessSender::from_token(&token_from_env()?)
}
