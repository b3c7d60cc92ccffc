//! The load harness of issue 11: many devices and a few apps on loopback through one home relay, each
//! a UDP node of its own with its own socket and task. Every device is a lamp (`iotp2p-device`) on the
//! protocol crate's `Server`; each app switches its share of the lamps, one request after another,
//! sealed end to end, for a fixed time. Prints requests per second through the relay, the latency's
//! p50 and p99, and the relay's memory per device; figures go to benches/README.md with the machine.
//!
//! `cargo run --release -p iotp2p-node --example load -- [DEVICES] [APPS] [SECONDS]` (defaults
//! 1000, 10, 10). Security contexts are installed directly (as after EDHOC), so that the run
//! measures the message path, not handshakes.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::core::PresenceState;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::Lamp;
use iotp2p_node::relay::{RelaySetup, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node};
use iotp2p_protocol::interaction::Config as InteractionConfig;
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};
use iotp2p_protocol::server::Server;

type Error = Box<dyn std::error::Error>;

const DOMAIN: &str = "load.example.org";
const SERVICE: &str = "_relay@load.example.org";

/// A context between two Sender IDs of two bytes each (one byte is too few for a thousand).
fn context(sender: u16, recipient: u16) -> Result<SecurityContext, Error> {
    Ok(SecurityContext::derive(
        MasterSecret {
            secret: b"load-test secret",
            salt: b"salt",
        },
        KeyId::new(&sender.to_be_bytes()).map_err(|_| "key id")?,
        KeyId::new(&recipient.to_be_bytes()).map_err(|_| "key id")?,
    ))
}

fn peer(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// Resident memory of this process, in bytes (Linux).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn device_address(n: usize) -> String {
    format!("lamp{n}@{DOMAIN}")
}

fn app_address(n: usize) -> String {
    format!("app{n}@{DOMAIN}")
}

/// Sender IDs: at the relay, 0x1000 + node; a node's own towards the relay, 0x2000 + node; end to
/// end, 0x3000 + device (the device's) and 0x4000 + device (the app's).
const RELAY_SIDE: u16 = 0x1000;
const NODE_SIDE: u16 = 0x2000;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let devices = args.first().copied().unwrap_or(1000);
    let apps = args.get(1).copied().unwrap_or(10).max(1);
    let seconds = args.get(2).copied().unwrap_or(10) as u64;
    if devices + apps > 0x0fff {
        return Err("at most 4,095 nodes".into());
    }
    let dir = std::env::temp_dir().join(format!("iotp2p-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    let before = rss();
    let mut setup = RelaySetup::new("127.0.0.1:0".parse()?, DOMAIN);
    setup.addresses = (0..devices)
        .map(device_address)
        .chain((0..apps).map(app_address))
        .collect();
    setup.relay.max_nodes = devices + apps;
    // Each app sends as fast as its lamps answer, far above the spec's per-node floor (4 per
    // second, bursts of 32) that a provider would configure for real nodes.
    setup.relay.rate.per_second = 1_000_000;
    setup.relay.rate.burst = 1_000_000;
    setup.service.max_contexts = devices + apps + 8;
    let store = Box::new(SqliteStore::open(&dir.join("relay.sqlite"))?);
    let relay = UdpRelay::start(setup, store).await?;
    let at = relay.local_addr();
    let n = devices + apps;
    relay
        .with_relay(move |r, _, _| {
            let service = r.service_mut();
            for i in 0..n {
                let address = if i < devices {
                    device_address(i)
                } else {
                    app_address(i - devices)
                };
                let id = i as u16;
                if let Ok(c) = context(RELAY_SIDE + id, NODE_SIDE + id) {
                    let _ = service.add_context(c, peer(&address));
                }
            }
            ((), Vec::new())
        })
        .await?;
    let relay_memory = rss().saturating_sub(before);

    // The lamps, each attached: a hop context and a sealed presence that binds its hop.
    let mut lamps = Vec::with_capacity(devices);
    for d in 0..devices {
        let address = device_address(d);
        let app = app_address(d % apps);
        let mut engine = Node::new(
            Config {
                address: Some(address.clone()),
                ..Config::default()
            },
            0,
        );
        engine.set_home_relay(Some(at));
        let hop = engine
            .add_context(
                context(NODE_SIDE + d as u16, RELAY_SIDE + d as u16)?,
                peer(SERVICE),
            )
            .map_err(|e| format!("{e:?}"))?;
        engine.set_hop_context(Some(hop));
        engine
            .add_context(context(0x3000 + d as u16, 0x4000 + d as u16)?, peer(&app))
            .map_err(|e| format!("{e:?}"))?;
        let lamp = Lamp::new(DeviceInfo::new("iotp2p", "Load Lamp"), 1, 254);
        let model = lamp.model();
        let server = Server::new(engine, model, InteractionConfig::default(), lamp);
        let mut node = UdpNode::start(UdpConfig::new("127.0.0.1:0".parse()?), server).await?;
        announce(&mut node).await?;
        lamps.push(node);
    }

    // The apps, each with a context with each of its lamps.
    let mut handles = Vec::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    for a in 0..apps {
        let address = app_address(a);
        let id = (devices + a) as u16;
        let mut engine = Node::new(
            Config {
                address: Some(address.clone()),
                max_contexts: devices / apps + 8,
                ..Config::default()
            },
            0,
        );
        engine.set_home_relay(Some(at));
        let hop = engine
            .add_context(context(NODE_SIDE + id, RELAY_SIDE + id)?, peer(SERVICE))
            .map_err(|e| format!("{e:?}"))?;
        engine.set_hop_context(Some(hop));
        let mut mine: Vec<(String, ContextId)> = Vec::new();
        for d in (a..devices).step_by(apps) {
            let c = engine
                .add_context(
                    context(0x4000 + d as u16, 0x3000 + d as u16)?,
                    peer(&device_address(d)),
                )
                .map_err(|e| format!("{e:?}"))?;
            mine.push((device_address(d), c));
        }
        let mut node = UdpNode::start(UdpConfig::new("127.0.0.1:0".parse()?), engine).await?;
        announce(&mut node).await?;
        handles.push(tokio::spawn(drive(node, at, mine, deadline)));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    let mut failed = 0usize;
    for h in handles {
        let (l, f) = h.await?;
        latencies.extend(l);
        failed += f;
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: usize| {
        latencies
            .get(latencies.len() * p / 100)
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{devices} lamps, {apps} apps, one relay, {:.1} s: {} requests answered ({:.0} per second \
         through the relay), {failed} failed; latency p50 {:.2} ms, p99 {:.2} ms; relay state about \
         {} B per registered node (resident memory after registering them, whole process)",
        elapsed.as_secs_f64(),
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
        relay_memory / n as u64,
    );
    for lamp in lamps {
        lamp.stop(Duration::from_secs(5)).await?;
    }
    relay.stop(Duration::from_secs(5)).await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// A sealed presence under the hop context, and the relay's acknowledgement.
async fn announce<M: iotp2p_node::udp::Driven>(node: &mut UdpNode<M>) -> Result<(), Error> {
    node.with_engine(|s, now, rng| {
        match s
            .engine()
            .presence(now, rng, PresenceState::Awake, None, None)
        {
            Ok((_, out)) => (Ok(()), out),
            Err(e) => (Err(format!("{e:?}")), Vec::new()),
        }
    })
    .await??;
    let ack = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(e) = node.next_event().await {
            if let Event::Reply {
                body: Body::PresenceAck(_),
                ..
            } = e
            {
                return true;
            }
        }
        false
    })
    .await;
    match ack {
        Ok(true) => Ok(()),
        _ => Err("no presence_ack".into()),
    }
}

/// One app: toggles its lamps in turn until the deadline; each request's latency, and the failures.
async fn drive(
    mut node: UdpNode,
    relay: SocketAddr,
    lamps: Vec<(String, ContextId)>,
    deadline: Instant,
) -> (Vec<Duration>, usize) {
    let toggle = Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 6,
        action: 10,
        input: None,
        echo: None,
        unknown_fields: Default::default(),
    });
    let (mut latencies, mut failed) = (Vec::new(), 0);
    for (address, context) in lamps.iter().cycle() {
        if Instant::now() >= deadline || lamps.is_empty() {
            break;
        }
        let sent = Instant::now();
        let Ok(id) = node
            .request(
                relay,
                Destination::Address(address.clone()),
                Some(*context),
                toggle.clone(),
                true,
                None,
            )
            .await
        else {
            failed += 1;
            continue;
        };
        // Only the lamp's answer counts: a status (from the relay or the lamp) is a failure.
        let answered = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(e) = node.next_event().await {
                if let Event::Reply { request, body, .. } = e {
                    if request == id {
                        return matches!(body, Body::InvokeResponse(_));
                    }
                }
            }
            false
        })
        .await;
        match answered {
            Ok(true) => latencies.push(sent.elapsed()),
            _ => failed += 1,
        }
    }
    let _ = node.stop(Duration::from_secs(5)).await;
    (latencies, failed)
}
