//! The Relay capability (spec §3.6.1, §3.10.2, `capabilities.iotp` "Relay (11)"), served by the
//! relay's own end node on endpoint 0 of `_relay@<domain>`: `lookup`, `enrol`, `register`,
//! `release`, `unenrol`, `set_policy` and `registrations`, against the relay's [`Registry`](crate::relay::registry::Registry) and its
//! registered nodes.
//!
//! A request reaches the service's engine like any other (sealed or not, under a visitor or an
//! ordinary context); the interaction model's [`Dispatcher`] checks it in the order of §6.3 and
//! calls this module for the values, as it calls a device's application. Access (step 1) is decided
//! first: every action only sealed ([IOTP-DLV-64], [IOTP-DLV-81]); `lookup` and `enrol` for any
//! peer, visitors included ([IOTP-DLV-86]); the others for an administrator of an account, anyone
//! else `Forbidden` ([IOTP-DLV-82]). Each action then runs the checks of its table in order.
//!
//! What changes goes out as [`StoreChange::Registry`] before the reply, so a caller that commits it
//! to a store before sending what follows never answers a change it has not kept.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use iotp2p_codec::capabilities::owned::{
    EnrolResult, LookupResult, RegistrationInfo, RegistrationPage, RelayPolicy,
};
use iotp2p_codec::capabilities::{
    EnrolRequest, LookupPolicy, PolicyRequest, RegisterRequest, RegistrationsRequest,
    ReleaseRequest,
};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::{DecodeError, Reader, Writer};
use iotp2p_codec::security::owned::SignedStatement;
use rand_core::CryptoRngCore;

use crate::address::MAX_ADDRESS;
use crate::engine::peers::{ContextId, ContextKind};
use crate::engine::{Event, Output};
use crate::interaction::check::ValueError;
use crate::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use crate::interaction::{Access, Capabilities, Config, Dispatcher, Failure, Request};
use crate::params::Instant;
use crate::relay::registry::{
    Admin, Arrival, Departure, PreviousRelays, Registration, RegistryChange, QUARANTINE_TIME,
};
use crate::relay::{verify, Enrolling, Relay, RelayEvent, RelayOutput, StoreChange};
use crate::security::statement::verify_credential;
use crate::security::NodeId;
use crate::server::security::{member as security_member, SecurityService, SECURITY};

/// The Relay capability's number ([IOTP-DLV-63]).
pub const RELAY: u16 = 11;

/// The Relay capability's members.
pub mod member {
    /// Property `max_held_messages`.
    pub const MAX_HELD_MESSAGES: u16 = 0;
    /// Property `max_held_bytes`.
    pub const MAX_HELD_BYTES: u16 = 1;
    /// Property `max_hold_time`.
    pub const MAX_HOLD_TIME: u16 = 2;
    /// Action `lookup`.
    pub const LOOKUP: u16 = 8;
    /// Action `enrol`.
    pub const ENROL: u16 = 9;
    /// Action `register`.
    pub const REGISTER: u16 = 10;
    /// Action `release`.
    pub const RELEASE: u16 = 11;
    /// Action `unenrol`.
    pub const UNENROL: u16 = 12;
    /// Action `set_policy`.
    pub const SET_POLICY: u16 = 13;
    /// Action `registrations`.
    pub const REGISTRATIONS: u16 = 14;
}

/// Registrations per page of `registrations` ([IOTP-DLV-103]).
pub const PAGE: usize = 16;

/// The Relay capability as the service's model declares it.
pub fn capability() -> Capability {
    let property = |key| {
        Member::new(
            key,
            MemberKind::Property {
                writable: false,
                observable: false,
                fresh: false,
            },
        )
    };
    let action = |key, output| {
        Member::new(
            key,
            MemberKind::Action {
                input: true,
                output,
                fresh: false,
            },
        )
    };
    Capability {
        number: RELAY,
        package: "iotp2p.capabilities".into(),
        name: "Relay".into(),
        version: (1, 1, 0),
        members: alloc::vec![
            property(member::MAX_HELD_MESSAGES),
            property(member::MAX_HELD_BYTES),
            property(member::MAX_HOLD_TIME),
            action(member::LOOKUP, true),
            action(member::ENROL, true),
            action(member::REGISTER, false),
            action(member::RELEASE, false),
            action(member::UNENROL, false),
            action(member::SET_POLICY, false),
            action(member::REGISTRATIONS, true),
        ],
    }
}

fn model() -> Model {
    Model {
        endpoints: alloc::vec![Endpoint {
            number: 0,
            label: None,
            capabilities: alloc::vec![SecurityService::capability(), capability()],
        }],
        revision: 0,
    }
}

/// Who sent a request to the service, as the context it opened under says.
struct Requester<P> {
    context: ContextId,
    kind: ContextKind,
    node: Option<NodeId>,
    /// A visitor's credential, sent by value in its handshake.
    credential: Option<Vec<u8>>,
    hop: P,
}

/// What is done once the reply is decided: what needs the RNG, or would close the context the reply
/// goes under.
enum After {
    Release(String),
    Close(NodeId),
}

/// A home relay whose own service answers the Relay capability: the relay's engine ([`Relay`]) and
/// the interaction model's dispatcher joined, as [`super::Server`] joins an end node's engine and
/// dispatcher. Every other output of the engine passes through untouched, the other requests to
/// its service among them (as [`RelayEvent::Service`], for the provider's application).
#[derive(Debug)]
pub struct RelayServer<P> {
    relay: Relay<P>,
    /// The relay's credential statement, naming its service address: read unsealed by a node at
    /// first contact (§3.10.1 step 2, [IOTP-SEC-103]).
    statement: Option<Vec<u8>>,
}

impl<P: Clone + PartialEq + core::fmt::Debug> RelayServer<P> {
    /// Serves the Relay capability on `relay`'s service.
    pub fn new(relay: Relay<P>) -> Self {
        RelayServer {
            relay,
            statement: None,
        }
    }

    /// Answers reads of the Security property `credential` with `statement`, the relay's
    /// credential statement, sealed or not (§3.10.1 step 2, [IOTP-SEC-103]); `None`: leaves them to
    /// the application.
    pub fn set_credential_statement(&mut self, statement: Option<Vec<u8>>) {
        self.statement = statement;
    }

    /// The relay's engine.
    pub fn relay(&self) -> &Relay<P> {
        &self.relay
    }

    /// The relay's engine, for what the server does not wrap (registrations by the provider,
    /// restoring from a store, hop contexts); pass what such a call outputs through
    /// [`RelayServer::serve`].
    pub fn relay_mut(&mut self) -> &mut Relay<P> {
        &mut self.relay
    }

    /// Handles one envelope from the hop peer `from` (see [`Relay::receive`]).
    pub fn receive(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        from: &P,
        bytes: &[u8],
    ) -> Vec<RelayOutput<P>> {
        let out = self.relay.receive(now, rng, from, bytes);
        self.serve(now, rng, out)
    }

    /// Handles the timers due at `now` (see [`Relay::on_timer`]).
    pub fn on_timer(&mut self, now: Instant, rng: &mut dyn CryptoRngCore) -> Vec<RelayOutput<P>> {
        let out = self.relay.on_timer(now, rng);
        self.serve(now, rng, out)
    }

    /// When [`RelayServer::on_timer`] must next be called.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.relay.next_deadline()
    }

    /// Answers the requests for the Relay capability among the engine's outputs, in their place:
    /// first what they change ([`StoreChange::Registry`]), then the reply.
    pub fn serve(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        outputs: Vec<RelayOutput<P>>,
    ) -> Vec<RelayOutput<P>> {
        let mut out = Vec::with_capacity(outputs.len());
        for o in outputs {
            match o {
                RelayOutput::Event(RelayEvent::Service(event))
                    if ours(&event, self.statement.is_some()) =>
                {
                    self.answer(now, rng, event, &mut out)
                }
                other => out.push(other),
            }
        }
        out
    }

    fn answer(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        event: Event<P>,
        out: &mut Vec<RelayOutput<P>>,
    ) {
        let Event::Request {
            exchange,
            message_id,
            hop,
            context,
            body,
            ..
        } = event
        else {
            return;
        };
        let requester = context.and_then(|id| {
            let entry = self.relay.service().contexts().get(id)?;
            // A peer known by its credential before it enrolled carries no node ID on its context.
            let node = entry.peer.node.or_else(|| match entry.peer.kind {
                ContextKind::Ordinary => entry
                    .credential
                    .as_deref()
                    .and_then(|c| self.relay.registry().admin_by_credential(c)),
                _ => None,
            });
            Some(Requester {
                context: id,
                kind: entry.peer.kind,
                node,
                credential: entry.credential.clone(),
                hop: hop.clone(),
            })
        });
        let access = access(&self.relay, requester.as_ref(), &body);
        let mut dispatcher: Dispatcher<()> = Dispatcher::new(model(), Config::default());
        let mut serving = Serving {
            relay: &mut self.relay,
            statement: self.statement.as_deref(),
            who: requester,
            now,
            out: Vec::new(),
            after: Vec::new(),
            retry_after: None,
        };
        let request = Request {
            body: &body,
            access,
            context,
            subscriber: &(),
            message_id,
        };
        let mut reply = dispatcher.handle(&mut serving, request, now, rng);
        let Serving {
            out: changes,
            after,
            retry_after,
            ..
        } = serving;
        // The dispatcher's failures carry no `retry_after`; a barred enrolment's or a limited
        // lookup's goes here.
        if let Body::Status(s) = &mut reply {
            if s.code == StatusCode::Busy {
                s.retry_after = retry_after;
            }
        }
        out.extend(changes);
        for a in &after {
            if let After::Release(address) = a {
                let (_, released) = self.relay.release(now, rng, address);
                out.extend(released);
            }
        }
        if let Ok(sent) = self.relay.service_mut().reply(now, rng, exchange, &reply) {
            for o in sent {
                out.push(match o {
                    Output::Send { to, bytes } => RelayOutput::Send { to, bytes },
                    Output::Event(e) => RelayOutput::Event(RelayEvent::Service(e)),
                });
            }
        }
        for a in after {
            if let After::Close(node) = a {
                close_admin(&mut self.relay, &node);
            }
        }
    }
}

/// Whether an event of the service is a request for the Relay capability, (`credential`: the
/// server holds the relay's statement) a read of the Security property `credential` alone, or any
/// other unsealed request, which is answered `Unauthenticated` ([IOTP-SEC-104]).
fn ours<P>(event: &Event<P>, credential: bool) -> bool {
    match event {
        Event::Request { context: None, .. } => true,
        Event::Request { body, .. } => match body {
            Body::Invoke(i) => (i.endpoint, i.capability) == (0, RELAY),
            Body::Read(r) => {
                (r.endpoint, r.capability) == (0, RELAY) || (credential && reads_credential(body))
            }
            _ => false,
        },
        _ => false,
    }
}

/// A read of the Security property `credential` alone: the one request a node may answer unsealed
/// besides EDHOC and pairing ([IOTP-SEC-103]).
fn reads_credential(body: &Body) -> bool {
    matches!(body, Body::Read(r) if (r.endpoint, r.capability) == (0, SECURITY)
        && r.members.as_deref() == Some(&[security_member::CREDENTIAL][..]))
}

/// Step 1 of §6.3 for the Relay capability.
fn access<P: Clone + PartialEq + core::fmt::Debug>(
    relay: &Relay<P>,
    who: Option<&Requester<P>>,
    body: &Body,
) -> Access {
    if reads_credential(body) {
        return Access::Allowed;
    }
    let Some(who) = who else {
        return Access::Unauthenticated;
    };
    let action = match body {
        Body::Invoke(i) => i.action,
        _ => return Access::Allowed,
    };
    match action {
        member::LOOKUP | member::ENROL => Access::Allowed,
        member::REGISTER..=member::REGISTRATIONS => {
            if administered(relay, who).is_some() {
                Access::Allowed
            } else {
                Access::Forbidden
            }
        }
        // Unknown members are the dispatcher's to answer.
        _ => Access::Allowed,
    }
}

/// The account `who` administers: never under a visitor context ([IOTP-DLV-82]).
fn administered<P: Clone + PartialEq + core::fmt::Debug>(
    relay: &Relay<P>,
    who: &Requester<P>,
) -> Option<String> {
    if who.kind != ContextKind::Ordinary {
        return None;
    }
    let node = who.node?;
    relay.registry().account_of(&node).map(|a| a.name.clone())
}

/// Stops treating `node` as an administrator's peer: its contexts close, unless it is one of the
/// relay's registered nodes ([IOTP-DLV-92]).
fn close_admin<P: Clone + PartialEq + core::fmt::Debug>(relay: &mut Relay<P>, node: &NodeId) {
    let registered = relay
        .registry()
        .registrations()
        .iter()
        .any(|r| r.node == *node);
    if registered {
        return;
    }
    let service = relay.service_mut();
    service.forget_edhoc_peer(node);
    let contexts: Vec<ContextId> = service
        .contexts()
        .iter()
        .filter(|e| e.peer.node.as_ref() == Some(node))
        .map(|e| e.id)
        .collect();
    for id in contexts {
        service.remove_context(id);
    }
}

/// Whether `address` is in the relay's domain.
fn in_domain<P: Clone + PartialEq + core::fmt::Debug>(relay: &Relay<P>, address: &str) -> bool {
    domain_of(address) == relay.config().domain
}

/// The domain of an address (empty for none).
fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// The service's side of the dispatcher: the Relay capability's values and actions.
struct Serving<'a, P> {
    relay: &'a mut Relay<P>,
    statement: Option<&'a [u8]>,
    who: Option<Requester<P>>,
    now: Instant,
    out: Vec<RelayOutput<P>>,
    after: Vec<After>,
    /// The `retry_after` of a `Busy` answer.
    retry_after: Option<u32>,
}

fn stop(code: StatusCode) -> Failure {
    Failure {
        code,
        capability_status: None,
    }
}

fn decode_error(e: DecodeError) -> ValueError {
    ValueError::Decode {
        class: e.class(),
        offset: e.offset(),
    }
}

/// An `Address` input, alone.
fn address_input(input: &[u8]) -> Result<&str, DecodeError> {
    let mut r = Reader::new(input);
    let a = r.text(MAX_ADDRESS)?;
    r.finish()?;
    Ok(a)
}

/// A `NodeId` input, alone.
fn node_input(input: &[u8]) -> Result<NodeId, DecodeError> {
    let mut r = Reader::new(input);
    let n = r.fixed::<32>()?;
    r.finish()?;
    Ok(NodeId::from_bytes(*n))
}

fn encode_uint(value: u64) -> Result<Vec<u8>, Failure> {
    let mut buf = [0u8; 9];
    let mut w = Writer::new(&mut buf);
    w.u64(value).map_err(|_| stop(StatusCode::Failure))?;
    let len = w.position();
    Ok(buf[..len].to_vec())
}

fn encoded<'m, M: iotp2p_codec::runtime::Message<'m>>(m: &M) -> Result<Vec<u8>, Failure> {
    m.encode_to_vec().map_err(|_| stop(StatusCode::Failure))
}

impl<P: Clone + PartialEq + core::fmt::Debug> Capabilities for Serving<'_, P> {
    fn check_value(
        &self,
        _endpoint: u16,
        _capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        match member {
            member::LOOKUP => address_input(value).map(|_| ()),
            member::ENROL => EnrolRequest::decode(value).map(|_| ()),
            member::REGISTER => RegisterRequest::decode(value).map(|_| ()),
            member::RELEASE => ReleaseRequest::decode(value).map(|_| ()),
            member::UNENROL => node_input(value).map(|_| ()),
            member::SET_POLICY => PolicyRequest::decode(value).map(|_| ()),
            member::REGISTRATIONS => RegistrationsRequest::decode(value).map(|_| ()),
            _ => Ok(()),
        }
        .map_err(decode_error)
    }

    fn read(&mut self, _endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        if capability == SECURITY {
            // Only `credential` is routed here ([`reads_credential`]).
            return self
                .statement
                .map(<[u8]>::to_vec)
                .ok_or(stop(StatusCode::Failure));
        }
        let limits = self.relay.config().limits;
        match member {
            member::MAX_HELD_MESSAGES => encode_uint(u64::from(limits.max_messages.min(0xffff))),
            member::MAX_HELD_BYTES => encode_uint(u64::from(limits.max_bytes)),
            member::MAX_HOLD_TIME => encode_uint(u64::from(limits.max_hold_time)),
            _ => Err(stop(StatusCode::Failure)),
        }
    }

    fn write(&mut self, _: u16, _: u16, _: &[(u16, &[u8])]) -> Result<(), Failure> {
        Err(stop(StatusCode::Failure))
    }

    fn invoke(
        &mut self,
        _endpoint: u16,
        _capability: u16,
        action: u16,
        input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        let input = input.unwrap_or_default();
        let bad = |_| stop(StatusCode::InvalidValue);
        match action {
            member::LOOKUP => self.lookup(address_input(input).map_err(bad)?).map(Some),
            member::ENROL => self
                .enrol(&EnrolRequest::decode(input).map_err(bad)?)
                .map(Some),
            member::REGISTER => self
                .register(&RegisterRequest::decode(input).map_err(bad)?)
                .map(|()| None),
            member::RELEASE => self
                .release(&ReleaseRequest::decode(input).map_err(bad)?)
                .map(|()| None),
            member::UNENROL => self.unenrol(node_input(input).map_err(bad)?).map(|()| None),
            member::SET_POLICY => self
                .set_policy(&PolicyRequest::decode(input).map_err(bad)?)
                .map(|()| None),
            member::REGISTRATIONS => self
                .registrations(&RegistrationsRequest::decode(input).map_err(bad)?)
                .map(Some),
            _ => Err(stop(StatusCode::Failure)),
        }
    }
}

impl<P: Clone + PartialEq + core::fmt::Debug> Serving<'_, P> {
    fn who(&self) -> Result<&Requester<P>, Failure> {
        self.who.as_ref().ok_or(stop(StatusCode::Unauthenticated))
    }

    /// The invoker's account; access control has let only administrators through.
    fn account(&self) -> Result<(String, Vec<String>, u32), Failure> {
        let name = administered(self.relay, self.who()?).ok_or(stop(StatusCode::Forbidden))?;
        let account = self
            .relay
            .registry()
            .account(&name)
            .ok_or(stop(StatusCode::Forbidden))?;
        Ok((name, account.domains.clone(), account.max_registrations))
    }

    fn change(&mut self, change: RegistryChange) {
        self.out
            .push(RelayOutput::Store(StoreChange::Registry(change)));
    }

    /// `lookup` (§3.10.2): the statements held for the address, as its policy allows; an address
    /// bound to no node, or one the policy hides from the requester, gets an empty result
    /// ([IOTP-DLV-65], [IOTP-DLV-118], [IOTP-DLV-119]); an address of another domain
    /// `ConstraintError` ([IOTP-DLV-120]). During a grace period: the re-homing statement and the
    /// node's credential statement ([IOTP-DLV-71], [IOTP-DLV-121]).
    fn lookup(&mut self, address: &str) -> Result<Vec<u8>, Failure> {
        let hop = self.who()?.hop.clone();
        if let Err(seconds) = self.relay.take_lookup(&hop, self.now) {
            self.retry_after = Some(seconds);
            return Err(stop(StatusCode::Busy));
        }
        if !in_domain(self.relay, address) {
            return Err(stop(StatusCode::ConstraintError));
        }
        let now = self.now;
        self.relay.end_departures(now, &mut self.out);
        let who = self.who()?;
        let mut result = LookupResult {
            credential: None,
            rehoming: None,
            unknown_fields: Default::default(),
        };
        if let Some(r) = self.relay.registry().registration(address) {
            let allowed = match r.policy.lookup {
                LookupPolicy::Public => true,
                LookupPolicy::Listed => {
                    who.kind == ContextKind::Ordinary
                        && who.node.is_some_and(|n| {
                            r.policy
                                .lookup_allowed
                                .as_ref()
                                .is_some_and(|l| l.iter().any(|a| a == n.as_bytes()))
                        })
                }
                LookupPolicy::Nobody | LookupPolicy::Unrecognized(_) => false,
            };
            if allowed {
                result.credential = SignedStatement::decode(&r.credential).ok();
                result.rehoming = r
                    .departed
                    .as_ref()
                    .filter(|d| now < d.until)
                    .and_then(|d| SignedStatement::decode(&d.statement).ok());
            }
        }
        encoded(&result)
    }

    /// `enrol` (§3.6.1.1), its checks in the order of its table ([IOTP-DLV-87]).
    fn enrol(&mut self, request: &EnrolRequest<'_>) -> Result<Vec<u8>, Failure> {
        let now = self.now;
        let (context, kind, node, credential, hop) = {
            let w = self.who()?;
            (
                w.context,
                w.kind,
                w.node,
                w.credential.clone(),
                w.hop.clone(),
            )
        };
        // Counted by the authenticated node ID or, for a visitor, by the credential of its
        // handshake, never by the node ID it claims ([IOTP-DLV-127]); and, for a peer that sends
        // directly, by transport address (§3.6.1.1).
        let identity = match (node, credential.as_deref()) {
            (Some(node), _) => Some(Enrolling::Node(node)),
            (None, Some(ccs)) => Some(Enrolling::credential(ccs)),
            (None, None) => None,
        };
        let mut who = Vec::with_capacity(2);
        who.extend(identity);
        if !self.relay.is_relay_peer(&hop) {
            who.push(Enrolling::Hop(hop.clone()));
        }
        if let Some(seconds) = self.relay.enrol_barred(&who, now) {
            self.retry_after = Some(seconds);
            return Err(stop(StatusCode::Busy));
        }
        // An unknown, used or expired token alike ([IOTP-DLV-88]).
        let Some(account) = self
            .relay
            .registry()
            .token(request.token, now)
            .map(String::from)
        else {
            self.relay.enrol_failed(&who, now);
            return Err(stop(StatusCode::Unauthenticated));
        };
        let statement = encoded(&request.credential)?;
        let Ok(verified) = verify_credential(&statement) else {
            self.relay.enrol_failed(&who, now);
            return Err(stop(StatusCode::ConstraintError));
        };
        // The statement vouches for the credential that ran the handshake (§8.2), or is of the
        // node the context already names.
        let vouched = credential.as_ref().is_some_and(|c| {
            verified
                .statement
                .auth_credentials
                .iter()
                .any(|a| a == c.as_slice())
        });
        let vouches = match kind {
            ContextKind::Visitor => vouched,
            ContextKind::Ordinary => vouched || node == Some(verified.node_id),
            ContextKind::Pairing => false,
        };
        if !vouches {
            self.relay.enrol_failed(&who, now);
            return Err(stop(StatusCode::ConstraintError));
        }
        let id = verified.node_id;
        if self.relay.registry().account_of(&id).is_some() {
            return Err(stop(StatusCode::InvalidState));
        }
        let admin = Admin {
            node: id,
            credential: statement.clone(),
        };
        self.relay
            .registry_mut()
            .enrol(&account, admin.clone(), Some(request.token))
            .map_err(|_| stop(StatusCode::ResourceExhausted))?;
        let peer = verify::known_peer(&verified, verified.statement.address.map(String::from));
        let service = self.relay.service_mut();
        // A visitor context becomes an ordinary one; later handshakes go by `kid`.
        if !service.admit_visitor(context, id, None) {
            service.identify_peer(context, id);
        }
        service.add_edhoc_peer(peer);
        self.change(RegistryChange::Enrolled {
            account: account.clone(),
            admin,
            token: request.token.to_vec(),
        });
        let a = self
            .relay
            .registry()
            .account(&account)
            .ok_or(stop(StatusCode::Failure))?;
        encoded(&EnrolResult {
            account: a.name.clone(),
            domains: a.domains.clone(),
            max_registrations: a.max_registrations,
            unknown_fields: Default::default(),
        })
    }

    /// `register` (§3.6.1.2), its checks in the order of its table ([IOTP-DLV-93]).
    fn register(&mut self, request: &RegisterRequest<'_>) -> Result<(), Failure> {
        let now = self.now;
        let (account, domains, quota) = self.account()?;
        let credential = encoded(&request.credential)?;
        let (held, address) = verify::credential_with_address(&credential)
            .map_err(|_| stop(StatusCode::ConstraintError))?;
        let (node, serial) = (held.node_id, held.statement.serial);
        let peer = verify::known_peer(&held, Some(address.to_string()));
        let address = address.to_string();
        let domain = domain_of(&address);
        if !domains.iter().any(|d| d == domain) || !in_domain(self.relay, &address) {
            return Err(stop(StatusCode::Forbidden));
        }
        let policy = match &request.policy {
            Some(p) => {
                let p = p.into_owned();
                self.valid_policy(&p)?;
                p
            }
            None => default_policy(),
        };
        let arrival = match &request.rehoming {
            Some(s) => {
                let statement = encoded(s)?;
                let m = verify::arriving(&statement, &credential)
                    .map_err(|_| stop(StatusCode::ConstraintError))?;
                Some(Arrival {
                    previous: m.previous,
                    until: now.saturating_add(m.grace_ms),
                })
            }
            None => None,
        };
        // The relays the domain moves from (§3.11.4); the window starts now ([IOTP-DLV-112]).
        let previous_relays = match &request.previous_relays {
            Some(hosts) => {
                let hosts: Vec<&str> = hosts.iter().collect();
                let hosts = crate::relay::previous_relays(&hosts)
                    .map_err(|_| stop(StatusCode::ConstraintError))?;
                let until = self.relay.previous_relays_until(now);
                Some(PreviousRelays { hosts, until })
            }
            None => None,
        };
        let now = self.now;
        self.relay.end_departures(now, &mut self.out);
        let registry = self.relay.registry();
        let replaces = match registry.registration(&address) {
            // The same statement again: success, nothing changes ([IOTP-DLV-94]).
            Some(r) if r.credential == credential && r.departed.is_none() => return Ok(()),
            // A newer statement of the same node ([IOTP-DLV-24]).
            Some(r)
                if r.node == node
                    && r.serial < serial
                    && r.account == account
                    && r.departed.is_none() =>
            {
                true
            }
            Some(_) => return Err(stop(StatusCode::InvalidState)),
            None if registry.quarantined_for(&address, &account, now) => {
                return Err(stop(StatusCode::InvalidState))
            }
            None => false,
        };
        if !replaces && registry.held_by(&account) >= quota as usize {
            return Err(stop(StatusCode::ResourceExhausted));
        }
        let served = match &arrival {
            Some(a) => self.relay.moved_in(&address, &a.previous, a.until),
            None => self.relay.register(&address),
        };
        served.map_err(|_| stop(StatusCode::ResourceExhausted))?;
        if let Some(p) = &previous_relays {
            self.relay.set_previous_relays(&address, p.clone());
        }
        self.relay.service_mut().add_edhoc_peer(peer);
        self.relay
            .set_holding_policy(&address, policy.max_held_messages, policy.max_hold_time);
        let registration = Registration {
            address,
            account,
            node,
            credential,
            serial,
            policy,
            departed: None,
            arrived: arrival,
            previous_relays,
        };
        self.relay.registry_mut().put(registration.clone());
        self.change(RegistryChange::Registered(registration));
        Ok(())
    }

    /// The checks `release` and `set_policy` share (§3.6.1.3): the address is in one of the
    /// account's domains (`Forbidden`) and bound to a node of the account (`InvalidState`).
    fn own_registration(&mut self, address: &str) -> Result<Registration, Failure> {
        let (account, domains, _) = self.account()?;
        if !domains.iter().any(|d| d == domain_of(address)) {
            return Err(stop(StatusCode::Forbidden));
        }
        let now = self.now;
        self.relay.end_departures(now, &mut self.out);
        self.relay
            .registry()
            .registration(address)
            .filter(|r| r.account == account && r.departed.is_none())
            .cloned()
            .ok_or(stop(StatusCode::InvalidState))
    }

    /// `release` (§3.6.1.3), its checks in the order of its table ([IOTP-DLV-97]).
    fn release(&mut self, request: &ReleaseRequest<'_>) -> Result<(), Failure> {
        let mut r = self.own_registration(request.address)?;
        let now = self.now;
        match &request.rehoming {
            Some(s) => {
                let statement = encoded(s)?;
                let m = verify::leaving(&statement, &r.credential, 0)
                    .map_err(|_| stop(StatusCode::ConstraintError))?;
                let until = now.saturating_add(m.grace_ms);
                let (_, moved) = self.relay.moved_away(now, &r.address, &m.address, until);
                r.departed = Some(Departure {
                    to: m.address,
                    statement,
                    sequence: m.sequence,
                    until,
                });
                // The store hears of the departure before the forwarded envelopes leave.
                self.relay.registry_mut().put(r.clone());
                self.change(RegistryChange::Registered(r));
                self.out.extend(moved);
            }
            None => {
                let until = now.saturating_add(QUARANTINE_TIME);
                self.relay.registry_mut().remove(&r.address, now, until);
                self.relay.service_mut().forget_edhoc_peer(&r.node);
                self.change(RegistryChange::Unregistered {
                    address: r.address.clone(),
                    account: r.account,
                    quarantined_until: until,
                });
                self.after.push(After::Release(r.address));
            }
        }
        Ok(())
    }

    /// `unenrol` (§3.6.1.1).
    fn unenrol(&mut self, node: NodeId) -> Result<(), Failure> {
        let (account, _, _) = self.account()?;
        let admins = self.relay.registry().admins(&account);
        if !admins.iter().any(|a| a.node == node) {
            return Err(stop(StatusCode::InvalidState)); // [IOTP-DLV-91]
        }
        if admins.len() == 1 {
            return Err(stop(StatusCode::ConstraintError)); // [IOTP-DLV-90]
        }
        self.relay.registry_mut().unenrol(&node);
        self.change(RegistryChange::Unenrolled { node });
        self.after.push(After::Close(node));
        Ok(())
    }

    /// `set_policy` (§3.6.1.4): the checks of `release` but the last, then the policy
    /// ([IOTP-DLV-101], [IOTP-DLV-102]).
    fn set_policy(&mut self, request: &PolicyRequest<'_>) -> Result<(), Failure> {
        let mut r = self.own_registration(request.address)?;
        let policy = request.policy.into_owned();
        self.valid_policy(&policy)?;
        self.relay
            .set_holding_policy(&r.address, policy.max_held_messages, policy.max_hold_time);
        r.policy = policy;
        self.relay.registry_mut().put(r.clone());
        self.change(RegistryChange::Registered(r));
        Ok(())
    }

    /// `registrations` (§3.6.1.4): the account's addresses after `after`, ascending, at most
    /// [`PAGE`] ([IOTP-DLV-103]); none of another account ([IOTP-DLV-104]) and none whose node left.
    fn registrations(&mut self, request: &RegistrationsRequest<'_>) -> Result<Vec<u8>, Failure> {
        let (account, _, _) = self.account()?;
        let after = request.after.map(str::as_bytes);
        let mut listed = self
            .relay
            .registry()
            .registrations()
            .iter()
            .filter(|r| r.account == account && r.departed.is_none())
            .filter(|r| after.is_none_or(|a| r.address.as_bytes() > a));
        let entries: Vec<RegistrationInfo> = listed
            .by_ref()
            .take(PAGE)
            .map(|r| RegistrationInfo {
                address: r.address.clone(),
                node: *r.node.as_bytes(),
                policy: r.policy.clone(),
                unknown_fields: Default::default(),
            })
            .collect();
        let more = listed.next().is_some();
        encoded(&RegistrationPage {
            entries,
            more,
            unknown_fields: Default::default(),
        })
    }

    /// [IOTP-DLV-101].
    fn valid_policy(&self, p: &RelayPolicy) -> Result<(), Failure> {
        let limits = self.relay.config().limits;
        let listed = p.lookup == LookupPolicy::Listed;
        let valid = match (&p.lookup, &p.lookup_allowed) {
            (LookupPolicy::Unrecognized(_), _) => false,
            (_, Some(l)) => listed && !l.is_empty(),
            (_, None) => !listed,
        } && p
            .max_held_messages
            .is_none_or(|m| m != 0 && u32::from(m) <= limits.max_messages)
            && p.max_hold_time
                .is_none_or(|t| t != 0 && t <= limits.max_hold_time);
        if valid {
            Ok(())
        } else {
            Err(stop(StatusCode::ConstraintError))
        }
    }
}

/// The relay's default policy: anyone may look the address up, the relay's maxima for holding.
pub fn default_policy() -> RelayPolicy {
    RelayPolicy {
        lookup: LookupPolicy::Public,
        lookup_allowed: None,
        max_held_messages: None,
        max_hold_time: None,
        unknown_fields: Default::default(),
    }
}
