//! The fields of a token, the one line of text a sender travels as:
//! `<prefix><pipe>:<hex>:...:<hex>:<free text>`. The prefix names the
//! format and its version (`rp1:`); the pipe is a decimal number; each
//! hexadecimal field has a fixed width (a secret, a key, a run); the free
//! text comes last, so it may hold colons (a path, a URL). Whitespace
//! around a token is not part of it.

use std::fmt;

use router_api::PipeId;

/// What is wrong with a token's fields; each backend turns it into its own
/// `TokenError`, whose words name its format.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenFieldError {
    /// The text does not start with the format's prefix.
    #[error("the text does not start with the token's prefix")]
    NotAToken,
    /// The text has fewer fields than the format, or its last is empty.
    #[error("the token is cut short")]
    Truncated,
    /// The pipe number is not a decimal number.
    #[error("the token's pipe number `{text}` is not a number")]
    Pipe {
        /// What stands where the pipe number belongs.
        text: String,
    },
    /// A hexadecimal field is not that many hexadecimal digits (its text
    /// is not repeated: it may be a secret).
    #[error("the token's {field} is not {digits} hexadecimal digits")]
    Hex {
        /// Which field.
        field: &'static str,
        /// How many digits it takes.
        digits: usize,
    },
}

/// A token's fields, read in order: [`pipe`](Self::pipe) first, then each
/// [`hex`](Self::hex) field, then the [`rest`](Self::rest).
///
/// ```
/// use router_remote::TokenFields;
///
/// let mut fields = TokenFields::read(" xy1:42:00ff:/a:b \n", "xy1:", 3)?;
/// assert_eq!(fields.pipe()?.get(), 42);
/// assert_eq!(fields.hex::<2>("key")?, [0x00, 0xff]);
/// assert_eq!(fields.rest()?, "/a:b");
/// # Ok::<(), router_remote::TokenFieldError>(())
/// ```
#[derive(Debug)]
pub struct TokenFields<'a> {
    fields: std::str::SplitN<'a, char>,
}

impl<'a> TokenFields<'a> {
    /// Splits `text`, trimmed, after `prefix` into `count` fields, the
    /// pipe and the free text included.
    ///
    /// # Errors
    ///
    /// [`TokenFieldError::NotAToken`] without the prefix,
    /// [`TokenFieldError::Truncated`] with fewer fields or an empty last
    /// one. Whether a field reads is found out by the reads that follow.
    pub fn read(text: &'a str, prefix: &str, count: usize) -> Result<Self, TokenFieldError> {
        let rest = text
            .trim()
            .strip_prefix(prefix)
            .ok_or(TokenFieldError::NotAToken)?;
        let fields = rest.splitn(count, ':');
        let last = fields.clone().nth(count.saturating_sub(1));
        if last.is_none_or(str::is_empty) {
            return Err(TokenFieldError::Truncated);
        }
        Ok(Self { fields })
    }

    fn next(&mut self) -> Result<&'a str, TokenFieldError> {
        self.fields.next().ok_or(TokenFieldError::Truncated)
    }

    /// The next field as a pipe number: decimal digits only.
    ///
    /// # Errors
    ///
    /// [`TokenFieldError::Pipe`] when it is not one.
    pub fn pipe(&mut self) -> Result<PipeId, TokenFieldError> {
        let text = self.next()?;
        text.parse::<u64>()
            .ok()
            .filter(|_| text.bytes().all(|b| b.is_ascii_digit()))
            .map(PipeId::new)
            .ok_or_else(|| TokenFieldError::Pipe {
                text: text.to_owned(),
            })
    }

    /// The next field as `N` bytes in exactly `2 * N` hexadecimal digits,
    /// the first byte first (read a number with `u64::from_be_bytes`).
    ///
    /// # Errors
    ///
    /// [`TokenFieldError::Hex`], naming `field`, when it is not.
    pub fn hex<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], TokenFieldError> {
        let error = TokenFieldError::Hex {
            field,
            digits: 2 * N,
        };
        let text = self.next()?;
        if text.len() != 2 * N || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(error);
        }
        let mut bytes = [0u8; N];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| error.clone())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| error.clone())?;
        }
        Ok(bytes)
    }

    /// The free text: the last field, colons and all.
    ///
    /// # Errors
    ///
    /// [`TokenFieldError::Truncated`] if the other fields were not all read.
    pub fn rest(mut self) -> Result<&'a str, TokenFieldError> {
        let rest = self.next()?;
        match self.fields.next() {
            None => Ok(rest),
            Some(_) => Err(TokenFieldError::Truncated),
        }
    }
}

/// Writes a token: `prefix`, the pipe, each of `hex` in two digits a byte,
/// then `rest`, separated by colons; [`TokenFields`] reads it back.
///
/// # Errors
///
/// The formatter's.
pub fn write_token(
    f: &mut fmt::Formatter<'_>,
    prefix: &str,
    pipe: PipeId,
    hex: &[&[u8]],
    rest: &str,
) -> fmt::Result {
    write!(f, "{prefix}{}", pipe.get())?;
    for field in hex {
        f.write_str(":")?;
        for byte in *field {
            write!(f, "{byte:02x}")?;
        }
    }
    write!(f, ":{rest}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    struct Sample {
        pipe: PipeId,
        key: [u8; 4],
        run: u64,
        rest: &'static str,
    }

    impl fmt::Display for Sample {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let run = self.run.to_be_bytes();
            write_token(f, "xy1:", self.pipe, &[&self.key, &run], self.rest)
        }
    }

    fn read(text: &str) -> Result<(PipeId, [u8; 4], u64, &str), TokenFieldError> {
        let mut fields = TokenFields::read(text, "xy1:", 4)?;
        let pipe = fields.pipe()?;
        let key = fields.hex::<4>("key")?;
        let run = u64::from_be_bytes(fields.hex::<8>("run")?);
        Ok((pipe, key, run, fields.rest()?))
    }

    #[test]
    fn fields_read_back_what_was_written_around_whitespace() {
        let sample = Sample {
            pipe: PipeId::new(42),
            key: [0, 0xab, 0x10, 0xff],
            run: 7,
            rest: "nats://h:4222",
        };
        let text = sample.to_string();
        assert_eq!(text, "xy1:42:00ab10ff:0000000000000007:nats://h:4222");
        for padded in [
            text.clone(),
            format!("\t {text}\r\n"),
            format!("\n{text}\n"),
        ] {
            let (pipe, key, run, rest) = read(&padded).unwrap();
            assert_eq!(
                (pipe, key, run, rest),
                (sample.pipe, sample.key, 7, sample.rest)
            );
        }
    }

    #[test]
    fn each_wrong_field_is_named() {
        let hex = |field, digits| TokenFieldError::Hex { field, digits };
        let cases = [
            (
                "xy2:1:00ab10ff:0000000000000007:r",
                TokenFieldError::NotAToken,
            ),
            (
                "xy1:1:00ab10ff:0000000000000007",
                TokenFieldError::Truncated,
            ),
            (
                "xy1:1:00ab10ff:0000000000000007:",
                TokenFieldError::Truncated,
            ),
            ("xy1:1:ab:cd", TokenFieldError::Truncated),
            (
                "xy1:+1:00ab10ff:0000000000000007:r",
                TokenFieldError::Pipe { text: "+1".into() },
            ),
            ("xy1:1:00ab10f:0000000000000007:r", hex("key", 8)),
            ("xy1:1:00ab10fg:0000000000000007:r", hex("key", 8)),
            ("xy1:1:+0ab10ff:0000000000000007:r", hex("key", 8)),
            ("xy1:1:00ab10ff:7:r", hex("run", 16)),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text).unwrap_err(), expected, "{text}");
        }
    }
}
