//! The access control list of spec §8.8.1 and its evaluation (§8.8.2): entries of subjects (node IDs,
//! never addresses), privileges and targets, and whether one allows a request.
//!
//! An entry written in a commissioning window is **pending** (§8.3.7, [IOTP-SEC-146]) until the
//! added node's first EDHOC handshake: it allows nothing, and it goes at its deadline if that
//! handshake never comes ([IOTP-SEC-147]).
//!
//! **Bounds.** [`ACL_CAPACITY`] entries ([IOTP-SEC-97]: at least 8), each with at most 4 subjects and 4
//! targets as the schema bounds them; a pending entry is one of them.

use alloc::vec::Vec;

use iotp2p_codec::security::owned::{AclEntry, AclTarget};

use crate::params::Instant;
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
    /// For a pending entry, when it goes unless it became effective.
    pending: [Option<Instant>; ACL_CAPACITY],
}

impl Acl {
    /// An empty list (an unclaimed node's).
    pub fn new() -> Self {
        Acl::default()
    }

    /// The entry at `index`, if any, pending or effective.
    pub fn get(&self, index: u8) -> Option<&AclEntry> {
        self.entries.get(usize::from(index))?.as_ref()
    }

    /// Whether the entry at `index` is pending.
    pub fn is_pending(&self, index: u8) -> bool {
        self.pending
            .get(usize::from(index))
            .is_some_and(Option::is_some)
    }

    /// The effective entries, with their indexes: every evaluation of the list uses these only.
    pub fn iter(&self) -> impl Iterator<Item = (u8, &AclEntry)> {
        self.entries
            .iter()
            .zip(&self.pending)
            .enumerate()
            .filter_map(|(i, (e, pending))| match pending {
                None => Some((i as u8, e.as_ref()?)),
                Some(_) => None,
            })
    }

    /// Writes the entry of a commissioning window at `index`, pending until the node it names
    /// completes a handshake ([`Acl::confirm`]) or until `until` ([`Acl::expire`]).
    pub fn write_pending(
        &mut self,
        index: u8,
        entry: AclEntry,
        granted_by: NodeId,
        until: Instant,
    ) -> Result<(), AclRefusal> {
        self.write(index, Some(entry), Some(granted_by))?;
        self.pending[usize::from(index)] = Some(until);
        Ok(())
    }

    /// `node` completed an EDHOC handshake: its pending entries become effective; says which.
    pub fn confirm(&mut self, node: &NodeId) -> Vec<u8> {
        let mut changed = Vec::new();
        for (index, (entry, pending)) in self.entries.iter().zip(&mut self.pending).enumerate() {
            let names = entry
                .as_ref()
                .is_some_and(|e| e.subjects.iter().any(|s| s == node.as_bytes()));
            if pending.is_some() && names {
                *pending = None;
                changed.push(index as u8);
            }
        }
        changed
    }

    /// Deletes the pending entries whose deadline has come by `now`; returns them with their indexes.
    pub fn expire(&mut self, now: Instant) -> Vec<(u8, AclEntry)> {
        let mut gone = Vec::new();
        for (index, (entry, pending)) in self.entries.iter_mut().zip(&mut self.pending).enumerate()
        {
            if pending.is_some_and(|until| now >= until) {
                *pending = None;
                if let Some(e) = entry.take() {
                    gone.push((index as u8, e));
                }
            }
        }
        gone
    }

    /// When the next pending entry is due to go.
    pub fn next_expiry(&self) -> Option<Instant> {
        self.pending.iter().flatten().min().copied()
    }

    /// Whether `node` holds, by an effective entry, at least `privileges` on `targets` (`None`: every
    /// target): what it may grant to others (a commissioning window, [IOTP-SEC-142]; an introduction,
    /// §8.8.4.2 check 8). An owner-level administrator holds everything.
    pub fn holds(&self, node: &NodeId, privileges: u8, targets: Option<&[AclTarget]>) -> bool {
        self.is_owner(node)
            || self.iter().any(|(_, e)| {
                e.subjects.iter().any(|s| s == node.as_bytes())
                    && grant_within(privileges, targets, e.privileges, e.targets.as_deref())
            })
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
        // Written again: whatever was pending at the index is replaced by an effective entry.
        self.pending[slot] = None;
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
    /// ([IOTP-SEC-122]); says which indexes changed. Refused, and nothing changed, when no
    /// owner-level administrator would remain ([IOTP-SEC-177]) once the list had one.
    pub fn remove_subject(&mut self, node: &NodeId) -> Result<Vec<u8>, AclRefusal> {
        let another_owner = self.iter().any(|(_, e)| {
            e.privileges & privilege::ADMINISTER != 0
                && e.granted_by.is_none()
                && e.subjects.iter().any(|s| s != node.as_bytes())
        });
        if self.has_owner() && !another_owner {
            return Err(AclRefusal::LastOwner);
        }
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
                    self.pending[index] = None;
                }
            }
        }
        Ok(changed)
    }

    /// Whether every entry naming `node` as a subject, pending or effective, was granted by `admin`:
    /// the nodes a scoped administrator may remove or revoke (§8.8.1, [IOTP-SEC-176]). True of a node
    /// that no entry names.
    pub fn granted_only_by(&self, node: &NodeId, admin: &NodeId) -> bool {
        self.entries
            .iter()
            .flatten()
            .filter(|e| e.subjects.iter().any(|s| s == node.as_bytes()))
            .all(|e| e.granted_by.as_ref() == Some(admin.as_bytes()))
    }

    /// Replaces `previous` by `new` in the subjects and `granted_by` of every entry: `previous`
    /// rotated its identity key ([IOTP-SEC-120]). Returns the indices changed.
    pub fn rename_subject(&mut self, previous: &NodeId, new: &NodeId) -> Vec<u8> {
        let mut changed = Vec::new();
        for (index, entry) in self.entries.iter_mut().enumerate() {
            let Some(entry) = entry else {
                continue;
            };
            let mut renamed = false;
            for subject in entry.subjects.iter_mut() {
                if subject == previous.as_bytes() {
                    *subject = *new.as_bytes();
                    renamed = true;
                }
            }
            if entry.granted_by.as_ref() == Some(previous.as_bytes()) {
                entry.granted_by = Some(*new.as_bytes());
                renamed = true;
            }
            if renamed {
                changed.push(index as u8);
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

/// Whether a grant of `privileges` on `targets` stays within one of `of_privileges` on `of_targets`
/// (`None`: every target): the privileges a subset (Administer counts as every privilege only when
/// it is granted itself), and each target within one of the others, the same endpoint and capability
/// or narrower (§8.3.7).
pub fn grant_within(
    privileges: u8,
    targets: Option<&[AclTarget]>,
    of_privileges: u8,
    of_targets: Option<&[AclTarget]>,
) -> bool {
    let privileges_within =
        of_privileges & privilege::ADMINISTER != 0 || privileges & !of_privileges == 0;
    let Some(of_targets) = of_targets else {
        return privileges_within;
    };
    let target_within = |t: &AclTarget| {
        of_targets.iter().any(|o| {
            o.endpoint.is_none_or(|e| t.endpoint == Some(e))
                && o.capability.is_none_or(|c| t.capability == Some(c))
        })
    };
    privileges_within && targets.is_some_and(|ts| ts.iter().all(target_within))
}
