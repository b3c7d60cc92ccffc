//! The end-to-end walk-through of spec chapter 12, as far as end nodes go, as one deterministic run on
//! a virtual clock: a controller pairs with a new lamp over a local link (SPAKE2+, §8.3) and
//! commissions it under the pairing context; an app on another provider runs EDHOC with the lamp
//! through both providers' relays (§8.4, carried in `edhoc_1`/`edhoc_3`, §8.4.3) and invokes an action
//! through them (§5.15.1's path); the lamp moves to a third provider (§8.9) and the app follows, its
//! Sender Sequence Numbers going on.
//!
//! The relays are the reference relay's engine ([`Relay`], spec chapter 3), one per provider, each
//! reaching the others through [`RelayOutput::Forward`] by domain and taking them as authenticated
//! relays (the relay-to-relay hop of §3.9 is the caller's). Each end node has a hop context with its
//! home relay (derived here; EDHOC with a relay is §8.4 like with any peer) and binds its hop with a
//! sealed `presence` (§8.7.1); the relays hold, deliver, name correspondents by contact numbers and
//! take receipts as they would on a network. What this test checks is that engines which know nothing
//! of one another interoperate through them.

mod common;

use std::collections::{BTreeMap, VecDeque};

use common::{context, Fixed};
use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse};
use iotp2p_codec::core::PresenceState;
use iotp2p_protocol::engine::peers::{ContextId, ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Event, Node, Origin, Output};
use iotp2p_protocol::relay::{Relay, RelayConfig, RelayEvent, RelayOutput};
use iotp2p_protocol::security::edhoc::carriage::{
    decode_edhoc_1_input, decode_edhoc_1_output, decode_edhoc_3_input, encode_edhoc_1_input,
    encode_edhoc_1_output, encode_edhoc_3_input, EDHOC_1, EDHOC_3, SECURITY_CAPABILITY,
    SECURITY_ENDPOINT,
};
use iotp2p_protocol::security::edhoc::{
    connection_id_from_int, AuthKey, Credential, IdCredI, Initiator, LocalIdentity, Responder,
};
use iotp2p_protocol::security::spake2plus::{
    pairing_context_hash, Inputs, PairingRole, Prover, ProverSecret, Verifier,
};
use iotp2p_protocol::security::statement::ccs::p256_credential;
use iotp2p_protocol::security::{KeyId, NodeId};
use p256::elliptic_curve::sec1::ToEncodedPoint;

const LAMP: &str = "lamp@home.example.org";
const LAMP_MOVED: &str = "lamp@new.example.net";
const APP: &str = "app@example.com";

/// Everything on the virtual network.
struct World {
    now: u64,
    rng: Fixed,
    nodes: BTreeMap<&'static str, Node<&'static str>>,
    relays: BTreeMap<&'static str, Relay<&'static str>>,
    /// The relay of each domain, by label.
    domains: BTreeMap<String, &'static str>,
    /// Datagrams in flight: (from, to, bytes).
    wire: VecDeque<(&'static str, &'static str, Vec<u8>)>,
    /// What each node reported to its application, in order.
    events: BTreeMap<&'static str, Vec<Event<&'static str>>>,
    sent: usize,
}

impl World {
    fn push(&mut self, from: &'static str, out: Vec<Output<&'static str>>) {
        for o in out {
            match o {
                Output::Send { to, bytes } => self.wire.push_back((from, to, bytes)),
                Output::Event(e) => self.events.entry(from).or_default().push(e),
            }
        }
    }

    fn push_relay(&mut self, from: &'static str, out: Vec<RelayOutput<&'static str>>) {
        for o in out {
            match o {
                RelayOutput::Send { to, bytes } => self.wire.push_back((from, to, bytes)),
                RelayOutput::Forward { domain, bytes } => {
                    let to = self.domains[&domain];
                    self.wire.push_back((from, to, bytes));
                }
                RelayOutput::Event(RelayEvent::Discarded { reason, .. }) => {
                    panic!("{from} discarded an envelope: {reason:?}")
                }
                RelayOutput::Redirect(r) => panic!("{from} released an address: {r:?}"),
                RelayOutput::Store(_) | RelayOutput::Event(_) => {}
            }
        }
    }

    /// Delivers everything in flight, then runs the timers due, until the network is quiet.
    fn settle(&mut self) {
        for _ in 0..1000 {
            let Some((from, to, bytes)) = self.wire.pop_front() else {
                let now = self.now;
                let due: Vec<&'static str> = self
                    .nodes
                    .iter()
                    .filter(|(_, n)| n.next_deadline().is_some_and(|t| t <= now))
                    .map(|(l, _)| *l)
                    .collect();
                let relays_due: Vec<&'static str> = self
                    .relays
                    .iter()
                    .filter(|(_, r)| r.next_deadline().is_some_and(|t| t <= now))
                    .map(|(l, _)| *l)
                    .collect();
                if due.is_empty() && relays_due.is_empty() {
                    return;
                }
                for label in due {
                    let out = self
                        .nodes
                        .get_mut(label)
                        .unwrap()
                        .on_timer(now, &mut self.rng);
                    self.push(label, out);
                }
                for label in relays_due {
                    let out = self
                        .relays
                        .get_mut(label)
                        .unwrap()
                        .on_timer(now, &mut self.rng);
                    self.push_relay(label, out);
                }
                continue;
            };
            self.sent += 1;
            if let Some(relay) = self.relays.get_mut(to) {
                let out = relay.receive(self.now, &mut self.rng, &from, &bytes);
                self.push_relay(to, out);
            } else {
                let out = self
                    .nodes
                    .get_mut(to)
                    .unwrap_or_else(|| panic!("no node `{to}`"))
                    .receive(self.now, &mut self.rng, &from, &bytes);
                self.push(to, out);
            }
        }
        panic!("the network never settled");
    }

    /// Makes `label` (at `address`) a node of `relay`: registered there, a hop context between them
    /// (Sender IDs `ids`: the node's, the relay's), and the hop bound by a sealed `presence` `Awake`.
    fn attach(&mut self, label: &'static str, address: &str, relay: &'static str, ids: (u8, u8)) {
        let r = self.relays.get_mut(relay).unwrap();
        r.register(address).unwrap();
        let service = r.service_address().to_string();
        r.service_mut()
            .add_context(context(ids.1, ids.0), ordinary(address))
            .unwrap();
        let node = self.nodes.get_mut(label).unwrap();
        let hop = node
            .add_context(context(ids.0, ids.1), ordinary(&service))
            .unwrap();
        node.set_address(Some(address.into()));
        node.set_home_relay(Some(relay));
        node.set_hop_context(Some(hop));
        let (_, out) = node
            .presence(self.now, &mut self.rng, PresenceState::Awake, None, None)
            .unwrap();
        self.push(label, out);
        self.settle();
        let _ = self.replies(label);
        assert_eq!(self.relays[relay].bound(address, self.now), Some(&label));
    }

    /// The requests `label`'s application received since the last call.
    fn requests(
        &mut self,
        label: &'static str,
    ) -> Vec<(
        iotp2p_protocol::engine::ExchangeId,
        Origin<&'static str>,
        Body,
    )> {
        self.events
            .remove(label)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| match e {
                Event::Request {
                    exchange,
                    sender,
                    body,
                    ..
                } => Some((exchange, sender, body)),
                _ => None,
            })
            .collect()
    }

    /// The replies `label`'s application received since the last call, by the request they answer.
    fn replies(&mut self, label: &'static str) -> Vec<(u64, Body)> {
        self.events
            .remove(label)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| match e {
                Event::Reply { request, body, .. } => Some((request, body)),
                _ => None,
            })
            .collect()
    }

    fn request(
        &mut self,
        label: &'static str,
        to: &'static str,
        recipient: Destination,
        context: Option<ContextId>,
        body: Body,
    ) -> u64 {
        let (message_id, out) = self
            .nodes
            .get_mut(label)
            .unwrap()
            .request(
                self.now,
                &mut self.rng,
                to,
                recipient,
                context,
                &body,
                true,
                Some(60),
            )
            .expect("the request is sent");
        self.push(label, out);
        message_id
    }

    fn reply(
        &mut self,
        label: &'static str,
        exchange: iotp2p_protocol::engine::ExchangeId,
        body: Body,
    ) {
        let out = self
            .nodes
            .get_mut(label)
            .unwrap()
            .reply(self.now, &mut self.rng, exchange, &body)
            .expect("the reply is sent");
        self.push(label, out);
    }
}

/// The one element of `v`.
fn one<T: std::fmt::Debug>(mut v: Vec<T>) -> T {
    assert_eq!(v.len(), 1, "{v:?}");
    v.remove(0)
}

fn invoke(capability: u16, action: u16, input: Vec<u8>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: if capability == SECURITY_CAPABILITY {
            SECURITY_ENDPOINT
        } else {
            1
        },
        capability,
        action,
        input: Some(input),
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn output(body: &Body) -> Vec<u8> {
    match body {
        Body::InvokeResponse(r) => r.output.clone().unwrap_or_default(),
        other => panic!("not an invoke response: {other:?}"),
    }
}

fn response(output: Option<Vec<u8>>) -> Body {
    Body::InvokeResponse(InvokeResponse {
        output,
        unknown_fields: Default::default(),
    })
}

/// A P-256 authentication key and its CCS (§8.2.2), naming the node `owner`.
fn identity(secret: [u8; 32], owner: u8, kid: u8) -> (LocalIdentity, Vec<u8>) {
    let key = p256::SecretKey::from_bytes(&secret.into()).unwrap();
    let point = key.public_key().to_encoded_point(false);
    let ccs = p256_credential(
        &NodeId::from_bytes([owner; 32]),
        &[kid],
        point.x().unwrap().as_slice().try_into().unwrap(),
        point.y().unwrap().as_slice().try_into().unwrap(),
    )
    .unwrap();
    let id = LocalIdentity::new(
        AuthKey::new(&secret).unwrap(),
        Credential::parse(&ccs).unwrap(),
    )
    .unwrap();
    (id, ccs)
}

fn ordinary(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// A relay serving `domain`.
fn relay(domain: &str) -> Relay<&'static str> {
    Relay::new(
        RelayConfig::new(domain),
        Config {
            max_contexts: 16,
            ..Config::default()
        },
        0,
    )
}

fn node(address: Option<&str>, home_relay: Option<&'static str>) -> Node<&'static str> {
    let mut n = Node::new(
        Config {
            address: address.map(str::to_string),
            ..Config::default()
        },
        0,
    );
    n.set_home_relay(home_relay);
    n
}

#[test]
fn commission_first_contact_invoke_through_two_relays_and_rehome() {
    let mut world = World {
        now: 0,
        rng: Fixed(0),
        nodes: BTreeMap::new(),
        relays: BTreeMap::new(),
        domains: BTreeMap::new(),
        wire: VecDeque::new(),
        events: BTreeMap::new(),
        sent: 0,
    };
    world
        .nodes
        .insert("controller", node(Some("controller@example.com"), None));
    world.nodes.insert("lamp", node(None, None));
    world.nodes.insert("app", node(None, None));
    let providers = [
        ("relay-a", "example.com"),
        ("relay-h", "home.example.org"),
        ("relay-n", "new.example.net"),
    ];
    for (label, domain) in providers {
        let mut r = relay(domain);
        for (other, other_domain) in providers {
            if other != label {
                r.add_relay_peer(other, other_domain);
            }
        }
        world.relays.insert(label, r);
        world.domains.insert(domain.into(), label);
    }
    world.attach("app", APP, "relay-a", (0x30, 0x31));

    // 1. Pairing over the local link (§8.3.3): SPAKE2+ with the passcode printed on the lamp. The
    //    messages travel as the Security actions; here the two sides' values are exchanged directly.
    let passcode = 69_414_237;
    let salt = [0x5a; 16];
    let controller_nonce = [0xc1; 16];
    let device_nonce = [0xd1; 16];
    let context_hash = pairing_context_hash(&[0xa1, 0x00, 0x50, 0xc1], &[0xa1, 0x00, 0x50, 0xd1]);
    let inputs = Inputs::pairing(&context_hash);
    let secret = ProverSecret::from_passcode(passcode, &salt, 1000).unwrap();
    let record = secret.record(); // stored in the lamp at manufacture
    let prover = Prover::start(&secret, &[0x33; 32]).unwrap();
    let verifier = Verifier::new(&record)
        .respond(&inputs, prover.share_p(), &[0x44; 32])
        .unwrap();
    let prover = prover.receive(&inputs, verifier.share_v()).unwrap();
    let (confirm_p, k_controller) = prover.finish(verifier.confirm_v()).unwrap();
    let k_lamp = verifier.finish(&confirm_p).unwrap();
    let ctl_pairing = world
        .nodes
        .get_mut("controller")
        .unwrap()
        .add_context(
            k_controller.pairing_context(&controller_nonce, &device_nonce, PairingRole::Controller),
            Peer {
                address: None,
                kind: ContextKind::Pairing,
                node: None,
            },
        )
        .unwrap();
    world
        .nodes
        .get_mut("lamp")
        .unwrap()
        .add_context(
            k_lamp.pairing_context(&controller_nonce, &device_nonce, PairingRole::Device),
            Peer {
                address: None,
                kind: ContextKind::Pairing,
                node: None,
            },
        )
        .unwrap();

    // 2. Commissioning under the pairing context (§8.3.5): the controller gives the lamp its address
    //    (here the input is the address's text; the real `CommissionRequest` carries a `RelayInfo`
    //    too). The lamp takes it and its home relay.
    world.request(
        "controller",
        "lamp",
        Destination::HopPeer,
        Some(ctl_pairing),
        invoke(SECURITY_CAPABILITY, 13, LAMP.as_bytes().to_vec()),
    );
    world.settle();
    let (exchange, _, Body::Invoke(commission)) = one(world.requests("lamp")) else {
        panic!("the lamp receives the commission request under the pairing context")
    };
    assert_eq!(commission.input.as_deref(), Some(LAMP.as_bytes()));
    world.reply("lamp", exchange, response(None));
    world.settle();
    assert!(matches!(
        world.replies("controller")[..],
        [(_, Body::InvokeResponse(_))]
    ));
    world.attach("lamp", LAMP, "relay-h", (0x40, 0x41));

    // 3. First contact (§8.4): the app, introduced to the lamp, runs EDHOC with it by address through
    //    both relays, carried in `edhoc_1` and `edhoc_3` in unsealed envelopes (§8.4.3).
    let (app_id, app_ccs) = identity([0x11; 32], 0xaa, 5);
    let (lamp_id, lamp_ccs) = identity([0x22; 32], 0xbb, 7);
    let none: &[KeyId] = &[];
    let (initiator, m1) = Initiator::start(
        &app_id,
        IdCredI::Kid,
        connection_id_from_int(1).unwrap(),
        none,
        &[0x55; 32],
    )
    .unwrap();
    let mut input = vec![0u8; 64];
    let n = encode_edhoc_1_input(m1.as_bytes(), &mut input).unwrap();
    let edhoc_1 = world.request(
        "app",
        "relay-a",
        Destination::Address(LAMP.into()),
        None,
        invoke(SECURITY_CAPABILITY, EDHOC_1, input[..n].to_vec()),
    );
    world.settle();
    let (exchange, sender, Body::Invoke(request)) = one(world.requests("lamp")) else {
        panic!("edhoc_1 reaches the lamp")
    };
    assert_eq!(
        sender,
        Origin::Address(APP.into()),
        "a handshake comes with its sender in full (IOTP-MSG-139)"
    );
    let m1 = decode_edhoc_1_input(request.input.as_deref().unwrap()).unwrap();
    let (responder, m2) = Responder::receive_message_1(
        &lamp_id,
        m1,
        connection_id_from_int(2).unwrap(),
        none,
        &[0x66; 32],
    )
    .unwrap();
    let mut out = vec![0u8; 128];
    let n = encode_edhoc_1_output(
        &iotp2p_codec::security::EdhocReply::Message2(m2.as_bytes()),
        &mut out,
    )
    .unwrap();
    world.reply("lamp", exchange, response(Some(out[..n].to_vec())));
    world.settle();
    let (answered, reply) = one(world.replies("app"));
    assert_eq!(answered, edhoc_1);
    let reply = output(&reply);
    let iotp2p_codec::security::EdhocReply::Message2(m2) = decode_edhoc_1_output(&reply).unwrap()
    else {
        panic!("message_2")
    };
    let held_by_app: &[&[u8]] = &[&lamp_ccs];
    let (sent, m3) = initiator.receive_message_2(m2, held_by_app).unwrap();
    let mut input = vec![0u8; 64];
    let n = encode_edhoc_3_input(sent.c_r(), m3.as_bytes(), &mut input).unwrap();
    world.request(
        "app",
        "relay-a",
        Destination::Address(LAMP.into()),
        None,
        invoke(SECURITY_CAPABILITY, EDHOC_3, input[..n].to_vec()),
    );
    world.settle();
    let (exchange, _, Body::Invoke(request)) = one(world.requests("lamp")) else {
        panic!("edhoc_3 reaches the lamp")
    };
    let (c_r, m3) = decode_edhoc_3_input(request.input.as_deref().unwrap()).unwrap();
    assert_eq!(&c_r, responder.c_r());
    let held_by_lamp: &[&[u8]] = &[&app_ccs];
    let (lamp_context, _) = responder
        .receive_message_3(m3, held_by_lamp)
        .unwrap()
        .complete()
        .unwrap()
        .into_parts();
    world.reply("lamp", exchange, response(None));
    world.settle();
    let _ = world.replies("app");
    let (app_context, _) = sent.complete().unwrap().into_parts();
    let lamp_ctx = world
        .nodes
        .get_mut("lamp")
        .unwrap()
        .add_context(
            lamp_context,
            Peer {
                address: Some(APP.into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();
    let app_ctx = world
        .nodes
        .get_mut("app")
        .unwrap()
        .add_context(
            app_context,
            Peer {
                address: Some(LAMP.into()),
                kind: ContextKind::Ordinary,
                node: None,
            },
        )
        .unwrap();

    // 4. The invoke of §5.15.1 through both relays, sealed end to end, and the lamp's sealed reply.
    let set_level = invoke(7, 8, vec![0xa2, 0x00, 0x18, 0xc8, 0x01, 0x0a]);
    let first = world.request(
        "app",
        "relay-a",
        Destination::Address(LAMP.into()),
        Some(app_ctx),
        set_level.clone(),
    );
    world.settle();
    let (exchange, sender, body) = one(world.requests("lamp"));
    assert_eq!(
        sender,
        Origin::Address(APP.into()),
        "the lamp named only the app's unsealed handshake in a receipt, which binds no context to \
         the app's address: its first sealed request comes in full (IOTP-MSG-138)"
    );
    assert_eq!(body, set_level);
    world.reply("lamp", exchange, response(None));
    world.settle();
    assert_eq!(
        world.replies("app"),
        [(first, response(None))],
        "the sealed reply opens at the app"
    );
    let lamp_ssn_before_move = world.nodes["lamp"]
        .contexts()
        .get(lamp_ctx)
        .unwrap()
        .context
        .sender_sequence_number();
    assert_eq!(
        first, 5,
        "the first envelope under the new context: its Sender Sequence Number skips 0 to 4, the \
         numbers of the app's last confirmable envelopes to its home relay (IOTP-MSG-142)"
    );

    // 5. Re-homing (§8.9, §3.11): the lamp moves to a third provider. Its previous home relay holds
    //    the verified statement's facts and forwards what comes for the previous address
    //    ([IOTP-DLV-70]); the new one accepts that from it for the lamp ([IOTP-DLV-74],
    //    [IOTP-DLV-111]). The app has not heard of the move: its next request goes to the previous
    //    address, through relay-a, relay-h and relay-n, and the lamp accepts it ([IOTP-DLV-74]).
    let grace = world.now + 30 * 86_400_000;
    world
        .relays
        .get_mut("relay-n")
        .unwrap()
        .moved_in(LAMP_MOVED, LAMP, grace)
        .unwrap();
    let (served, out) = world
        .relays
        .get_mut("relay-h")
        .unwrap()
        .moved_away(world.now, LAMP, LAMP_MOVED, grace);
    assert!(served);
    world.push_relay("relay-h", out);
    world
        .nodes
        .get_mut("lamp")
        .unwrap()
        .move_to(LAMP_MOVED.into(), grace);
    world.attach("lamp", LAMP_MOVED, "relay-n", (0x50, 0x51));
    world.now += 60_000;
    let second = world.request(
        "app",
        "relay-a",
        Destination::Address(LAMP.into()),
        Some(app_ctx),
        set_level.clone(),
    );
    world.settle();
    let events = world.events.remove("lamp").unwrap_or_default();
    let requests: Vec<Event<&str>> = events
        .into_iter()
        .filter(|e| matches!(e, Event::Request { .. }))
        .collect();
    let [Event::Request {
        exchange,
        body,
        to_previous_address,
        ..
    }] = <[Event<&str>; 1]>::try_from(requests).expect("one request")
    else {
        unreachable!()
    };
    assert_eq!(body, set_level);
    assert!(
        to_previous_address,
        "the request came to the previous address"
    );
    assert_eq!(world.relays["relay-h"].held(LAMP), 0, "forwarded, not held");

    //    The lamp tells the app of its move before answering (a device's `Server` does it with
    //    `apply_statement`); the app binds the new address and still accepts the previous one for the
    //    grace period ([IOTP-SEC-113], [IOTP-SEC-114]). The reply, from the new address, answers the
    //    request to the previous one. The same context goes on: Sender Sequence Numbers continue
    //    ([IOTP-SEC-169]).
    assert!(world.nodes.get_mut("app").unwrap().rebind_peer(
        app_ctx,
        Some(LAMP_MOVED.into()),
        Some(grace)
    ));
    world.reply("lamp", exchange, response(None));
    world.settle();
    assert_eq!(world.replies("app"), [(second, response(None))]);
    assert!(
        second > first,
        "the app's Sender Sequence Number goes on from {first}, not from 0: {second}"
    );

    //    Later requests go to the new address.
    world.now += 60_000;
    let third = world.request(
        "app",
        "relay-a",
        Destination::Address(LAMP_MOVED.into()),
        Some(app_ctx),
        set_level.clone(),
    );
    world.settle();
    let (exchange, _, body) = one(world.requests("lamp"));
    assert_eq!(body, set_level);
    world.reply("lamp", exchange, response(None));
    world.settle();
    assert_eq!(world.replies("app"), [(third, response(None))]);
    let lamp_ssn = world.nodes["lamp"]
        .contexts()
        .get(lamp_ctx)
        .unwrap()
        .context
        .sender_sequence_number();
    assert!(
        lamp_ssn >= lamp_ssn_before_move + 2,
        "the lamp sealed two more replies under the context at its new address, its Sender Sequence \
         Number going on from {lamp_ssn_before_move} ([IOTP-SEC-169]): {lamp_ssn}"
    );
    assert!(world.sent > 20, "{} datagrams", world.sent);
}
