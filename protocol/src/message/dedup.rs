//! Duplicate detection of unsealed envelopes and the cache of replies (spec §5.9).
//!
//! [`DedupCache`] recognises exact copies of the unsealed envelopes a node accepted: an entry (origin,
//! `message_id`, digest) for DEDUP_CACHE_LIFETIME ([IOTP-MSG-109]), and nothing else, so that a forged
//! envelope can only push older entries out ([IOTP-MSG-113], [IOTP-MSG-114]): there is no high-water
//! mark. Sealed envelopes never come here: their replay window is their only duplicate detection
//! ([IOTP-MSG-108]).
//!
//! [`ReplyCache`] keeps each reply with the digest of the request it answered, for EXCHANGE_LIFETIME,
//! and resends it only to a copy with the same digest ([IOTP-MSG-56], [IOTP-MSG-115]).
//!
//! **Bounds.** Both caches hold at most `capacity` entries (at least [`DEDUP_CACHE_MIN`]); a full cache
//! drops its oldest entry. A reply is at most [`MAX_MESSAGE`] bytes, so the reply cache holds at most
//! `capacity × MAX_MESSAGE` bytes.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use super::digest::Digest;
use crate::params::{Instant, DEDUP_CACHE_MIN, MAX_MESSAGE};

#[derive(Clone, Debug)]
struct Entry<O> {
    origin: O,
    message_id: u64,
    digest: Digest,
    at: Instant,
}

/// The duplicate cache of a recipient, for unsealed envelopes. `O` identifies an origin: the resolved
/// sender's address, or the hop peer's transport address for an anonymous sender.
#[derive(Clone, Debug)]
pub struct DedupCache<O> {
    capacity: usize,
    lifetime: u64,
    entries: VecDeque<Entry<O>>,
}

impl<O: PartialEq + Clone> DedupCache<O> {
    /// A cache of `capacity` entries (at least DEDUP_CACHE_MIN, [IOTP-MSG-112]), each kept `lifetime`
    /// ms (DEDUP_CACHE_LIFETIME).
    pub fn new(capacity: usize, lifetime: u64) -> Self {
        DedupCache {
            capacity: capacity.max(DEDUP_CACHE_MIN),
            lifetime,
            entries: VecDeque::new(),
        }
    }

    /// How many entries the cache holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the envelope is a duplicate ([IOTP-MSG-110]); if not, records it (step 7 of §5.9.1).
    /// Never refuses an envelope because the cache is full ([IOTP-MSG-114]).
    pub fn check_and_insert(
        &mut self,
        origin: &O,
        message_id: u64,
        digest: &Digest,
        now: Instant,
    ) -> bool {
        self.expire(now);
        let duplicate = self
            .entries
            .iter()
            .any(|e| e.message_id == message_id && e.digest == *digest && e.origin == *origin);
        if !duplicate {
            if self.entries.len() >= self.capacity {
                self.entries.pop_front();
            }
            self.entries.push_back(Entry {
                origin: origin.clone(),
                message_id,
                digest: *digest,
                at: now,
            });
        }
        duplicate
    }

    /// Drops the entries older than the lifetime.
    pub fn expire(&mut self, now: Instant) {
        let lifetime = self.lifetime;
        while self
            .entries
            .front()
            .is_some_and(|e| now >= e.at.saturating_add(lifetime))
        {
            self.entries.pop_front();
        }
    }
}

#[derive(Clone, Debug)]
struct Reply {
    request: Digest,
    bytes: Vec<u8>,
    at: Instant,
}

/// The replies a node sent, each with the digest of the request it answered.
#[derive(Clone, Debug)]
pub struct ReplyCache {
    capacity: usize,
    lifetime: u64,
    replies: VecDeque<Reply>,
}

impl ReplyCache {
    /// A cache of `capacity` replies, each kept `lifetime` ms (EXCHANGE_LIFETIME).
    pub fn new(capacity: usize, lifetime: u64) -> Self {
        ReplyCache {
            capacity: capacity.max(1),
            lifetime,
            replies: VecDeque::new(),
        }
    }

    /// How many replies the cache holds.
    pub fn len(&self) -> usize {
        self.replies.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.replies.is_empty()
    }

    /// Keeps `reply` (at most MAX_MESSAGE bytes; longer ones are not kept) as the answer to the request
    /// with digest `request`.
    pub fn insert(&mut self, request: Digest, reply: &[u8], now: Instant) {
        self.expire(now);
        if reply.len() > MAX_MESSAGE {
            return;
        }
        self.replies.retain(|r| r.request != request);
        if self.replies.len() >= self.capacity {
            self.replies.pop_front();
        }
        self.replies.push_back(Reply {
            request,
            bytes: reply.to_vec(),
            at: now,
        });
    }

    /// The reply to resend to a duplicate whose digest is `request`, if still kept.
    pub fn get(&mut self, request: &Digest, now: Instant) -> Option<&[u8]> {
        self.expire(now);
        self.replies
            .iter()
            .find(|r| r.request == *request)
            .map(|r| r.bytes.as_slice())
    }

    /// Drops the replies older than the lifetime.
    pub fn expire(&mut self, now: Instant) {
        let lifetime = self.lifetime;
        while self
            .replies
            .front()
            .is_some_and(|r| now >= r.at.saturating_add(lifetime))
        {
            self.replies.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_copies_are_duplicates() {
        let mut c = DedupCache::new(8, 1000);
        let (d1, d2) = ([1; 32], [2; 32]);
        assert!(!c.check_and_insert(&"a", 5, &d1, 0));
        assert!(c.check_and_insert(&"a", 5, &d1, 10));
        assert!(
            !c.check_and_insert(&"a", 5, &d2, 10),
            "same id, other content: new"
        );
        assert!(!c.check_and_insert(&"b", 5, &d1, 10), "other origin: new");
        assert!(!c.check_and_insert(&"a", 4, &d1, 10), "no high-water mark");
        assert!(
            !c.check_and_insert(&"a", 5, &d1, 1000),
            "expired after the lifetime"
        );
    }

    #[test]
    fn a_flood_only_pushes_out_old_entries() {
        let mut c = DedupCache::new(8, 1_000_000);
        assert!(!c.check_and_insert(&0u32, 1, &[0; 32], 0));
        for i in 0..100u64 {
            assert!(
                !c.check_and_insert(&1u32, i, &[9; 32], 1),
                "never refused when full"
            );
            assert!(c.len() <= 8);
        }
        assert!(
            !c.check_and_insert(&0u32, 1, &[0; 32], 2),
            "pushed out, so new again"
        );
    }

    #[test]
    fn replies_are_resent_only_to_the_same_request() {
        let mut r = ReplyCache::new(2, 100);
        r.insert([1; 32], b"reply-1", 0);
        assert_eq!(r.get(&[1; 32], 50), Some(&b"reply-1"[..]));
        assert_eq!(r.get(&[2; 32], 50), None);
        r.insert([2; 32], b"reply-2", 60);
        r.insert([3; 32], b"reply-3", 60);
        assert_eq!(r.get(&[1; 32], 60), None, "the oldest went when full");
        assert_eq!(r.get(&[3; 32], 159), Some(&b"reply-3"[..]));
        assert_eq!(r.get(&[3; 32], 160), None, "EXCHANGE_LIFETIME passed");
    }
}
