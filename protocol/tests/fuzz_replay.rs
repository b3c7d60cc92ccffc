//! Replays the protocol fuzz corpora on stable: every file of `fuzz/corpus/protocol_engine/`,
//! `fuzz/corpus/protocol_device/`, `fuzz/corpus/protocol_relay/` and
//! `fuzz/corpus/protocol_relay_server/` and, when present, of the same directories under
//! `fuzz/regressions/` goes through the body of its libFuzzer target
//! (`iotp2p_protocol::fuzzing::engine`, `::device`, `::relay` and `::relay_server`), which asserts
//! the engine's, the device's or the relay's invariants after every step.
//! A crash found by fuzzing is fixed once its input is in the regressions directory and this passes.
//!
//! The seeds are pseudo-random byte strings (the body gives them structure through `arbitrary`),
//! written by the ignored test `write_seed_corpus`:
//! `cargo test -p iotp2p-protocol --features fuzzing --test fuzz_replay -- --ignored write_seed_corpus`.
#![cfg(feature = "fuzzing")]

#[path = "../../fuzz/replay_support.rs"]
mod support;

use support::{files, fuzz_dir, inputs, pseudo_random};

use iotp2p_protocol::fuzzing;

const TARGET: &str = "protocol_engine";
const RELAY_TARGET: &str = "protocol_relay";
const DEVICE_TARGET: &str = "protocol_device";
const RELAY_SERVER_TARGET: &str = "protocol_relay_server";

/// Runs every seed and regression of `target` through `body`.
fn replay(target: &str, body: fn(&[u8])) {
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            panic!(
                "the {target} body failed on {} (reproduce with `cargo +nightly fuzz run {target} {}`)",
                path.display(),
                path.display()
            );
        }
    }
}

#[test]
fn protocol_engine_corpus() {
    replay(TARGET, fuzzing::engine);
}

#[test]
fn protocol_device_corpus() {
    replay(DEVICE_TARGET, fuzzing::device);
}

fn add(total: &mut fuzzing::DeviceReached, r: fuzzing::DeviceReached) {
    total.steps += r.steps;
    total.paired += r.paired;
    total.claimed += r.claimed;
    total.discarded += r.discarded;
    total.visits += r.visits;
    total.refused += r.refused;
    total.introduced += r.introduced;
}

/// 120 pseudo-random byte strings through the device's body, which must pair, make the device
/// discard envelopes, take visitors and refuse some of their handshakes, or the body has stopped
/// exercising the Security capability. (120, not more: each visitor's handshake costs about seven
/// elliptic-curve multiplications, slow in a debug build.)
#[test]
fn protocol_device_pseudo_random_inputs() {
    let mut total = fuzzing::DeviceReached::default();
    for seed in 3000..3120u64 {
        let data = pseudo_random(seed, 64 + (seed as usize * 37) % 2000);
        match std::panic::catch_unwind(|| fuzzing::run_device(&data)) {
            Ok(r) => add(&mut total, r),
            Err(_) => panic!("the device body failed on pseudo-random input {seed}"),
        }
    }
    eprintln!("{total:?}");
    // Below what the body reaches today (5,760 steps, 11 pairings, 2,408 discards, 586 contexts from
    // handshakes by value, 248 of those handshakes refused).
    assert!(total.steps > 2_000, "{total:?}");
    assert!(total.paired > 0, "{total:?}");
    assert!(total.discarded > 100, "{total:?}");
    assert!(total.visits > 250, "{total:?}");
    assert!(total.refused > 100, "{total:?}");
}

/// The device's corpus reaches the visitors' paths: the guest introduced by its owner, and
/// handshakes by value refused by the rate limit.
#[test]
fn protocol_device_corpus_reaches_the_visitors() {
    let corpus = fuzz_dir().join("corpus").join(DEVICE_TARGET);
    let mut total = fuzzing::DeviceReached::default();
    for path in files(&corpus) {
        add(
            &mut total,
            fuzzing::run_device(&std::fs::read(path).unwrap()),
        );
    }
    eprintln!("{total:?}");
    assert!(total.introduced >= 3, "{total:?}");
    assert!(total.visits > 40, "{total:?}");
    assert!(total.refused > 40, "{total:?}");
}

#[test]
fn protocol_relay_corpus() {
    replay(RELAY_TARGET, fuzzing::relay);
}

/// 300 pseudo-random byte strings through the relay's body, which must make the relay hold for the
/// sleeping sensor, deliver to it and discard envelopes, or the body has stopped exercising it.
#[test]
fn protocol_relay_pseudo_random_inputs() {
    let mut total = fuzzing::RelayReached::default();
    for seed in 2000..2300u64 {
        let data = pseudo_random(seed, 64 + (seed as usize * 37) % 3000);
        match std::panic::catch_unwind(|| fuzzing::run_relay(&data)) {
            Ok(r) => {
                total.steps += r.steps;
                total.delivered += r.delivered;
                total.discarded += r.discarded;
                total.most_held = total.most_held.max(r.most_held);
                total.arrived += r.arrived;
                total.retried += r.retried;
                total.lost += r.lost;
            }
            Err(_) => panic!("the relay body failed on pseudo-random input {seed}"),
        }
    }
    eprintln!("{total:?}");
    // Below what the body reaches today (19,200 steps, 287 deliveries, 6,948 discards, at most 9 held
    // at once, 734 requests to a previous address held for the node that moved in, 448 datagrams lost
    // on a link that was down).
    assert!(total.steps > 9_000, "{total:?}");
    assert!(total.delivered > 250, "{total:?}");
    assert!(total.discarded > 4_000, "{total:?}");
    assert!(total.most_held >= 6, "{total:?}");
    assert!(total.arrived > 0, "{total:?}");
    assert!(total.retried > 0, "{total:?}");
    assert!(total.lost > 200, "{total:?}");
}

#[test]
fn protocol_relay_server_corpus() {
    replay(RELAY_SERVER_TARGET, fuzzing::relay_server);
}

fn add_server(total: &mut fuzzing::RelayServerReached, r: fuzzing::RelayServerReached) {
    total.steps += r.steps;
    total.enrolled += r.enrolled;
    total.registered += r.registered;
    total.unregistered += r.unregistered;
    total.found += r.found;
    total.refused += r.refused;
    total.discarded += r.discarded;
    total.sessions += r.sessions;
}

/// 300 pseudo-random byte strings through the Relay capability's body, which must make contexts by
/// EDHOC, enrol controllers, register nodes' addresses, answer lookups with a credential, refuse
/// requests and discard envelopes, or the body has stopped exercising the capability.
#[test]
fn protocol_relay_server_pseudo_random_inputs() {
    let mut total = fuzzing::RelayServerReached::default();
    for seed in 4000..4300u64 {
        let data = pseudo_random(seed, 64 + (seed as usize * 37) % 2000);
        match std::panic::catch_unwind(|| fuzzing::run_relay_server(&data)) {
            Ok(r) => add_server(&mut total, r),
            Err(_) => panic!("the relay server body failed on pseudo-random input {seed}"),
        }
    }
    eprintln!("{total:?}");
    // About half of what the body reaches today (13,452 steps, 242 enrolments, 40 registrations,
    // 11 lookups that found a node, 6,329 refusals, 2,457 discards, 512 contexts made by EDHOC).
    assert!(total.steps > 6_000, "{total:?}");
    assert!(total.enrolled > 120, "{total:?}");
    assert!(total.registered > 20, "{total:?}");
    assert!(total.found > 5, "{total:?}");
    assert!(total.refused > 3_000, "{total:?}");
    assert!(total.discarded > 1_000, "{total:?}");
    assert!(total.sessions > 250, "{total:?}");
}

/// The Relay capability's corpus gets deep: enrolments, registrations, releases (and a departure's
/// end) and lookups that find a node, which the genuine seeds (`relay_server_seeds`) and the inputs
/// merged from a campaign reach.
#[test]
fn protocol_relay_server_corpus_reaches_the_registrations() {
    let corpus = fuzz_dir().join("corpus").join(RELAY_SERVER_TARGET);
    let mut total = fuzzing::RelayServerReached::default();
    for path in files(&corpus) {
        add_server(
            &mut total,
            fuzzing::run_relay_server(&std::fs::read(path).unwrap()),
        );
    }
    eprintln!("{total:?}");
    // Below what it reaches today (160 enrolments, 64 registrations, 11 ended, 21 lookups that
    // found a node, 93 contexts made by EDHOC).
    assert!(total.enrolled >= 50, "{total:?}");
    assert!(total.registered >= 25, "{total:?}");
    assert!(total.unregistered >= 5, "{total:?}");
    assert!(total.found >= 8, "{total:?}");
    assert!(total.sessions >= 30, "{total:?}");
}

/// More inputs than the corpus holds, on every run: 400 pseudo-random byte strings, which must reach
/// the application with sealed and unsealed requests and make the engine discard envelopes, or the
/// body's structure has stopped exercising the engine.
#[test]
fn protocol_engine_pseudo_random_inputs() {
    let mut total = fuzzing::Reached::default();
    for seed in 1000..1400u64 {
        let data = pseudo_random(seed, 64 + (seed as usize * 37) % 3000);
        match std::panic::catch_unwind(|| fuzzing::run(&data)) {
            Ok(r) => {
                total.steps += r.steps;
                total.requests += r.requests;
                total.sealed_requests += r.sealed_requests;
                total.discarded += r.discarded;
            }
            Err(_) => panic!("the engine body failed on pseudo-random input {seed}"),
        }
    }
    eprintln!("{total:?}");
    // About half of what the body reaches today (25,600 steps, 2,020 requests of which 778 sealed,
    // 10,401 discards).
    assert!(total.steps > 12_000, "{total:?}");
    assert!(total.sealed_requests > 350, "{total:?}");
    assert!(total.requests > total.sealed_requests + 500, "{total:?}");
    assert!(total.discarded > 5_000, "{total:?}");
}

#[test]
#[ignore = "writes the seed corpus; run by hand"]
fn write_seed_corpus() {
    for target in [TARGET, RELAY_TARGET, DEVICE_TARGET, RELAY_SERVER_TARGET] {
        let dir = fuzz_dir().join("corpus").join(target);
        if dir.exists() {
            continue;
        }
        std::fs::create_dir_all(&dir).unwrap();
        let offset = match target {
            TARGET => 0,
            RELAY_TARGET => 100,
            DEVICE_TARGET => 200,
            _ => 300,
        };
        for seed in 0..24u64 {
            let data = pseudo_random(seed + offset, 32 + (seed as usize * 211) % 4000);
            std::fs::write(dir.join(format!("seed-{seed:02}")), data).unwrap();
        }
    }
}

/// The visitor seeds are in the device's corpus, as `write_visitor_seeds` writes them.
#[test]
fn the_visitor_seeds_are_in_the_corpus() {
    let corpus = fuzz_dir().join("corpus").join(DEVICE_TARGET);
    for (name, bytes) in fuzzing::visitor_seeds() {
        let held = std::fs::read(corpus.join(name)).ok();
        assert!(
            held.as_deref() == Some(bytes.as_slice()),
            "{name} differs from the corpus: run `write_visitor_seeds`"
        );
    }
}

#[test]
#[ignore = "writes the visitor seeds; run by hand"]
fn write_visitor_seeds() {
    let corpus = fuzz_dir().join("corpus").join(DEVICE_TARGET);
    for (name, bytes) in fuzzing::visitor_seeds() {
        eprintln!("{name}: {:?}", fuzzing::decoded_steps(&bytes));
        std::fs::write(corpus.join(name), bytes).unwrap();
    }
}

/// The Relay capability's seeds are in its corpus, as `write_relay_server_seeds` writes them.
#[test]
fn the_relay_server_seeds_are_in_the_corpus() {
    let corpus = fuzz_dir().join("corpus").join(RELAY_SERVER_TARGET);
    for (name, bytes) in fuzzing::relay_server_seeds() {
        let held = std::fs::read(corpus.join(name)).ok();
        assert!(
            held.as_deref() == Some(bytes.as_slice()),
            "{name} differs from the corpus: run `write_relay_server_seeds`"
        );
    }
}

#[test]
#[ignore = "writes the Relay capability's seeds; run by hand"]
fn write_relay_server_seeds() {
    let corpus = fuzz_dir().join("corpus").join(RELAY_SERVER_TARGET);
    std::fs::create_dir_all(&corpus).unwrap();
    for (name, bytes) in fuzzing::relay_server_seeds() {
        std::fs::write(corpus.join(name), bytes).unwrap();
    }
}
