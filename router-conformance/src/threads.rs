//! The threads of this process, as Linux lists them in `/proc/self/task`.
//!
//! The R5 thread check compares the set before a router's run with the set
//! right after its `stop`. Elsewhere there is no portable way to list a
//! process's threads, so there the check cannot look and passes.

use std::collections::BTreeSet;

/// The ids of the threads alive now, or `None` where the system does not
/// list them.
pub(crate) fn live() -> Option<BTreeSet<u64>> {
    let entries = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
            .collect(),
    )
}

/// The name of thread `id`, as the system knows it (at most 15 bytes on
/// Linux), or its id when it has none or is gone.
pub(crate) fn name(id: u64) -> String {
    std::fs::read_to_string(format!("/proc/self/task/{id}/comm"))
        .map(|name| format!("{} (tid {id})", name.trim_end()))
        .unwrap_or_else(|_| format!("tid {id}"))
}
