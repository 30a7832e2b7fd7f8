//! How many senders send how many messages.

/// How many sender threads send how many messages each.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Workload {
    /// Sender threads, each with its own pipe.
    pub senders: usize,
    /// Messages each sender sends.
    pub per_sender: u64,
}

impl Workload {
    /// `senders` threads sending `per_sender` messages each.
    #[must_use]
    pub const fn new(senders: usize, per_sender: u64) -> Self {
        Self {
            senders,
            per_sender,
        }
    }

    /// All the messages of the workload.
    #[must_use]
    pub const fn messages(self) -> u64 {
        self.senders as u64 * self.per_sender
    }
}
