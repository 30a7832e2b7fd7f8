#![doc = include_str!("../README.md")]

use router_channel::{ChannelRouter, ChannelSender};

router_channel::channel_backend! {
    /// flume's unbounded channel, as a router channel.
    pub struct Flume over flume with drain
}

/// A router over flume.
pub type FlumeRouter<M> = ChannelRouter<M, Flume>;

/// The sender of a [`FlumeRouter`]'s pipes.
pub type FlumeSender<M> = ChannelSender<M, Flume>;
