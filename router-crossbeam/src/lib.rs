#![doc = include_str!("../README.md")]

use router_channel::{ChannelRouter, ChannelSender};

router_channel::channel_backend! {
    /// crossbeam-channel's unbounded channel, as a router channel.
    pub struct Crossbeam over crossbeam_channel
}

/// A router over crossbeam-channel.
pub type CrossbeamRouter<M> = ChannelRouter<M, Crossbeam>;

/// The sender of a [`CrossbeamRouter`]'s pipes.
pub type CrossbeamSender<M> = ChannelSender<M, Crossbeam>;
