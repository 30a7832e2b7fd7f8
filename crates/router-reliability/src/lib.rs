//! Model, soak and misuse tests of the message-router backends (being written).
