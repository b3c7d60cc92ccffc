//! The walk-through of spec chapter 12 (the demo's, `examples/walkthrough/mod.rs`, relays found through
//! a DNS server on loopback) as `scripts/demo` runs it, and with a lossy link between every pair of
//! nodes that talk: 20% of the datagrams lost, 20% duplicated, 20% reordered, each link from its own
//! seed. Every command must run exactly once on the device, every reply must come back to its request,
//! and nothing may be lost: the protocol's retransmissions and duplicate detection carry it, never a
//! retry by the app.

mod common;

#[path = "../examples/walkthrough/mod.rs"]
mod walkthrough;

use std::time::Duration;

use common::TempDir;
use iotp2p_node::link::Impairments;
use walkthrough::{Lossy, Options, LAMP_ACTIONS, SENSOR_READINGS};

/// The whole run's bound: it takes some 30 s on two cores, longer when a run of losses holds a hop.
const RUN_TIMEOUT: Duration = Duration::from_secs(240);

/// The demo's run, on clean links: each step's reply and the device's state are checked by the run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walk_through_runs_each_command_exactly_once() {
    let dir = TempDir::new("walkthrough");
    let outcome = tokio::time::timeout(RUN_TIMEOUT, walkthrough::run(&dir.0, Options::default()))
        .await
        .expect("the walk-through ends in time")
        .unwrap_or_else(|e| panic!("the walk-through failed: {e}"));
    assert_eq!(outcome.lamp_actions, LAMP_ACTIONS);
    assert_eq!(outcome.sensor_readings, SENSOR_READINGS);
}

/// Over lossy links. Regressions it found: a reply lost on the device's hop after the device's
/// receipt had ended the relay's retransmission of the request ([IOTP-MSG-140]); a receipt whose
/// transmission failed, which left its envelopes held at the relay of an always-awake lamp, so that
/// its re-homing carried a stale `edhoc_1` to the new relay ([IOTP-MSG-141]); and the unsealed
/// reply to that `edhoc_1`, which made the lamp's new address known to the other app's relay, so
/// that the lamp's re-homing statement came by contact number and could not be opened
/// ([IOTP-MSG-138]).
///
/// Not in the suite's default run yet: it runs on real time, and a run of losses on one hop can
/// still hold a step past an app's wait (seen: five losses in a row on a relay pair held a reply
/// 17 s behind one retransmission; an app's handshake with the lamp waited 20 s where its replies
/// wait 90). Ten of eleven runs passed after the fixes above. Run it with
/// `cargo test -p iotp2p-node --test walkthrough -- --ignored --nocapture`.
#[ignore = "runs on real time over random losses: a long run of losses can exceed a wait"]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walk_through_over_lossy_links_runs_each_command_exactly_once() {
    let dir = TempDir::new("walkthrough-lossy");
    let options = Options {
        lossy: Some(Lossy {
            impairments: Impairments {
                loss: 0.2,
                duplicate: 0.2,
                reorder: 0.2,
                reorder_delay: 30,
                ..Impairments::none()
            },
            seed: 23,
        }),
    };
    // Every step checks its reply and the device's state; an error names the step.
    let outcome = tokio::time::timeout(RUN_TIMEOUT, walkthrough::run(&dir.0, options))
        .await
        .expect("the walk-through ends in time")
        .unwrap_or_else(|e| panic!("the walk-through failed: {e}"));
    for (name, counts) in &outcome.links {
        println!("link {name}: {counts:?}");
    }
    println!("nodes sent {} datagrams", outcome.sent);
    assert_eq!(
        outcome.lamp_actions, LAMP_ACTIONS,
        "each command ran exactly once on the lamp"
    );
    assert_eq!(
        outcome.sensor_readings, SENSOR_READINGS,
        "the read reached the sensor once"
    );
    let total = |f: fn(&iotp2p_node::link::LinkCounts) -> u64| {
        outcome.links.iter().map(|(_, c)| f(c)).sum::<u64>()
    };
    assert!(
        total(|c| c.lost) > 0 && total(|c| c.duplicated) > 0 && total(|c| c.reordered) > 0,
        "the links impaired nothing: {:?}",
        outcome.links
    );
}
