//! The access control list of spec §8.8.1 and its evaluation (§8.8.2): entries of subjects (node IDs,
//! never addresses), privileges and targets, and whether one allows a request.
//!
//! **Bounds.** [`ACL_CAPACITY`] entries ([IOTP-SEC-97]: at least 8), each with at most 4 subjects and 4
//! targets as the schema bounds them.

use alloc::vec::Vec;

use iotp2p_codec::security::owned::AclEntry;

use crate::security::NodeId;

/// Entries a node holds ([IOTP-SEC-97]).
pub const ACL_CAPACITY: usize = 8;

/// The privileges of §8.8.1, as the bits of `Privileges`.
pub mod privilege {
    /// `read` of properties (and `describe`).
    pub const READ: u8 = 1;
    /// `write` of writable properties.
    pub const WRITE: u8 = 2;
    /// `invoke` of actions, except the Security actions that need Administer.
    pub const INVOKE: u8 = 4;
    /// `subscribe` to properties and events.
    pub const SUBSCRIBE: u8 = 8;
    /// Everything above on every target, and the Security capability's administrative actions.
    pub const ADMINISTER: u8 = 16;
}

/// Why an ACL change was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AclRefusal {
    /// The index is beyond [`ACL_CAPACITY`]: `ConstraintError`.
    Index,
    /// No entry with Administer and without `granted_by` would remain ([IOTP-SEC-177]):
    /// `ConstraintError`.
    LastOwner,
}

/// A node's access control list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acl {
    entries: [Option<AclEntry>; ACL_CAPACITY],
}

impl Acl {
    /// An empty list (an unclaimed node's).
    pub fn new() -> Self {
        Acl::default()
    }

    /// The entry at `index`, if any.
    pub fn get(&self, index: u8) -> Option<&AclEntry> {
        self.entries.get(usize::from(index))?.as_ref()
    }

    /// The entries held, with their indexes.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &AclEntry)> {
        self.entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i as u8, e.as_ref()?)))
    }

    /// Writes (or, with `None`, deletes) the entry at `index`, its `granted_by` set to `granted_by`
    /// whatever the request said ([IOTP-SEC-175]), unless no owner-level administrator would remain
    /// ([IOTP-SEC-177]) once the list had one.
    pub fn write(
        &mut self,
        index: u8,
        entry: Option<AclEntry>,
        granted_by: Option<NodeId>,
    ) -> Result<(), AclRefusal> {
        let slot = usize::from(index);
        if slot >= ACL_CAPACITY {
            return Err(AclRefusal::Index);
        }
        let entry = entry.map(|mut e| {
            e.granted_by = granted_by.map(|n| *n.as_bytes());
            e
        });
        let had_owner = self.has_owner();
        let before = core::mem::replace(&mut self.entries[slot], entry);
        if had_owner && !self.has_owner() {
            self.entries[slot] = before;
            return Err(AclRefusal::LastOwner);
        }
        Ok(())
    }

    /// Whether an entry grants Administer without `granted_by`: the node has an owner-level
    /// administrator.
    pub fn has_owner(&self) -> bool {
        self.iter()
            .any(|(_, e)| e.privileges & privilege::ADMINISTER != 0 && e.granted_by.is_none())
    }

    /// Whether `node` is an owner-level administrator.
    pub fn is_owner(&self, node: &NodeId) -> bool {
        self.iter().any(|(_, e)| {
            e.privileges & privilege::ADMINISTER != 0
                && e.granted_by.is_none()
                && e.subjects.iter().any(|s| s == node.as_bytes())
        })
    }

    /// Whether an entry lets `node` do what needs `needed` on (`endpoint`, `capability`) (§8.8.2);
    /// `None` for either means the request names none (a `describe` of every endpoint).
    pub fn allows(
        &self,
        node: &NodeId,
        needed: u8,
        endpoint: Option<u16>,
        capability: Option<u16>,
    ) -> bool {
        self.iter().any(|(_, e)| {
            let subject = e.subjects.iter().any(|s| s == node.as_bytes());
            let granted = e.privileges & privilege::ADMINISTER != 0 || e.privileges & needed != 0;
            // Administer applies on every target (§8.8.1).
            let on_target = e.privileges & privilege::ADMINISTER != 0
                || match &e.targets {
                    None => true,
                    Some(targets) => targets.iter().any(|t| {
                        t.endpoint
                            .is_none_or(|te| endpoint.is_none_or(|re| te == re))
                            && t.capability
                                .is_none_or(|tc| capability.is_none_or(|rc| tc == rc))
                    }),
                };
            subject && granted && on_target
        })
    }

    /// Removes `node` from the subjects of every entry, deleting entries left without subjects
    /// ([IOTP-SEC-122]); says which indexes changed.
    pub fn remove_subject(&mut self, node: &NodeId) -> Vec<u8> {
        let mut changed = Vec::new();
        for (index, slot) in self.entries.iter_mut().enumerate() {
            let Some(entry) = slot else {
                continue;
            };
            let before = entry.subjects.len();
            entry.subjects.retain(|s| s != node.as_bytes());
            if entry.subjects.len() != before {
                changed.push(index as u8);
                if entry.subjects.is_empty() {
                    *slot = None;
                }
            }
        }
        changed
    }

    /// The nodes that hold Administer by an entry.
    pub fn administrators(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::new();
        for (_, e) in self.iter() {
            if e.privileges & privilege::ADMINISTER == 0 {
                continue;
            }
            for s in &e.subjects {
                let id = NodeId::from_bytes(*s);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }

    /// The node IDs of every subject, without repeats.
    pub fn subjects(&self) -> Vec<NodeId> {
        let mut out: Vec<NodeId> = Vec::new();
        for (_, e) in self.iter() {
            for s in &e.subjects {
                let id = NodeId::from_bytes(*s);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }
}
