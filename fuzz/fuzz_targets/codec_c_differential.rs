//! Fuzz target: any bytes decoded as one type of the shipped schema (chosen by the first byte) by the
//! generated C codec and the generated Rust codec, which must agree.
//! The body is `iotp2p_codec_c::fuzzing::differential`; `cargo test -p iotp2p-codec-c` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codec_c::fuzzing::differential(data));
