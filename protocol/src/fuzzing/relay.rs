//! The `protocol_relay` target's body.
//!
//! [`relay`] drives a home relay with two nodes of its domain, a sleeping sensor and an app, each an
//! end node's engine with a hop context with the relay and an end-to-end context with the other, and
//! two more hop peers: an authenticated relay of another domain and a stranger. Steps built by
//! `arbitrary`: arbitrary datagrams from any of the four, genuine requests of the app to the sensor
//! (sealed or not, confirmable or not, with or without `ttl`), presence of either node, genuine
//! envelopes mutated, cut short or sent again from any hop peer, time passing, the sensor's
//! replies, either node's link going down and up again (what the relay sends it is lost, so its
//! deliveries fail, [IOTP-DLV-137]), and re-homing (§3.11): the sensor moving away to the other relay's domain for a grace
//! period, and a node arriving from there, for which the other relay forwards the app's requests. What the relay sends to the two nodes reaches their engines, and what they answer reaches
//! the relay, within a bounded number of datagrams per step.
//!
//! After every step it checks what must hold whatever the input: nothing panics; one datagram causes a
//! bounded number of outputs (a few, and two for each held request that a `presence` `Leaving` gives
//! up); what the relay holds for each node stays within its limits, and is what a store that follows
//! its store changes holds (nothing stored twice, nothing removed that was not stored), and a node that
//! moved away is held nothing while its grace period lasts; and neither
//! node's hop is ever bound to the other relay or to the stranger, which hold no hop context: only a
//! message that opens under a node's hop context binds it ([IOTP-SEC-170]).

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use iotp2p_codec::core::owned::{Body, InvokeResponse};
use iotp2p_codec::core::PresenceState;

use super::engine::invoke;
use super::{context, Counter};
use crate::engine::peers::{ContextKind, Peer};
use crate::engine::{Config, Destination, Event, ExchangeId, Node, Output};
use crate::message::digest::Digest;
use crate::params::Instant;
use crate::relay::{Relay, RelayConfig, RelayOutput, StoreChange};

const SENSOR: &str = "sensor@home.example.org";
const APP: &str = "app@home.example.org";
const SERVICE: &str = "_relay@home.example.org";
/// Where the sensor moves to, in the other relay's domain.
const SENSOR_MOVED: &str = "sensor@example.net";
/// A node that moves here from the other relay's domain, and its previous address.
const ARRIVED: &str = "arrived@home.example.org";
const ARRIVED_FROM: &str = "arrived@example.net";

/// Hop peers: 0 the sensor, 1 the app, 2 another domain's relay, 3 a stranger; 9 the relay itself.
type Label = u8;
const RELAY: Label = 9;

/// Datagrams carried in one step, at most (the relay's deliveries, the nodes' answers, receipts).
const MAX_CARRIED: usize = 64;

/// One step of a fuzzed run.
#[derive(Arbitrary, Debug)]
enum Step {
    /// Arbitrary bytes to the relay from one of the four hop peers.
    Datagram { from: u8, bytes: Vec<u8> },
    /// The app's genuine request to the sensor through the relay.
    Genuine {
        sealed: bool,
        confirmable: bool,
        ttl: Option<u16>,
    },
    /// A presence of the sensor (`sensor`) or the app: 0 awake, 1 awake with a sleep interval, 2
    /// asleep, 3 leaving.
    Presence { sensor: bool, state: u8, sleep: u16 },
    /// The last genuine envelope with one byte changed, from one of the four hop peers.
    Mutated { from: u8, index: u16, xor: u8 },
    /// The last genuine envelope cut short, from one of the four.
    Truncated { from: u8, len: u16 },
    /// The last genuine envelope again, from one of the four.
    Replay { from: u8 },
    /// Time passes (up to about 18 hours); the timers due run.
    Advance { ms: u16, scale: u8 },
    /// The sensor answers the oldest request it has not answered.
    Reply,
    /// The sensor moves to the other relay's domain, for a grace period of `grace` seconds, one time
    /// in sixteen (`rarely`): after a move the relay delivers nothing more to it, which would leave
    /// most runs without deliveries.
    MoveAway { grace: u16, rarely: u8 },
    /// A node arrives from the other relay's domain, for a grace period of `grace` seconds.
    MoveIn { grace: u16 },
    /// The app's request to the arrived node's previous address, as the other relay forwards it.
    ForwardedToArrived { confirmable: bool },
    /// The sensor's (`sensor`) or the app's link comes back (`up`), or goes down, one time in four
    /// (`rarely`): what the relay sends it is then lost, and a link down for long would leave most
    /// runs without deliveries.
    Link { sensor: bool, up: bool, rarely: u8 },
}

/// What a run reached, so that the replay test can check that its inputs exercise the relay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelayReached {
    /// Steps run.
    pub steps: usize,
    /// Requests that the relay delivered and the sensor passed to its application.
    pub delivered: usize,
    /// Datagrams the relay discarded or refused.
    pub discarded: usize,
    /// Most envelopes the relay held for the sensor at once.
    pub most_held: usize,
    /// Requests to a previous address that the relay held for the node that arrived from there.
    pub arrived: usize,
    /// Forwards whose attempt failed and that wait to be tried again ([IOTP-DLV-52]).
    pub retried: usize,
    /// Datagrams of the relay lost on a node's link while it was down.
    pub lost: usize,
}

/// The body of the `protocol_relay` target.
pub fn relay(data: &[u8]) {
    run_relay(data);
}

fn ordinary(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

fn end_node(address: &str, hop: (u8, u8), e2e: (u8, u8), peer: &str) -> Option<Node<Label>> {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            max_contexts: 4,
            max_pending: 8,
            max_waiting: 8,
            ..Config::default()
        },
        0,
    );
    let hop = node
        .add_context(context(hop.0, hop.1), ordinary(SERVICE))
        .ok()?;
    node.set_hop_context(Some(hop));
    node.set_home_relay(Some(RELAY));
    node.add_context(context(e2e.0, e2e.1), ordinary(peer))
        .ok()?;
    Some(node)
}

/// The relay, its two nodes and the datagrams between them.
struct World {
    relay: Relay<Label>,
    sensor: Node<Label>,
    app: Node<Label>,
    rng: Counter,
    now: Instant,
    exchanges: Vec<ExchangeId>,
    reached: RelayReached,
    /// What a store that follows the relay's [`StoreChange`]s holds.
    store: Store,
    /// The end of the sensor's grace period, once it moved away.
    moved_until: Option<Instant>,
    /// Whether the sensor's and the app's links are down.
    down: [bool; 2],
}

/// A store kept as the relay's changes say: per recipient, the digests held.
#[derive(Default)]
struct Store(BTreeMap<String, Vec<Digest>>);

impl Store {
    fn apply(&mut self, change: StoreChange) {
        match change {
            StoreChange::Held {
                recipient, digest, ..
            } => {
                let held = self.0.entry(recipient).or_default();
                assert!(!held.contains(&digest), "an envelope stored twice");
                held.push(digest);
            }
            StoreChange::Removed { recipient, digests } => {
                let held = self.0.entry(recipient).or_default();
                for d in digests {
                    let i = held.iter().position(|h| *h == d);
                    assert!(i.is_some(), "an envelope removed that was not stored");
                    held.retain(|h| *h != d);
                }
            }
            StoreChange::Redirected { recipient, digest } => {
                let held = self.0.entry(recipient).or_default();
                assert!(held.contains(&digest), "a redirect of what was not stored");
                held.retain(|h| *h != digest);
            }
            // What goes to other relays is not held.
            StoreChange::Outgoing { .. }
            | StoreChange::Forwarded { .. }
            | StoreChange::Retry { .. } => {}
            // The fuzzed relay has no accounts: nothing registers over the wire.
            StoreChange::Registry(_) => {}
        }
    }

    fn count(&self, recipient: &str) -> usize {
        self.0.get(recipient).map_or(0, Vec::len)
    }
}

impl World {
    fn new() -> Option<World> {
        let mut relay = Relay::new(
            RelayConfig::new("home.example.org"),
            Config {
                max_contexts: 4,
                max_exchanges: 4,
                ..Config::default()
            },
            0,
        );
        relay.register(SENSOR).ok()?;
        relay.register(APP).ok()?;
        relay.add_relay_peer(2, "example.net");
        let service = relay.service_mut();
        service.add_context(context(4, 3), ordinary(SENSOR)).ok()?;
        service.add_context(context(6, 5), ordinary(APP)).ok()?;
        Some(World {
            relay,
            sensor: end_node(SENSOR, (3, 4), (2, 1), APP)?,
            app: end_node(APP, (5, 6), (1, 2), SENSOR)?,
            rng: Counter(0),
            now: 0,
            exchanges: Vec::new(),
            reached: RelayReached::default(),
            store: Store::default(),
            moved_until: None,
            down: [false; 2],
        })
    }

    /// Carries `first` to the relay from `from`, and everything that follows, at most MAX_CARRIED
    /// datagrams, then checks the invariants.
    fn carry(&mut self, from: Label, first: Vec<u8>) {
        let mut wire: VecDeque<(Label, Label, Vec<u8>)> = VecDeque::new();
        wire.push_back((from, RELAY, first));
        let mut carried = 0;
        while let Some((from, to, bytes)) = wire.pop_front() {
            carried += 1;
            if carried > MAX_CARRIED {
                break;
            }
            match to {
                RELAY => {
                    let out = self.relay.receive(self.now, &mut self.rng, &from, &bytes);
                    // An acknowledgement, a status or a delivery and an event for each, and, for a
                    // `presence` `Leaving`, a status and an event for each request given up: never
                    // more than the holding limit makes.
                    let most = 8 + 2 * self.relay.config().limits.max_messages as usize;
                    assert!(out.len() <= most, "{} outputs for one datagram", out.len());
                    self.relay_outputs(out, &mut wire);
                }
                0 | 1 if self.down[usize::from(to)] => self.reached.lost += 1,
                0 | 1 => {
                    let node = if to == 0 {
                        &mut self.sensor
                    } else {
                        &mut self.app
                    };
                    let out = node.receive(self.now, &mut self.rng, &RELAY, &bytes);
                    self.node_outputs(to, out, &mut wire);
                }
                // The other relay and the stranger only listen.
                _ => {}
            }
        }
        self.check();
    }

    fn relay_outputs(
        &mut self,
        out: Vec<RelayOutput<Label>>,
        wire: &mut VecDeque<(Label, Label, Vec<u8>)>,
    ) {
        for o in out {
            match o {
                RelayOutput::Send { to, bytes } => wire.push_back((RELAY, to, bytes)),
                // To the other relay, which never answers: each attempt fails, and the retry
                // queue's timers run as time passes.
                RelayOutput::Forward { domain, bytes } => {
                    let (now, relays) = (self.now, vec![2]);
                    let out = self
                        .relay
                        .forward_to(now, &mut self.rng, &domain, relays, bytes);
                    self.relay_outputs(out, wire);
                }
                RelayOutput::Store(change @ StoreChange::Retry { .. }) => {
                    self.reached.retried += 1;
                    self.store.apply(change);
                }
                // No DNS names another relay for the domain: every redirect fails.
                RelayOutput::Redirect(r) => {
                    let out = self.relay.redirect_failed(self.now, &mut self.rng, r);
                    self.relay_outputs(out, wire);
                }
                RelayOutput::Store(change) => self.store.apply(change),
                RelayOutput::Event(crate::relay::RelayEvent::Discarded { .. }) => {
                    self.reached.discarded += 1;
                }
                RelayOutput::Event(_) => {}
            }
        }
    }

    fn node_outputs(
        &mut self,
        label: Label,
        out: Vec<Output<Label>>,
        wire: &mut VecDeque<(Label, Label, Vec<u8>)>,
    ) {
        for o in out {
            match o {
                Output::Send { to, bytes } => wire.push_back((label, to, bytes)),
                Output::Event(Event::Request { exchange, .. }) if label == 0 => {
                    self.reached.delivered += 1;
                    self.exchanges.push(exchange);
                    if self.exchanges.len() > 8 {
                        self.exchanges.remove(0);
                    }
                }
                Output::Event(_) => {}
            }
        }
    }

    /// Sends what a node's call produced, from that node.
    fn send_from(&mut self, label: Label, out: Vec<Output<Label>>) {
        let mut wire = VecDeque::new();
        self.node_outputs(label, out, &mut wire);
        for (from, to, bytes) in wire {
            if to == RELAY {
                self.carry(from, bytes);
            }
        }
    }

    fn check(&mut self) {
        let limits = self.relay.config().limits;
        for address in [SENSOR, APP, ARRIVED] {
            assert!(self.relay.held(address) <= limits.max_messages as usize);
            assert_eq!(
                self.store.count(address),
                self.relay.held(address),
                "the store changes describe what is held"
            );
        }
        if self.moved_until.is_some_and(|t| self.now < t) {
            assert_eq!(
                self.relay.held(SENSOR),
                0,
                "a moved node's messages are forwarded"
            );
        }
        for (address, label) in [(SENSOR, 0), (APP, 1)] {
            let bound = self.relay.bound(address, self.now).copied();
            assert!(
                bound.is_none() || bound == Some(label),
                "{address}'s hop bound to {bound:?}, which does not hold its hop context"
            );
        }
        let config = self.relay.config();
        let in_all = config.max_nodes * config.limits.max_messages as usize;
        assert!(
            self.relay.retrying_count() <= in_all,
            "the retry queue's bound"
        );
        assert!(self.relay.under_way() <= in_all, "the outbox's bound");
        self.reached.most_held = self.reached.most_held.max(self.relay.held(SENSOR));
    }

    fn timers(&mut self) {
        let now = self.now;
        let mut wire = VecDeque::new();
        if self.relay.next_deadline().is_some_and(|t| t <= now) {
            let out = self.relay.on_timer(now, &mut self.rng);
            self.relay_outputs(out, &mut wire);
        }
        for label in [0, 1] {
            let node = if label == 0 {
                &mut self.sensor
            } else {
                &mut self.app
            };
            if node.next_deadline().is_some_and(|t| t <= now) {
                let out = node.on_timer(now, &mut self.rng);
                self.node_outputs(label, out, &mut wire);
            }
        }
        for (from, to, bytes) in wire {
            if to == RELAY {
                self.carry(from, bytes);
            } else if from == RELAY {
                // A delivery or a retransmission towards a node: it answers.
                let mut follow = VecDeque::new();
                if to <= 1 && self.down[usize::from(to)] {
                    self.reached.lost += 1;
                } else if to <= 1 {
                    let node = if to == 0 {
                        &mut self.sensor
                    } else {
                        &mut self.app
                    };
                    let out = node.receive(now, &mut self.rng, &RELAY, &bytes);
                    self.node_outputs(to, out, &mut follow);
                }
                for (from, to, bytes) in follow {
                    if to == RELAY {
                        self.carry(from, bytes);
                    }
                }
            }
        }
        self.check();
    }
}

/// Runs the body and says what it reached.
pub fn run_relay(data: &[u8]) -> RelayReached {
    let mut u = Unstructured::new(data);
    let Some(mut w) = World::new() else {
        return RelayReached::default();
    };
    let mut last: Option<Vec<u8>> = None;
    for _ in 0..64 {
        let Ok(step) = Step::arbitrary(&mut u) else {
            break;
        };
        w.reached.steps += 1;
        match step {
            Step::Datagram { from, bytes } => w.carry(from % 4, bytes),
            Step::Genuine {
                sealed,
                confirmable,
                ttl,
            } => {
                let e2e = if sealed {
                    w.app
                        .contexts()
                        .by_recipient_id(&crate::security::KeyId::from_byte(2))
                } else {
                    None
                };
                let Ok((_, out)) = w.app.request(
                    w.now,
                    &mut w.rng,
                    RELAY,
                    Destination::Address(SENSOR.into()),
                    e2e,
                    &invoke(),
                    confirmable,
                    ttl.map(u32::from),
                ) else {
                    continue;
                };
                if let Some(Output::Send { bytes, .. }) = out.first() {
                    last = Some(bytes.clone());
                }
                w.send_from(1, out);
            }
            Step::Presence {
                sensor,
                state,
                sleep,
            } => {
                let (state, sleep) = match state % 4 {
                    0 => (PresenceState::Awake, None),
                    1 => (PresenceState::Awake, Some(u32::from(sleep))),
                    2 => (PresenceState::Asleep, Some(u32::from(sleep))),
                    _ => (PresenceState::Leaving, None),
                };
                let label = if sensor { 0 } else { 1 };
                let node = if sensor { &mut w.sensor } else { &mut w.app };
                let Ok((_, out)) = node.presence(w.now, &mut w.rng, state, sleep, None) else {
                    continue;
                };
                if let Some(Output::Send { bytes, .. }) = out.first() {
                    last = Some(bytes.clone());
                }
                w.send_from(label, out);
            }
            Step::Mutated { from, index, xor } => {
                let Some(mut bytes) = last.clone() else {
                    continue;
                };
                if bytes.is_empty() {
                    continue;
                }
                let i = usize::from(index) % bytes.len();
                bytes[i] ^= xor;
                w.carry(from % 4, bytes);
            }
            Step::Truncated { from, len } => {
                let Some(bytes) = last.clone() else {
                    continue;
                };
                let n = usize::from(len) % (bytes.len() + 1);
                w.carry(from % 4, bytes[..n].to_vec());
            }
            Step::Replay { from } => {
                let Some(bytes) = last.clone() else {
                    continue;
                };
                w.carry(from % 4, bytes);
            }
            Step::Advance { ms, scale } => {
                w.now += u64::from(ms) * (1 + u64::from(scale % 4) * 333);
                w.timers();
            }
            Step::Reply => {
                if let Some(exchange) = w.exchanges.first().copied() {
                    w.exchanges.remove(0);
                    let body = Body::InvokeResponse(InvokeResponse {
                        output: None,
                        unknown_fields: Default::default(),
                    });
                    if let Ok(out) = w.sensor.reply(w.now, &mut w.rng, exchange, &body) {
                        w.send_from(0, out);
                    }
                }
            }
            Step::MoveAway { grace, rarely } => {
                if rarely % 16 != 0 {
                    continue;
                }
                let until = w.now + u64::from(grace) * 1_000;
                let (moved, out) = w.relay.moved_away(w.now, SENSOR, SENSOR_MOVED, until);
                if moved {
                    w.moved_until = Some(until);
                }
                let mut wire = VecDeque::new();
                w.relay_outputs(out, &mut wire);
                w.check();
            }
            Step::MoveIn { grace } => {
                let until = w.now + u64::from(grace) * 1_000;
                let _ = w.relay.moved_in(ARRIVED, ARRIVED_FROM, until);
                w.check();
            }
            Step::ForwardedToArrived { confirmable } => {
                let Ok((_, out)) = w.app.request(
                    w.now,
                    &mut w.rng,
                    2,
                    Destination::Address(ARRIVED_FROM.into()),
                    None,
                    &invoke(),
                    confirmable,
                    None,
                ) else {
                    continue;
                };
                if let Some(Output::Send { bytes, .. }) = out.into_iter().next() {
                    last = Some(bytes.clone());
                    let before = w.relay.held(ARRIVED);
                    w.carry(2, bytes);
                    if w.relay.held(ARRIVED) > before {
                        w.reached.arrived += 1;
                    }
                }
            }
            Step::Link { sensor, up, rarely } => {
                if up || rarely % 4 == 0 {
                    w.down[usize::from(!sensor)] = !up;
                }
            }
        }
    }
    w.reached
}
