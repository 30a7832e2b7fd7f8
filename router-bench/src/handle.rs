//! A sender shaped like the router's, with no router: the reference for
//! the router's one-thread send (see [`Split::handle_send`]).
//!
//! Each pipe's handle holds an `Arc` of what a run's senders share, the
//! channel's sending half and a flag, and checks the flag before each send,
//! as a router's sender checks that its run is open (R5). It wakes nothing
//! and keeps no pipe state: what is left is the shape, a pointer to follow
//! and a flag to read per message, and the channel's send compiled where
//! the router's is. That is generic code, instantiated in the binary
//! that runs it next to every other message type the binary sends; the bare
//! side's [`Backend::bare_send`] is compiled once, in this crate, for one
//! type, and LLVM may inline differently there.
//!
//! [`Split::handle_send`]: crate::split::Split::handle_send

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use router_channel::Channel;

use crate::{Backend, BenchError, Hop, Workload};

/// What the handles of one channel share.
struct Shared<B: Channel<Hop>> {
    tx: B::Tx,
    /// Never set: read per send, as the router's senders read theirs.
    closed: AtomicBool,
}

/// One pipe's handle.
struct Handle<B: Channel<Hop>> {
    shared: Arc<Shared<B>>,
    sender: u64,
}

impl<B: Channel<Hop>> Handle<B> {
    /// Sends `value`; `false` if the flag is set or the channel refused.
    #[inline]
    fn send(&self, value: u64) -> bool {
        if self.shared.closed.load(Ordering::Acquire) {
            return false;
        }
        B::send(&self.shared.tx, (self.sender, value)).is_ok()
    }
}

/// Nanoseconds per message of `work`'s batch sent through one handle per
/// sender, interleaved as [`split`](crate::split::split) sends: the second
/// of two rounds on the same channel, each emptied after it.
///
/// # Errors
///
/// [`BenchError::ChannelClosed`] if a send fails or a message is lost.
pub fn send<B: Backend>(work: Workload) -> Result<f64, BenchError> {
    let (tx, rx) = <B as Channel<Hop>>::unbounded();
    let shared = Arc::new(Shared::<B> {
        tx,
        closed: AtomicBool::new(false),
    });
    let handles: Vec<Handle<B>> = (0..work.senders as u64)
        .map(|sender| Handle {
            shared: Arc::clone(&shared),
            sender,
        })
        .collect();
    let messages = work.messages();
    let round = || -> Result<Duration, BenchError> {
        let started = Instant::now();
        for value in 0..work.per_sender {
            for handle in &handles {
                if !handle.send(value) {
                    return Err(BenchError::ChannelClosed {
                        received: 0,
                        expected: messages,
                    });
                }
            }
        }
        let sent = started.elapsed();
        let mut received = 0;
        while <B as Channel<Hop>>::try_recv(&rx).is_some() {
            received += 1;
        }
        if received != messages {
            return Err(BenchError::ChannelClosed {
                received,
                expected: messages,
            });
        }
        Ok(sent)
    };
    // The untimed round (see [`split`](crate::split::split)).
    round()?;
    let sent = round()?;
    Ok(sent.as_secs_f64() * 1e9 / messages as f64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use router_crossbeam::Crossbeam;
    use router_flume::Flume;

    use super::*;

    #[test]
    fn every_message_sent_through_the_handles_arrives() {
        let work = Workload::new(4, 250);
        assert!(send::<Crossbeam>(work).unwrap() > 0.0);
        assert!(send::<Flume>(work).unwrap() > 0.0);
    }

    #[test]
    fn a_handle_whose_flag_is_set_sends_nothing() {
        let (tx, rx) = <Crossbeam as Channel<Hop>>::unbounded();
        let handle = Handle::<Crossbeam> {
            shared: Arc::new(Shared {
                tx,
                closed: AtomicBool::new(true),
            }),
            sender: 0,
        };
        assert!(!handle.send(1));
        assert!(<Crossbeam as Channel<Hop>>::try_recv(&rx).is_none());
    }
}
