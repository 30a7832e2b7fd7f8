#![doc = include_str!("../README.md")]

pub use router_api::*;
pub use router_channel::{MessageStream, PipeReceiver};

#[cfg(feature = "crossbeam")]
pub use router_crossbeam::{Crossbeam, CrossbeamRouter, CrossbeamSender};

#[cfg(feature = "flume")]
pub use router_flume::{Flume, FlumeRouter, FlumeSender};

#[cfg(feature = "process")]
pub use router_process::{
    ConnectError, ListenError, MONITOR_THREAD_NAME, ProcessRouter, ProcessSender, TokenError,
    child, wire,
};

#[cfg(feature = "tokio")]
pub use router_tokio::TokioLoop;

#[cfg(feature = "calloop")]
pub use router_calloop::{CalloopLoop, CalloopLoopError};

#[cfg(feature = "egui")]
pub use router_egui::EguiLoop;

#[cfg(feature = "jobs")]
#[doc(inline)]
pub use router_jobs as jobs;

/// The router of the backend the Cargo features pick (see the feature table).
#[cfg(feature = "crossbeam")]
pub type Router<M> = CrossbeamRouter<M>;

/// The router of the backend the Cargo features pick (see the feature table).
#[cfg(all(feature = "flume", not(feature = "crossbeam")))]
pub type Router<M> = FlumeRouter<M>;

/// The name of the backend `Router` is, for programs that report it.
#[cfg(feature = "crossbeam")]
pub const BACKEND: &str = "crossbeam";

/// The name of the backend `Router` is, for programs that report it.
#[cfg(all(feature = "flume", not(feature = "crossbeam")))]
pub const BACKEND: &str = "flume";

/// Everything an application needs, in one `use`: the traits (a receiver
/// turned into a stream included), the kinds of pipe, the errors and the
/// causes they name, the default loop and `Router`.
///
/// ```
/// use message_router::prelude::*;
///
/// let event_loop = DefaultEventLoop::new();
/// let router: Router<u32> = Router::new(&event_loop);
/// router.start()?;
/// let (mut sender, receiver) = router.pipe_of(PipeKind::Bounded { capacity: 4 })?;
/// let _stream = receiver.into_stream(); // dropping it closes the pipe
/// drop(_stream);
/// sender.start()?;
/// assert!(sender.is_closed());
/// let error = sender.send(1).unwrap_err();
/// assert_eq!(error.disconnect(), Some(Disconnect::PipeClosed));
/// router.stop()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod prelude {
    pub use router_api::{
        ClosePipeError, DefaultEventLoop, Disconnect, DrainBudget, EventLoop, IntoMessageStream,
        MessageReceiver, MessageRouter, MessageSender, PipeError, PipeId, PipeKind, Pump,
        RouteError, RouterControl, RouterStartError, RouterStats, RouterStopError, SendError,
        SendErrorKind, SenderEnd, SenderStartError, SenderStopError, TimedOut, WakeLoop,
    };

    pub use router_channel::PipeReceiver;

    #[cfg(any(feature = "crossbeam", feature = "flume"))]
    pub use crate::Router;
}
