//! A message router over [flume](https://docs.rs/flume).
//!
//! Everything but the channel is router-api's
//! [`ChannelRouter`]; this crate only
//! says how to move a message with flume.
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

use std::time::Instant;

use router_api::backend::{Channel, ChannelRouter, ChannelSender};

/// flume's unbounded channel, as a router channel.
#[derive(Clone, Copy, Debug, Default)]
pub struct Flume;

impl<T: Send + 'static> Channel<T> for Flume {
    type Tx = flume::Sender<T>;
    type Rx = flume::Receiver<T>;

    fn unbounded() -> (Self::Tx, Self::Rx) {
        flume::unbounded()
    }

    fn send(tx: &Self::Tx, value: T) -> Result<(), T> {
        tx.send(value).map_err(|error| error.into_inner())
    }

    fn try_recv(rx: &Self::Rx) -> Option<T> {
        rx.try_recv().ok()
    }

    fn recv(rx: &Self::Rx) -> Option<T> {
        rx.recv().ok()
    }

    fn recv_deadline(rx: &Self::Rx, deadline: Instant) -> Option<T> {
        rx.recv_deadline(deadline).ok()
    }
}

/// A router over flume.
pub type FlumeRouter<M> = ChannelRouter<M, Flume>;

/// The sender of a [`FlumeRouter`]'s pipes.
pub type FlumeSender<M> = ChannelSender<M, Flume>;
