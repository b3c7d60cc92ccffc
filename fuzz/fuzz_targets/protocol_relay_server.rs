//! Fuzz target: a home relay's Relay capability, driven by its clients' enrolments, registrations,
//! releases, unenrolments, policies, listings and lookups (genuine, mutated or with arbitrary
//! input, sealed or not), arbitrary datagrams, mutated and replayed envelopes, and time. The body
//! is `iotp2p_protocol::fuzzing::relay_server`; `cargo test -p iotp2p-protocol --features fuzzing`
//! replays the corpus through it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_protocol::fuzzing::relay_server(data));
