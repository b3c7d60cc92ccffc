//! Replays the `node_dtls_hop` fuzz corpus on stable: every file of `fuzz/corpus/node_dtls_hop/`
//! and, when present, of `fuzz/regressions/node_dtls_hop/` goes through the target's body
//! (`iotp2p_node::fuzzing::dtls_hop`), which asserts the relay hop's invariants after every step
//! and that a clean path carries each relay's frame at the end. A crash found by fuzzing is fixed
//! once its input is in the regressions directory and this passes.
//!
//! The seeds are pseudo-random byte strings (the body gives them structure through `arbitrary`),
//! written by the ignored test `write_seed_corpus`:
//! `cargo test -p iotp2p-node --features fuzzing --test fuzz_replay -- --ignored write_seed_corpus`.
#![cfg(feature = "fuzzing")]

#[path = "../../fuzz/replay_support.rs"]
mod support;

#[path = "../examples/pki/mod.rs"]
mod pki;

use std::sync::OnceLock;
use support::{fuzz_dir, inputs, pseudo_random};

use iotp2p_node::fuzzing::{self, HopReached, Setups, HOST_A, HOST_B};
use pki::TestCa;

const TARGET: &str = "node_dtls_hop";

/// The two relays' setups, made once for every run (the fuzz target does the same).
fn setups() -> &'static Setups {
    static SETUPS: OnceLock<Setups> = OnceLock::new();
    SETUPS.get_or_init(|| {
        let ca = TestCa::new("iotp2p fuzzing CA");
        Setups {
            a: ca.setup(HOST_A),
            b: ca.setup(HOST_B),
        }
    })
}

fn run(data: &[u8], what: &str) -> HopReached {
    match std::panic::catch_unwind(|| fuzzing::run_dtls_hop(data, setups())) {
        Ok(r) => r,
        Err(_) => panic!(
            "the {TARGET} body failed on {what} (reproduce with `cargo +nightly fuzz run {TARGET} \
             {what}`)"
        ),
    }
}

fn add(total: &mut HopReached, r: HopReached) {
    total.steps += r.steps;
    total.authenticated += r.authenticated;
    total.frames += r.frames;
    total.failed += r.failed;
    total.dropped += r.dropped;
}

/// Every seed and regression, through the body; together they must still make handshakes
/// complete and fail, carry frames and drop datagrams, or the body has stopped exercising the hop.
#[test]
fn node_dtls_hop_corpus() {
    let mut total = HopReached::default();
    for path in inputs(TARGET) {
        let r = run(&std::fs::read(&path).unwrap(), &path.display().to_string());
        add(&mut total, r);
    }
    eprintln!("{total:?}");
    assert!(total.steps > 500, "{total:?}");
    assert!(total.authenticated > 0, "{total:?}");
    assert!(total.frames > 0, "{total:?}");
    assert!(total.failed > 0, "{total:?}");
    assert!(total.dropped > 0, "{total:?}");
}

/// Writes the seed corpus: 24 pseudo-random byte strings of various lengths.
#[test]
#[ignore = "writes fuzz/corpus/node_dtls_hop; run by hand"]
fn write_seed_corpus() {
    let dir = fuzz_dir().join("corpus").join(TARGET);
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..24u64 {
        let data = pseudo_random(5000 + i, 64 + (i as usize * 97) % 900);
        std::fs::write(dir.join(format!("seed-{i:02}")), data).unwrap();
    }
}

/// 48 pseudo-random byte strings more through the body (inputs the corpus does not hold), which
/// must make handshakes complete and fail and carry frames.
#[test]
fn node_dtls_hop_pseudo_random_inputs() {
    let mut total = HopReached::default();
    for seed in 6000..6048u64 {
        let data = pseudo_random(seed, 64 + (seed as usize * 37) % 1500);
        add(
            &mut total,
            run(&data, &format!("pseudo-random input {seed}")),
        );
    }
    eprintln!("{total:?}");
    assert!(total.authenticated > 10, "{total:?}");
    assert!(total.frames > 10, "{total:?}");
    assert!(total.failed > 10, "{total:?}");
}
