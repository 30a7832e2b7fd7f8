//! The conformance kit, with this backend's senders in threads of this
//! process: every rule holds over the socket as it does in-process.
//! (Senders in child processes are checked in `children.rs`.)

use router_conformance::Msg;
use router_process::ProcessRouter;

router_conformance::conformance_tests!(process, ProcessRouter::<Msg>::new);
