//! The events a device records: numbered across all its events, so that a subscriber can tell when
//! it missed some (spec §6.7, `Event.number`).

use alloc::vec::Vec;

use iotp2p_codec::core::owned::Event;

/// The node's event counter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventCounter {
    next: u64,
}

impl EventCounter {
    /// The next event of `member`, with its encoded data, numbered.
    pub fn record(&mut self, member: u16, data: Option<Vec<u8>>) -> Event {
        let number = self.next;
        self.next = self.next.wrapping_add(1);
        Event {
            member,
            number,
            data,
            timestamp: None,
            unknown_fields: Default::default(),
        }
    }
}
