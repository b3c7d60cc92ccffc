//! A device attaching to its home relay (`iotp2p_node::attach`) when every transmission of its
//! first handshake's message_1 is lost: the handshake is over, nothing of it comes any more, and the
//! device starts another, which binds its hop. On tokio's paused clock, so that the engine's
//! retransmissions and the waits of `attach` take no real time.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{loopback, relay_and_edhoc_node, TempDir};
use iotp2p_codec::core::PresenceState;
use iotp2p_node::attach::{attach, AttachError};
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::params::Timing;
use tokio::net::UdpSocket;

const DOMAIN: &str = "home.example.org";
const SENSOR: &str = "sensor@home.example.org";

/// A proxy between the device and the relay: what the device sends goes on to `relay` but the first
/// `drop` datagrams, what the relay sends back goes to the device. Gives its address for the
/// device, the task, and the count of datagrams dropped.
async fn dropping_proxy(
    relay: SocketAddr,
    drop: usize,
) -> (SocketAddr, tokio::task::JoinHandle<()>, Arc<AtomicUsize>) {
    let front = UdpSocket::bind(loopback()).await.unwrap();
    let back = UdpSocket::bind(loopback()).await.unwrap();
    let at = front.local_addr().unwrap();
    let dropped = Arc::new(AtomicUsize::new(0));
    let count = dropped.clone();
    let task = tokio::spawn(async move {
        let mut device: Option<SocketAddr> = None;
        let (mut a, mut b) = ([0u8; 2048], [0u8; 2048]);
        // Bounded: the test's few exchanges take far fewer datagrams.
        for _ in 0..1_000 {
            tokio::select! {
                r = front.recv_from(&mut a) => {
                    let Ok((n, from)) = r else { return };
                    device = Some(from);
                    if count.load(Ordering::Relaxed) < drop {
                        count.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    let _ = back.send_to(&a[..n], relay).await;
                }
                r = back.recv_from(&mut b) => {
                    let Ok((n, _)) = r else { return };
                    if let Some(to) = device {
                        let _ = front.send_to(&b[..n], to).await;
                    }
                }
            }
        }
    });
    (at, task, dropped)
}

#[tokio::test(start_paused = true)]
async fn a_handshake_lost_in_full_starts_again_and_the_device_attaches() {
    let dir = TempDir::new("attach-again");
    let (relay, relay_ccs, engine) = relay_and_edhoc_node(&dir.0, DOMAIN, SENSOR).await;
    // Every transmission of the first message_1: the first and MAX_RETRANSMIT copies.
    let lost = 1 + Timing::default().max_retransmit as usize;
    let (proxy, task, dropped) = dropping_proxy(relay.local_addr(), lost).await;

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
