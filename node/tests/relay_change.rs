//! Same address, new home relay (spec §3.11.4) on loopback sockets with a real DNS server: the
//! domain `home.example.org` moves from provider A's relay to provider B's, each run from its
//! provider's file. The owner's controller has the lamp registered at A, enrols at B and registers
//! it there with `previous_relays` over the Relay capability; the lamp is at home at B. A peer of
//! another domain, whose relay C still routes the domain to A, sends the lamp a request that A
//! holds; the domain's SRV records change to B; the controller's `release` at A without statement
//! makes A send the request once to B, which accepts it from A and delivers it, and the lamp's reply
//! reaches the peer. B refuses it when `previous_relays` names another relay, and A answers
//! `Undeliverable` while the records still name it, which the peer gets as its request's answer. A lamp claimed at A and given B by
//! `set_home_relay` attaches to B, and A, told nothing, keeps holding what arrives for it. While A
//! is down, C keeps what it acknowledged and tries again with back-off ([IOTP-DLV-52]), across a
//! crash of its own, until A is back and has it once.

mod common;
#[path = "../examples/pki/mod.rs"]
mod pki;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::{
    announce, app, context, hex, invoke, lamp_out_of_its_box, loopback, peer, response, Keys,
    TempDir, TEST_TIMEOUT,
};
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::core::{PresenceState, StatusCode};
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RelayInfo, SignedStatement};
use iotp2p_node::app::UdpApp;

use iotp2p_node::dns::{DnsServer, Zone};
use iotp2p_node::link::{fate, Impairments, LinkConfig, LossyLink};
use iotp2p_node::relay::{RelayFile, RelaySetup, Route, UdpRelay};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::store::RelayStore;
use iotp2p_node::udp::{UdpConfig, UdpNode};
use iotp2p_protocol::engine::{Config, Destination, Event, ExchangeId, Node};
use iotp2p_protocol::params::Timing;
use iotp2p_protocol::relay::retry::Backoff;
use iotp2p_protocol::relay::{RelayConfig, RelayEvent};
use iotp2p_protocol::security::KeyId;
use iotp2p_protocol::server::security::{member, SECURITY};
use pki::TestCa;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

const DOMAIN: &str = "home.example.org";
const PEER_DOMAIN: &str = "peer.example";
const LAMP: &str = "lamp@home.example.org";
const PEER: &str = "app@peer.example";
const OWNER: &str = "owner@home.example.org";
const TOKEN: [u8; 16] = [0x4b; 16];
const RELAY_A: &str = "relay-a.home.example.org";
const RELAY_B: &str = "relay-b.home.example.org";
/// C's host name, which A's and B's routes to its domain name (§3.9.1).
const RELAY_C: &str = "relay-c.peer.example";

/// The zone of `home.example.org` whose SRV record names `target` at `port`; both relays' host
/// names resolve to 127.0.0.1. A TTL of one second, so that a change is seen a second later.
fn zone(dir: &Path, version: u32, target: &str, port: u16) -> Zone {
    let text = format!(
        "$ORIGIN home.example.org.\n$TTL 1\n\
         @ IN SOA ns.home.example.org. hostmaster.home.example.org. ( {version} 3600 600 86400 1 )\n\
         @ IN NS ns.home.example.org.\nns IN A 127.0.0.1\n\
         relay-a IN A 127.0.0.1\nrelay-b IN A 127.0.0.1\n\
         _iotp2p._udp IN SRV 10 0 {port} {target}.\n"
    );
    let file = dir.join(format!("home-{version}.zone"));
    std::fs::write(&file, text).unwrap();
    Zone::new(DOMAIN, file)
}

/// The relay of `setup` with its store at `store`, serving `address` with a hop context (the
/// relay's Sender ID `ids.0`, the node's `ids.1`).
async fn relay(mut setup: RelaySetup, store: &Path, address: &str, ids: (u8, u8)) -> UdpRelay {
    setup.addresses.push(address.into());
    let relay = UdpRelay::start(setup, Box::new(SqliteStore::open(store).unwrap()))
        .await
        .unwrap();
    let address = address.to_string();
    relay
        .with_relay(move |r, _, _| {
            let service = r.service_mut();
            service
                .add_context(context(ids.0, ids.1), peer(&address))
                .unwrap();
            ((), Vec::new())
        })
        .await
        .unwrap();
    relay
}

/// The relay of the domain at provider `name`, from its file as the provider writes it: its host
/// name, the name server `dns`, the route to `c`, its certificate from `ca` for DTLS with the other
/// relays, its EDHOC identity `keys`, the owner's account with [`TOKEN`], and `more` (tables).
/// Serves the owner's app.
fn provider(
    dir: &Path,
    name: &str,
    host: &str,
    (dns, c): (SocketAddr, SocketAddr),
    (keys, owner): (&Keys, &Keys),
    ca: &TestCa,
) -> RelayFile {
    let dtls = ca.dtls_table(dir, host);
    let text = format!(
        "domain = \"{DOMAIN}\"\nbind = \"127.0.0.1:0\"\nstore = \"{name}.sqlite\"\n\
         addresses = [\"{OWNER}\"]\nhost = \"{host}\"\nname_server = \"{dns}\"\n\
         statement = \"{}\"\n\n{dtls}\n[routes]\n\"{PEER_DOMAIN}\" = \"{RELAY_C}@{c}\"\n\n\
         [identity]\nkey = \"{}\"\ncredential = \"{}\"\n\n[credentials]\n\"{OWNER}\" = \"{}\"\n\n\
         [accounts.\"Smith household\"]\ndomains = [\"{DOMAIN}\"]\nmax_registrations = 4\n\
         tokens = [\"{}\"]\n",
        hex(&keys.statement(&format!("_relay@{DOMAIN}"))),
        hex(&keys.auth),
        hex(&keys.ccs),
        hex(&owner.ccs),
        hex(&TOKEN),
    );
    RelayFile::parse(&format!("{name}.toml"), &text, dir).unwrap()
}

/// An end node attached to `relay` (hop Sender IDs `hop`, the relay's the other way round),
/// awake, with an end-to-end context with `other` (Sender IDs `e2e`).
async fn node(
    address: &str,
    other: &str,
    e2e: (u8, u8),
    hop: (u8, u8),
    relay: SocketAddr,
) -> UdpNode {
    let mut engine = Node::new(
        Config {
            address: Some(address.into()),
            ..Config::default()
        },
        0,
    );
    engine
        .add_context(context(e2e.0, e2e.1), peer(other))
        .unwrap();
    engine.set_home_relay(Some(relay));
    let service = format!("_relay@{}", address.rsplit_once('@').unwrap().1);
    let hop_context = engine.add_context(context(hop.0, hop.1), peer(&service));
    engine.set_hop_context(Some(hop_context.unwrap()));
    let mut node = UdpNode::start(UdpConfig::new(loopback()), engine)
        .await
        .unwrap();
    announce(&mut node, PresenceState::Awake, None).await;
    node
}

/// The three relays, the DNS server naming A, the lamp attached to B and the peer to C.
struct World {
    dir: TempDir,
    /// The CA of every relay's certificate.
    ca: TestCa,
    /// Always running but while its zone changes.
    dns: Option<DnsServer>,
    /// The owner's controller, attached to A.
    owner: UdpApp,
    a: UdpRelay,
    b: UdpRelay,
    c: UdpRelay,
    lamp: UdpNode,
    app: UdpNode,
}

impl World {
    /// `previous_relays`: the host names B registers the lamp with.
    async fn start(what: &str, previous_relays: &[&str]) -> World {
        World::start_with(what, previous_relays, RelayConfig::new(PEER_DOMAIN)).await
    }

    /// As [`World::start`], C's engine configured by `c_config`.
    async fn start_with(what: &str, previous_relays: &[&str], c_config: RelayConfig) -> World {
        let dir = TempDir::new(what);
        let ca = TestCa::new("iotp2p test CA");
        // The name server's address first (the relays' resolver asks it), then its real zone.
        let placeholder = DnsServer::start(loopback(), &[zone(&dir.0, 1, RELAY_A, 9)])
            .await
            .unwrap();
        let dns_addr = placeholder.addr();
        placeholder.stop(Duration::from_secs(5)).await;

        // C's address too, for A's and B's routes, and C's route to the domain is A (its cached
        // records): C is started again on the same port once A is.
        let c_store = dir.0.join("c.sqlite");
        let c = relay(c_setup(loopback(), &ca), &c_store, PEER, (8, 7)).await;
        let c_addr = c.local_addr();
        c.stop(Duration::from_secs(5)).await.unwrap();
        let (a_keys, b_keys) = (Keys::new(0x31, 0x21, 1), Keys::new(0x35, 0x25, 5));
        let (owner_keys, lamp_keys) = (Keys::new(0x33, 0x63, 3), Keys::new(0x32, 0x42, 2));
        let around = (dns_addr, c_addr);
        let file = provider(&dir.0, "a", RELAY_A, around, (&a_keys, &owner_keys), &ca);
        let a = UdpRelay::start(
            file.setup,
            Box::new(SqliteStore::open(&file.store).unwrap()),
        )
        .await
        .unwrap();
        let a_addr = a.local_addr();
        // B learns A's host name from A's certificate when A connects (§3.9.1).
        let file = provider(
            &dir.0,
            "b",
            RELAY_B,
            (dns_addr, c_addr),
            (&b_keys, &owner_keys),
            &ca,
        );
        let b = UdpRelay::start(
            file.setup,
            Box::new(SqliteStore::open(&file.store).unwrap()),
        )
        .await
        .unwrap();
        let b_addr = b.local_addr();
        let mut setup = c_setup(c_addr, &ca);
        setup.relay = c_config;
        setup.routes = route_to(a_addr);
        let c = relay(setup, &c_store, PEER, (8, 7)).await;
        // C knows B for the domain too, which its records will name: B's replies come from there.
        c.with_relay(move |r, _, _| {
            r.add_relay_peer(b_addr, DOMAIN);
            ((), Vec::new())
        })
        .await
        .unwrap();

        // The owner's controller registers the lamp at A, then (§3.11.4 steps 1 and 2) enrols at
        // B and registers it there with `previous_relays`.
        let statement = lamp_keys.statement(LAMP);
        let mut owner_a = app(OWNER, a_addr, &a_keys, &owner_keys, 0x33).await;
        owner_a.enrol(&TOKEN).await.unwrap();
        owner_a.register(&statement, None).await.unwrap();
        let mut owner_b = app(OWNER, b_addr, &b_keys, &owner_keys, 0x33).await;
        owner_b.enrol(&TOKEN).await.unwrap();
        let hosts: Vec<String> = previous_relays.iter().map(|h| h.to_string()).collect();
        owner_b
            .register_from_previous_relays(&statement, &hosts)
            .await
            .unwrap();
        owner_b.stop(Duration::from_secs(5)).await.unwrap();
        b.with_relay(|r, _, _| {
            let service = r.service_mut();
            service.add_context(context(6, 5), peer(LAMP)).unwrap();
            ((), Vec::new())
        })
        .await
        .unwrap();
        let dns = DnsServer::start(dns_addr, &[zone(&dir.0, 1, RELAY_A, a_addr.port())])
            .await
            .unwrap();

        // The lamp is at home at B (after `set_home_relay`); the peer at C.
        let lamp = node(LAMP, PEER, (2, 1), (5, 6), b_addr).await;
        let app = node(PEER, LAMP, (1, 2), (7, 8), c.local_addr()).await;
        World {
            dir,
            ca,
            dns: Some(dns),
            owner: owner_a,
            a,
            b,
            c,
            lamp,
            app,
        }
    }

    /// The peer's sealed request to the lamp, through C to A, which holds it. Its `message_id`.
    async fn request_held_at_a(&mut self) -> u64 {
        let id = self.send_request().await;
        for _ in 0..100 {
            if held(&self.a, LAMP).await == 1 {
                return id;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("A holds the request");
    }

    /// The peer's sealed request to the lamp, sent to C. Its `message_id`.
    async fn send_request(&mut self) -> u64 {
        let e2e = self
            .app
            .with_engine(|n, _, _| {
                (
                    n.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap()),
                    Vec::new(),
                )
            })
            .await
            .unwrap();
        let c = self.c.local_addr();
        let id = self
            .app
            .request(
                c,
                Destination::Address(LAMP.into()),
                e2e,
                invoke(7),
                true,
                Some(3600),
            )
            .await
            .unwrap();
        id
    }

    /// The domain's SRV records now name B; past their TTL.
    async fn move_dns_to_b(&mut self) {
        let b = self.b.local_addr().port();
        self.move_dns_to(b).await;
    }

    /// The domain's SRV records now name B's host at `port`; past their TTL.
    async fn move_dns_to(&mut self, port: u16) {
        let old = self.dns.take().unwrap();
        let addr = old.addr();
        old.stop(Duration::from_secs(5)).await;
        let zone = zone(&self.dir.0, 2, RELAY_B, port);
        self.dns = Some(DnsServer::start(addr, &[zone]).await.unwrap());
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }

    /// Kills A, as a crash would (a stand-in takes its place until [`World::start_a_again`]).
    async fn kill_a(&mut self) {
        kill(&mut self.a).await;
    }

    /// Starts A again from its file and store at `at`, asking the name server `dns`, with C at
    /// `c` as at first.
    async fn start_a_again(&mut self, at: SocketAddr, (dns, c): (SocketAddr, SocketAddr)) {
        let (a_keys, owner_keys) = (Keys::new(0x31, 0x21, 1), Keys::new(0x33, 0x63, 3));
        let around = (dns, c);
        let mut file = provider(
            &self.dir.0,
            "a",
            RELAY_A,
            around,
            (&a_keys, &owner_keys),
            &self.ca,
        );
        file.setup.bind = at;
        let store = Box::new(SqliteStore::open(&file.store).unwrap());
        let a = UdpRelay::start(file.setup, store).await.unwrap();
        let stand_in = std::mem::replace(&mut self.a, a);
        stand_in.stop(Duration::from_secs(5)).await.unwrap();
    }

    /// Starts C again from its store at `c` with `config` (`None`: its domain's defaults), routing
    /// the domain to A at `a` and knowing B, and stops what stood in its place.
    async fn start_c_again(
        &mut self,
        (c, a): (SocketAddr, SocketAddr),
        config: Option<RelayConfig>,
    ) {
        let b = self.b.local_addr();
        let mut setup = c_setup(c, &self.ca);
        if let Some(config) = config {
            setup.relay = config;
        }
        setup.routes = route_to(a);
        let started = relay(setup, &self.dir.0.join("c.sqlite"), PEER, (8, 7)).await;
        started
            .with_relay(move |r, _, _| {
                r.add_relay_peer(b, DOMAIN);
                ((), Vec::new())
            })
            .await
            .unwrap();
        std::mem::replace(&mut self.c, started)
            .stop(Duration::from_secs(5))
            .await
            .unwrap();
    }

    /// The controller's `release` at A without statement (§3.11.4 step 5).
    async fn release_at_a(&mut self) {
        self.owner.release(LAMP, None).await.unwrap();
    }

    async fn stop(self) {
        let within = Duration::from_secs(5);
        self.owner.stop(within).await.unwrap();
        self.lamp.stop(within).await.unwrap();
        self.app.stop(within).await.unwrap();
        for relay in [self.a, self.b, self.c] {
            relay.stop(within).await.unwrap();
        }
        if let Some(dns) = self.dns {
            dns.stop(within).await;
        }
    }
}

/// C, the relay of the peer's domain, on `bind`, with its certificate from `ca`.
fn c_setup(bind: SocketAddr, ca: &TestCa) -> RelaySetup {
    let mut setup = RelaySetup::new(bind, PEER_DOMAIN);
    setup.dtls = Some(ca.setup(RELAY_C));
    setup
}

/// C's route to the domain: A at `a`, whose certificate is for [`RELAY_A`] (C's cached records).
fn route_to(a: SocketAddr) -> BTreeMap<String, Route> {
    BTreeMap::from([(
        DOMAIN.into(),
        Route {
            host: RELAY_A.into(),
            addr: a,
        },
    )])
}

/// Kills `relay`, as a crash would, and puts a stand-in (an empty relay) in its place.
async fn kill(relay: &mut UdpRelay) {
    let stand_in = UdpRelay::start(
        RelaySetup::new(loopback(), DOMAIN),
        Box::new(SqliteStore::in_memory().unwrap()),
    )
    .await
    .unwrap();
    std::mem::replace(relay, stand_in).kill().await;
}

async fn held(relay: &UdpRelay, address: &'static str) -> usize {
    relay
        .with_relay(move |r, _, _| (r.held(address), Vec::new()))
        .await
        .unwrap()
}

/// The next request the node is given within `within`.
async fn next_request(node: &mut UdpNode, within: Duration) -> Option<(Body, ExchangeId)> {
    tokio::time::timeout(within, async {
        loop {
            match node.next_event().await {
                Some(Event::Request { exchange, body, .. }) => return (body, exchange),
                Some(_) => {}
                None => panic!("the node stopped"),
            }
        }
    })
    .await
    .ok()
}

/// The reply to request `id` the node is given.
async fn reply_to(node: &mut UdpNode, id: u64) -> Body {
    loop {
        match node.next_event().await {
            Some(Event::Reply { request, body, .. }) if request == id => return body,
            Some(_) => {}
            None => panic!("the node stopped"),
        }
    }
}

// [IOTP-DLV-113] [IOTP-DLV-112] [IOTP-DLV-114]
#[tokio::test]
async fn a_held_request_goes_once_to_the_domains_new_relay_which_delivers_it() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-change", &[RELAY_A]).await;
        let id = w.request_held_at_a().await;
        w.move_dns_to_b().await;
        w.release_at_a().await;
        delivered_once(&mut w, id, Duration::from_secs(10)).await;
        assert_eq!(held(&w.a, LAMP).await, 0, "A forgot the address");
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

/// The lamp is given the request once: B delivers it, the lamp answers, the peer has the answer,
/// and nothing comes again.
async fn delivered_once(w: &mut World, id: u64, within: Duration) {
    let (body, exchange) = next_request(&mut w.lamp, within)
        .await
        .expect("B delivers the request A held");
    assert_eq!(body, invoke(7));
    w.lamp.reply(exchange, response(7)).await.unwrap();
    assert_eq!(reply_to(&mut w.app, id).await, response(7));
    assert!(
        next_request(&mut w.lamp, Duration::from_secs(1))
            .await
            .is_none(),
        "delivered exactly once"
    );
}

// [IOTP-DLV-129] [IOTP-DLV-113]
#[tokio::test]
async fn a_relay_killed_after_the_release_carries_the_held_request_once_it_is_back() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-change-crash", &[RELAY_A]).await;
        let id = w.request_held_at_a().await;
        // The name server stops answering: A's lookup at the release waits (2 s, twice), and A is
        // killed in between, after the release's commit and before any forwarding.
        let dns = w.dns.take().unwrap();
        let dns_addr = dns.addr();
        dns.stop(Duration::from_secs(5)).await;
        let silent = tokio::net::UdpSocket::bind(dns_addr).await.unwrap();
        let a_addr = w.a.local_addr();
        let (at_b, at_a_store) = (w.b.counts().received, w.dir.0.join("a.sqlite"));
        w.release_at_a().await;
        w.kill_a().await;
        assert_eq!(w.b.counts().received, at_b, "nothing reached B");
        // The release and the outbox in one transaction: the address is gone, its request is not.
        let mut store = SqliteStore::open(&at_a_store).unwrap();
        assert_eq!(store.registration(LAMP).unwrap(), None);
        assert_eq!(store.held(LAMP, 16).unwrap(), Vec::new());
        assert_eq!(store.outbox(None, 16).unwrap().len(), 1, "in the outbox");
        drop(store);

        // The records name B, and A starts again from its file and store on its port.
        drop(silent);
        let zone = zone(&w.dir.0, 2, RELAY_B, w.b.local_addr().port());
        w.dns = Some(DnsServer::start(dns_addr, &[zone]).await.unwrap());
        let c_addr = w.c.local_addr();
        w.start_a_again(a_addr, (dns_addr, c_addr)).await;
        delivered_once(&mut w, id, Duration::from_secs(10)).await;
        // B's acknowledgement took it out of A's outbox.
        let left = counted(&at_a_store, 0, |s| s.outbox(None, 16).unwrap().len()).await;
        assert_eq!(left, 0, "the outbox is empty once B acknowledged");
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-DLV-130] [IOTP-DLV-128]
#[tokio::test]
async fn a_relay_killed_before_the_next_relay_acknowledged_a_forward_forwards_it_once_back() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-forward-crash", &[RELAY_A]).await;
        let (a_addr, c_addr) = (w.a.local_addr(), w.c.local_addr());
        let dns_addr = w.dns.as_ref().unwrap().addr();
        // A is down: C acknowledges the peer's request and forwards it to no one.
        w.kill_a().await;
        w.send_request().await;
        let c_store = w.dir.0.join("c.sqlite");
        let forwards = |s: &mut SqliteStore| s.forwardings(None, 16).unwrap().len();
        let kept = counted(&c_store, 1, forwards).await;
        assert_eq!(kept, 1, "kept before its acknowledgement");
        kill(&mut w.c).await;

        // Both start again from their stores on their ports; C forwards it again.
        w.start_a_again(a_addr, (dns_addr, c_addr)).await;
        w.start_c_again((c_addr, a_addr), None).await;
        held_once_at_a(&mut w, &c_store, Duration::from_secs(4)).await;
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

/// A holds the peer's request for the lamp within `within`, C's store no longer keeps it, and A
/// still holds it once a while later.
async fn held_once_at_a(w: &mut World, c_store: &Path, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    while held(&w.a, LAMP).await != 1 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(held(&w.a, LAMP).await, 1, "A holds it");
    let kept = counted(c_store, 0, |s| s.forwardings(None, 16).unwrap().len()).await;
    assert_eq!(kept, 0, "A's acknowledgement ended it at C");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(held(&w.a, LAMP).await, 1, "once");
}

/// C's engine with the relay-to-relay hop and the retry queue of [IOTP-DLV-52] scaled down, so
/// that attempts fail and come again within a test: a transmission fails after at most 450 ms,
/// and the next attempt comes 300 ms, 600 ms, then 1200 ms after.
fn quick_c() -> RelayConfig {
    let mut config = RelayConfig::new(PEER_DOMAIN);
    config.timing = Timing {
        ack_timeout: 100,
        max_retransmit: 1,
        ..Timing::default()
    };
    config.retry = Backoff {
        first: 300,
        most: 1_200,
    };
    config
}

/// The failed attempts C's store records for its one forward, or `None` if it keeps none.
fn failed_at_c(store: &mut SqliteStore) -> Option<u32> {
    let kept = store.forwardings(None, 16).unwrap();
    kept.first().map(|f| f.failed)
}

// [IOTP-DLV-52] [IOTP-DLV-131] [IOTP-DLV-130] [IOTP-DLV-51]
#[tokio::test]
async fn a_forward_waits_while_the_next_relay_is_down_resumes_its_back_off_after_a_crash_and_arrives_once(
) {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start_with("relay-forward-retry", &[RELAY_A], quick_c()).await;
        let (a_addr, c_addr) = (w.a.local_addr(), w.c.local_addr());
        let (dns_addr, c_store) = (w.dns.as_ref().unwrap().addr(), w.dir.0.join("c.sqlite"));
        // A is down; C, with the quick back-off, acknowledges the peer's request.
        w.kill_a().await;
        let id = w.send_request().await;
        // Its attempts fail, and each failure is recorded with the forward.
        let at_least =
            |n: u32| move |s: &mut SqliteStore| usize::from(failed_at_c(s).is_some_and(|f| f >= n));
        let got = counted(&c_store, 1, at_least(2)).await;
        assert_eq!(got, 1, "two failed attempts");
        // C is killed while the forward waits, and starts again from its store: the back-off
        // goes on from the count it had ([IOTP-DLV-131]), not from one.
        kill(&mut w.c).await;
        let before = failed_at_c(&mut SqliteStore::open(&c_store).unwrap()).unwrap();
        w.start_c_again((c_addr, a_addr), Some(quick_c())).await;
        let next = move |s: &mut SqliteStore| usize::from(failed_at_c(s) == Some(before + 1));
        assert_eq!(counted(&c_store, 1, next).await, 1, "the count goes on");
        // A comes back: the next attempt reaches it, once.
        w.start_a_again(a_addr, (dns_addr, c_addr)).await;
        held_once_at_a(&mut w, &c_store, Duration::from_secs(4)).await;
        // The peer's request was never given up.
        let told = tokio::time::timeout(Duration::from_millis(200), async {
            loop {
                match w.c.next_event().await {
                    Some(RelayEvent::NonDelivery { message_id, .. }) if message_id == id => {
                        return;
                    }
                    Some(_) => {}
                    None => std::future::pending().await,
                }
            }
        })
        .await;
        assert!(told.is_err(), "no status for the peer");
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

/// What `count` finds in the store at `path` once it is `want`, or after two seconds.
async fn counted(path: &Path, want: usize, count: impl Fn(&mut SqliteStore) -> usize) -> usize {
    let mut found = count(&mut SqliteStore::open(path).unwrap());
    for _ in 0..100 {
        if found == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        found = count(&mut SqliteStore::open(path).unwrap());
    }
    found
}

/// A seed for which the link drops the first datagram from A to B and lets the next eight
/// through (some twice) under `impairments`.
fn first_lost(impairments: &Impairments) -> u64 {
    (0..1_000)
        .find(|&seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let fates: Vec<_> = (0..9).map(|_| fate(&mut rng, impairments, 200)).collect();
            fates[0].copies.is_empty()
                && fates[1..].iter().all(|f| !f.copies.is_empty())
                && fates[1].copies.len() == 2
        })
        .expect("a seed among the first thousand")
}

// [IOTP-DLV-128] [IOTP-DLV-113] [IOTP-MSG-46] [IOTP-MSG-119]
#[tokio::test]
async fn a_redirect_lost_once_between_the_relays_still_arrives_once() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-change-lossy", &[RELAY_A]).await;
        // A to B through the link: its first datagram lost, the next duplicated.
        let impairments = Impairments {
            loss: 0.5,
            duplicate: 0.5,
            ..Impairments::none()
        };
        let config = LinkConfig {
            seed: first_lost(&impairments),
            a_to_b: impairments,
            b_to_a: Impairments::none(),
            queue: 64,
        };
        let link = LossyLink::start(config, w.a.local_addr(), w.b.local_addr())
            .await
            .unwrap();
        // B sees A at the link's address, where A's certificate proves its host name.
        let id = w.request_held_at_a().await;
        w.move_dns_to(link.a_side().port()).await;
        w.release_at_a().await;
        delivered_once(&mut w, id, Duration::from_secs(15)).await;
        let counts = link.stop(Duration::from_secs(5)).await;
        assert_eq!(counts.lost, 1, "the first transmission was lost");
        assert!(counts.duplicated >= 1, "the retransmission came twice");
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-DLV-57] [IOTP-DLV-58] [IOTP-DLV-112]
#[tokio::test]
async fn the_new_relay_refuses_it_from_a_relay_not_among_previous_relays() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-change-refused", &["relay-x.home.example.org"]).await;
        w.request_held_at_a().await;
        w.move_dns_to_b().await;
        let discarded = w.b.counts().discarded;
        w.release_at_a().await;
        for _ in 0..100 {
            if w.b.counts().discarded > discarded {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(w.b.counts().discarded > discarded, "B discarded it");
        assert!(next_request(&mut w.lamp, Duration::from_millis(500))
            .await
            .is_none());
        assert_eq!(held(&w.b, LAMP).await, 0);
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-DLV-113] [IOTP-DLV-53] [IOTP-DLV-99]
#[tokio::test]
async fn a_release_while_the_records_still_name_the_relay_answers_undeliverable() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let mut w = World::start("relay-change-still-named", &[RELAY_A]).await;
        let request = w.request_held_at_a().await;
        let (at_b, at_c) = (w.b.counts().received, w.c.counts().received);
        w.release_at_a().await;
        // A answers the request `Undeliverable`, to its sender's domain, whose relay takes it.
        loop {
            match w.a.next_event().await {
                Some(RelayEvent::NonDelivery {
                    recipient, code, ..
                }) => {
                    assert_eq!(code, StatusCode::Undeliverable);
                    assert_eq!(recipient.as_deref(), Some(LAMP));
                    break;
                }
                Some(_) => {}
                None => panic!("A stopped"),
            }
        }
        for _ in 0..100 {
            if w.c.counts().received > at_c {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(w.c.counts().received > at_c, "the status reached C");
        // And the peer's application, as the answer to its request ([IOTP-MSG-39]).
        let answered = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match w.app.next_event().await {
                    Some(Event::Reply {
                        request: r,
                        body: Body::Status(s),
                        ..
                    }) if r == request => break s.code,
                    Some(_) => {}
                    None => panic!("the peer stopped"),
                }
            }
        })
        .await
        .expect("the peer hears of it");
        assert_eq!(answered, StatusCode::Undeliverable);
        assert_eq!(w.b.counts().received, at_b, "nothing went to B");
        assert!(next_request(&mut w.lamp, Duration::from_millis(500))
            .await
            .is_none());
        w.stop().await;
    })
    .await
    .expect("done within the test's time");
}

/// What a controller gives a device for a relay (its credential statement and transport URI).
fn relay_info(keys: &Keys, at: SocketAddr) -> RelayInfo {
    RelayInfo {
        credential: SignedStatement::decode(&keys.statement(&format!("_relay@{DOMAIN}"))).unwrap(),
        endpoints: vec![format!("iotp2p+udp://{at}")],
        unknown_fields: Default::default(),
    }
}

// [IOTP-DLV-122] [IOTP-SEC-190] [IOTP-SEC-191]
#[tokio::test]
async fn a_lamp_given_a_new_home_relay_attaches_there_and_the_old_one_keeps_holding() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dir = TempDir::new("relay-change-device");
        let within = Duration::from_secs(5);
        let (a_keys, b_keys) = (Keys::new(0x31, 0x21, 1), Keys::new(0x35, 0x25, 5));
        let (owner_keys, lamp_keys) = (Keys::new(0x33, 0x63, 3), Keys::new(0x32, 0x42, 2));
        // No name server and no other domain are needed here.
        let around = (loopback(), loopback());
        let ca = TestCa::new("iotp2p test CA");
        let relay = |name, host, keys| {
            let file = provider(&dir.0, name, host, around, (keys, &owner_keys), &ca);
            let store = Box::new(SqliteStore::open(&file.store).unwrap());
            UdpRelay::start(file.setup, store)
        };
        let a = relay("a", RELAY_A, &a_keys).await.unwrap();
        let b = relay("b", RELAY_B, &b_keys).await.unwrap();
        let (a_addr, b_addr) = (a.local_addr(), b.local_addr());

        // The lamp out of its box, claimed with A as its home relay and registered there.
        let mut lamp = lamp_out_of_its_box(&lamp_keys).await;
        let mut owner = app(OWNER, a_addr, &a_keys, &owner_keys, 0x33).await;
        owner.enrol(&TOKEN).await.unwrap();
        let me = owner_keys.identity.node_id();
        let info = relay_info(&a_keys, a_addr);
        let claimed = owner
            .claim(lamp.local_addr(), 20_202_021, LAMP, Some(info), &me)
            .await
            .unwrap();
        owner.register(&claimed.statement, None).await.unwrap();
        lamp.commissioned(Duration::from_secs(20)).await.unwrap();

        // At B with previous_relays (step 2), then `set_home_relay` through A (step 3).
        let mut owner_b = app(OWNER, b_addr, &b_keys, &owner_keys, 0x33).await;
        owner_b.enrol(&TOKEN).await.unwrap();
        owner_b
            .register_from_previous_relays(&claimed.statement, &[RELAY_A.into()])
            .await
            .unwrap();
        owner_b.stop(within).await.unwrap();
        let set = Body::Invoke(InvokeRequest {
            endpoint: 0,
            capability: SECURITY,
            action: member::SET_HOME_RELAY,
            input: Some(relay_info(&b_keys, b_addr).encode_to_vec().unwrap()),
            echo: None,
            unknown_fields: Default::default(),
        });
        let reply = owner.ask(LAMP, set).await.unwrap();
        assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
        lamp.home_relay_set(Duration::from_secs(20)).await.unwrap();
        let local = lamp.local_addr();
        let bound = b
            .with_relay(move |r, now, _| (r.bound(LAMP, now).copied(), Vec::new()))
            .await
            .unwrap();
        assert_eq!(bound, Some(local), "the lamp's hop is bound at B");

        // The lamp said nothing to A: what arrives there for it is held, not refused `NoRoute` as
        // after a `Leaving` ([IOTP-DLV-46]), for the release to hand on.
        let read = Body::Read(ReadRequest {
            endpoint: 1,
            capability: 6,
            members: None,
            unknown_fields: Default::default(),
        });
        let _ = tokio::time::timeout(Duration::from_secs(1), owner.ask(LAMP, read)).await;
        assert_eq!(held(&a, LAMP).await, 1);
        owner.stop(within).await.unwrap();
        lamp.stop(within).await.unwrap();
        a.stop(within).await.unwrap();
        b.stop(within).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}
