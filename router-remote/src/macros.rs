//! The impls a backend's own router and sender types take from the
//! shell, written once here: the backend keeps its type names, docs and
//! constructors, and forwards nothing by hand.

/// Makes a backend's router type, a struct with a
/// [`RemoteRouter`](crate::RemoteRouter) field, a router: writes its
/// [`MessageRouter`](router_api::MessageRouter),
/// [`RouterControl`](router_api::RouterControl) and `Debug` impls and its
/// inherent `stats`, `open_pipes`, `drain_budget`, `set_drain_budget` and
/// `is_manual`, each the shell's.
///
/// The form is `remote_router!(Router(field), Sender, where bounds)`, for
/// a router generic over its message type `M` alone, with the bounds of
/// its struct, whose pipes hand out `Sender<M>` (its transport's
/// [`Sender`](crate::Transport::Sender)); the transport type need not be
/// public.
///
/// ```
/// # use router_remote::{PipeBook, DropLog, DropReason, RemoteRouter, Transport};
/// # use router_api::PipeId;
/// # use std::sync::Arc;
/// # use router_crossbeam::CrossbeamSender;
/// # #[derive(Debug)] pub struct Nowhere;
/// # #[derive(Clone, Copy, PartialEq, Eq, Debug)] pub enum Never {}
/// # impl DropReason for Never { const ALL: &'static [Self] = &[]; fn name(self) -> &'static str { match self {} } }
/// # impl<M: Send + 'static> Transport<M> for Nowhere {
/// #     type Run = (); type Entry = (); type Reason = Never;
/// #     type Sender = router_crossbeam::CrossbeamSender<M>;
/// #     type Error = std::io::Error;
/// #     fn open(&self, _: Arc<PipeBook<M>>, _: DropLog<Never>) -> std::io::Result<()> {
/// #         Err(std::io::ErrorKind::Unsupported.into())
/// #     }
/// #     fn close(&self, (): ()) {}
/// #     fn pipe(&self, (): &(), _: PipeId) -> ((), Self::Sender) { unreachable!() }
/// # }
/// /// A router whose senders are nowhere.
/// pub struct NowhereRouter<M: Send + 'static> {
///     shell: RemoteRouter<M, Nowhere>,
/// }
///
/// router_remote::remote_router!(NowhereRouter(shell), CrossbeamSender, where M: Send + 'static);
///
/// let event_loop = router_api::DefaultEventLoop::new();
/// let router = NowhereRouter::<u8> { shell: RemoteRouter::new(&event_loop, Nowhere) };
/// assert!(router_api::MessageRouter::start(&router).is_err());
/// assert_eq!(router.open_pipes(), 0);
/// ```
#[macro_export]
macro_rules! remote_router {
    ($router:ident($field:ident), $sender:ident, where $($bound:tt)+) => {
        impl<M> $router<M>
        where
            $($bound)+
        {
            /// Sets how much one ping may route before it yields the event loop.
            pub fn set_drain_budget(&self, budget: $crate::__private::DrainBudget) {
                self.$field.set_drain_budget(budget);
            }

            /// How much one ping may route before it yields the event loop.
            #[must_use]
            pub fn drain_budget(&self) -> $crate::__private::DrainBudget {
                self.$field.drain_budget()
            }

            /// What the router has done so far, over all its runs.
            #[must_use]
            pub fn stats(&self) -> $crate::__private::RouterStats {
                self.$field.stats()
            }

            /// How many pipes are open.
            #[must_use]
            pub fn open_pipes(&self) -> usize {
                self.$field.open_pipes()
            }

            /// Whether `route_until` has switched the router to manual mode.
            #[must_use]
            pub fn is_manual(&self) -> bool {
                self.$field.is_manual()
            }
        }

        /// The same as the inherent methods, for code generic over routers.
        impl<M> $crate::__private::RouterControl for $router<M>
        where
            $($bound)+
        {
            fn stats(&self) -> $crate::__private::RouterStats {
                self.$field.stats()
            }

            fn open_pipes(&self) -> usize {
                self.$field.open_pipes()
            }

            fn drain_budget(&self) -> $crate::__private::DrainBudget {
                self.$field.drain_budget()
            }

            fn set_drain_budget(&self, budget: $crate::__private::DrainBudget) {
                self.$field.set_drain_budget(budget);
            }
        }

        impl<M> $crate::__private::MessageRouter<M> for $router<M>
        where
            $($bound)+
        {
            type Sender = $sender<M>;
            type Receiver = $crate::__private::PipeReceiver<M>;

            fn start(&self) -> ::core::result::Result<(), $crate::__private::RouterStartError> {
                $crate::__private::MessageRouter::start(&self.$field)
            }

            fn stop(&self) -> ::core::result::Result<(), $crate::__private::RouterStopError> {
                $crate::__private::MessageRouter::stop(&self.$field)
            }

            fn pipe(
                &self,
            ) -> ::core::result::Result<(Self::Sender, Self::Receiver), $crate::__private::PipeError>
            {
                $crate::__private::MessageRouter::pipe(&self.$field)
            }

            fn pipe_of(
                &self,
                kind: $crate::__private::PipeKind,
            ) -> ::core::result::Result<(Self::Sender, Self::Receiver), $crate::__private::PipeError>
            {
                $crate::__private::MessageRouter::pipe_of(&self.$field, kind)
            }

            fn close_pipe(
                &self,
                receiver: &Self::Receiver,
            ) -> ::core::result::Result<(), $crate::__private::ClosePipeError> {
                $crate::__private::MessageRouter::close_pipe(&self.$field, receiver)
            }

            fn route_until<F>(
                &self,
                condition: F,
                timeout: ::core::option::Option<::core::time::Duration>,
            ) -> ::core::result::Result<(), $crate::__private::RouteError>
            where
                F: FnMut() -> bool,
            {
                $crate::__private::MessageRouter::route_until(&self.$field, condition, timeout)
            }

            fn is_running(&self) -> bool {
                $crate::__private::MessageRouter::is_running(&self.$field)
            }
        }

        impl<M> ::core::fmt::Debug for $router<M>
        where
            $($bound)+
        {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.$field.fmt_as(::core::stringify!($router), f)
            }
        }
    };
}

/// Makes a backend's sender type, a struct with a
/// [`RemoteSender`](crate::RemoteSender) field, a sender: writes its
/// [`MessageSender`](router_api::MessageSender) impl, each method the
/// field's, and its `Debug`.
///
/// The form is `remote_sender!(Sender(field), where bounds)`, for a sender
/// generic over its message type `M` alone; the bounds are those of
/// `MessageSender` for the field (`M: Serialize + 'static`).
#[macro_export]
macro_rules! remote_sender {
    ($sender:ident($field:ident), where $($bound:tt)+) => {
        impl<M> $crate::__private::MessageSender<M> for $sender<M>
        where
            $($bound)+
        {
            fn pipe_id(&self) -> $crate::__private::PipeId {
                $crate::__private::MessageSender::pipe_id(&self.$field)
            }

            fn start(&mut self) -> ::core::result::Result<(), $crate::__private::SenderStartError> {
                $crate::__private::MessageSender::start(&mut self.$field)
            }

            fn send(
                &mut self,
                message: M,
            ) -> ::core::result::Result<(), $crate::__private::SendError<M>> {
                $crate::__private::MessageSender::send(&mut self.$field, message)
            }

            fn stop(&mut self) -> ::core::result::Result<(), $crate::__private::SenderStopError> {
                $crate::__private::MessageSender::stop(&mut self.$field)
            }

            fn stop_on_panic(
                &mut self,
            ) -> ::core::result::Result<(), $crate::__private::SenderStopError> {
                $crate::__private::MessageSender::stop_on_panic(&mut self.$field)
            }
        }

        impl<M> ::core::fmt::Debug for $sender<M> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.$field.fmt_as(::core::stringify!($sender), f)
            }
        }
    };
}

/// Declares a backend's [`DropReason`](crate::DropReason) enum: each
/// variant with the name its log events and counts use, written once, so
/// that [`ALL`](crate::DropReason::ALL) lists every variant and no two
/// names can drift apart.
///
/// The enum is `Clone`, `Copy`, `PartialEq`, `Eq`, `Hash`, `Debug` and
/// `#[non_exhaustive]`.
///
/// ```
/// use router_remote::DropReason as _;
///
/// router_remote::drop_reasons! {
///     /// Why the example drops a frame.
///     pub enum Why {
///         /// Over the size limit.
///         Oversized = "oversized",
///         /// Not a frame at all.
///         Undecodable = "undecodable",
///     }
/// }
///
/// assert_eq!(Why::ALL, [Why::Oversized, Why::Undecodable]);
/// assert_eq!(Why::Undecodable.name(), "undecodable");
/// ```
#[macro_export]
macro_rules! drop_reasons {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident = $text:literal,
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        impl $crate::DropReason for $name {
            const ALL: &'static [Self] = &[$(Self::$variant),+];

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }
    };
}
