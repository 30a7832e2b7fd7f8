//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md), run on the flume backend.

use router_conformance::Msg;
use router_flume::FlumeRouter;

router_conformance::conformance_tests!(flume, |event_loop| FlumeRouter::<Msg>::new(event_loop));
