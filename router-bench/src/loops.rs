//! The router on a host event loop against that loop's own way of carrying
//! messages from threads to the foreground, doing the same work in the
//! same run: tokio (`tokio::sync::mpsc` unbounded, read by a `spawn_local`
//! task) and calloop (`calloop::channel`).
//!
//! Each side counts every message into a [`Tally`] and notices the last
//! one itself; the clock runs from the senders' release to the last
//! message counted on the foreground.

use std::rc::Rc;
use std::time::{Duration, Instant};

use calloop::channel::Event;
use router_calloop::CalloopLoop;
use router_tokio::TokioLoop;
use tokio::runtime::Runtime;
use tokio::sync::Notify;
use tokio::task::LocalSet;

use crate::{Backend, BenchError, Feed, Hop, PATIENCE, Rig, Tally, Workload};

/// A current-thread runtime and a `LocalSet` to run the foreground on.
fn tokio_foreground() -> Result<(Runtime, LocalSet), BenchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|error| BenchError::host("tokio runtime", error))?;
    Ok((runtime, LocalSet::new()))
}

/// Counts a message, and wakes `done` once all `expected` are in.
fn count_until(tally: &Tally, done: &Notify, value: u64, expected: u64) {
    tally.record(value);
    if tally.count() == expected {
        done.notify_one();
    }
}

/// Waits on the `LocalSet` until `done` is notified, at most [`PATIENCE`].
fn tokio_wait(
    runtime: &Runtime,
    local: &LocalSet,
    done: &Notify,
    received: impl Fn() -> u64,
    expected: u64,
) -> Result<(), BenchError> {
    local
        .block_on(runtime, async {
            tokio::time::timeout(PATIENCE, done.notified()).await
        })
        .map_err(|_| BenchError::ChannelClosed {
            received: received(),
            expected,
        })
}

/// `work` through a router on a tokio `LocalSet`.
///
/// # Errors
///
/// As [`Rig::new`]; [`BenchError::ChannelClosed`] if the messages do not
/// all arrive.
pub fn tokio_router<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    let (runtime, local) = tokio_foreground()?;
    let (tally, done, expected) = (Tally::new(), Rc::new(Notify::new()), work.messages());
    let rig = Rig::<B, _>::for_work(TokioLoop::new(&local), work, None, || {
        let (tally, done) = (tally.clone(), Rc::clone(&done));
        move |value: &u64| count_until(&tally, &done, *value, expected)
    })?;
    let started = rig.release();
    tokio_wait(&runtime, &local, &done, || tally.count(), expected)?;
    let elapsed = started.elapsed();
    rig.finish()?;
    Ok(elapsed)
}

/// `work` through tokio's unbounded mpsc channel, read by a `spawn_local`
/// task on the same `LocalSet`.
///
/// # Errors
///
/// [`BenchError::ChannelClosed`] if the messages do not all arrive.
pub fn tokio_bare(work: Workload) -> Result<Duration, BenchError> {
    let (runtime, local) = tokio_foreground()?;
    let (tally, done, expected) = (Tally::new(), Rc::new(Notify::new()), work.messages());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Hop>();
    let feed = Feed::spawn(
        (0..work.senders as u64)
            .map(|sender| {
                let tx = tx.clone();
                move |value| tx.send((sender, value)).is_ok()
            })
            .collect(),
        work.per_sender,
    );
    drop(tx);
    local.spawn_local({
        let (tally, done) = (tally.clone(), Rc::clone(&done));
        async move {
            while let Some((_, value)) = rx.recv().await {
                count_until(&tally, &done, value, expected);
            }
        }
    });
    let started = feed.release();
    tokio_wait(&runtime, &local, &done, || tally.count(), expected)?;
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}

/// Dispatches `event_loop` until `tally` has counted `expected`, at most
/// [`PATIENCE`].
fn calloop_wait(
    event_loop: &mut calloop::EventLoop<'static, ()>,
    tally: &Tally,
    expected: u64,
) -> Result<(), BenchError> {
    let deadline = Instant::now() + PATIENCE;
    while tally.count() < expected {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(BenchError::ChannelClosed {
                received: tally.count(),
                expected,
            });
        }
        event_loop
            .dispatch(Some(left), &mut ())
            .map_err(|error| BenchError::host("calloop dispatch", error))?;
    }
    Ok(())
}

fn calloop_loop() -> Result<calloop::EventLoop<'static, ()>, BenchError> {
    calloop::EventLoop::try_new().map_err(|error| BenchError::host("calloop", error))
}

/// `work` through a router on a calloop loop.
///
/// # Errors
///
/// As [`Rig::new`]; [`BenchError::Loop`] if calloop fails.
pub fn calloop_router<B: Backend>(work: Workload) -> Result<Duration, BenchError> {
    let mut event_loop = calloop_loop()?;
    let router_loop = CalloopLoop::new(&event_loop.handle())
        .map_err(|error| BenchError::host("calloop (router loop)", error))?;
    let tally = Tally::new();
    let rig = Rig::<B, _>::for_work(router_loop, work, None, || tally.listener())?;
    let started = rig.release();
    calloop_wait(&mut event_loop, &tally, work.messages())?;
    let elapsed = started.elapsed();
    rig.finish()?;
    Ok(elapsed)
}

/// `work` through `calloop::channel`, a source of the same loop.
///
/// # Errors
///
/// [`BenchError::Loop`] if calloop fails.
pub fn calloop_bare(work: Workload) -> Result<Duration, BenchError> {
    let mut event_loop = calloop_loop()?;
    let (tx, channel) = calloop::channel::channel::<Hop>();
    let tally = Tally::new();
    event_loop
        .handle()
        .insert_source(channel, {
            let tally = tally.clone();
            move |event, &mut (), &mut ()| {
                if let Event::Msg((_, value)) = event {
                    tally.record(value);
                }
            }
        })
        .map_err(|error| BenchError::host("calloop channel", error.error))?;
    let feed = Feed::spawn(
        (0..work.senders as u64)
            .map(|sender| {
                let tx = tx.clone();
                move |value| tx.send((sender, value)).is_ok()
            })
            .collect(),
        work.per_sender,
    );
    drop(tx);
    let started = feed.release();
    calloop_wait(&mut event_loop, &tally, work.messages())?;
    let elapsed = started.elapsed();
    feed.join()?;
    Ok(elapsed)
}
