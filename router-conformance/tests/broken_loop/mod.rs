//! Deliberately broken event loops: the default loop with one
//! [`LoopFlaw`], chosen by a marker type (the kit makes each check's loop
//! with `KitLoop::new_loop`, which takes nothing). With [`NoFlaw`] the
//! wrapper only forwards, and passes the whole suite.

use std::cell::RefCell;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::ThreadId;
use std::time::Duration;

use router_conformance::KitLoop;
use router_conformance::api::{DefaultEventLoop, EventLoop, Pingee, Pinger};

/// The one rule a [`BrokenLoop`] breaks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum LoopFlaw {
    /// None: the wrapper only forwards.
    None,
    /// W1: a ping made on the loop's own thread runs the callback inside
    /// `ping`.
    InlinePing,
    /// W2: every other ping of a pingee is dropped.
    DropsEveryOtherPing,
    /// W3: `disconnect` leaves the callback registered (only the pingee's
    /// drop unregisters it).
    DisconnectIgnored,
    /// W4: a ping panics once every handle of the loop is gone.
    PanicsWhenGone,
}

/// Chooses the flaw of a [`BrokenLoop`] by type.
pub(crate) trait Flawed: 'static {
    const FLAW: LoopFlaw;
}

macro_rules! markers {
    ($($marker:ident => $flaw:ident,)*) => {
        $(
            #[derive(Clone, Copy, Debug)]
            pub(crate) struct $marker;
            impl Flawed for $marker {
                const FLAW: LoopFlaw = LoopFlaw::$flaw;
            }
        )*
    };
}

markers! {
    NoFlaw => None,
    InlinePing => InlinePing,
    DropsEveryOtherPing => DropsEveryOtherPing,
    DisconnectIgnored => DisconnectIgnored,
    PanicsWhenGone => PanicsWhenGone,
}

thread_local! {
    /// The callbacks an [`LoopFlaw::InlinePing`] pinger runs inside
    /// `ping` on the loop's thread, by pingee.
    static INLINE: RefCell<HashMap<u64, Rc<dyn Fn()>>> = RefCell::new(HashMap::new());
}

/// Ids of the pingees of every broken loop of the process.
static NEXT_PINGEE: AtomicU64 = AtomicU64::new(1);

/// Cleared when the last handle of a loop is dropped.
struct Alive(Arc<AtomicBool>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// The default event loop with the flaw `F` names.
pub(crate) struct BrokenLoop<F> {
    inner: DefaultEventLoop,
    alive: Rc<Alive>,
    _flaw: PhantomData<F>,
}

impl<F> Clone for BrokenLoop<F> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
            alive: Rc::clone(&self.alive),
            _flaw: PhantomData,
        }
    }
}

impl<F: Flawed> EventLoop for BrokenLoop<F> {
    fn pingee(&self, on_ping: Box<dyn Fn()>) -> Box<dyn Pingee> {
        let id = NEXT_PINGEE.fetch_add(1, Ordering::Relaxed);
        let on_ping: Rc<dyn Fn()> = Rc::from(on_ping);
        if F::FLAW == LoopFlaw::InlinePing {
            INLINE.with(|inline| inline.borrow_mut().insert(id, Rc::clone(&on_ping)));
        }
        let inner = self.inner.pingee(Box::new(move || on_ping()));
        Box::new(BrokenPingee {
            pinger: Arc::new(BrokenPinger {
                inner: inner.pinger(),
                flaw: F::FLAW,
                id,
                owner: std::thread::current().id(),
                pings: AtomicU64::new(0),
                alive: Arc::clone(&self.alive.0),
            }),
            inner,
            flaw: F::FLAW,
            id,
        })
    }
}

impl<F: Flawed> KitLoop for BrokenLoop<F> {
    fn new_loop() -> Self {
        Self {
            inner: DefaultEventLoop::new(),
            alive: Rc::new(Alive(Arc::new(AtomicBool::new(true)))),
            _flaw: PhantomData,
        }
    }

    fn run_until(&self, condition: &mut dyn FnMut() -> bool, timeout: Duration) -> bool {
        self.inner.run_until(condition, Some(timeout)).is_ok()
    }

    fn run_pending(&self) -> usize {
        self.inner.run_pending()
    }
}

struct BrokenPingee {
    inner: Box<dyn Pingee>,
    pinger: Arc<BrokenPinger>,
    flaw: LoopFlaw,
    id: u64,
}

impl BrokenPingee {
    fn unregister_inline(&self) {
        // Gone with the thread already when the pingee is dropped late.
        let _ = INLINE.try_with(|inline| inline.borrow_mut().remove(&self.id));
    }
}

impl Pingee for BrokenPingee {
    fn pinger(&self) -> Arc<dyn Pinger> {
        self.pinger.clone()
    }

    fn disconnect(&mut self) {
        if self.flaw == LoopFlaw::DisconnectIgnored {
            return;
        }
        self.unregister_inline();
        self.inner.disconnect();
    }
}

impl Drop for BrokenPingee {
    fn drop(&mut self) {
        self.unregister_inline();
        self.inner.disconnect();
    }
}

struct BrokenPinger {
    inner: Arc<dyn Pinger>,
    flaw: LoopFlaw,
    id: u64,
    owner: ThreadId,
    pings: AtomicU64,
    alive: Arc<AtomicBool>,
}

impl Pinger for BrokenPinger {
    fn ping(&self) {
        let number = self.pings.fetch_add(1, Ordering::Relaxed);
        match self.flaw {
            LoopFlaw::None | LoopFlaw::DisconnectIgnored => {}
            LoopFlaw::InlinePing => {
                if std::thread::current().id() == self.owner {
                    let callback = INLINE.with(|inline| inline.borrow().get(&self.id).cloned());
                    if let Some(callback) = callback {
                        callback();
                        return;
                    }
                }
            }
            LoopFlaw::DropsEveryOtherPing => {
                if number % 2 == 1 {
                    return;
                }
            }
            LoopFlaw::PanicsWhenGone => {
                assert!(
                    self.alive.load(Ordering::Acquire),
                    "a broken loop's pinger: the loop is gone"
                );
            }
        }
        self.inner.ping();
    }
}
