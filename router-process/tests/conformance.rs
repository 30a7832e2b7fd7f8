//! The conformance kit, with this backend's senders in threads of this
//! process: every rule holds over the socket as it does in-process.
//! (Senders in child processes are checked in `children.rs`.)

use router_conformance::Msg;
use router_process::ProcessRouter;

// Its senders write to a socket that the monitor thread reads: a send has
// not reached the router when it returns, so the checks that count room or
// wake-ups from the foreground without routing are skipped by name.
router_conformance::conformance_tests!(process, ProcessRouter::<Msg>::new, lacks: [ImmediateSends]);
