//! The backends under test, and a macro that runs a test on each.

use router_api::EventLoop;
use router_channel::{Channel, ChannelRouter, Envelope};
use router_crossbeam::Crossbeam;
use router_flume::Flume;

/// A channel backend of [`ChannelRouter`], named so a generic test can be
/// run on it.
pub trait Backend: 'static {
    /// The backend's name, for messages.
    const NAME: &'static str;

    /// The channel that carries messages of type `M`.
    type Channel<M: Send + 'static>: Channel<Envelope<M>>;

    /// A new, un-started router of this backend on `event_loop`.
    fn router<M, E>(event_loop: &E) -> Router<Self, M>
    where
        M: Send + 'static,
        E: EventLoop + Clone + 'static,
    {
        ChannelRouter::new(event_loop)
    }
}

/// The router of backend `B` for messages of type `M`.
pub type Router<B, M> = ChannelRouter<M, <B as Backend>::Channel<M>>;

impl Backend for Crossbeam {
    const NAME: &'static str = "crossbeam";
    type Channel<M: Send + 'static> = Crossbeam;
}

impl Backend for Flume {
    const NAME: &'static str = "flume";
    type Channel<M: Send + 'static> = Flume;
}

/// Writes one `#[test]` per backend for each generic check function.
///
/// ```
/// use router_reliability::Backend;
///
/// fn a_new_router_is_not_running<B: Backend>() {
///     let event_loop = router_api::DefaultEventLoop::new();
///     let router = B::router::<u32, _>(&event_loop);
///     assert!(!router_api::MessageRouter::is_running(&router));
/// }
///
/// router_reliability::for_each_backend! {
///     a_new_router_is_not_running;
/// }
/// # fn main() {}
/// ```
///
/// expands to the tests `crossbeam::a_new_router_is_not_running` and
/// `flume::a_new_router_is_not_running`, each calling the function with
/// its backend. Attributes written before a name (`#[ignore = "..."]`,
/// say) go on both tests.
#[macro_export]
macro_rules! for_each_backend {
    ($($(#[$meta:meta])* $check:ident;)*) => {
        mod crossbeam {
            $(
                $(#[$meta])*
                #[test]
                fn $check() {
                    super::$check::<$crate::__private::Crossbeam>();
                }
            )*
        }
        mod flume {
            $(
                $(#[$meta])*
                #[test]
                fn $check() {
                    super::$check::<$crate::__private::Flume>();
                }
            )*
        }
    };
}
