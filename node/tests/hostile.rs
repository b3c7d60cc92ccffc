//! A hostile peer on the network: random, truncated, oversized and replayed datagrams sent to a node's
//! socket. The node neither crashes nor tells its application anything, its tables stay within their
//! bounds, and it still serves a genuine peer afterwards.

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
