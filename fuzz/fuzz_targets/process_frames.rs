#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| router_process::fuzzing::frame_reader(data));
