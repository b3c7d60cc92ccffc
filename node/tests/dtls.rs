//! The relay-to-relay hop's DTLS 1.3 (spec §3.9.1, §10.5.3), sans-I/O: two relays' hops with
//! certificates from a test CA, their datagrams carried by the test. A handshake with mutual
//! certificates, a MAX_MESSAGE frame in a record of its own ([IOTP-DLV-60], [IOTP-UDP-18]),
//! certificates for the wrong name or from an unknown CA refused with nothing delivered
//! ([IOTP-DLV-55], [IOTP-DLV-56]), and a flood of ClientHellos and garbage held within the bounds.

#[path = "../examples/pki/mod.rs"]
mod pki;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use iotp2p_node::relay::dtls::{self, Hop, Out};
use iotp2p_node::resolve::Tlsa;
use iotp2p_protocol::params::MAX_MESSAGE;
use pki::TestCa;

const HOST_A: &str = "relay1.example.net";
const HOST_B: &str = "relay1.home.example.org";

fn addr(port: u16) -> SocketAddr {
    (std::net::Ipv4Addr::LOCALHOST, port).into()
}

/// What came out of a run of datagrams between two hops.
#[derive(Default, Debug)]
struct Exchange {
    /// Frames each received: (at A, at B).
    frames: (Vec<Vec<u8>>, Vec<Vec<u8>>),
    /// Host names each authenticated.
    authenticated: (Vec<String>, Vec<String>),
    /// The length of each datagram each sent.
    sent: (Vec<usize>, Vec<usize>),
}

/// Carries `first` (put out by `a`) and everything it leads to between `a` (at `at_a`) and `b` (at
/// `at_b`) until neither has anything to send, within a bounded number of rounds.
fn carry(
    a: &mut Hop,
    at_a: SocketAddr,
    b: &mut Hop,
    at_b: SocketAddr,
    first: Out,
    now: Instant,
) -> Exchange {
    carry_both(a, at_a, b, at_b, (first, Out::default()), now)
}

/// As [`carry`], with what each put out first.
fn carry_both(
    a: &mut Hop,
    at_a: SocketAddr,
    b: &mut Hop,
    at_b: SocketAddr,
    (first, first_b): (Out, Out),
    now: Instant,
) -> Exchange {
    let mut x = Exchange::default();
    let mut to_b = Vec::new();
    let mut to_a = Vec::new();
    let take = |out: Out,
                from_a: bool,
                x: &mut Exchange,
                to_a: &mut Vec<Vec<u8>>,
                to_b: &mut Vec<Vec<u8>>| {
        for (to, d) in out.datagrams {
            if from_a {
                assert_eq!(to, at_b);
                x.sent.0.push(d.len());
                to_b.push(d);
            } else {
                assert_eq!(to, at_a);
                x.sent.1.push(d.len());
                to_a.push(d);
            }
        }
        for (_, f) in out.frames {
            if from_a {
                x.frames.0.push(f)
            } else {
                x.frames.1.push(f)
            }
        }
        for (_, h) in out.authenticated {
            if from_a {
                x.authenticated.0.extend(h)
            } else {
                x.authenticated.1.extend(h)
            }
        }
    };
    take(first, true, &mut x, &mut to_a, &mut to_b);
    take(first_b, false, &mut x, &mut to_a, &mut to_b);
    for _ in 0..64 {
        if to_a.is_empty() && to_b.is_empty() {
            return x;
        }
        for d in std::mem::take(&mut to_b) {
            let out = b.receive(at_a, &d, now);
            take(out, false, &mut x, &mut to_a, &mut to_b);
        }
        for d in std::mem::take(&mut to_a) {
            let out = a.receive(at_b, &d, now);
            take(out, true, &mut x, &mut to_a, &mut to_b);
        }
    }
    panic!("the exchange did not settle in 64 rounds: {x:?}");
}

// [IOTP-DLV-112] [IOTP-DLV-57]
#[test]
fn a_relay_that_connects_unresolved_is_known_by_every_name_its_certificate_proves() {
    // One provider's relay serves many domains, with a name for each in its certificate; a relay
    // it connects to without having been resolved learns all of them (wildcards and names beyond
    // the first MAX_PEER_NAMES aside), so that a registration naming any of them in
    // `previous_relays` is honoured.
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40011), addr(40012));
    let names = [
        "relay.provider.example",
        "*.provider.example",
        "Relay.Customer.Example",
    ];
    let mut a = Hop::new(ca.setup_for(&names), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    assert!(a.expect(at_b, HOST_B));
    let now = Instant::now();
    let first = a.send(at_b, frame(64, 1), now);
    let x = carry(&mut a, at_a, &mut b, at_b, first, now);
    assert_eq!(x.frames.1.len(), 1);
    assert_eq!(
        x.authenticated.1,
        ["relay.provider.example", "relay.customer.example"],
        "B validated A for each of its DNS-IDs but the wildcard, as DNS compares them"
    );
    assert_eq!(
        x.authenticated.0,
        [HOST_B],
        "A validated B for its SRV target alone"
    );
}

/// A frame of `len` bytes, as the engine's (its first byte an iotp2p frame's).
fn frame(len: usize, fill: u8) -> Vec<u8> {
    let mut f = vec![fill; len];
    f[0] = 0xa5;
    f
}

// [IOTP-DLV-54] [IOTP-DLV-56] [IOTP-DLV-60] [IOTP-UDP-18]
#[test]
fn two_relays_handshake_with_mutual_certificates_and_carry_a_max_message_frame() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40001), addr(40002));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    // A resolved B's SRV target; B knows nothing of A's address.
    assert!(a.expect(at_b, HOST_B));
    let now = Instant::now();
    let big = frame(MAX_MESSAGE, 0x5a);
    let first = a.send(at_b, big.clone(), now);
    let x = carry(&mut a, at_a, &mut b, at_b, first, now);
    assert_eq!(
        x.frames.1,
        std::slice::from_ref(&big),
        "B received the frame once, whole"
    );
    assert_eq!(
        x.authenticated.0,
        [HOST_B],
        "A validated B for its SRV target"
    );
    assert_eq!(
        x.authenticated.1,
        [HOST_A],
        "B validated A for its certificate's DNS-ID"
    );
    assert_eq!((a.counts().associations, b.counts().associations), (1, 1));
    assert_eq!((a.counts().handshakes, b.counts().handshakes), (0, 0));
    // The handshake's cost for one relay pair, printed for the record: A's datagrams but the
    // frame's (the largest, at MAX_MESSAGE and the record's overhead), and B's.
    let data = x.sent.0.iter().copied().max().unwrap();
    assert!(data > MAX_MESSAGE && data <= dtls::MAX_DATAGRAM, "{data} B");
    let (a_sent, b_sent): (usize, usize) =
        (x.sent.0.iter().sum::<usize>() - data, x.sent.1.iter().sum());
    println!(
        "handshake: A (client) {:?} B, B (server) {:?} B: {} datagrams, {} B; the frame's datagram {data} B",
        x.sent.0,
        x.sent.1,
        x.sent.0.len() - 1 + x.sent.1.len(),
        a_sent + b_sent,
    );

    // Open: each frame the whole plaintext of one record, in a datagram of its own.
    let frames: Vec<Vec<u8>> = (0..3).map(|i| frame(40 + i, i as u8)).collect();
    for f in &frames {
        let out = a.send(at_b, f.clone(), now);
        assert_eq!(out.datagrams.len(), 1, "one datagram per frame");
        let (_, d) = &out.datagrams[0];
        assert!(
            d.len() > f.len() && d.len() <= f.len() + 30,
            "{} B",
            d.len()
        );
        let got = b.receive(at_a, d, now);
        assert_eq!(got.frames, [(at_a, f.clone())]);
    }
    let out = a.send(at_b, big.clone(), now);
    let (_, d) = &out.datagrams[0];
    assert!(
        d.len() > MAX_MESSAGE && d.len() <= dtls::MAX_DATAGRAM,
        "{} B",
        d.len()
    );
    // And back, on the association B answered.
    let out = b.send(at_a, frames[0].clone(), now);
    let got = a.receive(at_b, &out.datagrams[0].1, now);
    assert_eq!(got.frames, [(at_b, frames[0].clone())]);
}

#[test]
fn two_relays_that_connect_to_each_other_at_once_end_with_one_association_each_way() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40031), addr(40032));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    assert!(a.expect(at_b, HOST_B) && b.expect(at_a, HOST_A));
    let now = Instant::now();
    let (to_b, to_a) = (frame(70, 1), frame(80, 2));
    // Each sends first, before either ClientHello arrives.
    let first_a = a.send(at_b, to_b.clone(), now);
    let first_b = b.send(at_a, to_a.clone(), now);
    let x = carry_both(&mut a, at_a, &mut b, at_b, (first_a, first_b), now);
    assert_eq!(x.frames.1, [to_b], "B has A's frame");
    assert_eq!(
        x.frames.0,
        [to_a],
        "A has B's frame, queued on the handshake B gave up"
    );
    assert_eq!((a.counts().associations, b.counts().associations), (1, 1));
    assert_eq!((a.counts().failed, b.counts().failed), (0, 0));
}

#[test]
fn a_relay_that_restarted_is_reached_again_and_idle_associations_expire() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40041), addr(40042));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    let first = a.send(at_b, frame(30, 1), now);
    assert_eq!(
        carry(&mut a, at_a, &mut b, at_b, first, now).frames.1.len(),
        1
    );
    // B answers, as its engine acknowledges what it receives: A has heard from B.
    let answer = b.send(at_a, frame(33, 4), now);
    assert_eq!(
        carry(&mut b, at_b, &mut a, at_a, answer, now)
            .frames
            .1
            .len(),
        1
    );
    // B restarts: its new hop has no keys for A's records and drops them.
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    let lost = a.send(at_b, frame(31, 2), now);
    let x = carry(&mut a, at_a, &mut b, at_b, lost, now);
    assert!(x.frames.1.is_empty());
    assert_eq!(b.counts().dropped, 1);
    // A's retransmissions go unanswered past SILENT_PEER: the next one handshakes again.
    let later = now + dtls::SILENT_PEER + Duration::from_secs(1);
    let again = a.send(at_b, frame(32, 3), later);
    let x = carry(&mut a, at_a, &mut b, at_b, again, later);
    assert_eq!(x.frames.1, [frame(32, 3)]);
    assert_eq!(x.authenticated.1, [HOST_A]);
    assert_eq!(a.counts().authenticated, 2);
    let answer = b.send(at_a, frame(34, 5), later);
    assert_eq!(
        carry(&mut b, at_b, &mut a, at_a, answer, later)
            .frames
            .1
            .len(),
        1
    );
    // Nothing either way for IDLE_EXPIRY: both close.
    let idle = later + dtls::IDLE_EXPIRY + Duration::from_secs(1);
    let closing = a.on_timer(idle);
    b.on_timer(idle);
    assert_eq!((a.counts().associations, b.counts().associations), (0, 0));
    assert!(closing.datagrams.len() <= 1, "at most a close_notify");
    assert!(a.next_deadline().is_none() && b.next_deadline().is_none());
}

// [IOTP-DLV-55]
#[test]
fn a_leaf_from_an_intermediate_ca_validates_only_with_the_intermediate_configured() {
    let root = TestCa::new("iotp2p test root");
    let sub = root.intermediate("iotp2p test intermediate");
    for configured in [false, true] {
        let (at_a, at_b) = (addr(40051), addr(40052));
        let mut a_setup = root.setup(HOST_A);
        if configured {
            a_setup.intermediates = vec![sub.der.clone()];
        }
        let mut b_setup = sub.setup(HOST_B);
        b_setup.trust_anchors = vec![root.der.clone()];
        let mut a = Hop::new(a_setup, at_a).unwrap();
        let mut b = Hop::new(b_setup, at_b).unwrap();
        a.expect(at_b, HOST_B);
        let now = Instant::now();
        let first = a.send(at_b, frame(90, 6), now);
        let x = carry(&mut a, at_a, &mut b, at_b, first, now);
        if configured {
            assert_eq!(x.authenticated.0, [HOST_B]);
            assert_eq!(x.frames.1, [frame(90, 6)]);
        } else {
            assert_eq!(a.counts().refused, 1, "dimpl hands over B's leaf alone");
            assert!(x.frames.1.is_empty());
        }
    }
}

/// A's handshake with B whose certificate is `b_cert`'s: what each ended with.
fn refused_run(b_setup: dtls::DtlsSetup, a_setup: dtls::DtlsSetup) -> (Hop, Hop, Exchange) {
    let (at_a, at_b) = (addr(40011), addr(40012));
    let mut a = Hop::new(a_setup, at_a).unwrap();
    let mut b = Hop::new(b_setup, at_b).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    let first = a.send(at_b, frame(100, 1), now);
    let x = carry(&mut a, at_a, &mut b, at_b, first, now);
    (a, b, x)
}

// [IOTP-DLV-55] [IOTP-DLV-56]
#[test]
fn a_certificate_for_another_name_or_from_an_unknown_ca_is_refused_and_nothing_is_delivered() {
    let ca = TestCa::new("iotp2p test CA");
    let other = TestCa::new("someone else's CA");
    let cases = [
        (
            "B's certificate names another host",
            ca.setup("relay1.evil.example"),
            ca.setup(HOST_A),
            true,
        ),
        (
            "B's certificate is from an unknown CA",
            other.setup(HOST_B),
            ca.setup(HOST_A),
            true,
        ),
        (
            "A's certificate is from an unknown CA",
            ca.setup(HOST_B),
            other.setup(HOST_A),
            false,
        ),
    ];
    for (case, b_setup, a_setup, a_refuses) in cases {
        // B trusts only the test CA, whatever its own certificate.
        let mut b_setup = b_setup;
        b_setup.trust_anchors = vec![ca.der.clone()];
        let mut a_setup = a_setup;
        a_setup.trust_anchors = vec![ca.der.clone()];
        let (a, b, x) = refused_run(b_setup, a_setup);
        assert!(x.frames.1.is_empty(), "{case}: nothing delivered to B");
        assert!(x.frames.0.is_empty(), "{case}: nothing delivered to A");
        let refuser = if a_refuses { &a } else { &b };
        assert_eq!(refuser.counts().refused, 1, "{case}");
        assert_eq!(refuser.counts().associations, 0, "{case}");
        if a_refuses {
            assert!(x.authenticated.0.is_empty(), "{case}");
        } else {
            assert!(x.authenticated.1.is_empty(), "{case}");
            assert_eq!(b.counts().associations, 0, "{case}");
        }
    }
}

// [IOTP-DLV-59]
#[test]
fn a_peer_whose_zone_publishes_tlsa_records_must_present_a_certificate_one_matches() {
    use sha2::Digest;
    let ca = TestCa::new("iotp2p test CA");
    let b_setup = ca.setup(HOST_B);
    let sha256 = |der: &[u8]| sha2::Sha256::digest(der).to_vec();
    // DANE-EE, the whole certificate, SHA-256: B's, and another of B's name from the same CA.
    let matching = Tlsa {
        usage: 3,
        selector: 0,
        matching: 1,
        data: sha256(&b_setup.certificate),
    };
    let other = Tlsa {
        data: sha256(&ca.setup(HOST_B).certificate),
        ..matching.clone()
    };
    let about_a_ca = Tlsa {
        usage: 2,
        ..other.clone()
    };
    let cases = [
        (
            "a matching record among others",
            vec![other.clone(), matching],
            true,
        ),
        ("records of another certificate", vec![other], false),
        (
            "records about a CA only, not usable",
            vec![about_a_ca],
            true,
        ),
    ];
    for (case, records, delivered) in cases {
        let (at_a, at_b) = (addr(40011), addr(40012));
        let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
        let mut b = Hop::new(b_setup.clone(), at_b).unwrap();
        assert!(a.expect(at_b, HOST_B));
        assert!(a.expect_dane(HOST_B, records));
        let now = Instant::now();
        let first = a.send(at_b, frame(100, 1), now);
        let x = carry(&mut a, at_a, &mut b, at_b, first, now);
        assert_eq!(x.frames.1.len(), usize::from(delivered), "{case}");
        assert_eq!(a.counts().refused, u64::from(!delivered), "{case}");
    }
}

// [IOTP-UDP-19]
#[test]
fn a_flood_of_client_hellos_and_garbage_stays_within_the_bounds() {
    let ca = TestCa::new("iotp2p test CA");
    let at_b = addr(40022);
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    let mut a = Hop::new(ca.setup(HOST_A), addr(40021)).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    // A real ClientHello, replayed from many addresses.
    let hello = a.send(at_b, frame(10, 0), now).datagrams.remove(0).1;
    assert!(dtls::demux::is_client_hello(&hello));
    for port in 0..600u16 {
        let out = b.receive(addr(10_000 + port), &hello, now);
        assert!(out.frames.is_empty() && out.authenticated.is_empty());
        assert!(b.counts().handshakes <= dtls::MAX_HANDSHAKES as u64);
    }
    assert_eq!(b.counts().handshakes, dtls::MAX_HANDSHAKES as u64);
    // Nor does the flood keep B from connecting to a relay itself.
    let at_c = addr(40025);
    let mut c = Hop::new(ca.setup("relay1.example.com"), at_c).unwrap();
    b.expect(at_c, "relay1.example.com");
    let f = frame(40, 5);
    let first = b.send(at_c, f.clone(), now);
    assert_eq!(first.datagrams.len(), 1, "B's ClientHello goes out");
    let x = carry(&mut b, at_b, &mut c, at_c, first, now);
    assert_eq!(x.frames.1, [f]);
    let answer = c.send(at_b, frame(41, 6), now);
    assert_eq!(
        carry(&mut c, at_c, &mut b, at_b, answer, now)
            .frames
            .1
            .len(),
        1
    );
    // A relay that answers its HelloRetryRequest gets through the flood: its ClientHello takes
    // the place of the oldest of the flood's.
    let mut peer = Hop::new(ca.setup(HOST_A), addr(40024)).unwrap();
    peer.expect(at_b, HOST_B);
    let f = frame(60, 4);
    let first = peer.send(at_b, f.clone(), now);
    let x = carry(&mut peer, addr(40024), &mut b, at_b, first, now);
    assert_eq!(x.frames.1, [f]);
    assert_eq!(b.counts().associations, 2, "C and A");
    // Garbage with every DTLS first byte, from as many addresses: no state, no panic.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..20_000u32 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = 1 + (seed % 1_300) as usize;
        let mut d: Vec<u8> = (0..len).map(|j| (seed >> (j % 56)) as u8).collect();
        d[0] = 0x14 + (i % 44) as u8;
        let from = addr(20_000 + (i % 30_000) as u16);
        let out = b.receive(from, &d, now);
        assert!(out.frames.is_empty() && out.authenticated.is_empty());
    }
    let c = b.counts();
    assert!(c.handshakes <= dtls::MAX_HANDSHAKES as u64, "{c:?}");
    assert_eq!((c.associations, c.authenticated), (2, 2), "{c:?}");
    assert!(c.dropped >= 20_000 - 64, "{c:?}");
    // The flood's endpoints go with the handshake timeout; a real peer then gets through.
    let later = now + dtls::HANDSHAKE_TIMEOUT + Duration::from_secs(1);
    b.on_timer(later);
    assert_eq!(b.counts().handshakes, 0);
    let mut a = Hop::new(ca.setup(HOST_A), addr(40023)).unwrap();
    a.expect(at_b, HOST_B);
    let f = frame(50, 3);
    let first = a.send(at_b, f.clone(), later);
    let x = carry(&mut a, addr(40023), &mut b, at_b, first, later);
    assert_eq!(x.frames.1, [f]);
}

/// The client's last flight can be lost after the client took the handshake for done, and the
/// server then gives its endpoint up: the client, which never heard from the server on the
/// association, handshakes again after SILENT_PEER with the frames it wrote on it, and the server
/// answers the new ClientHello with a new endpoint rather than the one that waits for the old
/// handshake's end.
#[test]
fn a_client_whose_last_flight_was_lost_handshakes_again_with_its_frames() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40051), addr(40052));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    let f = frame(40, 7);
    // ClientHello, HelloRetryRequest, ClientHello with the cookie, the server's flight: A is done.
    let mut to_b = a.send(at_b, f.clone(), now).datagrams;
    let mut x = Out::default();
    for _ in 0..2 {
        let to_a: Vec<_> = to_b
            .iter()
            .flat_map(|(_, d)| b.receive(at_a, d, now).datagrams)
            .collect();
        to_b = Vec::new();
        for (_, d) in &to_a {
            let out = a.receive(at_b, d, now);
            x.authenticated.extend(out.authenticated);
            to_b.extend(out.datagrams);
        }
    }
    assert_eq!(x.authenticated.len(), 1, "A took the handshake for done");
    assert_eq!(a.counts().associations, 1);
    // Its last flight and the frame behind it are lost; B's handshake waits for them.
    assert_eq!(b.counts().handshakes, 1);
    // Past SILENT_PEER A handshakes again on its own, with the frame; B takes the new
    // ClientHello as a client that started over.
    let later = now + dtls::SILENT_PEER + Duration::from_secs(1);
    assert!(a.next_deadline().is_some_and(|t| t <= later));
    let again = a.on_timer(later);
    assert_eq!(again.datagrams.len(), 1, "a new ClientHello");
    let x = carry(&mut a, at_a, &mut b, at_b, again, later);
    assert_eq!(x.frames.1, [f], "the frame B never had");
    assert_eq!(b.counts().associations, 1);
    assert_eq!(a.counts().authenticated, 2);
}

// [IOTP-DLV-112]
/// A lossy path duplicates and delays datagrams: copies of the client's ClientHellos (the first,
/// and the one that returns the cookie) that reach the server after its handshake completed open
/// no endpoint. One that did would answer nothing, and would take the first ClientHello of the
/// client's next handshake for a copy of its own, so that the client, which never heard from the
/// server on the association, could never handshake again.
#[test]
fn late_copies_of_a_completed_handshakes_client_hellos_open_no_endpoint() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40055), addr(40056));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    let f = frame(40, 7);
    // ClientHello, HelloRetryRequest, ClientHello with the cookie, the server's flight, the
    // client's last flight and the frame: every datagram of A's is kept to be copied later.
    let mut copies = Vec::new();
    let mut to_b = a.send(at_b, f.clone(), now).datagrams;
    let mut received = Vec::new();
    for _ in 0..3 {
        copies.extend(to_b.iter().map(|(_, d)| d.clone()));
        let mut to_a = Vec::new();
        for (_, d) in &to_b {
            let out = b.receive(at_a, d, now);
            received.extend(out.frames.into_iter().map(|(_, f)| f));
            to_a.extend(out.datagrams);
        }
        to_b = to_a
            .iter()
            .flat_map(|(_, d)| a.receive(at_b, d, now).datagrams)
            .collect();
    }
    assert_eq!(received, std::slice::from_ref(&f));
    assert_eq!((a.counts().associations, b.counts().associations), (1, 1));
    // What B sent since is lost, so A never hears from B on the association. The copies of A's
    // ClientHellos arrive late, the one with the cookie first.
    let hellos: Vec<_> = copies
        .iter()
        .filter(|d| dtls::demux::is_client_hello(d))
        .collect();
    assert_eq!(
        hellos.len(),
        2,
        "the first ClientHello and the one with the cookie"
    );
    for d in hellos.into_iter().rev() {
        let out = b.receive(at_a, d, now);
        assert!(out.datagrams.is_empty(), "nothing answers a late copy");
    }
    assert_eq!(b.counts().handshakes, 0, "no endpoint for a late copy");
    // Past SILENT_PEER A handshakes again with the frame it never had an answer to, and B answers.
    let later = now + dtls::SILENT_PEER + Duration::from_secs(1);
    let again = a.on_timer(later);
    let x = carry(&mut a, at_a, &mut b, at_b, again, later);
    assert_eq!(x.frames.1, [f], "the frame again, on the new association");
    assert_eq!(a.counts().authenticated, 2);
    assert_eq!(b.counts().associations, 1);
}

/// A handshake this relay started that fails (its flights unanswered until HANDSHAKE_TIMEOUT)
/// while frames wait for it starts again with them, HANDSHAKE_ATTEMPTS times in all.
#[test]
fn a_failed_handshake_starts_again_with_its_frames_a_bounded_number_of_times() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40061), addr(40062));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    a.expect(at_b, HOST_B);
    let mut now = Instant::now();
    let f = frame(40, 8);
    let first = a.send(at_b, f.clone(), now);
    assert!(dtls::demux::is_client_hello(&first.datagrams[0].1));
    let mut hellos = 1;
    // Nothing reaches B: every flight is lost.
    for _ in 0..200 {
        let Some(t) = a.next_deadline() else { break };
        now = t;
        hellos += a
            .on_timer(now)
            .datagrams
            .iter()
            .filter(|(_, d)| dtls::demux::first_client_hello_random(d).is_some())
            .count();
    }
    assert_eq!(a.counts().failed, u64::from(dtls::HANDSHAKE_ATTEMPTS));
    assert_eq!(
        a.counts().handshakes,
        0,
        "no handshake after the last attempt"
    );
    assert!(
        hellos > dtls::HANDSHAKE_ATTEMPTS as usize,
        "{hellos} ClientHellos"
    );
    // The frames then waited for B at most the attempts' timeouts.
    // And a peer that comes back is reached with the next frame.
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    let g = frame(41, 9);
    let out = a.send(at_b, g.clone(), now);
    let x = carry(&mut a, at_a, &mut b, at_b, out, now);
    assert_eq!(x.frames.1, [g]);
}

/// A relay pair that carries only non-confirmable envelopes one way hears nothing back, rightly:
/// its association is not taken for lost (SILENT_PEER), whether the peer answered before or never.
#[test]
fn a_relay_pair_carrying_non_confirmable_frames_one_way_keeps_its_association() {
    let ca = TestCa::new("iotp2p test CA");
    let (at_a, at_b) = (addr(40071), addr(40072));
    let mut a = Hop::new(ca.setup(HOST_A), at_a).unwrap();
    let mut b = Hop::new(ca.setup(HOST_B), at_b).unwrap();
    a.expect(at_b, HOST_B);
    let now = Instant::now();
    let first = a.send_frame(at_b, frame(30, 1), false, now);
    assert_eq!(
        carry(&mut a, at_a, &mut b, at_b, first, now).frames.1.len(),
        1
    );
    let mut at = now;
    for i in 0..4u8 {
        at += dtls::SILENT_PEER;
        let out = a.on_timer(at);
        let next = a.send_frame(at_b, frame(31, i), false, at);
        assert!(
            out.datagrams
                .iter()
                .chain(&next.datagrams)
                .all(|(_, d)| !dtls::demux::is_client_hello(d)),
            "no new handshake"
        );
        assert_eq!(
            carry(&mut a, at_a, &mut b, at_b, next, at).frames.1.len(),
            1
        );
    }
    assert_eq!(a.counts().authenticated, 1);
    // A confirmable one that goes unanswered for SILENT_PEER does make A handshake again.
    a.send_frame(at_b, frame(32, 9), true, at);
    let later = at + dtls::SILENT_PEER + Duration::from_secs(1);
    let again = a.send_frame(at_b, frame(33, 9), true, later);
    assert!(dtls::demux::is_client_hello(&again.datagrams[0].1));
}
