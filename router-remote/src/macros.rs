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
/// The form is `remote_router!(Router(field), Sender)`, for a router
/// generic over its message type `M: RemoteMessage` alone, whose pipes
/// hand out `Sender<M>` (its transport's
/// [`Sender`](crate::Transport::Sender)); the transport type need not be
/// public.
///
/// ```
/// # use router_remote::{PipeBook, DropLog, DropReason, RemoteMessage, RemoteRouter, Transport};
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
/// #     fn pipe(&self, (): &(), _: PipeId, _: router_remote::PipeWatch) -> ((), Self::Sender) {
/// #         unreachable!()
/// #     }
/// # }
/// /// A router whose senders are nowhere.
/// pub struct NowhereRouter<M: RemoteMessage> {
///     shell: RemoteRouter<M, Nowhere>,
/// }
///
/// router_remote::remote_router!(NowhereRouter(shell), CrossbeamSender);
///
/// let event_loop = router_api::DefaultEventLoop::new();
/// let router = NowhereRouter::<u8> { shell: RemoteRouter::new(&event_loop, Nowhere) };
/// assert!(router_api::MessageRouter::start(&router).is_err());
/// assert_eq!(router.open_pipes(), 0);
/// ```
#[macro_export]
macro_rules! remote_router {
    ($router:ident($field:ident), $sender:ident) => {
        impl<M> $router<M>
        where
            M: $crate::RemoteMessage,
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
            M: $crate::RemoteMessage,
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
            M: $crate::RemoteMessage,
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
            M: $crate::RemoteMessage,
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
/// The form is `remote_sender!(Sender(field))`, for a sender generic over
/// its message type `M` alone; it sends any `M: Serialize + 'static`.
#[macro_export]
macro_rules! remote_sender {
    ($sender:ident($field:ident)) => {
        impl<M> $crate::__private::MessageSender<M> for $sender<M>
        where
            M: $crate::__private::Serialize + 'static,
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

            fn is_closed(&self) -> bool {
                $crate::__private::MessageSender::is_closed(&self.$field)
            }
        }

        impl<M> ::core::fmt::Debug for $sender<M> {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.$field.fmt_as(::core::stringify!($sender), f)
            }
        }
    };
}

/// Declares a backend's [`DropReason`](crate::DropReason) enum, so that
/// [`ALL`](crate::DropReason::ALL) lists every variant and each
/// [`name`](crate::DropReason::name) is its variant's: written once, they
/// cannot drift apart.
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
///         Oversized,
///         /// Not a frame at all.
///         Undecodable,
///     }
/// }
///
/// assert_eq!(Why::ALL, [Why::Oversized, Why::Undecodable]);
/// assert_eq!(Why::Undecodable.name(), "Undecodable");
/// ```
#[macro_export]
macro_rules! drop_reasons {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident,
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
                    $(Self::$variant => ::core::stringify!($variant),)+
                }
            }
        }
    };
}

/// Writes `From<TokenFieldError>` for a backend's `TokenError`, so that
/// [`TokenFields`](crate::TokenFields)' reads work with `?`: the
/// backend's error **must** have the variants `NotAToken`, `Truncated`
/// and `Pipe { text: String }`, which stand for the fields' own, and
/// `hex` says what a wrong hexadecimal field is in its words.
///
/// ```
/// #[derive(Debug, PartialEq)]
/// enum TokenError {
///     NotAToken,
///     Truncated,
///     Pipe { text: String },
///     Secret,
/// }
///
/// router_remote::token_error_from_fields!(TokenError, |_field, _digits| TokenError::Secret);
///
/// let error: TokenError = router_remote::TokenFields::read("xy1:", "zz1:", 2)
///     .map(|_| ())
///     .unwrap_err()
///     .into();
/// assert_eq!(error, TokenError::NotAToken);
/// ```
#[macro_export]
macro_rules! token_error_from_fields {
    ($error:ident, |$field:pat_param, $digits:pat_param| $hex:expr) => {
        impl ::core::convert::From<$crate::TokenFieldError> for $error {
            fn from(error: $crate::TokenFieldError) -> Self {
                match error {
                    $crate::TokenFieldError::NotAToken => Self::NotAToken,
                    $crate::TokenFieldError::Pipe { text } => Self::Pipe { text },
                    $crate::TokenFieldError::Hex {
                        field: $field,
                        digits: $digits,
                    } => $hex,
                    // Truncated, and what the fields learn to say later.
                    _ => Self::Truncated,
                }
            }
        }
    };
}

/// Pins a remote backend's compile-time facts (RULES.md, "Compile-time
/// facts"): its sender is `Send` and usable as a `dyn MessageSender`, its
/// router neither `Send` nor `Sync`, and each of its errors
/// `Send + Sync + Error`. Call it in the backend's private `facts` module.
///
/// ```
/// # use router_remote::{CoreSender as Sender};
/// # type Router<M> = std::rc::Rc<M>;
/// router_remote::remote_facts!(Router, Sender, errors: [std::io::Error, std::fmt::Error]);
/// ```
#[macro_export]
macro_rules! remote_facts {
    ($router:ident, $sender:ident, errors: [$($error:ty),+ $(,)?] $(,)?) => {
        const _: () = {
            type Msg = ::std::vec::Vec<u8>;
            $crate::__private::assert_impl_all!($sender<Msg>: ::core::marker::Send);
            $crate::__private::assert_not_impl_any!(
                $router<Msg>: ::core::marker::Sync, ::core::marker::Send
            );
            $(
                $crate::__private::assert_impl_all!(
                    $error: ::core::marker::Send, ::core::marker::Sync, ::std::error::Error
                );
            )+
            fn _sender_as_dyn(
                sender: $sender<Msg>,
            ) -> ::std::boxed::Box<dyn $crate::__private::MessageSender<Msg>> {
                ::std::boxed::Box::new(sender)
            }
        };
    };
}
