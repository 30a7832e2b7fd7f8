//! P4: `pipe` + `close_pipe` pairs while many pipes are open.

use std::hint::black_box;
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageRouter};
use router_channel::PipeReceiver;
use router_channel::{ChannelRouter, ChannelSender};

use crate::{Backend, BenchError};

/// A running router holding `open` pipes, on which pairs of `pipe` and
/// `close_pipe` are timed.
#[derive(Debug)]
pub struct Churn<B: Backend> {
    router: ChannelRouter<u64, B>,
    held: Vec<(ChannelSender<u64, B>, PipeReceiver<u64>)>,
    _event_loop: DefaultEventLoop,
}

impl<B: Backend> Churn<B> {
    /// A started router with `open` pipes open.
    ///
    /// # Errors
    ///
    /// [`BenchError::Router`] if the router refuses to start or make pipes.
    pub fn new(open: usize) -> Result<Self, BenchError> {
        let event_loop = DefaultEventLoop::new();
        let router = ChannelRouter::<u64, B>::new(&event_loop);
        router.start()?;
        let held = (0..open)
            .map(|_| router.pipe())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            router,
            held,
            _event_loop: event_loop,
        })
    }

    /// How many pipes stay open meanwhile.
    #[must_use]
    pub fn open(&self) -> usize {
        self.held.len()
    }

    /// The time `pairs` rounds of `pipe` then `close_pipe` take, the handles
    /// dropped each round.
    ///
    /// # Errors
    ///
    /// [`BenchError::Router`] if the router refuses.
    pub fn pairs(&self, pairs: u64) -> Result<Duration, BenchError> {
        let started = Instant::now();
        for _ in 0..pairs {
            let (sender, receiver) = self.router.pipe()?;
            self.router.close_pipe(&receiver)?;
            black_box((sender, receiver));
        }
        Ok(started.elapsed())
    }

    /// Closes the held pipes and stops the router.
    ///
    /// # Errors
    ///
    /// [`BenchError::Router`] if the router was stopped already.
    pub fn finish(self) -> Result<(), BenchError> {
        for (_, receiver) in &self.held {
            self.router.close_pipe(receiver)?;
        }
        self.router.stop()?;
        Ok(())
    }
}
