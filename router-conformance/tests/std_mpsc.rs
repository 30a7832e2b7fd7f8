//! The whole behaviour suite on the std-mpsc backend of
//! `std_mpsc_backend/`, with the one line a backend author writes.

mod std_mpsc_backend;

use router_conformance::Msg;
use std_mpsc_backend::MpscRouter;

router_conformance::conformance_tests!(std_mpsc, |event_loop| MpscRouter::<Msg>::new(event_loop));
