#![doc = include_str!("../README.md")]

use std::fmt;
use std::rc::Rc;

use calloop::ping::make_ping;
use calloop::{LoopHandle, RegistrationToken};
use router_api::{EventLoop, Pingee, WakeLoop};

/// Why a [`CalloopLoop`] could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalloopLoopError {
    /// calloop could not make the ping (an eventfd, or a pipe) that wakes
    /// the loop: the process may be out of file descriptors.
    #[error("could not make the calloop ping that wakes the loop: {0}")]
    Ping(#[source] std::io::Error),
    /// The loop refused the ping source.
    #[error("the calloop loop refused the router's ping source: {0}")]
    Insert(#[source] calloop::Error),
}

/// A router's event loop on a calloop loop.
///
/// Made with [`CalloopLoop::new`] from the loop's handle: one calloop ping
/// source is inserted into the loop, and every pingee of this loop shares
/// it. A ping marks its pingee pending and pings the source if the pingee
/// was not pending (router-api's `WakeLoop`); when the loop dispatches the
/// source, it runs the callbacks of the pingees pinged since, on the loop's
/// thread. calloop dispatches each source once per dispatch, so a router
/// whose turn ends on its drain budget pings again and the loop's other
/// sources are dispatched before it goes on.
///
/// Clones are handles to the same loop; the ping source is removed when
/// the last one is dropped. A pingee's `disconnect` unregisters its
/// callback at once (the source stays for the others).
pub struct CalloopLoop<Data: 'static> {
    wake_loop: WakeLoop,
    source: Rc<Source<Data>>,
}

/// The ping source in the loop, removed when the last handle goes.
struct Source<Data: 'static> {
    handle: LoopHandle<'static, Data>,
    token: RegistrationToken,
}

impl<Data: 'static> Drop for Source<Data> {
    fn drop(&mut self) {
        self.handle.remove(self.token);
    }
}

impl<Data: 'static> CalloopLoop<Data> {
    /// Inserts the router's ping source into the loop of `handle`.
    ///
    /// # Errors
    ///
    /// [`CalloopLoopError::Ping`] if calloop cannot make the ping, and
    /// [`CalloopLoopError::Insert`] if the loop refuses the source.
    pub fn new(handle: &LoopHandle<'static, Data>) -> Result<Self, CalloopLoopError> {
        let (ping, ping_source) = make_ping().map_err(CalloopLoopError::Ping)?;
        let (wake_loop, pump) = WakeLoop::new(move || ping.ping());
        let token = handle
            .insert_source(ping_source, move |(), &mut (), _: &mut Data| {
                pump.run_pending();
            })
            .map_err(|error| CalloopLoopError::Insert(error.error))?;
        Ok(Self {
            wake_loop,
            source: Rc::new(Source {
                handle: handle.clone(),
                token,
            }),
        })
    }
}

impl<Data: 'static> Clone for CalloopLoop<Data> {
    fn clone(&self) -> Self {
        Self {
            wake_loop: self.wake_loop.clone(),
            source: Rc::clone(&self.source),
        }
    }
}

impl<Data: 'static> EventLoop for CalloopLoop<Data> {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        self.wake_loop.pingee(on_ping)
    }
}

impl<Data: 'static> fmt::Debug for CalloopLoop<Data> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CalloopLoop")
            .field("token", &self.source.token)
            .finish_non_exhaustive()
    }
}

/// Compile-time facts (see RULES.md, "Compile-time facts").
mod facts {
    use static_assertions::{assert_impl_all, assert_not_impl_any};

    assert_not_impl_any!(super::CalloopLoop<()>: Send, Sync);
    assert_impl_all!(super::CalloopLoopError: Send, Sync, std::error::Error);
}
