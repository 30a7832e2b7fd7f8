//! What a check needs beyond the traits, and how a backend or platform
//! that lacks it gets the check skipped by name.

use std::fmt;

/// Something a check needs besides the router it checks. A check that
/// needs one says so ([`Check::requires`](crate::Check::requires)); where
/// the platform lacks it, or the backend or the event loop declares that
/// it does (`conformance_tests!(name, factory, lacks: [CountThreads])`),
/// the check is skipped and reported by name, never passed unseen.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[non_exhaustive]
pub enum Capability {
    /// Listing the threads of the process, to tell the threads a router
    /// or sender started that are still alive. The kit reads Linux's (and
    /// Android's) `/proc/self/task`; other platforms lack it.
    ///
    /// A backend lacks it when its threads cannot be told from others: it
    /// runs its work on a pool that lives as long as the process, say, so
    /// a thread of that pool is alive after `stop` by design.
    CountThreads,
    /// An event loop that passes a callback's panic on to the code that
    /// drives it ([`KitLoop::run_until`](crate::KitLoop::run_until)), and
    /// runs callbacks again afterwards, so that R11's check in event-loop
    /// mode can see a listener's panic reach its caller and the router
    /// route on.
    ///
    /// It is the event loop's, declared by its harness
    /// (`conformance_tests!(name, on: Harness, factory, lacks:
    /// [PassesPanics])`); every platform has it. A host that catches the
    /// panics of its tasks (tokio's `LocalSet`, glib's
    /// `MainContext::spawn_local`), or one that a panic in the middle of a
    /// frame leaves unusable (an `egui::Context`), lacks it.
    PassesPanics,
    /// Senders whose `send` (and `try_send`) has reached the router's
    /// queue when it returns, so that a check on the foreground can count
    /// the room left in a bounded pipe (B1..B3) and the wake-ups a burst
    /// costs (L3) without routing. In-process senders have it.
    ///
    /// A backend lacks it when its senders write to something between them
    /// and the router (a socket, a message server): a message there is
    /// neither routed nor queued yet, so a bounded pipe's room and a
    /// burst's wake-ups depend on when it is read.
    ImmediateSends,
}

impl Capability {
    /// Every capability a check may need.
    pub const ALL: &'static [Capability] = &[
        Capability::CountThreads,
        Capability::PassesPanics,
        Capability::ImmediateSends,
    ];

    /// The name `lacks: [...]` takes: `CountThreads`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Capability::CountThreads => "CountThreads",
            Capability::PassesPanics => "PassesPanics",
            Capability::ImmediateSends => "ImmediateSends",
        }
    }

    /// Who says, in `lacks: [...]`, that it lacks the capability: the
    /// backend ([`CountThreads`](Self::CountThreads)) or the event loop
    /// ([`PassesPanics`](Self::PassesPanics)).
    #[must_use]
    pub const fn declared_by(self) -> Lacker {
        match self {
            Capability::CountThreads | Capability::ImmediateSends => Lacker::Backend,
            Capability::PassesPanics => Lacker::EventLoop,
        }
    }

    /// Whether this platform has the capability, as far as the kit can
    /// tell by trying (for [`CountThreads`](Self::CountThreads): whether
    /// `/proc/self/task` lists threads; every platform has
    /// [`PassesPanics`](Self::PassesPanics)).
    #[must_use]
    pub fn on_this_platform(self) -> bool {
        match self {
            Capability::CountThreads => crate::threads::live().is_some(),
            Capability::PassesPanics | Capability::ImmediateSends => true,
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Who lacks the capability a skipped check needs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Lacker {
    /// The backend declared it lacks it.
    Backend,
    /// The event loop's harness declared it lacks it.
    EventLoop,
    /// The platform the checks run on lacks it.
    Platform,
}

/// What running one check by name came to ([`Check::outcome`](crate::Check::outcome)).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The check ran and the backend kept its rule.
    Passed,
    /// The check did not run: it needs `capability`, which `lacker` lacks.
    Skipped {
        /// What the check needs.
        capability: Capability,
        /// Who lacks it.
        lacker: Lacker,
    },
    /// The check ran and the backend broke its rule: the check's message.
    Failed(String),
}

impl Outcome {
    /// The failure message, if the check failed.
    #[must_use]
    pub fn failure(&self) -> Option<&str> {
        match self {
            Outcome::Failed(message) => Some(message),
            Outcome::Passed | Outcome::Skipped { .. } => None,
        }
    }
}

impl fmt::Display for Outcome {
    /// `passed`, `skipped: the backend lacks CountThreads`, `skipped: the
    /// event loop lacks PassesPanics`, `skipped: this platform lacks
    /// CountThreads`, or `failed: ` and the check's message.
    /// The skips read as the reason `cargo test` shows for the test that
    /// `conformance_tests!` marks ignored.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Passed => f.write_str("passed"),
            Outcome::Skipped {
                capability,
                lacker: Lacker::Backend,
            } => write!(f, "skipped: the backend lacks {capability}"),
            Outcome::Skipped {
                capability,
                lacker: Lacker::EventLoop,
            } => write!(f, "skipped: the event loop lacks {capability}"),
            Outcome::Skipped {
                capability,
                lacker: Lacker::Platform,
            } => write!(f, "skipped: this platform lacks {capability}"),
            Outcome::Failed(message) => write!(f, "failed: {message}"),
        }
    }
}
