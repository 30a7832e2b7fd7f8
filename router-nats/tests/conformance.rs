//! The conformance kit, with this backend's senders in threads of this
//! process and one real `nats-server -js` for the whole binary: every
//! rule holds through JetStream as it does in-process. (Senders in child
//! processes are checked in `workers.rs`.)

mod support;

use router_conformance::Msg;
use router_nats::NatsRouter;
use support::NatsServer;

// Its senders publish to a server that the consumer thread reads: a send
// has not reached the router when it returns, so the checks that count
// room or wake-ups from the foreground without routing are skipped by name.
router_conformance::conformance_tests!(
    nats,
    |event_loop| NatsRouter::<Msg>::new(event_loop, &NatsServer::shared().url()),
    lacks: [ImmediateSends]
);
