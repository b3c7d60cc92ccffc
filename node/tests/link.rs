//! The lossy link on real sockets: the same seed makes the same decisions for the same datagrams, a
//! different seed others; a stranger's datagrams are dropped; an MTU cuts or drops.

mod common;

use std::time::Duration;

use common::{loopback, TEST_TIMEOUT};
use iotp2p_node::link::{Impairments, LinkConfig, LinkCounts, LossyLink, Oversize};
use tokio::net::UdpSocket;

/// Datagrams sent through the link in one run.
const SENT: u32 = 300;

/// Sends SENT numbered datagrams (of `len` bytes) from A through a link with `impairments` and
/// returns what B received (numbers and lengths, sorted) and the link's counters.
async fn run(seed: u64, impairments: Impairments, len: usize) -> (Vec<(u32, usize)>, LinkCounts) {
    let a = UdpSocket::bind(loopback()).await.unwrap();
    let b = UdpSocket::bind(loopback()).await.unwrap();
    let link = LossyLink::start(
        LinkConfig::symmetric(seed, impairments),
        a.local_addr().unwrap(),
        b.local_addr().unwrap(),
    )
    .await
    .unwrap();
    // B reads while A sends, so that its socket's buffer never overflows; once A is done, what is
    // still delayed arrives within the delays configured (at most 40 ms here).
    let b_side = link.b_side();
    let (sent, done) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        let mut received = Vec::new();
        let mut buffer = [0u8; 2048];
        let mut done = done;
        let mut draining = false;
        loop {
            let next = tokio::select! {
                r = b.recv_from(&mut buffer) => Some(r.unwrap()),
                _ = &mut done, if !draining => { draining = true; continue; }
                () = tokio::time::sleep(Duration::from_millis(200)), if draining => None,
            };
            let Some((got, from)) = next else { break };
            assert_eq!(from, b_side, "B sees the link as its peer");
            let n = u32::from_be_bytes(buffer[..4].try_into().unwrap());
            received.push((n, got));
        }
        received
    });
    for n in 0..SENT {
        let mut datagram = vec![0u8; len];
        datagram[..4].copy_from_slice(&n.to_be_bytes());
        a.send_to(&datagram, link.a_side()).await.unwrap();
        // Paced: the test is about the link's decisions, not about the kernel's buffers.
        while link.counts().received < u64::from(n + 1) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    sent.send(()).unwrap();
    let mut received = reader.await.unwrap();
    received.sort();
    let counts = link.stop(Duration::from_secs(5)).await;
    (received, counts)
}

fn lossy() -> Impairments {
    Impairments {
        loss: 0.2,
        duplicate: 0.2,
        reorder: 0.2,
        reorder_delay: 30,
        delay: 0..=10,
        ..Impairments::none()
    }
}

#[tokio::test]
async fn a_seed_replays_its_decisions() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (first, counts) = run(5783, lossy(), 100).await;
        let (again, counts_again) = run(5783, lossy(), 100).await;
        let (other, _) = run(5784, lossy(), 100).await;
        assert_eq!(first, again, "the same seed, the same datagrams through");
        assert_eq!(counts, counts_again);
        assert_ne!(first, other, "another seed, other decisions");
        assert_eq!(counts.received, u64::from(SENT));
        assert_eq!(counts.forwarded, first.len() as u64);
        assert_eq!(
            counts.received - counts.lost + counts.duplicated,
            counts.forwarded,
            "{counts:?}"
        );
        eprintln!("{SENT} datagrams at 20 % loss, duplication and reordering: {counts:?}");
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn an_mtu_cuts_or_drops() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let cut = Impairments {
            mtu: Some(51),
            oversize: Oversize::Truncate,
            ..Impairments::none()
        };
        let (received, counts) = run(0, cut.clone(), 100).await;
        assert_eq!(received.len(), SENT as usize);
        assert!(received.iter().all(|&(_, len)| len == 51));
        assert_eq!(counts.truncated, u64::from(SENT));
        let dropped = Impairments {
            oversize: Oversize::Drop,
            ..cut
        };
        let (received, counts) = run(0, dropped, 100).await;
        assert!(received.is_empty());
        assert_eq!(counts.too_large, u64::from(SENT));
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn strangers_are_not_carried() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let a = UdpSocket::bind(loopback()).await.unwrap();
        let b = UdpSocket::bind(loopback()).await.unwrap();
        let stranger = UdpSocket::bind(loopback()).await.unwrap();
        let link = LossyLink::start(
            LinkConfig::symmetric(0, Impairments::none()),
            a.local_addr().unwrap(),
            b.local_addr().unwrap(),
        )
        .await
        .unwrap();
        for side in [link.a_side(), link.b_side()] {
            stranger.send_to(b"not from A or B", side).await.unwrap();
        }
        while link.counts().strangers < 2 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let mut buffer = [0u8; 64];
        for socket in [&a, &b] {
            let quiet =
                tokio::time::timeout(Duration::from_millis(50), socket.recv_from(&mut buffer))
                    .await;
            assert!(quiet.is_err(), "nothing reaches A or B");
        }
        let counts = link.stop(Duration::from_secs(5)).await;
        assert_eq!((counts.strangers, counts.forwarded), (2, 0));
    })
    .await
    .expect("done within the test's time");
}
