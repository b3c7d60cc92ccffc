//! A home relay on a real loopback socket with its SQLite store, between an app and a sleeping sensor
//! of its domain, each a UDP node with a hop context with the relay: the app's sealed request is held
//! while the sensor sleeps; the relay is killed, started again from its store on the same port, and
//! delivers the request when the sensor wakes; the sensor's reply reaches the app.

mod common;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use common::{context, invoke, loopback, response, TEST_TIMEOUT};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::PresenceState;
use iotp2p_node::relay::{RelaySetup, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node};
use iotp2p_protocol::security::KeyId;

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const SENSOR: &str = "sensor@home.example.org";
const APP: &str = "app@home.example.org";

fn peer(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// A directory removed when the test ends, however it ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts the relay on `bind` from the store at `path`, with hop contexts with both nodes: the relay's
/// Sender IDs `ids.0` (sensor) and `ids.1` (app), the nodes' one less.
async fn start_relay(bind: SocketAddr, path: &std::path::Path, ids: (u8, u8)) -> UdpRelay {
    let mut setup = RelaySetup::new(bind, DOMAIN);
    setup.addresses = vec![SENSOR.into(), APP.into()];
    let store = Box::new(SqliteStore::open(path).unwrap());
    let relay = UdpRelay::start(setup, store).await.unwrap();
    relay
        .with_relay(move |r, _, _| {
            let service = r.service_mut();
            service
                .add_context(context(ids.0, ids.0 - 1), peer(SENSOR))
                .unwrap();
            service
                .add_context(context(ids.1, ids.1 - 1), peer(APP))
                .unwrap();
            ((), Vec::new())
        })
        .await
        .unwrap();
    relay
}

/// A node of the relay's domain with an end-to-end context with `other` (Sender IDs `e2e`).
fn end_node(address: &str, e2e: (u8, u8), other: &str, relay: SocketAddr) -> Node<SocketAddr> {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            ..Config::default()
        },
        0,
    );
    node.add_context(context(e2e.0, e2e.1), peer(other))
        .unwrap();
    node.set_home_relay(Some(relay));
    node
}

/// Gives `node` a new hop context with the relay (its Sender ID `own`, the relay's `own + 1`) and
/// announces `state`; waits for the relay's `presence_ack`.
async fn attach(node: &mut UdpNode, own: u8, state: PresenceState, sleep: Option<u32>) {
    node.with_engine(move |n, now, rng| {
        let hop = n.add_context(context(own, own + 1), peer(SERVICE)).unwrap();
        n.set_hop_context(Some(hop));
        let (_, out) = n.presence(now, rng, state, sleep, None).unwrap();
        ((), out)
    })
    .await
    .unwrap();
    loop {
        match node.next_event().await {
            Some(Event::Reply {
                body: Body::PresenceAck(_),
                ..
            }) => return,
            Some(_) => {}
            None => panic!("the node stopped"),
        }
    }
}

#[tokio::test]
async fn a_relay_killed_while_it_holds_a_request_delivers_it_after_a_restart() {
    tokio::time::timeout(TEST_TIMEOUT, run()).await.unwrap();
}

async fn run() {
    let dir = TempDir(std::env::temp_dir().join(format!("iotp2p-relay-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).unwrap();
    let store = dir.0.join("relay.sqlite");

    let relay = start_relay(loopback(), &store, (4, 6)).await;
    let relay_addr = relay.local_addr();
    let mut app = UdpNode::start(
        UdpConfig::new(loopback()),
        end_node(APP, (1, 2), SENSOR, relay_addr),
    )
    .await
    .unwrap();
    let mut sensor = UdpNode::start(
        UdpConfig::new(loopback()),
        end_node(SENSOR, (2, 1), APP, relay_addr),
    )
    .await
    .unwrap();
    attach(&mut app, 5, PresenceState::Awake, None).await;
    attach(&mut sensor, 3, PresenceState::Asleep, Some(600)).await;

    // The app's sealed invoke, held for the sleeping sensor and acknowledged by the relay.
    let e2e = app
        .with_engine(|n, _, _| {
            (
                n.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap()),
                Vec::new(),
            )
        })
        .await
        .unwrap();
    let id = app
        .request(
            relay_addr,
            Destination::Address(SENSOR.into()),
            e2e,
            invoke(7),
            true,
            Some(3600),
        )
        .await
        .unwrap();
    loop {
        match app.next_event().await {
            Some(Event::Acknowledged { message_id, .. }) if message_id == id => break,
            Some(_) => {}
            None => panic!("the app stopped"),
        }
    }
    let held = relay
        .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 1);

    // Killed with the request held; started again from the same file on the same port.
    relay.kill().await;
    let relay = start_relay(relay_addr, &store, (8, 10)).await;
    let held = relay
        .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
        .await
        .unwrap();
    assert_eq!(held, 1, "the store gave the held request back");

    // The nodes run new handshakes with the new process (here: new hop contexts) and bind again.
    attach(&mut app, 9, PresenceState::Awake, None).await;
    attach(&mut sensor, 7, PresenceState::Awake, Some(600)).await;
    let exchange = loop {
        match sensor.next_event().await {
            Some(Event::Request { exchange, body, .. }) => {
                assert_eq!(body, invoke(7));
                break exchange;
            }
            Some(_) => {}
            None => panic!("the sensor stopped"),
        }
    };
    sensor.reply(exchange, response(7)).await.unwrap();
    loop {
        match app.next_event().await {
            Some(Event::Reply { request, body, .. }) if request == id => {
                assert_eq!(body, response(7));
                break;
            }
            Some(_) => {}
            None => panic!("the app stopped"),
        }
    }
    // The sensor's receipt deletes it at the relay and in the store.
    for _ in 0..100 {
        let held = relay
            .with_relay(|r, _, _| (r.held(SENSOR), Vec::new()))
            .await
            .unwrap();
        if held == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut store = relay.stop(Duration::from_secs(5)).await.unwrap();
    assert!(store.held(SENSOR, 16).unwrap().is_empty());
    app.stop(Duration::from_secs(5)).await.unwrap();
    sensor.stop(Duration::from_secs(5)).await.unwrap();
}
