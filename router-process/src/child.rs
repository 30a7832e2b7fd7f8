//! Child processes for tests: re-run the test binary as the child.
//!
//! A test that needs a sender in another process spawns its own test
//! binary again, filtered to one `#[test]` that plays the child, and hands
//! it the sender's token in the environment variable [`TOKEN_VAR`]. The
//! child test is `#[ignore]`d, so a plain `cargo test` lists it as ignored
//! instead of running it without a router:
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

use std::io;
use std::process::{Command, Stdio};

use crate::ProcessSender;
use crate::token::TokenError;

/// The environment variable that carries a sender's token to a child.
pub const TOKEN_VAR: &str = "ROUTER_PROCESS_TOKEN";

/// A command that runs this test binary again, only the `#[ignore]`d test
/// `test`, with `token` in [`TOKEN_VAR`].
///
/// # Errors
///
/// When the path of the running executable cannot be found.
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
        .env(TOKEN_VAR, token)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    Ok(command)
}

/// The token in [`TOKEN_VAR`], if this process was given one.
#[must_use]
pub fn token_from_env() -> Option<String> {
    std::env::var(TOKEN_VAR).ok()
}

/// The sender whose token is in [`TOKEN_VAR`], un-started.
///
/// # Errors
///
/// [`TokenError::NotInEnvironment`] when the variable is not set (the
/// test was run by hand, not by its parent), or what is wrong with the
/// token.
pub fn sender_from_env<M>() -> Result<ProcessSender<M>, TokenError> {
    let token = token_from_env().ok_or(TokenError::NotInEnvironment {
        variable: TOKEN_VAR,
    })?;
    ProcessSender::from_token(&token)
}
