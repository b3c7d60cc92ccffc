//! Two engines on real loopback sockets exchange confirmable, sealed requests and replies: directly,
//! and through the lossy link at 20 % loss with duplication and reordering, on IPv4 and IPv6
//! loopback. Every request reaches the application exactly once and every reply matches its request;
//! a link that cuts every message fails the request and delivers nothing.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::time::Instant;

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
/// How long after its acknowledgement a request's reply may still be on its way: a reply that follows
/// a separate acknowledgement is confirmable ([IOTP-MSG-135]), and this covers its first six
/// retransmissions at the lossy runs' ACK_TIMEOUT of 100 ms (about 9.5 s), so that a reply not there
/// by then is lost for good.
const REPLY_GRACE: Duration = Duration::from_secs(12);

/// What an exchange of REQUESTS requests showed.
#[derive(Debug, Default)]
struct Outcome {
    /// How often the lamp's application saw each request.
    delivered: BTreeMap<u32, usize>,
    /// Replies matched to their request.
    matched: u32,
    /// Requests acknowledged by the lamp whose reply never came (see `every_reply_arrives...`).
    lost_replies: Vec<u32>,
}

/// A request of the app awaiting its reply.
struct Outstanding {
    n: u32,
    acknowledged: Option<Instant>,
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
    // Requests whose reply was declared lost, by `message_id`.
    let mut given_up = BTreeMap::new();
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
            outstanding.insert(
                id,
                Outstanding {
                    n,
                    acknowledged: None,
                },
            );
        }
        next += BATCH;
        while !outstanding.is_empty() {
            // An acknowledged request is no longer retransmitted: once the grace is over, nothing can
            // bring its reply any more.
            let give_up = outstanding
                .values()
                .filter_map(|o| o.acknowledged)
                .min()
                .map(|t| t + REPLY_GRACE);
            tokio::select! {
                Some(event) = app.next_event() => match event {
                    Event::Reply { request, body, .. } => {
                        // A reply later than the grace (a starved machine) counts as arrived after all.
                        let n = match (outstanding.remove(&request), given_up.remove(&request)) {
                            (Some(o), _) => o.n,
                            (None, Some(n)) => {
                                outcome.lost_replies.retain(|&lost| lost != n);
                                n
                            }
                            (None, None) => panic!("a second reply, or one to no request: {request}"),
                        };
                        assert_eq!(body, response(n), "the reply answers its own request");
                        outcome.matched += 1;
                    }
                    Event::Acknowledged { message_id, .. } => {
                        if let Some(o) = outstanding.get_mut(&message_id) {
                            o.acknowledged.get_or_insert_with(Instant::now);
                        }
                    }
                    Event::Failed { message_id, .. } => panic!("request {message_id} was never acknowledged"),
                    _ => {}
                },
                Some(event) = lamp.next_event() => if let Event::Request { exchange, body, .. } = event {
                    let n = number_of(&body).expect("a numbered invoke");
                    *outcome.delivered.entry(n).or_default() += 1;
                    lamp.reply(exchange, response(n)).await.expect("the engine takes the reply");
                },
                () = tokio::time::sleep_until(give_up.unwrap_or_else(Instant::now)), if give_up.is_some() => {
                    let now = Instant::now();
                    outstanding.retain(|&id, o| {
                        let lost = o.acknowledged.is_some_and(|t| t + REPLY_GRACE <= now);
                        if lost {
                            outcome.lost_replies.push(o.n);
                            given_up.insert(id, o.n);
                        }
                        !lost
                    });
                }
            }
        }
    }
    outcome
}

/// Every request reached the lamp's application once, and every reply that came answered its own.
fn assert_exactly_once(outcome: &Outcome) {
    assert_eq!(
        outcome.matched + outcome.lost_replies.len() as u32,
        REQUESTS,
        "every request answered or acknowledged: {outcome:?}"
    );
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

/// And every reply came.
fn assert_all_replied(outcome: &Outcome) {
    assert_exactly_once(outcome);
    assert!(
        outcome.lost_replies.is_empty(),
        "every reply arrived, lost: {:?}",
        outcome.lost_replies
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
    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(TEST_TIMEOUT, exchange(&mut app, &mut lamp, to, context))
        .await
        .expect("done within the test's time");
    eprintln!(
        "{REQUESTS} exchanges on loopback in {:?}",
        started.elapsed()
    );
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

/// The seeds of the lossy-link runs: three different runs of losses, duplicates and reorderings,
/// each of which replays.
const SEEDS: [u64; 3] = [11, 12, 13];

#[tokio::test]
async fn exactly_once_through_a_lossy_link() {
    for seed in SEEDS {
        let outcome = through_a_lossy_link(seed).await;
        assert_exactly_once(&outcome);
    }
}

/// Replies too arrive through the lossy link: a reply that follows a separate acknowledgement is
/// confirmable ([IOTP-MSG-135]) and a duplicate request is answered by the cached reply alone
/// ([IOTP-MSG-136]), so no acknowledgement ends the app's retransmissions before its reply arrived.
#[tokio::test]
async fn every_reply_arrives_through_a_lossy_link() {
    for seed in SEEDS {
        let outcome = through_a_lossy_link(seed).await;
        assert_all_replied(&outcome);
    }
}

async fn through_a_lossy_link(seed: u64) -> Outcome {
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
        LinkConfig::symmetric(seed, lossy),
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
    let counts = link.stop(Duration::from_secs(5)).await;
    eprintln!(
        "seed {seed}: {REQUESTS} exchanges through the lossy link in {elapsed:?}, replies lost {:?}: {counts:?}; app {:?}; lamp {:?}",
        outcome.lost_replies,
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
    outcome
}

#[tokio::test]
async fn ipv6_loopback_carries_the_same_exchange() {
    let ((app, context), (lamp, _)) = pair(Timing::default());
    let any6: SocketAddr = (std::net::Ipv6Addr::LOCALHOST, 0).into();
    let mut app = UdpNode::start(UdpConfig::new(any6), app).await.unwrap();
    let mut lamp = UdpNode::start(UdpConfig::new(any6), lamp).await.unwrap();
    let to = lamp.local_addr();
    let outcome = tokio::time::timeout(TEST_TIMEOUT, exchange(&mut app, &mut lamp, to, context))
        .await
        .expect("done within the test's time");
    assert_all_replied(&outcome);
    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn a_link_that_cuts_every_message_fails_the_request_and_delivers_nothing() {
    // Few, fast retransmissions: the request fails within about a second.
    let timing = Timing {
        ack_timeout: 50,
        max_retransmit: 3,
        ..Timing::default()
    };
    let ((app, context), (lamp, _)) = pair(timing);
    let mut app = UdpNode::start(UdpConfig::new(loopback()), app)
        .await
        .unwrap();
    let mut lamp = UdpNode::start(UdpConfig::new(loopback()), lamp)
        .await
        .unwrap();
    // An MTU far below any sealed invoke, and a middlebox that cuts rather than drops.
    let cutting = Impairments {
        mtu: Some(24),
        oversize: iotp2p_node::link::Oversize::Truncate,
        ..Impairments::none()
    };
    let link = LossyLink::start(
        LinkConfig::symmetric(0, cutting),
        app.local_addr(),
        lamp.local_addr(),
    )
    .await
    .unwrap();
    let id = app
        .request(
            link.a_side(),
            Destination::HopPeer,
            Some(context),
            invoke(7),
            true,
            None,
        )
        .await
        .unwrap();
    let failed = tokio::time::timeout(TEST_TIMEOUT, async {
        loop {
            if let Some(Event::Failed { message_id, .. }) = app.next_event().await {
                return message_id;
            }
        }
    })
    .await
    .expect("the request fails within the test's time");
    assert_eq!(
        failed, id,
        "the first transmission and three retransmissions, all cut"
    );
    let counts = link.stop(Duration::from_secs(5)).await;
    assert_eq!((counts.received, counts.truncated), (4, 4), "{counts:?}");
    let lamp_counts = lamp.counts();
    assert_eq!(lamp_counts.received, 4);
    assert_eq!(
        lamp_counts.refused + lamp_counts.discarded,
        4,
        "{lamp_counts:?}"
    );
    assert_eq!(lamp.try_event(), None);
    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
}
