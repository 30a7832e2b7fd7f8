//! The threads of this process, as Linux lists them in `/proc/self/task`,
//! for the checks that need [`Capability::CountThreads`](crate::Capability::CountThreads).
//!
//! A check lists the threads before something starts (a router's run, a
//! sender's life) and right after it ended, and names the threads of the
//! second list that are not in the first. Elsewhere there is no portable
//! way to list a process's threads: there the checks are skipped by name
//! (see [`Capability`](crate::Capability)), and one called directly fails
//! with a message saying it cannot look.

use std::collections::BTreeSet;
use std::time::Duration;

/// How many times [`until_none_left`] runs, at most.
pub(crate) const RUNS: u32 = 7;

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

/// The ids of the threads alive now; panics, naming `rule`, where the
/// system does not list them.
pub(crate) fn census(rule: &str) -> BTreeSet<u64> {
    live().unwrap_or_else(|| {
        panic!(
            "{rule}: this check needs Capability::CountThreads, and this system does not list \
             the process's threads (/proc/self/task): it cannot look. Skip it: \
             conformance_tests! marks it ignored off Linux and Android, and Check::outcome \
             reports it skipped wherever the threads cannot be listed"
        )
    })
}

/// The id of the calling thread, where the system says it.
pub(crate) fn current() -> Option<u64> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// The threads alive now that are not in `before` (nor in `except`), by
/// name.
pub(crate) fn new_since(before: &BTreeSet<u64>, except: &[u64]) -> Vec<String> {
    live()
        .unwrap_or_default()
        .difference(before)
        .filter(|id| !except.contains(id))
        .map(|&id| name(id))
        .collect()
}

/// Runs `run` (given its number, from 0) until one run returns no thread,
/// at most [`RUNS`] times, waiting longer between runs (10 ms to 640 ms).
/// Returns what each run returned when every run left a thread behind.
///
/// Tests running in parallel in the same process start threads too, so
/// one new thread proves nothing; what is under check leaves its thread on
/// every run, and another test would have to start a long-lived thread
/// inside every one of the short windows to fail a good backend.
pub(crate) fn until_none_left(
    mut run: impl FnMut(u32) -> Vec<String>,
) -> Result<(), Vec<Vec<String>>> {
    let mut left_alive = Vec::new();
    for number in 0..RUNS {
        let new = run(number);
        if new.is_empty() {
            return Ok(());
        }
        left_alive.push(new);
        std::thread::sleep(Duration::from_millis(10) * 2u32.pow(number));
    }
    Err(left_alive)
}

/// The name of thread `id`, as the system knows it (at most 15 bytes on
/// Linux), or its id when it has none or is gone.
pub(crate) fn name(id: u64) -> String {
    std::fs::read_to_string(format!("/proc/self/task/{id}/comm"))
        .map(|name| format!("{} (tid {id})", name.trim_end()))
        .unwrap_or_else(|_| format!("tid {id}"))
}
