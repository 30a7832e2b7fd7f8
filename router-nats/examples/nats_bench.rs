//! The NATS backend's throughput against a bare async-nats hop of frames
//! of the same size on the same server, in one run.
//!
//! ```sh
//! cargo run --release --manifest-path servers/Cargo.toml -p router-nats --example nats_bench
//! cargo run ... --example nats_bench -- 100000   # messages per row
//! ```
//!
//! Rows, each one sender thread to the foreground:
//!
//! - `router-nats, window W`: `NatsSender::send` of `(u64, u64)` messages
//!   (with `set_window(W)`), routed to a listener by `NatsRouter`;
//! - `bare JetStream, window W`: async-nats publishes of frames of the
//!   same size, with message ids and W acknowledgements under way, read by
//!   an ordered consumer: what the backend does, minus the backend;
//! - `bare core NATS`: plain publish to a plain subscription (no
//!   JetStream, no acknowledgement: nothing survives a restart).
//!
//! The ratio is the backend's rate over the bare JetStream hop's with the
//! same window.

mod common;

use std::cell::Cell;
use std::future::IntoFuture;
use std::rc::Rc;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer, message::PublishMessage, stream};
use futures_util::StreamExt;
use router_api::{DefaultEventLoop, MessageReceiver, MessageRouter, MessageSender};
use router_nats::NatsRouter;

use common::Failure;

/// The size of the backend's frame of one `(u64, u64)` message: header,
/// message and tag, as sent in the backend's rows (within a few bytes).
const FRAME_LEN: usize = 72;

fn main() -> Result<(), Failure> {
    let count: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 50_000,
    };
    let (url, _server) = common::server_from_env()?;
    println!("CPU: {}", cpu_model());
    println!("{count} messages per row, one sender thread, server {url}\n");
    println!("{:<28} {:>12} {:>8}", "row", "msgs/s", "ratio");
    for window in [1, 64] {
        let ours = backend(&url, count, window)?;
        let bare = bare_jetstream(&url, count, window)?;
        println!(
            "{:<28} {:>12.0}",
            format!("bare JetStream, window {window}"),
            bare
        );
        println!(
            "{:<28} {:>12.0} {:>8.2}",
            format!("router-nats, window {window}"),
            ours,
            ours / bare
        );
    }
    let core = bare_core(&url, count)?;
    println!("{:<28} {:>12.0}", "bare core NATS", core);
    Ok(())
}

/// Messages per second through the backend, send to listener.
fn backend(url: &str, count: u64, window: usize) -> Result<f64, Failure> {
    let event_loop = DefaultEventLoop::new();
    let router = NatsRouter::<(u64, u64)>::new(&event_loop, url);
    router.start()?;
    let (mut sender, receiver) = router.pipe()?;
    let seen = Rc::new(Cell::new(0u64));
    receiver.connect({
        let seen = Rc::clone(&seen);
        move |_: &(u64, u64)| seen.set(seen.get() + 1)
    });
    sender.set_window(window);
    sender.start()?;
    let started = Instant::now();
    let worker = std::thread::spawn(move || {
        for n in 0..count {
            if sender.send((n, n.wrapping_mul(0x9e37_79b9))).is_err() {
                return;
            }
        }
        let _ = sender.stop();
    });
    event_loop.run_until(|| seen.get() >= count, Some(Duration::from_secs(600)))?;
    let elapsed = started.elapsed();
    let _ = worker.join();
    router.close_pipe(&receiver)?;
    router.stop()?;
    Ok(count as f64 / elapsed.as_secs_f64())
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Messages per second through a bare JetStream hop: acknowledged
/// publishes with message ids, `window` under way, an ordered consumer.
fn bare_jetstream(url: &str, count: u64, window: usize) -> Result<f64, Failure> {
    let name = format!("BARE_{window}_{}", std::process::id());
    let subject = format!("bare.{window}.{}", std::process::id());
    let setup = runtime()?;
    let context = setup.block_on(async {
        let context = jetstream::new(async_nats::connect(url).await?);
        let _ = context.delete_stream(&name).await;
        context
            .create_stream(stream::Config {
                name: name.clone(),
                subjects: vec![subject.clone()],
                storage: stream::StorageType::File,
                ..Default::default()
            })
            .await?;
        Ok::<_, Failure>(context)
    })?;
    let (ready, is_ready) = std::sync::mpsc::channel();
    let reader = {
        let (url, name) = (url.to_owned(), name.clone());
        std::thread::spawn(move || -> Result<Instant, String> {
            let runtime = runtime().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let context =
                    jetstream::new(async_nats::connect(url).await.map_err(|e| e.to_string())?);
                let stream = context.get_stream(&name).await.map_err(|e| e.to_string())?;
                let consumer = stream
                    .create_consumer(consumer::pull::OrderedConfig::default())
                    .await
                    .map_err(|e| e.to_string())?;
                let mut messages = consumer.messages().await.map_err(|e| e.to_string())?;
                let _ = ready.send(());
                let mut seen = 0;
                while seen < count {
                    match messages.next().await {
                        Some(Ok(_)) => seen += 1,
                        Some(Err(error)) => return Err(error.to_string()),
                        None => return Err("the consumer ended".to_owned()),
                    }
                }
                Ok(Instant::now())
            })
        })
    };
    is_ready.recv()?;
    let frame = bytes::Bytes::from(vec![0x5au8; FRAME_LEN]);
    let started = Instant::now();
    setup.block_on(async {
        let mut under_way = std::collections::VecDeque::new();
        for n in 0..count {
            if under_way.len() >= window
                && let Some(ack) = under_way.pop_front()
            {
                IntoFuture::into_future(ack).await?;
            }
            let publish = PublishMessage::build()
                .payload(frame.clone())
                .message_id(format!("bare-{n}"));
            under_way.push_back(context.send_publish(subject.clone(), publish).await?);
            tokio::task::yield_now().await;
        }
        for ack in under_way {
            IntoFuture::into_future(ack).await?;
        }
        Ok::<_, Failure>(())
    })?;
    let finished = reader.join().map_err(|_| "the reader panicked")??;
    setup.block_on(async {
        let _ = context.delete_stream(&name).await;
    });
    Ok(count as f64 / (finished - started).as_secs_f64())
}

/// Messages per second through plain publish and subscribe.
fn bare_core(url: &str, count: u64) -> Result<f64, Failure> {
    let subject = format!("core.{}", std::process::id());
    let (ready, is_ready) = std::sync::mpsc::channel();
    let reader = {
        let (url, subject) = (url.to_owned(), subject.clone());
        std::thread::spawn(move || -> Result<Instant, String> {
            let runtime = runtime().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let client = async_nats::connect(url).await.map_err(|e| e.to_string())?;
                let mut subscription =
                    client.subscribe(subject).await.map_err(|e| e.to_string())?;
                client.flush().await.map_err(|e| e.to_string())?;
                let _ = ready.send(());
                let mut seen = 0;
                while seen < count && subscription.next().await.is_some() {
                    seen += 1;
                }
                Ok(Instant::now())
            })
        })
    };
    is_ready.recv()?;
    let frame = bytes::Bytes::from(vec![0x5au8; FRAME_LEN]);
    let runtime = runtime()?;
    let started = Instant::now();
    runtime.block_on(async {
        let client = async_nats::connect(url).await?;
        for _ in 0..count {
            client.publish(subject.clone(), frame.clone()).await?;
        }
        client.flush().await?;
        Ok::<_, Failure>(())
    })?;
    let finished = reader.join().map_err(|_| "the reader panicked")??;
    Ok(count as f64 / (finished.saturating_duration_since(started)).as_secs_f64())
}

/// The CPU's model name, from /proc/cpuinfo.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
