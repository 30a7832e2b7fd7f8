#![no_main]

// Both token parsers: a token of either backend is one line of text.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    router_process::fuzzing::token(data);
    router_nats::fuzzing::token(data);
});
