//! A started router with one pipe whose receiver records what it gets:
//! the set-up of the sender checks (S1–S3).

use router_api::MessageRouter;

use super::drive::{drain, run_loop_until, started_with_inbox};
use super::inbox::{Inbox, assert_messages};
use crate::capture::capture;
use crate::{KitLoop, Msg};

/// A started router with one pipe whose receiver records what it gets.
pub(super) struct OnePipe<L: KitLoop, R: MessageRouter<Msg>> {
    pub(super) event_loop: L,
    pub(super) router: R,
    pub(super) sender: Option<R::Sender>,
    pub(super) receiver: R::Receiver,
    pub(super) inbox: Inbox,
}

impl<L: KitLoop, R: MessageRouter<Msg>> OnePipe<L, R> {
    pub(super) fn new(new_router: &dyn Fn(&L) -> R, rule: &str) -> Self {
        let event_loop = L::new_loop();
        let router = new_router(&event_loop);
        let (sender, receiver, inbox) = started_with_inbox(&router, rule);
        Self {
            event_loop,
            router,
            sender: Some(sender),
            receiver,
            inbox,
        }
    }

    pub(super) fn sender(&mut self) -> &mut R::Sender {
        self.sender
            .as_mut()
            .expect("the pipe's sender was moved away")
    }

    /// Waits for the event loop to have routed exactly `expected`.
    pub(super) fn expect_routed(&self, expected: &[Msg], rule: &str) {
        run_loop_until(
            &self.event_loop,
            || self.inbox.len() >= expected.len(),
            || {
                format!(
                    "{rule}: the event loop routed {} of {} messages sent",
                    self.inbox.len(),
                    expected.len()
                )
            },
        );
        assert_messages(
            &self.inbox.messages(),
            expected,
            &format!("{rule}: messages of one pipe"),
        );
    }

    /// Closes the pipe and stops the router, with no warning.
    /// Also routes what is still queued: a message routed twice shows.
    pub(super) fn finish(self, rule: &str) {
        let routed = self.inbox.len();
        let ((), captured) = capture(|| {
            drain(&self.router, rule);
            self.router
                .close_pipe(&self.receiver)
                .unwrap_or_else(|error| panic!("{rule}: close_pipe failed: {error}"));
            self.router
                .stop()
                .unwrap_or_else(|error| panic!("{rule}: stop failed: {error}"));
        });
        let warnings: Vec<_> = captured.warnings().collect();
        assert!(
            warnings.is_empty(),
            "{rule}: closing and stopping a clean run logged warnings: {warnings:?}"
        );
        assert_eq!(
            self.inbox.len(),
            routed,
            "{rule}: more messages were routed than were sent: {:?}",
            self.inbox.messages()
        );
    }
}
