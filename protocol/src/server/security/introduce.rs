//! `introduce` at the subject (spec §8.8.4.2): an introduction statement presented by its audience,
//! under a visitor context or an ordinary one, checked in the order of the spec's table
//! ([IOTP-SEC-183]) and applied only when every check passed: the audience's credential statement
//! stored, one access control entry granted by the introducer, the serial recorded
//! ([IOTP-SEC-184]), and a visitor context made the audience's ordinary context ([IOTP-SEC-185]).
//!
//! Checks 1 to 7 are [`verify_introduction_at_subject`]'s; 8 to 10 need the access control list and
//! the peers held, and are here.
//!
//! **Bound.** Serial windows for at most [`INTRODUCERS_CAPACITY`] introducers, as many as the
//! subjects the access control list can name, so that every node holding Administer has room
//! ([IOTP-SEC-186]); the windows of introducers that no longer administer the node go when room is
//! needed.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::AclEntry;
use iotp2p_codec::security::Introduction;

use super::{encode_uint, invalid, known_peer, member, refused, SecurityService, Stop};
use super::{ACL_CAPACITY, PEER_CAPACITY};
use crate::engine::peers::{ContextId, ContextKind, Peer};
use crate::engine::{Node, Role};
use crate::params::Instant;
use crate::security::statement::ccs;
use crate::security::statement::{
    verify_credential, verify_introduction_at_subject, IntroductionSerials, SubjectView, Trust,
};
use crate::security::NodeId;

const ACTION: u16 = member::INTRODUCE;

/// Introducers whose serials a node keeps: every subject of every entry (4 per entry, as the schema
/// bounds them) could hold Administer.
pub const INTRODUCERS_CAPACITY: usize = ACL_CAPACITY * 4;

impl SecurityService {
    /// `introduce` under `context`, whose peer is `peer`.
    pub(super) fn introduce<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        context: Option<ContextId>,
        peer: Option<&Peer>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let introduction = Introduction::decode(input).map_err(|e| invalid(ACTION, &e))?;
        let forbidden = || refused(StatusCode::Forbidden, ACTION);
        let constraint = || refused(StatusCode::ConstraintError, ACTION);
        let visitor = peer.map(|p| p.kind) == Some(ContextKind::Visitor);
        // The audience must be the peer: the node ID its CCS claims under a visitor context, the
        // authenticated one otherwise (check 4).
        let handshake_credential = context
            .and_then(|c| node.contexts().get(c))
            .and_then(|e| e.credential.clone());
        let claimed = if visitor {
            handshake_credential
                .as_deref()
                .and_then(|c| ccs::parse(c).ok())
                .and_then(|c| NodeId::parse(c.sub).ok())
        } else {
            peer.and_then(|p| p.node)
        };
        let audience_peer = claimed.ok_or_else(forbidden)?;
        let statement = introduction
            .statement
            .encode_to_vec()
            .map_err(|_| constraint())?;

        // Checks 1 to 7.
        let (known, administrators) = self.trust_sources();
        let trust = Trust {
            known: &known,
            administrators: &administrators,
            rotated_away: &self.rotated_away,
        };
        let view = SubjectView {
            own: self.identity.node_id(),
            peer: audience_peer,
            revoked: node.revoked_peers(),
            now: self.wall_clock(now),
        };
        let serials = |introducer: &NodeId| self.serials_of(introducer);
        let verified = verify_introduction_at_subject(&statement, &trust, &view, serials)
            .map_err(|e| refused(e.introduce_status(), ACTION))?;
        let (introducer, grant) = (verified.introducer, verified.statement);
        let targets = grant
            .targets
            .as_ref()
            .map(|ts| ts.iter().map(|t| t.into_owned()).collect::<Vec<_>>());

        // Check 8: no more than the introducer holds itself.
        if !self
            .acl
            .holds(&introducer, grant.privileges, targets.as_deref())
        {
            return Err(forbidden());
        }

        // Check 9: the audience's credential statement, binding the CCS of a visitor's handshake.
        let audience = audience_peer;
        let given = introduction.credentials.iter().find_map(|s| {
            let bytes = s.encode_to_vec().ok()?;
            let id = verify_credential(&bytes).ok()?.node_id;
            (id == audience).then_some(bytes)
        });
        let held = self.peers.iter().position(|(n, _)| *n == audience);
        // A given statement serves if the subject holds none, the same one, or an older one.
        let usable = |bytes: &Vec<u8>| match held {
            None => true,
            Some(at) => {
                self.peers[at].1 == *bytes
                    || verify_credential(bytes).is_ok_and(|v| self.replaces(at, &v))
            }
        };
        let credential = match (given.filter(usable), held) {
            (Some(bytes), _) => bytes,
            // Under an ordinary context the held statement serves too.
            (None, Some(at)) if !visitor => self.peers[at].1.clone(),
            _ => return Err(constraint()),
        };
        let checked = verify_credential(&credential).map_err(|_| constraint())?;
        if visitor {
            let binds = handshake_credential
                .as_deref()
                .is_some_and(|ccs| checked.statement.auth_credentials.iter().any(|c| c == ccs));
            if !binds {
                return Err(constraint());
            }
        }

        // Check 10: room for the statement and one entry.
        let index = (0..ACL_CAPACITY as u8).find(|i| self.acl.get(*i).is_none());
        let room_for_peer = held.is_some() || self.peers.len() < PEER_CAPACITY;
        let (Some(index), true) = (index, room_for_peer) else {
            return Err(refused(StatusCode::ResourceExhausted, ACTION));
        };

        // Every check passed ([IOTP-SEC-184]).
        let known_peer = known_peer(&checked);
        let address = checked.statement.address.map(String::from);
        let entry = AclEntry {
            subjects: alloc::vec![*audience.as_bytes()],
            privileges: grant.privileges,
            targets,
            label: None,
            granted_by: None,
            unknown_fields: Default::default(),
        };
        let serial = grant.serial;
        self.acl
            .write(index, Some(entry), Some(introducer))
            .map_err(|_| constraint())?;
        match held {
            Some(at) => self.peers[at].1 = credential,
            None => self.peers.push((audience, credential)),
        }
        node.add_edhoc_peer(known_peer);
        self.record_serial(introducer, serial);
        if let (true, Some(context)) = (visitor, context) {
            node.admit_visitor(context, audience, address);
        }
        self.event(member::ACL_CHANGED, encode_uint(index.into()));
        self.applied(&introducer);
        Ok(None)
    }

    /// The introduction serials accepted from `introducer`.
    fn serials_of(&self, introducer: &NodeId) -> IntroductionSerials {
        self.introducers
            .iter()
            .find(|(n, _)| n == introducer)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    }

    /// Records `serial` as accepted from `introducer` ([IOTP-SEC-186]).
    fn record_serial(&mut self, introducer: NodeId, serial: u32) {
        if let Some((_, serials)) = self.introducers.iter_mut().find(|(n, _)| *n == introducer) {
            serials.record(serial);
            return;
        }
        if self.introducers.len() >= INTRODUCERS_CAPACITY {
            // Forgotten with the introducer's last Administer entry (§8.8.4.2).
            let administrators = self.acl.administrators();
            self.introducers.retain(|(n, _)| administrators.contains(n));
        }
        if self.introducers.len() < INTRODUCERS_CAPACITY {
            let mut serials = IntroductionSerials::default();
            serials.record(serial);
            self.introducers.push((introducer, serials));
        }
    }
}
