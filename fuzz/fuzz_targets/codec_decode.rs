//! Fuzz target: any bytes decoded as one generated type (chosen by the first byte).
//! The body is `iotp2p_codec::fuzzing::decode_any`; `cargo test -p iotp2p-codec --all-features` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_codec::fuzzing::decode_any(data));
