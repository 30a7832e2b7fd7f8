//! Benchmarks of the message-router backends (being written).
