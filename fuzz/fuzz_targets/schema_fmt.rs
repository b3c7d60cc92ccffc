//! Fuzz target: the canonical printer's print/parse round trip.
//! The body is `iotp2p_codegen::fuzzing::format_roundtrip`; `cargo test` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codegen::fuzzing::format_roundtrip(data));
