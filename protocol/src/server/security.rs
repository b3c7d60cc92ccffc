//! The Security capability as a device serves it (spec §8.12), with what it guards: pairing with
//! the printed passcode (SPAKE2+ as the verifier, §8.3.3), the pairing context (§8.3.4), claiming
//! the device (`add_peer`, `acl_write`, `commission`, §8.3.5), the access control list (§8.8) and
//! which requests may come unsealed (§8.8.3).
//!
//! The [`super::Server`] hands it every request first: the Security actions it answers itself
//! (they install contexts in the engine and need the time and randomness), and for every other
//! request it decides access (§6.3 step 1) from the ACL and the kind of context the request opened
//! under. Reads of its properties go through the dispatcher like any other read.
//!
//! `apply_statement` takes credential, re-homing, key rotation and revocation statements
//! (`security/statements.rs`). `rehome` signs the re-homing statement and
//! the credential statement of the new address (§8.9.1), which the host then acts on
//! ([`SecurityService::take_rehomed`]); the server tells peers that still write to the previous
//! address. `set_home_relay` is checked here and carried out by the host
//! ([`SecurityService::take_home_relay`]). `open_commissioning_window` opens a window for an
//! administrator's verifier on the claimed device, whose pairing grants one pending entry
//! (`server/window.rs`). `introduce` is checked and applied in `security/introduce.rs`.
//! `rotate_auth_key` makes a new authentication key (`server/rotate.rs`).
//!
//! **Bounds.** [`PEER_CAPACITY`] peer credentials ([IOTP-SEC-98]), [`ACL_CAPACITY`] entries
//! ([IOTP-SEC-97]), one pairing exchange at a time ([IOTP-SEC-31]) and the one hop peer it belongs
//! to ([`ExchangePeer`], [IOTP-SEC-35]), at most one pairing context.

mod introduce;
mod statements;

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::{Body, Event, InvokeResponse, Status};
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{
    owned as sec, AclEntry, AclWrite, CommissionRequest, PairingConfirm, PairingShare,
    PairingStart, PairingWindow, RehomeRequest, RehomingStatement, RelayInfo, SignedStatement,
};
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use super::acl::{privilege, Acl, AclRefusal, ACL_CAPACITY};
use super::rotate::new_auth_key;
use super::window::CommissioningWindow;
use crate::engine::peers::{ContextId, ContextKind, Peer};
use crate::engine::{KnownPeer, Node, Role};
use crate::interaction::check::{status, ValueError};
use crate::interaction::model::{Capability, Member, MemberKind};
use crate::interaction::{Access, Change, Failure};
use crate::params::Instant;
use crate::security::pairing_states::{Effect, PairingStates, Refused, State};
use crate::security::spake2plus::{
    pairing_context_hash, Inputs, PairingRole, Verifier, VerifierConfirming, VerifierRecord,
    MIN_SALT_LEN, NONCE_LEN,
};
use crate::security::statement::{
    accepts_replacement, sign_credential, sign_rehoming, verify_credential, IntroductionSerials,
    VerifiedCredential,
};
use crate::security::{IdentityKey, IdentityPublicKey, NodeId};

/// The Security capability's number, on endpoint 0 of every node ([IOTP-SEC-125]).
pub const SECURITY: u16 = 1;

/// Peer credentials a node holds ([IOTP-SEC-98]).
pub const PEER_CAPACITY: usize = 8;

/// The members of the Security capability (spec/schema/security.iotp).
pub mod member {
    /// `node_id`.
    pub const NODE_ID: u16 = 0;
    /// `credential`.
    pub const CREDENTIAL: u16 = 1;
    /// `acl_capacity`.
    pub const ACL_CAPACITY: u16 = 2;
    /// `peer_capacity`.
    pub const PEER_CAPACITY: u16 = 3;
    /// `pairing_window_open`.
    pub const PAIRING_WINDOW_OPEN: u16 = 4;
    /// `pair_start`.
    pub const PAIR_START: u16 = 10;
    /// `pair_share`.
    pub const PAIR_SHARE: u16 = 11;
    /// `pair_confirm`.
    pub const PAIR_CONFIRM: u16 = 12;
    /// `commission`.
    pub const COMMISSION: u16 = 13;
    /// `add_peer`.
    pub const ADD_PEER: u16 = 14;
    /// `remove_peer`.
    pub const REMOVE_PEER: u16 = 15;
    /// `acl_read`.
    pub const ACL_READ: u16 = 16;
    /// `acl_write`.
    pub const ACL_WRITE: u16 = 17;
    /// `apply_statement`.
    pub const APPLY_STATEMENT: u16 = 18;
    /// The withdrawn `open_pairing_window` ([IOTP-SEC-193]).
    pub const WITHDRAWN: u16 = 19;
    /// `rehome`.
    pub const REHOME: u16 = 24;
    /// `rotate_auth_key`.
    pub const ROTATE_AUTH_KEY: u16 = 25;
    /// `open_commissioning_window`.
    pub const OPEN_COMMISSIONING_WINDOW: u16 = 26;
    /// `introduce`.
    pub const INTRODUCE: u16 = 27;
    /// `set_home_relay`.
    pub const SET_HOME_RELAY: u16 = 28;
    /// The `pairing_failed` event.
    pub const PAIRING_FAILED: u16 = 20;
    /// The `acl_changed` event.
    pub const ACL_CHANGED: u16 = 21;
    /// The `statement_applied` event.
    pub const STATEMENT_APPLIED: u16 = 22;
}

/// What a device holds from manufacture.
pub struct Manufactured {
    /// Its identity key: its node ID, the signer of its credential statements.
    pub identity: IdentityKey,
    /// Its EDHOC authentication credentials (CCS, P-256 first), named by its node ID.
    pub auth_credentials: Vec<Vec<u8>>,
    /// The SPAKE2+ verifier of its printed passcode (w0, L).
    pub verifier: VerifierRecord,
    /// The PBKDF2 salt of the verifier (16 to 32 bytes).
    pub salt: Vec<u8>,
    /// The PBKDF2 iteration count of the verifier.
    pub iterations: u32,
    /// The EDHOC cipher suites it supports, most preferred first.
    pub suites: Vec<i32>,
}

/// What `commission` gave the device: the host takes the address and reaches the home relay.
#[derive(Clone, Debug, PartialEq)]
pub struct Commissioned {
    /// The device's address.
    pub address: String,
    /// Its home relay, if any.
    pub relay: Option<sec::RelayInfo>,
    /// The time the controller gave, in ms since the epoch.
    pub time: Option<u64>,
}

/// The grace period of the re-homing statements a device signs, in seconds: the schema's default
/// of 30 days (§8.9.1), CONTACT_REUSE_TIME's too, which it should not be shorter than
/// ([IOTP-SEC-199]).
pub const GRACE_PERIOD: u32 = 2_592_000;

/// What `rehome` gave the device: the host announces `Leaving` to the previous home relay, moves
/// the engine to the new address ([`Node::move_to`]) and attaches to the new relay.
#[derive(Clone, Debug, PartialEq)]
pub struct Rehomed {
    /// The address it leaves.
    pub previous_address: String,
    /// The address it moves to.
    pub address: String,
    /// Its new home relay, if any.
    pub relay: Option<sec::RelayInfo>,
    /// The signed re-homing statement (an encoded `SignedStatement`).
    pub statement: Vec<u8>,
    /// The statement's grace period, in seconds.
    pub grace_period: u32,
}

/// Why a device could not be set up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupError {
    /// The credential statement could not be signed: the identity key and the credentials disagree.
    Credential(String),
}

/// A SPAKE2+ exchange in progress.
enum Exchange {
    /// `pair_start` answered, `pair_share` awaited.
    Started {
        nonces: ([u8; NONCE_LEN], [u8; NONCE_LEN]),
        context_hash: [u8; 32],
    },
    /// `pair_share` answered, `pair_confirm` awaited.
    Confirming {
        nonces: ([u8; NONCE_LEN], [u8; NONCE_LEN]),
        // Boxed: the key schedule is large, and the exchange waits in this state between messages.
        verifier: alloc::boxed::Box<VerifierConfirming>,
    },
}

/// The pairing under way after confirmP verified.
struct Pairing {
    context: ContextId,
    /// The controller's node ID, once `add_peer` under the pairing context gave its credential.
    controller: Option<NodeId>,
}

/// What the server does with a request.
pub enum Decision {
    /// The Security capability answered it: the reply.
    Answered(Body),
    /// The dispatcher answers it, with this access.
    Dispatch(Access),
}

/// The device's Security capability.
pub struct SecurityService {
    identity: IdentityKey,
    auth_credentials: Vec<Vec<u8>>,
    suites: Vec<i32>,
    /// The current credential statement (a `SignedStatement`, encoded) and its serial.
    credential: Vec<u8>,
    serial: u32,
    verifier: VerifierRecord,
    salt: Vec<u8>,
    iterations: u32,
    states: PairingStates,
    exchange: Option<Exchange>,
    pairing: Option<Pairing>,
    acl: Acl,
    /// Peer credential statements, by node ID.
    peers: Vec<(NodeId, Vec<u8>)>,
    commissioned: Option<Commissioned>,
    /// The sequence number of the last re-homing statement signed (0: none, §8.9.1).
    moves: u32,
    /// The last re-homing statement signed, which peers that still write to the previous address
    /// are given ([`Server`](super::Server) does that).
    rehoming: Option<Vec<u8>>,
    /// What `rehome` gave, until the host takes it.
    rehomed: Option<Rehomed>,
    /// The home relay `set_home_relay` gave, until the host takes it.
    home_relay: Option<sec::RelayInfo>,
    /// The private authentication key `rotate_auth_key` made, until the host takes it to store.
    rotated: Option<Zeroizing<[u8; 32]>>,
    /// The commissioning window open on the claimed device, if any (§8.3.7).
    window: Option<CommissioningWindow>,
    /// The introduction serials accepted from each introducer (at most
    /// [`introduce::INTRODUCERS_CAPACITY`], [IOTP-SEC-186]).
    introducers: Vec<(NodeId, IntroductionSerials)>,
    /// The peers' moves the node followed (one per held peer, §8.9.3).
    followed: Vec<statements::Followed>,
    /// The node IDs its peers rotated away (at most [`statements::ROTATED_AWAY_CAPACITY`],
    /// [IOTP-SEC-121]).
    rotated_away: Vec<NodeId>,
    /// The wall-clock time at the engine's instant 0, in ms since the epoch, once a controller gave
    /// the time (`commission`): what `not_after` is checked against.
    epoch_offset: Option<u64>,
    /// Contexts to remove once the reply sealed under one of them has gone: a revoked node's.
    discard: Vec<ContextId>,
    /// A completed pairing's context, from its last request until its reply has gone.
    completed: Option<ContextId>,
    /// The completed pairing's context, kept until EXCHANGE_LIFETIME after its last reply to answer
    /// only retransmissions of the request that completed it ([IOTP-SEC-38]); at most one.
    closing: Option<(ContextId, Instant)>,
    /// Peers that `remove_peer` or a revocation forgot, whose subscriptions end once the reply has
    /// gone ([IOTP-IM-67]). At most one per request, drained by [`Self::after_reply`].
    forgotten: Vec<NodeId>,
    changes: Vec<Change>,
}

/// The hop peer (transport address on the local link) whose `pair_start` began the pairing exchange
/// in progress: the exchange is that peer's, and a `pair_share` or `pair_confirm` from any other
/// continues nothing and changes nothing ([IOTP-SEC-35], [IOTP-SEC-203]). The pairing messages come
/// unsealed, so the hop peer is all that tells the device whose message it holds.
///
/// The [`Server`](super::Server) keeps it beside the service, which is not generic over the
/// transport; only [`SecurityService::decide`] reads or changes it. **Bound:** one transport
/// address, the last accepted `pair_start`'s, replaced by the next one accepted.
pub struct ExchangePeer<P>(Option<P>);

impl<P> ExchangePeer<P> {
    /// No exchange begun yet.
    pub fn new() -> Self {
        ExchangePeer(None)
    }
}

impl<P> Default for ExchangePeer<P> {
    fn default() -> Self {
        Self::new()
    }
}

/// Where a request came from: the context it opened under (`None`: unsealed), the envelope's sender
/// address when it named one in full, and the hop peer it came over.
#[derive(Clone, Copy)]
pub struct Source<'a, P> {
    /// The security context the request opened under, `None` if it came unsealed.
    pub context: Option<ContextId>,
    /// The envelope's sender address, when it named one in full.
    pub sender: Option<&'a str>,
    /// The hop peer the request came over.
    pub hop: &'a P,
}

/// Who invokes a Security action: the context the request opened under and its peer, and the
/// envelope's sender address when it is not the one bound to that peer.
#[derive(Clone, Copy)]
struct Caller<'a> {
    context: Option<ContextId>,
    peer: Option<&'a Peer>,
    unbound_sender: Option<&'a str>,
}

impl SecurityService {
    /// An unclaimed device from what it holds from manufacture, its pairing window open at `now`
    /// (power-up, [IOTP-SEC-26]).
    pub fn unclaimed(made: Manufactured, now: Instant) -> Result<Self, SetupError> {
        let mut service = SecurityService {
            identity: made.identity,
            auth_credentials: made.auth_credentials,
            suites: made.suites,
            credential: Vec::new(),
            serial: 0,
            verifier: made.verifier,
            salt: made.salt,
            iterations: made.iterations,
            states: PairingStates::new(),
            exchange: None,
            pairing: None,
            acl: Acl::new(),
            peers: Vec::new(),
            commissioned: None,
            moves: 0,
            rehoming: None,
            rehomed: None,
            home_relay: None,
            rotated: None,
            window: None,
            introducers: Vec::new(),
            followed: Vec::new(),
            rotated_away: Vec::new(),
            epoch_offset: None,
            discard: Vec::new(),
            completed: None,
            closing: None,
            forgotten: Vec::new(),
            changes: Vec::new(),
        };
        service.credential = service.sign(None, None)?;
        // An unclaimed device is never refused its window.
        let _ = service.states.power_up_or_physical_action(now);
        Ok(service)
    }

    /// The node ID.
    pub fn node_id(&self) -> NodeId {
        self.identity.node_id()
    }

    /// The current credential statement (an encoded `SignedStatement`).
    pub fn credential(&self) -> &[u8] {
        &self.credential
    }

    /// The access control list.
    pub fn acl(&self) -> &Acl {
        &self.acl
    }

    /// Whether the pairing window is open at `now`.
    pub fn pairing_window_open(&mut self, now: Instant) -> bool {
        window_open(self.states.state(now))
    }

    /// What `commission` gave, once; the host then takes the address and attaches to the relay.
    pub fn take_commissioned(&mut self) -> Option<Commissioned> {
        self.commissioned.take()
    }

    /// What `rehome` gave, once; the host then leaves the previous relay and attaches to the new one.
    pub fn take_rehomed(&mut self) -> Option<Rehomed> {
        self.rehomed.take()
    }

    /// The home relay that `set_home_relay` gave, once; the host then attaches to it and drops its hop
    /// with the previous one, without announcing `Leaving` ([IOTP-SEC-190], [IOTP-SEC-191]).
    pub fn take_home_relay(&mut self) -> Option<sec::RelayInfo> {
        self.home_relay.take()
    }

    /// The private authentication key that `rotate_auth_key` made, once: the host stores it in place
    /// of the previous one, which the engine no longer uses (§8.10.1).
    pub fn take_rotated_auth_key(&mut self) -> Option<Zeroizing<[u8; 32]>> {
        self.rotated.take()
    }

    /// The last re-homing statement the device signed (an encoded `SignedStatement`), if any.
    pub fn rehoming_statement(&self) -> Option<&[u8]> {
        self.rehoming.as_deref()
    }

    /// The credential statement of a peer the device holds.
    pub fn peer(&self, node: &NodeId) -> Option<&[u8]> {
        self.peers
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, s)| s.as_slice())
    }

    /// The capability's descriptor.
    pub fn capability() -> Capability {
        let property = |key| {
            Member::new(
                key,
                MemberKind::Property {
                    writable: false,
                    observable: true,
                    fresh: false,
                },
            )
        };
        let action = |key, input, output| {
            Member::new(
                key,
                MemberKind::Action {
                    input,
                    output,
                    fresh: false,
                },
            )
        };
        Capability {
            number: SECURITY,
            package: "iotp2p.security".into(),
            name: "Security".into(),
            version: (1, 1, 0),
            members: alloc::vec![
                property(0),
                property(1),
                property(2),
                property(3),
                property(4),
                action(8, true, true),
                action(9, true, true),
                action(10, true, true),
                action(11, true, true),
                action(12, true, false),
                action(13, true, true),
                action(14, true, false),
                action(15, true, false),
                action(16, true, true),
                action(17, true, false),
                action(18, true, false),
                Member::new(20, MemberKind::Event),
                Member::new(21, MemberKind::Event),
                Member::new(22, MemberKind::Event),
                action(24, true, true),
                action(25, false, true),
                action(26, true, false),
                action(27, true, false),
                action(28, true, false),
            ],
        }
    }

    /// Signs a new credential statement naming `address` (none before the device is claimed).
    fn sign(
        &mut self,
        address: Option<&str>,
        issued_at: Option<u64>,
    ) -> Result<Vec<u8>, SetupError> {
        self.serial = self.serial.saturating_add(1);
        let public = *self.identity.public_key();
        let credentials: Vec<&[u8]> = self.auth_credentials.iter().map(Vec::as_slice).collect();
        let statement = iotp2p_codec::security::CredentialStatement {
            identity_key: public.to_schema(),
            address,
            auth_credentials: credentials.as_slice().into(),
            serial: self.serial,
            suites: self.suites.as_slice().into(),
            issued_at,
            unknown_fields: Default::default(),
        };
        sign_credential(&self.identity, &statement)
            .map_err(|e| SetupError::Credential(alloc::format!("{e:?}")))
    }

    /// Decides what becomes of a request from `source`; `exchange` is the hop peer of the pairing
    /// exchange in progress, which an accepted `pair_start` sets.
    pub fn decide<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        source: Source<'_, P>,
        exchange: &mut ExchangePeer<P>,
        body: &Body,
    ) -> Decision {
        let Source {
            context, sender, ..
        } = source;
        // A closing pairing context answers retransmissions only, which the engine does from its
        // reply cache without asking ([IOTP-SEC-38]): a new request under it is refused.
        if context.is_some() && context == self.closing.map(|(c, _)| c) {
            return Decision::Dispatch(Access::Forbidden);
        }
        let entry = context.and_then(|c| node.contexts().get(c));
        let peer = entry.map(|e| e.peer.clone());
        // The engine lets `apply_statement` through from an address not bound to the peer
        // ([IOTP-SEC-166]); which statement it may carry then is decided here.
        let unbound = entry.and_then(|e| {
            let bound = e.peer.address.as_deref();
            let previous = e.previous_address.as_ref().map(|(p, _)| p.as_str());
            let known = |a: &str| Some(a) == bound || Some(a) == previous;
            (e.peer.kind == ContextKind::Ordinary && bound.is_some())
                .then_some(sender)
                .flatten()
                .filter(|a| !known(a))
                .map(String::from)
        });
        if let Body::Invoke(i) = body {
            if i.endpoint == 0 && i.capability == SECURITY {
                let unsealed = context.is_none();
                if unsealed && matches!(i.action, member::PAIR_SHARE | member::PAIR_CONFIRM) {
                    if let Some(busy) = self.another_peers(now, i.action, source.hop, exchange) {
                        return Decision::Answered(busy);
                    }
                }
                let reply = self.invoke(
                    node,
                    now,
                    rng,
                    Caller {
                        context,
                        peer: peer.as_ref(),
                        unbound_sender: unbound.as_deref(),
                    },
                    i.action,
                    i.input.as_deref(),
                );
                if unsealed && i.action == member::PAIR_START {
                    if let Body::InvokeResponse(_) = reply {
                        // The device answered it: an exchange began, this hop peer's.
                        exchange.0 = Some(source.hop.clone());
                    }
                }
                return Decision::Answered(reply);
            }
        }
        Decision::Dispatch(self.access(peer.as_ref(), body))
    }

    /// §6.3 step 1 for every request but the Security actions.
    fn access(&self, peer: Option<&Peer>, body: &Body) -> Access {
        let security_read =
            matches!(body, Body::Read(r) if r.endpoint == 0 && r.capability == SECURITY);
        match peer.map(|p| (p.kind, p.node)) {
            // The credential may be read unsealed ([IOTP-SEC-103]); nothing else ([IOTP-SEC-104]).
            None => match body {
                Body::Read(r)
                    if security_read && r.members.as_deref() == Some(&[member::CREDENTIAL][..]) =>
                {
                    Access::Allowed
                }
                _ => Access::Unauthenticated,
            },
            // Under the pairing context: reads of the Security properties only ([IOTP-SEC-136]).
            Some((ContextKind::Pairing, _)) if security_read => Access::Allowed,
            Some((ContextKind::Pairing, _)) => Access::Forbidden,
            Some((_, None)) => Access::Forbidden,
            Some((_, Some(node))) => {
                let (needed, endpoint, capability) = match body {
                    Body::Read(r) => (privilege::READ, Some(r.endpoint), Some(r.capability)),
                    Body::Write(w) => (privilege::WRITE, Some(w.endpoint), Some(w.capability)),
                    Body::Invoke(i) => (privilege::INVOKE, Some(i.endpoint), Some(i.capability)),
                    Body::Subscribe(s) => {
                        (privilege::SUBSCRIBE, Some(s.endpoint), Some(s.capability))
                    }
                    // Only the subscriber's own subscription ends: the dispatcher checks that.
                    Body::Unsubscribe(_) => return Access::Allowed,
                    // Any privilege on any target (§8.8.2).
                    Body::Describe(_) => (0x1f, None, None),
                    _ => return Access::Forbidden,
                };
                if self.acl.allows(&node, needed, endpoint, capability) {
                    Access::Allowed
                } else {
                    Access::Forbidden
                }
            }
        }
    }

    fn invoke<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        caller: Caller<'_>,
        action: u16,
        input: Option<&[u8]>,
    ) -> Body {
        let Caller { context, peer, .. } = caller;
        let pairing_action = matches!(
            action,
            member::PAIR_START | member::PAIR_SHARE | member::PAIR_CONFIRM
        );
        let administer = || {
            peer.and_then(|p| p.node).is_some_and(|n| {
                self.acl
                    .allows(&n, privilege::ADMINISTER, Some(0), Some(SECURITY))
            })
        };
        let gate = match (peer.map(|p| p.kind), action) {
            (_, member::WITHDRAWN) => Some(StatusCode::UnknownMember),
            // The pairing messages come unsealed, over the local link (§8.3.3).
            (None, _) if pairing_action => None,
            (None, _) => Some(StatusCode::Unauthenticated),
            (Some(_), _) if pairing_action => Some(StatusCode::InvalidRequest),
            // Under the pairing context: add_peer, acl_write and commission ([IOTP-SEC-136]), each
            // keeping the exchange alive (§8.3.2).
            (
                Some(ContextKind::Pairing),
                member::ADD_PEER | member::ACL_WRITE | member::COMMISSION,
            ) => {
                let ours = self.pairing.as_ref().map(|p| p.context) == context;
                let alive = ours && self.states.commissioning_message(now).is_ok();
                (!alive).then_some(StatusCode::Forbidden)
            }
            (Some(ContextKind::Pairing), _) => Some(StatusCode::Forbidden),
            (Some(_), member::COMMISSION) => Some(StatusCode::Forbidden),
            // The introducer's signature is the authority, also under a visitor context
            // ([IOTP-SEC-152]).
            (Some(_), member::INTRODUCE) => None,
            (Some(ContextKind::Visitor), _) => Some(StatusCode::Forbidden),
            (
                Some(_),
                member::ADD_PEER
                | member::REMOVE_PEER
                | member::ACL_READ
                | member::ACL_WRITE
                | member::REHOME
                | member::OPEN_COMMISSIONING_WINDOW
                | member::SET_HOME_RELAY
                | member::ROTATE_AUTH_KEY,
            ) => (!administer()).then_some(StatusCode::Forbidden),
            _ => None,
        };
        if let Some(code) = gate {
            return refused(code, action).into_body();
        }
        let input = input.unwrap_or_default();
        let answer = match action {
            member::PAIR_START => self.pair_start(now, rng, input),
            member::PAIR_SHARE => self.pair_share(now, rng, input),
            member::PAIR_CONFIRM => self.pair_confirm(node, now, input),
            member::COMMISSION => self.commission(node, now, input),
            member::ADD_PEER => self.add_peer(node, context, input),
            member::ACL_READ => self.acl_read(input),
            member::ACL_WRITE => self.acl_write(now, peer, input),
            member::APPLY_STATEMENT => {
                let invoker = statements::Invoker {
                    peer,
                    administer: administer(),
                    unbound_sender: caller.unbound_sender,
                };
                self.apply_statement(node, now, invoker, input)
            }
            member::REMOVE_PEER => self.remove_peer(node, peer, input),
            member::REHOME => self.rehome(node, input),
            member::OPEN_COMMISSIONING_WINDOW => self.open_commissioning_window(now, peer, input),
            member::SET_HOME_RELAY => self.set_home_relay(node, input),
            member::ROTATE_AUTH_KEY => self.rotate_auth_key(node, rng),
            member::INTRODUCE => self.introduce(node, now, context, peer, input),
            8 | 9 => Err(not_served(action)),
            _ => Err(refused(StatusCode::UnknownMember, action)),
        };
        match answer {
            Ok(output) => Body::InvokeResponse(InvokeResponse {
                output,
                unknown_fields: Default::default(),
            }),
            Err(stop) => stop.into_body(),
        }
    }

    /// `Busy` for a `pair_share` or `pair_confirm` (`action`) from `hop` while an exchange of
    /// another hop peer is in progress ([IOTP-SEC-203]); `None` lets it through, to continue the
    /// exchange or to count as a failed attempt ([IOTP-SEC-35]). The message tests no passcode (the
    /// device computes nothing with it), so counting it would only let anyone on the link close the
    /// window, and ending the exchange would let anyone break a pairing in progress with one
    /// datagram; neither happens.
    fn another_peers<P: PartialEq>(
        &mut self,
        now: Instant,
        action: u16,
        hop: &P,
        exchange: &ExchangePeer<P>,
    ) -> Option<Body> {
        if exchange.0.as_ref() == Some(hop) {
            return None;
        }
        match self.states.busy(now) {
            Err(Refused::Busy { retry_after }) => Some(
                Stop {
                    retry_after: Some(retry_after),
                    ..refused(StatusCode::Busy, action)
                }
                .into_body(),
            ),
            _ => None,
        }
    }

    fn pair_start(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let start = PairingStart::decode(input).map_err(|e| invalid(member::PAIR_START, &e))?;
        match self.states.pair_start(now) {
            Ok(()) => {}
            Err(Refused::Busy { retry_after }) => {
                return Err(Stop {
                    retry_after: Some(retry_after),
                    ..refused(StatusCode::Busy, member::PAIR_START)
                });
            }
            Err(_) => return Err(refused(StatusCode::InvalidState, member::PAIR_START)),
        }
        let mut device_nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut device_nonce);
        // In a commissioning window, the administrator's salt and iteration count.
        let (salt, iterations) = match &self.window {
            Some(w) => (w.salt.clone(), w.iterations),
            None => (self.salt.clone(), self.iterations),
        };
        let params = sec::PairingParams {
            device_nonce,
            salt,
            iterations,
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| refused(StatusCode::Failure, member::PAIR_START))?;
        self.exchange = Some(Exchange::Started {
            nonces: (*start.controller_nonce, device_nonce),
            context_hash: pairing_context_hash(input, &params),
        });
        Ok(Some(params))
    }

    fn pair_share(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let share = PairingShare::decode(input).map_err(|e| invalid(member::PAIR_SHARE, &e))?;
        let started = match self.exchange.take() {
            Some(Exchange::Started {
                nonces,
                context_hash,
            }) if self.states.pair_share(now).is_ok() => (nonces, context_hash),
            other => {
                // Not the next message of the exchange: a failed attempt ([IOTP-SEC-35]).
                if other.is_none() {
                    let _ = self.states.pair_share(now);
                }
                self.failed_attempt();
                return Err(refused(StatusCode::InvalidState, member::PAIR_SHARE));
            }
        };
        let mut y = [0u8; 32];
        rng.fill_bytes(&mut y);
        let (nonces, context_hash) = started;
        let record = self.window.as_ref().map_or(&self.verifier, |w| &w.verifier);
        let confirming =
            Verifier::new(record).respond(&Inputs::pairing(&context_hash), share.share_p, &y);
        let Ok(verifier) = confirming else {
            // Not a valid point ([IOTP-SEC-33]): the exchange fails.
            let _ = self.states.pair_confirm(now, false);
            self.failed_attempt();
            return Err(refused(StatusCode::InvalidValue, member::PAIR_SHARE));
        };
        let reply = sec::PairingShareReply {
            share_v: *verifier.share_v(),
            confirm_v: *verifier.confirm_v(),
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| refused(StatusCode::Failure, member::PAIR_SHARE))?;
        self.exchange = Some(Exchange::Confirming {
            nonces,
            verifier: alloc::boxed::Box::new(verifier),
        });
        Ok(Some(reply))
    }

    fn pair_confirm<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let confirm =
            PairingConfirm::decode(input).map_err(|e| invalid(member::PAIR_CONFIRM, &e))?;
        let Some(Exchange::Confirming { nonces, verifier }) = self.exchange.take() else {
            let _ = self.states.pair_confirm(now, false);
            self.failed_attempt();
            return Err(refused(StatusCode::InvalidState, member::PAIR_CONFIRM));
        };
        let shared = verifier.finish(confirm.confirm_p);
        let verified = shared.is_ok();
        let effect = self.states.pair_confirm(now, verified);
        let Ok(shared) = shared else {
            self.failed_attempt();
            if effect == Ok(Effect::DiscardPairingContext) {
                self.drop_pairing(node, now);
            }
            return Err(refused(StatusCode::Forbidden, member::PAIR_CONFIRM));
        };
        let context = shared.pairing_context(&nonces.0, &nonces.1, PairingRole::Device);
        // A closing pairing context has the same identifiers: the new pairing replaces it.
        if let Some((closing, _)) = self.closing.take() {
            node.remove_context(closing);
        }
        let peer = Peer {
            address: None,
            kind: ContextKind::Pairing,
            node: None,
        };
        match node.add_context(context, peer) {
            Ok(id) => {
                self.pairing = Some(Pairing {
                    context: id,
                    controller: None,
                });
                Ok(None)
            }
            Err(_) => Err(refused(StatusCode::ResourceExhausted, member::PAIR_CONFIRM)),
        }
    }

    fn add_peer<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        context: Option<ContextId>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let verified = verify_credential(input)
            .map_err(|_| refused(StatusCode::InvalidValue, member::ADD_PEER))?;
        let id = verified.node_id;
        // Signed by a key its node rotated away ([IOTP-SEC-121]).
        if self.rotated_away.contains(&id) {
            return Err(refused(StatusCode::ConstraintError, member::ADD_PEER));
        }
        let known = known_peer(&verified);
        // In a commissioning window, one controller not held yet ([IOTP-SEC-144]).
        let pairing = self
            .pairing
            .as_ref()
            .is_some_and(|p| Some(p.context) == context);
        if let Some(window) = self.window.as_mut().filter(|_| pairing) {
            let held = self.peers.iter().any(|(n, _)| *n == id);
            window
                .add_peer(id, held)
                .map_err(|code| refused(code, member::ADD_PEER))?;
        }
        match self.peers.iter().position(|(n, _)| *n == id) {
            Some(at) => {
                if !self.replaces(at, &verified) {
                    return Err(refused(StatusCode::ConstraintError, member::ADD_PEER));
                }
                self.peers[at].1 = input.to_vec();
            }
            None if self.peers.len() < PEER_CAPACITY => self.peers.push((id, input.to_vec())),
            None => return Err(refused(StatusCode::ResourceExhausted, member::ADD_PEER)),
        }
        node.add_edhoc_peer(known);
        // Under the pairing context, the peer is the controller: its node ID is now known.
        if let Some(pairing) = self.pairing.as_mut().filter(|p| Some(p.context) == context) {
            pairing.controller = Some(id);
            node.identify_peer(pairing.context, id);
        }
        Ok(None)
    }

    fn acl_read(&mut self, input: &[u8]) -> Result<Option<Vec<u8>>, Stop> {
        let mut r = iotp2p_codec::runtime::Reader::new(input);
        let index = r
            .uint(0, u64::from(u8::MAX))
            .and_then(|i| r.finish().map(|()| i))
            .map_err(|e| invalid(member::ACL_READ, &e))?;
        let entry = u8::try_from(index).ok().and_then(|i| self.acl.get(i));
        match entry {
            Some(e) => e
                .encode_to_vec()
                .map(Some)
                .map_err(|_| refused(StatusCode::Failure, member::ACL_READ)),
            None => Ok(None),
        }
    }

    fn acl_write(
        &mut self,
        now: Instant,
        peer: Option<&Peer>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let write = AclWrite::decode(input).map_err(|e| invalid(member::ACL_WRITE, &e))?;
        let under_pairing = peer.map(|p| p.kind) == Some(ContextKind::Pairing);
        if let Some(window) = self.window.as_ref().filter(|_| under_pairing) {
            return self.window_acl_write(now, window.opened_by, write.index, write.entry);
        }
        let entry = write
            .entry
            .map(iotp2p_codec::runtime::IntoOwned::into_owned);
        // Written by the claiming controller or an owner-level administrator: no `granted_by`; by a
        // scoped administrator: its own node ID ([IOTP-SEC-175]), within its limits ([IOTP-SEC-176]).
        let scoped = peer
            .and_then(|p| p.node)
            .filter(|w| !self.acl.is_owner(w))
            .filter(|_| peer.map(|p| p.kind) != Some(ContextKind::Pairing));
        if let Some(writer) = scoped {
            if !self.scoped_may_write(&writer, write.index, entry.as_ref()) {
                return Err(refused(StatusCode::Forbidden, member::ACL_WRITE));
            }
        }
        self.acl
            .write(write.index, entry, scoped)
            .map_err(|refusal| match refusal {
                AclRefusal::Index | AclRefusal::LastOwner => {
                    refused(StatusCode::ConstraintError, member::ACL_WRITE)
                }
            })?;
        self.event(member::ACL_CHANGED, encode_uint(write.index.into()));
        Ok(None)
    }

    /// Whether the scoped administrator `writer` may write `entry` at `index` (§8.8.1): the entry
    /// there, if any, is one it granted, and the new one is no wider than what it holds itself.
    fn scoped_may_write(&self, writer: &NodeId, index: u8, entry: Option<&sec::AclEntry>) -> bool {
        let replaces_own = self
            .acl
            .get(index)
            .is_none_or(|e| e.granted_by.as_ref() == Some(writer.as_bytes()));
        let within =
            entry.is_none_or(|e| self.acl.holds(writer, e.privileges, e.targets.as_deref()));
        replaces_own && within
    }

    /// `remove_peer` (§8.12, [IOTP-SEC-107]): the node's credential statement and its handshakes by
    /// kid go, and its contexts close once the reply is sent. Its ACL entries stay (an administrator
    /// deletes them with `acl_write`). A scoped administrator removes only a node that it alone
    /// granted entries to ([IOTP-SEC-176]).
    fn remove_peer<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        peer: Option<&Peer>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let mut r = iotp2p_codec::runtime::Reader::new(input);
        let id = r
            .fixed::<32>()
            .and_then(|b| r.finish().map(|()| NodeId::from_bytes(*b)))
            .map_err(|e| invalid(member::REMOVE_PEER, &e))?;
        let invoker = peer
            .and_then(|p| p.node)
            .ok_or(refused(StatusCode::Forbidden, member::REMOVE_PEER))?;
        if !self.acl.is_owner(&invoker) && !self.acl.granted_only_by(&id, &invoker) {
            return Err(refused(StatusCode::Forbidden, member::REMOVE_PEER));
        }
        self.forget_peer(node, &id);
        Ok(None)
    }

    /// What a statement's signers are checked against: the identity keys of the peers held and the
    /// node's own, and the nodes that hold Administer on it.
    fn trust_sources(&self) -> (Vec<IdentityPublicKey>, Vec<NodeId>) {
        let mut known: Vec<IdentityPublicKey> = self
            .peers
            .iter()
            .filter_map(|(_, s)| verify_credential(s).ok().map(|v| v.identity_key))
            .collect();
        known.push(*self.identity.public_key());
        (known, self.acl.administrators())
    }

    /// The wall-clock time at `now`, in ms since the epoch, if a controller gave the time.
    fn wall_clock(&self, now: Instant) -> Option<u64> {
        self.epoch_offset.map(|offset| offset.saturating_add(now))
    }

    /// Whether `credential` may replace the peer's statement held at `at`: only a newer one does
    /// ([IOTP-SEC-16]).
    fn replaces(&self, at: usize, credential: &VerifiedCredential<'_>) -> bool {
        let held = verify_credential(&self.peers[at].1).map(|v| v.statement.serial);
        !held.is_ok_and(|held| accepts_replacement(held, credential).is_err())
    }

    /// `rotate_auth_key` (§8.10.1): a new authentication key under the same `kid`, and a credential
    /// statement holding its credential (serial increased), which is the output. The engine answers
    /// later handshakes with the new key; the contexts established stay. The host takes the private
    /// key to store ([`SecurityService::take_rotated_auth_key`]).
    fn rotate_auth_key<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Option<Vec<u8>>, Stop> {
        let failure = || refused(StatusCode::Failure, member::ROTATE_AUTH_KEY);
        let previous = self.auth_credentials.first().ok_or_else(failure)?;
        let new = new_auth_key(&self.identity.node_id(), previous, rng).ok_or_else(failure)?;
        let kept = core::mem::replace(&mut self.auth_credentials[0], new.credential);
        let address = node.config().address.clone();
        let credential = match self.sign(address.as_deref(), None) {
            Ok(c) => c,
            Err(_) => {
                self.auth_credentials[0] = kept;
                return Err(failure());
            }
        };
        let output = SignedStatement::decode(&credential)
            .map_err(|_| failure())?
            .encode_to_vec()
            .map_err(|_| failure())?;
        node.set_edhoc_identity(new.identity);
        self.credential = credential;
        self.rotated = Some(new.private);
        Ok(Some(output))
    }

    fn commission<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let request =
            CommissionRequest::decode(input).map_err(|e| invalid(member::COMMISSION, &e))?;
        // A claimed device's window grants an entry, never an address ([IOTP-SEC-137]).
        if self.window.is_some() {
            return Err(refused(StatusCode::Forbidden, member::COMMISSION));
        }
        // Only once the pairing's controller holds Administer ([IOTP-SEC-39]).
        let controller = self.pairing.as_ref().and_then(|p| p.controller);
        if !controller.is_some_and(|c| self.acl.is_owner(&c)) {
            return Err(refused(StatusCode::Forbidden, member::COMMISSION));
        }
        crate::address::check(request.address)
            .map_err(|_| refused(StatusCode::InvalidValue, member::COMMISSION))?;
        let credential = self
            .sign(Some(request.address), request.time)
            .map_err(|_| refused(StatusCode::Failure, member::COMMISSION))?;
        let signed = SignedStatement::decode(&credential)
            .map_err(|_| refused(StatusCode::Failure, member::COMMISSION))?;
        let output = sec::CommissionResponse {
            credential: signed.into_owned(),
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| refused(StatusCode::Failure, member::COMMISSION))?;
        self.credential = credential;
        if let Some(time) = request.time {
            self.epoch_offset = Some(time.saturating_sub(now));
        }
        node.set_address(Some(request.address.into()));
        self.commissioned = Some(Commissioned {
            address: request.address.into(),
            relay: request
                .relay
                .map(iotp2p_codec::runtime::IntoOwned::into_owned),
            time: request.time,
        });
        // The pairing completes: the window closes, and the pairing context closes once the reply
        // sealed under it has gone ([IOTP-SEC-29], [IOTP-SEC-38]).
        if self.states.completed(now) == Ok(Effect::DiscardPairingContext) {
            self.completed = self.pairing.take().map(|p| p.context);
        }
        Ok(Some(output))
    }

    /// `rehome` (§8.9.1): signs the re-homing statement from the current address to the new one
    /// with the identity key ([IOTP-SEC-109]) and a credential statement naming the new address
    /// (serial increased), and returns both. The node keeps its keys ([IOTP-SEC-110]); it moves when
    /// its host has taken [`Rehomed`] and left the previous relay, so that the reply still goes from
    /// the previous address. A new home relay must be `_relay@` the new address's domain, by a
    /// credential statement that verifies ([IOTP-SEC-196]).
    fn rehome<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &Node<P, R>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        let request = RehomeRequest::decode(input).map_err(|e| invalid(member::REHOME, &e))?;
        let previous = node
            .config()
            .address
            .clone()
            .ok_or(refused(StatusCode::InvalidState, member::REHOME))?;
        crate::address::check(request.new_address)
            .map_err(|_| refused(StatusCode::InvalidValue, member::REHOME))?;
        if request.new_address == previous {
            return Err(refused(StatusCode::ConstraintError, member::REHOME));
        }
        if let Some(relay) = &request.relay {
            if !relay_serves(relay, request.new_address) {
                return Err(refused(StatusCode::ConstraintError, member::REHOME));
            }
        }
        let failure = || refused(StatusCode::Failure, member::REHOME);
        let sequence = self.moves.checked_add(1).ok_or_else(failure)?;
        let node_id = self.identity.node_id();
        let statement = RehomingStatement {
            node: node_id.as_bytes(),
            previous_address: &previous,
            new_address: request.new_address,
            sequence,
            grace_period: GRACE_PERIOD,
            issued_at: None,
            unknown_fields: Default::default(),
        };
        let rehoming = sign_rehoming(&self.identity, &statement, None).map_err(|_| failure())?;
        let credential = self
            .sign(Some(request.new_address), None)
            .map_err(|_| failure())?;
        let output = sec::RehomeResult {
            rehoming: SignedStatement::decode(&rehoming)
                .map_err(|_| failure())?
                .into_owned(),
            credential: SignedStatement::decode(&credential)
                .map_err(|_| failure())?
                .into_owned(),
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| failure())?;
        self.moves = sequence;
        self.credential = credential;
        self.rehomed = Some(Rehomed {
            previous_address: previous,
            address: request.new_address.into(),
            relay: request
                .relay
                .map(iotp2p_codec::runtime::IntoOwned::into_owned),
            statement: rehoming.clone(),
            grace_period: GRACE_PERIOD,
        });
        self.rehoming = Some(rehoming);
        Ok(Some(output))
    }

    /// `open_commissioning_window` (§8.3.7): a window for the administrator's verifier, on a claimed
    /// device with no window open ([IOTP-SEC-140]), no wider than the administrator's own grant
    /// ([IOTP-SEC-142]).
    fn open_commissioning_window(
        &mut self,
        now: Instant,
        peer: Option<&Peer>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        const ACTION: u16 = member::OPEN_COMMISSIONING_WINDOW;
        let request = PairingWindow::decode(input).map_err(|e| invalid(ACTION, &e))?;
        let administrator = peer
            .and_then(|p| p.node)
            .ok_or(refused(StatusCode::Forbidden, ACTION))?;
        if window_open(self.states.state(now)) {
            return Err(refused(StatusCode::InvalidState, ACTION));
        }
        // The salt becomes the device's for the window's pairing ([IOTP-SEC-197]).
        if request.salt.len() < MIN_SALT_LEN {
            return Err(refused(StatusCode::ConstraintError, ACTION));
        }
        let window = CommissioningWindow::open(&request, administrator, &self.acl)
            .map_err(|code| refused(code, ACTION))?;
        self.states
            .open_commissioning_window(now, u64::from(request.timeout) * 1_000)
            .map_err(|_| refused(StatusCode::InvalidState, ACTION))?;
        self.window = Some(window);
        Ok(None)
    }

    /// The window's one `acl_write` under the pairing context ([IOTP-SEC-144]): the entry is stored
    /// pending, granted by the administrator that opened the window ([IOTP-SEC-145],
    /// [IOTP-SEC-146]), and the window closes with the pairing context ([IOTP-SEC-29]).
    fn window_acl_write(
        &mut self,
        now: Instant,
        opened_by: NodeId,
        index: u8,
        entry: Option<AclEntry<'_>>,
    ) -> Result<Option<Vec<u8>>, Stop> {
        let entry = entry.map(iotp2p_codec::runtime::IntoOwned::into_owned);
        let Some(window) = self.window.as_ref() else {
            return Err(refused(StatusCode::InvalidState, member::ACL_WRITE));
        };
        window
            .check_acl_write(&self.acl, index, entry.as_ref())
            .map_err(|code| refused(code, member::ACL_WRITE))?;
        let (Some(entry), timeout) = (entry, window.timeout) else {
            return Err(refused(StatusCode::ConstraintError, member::ACL_WRITE));
        };
        let until = now.saturating_add(u64::from(timeout) * 1_000);
        self.acl
            .write_pending(index, entry, opened_by, until)
            .map_err(|_| refused(StatusCode::ConstraintError, member::ACL_WRITE))?;
        self.window = None;
        if self.states.completed(now) == Ok(Effect::DiscardPairingContext) {
            self.completed = self.pairing.take().map(|p| p.context);
        }
        self.event(member::ACL_CHANGED, encode_uint(index.into()));
        Ok(None)
    }

    /// `set_home_relay` (§8.9.4): a relay of the node's own domain, by a credential statement that
    /// verifies ([IOTP-SEC-189]). The reply goes first; the host then attaches to the new relay
    /// ([`SecurityService::take_home_relay`], [IOTP-SEC-190]), and the node keeps its address, keys,
    /// credential and contexts ([IOTP-SEC-191]).
    fn set_home_relay<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &Node<P, R>,
        input: &[u8],
    ) -> Result<Option<Vec<u8>>, Stop> {
        const ACTION: u16 = member::SET_HOME_RELAY;
        let relay = RelayInfo::decode(input).map_err(|e| invalid(ACTION, &e))?;
        let address = node
            .config()
            .address
            .as_deref()
            .ok_or(refused(StatusCode::InvalidState, ACTION))?;
        if !relay_serves(&relay, address) {
            return Err(refused(StatusCode::ConstraintError, ACTION));
        }
        self.home_relay = Some(iotp2p_codec::runtime::IntoOwned::into_owned(relay));
        Ok(None)
    }

    /// After a reply was sent at `now`: removes the contexts whose work ended with the request (a
    /// revoked node's, which may be the one the reply went under), and closes a completed pairing's:
    /// it stays for EXCHANGE_LIFETIME so that a retransmission of the request, whose reply was lost,
    /// is still recognised by its replay window and answered again from the reply cache
    /// ([IOTP-SEC-38], [IOTP-MSG-56]).
    /// Returns the peers forgotten by the request, whose subscriptions end ([IOTP-IM-67]).
    pub fn after_reply<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
    ) -> Vec<NodeId> {
        for context in self.discard.drain(..) {
            node.remove_context(context);
        }
        if let Some(context) = self.completed.take() {
            let until = now.saturating_add(node.config().timing.exchange_lifetime);
            if let Some((earlier, _)) = self.closing.replace((context, until)) {
                node.remove_context(earlier);
            }
        }
        core::mem::take(&mut self.forgotten)
    }

    /// The timeouts of pairing (§8.3.2): the window's end and an abandoned exchange.
    pub fn on_timer<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
    ) {
        if self.states.on_timer(now) == Effect::DiscardPairingContext {
            self.drop_pairing(node, now);
        }
        if let Some((context, _)) = self.closing.filter(|(_, until)| *until <= now) {
            node.remove_context(context);
            self.closing = None;
        }
        if self.states.state(now) == State::Claimed {
            // The window closed: its verifier and salt go with it ([IOTP-SEC-143]).
            self.window = None;
        }
        // Pending entries whose controller never completed a handshake go, with the credential
        // statement added with them ([IOTP-SEC-147]).
        for (index, entry) in self.acl.expire(now) {
            for subject in &entry.subjects {
                let id = NodeId::from_bytes(*subject);
                self.peers.retain(|(n, _)| *n != id);
                node.forget_edhoc_peer(&id);
            }
            self.event(member::ACL_CHANGED, encode_uint(index.into()));
        }
        if !matches!(
            self.states.state(now),
            State::UnclaimedExchange | State::ClaimedExchange
        ) {
            self.exchange = None;
        }
    }

    /// When [`SecurityService::on_timer`] is next due.
    pub fn next_deadline(&self) -> Option<Instant> {
        [
            self.states.next_deadline(),
            self.acl.next_expiry(),
            self.closing.map(|(_, until)| until),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// A handshake completed with the peer of `context`: the entries pending for that node become
    /// effective ([IOTP-SEC-146]).
    pub fn session<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &Node<P, R>,
        context: ContextId,
    ) {
        let peer = node.contexts().get(context).and_then(|e| e.peer.node);
        let Some(peer) = peer else {
            return;
        };
        for index in self.acl.confirm(&peer) {
            self.event(member::ACL_CHANGED, encode_uint(index.into()));
        }
    }

    /// Discards the pairing context of a pairing that did not complete. On an unclaimed device, what
    /// the pairing added goes with it ([IOTP-SEC-204]): the peers `add_peer` gave and the entries
    /// `acl_write` wrote, which only `commission` would have made the device's. Kept, they would
    /// leave the controller that gave up an owner-level administrator of the device, whoever
    /// claims it next, and its `add_peer` refused if it tried again (the same statement is not
    /// newer, [IOTP-SEC-16]).
    fn drop_pairing<P: Clone + PartialEq + core::fmt::Debug, R: Role>(
        &mut self,
        node: &mut Node<P, R>,
        now: Instant,
    ) {
        if let Some(p) = self.pairing.take() {
            node.remove_context(p.context);
        }
        self.exchange = None;
        let unclaimed = matches!(
            self.states.state(now),
            State::UnclaimedClosed
                | State::UnclaimedWindow
                | State::UnclaimedExchange
                | State::UnclaimedCommissioning
        );
        if unclaimed {
            for (id, _) in self.peers.drain(..) {
                node.forget_edhoc_peer(&id);
            }
            let written: Vec<u8> = self.acl.iter().map(|(index, _)| index).collect();
            self.acl = Acl::new();
            for index in written {
                self.event(member::ACL_CHANGED, encode_uint(index.into()));
            }
        }
    }

    fn failed_attempt(&mut self) {
        self.exchange = None;
        self.event(member::PAIRING_FAILED, None);
    }

    fn event(&mut self, member: u16, data: Option<Vec<u8>>) {
        self.changes.push(Change::Event {
            endpoint: 0,
            capability: SECURITY,
            event: Event {
                member,
                // The server numbers the node's events.
                number: 0,
                data,
                timestamp: None,
                unknown_fields: Default::default(),
            },
        });
    }

    /// The events to report since the last call.
    pub fn take_changes(&mut self) -> Vec<Change> {
        core::mem::take(&mut self.changes)
    }

    /// Steps 8 and 9 for a Security property: none is writable, so nothing is ever checked.
    pub fn check_value(&self, _member: u16, _value: &[u8]) -> Result<(), ValueError> {
        Err(ValueError::Constraint)
    }

    /// A Security property's value.
    pub fn read(&mut self, member: u16, now: Instant) -> Result<Vec<u8>, Failure> {
        let failure = Failure {
            code: StatusCode::Failure,
            capability_status: None,
        };
        let mut buf = [0u8; 16];
        let mut w = iotp2p_codec::runtime::Writer::new(&mut buf);
        let written = match member {
            member::NODE_ID => return encode_bytes(self.node_id().as_bytes()),
            member::CREDENTIAL => return Ok(self.credential.clone()),
            member::ACL_CAPACITY => w.u64(ACL_CAPACITY as u64),
            member::PEER_CAPACITY => w.u64(PEER_CAPACITY as u64),
            member::PAIRING_WINDOW_OPEN => w.bool(window_open(self.states.state(now))),
            _ => return Err(failure),
        };
        written.map_err(|_| failure)?;
        let len = w.position();
        Ok(buf[..len].to_vec())
    }
}

/// What the engine needs to run EDHOC with the node of a verified credential statement: its first
/// authentication credential, its address and node ID.
fn known_peer(credential: &VerifiedCredential<'_>) -> KnownPeer {
    KnownPeer {
        credential: credential
            .statement
            .auth_credentials
            .iter()
            .next()
            .map(<[u8]>::to_vec)
            .unwrap_or_default(),
        address: credential.statement.address.map(String::from),
        node: Some(credential.node_id),
    }
}

/// Whether a pairing window is open in `state`.
fn window_open(state: State) -> bool {
    !matches!(state, State::UnclaimedClosed | State::Claimed)
}

/// An unsigned integer's encoding.
fn encode_uint(value: u64) -> Option<Vec<u8>> {
    let mut buf = [0u8; 9];
    let mut w = iotp2p_codec::runtime::Writer::new(&mut buf);
    w.u64(value).ok()?;
    let len = w.position();
    Some(buf[..len].to_vec())
}

/// A byte string's encoding.
fn encode_bytes(bytes: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut buf = [0u8; 40];
    let mut w = iotp2p_codec::runtime::Writer::new(&mut buf);
    w.bytes(bytes).map_err(|_| Failure {
        code: StatusCode::Failure,
        capability_status: None,
    })?;
    let len = w.position();
    Ok(buf[..len].to_vec())
}

/// Why a Security action was refused: what its status says.
#[derive(Clone, Copy, Debug)]
struct Stop {
    code: StatusCode,
    action: u16,
    retry_after: Option<u32>,
    decode: Option<(iotp2p_codec::runtime::ErrorClass, usize)>,
    detail: Option<&'static str>,
}

impl Stop {
    fn into_body(self) -> Body {
        let mut s: Status = status(self.code, Some(self.action));
        s.retry_after = self.retry_after;
        if let Some((class, offset)) = self.decode {
            s.decode_error = Some(iotp2p_codec::core::DecodeError::from_u32(class as u32));
            s.offset = u32::try_from(offset).ok();
        }
        s.detail = self.detail.map(String::from);
        Body::Status(s)
    }
}

/// A refusal naming the action.
fn refused(code: StatusCode, action: u16) -> Stop {
    Stop {
        code,
        action,
        retry_after: None,
        decode: None,
        detail: None,
    }
}

/// `InvalidValue` for an input that does not decode, with its error class and offset (§6.3 step 8).
fn invalid(action: u16, e: &iotp2p_codec::runtime::DecodeError) -> Stop {
    Stop {
        decode: Some((e.class(), e.offset())),
        ..refused(StatusCode::InvalidValue, action)
    }
}

/// Whether `relay` is the relay of `address`'s domain: its credential statement verifies and names
/// `_relay@` and that domain (§3.2).
fn relay_serves(relay: &iotp2p_codec::security::RelayInfo<'_>, address: &str) -> bool {
    let Some((_, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let Ok(bytes) = relay.credential.encode_to_vec() else {
        return false;
    };
    verify_credential(&bytes).is_ok_and(|v| {
        v.statement
            .address
            .and_then(|a| a.strip_prefix("_relay@"))
            .is_some_and(|d| d == domain)
    })
}

/// An action this node does not serve yet.
fn not_served(action: u16) -> Stop {
    Stop {
        detail: Some("not served by this node"),
        ..refused(StatusCode::Failure, action)
    }
}
