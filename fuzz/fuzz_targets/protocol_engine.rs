//! Fuzz target: a device's protocol engine driven by arbitrary datagrams, genuine, mutated and replayed
//! envelopes, time, requests and replies. The body is `iotp2p_protocol::fuzzing::engine`;
//! `cargo test -p iotp2p-protocol --features fuzzing` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_protocol::fuzzing::engine(data));
