#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| router_nats::fuzzing::notices(data));
