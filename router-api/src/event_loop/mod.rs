//! How a router wakes the foreground thread.
//!
//! A router never polls. When a background sender has queued a message it
//! *pings*; the event loop then runs the router's callback on the
//! foreground thread, and the callback routes what is queued.
//!
//! - [`EventLoop::pingee`] registers a foreground callback and returns a
//!   [`Pingee`];
//! - [`Pingee::pinger`] gives a [`Pinger`] (`Send + Sync`) for background
//!   threads;
//! - [`Pinger::ping`] asks the loop to run the callback soon;
//! - [`Pingee::disconnect`] makes every later ping do nothing.
//!
//! [`DefaultEventLoop`] is the std-only loop this crate ships: it runs
//! callbacks on the thread that drives it, which is all a headless program
//! or a test needs. [`WakeLoop`] is the core of every other loop: a wake
//! function any thread may call, and a [`Pump`] the host runs on its
//! foreground thread once woken.
//!
//! # For event-loop adapter authors
//!
//! An adapter (for tokio, a GUI toolkit, a game loop) implements the three
//! traits, or, when its loop can be woken from any thread, wraps a
//! [`WakeLoop`] (rules W1–W4 of RULES.md). It **must** run callbacks only on the thread that owns the loop,
//! never inside `ping`; **must** run the callback at least once after each
//! `ping` unless the pingee was disconnected first; **may** run it once for
//! several pings; and **must not** run it after `disconnect` returns. The
//! router pings at most once per batch of messages, so a ping may be as
//! costly as posting an event to a GUI queue.

mod callbacks;
mod default;
mod wake;

use std::sync::Arc;

pub use default::DefaultEventLoop;
pub use wake::{Pump, WakeLoop};

/// A foreground event loop that can run callbacks when pinged.
///
/// Routers keep a clone of their loop (to connect at each `start`), so an
/// event loop is a cheap handle.
pub trait EventLoop {
    /// Registers `on_ping`, to be run on this loop's thread after each
    /// ping of the returned pingee's pingers.
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee>;
}

/// The foreground side of a registered callback.
pub trait Pingee {
    /// A pinger that background threads use to ask for the callback.
    fn pinger(&self) -> Arc<dyn Pinger>;

    /// Unregisters the callback: pings from now on do nothing, and the
    /// callback does not run again. Disconnecting twice does nothing.
    fn disconnect(&mut self);
}

/// The background side of a registered callback.
pub trait Pinger: Send + Sync {
    /// Asks the event loop to run the callback soon, on its own thread.
    /// Never blocks for long and never runs the callback itself.
    fn ping(&self);
}

impl<E: EventLoop + ?Sized> EventLoop for &E {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        (**self).pingee(on_ping)
    }
}

impl<E: EventLoop + ?Sized> EventLoop for std::rc::Rc<E> {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        (**self).pingee(on_ping)
    }
}
