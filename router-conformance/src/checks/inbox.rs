//! What a receiver got: a listener that records every message.

use std::cell::RefCell;
use std::rc::Rc;

use router_api::MessageReceiver;

use crate::Msg;

/// The messages routed to one receiver, in the order they came.
#[derive(Clone, Default)]
pub(crate) struct Inbox {
    messages: Rc<RefCell<Vec<Msg>>>,
}

impl Inbox {
    /// Connects a recording listener to `receiver`.
    pub(crate) fn connect(receiver: &impl MessageReceiver<Msg>) -> Self {
        let inbox = Self::default();
        let sink = inbox.clone();
        receiver.connect(move |message: &Msg| sink.push(*message));
        inbox
    }

    pub(crate) fn push(&self, message: Msg) {
        self.messages.borrow_mut().push(message);
    }

    pub(crate) fn len(&self) -> usize {
        self.messages.borrow().len()
    }

    pub(crate) fn messages(&self) -> Vec<Msg> {
        self.messages.borrow().clone()
    }
}

/// Messages `0..count` of `source`: what an in-order pipe delivers.
pub(crate) fn sequence(source: u32, count: u32) -> Vec<Msg> {
    (0..count).map(|seq| Msg::new(source, seq)).collect()
}

/// Panics, naming the first difference, unless `got` is `expected`.
pub(crate) fn assert_messages(got: &[Msg], expected: &[Msg], what: &str) {
    let longest = got.len().max(expected.len());
    if let Some(at) = (0..longest).find(|&at| got.get(at) != expected.get(at)) {
        panic!(
            "{what}: the receiver got {} messages, {} were sent; first difference at \
             position {at}: got {:?}, expected {:?}",
            got.len(),
            expected.len(),
            got.get(at),
            expected.get(at)
        );
    }
}
