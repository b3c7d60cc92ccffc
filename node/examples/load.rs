//! The load harness of issue 11: many devices and a few apps on loopback, each a UDP node of its own
//! with its own socket and task. Every device is a lamp (`iotp2p-device`) on the protocol crate's
//! `Server`; each app switches its share of the lamps, one request after another, sealed end to
//! end, for a fixed time. Prints requests per second, the latency's p50 and p99, and the relays'
//! memory per registered node; figures go to benches/README.md with the machine.
//!
//! `cargo run --release -p iotp2p-node --example load -- [DEVICES] [APPS] [SECONDS] [--relays 2]
//! [--delay MS] [--loss PERCENT] [--spread]` (defaults 1000, 10, 10, one relay).
//!
//! With one relay (the default), lamps and apps are all homed at it. With `--relays 2`, the lamps
//! are homed at the relay of `load.example.org` and the apps at another provider's relay, of
//! `apps.example.net`, so that every request goes app → relay B → relay A → lamp and its reply back:
//! the relay-to-relay hop carries every message. The two relays find each other as deployed relays
//! do, through the SRV records of each other's domain (§3.2), each asking an authoritative name
//! server of its own on loopback (`iotp2p_node::dns`). `--delay` and `--loss` put the lossy-link
//! simulator (`iotp2p_node::link`) between the two relays, with that one-way delay and that loss in
//! each direction; each relay's zone then names the link's end as the other relay. The two relays
//! talk over DTLS 1.3 (§3.9.1), each with a certificate for its SRV target from a CA the run makes.
//! The run ends by printing each relay's congestion window towards the other (§10.5.3) and what
//! its DTLS hop counted.
//!
//! Security contexts are installed directly (as after EDHOC), so that the run measures the message
//! path, not handshakes. Fresh contexts all start their Sender Sequence Numbers at 0, so that the
//! apps, which toggle their lamps in step, seal every request of a round with about the same
//! `message_id`, and the lamps their replies: a hop that carries many senders' envelopes (a relay's
//! to an app, between two relays) meets the same `message_id` over and over, which [IOTP-MSG-50]
//! serialises (one outstanding per `message_id` and hop peer). `--spread` starts each end-to-end context's numbers in a range of
//! its own instead (lamp d's at d × 1,000,000), as contexts that have lived for a while are spread.

mod pki;

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use iotp2p_codec::core::owned::{Body, InvokeRequest};
use iotp2p_codec::core::PresenceState;
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::Lamp;
use iotp2p_node::dns::{DnsServer, Zone};
use iotp2p_node::link::{Impairments, LinkConfig, LinkCounts, LossyLink};
use iotp2p_node::relay::{DtlsSetup, RelaySetup, UdpRelay};
use iotp2p_node::resolve::Resolver;
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node};
use iotp2p_protocol::interaction::Config as InteractionConfig;
use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};
use iotp2p_protocol::server::Server;

type Error = Box<dyn std::error::Error>;

/// The lamps' domain (and, with one relay, the apps' too).
const DOMAIN: &str = "load.example.org";
/// The apps' domain with two relays: another provider's.
const APPS_DOMAIN: &str = "apps.example.net";

/// What to run, from the command line.
struct Options {
    devices: usize,
    apps: usize,
    seconds: u64,
    /// 1 or 2.
    relays: usize,
    /// One-way delay between the two relays, in ms.
    delay: u64,
    /// Loss between the two relays, each direction, in percent.
    loss: f64,
    /// Each end-to-end context's Sender Sequence Numbers in a range of its own.
    spread: bool,
}

impl Options {
    fn parse() -> Result<Options, Error> {
        let mut numbers = Vec::new();
        let (mut relays, mut delay, mut loss, mut spread) = (1, 0, 0.0, false);
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--relays" => relays = value()?.parse()?,
                "--delay" => delay = value()?.parse()?,
                "--loss" => loss = value()?.parse()?,
                "--spread" => spread = true,
                _ => numbers.push(arg.parse::<usize>()?),
            }
        }
        if !(1..=2).contains(&relays) {
            return Err("--relays is 1 or 2".into());
        }
        if relays == 1 && (delay > 0 || loss > 0.0) {
            return Err("--delay and --loss are for the link between two relays".into());
        }
        let options = Options {
            devices: numbers.first().copied().unwrap_or(1000),
            apps: numbers.get(1).copied().unwrap_or(10).max(1),
            seconds: numbers.get(2).copied().unwrap_or(10) as u64,
            relays,
            delay,
            loss,
            spread,
        };
        if options.devices + options.apps > 0x0fff {
            return Err("at most 4,095 nodes".into());
        }
        Ok(options)
    }

    fn app_domain(&self) -> &'static str {
        if self.relays == 2 {
            APPS_DOMAIN
        } else {
            DOMAIN
        }
    }

    fn app_address(&self, n: usize) -> String {
        format!("app{n}@{}", self.app_domain())
    }

    /// The end-to-end context of lamp `d` on one side: the lamp's (`lamp`) or its app's.
    fn end_to_end(&self, d: usize, lamp: bool) -> Result<SecurityContext, Error> {
        let (lamp_id, app_id) = (0x3000 + d as u16, 0x4000 + d as u16);
        let mut c = match lamp {
            true => context(lamp_id, app_id)?,
            false => context(app_id, lamp_id)?,
        };
        if self.spread {
            c.skip_to(d as u64 * 1_000_000);
        }
        Ok(c)
    }
}

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

/// The service address of the relay of `address`'s domain.
fn service(address: &str) -> String {
    let domain = address.rsplit_once('@').map_or(DOMAIN, |(_, d)| d);
    format!("_relay@{domain}")
}

/// Sender IDs, by node number (lamps first, then apps): at the relay, 0x1000 + node; a node's own
/// towards the relay, 0x2000 + node; end to end, 0x3000 + device (the device's) and 0x4000 +
/// device (the app's).
const RELAY_SIDE: u16 = 0x1000;
const NODE_SIDE: u16 = 0x2000;

/// A free port on loopback: the relays and the link need each other's addresses before they start.
fn free_port() -> Result<SocketAddr, Error> {
    Ok(std::net::UdpSocket::bind("127.0.0.1:0")?.local_addr()?)
}

/// A name server on loopback serving the zone of `domain`, whose SRV record names its relay,
/// reached at `at` (§3.2).
async fn name_server(dir: &Path, domain: &str, at: SocketAddr) -> Result<DnsServer, Error> {
    let text = format!(
        "$ORIGIN {domain}.\n$TTL 60\n\
         @ IN SOA ns.{domain}. hostmaster.{domain}. ( 1 3600 600 86400 60 )\n\
         @ IN NS ns.{domain}.\nns IN A 127.0.0.1\n\
         _iotp2p._udp IN SRV 10 0 {} relay.{domain}.\nrelay IN A {}\n",
        at.port(),
        at.ip(),
    );
    let file = dir.join(format!("{domain}.zone"));
    std::fs::write(&file, text)?;
    let zones = [Zone::new(domain, file)];
    Ok(DnsServer::start("127.0.0.1:0".parse()?, &zones).await?)
}

/// A relay of `domain` on `bind` serving `nodes` (address and node number) with their hop contexts;
/// with `other`, it finds the relay of that domain through the name server at that address, and
/// talks to it over DTLS with `dtls`.
async fn relay(
    dir: &Path,
    domain: &str,
    bind: SocketAddr,
    nodes: Vec<(String, u16)>,
    other: Option<(&str, SocketAddr, DtlsSetup)>,
) -> Result<UdpRelay, Error> {
    let mut setup = RelaySetup::new(bind, domain);
    setup.addresses = nodes.iter().map(|(a, _)| a.clone()).collect();
    setup.relay.max_nodes = nodes.len();
    // Each app sends as fast as its lamps answer, far above the spec's per-node floor (4 per
    // second, bursts of 32) that a provider would configure for real nodes.
    setup.relay.rate.per_second = 1_000_000;
    setup.relay.rate.burst = 1_000_000;
    setup.service.max_contexts = nodes.len() + 8;
    if let Some((domain, server, dtls)) = other {
        setup.resolver = Some(Resolver::new(server, Duration::from_secs(2)));
        setup.resolve = vec![domain.into()];
        setup.dtls = Some(dtls);
    }
    let store = Box::new(SqliteStore::open(&dir.join(format!("{domain}.sqlite")))?);
    let relay = UdpRelay::start(setup, store).await?;
    relay
        .with_relay(move |r, _, _| {
            let service = r.service_mut();
            for (address, id) in &nodes {
                if let Ok(c) = context(RELAY_SIDE + id, NODE_SIDE + id) {
                    let _ = service.add_context(c, peer(address));
                }
            }
            ((), Vec::new())
        })
        .await?;
    Ok(relay)
}

/// The relays, the name servers and the link between the relays, if any, that a run stops at its
/// end.
struct Relays {
    /// The lamps' relay, and the apps' (the same with one relay).
    lamps: UdpRelay,
    apps: Option<UdpRelay>,
    /// With two relays: where A reaches B, and B reaches A.
    pair: Option<(SocketAddr, SocketAddr)>,
    _names: Vec<DnsServer>,
    link: Option<LossyLink>,
}

impl Relays {
    async fn start(options: &Options, dir: &Path) -> Result<Relays, Error> {
        let lamps: Vec<(String, u16)> = (0..options.devices)
            .map(|d| (device_address(d), d as u16))
            .collect();
        let apps =
            (0..options.apps).map(|a| (options.app_address(a), (options.devices + a) as u16));
        if options.relays == 1 {
            let all = lamps.into_iter().chain(apps).collect();
            let lamps = relay(dir, DOMAIN, "127.0.0.1:0".parse()?, all, None).await?;
            return Ok(Relays {
                lamps,
                apps: None,
                pair: None,
                _names: Vec::new(),
                link: None,
            });
        }
        let (a, b) = (free_port()?, free_port()?);
        // Where A reaches B, and B reaches A: directly, or through the link's two ends.
        let (link, a_to_b, b_to_a) = if options.delay > 0 || options.loss > 0.0 {
            let impairments = Impairments {
                loss: options.loss / 100.0,
                delay: options.delay..=options.delay,
                ..Impairments::none()
            };
            let mut config = LinkConfig::symmetric(11, impairments);
            // Room for what a busy pair has in flight over the delay.
            config.queue = 65_536;
            let link = LossyLink::start(config, a, b).await?;
            let ends = (link.a_side(), link.b_side());
            (Some(link), ends.0, ends.1)
        } else {
            (None, b, a)
        };
        let a_names = name_server(dir, APPS_DOMAIN, a_to_b).await?;
        let b_names = name_server(dir, DOMAIN, b_to_a).await?;
        // Each relay's certificate is for the SRV target its domain's zone names it by.
        let ca = pki::TestCa::new("iotp2p load CA");
        let to_b = Some((
            APPS_DOMAIN,
            a_names.addr(),
            ca.setup(&format!("relay.{DOMAIN}")),
        ));
        let to_a = Some((
            DOMAIN,
            b_names.addr(),
            ca.setup(&format!("relay.{APPS_DOMAIN}")),
        ));
        let lamps = relay(dir, DOMAIN, a, lamps, to_b).await?;
        let apps = relay(dir, APPS_DOMAIN, b, apps.collect(), to_a).await?;
        Ok(Relays {
            lamps,
            apps: Some(apps),
            pair: Some((a_to_b, b_to_a)),
            _names: vec![a_names, b_names],
            link,
        })
    }

    /// The congestion windows of the relay pair (§10.5.3), each way: its size and the retransmission
    /// timeout from the round trips measured.
    async fn windows(&self) -> Result<Option<String>, Error> {
        let (Some(apps), Some((a_to_b, b_to_a))) = (&self.apps, self.pair) else {
            return Ok(None);
        };
        let (a, b) = (&self.lamps, apps);
        let a = a.with_relay(move |r, _, _| (r.relay_window(&a_to_b), Vec::new()));
        let b = b.with_relay(move |r, _, _| (r.relay_window(&b_to_a), Vec::new()));
        let (a, b) = (a.await?, b.await?);
        Ok(Some(format!(
            "relay pair's windows at the end: A to B {} (RTO {:?} ms), B to A {} (RTO {:?} ms)",
            a.0, a.1, b.0, b.1
        )))
    }

    /// Where the apps send.
    fn apps_at(&self) -> SocketAddr {
        self.apps.as_ref().unwrap_or(&self.lamps).local_addr()
    }

    async fn stop(self) -> Result<Option<LinkCounts>, Error> {
        self.lamps.stop(Duration::from_secs(5)).await?;
        if let Some(apps) = self.apps {
            apps.stop(Duration::from_secs(5)).await?;
        }
        match self.link {
            Some(link) => Ok(Some(link.stop(Duration::from_secs(5)).await)),
            None => Ok(None),
        }
    }
}

/// A lamp attached to its relay at `home`: a hop context and a sealed presence that binds its hop,
/// and an end-to-end context with its app.
async fn lamp(
    options: &Options,
    d: usize,
    home: SocketAddr,
) -> Result<UdpNode<Server<SocketAddr, Lamp>>, Error> {
    let app = options.app_address(d % options.apps);
    let address = device_address(d);
    let mut engine = Node::new(
        Config {
            address: Some(address.clone()),
            ..Config::default()
        },
        0,
    );
    engine.set_home_relay(Some(home));
    let hop = engine
        .add_context(
            context(NODE_SIDE + d as u16, RELAY_SIDE + d as u16)?,
            peer(&service(&address)),
        )
        .map_err(|e| format!("{e:?}"))?;
    engine.set_hop_context(Some(hop));
    engine
        .add_context(options.end_to_end(d, true)?, peer(&app))
        .map_err(|e| format!("{e:?}"))?;
    let lamp = Lamp::new(DeviceInfo::new("iotp2p", "Load Lamp"), 1, 254);
    let model = lamp.model();
    let server = Server::new(engine, model, InteractionConfig::default(), lamp);
    let mut node = UdpNode::start(UdpConfig::new("127.0.0.1:0".parse()?), server).await?;
    announce(&mut node).await?;
    Ok(node)
}

/// App `a`, attached to its relay at `home`, with a context with each of its lamps.
async fn app(
    options: &Options,
    a: usize,
    home: SocketAddr,
) -> Result<(UdpNode, Vec<(String, ContextId)>), Error> {
    let (devices, apps) = (options.devices, options.apps);
    let address = options.app_address(a);
    let id = (devices + a) as u16;
    let mut engine = Node::new(
        Config {
            address: Some(address.clone()),
            max_contexts: devices / apps + 8,
            ..Config::default()
        },
        0,
    );
    engine.set_home_relay(Some(home));
    let hop = engine
        .add_context(
            context(NODE_SIDE + id, RELAY_SIDE + id)?,
            peer(&service(&address)),
        )
        .map_err(|e| format!("{e:?}"))?;
    engine.set_hop_context(Some(hop));
    let mut mine: Vec<(String, ContextId)> = Vec::new();
    for d in (a..devices).step_by(apps) {
        let c = engine
            .add_context(options.end_to_end(d, false)?, peer(&device_address(d)))
            .map_err(|e| format!("{e:?}"))?;
        mine.push((device_address(d), c));
    }
    let mut node = UdpNode::start(UdpConfig::new("127.0.0.1:0".parse()?), engine).await?;
    announce(&mut node).await?;
    Ok((node, mine))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let options = Options::parse()?;
    let (devices, apps, seconds) = (options.devices, options.apps, options.seconds);
    let dir = std::env::temp_dir().join(format!("iotp2p-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    let before = rss();
    let relays = Relays::start(&options, &dir).await?;
    let relay_memory = rss().saturating_sub(before);
    let n = devices + apps;

    let mut lamps = Vec::with_capacity(devices);
    for d in 0..devices {
        let home = relays.lamps.local_addr();
        lamps.push(lamp(&options, d, home).await?);
    }
    let mut handles = Vec::new();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    for a in 0..apps {
        let home = relays.apps_at();
        let (node, mine) = app(&options, a, home).await?;
        handles.push(tokio::spawn(drive(node, home, mine, deadline)));
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
    let mut path = match options.relays {
        1 => "one relay".to_string(),
        _ => format!(
            "two relays ({} ms one way and {} % loss between them)",
            options.delay, options.loss
        ),
    };
    if options.spread {
        path.push_str(", spread sequence numbers");
    }
    println!(
        "{devices} lamps, {apps} apps, {path}, {:.1} s: {} requests answered ({:.0} per second), \
         {failed} failed; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; relay state about {} B \
         per registered node (resident memory after registering them, whole process)",
        elapsed.as_secs_f64(),
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        relay_memory / n as u64,
    );
    if let Some(windows) = relays.windows().await? {
        println!("{windows}");
    }
    if let Some(apps) = &relays.apps {
        for (name, relay) in [("A", &relays.lamps), ("B", apps)] {
            let c = relay.dtls_counts();
            println!(
                "DTLS at relay {name}: {} handshakes authenticated, {} failed; {} datagrams ({} B) \
                 sent, {} ({} B) received",
                c.authenticated,
                c.failed,
                c.datagrams_sent,
                c.bytes_sent,
                c.datagrams_received,
                c.bytes_received,
            );
        }
    }
    for lamp in lamps {
        lamp.stop(Duration::from_secs(5)).await?;
    }
    if let Some(link) = relays.stop().await? {
        println!(
            "link between the relays: {} datagrams received, {} forwarded, {} lost, {} dropped \
             for want of queue room",
            link.received, link.forwarded, link.lost, link.overflow
        );
    }
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
        // Only the lamp's answer counts: a status (from a relay or the lamp) is a failure.
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
