//! The jobs layer's behaviour suite (J1..J7) on the default loop, over the
//! crossbeam and flume routers; each adapter's tests run it on its loop.

use router_crossbeam::CrossbeamRouter;
use router_flume::FlumeRouter;
use router_jobs::JobMessage;

router_conformance::conformance_tests!(jobs: crossbeam, |event_loop| {
    CrossbeamRouter::<JobMessage>::new(event_loop)
});
router_conformance::conformance_tests!(jobs: flume, |event_loop| {
    FlumeRouter::<JobMessage>::new(event_loop)
});
