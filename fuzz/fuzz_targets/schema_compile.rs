//! Fuzz target: one schema file's bytes, compiled.
//! The body is `iotp2p_codegen::fuzzing::compile_bytes`; `cargo test` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codegen::fuzzing::compile_bytes(data));
