//! A commissioning window on a claimed device (spec §8.3.7): an administrator's fresh verifier, and
//! the limits on what the controller that pairs in it may do under the pairing context — one
//! `add_peer`, then one `acl_write` of an entry for that peer and no wider than the window
//! ([IOTP-SEC-144]).
//!
//! The window's verifier and salt live here and nowhere else, so that they go with the window when
//! it closes ([IOTP-SEC-143]).

use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{AclEntry, AclTarget};
use iotp2p_codec::security::PairingWindow;

use super::acl::{grant_within, Acl};
use crate::security::spake2plus::VerifierRecord;
use crate::security::NodeId;

/// An open commissioning window.
pub struct CommissioningWindow {
    /// The administrator that opened it: the `granted_by` of the entry written in it
    /// ([IOTP-SEC-145]).
    pub opened_by: NodeId,
    /// How long the window stays open, and how long its entry may stay pending after it closed, in
    /// seconds ([IOTP-SEC-147]).
    pub timeout: u16,
    /// The SPAKE2+ verifier of the administrator's passcode.
    pub verifier: VerifierRecord,
    /// The PBKDF2 salt and iteration count the controller derives its secret with.
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// The most the window's entry may grant.
    privileges: u8,
    targets: Option<Vec<AclTarget>>,
    /// The node added by the pairing's `add_peer`, once it was.
    added: Option<NodeId>,
}

impl CommissioningWindow {
    /// The window `request` asks for, opened by `administrator`: refused with `ConstraintError` when
    /// the verifier is not w0 below the order of P-256 and a valid point L ([IOTP-SEC-141]), with
    /// `Forbidden` when it is wider than what the administrator holds itself ([IOTP-SEC-142]).
    pub fn open(
        request: &PairingWindow<'_>,
        administrator: NodeId,
        acl: &Acl,
    ) -> Result<Self, StatusCode> {
        let mut w0 = [0u8; 32];
        w0.copy_from_slice(&request.verifier[..32]);
        let verifier = VerifierRecord::canonical(&w0, &request.verifier[32..])
            .map_err(|_| StatusCode::ConstraintError)?;
        let targets: Option<Vec<AclTarget>> = request
            .targets
            .as_ref()
            .map(|ts| ts.iter().map(|t| t.into_owned()).collect());
        if !acl.holds(&administrator, request.privileges, targets.as_deref()) {
            return Err(StatusCode::Forbidden);
        }
        Ok(CommissioningWindow {
            opened_by: administrator,
            timeout: request.timeout,
            verifier,
            salt: request.salt.to_vec(),
            iterations: request.iterations,
            privileges: request.privileges,
            targets,
            added: None,
        })
    }

    /// The window's `add_peer` of `node` (whose statement verified): the first and only one, of a node
    /// the device does not hold already (`held`).
    pub fn add_peer(&mut self, node: NodeId, held: bool) -> Result<(), StatusCode> {
        if self.added.is_some() {
            return Err(StatusCode::InvalidState);
        }
        if held {
            return Err(StatusCode::ConstraintError);
        }
        self.added = Some(node);
        Ok(())
    }

    /// Whether the window's `acl_write` of `entry` at `index` keeps within its limits: after the
    /// `add_peer`, at a free index, for the added node alone, no wider than the window.
    pub fn check_acl_write(
        &self,
        acl: &Acl,
        index: u8,
        entry: Option<&AclEntry>,
    ) -> Result<(), StatusCode> {
        let Some(added) = self.added else {
            return Err(StatusCode::InvalidState);
        };
        let Some(entry) = entry else {
            return Err(StatusCode::ConstraintError);
        };
        let free = usize::from(index) < super::acl::ACL_CAPACITY && acl.get(index).is_none();
        let for_added = entry.subjects.len() == 1 && entry.subjects[0] == *added.as_bytes();
        let within = grant_within(
            entry.privileges,
            entry.targets.as_deref(),
            self.privileges,
            self.targets.as_deref(),
        );
        if free && for_added && within {
            Ok(())
        } else {
            Err(StatusCode::ConstraintError)
        }
    }
}
