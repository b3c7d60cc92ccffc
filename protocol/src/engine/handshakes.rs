//! EDHOC as the responder (spec §8.4.3): a node with an [`EdhocResponder`] answers the Security
//! actions `edhoc_1` and `edhoc_3` itself, in unsealed envelopes, and adds the security context of each
//! completed handshake to its table.
//!
//! - `edhoc_1`: message_1 in, message_2 out (or an EDHOC error message); the node picks C_R among the
//!   one-byte identifiers no context or handshake uses ([IOTP-SEC-53], [IOTP-SEC-56]).
//! - `edhoc_3`: C_R and message_3 in, `done` out; taken only from the sender of the `edhoc_1` that
//!   started the handshake, and ignored from anyone else without ending it ([IOTP-SEC-194]).
//!
//! A peer referenced by `kid` gets an ordinary context bound to the address of its known credential;
//! one that sent its credential by value gets a visitor context ([IOTP-SEC-152]), unless that
//! credential is, byte for byte, one the node knows ([IOTP-SEC-155]).
//!
//! As the initiator, [`Node::connect`] runs the handshake with a known peer by the same actions: it sends
//! `edhoc_1`, answers message_2 with `edhoc_3`, and adds the context as soon as it has sent message_3
//! (an initiator may seal at once, [IOTP-SEC-57]).
//!
//! **Bounds.** At most `max_pending` handshakes wait for message_3 (the oldest is dropped for a new
//! one, [IOTP-SEC-60]), each for `pending_lifetime` ms, at least 300 s ([IOTP-SEC-59]). At most
//! `max_visitors` visitor contexts live at once, the oldest discarded for a new one ([IOTP-SEC-161]),
//! each for [`VISITOR_LIFETIME`] unless it has become an ordinary context ([IOTP-SEC-160]).
//! Handshakes with ID_CRED_I by value are rate-limited per hop-peer transport address and per claimed
//! node ID ([IOTP-SEC-162]); at most `max_visitor_sources` of each are counted at once, and a new one
//! is refused while all are still limited ([`visitor_rate`](super::visitor_rate), [IOTP-SEC-201]).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use iotp2p_codec::core::owned::{Body as OwnedBody, InvokeResponse};
use iotp2p_codec::core::{Body, Envelope};
use iotp2p_codec::security::{EdhocFinish, EdhocReply};
use rand_core::CryptoRngCore;

use super::peers::{ContextId, ContextKind, Peer};
use super::visitor_rate::VisitorRate;
use super::{Discard, Event, Node, Origin, Output, Role};
use crate::message::digest::Digest;
use crate::params::Instant;
use crate::security::edhoc::carriage::{
    decode_edhoc_1_input, decode_edhoc_3_input, encode_edhoc_1_error, encode_edhoc_3_error,
    EDHOC_1, EDHOC_3, SECURITY_CAPABILITY, SECURITY_ENDPOINT,
};
use crate::security::edhoc::{
    connection_id_from_int, IdCredI, LocalIdentity, NodeIdClaim, PeerCredential, Responder,
};
use crate::security::{KeyId, NodeId};

/// The shortest time a handshake waits for message_3 ([IOTP-SEC-59]), in ms.
pub const MIN_PENDING_LIFETIME: u64 = 300_000;

/// A peer whose credential the node holds (from its credential statement, §8.2.3).
#[derive(Clone, Debug)]
pub struct KnownPeer {
    /// Its authentication credential (CCS), as the statement holds it.
    pub credential: Vec<u8>,
    /// The address its statement binds, if any.
    pub address: Option<String>,
    /// Its node ID, if known: the contexts of a handshake with it carry it ([IOTP-IM-65]).
    pub node: Option<NodeId>,
}

/// What the node needs to answer EDHOC.
pub struct EdhocResponder {
    /// The node's authentication key and credential.
    pub identity: LocalIdentity,
    /// The peers it may talk to.
    pub peers: Vec<KnownPeer>,
    /// Handshakes waiting for message_3 at once.
    pub max_pending: usize,
    /// How long one waits, in ms (raised to [`MIN_PENDING_LIFETIME`]).
    pub pending_lifetime: u64,
    /// Visitor contexts held at once (MAX_VISITOR_CONTEXTS: 1 on a device; raised to 1); a handshake
    /// that makes one more discards the oldest ([IOTP-SEC-161]).
    pub max_visitors: usize,
    /// Hop-peer transport addresses, and as many claimed node IDs, whose handshakes with ID_CRED_I by
    /// value are counted at once for their rate limit ([IOTP-SEC-162]; raised to 1). While every one
    /// counted is still limited, a handshake by value from another is refused ([IOTP-SEC-201]).
    pub max_visitor_sources: usize,
}

impl core::fmt::Debug for EdhocResponder {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EdhocResponder")
            .field("peers", &self.peers.len())
            .field("max_pending", &self.max_pending)
            .finish_non_exhaustive()
    }
}

/// A handshake waiting for message_3.
pub(super) struct Pending<P> {
    responder: Responder,
    origin: Origin<P>,
    started: Instant,
}

impl<P> core::fmt::Debug for Pending<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pending")
            .field("c_r", self.responder.c_r())
            .finish_non_exhaustive()
    }
}

/// A handshake this node started, waiting for message_2: its `edhoc_1`, an unsealed request named by
/// its `message_id` together with the hop peer and the recipient it went to. Every node's identifiers
/// start at 0 in each context, so a `message_id` alone would also name requests to other peers or
/// under other contexts, whose replies are not the handshake's ([IOTP-MSG-39]).
pub(super) struct Connecting<P> {
    request: u64,
    initiator: crate::security::edhoc::Initiator,
    to_peer: KnownPeer,
    /// The hop peer and the recipient the `edhoc_1` went to, for the `edhoc_3`.
    to: P,
    recipient: crate::engine::Destination,
}

/// How long a visitor context lives unless it becomes an ordinary one, in ms (VISITOR_LIFETIME, §8.4.6,
/// [IOTP-SEC-160]).
pub const VISITOR_LIFETIME: u64 = 600_000;

/// The state of both sides.
pub(super) struct Handshakes<P> {
    /// The visitor contexts this node made and when, oldest first (at most `max_visitors`).
    pub(super) visitors: Vec<(ContextId, Instant)>,
    pub(super) config: EdhocResponder,
    pub(super) pending: Vec<Pending<P>>,
    /// Handshakes this node started (at most `max_pending`; the oldest is dropped for a new one).
    pub(super) connecting: Vec<Connecting<P>>,
    /// The `edhoc_3` requests whose `done` is still to come, to consume it: each its hop peer and
    /// `message_id` (at most `max_pending`).
    pub(super) finishing: Vec<(P, u64)>,
    /// The nodes revoked most recently, oldest first (at most [`REVOKED_CAPACITY`]): a handshake
    /// whose credential by value claims one of them is refused ([IOTP-SEC-156]).
    pub(super) revoked: Vec<NodeId>,
    /// The rate limit of handshakes by value (at most `max_visitor_sources` addresses and node IDs).
    visitor_rate: VisitorRate<P>,
}

/// Revoked node IDs a node remembers ([IOTP-SEC-192]: at least 16); the oldest is forgotten first.
pub const REVOKED_CAPACITY: usize = 16;

impl<P> core::fmt::Debug for Handshakes<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Handshakes")
            .field("pending", &self.pending.len())
            .field("connecting", &self.connecting.len())
            .finish_non_exhaustive()
    }
}

impl<P: Clone + PartialEq + core::fmt::Debug, R: Role> Node<P, R> {
    /// Makes this node answer EDHOC as the responder (or stops it, with `None`).
    pub fn set_edhoc_responder(&mut self, config: Option<EdhocResponder>) {
        self.handshakes = config.map(|config| Handshakes {
            visitor_rate: VisitorRate::new(config.max_visitor_sources),
            config,
            pending: Vec::new(),
            connecting: Vec::new(),
            finishing: Vec::new(),
            visitors: Vec::new(),
            revoked: Vec::new(),
        });
    }

    /// How many hop-peer addresses and claimed node IDs the rate limit of handshakes by value counts
    /// (each at most [`EdhocResponder::max_visitor_sources`], [IOTP-SEC-162]).
    pub fn visitor_sources(&self) -> (usize, usize) {
        self.handshakes
            .as_ref()
            .map_or((0, 0), |h| h.visitor_rate.counted())
    }

    /// The nodes revoked most recently ([IOTP-SEC-192]), oldest first: an introduction of one of them
    /// is refused (§8.8.4.2, check 5).
    pub fn revoked_peers(&self) -> &[NodeId] {
        self.handshakes
            .as_ref()
            .map_or(&[], |h| h.revoked.as_slice())
    }

    /// Replaces the node's authentication key and credential (`rotate_auth_key`, §8.10.1): later
    /// handshakes use the new ones; the contexts of earlier handshakes, and handshakes already under
    /// way, keep theirs. False when the node answers no EDHOC.
    pub fn set_edhoc_identity(&mut self, identity: LocalIdentity) -> bool {
        let Some(h) = self.handshakes.as_mut() else {
            return false;
        };
        h.config.identity = identity;
        true
    }

    /// Lets a peer run EDHOC with this node by its credential (the peer's credential statement was
    /// stored, `add_peer` of §8.12): it replaces what the node held for the same node ID. False when
    /// the node answers no EDHOC.
    pub fn add_edhoc_peer(&mut self, peer: KnownPeer) -> bool {
        let Some(h) = self.handshakes.as_mut() else {
            return false;
        };
        // Added again by an administrator: no longer revoked ([IOTP-SEC-192]).
        if let Some(node) = &peer.node {
            h.revoked.retain(|r| r != node);
        }
        let peers = &mut h.config.peers;
        match peers
            .iter_mut()
            .find(|p| p.node.is_some() && p.node == peer.node)
        {
            Some(held) => *held = peer,
            None => peers.push(peer),
        }
        true
    }

    /// Stops letting `node` run EDHOC with this node by its credential (`remove_peer`, §8.12). False
    /// when the node answers no EDHOC.
    pub fn forget_edhoc_peer(&mut self, node: &NodeId) -> bool {
        let Some(h) = self.handshakes.as_mut() else {
            return false;
        };
        h.config.peers.retain(|p| p.node.as_ref() != Some(node));
        true
    }

    /// Revokes `node` (§8.11): its credential is no longer held, and a handshake whose credential by
    /// value claims it is refused until an administrator adds it again ([IOTP-SEC-123],
    /// [IOTP-SEC-156]). The node IDs of the [`REVOKED_CAPACITY`] nodes revoked last are kept
    /// ([IOTP-SEC-192]). False when the node answers no EDHOC.
    pub fn revoke_peer(&mut self, node: &NodeId) -> bool {
        if !self.forget_edhoc_peer(node) {
            return false;
        }
        let Some(h) = self.handshakes.as_mut() else {
            return false;
        };
        h.revoked.retain(|r| r != node);
        if h.revoked.len() >= REVOKED_CAPACITY {
            h.revoked.remove(0);
        }
        h.revoked.push(*node);
        true
    }

    /// Discards the visitor contexts older than [`VISITOR_LIFETIME`] that are still visitor contexts
    /// ([IOTP-SEC-160]), and forgets those that became ordinary or are gone.
    pub(super) fn expire_visitors(&mut self, now: Instant) {
        let Some(h) = self.handshakes.as_mut() else {
            return;
        };
        let contexts = &mut self.contexts;
        h.visitors.retain(|&(id, since)| {
            let still_visitor = contexts
                .get(id)
                .is_some_and(|e| e.peer.kind == ContextKind::Visitor);
            if still_visitor && now >= since.saturating_add(VISITOR_LIFETIME) {
                contexts.remove(id);
                return false;
            }
            still_visitor
        });
    }

    /// When the oldest visitor context is to be discarded.
    pub(super) fn next_visitor_expiry(&self) -> Option<Instant> {
        let h = self.handshakes.as_ref()?;
        h.visitors
            .iter()
            .map(|&(_, since)| since.saturating_add(VISITOR_LIFETIME))
            .min()
    }

    /// Discards the oldest visitor contexts until one more fits within `max_visitors`
    /// ([IOTP-SEC-161]): a device talks to one visitor at a time.
    fn make_room_for_a_visitor(&mut self) {
        let Some(h) = self.handshakes.as_mut() else {
            return;
        };
        let max = h.config.max_visitors.max(1);
        while !h.visitors.is_empty() && h.visitors.len() >= max {
            let (oldest, _) = h.visitors.remove(0);
            self.contexts.remove(oldest);
        }
    }

    /// Starts an EDHOC handshake, as the initiator, with `peer` (whose credential the node holds),
    /// reached at `recipient` through the hop peer `to`: sends `edhoc_1` with a one-byte C_I that no
    /// context uses, `kid` as ID_CRED_I ([IOTP-SEC-150]). Returns the `message_id` of the request.
    /// [`Event::Session`] reports the new context once message_3 is sent.
    pub fn connect(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        recipient: crate::engine::Destination,
        peer: KnownPeer,
    ) -> Result<(u64, Vec<Output<P>>), crate::engine::SendError> {
        self.start_handshake(now, rng, to, recipient, peer, IdCredI::Kid)
    }

    /// [`Node::connect`] with the node's credential by value as ID_CRED_I, for a responder that does
    /// not hold it (§8.4.6): it gets a visitor context, under which it carries out `introduce` (or, at
    /// a relay, `lookup` and `enrol`) and nothing else until a statement binds the credential.
    pub fn connect_as_visitor(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        recipient: crate::engine::Destination,
        peer: KnownPeer,
    ) -> Result<(u64, Vec<Output<P>>), crate::engine::SendError> {
        self.start_handshake(now, rng, to, recipient, peer, IdCredI::ByValue)
    }

    fn start_handshake(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        to: P,
        recipient: crate::engine::Destination,
        peer: KnownPeer,
        id_cred: IdCredI,
    ) -> Result<(u64, Vec<Output<P>>), crate::engine::SendError> {
        use crate::engine::SendError;
        use crate::security::edhoc::carriage::encode_edhoc_1_input;
        use crate::security::edhoc::Initiator;
        let in_use: Vec<KeyId> = self
            .contexts
            .iter()
            .map(|e| *e.context.recipient_id())
            .collect();
        let handshakes = self.handshakes.as_ref().ok_or(SendError::NoContext)?;
        // One-byte identifiers first ([IOTP-SEC-56]), never the pairing context's 0 and 1
        // ([IOTP-SEC-195]).
        let c_i = (2..=23i8)
            .chain((-24..=-1).rev())
            .filter_map(connection_id_from_int)
            .find(|c| !in_use.contains(c))
            .ok_or(SendError::Busy)?;
        let mut ephemeral = [0u8; 32];
        rng.fill_bytes(&mut ephemeral);
        let (initiator, message_1) = Initiator::start(
            &handshakes.config.identity,
            id_cred,
            c_i,
            in_use.as_slice(),
            &ephemeral,
        )
        .map_err(|_| SendError::Exhausted)?;
        let mut input = vec![0u8; message_1.as_bytes().len() + 3];
        let n = encode_edhoc_1_input(message_1.as_bytes(), &mut input)?;
        input.truncate(n);
        let body = OwnedBody::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            endpoint: SECURITY_ENDPOINT,
            capability: SECURITY_CAPABILITY,
            action: EDHOC_1,
            input: Some(input),
            echo: None,
            unknown_fields: Default::default(),
        });
        let (message_id, out) = self.request(
            now,
            rng,
            to.clone(),
            recipient.clone(),
            None,
            &body,
            true,
            None,
        )?;
        if let Some(h) = self.handshakes.as_mut() {
            if h.connecting.len() >= h.config.max_pending.max(1) {
                h.connecting.remove(0);
            }
            h.connecting.push(Connecting {
                request: message_id,
                initiator,
                to_peer: peer,
                to,
                recipient,
            });
        }
        Ok((message_id, out))
    }

    /// A reply to `request`, if it is one of this node's handshake requests: message_2 is answered
    /// with `edhoc_3` and the context added; `done` is consumed. Returns whether the reply was the
    /// engine's. The handshake's requests go unsealed, so a reply to a sealed request is never one.
    pub(super) fn edhoc_reply(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        request: &super::Pending<P>,
        body: &Body<'_>,
        out: &mut Vec<Output<P>>,
    ) -> bool {
        use crate::security::edhoc::carriage::{decode_edhoc_1_output, encode_edhoc_3_input};
        let Some(h) = self.handshakes.as_mut() else {
            return false;
        };
        if request.context.is_some() {
            return false;
        }
        let finishing = h
            .finishing
            .iter()
            .position(|(to, m)| *m == request.message_id && *to == request.to);
        if let Some(i) = finishing {
            h.finishing.remove(i);
            return true;
        }
        let Some(index) = h.connecting.iter().position(|c| {
            c.request == request.message_id
                && c.to == request.to
                && c.recipient == request.recipient
        }) else {
            return false;
        };
        let connecting = h.connecting.remove(index);
        let Body::InvokeResponse(response) = body else {
            // A status: the handshake did not start; the application learns nothing more.
            return true;
        };
        let Some(Ok(EdhocReply::Message2(message_2))) = response.output.map(decode_edhoc_1_output)
        else {
            return true;
        };
        let held: &[&[u8]] = &[connecting.to_peer.credential.as_slice()];
        let Ok((sent, message_3)) = connecting.initiator.receive_message_2(message_2, held) else {
            return true;
        };
        let mut input = vec![0u8; message_3.as_bytes().len() + 16];
        let Ok(n) = encode_edhoc_3_input(sent.c_r(), message_3.as_bytes(), &mut input) else {
            return true;
        };
        input.truncate(n);
        let Ok(established) = sent.complete() else {
            return true;
        };
        let body = OwnedBody::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            endpoint: SECURITY_ENDPOINT,
            capability: SECURITY_CAPABILITY,
            action: EDHOC_3,
            input: Some(input),
            echo: None,
            unknown_fields: Default::default(),
        });
        if let Ok((edhoc_3, more)) = self.request(
            now,
            rng,
            connecting.to.clone(),
            connecting.recipient,
            None,
            &body,
            true,
            None,
        ) {
            out.extend(more);
            if let Some(h) = self.handshakes.as_mut() {
                h.finishing.push((connecting.to, edhoc_3));
                if h.finishing.len() > h.config.max_pending.max(1) {
                    h.finishing.remove(0);
                }
            }
        }
        let (context, _) = established.into_parts();
        let peer = Peer {
            address: connecting.to_peer.address.clone(),
            kind: ContextKind::Ordinary,
            node: connecting.to_peer.node,
        };
        if let Ok(id) = self.contexts.insert(context, peer) {
            out.push(Output::Event(Event::Session {
                context: id,
                visitor: false,
            }));
        }
        true
    }

    /// How many handshakes wait for message_3.
    pub fn pending_handshakes(&self) -> usize {
        self.handshakes.as_ref().map_or(0, |h| h.pending.len())
    }

    /// Step 9 for an unsealed `edhoc_1` or `edhoc_3`, when this node answers EDHOC: `None` if the
    /// request is not one of them (the application gets it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn edhoc_request(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        env: &Envelope<'_>,
        sender: &Origin<P>,
        body: &Body<'_>,
        digest: Digest,
        out: &mut Vec<Output<P>>,
    ) -> Option<Result<(), Discard>> {
        let (Some(handshakes), None, Body::Invoke(invoke)) = (&self.handshakes, env.sealed, body)
        else {
            return None;
        };
        if (invoke.endpoint, invoke.capability) != (SECURITY_ENDPOINT, SECURITY_CAPABILITY)
            || !matches!(invoke.action, EDHOC_1 | EDHOC_3)
        {
            return None;
        }
        let lifetime = handshakes.config.pending_lifetime.max(MIN_PENDING_LIFETIME);
        if let Some(h) = self.handshakes.as_mut() {
            h.pending
                .retain(|p| now < p.started.saturating_add(lifetime));
        }
        let input = invoke.input.unwrap_or_default();
        let output = if invoke.action == EDHOC_1 {
            self.edhoc_1(rng, sender, input, now)
        } else {
            match self.edhoc_3(now, from, sender, input, out) {
                Some(output) => output,
                // Not from the handshake's initiator: ignored, the handshake goes on.
                None => return Some(Err(Discard::UnmatchedHandshake)),
            }
        };
        let reply = OwnedBody::InvokeResponse(InvokeResponse {
            output: Some(output),
            unknown_fields: Default::default(),
        });
        if let Ok(body) = reply.encode_to_vec_as::<R>() {
            let id = env.message_id;
            if let Some(bytes) = self.answer(now, rng, from, sender, None, id, &body, false, out) {
                // A retransmitted edhoc_1 gets the same message_2, not a second handshake.
                self.replies.insert(digest, &bytes, now);
            }
        }
        Some(Ok(()))
    }

    /// message_1 → message_2, or an error message.
    fn edhoc_1(
        &mut self,
        rng: &mut dyn CryptoRngCore,
        sender: &Origin<P>,
        input: &[u8],
        now: Instant,
    ) -> Vec<u8> {
        let mut in_use: Vec<KeyId> = self
            .contexts
            .iter()
            .map(|e| *e.context.recipient_id())
            .collect();
        let Some(handshakes) = self.handshakes.as_mut() else {
            return Vec::new();
        };
        in_use.extend(handshakes.pending.iter().map(|p| *p.responder.c_r()));
        let message_1 = match decode_edhoc_1_input(input) {
            Ok(m) => m,
            Err(_) => return error_1(&crate::security::edhoc::Error::Malformed),
        };
        let mut ephemeral = [0u8; 32];
        rng.fill_bytes(&mut ephemeral);
        // One-byte identifiers first ([IOTP-SEC-56]): 2 to 23, then -1 to -24; never the pairing
        // context's 0 and 1 ([IOTP-SEC-195]).
        let candidates = (2..=23i8).chain((-24..=-1).rev());
        let mut last = crate::security::edhoc::Error::ConnectionIdInUse;
        for c_r in candidates.filter_map(connection_id_from_int) {
            if in_use.contains(&c_r) {
                continue;
            }
            match Responder::receive_message_1(
                &handshakes.config.identity,
                message_1,
                c_r,
                in_use.as_slice(),
                &ephemeral,
            ) {
                Ok((responder, message_2)) => {
                    if handshakes.pending.len() >= handshakes.config.max_pending.max(1) {
                        handshakes.pending.remove(0);
                    }
                    handshakes.pending.push(Pending {
                        responder,
                        origin: sender.clone(),
                        started: now,
                    });
                    let reply = EdhocReply::Message2(message_2.as_bytes());
                    let mut out = vec![0u8; reply.encoded_len()];
                    return match reply.encode(&mut out) {
                        Ok(n) => {
                            out.truncate(n);
                            out
                        }
                        Err(_) => Vec::new(),
                    };
                }
                // C_R equal to C_I ([IOTP-SEC-54]): the next candidate.
                Err(crate::security::edhoc::Error::ConnectionIdsEqual) => continue,
                Err(e) => {
                    last = e;
                    break;
                }
            }
        }
        error_1(&last)
    }

    /// C_R and message_3 → `done` and a new context, or an error message; `None` when no handshake
    /// of this sender has that C_R. A credential by value beyond the rate limit of the hop peer `from`
    /// or of its claimed node ID is refused before MAC_3 is verified ([IOTP-SEC-200]).
    fn edhoc_3(
        &mut self,
        now: Instant,
        from: &P,
        sender: &Origin<P>,
        input: &[u8],
        out: &mut Vec<Output<P>>,
    ) -> Option<Vec<u8>> {
        let (c_r, message_3) = decode_edhoc_3_input(input).ok()?;
        let handshakes = self.handshakes.as_mut()?;
        let index = handshakes
            .pending
            .iter()
            .position(|p| p.responder.c_r() == &c_r && p.origin == *sender)?;
        let pending = handshakes.pending.remove(index);
        let held: Vec<&[u8]> = handshakes
            .config
            .peers
            .iter()
            .map(|p| p.credential.as_slice())
            .collect();
        let rate = &mut handshakes.visitor_rate;
        let admit = |claim: &NodeIdClaim| {
            if rate.admit(from.clone(), *claim, now) {
                Ok(())
            } else {
                Err(crate::security::edhoc::Error::RateLimited)
            }
        };
        let established = pending
            .responder
            .receive_message_3_admitting(message_3, held.as_slice(), admit)
            .and_then(|verified| verified.complete());
        let established = match established {
            Ok(e) => e,
            Err(e) => return Some(error_3(&e)),
        };
        let (context, credential) = established.into_parts();
        if let PeerCredential::ByValue {
            claimed_node_id, ..
        } = &credential
        {
            let revoked = NodeId::parse(claimed_node_id.as_str())
                .is_ok_and(|claimed| handshakes.revoked.contains(&claimed));
            if revoked {
                return Some(error_3(&crate::security::edhoc::Error::Revoked));
            }
        }
        let known = handshakes
            .config
            .peers
            .iter()
            .find(|p| p.credential == credential.credential().as_bytes());
        let peer = match (&credential, known) {
            (PeerCredential::Referenced(_), Some(k))
            | (PeerCredential::ByValue { .. }, Some(k)) => Peer {
                address: k.address.clone(),
                kind: ContextKind::Ordinary,
                node: k.node,
            },
            // Bound to the address the handshake came from ([IOTP-SEC-198]): what the visitor seals
            // names it, and its later envelopes may come with only a contact number.
            _ => Peer {
                address: match sender {
                    Origin::Address(a) => Some(a.clone()),
                    Origin::Contact(_) | Origin::HopPeer(_) => None,
                },
                kind: ContextKind::Visitor,
                node: None,
            },
        };
        let visitor = peer.kind == ContextKind::Visitor;
        if visitor {
            self.make_room_for_a_visitor();
        }
        let authenticated = credential.credential().as_bytes().to_vec();
        match self.contexts.insert(context, peer) {
            Ok(id) => {
                if visitor {
                    if let Some(h) = self.handshakes.as_mut() {
                        h.visitors.push((id, now));
                    }
                }
                if let Some(entry) = self.contexts.get_mut(id) {
                    entry.credential = Some(authenticated);
                }
                out.push(Output::Event(Event::Session {
                    context: id,
                    visitor,
                }));
                let done = EdhocFinish::Done;
                let mut bytes = vec![0u8; done.encoded_len()];
                Some(match done.encode(&mut bytes) {
                    Ok(n) => {
                        bytes.truncate(n);
                        bytes
                    }
                    Err(_) => Vec::new(),
                })
            }
            Err(_) => Some(error_3(&crate::security::edhoc::Error::ConnectionIdInUse)),
        }
    }
}

fn error_1(e: &crate::security::edhoc::Error) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    match encode_edhoc_1_error(e, &mut out) {
        Ok(n) => {
            out.truncate(n);
            out
        }
        Err(_) => Vec::new(),
    }
}

fn error_3(e: &crate::security::edhoc::Error) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    match encode_edhoc_3_error(e, &mut out) {
        Ok(n) => {
            out.truncate(n);
            out
        }
        Err(_) => Vec::new(),
    }
}
