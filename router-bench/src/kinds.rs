//! The kinds of pipe beside the unbounded one: a bounded pipe flooded
//! while the foreground stalls (memory held, throughput against an
//! unbounded pipe, and the bare channel's bounded against its unbounded,
//! the ceiling), and latest-value pipes updated by eight threads while
//! the foreground routes at 60 Hz (its cost per frame, and whether each
//! frame sees the newest value).

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender, PipeKind};
use router_channel::ChannelRouter;

use crate::{Backend, BenchError, Feed, PATIENCE, Tally};

/// One flood of a pipe of some kind while the foreground stalls first.
#[derive(Clone, Copy, Debug)]
pub struct FloodRun {
    /// From the first send to the last message routed.
    pub elapsed: Duration,
    /// The most the live heap grew over its level before the flood, as
    /// the caller's counting allocator reports it; `None` without one.
    pub peak_heap: Option<usize>,
}

/// Sends `messages` through one pipe of `kind` from a worker thread while
/// the foreground does not route for `stall`, then routes them all on the
/// default event loop. `allocated` reads the live heap (the caller's
/// counting `#[global_allocator]`), sampled as the stall ends and after
/// each ping's turn.
///
/// # Errors
///
/// [`BenchError::Router`] if the router refuses, [`BenchError::TimedOut`]
/// past [`PATIENCE`], [`BenchError::SenderPanicked`].
pub fn flood<B: Backend>(
    kind: PipeKind,
    messages: u64,
    stall: Duration,
    allocated: &dyn Fn() -> Option<usize>,
) -> Result<FloodRun, BenchError> {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, B>::new(&event_loop);
    router.start()?;
    let (mut sender, receiver) = router.pipe_of(kind)?;
    let routed = Rc::new(Cell::new(0u64));
    let before = allocated();
    let peak = Cell::new(before);
    let sample = |now: Option<usize>| {
        if let (Some(now), Some(most)) = (now, peak.get()) {
            peak.set(Some(most.max(now)));
        }
    };
    receiver.connect({
        let routed = Rc::clone(&routed);
        move |_: &u64| routed.set(routed.get() + 1)
    });
    let started = Instant::now();
    let worker = std::thread::spawn(move || -> Result<(), BenchError> {
        let mut open = sender.open()?;
        for n in 0..messages {
            open.send(n)?;
        }
        Ok(())
    });
    std::thread::sleep(stall);
    sample(allocated());
    let done = event_loop.run_until(
        || {
            sample(allocated());
            routed.get() == messages
        },
        Some(PATIENCE),
    );
    let elapsed = started.elapsed();
    worker.join().map_err(|_| BenchError::SenderPanicked)??;
    done?;
    router.close_pipe(&receiver)?;
    router.stop()?;
    Ok(FloodRun {
        elapsed,
        peak_heap: peak
            .get()
            .zip(before)
            .map(|(most, before)| most.saturating_sub(before)),
    })
}

/// What a message costs each end of one pipe of `kind` on one thread, in
/// nanoseconds: `(send, receive)`. The thread sends `messages` and then
/// routes them in manual mode, each counted by a [`Tally`]; twice, on the
/// same router, and the second round is timed (as the one-thread rows of
/// [`split`](crate::split) are). A bounded pipe must have room for all of
/// them: the cost of its credit alone, with no other core taking part.
///
/// # Errors
///
/// [`BenchError::Router`] if the router refuses, [`BenchError::Sender`] if
/// a send fails (a bounded pipe too small), [`BenchError::TimedOut`] past
/// [`PATIENCE`].
pub fn one_thread<B: Backend>(kind: PipeKind, messages: u64) -> Result<(f64, f64), BenchError> {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, B>::new(&event_loop);
    router.start()?;
    let (mut sender, receiver) = router.pipe_of(kind)?;
    let tally = Tally::new();
    receiver.connect(tally.listener());
    // Manual mode, as the one-thread rows: the sender leaves the ping gate
    // alone.
    router.route_until(|| true, None)?;
    let mut open = sender.open()?;
    let per_message = |elapsed: Duration| elapsed.as_secs_f64() * 1e9 / messages as f64;
    let mut ends = (0.0, 0.0);
    for _ in 0..2 {
        let started = Instant::now();
        for value in 0..messages {
            open.send(value)?;
        }
        let sent = started.elapsed();
        let routed = tally.count() + messages;
        let started = Instant::now();
        router.route_until(|| tally.count() == routed, Some(PATIENCE))?;
        ends = (per_message(sent), per_message(started.elapsed()));
    }
    drop(open);
    router.close_pipe(&receiver)?;
    router.stop()?;
    Ok(ends)
}

/// The bare channel's flood: one thread sends `messages` hops through a
/// channel of the backend's crate, bounded to `capacity` or unbounded
/// (`None`), while the calling thread takes them with a blocking `recv`
/// loop, each counted by a [`Tally`]. The time from the sender's release
/// to the last message counted: what the crate's own bounded channel
/// costs against its unbounded one, the most a bounded pipe could hope
/// for.
///
/// # Errors
///
/// [`BenchError::ChannelClosed`] if the sender stopped early,
/// [`BenchError::SenderPanicked`] if it panicked.
pub fn bare_flood<B: Backend>(
    capacity: Option<usize>,
    messages: u64,
) -> Result<Duration, BenchError> {
    let (tx, rx) = capacity.map_or_else(B::bare, B::bare_bounded);
    let feed = Feed::spawn(vec![move |value| B::bare_send(&tx, (0, value))], messages);
    let tally = Tally::new();
    let started = feed.release();
    while tally.count() < messages {
        let Some((_, value)) = B::bare_recv(&rx) else {
            return Err(BenchError::ChannelClosed {
                received: tally.count(),
                expected: messages,
            });
        };
        tally.record(value);
    }
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}

/// How many updates a thread of [`frames`] sends between two sleeps.
pub const BURST: u64 = 1000;

/// What the foreground saw of latest-value pipes at 60 Hz.
#[derive(Clone, Debug)]
pub struct FramesRun {
    /// Frames the foreground ran while the updates went on.
    pub frames: usize,
    /// The foreground's time in routing, per frame: median and worst.
    pub median: Duration,
    /// See [`median`](Self::median).
    pub worst: Duration,
    /// Frames in which every pipe's listener got a value at least as new
    /// as the newest sent before the frame began.
    pub newest: usize,
    /// The most values the listeners got in one frame: the work a frame
    /// does, which preemption by the updating threads does not inflate.
    pub most_per_frame: u64,
    /// Pings taken, over all frames.
    pub pings: u64,
}

/// `threads` threads each send `updates` values 0.. through a pipe of
/// `kind` of their own, in bursts of [`BURST`] with a millisecond's sleep
/// between (about a million a second each, so the updates span many
/// frames), while the foreground runs one frame per `frame` (60 Hz:
/// 16.7 ms): it routes what is pending, then sleeps out the frame. Ends
/// when every pipe's last value is routed.
///
/// # Errors
///
/// [`BenchError::Router`] if the router refuses, [`BenchError::TimedOut`]
/// past [`PATIENCE`], [`BenchError::SenderPanicked`].
pub fn frames<B: Backend>(
    kind: PipeKind,
    threads: usize,
    updates: u64,
    frame: Duration,
) -> Result<FramesRun, BenchError> {
    let event_loop = DefaultEventLoop::new();
    let router = ChannelRouter::<u64, B>::new(&event_loop);
    router.start()?;
    let mut receivers = Vec::new();
    let delivered = Rc::new(Cell::new(0u64));
    let mut seen = Vec::new();
    let mut sent = Vec::new();
    let mut workers = Vec::new();
    for _ in 0..threads {
        let (mut sender, receiver) = router.pipe_of(kind)?;
        let newest = Rc::new(Cell::new(None));
        receiver.connect({
            let (newest, delivered) = (Rc::clone(&newest), Rc::clone(&delivered));
            move |value: &u64| {
                newest.set(Some(*value));
                delivered.set(delivered.get() + 1);
            }
        });
        let progress = Arc::new(AtomicU64::new(0));
        workers.push(std::thread::spawn({
            let progress = Arc::clone(&progress);
            move || -> Result<(), BenchError> {
                let mut open = sender.open()?;
                for value in 0..updates {
                    open.send(value)?;
                    progress.store(value + 1, Ordering::Release);
                    if (value + 1).is_multiple_of(BURST) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                }
                Ok(())
            }
        }));
        receivers.push(receiver);
        seen.push(newest);
        sent.push(progress);
    }
    let deadline = Instant::now() + PATIENCE;
    let mut costs = Vec::new();
    let mut newest_frames = 0;
    let mut most_per_frame = 0;
    let last = updates.checked_sub(1);
    loop {
        let began = Instant::now();
        // What each sender had sent by the frame's start.
        let due: Vec<u64> = sent
            .iter()
            .map(|sent| sent.load(Ordering::Acquire))
            .collect();
        let before = delivered.get();
        event_loop.run_pending();
        costs.push(began.elapsed());
        most_per_frame = most_per_frame.max(delivered.get() - before);
        let fresh = seen
            .iter()
            .zip(&due)
            .all(|(seen, due)| *due == 0 || seen.get().is_some_and(|value| value + 1 >= *due));
        newest_frames += usize::from(fresh);
        if seen.iter().all(|seen| seen.get() == last) {
            break;
        }
        if Instant::now() > deadline {
            return Err(router_api::TimedOut::after(PATIENCE).into());
        }
        std::thread::sleep(frame.saturating_sub(began.elapsed()));
    }
    for worker in workers {
        worker.join().map_err(|_| BenchError::SenderPanicked)??;
    }
    let pings = router.stats().pings;
    for receiver in &receivers {
        router.close_pipe(receiver)?;
    }
    router.stop()?;
    let frames = costs.len();
    costs.sort_unstable();
    Ok(FramesRun {
        frames,
        median: costs[frames / 2],
        worst: costs[frames - 1],
        newest: newest_frames,
        most_per_frame,
        pings,
    })
}
