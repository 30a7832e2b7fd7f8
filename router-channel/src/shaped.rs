//! Channel glue for channels shaped like crossbeam-channel.

/// Declares a marker type and implements [`Channel`](crate::Channel)
/// for it over a channel crate whose API has crossbeam-channel's shape: a
/// crate-level `unbounded()` returning `(Sender<T>, Receiver<T>)`, a
/// `Sender::send` whose error has `into_inner()`, and a `Receiver::try_recv`
/// returning a `Result`. crossbeam-channel and flume both have it, so each
/// of their backends is this one line.
///
/// ```ignore
/// // In a backend crate that depends on crossbeam-channel (see router-crossbeam):
/// router_channel::channel_backend! {
///     /// crossbeam-channel's unbounded channel, as a router channel.
///     pub struct Crossbeam over crossbeam_channel
/// }
/// pub type CrossbeamRouter<M> = router_channel::ChannelRouter<M, Crossbeam>;
/// ```
///
/// A crate whose `Receiver` also has flume's `drain()` (take the whole
/// queue under one lock) adds `with drain`, and the router then takes its
/// messages a queue at a time, not one at a time:
///
/// ```ignore
/// router_channel::channel_backend! {
///     /// flume's unbounded channel, as a router channel.
///     pub struct Flume over flume with drain
/// }
/// ```
#[macro_export]
macro_rules! channel_backend {
    (@impl [$(#[$meta:meta])*] $vis:vis $marker:ident $channel:ident { $($batch:tt)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default)]
        $vis struct $marker;

        impl<T: ::std::marker::Send + 'static> $crate::Channel<T> for $marker {
            type Tx = $channel::Sender<T>;
            type Rx = $channel::Receiver<T>;

            fn unbounded() -> (Self::Tx, Self::Rx) {
                $channel::unbounded()
            }

            fn send(tx: &Self::Tx, value: T) -> ::std::result::Result<(), T> {
                tx.send(value).map_err(|error| error.into_inner())
            }

            fn try_recv(rx: &Self::Rx) -> ::std::option::Option<T> {
                rx.try_recv().ok()
            }

            $($batch)*
        }
    };
    ($(#[$meta:meta])* $vis:vis struct $marker:ident over $channel:ident) => {
        $crate::channel_backend!(@impl [$(#[$meta])*] $vis $marker $channel {});
    };
    ($(#[$meta:meta])* $vis:vis struct $marker:ident over $channel:ident with drain) => {
        $crate::channel_backend!(@impl [$(#[$meta])*] $vis $marker $channel {
            const TAKES_BATCHES: bool = true;

            fn try_recv_batch(
                rx: &Self::Rx,
                rest: &mut ::std::collections::VecDeque<T>,
            ) -> ::std::option::Option<T> {
                // `drain` takes the queue's buffer with its values, and the
                // senders then grow a new one: worth it only for a long
                // queue, where it saves a lock per value.
                if rx.len() < $crate::__private::DRAIN_FROM {
                    return rx.try_recv().ok();
                }
                let mut queued = rx.drain();
                let next = queued.next()?;
                rest.extend(queued);
                ::std::option::Option::Some(next)
            }
        });
    };
}
