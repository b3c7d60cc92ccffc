//! Resolution of a domain's home relay (spec §3.2) against a real authoritative DNS server on
//! loopback serving one zone file per test domain (`tests/zones/`): SRV order and ports, the
//! targets' addresses, transport URIs, the TXT record, and each failure as an error a person can act
//! on.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{loopback, TEST_TIMEOUT};
use iotp2p_node::dns::{DnsServer, Zone};
use iotp2p_node::resolve::{ResolveError, Resolver, TxtError};
use iotp2p_node::udp::TransportUri;
use tokio::net::UdpSocket;

const DOMAINS: [&str; 5] = [
    "home.example.org",
    "provider.example.net",
    "noservice.example.org",
    "nosrv.example.org",
    "badtxt.example.org",
];

async fn server() -> DnsServer {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/zones");
    let zones: Vec<Zone> = DOMAINS
        .iter()
        .map(|d| Zone::new(d, dir.join(format!("{d}.zone"))))
        .collect();
    DnsServer::start(loopback(), &zones)
        .await
        .expect("the zones load")
}

fn resolver(server: &DnsServer) -> Resolver {
    Resolver::new(server.addr(), Duration::from_secs(2))
}

#[tokio::test]
async fn the_relays_of_a_domain_come_in_srv_order_with_their_addresses() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dns = server().await;
        let resolver = resolver(&dns);
        let targets = resolver.relay_targets("home.example.org").await.unwrap();
        let hosts: Vec<&str> = targets.iter().map(|t| t.host.as_str()).collect();
        assert_eq!(hosts.len(), 3);
        assert_eq!(hosts[2], "backup.provider.example.net", "priority 20 last");
        assert_eq!(
            targets[2].port, 5784,
            "each target's own port ([IOTP-DLV-2])"
        );

        let relays = resolver.relay_hosts("home.example.org").await.unwrap();
        let names: Vec<&str> = relays.iter().map(|r| r.target.host.as_str()).collect();
        assert_eq!(
            relays.len(),
            2,
            "backup has no address and is left out: {names:?}"
        );
        let relay1 = relays
            .iter()
            .find(|r| r.target.host == "relay1.provider.example.net")
            .unwrap();
        let mut addresses: Vec<String> = relay1.addresses.iter().map(|a| a.to_string()).collect();
        addresses.sort();
        assert_eq!(
            addresses,
            ["127.0.0.1:5783", "[::1]:5783"],
            "AAAA and A ([IOTP-DLV-2])"
        );
        dns.stop(Duration::from_secs(5)).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn a_transport_uri_resolves_to_both_families_at_its_port() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dns = server().await;
        let resolver = resolver(&dns);
        let uri: TransportUri = "iotp2p+udp://relay1.provider.example.net".parse().unwrap();
        let mut addresses: Vec<String> = resolver
            .transport_addresses(&uri)
            .await
            .unwrap()
            .iter()
            .map(|a| a.to_string())
            .collect();
        addresses.sort();
        assert_eq!(
            addresses,
            ["127.0.0.1:5783", "[::1]:5783"],
            "5783 when no port ([IOTP-UDP-16])"
        );
        let uri: TransportUri = "iotp2p+udp://[::1]:61616".parse().unwrap();
        assert_eq!(
            resolver.transport_addresses(&uri).await.unwrap(),
            ["[::1]:61616".parse::<std::net::SocketAddr>().unwrap()]
        );
        let uri: TransportUri = "iotp2p+udp://relay9.provider.example.net:7"
            .parse()
            .unwrap();
        let err = resolver.transport_addresses(&uri).await.unwrap_err();
        assert!(matches!(err, ResolveError::NoSuchName { .. }), "{err}");
        dns.stop(Duration::from_secs(5)).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn the_txt_record_names_the_relay_and_others_are_ignored() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dns = server().await;
        let resolver = resolver(&dns);
        let ids = resolver.relay_ids("home.example.org").await.unwrap().unwrap();
        assert_eq!(ids.rids, ["ssccfdng3ihje7bir5mmdvgomdxnlguuesioexgxzh5rwfljixoq"]);
        assert_eq!(resolver.relay_ids("nosrv.example.org").await, Ok(None), "no TXT record");
        let err = resolver.relay_ids("badtxt.example.org").await.unwrap_err();
        assert!(
            matches!(&err, ResolveError::BadTxt { source: TxtError::BadNodeId { value }, .. } if value == "not-a-node-id"),
            "{err}"
        );
        assert!(err.to_string().contains("_iotp2p.badtxt.example.org"), "{err}");
        dns.stop(Duration::from_secs(5)).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn failures_say_what_to_fix() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let dns = server().await;
        let resolver = resolver(&dns);
        let cases = [
            ("missing.home.example.org", "NXDOMAIN"),
            ("nosrv.example.org", "has no SRV records"),
            ("noservice.example.org", "no iotp2p service"),
            ("elsewhere.example.com", "Refused"),
            ("Home.Example.org", "lowercase"),
            ("home..example.org", "1 to 63"),
        ];
        for (domain, says) in cases {
            let err = resolver.relay_targets(domain).await.unwrap_err();
            let text = err.to_string();
            assert!(text.contains(says), "{domain}: {text}");
        }
        assert!(matches!(
            resolver.relay_targets("nosrv.example.org").await,
            Err(ResolveError::NoRecords { kind: "SRV", .. })
        ));
        assert!(matches!(
            resolver.relay_targets("missing.home.example.org").await,
            Err(ResolveError::NoSuchName { .. })
        ));
        dns.stop(Duration::from_secs(5)).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn a_silent_name_server_is_a_timeout_that_names_it() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        // A socket that reads nothing: the queries go unanswered.
        let silent = UdpSocket::bind(loopback()).await.unwrap();
        let resolver = Resolver::new(silent.local_addr().unwrap(), Duration::from_millis(200));
        let err = resolver
            .relay_targets("home.example.org")
            .await
            .unwrap_err();
        assert!(matches!(err, ResolveError::Timeout { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains(&silent.local_addr().unwrap().to_string()),
            "{err}"
        );
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn an_answer_is_not_kept_past_its_ttl() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        // The domain moves to another relay (spec §3.11): the name server restarts on the same port
        // with the zone's next version, whose records have a TTL of one second ([IOTP-DLV-5]).
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/zones");
        let zone = |v: u32| {
            Zone::new(
                "moving.example.org",
                dir.join(format!("moving-{v}/moving.example.org.zone")),
            )
        };
        let dns = DnsServer::start(loopback(), &[zone(1)]).await.unwrap();
        let addr = dns.addr();
        let resolver = Resolver::new(addr, Duration::from_secs(2));
        let host = |targets: Vec<iotp2p_node::resolve::Target>| targets[0].host.clone();
        assert_eq!(
            host(resolver.relay_targets("moving.example.org").await.unwrap()),
            "relay1.provider.example.net"
        );
        dns.stop(Duration::from_secs(5)).await;
        let dns = DnsServer::start(addr, &[zone(2)]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        assert_eq!(
            host(resolver.relay_targets("moving.example.org").await.unwrap()),
            "relay2.provider.example.net",
            "the cached answer expired with its TTL"
        );
        dns.stop(Duration::from_secs(5)).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn a_broken_zone_file_is_reported_with_its_path() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/zones");
    let missing = Zone::new("gone.example.org", dir.join("gone.example.org.zone"));
    let err = DnsServer::start(loopback(), &[missing]).await.unwrap_err();
    assert!(err.to_string().contains("gone.example.org.zone"), "{err}");
}
