//! What a backend for senders elsewhere provides on the router's side:
//! how one run opens its way in and closes it, and what a new pipe's
//! sender is.

use std::sync::Arc;

use router_api::PipeId;

use crate::book::PipeBook;
use crate::closing::PipeWatch;
use crate::drops::DropLog;
use crate::reason::DropReason;

/// The router's side of a transport: a socket and the thread that reads
/// it, a NATS stream and its consumer, ...
///
/// [`RemoteRouter`](crate::RemoteRouter) calls it; its implementation
/// **must**:
///
/// - in [`open`](Self::open), after the core router started, start what
///   takes peers' frames for the new run, and check each peer against the
///   run's [`PipeBook`] (a peer speaks only for a pipe the book admits),
///   sending its messages through the pipe's in-process sender and ending
///   it as the peer ended (E1, E2: `finish(SenderEnd::Lost)` when the
///   peer is gone without a word); note each thing it drops in the
///   [`DropLog`], which logs and counts it;
/// - tell each connected peer that its pipe closed (C2), within 100 ms on
///   loopback: the pipe's in-process sender says so
///   ([`is_closed`](router_api::MessageSender::is_closed), an atomic
///   load), so look at it once at admission and then every
///   [`CLOSED_LOOK_EVERY`](crate::CLOSED_LOOK_EVERY) while a peer not yet
///   told is connected (a receiver dropped closes its pipe inside the
///   core, where no call of the shell's sees it); the bytes read from the
///   other side **must** be bounded before anything is allocated for
///   them;
/// - in [`close`](Self::close), before the core router stops, stop all of
///   that and join its threads: once `close` returns, nothing of the run
///   may send into the router (R5), the run's senders fail as
///   disconnected, and their lines say they are closed (C1);
/// - in [`pipe`](Self::pipe), make the sender a peer rebuilds (from a
///   token) to speak for a new pipe, and the entry the book keeps for it;
///   the sender **must** read its closing from the given [`PipeWatch`]
///   until it connects ([`RemoteSender::watched`](crate::RemoteSender::watched)).
pub trait Transport<M: Send + 'static> {
    /// What one run adds to the core router's run (a socket, a thread, a
    /// key); the router keeps it while it runs.
    type Run;
    /// What the book keeps of each pipe for the transport's thread besides
    /// its sender (a key to check its frames with), `()` for nothing.
    type Entry: Send + 'static;
    /// The sender a pipe hands out.
    type Sender;
    /// Why a run could not open: the `source` of
    /// [`RouterStartError::Setup`](router_api::RouterStartError::Setup).
    type Error: std::error::Error + Send + Sync + 'static;
    /// Why the transport drops what a peer sent.
    type Reason: DropReason;

    /// Opens a run: whatever takes the peers' frames into the run's
    /// `book`, noting drops in `drops`.
    ///
    /// # Errors
    ///
    /// The transport's error; the router stays stopped.
    fn open(
        &self,
        book: Arc<PipeBook<M, Self::Entry>>,
        drops: DropLog<Self::Reason>,
    ) -> Result<Self::Run, Self::Error>;

    /// Closes a run: once this returns, nothing of it sends into the
    /// router.
    fn close(&self, run: Self::Run);

    /// The book's entry and the sender of a pipe the run just made, which
    /// reads `watch` until it connects.
    fn pipe(&self, run: &Self::Run, pipe: PipeId, watch: PipeWatch) -> (Self::Entry, Self::Sender);
}
