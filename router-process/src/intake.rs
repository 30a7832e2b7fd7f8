//! What one router run lets in: its secret, the pipes it made (with their
//! in-process senders, the way into its channel), the message type a
//! hello must carry; and where what it drops is counted.

use std::sync::Arc;
use std::time::Duration;

use router_remote::{DropLog, PipeBook};

use crate::drops::DropReason;

/// What the monitor thread checks connections against, for one run.
#[derive(Debug)]
pub(crate) struct Intake<M: Send + 'static> {
    pub(crate) secret: u128,
    pub(crate) book: Arc<PipeBook<M>>,
    /// How long a connection may take to present its hello.
    pub(crate) hello_timeout: Duration,
    /// The fingerprint of the run's message type
    /// ([`wire::message_type`](crate::wire::message_type)), which a hello
    /// must carry.
    pub(crate) message_type: u64,
    /// The name of the run's message type, for errors.
    pub(crate) type_name: &'static str,
    /// The router's count of drops, by reason.
    pub(crate) drops: DropLog<DropReason>,
}
