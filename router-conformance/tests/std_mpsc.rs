//! The whole behaviour suite on the kit's std-mpsc backend
//! (`src/std_mpsc.rs`), with the one line a backend author writes.

use router_conformance::Msg;
use router_conformance::std_mpsc::MpscRouter;

router_conformance::conformance_tests!(std_mpsc, |event_loop| MpscRouter::<Msg>::new(event_loop));
