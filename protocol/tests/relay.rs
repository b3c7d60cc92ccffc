//! The home relay's engine between end nodes' engines on a virtual clock: a sleeping sensor and an app
//! of the same domain, each with a hop context with the relay, the app's sealed requests held while
//! the sensor sleeps and delivered when it wakes (spec §3.7's sequence), receipts, expiry and the
//! non-delivery status that reaches the app sealed under its hop context, holding limits, and what
//! the relay refuses from hop peers that are not its bound nodes (§3.4.1, §8.7.1), and what it
//! forwards to another domain: retransmitted, tried again with back-off while no relay takes it
//! (§3.8.1), answered when its hold ends.

use iotp2p_codec::prelude::*;
mod common;

use std::collections::{BTreeSet, VecDeque};

use common::{context, Fixed};
use iotp2p_codec::core::owned::{Body, InvokeRequest, InvokeResponse};
use iotp2p_codec::core::{Envelope, PresenceState, StatusCode};
use iotp2p_protocol::engine::peers::{ContextKind, Peer};
use iotp2p_protocol::engine::{Config, Destination, Discard, Event, Node, Output};
use iotp2p_protocol::message::digest::Digest;
use iotp2p_protocol::relay::{
    Relay, RelayConfig, RelayDiscard, RelayEvent, RelayOutput, StoreChange, AWAKE_RETRY_DELAY,
};
use iotp2p_protocol::security::KeyId;

const SENSOR: &str = "sensor@home.example.org";
const APP: &str = "app@home.example.org";
fn peer(address: &str) -> Peer {
    Peer {
        address: Some(address.into()),
        kind: ContextKind::Ordinary,
        node: None,
    }
}

/// The relay of home.example.org serving the sensor and the app, with its side of their hop contexts
/// (Sender IDs: the relay 4 and 6, the sensor 3 and the app 5).
fn home_relay() -> Relay<&'static str> {
    home_relay_with((4, 3), (6, 5))
}

/// The relay of home.example.org serving the sensor and the app, with no hop context: as a relay
/// is after a restart, which keeps its store and loses its contexts.
fn home_relay_without_contexts() -> Relay<&'static str> {
    let mut relay = Relay::new(
        RelayConfig::new("home.example.org"),
        Config {
            max_contexts: 16,
            ..Config::default()
        },
        0,
    );
    relay.register(SENSOR).unwrap();
    relay.register(APP).unwrap();
    relay
}

/// The same with other hop contexts: `sensor_hop` and `app_hop` are the relay's Sender ID and the
/// node's.
fn home_relay_with(sensor_hop: (u8, u8), app_hop: (u8, u8)) -> Relay<&'static str> {
    let mut relay = home_relay_without_contexts();
    relay
        .service_mut()
        .add_context(context(sensor_hop.0, sensor_hop.1), peer(SENSOR))
        .unwrap();
    relay
        .service_mut()
        .add_context(context(app_hop.0, app_hop.1), peer(APP))
        .unwrap();
    relay
}

/// A node of the relay's domain with its hop context (`hop`: its Sender ID and the relay's) and an
/// end-to-end context with `peer_address` (`e2e`).
fn end_node(address: &str, hop: (u8, u8), e2e: (u8, u8), peer_address: &str) -> Node<&'static str> {
    end_node_waiting(address, hop, e2e, peer_address, 32)
}

/// [`end_node`] with room for `max_waiting` envelopes waiting their turn.
fn end_node_waiting(
    address: &str,
    hop: (u8, u8),
    e2e: (u8, u8),
    peer_address: &str,
    max_waiting: usize,
) -> Node<&'static str> {
    let mut node = Node::new(
        Config {
            address: Some(address.into()),
            max_pending: 64,
            max_waiting,
            ..Config::default()
        },
        0,
    );
    let hop = node
        .add_context(context(hop.0, hop.1), peer("_relay@home.example.org"))
        .unwrap();
    node.set_hop_context(Some(hop));
    node.set_home_relay(Some("relay"));
    node.add_context(context(e2e.0, e2e.1), peer(peer_address))
        .unwrap();
    node
}

/// The relay, the sensor and the app, their datagrams in flight, and a clock.
struct World {
    relay: Relay<&'static str>,
    sensor: Node<&'static str>,
    app: Node<&'static str>,
    rng: Fixed,
    now: u64,
    /// (from, to, bytes)
    wire: VecDeque<(&'static str, &'static str, Vec<u8>)>,
    /// What the relay reported.
    relay_events: Vec<RelayEvent<&'static str>>,
    /// What each node's application learnt.
    sensor_events: Vec<Event<&'static str>>,
    app_events: Vec<Event<&'static str>>,
    /// Whether the world loses the sensor's receipts.
    drop_receipts: bool,
    /// Whether the world loses everything sent to the sensor.
    sensor_unreachable: bool,
    /// The `message_id`s of the sensor's presence, to tell its receipts apart.
    sensor_presence: Vec<u64>,
    /// The datagrams the app sent.
    sent_by_app: Vec<Vec<u8>>,
    /// The `message_id` of each receipt the sensor sent, retransmissions included.
    receipts_sent: Vec<u64>,
    /// The store changes the relay reported, in order.
    stored: Vec<StoreChange>,
    /// What the relay forwarded to other domains.
    forwarded: Vec<(String, Vec<u8>)>,
}

impl World {
    /// The sensor and the app registered at the relay, each with its hop context, and an end-to-end
    /// context between them.
    fn new() -> World {
        let relay = home_relay();
        // Sender IDs: the sensor 3 and 2, the app 5 and 1, the relay 4 (sensor) and 6 (app).
        let sensor = end_node(SENSOR, (3, 4), (2, 1), APP);
        let app = end_node(APP, (5, 6), (1, 2), SENSOR);
        World {
            relay,
            sensor,
            app,
            rng: Fixed(0),
            now: 0,
            wire: VecDeque::new(),
            relay_events: Vec::new(),
            sensor_events: Vec::new(),
            app_events: Vec::new(),
            drop_receipts: false,
            sensor_unreachable: false,
            sensor_presence: Vec::new(),
            sent_by_app: Vec::new(),
            receipts_sent: Vec::new(),
            stored: Vec::new(),
            forwarded: Vec::new(),
        }
    }

    fn node_out(&mut self, from: &'static str, out: Vec<Output<&'static str>>) {
        for o in out {
            match o {
                Output::Send { to, bytes } => self.wire.push_back((from, to, bytes)),
                Output::Event(e) if from == "sensor" => self.sensor_events.push(e),
                Output::Event(e) => self.app_events.push(e),
            }
        }
    }

    fn relay_out(&mut self, out: Vec<RelayOutput<&'static str>>) {
        for o in out {
            match o {
                RelayOutput::Send { to, bytes } => self.wire.push_back(("relay", to, bytes)),
                RelayOutput::Forward { domain, bytes } => self.forwarded.push((domain, bytes)),
                RelayOutput::Redirect(r) => panic!("nothing is released here: {r:?}"),
                RelayOutput::Store(change) => self.stored.push(change),
                RelayOutput::Event(e) => self.relay_events.push(e),
            }
        }
    }

    /// Delivers everything in flight, and whatever that causes, at the current time, with the timers
    /// due meanwhile (acknowledgements that wait for no reply go at the next timer).
    fn settle(&mut self) {
        let mut steps = 0;
        loop {
            while let Some((from, to, bytes)) = self.wire.pop_front() {
                steps += 1;
                assert!(steps < 1_000, "the exchange settles");
                self.carry(from, to, bytes);
            }
            self.timers();
            if self.wire.is_empty() {
                break;
            }
        }
    }

    fn carry(&mut self, from: &'static str, to: &'static str, bytes: Vec<u8>) {
        if from == "sensor" && self.is_receipt(&bytes) {
            if let Ok(e) = Envelope::decode(&bytes) {
                self.receipts_sent.push(e.message_id);
            }
            if self.drop_receipts {
                return;
            }
        }
        if self.sensor_unreachable && to == "sensor" {
            return;
        }
        if from == "app" {
            self.sent_by_app.push(bytes.clone());
        }
        let now = self.now;
        match to {
            "relay" => {
                let out = self.relay.receive(now, &mut self.rng, &from, &bytes);
                self.relay_out(out);
            }
            "sensor" => {
                let out = self.sensor.receive(now, &mut self.rng, &"relay", &bytes);
                self.node_out("sensor", out);
            }
            "app" => {
                let out = self.app.receive(now, &mut self.rng, &"relay", &bytes);
                self.node_out("app", out);
            }
            // A hop peer that is none of the three: what reaches it is lost.
            _ => {}
        }
    }

    /// Runs the timers due now.
    fn timers(&mut self) {
        let now = self.now;
        if self.relay.next_deadline().is_some_and(|d| d <= now) {
            let out = self.relay.on_timer(now, &mut self.rng);
            self.relay_out(out);
        }
        if self.sensor.next_deadline().is_some_and(|d| d <= now) {
            let out = self.sensor.on_timer(now, &mut self.rng);
            self.node_out("sensor", out);
        }
        if self.app.next_deadline().is_some_and(|d| d <= now) {
            let out = self.app.on_timer(now, &mut self.rng);
            self.node_out("app", out);
        }
    }

    /// Lets time pass to `t`, running every timer due on the way.
    fn advance(&mut self, t: u64) {
        for _ in 0..10_000 {
            let next = [
                self.relay.next_deadline(),
                self.sensor.next_deadline(),
                self.app.next_deadline(),
            ]
            .into_iter()
            .flatten()
            .filter(|d| *d <= t)
            .min();
            let Some(d) = next else {
                break;
            };
            self.now = d.max(self.now);
            self.settle();
        }
        self.now = t;
    }

    fn presence(&mut self, who: &'static str, state: PresenceState, sleep: Option<u32>) {
        let now = self.now;
        let node = if who == "sensor" {
            &mut self.sensor
        } else {
            &mut self.app
        };
        let (id, out) = node
            .presence(now, &mut self.rng, state, sleep, None)
            .unwrap();
        if who == "sensor" {
            self.sensor_presence.push(id);
        }
        self.node_out(who, out);
        self.settle();
    }

    /// The app's sealed, confirmable invoke to the sensor through the relay.
    fn app_invokes(&mut self, ttl: Option<u32>) -> u64 {
        self.app_invokes_as(ttl, true)
    }

    /// As [`World::app_invokes`], `confirmable` or not.
    fn app_invokes_as(&mut self, ttl: Option<u32>, confirmable: bool) -> u64 {
        let now = self.now;
        let e2e = self
            .app
            .contexts()
            .by_recipient_id(&KeyId::new(&[2]).unwrap());
        let (id, out) = self
            .app
            .request(
                now,
                &mut self.rng,
                "relay",
                Destination::Address(SENSOR.into()),
                e2e,
                &invoke(),
                confirmable,
                ttl,
            )
            .unwrap();
        self.node_out("app", out);
        self.settle();
        id
    }

    /// The sensor's application answers every request it has received.
    fn sensor_answers(&mut self) -> usize {
        let requests: Vec<_> = self
            .sensor_events
            .drain(..)
            .filter_map(|e| match e {
                Event::Request { exchange, .. } => Some(exchange),
                _ => None,
            })
            .collect();
        for exchange in &requests {
            let now = self.now;
            let out = self
                .sensor
                .reply(now, &mut self.rng, *exchange, &response())
                .unwrap();
            self.node_out("sensor", out);
        }
        self.settle();
        requests.len()
    }

    /// The world with the app awake and the sensor asleep for 600 s, both bound at the relay.
    fn with_sleeping_sensor() -> World {
        Self::with_sleeping_sensor_in(World::new())
    }

    /// [`World::with_sleeping_sensor`], the sensor with room for `max_waiting` envelopes waiting
    /// their turn.
    fn with_sleeping_sensor_waiting(max_waiting: usize) -> World {
        let mut w = World::new();
        w.sensor = end_node_waiting(SENSOR, (3, 4), (2, 1), APP, max_waiting);
        Self::with_sleeping_sensor_in(w)
    }

    fn with_sleeping_sensor_in(mut w: World) -> World {
        w.presence("app", PresenceState::Awake, None);
        w.presence("sensor", PresenceState::Asleep, Some(600));
        w
    }

    /// The requests of the app that an `invoke_response` answered, in the order answered.
    fn answered(&self) -> Vec<u64> {
        self.app_replies()
            .into_iter()
            .filter(|(_, b)| matches!(b, Body::InvokeResponse(_)))
            .map(|(r, _)| r)
            .collect()
    }

    /// The status that answered the app's request `id`.
    fn status(&self, id: u64) -> Option<iotp2p_codec::core::owned::Status> {
        self.app_replies().into_iter().find_map(|(r, b)| match b {
            Body::Status(s) if r == id => Some(s),
            _ => None,
        })
    }

    /// A sealed request of the sensor to the relay itself that is not a presence: a receipt.
    fn is_receipt(&self, bytes: &[u8]) -> bool {
        Envelope::decode(bytes).is_ok_and(|e| {
            e.sealed.is_some()
                && e.recipient.is_none()
                && e.correlation_id.is_none()
                && !self.sensor_presence.contains(&e.message_id)
        })
    }

    /// The `message_id`s of the requests the sensor's application received, in order.
    fn requests_to_sensor(&self) -> Vec<u64> {
        self.sensor_events
            .iter()
            .filter_map(|e| match e {
                Event::Request { message_id, .. } => Some(*message_id),
                _ => None,
            })
            .collect()
    }

    fn app_replies(&self) -> Vec<(u64, Body)> {
        self.app_events
            .iter()
            .filter_map(|e| match e {
                Event::Reply { request, body, .. } => Some((*request, body.clone())),
                _ => None,
            })
            .collect()
    }
}

fn invoke() -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 1,
        capability: 6,
        action: 1,
        input: None,
        echo: None,
        unknown_fields: Default::default(),
    })
}

fn response() -> Body {
    Body::InvokeResponse(InvokeResponse {
        output: None,
        unknown_fields: Default::default(),
    })
}

#[test]
fn requests_for_a_sleeping_sensor_are_held_and_delivered_in_order_when_it_wakes() {
    let mut w = World::with_sleeping_sensor();
    assert_eq!(w.relay.bound(SENSOR, w.now), Some(&"sensor"));
    let first = w.app_invokes(Some(3600));
    let second = w.app_invokes(Some(3600));
    assert_eq!(w.relay.held(SENSOR), 2, "held while the sensor sleeps");
    assert_eq!(w.sensor_answers(), 0);
    // The relay acknowledged both: the app does not retransmit.
    assert!(w
        .app_events
        .iter()
        .any(|e| matches!(e, Event::Acknowledged { message_id, .. } if *message_id == second)));

    w.advance(600_000);
    w.presence("sensor", PresenceState::Awake, Some(600));
    let presence_ack = w.sensor_events.iter().find_map(|e| match e {
        Event::Reply {
            body: Body::PresenceAck(a),
            ..
        } => Some(a.pending),
        _ => None,
    });
    assert_eq!(presence_ack, Some(2));
    let order = w.requests_to_sensor();
    assert_eq!(order, [first, second], "in the order first received");
    assert_eq!(w.sensor_answers(), 2);
    // The sensor's receipt deleted both; its replies reached the app.
    assert_eq!(w.relay.held(SENSOR), 0);
    assert_eq!(w.answered(), [first, second]);
}

#[test]
fn a_delivery_without_receipt_is_delivered_again_at_the_next_wake_up() {
    let mut w = World::with_sleeping_sensor();
    let id = w.app_invokes(Some(7200));
    w.advance(600_000);
    w.drop_receipts = true;
    w.presence("sensor", PresenceState::Awake, Some(600));
    w.drop_receipts = false;
    assert_eq!(w.sensor_answers(), 1);
    // Acknowledged on the hop, but no receipt: still held ([IOTP-DLV-108]).
    assert_eq!(w.relay.held(SENSOR), 1);
    w.presence("sensor", PresenceState::Asleep, Some(600));
    w.advance(1_200_000);
    w.presence("sensor", PresenceState::Awake, Some(600));
    // Delivered again; the sensor's engine discards the copy as a duplicate and names it in its
    // receipt, which now arrives.
    assert_eq!(w.relay.held(SENSOR), 0);
    assert_eq!(w.sensor_answers(), 0, "the copy is not a new request");
    assert_eq!(w.answered(), [id]);
}

/// Regression (walk-through seed 567): a device that discards a delivered request for want of room
/// ([IOTP-MSG-144]), for its home relay's retransmission to bring it again, must not name it in its
/// receipt ([IOTP-MSG-123]): the receipt made the relay delete it, and nothing brought it again.
#[test]
fn a_delivery_left_for_want_of_room_is_not_receipted_and_comes_again() {
    // Room for one envelope waiting its turn: the reply owed to the first request takes it.
    let mut w = World::with_sleeping_sensor_waiting(1);
    let first = w.app_invokes(Some(3600));
    let second = w.app_invokes(Some(3600));
    w.advance(600_000);
    w.presence("sensor", PresenceState::Awake, Some(600));
    assert_eq!(w.requests_to_sensor(), [first], "the second is left");
    assert!(
        w.sensor_events.iter().any(|e| matches!(
            e,
            Event::Discarded {
                reason: Discard::NoRoom,
                ..
            }
        )),
        "for want of room: {:?}",
        w.sensor_events
    );
    assert_eq!(w.relay.held(SENSOR), 2, "no receipt named the second");
    assert_eq!(w.sensor_answers(), 1);
    // The relay's retransmission of the second finds room now.
    let t = w.now + 10_000;
    w.advance(t);
    assert_eq!(w.sensor_answers(), 1, "the second came again");
    assert_eq!(w.answered(), [first, second]);
    let t = w.now + 10_000;
    w.advance(t);
    assert_eq!(w.relay.held(SENSOR), 0, "both named in receipts once taken");
}

#[test]
fn after_a_failed_delivery_a_node_that_stays_awake_gets_nothing_until_it_is_heard_from() {
    // [IOTP-DLV-137]: a delivery to a node that announced `Awake` without `sleep_interval` fails; what
    // comes next is held, not passed ahead of the failed envelope ([IOTP-DLV-106]), until a message
    // from the node verifies on its hop. Then the failed envelope goes first ([IOTP-DLV-109]).
    let mut w = World::new();
    w.presence("app", PresenceState::Awake, None);
    w.presence("sensor", PresenceState::Awake, None);
    w.sensor_unreachable = true;
    let first = w.app_invokes(Some(3600));
    // Past every retransmission of the delivery (about 93 s at most, §5.8.2).
    w.advance(300_000);
    w.sensor_unreachable = false;
    let second = w.app_invokes(Some(3600));
    w.advance(400_000);
    assert_eq!(w.sensor_answers(), 0, "nothing goes to a node lost since");
    assert_eq!(w.relay.held(SENSOR), 2);
    w.presence("sensor", PresenceState::Awake, None);
    let order = w.requests_to_sensor();
    assert_eq!(order, [first, second], "the failed envelope first");
    assert_eq!(w.sensor_answers(), 2);
    assert_eq!(w.relay.held(SENSOR), 0);
    assert_eq!(w.answered(), [first, second]);

    // Lost again; this time a request of the sensor to the relay itself ends the wait.
    w.sensor_unreachable = true;
    let third = w.app_invokes(Some(3600));
    let t = w.now + 300_000;
    w.advance(t);
    w.sensor_unreachable = false;
    assert_eq!(w.sensor_answers(), 0);
    let hop = w
        .sensor
        .contexts()
        .by_recipient_id(&KeyId::new(&[4]).unwrap());
    let now = w.now;
    let (_, out) = w
        .sensor
        .request(
            now,
            &mut w.rng,
            "relay",
            Destination::HopPeer,
            hop,
            &invoke(),
            true,
            None,
        )
        .unwrap();
    w.node_out("sensor", out);
    w.settle();
    assert_eq!(
        w.sensor_answers(),
        1,
        "delivered once the sensor was heard from"
    );
    assert_eq!(w.answered(), [first, second, third]);
}

#[test]
fn after_a_failed_delivery_a_node_that_stays_awake_is_delivered_to_once_more_unheard() {
    // [IOTP-DLV-140]: AWAKE_RETRY_DELAY after a failed delivery to a node that stays awake, the relay
    // delivers again without having heard from it, the failed envelope first: a burst of losses
    // that is over by then holds nothing until the node's next `presence`.
    let mut w = World::new();
    w.presence("app", PresenceState::Awake, None);
    w.presence("sensor", PresenceState::Awake, None);
    w.sensor_unreachable = true;
    let first = w.app_invokes(Some(3600));
    // Past every retransmission of the delivery (about 93 s at most, §5.8.2), not yet past the
    // retry.
    w.advance(100_000);
    w.sensor_unreachable = false;
    let second = w.app_invokes(Some(3600));
    assert_eq!(w.sensor_answers(), 0, "held behind the failed one");
    assert_eq!(w.relay.held(SENSOR), 2);
    w.advance(93_000 + AWAKE_RETRY_DELAY + 1_000);
    assert_eq!(
        w.requests_to_sensor(),
        [first, second],
        "the failed one first"
    );
    assert_eq!(w.sensor_answers(), 2);
    assert_eq!(w.answered(), [first, second]);
    assert_eq!(w.relay.held(SENSOR), 0);
}

#[test]
fn an_envelope_whose_delivery_to_an_awake_node_fails_twice_in_a_row_is_given_up() {
    // [IOTP-DLV-139]: a node that stays awake and never acknowledges an envelope (one it cannot
    // open) would have it go first at each time it speaks and fail again, holding back everything
    // behind it. Its second failed delivery, the node heard from in between, gives it up.
    let mut w = World::new();
    w.presence("app", PresenceState::Awake, None);
    w.presence("sensor", PresenceState::Awake, None);
    w.sensor_unreachable = true;
    let first = w.app_invokes(Some(3600));
    w.advance(300_000);
    let second = w.app_invokes(Some(3600));
    assert_eq!(w.relay.held(SENSOR), 2);
    assert!(w.status(first).is_none(), "one failure gives nothing up");
    // Heard from: the first goes again first, and fails again.
    w.presence("sensor", PresenceState::Awake, None);
    let t = w.now + 300_000;
    w.advance(t);
    assert_eq!(
        w.status(first).map(|s| s.code),
        Some(StatusCode::Undeliverable)
    );
    // What was behind it went at once, and failed on the path that is still broken: the node is
    // waited for again, with `second` given up only if it fails again after that.
    assert!(w.status(second).is_none());
    assert_eq!(w.relay.held(SENSOR), 1);
    w.sensor_unreachable = false;
    w.presence("sensor", PresenceState::Awake, None);
    assert_eq!(w.requests_to_sensor(), [second]);
    assert_eq!(w.sensor_answers(), 1);
    assert_eq!(w.answered(), [second]);
    assert_eq!(w.relay.held(SENSOR), 0);
}

#[test]
fn a_request_held_past_its_ttl_is_answered_expired_to_the_app_sealed_under_its_hop_context() {
    let mut w = World::with_sleeping_sensor();
    let id = w.app_invokes(Some(60));
    w.advance(61_000);
    assert_eq!(w.relay.held(SENSOR), 0);
    assert!(w.relay_events.iter().any(|e| matches!(
        e,
        RelayEvent::NonDelivery { message_id, code: StatusCode::Expired, .. } if *message_id == id
    )));
    match w.status(id) {
        Some(s) => {
            assert_eq!(s.code, StatusCode::Expired);
            assert_eq!(s.recipient.as_deref(), Some(SENSOR));
        }
        other => panic!("the app learns that its request expired: {other:?}"),
    }
    // The sealed status opened under the hop context: an authenticated status (§3.8).
    assert!(w
        .app_events
        .iter()
        .any(|e| matches!(e, Event::Reply { request, context: Some(_), body: Body::Status(_), .. } if *request == id)));
}

// [IOTP-MSG-123] [IOTP-SEC-74]
/// A relay that restarted keeps its store and loses its hop contexts: it cannot open the sensor's
/// receipt, and answers it `Unauthenticated` as it would a request. That status is the relay's own
/// reply to what the sensor sent it, not a delivery: named in another receipt, it would be answered
/// `Unauthenticated` again, and so on without end, as fast as the two can send.
#[test]
fn a_relays_unauthenticated_answer_to_a_receipt_is_not_named_in_another() {
    let mut w = World::with_sleeping_sensor();
    w.app_invokes(Some(3600));
    // The request is delivered when the sensor wakes; its receipt is lost.
    w.drop_receipts = true;
    w.presence("sensor", PresenceState::Awake, None);
    let first = w.receipts_sent.clone();
    assert_eq!(first.len(), 1, "one receipt: {first:?}");
    // The relay restarts with no hop context; the receipt's retransmission reaches it.
    w.relay = home_relay_without_contexts();
    w.drop_receipts = false;
    let later = w.now + 10_000;
    w.advance(later);
    assert!(
        w.receipts_sent.iter().all(|id| *id == first[0]),
        "a receipt naming the relay's answer to a receipt: {:?}",
        w.receipts_sent
    );
    assert!(w.receipts_sent.len() >= 2, "the receipt was retransmitted");
}

#[test]
fn beyond_the_holding_limits_a_request_is_answered_queue_full_with_retry_after() {
    let mut w = World::with_sleeping_sensor();
    for _ in 0..16 {
        w.app_invokes(Some(3600));
    }
    assert_eq!(w.relay.held(SENSOR), 16);
    let id = w.app_invokes(Some(3600));
    assert_eq!(
        w.relay.held(SENSOR),
        16,
        "no held request is dropped for another"
    );
    match w.status(id) {
        Some(s) => {
            assert_eq!(s.code, StatusCode::QueueFull);
            assert_eq!(s.retry_after, Some(600));
        }
        other => panic!("QueueFull instead of an acknowledgement: {other:?}"),
    }
}

#[test]
fn only_a_bound_node_sends_through_the_relay_and_copies_are_acknowledged_not_held_twice() {
    let mut w = World::with_sleeping_sensor();
    w.sent_by_app.clear();
    w.app_invokes(Some(3600));
    let invoke = w.sent_by_app[0].clone();
    // The app's envelope replayed from another transport address, which is no bound node's: a request
    // gets `NoRoute`, back to where it came from ([IOTP-DLV-77], [IOTP-DLV-79]).
    let now = w.now;
    let out = w.relay.receive(now, &mut w.rng, &"mallory", &invoke);
    assert!(out.iter().any(|o| matches!(
        o,
        RelayOutput::Event(RelayEvent::Discarded {
            reason: RelayDiscard::NotOwnNode,
            ..
        })
    )));
    let sent: Vec<&str> = out
        .iter()
        .filter_map(|o| match o {
            RelayOutput::Send { to, .. } => Some(*to),
            _ => None,
        })
        .collect();
    assert_eq!(sent, ["mallory"]);
    assert_eq!(w.relay.held(SENSOR), 1);
    // The same envelope again from the app's bound address is a copy of what is held: acknowledged
    // again, not held twice ([IOTP-MSG-119], [IOTP-MSG-120]).
    let out = w.relay.receive(now, &mut w.rng, &"app", &invoke);
    assert!(out.iter().any(|o| matches!(
        o,
        RelayOutput::Event(RelayEvent::Discarded {
            reason: RelayDiscard::Duplicate,
            ..
        })
    )));
    assert!(out
        .iter()
        .any(|o| matches!(o, RelayOutput::Send { to: "app", .. })));
    assert_eq!(w.relay.held(SENSOR), 1);
    // A presence of the sensor replayed from mallory does not open (its replay window): the binding
    // stays where it was ([IOTP-SEC-170]).
    assert_eq!(w.relay.bound(SENSOR, now), Some(&"sensor"));
}

#[test]
fn a_replayed_presence_from_elsewhere_neither_rebinds_nor_draws_held_messages() {
    let mut w = World::new();
    w.presence("app", PresenceState::Awake, None);
    let now = w.now;
    let (id, out) = w
        .sensor
        .presence(now, &mut w.rng, PresenceState::Awake, None, None)
        .unwrap();
    w.sensor_presence.push(id);
    let Some(Output::Send {
        bytes: presence, ..
    }) = out.into_iter().next()
    else {
        panic!("a datagram")
    };
    w.carry("sensor", "relay", presence.clone());
    w.settle();
    w.presence("sensor", PresenceState::Asleep, Some(600));
    w.app_invokes(Some(3600));
    assert_eq!(w.relay.held(SENSOR), 1);
    // The old `Awake` again, from mallory: a replay opens nothing, so the sensor neither rebinds to
    // mallory nor counts as awake ([IOTP-SEC-170]).
    let out = w.relay.receive(w.now, &mut w.rng, &"mallory", &presence);
    let to_mallory = out
        .iter()
        .filter(|o| matches!(o, RelayOutput::Send { to: "mallory", .. }))
        .count();
    assert!(to_mallory <= 1, "at most the cached presence_ack of §5.9");
    assert_eq!(w.relay.bound(SENSOR, w.now), Some(&"sensor"));
    assert_eq!(w.relay.held(SENSOR), 1);
    assert!(w
        .sensor_events
        .iter()
        .all(|e| !matches!(e, Event::Request { .. })));
}

#[test]
fn a_relay_restarted_from_its_store_delivers_what_it_had_accepted() {
    let mut w = World::with_sleeping_sensor();
    let first = w.app_invokes(Some(3600));
    let second = w.app_invokes(Some(3600));
    // What a store following the relay's changes holds: each accepted envelope recorded before its
    // acknowledgement went out.
    let mut store: Vec<StoreChange> = Vec::new();
    for change in w.stored.drain(..) {
        match &change {
            StoreChange::Held { .. } => store.push(change),
            StoreChange::Removed { digests, .. } => store.retain(
                |c| !matches!(c, StoreChange::Held { digest, .. } if digests.contains(digest)),
            ),
            StoreChange::Redirected { digest: d, .. } => {
                store.retain(|c| !matches!(c, StoreChange::Held { digest, .. } if digest == d))
            }
            StoreChange::Outgoing { .. }
            | StoreChange::Forwarded { .. }
            | StoreChange::Retry { .. } => {}
            StoreChange::Registry(_) => {}
        }
    }
    assert_eq!(store.len(), 2);
    // The relay process dies; a new one starts and reads the store back, 10 minutes later on its own
    // clock. Its security contexts died with it (a context is never used again without its Sender
    // Sequence Number), so each node has a new hop context with it, as from a new EDHOC handshake.
    w.relay = home_relay_with((8, 7), (10, 9));
    for (node, ids) in [(&mut w.sensor, (7, 8)), (&mut w.app, (9, 10))] {
        let hop = node
            .add_context(context(ids.0, ids.1), peer("_relay@home.example.org"))
            .unwrap();
        node.set_hop_context(Some(hop));
    }
    w.advance(600_000);
    for change in &store {
        let StoreChange::Held {
            recipient,
            request,
            sender,
            envelope,
            received,
            ..
        } = change
        else {
            unreachable!()
        };
        w.relay
            .restore(
                w.now,
                recipient,
                *request,
                sender.as_deref(),
                envelope,
                w.now - received,
            )
            .unwrap();
    }
    assert_eq!(w.relay.held(SENSOR), 2);
    // Both nodes bind again with their next presence; the sensor wakes and gets both, in order.
    w.presence("app", PresenceState::Awake, None);
    w.presence("sensor", PresenceState::Awake, Some(600));
    assert_eq!(w.sensor_answers(), 2);
    assert_eq!(w.relay.held(SENSOR), 0);
    assert_eq!(w.answered(), [first, second]);
    assert!(w
        .stored
        .iter()
        .any(|c| matches!(c, StoreChange::Removed { digests, .. } if digests.len() == 2)));
}

#[test]
fn an_accepted_envelope_is_recorded_before_its_acknowledgement() {
    let mut w = World::with_sleeping_sensor();
    let e2e = w.app.contexts().by_recipient_id(&KeyId::new(&[2]).unwrap());
    let (_, out) = w
        .app
        .request(
            w.now,
            &mut w.rng,
            "relay",
            Destination::Address(SENSOR.into()),
            e2e,
            &invoke(),
            true,
            Some(3600),
        )
        .unwrap();
    let Some(Output::Send { bytes, .. }) = out.into_iter().next() else {
        panic!("a datagram")
    };
    let now = w.now;
    let out = w.relay.receive(now, &mut w.rng, &"app", &bytes);
    let stored = out
        .iter()
        .position(|o| matches!(o, RelayOutput::Store(StoreChange::Held { .. })));
    let acknowledged = out
        .iter()
        .position(|o| matches!(o, RelayOutput::Send { to: "app", .. }));
    assert!(
        matches!((stored, acknowledged), (Some(s), Some(a)) if s < a),
        "{out:?}"
    );
}

/// Regression: two requests of the app awaited replies with the same `message_id` through the same
/// hop peer (an invoke under its end-to-end context, a presence under a new hop context), and the
/// engine tried the relay's `presence_ack` only under the first request's context and discarded it:
/// the app never saw it, and retransmitted its presence until it gave up ([IOTP-MSG-39]). The
/// invoke is not confirmable here: a confirmable one's `message_id` is kept off the presence's
/// ([IOTP-MSG-142]), but a request that waits for its reply for an hour outlives that record.
#[test]
fn a_reply_is_matched_to_its_request_when_another_awaits_one_with_the_same_message_id() {
    let mut w = World::with_sleeping_sensor();
    // The app's attachment left 0 among the identifiers it keeps confirmable envelopes off towards
    // the relay: the presence takes 1, and so does the second invoke.
    let first = w.app_invokes_as(Some(3600), false);
    let invoke = w.app_invokes_as(Some(3600), false);
    w.relay
        .service_mut()
        .add_context(context(10, 9), peer(APP))
        .unwrap();
    let hop = w
        .app
        .add_context(context(9, 10), peer("_relay@home.example.org"))
        .unwrap();
    w.app.set_hop_context(Some(hop));
    w.app_events.clear();
    let now = w.now;
    let (presence, out) = w
        .app
        .presence(now, &mut w.rng, PresenceState::Awake, None, None)
        .unwrap();
    assert_eq!(
        presence, invoke,
        "the same message_id under another context"
    );
    w.node_out("app", out);
    w.settle();
    assert!(
        w.app_events.iter().any(|e| matches!(
            e,
            Event::Reply { request, context: Some(c), body: Body::PresenceAck(_), .. }
                if *request == presence && *c == hop
        )),
        "{:?}",
        w.app_events
    );
    // The invoke still awaits its reply, which comes once the sensor wakes.
    w.presence("sensor", PresenceState::Awake, Some(600));
    assert_eq!(w.sensor_answers(), 2);
    assert_eq!(w.answered(), [first, invoke]);
}

/// The app sends an unsealed, non-confirmable invoke for an address of another domain: its
/// `message_id`.
fn app_sends_far(w: &mut World) -> u64 {
    app_sends_far_as(w, false)
}

/// The app sends an unsealed invoke, `confirmable` or not, for an address of another domain: its
/// `message_id`.
fn app_sends_far_as(w: &mut World, confirmable: bool) -> u64 {
    app_sends_far_with(w, confirmable, None)
}

/// As [`app_sends_far_as`], with `ttl`.
fn app_sends_far_with(w: &mut World, confirmable: bool, ttl: Option<u32>) -> u64 {
    let now = w.now;
    let (id, out) = w
        .app
        .request(
            now,
            &mut w.rng,
            "relay",
            Destination::Address("far@example.net".into()),
            None,
            &invoke(),
            confirmable,
            ttl,
        )
        .unwrap();
    w.node_out("app", out);
    w.settle();
    id
}

#[test]
fn a_node_over_its_rate_limit_gets_busy_with_retry_after_and_nothing_is_forwarded() {
    let mut w = World::with_sleeping_sensor();
    let ids: Vec<u64> = (0..33).map(|_| app_sends_far(&mut w)).collect();
    // RELAY_BURST_MIN at once ([IOTP-DLV-123]), then `Busy` ([IOTP-DLV-124]).
    assert_eq!(w.forwarded.len(), 32);
    let busy = w.status(ids[32]).expect("a status for the 33rd");
    assert_eq!(busy.code, StatusCode::Busy);
    assert_eq!(busy.retry_after, Some(1));
    // A quarter of a second later, RELAY_RATE_MIN has brought one more.
    w.advance(w.now + 250);
    app_sends_far(&mut w);
    assert_eq!(w.forwarded.len(), 33);
}

/// The datagrams among `out` that go to `to`.
fn sent_to(out: &[RelayOutput<&'static str>], to: &str) -> Vec<Vec<u8>> {
    out.iter()
        .filter_map(|o| match o {
            RelayOutput::Send { to: t, bytes } if *t == to => Some(bytes.clone()),
            _ => None,
        })
        .collect()
}

// [IOTP-DLV-128] [IOTP-MSG-46] [IOTP-MSG-48]
#[test]
fn a_forward_is_retransmitted_until_the_next_relay_acknowledges_it() {
    let mut w = World::with_sleeping_sensor();
    let id = app_sends_far_as(&mut w, true);
    let (domain, bytes) = w.forwarded.pop().expect("forwarded");
    assert_eq!(domain, "example.net");
    assert!(Envelope::decode(&bytes).unwrap().ack_requested);
    let out = w.relay.forward_to(
        w.now,
        &mut w.rng,
        "example.net",
        vec!["far relay"],
        bytes.clone(),
    );
    assert_eq!(sent_to(&out, "far relay"), vec![bytes.clone()]);
    // Lost: the same bytes again when the timer runs out, and again, longer after.
    for _ in 0..2 {
        let at = w.relay.next_deadline().expect("a retransmission timer");
        w.now = at;
        let out = w.relay.on_timer(at, &mut w.rng);
        assert_eq!(sent_to(&out, "far relay"), vec![bytes.clone()]);
    }
    let mut far = Node::new(Config::default(), 0);
    let ack = far.acknowledgement(&"relay", id);
    let [Output::Send { bytes: ack, .. }] = ack.as_slice() else {
        panic!("one acknowledgement: {ack:?}");
    };
    let out = w.relay.receive(w.now, &mut w.rng, &"far relay", ack);
    assert!(sent_to(&out, "far relay").is_empty());
    assert_eq!(w.relay.under_way(), 0);
    // Kept before its acknowledgement, let go at the next relay's, under one digest.
    let kept = w
        .stored
        .iter()
        .position(|c| matches!(c, StoreChange::Outgoing { .. }));
    let Some(StoreChange::Outgoing { digest, domain, .. }) = kept.map(|i| &w.stored[i]) else {
        panic!("kept for forwarding: {:?}", w.stored);
    };
    assert_eq!(domain, "example.net");
    assert!(out.iter().any(|o| matches!(
        o,
        RelayOutput::Store(StoreChange::Forwarded { digest: d }) if d == digest
    )));
    assert!(w.relay.next_deadline().is_none_or(|d| d > w.now + 60_000));
}

#[test]
fn a_reply_from_the_next_relay_ends_the_forwards_retransmission() {
    // [IOTP-MSG-42]: a reply that comes back from the relay a request was forwarded to, addressed to
    // the request's sender, acknowledges the forward, as on a node's hop. When every acknowledgement
    // of the forward is lost, the reply ends its retransmission; a reply for another recipient with
    // the same `correlation_id` does not.
    let mut w = World::with_sleeping_sensor();
    w.relay.add_relay_peer("far relay", "example.net");
    let id = app_sends_far_as(&mut w, true);
    let (_, bytes) = w.forwarded.pop().expect("forwarded");
    let out = w.relay.forward_to(
        w.now,
        &mut w.rng,
        "example.net",
        vec!["far relay"],
        bytes.clone(),
    );
    assert_eq!(sent_to(&out, "far relay"), vec![bytes]);
    let response = InvokeResponse {
        output: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .unwrap();
    let reply_to = |recipient: &'static str, message_id: u64| {
        Envelope {
            correlation_id: Some(id),
            ack_requested: true,
            recipient: Some(recipient),
            sender: Some("far@example.net"),
            body: Some(iotp2p_codec::core::Body::InvokeResponse(
                iotp2p_codec::core::InvokeResponse::decode(&response).unwrap(),
            )),
            ..Envelope::new(message_id)
        }
        .encode_to_vec()
        .unwrap()
    };
    let now = w.now;
    w.relay
        .receive(now, &mut w.rng, &"far relay", &reply_to(SENSOR, 70));
    assert_eq!(w.relay.under_way(), 1, "a reply for another recipient");
    let out = w
        .relay
        .receive(now, &mut w.rng, &"far relay", &reply_to(APP, 71));
    assert_eq!(w.relay.under_way(), 0, "the reply acknowledged the forward");
    assert!(!sent_to(&out, "app").is_empty(), "and goes on to the app");
}

#[test]
fn between_relays_an_acknowledgement_names_the_sender_and_ends_only_that_senders_envelope() {
    // [IOTP-MSG-146]: the relay acknowledges what another relay sends it naming the sender.
    // [IOTP-MSG-147]: an acknowledgement that names a sender ends the envelope of that sender under
    // way, no other, and is never forwarded.
    let mut w = World::with_sleeping_sensor();
    w.relay.add_relay_peer("far relay", "example.net");
    let body = invoke().encode_to_vec().unwrap();
    let bytes = Envelope {
        ack_requested: true,
        recipient: Some(SENSOR),
        sender: Some("far@example.net"),
        body: Some(iotp2p_codec::core::Body::decode(&body).unwrap()),
        ..Envelope::new(42)
    }
    .encode_to_vec()
    .unwrap();
    let now = w.now;
    let out = w.relay.receive(now, &mut w.rng, &"far relay", &bytes);
    let [ack] = sent_to(&out, "far relay")
        .try_into()
        .expect("one acknowledgement");
    let ack = Envelope::decode(&ack).unwrap();
    assert_eq!(ack.body, Some(iotp2p_codec::core::Body::Ack));
    assert_eq!(
        (ack.correlation_id, ack.recipient),
        (Some(42), Some("far@example.net"))
    );

    let id = app_sends_far_as(&mut w, true);
    let (_, forward) = w.forwarded.pop().expect("forwarded");
    w.relay
        .forward_to(w.now, &mut w.rng, "example.net", vec!["far relay"], forward);
    let mut far = Node::new(Config::default(), 0);
    let mut named = |sender| {
        let out = far.acknowledgement_naming(&"relay", id, Some(sender));
        let [Output::Send { bytes, .. }] = out.as_slice() else {
            panic!("one acknowledgement: {out:?}");
        };
        bytes.clone()
    };
    let (for_sensor, for_app) = (named(SENSOR), named(APP));
    let out = w.relay.receive(now, &mut w.rng, &"far relay", &for_sensor);
    assert_eq!(w.relay.under_way(), 1, "another sender's acknowledgement");
    assert!(
        out.iter().all(|o| !matches!(o, RelayOutput::Send { .. })),
        "never forwarded: {out:?}"
    );
    w.relay.receive(now, &mut w.rng, &"far relay", &for_app);
    assert_eq!(w.relay.under_way(), 0, "the app's forward acknowledged");
}

/// The app's confirmable invoke for `far@example.net` with `ttl`, as the relay forwards it: its
/// `message_id` and the forward's bytes.
fn app_forwards(w: &mut World, ttl: Option<u32>) -> (u64, Vec<u8>) {
    let id = app_sends_far_with(w, true, ttl);
    (id, w.forwarded.pop().expect("forwarded").1)
}

/// A world in which every datagram to `relays` is lost, and each forward the relay puts out is
/// handed back with `relays` at once, as a caller that resolves the domain does: runs until `t`,
/// and returns the times of the attempts (their first transmission) and of their failures.
fn attempts_until(
    w: &mut World,
    relays: &[&'static str],
    first: Vec<u8>,
    t: u64,
) -> (Vec<u64>, Vec<u64>) {
    attempts(w, relays, vec![first], t, usize::MAX)
}

/// As [`attempts_until`] with the forwards `first` (none: those already under way), stopping once
/// the `most`-th attempt started (its first transmission on the wire).
fn attempts(
    w: &mut World,
    relays: &[&'static str],
    first: Vec<Vec<u8>>,
    t: u64,
    most: usize,
) -> (Vec<u64>, Vec<u64>) {
    let (mut started, mut failed) = (Vec::new(), Vec::new());
    let mut pending = first;
    loop {
        for bytes in pending.drain(..) {
            started.push(w.now);
            let out = w
                .relay
                .forward_to(w.now, &mut w.rng, "example.net", relays.to_vec(), bytes);
            w.relay_out(out);
        }
        if started.len() >= most {
            break;
        }
        let retries_before = w.stored.len();
        let next = w.relay.next_deadline().filter(|d| *d <= t);
        let Some(at) = next else { break };
        w.now = at;
        let out = w.relay.on_timer(at, &mut w.rng);
        w.relay_out(out);
        // What goes to `relays` is lost; what goes to the app reaches it.
        w.settle();
        if w.stored[retries_before..]
            .iter()
            .any(|c| matches!(c, StoreChange::Retry { .. }))
        {
            failed.push(at);
        }
        pending.extend(w.forwarded.drain(..).map(|(d, b)| {
            assert_eq!(d, "example.net");
            b
        }));
    }
    (started, failed)
}

/// The waits the relay recorded for a store ([`StoreChange::Retry`]): digest, failed attempts,
/// time of the next.
fn retries_stored(w: &World) -> Vec<(Digest, u32, u64)> {
    w.stored
        .iter()
        .filter_map(|c| match c {
            StoreChange::Retry {
                digest,
                failed,
                next,
            } => Some((*digest, *failed, *next)),
            _ => None,
        })
        .collect()
}

// [IOTP-DLV-52] [IOTP-DLV-51] [IOTP-DLV-131]
#[test]
fn a_forward_no_relay_acknowledges_is_tried_again_after_60_s_doubling_to_3600_s() {
    let mut w = World::with_sleeping_sensor();
    let (_, bytes) = app_forwards(&mut w, None);
    let (started, failed) =
        attempts_until(&mut w, &["far relay", "other relay"], bytes, 6 * 3_600_000);
    // Each attempt tries both relays in order before it fails ([IOTP-DLV-51]), then waits.
    let waits: Vec<u64> = started[1..]
        .iter()
        .zip(&failed)
        .map(|(next, fail)| (next - fail) / 1000)
        .collect();
    assert_eq!(waits[..8], [60, 120, 240, 480, 960, 1920, 3600, 3600]);
    // Each retry recorded with its count and time, for a store ([IOTP-DLV-131]).
    let retries = retries_stored(&w);
    assert_eq!((retries[0].1, retries[0].2), (1, failed[0] + 60_000));
    assert_eq!((retries[2].1, retries[2].2), (3, failed[2] + 240_000));
    assert_eq!(w.relay.retrying_count() + w.relay.under_way(), 1);
}

// [IOTP-DLV-52] [IOTP-MSG-65] [IOTP-MSG-47]
#[test]
fn a_forward_is_delivered_on_its_third_attempt_with_its_ttl_decreased_and_only_once() {
    let mut w = World::with_sleeping_sensor();
    let start = w.now;
    let (id, bytes) = app_forwards(&mut w, Some(3_600));
    // Two attempts fail; the third is on the wire.
    let (started, failed) = attempts(&mut w, &["far relay"], vec![bytes], u64::MAX, 3);
    assert_eq!((started.len(), failed.len()), (3, 2));
    let [(_, _, third)] = w.wire.make_contiguous() else {
        panic!("the third attempt's first transmission: {:?}", w.wire);
    };
    // The same message, its `ttl` less the time it was kept, rounded up ([IOTP-MSG-65]).
    let third = Envelope::decode(third).unwrap();
    let kept = (started[2] - start).div_ceil(1000) as u32;
    assert_eq!((third.message_id, third.ttl), (id, Some(3_600 - kept)));
    let mut far = Node::new(Config::default(), 0);
    let ack = far.acknowledgement(&"relay", id);
    let [Output::Send { bytes: ack, .. }] = ack.as_slice() else {
        panic!("one acknowledgement: {ack:?}");
    };
    let out = w.relay.receive(w.now, &mut w.rng, &"far relay", ack);
    assert!(out
        .iter()
        .any(|o| matches!(o, RelayOutput::Store(StoreChange::Forwarded { .. }))));
    assert_eq!(w.relay.under_way() + w.relay.retrying_count(), 0);
    // Nothing goes again, and the app hears no status.
    w.wire.clear();
    w.advance(w.now + 7_200_000);
    assert!(w.forwarded.is_empty());
    assert!(w.wire.iter().all(|(_, to, _)| *to != "far relay"));
    assert!(w.status(id).is_none());
}

// [IOTP-DLV-53] [IOTP-DLV-52] [IOTP-DLV-132]
#[test]
fn a_forward_whose_ttl_runs_out_while_it_waits_is_answered_expired() {
    let mut w = World::with_sleeping_sensor();
    let start = w.now;
    let (id, bytes) = app_forwards(&mut w, Some(600));
    let (started, _) = attempts_until(&mut w, &["far relay"], bytes, start + 3_600_000);
    // Attempts at 0, ~105 s, ~270 s (after 60 s, 120 s): the fourth would come after 600 s.
    assert!(started.len() <= 4 && started.iter().all(|t| *t < start + 600_000));
    assert_eq!(w.relay.retrying_count() + w.relay.under_way(), 0);
    w.settle();
    let status = w.status(id).expect("the app hears of it");
    assert_eq!(status.code, StatusCode::Expired);
    assert!(w
        .stored
        .iter()
        .any(|c| matches!(c, StoreChange::Forwarded { .. })));
}

// [IOTP-DLV-53] [IOTP-DLV-38]
#[test]
fn a_forward_without_ttl_is_answered_undeliverable_when_the_hold_time_ends() {
    let mut w = World::with_sleeping_sensor();
    let start = w.now;
    let (id, bytes) = app_forwards(&mut w, None);
    let hold = u64::from(w.relay.config().limits.max_hold_time) * 1000;
    let (_, failed) = attempts_until(&mut w, &["far relay"], bytes, start + hold + 1);
    assert!(failed.len() > 20, "tried all day: {}", failed.len());
    assert_eq!(w.relay.retrying_count() + w.relay.under_way(), 0);
    // The app's exchange ended long ago; the relay's status went to its address all the same.
    let codes: Vec<StatusCode> = w
        .relay_events
        .iter()
        .filter_map(|e| match e {
            RelayEvent::NonDelivery {
                message_id, code, ..
            } if *message_id == id => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(codes, [StatusCode::Undeliverable]);
}

// [IOTP-DLV-133] [IOTP-DLV-52] [IOTP-DLV-131]
#[test]
fn beyond_the_retry_queues_bound_a_failed_forward_is_answered_undeliverable_at_once() {
    let mut w = World::with_sleeping_sensor();
    let (id, bytes) = app_forwards(&mut w, None);
    let env = Envelope::decode(&bytes).unwrap();
    let config = w.relay.config();
    let bound = config.max_nodes * config.limits.max_messages as usize;
    // The queue filled as a store puts it back after a restart: other messages, due in 3 hours.
    let mut restore = |n: u64, wait: u64| {
        let message_id = 1_000_000 + n;
        let other = Envelope { message_id, ..env }.encode_to_vec().unwrap();
        let relay = &mut w.relay;
        let (_, out) = relay
            .restore_forward(w.now, &mut w.rng, "example.net", &other, 0, 5, wait)
            .unwrap();
        out
    };
    for n in 0..bound as u64 {
        let out = restore(n, 10_800_000);
        assert!(out.is_empty(), "{out:?}");
    }
    let out = restore(bound as u64, 0);
    assert!(
        out.iter()
            .any(|o| matches!(o, RelayOutput::Store(StoreChange::Forwarded { .. }))),
        "one more is let go: {out:?}"
    );
    assert_eq!(w.relay.retrying_count(), bound);
    // The app's forward fails its first attempt with no room to wait: answered at once.
    let until = w.now + 200_000;
    let (_, failed) = attempts_until(&mut w, &["far relay"], bytes, until);
    assert!(failed.is_empty());
    let status = w.status(id).expect("the app hears of it");
    assert_eq!(status.code, StatusCode::Undeliverable);
    assert_eq!(w.relay.retrying_count(), bound);
}

// [IOTP-DLV-52] [IOTP-MSG-45] [IOTP-DLV-131] [IOTP-DLV-32]
#[test]
fn two_forwards_for_one_down_relay_take_turns_in_their_flow_and_each_waits_its_own_back_off() {
    let mut w = World::with_sleeping_sensor();
    let (first, one) = app_forwards(&mut w, None);
    let (second, two) = app_forwards(&mut w, None);
    // One sender, one recipient: the second waits for its turn behind the first, whatever the
    // relay pair's window (the order of a flow, [IOTP-DLV-32]).
    for (bytes, goes) in [(one, true), (two, false)] {
        let relays = vec!["far relay"];
        let out = w
            .relay
            .forward_to(w.now, &mut w.rng, "example.net", relays, bytes);
        assert_eq!(
            sent_to(&out, "far relay").len(),
            usize::from(goes),
            "{out:?}"
        );
        w.relay_out(out);
    }
    let until = w.now + 400_000;
    let (_, failed) = attempts(&mut w, &["far relay"], Vec::new(), until, usize::MAX);
    // Each failed in turn and waits with its own count: neither is lost nor answered.
    let retries = retries_stored(&w);
    let digests: BTreeSet<Digest> = retries.iter().map(|r| r.0).collect();
    assert_eq!(digests.len(), 2, "{retries:?}");
    assert!(failed.len() >= 3, "{failed:?}");
    assert_eq!(w.relay.retrying_count() + w.relay.under_way(), 2);
    assert!(w.status(first).is_none() && w.status(second).is_none());
}

// [IOTP-DLV-4] [IOTP-DLV-52]
#[test]
fn a_forward_for_a_domain_without_relay_is_answered_no_route_and_not_retried() {
    let mut w = World::with_sleeping_sensor();
    let (id, bytes) = app_forwards(&mut w, None);
    let out = w
        .relay
        .forward_to(w.now, &mut w.rng, "example.net", Vec::new(), bytes);
    assert!(out
        .iter()
        .any(|o| matches!(o, RelayOutput::Store(StoreChange::Forwarded { .. }))));
    w.relay_out(out);
    w.settle();
    assert_eq!(w.relay.retrying_count() + w.relay.under_way(), 0);
    assert_eq!(w.status(id).expect("answered").code, StatusCode::NoRoute);
}

// [IOTP-DLV-128] [IOTP-MSG-63]
#[test]
fn a_non_confirmable_forward_goes_once_and_is_not_tried_again() {
    let mut w = World::with_sleeping_sensor();
    let id = app_sends_far(&mut w);
    let (_, bytes) = w.forwarded.pop().expect("forwarded");
    let out = w
        .relay
        .forward_to(w.now, &mut w.rng, "example.net", vec!["far relay"], bytes);
    assert_eq!(sent_to(&out, "far relay").len(), 1);
    assert_eq!(w.relay.under_way() + w.relay.retrying_count(), 0);
    w.advance(w.now + 200_000);
    assert!(w.status(id).is_none());
    assert!(w.forwarded.is_empty());
}

// [IOTP-UDP-24]
#[test]
fn non_confirmable_forwards_to_a_relay_stay_within_its_window_per_round_trip() {
    use iotp2p_protocol::params::INITIAL_WINDOW_RELAY;
    let mut w = World::with_sleeping_sensor();
    app_sends_far(&mut w);
    let (_, bytes) = w.forwarded.pop().expect("forwarded");
    let sent = |w: &mut World| {
        (0..10)
            .map(|_| {
                let out = w.relay.forward_to(
                    w.now,
                    &mut w.rng,
                    "example.net",
                    vec!["far relay"],
                    bytes.clone(),
                );
                sent_to(&out, "far relay").len()
            })
            .sum::<usize>()
    };
    // Best effort: beyond the window of a round trip, dropped, never held for later.
    assert_eq!(sent(&mut w), INITIAL_WINDOW_RELAY);
    assert_eq!(w.relay.under_way() + w.relay.retrying_count(), 0);
    // The next round trip (ACK_TIMEOUT before any is measured) has room again.
    w.now += Config::default().timing.ack_timeout;
    assert_eq!(sent(&mut w), INITIAL_WINDOW_RELAY);
}

// [IOTP-DLV-134] [IOTP-MSG-42] [IOTP-MSG-46]
#[test]
fn a_reply_that_came_non_confirmable_is_retransmitted_to_the_next_relay_until_acknowledged() {
    // The reply of a node that piggybacked the acknowledgement of the relay's delivery: it came
    // without `ack_requested`, and every hop before it has acknowledged the request it answers.
    let mut w = World::with_sleeping_sensor();
    let request_id = app_sends_far_as(&mut w, true);
    let (_, request) = w.forwarded.pop().expect("forwarded");
    let request = Envelope::decode(&request).unwrap();
    let reply_id = 77;
    let reply = Envelope {
        message_id: reply_id,
        correlation_id: Some(request_id),
        ack_requested: false,
        recipient: request.sender,
        sender: request.recipient,
        ..request
    }
    .encode_to_vec()
    .unwrap();
    let out = w
        .relay
        .forward_to(w.now, &mut w.rng, "example.net", vec!["far relay"], reply);
    let sent = sent_to(&out, "far relay");
    assert_eq!(sent.len(), 1, "{out:?}");
    let first = Envelope::decode(&sent[0]).unwrap();
    assert!(first.ack_requested, "carried confirmable");
    assert_eq!(first.correlation_id, Some(request_id));
    // Lost: again when the timer runs out, byte for byte.
    let at = w.relay.next_deadline().expect("a retransmission timer");
    w.now = at;
    let again = w.relay.on_timer(at, &mut w.rng);
    assert_eq!(sent_to(&again, "far relay"), sent);
    // The next relay's acknowledgement ends it.
    let mut far = Node::new(Config::default(), 0);
    let ack = far.acknowledgement(&"relay", reply_id);
    let [Output::Send { bytes: ack, .. }] = ack.as_slice() else {
        panic!("one acknowledgement: {ack:?}");
    };
    w.relay.receive(w.now, &mut w.rng, &"far relay", ack);
    assert_eq!(w.relay.under_way(), 0);
}

// [IOTP-DLV-70] [IOTP-DLV-130]
#[test]
fn what_a_moved_node_had_held_is_kept_as_a_forward_before_it_leaves_the_queue() {
    let mut w = World::with_sleeping_sensor();
    w.app_invokes(None);
    assert_eq!(w.relay.held(SENSOR), 1);
    let held = w
        .stored
        .iter()
        .find_map(|c| match c {
            StoreChange::Held { digest, .. } => Some(*digest),
            _ => None,
        })
        .expect("held");
    let (served, out) =
        w.relay
            .moved_away(w.now, SENSOR, "sensor@elsewhere.example", w.now + 60_000);
    assert!(served);
    let at = |f: &dyn Fn(&RelayOutput<&'static str>) -> bool| out.iter().position(f);
    let kept = at(&|o| {
        matches!(o, RelayOutput::Store(StoreChange::Outgoing { digest, domain, .. })
            if *digest == held && domain == "elsewhere.example")
    });
    let gone = at(&|o| matches!(o, RelayOutput::Store(StoreChange::Removed { .. })));
    let sent = at(&|o| matches!(o, RelayOutput::Forward { .. }));
    assert!(kept < gone && gone < sent, "{out:?}");
    assert!(kept.is_some());
}
