//! What a held message costs a home relay, printed, not asserted: the resident memory that the
//! relay's engine grows by when it holds requests for sleeping nodes, and the bytes that the SQLite
//! store's file grows by for the same requests. Run with
//! `cargo run -p iotp2p-node --example held -- 1000 16` (nodes, requests held for each; the heap
//! and the file are the same in a debug build).
//!
//! The requests are unsealed invokes of about a hundred bytes, as a sealed `invoke` of a lamp's
//! OnOff is on the wire; each node is registered before the first figure is taken, so that only
//! what holding adds is counted.

use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::{HoldLimits, NewMessage, RelayStore};
use iotp2p_protocol::engine::{Config, Destination, Node, Output};
use iotp2p_protocol::relay::{Relay, RelayConfig};
use rand_core::OsRng;

const DOMAIN: &str = "home.example.org";
const SENDER: &str = "app@example.net";

/// Resident memory of this process, in bytes (Linux).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// `count` requests from [`SENDER`] to `recipient`, as its relay would forward them.
fn requests(sender: &mut Node<u8>, recipient: &str, count: usize) -> Vec<Vec<u8>> {
    let body = Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 6,
        action: 2,
        input: Some(vec![0xa5; 48]),
        echo: None,
        unknown_fields: Default::default(),
    });
    (0..count)
        .filter_map(|_| {
            let to = Destination::Address(recipient.into());
            let (_, out) = sender
                .request(0, &mut OsRng, 0, to, None, &body, false, Some(3600))
                .ok()?;
            out.into_iter().find_map(|o| match o {
                Output::Send { bytes, .. } => Some(bytes),
                Output::Event(_) => None,
            })
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let per_node: usize = args.next().map_or(Ok(16), |a| a.parse())?;
    let mut config = RelayConfig::new(DOMAIN);
    config.max_nodes = nodes;
    config.limits.max_messages = per_node.try_into()?;
    config.limits.max_bytes = (per_node * 256).try_into()?;
    let mut relay: Relay<std::net::SocketAddr> = Relay::new(config, Config::default(), 0);
    let addresses: Vec<String> = (0..nodes).map(|n| format!("lamp{n}@{DOMAIN}")).collect();
    for a in &addresses {
        relay.register(a).map_err(|e| format!("{e:?}"))?;
    }
    let mut sender = Node::new(
        Config {
            address: Some(SENDER.into()),
            max_pending: usize::MAX,
            ..Config::default()
        },
        0,
    );
    let all: Vec<(String, Vec<Vec<u8>>)> = addresses
        .iter()
        .map(|a| (a.clone(), requests(&mut sender, a, per_node)))
        .collect();
    let held: usize = all.iter().map(|(_, r)| r.len()).sum();
    let bytes: usize = all.iter().flat_map(|(_, r)| r.iter().map(Vec::len)).sum();

    let before = rss();
    for (recipient, envelopes) in &all {
        for e in envelopes {
            relay
                .restore(0, recipient, true, Some(SENDER), e, 0)
                .map_err(|e| format!("{e:?}"))?;
        }
    }
    let engine = rss().saturating_sub(before);

    let dir = std::env::temp_dir().join(format!("iotp2p-held-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("relay.sqlite");
    let mut store = SqliteStore::open(&path)?;
    let file = |p: &std::path::Path| {
        ["", "-wal"]
            .iter()
            .map(|s| std::fs::metadata(format!("{}{s}", p.display())).map_or(0, |m| m.len()))
            .sum::<u64>()
    };
    let empty = file(&path);
    let limits = HoldLimits::new(per_node.try_into()?, (per_node * 256).try_into()?)?;
    for (recipient, envelopes) in &all {
        for e in envelopes {
            store.hold(
                &NewMessage {
                    recipient,
                    request: true,
                    envelope: e,
                    received_at: 1,
                    expires_at: 3_600_001,
                    sender: Some(SENDER),
                },
                limits,
            )?;
        }
    }
    drop(store);
    // Closing the last connection checkpoints the write-ahead log into the file.
    let stored = file(&path).saturating_sub(empty);
    std::fs::remove_dir_all(&dir)?;
    println!(
        "{held} requests held for {nodes} nodes, {} B of envelope each on average: the relay's \
         engine grew by {engine} B of resident memory ({} B per held request), the SQLite store's \
         file by {stored} B ({} B per held request)",
        bytes / held.max(1),
        engine / held.max(1) as u64,
        stored / held.max(1) as u64,
    );
    Ok(())
}
