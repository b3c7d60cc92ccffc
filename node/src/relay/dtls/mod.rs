//! The relay-to-relay hop's DTLS 1.3 (spec §3.9.1, §10.5.3): the relay's associations with other
//! domains' relays on its one socket, outside the protocol engine. The engine keeps seeing a hop
//! peer (the other relay's socket address) and is told the host names each authenticated with
//! (`set_relay_hosts`), so that its checks of [IOTP-DLV-57], [IOTP-DLV-58] and [IOTP-DLV-112] work
//! on what DTLS proved.
//!
//! This relay is the handshake's client when it sends first (a forward, a redirect), the server
//! when a ClientHello arrives; both sides present a certificate ([IOTP-DLV-54]) and validate the
//! other's ([IOTP-DLV-55], `verify.rs`): against the host name it meant to reach when it knows one
//! (the SRV target it resolved, [IOTP-DLV-56], or the host of a configured route), otherwise for
//! each of the certificate's DNS-IDs that validates (one provider's relay has a name for each of
//! the many domains it may serve). Frames sent while a handshake runs wait in a
//! bounded queue; a frame dropped there comes again with the engine's retransmission. A datagram
//! of a relay this one knows, or one that authenticated, is only taken through DTLS: an
//! unprotected frame from such an address is dropped (its source address proves nothing).
//!
//! `dimpl`'s DTLS 1.3 server answers a ClientHello without a cookie with a HelloRetryRequest that
//! carries one, and goes on only with a ClientHello that returns it; but the cookie's secret lives
//! in the endpoint made for that address, so the server holds state from the first ClientHello
//! on. What bounds that state is [`MAX_HANDSHAKES`].
//!
//! **Handshakes on a lossy path.** A handshake is a few flights, each retransmitted by its timer
//! from 1 s; on a path that loses one datagram in five, one handshake in some hundreds sees every
//! copy of one flight lost before [`HANDSHAKE_TIMEOUT`]. The frames waiting for it are the
//! engine's transmissions, which the engine goes on retransmitting for longer than that, so a
//! handshake this relay started that fails while frames wait starts again at once with them, up
//! to [`HANDSHAKE_ATTEMPTS`] in all. The client's last flight can be lost too, after the client
//! took the handshake for done: an association this relay opened whose peer it has not heard from
//! for [`SILENT_PEER`] is taken for lost, and a new handshake carries the frames written on it
//! (copies of at most [`MAX_QUEUED`] frames per association, kept only until the peer is first
//! heard from). The other relay's endpoint for the failed handshake may still
//! be waiting for its end, and would answer the new ClientHello with the old handshake's flight:
//! a first ClientHello with another random than the one an endpoint answered is therefore taken as
//! a client that started over, and gets a new endpoint. Only a first ClientHello opens an endpoint:
//! the path duplicates and delays datagrams, and a late copy of the ClientHello that returned the
//! cookie would otherwise open one that no random identifies, answers nothing, and takes the
//! client's next first ClientHello for its own (a late copy of the open association's first
//! ClientHello is dropped too). (An attacker who forges the other relay's
//! address can so end a handshake in progress, as a flood of ClientHellos can by
//! [`MAX_HANDSHAKES`]; it cannot end an authenticated association, nor make one.)
//!
//! **Bounds.** Every table here is bounded by a named constant below, whatever arrives: a flood of
//! ClientHellos fills at most [`MAX_HANDSHAKES`] endpoints, each given up after
//! [`HANDSHAKE_TIMEOUT`] or when a newer ClientHello needs its place; anything else from an address without an association is dropped before
//! any state exists for it.

mod association;
pub mod dane;
pub mod demux;
mod ecdsa;
pub mod verify;

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dimpl::{Config, Dtls, DtlsCertificate};

use association::{Association, Ended};
use verify::{PeerRole, Verifier};

/// Open associations at once: one per other relay this relay talks to, with room for the relays
/// of many domains; beyond it, the one idle longest is closed to make room.
pub const MAX_ASSOCIATIONS: usize = 1_024;

/// Handshakes in progress at once. Each holds an endpoint (some kilobytes) from the first
/// ClientHello on; a flood of them fills this and nothing more, each new ClientHello then taking
/// the place of the oldest one a ClientHello opened.
pub const MAX_HANDSHAKES: usize = 64;

/// Frames queued on one association while its handshake runs: NSTART_RELAY (§10.5.3), the most
/// confirmable envelopes the engine has outstanding towards one relay.
pub const MAX_QUEUED: usize = 32;

/// How long a handshake may take: a few of `dimpl`'s doubling flight retransmissions (from 1 s),
/// enough for a lossy path, short enough that a flood's endpoints go soon.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

/// Handshakes this relay starts in a row while frames wait to reach one relay: a handshake that
/// fails (its flights unanswered until [`HANDSHAKE_TIMEOUT`], an endpoint's error) starts again at
/// once with the frames, its flights' timers from their first value, up to this many in all. Three
/// handshake timeouts are the 45 s that the engine goes on retransmitting an envelope on a hop
/// (MAX_TRANSMIT_SPAN, §5.14), so frames wait no longer than their sender still wants them sent.
pub const HANDSHAKE_ATTEMPTS: u32 = 3;

/// An open association with no datagram either way for this long is closed: the relay pair
/// handshakes again when it next needs to.
pub const IDLE_EXPIRY: Duration = Duration::from_secs(600);

/// An open association on which this relay sent a confirmable envelope and heard nothing back for
/// this long is taken to be lost by the peer (it restarted, and drops records it has no keys for):
/// the next frame starts a new handshake. Above the relay hop's MIN_RTO_RELAY of 1 s and its first
/// retransmissions.
pub const SILENT_PEER: Duration = Duration::from_secs(8);

/// Relays this one knows the host name of, by address (routes, resolved SRV targets, redirect
/// targets), and addresses it told the engine are authenticated relays: the engine's table of
/// relays never shrinks, so neither does this one, and it stops growing here.
pub const MAX_KNOWN_RELAYS: usize = 4_096;

/// The largest datagram the relay reads or writes on the hop: a record carrying a MAX_MESSAGE
/// frame plus its header and AEAD tag ([IOTP-DLV-60]), with room to spare; handshake datagrams
/// stay within `dimpl`'s MTU of 1150 bytes.
pub const MAX_DATAGRAM: usize = iotp2p_protocol::params::MAX_MESSAGE + 64;

/// The relay's DTLS identity and trust: its certificate and key, and the CAs it validates other
/// relays' certificates with.
#[derive(Clone)]
pub struct DtlsSetup {
    /// Its certificate (DER), for the host name its domain's SRV records name it by.
    pub certificate: Vec<u8>,
    /// Its private key (DER: PKCS#8 or SEC1), P-256 or P-384.
    pub private_key: Vec<u8>,
    /// The CA certificates (DER) that issue other relays' certificates.
    pub trust_anchors: Vec<Vec<u8>>,
    /// Intermediate CA certificates (DER) between the anchors and other relays' leaves: the DTLS
    /// implementation hands over a peer's leaf alone, so a chain through an intermediate validates
    /// only with the intermediate configured here (see `verify.rs`).
    pub intermediates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for DtlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DtlsSetup({} B certificate, {} anchors)",
            self.certificate.len(),
            self.trust_anchors.len()
        )
    }
}

/// What the hop's counters read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DtlsCounts {
    /// Open associations now.
    pub associations: u64,
    /// Handshakes in progress now.
    pub handshakes: u64,
    /// Handshakes that ended with the peer authenticated.
    pub authenticated: u64,
    /// Handshakes refused for the peer's certificate ([IOTP-DLV-55]).
    pub refused: u64,
    /// Associations that failed (handshake timeout, fatal alert, an endpoint's error).
    pub failed: u64,
    /// DTLS datagrams dropped: from an address without an association that are no ClientHello,
    /// ClientHellos beyond [`MAX_HANDSHAKES`], frames beyond a full queue.
    pub dropped: u64,
    /// Unprotected frames dropped because their source is a relay's address.
    pub plain_from_relay: u64,
    /// DTLS datagrams sent, and their bytes.
    pub datagrams_sent: u64,
    /// Bytes of the DTLS datagrams sent.
    pub bytes_sent: u64,
    /// DTLS datagrams received, and their bytes.
    pub datagrams_received: u64,
    /// Bytes of the DTLS datagrams received.
    pub bytes_received: u64,
}

/// The counters, shared with the relay's handle.
#[derive(Debug, Default)]
pub(crate) struct DtlsStats {
    associations: AtomicU64,
    handshakes: AtomicU64,
    authenticated: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    dropped: AtomicU64,
    plain_from_relay: AtomicU64,
    datagrams_sent: AtomicU64,
    bytes_sent: AtomicU64,
    datagrams_received: AtomicU64,
    bytes_received: AtomicU64,
    /// Why the last peer certificate was refused, escaped (it may hold what the peer sent).
    last_refusal: std::sync::Mutex<Option<String>>,
}

impl DtlsStats {
    /// Why the last peer certificate was refused.
    pub(crate) fn last_refusal(&self) -> Option<String> {
        self.last_refusal.lock().ok().and_then(|r| r.clone())
    }

    pub(crate) fn counts(&self) -> DtlsCounts {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DtlsCounts {
            associations: r(&self.associations),
            handshakes: r(&self.handshakes),
            authenticated: r(&self.authenticated),
            refused: r(&self.refused),
            failed: r(&self.failed),
            dropped: r(&self.dropped),
            plain_from_relay: r(&self.plain_from_relay),
            datagrams_sent: r(&self.datagrams_sent),
            bytes_sent: r(&self.bytes_sent),
            datagrams_received: r(&self.datagrams_received),
            bytes_received: r(&self.bytes_received),
        }
    }

    pub(crate) fn plain_from_relay(&self) {
        self.plain_from_relay.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn sent(&self, bytes: usize) {
        self.datagrams_sent.fetch_add(1, Ordering::Relaxed);
        self.bytes_sent.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// What the hop puts out for the driver.
#[derive(Debug, Default)]
pub struct Out {
    /// DTLS datagrams to send as they are.
    pub datagrams: Vec<(SocketAddr, Vec<u8>)>,
    /// Frames received on authenticated associations: for the engine, from that address.
    pub frames: Vec<(SocketAddr, Vec<u8>)>,
    /// Peers that authenticated, with their host names: for the engine's `set_relay_hosts`.
    pub authenticated: Vec<(SocketAddr, Vec<String>)>,
}

/// Why the hop could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum DtlsError {
    /// `dimpl` refused its configuration.
    #[error("the DTLS configuration: {0}")]
    Config(String),
    /// The relay's certificate or key cannot be used.
    #[error("the relay's certificate or key: {0}")]
    Certificate(String),
    /// A trust anchor cannot be used.
    #[error("{0}")]
    Anchor(#[from] verify::Refused),
}

/// Checks that `setup` can be used (its key loads, its anchors parse), before the relay starts.
pub fn check(setup: &DtlsSetup) -> Result<(), DtlsError> {
    dtls_config()?;
    dimpl::crypto::rust_crypto::default_provider()
        .key_provider
        .load_private_key(&setup.private_key)
        .map_err(|e| DtlsError::Certificate(format!("its private key: {e}")))?;
    Verifier::new(setup.trust_anchors.clone(), setup.intermediates.clone())?;
    Ok(())
}

/// The DTLS configuration every association shares: DTLS 1.3 alone, certificates required of
/// both sides, the server's cookie.
fn dtls_config() -> Result<Config, DtlsError> {
    Config::builder()
        .with_crypto_provider(dimpl::crypto::rust_crypto::default_provider())
        .require_client_certificate(true)
        .use_server_cookie(true)
        .handshake_timeout(HANDSHAKE_TIMEOUT)
        // DTLS 1.3 only (§3.9.1).
        .dtls12_cipher_suites(&[])
        .build()
        .map_err(|e| DtlsError::Config(e.to_string()))
}

/// The relay's DTLS associations, by the other relay's address: sans-I/O, as the engine is (the
/// relay's driver carries its datagrams and runs its timers).
pub struct Hop {
    config: Arc<Config>,
    certificate: DtlsCertificate,
    verifier: Verifier,
    /// This relay's address: when two relays connect to each other at once, the one with the lower
    /// address keeps its client handshake and the other answers it.
    local: SocketAddr,
    /// The host names of relays this one reaches, by address: the reference identity of its
    /// handshakes with them.
    known: HashMap<SocketAddr, String>,
    /// Addresses the engine was told are authenticated relays (its table never shrinks).
    declared: HashSet<SocketAddr>,
    open: HashMap<SocketAddr, Association>,
    handshakes: HashMap<SocketAddr, Association>,
    stats: Arc<DtlsStats>,
}

impl Hop {
    /// The hop of the relay at `local` with `setup`.
    pub fn new(setup: DtlsSetup, local: SocketAddr) -> Result<Self, DtlsError> {
        let stats = Arc::new(DtlsStats::default());
        check(&setup)?;
        let config = dtls_config()?;
        let verifier = Verifier::new(setup.trust_anchors, setup.intermediates)?;
        Ok(Hop {
            config: Arc::new(config),
            certificate: DtlsCertificate {
                certificate: setup.certificate,
                private_key: setup.private_key,
            },
            verifier,
            local,
            known: HashMap::new(),
            declared: HashSet::new(),
            open: HashMap::new(),
            handshakes: HashMap::new(),
            stats,
        })
    }

    /// Its counters, shared with the relay's handle.
    pub(crate) fn stats(&self) -> Arc<DtlsStats> {
        self.stats.clone()
    }

    /// Its counters now.
    pub fn counts(&self) -> DtlsCounts {
        self.stats.counts()
    }

    /// `peer` is a relay with the host name `host` (a route's, a resolved SRV target): frames to
    /// it go through DTLS, its certificate must be valid for `host`. False when the table is full.
    pub fn expect(&mut self, peer: SocketAddr, host: &str) -> bool {
        if !self.known.contains_key(&peer) && self.known.len() >= MAX_KNOWN_RELAYS {
            return false;
        }
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.known.insert(peer, host);
        true
    }

    /// The TLSA records of the relay host name `host` (DANE, [IOTP-DLV-59]): its certificate must
    /// match one of them that is usable, besides validating. None: DANE does not apply to it.
    /// False when the table is full.
    pub fn expect_dane(&mut self, host: &str, records: Vec<crate::resolve::Tlsa>) -> bool {
        self.verifier.set_dane(host, records)
    }

    /// Whether `peer` is a relay's address: what goes to it goes through DTLS, and what comes from
    /// it unprotected is dropped.
    pub fn is_relay(&self, peer: &SocketAddr) -> bool {
        self.known.contains_key(peer)
            || self.declared.contains(peer)
            || self.open.contains_key(peer)
    }

    /// Sends `frame` to the relay at `peer`, starting a handshake if there is no association: a
    /// frame that asks for an answer, as [`send_frame`](Self::send_frame) says.
    pub fn send(&mut self, peer: SocketAddr, frame: Vec<u8>, now: Instant) -> Out {
        self.send_frame(peer, frame, true, now)
    }

    /// Sends `frame` to the relay at `peer`, starting a handshake if there is no association.
    /// `answered`: the frame asks the peer for an answer (a confirmable envelope, which its engine
    /// acknowledges); only frames that do make a peer that stays silent taken for one that lost the
    /// association ([`SILENT_PEER`]), so that a relay pair carrying non-confirmable envelopes one
    /// way keeps its association.
    pub fn send_frame(
        &mut self,
        peer: SocketAddr,
        frame: Vec<u8>,
        answered: bool,
        now: Instant,
    ) -> Out {
        let mut out = Out::default();
        let mut lost = None;
        if let Some(a) = self.open.get(&peer) {
            // A peer silent since long after what was sent: it lost the association.
            if a.unanswered_since
                .is_some_and(|t| now.duration_since(t) > SILENT_PEER)
            {
                lost = self.open.remove(&peer);
            }
        }
        let result = if let Some(a) = self.open.get_mut(&peer) {
            a.send(peer, frame, answered, &self.verifier, now, &mut out)
        } else {
            if !self.handshakes.contains_key(&peer) {
                // A flood of ClientHellos never keeps this relay from connecting: it makes room.
                if self.handshakes.len() >= MAX_HANDSHAKES && !self.make_room() {
                    DtlsStats::add(&self.stats.dropped);
                    return out;
                }
                let mut a = self.association(peer, PeerRole::Server, now);
                // What was written to a peer never heard from goes again.
                if let Some(mut lost) = lost {
                    a.take_queue(&mut lost);
                }
                self.handshakes.insert(peer, a);
            }
            match self.handshakes.get_mut(&peer) {
                Some(a) => a.send(peer, frame, answered, &self.verifier, now, &mut out),
                None => Ok(false),
            }
        };
        match result {
            Ok(true) => {}
            Ok(false) => DtlsStats::add(&self.stats.dropped),
            Err(ended) => self.end(peer, ended),
        }
        self.settle(now, &mut out);
        out
    }

    /// Takes a DTLS datagram from `peer`.
    pub fn receive(&mut self, peer: SocketAddr, datagram: &[u8], now: Instant) -> Out {
        let mut out = Out::default();
        self.stats
            .datagrams_received
            .fetch_add(1, Ordering::Relaxed);
        self.stats
            .bytes_received
            .fetch_add(datagram.len() as u64, Ordering::Relaxed);
        if demux::is_client_hello(datagram) && !self.client_hello(peer, datagram, now) {
            DtlsStats::add(&self.stats.dropped);
            self.settle(now, &mut out);
            return out;
        }
        let plaintext = demux::is_plaintext(datagram);
        let mut taken = false;
        // A handshake in progress reads first: unprotected records are only its.
        if let Some(a) = self.handshakes.get_mut(&peer) {
            taken = true;
            if let Err(ended) = a.receive(peer, datagram, &self.verifier, now, &mut out) {
                self.handshake_ended(peer, ended, now, &mut out);
            }
        }
        if !(plaintext && taken) {
            if let Some(a) = self.open.get_mut(&peer) {
                taken = true;
                if let Err(ended) = a.receive(peer, datagram, &self.verifier, now, &mut out) {
                    self.open.remove(&peer);
                    self.ended(ended);
                }
            }
        }
        if !taken {
            DtlsStats::add(&self.stats.dropped);
        }
        self.settle(now, &mut out);
        out
    }

    /// A ClientHello from `peer`: a server handshake for it, unless one runs (a retransmission, or
    /// the ClientHello that returns the cookie goes to the endpoint that made it). False when the
    /// ClientHello is to be dropped unread.
    fn client_hello(&mut self, peer: SocketAddr, datagram: &[u8], now: Instant) -> bool {
        let random = demux::first_client_hello_random(datagram);
        if let Some(ours) = self.handshakes.get(&peer) {
            if ours.peer_role == PeerRole::Client {
                // A first ClientHello with another random: the client gave up the handshake this
                // endpoint runs and started over; answering it with the old one's flight would
                // stall the new one until the old one's timeout.
                let started_over = random.is_some()
                    && ours.client_random.is_some()
                    && random != ours.client_random;
                if !started_over {
                    return true;
                }
                self.handshakes.remove(&peer);
                DtlsStats::add(&self.stats.failed);
            }
        }
        // From here on the ClientHello would open an endpoint, and only a first one may: one that
        // returns a cookie (or a later fragment) is a late copy whose endpoint is gone (its
        // handshake completed or was given up), and no other endpoint can verify its cookie. An
        // endpoint made for it would answer nothing, and would then take, as a copy of its own
        // handshake, the first ClientHello with which this client starts over.
        if random.is_none() {
            return false;
        }
        let late_copy = self
            .open
            .get(&peer)
            .is_some_and(|a| a.peer_role == PeerRole::Client && a.client_random == random);
        if late_copy {
            // A copy of the ClientHello of the association that is open.
            return false;
        }
        let mut queue_from = None;
        if self.handshakes.contains_key(&peer) {
            // This relay's own handshake with the peer runs: both relays connected at once.
            if self.local < peer {
                // The lower address keeps its client handshake (and its endpoint never sees the
                // other's ClientHello), the higher answers the lower's.
                return false;
            }
            queue_from = self.handshakes.remove(&peer);
        } else if self.handshakes.len() >= MAX_HANDSHAKES && !self.make_room() {
            return false;
        }
        let mut a = self.association(peer, PeerRole::Client, now);
        a.client_random = random;
        if let Some(mut ours) = queue_from {
            a.take_queue(&mut ours);
        }
        self.handshakes.insert(peer, a);
        true
    }

    /// Ends the oldest handshake a ClientHello opened, to make room for a new one; false if there
    /// is none (every handshake is one this relay started). A flood from addresses that never
    /// answer the HelloRetryRequest so only shortens how long each of its own endpoints waits,
    /// and a relay that answers within a round trip still gets through; refusing instead would let
    /// 64 spoofed ClientHellos shut every relay out for the handshake timeout.
    fn make_room(&mut self) -> bool {
        let oldest = self
            .handshakes
            .iter()
            .filter(|(_, a)| a.peer_role == PeerRole::Client)
            .min_by_key(|(_, a)| a.started)
            .map(|(p, _)| *p);
        let Some(oldest) = oldest else {
            return false;
        };
        self.handshakes.remove(&oldest);
        DtlsStats::add(&self.stats.dropped);
        true
    }

    /// Runs the endpoints' timers that are due, and expires handshakes and idle associations.
    pub fn on_timer(&mut self, now: Instant) -> Out {
        let mut out = Out::default();
        let mut ended = Vec::new();
        for (peer, a) in self.handshakes.iter_mut() {
            let expired = now.duration_since(a.started) > HANDSHAKE_TIMEOUT;
            if expired {
                ended.push((*peer, Ended::Failed, false));
            } else if a.timeout.is_some_and(|t| t <= now) {
                if let Err(e) = a.on_timer(*peer, &self.verifier, now, &mut out) {
                    ended.push((*peer, e, false));
                }
            }
        }
        for (peer, a) in self.open.iter_mut() {
            if a.peer_role == PeerRole::Server && a.unheard_for(SILENT_PEER, now) {
                // The server never had this relay's last flight (or lost the association): a new
                // handshake, with the frames it never answered.
                ended.push((*peer, Ended::Failed, true));
            } else if now.duration_since(a.last_active) > IDLE_EXPIRY {
                let closing = a.close(*peer, &self.verifier, now);
                out.datagrams.extend(closing.datagrams);
                ended.push((*peer, Ended::Closed, true));
            } else if a.timeout.is_some_and(|t| t <= now) {
                if let Err(e) = a.on_timer(*peer, &self.verifier, now, &mut out) {
                    ended.push((*peer, e, true));
                }
            }
        }
        for (peer, e, open) in ended {
            let table = if open {
                &mut self.open
            } else {
                &mut self.handshakes
            };
            match table.remove(&peer) {
                Some(a) => self.start_over(peer, a, e, now, &mut out),
                None => self.ended(e),
            }
        }
        self.settle(now, &mut out);
        out
    }

    /// The earliest moment the hop needs `on_timer`.
    pub fn next_deadline(&self) -> Option<Instant> {
        let handshakes = self.handshakes.values().flat_map(|a| {
            [
                a.timeout,
                Some(a.started + HANDSHAKE_TIMEOUT + Duration::from_millis(1)),
            ]
        });
        let open = self.open.values().flat_map(|a| {
            [
                a.timeout,
                Some(a.last_active + IDLE_EXPIRY + Duration::from_millis(1)),
                a.opened
                    .filter(|_| !a.heard && a.peer_role == PeerRole::Server)
                    .map(|t| t + SILENT_PEER + Duration::from_millis(1)),
            ]
        });
        handshakes.chain(open).flatten().min()
    }

    /// Moves handshakes that completed to the open table, declares their peers, counts.
    fn settle(&mut self, _now: Instant, out: &mut Out) {
        let done: Vec<SocketAddr> = self
            .handshakes
            .iter()
            .filter(|(_, a)| a.open)
            .map(|(p, _)| *p)
            .collect();
        for peer in done {
            let Some(a) = self.handshakes.remove(&peer) else {
                continue;
            };
            if !self.declared.contains(&peer) && self.declared.len() >= MAX_KNOWN_RELAYS {
                // The engine's table of relays would grow past the bound: not this one.
                out.authenticated.retain(|(p, _)| *p != peer);
                out.frames.retain(|(p, _)| *p != peer);
                DtlsStats::add(&self.stats.refused);
                continue;
            }
            if self.open.len() >= MAX_ASSOCIATIONS && !self.open.contains_key(&peer) {
                let idlest = self
                    .open
                    .iter()
                    .min_by_key(|(_, a)| a.last_active)
                    .map(|(p, _)| *p);
                if let Some(idlest) = idlest {
                    self.open.remove(&idlest);
                }
            }
            self.declared.insert(peer);
            self.open.insert(peer, a);
            DtlsStats::add(&self.stats.authenticated);
        }
        for (_, d) in &out.datagrams {
            self.stats.sent(d.len());
        }
        self.stats
            .associations
            .store(self.open.len() as u64, Ordering::Relaxed);
        self.stats
            .handshakes
            .store(self.handshakes.len() as u64, Ordering::Relaxed);
    }

    /// A new endpoint for a handshake with `peer`, which plays `peer_role` in it (this relay is the
    /// client when the peer is the server), with the host name the relay expects of it.
    fn association(&self, peer: SocketAddr, peer_role: PeerRole, now: Instant) -> Association {
        let mut dtls = Dtls::new_13(self.config.clone(), self.certificate.clone(), now);
        dtls.set_active(peer_role == PeerRole::Server);
        let expected = self.known.get(&peer).cloned();
        Association::new(dtls, peer_role, expected, now)
    }

    /// The handshake with `peer` ended without an association.
    fn handshake_ended(&mut self, peer: SocketAddr, ended: Ended, now: Instant, out: &mut Out) {
        match self.handshakes.remove(&peer) {
            Some(old) => self.start_over(peer, old, ended, now, out),
            None => self.ended(ended),
        }
    }

    /// `old`, taken out of its table, ended: if this relay started its handshake and it failed
    /// while frames wait (queued for it, or written before the peer was heard from), a new
    /// handshake starts with them, up to [`HANDSHAKE_ATTEMPTS`] in a row.
    fn start_over(
        &mut self,
        peer: SocketAddr,
        mut old: Association,
        ended: Ended,
        now: Instant,
        out: &mut Out,
    ) {
        let again = matches!(ended, Ended::Failed)
            && old.peer_role == PeerRole::Server
            && old.holds_frames()
            && old.attempt < HANDSHAKE_ATTEMPTS;
        self.ended(ended);
        if !again {
            return;
        }
        let mut a = self.association(peer, PeerRole::Server, now);
        a.attempt = old.attempt + 1;
        a.take_queue(&mut old);
        // The new endpoint's first flight, its ClientHello.
        match a.on_timer(peer, &self.verifier, now, out) {
            Ok(()) => {
                self.handshakes.insert(peer, a);
            }
            Err(ended) => self.ended(ended),
        }
    }

    fn end(&mut self, peer: SocketAddr, ended: Ended) {
        self.open.remove(&peer);
        self.handshakes.remove(&peer);
        self.ended(ended);
    }

    fn ended(&self, ended: Ended) {
        match ended {
            Ended::Refused(why) => {
                DtlsStats::add(&self.stats.refused);
                if let Ok(mut last) = self.stats.last_refusal.lock() {
                    *last = Some(why.to_string().escape_debug().to_string());
                }
            }
            Ended::Failed => DtlsStats::add(&self.stats.failed),
            Ended::Closed => {}
        }
    }
}
