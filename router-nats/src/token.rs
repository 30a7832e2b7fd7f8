//! The token a sender travels as, and the NATS names of a router run.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use router_api::PipeId;
use router_remote::TokenFields;

use crate::frame::Key;

/// How a token starts: the format and its version.
const PREFIX: &str = "rn1:";

/// The stream that holds one router run's frames.
pub(crate) fn stream_name(run: u64) -> String {
    format!("RNATS_{run:016X}")
}

/// The subjects of one run's pipes: `rnats.<run>.<pipe>`.
pub(crate) fn subjects(run: u64) -> String {
    format!("rnats.{run:016x}.*")
}

/// The subject of one pipe of one run.
pub(crate) fn subject(run: u64, pipe: u64) -> String {
    format!("rnats.{run:016x}.{pipe}")
}

/// The pipe a subject of run `run` names, `rnats.<run>.<pipe><suffix>`
/// (the suffix empty for the pipe's frames); `None` for a subject that is
/// not one. The pipe is read as it is written: decimal digits, at most a
/// `u64`'s 20, with no leading zero.
pub(crate) fn pipe_named(run: u64, subject: &str, suffix: &str) -> Option<u64> {
    let rest = subject.strip_prefix("rnats.")?;
    let (run_digits, rest) = rest.split_at_checked(16)?;
    let named_run = u64::from_str_radix(run_digits, 16).ok()?;
    let digits = rest.strip_prefix('.')?.strip_suffix(suffix)?;
    let canonical = digits.len() == 1 || !digits.starts_with('0');
    let decimal =
        !digits.is_empty() && digits.len() <= 20 && digits.bytes().all(|b| b.is_ascii_digit());
    let lower_hex = run_digits
        .bytes()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if named_run != run || !canonical || !decimal || !lower_hex {
        return None;
    }
    digits.parse().ok()
}

/// Everything a worker needs to reach its pipe: the server, the run, the
/// pipe, the pipe's key and the fingerprint of the message type.
///
/// Written as `rn1:<pipe>:<key, 64 hex digits>:<message type, 16 hex
/// digits>:<run, 16 hex digits>:<server URL>`; the URL comes last, so it
/// may hold colons. Whitespace around a token is not part of it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) pipe: PipeId,
    pub(crate) key: Key,
    pub(crate) message_type: u64,
    pub(crate) run: u64,
    pub(crate) server: Arc<str>,
}

/// Why a token could not be read.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The text is not a token of this crate (or of another version of it).
    #[error("not a router-nats token: a token starts with `{PREFIX}`")]
    NotAToken,
    /// The text stops before all six fields.
    #[error(
        "the token is cut short: it needs a pipe number, a key, a message type, a run and a server URL"
    )]
    Truncated,
    /// The pipe number is not a number.
    #[error("the token's pipe number `{text}` is not a number")]
    Pipe {
        /// What stands where the pipe number belongs.
        text: String,
    },
    /// A field of hexadecimal digits (the key, the message type or the
    /// run) is not that many of them; the key is not repeated here.
    #[error("the token's {field} is not {digits} hexadecimal digits")]
    Hex {
        /// Which field.
        field: &'static str,
        /// How many digits it takes.
        digits: usize,
    },
    /// The token was made by a router of another message type.
    #[error(
        "the token is for a router of another message type than this sender's `{sender}` \
         (build the router and its workers from the same source)"
    )]
    MessageType {
        /// The sender's message type, as `std::any::type_name` says it.
        sender: &'static str,
    },
}

impl Token {
    pub(crate) fn subject(&self) -> String {
        subject(self.run, self.pipe.get())
    }

    pub(crate) fn stream(&self) -> String {
        stream_name(self.run)
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (message_type, run) = (self.message_type.to_be_bytes(), self.run.to_be_bytes());
        let hex: [&[u8]; 3] = [&self.key, &message_type, &run];
        router_remote::write_token(f, PREFIX, self.pipe, &hex, &self.server)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key stays out of logs.
        f.debug_struct("Token")
            .field("pipe", &self.pipe)
            .field("run", &format_args!("{:016x}", self.run))
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl FromStr for Token {
    type Err = TokenError;

    fn from_str(text: &str) -> Result<Self, TokenError> {
        let mut fields = TokenFields::read(text, PREFIX, 5)?;
        let pipe = fields.pipe()?;
        let key = fields.hex::<32>("key")?;
        let message_type = u64::from_be_bytes(fields.hex::<8>("message type")?);
        let run = u64::from_be_bytes(fields.hex::<8>("run")?);
        Ok(Self {
            pipe,
            key,
            message_type,
            run,
            server: Arc::from(fields.rest()?),
        })
    }
}

router_remote::token_error_from_fields!(TokenError, |field, digits| TokenError::Hex {
    field,
    digits
});

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn token() -> Token {
        let mut key = [0u8; 32];
        key[0] = 0xab;
        key[31] = 0x01;
        Token {
            pipe: PipeId::new(42),
            key,
            message_type: 0x0123_4567_89ab_cdef,
            run: 7,
            server: Arc::from("nats://127.0.0.1:4222"),
        }
    }

    #[test]
    fn token_reads_back_what_it_wrote_trimmed() {
        let text = token().to_string();
        assert!(text.starts_with("rn1:42:ab00"), "{text}");
        assert!(text.ends_with(":0123456789abcdef:0000000000000007:nats://127.0.0.1:4222"));
        assert_eq!(text.parse::<Token>().unwrap(), token());
        assert_eq!(format!("\t{text}\n").parse::<Token>().unwrap(), token());
    }

    #[test]
    fn debug_of_token_hides_the_key() {
        let shown = format!("{:?}", token());
        assert!(!shown.contains("ab00"), "{shown}");
        assert!(shown.contains("127.0.0.1"), "{shown}");
    }

    #[test]
    fn malformed_tokens_say_what_is_wrong() {
        let good = token().to_string();
        let key_error = TokenError::Hex {
            field: "key",
            digits: 64,
        };
        let cases = [
            ("rp1:1:2".to_owned(), TokenError::NotAToken),
            ("rn1:1:ab:cd".to_owned(), TokenError::Truncated),
            (
                good.replacen("rn1:42:", "rn1:+42:", 1),
                TokenError::Pipe { text: "+42".into() },
            ),
            (good.replacen(":ab00", ":zz00", 1), key_error.clone()),
            (good.replacen(":ab00", ":ab0", 1), key_error),
            (
                good.replacen(":0000000000000007:", ":7:", 1),
                TokenError::Hex {
                    field: "run",
                    digits: 16,
                },
            ),
            (
                good.replacen("nats://127.0.0.1:4222", "", 1),
                TokenError::Truncated,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<Token>().unwrap_err(), expected, "{text}");
        }
    }

    #[test]
    fn subject_names_its_pipe_and_nothing_else_passes() {
        assert_eq!(pipe_named(7, &subject(7, 42), ""), Some(42));
        assert_eq!(pipe_named(7, &subject(7, 0), ""), Some(0));
        assert_eq!(pipe_named(7, &subject(7, u64::MAX), ""), Some(u64::MAX));
        for wrong in [
            "rnats.0000000000000008.42",
            "rnats.0000000000000007.042",
            "rnats.0000000000000007.+42",
            "rnats.0000000000000007.",
            "rnats.0000000000000007.42.ask",
            "rnats.000000000000007.42",
            "rnats.00000000000000007.42",
            "rnats.0000000000000007.18446744073709551616",
            "rnats.00000000000000AB.1",
            "rnats.+000000000000007.1",
            "other.0000000000000007.42",
        ] {
            assert_eq!(pipe_named(7, wrong, ""), None, "{wrong}");
        }
        assert_eq!(pipe_named(0xab, "rnats.00000000000000AB.1", ""), None);
        assert_eq!(pipe_named(0xab, "rnats.00000000000000ab.1", ""), Some(1));
    }

    #[test]
    fn names_of_a_run_are_nats_names() {
        assert_eq!(stream_name(255), "RNATS_00000000000000FF");
        assert_eq!(subjects(255), "rnats.00000000000000ff.*");
        assert_eq!(token().subject(), "rnats.0000000000000007.42");
    }
}
