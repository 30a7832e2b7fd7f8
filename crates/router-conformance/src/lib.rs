//! The behaviour suite every message-router backend must pass (filled in by
//! the conformance-kit issue).
