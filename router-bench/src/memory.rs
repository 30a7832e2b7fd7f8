//! Heap bytes per open pipe, read off a counting global allocator.

use router_api::{DefaultEventLoop, MessageRouter};
use router_channel::PipeReceiver;
use router_channel::{ChannelRouter, ChannelSender};

use crate::{Backend, BenchError};

/// What opening pipes cost in memory.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct PipeFootprint {
    /// Pipes opened.
    pub pipes: usize,
    /// Heap bytes per open pipe, everything the router and the pipe's
    /// handles allocate (no listeners).
    pub heap_bytes: f64,
    /// The size of a sender handle, wherever its owner keeps it.
    pub sender_bytes: usize,
    /// The size of a receiver handle.
    pub receiver_bytes: usize,
}

/// Opens `pipes` pipes on a started router and returns the heap they
/// take, by the growth of `allocated` (the live heap bytes, which the
/// caller's counting `#[global_allocator]` reports). The handles are kept
/// in storage reserved beforehand, so only the pipes are counted.
///
/// # Errors
///
/// [`BenchError::Router`] if the router refuses to start or make pipes.
pub fn per_pipe<B: Backend>(
    pipes: usize,
    allocated: impl Fn() -> usize,
) -> Result<PipeFootprint, BenchError> {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, B>::new(&event_loop);
    router.start()?;
    let mut held: Vec<(ChannelSender<u64, B>, PipeReceiver<u64>)> = Vec::with_capacity(pipes);
    let before = allocated();
    for _ in 0..pipes {
        held.push(router.pipe()?);
    }
    let after = allocated();
    for (_, receiver) in &held {
        router.close_pipe(receiver)?;
    }
    router.stop()?;
    Ok(PipeFootprint {
        pipes,
        heap_bytes: after.saturating_sub(before) as f64 / pipes.max(1) as f64,
        sender_bytes: size_of::<ChannelSender<u64, B>>(),
        receiver_bytes: size_of::<PipeReceiver<u64>>(),
    })
}
