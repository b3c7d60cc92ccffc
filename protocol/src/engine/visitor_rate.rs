//! The rate limit on handshakes with ID_CRED_I by value (spec §8.4.6, [IOTP-SEC-162],
//! [IOTP-SEC-200], [IOTP-SEC-201]): each transport address of a hop peer, and each claimed node ID,
//! may make VISITOR_HANDSHAKE_BURST of them at once and one more every VISITOR_HANDSHAKE_INTERVAL.
//! A handshake must be within the allowance of both its address and its node ID, and uses up one of
//! each; one that is not is refused and uses nothing.
//!
//! Each allowance is a token bucket kept as the time at which it will be full again (the "theoretical
//! arrival time" of the generic cell rate algorithm): one instant per source, integer milliseconds,
//! no float. A source whose allowance is full again carries no information and is forgotten.
//!
//! **Bounds.** At most `capacity` addresses and `capacity` node IDs are counted at once. When a table
//! is full of sources still limited, a handshake from a new source is refused rather than a count
//! forgotten ([IOTP-SEC-201]): forgetting would let an attacker with many addresses or node IDs
//! reset its own counts, and refusing bounds the by-value handshakes the node verifies to about
//! `capacity` per VISITOR_HANDSHAKE_INTERVAL, however many sources there are.

use alloc::vec::Vec;

use crate::params::Instant;
use crate::security::edhoc::NodeIdClaim;

/// VISITOR_HANDSHAKE_BURST (§8.4.6): handshakes with ID_CRED_I by value one hop-peer address, or one
/// claimed node ID, may make at once.
pub const VISITOR_HANDSHAKE_BURST: u64 = 4;

/// VISITOR_HANDSHAKE_INTERVAL (§8.4.6), in ms: after the burst, one more such handshake per interval.
pub const VISITOR_HANDSHAKE_INTERVAL: u64 = 15_000;

/// How far ahead of `now` a source's allowance may be used up and still admit one more: the burst
/// less the handshake being admitted.
const TOLERANCE: u64 = (VISITOR_HANDSHAKE_BURST - 1) * VISITOR_HANDSHAKE_INTERVAL;

/// The allowances of one kind of source: each source and when its allowance is full again.
#[derive(Debug)]
struct Allowances<K> {
    /// At most `capacity` entries, each still limited (full again after the last look).
    full_again: Vec<(K, Instant)>,
    capacity: usize,
}

impl<K: PartialEq> Allowances<K> {
    fn new(capacity: usize) -> Self {
        Allowances {
            full_again: Vec::new(),
            capacity: capacity.max(1),
        }
    }

    /// Forgets the sources whose allowance is full again at `now`.
    fn forget_full(&mut self, now: Instant) {
        self.full_again.retain(|&(_, at)| at > now);
    }

    /// Whether `source` may make one more handshake at `now`: within its allowance, or not yet
    /// counted and there is room to count it.
    fn admits(&self, source: &K, now: Instant) -> bool {
        match self.full_again.iter().find(|(k, _)| k == source) {
            Some(&(_, at)) => at <= now.saturating_add(TOLERANCE),
            None => self.full_again.len() < self.capacity,
        }
    }

    /// Uses up one handshake of `source`'s allowance at `now` (after [`Allowances::admits`]).
    fn take(&mut self, source: K, now: Instant) {
        if let Some((_, at)) = self.full_again.iter_mut().find(|(k, _)| *k == source) {
            *at = (*at).max(now).saturating_add(VISITOR_HANDSHAKE_INTERVAL);
        } else if self.full_again.len() < self.capacity {
            let at = now.saturating_add(VISITOR_HANDSHAKE_INTERVAL);
            self.full_again.push((source, at));
        }
    }
}

/// The allowances of hop-peer transport addresses `P` and of claimed node IDs.
#[derive(Debug)]
pub(super) struct VisitorRate<P> {
    addresses: Allowances<P>,
    claims: Allowances<NodeIdClaim>,
}

impl<P: PartialEq> VisitorRate<P> {
    /// Counts at most `capacity` addresses and as many node IDs (raised to 1).
    pub(super) fn new(capacity: usize) -> Self {
        VisitorRate {
            addresses: Allowances::new(capacity),
            claims: Allowances::new(capacity),
        }
    }

    /// Admits a handshake by value from the hop peer `from` claiming `claim` at `now`, using up one
    /// of each's allowance, or refuses it and uses nothing.
    pub(super) fn admit(&mut self, from: P, claim: NodeIdClaim, now: Instant) -> bool {
        self.addresses.forget_full(now);
        self.claims.forget_full(now);
        if !(self.addresses.admits(&from, now) && self.claims.admits(&claim, now)) {
            return false;
        }
        self.addresses.take(from, now);
        self.claims.take(claim, now);
        true
    }

    /// How many addresses and node IDs are counted.
    pub(super) fn counted(&self) -> (usize, usize) {
        (
            self.addresses.full_again.len(),
            self.claims.full_again.len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(n: u8) -> NodeIdClaim {
        NodeIdClaim::for_tests(n)
    }

    #[test]
    fn a_source_gets_the_burst_then_one_per_interval() {
        let mut rate = VisitorRate::new(8);
        for _ in 0..VISITOR_HANDSHAKE_BURST {
            assert!(rate.admit(1u8, claim(0), 0));
        }
        assert!(!rate.admit(1, claim(0), 0), "beyond the burst");
        // Refused handshakes use nothing: one interval later exactly one more is admitted.
        assert!(!rate.admit(1, claim(0), VISITOR_HANDSHAKE_INTERVAL - 1));
        assert!(rate.admit(1, claim(0), VISITOR_HANDSHAKE_INTERVAL));
        assert!(!rate.admit(1, claim(0), VISITOR_HANDSHAKE_INTERVAL));
        // After a quiet while the whole burst again, no more.
        let later = 10 * VISITOR_HANDSHAKE_INTERVAL;
        let admitted = (0..10).filter(|_| rate.admit(1, claim(0), later)).count();
        assert_eq!(admitted as u64, VISITOR_HANDSHAKE_BURST);
    }

    #[test]
    fn an_address_and_a_node_id_are_limited_each() {
        let mut rate = VisitorRate::new(8);
        // One address under ever new node IDs: its own limit.
        let from_one_address = (0..10).filter(|&n| rate.admit(1u8, claim(n), 0)).count();
        assert_eq!(from_one_address as u64, VISITOR_HANDSHAKE_BURST);
        // One node ID from ever new addresses: its own limit.
        let one_claim = (10..20).filter(|&a| rate.admit(a, claim(99), 0)).count();
        assert_eq!(one_claim as u64, VISITOR_HANDSHAKE_BURST);
        // Another address with another node ID is not held back by either.
        assert!(rate.admit(50, claim(50), 0));
    }

    #[test]
    fn a_full_table_refuses_new_sources_and_forgets_none_still_limited() {
        let capacity = 4;
        let mut rate = VisitorRate::new(capacity);
        for a in 0..200u8 {
            let admitted = rate.admit(a, claim(a), 0);
            assert_eq!(admitted, usize::from(a) < capacity, "source {a}");
            assert!(rate.counted().0 <= capacity && rate.counted().1 <= capacity);
        }
        // The first sources are still counted: their burst is not reset by the flood.
        for _ in 1..VISITOR_HANDSHAKE_BURST {
            assert!(rate.admit(0, claim(0), 0));
        }
        assert!(!rate.admit(0, claim(0), 0));
        // Once their allowances are full again they are forgotten and new sources come in.
        let later = VISITOR_HANDSHAKE_BURST * VISITOR_HANDSHAKE_INTERVAL;
        assert!(rate.admit(200, claim(200), later));
        assert_eq!(rate.counted(), (1, 1));
    }

    #[test]
    fn far_instants_do_not_overflow() {
        let mut rate = VisitorRate::new(2);
        assert!(rate.admit(1u8, claim(1), u64::MAX - 1));
        assert!(rate.admit(1, claim(1), u64::MAX));
        assert!(rate.counted().0 <= 2);
    }
}
