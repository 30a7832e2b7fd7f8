//! A message router over [flume](https://docs.rs/flume).
//!
//! Everything but the channel is router-api's
//! [`ChannelRouter`]; this crate only
//! names the channel it moves messages with, flume.
//!
//! ```
//! use std::{cell::Cell, rc::Rc, time::Duration};
//! use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
//! use router_flume::FlumeRouter;
//!
//! let event_loop = DefaultEventLoop::new();
//! let router = FlumeRouter::<u32>::new(&event_loop);
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
    /// flume's unbounded channel, as a router channel.
    pub struct Flume over flume with drain
}

/// A router over flume.
pub type FlumeRouter<M> = ChannelRouter<M, Flume>;

/// The sender of a [`FlumeRouter`]'s pipes.
pub type FlumeSender<M> = ChannelSender<M, Flume>;
