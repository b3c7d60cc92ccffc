//! Rough figures of the node on this machine, printed, not asserted: round trips of sealed
//! confirmable invokes between two UDP nodes on loopback, and synced commits of the SQLite relay
//! store. Run with `cargo run --release -p iotp2p-node --example measure`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::{HoldLimits, NewMessage, RelayStore};
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node};
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};

/// Round trips measured.
const EXCHANGES: usize = 2_000;
/// Held messages written, then removed one receipt each.
const HOLDS: usize = 500;

fn engine(address: &str, peer: &str, sender: u8, recipient: u8) -> (Node<SocketAddr>, ContextId) {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            piggyback_window: 50,
            ..Config::default()
        },
        0,
    );
    let context = SecurityContext::derive(
        MasterSecret {
            secret: &[7; 16],
            salt: &[9; 8],
        },
        KeyId::new(&[sender]).unwrap(),
        KeyId::new(&[recipient]).unwrap(),
    );
    let id = node
        .add_context(
            context,
            Peer {
                address: Some(peer.into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();
    (node, id)
}

fn invoke() -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 7,
        action: 8,
        input: Some(vec![0xa2, 0x00, 0x18, 0xc8, 0x01, 0x0a]),
        echo: None,
        unknown_fields: Default::default(),
    })
}

async fn round_trips() {
    let local: SocketAddr = (std::net::Ipv4Addr::LOCALHOST, 0).into();
    let (app, context) = engine("app@example.com", "lamp@home.example.org", 1, 2);
    let (lamp, _) = engine("lamp@home.example.org", "app@example.com", 2, 1);
    let mut app = UdpNode::start(UdpConfig::new(local), app).await.unwrap();
    let mut lamp = UdpNode::start(UdpConfig::new(local), lamp).await.unwrap();
    let reply = Body::InvokeResponse(InvokeResponse {
        output: None,
        unknown_fields: Default::default(),
    });
    let mut times = Vec::with_capacity(EXCHANGES);
    let started = Instant::now();
    for _ in 0..EXCHANGES {
        let t = Instant::now();
        let id = app
            .request(
                lamp.local_addr(),
                Destination::HopPeer,
                Some(context),
                invoke(),
                true,
                None,
            )
            .await
            .unwrap();
        let Some(Event::Request { exchange, .. }) = lamp.next_event().await else {
            panic!("no request")
        };
        lamp.reply(exchange, reply.clone()).await.unwrap();
        loop {
            match app.next_event().await {
                Some(Event::Reply { request, .. }) if request == id => break,
                Some(_) => {}
                None => panic!("the app stopped"),
            }
        }
        times.push(t.elapsed());
    }
    let total = started.elapsed();
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "{EXCHANGES} sealed confirmable invokes and replies on loopback, one at a time: {:.0}/s, round trip p50 {:?}, p99 {:?}, max {:?}",
        EXCHANGES as f64 / total.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
    app.stop(Duration::from_secs(5)).await.unwrap();
    lamp.stop(Duration::from_secs(5)).await.unwrap();
}

fn store_commits() {
    let dir = std::env::temp_dir().join(format!("iotp2p-measure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut store = SqliteStore::open(&dir.join("relay.sqlite")).unwrap();
    let limits = HoldLimits::new(16, 4096).unwrap();
    let envelope = vec![0xa5; 100];
    let started = Instant::now();
    let mut ids = Vec::with_capacity(HOLDS);
    for i in 0..HOLDS {
        let recipient = format!("sensor-{i}@home.example.org");
        let held = store
            .hold(
                &NewMessage {
                    recipient: &recipient,
                    request: true,
                    envelope: &envelope,
                    received_at: 0,
                    expires_at: u64::MAX,
                    sender: Some("app@example.com"),
                },
                limits,
            )
            .unwrap();
        ids.push((recipient, held.id));
    }
    let held = started.elapsed();
    let started = Instant::now();
    for (recipient, id) in &ids {
        store.remove(recipient, &[*id]).unwrap();
    }
    let removed = started.elapsed();
    println!(
        "SQLite store (WAL, synchronous=FULL) in {}: {HOLDS} holds at {:.0}/s, {HOLDS} receipts at {:.0}/s, each its own synced transaction",
        dir.display(),
        HOLDS as f64 / held.as_secs_f64(),
        HOLDS as f64 / removed.as_secs_f64()
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::main]
async fn main() {
    println!(
        "machine: {} cores available",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    round_trips().await;
    store_commits();
}
