//! What travels outside the run's stream, in plain NATS: a sender's ask
//! whether its pipe is closed, and the router's notice that it is (C2).
//!
//! Both have subjects of four tokens, `rnats.<run>.<pipe>.ask` and
//! `rnats.<run>.<pipe>.closed`, which the stream's `rnats.<run>.*` does
//! not take. An ask carries nothing (its payload is never read). A notice
//! is one version byte and a tag: the HMAC-SHA256, under the pipe's key,
//! of a fixed text, the run and the pipe. Another client of the server
//! cannot forge one (it would stop the pipe's worker); one replayed is of
//! a pipe that closed already.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::frame::TAG_LEN;

/// The version of a notice, its first byte.
const NOTICE_VERSION: u8 = 1;

/// A notice's length: the version, then the tag.
pub(crate) const NOTICE_LEN: usize = 1 + TAG_LEN;

/// The subject a sender asks on when it starts, and again when its
/// connection comes back.
pub(crate) fn ask_subject(run: u64, pipe: u64) -> String {
    format!("rnats.{run:016x}.{pipe}.ask")
}

/// The subject the router's consumer takes every ask of a run on.
pub(crate) fn asks(run: u64) -> String {
    format!("rnats.{run:016x}.*.ask")
}

/// The subject the router tells a pipe's sender on that the pipe closed.
pub(crate) fn closed_subject(run: u64, pipe: u64) -> String {
    format!("rnats.{run:016x}.{pipe}.closed")
}

/// The pipe an ask of run `run` names; `None` for a subject that is not
/// one.
pub(crate) fn pipe_of_ask(run: u64, subject: &str) -> Option<u64> {
    crate::token::pipe_named(run, subject, ".ask")
}

/// The tag of the notice that pipe `pipe` of run `run` closed, under the
/// pipe's MAC.
fn tag(pipe_mac: &Hmac<Sha256>, run: u64, pipe: u64) -> Hmac<Sha256> {
    let mut mac = pipe_mac.clone();
    // A text no frame's header starts with: a tag of one is never the
    // other's.
    mac.update(b"router-nats closed ");
    mac.update(&run.to_le_bytes());
    mac.update(&pipe.to_le_bytes());
    mac
}

/// The notice that pipe `pipe` of run `run` closed.
pub(crate) fn closed_notice(pipe_mac: &Hmac<Sha256>, run: u64, pipe: u64) -> Vec<u8> {
    let mut notice = Vec::with_capacity(NOTICE_LEN);
    notice.push(NOTICE_VERSION);
    notice.extend_from_slice(&tag(pipe_mac, run, pipe).finalize().into_bytes());
    notice
}

/// Whether `payload` is the router's notice that pipe `pipe` of run
/// `run` closed: its length first, then its version, then its tag (in
/// constant time).
pub(crate) fn is_closed_notice(
    pipe_mac: &Hmac<Sha256>,
    run: u64,
    pipe: u64,
    payload: &[u8],
) -> bool {
    match payload.split_first() {
        Some((&NOTICE_VERSION, claimed)) if payload.len() == NOTICE_LEN => {
            tag(pipe_mac, run, pipe).verify_slice(claimed).is_ok()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{keyed, pipe_key};

    #[test]
    fn notice_verifies_for_its_pipe_and_run_only() {
        let run_key = [7u8; 32];
        let mac = keyed(&pipe_key(&run_key, 3));
        let notice = closed_notice(&mac, 9, 3);
        assert_eq!(notice.len(), NOTICE_LEN);
        assert!(is_closed_notice(&mac, 9, 3, &notice));
        assert!(!is_closed_notice(&mac, 8, 3, &notice), "another run");
        assert!(!is_closed_notice(&mac, 9, 4, &notice), "another pipe");
        let other = keyed(&pipe_key(&run_key, 4));
        assert!(!is_closed_notice(&other, 9, 3, &notice), "another key");
        let mut altered = notice.clone();
        altered[5] ^= 1;
        assert!(!is_closed_notice(&mac, 9, 3, &altered));
        assert!(!is_closed_notice(&mac, 9, 3, &notice[..NOTICE_LEN - 1]));
        assert!(!is_closed_notice(&mac, 9, 3, &[]));
        let mut longer = notice;
        longer.push(0);
        assert!(!is_closed_notice(&mac, 9, 3, &longer));
    }

    #[test]
    fn asks_name_their_pipe_and_nothing_else_passes() {
        let run = 0xab;
        assert_eq!(ask_subject(run, 12), "rnats.00000000000000ab.12.ask");
        assert_eq!(pipe_of_ask(run, &ask_subject(run, 12)), Some(12));
        assert_eq!(
            pipe_of_ask(run, &ask_subject(run, u64::MAX)),
            Some(u64::MAX)
        );
        for wrong in [
            "rnats.00000000000000ac.12.ask",
            "rnats.00000000000000ab..ask",
            "rnats.00000000000000ab.+12.ask",
            "rnats.00000000000000ab.12.closed",
            "rnats.00000000000000ab.99999999999999999999.ask",
            "rnats.00000000000000ab.123456789012345678901.ask",
        ] {
            assert_eq!(pipe_of_ask(run, wrong), None, "{wrong}");
        }
        // The stream's subjects are of three tokens: none of these.
        assert_eq!(asks(run).split('.').count(), 4);
        assert_eq!(closed_subject(run, 12).split('.').count(), 4);
    }
}
