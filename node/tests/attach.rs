//! A device attaching to its home relay (`iotp2p_node::attach`) when every transmission of its
//! first handshake's message_1 is lost: the handshake is over, nothing of it comes any more, and the
//! device starts another, which binds its hop. On tokio's paused clock, so that the engine's
//! retransmissions and the waits of `attach` take no real time.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{dropping_proxy, loopback, relay_and_edhoc_node, TempDir};
use iotp2p_codec::core::PresenceState;
use iotp2p_node::attach::{attach, AttachError};
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::params::Timing;

const DOMAIN: &str = "home.example.org";
const SENSOR: &str = "sensor@home.example.org";

#[tokio::test(start_paused = true)]
async fn a_handshake_lost_in_full_starts_again_and_the_device_attaches() {
    let dir = TempDir::new("attach-again");
    let (relay, relay_ccs, engine) = relay_and_edhoc_node(&dir.0, DOMAIN, SENSOR).await;
    // Every transmission of the first message_1: the first and MAX_RETRANSMIT copies.
    let lost = 1 + Timing::default().max_retransmit as usize;
    let (proxy, task, dropped) = dropping_proxy(relay.local_addr(), lost, 0).await;

    let mut sensor = UdpNode::start(UdpConfig::new(loopback()), engine)
        .await
        .unwrap();
    let attached = attach(
        &mut sensor,
        SENSOR,
        proxy,
        relay_ccs,
        (PresenceState::Awake, None),
    )
    .await;
    assert!(
        !matches!(attached, Err(AttachError::Relay { .. })),
        "a second handshake attaches the device: {attached:?}"
    );
    attached.unwrap();
    assert_eq!(dropped.load(Ordering::Relaxed), lost);
    let bound = relay
        .with_relay(move |r, now, _| (r.bound(SENSOR, now).is_some(), Vec::new()))
        .await
        .unwrap();
    assert!(bound, "the presence bound the device's hop");

    task.abort();
    relay.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
}
