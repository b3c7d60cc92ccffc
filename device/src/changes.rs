//! What a profile changed since the server last asked (`Capabilities::take_changes`): each property
//! once, with its newest value read when the report goes, and the events in order (the server
//! numbers them across all the node's events, spec §6.7).

use alloc::vec::Vec;

use iotp2p_codec::core::owned::Event;
use iotp2p_protocol::interaction::Change;

/// Changes not yet reported.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    pending: Vec<Change>,
}

impl Changes {
    /// A property has a new value.
    pub fn property(&mut self, endpoint: u16, capability: u16, member: u16) {
        let change = Change::Property {
            endpoint,
            capability,
            member,
        };
        if !self.pending.contains(&change) {
            self.pending.push(change);
        }
    }

    /// The event `member` occurred, with its encoded data.
    pub fn event(&mut self, endpoint: u16, capability: u16, member: u16, data: Option<Vec<u8>>) {
        self.pending.push(Change::Event {
            endpoint,
            capability,
            event: Event {
                member,
                number: 0,
                data,
                timestamp: None,
                unknown_fields: Default::default(),
            },
        });
    }

    /// What changed since the last call.
    pub fn take(&mut self) -> Vec<Change> {
        core::mem::take(&mut self.pending)
    }
}
