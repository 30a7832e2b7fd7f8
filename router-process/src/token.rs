//! The token a sender travels as: what a child process needs to reach its
//! pipe, as one line of text.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

use router_api::PipeId;
use router_remote::TokenFields;

/// How a token starts: the format and its version.
const PREFIX: &str = "rp1:";

/// Digits of the secret in a token (128 bits, in hexadecimal).
const SECRET_DIGITS: usize = 32;

/// The router's socket, its secret, and the pipe.
///
/// Written as `rp1:<pipe>:<secret in 32 hex digits>:<socket path>`; the path
/// comes last, so it may hold any character but a newline. Whitespace
/// around the token is not part of it (a token read from a file, a shell
/// variable or a terminal often carries some), so a path cannot begin or
/// end with whitespace; the router's own paths end in `/socket`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) pipe: PipeId,
    pub(crate) secret: u128,
    pub(crate) socket: Arc<str>,
}

/// Why a token could not be read.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The text is not a token of this crate (or of another version of it).
    #[error("not a router-process token: a token starts with `{PREFIX}`")]
    NotAToken,
    /// The text stops before the pipe, the secret or the socket path.
    #[error("the token is cut short: it needs a pipe number, a secret and a socket path")]
    Truncated,
    /// The pipe number is not a number.
    #[error("the token's pipe number `{text}` is not a number")]
    Pipe {
        /// What stands where the pipe number belongs.
        text: String,
    },
    /// The secret is not 32 hexadecimal digits (it is not repeated here).
    #[error("the token's secret is not {SECRET_DIGITS} hexadecimal digits")]
    Secret,
    /// The environment variable that should name a token file is not set
    /// (nor the one that may hold a token itself, or it is not Unicode).
    #[error(
        "the environment variable {variable} names no token file (and ROUTER_PROCESS_TOKEN holds \
         no token); was this process started by its router's parent?"
    )]
    NotInEnvironment {
        /// The variable.
        variable: &'static str,
    },
    /// The one-shot token file is gone: another process read it first (a
    /// grandchild that inherited its path finds it so), or its router
    /// stopped and removed it.
    #[error(
        "the token file {} is gone: it is read once, and was read already (or its router stopped)",
        path.display()
    )]
    FileGone {
        /// The file's path.
        path: PathBuf,
    },
    /// The token file could not be read.
    #[error("cannot read the token file {}", path.display())]
    File {
        /// The file's path.
        path: PathBuf,
        /// What the system said (shared: the answer is kept, see
        /// [`token_from_env`](crate::child::token_from_env)).
        #[source]
        source: Arc<io::Error>,
    },
    /// The token file could not be removed once read: the secret would
    /// stay readable for the processes this one starts, so it is not used.
    #[error(
        "cannot remove the token file {} once read, so its secret is not used",
        path.display()
    )]
    FileNotRemoved {
        /// The file's path (renamed when it was claimed).
        path: PathBuf,
        /// What the system said (shared: the answer is kept, see
        /// [`token_from_env`](crate::child::token_from_env)).
        #[source]
        source: Arc<io::Error>,
    },
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = self.secret.to_be_bytes();
        router_remote::write_token(f, PREFIX, self.pipe, &[&secret], &self.socket)
    }
}

impl FromStr for Token {
    type Err = TokenError;

    fn from_str(text: &str) -> Result<Self, TokenError> {
        let mut fields = TokenFields::read(text, PREFIX, 3)?;
        // Read in the order they are written: a struct's fields are.
        Ok(Self {
            pipe: fields.pipe()?,
            secret: u128::from_be_bytes(fields.hex::<16>("secret")?),
            socket: Arc::from(fields.rest()?),
        })
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("Token")
            .field("pipe", &self.pipe)
            .field("socket", &self.socket)
            .finish_non_exhaustive()
    }
}

router_remote::token_error_from_fields!(TokenError, |_field, _digits| TokenError::Secret);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn token() -> Token {
        Token {
            pipe: PipeId::new(42),
            secret: 0x0123_4567_89ab_cdef_0011_2233_4455_6677,
            socket: Arc::from("/tmp/router-process-x:y/socket"),
        }
    }

    #[test]
    fn token_reads_back_what_it_wrote() {
        let text = token().to_string();
        assert_eq!(
            text,
            "rp1:42:0123456789abcdef0011223344556677:/tmp/router-process-x:y/socket"
        );
        assert_eq!(text.parse::<Token>().unwrap(), token());
    }

    #[test]
    fn small_secret_keeps_its_leading_zeros() {
        let small = Token {
            secret: 1,
            ..token()
        };
        assert_eq!(small.to_string().parse::<Token>().unwrap(), small);
    }

    #[test]
    fn token_with_surrounding_whitespace_is_read_trimmed() {
        let text = token().to_string();
        for padded in [
            format!(" {text}"),
            format!("{text} "),
            format!("\t {text}\r\n"),
            format!("\n{text}\n\n"),
        ] {
            assert_eq!(padded.parse::<Token>().unwrap(), token(), "{padded:?}");
        }
    }

    #[test]
    fn malformed_tokens_say_what_is_wrong() {
        let cases = [
            ("hello", TokenError::NotAToken),
            ("rp1:4:abc", TokenError::Truncated),
            (
                "rp1:4:0123456789abcdef0011223344556677:",
                TokenError::Truncated,
            ),
            (
                "rp1:+4:0123456789abcdef0011223344556677:/s",
                TokenError::Pipe { text: "+4".into() },
            ),
            ("rp1:4:0123:/s", TokenError::Secret),
            (
                "rp1:4:+123456789abcdef0011223344556677:/s",
                TokenError::Secret,
            ),
        ];
        for (text, expected) in cases {
            let error = text.parse::<Token>().unwrap_err();
            assert_eq!(error.to_string(), expected.to_string(), "{text}");
        }
    }

    #[test]
    fn debug_of_token_hides_the_secret() {
        let shown = format!("{:?}", token());
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("42"), "{shown}");
    }
}
