//! Fuzz target: an unclaimed device's server (engine, dispatcher, Security capability) driven by
//! arbitrary datagrams, a genuine controller pairing and claiming it, its envelopes mutated,
//! truncated and replayed, and time. The body is `iotp2p_protocol::fuzzing::device`;
//! `cargo test -p iotp2p-protocol --features fuzzing` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_protocol::fuzzing::device(data));
