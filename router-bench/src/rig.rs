//! A router set up for a measurement: pipes, listeners, senders waiting.

use std::time::Instant;

use router_api::{
    DefaultEventLoop, DrainBudget, EventLoop, MessageReceiver, MessageRouter, MessageSender,
};
use router_channel::PipeReceiver;
use router_channel::{ChannelRouter, ChannelSender};

use crate::{Backend, BenchError, Feed, Tally, Workload};

/// A started router on its own event loop (a [`DefaultEventLoop`] unless
/// [`on`](Self::on) names another), with pipes whose senders wait in a
/// [`Feed`] for [`release`](Self::release).
#[derive(Debug)]
pub struct Rig<B: Backend, E = DefaultEventLoop> {
    /// The loop the router routes on.
    pub event_loop: E,
    /// The router under test.
    pub router: ChannelRouter<u64, B>,
    receivers: Vec<PipeReceiver<u64>>,
    feed: Feed,
}

impl<B: Backend> Rig<B> {
    /// `work` on a new router with the given drain budget (the default when
    /// `None`), every pipe's listener counting into `tally`.
    ///
    /// # Errors
    ///
    /// [`BenchError::Router`] or [`BenchError::Sender`] if the router
    /// refuses to start or to make pipes.
    pub fn new(
        work: Workload,
        budget: Option<DrainBudget>,
        tally: &Tally,
    ) -> Result<Self, BenchError> {
        Rig::for_work(DefaultEventLoop::new(), work, budget, || tally.listener())
    }

    /// `pipes` pipes on a new router; `feed` gets their started senders
    /// and spawns the threads that use them. Listeners are the caller's.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new).
    pub fn with_feed(
        pipes: usize,
        budget: Option<DrainBudget>,
        feed: impl FnOnce(Vec<ChannelSender<u64, B>>) -> Feed,
    ) -> Result<Self, BenchError> {
        Rig::on(DefaultEventLoop::new(), pipes, budget, feed)
    }
}

impl<B: Backend, E: EventLoop + Clone + 'static> Rig<B, E> {
    /// `work` on a new router on `event_loop` with the given drain budget
    /// (the default when `None`), each pipe's listener made by `listener`.
    ///
    /// # Errors
    ///
    /// As [`Rig::new`].
    pub fn for_work<L: Fn(&u64) + 'static>(
        event_loop: E,
        work: Workload,
        budget: Option<DrainBudget>,
        listener: impl Fn() -> L,
    ) -> Result<Self, BenchError> {
        let rig = Self::on(event_loop, work.senders, budget, |senders| {
            let sends = senders
                .into_iter()
                .map(|mut sender| move |value| sender.send(value).is_ok())
                .collect();
            Feed::spawn(sends, work.per_sender)
        })?;
        for receiver in &rig.receivers {
            receiver.connect(listener());
        }
        Ok(rig)
    }

    /// [`with_feed`](Rig::with_feed) on `event_loop`.
    ///
    /// # Errors
    ///
    /// As [`Rig::new`].
    pub fn on(
        event_loop: E,
        pipes: usize,
        budget: Option<DrainBudget>,
        feed: impl FnOnce(Vec<ChannelSender<u64, B>>) -> Feed,
    ) -> Result<Self, BenchError> {
        let router = ChannelRouter::<u64, B>::new(&event_loop);
        if let Some(budget) = budget {
            router.set_drain_budget(budget);
        }
        router.start()?;
        let mut receivers = Vec::with_capacity(pipes);
        let mut senders = Vec::with_capacity(pipes);
        for _ in 0..pipes {
            let (mut sender, receiver) = router.pipe()?;
            sender.start()?;
            receivers.push(receiver);
            senders.push(sender);
        }
        Ok(Self {
            event_loop,
            router,
            receivers,
            feed: feed(senders),
        })
    }

    /// The receivers of the pipes, one per sender.
    #[must_use]
    pub fn receivers(&self) -> &[PipeReceiver<u64>] {
        &self.receivers
    }

    /// Lets the senders go; returns when they went.
    #[must_use]
    pub fn release(&self) -> Instant {
        self.feed.release()
    }

    /// Waits for the senders, closes the pipes and stops the router.
    ///
    /// # Errors
    ///
    /// [`BenchError::SenderPanicked`] if a sender panicked,
    /// [`BenchError::Router`] if the router was stopped meanwhile.
    pub fn finish(self) -> Result<(), BenchError> {
        self.feed.join()?;
        for receiver in &self.receivers {
            self.router.close_pipe(receiver)?;
        }
        self.router.stop()?;
        Ok(())
    }
}
