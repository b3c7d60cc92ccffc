//! The contact table of one device at its home relay (spec §5.5.3): short numbers for the device's
//! correspondents, assigned by use in `sender_contact` and resolved from the device's
//! `recipient_contact`.
//!
//! A number is *in use* while a delivered envelope awaiting its receipt carries it, and until
//! CONTACT_REUSE_TIME after it was last carried on the device's hop; it is never assigned to another
//! address while in use ([IOTP-MSG-103]). A full table assigns again the number least recently carried
//! if that one is not in use ([IOTP-MSG-104]); with none free, envelopes carry `sender` in full
//! ([IOTP-MSG-105]).
//!
//! **Bound.** At most `capacity` entries (at most 65536, the numbers there are).

use alloc::string::String;
use alloc::vec::Vec;

use crate::params::Instant;

/// CONTACT_REUSE_TIME of §5.14 (30 days), in ms.
pub const CONTACT_REUSE_TIME: u64 = 2_592_000_000;

#[derive(Clone, Debug)]
struct Contact {
    number: u16,
    address: String,
    last_carried: Instant,
}

/// One device's contact numbers.
#[derive(Clone, Debug)]
pub struct Contacts {
    capacity: usize,
    reuse_time: u64,
    entries: Vec<Contact>,
}

impl Contacts {
    /// A table of at most `capacity` numbers (at most 65536), each in use for `reuse_time` ms after it
    /// was last carried (CONTACT_REUSE_TIME unless the deployment configures it).
    pub fn new(capacity: usize, reuse_time: u64) -> Self {
        Contacts {
            capacity: capacity.min(1 << 16),
            reuse_time,
            entries: Vec::new(),
        }
    }

    /// The address that `number` stands for, noting that it was carried at `now` (the device used it
    /// in `recipient_contact`); `None` if the relay has not assigned it ([IOTP-MSG-30]).
    pub fn resolve(&mut self, number: u16, now: Instant) -> Option<String> {
        let e = self.entries.iter_mut().find(|e| e.number == number)?;
        e.last_carried = now;
        Some(e.address.clone())
    }

    /// The number assigned to `address`, if any.
    pub fn lookup(&self, address: &str) -> Option<u16> {
        self.entries
            .iter()
            .find(|e| e.address == address)
            .map(|e| e.number)
    }

    /// The number to carry for `address` at `now`: its own, or a new one ([IOTP-MSG-104]); `None` when
    /// every number that may be assigned is in use ([IOTP-MSG-105]). `in_use` says whether a delivered
    /// envelope awaiting its receipt carries a number.
    pub fn assign(
        &mut self,
        address: &str,
        now: Instant,
        in_use: impl Fn(u16) -> bool,
    ) -> Option<u16> {
        if let Some(e) = self.entries.iter_mut().find(|e| e.address == address) {
            e.last_carried = now;
            return Some(e.number);
        }
        if self.entries.len() < self.capacity {
            // Numbers are given in order; the table never shrinks, so the next is always free.
            let number = u16::try_from(self.entries.len()).ok()?;
            self.entries.push(Contact {
                number,
                address: address.into(),
                last_carried: now,
            });
            return Some(number);
        }
        let reuse_time = self.reuse_time;
        let oldest = self
            .entries
            .iter_mut()
            .filter(|e| e.last_carried.saturating_add(reuse_time) <= now && !in_use(e.number))
            .min_by_key(|e| e.last_carried)?;
        oldest.address = address.into();
        oldest.last_carried = now;
        Some(oldest.number)
    }

    /// How many numbers are assigned.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_assigned_by_use_and_resolved_only_once_assigned() {
        let mut c = Contacts::new(2, 1_000);
        assert_eq!(c.resolve(0, 0), None);
        assert_eq!(c.assign("a@x.org", 0, |_| false), Some(0));
        assert_eq!(c.assign("b@x.org", 0, |_| false), Some(1));
        assert_eq!(c.assign("a@x.org", 5, |_| false), Some(0));
        assert_eq!(c.resolve(1, 10).as_deref(), Some("b@x.org"));
        assert_eq!(c.lookup("b@x.org"), Some(1));
    }

    #[test]
    fn a_full_table_reuses_only_a_number_out_of_use_and_else_writes_addresses_in_full() {
        let mut c = Contacts::new(2, 1_000);
        c.assign("a@x.org", 0, |_| false);
        c.assign("b@x.org", 500, |_| false);
        // Both carried within CONTACT_REUSE_TIME: nothing to give.
        assert_eq!(c.assign("c@x.org", 999, |_| false), None);
        // `a` has fallen silent, but a delivered envelope without receipt still carries it.
        assert_eq!(c.assign("c@x.org", 1_000, |n| n == 0), None);
        assert_eq!(c.assign("c@x.org", 1_000, |_| false), Some(0));
        assert_eq!(c.resolve(0, 1_001).as_deref(), Some("c@x.org"));
        assert_eq!(c.lookup("a@x.org"), None);
        assert_eq!(c.len(), 2);
    }
}
