//! What a home relay holds for one of its nodes (spec §3.7, §5.11): the envelopes accepted for it, in
//! the order first received ([IOTP-DLV-106]), each kept until a receipt of the node names it or its
//! hold time ends ([IOTP-DLV-107]), never deleted because of an acknowledgement alone
//! ([IOTP-DLV-108]).
//!
//! **Bounds.** At most [`Limits::max_messages`] envelopes and [`Limits::max_bytes`] bytes per node
//! (at least 16 and 4096, [IOTP-DLV-33]); a request beyond them is refused with `QueueFull`
//! ([IOTP-DLV-35]), a held request is never dropped for another ([IOTP-DLV-36]), and replies make room
//! for a reply by dropping the oldest held replies ([IOTP-DLV-37]).

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::message::digest::Digest;
use crate::params::Instant;

/// The least a home relay holds for each node ([IOTP-DLV-33]).
pub const MIN_HELD_MESSAGES: u32 = 16;
/// The least number of bytes a home relay holds for each node ([IOTP-DLV-33]).
pub const MIN_HELD_BYTES: u32 = 4096;
/// The least `max_hold_time` of a home relay, in seconds ([IOTP-DLV-39]).
pub const MIN_HOLD_TIME: u32 = 86_400;

/// How much a relay holds for one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Most envelopes held.
    pub max_messages: u32,
    /// Most bytes of envelopes held.
    pub max_bytes: u32,
    /// Longest hold, in seconds ([IOTP-DLV-38]).
    pub max_hold_time: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_messages: MIN_HELD_MESSAGES,
            max_bytes: MIN_HELD_BYTES,
            max_hold_time: MIN_HOLD_TIME,
        }
    }
}

/// How a delivered envelope named its sender, which is how the node's receipt names it (§5.11.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The delivered envelope's `message_id`.
    pub message_id: u64,
    /// Its `sender`, when it carried one.
    pub sender: Option<String>,
    /// Its `sender_contact`, when it carried one.
    pub sender_contact: Option<u16>,
}

/// One held envelope. `R` is where a non-delivery status about it goes (§3.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held<R> {
    /// The envelope's digest (§5.9.2).
    pub digest: Digest,
    /// The envelope as it arrived.
    pub bytes: Vec<u8>,
    /// Its `message_id`.
    pub message_id: u64,
    /// Its resolved sender's address (`None`: the relay's own service sent it).
    pub sender: Option<String>,
    /// Whether it is a request (a non-delivery status may be owed for it).
    pub request: bool,
    /// When the relay accepted it.
    pub received: Instant,
    /// Its `ttl` when it arrived, in seconds.
    pub ttl: Option<u32>,
    /// Where a non-delivery status about it goes.
    pub route: R,
    /// How it was written when delivered in the node's current wake-up, or in an earlier one without
    /// a receipt since.
    pub delivered: Option<Written>,
}

impl<R> Held<R> {
    /// When its hold ends: the end of its `ttl` or the hold time, whichever comes first
    /// ([IOTP-DLV-38], [IOTP-DLV-40]).
    pub fn expiry(&self, max_hold_time: u32) -> Instant {
        let hold = u64::from(self.ttl.map_or(max_hold_time, |t| t.min(max_hold_time)));
        self.received.saturating_add(hold * 1_000)
    }

    /// Its `ttl` after being held until `now`, decreased by the time held rounded up to a whole
    /// second ([IOTP-MSG-65]); `None` inside when it had none, [`TtlSpent`] when nothing would remain
    /// ([IOTP-MSG-66]).
    pub fn ttl_at(&self, now: Instant) -> Result<Option<u32>, TtlSpent> {
        let Some(ttl) = self.ttl else {
            return Ok(None);
        };
        let held = now.saturating_sub(self.received).div_ceil(1_000);
        match u64::from(ttl).checked_sub(held) {
            Some(left) if left > 0 || (ttl == 0 && held == 0) => Ok(Some(left as u32)),
            _ => Err(TtlSpent),
        }
    }
}

/// A held envelope's `ttl` has run out: it may no longer be forwarded ([IOTP-MSG-66]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TtlSpent;

/// Why an envelope was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A request beyond the limits: answered `QueueFull` ([IOTP-DLV-35]).
    QueueFull,
    /// A reply that does not fit even after every held reply was dropped: dropped itself.
    ReplyDropped,
}

/// The envelopes held for one node, oldest first.
#[derive(Clone, Debug)]
pub struct Queue<R> {
    items: VecDeque<Held<R>>,
    bytes: usize,
}

impl<R> Default for Queue<R> {
    fn default() -> Self {
        Queue {
            items: VecDeque::new(),
            bytes: 0,
        }
    }
}

impl<R> Queue<R> {
    /// How many envelopes are held (delivered ones awaiting their receipt included).
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many bytes are held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The held envelopes, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Held<R>> {
        self.items.iter()
    }

    /// Whether an envelope with this digest is held.
    pub fn holds(&self, digest: &Digest) -> bool {
        self.items.iter().any(|h| h.digest == *digest)
    }

    /// Accepts `item` within `limits`: a request only if it fits ([IOTP-DLV-35], [IOTP-DLV-36]); a reply
    /// after dropping the oldest held replies that keep it from fitting ([IOTP-DLV-37]). Returns the
    /// replies dropped.
    pub fn admit(&mut self, item: Held<R>, limits: &Limits) -> Result<Vec<Held<R>>, Refused> {
        let fits = |count: usize, bytes: usize| {
            count < limits.max_messages as usize
                && bytes + item.bytes.len() <= limits.max_bytes as usize
        };
        let mut dropped = Vec::new();
        if !fits(self.items.len(), self.bytes) {
            if item.request {
                return Err(Refused::QueueFull);
            }
            // Which replies must go, oldest first; none goes unless the new one then fits.
            let (mut count, mut bytes) = (self.items.len(), self.bytes);
            let mut victims = Vec::new();
            for (i, h) in self.items.iter().enumerate() {
                if fits(count, bytes) {
                    break;
                }
                if !h.request {
                    victims.push(i);
                    count -= 1;
                    bytes -= h.bytes.len();
                }
            }
            if !fits(count, bytes) {
                return Err(Refused::ReplyDropped);
            }
            for i in victims.into_iter().rev() {
                dropped.extend(self.remove(i));
            }
            dropped.reverse();
        }
        self.bytes += item.bytes.len();
        self.items.push_back(item);
        Ok(dropped)
    }

    /// The next envelope to deliver: the oldest not yet delivered in this wake-up, unless the way it
    /// would be written names a delivered envelope still awaiting its receipt ([IOTP-MSG-131]), in
    /// which case nothing is delivered before that receipt, so that the order holds ([IOTP-DLV-106]).
    /// `written` says how the relay would write an envelope.
    pub fn next(&self, written: impl Fn(&Held<R>) -> Written) -> Option<usize> {
        let i = self.items.iter().position(|h| h.delivered.is_none())?;
        let w = written(&self.items[i]);
        let clash = self.items.iter().any(|h| h.delivered.as_ref() == Some(&w));
        (!clash).then_some(i)
    }

    /// The envelope at `index`.
    pub fn get(&self, index: usize) -> Option<&Held<R>> {
        self.items.get(index)
    }

    /// Whether an envelope after `index` is still to be delivered in this wake-up ([IOTP-MSG-71]).
    pub fn more_after(&self, index: usize) -> bool {
        self.items
            .iter()
            .skip(index + 1)
            .any(|h| h.delivered.is_none())
    }

    /// Records that the envelope at `index` was delivered, written as `written`.
    pub fn mark_delivered(&mut self, index: usize, written: Written) {
        if let Some(h) = self.items.get_mut(index) {
            h.delivered = Some(written);
        }
    }

    /// A new wake-up: what was delivered without a receipt is delivered again, in its place
    /// ([IOTP-DLV-109]).
    pub fn wake(&mut self) {
        for h in &mut self.items {
            h.delivered = None;
        }
    }

    /// A receipt that verified on the node's hop: deletes each delivered envelope it names
    /// ([IOTP-MSG-129]) and nothing else ([IOTP-MSG-130]). Returns the deleted envelopes.
    pub fn receipt(&mut self, refs: &[Written]) -> Vec<Held<R>> {
        let mut deleted = Vec::new();
        for r in refs {
            if let Some(i) = self
                .items
                .iter()
                .position(|h| h.delivered.as_ref() == Some(r))
            {
                deleted.extend(self.remove(i));
            }
        }
        deleted
    }

    /// Removes and returns the envelopes whose hold has ended at `now` ([IOTP-DLV-40]).
    pub fn expire(&mut self, now: Instant, max_hold_time: u32) -> Vec<Held<R>> {
        let mut gone = Vec::new();
        let mut i = 0;
        while i < self.items.len() {
            if self.items[i].expiry(max_hold_time) <= now {
                gone.extend(self.remove(i));
            } else {
                i += 1;
            }
        }
        gone
    }

    /// Removes and returns the envelope at `index`.
    pub fn take(&mut self, index: usize) -> Option<Held<R>> {
        self.remove(index)
    }

    /// Removes and returns every held envelope (the node left or its registration ended).
    pub fn drain(&mut self) -> Vec<Held<R>> {
        self.bytes = 0;
        self.items.drain(..).collect()
    }

    /// The earliest end of a hold, if anything is held.
    pub fn deadline(&self, max_hold_time: u32) -> Option<Instant> {
        self.items.iter().map(|h| h.expiry(max_hold_time)).min()
    }

    fn remove(&mut self, index: usize) -> Option<Held<R>> {
        let h = self.items.remove(index)?;
        self.bytes -= h.bytes.len();
        Some(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn held(id: u64, request: bool, len: usize) -> Held<()> {
        Held {
            digest: [id as u8; 32],
            bytes: vec![0; len],
            message_id: id,
            sender: Some("app@example.com".into()),
            request,
            received: 0,
            ttl: None,
            route: (),
            delivered: None,
        }
    }

    fn written(h: &Held<()>) -> Written {
        Written {
            message_id: h.message_id,
            sender: h.sender.clone(),
            sender_contact: None,
        }
    }

    #[test]
    fn requests_beyond_the_limits_are_refused_and_none_is_dropped_for_another() {
        let limits = Limits::default();
        let mut q = Queue::default();
        for id in 0..16 {
            assert_eq!(q.admit(held(id, true, 10), &limits), Ok(Vec::new()));
        }
        assert_eq!(
            q.admit(held(16, true, 10), &limits),
            Err(Refused::QueueFull)
        );
        assert_eq!(
            q.admit(held(17, false, 10), &limits),
            Err(Refused::ReplyDropped)
        );
        assert_eq!(q.len(), 16);
        let mut q = Queue::default();
        assert_eq!(q.admit(held(0, true, 4000), &limits), Ok(Vec::new()));
        assert_eq!(q.admit(held(1, true, 97), &limits), Err(Refused::QueueFull));
        assert_eq!(q.admit(held(1, true, 96), &limits), Ok(Vec::new()));
        assert_eq!(q.bytes(), 4096);
    }

    #[test]
    fn a_reply_makes_room_by_dropping_the_oldest_replies_only() {
        let limits = Limits::default();
        let mut q = Queue::default();
        q.admit(held(0, false, 1000), &limits).unwrap();
        q.admit(held(1, true, 1000), &limits).unwrap();
        q.admit(held(2, false, 1000), &limits).unwrap();
        q.admit(held(3, false, 1000), &limits).unwrap();
        // 4000 held; a reply of 1000 needs one reply gone: the oldest.
        let dropped = q.admit(held(4, false, 1000), &limits).unwrap();
        assert_eq!(
            dropped.iter().map(|h| h.message_id).collect::<Vec<_>>(),
            [0]
        );
        let ids: Vec<u64> = q.iter().map(|h| h.message_id).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn delivery_is_in_order_and_only_a_receipt_of_a_delivered_envelope_deletes() {
        let limits = Limits::default();
        let mut q = Queue::default();
        for id in [90, 91] {
            q.admit(held(id, true, 33), &limits).unwrap();
        }
        let first = q.next(written).unwrap();
        assert_eq!(q.get(first).unwrap().message_id, 90);
        assert!(q.more_after(first));
        // A receipt for what was not delivered deletes nothing ([IOTP-MSG-130]).
        assert!(q.receipt(&[written(&held(91, true, 0))]).is_empty());
        q.mark_delivered(first, written(q.get(first).unwrap()));
        let second = q.next(written).unwrap();
        assert!(!q.more_after(second));
        q.mark_delivered(second, written(q.get(second).unwrap()));
        assert_eq!(q.next(written), None);
        // The device wakes again without having sent its receipt: both again, in order.
        q.wake();
        assert_eq!(q.next(written), Some(0));
        q.mark_delivered(0, written(q.get(0).unwrap()));
        let deleted = q.receipt(&[written(&held(90, true, 0))]);
        assert_eq!(deleted.len(), 1);
        assert_eq!(q.receipt(&[written(&held(90, true, 0))]), Vec::new());
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn an_envelope_the_same_reference_would_name_waits_for_the_receipt() {
        let limits = Limits::default();
        let mut q = Queue::default();
        q.admit(held(7, true, 10), &limits).unwrap();
        let mut again = held(7, true, 10);
        again.digest = [99; 32];
        q.admit(again, &limits).unwrap();
        q.mark_delivered(0, written(q.get(0).unwrap()));
        assert_eq!(q.next(written), None);
        q.receipt(&[written(&held(7, true, 0))]);
        assert_eq!(q.next(written), Some(0));
    }

    #[test]
    fn holds_end_at_the_ttl_or_the_hold_time_and_ttl_counts_down_in_whole_seconds() {
        let mut h = held(1, true, 10);
        h.ttl = Some(3600);
        assert_eq!(h.expiry(86_400), 3_600_000);
        assert_eq!(h.ttl_at(1), Ok(Some(3599)));
        assert_eq!(h.ttl_at(3_599_000), Ok(Some(1)));
        assert_eq!(h.ttl_at(3_599_001), Err(TtlSpent));
        h.ttl = Some(0);
        assert_eq!(h.ttl_at(0), Ok(Some(0)));
        assert_eq!(h.ttl_at(1), Err(TtlSpent));
        h.ttl = None;
        assert_eq!(h.expiry(86_400), 86_400_000);
        let mut q = Queue::default();
        q.admit(held(1, true, 10), &Limits::default()).unwrap();
        assert!(q.expire(86_399_999, 86_400).is_empty());
        assert_eq!(q.expire(86_400_000, 86_400).len(), 1);
        assert_eq!(q.bytes(), 0);
    }
}
