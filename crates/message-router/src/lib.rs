//! Route messages from background threads to receivers on the foreground
//! thread, and wake that thread's event loop to deliver them.
//!
//! ```
//! use std::{cell::Cell, rc::Rc, time::Duration};
//! use message_router::prelude::*; // traits, errors, Router, the default loop
//!
//! enum Progress { Step(u32), Done(u64) }
//!
//! let event_loop = DefaultEventLoop::new();
//! let router: Router<Progress> = Router::new(&event_loop);
//! router.start()?;
//! let (mut sender, receiver) = router.pipe()?;
//! let done = Rc::new(Cell::new(None));
//! receiver.connect({
//!     let done = done.clone();
//!     move |m: &Progress| if let Progress::Done(n) = m { done.set(Some(*n)) }
//! });
//! let worker = std::thread::spawn(move || {
//!     let mut s = sender.open().expect("start sender"); // stops on drop
//!     for i in 0..100 { s.send(Progress::Step(i)).expect("send"); }
//!     s.send(Progress::Done(42)).expect("send");
//! });
//! event_loop.run_until(|| done.get().is_some(), Some(Duration::from_secs(10)))?;
//! worker.join().unwrap();
//! router.close_pipe(&receiver)?;
//! router.stop()?;
//! assert_eq!(done.get(), Some(42));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # For libraries and for applications
//!
//! A **library** that runs background work depends on `router-api` alone
//! and is generic over `R: MessageRouter<M>`; it never picks a backend.
//! An **application** depends on this crate, picks a backend with a Cargo
//! feature and names its router [`Router<M>`](Router).
//!
//! # Features
//!
//! | feature | default | adds | `Router<M>` is |
//! |---|---|---|---|
//! | `crossbeam` | yes | [`CrossbeamRouter`] over crossbeam-channel | `CrossbeamRouter<M>` |
//! | `flume` | no | [`FlumeRouter`] over flume | `FlumeRouter<M>` when `crossbeam` is off |
//!
//! Features are additive: with several on, every backend is available
//! under its own name and `Router` follows the precedence of the table,
//! top row first. With none on, the traits, errors and event loop are
//! still here, and `Router` is not. To run on flume alone:
//! `cargo run --no-default-features --features flume`.

pub use router_api::*;

#[cfg(feature = "crossbeam")]
pub use router_crossbeam::{Crossbeam, CrossbeamRouter, CrossbeamSender};

#[cfg(feature = "flume")]
pub use router_flume::{Flume, FlumeRouter, FlumeSender};

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

/// Everything an application needs, in one `use`.
pub mod prelude {
    pub use router_api::{
        DefaultEventLoop, EventLoop, EventLoopError, MessageReceiver, MessageRouter, MessageSender,
        PipeId, RouterError, SendError, SenderError,
    };

    #[cfg(any(feature = "crossbeam", feature = "flume"))]
    pub use crate::Router;
}
