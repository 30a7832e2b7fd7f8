//! A message router over [crossbeam-channel](https://docs.rs/crossbeam-channel).
//!
//! Everything but the channel is router-api's
//! [`ChannelRouter`]; this crate only
//! names the channel it moves messages with, crossbeam.
//!
//! ```
//! use std::{cell::Cell, rc::Rc, time::Duration};
//! use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
//! use router_crossbeam::CrossbeamRouter;
//!
//! let event_loop = DefaultEventLoop::new();
//! let router = CrossbeamRouter::<u32>::new(&event_loop);
//! router.start()?;
//! let (mut sender, receiver) = router.pipe()?;
//! let last = Rc::new(Cell::new(0));
//! receiver.connect({
//!     let last = last.clone();
//!     move |n: &u32| last.set(*n)
//! });
//! std::thread::spawn(move || {
//!     let mut open = sender.open().expect("a new sender starts");
//!     open.send(7).expect("the router is running");
//! });
//! event_loop.run_until(|| last.get() == 7, Some(Duration::from_secs(10)))?;
//! router.close_pipe(&receiver)?;
//! router.stop()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use router_channel::{ChannelRouter, ChannelSender};

router_channel::channel_backend! {
    /// crossbeam-channel's unbounded channel, as a router channel.
    pub struct Crossbeam over crossbeam_channel
}

/// A router over crossbeam-channel.
pub type CrossbeamRouter<M> = ChannelRouter<M, Crossbeam>;

/// The sender of a [`CrossbeamRouter`]'s pipes.
pub type CrossbeamSender<M> = ChannelSender<M, Crossbeam>;
