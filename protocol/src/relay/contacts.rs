//! The contact table of one device at its home relay (spec §5.5.3): short numbers for the device's
//! correspondents, assigned by use in `sender_contact` and resolved from the device's
//! `recipient_contact`.
//!
//! A number stands for an address on the device's hop only once that address is *known to the
//! device*: a receipt of the device that verified on its hop named an envelope delivered with the
//! address in full ([IOTP-MSG-138]). Until then the relay delivers the address in full, so that the
//! device can bind it (a visitor's context, a moved peer's new address) before it ever sees the number.
//! An address stops being known once it has not been carried on the hop for CONTACT_REUSE_TIME.
//!
//! A number is *in use* while a delivered envelope awaiting its receipt carries it, and until
//! CONTACT_REUSE_TIME after it was last carried on the device's hop; it is never assigned to another
//! address while in use ([IOTP-MSG-103]). A number that was never carried names nothing the device
//! has seen, and may go to another address at any time. A full table assigns again the number least
//! recently carried if that one is not in use ([IOTP-MSG-104]); with none free, envelopes carry
//! `sender` in full ([IOTP-MSG-105]).
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
    /// The device named an envelope delivered with `address` in full in a receipt ([IOTP-MSG-138]).
    known: bool,
    /// The number has been carried on the device's hop since it was given to `address`.
    carried: bool,
    /// When `address` or the number was last carried on the device's hop.
    last_carried: Instant,
}

impl Contact {
    fn silent_since(&self, now: Instant, reuse_time: u64) -> bool {
        self.last_carried.saturating_add(reuse_time) <= now
    }
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
    /// in `recipient_contact`); `None` if the relay has not carried it to the device ([IOTP-MSG-30]).
    pub fn resolve(&mut self, number: u16, now: Instant) -> Option<String> {
        let e = self
            .entries
            .iter_mut()
            .find(|e| e.number == number && e.carried)?;
        e.last_carried = now;
        Some(e.address.clone())
    }

    /// The number that would stand for `address` on the device's hop now: `None` unless the address
    /// is known to the device and has a number.
    pub fn lookup(&self, address: &str, now: Instant) -> Option<u16> {
        self.entries
            .iter()
            .find(|e| e.address == address)
            .filter(|e| e.known && !e.silent_since(now, self.reuse_time))
            .map(|e| e.number)
    }

    /// The number to carry for `address`, delivered to the device at `now`: its own once the address
    /// is known to the device, else `None` and the address goes in full (a number is set aside for it
    /// if one may be, [IOTP-MSG-104]; with none, it stays in full, [IOTP-MSG-105]). `in_use` says
    /// whether a delivered envelope awaiting its receipt carries a number.
    pub fn carry(
        &mut self,
        address: &str,
        now: Instant,
        in_use: impl Fn(u16) -> bool,
    ) -> Option<u16> {
        let number = self.carry_in_full(address, now, in_use)?;
        let e = self.entries.iter_mut().find(|e| e.number == number)?;
        e.carried = true;
        Some(number)
    }

    /// [`Contacts::carry`] for an envelope that goes with `address` in full whatever its number (a
    /// handshake, [IOTP-MSG-139]): the number it could have carried, which it does not.
    pub fn carry_in_full(
        &mut self,
        address: &str,
        now: Instant,
        in_use: impl Fn(u16) -> bool,
    ) -> Option<u16> {
        let reuse_time = self.reuse_time;
        if let Some(e) = self.entries.iter_mut().find(|e| e.address == address) {
            // Silent for CONTACT_REUSE_TIME: the device may have forgotten the peer ([IOTP-MSG-138]).
            if e.silent_since(now, reuse_time) {
                e.known = false;
            }
            e.last_carried = now;
            return e.known.then_some(e.number);
        }
        self.set_aside(address, now, in_use);
        None
    }

    /// A receipt that verified on the device's hop named an envelope delivered with `address` in
    /// `sender`: the address is known to the device from now on ([IOTP-MSG-138]).
    pub fn announce(&mut self, address: &str) {
        if let Some(e) = self.entries.iter_mut().find(|e| e.address == address) {
            e.known = true;
        }
    }

    /// Gives `address` a number that it does not carry yet: the next one while the table has room,
    /// else the one least recently carried that may be given again.
    fn set_aside(&mut self, address: &str, now: Instant, in_use: impl Fn(u16) -> bool) {
        let fresh = Contact {
            number: 0,
            address: address.into(),
            known: false,
            carried: false,
            last_carried: now,
        };
        if self.entries.len() < self.capacity {
            // Numbers are given in order; the table never shrinks, so the next is always free.
            if let Ok(number) = u16::try_from(self.entries.len()) {
                self.entries.push(Contact { number, ..fresh });
            }
            return;
        }
        let reuse_time = self.reuse_time;
        let free = self
            .entries
            .iter_mut()
            .filter(|e| !e.carried || (e.silent_since(now, reuse_time) && !in_use(e.number)))
            .min_by_key(|e| (e.carried, e.last_carried));
        if let Some(e) = free {
            *e = Contact {
                number: e.number,
                ..fresh
            };
        }
    }

    /// How many numbers are assigned or set aside.
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

    /// `address` delivered once in full and named in a receipt: known to the device.
    fn known(c: &mut Contacts, address: &str, now: Instant) {
        assert_eq!(c.carry(address, now, |_| false), None);
        c.announce(address);
    }

    #[test]
    fn an_address_goes_in_full_until_a_receipt_names_it_then_by_its_number() {
        let mut c = Contacts::new(2, 1_000);
        assert_eq!(c.resolve(0, 0), None);
        assert_eq!(c.carry("a@x.org", 0, |_| false), None);
        assert_eq!(c.carry("a@x.org", 1, |_| false), None, "no receipt yet");
        assert_eq!(c.lookup("a@x.org", 1), None);
        assert_eq!(
            c.resolve(0, 1),
            None,
            "a number set aside names nothing yet"
        );
        c.announce("a@x.org");
        assert_eq!(c.lookup("a@x.org", 2), Some(0));
        assert_eq!(c.carry("a@x.org", 2, |_| false), Some(0));
        assert_eq!(c.resolve(0, 3).as_deref(), Some("a@x.org"));
        known(&mut c, "b@x.org", 4);
        assert_eq!(c.carry("b@x.org", 5, |_| false), Some(1));
    }

    #[test]
    fn a_receipt_for_an_address_without_a_number_announces_nothing() {
        let mut c = Contacts::new(0, 1_000);
        known(&mut c, "a@x.org", 0);
        assert_eq!(c.carry("a@x.org", 1, |_| false), None);
        assert!(c.is_empty());
    }

    #[test]
    fn an_address_silent_for_the_reuse_time_goes_in_full_again() {
        let mut c = Contacts::new(2, 1_000);
        known(&mut c, "a@x.org", 0);
        assert_eq!(c.carry("a@x.org", 10, |_| false), Some(0));
        assert_eq!(c.lookup("a@x.org", 1_010), None);
        assert_eq!(c.carry("a@x.org", 1_010, |_| false), None);
        assert_eq!(
            c.carry("a@x.org", 1_011, |_| false),
            None,
            "no receipt since"
        );
        c.announce("a@x.org");
        assert_eq!(c.carry("a@x.org", 1_012, |_| false), Some(0));
    }

    #[test]
    fn a_full_table_reuses_only_a_number_out_of_use_and_else_writes_addresses_in_full() {
        let mut c = Contacts::new(2, 1_000);
        known(&mut c, "a@x.org", 0);
        assert_eq!(c.carry("a@x.org", 0, |_| false), Some(0));
        known(&mut c, "b@x.org", 500);
        assert_eq!(c.carry("b@x.org", 500, |_| false), Some(1));
        // Both carried within CONTACT_REUSE_TIME: nothing to give.
        known(&mut c, "c@x.org", 999);
        assert_eq!(c.carry("c@x.org", 999, |_| false), None);
        // `a` has fallen silent, but a delivered envelope without receipt still carries it.
        assert_eq!(c.carry("c@x.org", 1_000, |n| n == 0), None);
        known(&mut c, "c@x.org", 1_000);
        assert_eq!(c.carry("c@x.org", 1_001, |_| false), Some(0));
        assert_eq!(c.resolve(0, 1_001).as_deref(), Some("c@x.org"));
        assert_eq!(c.lookup("a@x.org", 1_001), None);
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn an_address_in_full_is_announced_without_its_number_being_carried() {
        let mut c = Contacts::new(1, 1_000);
        assert_eq!(c.carry_in_full("a@x.org", 0, |_| false), None);
        c.announce("a@x.org");
        assert_eq!(c.carry_in_full("a@x.org", 1, |_| false), Some(0));
        assert_eq!(c.resolve(0, 2), None, "not carried yet");
        // Never carried, so `b` may take it at once.
        known(&mut c, "b@x.org", 3);
        assert_eq!(c.carry("b@x.org", 4, |_| false), Some(0));
    }

    #[test]
    fn a_number_never_carried_goes_to_the_next_address_at_once() {
        let mut c = Contacts::new(1, 1_000);
        assert_eq!(c.carry("a@x.org", 0, |_| false), None);
        // `a` never got its number on the hop: `b` may have it now, within the reuse time.
        known(&mut c, "b@x.org", 1);
        assert_eq!(c.carry("b@x.org", 2, |_| false), Some(0));
        // Carried now: `c` waits for the reuse time, in full.
        known(&mut c, "c@x.org", 3);
        assert_eq!(c.carry("c@x.org", 4, |_| false), None);
        assert_eq!(c.resolve(0, 5).as_deref(), Some("b@x.org"));
    }
}
