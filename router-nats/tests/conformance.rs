//! The conformance kit, with this backend's senders in threads of this
//! process and one real `nats-server -js` for the whole binary: every
//! rule holds through JetStream as it does in-process. (Senders in child
//! processes are checked in `workers.rs`.)

mod support;

use router_conformance::Msg;
use router_nats::NatsRouter;
use support::NatsServer;

router_conformance::conformance_tests!(nats, |event_loop| {
    NatsRouter::<Msg>::new(event_loop, &NatsServer::shared().url())
});
