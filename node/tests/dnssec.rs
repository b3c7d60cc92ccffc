//! DNSSEC validation of the node's DNS answers ([IOTP-DLV-7]) against a real signed zone: the
//! loopback server of `iotp2p_node::dns` signs `tests/zones/signed.example.org.zone` with a key made
//! by each test, and the resolver trusts that key's DNSKEY record. A signed zone validates; the same
//! zone signed by a forger with another key, or its answers stripped of their signatures or altered
//! on the way (by an on-path proxy), is refused with `ResolveError::Dnssec`; without a trust
//! anchor, resolution is as it was. A forged denial of a record is taken, a known limit of
//! hickory 0.25.2 (`node/README.md`, "DNSSEC"). A relay whose configuration names the trust anchor starts on
//! the zone's true answers and refuses to start on a forger's.

mod common;
#[path = "../examples/pki/mod.rs"]
mod pki;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::{loopback, TempDir, TEST_TIMEOUT};
use hickory_resolver::proto::dnssec::rdata::{DNSSECRData, NSEC};
use hickory_resolver::proto::op::{Message, Query};
use hickory_resolver::proto::rr::rdata::{A, SRV};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use iotp2p_node::dns::{DnsServer, Zone, ZoneKey};
use iotp2p_node::relay::{RelayError, RelayFile, UdpRelay};
use iotp2p_node::resolve::{ResolveError, Resolver, TrustAnchor};
use iotp2p_node::store::sqlite::SqliteStore;
use iotp2p_node::udp::{Host, TransportUri};
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;

const SIGNED: &str = "signed.example.org";
const UNSIGNED: &str = "home.example.org";
const WAIT: Duration = Duration::from_secs(2);

fn zone_file(domain: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/zones/{domain}.zone"))
}

/// A server of `signed.example.org` signed with `key`, and of `home.example.org` unsigned.
async fn server(key: &ZoneKey) -> DnsServer {
    let zones = [
        Zone::signed(SIGNED, zone_file(SIGNED), key),
        Zone::new(UNSIGNED, zone_file(UNSIGNED)),
    ];
    DnsServer::start(loopback(), &zones)
        .await
        .expect("the zones load and are signed")
}

/// A resolver of `at` that trusts `key` for `signed.example.org`.
fn validating(at: SocketAddr, key: &ZoneKey) -> Resolver {
    let anchor = TrustAnchor::parse(&key.dnskey(SIGNED)).expect("the key's DNSKEY record parses");
    Resolver::validating(at, WAIT, &anchor)
}

/// The proof named by a refusal, or a panic naming what came instead.
fn refused<T: std::fmt::Debug>(result: Result<T, ResolveError>) -> String {
    match result {
        Err(ResolveError::Dnssec { proof, .. }) => proof,
        other => panic!("expected a DNSSEC refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_zone_resolves_and_validates() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let dns = server(&key).await;
        let resolver = validating(dns.addr(), &key);
        assert!(resolver.is_validating());

        // SRV, then AAAA and A of the target, each proven secure.
        let relays = resolver.relay_hosts(SIGNED).await.unwrap();
        assert_eq!(relays.len(), 1);
        assert_eq!(relays[0].target.host, "relay1.signed.example.org");
        let mut addresses: Vec<String> =
            relays[0].addresses.iter().map(|a| a.to_string()).collect();
        addresses.sort();
        assert_eq!(addresses, ["127.0.0.1:5783", "[::1]:5783"]);
        // TXT: the relay's node ID, the `rid` that §3.12 wants authentic.
        let ids = resolver
            .relay_ids(SIGNED)
            .await
            .unwrap()
            .expect("a TXT record");
        assert_eq!(ids.rids.len(), 1);
        // A transport URI's name.
        let uri = TransportUri {
            host: Host::Name("relay1.signed.example.org".into()),
            port: 5783,
        };
        assert_eq!(resolver.transport_addresses(&uri).await.unwrap().len(), 2);
        // Denials of existence validate too (NSEC): a name that does not exist, a type it lacks.
        let e = resolver.relay_targets("nothere.signed.example.org").await;
        assert!(matches!(e, Err(ResolveError::NoSuchName { .. })), "{e:?}");
        let uri = TransportUri {
            host: Host::Name("ns.signed.example.org".into()),
            port: 5783,
        };
        let e = resolver.transport_addresses(&uri).await;
        assert_eq!(e.unwrap().len(), 1, "its A record; no AAAA, denied by NSEC");
        dns.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn a_zone_signed_with_another_key_is_refused() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let forger = ZoneKey::generate().unwrap();
        // The same zone, signed by someone who does not hold the zone's key.
        let dns = server(&forger).await;
        let resolver = validating(dns.addr(), &key);
        // hickory 0.25 calls this "insecure", not "bogus": the forger's zone key is not the
        // anchor, so it asks for the zone's DS record, and takes the forger's NSEC record that
        // denies one (whose own signature it does not require to be secure) for the proof that the
        // zone is unsigned. Why an insecure answer is refused, not taken as an unsigned zone's:
        // the crate's README, "DNSSEC". Pinned here, so that a hickory that says "bogus" is seen.
        assert_eq!(refused(resolver.relay_hosts(SIGNED).await), "insecure");
        assert_eq!(refused(resolver.relay_ids(SIGNED).await), "insecure");
        let message = resolver
            .relay_targets(SIGNED)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("_iotp2p._udp.signed.example.org.")
                && message.contains("trust anchor")
                && message.contains("DS record"),
            "a message a person can act on: {message}"
        );
        dns.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

// [IOTP-DLV-59]
#[tokio::test]
async fn tlsa_records_come_from_validated_answers_only() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let dns = server(&key).await;
        let resolver = validating(dns.addr(), &key);
        let tlsa = resolver
            .tlsa("relay1.signed.example.org", 5783)
            .await
            .unwrap();
        assert_eq!(tlsa.len(), 1);
        let t = &tlsa[0];
        assert_eq!(
            (t.usage, t.selector, t.matching, t.data.len()),
            (3, 1, 1, 32)
        );
        // No TLSA record at another port: a validated denial, DANE does not apply.
        let none = resolver.tlsa("relay1.signed.example.org", 5784).await;
        assert_eq!(none, Ok(Vec::new()));
        // Without DNSSEC, no DANE (RFC 7673): no records, whatever the zone says.
        let plain = Resolver::new(dns.addr(), WAIT);
        assert_eq!(
            plain.tlsa("relay1.signed.example.org", 5783).await,
            Ok(Vec::new())
        );
        dns.stop(WAIT).await;

        let forger = server(&ZoneKey::generate().unwrap()).await;
        let resolver = validating(forger.addr(), &key);
        refused(resolver.tlsa("relay1.signed.example.org", 5783).await);
        forger.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

/// What the on-path proxy does to the answers of the data it relays (DNSKEY answers, which only
/// the zone's key signs, pass untouched).
#[derive(Clone, Copy, Debug)]
enum Attack {
    /// Removes the RRSIG records from the answer section.
    Strip,
    /// Changes the records (an A record's address, an SRV record's port, a TXT record's text) and
    /// leaves their signatures.
    Alter,
    /// Answers a TXT query that there is no TXT record: the zone's true, signed SOA record (from
    /// a true denial of another type at the same name) with an NSEC record of the attacker's,
    /// unsigned, that lists no TXT.
    DenyTxt,
}

/// A UDP proxy on loopback in front of `upstream` that applies `attack` to each response. Stopped
/// when dropped.
struct Proxy {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    async fn start(upstream: SocketAddr, attack: Attack) -> Proxy {
        let socket = Arc::new(UdpSocket::bind(loopback()).await.unwrap());
        let addr = socket.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 65_535];
            let mut exchanges = tokio::task::JoinSet::new();
            loop {
                let Ok((n, client)) = socket.recv_from(&mut buf).await else {
                    return;
                };
                let query = buf[..n].to_vec();
                let socket = Arc::clone(&socket);
                exchanges.spawn(async move {
                    let request = Message::from_vec(&query).expect("the resolver's query parses");
                    let asked = request.queries().first().cloned().expect("one question");
                    let deny =
                        matches!(attack, Attack::DenyTxt) && asked.query_type() == RecordType::TXT;
                    let mut sent = request.clone();
                    if deny {
                        sent.queries_mut()[0].set_query_type(RecordType::AAAA);
                    }
                    let out = UdpSocket::bind(loopback()).await.unwrap();
                    out.send_to(&sent.to_vec().unwrap(), upstream)
                        .await
                        .unwrap();
                    let mut buf = vec![0u8; 65_535];
                    let Ok(Ok(n)) = tokio::time::timeout(WAIT, out.recv(&mut buf)).await else {
                        return;
                    };
                    let answer = if deny {
                        denied(&buf[..n], asked)
                    } else {
                        attacked(&buf[..n], attack)
                    };
                    let _ = socket.send_to(&answer, client).await;
                });
            }
        });
        Proxy { addr, task }
    }
}

/// The true denial `response` of another type at `asked`'s name, made into a denial of `asked`
/// (a TXT query) with a forged NSEC record in place of the true one.
fn denied(response: &[u8], asked: Query) -> Vec<u8> {
    let mut message = Message::from_vec(response).expect("the server's response parses");
    message.take_queries();
    message.add_query(asked.clone());
    let mut authority: Vec<Record> = message
        .take_name_servers()
        .into_iter()
        .filter(|r| match r.data() {
            RData::SOA(_) => true,
            RData::DNSSEC(DNSSECRData::RRSIG(sig)) => sig.type_covered() == RecordType::SOA,
            _ => false,
        })
        .collect();
    let next = Name::from_ascii("relay1.signed.example.org.").unwrap();
    let nsec = NSEC::new(next, [RecordType::RRSIG, RecordType::NSEC]);
    authority.push(Record::from_rdata(
        asked.name().clone(),
        60,
        RData::DNSSEC(DNSSECRData::NSEC(nsec)),
    ));
    message.insert_name_servers(authority);
    message.to_vec().expect("the forged denial encodes")
}

/// `response` with `attack` applied to its answer section.
fn attacked(response: &[u8], attack: Attack) -> Vec<u8> {
    let mut message = Message::from_vec(response).expect("the server's response parses");
    let answers = message.take_answers();
    let is_dnskey = answers
        .iter()
        .any(|r| r.record_type() == RecordType::DNSKEY);
    let answers: Vec<Record> = if is_dnskey {
        answers
    } else {
        match attack {
            Attack::DenyTxt => answers,
            Attack::Strip => answers
                .into_iter()
                .filter(|r| r.record_type() != RecordType::RRSIG)
                .collect(),
            Attack::Alter => answers
                .into_iter()
                .map(|mut r| {
                    let altered = match r.data() {
                        RData::A(_) => Some(RData::A(A(Ipv4Addr::new(192, 0, 2, 66)))),
                        RData::SRV(srv) => Some(RData::SRV(SRV::new(
                            srv.priority(),
                            srv.weight(),
                            6666,
                            srv.target().clone(),
                        ))),
                        RData::TXT(_) => Some(RData::TXT(
                            hickory_resolver::proto::rr::rdata::TXT::new(vec![
                                "v=iotp2p1; rid=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                                    .into(),
                            ]),
                        )),
                        _ => None,
                    };
                    if let Some(data) = altered {
                        r.set_data(data);
                    }
                    r
                })
                .collect(),
        }
    };
    message.insert_answers(answers);
    message.to_vec().expect("the altered response encodes")
}

/// The proofs named by the refusals of the SRV, TXT and AAAA-or-A answers of the signed zone,
/// each subjected to `attack` on its way from the zone's true server.
async fn refusals_through(attack: Attack) -> [String; 3] {
    let key = ZoneKey::generate().unwrap();
    let dns = server(&key).await;
    let proxy = Proxy::start(dns.addr(), attack).await;
    let resolver = validating(proxy.addr, &key);
    let uri = TransportUri {
        host: Host::Name("relay1.signed.example.org".into()),
        port: 5783,
    };
    let proofs = [
        refused(resolver.relay_targets(SIGNED).await),
        refused(resolver.relay_ids(SIGNED).await),
        refused(resolver.transport_addresses(&uri).await),
    ];
    drop(proxy);
    dns.stop(WAIT).await;
    proofs
}

#[tokio::test]
async fn answers_stripped_of_their_signatures_are_refused() {
    let proofs = tokio::time::timeout(TEST_TIMEOUT, refusals_through(Attack::Strip))
        .await
        .expect("done within the test's time");
    // hickory 0.25 calls an RRset without RRSIG below a signed zone's apex "insecure", not
    // "bogus": it takes the NSEC record that denies a DS record at that name (there is no zone
    // cut there) for the end of the chain of trust. Refused all the same, since only secure
    // answers are used; pinned, so that a hickory that says "bogus" is seen.
    assert_eq!(proofs, ["insecure", "insecure", "insecure"]);
}

#[tokio::test]
async fn answers_altered_on_the_way_are_refused() {
    let proofs = tokio::time::timeout(TEST_TIMEOUT, refusals_through(Attack::Alter))
        .await
        .expect("done within the test's time");
    assert_eq!(proofs, ["bogus", "bogus", "bogus"]);
}

#[tokio::test]
async fn a_forged_denial_of_the_txt_record_is_taken() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let dns = server(&key).await;
        let proxy = Proxy::start(dns.addr(), Attack::DenyTxt).await;
        let resolver = validating(proxy.addr, &key);
        // A known limit of hickory 0.25.2, pinned so that its fix is seen: it checks that the NSEC
        // records of a denial cover the name, not that they are signed, so an on-path attacker who
        // replays the zone's signed SOA record can deny that a record exists. What it can deny is
        // what it could drop: the SRV records (no route, as if the packets were lost) or the TXT
        // record (no `rid`, so no lookup binding from DNS); it cannot make a forged record pass.
        assert_eq!(resolver.relay_ids(SIGNED).await, Ok(None));
        drop(proxy);
        dns.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn an_unsigned_zone_is_refused_under_an_anchor() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let dns = server(&key).await;
        let resolver = validating(dns.addr(), &key);
        // home.example.org is not signed, and outside the anchor's tree: hickory 0.25 cannot
        // prove it unsigned (its parents' DS records are nowhere to be had) and calls it "bogus".
        assert_eq!(refused(resolver.relay_targets(UNSIGNED).await), "bogus");
        let message = resolver.relay_ids(UNSIGNED).await.unwrap_err().to_string();
        assert!(
            message.contains("not signed") && message.contains("without trust_anchor"),
            "{message}"
        );
        dns.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

#[tokio::test]
async fn without_an_anchor_answers_are_taken_as_they_come() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let forger = ZoneKey::generate().unwrap();
        // Signed by the forger: a resolver that does not validate cannot tell, as before.
        let dns = server(&forger).await;
        let resolver = Resolver::new(dns.addr(), WAIT);
        assert!(!resolver.is_validating());
        assert_eq!(resolver.relay_hosts(SIGNED).await.unwrap().len(), 1);
        assert!(resolver.relay_ids(SIGNED).await.unwrap().is_some());
        assert_eq!(resolver.relay_targets(UNSIGNED).await.unwrap().len(), 3);
        // The same resolver with the zone's true key as its anchor refuses the forgery.
        let e = validating(dns.addr(), &key).relay_targets(SIGNED).await;
        refused(e);
        dns.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}

#[test]
fn a_trust_anchor_holds_dnskey_records() {
    let key = ZoneKey::generate().unwrap();
    let anchor = TrustAnchor::parse(&key.dnskey(SIGNED)).unwrap();
    assert_eq!(anchor.len(), 1);
    // As `dig` prints a key: its base64 in chunks, after a comment line.
    let line = key.dnskey(SIGNED);
    let (head, key_text) = line.rsplit_once(' ').unwrap();
    let (a, b) = key_text.split_at(key_text.len() / 2);
    let anchor = TrustAnchor::parse(&format!("; the zone's KSK\n{head} {a} {b}\n")).unwrap();
    assert_eq!(anchor.len(), 1);
    for (text, why) in [
        ("", "no DNSKEY"),
        ("; only a comment\n", "no DNSKEY"),
        ("signed.example.org. IN DS 1 13 2 abcd", "DNSKEY records"),
        (
            "signed.example.org. IN DNSKEY 257 3 13 !!!",
            "DNSKEY records",
        ),
        // Inputs on which hickory 0.25.2's parser trips a debug assertion: refused all the same.
        (
            "signed.example.org. in DNSKEY 257 3 13 AwEAAag=",
            "DNSKEY records",
        ),
        (
            "signed.example.org. IN DNSKEY 257 3 1 AwEAAag=",
            "DNSKEY records",
        ),
    ] {
        let e = TrustAnchor::parse(text).unwrap_err();
        assert!(e.contains(why), "{text:?}: {e}");
    }
    let e = TrustAnchor::read(std::path::Path::new("/nonexistent/anchor.key")).unwrap_err();
    assert!(e.starts_with("/nonexistent/anchor.key: "), "{e}");
}

/// A relay of another domain, started from its configuration file in `dir`: the name server `dns`
/// with `key`'s DNSKEY record as its trust anchor, and `signed.example.org`'s relays to find there
/// at start.
async fn relay_trusting(
    dir: &TempDir,
    dns: SocketAddr,
    key: &ZoneKey,
) -> Result<UdpRelay, RelayError> {
    let host = "relay1.relays.example.net";
    std::fs::write(dir.0.join("anchor.key"), key.dnskey(SIGNED)).unwrap();
    let dtls = pki::TestCa::new("Relays CA").dtls_table(&dir.0, host);
    let text = format!(
        "domain = \"relays.example.net\"\nbind = \"127.0.0.1:0\"\nstore = \"relay.sqlite\"\n\
         host = \"{host}\"\nname_server = \"{dns}\"\ntrust_anchor = \"anchor.key\"\n\
         resolve = [\"{SIGNED}\"]\n\n{dtls}"
    );
    let file = RelayFile::parse("relay.toml", &text, &dir.0).expect("the configuration reads");
    let store = SqliteStore::open(&file.store).unwrap();
    UdpRelay::start(file.setup, Box::new(store)).await
}

#[tokio::test]
async fn a_relay_with_a_trust_anchor_starts_on_secure_answers_only() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let key = ZoneKey::generate().unwrap();
        let dns = server(&key).await;
        let dir = TempDir::new("dnssec-relay");
        let relay = relay_trusting(&dir, dns.addr(), &key)
            .await
            .expect("it starts");
        relay.stop(WAIT).await.unwrap();
        dns.stop(WAIT).await;

        let forger = server(&ZoneKey::generate().unwrap()).await;
        let dir = TempDir::new("dnssec-relay-forged");
        match relay_trusting(&dir, forger.addr(), &key).await {
            Err(RelayError::Resolve { domain, why }) => {
                assert_eq!(domain, SIGNED);
                assert!(why.contains("DNSSEC-insecure"), "{why}");
            }
            Err(e) => panic!("refused for another reason: {e}"),
            Ok(relay) => {
                relay.stop(WAIT).await.unwrap();
                panic!("started on a forger's answers");
            }
        }
        forger.stop(WAIT).await;
    })
    .await
    .expect("done within the test's time");
}
