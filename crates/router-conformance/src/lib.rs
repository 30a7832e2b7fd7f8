//! The behaviour suite every message-router backend must pass.
//!
//! (The checks and the `conformance_tests!` macro are being written; the
//! capturing subscriber they use is in [`capture`].)

pub mod capture;
