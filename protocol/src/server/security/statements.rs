//! `apply_statement` (Security action 18, spec §8.9.3, §8.10.1, §8.11): the statements a peer or an
//! administrator hands the node, checked in the order of the spec's table ([IOTP-SEC-202]) and
//! applied only when every check passed:
//!
//! - a newer credential statement of a held peer replaces the old one ([IOTP-SEC-16],
//!   [IOTP-SEC-117]);
//! - a peer's re-homing statement binds it to its new address, and its contexts accept the previous
//!   one for the grace period ([IOTP-SEC-187], [IOTP-SEC-113], [IOTP-SEC-114]); a chain comes one
//!   statement at a time, each passing only after the one before ([IOTP-SEC-188]);
//! - a key rotation statement replaces the peer's node ID by its new one wherever the node holds it
//!   ([IOTP-SEC-119], [IOTP-SEC-120]), and nothing the previous one signs is accepted after
//!   ([IOTP-SEC-121]);
//! - a revocation statement makes the node forget the revoked one ([IOTP-SEC-122]).
//!
//! The one request that may come from an address not bound to its context's peer, the peer's new
//! address after a move, is acted on only if it carries that peer's re-homing statement naming that
//! address ([IOTP-SEC-166]).
//!
//! **Bounds.** One [`Followed`] move per held peer, at most [`PEER_CAPACITY`]; a move goes with its
//! peer. The last [`ROTATED_AWAY_CAPACITY`] node IDs rotated away: an older one is forgotten, which
//! lets nothing in, since the node no longer holds its identity key.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{SignedStatement, Statement};

use super::PEER_CAPACITY;
use super::{encode_bytes, encode_uint, known_peer, member, refused, SecurityService, Stop};
use crate::engine::peers::{ContextKind, Peer};
use crate::engine::{Node, Role};
use crate::params::Instant;
use crate::security::statement::{
    verify_credential, verify_key_rotation, verify_rehoming, verify_revocation, StatementError,
    Trust,
};
use crate::security::{IdentityPublicKey, NodeId};

const ACTION: u16 = member::APPLY_STATEMENT;

/// The node IDs rotated away that a node remembers ([IOTP-SEC-121]), as many as the revoked ones it
/// must ([IOTP-SEC-192]).
pub const ROTATED_AWAY_CAPACITY: usize = 16;

/// A peer's move that the node followed (§8.9.3): the address it now binds to the peer and the
/// greatest re-homing `sequence` it accepted of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Followed {
    node: NodeId,
    address: String,
    sequence: u32,
}

/// The request that carries the statement: its context's peer, and the envelope's sender address
/// when it is not the one bound to that peer (nor its previous one in a grace period).
pub(super) struct Invoker<'a> {
    pub peer: Option<&'a Peer>,
    pub administer: bool,
    pub unbound_sender: Option<&'a str>,
}

fn forbidden() -> Stop {
    refused(StatusCode::Forbidden, ACTION)
}

fn constraint() -> Stop {
    refused(StatusCode::ConstraintError, ACTION)
}

/// The status of a statement that failed to verify: who signed it is the authority, so a signer the
/// node does not hold, one rotated away or one without the authority it needs is `Forbidden`
/// (checks 3 and 4 of [IOTP-SEC-202]); a signature that does not verify, or content that is not
/// acceptable, is `ConstraintError` (check 5).
fn status_of(e: &StatementError) -> Stop {
    match e {
        StatementError::UnknownSigner { .. }
        | StatementError::NotAdministrator { .. }
        | StatementError::RotatedAway { .. } => forbidden(),
        _ => constraint(),
    }
}

impl SecurityService {
    /// `apply_statement` with `input`, invoked as `invoker` says.
    pub(super) fn apply_statement<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        invoker: Invoker<'_>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        // Check 1: a statement of a kind this action takes.
        let signed = SignedStatement::decode(input).map_err(|_| constraint())?;
        let statement = Statement::decode(signed.payload).map_err(|_| constraint())?;
        // Check 2: the one statement a peer's unbound new address may carry is its move there.
        if invoker.unbound_sender.is_some() && !matches!(statement, Statement::Rehoming(_)) {
            return Err(forbidden());
        }
        match statement {
            Statement::Credential(c) => {
                // The node the statement's key names (the key is what verifies it, [IOTP-SEC-13]).
                let subject = IdentityPublicKey::from_schema(&c.identity_key)
                    .map_err(|_| constraint())?
                    .node_id();
                self.apply_credential(node, &invoker, subject, input)
            }
            Statement::Rehoming(_) => {
                // Its first signer is its node, or it fails verification (check 5).
                let signer = signed.signatures.iter().next().ok_or_else(constraint)?;
                let subject = NodeId::from_bytes(*signer.signer);
                self.apply_rehoming(node, now, &invoker, subject, input)
            }
            Statement::Revocation(_) => self.apply_revocation(node, input),
            Statement::KeyRotation(r) => {
                let subject = NodeId::from_bytes(*r.previous_node);
                self.apply_rotation(node, &invoker, subject, input)
            }
            _ => Err(constraint()),
        }
    }

    /// A newer credential statement of a peer the node holds, handed over by that peer itself or by
    /// an administrator ([IOTP-SEC-116]): it replaces the held one if its serial is greater
    /// ([IOTP-SEC-16]), and the peer's next handshake uses its authentication credential
    /// ([IOTP-SEC-117]).
    fn apply_credential<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        invoker: &Invoker<'_>,
        subject: NodeId,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        // A node's first credential is stored by add_peer; this replaces a held one only.
        let at = self.held_and_authorised(invoker, &subject)?;
        // Check 5.
        let credential = verify_credential(input).map_err(|e| status_of(&e))?;
        if credential.node_id != subject || !self.replaces(at, &credential) {
            return Err(constraint());
        }
        self.peers[at].1 = input.to_vec();
        node.add_edhoc_peer(known_peer(&credential));
        self.applied(&subject);
        Ok(None)
    }

    /// A re-homing statement of `subject` ([IOTP-SEC-187]): its first signature by the identity key
    /// held for it, `previous_address` the address bound to it, `sequence` above the last accepted.
    fn apply_rehoming<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        invoker: &Invoker<'_>,
        subject: NodeId,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let held = &self.peers[self.held_and_authorised(invoker, &subject)?];
        let (bound, accepted) = match self.followed.iter().find(|f| f.node == subject) {
            Some(f) => (f.address.clone(), f.sequence),
            None => {
                let statement = verify_credential(&held.1).map_err(|_| constraint())?;
                let address = statement.statement.address.ok_or_else(constraint)?;
                (String::from(address), 0)
            }
        };
        let (known, administrators) = self.trust_sources();
        let trust = Trust {
            known: &known,
            administrators: &administrators,
            rotated_away: &self.rotated_away,
        };
        // Check 5: the signatures, previous_address and sequence (a second signer unknown is
        // check 3's).
        let verified =
            verify_rehoming(input, &trust, &bound, accepted).map_err(|e| status_of(&e))?;
        let s = verified.statement;
        // Check 6: from an address not bound to the peer, only its move to that address
        // ([IOTP-SEC-166]).
        if invoker.unbound_sender.is_some_and(|a| a != s.new_address) {
            return Err(forbidden());
        }

        // Every check passed: bind the new address ([IOTP-SEC-113]), keep the previous one for the
        // grace period ([IOTP-SEC-114]), answer handshakes by the peer's credential there.
        let until = now.saturating_add(u64::from(s.grace_period) * 1_000);
        let moved: Vec<_> = node
            .contexts()
            .iter()
            .filter(|e| e.peer.node == Some(subject) && e.peer.kind == ContextKind::Ordinary)
            .map(|e| e.id)
            .collect();
        for id in moved {
            node.rebind_peer(id, Some(String::from(s.new_address)), Some(until));
        }
        if let Ok(credential) = verify_credential(&held.1) {
            let mut peer = known_peer(&credential);
            peer.address = Some(String::from(s.new_address));
            node.add_edhoc_peer(peer);
        }
        let followed = Followed {
            node: subject,
            address: String::from(s.new_address),
            sequence: s.sequence,
        };
        self.followed.retain(|f| f.node != subject);
        // One per held peer: the subject is held, so there is room.
        if self.followed.len() < PEER_CAPACITY {
            self.followed.push(followed);
        }
        self.applied(&subject);
        Ok(None)
    }

    /// A key rotation statement of `subject`, the node ID rotated away ([IOTP-SEC-119]): the new
    /// node ID replaces it in the credentials held, the access control list, the contexts and the
    /// moves and introduction serials kept ([IOTP-SEC-120]). The peer's credential statement under
    /// the new key comes next (`apply_statement` again, under the same context); until then the node
    /// holds none for it, and its handshakes by the previous credential are refused.
    fn apply_rotation<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        invoker: &Invoker<'_>,
        subject: NodeId,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        // The new key signs for itself (check 3).
        let at = self.held_and_authorised(invoker, &subject)?;
        // Check 5.
        let (known, administrators) = self.trust_sources();
        let trust = Trust {
            known: &known,
            administrators: &administrators,
            rotated_away: &self.rotated_away,
        };
        let rotation = verify_key_rotation(input, &trust).map_err(|e| status_of(&e))?;
        let new = rotation.new_identity_key.node_id();
        if self.peers.iter().any(|(n, _)| *n == new) {
            // Two held peers would become one.
            return Err(constraint());
        }

        // Every check passed ([IOTP-SEC-120]).
        self.peers[at] = (new, Vec::new());
        node.forget_edhoc_peer(&subject);
        let contexts: Vec<_> = node
            .contexts()
            .iter()
            .filter(|e| e.peer.node == Some(subject))
            .map(|e| e.id)
            .collect();
        for id in contexts {
            node.identify_peer(id, new);
        }
        for index in self.acl.rename_subject(&subject, &new) {
            self.event(member::ACL_CHANGED, encode_uint(index.into()));
        }
        for (n, _) in self.introducers.iter_mut().filter(|(n, _)| *n == subject) {
            *n = new;
        }
        for f in self.followed.iter_mut().filter(|f| f.node == subject) {
            f.node = new;
        }
        if self.rotated_away.len() >= ROTATED_AWAY_CAPACITY {
            self.rotated_away.remove(0);
        }
        self.rotated_away.push(subject);
        self.applied(&subject);
        Ok(None)
    }

    /// A revocation statement, by the revoked node itself or by an administrator of this node
    /// ([IOTP-SEC-124]): the node forgets the revoked one's credential, its handshakes by kid, its
    /// contexts and its access ([IOTP-SEC-122]).
    fn apply_revocation<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let (known, administrators) = self.trust_sources();
        let trust = Trust {
            known: &known,
            administrators: &administrators,
            rotated_away: &self.rotated_away,
        };
        // Checks 3 to 5 ([IOTP-SEC-124]).
        let revocation = verify_revocation(input, &trust).map_err(|e| status_of(&e))?;
        let (revoked, signer) = (revocation.revoked, revocation.signer);
        // A scoped administrator revokes only a node that it alone granted entries to
        // ([IOTP-SEC-176]).
        let scoped = signer != revoked && !self.acl.is_owner(&signer);
        if scoped && !self.acl.granted_only_by(&revoked, &signer) {
            return Err(forbidden());
        }
        // The last owner-level administrator stays ([IOTP-SEC-177]); nothing changes before this.
        let changed = self
            .acl
            .remove_subject(&revoked)
            .map_err(|_| constraint())?;
        self.forget_peer(node, &revoked);
        node.revoke_peer(&revoked);
        for index in changed {
            self.event(member::ACL_CHANGED, encode_uint(index.into()));
        }
        self.applied(&signer);
        Ok(None)
    }

    /// The `statement_applied` event, naming the node the statement was about (its signer, for a
    /// revocation or an introduction).
    pub(super) fn applied(&mut self, node: &NodeId) {
        self.event(
            member::STATEMENT_APPLIED,
            encode_bytes(node.as_bytes()).ok(),
        );
    }

    /// Checks 3 and 4 for a statement about `subject`: the node holds its credential statement, and
    /// it was not rotated away ([IOTP-SEC-121]); it is the invoker, or the invoker administers the
    /// node ([IOTP-SEC-116]). Gives where the statement is held.
    fn held_and_authorised(&self, invoker: &Invoker<'_>, subject: &NodeId) -> Result<usize, Stop> {
        let at = self
            .peers
            .iter()
            .position(|(n, _)| n == subject)
            .filter(|_| !self.rotated_away.contains(subject))
            .ok_or_else(forbidden)?;
        authorised(invoker, subject)?;
        Ok(at)
    }

    /// Forgets `peer`: the credential statement held for it, the moves followed of it, its
    /// handshakes by kid, and its contexts and subscriptions once the reply under way has gone.
    pub(super) fn forget_peer<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        peer: &NodeId,
    ) {
        self.peers.retain(|(n, _)| n != peer);
        self.followed.retain(|f| f.node != *peer);
        self.forgotten.push(*peer);
        node.forget_edhoc_peer(peer);
        self.discard.extend(
            node.contexts()
                .iter()
                .filter(|e| e.peer.node == Some(*peer))
                .map(|e| e.id),
        );
    }
}

/// Check 4 of [IOTP-SEC-202]: a statement about the invoking peer itself needs no privilege, one
/// about another node needs Administer ([IOTP-SEC-116]); and from an address not bound to the peer,
/// only the peer's own statement ([IOTP-SEC-166]).
fn authorised(invoker: &Invoker<'_>, subject: &NodeId) -> Result<(), Stop> {
    let own = invoker.peer.and_then(|p| p.node) == Some(*subject);
    if own || (invoker.administer && invoker.unbound_sender.is_none()) {
        Ok(())
    } else {
        Err(forbidden())
    }
}
