//! The whole behaviour suite of router-conformance (every rule of
//! RULES.md), run on the crossbeam backend.

use router_conformance::Msg;
use router_crossbeam::CrossbeamRouter;

router_conformance::conformance_tests!(crossbeam, |event_loop| {
    CrossbeamRouter::<Msg>::new(event_loop)
});
