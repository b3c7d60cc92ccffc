//! The other relays a home relay talks to (spec §3.9.1): for each hop peer the caller authenticated
//! as a relay, the domain whose SRV records name it and the host name it authenticated with.
//!
//! Authentication is the caller's (DTLS with the certificate of [IOTP-DLV-54] to [IOTP-DLV-56]);
//! so is resolving which relays a domain's SRV records name. The caller says what it established,
//! and the relay applies the check of [IOTP-DLV-57] with it: a relay may send for the domain it was
//! declared for, and, by its host name, for the addresses whose registration names it in
//! `previous_relays` ([IOTP-DLV-112], [`super::relay_change`]).
//!
//! **Bound.** The table is the caller's configuration (one entry per hop peer it declares), never
//! grown by what arrives from the network.

use alloc::string::String;
use alloc::vec::Vec;

/// What the caller established about one relay hop peer.
#[derive(Clone, Debug, PartialEq, Eq)]
struct RelayPeer<P> {
    hop: P,
    /// The domain whose SRV records name it, for which it may send ([IOTP-DLV-57]).
    domain: Option<String>,
    /// The host name it authenticated with (§3.9.1), lower case, without a final dot.
    host: Option<String>,
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
                    domain: None,
                    host: None,
                });
                self.peers.len() - 1
            }
        };
        &mut self.peers[i]
    }

    /// `hop` is a relay that `domain`'s SRV records name.
    pub(super) fn declare_domain(&mut self, hop: P, domain: &str) {
        self.entry(hop).domain = Some(domain.into());
    }

    /// `hop` is a relay that authenticated with the host name `host`.
    pub(super) fn declare_host(&mut self, hop: P, host: &str) {
        self.entry(hop).host = Some(host_name(host));
    }

    /// Whether `hop` is an authenticated relay.
    pub(super) fn is_relay(&self, hop: &P) -> bool {
        self.peers.iter().any(|p| p.hop == *hop)
    }

    /// Whether `hop` is a relay of `domain` ([IOTP-DLV-57]).
    pub(super) fn sends_for(&self, hop: &P, domain: &str) -> bool {
        self.peers
            .iter()
            .any(|p| p.hop == *hop && p.domain.as_deref() == Some(domain))
    }

    /// The host name `hop` authenticated with, if it is a relay and the caller named it.
    pub(super) fn host(&self, hop: &P) -> Option<&str> {
        self.peers
            .iter()
            .find(|p| p.hop == *hop)
            .and_then(|p| p.host.as_deref())
    }
}

/// A host name as DNS compares it: lower case (ASCII), without the root's final dot.
pub(super) fn host_name(host: &str) -> String {
    host.trim_end_matches('.').to_ascii_lowercase()
}
