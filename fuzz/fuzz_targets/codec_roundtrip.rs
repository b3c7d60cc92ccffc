//! Fuzz target: a decodable value round-tripped through bytes, owned values and JSON.
//! The body is `iotp2p_codec::fuzzing::roundtrip`; `cargo test -p iotp2p-codec --all-features` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codec::fuzzing::roundtrip(data));
