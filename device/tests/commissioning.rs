//! A lamp out of its box, claimed by a controller over a direct link (spec §8.3): SPAKE2+ with the
//! printed passcode, then, under the pairing context, its credential read, the controller's added,
//! an Administer entry written and the address given. Then the controller reaches it by EDHOC, and
//! the access control list decides who may switch it.

mod common;

use common::Fixed;
use iotp2p_codec::core::owned::Body;
use iotp2p_codec::core::{role, StatusCode};
use iotp2p_device::info::DeviceInfo;
use iotp2p_device::lamp::{Lamp, LIGHT};
use iotp2p_device::standard::number::ON_OFF;
use iotp2p_protocol::controller::{self, ControllerError, Pairing};
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{
    Config, Destination, EdhocResponder, Event, KnownPeer, Node, Output, MIN_PENDING_LIFETIME,
};
use iotp2p_protocol::interaction::Config as InteractionConfig;
use iotp2p_protocol::security::edhoc::{AuthKey, Credential, LocalIdentity};
use iotp2p_protocol::security::spake2plus::ProverSecret;
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::statement::sign_own_credential;
use iotp2p_protocol::security::{IdentityKey, KeyId, MasterSecret, NodeId, SecurityContext};
use iotp2p_protocol::server::security::{Manufactured, SecurityService};
use iotp2p_protocol::server::Server;
use p256::elliptic_curve::sec1::ToEncodedPoint;

const PASSCODE: u32 = 20_202_021;
const LAMP: &str = "lamp@home.example.org";
const CONTROLLER: &str = "controller@example.com";

/// A node's keys: its identity key, and its EDHOC authentication key with its credential.
struct Keys {
    identity: IdentityKey,
    auth: [u8; 32],
    ccs: Vec<u8>,
}

fn keys(identity: u8, auth: u8, kid: u8) -> Keys {
    let identity = IdentityKey::from_bytes(&[identity; 32]).unwrap();
    let secret = [auth; 32];
    let point = p256::SecretKey::from_bytes(&secret.into())
        .unwrap()
        .public_key()
        .to_encoded_point(false);
    let ccs = p256_credential(
        &identity.node_id(),
        &[kid],
        point.x().unwrap().as_slice().try_into().unwrap(),
        point.y().unwrap().as_slice().try_into().unwrap(),
    )
    .unwrap();
    Keys {
        identity,
        auth: secret,
        ccs,
    }
}

impl Keys {
    fn local(&self) -> LocalIdentity {
        LocalIdentity::new(
            AuthKey::new(&self.auth).unwrap(),
            Credential::parse(&self.ccs).unwrap(),
        )
        .unwrap()
    }

    fn responder(&self) -> EdhocResponder {
        EdhocResponder {
            identity: self.local(),
            peers: Vec::new(),
            max_pending: 2,
            pending_lifetime: MIN_PENDING_LIFETIME,
            max_visitors: 1,
            max_visitor_sources: 8,
        }
    }

    /// The credential statement naming `address`.
    fn statement(&self, address: &str) -> Vec<u8> {
        sign_own_credential(&self.identity, &self.ccs, Some(address), 1).unwrap()
    }
}

struct World {
    now: u64,
    rng: Fixed,
    controller: Node<&'static str>,
    lamp: Server<&'static str, Lamp, role::Device>,
    lamp_keys: Keys,
    controller_keys: Keys,
    /// Events the controller received that `ask` did not take.
    events: Vec<Event<&'static str>>,
    /// The transport address the lamp sees the controller's datagrams come from.
    hop: &'static str,
    /// The sessions the lamp's engine reported: whether each is a visitor context.
    lamp_sessions: Vec<bool>,
}

fn world() -> World {
    let lamp_keys = keys(0x11, 0x12, 7);
    let controller_keys = keys(0x21, 0x22, 9);
    let salt = [0x5a; 16];
    let made = Manufactured {
        identity: lamp_keys.identity.clone(),
        auth_credentials: vec![lamp_keys.ccs.clone()],
        verifier: ProverSecret::from_passcode(PASSCODE, &salt, 1000)
            .unwrap()
            .record(),
        salt: salt.to_vec(),
        iterations: 1000,
        suites: vec![2],
    };
    let security = SecurityService::unclaimed(made, 0).unwrap();
    // Out of its box: no address, no relay, its EDHOC identity from manufacture.
    let mut node = Node::with_role(Config::default(), 0, role::Device);
    node.set_edhoc_responder(Some(lamp_keys.responder()));
    let lamp = Lamp::new(DeviceInfo::new("iotp2p", "Reference Lamp"), 1, 254);
    let model = lamp.model();
    let lamp = Server::with_security(node, model, InteractionConfig::default(), lamp, security);
    let mut controller = Node::new(
        Config {
            address: Some(CONTROLLER.into()),
            ..Config::default()
        },
        0,
    );
    controller.set_edhoc_responder(Some(controller_keys.responder()));
    World {
        now: 0,
        rng: Fixed(0x3c),
        controller,
        lamp,
        lamp_keys,
        controller_keys,
        events: Vec::new(),
        hop: "controller",
        lamp_sessions: Vec::new(),
    }
}

impl World {
    /// Carries datagrams both ways until both sides are quiet.
    fn settle(&mut self, out: Vec<Output<&'static str>>) {
        let mut to_lamp: Vec<Vec<u8>> = Vec::new();
        for o in out {
            match o {
                Output::Send { bytes, .. } => to_lamp.push(bytes),
                Output::Event(e) => self.events.push(e),
            }
        }
        for bytes in to_lamp {
            let back = self
                .lamp
                .receive(self.now, &mut self.rng, &self.hop, &bytes);
            for o in back {
                match o {
                    Output::Send { bytes, .. } => {
                        let out = self
                            .controller
                            .receive(self.now, &mut self.rng, &"lamp", &bytes);
                        self.settle(out);
                    }
                    Output::Event(Event::Session { visitor, .. }) => {
                        self.lamp_sessions.push(visitor)
                    }
                    Output::Event(_) => {}
                }
            }
        }
    }

    /// The controller asks the lamp directly, under `context` (or unsealed); the reply.
    fn ask(&mut self, context: Option<ContextId>, body: Body) -> Body {
        let (id, out) = self
            .controller
            .request(
                self.now,
                &mut self.rng,
                "lamp",
                Destination::HopPeer,
                context,
                &body,
                true,
                None,
            )
            .unwrap();
        self.settle(out);
        let at = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Reply { request, .. } if *request == id))
            .expect("the lamp answers");
        match self.events.remove(at) {
            Event::Reply { body, .. } => body,
            _ => unreachable!(),
        }
    }

    /// SPAKE2+ with `passcode`: the controller's pairing context on success.
    fn pair(&mut self, passcode: u32) -> Result<ContextId, ControllerError> {
        let (mut pairing, start) = Pairing::start(passcode, &mut self.rng);
        let reply = self.ask(None, start);
        let share = pairing.share(&reply, &mut self.rng)?;
        let reply = self.ask(None, share);
        let confirm = pairing.confirm(&reply)?;
        let reply = self.ask(None, confirm);
        let context = pairing.paired(&reply)?;
        Ok(self
            .controller
            .add_context(
                context,
                Peer {
                    address: None,
                    kind: ContextKind::Pairing,
                    node: None,
                },
            )
            .unwrap())
    }

    /// Claims the lamp under the pairing context: the lamp's node ID.
    fn claim(&mut self, pairing: ContextId) -> NodeId {
        let (lamp_id, _) =
            controller::device_credential(&self.ask(Some(pairing), controller::read_credential()))
                .unwrap();
        let own = self.controller_keys.statement(CONTROLLER);
        ok(self.ask(Some(pairing), controller::add_peer(&own)));
        let me = self.controller_keys.identity.node_id();
        ok(self.ask(Some(pairing), controller::acl_write(0, &me, Some("owner"))));
        let reply = self.ask(Some(pairing), controller::commission(LAMP, None, None));
        controller::check_commissioned(&reply, &lamp_id, LAMP).unwrap();
        // The pairing completed: the pairing context's work is done on both sides.
        self.controller.remove_context(pairing);
        lamp_id
    }

    /// The controller runs EDHOC with the lamp by its credential: their new context.
    fn connect(&mut self, lamp_id: NodeId) -> ContextId {
        let credential = self.lamp_keys.ccs.clone();
        self.try_connect(lamp_id, credential, false)
            .expect("the handshake completes")
    }

    /// The controller runs EDHOC with the lamp, holding `credential` as the lamp's, and sending its
    /// own by value if `by_value` (a visitor, §8.4.6): their new context, if the handshake
    /// completed.
    fn try_connect(
        &mut self,
        lamp_id: NodeId,
        credential: Vec<u8>,
        by_value: bool,
    ) -> Option<ContextId> {
        let peer = KnownPeer {
            credential,
            address: Some(LAMP.into()),
            node: Some(lamp_id),
        };
        let (now, to, at) = (self.now, "lamp", Destination::HopPeer);
        let (_, out) = if by_value {
            self.controller
                .connect_as_visitor(now, &mut self.rng, to, at, peer)
        } else {
            self.controller.connect(now, &mut self.rng, to, at, peer)
        }
        .unwrap();
        self.settle(out);
        let at = self
            .events
            .iter()
            .position(|e| matches!(e, Event::Session { .. }))?;
        match self.events.remove(at) {
            Event::Session { context, .. } => Some(context),
            _ => unreachable!(),
        }
    }
}

/// A lamp claimed by the controller, which then ran EDHOC with it: the world, the lamp's node ID
/// and the owner's context.
fn owned() -> (World, NodeId, ContextId) {
    let mut w = world();
    let pairing = w.pair(PASSCODE).unwrap();
    let lamp_id = w.claim(pairing);
    let owner = w.connect(lamp_id);
    (w, lamp_id, owner)
}

fn ok(reply: Body) {
    assert!(
        matches!(reply, Body::InvokeResponse(_)),
        "not a success: {reply:?}"
    );
}

fn status(reply: &Body) -> StatusCode {
    match reply {
        Body::Status(s) => s.code,
        other => panic!("not a status: {other:?}"),
    }
}

fn switch_on() -> Body {
    Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
        endpoint: LIGHT,
        capability: ON_OFF,
        action: 9,
        input: None,
        echo: None,
        unknown_fields: Default::default(),
    })
}

#[test]
fn a_controller_claims_the_lamp_and_then_controls_it_by_edhoc() {
    let mut w = world();
    let pairing = w.pair(PASSCODE).unwrap();
    // Nothing but claiming under the pairing context ([IOTP-SEC-136]).
    assert_eq!(
        status(&w.ask(Some(pairing), switch_on())),
        StatusCode::Forbidden
    );
    let lamp_id = w.claim(pairing);
    assert_eq!(w.lamp.node().config().address.as_deref(), Some(LAMP));
    let commissioned = w.lamp.security_mut().unwrap().take_commissioned().unwrap();
    assert_eq!(commissioned.address, LAMP);
    // The pairing context closed with the window: the lamp keeps it EXCHANGE_LIFETIME to answer
    // retransmissions of `commission` only, then it goes ([IOTP-SEC-38]).
    let pairing_held = |w: &World| {
        w.lamp
            .node()
            .contexts()
            .iter()
            .any(|e| e.peer.kind == ContextKind::Pairing)
    };
    assert!(pairing_held(&w));
    w.wait(246);
    assert!(pairing_held(&w));
    w.wait(1);
    assert!(!w
        .lamp
        .node()
        .contexts()
        .iter()
        .any(|e| e.peer.kind == ContextKind::Pairing));

    let context = w.connect(lamp_id);
    ok(w.ask(Some(context), switch_on()));
    assert!(w.lamp.app().light().on);
    // Neither side took a pairing context's Sender ID for its EDHOC context ([IOTP-SEC-195]): each
    // could still hold a pairing context beside it.
    let pairing_ids = [KeyId::from_byte(0x00), KeyId::from_byte(0x01)];
    for table in [w.controller.contexts(), w.lamp.node().contexts()] {
        for entry in table.iter() {
            assert!(
                !pairing_ids.contains(entry.context.recipient_id()),
                "{:?} {:?}",
                entry.peer,
                entry.context.recipient_id()
            );
        }
    }
}

#[test]
fn a_wrong_passcode_fails_at_the_controller_before_confirmp() {
    let mut w = world();
    assert_eq!(
        w.pair(PASSCODE + 1),
        Err(ControllerError::ConfirmationFailed)
    );
    // The exchange is still the lamp's until it times out: another controller is told to wait.
    let (_, start) = Pairing::start(PASSCODE, &mut w.rng);
    let reply = w.ask(None, start);
    let Body::Status(s) = &reply else {
        panic!("{reply:?}")
    };
    assert_eq!(s.code, StatusCode::Busy);
    assert_eq!(s.retry_after, Some(30));
    // After PAIRING_EXCHANGE_TIMEOUT the window takes a new exchange.
    w.now = 31_000;
    let out = w.lamp.on_timer(w.now, &mut w.rng);
    w.settle(out);
    w.pair(PASSCODE).unwrap();
}

#[test]
fn commission_needs_the_controllers_administer_entry() {
    let mut w = world();
    let pairing = w.pair(PASSCODE).unwrap();
    let own = w.controller_keys.statement(CONTROLLER);
    ok(w.ask(Some(pairing), controller::add_peer(&own)));
    // No acl_write yet ([IOTP-SEC-39]).
    let reply = w.ask(Some(pairing), controller::commission(LAMP, None, None));
    assert_eq!(status(&reply), StatusCode::Forbidden);
    assert_eq!(w.lamp.node().config().address, None);
}

#[test]
fn unsealed_and_unknown_peers_are_refused() {
    let mut w = world();
    // Unsealed: only the pairing messages ([IOTP-SEC-104]).
    assert_eq!(
        status(&w.ask(None, switch_on())),
        StatusCode::Unauthenticated
    );
    let pairing = w.pair(PASSCODE).unwrap();
    let lamp_id = w.claim(pairing);

    // A peer with a context but no ACL entry: Forbidden ([IOTP-SEC-99]).
    let secret = [9u8; 16];
    let derive = |s: u8, r: u8| {
        SecurityContext::derive(
            MasterSecret {
                secret: &secret,
                salt: &[],
            },
            KeyId::new(&[s]).unwrap(),
            KeyId::new(&[r]).unwrap(),
        )
    };
    let stranger = NodeId::from_bytes([0x77; 32]);
    let peer = |address: &str| Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: Some(stranger),
    };
    w.lamp
        .node_mut()
        .add_context(derive(0x40, 0x41), peer(CONTROLLER))
        .unwrap();
    let theirs = w
        .controller
        .add_context(
            derive(0x41, 0x40),
            Peer {
                node: Some(lamp_id),
                ..peer(LAMP)
            },
        )
        .unwrap();
    assert_eq!(
        status(&w.ask(Some(theirs), switch_on())),
        StatusCode::Forbidden
    );
    assert!(!w.lamp.app().light().on);
}

#[test]
fn a_revoked_app_is_refused_and_forgotten() {
    use iotp2p_protocol::security::statement::sign_revocation;
    use iotp2p_protocol::server::acl::privilege;

    let (mut w, lamp_id, owner) = owned();

    let (guest, guests) = w.guest(lamp_id);
    let invoke_and_subscribe = privilege::INVOKE | privilege::SUBSCRIBE;
    ok(w.ask(
        Some(owner),
        controller::grant(1, &guest, invoke_and_subscribe, None, Some("guest")),
    ));
    ok(w.ask(Some(guests), switch_on()));

    // Its subscription ends when the owner narrows its entry to Invoke ([IOTP-SEC-101]).
    let subscribe = Body::Subscribe(iotp2p_codec::core::owned::SubscribeRequest {
        endpoint: LIGHT,
        capability: ON_OFF,
        members: None,
        min_interval: 0,
        max_interval: 60,
        lifetime: None,
        unknown_fields: Default::default(),
    });
    assert!(matches!(w.ask(Some(guests), subscribe), Body::Report(_)));
    assert_eq!(w.lamp.dispatcher().subscriptions().len(), 1);
    ok(w.ask(
        Some(owner),
        controller::grant(1, &guest, privilege::INVOKE, None, Some("guest")),
    ));
    assert_eq!(w.lamp.dispatcher().subscriptions().len(), 0);

    // The owner revokes it: its contexts, its credential and its ACL entry go ([IOTP-SEC-122]).
    let revocation = sign_revocation(
        &w.controller_keys.identity,
        &iotp2p_codec::security::RevocationStatement {
            node: guest.as_bytes(),
            reason: iotp2p_codec::security::RevocationReason::KeyCompromise,
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
    .unwrap();
    let apply = |statement: Vec<u8>| {
        Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            endpoint: 0,
            capability: 1,
            action: 18,
            input: Some(statement),
            echo: None,
            unknown_fields: Default::default(),
        })
    };
    ok(w.ask(Some(owner), apply(revocation)));
    let security = w.lamp.security().unwrap();
    assert!(
        security.acl().get(1).is_none(),
        "the guest's entry is deleted"
    );
    assert!(security.acl().get(0).is_some(), "the owner's stays");
    assert!(!w
        .lamp
        .node()
        .contexts()
        .iter()
        .any(|e| e.peer.node == Some(guest)));
    assert_eq!(
        status(&w.ask(Some(guests), switch_on())),
        StatusCode::Unauthenticated
    );

    // A revocation signed by a node that administers nothing here is refused ([IOTP-SEC-124]).
    let stranger = IdentityKey::from_bytes(&[0x5e; 32]).unwrap();
    let forged = sign_revocation(
        &stranger,
        &iotp2p_codec::security::RevocationStatement {
            node: w.controller_keys.identity.node_id().as_bytes(),
            reason: iotp2p_codec::security::RevocationReason::Unspecified,
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
    .unwrap();
    assert_eq!(
        status(&w.ask(Some(owner), apply(forged))),
        StatusCode::Forbidden
    );
    ok(w.ask(Some(owner), switch_on()));
}

impl World {
    /// Another app beside the owner: another node ID, with a context of its own with the lamp (the
    /// controller's engine plays it, from the same address). Its node ID, and its context.
    fn guest(&mut self, lamp_id: NodeId) -> (NodeId, ContextId) {
        let guest = NodeId::from_bytes([0x77; 32]);
        let secret = [9u8; 16];
        let derive = |s: u8, r: u8| {
            SecurityContext::derive(
                MasterSecret {
                    secret: &secret,
                    salt: &[],
                },
                KeyId::new(&[s]).unwrap(),
                KeyId::new(&[r]).unwrap(),
            )
        };
        self.lamp
            .node_mut()
            .add_context(
                derive(0x40, 0x41),
                Peer {
                    address: Some(CONTROLLER.into()),
                    kind: ContextKind::Ordinary,
                    node: Some(guest),
                },
            )
            .unwrap();
        let context = self
            .controller
            .add_context(
                derive(0x41, 0x40),
                Peer {
                    address: Some(LAMP.into()),
                    kind: ContextKind::Ordinary,
                    node: Some(lamp_id),
                },
            )
            .unwrap();
        (guest, context)
    }
}

#[test]
fn a_removed_peer_loses_its_contexts_and_keeps_its_entry() {
    use iotp2p_protocol::server::acl::privilege;

    let (mut w, lamp_id, owner) = owned();
    let (guest, guests) = w.guest(lamp_id);
    ok(w.ask(
        Some(owner),
        controller::grant(1, &guest, privilege::INVOKE, None, None),
    ));
    ok(w.ask(Some(guests), switch_on()));
    ok(w.ask(Some(owner), controller::remove_peer(&guest)));
    // Its contexts are closed ([IOTP-SEC-107]); what the ACL grants it stays until rewritten.
    assert_eq!(
        status(&w.ask(Some(guests), switch_on())),
        StatusCode::Unauthenticated
    );
    assert!(w.lamp.security().unwrap().acl().get(1).is_some());
    // Only an administrator removes peers: the guest, back with a new context, may not.
    w.controller.remove_context(guests);
    let (_, again) = w.guest(lamp_id);
    assert_eq!(
        status(&w.ask(Some(again), controller::remove_peer(&lamp_id))),
        StatusCode::Forbidden
    );
}

/// `rehome`'s invocation (Security action 24) to `new_address`, with the relay whose credential
/// statement `relay` is.
fn rehome(new_address: &str, relay: Option<Vec<u8>>) -> Body {
    use iotp2p_codec::prelude::*;
    let relay = relay.map(|statement| iotp2p_codec::security::owned::RelayInfo {
        credential: iotp2p_codec::security::SignedStatement::decode(&statement)
            .unwrap()
            .into_owned(),
        endpoints: vec!["iotp2p+udp://127.0.0.1:5784".into()],
        unknown_fields: Default::default(),
    });
    let input = iotp2p_codec::security::owned::RehomeRequest {
        new_address: new_address.into(),
        relay,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap();
    Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
        endpoint: 0,
        capability: 1,
        action: 24,
        input: Some(input),
        echo: None,
        unknown_fields: Default::default(),
    })
}

const MOVED: &str = "lamp@lamps.example.org";

#[test]
fn rehome_signs_the_move_for_an_administrator_and_a_relay_of_the_new_domain_only() {
    use iotp2p_codec::prelude::*;
    use iotp2p_protocol::security::statement::{verify_credential, verify_rehoming, Trust};

    let (mut w, lamp_id, owner) = owned();
    let (_, guests) = w.guest(lamp_id);
    let relay = keys(0x31, 0x32, 3);
    let right = relay.statement("_relay@lamps.example.org");
    // Administer only (§8.12).
    assert_eq!(
        status(&w.ask(Some(guests), rehome(MOVED, Some(right.clone())))),
        StatusCode::Forbidden
    );
    // A relay of another domain, or no move at all ([IOTP-SEC-196]).
    let wrong = relay.statement("_relay@other.example.org");
    assert_eq!(
        status(&w.ask(Some(owner), rehome(MOVED, Some(wrong)))),
        StatusCode::ConstraintError
    );
    assert_eq!(
        status(&w.ask(Some(owner), rehome(LAMP, None))),
        StatusCode::ConstraintError
    );
    assert!(w.lamp.security_mut().unwrap().take_rehomed().is_none());

    let reply = w.ask(Some(owner), rehome(MOVED, Some(right)));
    let Body::InvokeResponse(response) = reply else {
        panic!("not a success: {reply:?}")
    };
    let output = response.output.unwrap();
    let result = iotp2p_codec::security::RehomeResult::decode(&output).unwrap();
    let statement = result.rehoming.encode_to_vec().unwrap();
    let credential = result.credential.encode_to_vec().unwrap();
    // Signed by the lamp's identity key, from its address, first move ([IOTP-SEC-109]).
    let known = [*w.lamp_keys.identity.public_key()];
    let trust = Trust {
        known: &known,
        administrators: &[],
        rotated_away: &[],
    };
    let verified = verify_rehoming(&statement, &trust, LAMP, 0).unwrap();
    assert_eq!(verified.statement.new_address, MOVED);
    assert_eq!(verified.statement.sequence, 1);
    let new = verify_credential(&credential).unwrap();
    assert_eq!(new.statement.address, Some(MOVED));
    assert_eq!(new.node_id, lamp_id, "the same identity ([IOTP-SEC-110])");
    // It moves when its host has taken the move, not before: its reply went from its address.
    let rehomed = w.lamp.security_mut().unwrap().take_rehomed().unwrap();
    assert_eq!(
        (rehomed.previous_address.as_str(), rehomed.address.as_str()),
        (LAMP, MOVED)
    );
    assert_eq!(w.lamp.node().config().address.as_deref(), Some(LAMP));
}

#[test]
fn a_moved_lamp_tells_a_peer_writing_to_its_previous_address_before_answering() {
    let (mut w, _, owner) = owned();
    let relay = keys(0x31, 0x32, 3).statement("_relay@lamps.example.org");
    let reply = w.ask(Some(owner), rehome(MOVED, Some(relay)));
    assert!(matches!(reply, Body::InvokeResponse(_)), "{reply:?}");
    let rehomed = w.lamp.security_mut().unwrap().take_rehomed().unwrap();
    let grace = w.now + u64::from(rehomed.grace_period) * 1_000;
    w.lamp.node_mut().move_to(MOVED.into(), grace);

    // The controller has not followed: it switches the lamp on at the previous address.
    let (id, out) = w
        .controller
        .request(
            w.now,
            &mut w.rng,
            "lamp",
            Destination::Address(LAMP.into()),
            Some(owner),
            &switch_on(),
            true,
            None,
        )
        .unwrap();
    w.settle(out);
    // The lamp tells it of the move first, from its new address, which the controller has not bound
    // yet and accepts for `apply_statement` alone ([IOTP-SEC-166]); the switch waits.
    let at = w
        .events
        .iter()
        .position(|e| matches!(e, Event::Request { .. }))
        .expect("the lamp tells the controller of its move");
    let Event::Request {
        exchange,
        sender,
        body: Body::Invoke(tell),
        ..
    } = w.events.remove(at)
    else {
        panic!("not an invoke")
    };
    assert_eq!((tell.capability, tell.action), (1, 18));
    assert_eq!(tell.input.as_deref(), Some(rehomed.statement.as_slice()));
    assert_eq!(
        sender,
        iotp2p_protocol::engine::Origin::Address(MOVED.into())
    );
    assert!(!w.lamp.app().light().on, "not before the peer was told");
    assert!(!w.events.iter().any(|e| matches!(e, Event::Reply { .. })));

    // The controller follows ([IOTP-SEC-113], [IOTP-SEC-114]) and answers; the lamp then switches
    // on and answers the request to its previous address from its new one.
    assert!(w
        .controller
        .rebind_peer(owner, Some(MOVED.into()), Some(grace)));
    let done = Body::InvokeResponse(iotp2p_codec::core::owned::InvokeResponse {
        output: None,
        unknown_fields: Default::default(),
    });
    let out = w
        .controller
        .reply(w.now, &mut w.rng, exchange, &done)
        .unwrap();
    w.settle(out);
    assert!(w.lamp.app().light().on);
    assert!(
        w.events
            .iter()
            .any(|e| matches!(e, Event::Reply { request, body: Body::InvokeResponse(_), .. } if *request == id)),
        "{:?}",
        w.events
    );
}

/// The passcode an owner shows a second controller's user for a commissioning window.
const WINDOW_PASSCODE: u32 = 40_617_352;
const PHONE: &str = "phone@example.net";

/// The owner's commissioning window for a second controller (§8.3.7).
fn window(privileges: u8, target: Option<(Option<u16>, Option<u16>)>) -> Body {
    controller::open_commissioning_window(&controller::Window {
        passcode: WINDOW_PASSCODE,
        salt: &[0xa0; 16],
        iterations: 1000,
        timeout: 600,
        discriminator: 318,
        privileges,
        target,
    })
    .unwrap()
}

impl World {
    /// A second controller takes the first one's place at the lamp's link; the first one's node and
    /// keys are returned.
    fn hand_over(&mut self, keys: Keys, address: &str) -> (Node<&'static str>, Keys) {
        let mut node = Node::new(
            Config {
                address: Some(address.into()),
                ..Config::default()
            },
            0,
        );
        node.set_edhoc_responder(Some(keys.responder()));
        self.events.clear();
        (
            std::mem::replace(&mut self.controller, node),
            std::mem::replace(&mut self.controller_keys, keys),
        )
    }

    /// Lets `seconds` pass at the lamp.
    fn wait(&mut self, seconds: u64) {
        self.now += seconds * 1_000;
        let out = self.lamp.on_timer(self.now, &mut self.rng);
        self.settle(out);
    }
}

#[test]
fn a_second_controller_pairs_in_a_commissioning_window_and_gets_one_pending_entry_within_it() {
    use iotp2p_protocol::server::acl::privilege;

    let (mut w, lamp_id, owner) = owned();
    let owner_id = w.controller_keys.identity.node_id();
    let light = Some((Some(LIGHT), None));
    ok(w.ask(
        Some(owner),
        window(privilege::READ | privilege::INVOKE, light),
    ));
    assert!(w.lamp.security_mut().unwrap().pairing_window_open(w.now));
    // One window at a time ([IOTP-SEC-140]).
    assert_eq!(
        status(&w.ask(Some(owner), window(privilege::READ, light))),
        StatusCode::InvalidState
    );

    let (_, _) = w.hand_over(keys(0x41, 0x42, 11), PHONE);
    // The printed passcode pairs no more: the window has the administrator's verifier.
    assert_eq!(w.pair(PASSCODE), Err(ControllerError::ConfirmationFailed));
    w.wait(31);
    let pairing = w.pair(WINDOW_PASSCODE).unwrap();
    // A window gives an entry, never an address; nothing before add_peer ([IOTP-SEC-137],
    // [IOTP-SEC-144]).
    let phone_id = w.controller_keys.identity.node_id();
    let entry = |privileges, target| controller::grant(1, &phone_id, privileges, target, None);
    assert_eq!(
        status(&w.ask(Some(pairing), controller::commission(MOVED, None, None))),
        StatusCode::Forbidden
    );
    assert_eq!(
        status(&w.ask(Some(pairing), entry(privilege::READ, light))),
        StatusCode::InvalidState
    );
    controller::device_credential(&w.ask(Some(pairing), controller::read_credential())).unwrap();
    let own = w.controller_keys.statement(PHONE);
    ok(w.ask(Some(pairing), controller::add_peer(&own)));
    assert_eq!(
        status(&w.ask(Some(pairing), controller::add_peer(&own))),
        StatusCode::InvalidState,
        "one add_peer"
    );
    // Wider than the window, for another node, or at a taken index: refused, the window stays.
    for wide in [
        entry(privilege::ADMINISTER, light),
        entry(privilege::READ | privilege::WRITE, light),
        entry(privilege::READ, None),
        entry(privilege::READ, Some((Some(2), None))),
        controller::grant(1, &owner_id, privilege::READ, light, None),
        controller::grant(0, &phone_id, privilege::READ, light, None),
    ] {
        assert_eq!(
            status(&w.ask(Some(pairing), wide)),
            StatusCode::ConstraintError
        );
    }
    let narrow = Some((Some(LIGHT), Some(ON_OFF)));
    ok(w.ask(
        Some(pairing),
        entry(privilege::READ | privilege::INVOKE, narrow),
    ));

    // Written by the window's administrator, pending until the phone proves its key
    // ([IOTP-SEC-145], [IOTP-SEC-146]); the window closed with the pairing context.
    let security = w.lamp.security_mut().unwrap();
    assert!(!security.pairing_window_open(w.now));
    let acl = security.acl();
    assert_eq!(acl.get(1).unwrap().granted_by, Some(*owner_id.as_bytes()));
    assert!(acl.is_pending(1));
    assert!(!acl.allows(&phone_id, privilege::INVOKE, Some(LIGHT), Some(ON_OFF)));
    // The pairing context closed with the window: a new request under it is refused
    // ([IOTP-SEC-38]).
    assert_eq!(
        status(&w.ask(Some(pairing), controller::read_credential())),
        StatusCode::Forbidden
    );
    w.controller.remove_context(pairing);

    // The phone's first handshake makes it effective: the phone switches the lamp on.
    let phone = w.connect(lamp_id);
    assert!(!w.lamp.security().unwrap().acl().is_pending(1));
    ok(w.ask(Some(phone), switch_on()));
    assert!(w.lamp.app().light().on);
}

#[test]
fn a_commissioning_window_is_checked_and_its_unconfirmed_entry_goes_after_its_timeout() {
    use iotp2p_codec::prelude::*;
    use iotp2p_protocol::server::acl::privilege;

    let (mut w, lamp_id, owner) = owned();
    let open = |verifier: [u8; 97], salt: &[u8]| {
        let input = iotp2p_codec::security::owned::PairingWindow {
            timeout: 600,
            discriminator: 318,
            iterations: 1000,
            salt: salt.to_vec(),
            verifier,
            privileges: privilege::READ,
            targets: None,
            unknown_fields: Default::default(),
        };
        Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            endpoint: 0,
            capability: 1,
            action: 26,
            input: Some(input.encode_to_vec().unwrap()),
            echo: None,
            unknown_fields: Default::default(),
        })
    };
    let record = ProverSecret::from_passcode(WINDOW_PASSCODE, &[0xa0; 16], 1000)
        .unwrap()
        .record()
        .to_bytes();
    // w0 not below the order of P-256, or L not a point ([IOTP-SEC-141]); a salt too short.
    let mut unreduced = record;
    unreduced[..32].copy_from_slice(&[0xff; 32]);
    let mut off_curve = record;
    off_curve[96] ^= 1;
    for (verifier, salt) in [
        (unreduced, &[0xa0; 16][..]),
        (off_curve, &[0xa0; 16][..]),
        (record, &[0xa0; 15][..]),
    ] {
        assert_eq!(
            status(&w.ask(Some(owner), open(verifier, salt))),
            StatusCode::ConstraintError
        );
    }
    // Only for an administrator (§8.12).
    let (_, guests) = w.guest(lamp_id);
    assert_eq!(
        status(&w.ask(Some(guests), open(record, &[0xa0; 16]))),
        StatusCode::Forbidden
    );
    assert!(!w.lamp.security_mut().unwrap().pairing_window_open(w.now));

    ok(w.ask(Some(owner), open(record, &[0xa0; 16])));
    let (_, _) = w.hand_over(keys(0x41, 0x42, 11), PHONE);
    let pairing = w.pair(WINDOW_PASSCODE).unwrap();
    let phone_id = w.controller_keys.identity.node_id();
    let own = w.controller_keys.statement(PHONE);
    ok(w.ask(Some(pairing), controller::add_peer(&own)));
    ok(w.ask(
        Some(pairing),
        controller::grant(2, &phone_id, privilege::READ, None, None),
    ));
    assert!(w.lamp.security().unwrap().peer(&phone_id).is_some());

    // The phone never completes a handshake: the entry and its credential go `timeout` after the
    // window closed ([IOTP-SEC-147]).
    w.wait(599);
    assert!(w.lamp.security().unwrap().acl().is_pending(2));
    w.wait(1);
    let security = w.lamp.security().unwrap();
    assert!(security.acl().get(2).is_none());
    assert!(security.peer(&phone_id).is_none());
}

#[test]
fn set_home_relay_takes_a_relay_of_the_nodes_own_domain_for_an_administrator_only() {
    use iotp2p_codec::prelude::*;

    let (mut w, lamp_id, owner) = owned();
    let (_, guests) = w.guest(lamp_id);
    let relay = keys(0x31, 0x32, 3);
    let info = |statement: Vec<u8>| iotp2p_codec::security::owned::RelayInfo {
        credential: iotp2p_codec::security::SignedStatement::decode(&statement)
            .unwrap()
            .into_owned(),
        endpoints: vec!["iotp2p+udp://127.0.0.1:5683".into()],
        unknown_fields: Default::default(),
    };
    let right = info(relay.statement("_relay@home.example.org"));
    assert_eq!(
        status(&w.ask(Some(guests), controller::set_home_relay(right.clone()))),
        StatusCode::Forbidden
    );
    // Another domain's relay ([IOTP-SEC-189]).
    let wrong = info(relay.statement("_relay@lamps.example.org"));
    assert_eq!(
        status(&w.ask(Some(owner), controller::set_home_relay(wrong))),
        StatusCode::ConstraintError
    );
    assert!(w.lamp.security_mut().unwrap().take_home_relay().is_none());
    ok(w.ask(Some(owner), controller::set_home_relay(right.clone())));
    // The host changes relays after the reply; the node keeps its address and its contexts
    // ([IOTP-SEC-190], [IOTP-SEC-191]).
    assert_eq!(
        w.lamp.security_mut().unwrap().take_home_relay(),
        Some(right)
    );
    assert_eq!(w.lamp.node().config().address.as_deref(), Some(LAMP));
    ok(w.ask(Some(owner), switch_on()));
}

#[test]
fn rotate_auth_key_gives_a_new_credential_that_later_handshakes_use_while_contexts_stay() {
    use iotp2p_protocol::security::statement::ccs;
    use iotp2p_protocol::security::statement::verify_credential;

    let (mut w, lamp_id, owner) = owned();
    let (_, guests) = w.guest(lamp_id);
    assert_eq!(
        status(&w.ask(Some(guests), controller::rotate_auth_key())),
        StatusCode::Forbidden,
        "Administer only (§8.12)"
    );
    let reply = w.ask(Some(owner), controller::rotate_auth_key());
    let Body::InvokeResponse(response) = reply else {
        panic!("not a success: {reply:?}")
    };
    let statement = response.output.unwrap();
    let rotated = verify_credential(&statement).unwrap();
    assert_eq!(rotated.node_id, lamp_id);
    assert_eq!(rotated.statement.address, Some(LAMP));
    let new = rotated
        .statement
        .auth_credentials
        .iter()
        .next()
        .unwrap()
        .to_vec();
    let (old_ccs, new_ccs) = (
        ccs::parse(&w.lamp_keys.ccs).unwrap(),
        ccs::parse(&new).unwrap(),
    );
    assert_ne!(old_ccs.key, new_ccs.key, "a new key");
    assert_eq!((old_ccs.kid, new_ccs.sub), (new_ccs.kid, old_ccs.sub));
    assert_eq!(
        w.lamp.security().unwrap().credential(),
        statement.as_slice()
    );
    let private = w
        .lamp
        .security_mut()
        .unwrap()
        .take_rotated_auth_key()
        .unwrap();
    let x = iotp2p_protocol::security::edhoc::AuthKey::new(&private)
        .unwrap()
        .public_key_x();
    assert!(matches!(new_ccs.key, ccs::CcsKey::P256 { x: nx, .. } if *nx == x));

    // The context established before stays; a handshake with the previous credential fails, one
    // with the new credential completes.
    ok(w.ask(Some(owner), switch_on()));
    let old = w.lamp_keys.ccs.clone();
    assert_eq!(w.try_connect(lamp_id, old, false), None);
    w.events.clear();
    let fresh = w
        .try_connect(lamp_id, new, false)
        .expect("the new key answers");
    ok(w.ask(Some(fresh), switch_on()));
}

#[test]
fn a_newer_credential_of_a_held_peer_replaces_its_previous_one() {
    let (mut w, lamp_id, owner) = owned();
    let owner_id = w.controller_keys.identity.node_id();
    // The owner's controller has a new authentication key and signs its credential again.
    let rotated = keys(0x21, 0x23, 9);
    let newer = |serial| {
        sign_own_credential(&rotated.identity, &rotated.ccs, Some(CONTROLLER), serial).unwrap()
    };
    // Only by the node itself or an administrator ([IOTP-SEC-116]); only a greater serial
    // ([IOTP-SEC-16]).
    let (_, guests) = w.guest(lamp_id);
    assert_eq!(
        status(&w.ask(Some(guests), controller::apply_statement(&newer(2)))),
        StatusCode::Forbidden
    );
    assert_eq!(
        status(&w.ask(Some(owner), controller::apply_statement(&newer(1)))),
        StatusCode::ConstraintError
    );
    ok(w.ask(Some(owner), controller::apply_statement(&newer(2))));
    assert_eq!(
        w.lamp.security().unwrap().peer(&owner_id),
        Some(newer(2).as_slice())
    );
    // Its next handshake uses the new key ([IOTP-SEC-117]).
    w.controller.set_edhoc_responder(Some(rotated.responder()));
    w.controller_keys = rotated;
    let context = w.connect(lamp_id);
    ok(w.ask(Some(context), switch_on()));
}

#[test]
fn an_app_presents_its_owners_introduction_as_a_visitor_and_is_then_the_lamps_peer() {
    use iotp2p_codec::prelude::*;
    use iotp2p_codec::security::{AclTarget, IntroductionStatement, SignedStatement};
    use iotp2p_protocol::security::statement::sign_introduction;
    use iotp2p_protocol::server::acl::privilege;

    let (mut w, lamp_id, _) = owned();
    let owner = w.controller_keys.identity.clone();
    let owner_id = owner.node_id();
    let app = keys(0x51, 0x52, 13);
    let app_id = app.identity.node_id();
    let app_statement = app.statement("alice-phone@example.net");
    let light = [AclTarget {
        endpoint: Some(LIGHT),
        capability: None,
        unknown_fields: Default::default(),
    }];
    let sign = |audience: &NodeId, serial: u32| {
        sign_introduction(
            &owner,
            &IntroductionStatement {
                subject: lamp_id.as_bytes(),
                subject_address: Some(LAMP),
                audience: audience.as_bytes(),
                privileges: privilege::READ | privilege::INVOKE,
                targets: Some(light.as_slice().into()),
                serial,
                not_after: None,
                issued_at: None,
                unknown_fields: Default::default(),
            },
        )
        .unwrap()
    };
    let introduce = |statement: &[u8], credentials: &[&[u8]]| {
        let input = iotp2p_codec::security::owned::Introduction {
            statement: SignedStatement::decode(statement).unwrap().into_owned(),
            credentials: credentials
                .iter()
                .map(|c| SignedStatement::decode(c).unwrap().into_owned())
                .collect(),
            unknown_fields: Default::default(),
        };
        Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            endpoint: 0,
            capability: 1,
            action: 27,
            input: Some(input.encode_to_vec().unwrap()),
            echo: None,
            unknown_fields: Default::default(),
        })
    };

    // The app runs EDHOC with its credential by value: a visitor context, under which only
    // `introduce` is carried out ([IOTP-SEC-152]).
    w.hand_over(app, "alice-phone@example.net");
    let lamp_ccs = w.lamp_keys.ccs.clone();
    let visitor = w.try_connect(lamp_id, lamp_ccs, true).unwrap();
    assert_eq!(
        status(&w.ask(Some(visitor), switch_on())),
        StatusCode::Forbidden
    );
    let introduction = sign(&app_id, 1);
    // Check 4: an introduction of another node; check 9: without the app's credential statement.
    let other = sign(&NodeId::from_bytes([0x99; 32]), 2);
    assert_eq!(
        status(&w.ask(Some(visitor), introduce(&other, &[&app_statement]))),
        StatusCode::Forbidden
    );
    assert_eq!(
        status(&w.ask(Some(visitor), introduce(&introduction, &[]))),
        StatusCode::ConstraintError
    );
    assert!(
        w.lamp.security().unwrap().peer(&app_id).is_none(),
        "changed nothing"
    );
    // Every truncation and every one-byte change of the genuine input is refused with a status and
    // changes nothing: the signature and the credential statement cover every byte that matters.
    let genuine = match introduce(&introduction, &[&app_statement]) {
        Body::Invoke(i) => i,
        _ => unreachable!(),
    };
    let bytes = genuine.input.clone().unwrap();
    let with_input = |input: Vec<u8>| {
        Body::Invoke(iotp2p_codec::core::owned::InvokeRequest {
            input: Some(input),
            ..genuine.clone()
        })
    };
    let truncations = (0..bytes.len()).map(|n| bytes[..n].to_vec());
    let changes = (0..bytes.len()).map(|i| {
        let mut changed = bytes.clone();
        changed[i] ^= 0x5a;
        changed
    });
    for bad in truncations.chain(changes) {
        let reply = w.ask(Some(visitor), with_input(bad));
        assert!(matches!(reply, Body::Status(_)), "accepted: {reply:?}");
    }
    let security = w.lamp.security().unwrap();
    assert!(security.peer(&app_id).is_none());
    assert!(security.acl().get(1).is_none());

    ok(w.ask(Some(visitor), introduce(&introduction, &[&app_statement])));
    // Stored: the app's credential and its entry granted by the owner ([IOTP-SEC-184]); the visitor
    // context is now the app's ordinary context ([IOTP-SEC-185]).
    let security = w.lamp.security().unwrap();
    assert_eq!(security.peer(&app_id), Some(app_statement.as_slice()));
    let entry = security.acl().get(1).unwrap();
    assert_eq!(entry.subjects, vec![*app_id.as_bytes()]);
    assert_eq!(entry.granted_by, Some(*owner_id.as_bytes()));
    ok(w.ask(Some(visitor), switch_on()));
    assert!(w.lamp.app().light().on);
    // Each introduction once ([IOTP-SEC-186]).
    assert_eq!(
        status(&w.ask(Some(visitor), introduce(&introduction, &[&app_statement]))),
        StatusCode::InvalidState
    );
}

#[test]
fn a_flood_of_visitor_handshakes_is_refused_while_another_visitor_and_the_owner_get_in() {
    use iotp2p_protocol::engine::{VISITOR_HANDSHAKE_BURST, VISITOR_HANDSHAKE_INTERVAL};

    let (mut w, lamp_id, _) = owned();
    let lamp_ccs = w.lamp_keys.ccs.clone();
    let burst = VISITOR_HANDSHAKE_BURST as usize;
    // Whether the lamp made a visitor context for the controller's next handshake by value.
    let visit = |w: &mut World| {
        w.lamp_sessions.clear();
        w.try_connect(lamp_id, lamp_ccs.clone(), true);
        w.lamp_sessions == [true]
    };
    // A stranger floods the lamp with handshakes by value from one address: the burst gets in, the
    // rest is refused ([IOTP-SEC-162], [IOTP-SEC-200]).
    let (owner, owner_keys) = w.hand_over(keys(0x61, 0x62, 14), "mallory@example.net");
    w.hop = "mallory";
    let admitted = (0..burst + 4).filter(|_| visit(&mut w)).count();
    assert_eq!(admitted, burst);
    // Its node ID from another address is refused as well.
    w.hop = "mallory-too";
    assert!(!visit(&mut w), "the claimed node ID is over its limit");
    // Another visitor, at another address, gets in at once.
    w.hand_over(keys(0x51, 0x52, 13), "alice-phone@example.net");
    w.hop = "alice";
    assert!(visit(&mut w));
    // The owner's handshake by kid is not limited, from any address.
    w.controller = owner;
    w.controller_keys = owner_keys;
    w.hop = "mallory";
    w.lamp_sessions.clear();
    let context = w.connect(lamp_id);
    assert_eq!(w.lamp_sessions, [false]);
    ok(w.ask(Some(context), switch_on()));
    // One interval later the stranger gets one more, and no second.
    w.hand_over(keys(0x61, 0x62, 14), "mallory@example.net");
    w.now += VISITOR_HANDSHAKE_INTERVAL;
    assert!(visit(&mut w));
    assert!(!visit(&mut w));
}
