//! Fuzz target: structured values built by `Arbitrary`, encoded and decoded back.
//! The body is `iotp2p_codec::fuzzing::encode_arbitrary`; `cargo test -p iotp2p-codec --all-features` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codec::fuzzing::encode_arbitrary(data));
