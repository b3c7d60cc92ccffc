//! Between a node and its application: a full event queue drops (and counts) what does not fit
//! instead of stalling the socket, the engine's refusals come back as typed errors, and any other call
//! of the engine runs on the node's task.

mod common;

use std::time::Duration;

use common::{context, engine, invoke, loopback, pair, APP, LAMP, TEST_TIMEOUT};
use iotp2p_node::udp::{NodeError, StartError, UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Destination, SendError};
use iotp2p_protocol::params::Timing;

#[tokio::test]
async fn a_full_event_queue_drops_and_counts() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let ((app, context), (lamp, _)) = pair(Timing::default());
        let app = UdpNode::start(UdpConfig::new(loopback()), app)
            .await
            .unwrap();
        let lamp_config = UdpConfig {
            event_queue: 1,
            ..UdpConfig::new(loopback())
        };
        let mut lamp = UdpNode::start(lamp_config, lamp).await.unwrap();
        // Five requests, not confirmable (so that NSTART holds none back); the lamp's application
        // reads nothing until all have arrived.
        for n in 0..5 {
            app.request(
                lamp.local_addr(),
                Destination::HopPeer,
                Some(context),
                invoke(n),
                false,
                None,
            )
            .await
            .unwrap();
        }
        while lamp.counts().received < 5 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(lamp.counts().events_dropped, 4, "{:?}", lamp.counts());
        assert!(lamp.next_event().await.is_some(), "the one that fitted");
        assert_eq!(lamp.try_event(), None);
        app.stop(Duration::from_secs(5)).await.unwrap();
        lamp.stop(Duration::from_secs(5)).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn the_engines_refusals_come_back_typed() {
    let (app, _) = engine(APP, Timing::default(), LAMP, 1, 2);
    let app = UdpNode::start(UdpConfig::new(loopback()), app)
        .await
        .unwrap();
    let err = app
        .request(
            loopback(),
            Destination::HopPeer,
            Some(ContextId(99)),
            invoke(0),
            true,
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, NodeError::Send(SendError::NoContext)),
        "{err}"
    );
    app.stop(Duration::from_secs(5)).await.unwrap();
}

#[tokio::test]
async fn queues_of_no_room_are_refused() {
    let (app, _) = engine(APP, Timing::default(), LAMP, 1, 2);
    let config = UdpConfig {
        event_queue: 0,
        ..UdpConfig::new(loopback())
    };
    let err = UdpNode::start(config, app).await.unwrap_err();
    assert!(
        matches!(err, StartError::EmptyQueue { which: "event" }),
        "{err}"
    );
}

#[tokio::test]
async fn the_engine_is_reachable_for_everything_else() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        // The app starts without a context and gets one while running, as after pairing.
        let app = iotp2p_protocol::engine::Node::new(
            iotp2p_protocol::engine::Config {
                address: Some(APP.into()),
                ..Default::default()
            },
            0,
        );
        let (lamp, _) = engine(LAMP, Timing::default(), APP, 2, 1);
        let app = UdpNode::start(UdpConfig::new(loopback()), app)
            .await
            .unwrap();
        let mut lamp = UdpNode::start(UdpConfig::new(loopback()), lamp)
            .await
            .unwrap();
        let id = app
            .with_engine(|engine, _now, _rng| {
                let peer = Peer {
                    address: Some(LAMP.into()),
                    kind: ContextKind::Ordinary,
                    node: None,
                };
                (engine.add_context(context(1, 2), peer).unwrap(), Vec::new())
            })
            .await
            .unwrap();
        app.request(
            lamp.local_addr(),
            Destination::HopPeer,
            Some(id),
            invoke(3),
            false,
            None,
        )
        .await
        .unwrap();
        let event = lamp.next_event().await.unwrap();
        assert!(
            matches!(event, iotp2p_protocol::engine::Event::Request { .. }),
            "{event:?}"
        );
        app.stop(Duration::from_secs(5)).await.unwrap();
        lamp.stop(Duration::from_secs(5)).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}
