//! Deliberately broken backends: a wrapper around a good router that
//! breaks exactly one rule, chosen by a [`Flaw`]. With [`Flaw::None`] it
//! only forwards, and passes the whole suite.

mod linger;
mod receiver;
mod router;
mod sender;

pub(crate) use router::Broken;

/// Writes [`Flaw`] and [`ALL_FLAWS`] from one list.
macro_rules! flaws {
    ($($(#[$doc:meta])* $flaw:ident,)*) => {
        /// The one rule a [`Broken`] router breaks.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) enum Flaw {
            $($(#[$doc])* $flaw,)*
        }

        /// Every flaw, in the order [`Flaw`] lists them.
        pub(crate) const ALL_FLAWS: &[Flaw] = &[$(Flaw::$flaw),*];
    };
}

flaws! {
    /// None: the wrapper only forwards.
    None,
    /// R1: `start` on a running router succeeds.
    SecondStartAccepted,
    /// R2: `stop` on a stopped router succeeds.
    SecondStopAccepted,
    /// R4: `stop` logs no unclosed-pipe warning.
    SilentStop,
    /// R5: `stop` leaves a thread of the router running.
    LingeringThread,
    /// R5: `send` after the router stopped claims success.
    SwallowedDisconnect,
    /// R6: `close_pipe` accepts another router's receiver.
    ForeignPipeAccepted,
    /// R7: `close_pipe` leaves the pipe routed: late messages are
    /// delivered instead of dropped.
    LateDelivery,
    /// R8: the sender swaps each pair of messages.
    Reordering,
    /// R9: `route_until` restarts its deadline with each message.
    PerMessageDeadline,
    /// R9: `route_until` routes a message before it first asks the
    /// condition.
    EagerRouteUntil,
    /// R10: `route_until` runs the event loop instead of switching to
    /// manual mode, so pings are still routed after it.
    NoManualMode,
    /// R11: a listener's panic poisons the router: `pipe` fails from then
    /// on.
    PoisonedByPanic,
    /// S1: a sender can start twice.
    RestartableSender,
    /// S2: `stop` leaves the sender open, so the guard does not stop it.
    StopIgnored,
    /// S3: a sender dropped while open does not stop: the helper thread its
    /// `start` set up (a flusher, say), which `stop` ends, outlives the
    /// drop (until the router is dropped). What it sent is delivered.
    DropLeavesOpen,
    /// V1: listeners are called in the reverse of the order they were
    /// connected.
    ReversedListeners,
    /// E1: the end is told before the sender's last message (the receiver
    /// hands each message on one step late).
    EndBeforeLastMessage,
    /// E1: `close_pipe` tells the closed pipe's receiver its sender ended.
    EndOnClosedPipe,
    /// E3: an end is told only once 50,000 more messages of any pipe were
    /// routed: a flood starves it.
    EndDeferred,
    /// E2: every end is told as `Stopped`.
    EndsAllStopped,
    /// E2: every end is told as `Dropped`.
    EndsAllDropped,
    /// D1: a dropped receiver leaves its pipe open (its router keeps it).
    DropLeavesPipeOpen,
    /// B1..B3: a bounded pipe is made unbounded.
    BoundIgnored,
    /// B2: a send that fails on a closed or stopped bounded pipe waits 11 s
    /// before it says so.
    FullSendHangs,
    /// B4: the receiver of a bounded pipe does not count.
    QueuedNotCounted,
    /// L1: a latest-value pipe is made unbounded: every value is routed.
    LatestDeliversAll,
    /// L2: a latest-value pipe's sender holds each value back until the
    /// next, and drops the last one when it stops.
    LatestLosesLast,
    /// L3: each send on a latest-value pipe wakes the event loop once more.
    LatestPingsPerSend,
    /// C1: `is_closed` says false whatever became of the pipe.
    SenderNeverClosed,
    /// A1: the stream yields each message twice.
    StreamRepeatsMessages,
    /// A2: the stream never ends.
    StreamNeverEnds,
    /// A2: a dropped stream leaves its pipe open (its router keeps it).
    StreamDropLeavesPipeOpen,
}
