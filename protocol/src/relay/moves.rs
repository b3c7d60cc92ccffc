//! Re-homed nodes at their home relays (spec §3.11). The previous home relay forwards what it holds
//! or receives for the address a node left to the home relay of the new address, unchanged but for
//! the hop fields ([IOTP-DLV-70]), until the statement's grace period ends; then the address is
//! unknown ([IOTP-DLV-72]). The new home relay accepts from a relay of the previous address's domain
//! the messages for that address ([IOTP-DLV-74], [IOTP-DLV-111]), delivers them with the previous
//! address in full, which their seal covers, and forwards none of them again ([IOTP-DLV-114]).
//!
//! Verifying the re-homing statement ([IOTP-DLV-73], [IOTP-DLV-75]) is the caller's, which holds
//! the node's credential statement; these take the facts of a statement that verified.
//!
//! **Bounds.** A moved node stays registered at its previous relay until its grace period ends (so
//! that it may still announce `Leaving` under its hop context), counting against `max_nodes`; a node
//! that arrived keeps one previous address.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::Envelope;
use iotp2p_codec::prelude::*;

use super::{domain_of, removed, RegisterError, Relay, RelayOutput, StoreChange};
use crate::engine::peers::ContextId;
use crate::params::Instant;

impl<P: Clone + PartialEq + core::fmt::Debug> Relay<P> {
    /// The node at `previous` moved to `address` (a `release` with its verified re-homing statement,
    /// §3.6.1.3): what the relay holds for it goes now, and what arrives for it until `until` (the
    /// end of the grace period) goes on arrival, to the home relay of `address`'s domain. Returns
    /// whether the relay served `previous`.
    pub fn moved_away(
        &mut self,
        now: Instant,
        previous: &str,
        address: &str,
        until: Instant,
    ) -> (bool, Vec<RelayOutput<P>>) {
        let mut out = Vec::new();
        let Some(i) = self.node(previous) else {
            return (false, out);
        };
        let node = &mut self.nodes[i];
        node.moved_to = Some((address.into(), until));
        node.delivering = None;
        let drained = node.queue.drain();
        let domain = String::from(domain_of(address));
        let mut forwards = Vec::new();
        for h in &drained {
            let Ok(env) = Envelope::decode(&h.bytes) else {
                continue;
            };
            let next = Envelope {
                recipient: Some(previous),
                sender: h.sender.as_deref(),
                recipient_contact: None,
                sender_contact: None,
                more: false,
                ..env
            };
            let Ok(bytes) = next.encode_to_vec() else {
                continue;
            };
            if env.ack_requested {
                // Kept as a forward before it leaves the queue: a crash in between forwards it
                // twice, which the next relay recognises, rather than never ([IOTP-DLV-130]).
                out.push(RelayOutput::Store(StoreChange::Outgoing {
                    domain: domain.clone(),
                    digest: h.digest,
                    envelope: bytes.clone(),
                    received: now,
                }));
            }
            forwards.push(RelayOutput::Forward {
                domain: domain.clone(),
                bytes,
            });
        }
        out.push(removed(previous, &drained));
        out.extend(forwards);
        self.expire_moves(now);
        (true, out)
    }

    /// The node at `address` moved here from `previous` (a `register` with its verified re-homing
    /// statement, §3.11.2): it is registered, and until `until` the relay accepts for it messages to
    /// `previous` from a relay of `previous`'s domain.
    pub fn moved_in(
        &mut self,
        address: &str,
        previous: &str,
        until: Instant,
    ) -> Result<(), RegisterError> {
        self.register(address)?;
        if let Some(i) = self.node(address) {
            self.nodes[i].moved_from = Some((previous.into(), until));
        }
        Ok(())
    }

    /// Where node `i` moved to, while its grace period lasts at `now`.
    pub(super) fn moved_to(&self, i: usize, now: Instant) -> Option<&str> {
        self.nodes[i]
            .moved_to
            .as_ref()
            .filter(|(_, until)| now < *until)
            .map(|(a, _)| a.as_str())
    }

    /// The node that moved here from `recipient`, when a relay of `recipient`'s domain (`from`)
    /// forwards to it within the grace period ([IOTP-DLV-111]).
    pub(super) fn arrived_from(&self, recipient: &str, from: &P, now: Instant) -> Option<usize> {
        let domain = domain_of(recipient);
        if !self.relay_peers.sends_for(from, domain) {
            return None;
        }
        self.nodes.iter().position(|n| {
            n.moved_from
                .as_ref()
                .is_some_and(|(p, until)| p == recipient && now < *until)
        })
    }

    /// Ends the grace periods over at `now`: a node that moved away is forgotten with its hop
    /// contexts; one that arrived no longer answers to its previous address.
    pub(super) fn expire_moves(&mut self, now: Instant) {
        let mut gone = Vec::new();
        self.nodes.retain_mut(|n| {
            if n.moved_from
                .as_ref()
                .is_some_and(|(_, until)| *until <= now)
            {
                n.moved_from = None;
            }
            let over = n.moved_to.as_ref().is_some_and(|(_, until)| *until <= now);
            if over {
                gone.push(n.address.clone());
            }
            !over
        });
        for address in gone {
            let contexts: Vec<ContextId> = self
                .service
                .contexts()
                .iter()
                .filter(|e| e.peer.address.as_deref() == Some(address.as_str()))
                .map(|e| e.id)
                .collect();
            for id in contexts {
                self.service.remove_context(id);
            }
        }
    }
}
