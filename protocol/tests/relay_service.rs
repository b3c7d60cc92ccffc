//! The Relay capability of a home relay's own service (spec §3.6.1, §3.10.2, §3.11) between end
//! nodes' engines on a virtual clock: a controller enrols with a token, registers a lamp's address,
//! an app looks the lamp up; the lamp's release with a re-homing statement answers lookups with both
//! statements until its grace period ends; and the refusals, each with the spec's status.

mod common;

use std::collections::VecDeque;

use common::{context, Fixed};
use iotp2p_codec::capabilities::owned::{
    EnrolRequest, EnrolResult, LookupResult, PolicyRequest, RegisterRequest, RegistrationPage,
    RegistrationsRequest, RelayPolicy, ReleaseRequest,
};
use iotp2p_codec::capabilities::LookupPolicy;
use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::owned::SignedStatement;
use iotp2p_codec::security::{CredentialStatement, RehomingStatement};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node, Output};
use iotp2p_protocol::relay::registry::{Account, RegistryChange};
use iotp2p_protocol::relay::{
    Redirect, Relay, RelayConfig, RelayDiscard, RelayEvent, RelayOutput, StoreChange,
};
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::statement::{sign_credential, sign_rehoming};
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::relay::{member, RelayServer, RELAY};

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const LAMP: &str = "lamp@home.example.org";
const LAMP_MOVED: &str = "lamp@lamps.example.com";
const TOKEN: [u8; 16] = [0x5a; 16];
const OTHER_TOKEN: [u8; 16] = [0xa5; 16];
const DAY: u64 = 86_400_000;

/// A node's keys and credential statement.
struct Identity {
    key: IdentityKey,
    ccs: Vec<u8>,
}

impl Identity {
    fn new(seed: u8) -> Identity {
        let key = IdentityKey::from_bytes(&[seed; 32]).unwrap();
        // Another valid point stands in for the Diffie-Hellman key.
        let dh = IdentityKey::from_bytes(&[seed.wrapping_add(100); 32]).unwrap();
        let public = dh.public_key();
        let ccs = p256_credential(&key.node_id(), &[seed], public.x(), public.y()).unwrap();
        Identity { key, ccs }
    }

    fn statement(&self, address: Option<&str>, serial: u32) -> Vec<u8> {
        let credentials = [self.ccs.as_slice()];
        let suites = [2];
        sign_credential(
            &self.key,
            &CredentialStatement {
                identity_key: self.key.public_key().to_schema(),
                address,
                auth_credentials: credentials.as_slice().into(),
                serial,
                suites: suites.as_slice().into(),
                issued_at: None,
                unknown_fields: UnknownFields::NONE,
            },
        )
        .unwrap()
    }

    fn rehoming(&self, from: &str, to: &str, grace_period: u32) -> Vec<u8> {
        let node = self.key.node_id();
        sign_rehoming(
            &self.key,
            &RehomingStatement {
                node: node.as_bytes(),
                previous_address: from,
                new_address: to,
                sequence: 1,
                grace_period,
                issued_at: None,
                unknown_fields: UnknownFields::NONE,
            },
            None,
        )
        .unwrap()
    }
}

fn signed(bytes: &[u8]) -> SignedStatement {
    SignedStatement::decode(bytes).unwrap()
}

/// The relay and the end nodes that talk to its service directly (path (c)), each under a context
/// made as EDHOC would have made it: a visitor context on the relay's side for a peer that sent its
/// credential by value.
struct World {
    relay: RelayServer<&'static str>,
    nodes: Vec<(&'static str, Node<&'static str>, ContextId)>,
    rng: Fixed,
    now: u64,
    wire: VecDeque<(&'static str, &'static str, Vec<u8>)>,
    replies: Vec<(&'static str, u64, Body)>,
    stored: Vec<RegistryChange>,
    forwarded: Vec<String>,
    /// The requests a release put out for the domain's current relay (§3.11.4).
    redirects: Vec<Redirect<&'static str>>,
}

impl World {
    fn new() -> World {
        let mut relay = Relay::new(
            RelayConfig::new(DOMAIN),
            Config {
                max_contexts: 16,
                ..Config::default()
            },
            0,
        );
        let registry = relay.registry_mut();
        for (name, tokens) in [("Smith household", TOKEN), ("Jones", OTHER_TOKEN)] {
            registry
                .add_account(Account {
                    name: name.into(),
                    domains: vec![DOMAIN.into()],
                    max_registrations: 2,
                })
                .unwrap();
            registry.issue_token(name, &tokens, DAY, 0).unwrap();
        }
        World {
            relay: RelayServer::new(relay),
            nodes: Vec::new(),
            rng: Fixed(0),
            now: 0,
            wire: VecDeque::new(),
            replies: Vec::new(),
            stored: Vec::new(),
            forwarded: Vec::new(),
            redirects: Vec::new(),
        }
    }

    /// A node `label` with a visitor context with the relay (Sender IDs: the node's `id`, the
    /// relay's `id + 100`), authenticated by `who`'s credential.
    fn visitor(&mut self, label: &'static str, id: u8, who: &Identity) {
        let service = self.relay.relay_mut().service_mut();
        let at_relay = service
            .add_context(
                context(id + 100, id),
                Peer {
                    address: None,
                    kind: ContextKind::Visitor,
                    node: None,
                },
            )
            .unwrap();
        assert!(service.set_peer_credential(at_relay, who.ccs.clone()));
        let mut node = Node::new(
            Config {
                address: Some(format!("{label}@example.net")),
                ..Config::default()
            },
            0,
        );
        let ctx = node
            .add_context(
                context(id, id + 100),
                Peer {
                    address: Some(SERVICE.into()),
                    kind: ContextKind::Ordinary,
                    node: None,
                },
            )
            .unwrap();
        self.nodes.push((label, node, ctx));
    }

    fn relay_out(&mut self, out: Vec<RelayOutput<&'static str>>) {
        for o in out {
            match o {
                RelayOutput::Send { to, bytes } => self.wire.push_back(("relay", to, bytes)),
                RelayOutput::Store(StoreChange::Registry(c)) => self.stored.push(c),
                RelayOutput::Forward { domain, .. } => self.forwarded.push(domain),
                RelayOutput::Redirect(r) => self.redirects.push(r),
                _ => {}
            }
        }
    }

    fn node_out(&mut self, label: &'static str, out: Vec<Output<&'static str>>) {
        for o in out {
            match o {
                Output::Send { to, bytes } => self.wire.push_back((label, to, bytes)),
                Output::Event(Event::Reply { request, body, .. }) => {
                    self.replies.push((label, request, body))
                }
                Output::Event(_) => {}
            }
        }
    }

    fn settle(&mut self) {
        while let Some((from, to, bytes)) = self.wire.pop_front() {
            if to == "relay" {
                let out = self.relay.receive(self.now, &mut self.rng, &from, &bytes);
                self.relay_out(out);
            } else {
                let (_, node, _) = self.nodes.iter_mut().find(|(l, _, _)| *l == to).unwrap();
                let out = node.receive(self.now, &mut self.rng, &from, &bytes);
                self.node_out(to, out);
            }
        }
    }

    /// `label` sends `body` to the service, sealed or not, and gets its reply.
    fn ask(&mut self, label: &'static str, body: Body, sealed: bool) -> Body {
        let now = self.now;
        let (_, node, ctx) = self.nodes.iter_mut().find(|(l, _, _)| *l == label).unwrap();
        let context = sealed.then_some(*ctx);
        let (id, out) = node
            .request(
                now,
                &mut self.rng,
                "relay",
                Destination::Address(SERVICE.into()),
                context,
                &body,
                true,
                None,
            )
            .unwrap();
        self.node_out(label, out);
        self.settle();
        let at = self
            .replies
            .iter()
            .position(|(l, r, _)| *l == label && *r == id)
            .expect("a reply");
        self.replies.remove(at).2
    }

    /// `label` invokes a Relay action, sealed.
    fn invoke(&mut self, label: &'static str, action: u16, input: Vec<u8>) -> Body {
        self.ask(label, invoke(action, input), true)
    }
}

fn invoke(action: u16, input: Vec<u8>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 0,
        capability: RELAY,
        action,
        input: Some(input),
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn address(a: &str) -> Vec<u8> {
    let mut buf = vec![0u8; 300];
    let mut w = iotp2p_codec::runtime::Writer::new(&mut buf);
    w.text(a).unwrap();
    let n = w.position();
    buf.truncate(n);
    buf
}

fn enrol(token: &[u8], who: &Identity) -> Vec<u8> {
    EnrolRequest {
        token: token.to_vec(),
        credential: signed(&who.statement(Some("alice-phone@example.net"), 1)),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap()
}

fn register(credential: &[u8], rehoming: Option<&[u8]>) -> Vec<u8> {
    register_from(credential, rehoming, None)
}

fn register_from(
    credential: &[u8],
    rehoming: Option<&[u8]>,
    previous_relays: Option<&[&str]>,
) -> Vec<u8> {
    RegisterRequest {
        credential: signed(credential),
        policy: None,
        previous_relays: previous_relays.map(|p| p.iter().map(|h| h.to_string()).collect()),
        rehoming: rehoming.map(signed),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap()
}

fn release(a: &str, rehoming: Option<&[u8]>) -> Vec<u8> {
    ReleaseRequest {
        address: a.into(),
        rehoming: rehoming.map(signed),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap()
}

#[track_caller]
fn output(body: Body) -> Vec<u8> {
    match body {
        Body::InvokeResponse(r) => r.output.unwrap_or_default(),
        other => panic!("not a success: {other:?}"),
    }
}

#[track_caller]
fn status(body: &Body) -> StatusCode {
    match body {
        Body::Status(s) => s.code,
        Body::InvokeResponse(_) => StatusCode::Ok,
        other => panic!("not a status: {other:?}"),
    }
}

fn lookup(w: &mut World, label: &'static str, a: &str) -> LookupResult {
    LookupResult::decode(&output(w.invoke(label, member::LOOKUP, address(a)))).unwrap()
}

/// The controller enrolled.
fn enrolled(w: &mut World, controller: &Identity) {
    w.visitor("alice", 1, controller);
    let enrolled = w.invoke("alice", member::ENROL, enrol(&TOKEN, controller));
    assert_eq!(status(&enrolled), StatusCode::Ok);
}

/// The controller enrolled and the lamp registered.
fn enrolled_with_lamp(
    w: &mut World,
    controller: &Identity,
    lamp: &Identity,
) -> (EnrolResult, Vec<u8>) {
    w.visitor("alice", 1, controller);
    let enrolled = output(w.invoke("alice", member::ENROL, enrol(&TOKEN, controller)));
    let credential = lamp.statement(Some(LAMP), 1);
    let registered = w.invoke("alice", member::REGISTER, register(&credential, None));
    assert_eq!(status(&registered), StatusCode::Ok);
    (EnrolResult::decode(&enrolled).unwrap(), credential)
}

// [IOTP-DLV-63] [IOTP-DLV-65] [IOTP-DLV-80] [IOTP-DLV-86] [IOTP-DLV-89] [IOTP-DLV-95]
#[test]
fn a_controller_enrols_registers_a_lamp_and_an_app_looks_it_up() {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    let (result, credential) = enrolled_with_lamp(&mut w, &controller, &lamp);
    assert_eq!(result.account, "Smith household");
    assert_eq!(result.domains, vec![DOMAIN.to_string()]);
    assert_eq!(result.max_registrations, 2);
    // The relay serves the address now, and answers the lamp's handshakes by its credential.
    assert!(w.relay.relay().registered().any(|a| a == LAMP));
    let registration = w.relay.relay().registry().registration(LAMP).unwrap();
    assert_eq!(registration.credential, credential);
    assert_eq!(registration.node, lamp.key.node_id());
    // What changed went to the store: the enrolment (with its token) and the registration.
    assert!(
        matches!(&w.stored[0], RegistryChange::Enrolled { account, token, .. }
        if account == "Smith household" && token.as_slice() == TOKEN)
    );
    assert!(matches!(&w.stored[1], RegistryChange::Registered(r) if r.address == LAMP));
    // The enrolled controller's context is an ordinary one with its node ID.
    let admin = w
        .relay
        .relay()
        .service()
        .contexts()
        .iter()
        .find(|e| e.peer.node == Some(controller.key.node_id()));
    assert_eq!(admin.map(|e| e.peer.kind), Some(ContextKind::Ordinary));

    // Another vendor's app, a visitor at the relay, looks the lamp up.
    w.visitor("bob", 2, &app);
    let found = lookup(&mut w, "bob", LAMP);
    assert_eq!(found.credential, Some(signed(&credential)));
    assert_eq!(found.rehoming, None);
    // An address bound to no node: an empty result.
    let none = lookup(&mut w, "bob", "door@home.example.org");
    assert_eq!((none.credential, none.rehoming), (None, None));
}

// [IOTP-DLV-67]
#[test]
fn lookups_are_rate_limited_per_transport_address() {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    enrolled_with_lamp(&mut w, &controller, &lamp);
    w.visitor("bob", 2, &app);
    // The relay's rate for its nodes: a burst of 32, then 4 a second.
    for _ in 0..32 {
        assert!(lookup(&mut w, "bob", LAMP).credential.is_some());
    }
    let busy = w.invoke("bob", member::LOOKUP, address(LAMP));
    let Body::Status(s) = &busy else {
        panic!("{busy:?}")
    };
    assert_eq!((s.code, s.retry_after), (StatusCode::Busy, Some(1)));
    // Another transport address is not held back by it.
    assert!(lookup(&mut w, "alice", LAMP).credential.is_some());
    w.now += 250;
    assert!(lookup(&mut w, "bob", LAMP).credential.is_some());
}

// [IOTP-DLV-71] [IOTP-DLV-72] [IOTP-DLV-73] [IOTP-DLV-98] [IOTP-DLV-121]
#[test]
fn a_release_with_a_rehoming_statement_answers_lookups_with_both_statements_until_the_grace_period_ends(
) {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    let (_, credential) = enrolled_with_lamp(&mut w, &controller, &lamp);
    w.relay
        .relay_mut()
        .add_relay_peer("other relay", "lamps.example.com");
    let statement = lamp.rehoming(LAMP, LAMP_MOVED, 3600);
    let released = w.invoke("alice", member::RELEASE, release(LAMP, Some(&statement)));
    assert_eq!(status(&released), StatusCode::Ok);
    w.visitor("bob", 2, &app);
    let found = lookup(&mut w, "bob", LAMP);
    assert_eq!(found.rehoming, Some(signed(&statement)));
    assert_eq!(found.credential, Some(signed(&credential)));
    // Still within the grace period.
    w.now = 3_599_000;
    assert!(lookup(&mut w, "bob", LAMP).rehoming.is_some());
    // After it, the address is bound to no node.
    w.now = 3_600_000;
    let after = lookup(&mut w, "bob", LAMP);
    assert_eq!((after.credential, after.rehoming), (None, None));
    assert!(w
        .stored
        .iter()
        .any(|c| matches!(c, RegistryChange::Unregistered { address, .. } if address == LAMP)));
    // Quarantined: another account cannot bind it ([IOTP-ADDR-37]).
    let jones = Identity::new(4);
    w.visitor("jones", 3, &jones);
    assert_eq!(
        status(&w.invoke("jones", member::ENROL, enrol(&OTHER_TOKEN, &jones))),
        StatusCode::Ok
    );
    let thief = Identity::new(5).statement(Some(LAMP), 1);
    let taken = w.invoke("jones", member::REGISTER, register(&thief, None));
    assert_eq!(status(&taken), StatusCode::InvalidState);
}

// [IOTP-DLV-99]
#[test]
fn a_release_without_a_statement_ends_the_address_at_once() {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    enrolled_with_lamp(&mut w, &controller, &lamp);
    let released = w.invoke("alice", member::RELEASE, release(LAMP, None));
    assert_eq!(status(&released), StatusCode::Ok);
    assert!(!w.relay.relay().registered().any(|a| a == LAMP));
    w.visitor("bob", 2, &app);
    assert_eq!(lookup(&mut w, "bob", LAMP).credential, None);
    // The account that released it may bind it again at once (§3.6.1.2).
    let again = w.invoke(
        "alice",
        member::REGISTER,
        register(&lamp.statement(Some(LAMP), 2), None),
    );
    assert_eq!(status(&again), StatusCode::Ok);
}

// [IOTP-DLV-64] [IOTP-DLV-81] [IOTP-DLV-82] [IOTP-DLV-88] [IOTP-DLV-84] [IOTP-DLV-87]
#[test]
fn unsealed_requests_visitors_and_used_tokens_are_refused() {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    w.visitor("bob", 2, &app);
    // Unsealed: every action, lookup included.
    let unsealed = w.ask("bob", invoke(member::LOOKUP, address(LAMP)), false);
    assert_eq!(status(&unsealed), StatusCode::Unauthenticated);
    let unsealed = w.ask("bob", invoke(member::ENROL, enrol(&TOKEN, &app)), false);
    assert_eq!(status(&unsealed), StatusCode::Unauthenticated);
    // A forged one (a changed byte of a sealed enrol): `Unauthenticated`, the token unspent.
    w.visitor("mallory", 4, &app);
    let (_, node, ctx) = w
        .nodes
        .iter_mut()
        .find(|(l, _, _)| *l == "mallory")
        .unwrap();
    let body = invoke(member::ENROL, enrol(&TOKEN, &app));
    let (_, out) = node
        .request(
            0,
            &mut w.rng,
            "relay",
            Destination::Address(SERVICE.into()),
            Some(*ctx),
            &body,
            true,
            None,
        )
        .unwrap();
    let Some(Output::Send { mut bytes, .. }) = out.into_iter().next() else {
        panic!("a datagram")
    };
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let answered = w.relay.receive(0, &mut w.rng, &"mallory", &bytes);
    for o in &answered {
        match o {
            RelayOutput::Store(_) => panic!("a forged request changed the registry"),
            RelayOutput::Send { bytes, .. } => {
                let env = iotp2p_codec::core::Envelope::decode(bytes).unwrap();
                assert!(matches!(env.body, Some(iotp2p_codec::core::Body::Status(s))
                    if s.code == StatusCode::Unauthenticated));
            }
            _ => {}
        }
    }
    assert!(w.relay.relay().registry().token(&TOKEN, 0).is_some());
    // A visitor that has not enrolled is no administrator.
    let credential = lamp.statement(Some(LAMP), 1);
    let forbidden = w.invoke("bob", member::REGISTER, register(&credential, None));
    assert_eq!(status(&forbidden), StatusCode::Forbidden);
    assert!(!w.relay.relay().registered().any(|a| a == LAMP));
    // An unknown token, then a statement that vouches for another credential than the handshake's.
    let unknown = w.invoke("bob", member::ENROL, enrol(&[9; 16], &app));
    assert_eq!(status(&unknown), StatusCode::Unauthenticated);
    let not_its_own = w.invoke("bob", member::ENROL, enrol(&TOKEN, &controller));
    assert_eq!(status(&not_its_own), StatusCode::ConstraintError);
    // The token was not consumed by those: the controller enrols with it, once.
    w.visitor("alice", 1, &controller);
    assert_eq!(
        status(&w.invoke("alice", member::ENROL, enrol(&TOKEN, &controller))),
        StatusCode::Ok
    );
    let used = w.invoke("bob", member::ENROL, enrol(&TOKEN, &app));
    assert_eq!(status(&used), StatusCode::Unauthenticated);
    // Five failures in the hour, and the peer is told to wait, whatever its token.
    for token in [[8; 16], [7; 16]] {
        assert_eq!(
            status(&w.invoke("bob", member::ENROL, enrol(&token, &app))),
            StatusCode::Unauthenticated
        );
    }
    let busy = w.invoke("bob", member::ENROL, enrol(&OTHER_TOKEN, &app));
    assert_eq!(status(&busy), StatusCode::Busy);
    let Body::Status(s) = &busy else {
        unreachable!()
    };
    assert_eq!(
        s.retry_after,
        Some(3600),
        "until an hour after the first failure"
    );
    w.now = 3_600_001;
    assert_eq!(
        status(&w.invoke("bob", member::ENROL, enrol(&OTHER_TOKEN, &app))),
        StatusCode::Ok
    );
}

#[test]
fn failed_enrolments_are_counted_by_the_visitors_credential_as_well_as_by_address() {
    let (controller, app, other) = (Identity::new(1), Identity::new(3), Identity::new(5));
    let mut w = World::new();
    // Five failures of one node ID, from two transport addresses.
    w.visitor("bob", 2, &app);
    w.visitor("bob-elsewhere", 6, &app);
    for (label, token) in [
        ("bob", [8; 16]),
        ("bob-elsewhere", [7; 16]),
        ("bob", [6; 16]),
        ("bob-elsewhere", [5; 16]),
        ("bob", [4; 16]),
    ] {
        assert_eq!(
            status(&w.invoke(label, member::ENROL, enrol(&token, &app))),
            StatusCode::Unauthenticated
        );
    }
    // Neither address failed five times, but the credential did: barred from either, and from a
    // third.
    w.visitor("bob-third", 7, &app);
    for label in ["bob-elsewhere", "bob-third"] {
        assert_eq!(
            status(&w.invoke(label, member::ENROL, enrol(&TOKEN, &app))),
            StatusCode::Busy,
            "{label}"
        );
    }
    // Another node at an address that failed fewer than five times may go on.
    w.visitor("carol", 8, &other);
    assert_eq!(
        status(&w.invoke("carol", member::ENROL, enrol(&[3; 16], &other))),
        StatusCode::Unauthenticated
    );
    w.visitor("alice", 1, &controller);
    assert_eq!(
        status(&w.invoke("alice", member::ENROL, enrol(&TOKEN, &controller))),
        StatusCode::Ok
    );
}

// [IOTP-DLV-127]: failing under another node's claimed node ID does not bar that node.
#[test]
fn failures_under_a_claimed_node_id_do_not_bar_its_owner() {
    let app = Identity::new(3);
    // An impostor's credential claims the app's node ID with the impostor's own key, which the
    // handshake proves it holds.
    let impostor_key = IdentityKey::from_bytes(&[0x5a; 32]).unwrap();
    let impostor = Identity {
        key: impostor_key.clone(),
        ccs: p256_credential(
            &app.key.node_id(),
            &[3],
            impostor_key.public_key().x(),
            impostor_key.public_key().y(),
        )
        .unwrap(),
    };
    let mut w = World::new();
    let labels = [
        "mallory-1",
        "mallory-2",
        "mallory-3",
        "mallory-4",
        "mallory-5",
    ];
    for (i, label) in labels.into_iter().enumerate() {
        w.visitor(label, 20 + i as u8, &impostor);
        assert_eq!(
            // The app's credential statement is public: the impostor presents it.
            status(&w.invoke(label, member::ENROL, enrol(&[9; 16], &app))),
            StatusCode::Unauthenticated
        );
    }
    // A sixth with the impostor's credential is refused Busy, from any address.
    assert_eq!(
        status(&w.invoke("mallory-5", member::ENROL, enrol(&[9; 16], &app))),
        StatusCode::Busy
    );
    // The app, whose node ID the impostor claimed five times, enrols.
    w.visitor("bob", 2, &app);
    assert_eq!(
        status(&w.invoke("bob", member::ENROL, enrol(&TOKEN, &app))),
        StatusCode::Ok
    );
}

// [IOTP-DLV-23] [IOTP-DLV-24] [IOTP-DLV-75] [IOTP-DLV-93] [IOTP-DLV-94] [IOTP-DLV-97] [IOTP-DLV-120]
#[test]
fn register_and_release_refuse_other_domains_other_accounts_and_bad_statements() {
    let (controller, lamp) = (Identity::new(1), Identity::new(2));
    let mut w = World::new();
    let (_, credential) = enrolled_with_lamp(&mut w, &controller, &lamp);
    // The same statement again: success, nothing changes.
    let before = w.stored.len();
    let again = w.invoke("alice", member::REGISTER, register(&credential, None));
    assert_eq!((status(&again), w.stored.len()), (StatusCode::Ok, before));
    // An older or equal serial of the same node, or another node, for a bound address.
    let other_node = Identity::new(6).statement(Some(LAMP), 5);
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&other_node, None))),
        StatusCode::InvalidState
    );
    // A newer statement of the same node replaces it.
    let newer = lamp.statement(Some(LAMP), 2);
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&newer, None))),
        StatusCode::Ok
    );
    assert_eq!(
        w.relay
            .relay()
            .registry()
            .registration(LAMP)
            .unwrap()
            .serial,
        2
    );
    // A statement with a changed byte, and one naming no address.
    let mut forged = credential.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&forged, None))),
        StatusCode::ConstraintError
    );
    let nameless = Identity::new(7).statement(None, 1);
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&nameless, None))),
        StatusCode::ConstraintError
    );
    // An address outside the account's domains.
    let elsewhere = Identity::new(7).statement(Some("lamp@other.example.org"), 1);
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&elsewhere, None))),
        StatusCode::Forbidden
    );
    // A re-homing statement that does not name the registered address as its new one.
    let wrong_move = lamp.rehoming("lamp@old.example.net", "hall@home.example.org", 60);
    let door = Identity::new(8);
    let door_credential = door.statement(Some("door@home.example.org"), 1);
    assert_eq!(
        status(&w.invoke(
            "alice",
            member::REGISTER,
            register(&door_credential, Some(&wrong_move))
        )),
        StatusCode::ConstraintError
    );
    // Within the quota of 2: the door; beyond it: refused.
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&door_credential, None))),
        StatusCode::Ok
    );
    let third = Identity::new(9).statement(Some("hall@home.example.org"), 1);
    assert_eq!(
        status(&w.invoke("alice", member::REGISTER, register(&third, None))),
        StatusCode::ResourceExhausted
    );
    // Another account's address: not released, not listed.
    let jones = Identity::new(4);
    w.visitor("jones", 3, &jones);
    assert_eq!(
        status(&w.invoke("jones", member::ENROL, enrol(&OTHER_TOKEN, &jones))),
        StatusCode::Ok
    );
    assert_eq!(
        status(&w.invoke("jones", member::RELEASE, release(LAMP, None))),
        StatusCode::InvalidState
    );
    let page = RegistrationsRequest {
        after: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap();
    let listed = RegistrationPage::decode(&output(w.invoke(
        "jones",
        member::REGISTRATIONS,
        page.clone(),
    )))
    .unwrap();
    assert!(listed.entries.is_empty());
    // A release whose statement the lamp did not sign, or that leaves another address.
    let by_door = door.rehoming(LAMP, LAMP_MOVED, 60);
    assert_eq!(
        status(&w.invoke("alice", member::RELEASE, release(LAMP, Some(&by_door)))),
        StatusCode::ConstraintError
    );
    let from_elsewhere = lamp.rehoming("door@home.example.org", LAMP_MOVED, 60);
    assert_eq!(
        status(&w.invoke(
            "alice",
            member::RELEASE,
            release(LAMP, Some(&from_elsewhere))
        )),
        StatusCode::ConstraintError
    );
    assert!(w.relay.relay().registered().any(|a| a == LAMP));
    // Lookups outside the domain.
    assert_eq!(
        status(&w.invoke("alice", member::LOOKUP, address("lamp@example.com"))),
        StatusCode::ConstraintError
    );
    // The account's own listing: ascending, both addresses.
    let listed =
        RegistrationPage::decode(&output(w.invoke("alice", member::REGISTRATIONS, page))).unwrap();
    let addresses: Vec<&str> = listed.entries.iter().map(|e| e.address.as_str()).collect();
    assert_eq!(addresses, ["door@home.example.org", LAMP]);
    assert!(!listed.more);
}

// [IOTP-DLV-101] [IOTP-DLV-102] [IOTP-DLV-118] [IOTP-DLV-119]
#[test]
fn lookup_follows_the_relay_policy_and_a_refused_lookup_looks_like_an_unbound_address() {
    let (controller, lamp, app) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    enrolled_with_lamp(&mut w, &controller, &lamp);
    w.visitor("bob", 2, &app);
    let policy = |lookup, allowed: Option<Vec<[u8; 32]>>| {
        PolicyRequest {
            address: LAMP.into(),
            policy: RelayPolicy {
                lookup,
                lookup_allowed: allowed,
                max_held_messages: None,
                max_hold_time: None,
                unknown_fields: Default::default(),
            },
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .unwrap()
    };
    // Listed without a list: refused.
    assert_eq!(
        status(&w.invoke(
            "alice",
            member::SET_POLICY,
            policy(LookupPolicy::Listed, None)
        )),
        StatusCode::ConstraintError
    );
    let bob = *app.key.node_id().as_bytes();
    let controller_id = *controller.key.node_id().as_bytes();
    // Listed: a visitor's node ID is only claimed, so even a listed one is not answered.
    let listed = policy(LookupPolicy::Listed, Some(vec![bob, controller_id]));
    assert_eq!(
        status(&w.invoke("alice", member::SET_POLICY, listed)),
        StatusCode::Ok
    );
    assert_eq!(lookup(&mut w, "bob", LAMP).credential, None);
    assert!(lookup(&mut w, "alice", LAMP).credential.is_some());
    // Nobody: not even the administrator.
    assert_eq!(
        status(&w.invoke(
            "alice",
            member::SET_POLICY,
            policy(LookupPolicy::Nobody, None)
        )),
        StatusCode::Ok
    );
    assert_eq!(lookup(&mut w, "alice", LAMP).credential, None);
    // The holding limits of the policy: one message, for a minute ([IOTP-DLV-95], [IOTP-DLV-102]).
    let holding = PolicyRequest {
        address: LAMP.into(),
        policy: RelayPolicy {
            lookup: LookupPolicy::Public,
            lookup_allowed: None,
            max_held_messages: Some(1),
            max_hold_time: Some(60),
            unknown_fields: Default::default(),
        },
        unknown_fields: Default::default(),
    };
    let set = w.invoke(
        "alice",
        member::SET_POLICY,
        holding.encode_to_vec().unwrap(),
    );
    assert_eq!(status(&set), StatusCode::Ok);
    w.relay
        .relay_mut()
        .add_relay_peer("far relay", "example.net");
    let mut far = Node::new(
        Config {
            address: Some("app@example.net".into()),
            ..Config::default()
        },
        0,
    );
    for _ in 0..2 {
        let (_, out) = far
            .request(
                w.now,
                &mut w.rng,
                "far relay",
                Destination::Address(LAMP.into()),
                None,
                &invoke(member::LOOKUP, address(LAMP)),
                false,
                None,
            )
            .unwrap();
        for o in out {
            if let Output::Send { bytes, .. } = o {
                let _ = w.relay.receive(w.now, &mut w.rng, &"far relay", &bytes);
            }
        }
    }
    assert_eq!(w.relay.relay().held(LAMP), 1);
    w.now += 59_999;
    let _ = w.relay.on_timer(w.now, &mut w.rng);
    assert_eq!(w.relay.relay().held(LAMP), 1);
    w.now += 1;
    let _ = w.relay.on_timer(w.now, &mut w.rng);
    assert_eq!(w.relay.relay().held(LAMP), 0);
    // The properties read like any capability's.
    let read = Body::Read(ReadRequest {
        endpoint: 0,
        capability: RELAY,
        members: Some(vec![member::MAX_HOLD_TIME]),
        unknown_fields: Default::default(),
    });
    let Body::Report(report) = w.ask("bob", read, true) else {
        panic!("a report")
    };
    assert_eq!(
        report.values.unwrap()[0].value,
        [0x1a, 0x00, 0x01, 0x51, 0x80]
    );
}

// [IOTP-SEC-103] [IOTP-SEC-104]
#[test]
fn the_relay_credential_statement_is_read_unsealed_at_first_contact_and_nothing_else_is() {
    let (relay, app) = (Identity::new(10), Identity::new(3));
    let statement = relay.statement(Some(SERVICE), 1);
    let mut w = World::new();
    w.relay.set_credential_statement(Some(statement.clone()));
    w.visitor("bob", 2, &app);
    let read = |member| {
        Body::Read(ReadRequest {
            endpoint: 0,
            capability: iotp2p_protocol::server::security::SECURITY,
            members: Some(vec![member]),
            unknown_fields: Default::default(),
        })
    };
    let Body::Report(report) = w.ask("bob", read(1), false) else {
        panic!("a report")
    };
    assert_eq!(report.values.unwrap()[0].value, statement);
    // Any other unsealed request: Unauthenticated.
    assert_eq!(
        status(&w.ask("bob", read(0), false)),
        StatusCode::Unauthenticated
    );
    let relay_property = Body::Read(ReadRequest {
        endpoint: 0,
        capability: RELAY,
        members: Some(vec![member::MAX_HOLD_TIME]),
        unknown_fields: Default::default(),
    });
    assert_eq!(
        status(&w.ask("bob", relay_property, false)),
        StatusCode::Unauthenticated
    );
}

// [IOTP-DLV-90] [IOTP-DLV-91] [IOTP-DLV-92]
#[test]
fn unenrol_keeps_one_administrator_and_closes_the_removed_ones_contexts() {
    let (controller, lamp, second) = (Identity::new(1), Identity::new(2), Identity::new(3));
    let mut w = World::new();
    enrolled_with_lamp(&mut w, &controller, &lamp);
    let node_id = |i: &Identity| {
        let mut buf = vec![0u8; 40];
        let mut wr = iotp2p_codec::runtime::Writer::new(&mut buf);
        wr.bytes(i.key.node_id().as_bytes()).unwrap();
        let n = wr.position();
        buf.truncate(n);
        buf
    };
    assert_eq!(
        status(&w.invoke("alice", member::UNENROL, node_id(&controller))),
        StatusCode::ConstraintError
    );
    assert_eq!(
        status(&w.invoke("alice", member::UNENROL, node_id(&second))),
        StatusCode::InvalidState
    );
    w.relay
        .relay_mut()
        .registry_mut()
        .issue_token("Smith household", &[7; 16], DAY, 0)
        .unwrap();
    w.visitor("second", 3, &second);
    assert_eq!(
        status(&w.invoke("second", member::ENROL, enrol(&[7; 16], &second))),
        StatusCode::Ok
    );
    assert_eq!(
        status(&w.invoke("second", member::UNENROL, node_id(&controller))),
        StatusCode::Ok
    );
    let gone = controller.key.node_id();
    assert!(w.relay.relay().registry().account_of(&gone).is_none());
    assert!(!w
        .relay
        .relay()
        .service()
        .contexts()
        .iter()
        .any(|e| e.peer.node == Some(gone)));
}

/// A request for the lamp from `sender`, as the relay `hop` carries it to the lamp's relay; the
/// relay's outputs.
fn from_relay(w: &mut World, hop: &'static str, sender: &str) -> Vec<RelayOutput<&'static str>> {
    let mut app = Node::new(
        Config {
            address: Some(sender.into()),
            ..Config::default()
        },
        w.now,
    );
    let body = invoke(member::LOOKUP, address(LAMP));
    let destination = Destination::Address(LAMP.into());
    let (_, out) = app
        .request(
            w.now,
            &mut w.rng,
            hop,
            destination,
            None,
            &body,
            false,
            None,
        )
        .unwrap();
    let mut relayed = Vec::new();
    for o in out {
        if let Output::Send { bytes, .. } = o {
            relayed.extend(w.relay.receive(w.now, &mut w.rng, &hop, &bytes));
        }
    }
    relayed
}

fn not_authorized(out: &[RelayOutput<&'static str>]) -> bool {
    let discarded = out.iter().any(|o| {
        matches!(
            o,
            RelayOutput::Event(RelayEvent::Discarded {
                reason: RelayDiscard::NotAuthorized,
                ..
            })
        )
    });
    // Without any status ([IOTP-DLV-58]).
    let silent = !out.iter().any(|o| matches!(o, RelayOutput::Send { .. }));
    discarded && silent
}

// [IOTP-DLV-112] [IOTP-DLV-57] [IOTP-DLV-58]
#[test]
fn a_registration_with_previous_relays_accepts_their_messages_for_its_max_hold_time() {
    let (controller, lamp) = (Identity::new(1), Identity::new(2));
    let mut w = World::new();
    enrolled(&mut w, &controller);
    let credential = lamp.statement(Some(LAMP), 1);
    // Host names as DNS compares them: any case, with or without the root's dot.
    let hosts: &[&str] = &[
        "Relay1.Provider.Example.NET.",
        "relay2.provider.example.net",
    ];
    let registered = w.invoke(
        "alice",
        member::REGISTER,
        register_from(&credential, None, Some(hosts)),
    );
    assert_eq!(status(&registered), StatusCode::Ok);
    // The store keeps the window, which a restart needs.
    let Some(RegistryChange::Registered(r)) = w.stored.last() else {
        panic!("{:?}", w.stored)
    };
    let previous = r.previous_relays.clone().unwrap();
    assert_eq!(
        previous.hosts,
        ["relay1.provider.example.net", "relay2.provider.example.net"]
    );
    assert_eq!(previous.until, DAY, "the relay's max_hold_time");

    let relay = w.relay.relay_mut();
    // The old relay's certificate names two hosts; the registration names the second.
    relay.set_relay_hosts(
        "old relay",
        &[
            "relay7.provider.example.net",
            "RELAY2.provider.example.net.",
        ],
    );
    relay.set_relay_hosts("stranger", &["relay9.provider.example.net"]);
    // One provider's relay, which two domains' SRV records name.
    relay.add_relay_peer("far relay", "example.org");
    relay.add_relay_peer("far relay", "example.net");

    // One of the previous relays, with a request of another domain's app: held for the lamp.
    assert!(!not_authorized(&from_relay(
        &mut w,
        "old relay",
        "app@example.net"
    )));
    assert_eq!(w.relay.relay().held(LAMP), 1);
    // A relay not named, and the relay of another domain for a third domain's sender: refused.
    assert!(not_authorized(&from_relay(
        &mut w,
        "stranger",
        "app@example.net"
    )));
    assert!(not_authorized(&from_relay(
        &mut w,
        "far relay",
        "app@else.example"
    )));
    assert_eq!(w.relay.relay().held(LAMP), 1);
    // The relay that the sender's domain names passes [IOTP-DLV-57] as ever (another app: the
    // same one's request would be a copy).
    assert!(!not_authorized(&from_relay(
        &mut w,
        "far relay",
        "dave@example.net"
    )));
    assert_eq!(w.relay.relay().held(LAMP), 2);
    // And for the other domain that names it.
    assert!(!not_authorized(&from_relay(
        &mut w,
        "far relay",
        "erin@example.org"
    )));
    assert_eq!(w.relay.relay().held(LAMP), 3);
    // A new handshake's certificate replaces the names: one the old relay no longer proves is no
    // longer its.
    let relay = w.relay.relay_mut();
    relay.set_relay_hosts("old relay", &["relay7.provider.example.net"]);
    assert!(not_authorized(&from_relay(
        &mut w,
        "old relay",
        "frank@example.net"
    )));
    w.relay
        .relay_mut()
        .set_relay_hosts("old relay", &["relay2.provider.example.net"]);
    // The last millisecond of the window, and the first after it.
    w.now = DAY - 1;
    assert!(!not_authorized(&from_relay(
        &mut w,
        "old relay",
        "bob@example.net"
    )));
    assert_eq!(w.relay.relay().held(LAMP), 4);
    w.now = DAY;
    assert!(not_authorized(&from_relay(
        &mut w,
        "old relay",
        "carol@example.net"
    )));
}

// [IOTP-DLV-112]
#[test]
fn previous_relays_that_name_no_host_are_refused() {
    let (controller, lamp) = (Identity::new(1), Identity::new(2));
    let mut w = World::new();
    enrolled(&mut w, &controller);
    let credential = lamp.statement(Some(LAMP), 1);
    for hosts in [
        &[][..],
        &[""][..],
        &["."][..],
        &["relay1.example\nrelay2.example"][..],
    ] {
        let refused = w.invoke(
            "alice",
            member::REGISTER,
            register_from(&credential, None, Some(hosts)),
        );
        assert_eq!(status(&refused), StatusCode::ConstraintError, "{hosts:?}");
    }
    assert!(!w.relay.relay().registered().any(|a| a == LAMP));
}

// [IOTP-DLV-113] [IOTP-DLV-53] [IOTP-DLV-99]
#[test]
fn a_release_without_a_statement_puts_out_each_held_request_for_the_domains_current_relay() {
    let (controller, lamp) = (Identity::new(1), Identity::new(2));
    let mut w = World::new();
    enrolled_with_lamp(&mut w, &controller, &lamp);
    w.relay
        .relay_mut()
        .add_relay_peer("far relay", "example.net");
    from_relay(&mut w, "far relay", "app@example.net");
    from_relay(&mut w, "far relay", "bob@example.net");
    assert_eq!(w.relay.relay().held(LAMP), 2);
    let released = w.invoke("alice", member::RELEASE, release(LAMP, None));
    assert_eq!(status(&released), StatusCode::Ok);
    assert_eq!(w.relay.relay().held(LAMP), 0);
    // No status yet: the caller resolves the domain's SRV records first.
    assert!(w.forwarded.is_empty());
    assert_eq!(w.redirects.len(), 2);
    for r in &w.redirects {
        assert_eq!(r.domain, DOMAIN);
        let env = iotp2p_codec::core::Envelope::decode(&r.bytes).unwrap();
        assert_eq!(env.recipient, Some(LAMP), "in full ([IOTP-DLV-61])");
        assert!(env.sender.is_some_and(|s| s.ends_with("@example.net")));
    }
    // The records still name this relay, or the forwarding failed: `Undeliverable` to the sender,
    // through its domain's relay.
    let redirect = w.redirects.remove(0);
    let out = w
        .relay
        .relay_mut()
        .redirect_failed(w.now, &mut w.rng, redirect);
    assert!(out.iter().any(|o| matches!(
        o,
        RelayOutput::Event(RelayEvent::NonDelivery {
            code: StatusCode::Undeliverable,
            ..
        })
    )));
    assert!(out
        .iter()
        .any(|o| matches!(o, RelayOutput::Forward { domain, .. } if domain == "example.net")));
}

/// The held requests for the lamp that the release of its address puts out, two of them.
fn released_with_two_held(w: &mut World) -> Vec<Redirect<&'static str>> {
    let (controller, lamp) = (Identity::new(1), Identity::new(2));
    enrolled_with_lamp(w, &controller, &lamp);
    w.relay
        .relay_mut()
        .add_relay_peer("far relay", "example.net");
    from_relay(w, "far relay", "app@example.net");
    from_relay(w, "far relay", "bob@example.net");
    let released = w.invoke("alice", member::RELEASE, release(LAMP, None));
    assert_eq!(status(&released), StatusCode::Ok);
    core::mem::take(&mut w.redirects)
}

/// The datagrams among `out` and whether they include `Redirected`.
fn sent_and_redirected(out: &[RelayOutput<&'static str>]) -> (Vec<(&'static str, Vec<u8>)>, bool) {
    let sent = out
        .iter()
        .filter_map(|o| match o {
            RelayOutput::Send { to, bytes } => Some((*to, bytes.clone())),
            _ => None,
        })
        .collect();
    let redirected = out
        .iter()
        .any(|o| matches!(o, RelayOutput::Store(StoreChange::Redirected { recipient, .. }) if recipient == LAMP));
    (sent, redirected)
}

/// Runs the relay's timers until something is sent or the relay has nothing more to time.
fn next_timer(w: &mut World) -> Vec<RelayOutput<&'static str>> {
    let relay = w.relay.relay_mut();
    let at = relay.next_deadline().expect("a timer is armed");
    w.now = w.now.max(at);
    relay.on_timer(w.now, &mut w.rng)
}

// [IOTP-DLV-113] [IOTP-DLV-129] [IOTP-MSG-46] [IOTP-MSG-48]
#[test]
fn a_redirect_is_retransmitted_until_the_new_relay_acknowledges_it_and_then_leaves_the_store() {
    let mut w = World::new();
    let mut redirects = released_with_two_held(&mut w);
    let redirect = redirects.remove(0);
    let env = iotp2p_codec::core::Envelope::decode(&redirect.bytes).unwrap();
    assert!(env.ack_requested, "confirmable on the relay hop");
    let message_id = env.message_id;
    let relay = w.relay.relay_mut();
    let out = relay.redirect_to(w.now, &mut w.rng, redirect.clone(), vec!["new relay"]);
    let (sent, redirected) = sent_and_redirected(&out);
    assert_eq!(sent, vec![("new relay", redirect.bytes.clone())]);
    assert!(!redirected, "still the store's until acknowledged");
    assert_eq!(relay.under_way(), 1);
    // Lost: the same bytes again when the timer runs out.
    let (sent, _) = sent_and_redirected(&next_timer(&mut w));
    assert_eq!(sent, vec![("new relay", redirect.bytes.clone())]);
    // Acknowledged: it leaves the store, and nothing more is sent.
    let mut peer = Node::new(Config::default(), 0);
    let ack = peer.acknowledgement(&"relay", message_id);
    let [Output::Send { bytes: ack, .. }] = ack.as_slice() else {
        panic!("one acknowledgement: {ack:?}");
    };
    let relay = w.relay.relay_mut();
    let out = relay.receive(w.now, &mut w.rng, &"new relay", ack);
    assert_eq!(sent_and_redirected(&out), (Vec::new(), true));
    assert_eq!(relay.under_way(), 0);
    // The second request is untouched by the first's acknowledgement.
    let other = redirects.remove(0);
    assert_ne!(other.digest(), redirect.digest());
}

// [IOTP-DLV-51] [IOTP-DLV-53] [IOTP-DLV-113] [IOTP-MSG-47]
#[test]
fn a_redirect_that_no_relay_acknowledges_tries_the_next_then_is_answered_undeliverable() {
    let mut w = World::new();
    let redirect = released_with_two_held(&mut w).remove(0);
    let relay = w.relay.relay_mut();
    let out = relay.redirect_to(w.now, &mut w.rng, redirect, vec!["first", "second"]);
    assert_eq!(sent_and_redirected(&out).0.len(), 1);
    let (mut to_first, mut to_second, mut answered) = (1, 0, false);
    for _ in 0..20 {
        let out = next_timer(&mut w);
        let (sent, redirected) = sent_and_redirected(&out);
        to_first += sent.iter().filter(|(to, _)| *to == "first").count();
        to_second += sent.iter().filter(|(to, _)| *to == "second").count();
        if redirected {
            assert!(out.iter().any(|o| matches!(
                o,
                RelayOutput::Event(RelayEvent::NonDelivery {
                    code: StatusCode::Undeliverable,
                    ..
                })
            )));
            answered = true;
            break;
        }
    }
    assert!(answered, "answered once every relay failed");
    // MAX_RETRANSMIT (4) retransmissions to each relay, in the records' order.
    assert_eq!((to_first, to_second), (5, 5));
    assert_eq!(w.relay.relay().under_way(), 0);
}

// [IOTP-DLV-129] [IOTP-DLV-53] [IOTP-MSG-65] [IOTP-MSG-66]
#[test]
fn a_redirect_put_back_after_a_restart_goes_with_its_ttl_decreased_or_is_answered_expired() {
    let mut w = World::new();
    let mut app = Node::new(
        Config {
            address: Some("app@example.net".into()),
            ..Config::default()
        },
        0,
    );
    let body = invoke(member::LOOKUP, address(LAMP));
    let destination = Destination::Address(LAMP.into());
    let (_, out) = app
        .request(
            0,
            &mut w.rng,
            "far relay",
            destination,
            None,
            &body,
            true,
            Some(60),
        )
        .unwrap();
    let [Output::Send { bytes, .. }] = out.as_slice() else {
        panic!("one datagram: {out:?}");
    };
    let relay = w.relay.relay_mut();
    let sender = Some("app@example.net");
    // Held 20.5 s before the relay was down: 39 s of its 60 remain.
    let redirect = relay
        .restore_redirect(100_000, LAMP, sender, bytes, 20_500)
        .unwrap();
    let out = relay.redirect_to(100_000, &mut w.rng, redirect, vec!["new relay"]);
    let (sent, redirected) = sent_and_redirected(&out);
    assert!(!redirected);
    let env = iotp2p_codec::core::Envelope::decode(&sent[0].1).unwrap();
    assert_eq!(env.ttl, Some(39));
    assert!(env.ack_requested);
    // Held 61 s: nothing remains, and the sender hears `Expired`.
    let redirect = relay
        .restore_redirect(100_000, LAMP, sender, bytes, 61_000)
        .unwrap();
    let out = relay.redirect_to(100_000, &mut w.rng, redirect, vec!["new relay"]);
    let (sent, redirected) = sent_and_redirected(&out);
    assert!(redirected && sent.iter().all(|(to, _)| *to != "new relay"));
    assert!(out.iter().any(|o| matches!(
        o,
        RelayOutput::Event(RelayEvent::NonDelivery {
            code: StatusCode::Expired,
            ..
        })
    )));
}
