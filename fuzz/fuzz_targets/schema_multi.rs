//! Fuzz target: up to four files separated by 0xFF that import each other.
//! The body is `iotp2p_codegen::fuzzing::compile_multi`; `cargo test` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codegen::fuzzing::compile_multi(data));
