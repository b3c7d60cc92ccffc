//! The `protocol_relay_server` target's body.
//!
//! [`relay_server`] drives a home relay's Relay capability ([`RelayServer`], spec §3.6.1, §7.6.10)
//! for `home.example.org`, with two accounts (Smith, two enrolment tokens; Jones, one) and four
//! clients of its service, each under a visitor context made as EDHOC makes it for a peer that sent
//! its credential by value: Smith's two controllers, Jones's controller and a stranger who holds no
//! token. Steps built by `arbitrary`: a client enrols with one of the tokens or an unknown one,
//! under its context or under a new one that it first makes by an EDHOC handshake with its
//! credential by value (the service answers EDHOC with the relay's identity);
//! registers one of three nodes (its credential statement genuine, newer, mutated or for another
//! domain, with a policy, previous relays or a re-homing statement); releases (with or without a
//! re-homing statement), unenrols another client, sets a policy, pages the registrations, looks a
//! node up, or invokes any Relay action with arbitrary input, sealed or not; arbitrary datagrams
//! from any hop; the last genuine envelope mutated, cut short or sent again; time passing (hours to
//! months: token expiry, the enrolment failure window, grace periods and quarantine).
//!
//! After every step it checks what must hold whatever the input: nothing panics; one datagram
//! causes few outputs; the registrations stay within the relay's `max_nodes` and each account's
//! quota, the administrators within `max_admins`, the service's contexts within `max_contexts`, the
//! quarantine, the failed-enrolment counts and the lookup buckets within theirs, what
//! is held for each node within its limit; the registrations change only in a step in which an
//! enrolled administrator of the account that holds them sent a sealed request (or, for a departure
//! whose grace period ended, as time passes), and an administrator is added only by its own sealed
//! enrolment and removed only by a sealed request of its account's administrator; and every reply
//! to a lookup or a registrations page decodes, a page lists no more than [`PAGE`] of the asker's
//! own account's addresses, in ascending order.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use arbitrary::{Arbitrary, Unstructured};
use iotp2p_codec::capabilities::owned::{LookupResult, RegistrationPage};
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::prelude::*;

use super::relay_requests::{
    invoke, material, request, Material, CLIENTS, NODES, PREVIOUS, QUOTA, SERVICE, TOKENS,
    TOKEN_LIFETIME,
};
use super::{context, Counter};
use crate::engine::peers::{ContextId, ContextKind, Peer};
use crate::engine::{
    Config, Destination, EdhocResponder, Event, Node, Output, MIN_PENDING_LIFETIME,
};
use crate::params::Instant;
use crate::relay::registry::{Account, Registration};
use crate::relay::{Relay, RelayConfig, RelayEvent, RelayOutput};
use crate::security::edhoc::LocalIdentity;
use crate::security::NodeId;
use crate::server::relay::{member, RelayServer, PAGE};

const DOMAIN: &str = "home.example.org";
const SMITH: &str = "Smith";
const JONES: &str = "Jones";
/// The relay's transport address.
const RELAY: u8 = 9;
/// The service's contexts (four clients, and room that nothing network-facing may exceed).
const MAX_CONTEXTS: usize = 8;
/// EDHOC handshakes in one run, at most: each costs both sides about seven elliptic-curve
/// multiplications.
const HANDSHAKES_PER_RUN: usize = 4;
/// Datagrams carried in one step, at most.
const MAX_CARRIED: usize = 16;

/// One step of a fuzzed run; `who` picks a client (modulo 4), `node` a node (modulo 3).
#[derive(Arbitrary, Debug)]
pub(super) enum Step {
    /// `enrol` with token `token` (modulo 4: Smith's two, Jones's, an unknown one); with `who` of
    /// 128 or more, the client first makes a new visitor context by an EDHOC handshake with its
    /// credential by value, and enrols under it.
    Enrol { who: u8, token: u8 },
    /// `register` a node's credential statement: `kind` 0 genuine, 1 newer, 2 another node's for
    /// the same address, 3 for another domain, 4 arriving from [`PREVIOUS`] with its re-homing
    /// statement; `mutate` changes one byte of the input.
    Register {
        who: u8,
        node: u8,
        kind: u8,
        policy: Option<u8>,
        previous_relays: bool,
        mutate: Option<(u16, u8)>,
    },
    /// `release` a node's address, with its re-homing statement away to [`MOVED`] or not.
    Release { who: u8, node: u8, rehoming: bool },
    /// `unenrol` the client `whom`.
    Unenrol { who: u8, whom: u8 },
    /// `set_policy` for a node's address.
    SetPolicy {
        who: u8,
        node: u8,
        lookup: u8,
        listed: bool,
        max_held_messages: Option<u16>,
        max_hold_time: Option<u32>,
    },
    /// `registrations`, from the first or after a node's address.
    Registrations { who: u8, after: Option<u8> },
    /// `lookup` a node's address, or one outside the domain.
    Lookup { who: u8, node: u8 },
    /// Any Relay action with any input, sealed or not.
    Invoke {
        who: u8,
        sealed: bool,
        action: u8,
        input: Vec<u8>,
    },
    /// Arbitrary bytes from any of the five hops.
    Datagram { from: u8, bytes: Vec<u8> },
    /// The last genuine envelope with one byte changed, from any hop.
    Mutated { from: u8, index: u16, xor: u8 },
    /// The last genuine envelope cut short, from any hop.
    Truncated { from: u8, len: u16 },
    /// The last genuine envelope again, from any hop.
    Replay { from: u8 },
    /// Time passes: `ms` milliseconds, seconds, hours or days (`scale`); the timers due run.
    Advance { ms: u16, scale: u8 },
}

/// What a run reached, so that the replay test can check that its inputs exercise the capability.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RelayServerReached {
    /// Steps run.
    pub steps: usize,
    /// Enrolments the relay accepted.
    pub enrolled: usize,
    /// Registrations made or changed.
    pub registered: usize,
    /// Registrations ended (released, or a departure over).
    pub unregistered: usize,
    /// Lookups answered with a credential statement.
    pub found: usize,
    /// Sealed requests answered with a status (refused).
    pub refused: usize,
    /// Datagrams the service discarded.
    pub discarded: usize,
    /// Visitor contexts that EDHOC handshakes made.
    pub sessions: usize,
}

/// The body of the `protocol_relay_server` target.
pub fn relay_server(data: &[u8]) {
    run_relay_server(data);
}

/// The relay, its clients and what the checks compare against.
struct World {
    relay: RelayServer<u8>,
    clients: Vec<(Node<u8>, ContextId)>,
    rng: Counter,
    now: Instant,
    /// The last genuine envelope sent to the relay.
    last: Option<Vec<u8>>,
    /// The action of the latest sealed request of each client, to read its reply by.
    asked: [Option<u16>; CLIENTS],
    /// EDHOC handshakes started.
    handshakes: usize,
    reached: RelayServerReached,
}

impl World {
    fn new(m: &Material) -> Option<World> {
        let mut relay = Relay::new(
            RelayConfig::new(DOMAIN),
            Config {
                max_contexts: MAX_CONTEXTS,
                ..Config::default()
            },
            0,
        );
        let registry = relay.registry_mut();
        for (name, tokens) in [(SMITH, &TOKENS[..2]), (JONES, &TOKENS[2..3])] {
            registry
                .add_account(Account {
                    name: name.into(),
                    domains: alloc::vec![DOMAIN.into()],
                    max_registrations: QUOTA,
                })
                .ok()?;
            for token in tokens {
                registry.issue_token(name, token, TOKEN_LIFETIME, 0).ok()?;
            }
        }
        let responder = |identity: &LocalIdentity| {
            Some(EdhocResponder {
                identity: identity.clone(),
                peers: Vec::new(),
                max_pending: 2,
                pending_lifetime: MIN_PENDING_LIFETIME,
                max_visitors: 2,
                max_visitor_sources: 4,
            })
        };
        relay
            .service_mut()
            .set_edhoc_responder(responder(&m.relay.0));
        let mut clients = Vec::new();
        for (i, (_, ccs, _)) in m.clients.iter().enumerate() {
            let id = i as u8;
            let service = relay.service_mut();
            let at_relay = service
                .add_context(
                    context(id + 100, id),
                    Peer {
                        address: None,
                        kind: ContextKind::Visitor,
                        node: None,
                    },
                )
                .ok()?;
            service
                .set_peer_credential(at_relay, ccs.clone())
                .then_some(())?;
            let mut node = Node::new(
                Config {
                    address: Some(alloc::format!("client{i}@example.net")),
                    ..Config::default()
                },
                0,
            );
            // An initiator presents its own identity too.
            node.set_edhoc_responder(responder(&m.identities[i]));
            let ctx = node
                .add_context(
                    context(id, id + 100),
                    Peer {
                        address: Some(SERVICE.into()),
                        kind: ContextKind::Ordinary,
                        node: None,
                    },
                )
                .ok()?;
            clients.push((node, ctx));
        }
        Some(World {
            relay: RelayServer::new(relay),
            clients,
            rng: Counter(0),
            now: 0,
            last: None,
            asked: [None; CLIENTS],
            handshakes: 0,
            reached: RelayServerReached::default(),
        })
    }

    /// Client `who` sends `body` to the service, sealed or not; the request is the last genuine
    /// envelope.
    fn ask(&mut self, who: usize, body: &Body, sealed: bool) {
        let (node, ctx) = &mut self.clients[who];
        let context = sealed.then_some(*ctx);
        let Ok((_, out)) = node.request(
            self.now,
            &mut self.rng,
            RELAY,
            Destination::Address(SERVICE.into()),
            context,
            body,
            true,
            None,
        ) else {
            return;
        };
        self.asked[who] = match body {
            Body::Invoke(i) if sealed => Some(i.action),
            _ => None,
        };
        for o in out {
            if let Output::Send { bytes, .. } = o {
                self.last = Some(bytes.clone());
                self.carry(who as u8, bytes);
            }
        }
    }

    /// Client `who` makes a new visitor context with the relay: an EDHOC handshake with its
    /// credential by value, at most [`HANDSHAKES_PER_RUN`] in a run.
    fn handshake(&mut self, who: usize, m: &Material) {
        if self.handshakes >= HANDSHAKES_PER_RUN {
            return;
        }
        self.handshakes += 1;
        let (node, _) = &mut self.clients[who];
        let relay = m.relay.1.clone();
        let Ok((_, out)) =
            node.connect_as_visitor(self.now, &mut self.rng, RELAY, Destination::HopPeer, relay)
        else {
            return;
        };
        for o in out {
            if let Output::Send { bytes, .. } = o {
                self.carry(who as u8, bytes);
            }
        }
    }

    /// Carries `first` from `from` to the relay, and what follows, at most [`MAX_CARRIED`] datagrams.
    fn carry(&mut self, from: u8, first: Vec<u8>) {
        let mut wire = VecDeque::from([(from, RELAY, first)]);
        for _ in 0..MAX_CARRIED {
            let Some((from, to, bytes)) = wire.pop_front() else {
                return;
            };
            if to == RELAY {
                let out = self.relay.receive(self.now, &mut self.rng, &from, &bytes);
                // An acknowledgement, a reply, the store's changes and an event or two.
                assert!(out.len() <= 8, "{} outputs for one datagram", out.len());
                self.relay_outputs(out, &mut wire);
            } else if let Some((node, _)) = self.clients.get_mut(usize::from(to)) {
                let out = node.receive(self.now, &mut self.rng, &RELAY, &bytes);
                for o in out {
                    match o {
                        Output::Send { to: RELAY, bytes } => wire.push_back((to, RELAY, bytes)),
                        Output::Event(Event::Reply { body, .. }) => {
                            self.reply(usize::from(to), body)
                        }
                        Output::Event(Event::Session { context, .. }) => {
                            self.reached.sessions += 1;
                            if let Some(client) = self.clients.get_mut(usize::from(to)) {
                                client.1 = context;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    fn relay_outputs(&mut self, out: Vec<RelayOutput<u8>>, wire: &mut VecDeque<(u8, u8, Vec<u8>)>) {
        for o in out {
            match o {
                RelayOutput::Send { to, bytes } => wire.push_back((RELAY, to, bytes)),
                RelayOutput::Event(RelayEvent::Discarded { .. }) => self.reached.discarded += 1,
                _ => {}
            }
        }
    }

    /// A reply reached client `who`: what it says must be well-formed.
    fn reply(&mut self, who: usize, body: Body) {
        let Some(action) = self.asked[who].take() else {
            return;
        };
        let output = match body {
            Body::InvokeResponse(r) => r.output.unwrap_or_default(),
            Body::Status(_) => {
                self.reached.refused += 1;
                return;
            }
            _ => return,
        };
        match action {
            member::ENROL => self.reached.enrolled += 1,
            member::LOOKUP => {
                let found = LookupResult::decode(&output).expect("a lookup's result decodes");
                if found.credential.is_some() {
                    self.reached.found += 1;
                }
            }
            member::REGISTRATIONS => {
                let page = RegistrationPage::decode(&output).expect("a page decodes");
                assert!(page.entries.len() <= PAGE, "{} entries", page.entries.len());
                let Some(m) = material() else { return };
                let registry = self.relay.relay().registry();
                let account = registry
                    .account_of(&m.clients[who].0)
                    .map(|a| a.name.clone());
                for pair in page.entries.windows(2) {
                    assert!(pair[0].address < pair[1].address, "a page in order");
                }
                for entry in &page.entries {
                    let holder = registry.registration(&entry.address).map(|r| &r.account);
                    assert!(
                        holder.is_some() && holder == account.as_ref(),
                        "{} listed to another account",
                        entry.address
                    );
                }
            }
            _ => {}
        }
    }

    fn timers(&mut self) {
        if self.relay.next_deadline().is_some_and(|t| t <= self.now) {
            let out = self.relay.on_timer(self.now, &mut self.rng);
            let mut wire = VecDeque::new();
            self.relay_outputs(out, &mut wire);
            // Retransmissions reach the clients; the replies were read the first time.
            while let Some((_, to, bytes)) = wire.pop_front() {
                if let Some((node, _)) = self.clients.get_mut(usize::from(to)) {
                    let _ = node.receive(self.now, &mut self.rng, &RELAY, &bytes);
                }
            }
        }
    }
}

/// What the checks compare across a step: the registrations and each account's administrators.
#[derive(Clone, PartialEq)]
struct Snapshot {
    registrations: Vec<Registration>,
    admins: [Vec<NodeId>; 2],
}

fn snapshot(relay: &Relay<u8>) -> Snapshot {
    let registry = relay.registry();
    let admins = |name| registry.admins(name).iter().map(|a| a.node).collect();
    Snapshot {
        registrations: registry.registrations().to_vec(),
        admins: [admins(SMITH), admins(JONES)],
    }
}

/// Checks the bounds, and that what changed from `before` was changed by a sealed request of
/// `sealed_by` (a client), or by the end of a departure's grace period.
fn check(w: &World, m: &Material, before: &Snapshot, sealed_by: Option<usize>) {
    let relay = w.relay.relay();
    let registry = relay.registry();
    let after = snapshot(relay);
    assert!(registry.registrations().len() <= relay.config().max_nodes);
    for (i, name) in [SMITH, JONES].into_iter().enumerate() {
        assert!(
            registry.held_by(name) <= QUOTA as usize,
            "{name} beyond its quota"
        );
        assert!(after.admins[i].len() <= relay.config().registry.max_admins);
    }
    assert!(relay.service().contexts().iter().count() <= MAX_CONTEXTS);
    let limits = &relay.config().registry;
    assert!(registry.quarantined_len() <= limits.max_quarantined.max(1));
    let (failures, lookups) = relay.counted_sources();
    assert!(failures <= limits.max_failures.max(1) && lookups <= limits.max_lookup_peers.max(1));
    for address in NODES.iter().chain([&PREVIOUS]) {
        assert!(relay.held(address) <= relay.config().limits.max_messages as usize);
    }
    let in_all = relay.config().max_nodes * relay.config().limits.max_messages as usize;
    assert!(
        relay.under_way() <= in_all,
        "more under way than the relay may hold"
    );
    // The administrators of the accounts, before and after the step, that the sender was one of.
    let sender = sealed_by.map(|who| m.clients[who].0);
    let admin_of = |s: &Snapshot, account: &str| {
        let i = usize::from(account == JONES);
        sender.is_some_and(|n| s.admins[i].contains(&n))
    };
    for (i, name) in [SMITH, JONES].into_iter().enumerate() {
        for added in after.admins[i]
            .iter()
            .filter(|n| !before.admins[i].contains(n))
        {
            assert_eq!(
                Some(*added),
                sender,
                "an administrator of {name} added by another"
            );
        }
        let removed = before.admins[i]
            .iter()
            .any(|n| !after.admins[i].contains(n));
        assert!(
            !removed || admin_of(before, name),
            "an administrator of {name} removed without a seal of its administrator"
        );
    }
    let changed = |r: &Registration, other: &Snapshot| !other.registrations.contains(r);
    for r in after.registrations.iter().filter(|r| changed(r, before)) {
        assert!(
            admin_of(before, &r.account),
            "{} registered without a seal of {}'s administrator",
            r.address,
            r.account
        );
    }
    for r in before.registrations.iter().filter(|r| changed(r, &after)) {
        // Any request ends the departures whose grace period is over, whoever sends it.
        let departure_over = r.departed.as_ref().is_some_and(|d| d.until <= w.now);
        assert!(
            departure_over || admin_of(before, &r.account),
            "{} changed without a seal of {}'s administrator",
            r.address,
            r.account
        );
    }
}

/// Runs the body and says what it reached.
pub fn run_relay_server(data: &[u8]) -> RelayServerReached {
    let mut u = Unstructured::new(data);
    let Some(m) = material() else {
        return RelayServerReached::default();
    };
    let Some(mut w) = World::new(m) else {
        return RelayServerReached::default();
    };
    for _ in 0..48 {
        // An exhausted input would go on with steps made of zeros: the input ends the run instead.
        if u.is_empty() {
            break;
        }
        let Ok(step) = Step::arbitrary(&mut u) else {
            break;
        };
        w.reached.steps += 1;
        let before = snapshot(w.relay.relay());
        let mut sealed_by = None;
        if let Step::Enrol {
            who: who @ 128.., ..
        } = step
        {
            w.handshake(usize::from(who) % CLIENTS, m);
        }
        if let Some((who, action, input)) = request(&step, m) {
            let who = who % CLIENTS;
            sealed_by = Some(who);
            w.ask(who, &invoke(action, input), true);
        } else {
            match step {
                Step::Invoke {
                    who,
                    sealed,
                    action,
                    input,
                } => {
                    let who = usize::from(who) % CLIENTS;
                    sealed_by = sealed.then_some(who);
                    // The Relay's actions are 8 to 14: most choices land on one.
                    w.ask(who, &invoke(u16::from(action % 16), input), sealed);
                }
                Step::Datagram { from, bytes } => w.carry(from % 5, bytes),
                Step::Mutated { from, index, xor } => {
                    if let Some(mut bytes) = w.last.clone() {
                        let i = usize::from(index) % bytes.len().max(1);
                        if let Some(b) = bytes.get_mut(i) {
                            *b ^= xor;
                        }
                        w.carry(from % 5, bytes);
                    }
                }
                Step::Truncated { from, len } => {
                    if let Some(bytes) = w.last.clone() {
                        let n = usize::from(len) % (bytes.len() + 1);
                        w.carry(from % 5, bytes[..n].to_vec());
                    }
                }
                Step::Replay { from } => {
                    if let Some(bytes) = w.last.clone() {
                        w.carry(from % 5, bytes);
                    }
                }
                Step::Advance { ms, scale } => {
                    let unit = [1, 1_000, 3_600_000, 86_400_000][usize::from(scale % 4)];
                    w.now += u64::from(ms) * unit;
                    w.timers();
                }
                _ => {}
            }
        }
        let after = snapshot(w.relay.relay());
        let new = |r: &&Registration| !before.registrations.contains(r);
        w.reached.registered += after.registrations.iter().filter(new).count();
        let gone = |r: &&Registration| !after.registrations.iter().any(|a| a.address == r.address);
        w.reached.unregistered += before.registrations.iter().filter(gone).count();
        check(&w, m, &before, sealed_by);
    }
    w.reached
}
