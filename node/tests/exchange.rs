//! Two engines on real loopback sockets exchange confirmable, sealed requests and replies: directly,
//! and through the lossy link at 20 % loss with duplication and reordering. Every request reaches
//! the application exactly once and every reply matches its request.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use common::{invoke, loopback, number_of, pair, response, TEST_TIMEOUT};
use iotp2p_node::link::{Impairments, LinkConfig, LossyLink};
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::ContextId;
use iotp2p_protocol::engine::{Destination, Event};
use iotp2p_protocol::params::Timing;

/// Requests the app sends in one test.
const REQUESTS: u32 = 20;
/// Requests outstanding at once (within the engine's default of 8 awaiting a reply).
const BATCH: u32 = 4;

/// What an exchange of REQUESTS requests showed.
#[derive(Debug, Default)]
struct Outcome {
    /// How often the lamp's application saw each request.
    delivered: BTreeMap<u32, usize>,
    /// Replies matched to their request.
    matched: u32,
}

/// The app sends REQUESTS numbered invokes to the lamp through `to`, BATCH at a time; the lamp's
/// application answers each with its number.
async fn exchange(
    app: &mut UdpNode,
    lamp: &mut UdpNode,
    to: SocketAddr,
    context: ContextId,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut next = 0;
    while next < REQUESTS {
        let mut outstanding = BTreeMap::new();
        for n in next..(next + BATCH).min(REQUESTS) {
            let id = app
                .request(
                    to,
                    Destination::HopPeer,
                    Some(context),
                    invoke(n),
                    true,
                    None,
                )
                .await
                .expect("the engine takes the request");
            outstanding.insert(id, n);
        }
        next += BATCH;
        while !outstanding.is_empty() {
            tokio::select! {
                Some(event) = app.next_event() => match event {
                    Event::Reply { request, body, .. } => {
                        let n = outstanding
                            .remove(&request)
                            .unwrap_or_else(|| panic!("a second reply, or one to no request: {request}"));
                        assert_eq!(body, response(n), "the reply answers its own request");
                        outcome.matched += 1;
                    }
                    Event::Failed { message_id, .. } => panic!("request {message_id} was never acknowledged"),
                    _ => {}
                },
                Some(event) = lamp.next_event() => if let Event::Request { exchange, body, .. } = event {
                    let n = number_of(&body).expect("a numbered invoke");
                    *outcome.delivered.entry(n).or_default() += 1;
                    lamp.reply(exchange, response(n)).await.expect("the engine takes the reply");
                },
            }
        }
    }
    outcome
}

fn assert_exactly_once(outcome: &Outcome) {
    assert_eq!(outcome.matched, REQUESTS, "every reply matched");
    assert_eq!(
        outcome.delivered.len(),
        REQUESTS as usize,
        "every request delivered"
    );
    assert!(
        outcome.delivered.values().all(|&count| count == 1),
        "each request delivered exactly once: {:?}",
        outcome.delivered
    );
}

#[tokio::test]
async fn sealed_requests_and_replies_cross_loopback() {
    let ((app, context), (lamp, _)) = pair(Timing::default());
    let mut app = UdpNode::start(UdpConfig::new(loopback()), app)
        .await
        .unwrap();
    let mut lamp = UdpNode::start(UdpConfig::new(loopback()), lamp)
        .await
        .unwrap();
    let to = lamp.local_addr();
    let outcome = tokio::time::timeout(TEST_TIMEOUT, exchange(&mut app, &mut lamp, to, context))
        .await
        .expect("done within the test's time");
    assert_exactly_once(&outcome);
    let (a, l) = (app.counts(), lamp.counts());
    assert_eq!(
        (a.refused, l.refused, a.send_errors, l.send_errors),
        (0, 0, 0, 0)
    );
    let app = app.stop(Duration::from_secs(5)).await.unwrap();
    let lamp = lamp.stop(Duration::from_secs(5)).await.unwrap();
    assert_eq!(app.next_deadline(), None, "nothing left to retransmit");
    assert!(lamp.occupancy().within(lamp.config()));
}

#[tokio::test]
async fn exactly_once_through_a_lossy_link() {
    // A short ACK_TIMEOUT keeps the test fast, and more retransmissions than the default keep a
    // request that loses five transmissions in a row (0.36^5 at this loss) from failing it.
    let timing = Timing {
        ack_timeout: 100,
        max_retransmit: 8,
        ..Timing::default()
    };
    let ((app, context), (lamp, _)) = pair(timing);
    let mut app = UdpNode::start(UdpConfig::new(loopback()), app)
        .await
        .unwrap();
    let mut lamp = UdpNode::start(UdpConfig::new(loopback()), lamp)
        .await
        .unwrap();
    let lossy = Impairments {
        loss: 0.2,
        duplicate: 0.2,
        reorder: 0.2,
        reorder_delay: 30,
        delay: 1..=10,
        ..Impairments::none()
    };
    let link = LossyLink::start(
        LinkConfig::symmetric(11, lossy),
        app.local_addr(),
        lamp.local_addr(),
    )
    .await
    .unwrap();
    let to = link.a_side();
    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(TEST_TIMEOUT, exchange(&mut app, &mut lamp, to, context))
        .await
        .expect("done within the test's time");
    let elapsed = started.elapsed();
    assert_exactly_once(&outcome);
    let counts = link.stop(Duration::from_secs(5)).await;
    eprintln!(
        "{REQUESTS} exchanges through the lossy link in {elapsed:?}: {counts:?}; app {:?}; lamp {:?}",
        app.counts(),
        lamp.counts()
    );
    assert!(
        counts.lost > 0 && counts.duplicated > 0 && counts.reordered > 0,
        "{counts:?}"
    );
    assert!(
        lamp.counts().discarded > 0,
        "duplicates reached the lamp and were discarded by its engine"
    );
    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
}
