//! The scenario requests of protocol 2 (`scenario-start`, `datagram`, `tick`, `app`,
//! `scenario-end`), answered by the reference engine of `iotp2p-protocol`: an end node
//! ([`Node`]) whose application is the fixture of conformance/README.md, served by the interaction
//! model's [`Dispatcher`], or, when the set-up gives a relay role, the home relay ([`Relay`]).
//!
//! The fixture's rules: every value is an unsigned integer (a value that is not decodes with
//! `InvalidValue`; one above the member's `max` breaks its constraint); properties hold the value the
//! set-up gives (0 without) and take the values written; an action with a configured `value` returns
//! it as its output. Access control: an unsealed request is answered `Unauthenticated` (spec §8.8.3,
//! the fixture has no EDHOC or pairing actions), a request under a visitor context `Forbidden`
//! (§8.4.6), every other request is allowed.

use iotp2p_codec::prelude::*;
use std::collections::BTreeMap;

use iotp2p_codec::core::owned::Body;
use iotp2p_codec::runtime::Reader;
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node, Output, SendError, Subscriber};
use iotp2p_protocol::interaction::check::ValueError;
use iotp2p_protocol::interaction::model::{Capability, Endpoint, Member, MemberKind, Model};
use iotp2p_protocol::interaction::{
    Access, Capabilities, Change, Dispatcher, Failure, Request as ImRequest,
};
use iotp2p_protocol::relay::{Redirect, Relay, RelayConfig, RelayEvent, RelayOutput};
use iotp2p_protocol::security::{KeyId, MasterSecret, NodeId, ReplayWindow, SecurityContext};
use rand_core::{impls, CryptoRng, RngCore};
use serde_json::Value;

use crate::protocol::{OutDatagram, OutEvent, Request, Response};
use crate::scenario::{AppRequest, CapabilitySetup, ContextSetup, NodeSetup, RelayRole};
use crate::suite::{hex, unhex};

mod secured;
use secured::Secured;

/// A deterministic RNG: the same scenario gives the same timers and challenges on every run (and
/// the runner's peers the same nonces).
pub(crate) struct Lcg(pub(crate) u64);

impl RngCore for Lcg {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

// The reference testee runs scenarios, not products: a reproducible sequence is what it needs.
impl CryptoRng for Lcg {}

/// The fixture application: unsigned integers, by (endpoint, capability, member).
#[derive(Default)]
struct Fixture {
    values: BTreeMap<(u16, u16, u16), Vec<u8>>,
    max: BTreeMap<(u16, u16, u16), u64>,
    any: std::collections::BTreeSet<(u16, u16, u16)>,
    /// The `change` steps not yet passed to the subscriptions (a secured device's: the plain
    /// node's go to its dispatcher at once).
    changes: Vec<Change>,
}

impl Capabilities for Fixture {
    fn check_value(
        &self,
        endpoint: u16,
        capability: u16,
        member: u16,
        value: &[u8],
    ) -> Result<(), ValueError> {
        let mut r = Reader::new(value);
        if self.any.contains(&(endpoint, capability, member)) {
            return r
                .skip(iotp2p_codec::runtime::limits::MAX_DEPTH)
                .and_then(|_| r.finish())
                .map_err(|e| ValueError::Decode {
                    class: e.class(),
                    offset: e.offset(),
                });
        }
        let n = r
            .uint(0, u64::MAX)
            .and_then(|n| r.finish().map(|()| n))
            .map_err(|e| ValueError::Decode {
                class: e.class(),
                offset: e.offset(),
            })?;
        match self.max.get(&(endpoint, capability, member)) {
            Some(max) if n > *max => Err(ValueError::Constraint),
            _ => Ok(()),
        }
    }

    fn read(&mut self, endpoint: u16, capability: u16, member: u16) -> Result<Vec<u8>, Failure> {
        Ok(self
            .values
            .get(&(endpoint, capability, member))
            .cloned()
            .unwrap_or_else(|| vec![0]))
    }

    fn write(
        &mut self,
        endpoint: u16,
        capability: u16,
        values: &[(u16, &[u8])],
    ) -> Result<(), Failure> {
        for (member, value) in values {
            self.values
                .insert((endpoint, capability, *member), value.to_vec());
        }
        Ok(())
    }

    fn invoke(
        &mut self,
        endpoint: u16,
        capability: u16,
        action: u16,
        _input: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Failure> {
        Ok(self.values.get(&(endpoint, capability, action)).cloned())
    }

    fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }
}

/// A running scenario.
struct Running {
    id: String,
    /// The node under test, unless it is a relay.
    node: Node<String>,
    /// The relay under test, with the hop-peer label of each other domain's relay.
    relay: Option<(Relay<String>, BTreeMap<String, String>)>,
    /// Subscribers are named by their node ID where the context knows it, else by their context.
    dispatcher: Dispatcher<String>,
    /// Where the reports of each live subscription go, by (subscriber, subscription); pruned as
    /// subscriptions end, so bounded by the dispatcher's table.
    subscribers: BTreeMap<(String, u64), Subscriber<String>>,
    fixture: Fixture,
    contexts: BTreeMap<String, ContextId>,
    kinds: BTreeMap<ContextId, ContextKind>,
    rng: Lcg,
    /// The application's requests that the engine could not send yet (`SendError::Busy`: one with
    /// the same `message_id` and recipient awaits its reply, spec [IOTP-MSG-107], or the table of
    /// requests is full), in order: sent as soon as the engine takes them.
    held: std::collections::VecDeque<AppRequest>,
    /// The application's requests awaiting their replies, by `message_id`: one answered
    /// `FreshnessRequired` is repeated with its `echo`, once (spec IOTP-ERR-19, IOTP-ERR-20).
    asked: BTreeMap<u64, AppRequest>,
    /// The number of the application's next event (spec §6.7).
    next_event: u64,
    /// The set-up it started from, for a restart.
    setup: NodeSetup,
}

/// What the node sends and reports in answer to one request.
type Outputs = (Vec<OutDatagram>, Vec<OutEvent>);

/// The scenario state of the reference testee: at most one scenario at a time, of a plain node or
/// relay, or of a device with the Security capability.
#[derive(Default)]
pub struct Scenarios {
    running: Option<Running>,
    secured: Option<Secured>,
}

impl Scenarios {
    /// The answer to a scenario request; `None` for the other requests.
    pub fn answer(&mut self, request: &Request) -> Option<Response> {
        if let Some(response) = self.answer_secured(request) {
            return Some(response);
        }
        Some(match request {
            Request::ScenarioStart { id, node } => match start(id, node) {
                Ok(running) => {
                    self.running = Some(running);
                    outputs(id, Vec::new(), Vec::new(), None)
                }
                Err(details) => Response::Errored {
                    id: id.clone(),
                    details,
                },
            },
            Request::Datagram { id, now, from, hex } => self.with(id, |r| {
                let bytes = unhex(hex)?;
                if let Some((relay, routes)) = &mut r.relay {
                    let out = relay.receive(*now, &mut r.rng, from, &bytes);
                    return Ok(relay_outputs(out, routes));
                }
                let out = r.node.receive(*now, &mut r.rng, from, &bytes);
                let handled = r.handle(*now, out)?;
                r.release_held(*now, handled)
            }),
            Request::Tick { id, now } => self.with(id, |r| {
                if let Some((relay, routes)) = &mut r.relay {
                    let out = relay.on_timer(*now, &mut r.rng);
                    return Ok(relay_outputs(out, routes));
                }
                let out = r.node.on_timer(*now, &mut r.rng);
                let handled = r.handle(*now, out)?;
                r.release_held(*now, handled)
            }),
            Request::App { id, now, request } => self.with(id, |r| r.app(*now, request)),
            Request::Presence { id, now, presence } => self.with(id, |r| {
                let state = match presence.state.as_str() {
                    "Awake" => iotp2p_codec::core::PresenceState::Awake,
                    "Asleep" => iotp2p_codec::core::PresenceState::Asleep,
                    "Leaving" => iotp2p_codec::core::PresenceState::Leaving,
                    other => return Err(format!("unknown presence state `{other}`")),
                };
                let (_, out) = r
                    .node
                    .presence(*now, &mut r.rng, state, presence.sleep_interval, None)
                    .map_err(|e| format!("the presence could not be sent: {e:?}"))?;
                r.handle(*now, out)
            }),
            Request::Change { id, now, change } => self.with(id, |r| {
                let key = (change.endpoint, change.capability, change.member);
                r.fixture.values.insert(key, unhex(&change.value)?);
                r.dispatcher
                    .property_changed(change.endpoint, change.capability, change.member);
                r.handle(*now, Vec::new())
            }),
            Request::Restart { id, .. } => self.with(id, |r| {
                if r.relay.is_some() {
                    return Err("the reference restarts end nodes only".into());
                }
                *r = r.restarted()?;
                Ok((Vec::new(), Vec::new()))
            }),
            Request::Event { id, now, event } => self.with(id, |r| {
                // One numbering across the node's events, from 0 (conformance/README.md).
                let number = r.next_event;
                r.next_event += 1;
                let data = event.data.as_deref().map(unhex).transpose()?;
                r.dispatcher.event(
                    event.endpoint,
                    event.capability,
                    &iotp2p_codec::core::owned::Event {
                        member: event.member,
                        number,
                        data,
                        timestamp: None,
                        unknown_fields: Default::default(),
                    },
                );
                r.handle(*now, Vec::new())
            }),
            Request::Rehome {
                id,
                now,
                address,
                grace_period,
            } => self.with(id, |r| {
                match grace_period {
                    // The re-homing statement's grace period: envelopes sealed for the address the
                    // node leaves still open until it ends (spec IOTP-SEC-68).
                    Some(grace) => r
                        .node
                        .move_to(address.clone(), now + u64::from(*grace) * 1_000),
                    None => r.node.set_address(Some(address.clone())),
                }
                Ok((Vec::new(), Vec::new()))
            }),
            Request::ScenarioEnd { id } => {
                self.running = None;
                outputs(id, Vec::new(), Vec::new(), None)
            }
            _ => return None,
        })
    }

    /// The answer to a request of a scenario whose node serves the Security capability; `None` for
    /// the others.
    fn answer_secured(&mut self, request: &Request) -> Option<Response> {
        if let Request::ScenarioStart { id, node } = request {
            self.secured = None;
            node.security.as_ref()?;
            self.running = None;
            return Some(match Secured::start(id, node) {
                Ok(secured) => {
                    self.secured = Some(secured);
                    outputs(id, Vec::new(), Vec::new(), None)
                }
                Err(details) => Response::Errored {
                    id: id.clone(),
                    details,
                },
            });
        }
        let secured = self.secured.as_mut()?;
        let (id, sends) = match request {
            Request::Datagram { id, now, from, hex } if *id == secured.id => match unhex(hex) {
                Ok(bytes) => (id, secured.receive(*now, from, &bytes)),
                Err(details) => {
                    return Some(Response::Errored {
                        id: id.clone(),
                        details,
                    })
                }
            },
            Request::Tick { id, now } if *id == secured.id => (id, secured.tick(*now)),
            Request::ScenarioEnd { id } if *id == secured.id => {
                self.secured = None;
                return Some(outputs(id, Vec::new(), Vec::new(), None));
            }
            Request::Rehome {
                id,
                now,
                address,
                grace_period,
            } if *id == secured.id => {
                secured.rehome(address, grace_period.map(|g| now + u64::from(g) * 1_000));
                (id, Vec::new())
            }
            Request::Change { id, now, change } if *id == secured.id => match secured.change(
                *now,
                (change.endpoint, change.capability, change.member),
                &change.value,
            ) {
                Ok(sends) => (id, sends),
                Err(details) => {
                    return Some(Response::Errored {
                        id: id.clone(),
                        details,
                    })
                }
            },
            Request::App { id, .. } | Request::Presence { id, .. } if *id == secured.id => {
                return Some(Response::Errored {
                    id: id.clone(),
                    details: "the reference serves the Security capability on datagrams, ticks, \
                              changes and rehome only"
                        .into(),
                });
            }
            _ => return None,
        };
        Some(outputs(id, sends, Vec::new(), secured.next_deadline()))
    }

    fn with(
        &mut self,
        id: &str,
        step: impl FnOnce(&mut Running) -> Result<(Vec<OutDatagram>, Vec<OutEvent>), String>,
    ) -> Response {
        let Some(running) = self.running.as_mut().filter(|r| r.id == id) else {
            return Response::Errored {
                id: id.to_string(),
                details: "no scenario of this id is running".into(),
            };
        };
        match step(running) {
            Ok((sends, events)) => {
                let timer = match (&running.relay, running.node.next_deadline()) {
                    (Some((relay, _)), _) => relay.next_deadline(),
                    (None, node) => match (node, running.dispatcher.next_deadline()) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                };
                outputs(id, sends, events, timer)
            }
            Err(details) => Response::Errored {
                id: id.to_string(),
                details,
            },
        }
    }
}

fn outputs(
    id: &str,
    sends: Vec<OutDatagram>,
    events: Vec<OutEvent>,
    timer: Option<u64>,
) -> Response {
    Response::Outputs {
        id: id.to_string(),
        sends,
        events,
        timer,
    }
}

fn start(id: &str, setup: &NodeSetup) -> Result<Running, String> {
    let mut node = Node::new(
        Config {
            address: setup.address.clone(),
            max_message: setup
                .max_message
                .unwrap_or(iotp2p_protocol::params::MAX_MESSAGE),
            ..Config::default()
        },
        setup.counter,
    );
    node.set_home_relay(setup.home_relay.clone());
    let mut contexts = BTreeMap::new();
    let mut kinds = BTreeMap::new();
    // A relay's contexts are its service's ([`relay`]); the runner's own are nobody's.
    for c in setup
        .contexts
        .iter()
        .filter(|c| setup.relay.is_none() && !c.runner_only)
    {
        let (context, peer) = context(c)?;
        let kind = peer.kind;
        let handle = node
            .add_context(context, peer)
            .map_err(|e| format!("context {}: {e:?}", c.name))?;
        contexts.insert(c.name.clone(), handle);
        kinds.insert(handle, kind);
    }
    if let Some(edhoc) = &setup.edhoc {
        node.set_edhoc_responder(Some(edhoc_responder(edhoc)?));
    }
    if let Some(name) = &setup.hop_context {
        let hop = contexts
            .get(name)
            .ok_or_else(|| format!("no context `{name}` for the hop context"))?;
        node.set_hop_context(Some(*hop));
    }
    let mut fixture = Fixture::default();
    let model = model(&setup.capabilities, &mut fixture)?;
    let relay = match &setup.relay {
        Some(role) => Some(relay(role, &setup.contexts)?),
        None => None,
    };
    Ok(Running {
        id: id.to_string(),
        node,
        relay,
        dispatcher: Dispatcher::new(model, Default::default()),
        subscribers: BTreeMap::new(),
        fixture,
        contexts,
        kinds,
        rng: Lcg(0x5eed),
        held: Default::default(),
        asked: BTreeMap::new(),
        next_event: 0,
        setup: setup.clone(),
    })
}

/// The relay under test: its domain, the addresses it serves, its hop contexts (the set-up's
/// `contexts`) and the relays of other domains by label.
fn relay(
    role: &RelayRole,
    contexts: &[ContextSetup],
) -> Result<(Relay<String>, BTreeMap<String, String>), String> {
    let mut relay = Relay::new(
        RelayConfig::new(&role.domain),
        Config {
            max_contexts: 16,
            ..Config::default()
        },
        0,
    );
    for address in &role.registered {
        relay
            .register(address)
            .map_err(|e| format!("cannot serve {address}: {e:?}"))?;
    }
    let mut routes = BTreeMap::new();
    for peer in &role.relays {
        relay.add_relay_peer(peer.label.clone(), &peer.domain);
        routes.insert(peer.domain.clone(), peer.label.clone());
    }
    for c in contexts.iter().filter(|c| !c.runner_only) {
        let (context, peer) = context(c)?;
        relay
            .service_mut()
            .add_context(context, peer)
            .map_err(|e| format!("context {}: {e:?}", c.name))?;
    }
    Ok((relay, routes))
}

/// The relay's outputs in the protocol's terms: datagrams to hop peers (what goes to another domain,
/// to the label of its relay), and the replies its own service receives; store changes are the
/// relay's own business.
fn relay_outputs(
    out: Vec<RelayOutput<String>>,
    routes: &BTreeMap<String, String>,
) -> (Vec<OutDatagram>, Vec<OutEvent>) {
    let mut sends = Vec::new();
    let mut events = Vec::new();
    for o in out {
        match o {
            RelayOutput::Send { to, bytes } => sends.push(OutDatagram {
                to,
                hex: hex(&bytes),
            }),
            // A released address's held request goes to the relay the scenario's routes name for
            // the domain now (§3.11.4); without one, the scenario names none.
            RelayOutput::Redirect(Redirect { domain, bytes, .. })
            | RelayOutput::Forward { domain, bytes } => {
                if let Some(to) = routes.get(&domain) {
                    sends.push(OutDatagram {
                        to: to.clone(),
                        hex: hex(&bytes),
                    });
                }
            }
            RelayOutput::Event(RelayEvent::Service(Event::Reply { request, body, .. })) => events
                .push(OutEvent {
                    event: "reply".into(),
                    body: body_json(&body),
                    message_id: Some(request),
                }),
            RelayOutput::Store(_) | RelayOutput::Event(_) => {}
        }
    }
    (sends, events)
}

/// The node's EDHOC responder of the set-up.
fn edhoc_responder(
    setup: &crate::scenario::EdhocSetup,
) -> Result<iotp2p_protocol::engine::EdhocResponder, String> {
    use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
    let key: [u8; 32] = unhex(&setup.key)?
        .try_into()
        .map_err(|_| "an EDHOC key of 32 bytes")?;
    let identity = LocalIdentity::new(
        AuthKey::new(&key).map_err(|e| e.to_string())?,
        Credential::parse(&unhex(&setup.credential)?).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let mut peers = Vec::new();
    for p in &setup.peers {
        peers.push(iotp2p_protocol::engine::KnownPeer {
            credential: unhex(&p.credential)?,
            address: p.address.clone(),
            node: None,
        });
    }
    Ok(iotp2p_protocol::engine::EdhocResponder {
        identity,
        peers,
        max_pending: 4,
        pending_lifetime: iotp2p_protocol::engine::MIN_PENDING_LIFETIME,
        max_visitors: 1,
        max_visitor_sources: 8,
    })
}

/// The node's side of a context of the set-up.
pub fn context(c: &ContextSetup) -> Result<(SecurityContext, Peer), String> {
    let secret = unhex(&c.master_secret)?;
    let salt = unhex(&c.master_salt)?;
    let own = KeyId::new(&unhex(&c.node_id)?).map_err(|e| e.to_string())?;
    let peer = KeyId::new(&unhex(&c.peer_id)?).map_err(|e| e.to_string())?;
    let window = if c.window_lost {
        ReplayWindow::lost()
    } else {
        ReplayWindow::new()
    };
    let context = SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        own,
        peer,
    )
    .resume(c.node_ssn, window);
    let kind = match c.kind.as_str() {
        "ordinary" => ContextKind::Ordinary,
        "visitor" => ContextKind::Visitor,
        "pairing" => ContextKind::Pairing,
        other => return Err(format!("context {}: unknown kind `{other}`", c.name)),
    };
    let node = match &c.peer_node {
        Some(text) => {
            Some(NodeId::parse(text).map_err(|e| format!("context {}: peer_node: {e}", c.name))?)
        }
        None => None,
    };
    Ok((
        context,
        Peer {
            address: c.peer_address.clone(),
            kind,
            node,
        },
    ))
}

fn model(capabilities: &[CapabilitySetup], fixture: &mut Fixture) -> Result<Model, String> {
    let mut model = Model::default();
    for c in capabilities {
        let mut members = Vec::new();
        for m in &c.members {
            let kind = match m.kind.as_str() {
                "property" => MemberKind::Property {
                    writable: m.writable,
                    observable: !m.unobservable,
                    fresh: m.fresh,
                },
                "action" => MemberKind::Action {
                    input: m.input,
                    output: m.value.is_some(),
                    fresh: m.fresh,
                },
                "event" => MemberKind::Event,
                other => return Err(format!("member {}: unknown kind `{other}`", m.key)),
            };
            members.push(Member {
                key: m.key,
                kind,
                optional: m.optional,
                implemented: !m.optional || m.implemented,
            });
            if let Some(value) = &m.value {
                fixture
                    .values
                    .insert((c.endpoint, c.number, m.key), unhex(value)?);
            }
            if let Some(max) = m.max {
                fixture.max.insert((c.endpoint, c.number, m.key), max);
            }
            if m.any_value {
                fixture.any.insert((c.endpoint, c.number, m.key));
            }
        }
        let mut version = c.version.split('.').map(str::parse::<u32>);
        let (Some(Ok(major)), Some(Ok(minor)), Some(Ok(patch))) =
            (version.next(), version.next(), version.next())
        else {
            return Err(format!("capability {}: version `{}`", c.number, c.version));
        };
        let capability = Capability {
            number: c.number,
            package: c.package.clone(),
            name: c.name.clone(),
            version: (major, minor, patch),
            members,
        };
        match model.endpoints.iter_mut().find(|e| e.number == c.endpoint) {
            Some(e) => e.capabilities.push(capability),
            None => model.endpoints.push(Endpoint {
                number: c.endpoint,
                label: None,
                capabilities: vec![capability],
            }),
        }
    }
    model.endpoints.sort_by_key(|e| e.number);
    Ok(model)
}

/// The fixture application's request `asked` again with the `echo` of `reply`, when the reply (a
/// sealed one) is `FreshnessRequired` with one and `asked` carried none: a client proves freshness
/// by making that change ([IOTP-ERR-19]), and repeats its request once only, whatever comes next
/// ([IOTP-ERR-20]).
fn repeated_with_echo(mut asked: AppRequest, reply: Option<&Value>) -> Option<AppRequest> {
    let status = reply?.get("status")?;
    if status.get("code")?.as_str()? != "FreshnessRequired" {
        return None;
    }
    let echo = status.get("echo")?.clone();
    let variant = ["write", "invoke"]
        .into_iter()
        .find(|v| asked.body.get(*v).is_some())?;
    let request = asked.body.get_mut(variant)?;
    if request.get("echo").is_some() {
        return None;
    }
    request["echo"] = echo;
    Some(asked)
}

/// A body in the canonical JSON mapping, from its encoding.
fn body_json(body: &Body) -> Option<Value> {
    let bytes = body.encode_to_vec().ok()?;
    super::to_json("iotp2p.core.Body", &bytes)
        .ok()
        .map(|(v, _)| v)
}

impl Running {
    /// The node after a restart: what it stores (its contexts with their Sender Sequence Numbers,
    /// its node-wide counter) as it is now, every replay window lost, nothing else kept.
    fn restarted(&self) -> Result<Running, String> {
        let mut setup = self.setup.clone();
        setup.counter = self.node.counter_to_store(0);
        for c in setup.contexts.iter_mut().filter(|c| !c.runner_only) {
            let entry = self
                .contexts
                .get(&c.name)
                .and_then(|id| self.node.contexts().get(*id))
                .ok_or_else(|| format!("context {} is gone", c.name))?;
            c.node_ssn = entry.context.sender_sequence_number();
            c.window_lost = true;
        }
        let mut restarted = start(&self.id, &setup)?;
        restarted.setup = self.setup.clone();
        Ok(restarted)
    }

    /// Turns the engine's outputs into the protocol's, answering the requests that reach the
    /// application with the fixture.
    fn handle(
        &mut self,
        now: u64,
        out: Vec<Output<String>>,
    ) -> Result<(Vec<OutDatagram>, Vec<OutEvent>), String> {
        let mut sends = Vec::new();
        let mut events = Vec::new();
        let mut queue: std::collections::VecDeque<Output<String>> = out.into();
        while let Some(output) = queue.pop_front() {
            match output {
                Output::Send { to, bytes } => sends.push(OutDatagram {
                    to,
                    hex: hex(&bytes),
                }),
                Output::Event(Event::Request {
                    exchange,
                    hop,
                    message_id,
                    sender,
                    context,
                    body,
                    ..
                }) => {
                    events.push(OutEvent {
                        event: "request".into(),
                        body: body_json(&body),
                        message_id: None,
                    });
                    let access = match context.and_then(|c| self.kinds.get(&c)) {
                        None => Access::Unauthenticated,
                        Some(ContextKind::Visitor) => Access::Forbidden,
                        Some(_) => Access::Allowed,
                    };
                    let peer_node = context
                        .and_then(|c| self.node.contexts().get(c))
                        .and_then(|e| e.peer.node);
                    let subscriber = match (peer_node, context) {
                        (Some(node), _) => node.to_text().as_str().to_string(),
                        (None, Some(c)) => format!("context {}", c.0),
                        (None, None) => format!("{sender:?}"),
                    };
                    if let (Body::Subscribe(_), Some(c)) = (&body, context) {
                        if let Some(s) = self.node.subscriber(c, message_id, hop) {
                            self.subscribers.insert((subscriber.clone(), message_id), s);
                        }
                    }
                    let reply = self.dispatcher.handle(
                        &mut self.fixture,
                        ImRequest {
                            body: &body,
                            access,
                            context,
                            subscriber: &subscriber,
                            message_id,
                        },
                        now,
                        &mut self.rng,
                    );
                    let more = self
                        .node
                        .reply(now, &mut self.rng, exchange, &reply)
                        .map_err(|e| format!("the reply could not be sent: {e:?}"))?;
                    queue.extend(more);
                }
                Output::Event(Event::Reply {
                    request,
                    body,
                    context,
                    ..
                }) => {
                    let body = body_json(&body);
                    let asked = self.asked.remove(&request);
                    // Only a sealed status is acted on: an unsealed one could be anyone's
                    // (spec IOTP-ERR-27).
                    let again = asked
                        .filter(|_| context.is_some())
                        .and_then(|a| repeated_with_echo(a, body.as_ref()));
                    if let Some(again) = again {
                        self.held.push_back(again);
                    }
                    events.push(OutEvent {
                        event: "reply".into(),
                        body,
                        message_id: Some(request),
                    })
                }
                Output::Event(Event::Failed { message_id, .. }) => {
                    self.asked.remove(&message_id);
                    events.push(OutEvent {
                        event: "failed".into(),
                        body: None,
                        message_id: Some(message_id),
                    })
                }
                Output::Event(Event::Session { context, visitor }) => {
                    let kind = if visitor {
                        ContextKind::Visitor
                    } else {
                        ContextKind::Ordinary
                    };
                    self.kinds.insert(context, kind);
                }
                Output::Event(Event::Acknowledged { .. } | Event::Discarded { .. }) => {}
            }
        }
        sends.extend(self.reports(now)?);
        Ok((sends, events))
    }

    /// Sends the reports of subscriptions due at `now` (spec §6.7), and forgets where the reports of
    /// ended subscriptions went.
    fn reports(&mut self, now: u64) -> Result<Vec<OutDatagram>, String> {
        let mut sends = Vec::new();
        for (subscriber, id, report) in self.dispatcher.reports(&mut self.fixture, now) {
            let Some(to) = self.subscribers.get(&(subscriber, id)) else {
                continue;
            };
            let (_, out) = self
                .node
                .notify(now, &mut self.rng, to, &Body::Report(report), false)
                .map_err(|e| format!("a report could not be sent: {e:?}"))?;
            for o in out {
                if let Output::Send { to, bytes } = o {
                    sends.push(OutDatagram {
                        to,
                        hex: hex(&bytes),
                    });
                }
            }
        }
        let live: std::collections::BTreeSet<(String, u64)> = self
            .dispatcher
            .subscriptions()
            .iter()
            .map(|s| (s.subscriber.clone(), s.id))
            .collect();
        self.subscribers.retain(|key, _| live.contains(key));
        Ok(sends)
    }

    fn app(
        &mut self,
        now: u64,
        request: &AppRequest,
    ) -> Result<(Vec<OutDatagram>, Vec<OutEvent>), String> {
        let (destination, context, body) = self.prepare(request)?;
        if !self.held.is_empty() {
            self.held.push_back(request.clone());
            return Ok((Vec::new(), Vec::new()));
        }
        match self.try_send(now, request, destination, context, &body)? {
            Some(sent) => Ok(sent),
            None => {
                self.held.push_back(request.clone());
                Ok((Vec::new(), Vec::new()))
            }
        }
    }

    /// The destination, context and body of an application's request.
    fn prepare(
        &self,
        request: &AppRequest,
    ) -> Result<(Destination, Option<ContextId>, Body), String> {
        let bytes = iotp2p_codec::generated::from_json("iotp2p.core.Body", request.body.clone())
            .ok_or("no JSON mapping for Body")?
            .map_err(|e| format!("the body: {e}"))?;
        let body = Body::decode(&bytes).map_err(|e| format!("the body: {e}"))?;
        let context = match &request.context {
            Some(name) => Some(
                *self
                    .contexts
                    .get(name)
                    .ok_or_else(|| format!("no context `{name}`"))?,
            ),
            None => None,
        };
        let destination = match &request.recipient {
            Some(a) => Destination::Address(a.clone()),
            None => Destination::HopPeer,
        };
        Ok((destination, context, body))
    }

    /// Has the engine send `request`; `None` when it is busy ([`SendError::Busy`]).
    fn try_send(
        &mut self,
        now: u64,
        request: &AppRequest,
        destination: Destination,
        context: Option<ContextId>,
        body: &Body,
    ) -> Result<Option<Outputs>, String> {
        match self.node.request(
            now,
            &mut self.rng,
            request.to.clone(),
            destination,
            context,
            body,
            request.confirmable,
            request.ttl,
        ) {
            Ok((message_id, out)) => {
                self.asked.insert(message_id, request.clone());
                self.handle(now, out).map(Some)
            }
            Err(SendError::Busy) => Ok(None),
            // The node refuses to send it: its node-wide counter is used up ([IOTP-MSG-102]), or the
            // envelope would exceed MAX_MESSAGE ([IOTP-MSG-1]). It sends nothing.
            Err(SendError::Exhausted | SendError::TooLarge) => Ok(Some((Vec::new(), Vec::new()))),
            Err(e) => Err(format!("the request could not be sent: {e:?}")),
        }
    }

    /// After `handled`, sends the held requests that the engine now takes, in order.
    fn release_held(&mut self, now: u64, handled: Outputs) -> Result<Outputs, String> {
        let (mut sends, mut events) = handled;
        while let Some(request) = self.held.front().cloned() {
            let (destination, context, body) = self.prepare(&request)?;
            match self.try_send(now, &request, destination, context, &body)? {
                Some((more_sends, more_events)) => {
                    self.held.pop_front();
                    sends.extend(more_sends);
                    events.extend(more_events);
                }
                None => break,
            }
        }
        Ok((sends, events))
    }
}
