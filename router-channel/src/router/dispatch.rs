//! Listener dispatch: a routing loop hands each message to its pipe's
//! listeners, remembering the pipes it routed to.

use std::rc::Rc;

use crate::receiver::{Listeners, ReceiverShared, SharedListener, deliver_through_fittings};
use crate::route::Route;
use crate::tuning::ROUTES_REMEMBERED;
use crate::{Channel, Envelope};

use super::Inner;

/// A routing loop's state between messages: the pipes its messages went
/// to, and how many messages the loop has handed to listeners.
///
/// The pipes are remembered direct-mapped by table slot, each with a
/// snapshot of its listeners: while a message's pipe is remembered and
/// nothing changed it since (see [`ReceiverShared::epoch`]), its listeners
/// are fired with no table look-up, borrow or reference count. Senders'
/// messages interleave in the channel, so remembering one pipe is not
/// enough for a fan-in of many.
///
/// The count reaches the router's stats when the loop ends (dropping the
/// dispatch, a listener's panic included, settles it), not per message: a
/// `Cell` bumped per message is a load and a store the next message waits
/// on.
pub(super) struct Dispatch<'a, M: Send + 'static, C: Channel<Envelope<M>>> {
    inner: &'a Inner<M, C>,
    routes: [Option<LastRoute<M>>; ROUTES_REMEMBERED],
    routed: u64,
    /// Whether a remembered bounded pipe is owed units of its credit.
    owes: bool,
}

/// A pipe a routing loop remembers, and a snapshot of its listeners,
/// current while the receiver's epoch is unchanged.
struct LastRoute<M> {
    route: Route,
    receiver: Rc<ReceiverShared<M>>,
    epoch: u64,
    listeners: Listeners<M>,
    /// The snapshot's listener, when it has one only: called with no look
    /// at the list.
    sole: Option<SharedListener<M>>,
    /// What a message of this pipe needs besides its listeners fired.
    through: Through,
}

/// What routing a message of a remembered pipe does besides firing its
/// listeners, as the pipe's fittings (fittings.rs) were when the snapshot
/// was taken: they change only with the receiver's epoch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Through {
    /// Nothing: a plain pipe.
    Listeners,
    /// Owes its bounded pipe a unit of credit, and nothing more: done here,
    /// inline. Through [`deliver_through_fittings`], out of line with its
    /// look at the stream and the parked end, a bounded pipe's message
    /// cost about 10 ns more than a plain one's (router-bench's README,
    /// "Bounded pipes").
    Units,
    /// Goes through the fittings: a stream, an end parked, or both.
    Fittings,
}

/// What a routing loop keeps in its locals about the streak under way, the
/// messages in a row for one pipe: once two messages in a row were for one
/// pipe with one listener, plain or owing no more than a bounded pipe's
/// units, the messages that follow for it go straight to that listener,
/// with no look at the remembered pipes. While pipes interleave it stays
/// empty, at the cost of one comparison per message.
///
/// A local of the loop, not a field of [`Dispatch`]: kept in registers, it
/// took crossbeam's one-thread receive from 12.4 to 9.3 ns on the bench's
/// machine; as a field, loaded from memory after each listener call, to
/// 10.5 (router-bench's README).
pub(super) struct Streak<M> {
    hot: Option<Hot<M>>,
    last: Option<Route>,
}

impl<M> Streak<M> {
    pub(super) fn new() -> Self {
        Self {
            hot: None,
            last: None,
        }
    }

    /// Routes `envelope` through `dispatch`, or straight to the hot pipe's
    /// listener. Always inlined: the point is that the loop's locals stay
    /// in registers.
    #[inline(always)]
    pub(super) fn route<C: Channel<Envelope<M>>>(
        &mut self,
        dispatch: &mut Dispatch<'_, M, C>,
        envelope: Envelope<M>,
    ) where
        M: Send + 'static,
    {
        if let Some(hot) = &self.hot
            && hot.takes(envelope.route)
        {
            dispatch.routed += 1;
            hot.receiver.count_routed();
            if hot.owes_units {
                dispatch.owes = true;
                owe_unit(&hot.receiver);
            }
            hot.fire(&envelope.message);
            return;
        }
        let route = envelope.route;
        dispatch.route(envelope);
        if self.last == Some(route) {
            self.hot = dispatch.hot(route);
        } else if self.hot.is_some() {
            // Guarded: an assignment of `None` over `None` on every
            // interleaved message cost the 64-pipe row 4 ns and more.
            self.hot = None;
        }
        self.last = Some(route);
    }
}

/// The pipe of a streak (see [`Streak`]).
struct Hot<M> {
    route: Route,
    receiver: Rc<ReceiverShared<M>>,
    epoch: u64,
    listener: SharedListener<M>,
    /// Whether each message owes a bounded pipe a unit ([`Through::Units`]).
    owes_units: bool,
}

impl<M> Hot<M> {
    /// Whether a message for `route` goes to this pipe's listener: it is
    /// this pipe's, and nothing changed the pipe since (its epoch, which a
    /// connect, a disconnect, a stream made, a close or the router's stop
    /// moves on).
    #[inline]
    fn takes(&self, route: Route) -> bool {
        route == self.route && self.receiver.epoch() == self.epoch
    }

    /// Gives `message` to the pipe's listener.
    #[inline]
    fn fire(&self, message: &M) {
        (self.listener)(message);
    }
}

impl<'a, M, C> Dispatch<'a, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    pub(super) fn new(inner: &'a Inner<M, C>) -> Self {
        Self {
            inner,
            routes: [const { None }; ROUTES_REMEMBERED],
            routed: 0,
            owes: false,
        }
    }

    /// Hands one message to its receiver's listeners, or drops it with a
    /// warning if its pipe is closed (R7). Holds no borrow while listeners
    /// run, so they may call the router (R11).
    #[inline]
    pub(super) fn route(&mut self, envelope: Envelope<M>) {
        if let Some(last) = &self.routes[Self::place(envelope.route)]
            && last.route == envelope.route
            && last.receiver.epoch() == last.epoch
        {
            self.routed += 1;
            last.receiver.count_routed();
            match last.through {
                Through::Fittings => {
                    self.owes = true;
                    deliver_through_fittings(&last.receiver, &last.listeners, envelope.message);
                    return;
                }
                Through::Units => {
                    self.owes = true;
                    owe_unit(&last.receiver);
                }
                Through::Listeners => {}
            }
            if let Some(sole) = &last.sole {
                sole(&envelope.message);
            } else {
                last.listeners.fire(&envelope.message);
            }
            return;
        }
        self.route_afresh(envelope);
    }

    /// The pipe of `route` as a [`Hot`] pipe, if it is remembered and
    /// current, its messages go through no fittings beyond a bounded
    /// pipe's units (see [`Through`]), and it has one listener.
    #[inline(never)]
    fn hot(&self, route: Route) -> Option<Hot<M>> {
        let last = self.routes[Self::place(route)].as_ref()?;
        if last.route != route
            || last.through == Through::Fittings
            || last.receiver.epoch() != last.epoch
        {
            return None;
        }
        Some(Hot {
            route,
            receiver: Rc::clone(&last.receiver),
            epoch: last.epoch,
            listener: last.sole.clone()?,
            owes_units: last.through == Through::Units,
        })
    }

    /// Where `route` is remembered.
    #[inline]
    fn place(route: Route) -> usize {
        route.slot() as usize % ROUTES_REMEMBERED
    }

    /// [`route`](Self::route) for a message whose pipe is not remembered,
    /// or changed since: looks the pipe up and remembers it.
    #[inline(never)]
    fn route_afresh(&mut self, envelope: Envelope<M>) {
        let inner = self.inner;
        let table = inner.table.borrow();
        let Some(receiver) = table.get(envelope.route).map(Rc::clone) else {
            let pipe = envelope.route.pipe_before(table.newest_pipe());
            drop(table);
            inner.discards.discard(pipe);
            return;
        };
        drop(table);
        self.routed += 1;
        receiver.count_routed();
        let place = &mut self.routes[Self::place(envelope.route)];
        // The snapshot it replaces drops first: a listener's drop may call
        // the router.
        *place = None;
        let listeners = receiver.listeners();
        let through = match receiver.fittings() {
            Some(fittings) if fittings.only_owe_units() => Through::Units,
            _ if receiver.routes_through_fittings() => Through::Fittings,
            _ => Through::Listeners,
        };
        let fresh = place.insert(LastRoute {
            route: envelope.route,
            epoch: receiver.epoch(),
            sole: listeners.sole().cloned(),
            listeners,
            through,
            receiver,
        });
        match fresh.through {
            Through::Fittings => {
                self.owes = true;
                deliver_through_fittings(&fresh.receiver, &fresh.listeners, envelope.message);
            }
            Through::Units => {
                self.owes = true;
                owe_unit(&fresh.receiver);
                fresh.listeners.fire(&envelope.message);
            }
            Through::Listeners => fresh.listeners.fire(&envelope.message),
        }
    }

    /// Gives the bounded pipes routed to the units owed them: before the
    /// loop waits for more (their senders may be waiting for room), and
    /// when it ends.
    #[inline]
    pub(super) fn pay_credits(&mut self) {
        if self.owes {
            self.pay_owed();
        }
    }

    #[inline(never)]
    fn pay_owed(&mut self) {
        self.owes = false;
        for route in self.routes.iter().flatten() {
            if route.through != Through::Listeners
                && let Some(fittings) = route.receiver.fittings()
            {
                fittings.pay();
            }
        }
    }

    /// Adds the messages routed so far to the router's count, pays what it
    /// owes bounded pipes, and ends the burst of discards under way.
    pub(super) fn settle(&mut self) {
        self.pay_credits();
        let inner = self.inner;
        inner.routed.set(inner.routed.get() + self.routed);
        self.routed = 0;
        inner.discards.flush();
    }
}

/// Owes the bounded pipe of `receiver` one unit ([`Through::Units`]).
#[inline]
fn owe_unit<M>(receiver: &ReceiverShared<M>) {
    if let Some(fittings) = receiver.fittings() {
        fittings.owe_unit();
    }
}

impl<M, C> Drop for Dispatch<'_, M, C>
where
    M: Send + 'static,
    C: Channel<Envelope<M>>,
{
    fn drop(&mut self) {
        self.settle();
    }
}
