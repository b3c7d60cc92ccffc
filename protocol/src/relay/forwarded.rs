//! The digests of the envelopes a relay forwarded or gave up (spec §5.9.2): a copy with a kept digest is
//! acknowledged again and not forwarded again ([IOTP-MSG-119], [IOTP-MSG-120]); nothing else is a
//! duplicate ([IOTP-MSG-121]). The digests of envelopes still held live with them in
//! [`super::held::Queue`]; this keeps the others for RELAY_DEDUP_LIFETIME ([IOTP-MSG-117]).
//!
//! **Bound.** At most `per_peer` digests for each hop peer ([IOTP-MSG-122]); a full peer's oldest goes
//! first ([IOTP-MSG-118]). Only the relay's own nodes and authenticated relays get envelopes forwarded,
//! so the number of peers is bounded by the registrations and the federation peers.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::message::digest::Digest;
use crate::params::Instant;

/// Digests per hop peer, each with the time it was forwarded or given up.
#[derive(Clone, Debug)]
pub struct Forwarded<P> {
    per_peer: usize,
    lifetime: u64,
    peers: Vec<(P, VecDeque<(Digest, Instant)>)>,
}

impl<P: PartialEq + Clone> Forwarded<P> {
    /// Keeps at most `per_peer` digests per hop peer (at least 1), each for `lifetime` ms.
    pub fn new(per_peer: usize, lifetime: u64) -> Self {
        Forwarded {
            per_peer: per_peer.max(1),
            lifetime,
            peers: Vec::new(),
        }
    }

    /// Records that the envelope `digest`, received from `peer`, was forwarded or given up at `now`.
    pub fn insert(&mut self, peer: &P, digest: Digest, now: Instant) {
        self.expire(now);
        let index = match self.peers.iter().position(|(p, _)| p == peer) {
            Some(i) => i,
            None => {
                self.peers.push((peer.clone(), VecDeque::new()));
                self.peers.len() - 1
            }
        };
        let digests = &mut self.peers[index].1;
        if digests.len() >= self.per_peer {
            digests.pop_front();
        }
        digests.push_back((digest, now));
    }

    /// Whether the digest is kept (from any hop peer: a copy by another path is the same envelope).
    pub fn contains(&mut self, digest: &Digest, now: Instant) -> bool {
        self.expire(now);
        self.peers
            .iter()
            .any(|(_, d)| d.iter().any(|(kept, _)| kept == digest))
    }

    /// Forgets the digest, from every hop peer.
    pub fn remove(&mut self, digest: &Digest) {
        for (_, digests) in &mut self.peers {
            digests.retain(|(kept, _)| kept != digest);
        }
        self.peers.retain(|(_, d)| !d.is_empty());
    }

    /// How many digests are kept.
    pub fn len(&self) -> usize {
        self.peers.iter().map(|(_, d)| d.len()).sum()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn expire(&mut self, now: Instant) {
        for (_, digests) in &mut self.peers {
            while digests
                .front()
                .is_some_and(|(_, at)| at.saturating_add(self.lifetime) <= now)
            {
                digests.pop_front();
            }
        }
        self.peers.retain(|(_, d)| !d.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_is_kept_for_its_lifetime_and_the_oldest_of_a_full_peer_goes_first() {
        let mut f = Forwarded::new(2, 1_000);
        f.insert(&"a", [1; 32], 0);
        f.insert(&"a", [2; 32], 10);
        assert!(f.contains(&[1; 32], 999));
        f.insert(&"a", [3; 32], 20);
        assert!(!f.contains(&[1; 32], 20));
        assert!(f.contains(&[2; 32], 20));
        // Another peer's digests are bounded separately.
        f.insert(&"b", [4; 32], 20);
        assert_eq!(f.len(), 3);
        assert!(!f.contains(&[2; 32], 1_010));
        assert!(f.contains(&[4; 32], 1_019));
        assert_eq!(f.len(), 2);
        assert!(!f.contains(&[4; 32], 1_020));
        assert!(f.is_empty());
    }
}
