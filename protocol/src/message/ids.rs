//! The node-wide counter of unsealed `message_id`s (spec §5.4): one counter for every unsealed envelope
//! a node sends, whatever its recipient ([IOTP-MSG-99]); sealed envelopes use the Sender Sequence
//! Number of their context instead ([IOTP-SEC-168]).

use crate::params::MAX_SEALED_MESSAGE_ID;

/// Largest `message_id` of any envelope: 2^40 − 1 ([IOTP-MSG-102]).
pub const MAX_MESSAGE_ID: u64 = MAX_SEALED_MESSAGE_ID;

/// The node-wide counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeCounter {
    next: u64,
}

impl NodeCounter {
    /// A counter that continues from `stored`: 0 for a new node, or after a restart the value stored
    /// ahead of the counter ([IOTP-MSG-18], [IOTP-MSG-100]).
    pub const fn resume(stored: u64) -> NodeCounter {
        NodeCounter { next: stored }
    }

    /// The `message_id` of the next unsealed envelope, or `None` once the counter is used up: the
    /// node then sends no further unsealed envelopes ([IOTP-MSG-102]).
    pub fn next_id(&mut self) -> Option<u64> {
        if self.next > MAX_MESSAGE_ID {
            return None;
        }
        let id = self.next;
        self.next += 1;
        Some(id)
    }

    /// The `message_id` the next unsealed envelope will take, without taking it.
    pub const fn peek(&self) -> u64 {
        self.next
    }

    /// The first value from the next on that `avoid` does not hold: the counter may skip values
    /// ([IOTP-MSG-99]), and does so to keep a confirmable envelope off the identifiers in use
    /// towards its hop peer ([IOTP-MSG-142]). At most `avoid.len()` values are skipped.
    pub fn peek_avoiding(&self, avoid: &[u64]) -> u64 {
        first_free(self.next, avoid)
    }

    /// Takes [`NodeCounter::peek_avoiding`]: the values skipped are never used.
    pub fn next_id_avoiding(&mut self, avoid: &[u64]) -> Option<u64> {
        self.next = self.peek_avoiding(avoid);
        self.next_id()
    }

    /// The value to write to persistent storage so that, after a restart, the counter continues
    /// beyond every value used before it stores again `ahead` envelopes later ([IOTP-MSG-18]).
    pub const fn stored_ahead(&self, ahead: u64) -> u64 {
        self.next.saturating_add(ahead)
    }
}

/// The first value from `start` on that `avoid` does not hold (at most `avoid.len()` further): the
/// next `message_id` of the node-wide counter or of a Sender Sequence Number ([IOTP-MSG-142]).
pub fn first_free(start: u64, avoid: &[u64]) -> u64 {
    let mut id = start;
    while avoid.contains(&id) {
        id = id.saturating_add(1);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_and_stops_at_the_limit() {
        let mut c = NodeCounter::resume(0);
        assert_eq!(c.next_id(), Some(0));
        assert_eq!(c.next_id(), Some(1));
        assert_eq!(c.stored_ahead(256), 258);
        let mut c = NodeCounter::resume(MAX_MESSAGE_ID);
        assert_eq!(c.next_id(), Some(MAX_MESSAGE_ID));
        assert_eq!(c.next_id(), None);
        assert_eq!(c.next_id(), None);
    }

    #[test]
    fn skips_the_values_to_avoid_and_never_goes_back() {
        let mut c = NodeCounter::resume(5);
        assert_eq!(c.peek_avoiding(&[5, 6, 9]), 7);
        assert_eq!(c.next_id_avoiding(&[5, 6, 9]), Some(7));
        assert_eq!(c.next_id_avoiding(&[3, 4]), Some(8));
        assert_eq!(c.next_id_avoiding(&[9]), Some(10));
        assert_eq!(c.next_id(), Some(11));
    }
}
