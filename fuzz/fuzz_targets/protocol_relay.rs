//! Fuzz target: a home relay with a sleeping sensor and an app, driven by arbitrary datagrams from its
//! nodes, another relay and a stranger, genuine, mutated and replayed envelopes, presence, time and
//! replies. The body is `iotp2p_protocol::fuzzing::relay`; `cargo test -p iotp2p-protocol --features
//! fuzzing` replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_protocol::fuzzing::relay(data));
