//! Fuzz target: two relays' DTLS hops over a path the input controls (losses, copies, late and
//! changed datagrams, forgeries, strangers, time), their invariants checked after every step and
//! a clean path at the end that must carry each relay's frame. The body is
//! `iotp2p_node::fuzzing::dtls_hop`; `cargo test -p iotp2p-node --features fuzzing --test
//! fuzz_replay` replays the corpus through it.
#![no_main]

#[path = "../../node/examples/pki/mod.rs"]
mod pki;

use std::sync::OnceLock;

use iotp2p_node::fuzzing::{Setups, HOST_A, HOST_B};

/// The relays' certificates, made once per process (key generation is slow next to a run).
fn setups() -> &'static Setups {
    static SETUPS: OnceLock<Setups> = OnceLock::new();
    SETUPS.get_or_init(|| {
        let ca = pki::TestCa::new("iotp2p fuzzing CA");
        Setups {
            a: ca.setup(HOST_A),
            b: ca.setup(HOST_B),
        }
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| iotp2p_node::fuzzing::dtls_hop(data, setups()));
