//! The suite on the std-mpsc backend as a backend that declares it lacks
//! a capability would run it: the checks that need it are generated as
//! ignored tests (`cargo test` lists them by name, with the reason), and
//! every other check runs as usual.

use router_conformance::Msg;
use router_conformance::std_mpsc::MpscRouter;

router_conformance::conformance_tests!(
    std_mpsc_without_thread_counts,
    |event_loop| MpscRouter::<Msg>::new(event_loop),
    lacks: [CountThreads],
);
