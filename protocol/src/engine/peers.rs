//! The security contexts a node holds, each with what it knows of the peer (spec §8.5.2): found by
//! Recipient ID for an envelope that carries `key_id`, and by handle for everything else.
//!
//! **Bound.** At most `capacity` contexts; [`ContextTable::insert`] refuses beyond that, since which
//! context may be dropped is the application's decision (an initiator keeps its previous context until
//! the new one is confirmed, [IOTP-SEC-62]).

use alloc::string::String;
use alloc::vec::Vec;

use crate::params::Instant;
use crate::security::{KeyId, NodeId, SecurityContext};

/// A handle on a security context of a node, stable for the context's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContextId(pub u32);

/// What kind of context, which decides the associated data and the binding check (§8.5.3, §8.5.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextKind {
    /// A context from EDHOC with an introduced peer, whose address is bound to it.
    Ordinary,
    /// A context with an unintroduced initiator (§8.4.6): no bound address ([IOTP-SEC-167]).
    Visitor,
    /// A pairing context (§8.3.4): no address in the associated data ([IOTP-SEC-135]).
    Pairing,
}

/// What a node knows of the peer of a context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    /// The peer's address bound to the context (§2.8.2), if any.
    pub address: Option<String>,
    /// The kind of context.
    pub kind: ContextKind,
    /// The peer's node ID, when known (from the credential of the handshake, or given by the
    /// application): what a subscription belongs to, so that its reports follow the peer to its
    /// newest context ([IOTP-IM-65]).
    pub node: Option<NodeId>,
}

/// A context and its peer.
#[derive(Debug)]
pub struct Entry {
    /// The handle.
    pub id: ContextId,
    /// The keys and the state that sealing and opening change.
    pub context: SecurityContext,
    /// The peer.
    pub peer: Peer,
    /// The address the peer was bound to before its re-homing, and until when envelopes from it are
    /// still accepted under this context ([IOTP-SEC-114]).
    pub previous_address: Option<(String, Instant)>,
    /// The authentication credential the peer authenticated with in the EDHOC handshake this node
    /// answered to make the context (sent by value by a visitor, §8.4.6, or referenced): what a
    /// relay checks an enrolling controller's credential statement against ([IOTP-DLV-87]). `None`
    /// for contexts made otherwise. At most MAX_CREDENTIAL_LEN bytes a context.
    pub credential: Option<Vec<u8>>,
}

/// A context could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContextError {
    /// The table is full.
    Full,
    /// Another context already has this Recipient ID ([IOTP-SEC-53]).
    RecipientIdInUse,
}

/// The contexts of a node.
#[derive(Debug)]
pub struct ContextTable {
    capacity: usize,
    next: u32,
    entries: Vec<Entry>,
}

impl ContextTable {
    /// A table of at most `capacity` contexts.
    pub fn new(capacity: usize) -> Self {
        ContextTable {
            capacity,
            next: 0,
            entries: Vec::new(),
        }
    }

    /// Adds a context.
    pub fn insert(
        &mut self,
        context: SecurityContext,
        peer: Peer,
    ) -> Result<ContextId, ContextError> {
        if self.entries.len() >= self.capacity {
            return Err(ContextError::Full);
        }
        if self.by_recipient_id(context.recipient_id()).is_some() {
            return Err(ContextError::RecipientIdInUse);
        }
        let id = ContextId(self.next);
        self.next = self.next.wrapping_add(1);
        self.entries.push(Entry {
            id,
            context,
            peer,
            previous_address: None,
            credential: None,
        });
        Ok(id)
    }

    /// Removes a context; its keys are wiped as it drops.
    pub fn remove(&mut self, id: ContextId) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.id != id);
        self.entries.len() != before
    }

    /// The context with this handle.
    pub fn get(&self, id: ContextId) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The context with this handle, to seal or open with.
    pub fn get_mut(&mut self, id: ContextId) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    /// The context whose Recipient ID is `key_id` (§8.5.6 step 1).
    pub fn by_recipient_id(&self, key_id: &KeyId) -> Option<ContextId> {
        self.entries
            .iter()
            .find(|e| e.context.recipient_id() == key_id)
            .map(|e| e.id)
    }

    /// The newest context with the peer `node` ([IOTP-IM-65], [IOTP-SEC-165]): the last added.
    pub fn newest_with(&self, node: &NodeId) -> Option<ContextId> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.peer.node.as_ref() == Some(node))
            .map(|e| e.id)
    }

    /// Forgets the previous addresses of re-homed peers whose grace period ended by `now`.
    pub fn expire_previous_addresses(&mut self, now: Instant) {
        for e in &mut self.entries {
            if e.previous_address.as_ref().is_some_and(|(_, t)| *t <= now) {
                e.previous_address = None;
            }
        }
    }

    /// The contexts, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter()
    }

    /// How many contexts the table holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
