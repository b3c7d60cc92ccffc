//! A hostile peer on the network: random, truncated, oversized and replayed datagrams sent to a node's
//! socket. The node neither crashes nor tells its application anything, its tables stay within their
//! bounds, and it still serves a genuine peer afterwards. Under a flood of such datagrams its
//! retransmissions still go on time.

mod common;

use std::time::Duration;

use common::{engine, invoke, loopback, number_of, response, APP, LAMP, TEST_TIMEOUT};
use iotp2p_node::udp::{StartError, UdpConfig, UdpNode, MAX_PAYLOAD};
use iotp2p_protocol::engine::{Destination, Event, Output};
use iotp2p_protocol::params::Timing;
use rand_chacha::ChaCha8Rng;
use rand_core::{OsRng, RngCore, SeedableRng};
use tokio::net::UdpSocket;

/// Random datagrams sent.
const RANDOM: usize = 2_000;

/// What a hostile peer sends: random bytes of every length up to past MAX_PAYLOAD (half of them
/// starting like a whole message, so that they reach the engine), every prefix of a genuine sealed
/// request, the request grown past MAX_PAYLOAD, and a datagram of 64 KiB. The genuine request follows,
/// replayed four times: one request event, and only one.
fn hostile(genuine: &[u8]) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(5783);
    let mut all = Vec::new();
    for i in 0..RANDOM {
        let len = (rng.next_u32() as usize) % (MAX_PAYLOAD + 64);
        let mut bytes = vec![0u8; len];
        rng.fill_bytes(&mut bytes);
        if i % 2 == 0 && len > 0 {
            bytes[0] = 0xa0 | (bytes[0] & 0x1f);
        }
        all.push(bytes);
    }
    for end in 0..genuine.len() {
        all.push(genuine[..end].to_vec());
    }
    let mut grown = genuine.to_vec();
    grown.resize(MAX_PAYLOAD + 1, 0);
    all.push(grown);
    let mut huge = vec![0xa5; 65_000];
    huge[1..genuine.len()].copy_from_slice(&genuine[1..]);
    all.push(huge);
    all
}

#[tokio::test]
async fn hostile_datagrams_change_nothing_the_application_sees() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let (lamp, _) = engine(LAMP, Timing::default(), APP, 2, 1);
        let mut lamp = UdpNode::start(UdpConfig::new(loopback()), lamp).await.unwrap();
        let attacker = UdpSocket::bind(loopback()).await.unwrap();
        // The genuine app's engine, driven by hand here, to have a sealed request's bytes.
        let (mut app, context) = engine(APP, Timing::default(), LAMP, 1, 2);
        let (_, out) = app
            .request(0, &mut OsRng, lamp.local_addr(), Destination::HopPeer, Some(context), &invoke(1), false, None)
            .unwrap();
        let [Output::Send { bytes: genuine, .. }] = &out[..] else {
            panic!("{out:?}")
        };

        // Paced, so that the socket's receive buffer never overflows: the test is about the node,
        // not about what the kernel drops.
        let mut sent = 0u64;
        let datagrams = hostile(genuine);
        let replays = std::iter::repeat_n(genuine.as_slice(), 5);
        for bytes in datagrams.iter().map(Vec::as_slice).chain(replays) {
            attacker.send_to(bytes, lamp.local_addr()).await.unwrap();
            sent += 1;
            while lamp.counts().received + 32 < sent {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
        let event = lamp.next_event().await.expect("the genuine request");
        let Event::Request { exchange, body, .. } = event else {
            panic!("{event:?}")
        };
        assert_eq!(number_of(&body), Some(1));
        lamp.reply(exchange, response(1)).await.unwrap();

        // Everything sent has been read once the counters add up; then nothing more may come.
        while lamp.counts().received < sent {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let counts = lamp.counts();
        assert_eq!(counts.events_dropped, 0);
        assert!(counts.refused > (RANDOM / 4) as u64, "the binding refused its share: {counts:?}");
        assert_eq!(
            counts.refused + counts.discarded + 1,
            sent,
            "each datagram but the genuine one refused at the socket or discarded by the engine: {counts:?}"
        );
        assert_eq!(lamp.try_event(), None, "no other event: {counts:?}");
        eprintln!("{sent} hostile datagrams: {counts:?}");
        let lamp = lamp.stop(Duration::from_secs(5)).await.unwrap();
        assert!(lamp.occupancy().within(lamp.config()), "{:?}", lamp.occupancy());
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn a_port_in_use_is_an_error_that_names_it() {
    let (first, _) = engine(LAMP, Timing::default(), APP, 2, 1);
    let first = UdpNode::start(UdpConfig::new(loopback()), first)
        .await
        .unwrap();
    let (second, _) = engine(LAMP, Timing::default(), APP, 2, 1);
    let err = UdpNode::start(UdpConfig::new(first.local_addr()), second)
        .await
        .unwrap_err();
    assert!(matches!(err, StartError::Bind { addr, .. } if addr == first.local_addr()));
    let text = err.to_string();
    assert!(
        text.contains(&first.local_addr().to_string()) && text.contains("port"),
        "{text}"
    );
    first.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_flood_does_not_hold_back_retransmissions() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let timing = Timing {
            ack_timeout: 50,
            max_retransmit: 3,
            ..Timing::default()
        };
        let (app, context) = engine(APP, timing, LAMP, 1, 2);
        let mut app = UdpNode::start(UdpConfig::new(loopback()), app).await.unwrap();
        // A peer that never answers, and an attacker that floods the app meanwhile.
        let black_hole = UdpSocket::bind(loopback()).await.unwrap();
        let attacker = UdpSocket::bind(loopback()).await.unwrap();
        let target = app.local_addr();
        let flood = tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            // Bounded: at most this many datagrams, however long the test takes.
            for _ in 0..200_000 {
                let mut bytes = [0u8; 64];
                rng.fill_bytes(&mut bytes);
                bytes[0] = 0xa3;
                let _ = attacker.send_to(&bytes, target).await;
            }
        });
        let started = tokio::time::Instant::now();
        app.request(black_hole.local_addr().unwrap(), Destination::HopPeer, Some(context), invoke(9), true, None)
            .await
            .unwrap();
        let failed = loop {
            match app.next_event().await {
                Some(Event::Failed { message_id, .. }) => break message_id,
                Some(_) => {}
                None => panic!("the node stopped"),
            }
        };
        let took = started.elapsed();
        flood.abort();
        let mut buffer = [0u8; 2048];
        let mut transmissions = 0;
        while let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_millis(50), black_hole.recv_from(&mut buffer)).await
        {
            transmissions += 1;
        }
        let counts = app.counts();
        eprintln!("request failed after {took:?} under a flood: {transmissions} transmissions; {counts:?}");
        assert_eq!(failed, 0);
        assert_eq!(transmissions, 4, "the request and its three retransmissions");
        // MAX_TRANSMIT_SPAN here is 50 ms × 15 × 1.5, about 1.1 s; the flood may slow, not stop, it.
        assert!(took < Duration::from_secs(10), "{took:?}");
        assert!(counts.received > 0, "the flood reached the node");
        app.stop(Duration::from_secs(5)).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}
