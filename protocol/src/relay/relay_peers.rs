//! The other relays a home relay talks to (spec §3.9.1): for each hop peer the caller authenticated
//! as a relay, the domain whose SRV records name it and the host name it authenticated with.
//!
//! Authentication is the caller's (DTLS with the certificate of [IOTP-DLV-54] to [IOTP-DLV-56]);
//! so is resolving which relays a domain's SRV records name. The caller says what it established,
//! and the relay applies the check of [IOTP-DLV-57] with it: a relay may send for the domain it was
//! declared for, and, by its host name, for the addresses whose registration names it in
//! `previous_relays` ([IOTP-DLV-112], [`super::relay_change`]).
//!
//! **Bound.** The table is the caller's configuration (one entry per hop peer it declares, with the
//! domains it declares for it), never grown by what arrives from the network; a peer's host names
//! are those its certificate proved, at most [`MAX_RELAY_HOSTS`], replaced at each declaration.

use alloc::string::String;
use alloc::vec::Vec;

/// How many host names of one relay hop peer are kept: a certificate may name several (one provider's
/// relay serving the domains of many), and the check of [IOTP-DLV-112] passes with any of them.
pub const MAX_RELAY_HOSTS: usize = 16;

/// What the caller established about one relay hop peer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RelayPeer<P> {
    hop: P,
    /// The domains whose SRV records name it, for each of which it may send ([IOTP-DLV-57]): one
    /// provider's relay serves many domains.
    domains: Vec<String>,
    /// The host names it authenticated with (§3.9.1), lower case, without a final dot.
    hosts: Vec<String>,
}

/// The authenticated relays among the hop peers.
#[derive(Clone, Debug)]
pub(super) struct RelayPeers<P> {
    peers: Vec<RelayPeer<P>>,
}

impl<P: PartialEq> RelayPeers<P> {
    /// None declared yet.
    pub(super) fn new() -> Self {
        RelayPeers { peers: Vec::new() }
    }

    fn entry(&mut self, hop: P) -> &mut RelayPeer<P> {
        let i = match self.peers.iter().position(|p| p.hop == hop) {
            Some(i) => i,
            None => {
                self.peers.push(RelayPeer {
                    hop,
                    domains: Vec::new(),
                    hosts: Vec::new(),
                });
                self.peers.len() - 1
            }
        };
        &mut self.peers[i]
    }

    /// `hop` is a relay that `domain`'s SRV records name, besides any other domain declared for it.
    pub(super) fn declare_domain(&mut self, hop: P, domain: &str) {
        let domains = &mut self.entry(hop).domains;
        if !domains.iter().any(|d| d == domain) {
            domains.push(domain.into());
        }
    }

    /// `hop` is a relay that authenticated with the host names `hosts` (the first
    /// [`MAX_RELAY_HOSTS`]), in place of those it authenticated with before: a new handshake may
    /// bring a new certificate, and a name the peer no longer proves is no longer its.
    pub(super) fn declare_hosts(&mut self, hop: P, hosts: &[&str]) {
        let entry = &mut self.entry(hop);
        entry.hosts.clear();
        for host in hosts.iter().map(|h| host_name(h)) {
            if entry.hosts.len() < MAX_RELAY_HOSTS && !entry.hosts.contains(&host) {
                entry.hosts.push(host);
            }
        }
    }

    /// Whether `hop` is an authenticated relay.
    pub(super) fn is_relay(&self, hop: &P) -> bool {
        self.peers.iter().any(|p| p.hop == *hop)
    }

    /// Whether `hop` is a relay of `domain` ([IOTP-DLV-57]).
    pub(super) fn sends_for(&self, hop: &P, domain: &str) -> bool {
        self.peers
            .iter()
            .any(|p| p.hop == *hop && p.domains.iter().any(|d| d == domain))
    }

    /// The host names `hop` authenticated with, if it is a relay and the caller named them.
    pub(super) fn hosts(&self, hop: &P) -> &[String] {
        self.peers
            .iter()
            .find(|p| p.hop == *hop)
            .map_or(&[], |p| p.hosts.as_slice())
    }
}

/// A host name as DNS compares it: lower case (ASCII), without the root's final dot.
pub(super) fn host_name(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}
