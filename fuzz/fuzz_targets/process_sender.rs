#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| router_process::fuzzing::sender_reads(data));
