//! Relays of different domains on real loopback sockets, over the DTLS of spec §3.9.1: a relay
//! with other domains and no certificate does not start ([IOTP-DLV-54]); a relay whose certificate
//! is for another name or from an unknown CA is refused and nothing it sends is delivered
//! ([IOTP-DLV-55], [IOTP-DLV-56]); an unprotected frame claiming another domain's sender, from a
//! relay's address or a stranger's, is discarded ([IOTP-DLV-57], [IOTP-DLV-58]); a flood of
//! ClientHellos and garbage starting 0x14–0x3f holds the bounds and keeps nothing out
//! ([IOTP-UDP-19]); a relay found through a signed zone that publishes TLSA records is reached only
//! if its certificate matches one of them (DANE, [IOTP-DLV-59]).

mod common;
#[path = "../examples/pki/mod.rs"]
mod pki;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{invoke, loopback, TempDir, TEST_TIMEOUT};
use iotp2p_node::dns::{DnsServer, Zone, ZoneKey};
use iotp2p_node::relay::dtls::{Hop, MAX_HANDSHAKES};
use iotp2p_node::relay::{DtlsSetup, RelayError, RelaySetup, Route, UdpRelay};
use iotp2p_node::resolve::{Resolver, TrustAnchor};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_protocol::engine::{Config, Destination, Node, Output};
use pki::TestCa;
use rand_core::OsRng;
use tokio::net::UdpSocket;

const HOME: &str = "home.example.org";
const LAMP: &str = "lamp@home.example.org";
const HOME_HOST: &str = "relay1.home.example.org";
const NET_HOST: &str = "relay1.example.net";
const COM_HOST: &str = "relay1.example.com";

/// A free port on loopback (bound, read and released: relays need each other's address first).
fn free_port() -> SocketAddr {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn route(host: &str, addr: SocketAddr) -> Route {
    Route {
        host: host.into(),
        addr,
    }
}

/// The relay of `domain` on `bind`, serving `addresses`, with `routes` and `dtls`.
async fn relay(
    domain: &str,
    bind: SocketAddr,
    addresses: &[&str],
    routes: BTreeMap<String, Route>,
    dtls: Option<DtlsSetup>,
) -> Result<UdpRelay, RelayError> {
    let mut setup = RelaySetup::new(bind, domain);
    setup.addresses = addresses.iter().map(|a| a.to_string()).collect();
    setup.routes = routes;
    setup.dtls = dtls;
    UdpRelay::start(setup, Box::new(SqliteStore::in_memory().unwrap())).await
}

/// An unsealed request of `sender` for the lamp, as a relay forwards it (the hop unsealed).
fn request_from(sender: &str, to: SocketAddr) -> Vec<u8> {
    let mut app = Node::new(
        Config {
            address: Some(sender.into()),
            ..Config::default()
        },
        0,
    );
    let (_, out) = app
        .request(
            0,
            &mut OsRng,
            to,
            Destination::Address(LAMP.into()),
            None,
            &invoke(1),
            false,
            None,
        )
        .unwrap();
    match &out[..] {
        [Output::Send { bytes, .. }] => bytes.clone(),
        other => panic!("{other:?}"),
    }
}

async fn held(relay: &UdpRelay) -> usize {
    relay
        .with_relay(|r, _, _| (r.held(LAMP), Vec::new()))
        .await
        .unwrap()
}

/// What `relay` holds for the lamp once it holds something, or after `within`.
async fn held_within(relay: &UdpRelay, within: Duration) -> usize {
    let end = Instant::now() + within;
    loop {
        let n = held(relay).await;
        if n > 0 || Instant::now() >= end {
            return n;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Has `relay` forward `bytes` to the relay of the lamp's domain at `to`.
async fn forward(relay: &UdpRelay, to: SocketAddr, bytes: Vec<u8>) {
    relay
        .with_relay(move |r, now, rng| ((), r.forward_to(now, rng, HOME, vec![to], bytes)))
        .await
        .unwrap();
}

/// Waits up to `within` for `done` to hold of `relay`, polling.
async fn until(relay: &UdpRelay, within: Duration, done: impl Fn(&UdpRelay) -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if done(relay) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done(relay)
}

// [IOTP-DLV-54]
#[tokio::test]
async fn a_relay_with_other_domains_and_no_certificate_does_not_start() {
    let routes = BTreeMap::from([("example.net".into(), route(NET_HOST, free_port()))]);
    let e = relay(HOME, loopback(), &[], routes, None)
        .await
        .unwrap_err();
    assert!(matches!(e, RelayError::NoDtls(_)), "{e}");
    assert!(e.to_string().contains("IOTP-DLV-54"), "{e}");
    let mut setup = RelaySetup::new(loopback(), HOME);
    setup.resolve = vec!["example.net".into()];
    let e = UdpRelay::start(setup, Box::new(SqliteStore::in_memory().unwrap()))
        .await
        .unwrap_err();
    assert!(matches!(e, RelayError::NoDtls(_)), "{e}");
}

// [IOTP-DLV-57] [IOTP-DLV-58]
#[tokio::test]
async fn only_what_comes_through_dtls_from_the_senders_relay_is_taken() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let ca = TestCa::new("iotp2p test CA");
        let (home_at, net_at) = (free_port(), free_port());
        // A socket standing at the address of example.com's relay, which sends unprotected.
        let com = UdpSocket::bind(loopback()).await.unwrap();
        let stranger = UdpSocket::bind(loopback()).await.unwrap();
        let routes = BTreeMap::from([
            ("example.net".into(), route(NET_HOST, net_at)),
            (
                "example.com".into(),
                route(COM_HOST, com.local_addr().unwrap()),
            ),
        ]);
        let home = relay(HOME, home_at, &[LAMP], routes, Some(ca.setup(HOME_HOST)))
            .await
            .unwrap();
        let net_routes = BTreeMap::from([(HOME.into(), route(HOME_HOST, home_at))]);
        let net = relay(
            "example.net",
            net_at,
            &[],
            net_routes,
            Some(ca.setup(NET_HOST)),
        )
        .await
        .unwrap();

        // From example.com's relay's address, unprotected: its address proves nothing.
        let bytes = request_from("app@example.com", home_at);
        com.send_to(&bytes, home_at).await.unwrap();
        let dropped = until(&home, Duration::from_secs(5), |r| {
            r.dtls_counts().plain_from_relay == 1
        })
        .await;
        assert!(dropped, "{:?}", home.dtls_counts());
        // From a stranger, claiming example.net's sender: the engine's check discards it.
        let discarded = home.counts().discarded;
        let bytes = request_from("app@example.net", home_at);
        stranger.send_to(&bytes, home_at).await.unwrap();
        let refused = until(&home, Duration::from_secs(5), |r| {
            r.counts().discarded > discarded
        })
        .await;
        assert!(refused, "{:?}", home.counts());
        assert_eq!(held(&home).await, 0, "nothing held from either");

        // The same request through DTLS from example.net's relay: held for the lamp.
        forward(&net, home_at, bytes).await;
        assert_eq!(held_within(&home, Duration::from_secs(5)).await, 1);
        let c = home.dtls_counts();
        assert_eq!(
            (c.associations, c.authenticated, c.refused),
            (1, 1, 0),
            "{c:?}"
        );
        net.stop(Duration::from_secs(5)).await.unwrap();
        home.stop(Duration::from_secs(5)).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-DLV-55] [IOTP-DLV-56]
#[tokio::test]
async fn a_relay_with_a_certificate_for_another_name_or_from_another_ca_is_refused() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let ca = TestCa::new("iotp2p test CA");
        let other = TestCa::new("another CA");
        let mut from_other_ca = other.setup(NET_HOST);
        from_other_ca.trust_anchors = vec![ca.der.clone()];
        let cases = [
            (
                "a certificate for another name",
                ca.setup("relay1.evil.example"),
                "is not for relay1.example.net",
            ),
            (
                "a certificate from an unknown CA",
                from_other_ca,
                "does not validate",
            ),
        ];
        for (case, net_dtls, why) in cases {
            let (home_at, net_at) = (free_port(), free_port());
            let routes = BTreeMap::from([("example.net".into(), route(NET_HOST, net_at))]);
            let home = relay(HOME, home_at, &[LAMP], routes, Some(ca.setup(HOME_HOST)))
                .await
                .unwrap();
            let net_routes = BTreeMap::from([(HOME.into(), route(HOME_HOST, home_at))]);
            let net = relay("example.net", net_at, &[], net_routes, Some(net_dtls))
                .await
                .unwrap();
            forward(&net, home_at, request_from("app@example.net", home_at)).await;
            let refused = until(&home, Duration::from_secs(5), |r| {
                r.dtls_counts().refused >= 1
            })
            .await;
            assert!(refused, "{case}: {:?}", home.dtls_counts());
            let last = home.dtls_last_refusal().unwrap_or_default();
            assert!(last.contains(why), "{case}: {last}");
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(held(&home).await, 0, "{case}: nothing delivered");
            assert_eq!(home.dtls_counts().associations, 0, "{case}");
            net.stop(Duration::from_secs(5)).await.unwrap();
            home.stop(Duration::from_secs(5)).await.unwrap();
        }
    })
    .await
    .expect("done within the test's time");
}

/// The zone of the lamp's domain, signed with `key`: its relay `HOME_HOST` at `home_at`, and the
/// TLSA record (DANE-EE, the whole certificate, SHA-256) of the certificate `der`.
fn signed_home_zone(dir: &TempDir, home_at: SocketAddr, der: &[u8], key: &ZoneKey) -> Zone {
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(der)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let port = home_at.port();
    let text = format!(
        "$ORIGIN {HOME}.\n$TTL 3600\n\
         @ IN SOA ns.{HOME}. hostmaster.{HOME}. ( 1 3600 600 86400 60 )\n@ IN NS ns.{HOME}.\n\
         ns IN A 127.0.0.1\n_iotp2p._udp IN SRV 10 0 {port} {HOME_HOST}.\n\
         relay1 IN A 127.0.0.1\n_{port}._udp.relay1 IN TLSA 3 0 1 {digest}\n"
    );
    let file = dir.0.join("home.zone");
    std::fs::write(&file, text).unwrap();
    Zone::signed(HOME, file, key)
}

// [IOTP-DLV-59]
#[tokio::test]
async fn a_relay_found_by_its_srv_records_is_reached_only_with_a_certificate_its_tlsa_records_match(
) {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let ca = TestCa::new("iotp2p test CA");
        for (case, published_for_home, delivered) in [
            ("TLSA records of the relay's certificate", true, true),
            ("TLSA records of another certificate", false, false),
        ] {
            let dir = TempDir::new("federation-dane");
            let (home_at, net_at) = (free_port(), free_port());
            let home_dtls = ca.setup(HOME_HOST);
            let published = if published_for_home {
                home_dtls.certificate.clone()
            } else {
                ca.setup(HOME_HOST).certificate
            };
            let key = ZoneKey::generate().unwrap();
            let zone = signed_home_zone(&dir, home_at, &published, &key);
            let dns = DnsServer::start(loopback(), &[zone]).await.unwrap();
            let routes = BTreeMap::from([("example.net".into(), route(NET_HOST, net_at))]);
            let home = relay(HOME, home_at, &[LAMP], routes, Some(home_dtls))
                .await
                .unwrap();
            // The other domain's relay finds the lamp's relay by its SRV records, validated.
            let anchor = TrustAnchor::parse(&key.dnskey(HOME)).unwrap();
            let mut setup = RelaySetup::new(net_at, "example.net");
            setup.resolver = Some(Resolver::validating(
                dns.addr(),
                Duration::from_secs(2),
                &anchor,
            ));
            setup.resolve = vec![HOME.into()];
            setup.dtls = Some(ca.setup(NET_HOST));
            let net = UdpRelay::start(setup, Box::new(SqliteStore::in_memory().unwrap()))
                .await
                .unwrap();
            forward(&net, home_at, request_from("app@example.net", home_at)).await;
            if delivered {
                assert_eq!(
                    held_within(&home, Duration::from_secs(5)).await,
                    1,
                    "{case}"
                );
            } else {
                let refused = until(&net, Duration::from_secs(5), |r| {
                    r.dtls_counts().refused >= 1
                })
                .await;
                assert!(refused, "{case}: {:?}", net.dtls_counts());
                let last = net.dtls_last_refusal().unwrap_or_default();
                assert!(last.contains("TLSA"), "{case}: {last}");
                tokio::time::sleep(Duration::from_millis(200)).await;
                assert_eq!(held(&home).await, 0, "{case}: nothing delivered");
            }
            net.stop(Duration::from_secs(5)).await.unwrap();
            home.stop(Duration::from_secs(5)).await.unwrap();
            dns.stop(Duration::from_secs(5)).await;
        }
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-UDP-19]
#[tokio::test]
async fn a_flood_of_client_hellos_and_garbage_holds_the_bounds_and_keeps_no_relay_out() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let ca = TestCa::new("iotp2p test CA");
        let (home_at, net_at) = (free_port(), free_port());
        let routes = BTreeMap::from([("example.net".into(), route(NET_HOST, net_at))]);
        let home = relay(HOME, home_at, &[LAMP], routes, Some(ca.setup(HOME_HOST)))
            .await
            .unwrap();
        // A genuine ClientHello, sent again from 128 sockets, and garbage from each.
        let mut hop = Hop::new(ca.setup("relay1.flood.example"), loopback()).unwrap();
        hop.expect(home_at, HOME_HOST);
        let hello = hop
            .send(home_at, vec![0xa0; 8], Instant::now())
            .datagrams
            .remove(0)
            .1;
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut sent = 0u64;
        for i in 0..128u64 {
            let attacker = UdpSocket::bind(loopback()).await.unwrap();
            attacker.send_to(&hello, home_at).await.unwrap();
            for _ in 0..16 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let len = 1 + (seed % 1_400) as usize;
                let mut d: Vec<u8> = (0..len).map(|j| (seed >> (j % 56)) as u8).collect();
                d[0] = 0x14 + ((seed >> 8) % 44) as u8;
                attacker.send_to(&d, home_at).await.unwrap();
            }
            sent += 17;
            // Paced, so that the socket's buffer never overflows: the test is about the relay.
            while home.counts().received + 64 < sent {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let c = home.dtls_counts();
            assert!(c.handshakes <= MAX_HANDSHAKES as u64, "after {i}: {c:?}");
            assert_eq!(c.associations, 0, "{c:?}");
        }
        let c = home.dtls_counts();
        assert!(c.handshakes <= MAX_HANDSHAKES as u64, "{c:?}");
        assert_eq!((c.authenticated, c.refused), (0, 0), "{c:?}");
        // example.net's relay still gets through, and its request is held.
        let net_routes = BTreeMap::from([(HOME.into(), route(HOME_HOST, home_at))]);
        let net = relay(
            "example.net",
            net_at,
            &[],
            net_routes,
            Some(ca.setup(NET_HOST)),
        )
        .await
        .unwrap();
        forward(&net, home_at, request_from("app@example.net", home_at)).await;
        let held = held_within(&home, Duration::from_secs(5)).await;
        assert_eq!(held, 1, "{:?}", home.dtls_counts());
        net.stop(Duration::from_secs(5)).await.unwrap();
        home.stop(Duration::from_secs(5)).await.unwrap();
    })
    .await
    .expect("done within the test's time");
}
