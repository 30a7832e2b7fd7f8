//! A message router whose senders live in other processes (being written).
