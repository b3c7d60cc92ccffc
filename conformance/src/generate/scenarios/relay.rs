//! Scenarios of a home relay under test (spec chapter 3, §5.9.2 to §5.11, §8.7.1): the relay of
//! `home.example.org` serves a sensor and an app of its domain, each with a hop context with it; the
//! runner plays both nodes, the relay of `example.net` (an authenticated relay) and a stranger.
//!
//! The relay never opens what the app seals for the sensor: the runner seals it under a context
//! `e2e` that only the runner holds (`runner_only`), and opens the relay's statuses about the app's
//! requests, sealed under the app's hop context, with that request's key in their associated data.
//! What a relay may choose is left free: contact numbers, once the sensor knows the app's address (a
//! receipt names the delivered envelopes as the relay wrote them), the order of a `presence_ack` and
//! the first delivery, and the `retry_after` of `QueueFull`.

use serde_json::{json, Value};

use super::*;
use crate::scenario::{RelayPeerSetup, RelayRole};
use crate::vector::Vector;

const DOMAIN: &str = "home.example.org";
const SERVICE: &str = "_relay@home.example.org";
const SENSOR: &str = "sensor@home.example.org";
const APP_HERE: &str = "app@home.example.org";
const FAR: &str = "far@example.net";

/// The first Sender Sequence Numbers of the runner's sides: the sensor's hop context, the app's, and
/// the app's end-to-end context with the sensor.
const SENSOR_HOP: u64 = 10;
const APP_HOP: u64 = 20;
const E2E: u64 = 30;

fn context(name: &str, peer: &str, node_id: &str, peer_id: &str, peer_ssn: u64) -> ContextSetup {
    ContextSetup {
        name: name.into(),
        peer: peer.into(),
        kind: "ordinary".into(),
        master_secret: "0f0e0d0c0b0a09080706050403020100".into(),
        master_salt: "5a5a5a5a5a5a5a5a".into(),
        node_id: node_id.into(),
        peer_id: peer_id.into(),
        node_ssn: 0,
        peer_ssn,
        peer_address: Some(
            match peer {
                "sensor" => SENSOR,
                _ => APP_HERE,
            }
            .into(),
        ),
        window_lost: false,
        runner_only: false,
        peer_node: None,
    }
}

/// A scenario with the relay of `home.example.org` under test.
fn relay(id: &str, description: &str, requirements: &[&str]) -> Builder {
    Builder::lamp(id, description, requirements)
        .needs("relay")
        .node(|n| {
            n.address = Some(SERVICE.into());
            n.home_relay = None;
            n.capabilities = Vec::new();
            n.contexts = vec![
                context("sensor-hop", "sensor", "0a", "0b", SENSOR_HOP),
                context("app-hop", "app", "0c", "0d", APP_HOP),
                ContextSetup {
                    runner_only: true,
                    ..context("e2e", "app", "02", "01", E2E)
                },
            ];
            n.relay = Some(RelayRole {
                domain: DOMAIN.into(),
                registered: vec![SENSOR.into(), APP_HERE.into()],
                relays: vec![RelayPeerSetup {
                    label: "relay-b".into(),
                    domain: "example.net".into(),
                }],
            });
        })
}

/// A node's presence, sealed under its hop context, confirmable.
fn presence(node: &str, state: &str, sleep_interval: Option<u32>) -> Step {
    let mut body = json!({"state": state});
    if let Some(s) = sleep_interval {
        body["sleep_interval"] = s.into();
    }
    sealed(
        node,
        &format!("{node}-hop"),
        json!({"ack_requested": true}),
        json!({ "presence": body }),
    )
}

/// The relay's `presence_ack` to `node`, sealed under their hop context, with `pending` held.
fn presence_ack(node: &str, pending: u32) -> SendPattern {
    let pending: Value = if pending == 0 {
        ABSENT.into()
    } else {
        pending.into()
    };
    SendPattern {
        to: node.into(),
        envelope: json!({"correlation_id": ANY, "recipient": ABSENT, "body": ABSENT}),
        opens: Some(Opens {
            context: format!("{node}-hop"),
            answers: None,
            recipient: None,
            body: json!({"presence_ack": {"pending": pending}}),
        }),
        hex: None,
        same_as: None,
    }
}

const ANY: &str = crate::runner::scenario::ANY;

/// The app's invoke for `recipient`, sealed end to end, confirmable, with `ttl`.
fn app_invokes(recipient: &str, ttl: u32) -> Step {
    sealed(
        "app",
        "e2e",
        json!({"recipient": recipient, "ack_requested": true, "ttl": ttl}),
        invoke(),
    )
}

fn invoke() -> Value {
    json!({"invoke": {"endpoint": 1, "capability": 6, "action": 1}})
}

/// The relay delivers the app's request `message_id` to the sensor: confirmable, without
/// `recipient` (the sensor is the hop peer), `more` as given, `ttl` decreased by the time held.
fn delivered(message_id: u64, more: bool, ttl: u64) -> SendPattern {
    to(
        "sensor",
        json!({
            "message_id": message_id,
            "correlation_id": ABSENT,
            "ack_requested": true,
            "recipient": ABSENT,
            "recipient_contact": ABSENT,
            "more": if more { Value::Bool(true) } else { ABSENT.into() },
            "ttl": ttl,
            "key_id": "01",
        }),
    )
}

/// The sensor's hop acknowledgement of the delivered `message_id`.
fn sensor_acks(message_id: u64) -> Step {
    plain(
        "sensor",
        json!({"message_id": 900 + message_id, "correlation_id": message_id, "body": {"ack": null}}),
    )
}

/// The sensor's receipt, sealed under its hop context, naming the delivered requests.
fn receipt(message_ids: &[u64]) -> Step {
    with(
        sealed(
            "sensor",
            "sensor-hop",
            json!({"ack_requested": true}),
            json!({}),
        ),
        |s| s.receipt_of = Some(message_ids.to_vec()),
    )
}

/// The relay's status `status` about the app's request `message_id`, sealed under the app's hop
/// context (§8.7, [IOTP-SEC-93]), the request's key in its associated data.
fn status_to_app(message_id: u64, status: Value) -> SendPattern {
    SendPattern {
        to: "app".into(),
        envelope: json!({"correlation_id": message_id, "body": ABSENT, "key_id": "0c"}),
        opens: Some(Opens {
            context: "app-hop".into(),
            answers: Some("e2e".into()),
            recipient: None,
            body: json!({ "status": status }),
        }),
        hex: None,
        same_as: None,
    }
}

/// Either order of two datagrams sent in one step.
fn both(why: &str, a: SendPattern, b: SendPattern) -> Step {
    expecting(expect(why, vec![a.clone(), b.clone()]), |e| {
        e.or = vec![vec![b, a]]
    })
}

/// The app and the sensor bind their hops: the app awake, the sensor asleep for 600 s.
fn bound(builder: Builder) -> Builder {
    builder
        .step(presence("app", "Awake", None))
        .step(expect(
            "the relay answers the app's presence",
            vec![presence_ack("app", 0)],
        ))
        .step(presence("sensor", "Asleep", Some(600)))
        .step(expect(
            "the relay answers the sensor's presence",
            vec![presence_ack("sensor", 0)],
        ))
}

/// The app's invoke for the sensor, held while it sleeps, then delivered when it wakes up.
fn held_then_delivered(builder: Builder) -> Builder {
    builder
        .step(app_invokes(SENSOR, 3600))
        .step(expect("held", vec![ack("app", E2E)]))
        .step(presence("sensor", "Awake", Some(600)))
        .step(both(
            "delivered at once",
            presence_ack("sensor", 1),
            delivered(E2E, false, 3600),
        ))
}

fn held_until_awake() -> Vector {
    bound(relay(
        "dlv.held-until-awake",
        "two requests of the app for the sleeping sensor are acknowledged and held; when the sensor \
         wakes they go to it one after the other, in the order received, confirmable, with `more` on \
         the first, `ttl` decreased by the 10 s held, `message_id`, `key_id` and `sealed` unchanged; \
         its receipt deletes both, and the next wake-up finds nothing held",
        &[
            "IOTP-DLV-105",
            "IOTP-DLV-106",
            "IOTP-DLV-43",
            "IOTP-MSG-71",
            "IOTP-MSG-65",
            "IOTP-MSG-63",
            "IOTP-MSG-129",
            "IOTP-MSG-132",
            "IOTP-DLV-107",
        ],
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect(
        "the relay takes responsibility: an acknowledgement, nothing to the sleeping sensor",
        vec![ack("app", E2E)],
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect("the second, the same", vec![ack("app", E2E + 1)]))
    .step(at(10_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(both(
        "the presence_ack says two are held, and the first goes with `more`",
        presence_ack("sensor", 2),
        delivered(E2E, true, 3590),
    ))
    .step(sensor_acks(E2E))
    .step(expect(
        "the next once the first is acknowledged, without `more`",
        vec![delivered(E2E + 1, false, 3590)],
    ))
    .step(sensor_acks(E2E + 1))
    .step(silence("nothing further is held"))
    .step(receipt(&[E2E, E2E + 1]))
    .step(expect(
        "a receipt is answered by a hop acknowledgement and nothing else",
        vec![ack("sensor", SENSOR_HOP + 2)],
    ))
    .step(at(20_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(expect(
        "the receipt deleted both: nothing held, nothing delivered again",
        vec![presence_ack("sensor", 0)],
    ))
    .build()
}

fn acknowledgement_is_no_receipt() -> Vector {
    held_then_delivered(bound(relay(
        "dlv.acknowledgement-is-no-receipt",
        "a delivered request that the sensor acknowledged on the hop but named in no receipt stays \
         held and goes again at its next wake-up",
        &["IOTP-DLV-108", "IOTP-DLV-109", "IOTP-DLV-107", "IOTP-MSG-65"],
    )))
    .step(sensor_acks(E2E))
    .step(silence("an acknowledgement ends the retransmission, nothing more"))
    .step(presence("sensor", "Asleep", Some(600)))
    .step(expect(
        "still held: the acknowledgement deleted nothing",
        vec![presence_ack("sensor", 1)],
    ))
    .step(at(700_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(both(
        "delivered again at the next wake-up, its `ttl` down by the 700 s held",
        presence_ack("sensor", 1),
        delivered(E2E, false, 2900),
    ))
    .build()
}

fn reply_acknowledges_the_delivery() -> Vector {
    let reply = json!({
        "message_id": 7,
        "correlation_id": E2E,
        "ack_requested": true,
        "recipient": APP_HERE,
        "body": {"invoke_response": {}},
    });
    held_then_delivered(bound(relay(
        "dlv.reply-acknowledges-the-delivery",
        "the sensor's reply to a delivered request, addressed to the request's sender, acknowledges \
         the delivery (piggybacked): the relay retransmits the request no more, acknowledges the \
         confirmable reply and delivers it to the app",
        &["IOTP-MSG-42", "IOTP-MSG-41", "IOTP-DLV-43"],
    )))
    .step(plain("sensor", reply))
    .step(both(
        "the reply is acknowledged and goes on to the app, confirmable",
        ack("sensor", 7),
        to(
            "app",
            json!({"message_id": 7, "correlation_id": E2E, "ack_requested": true}),
        ),
    ))
    .step(plain(
        "app",
        json!({"message_id": 950, "correlation_id": 7, "body": {"ack": null}}),
    ))
    .step(at(60_000))
    .step(silence(
        "the reply acknowledged the delivery: the request is not sent to the sensor again",
    ))
    .build()
}

fn reply_passed_on_confirmable() -> Vector {
    let reply = json!({
        "message_id": 40,
        "correlation_id": E2E,
        "ack_requested": true,
        "recipient": APP_HERE,
        "sender": FAR,
        "body": {"invoke_response": {}},
    });
    let passed_on = to(
        "app",
        json!({"message_id": 40, "correlation_id": E2E, "ack_requested": true, "recipient": ABSENT}),
    );
    // The relay's datagram 4 or 5, by the order in which it acknowledged the reply and passed it on.
    let again = |n| SendPattern {
        same_as: Some(n),
        ..passed_on.clone()
    };
    bound(relay(
        "dlv.reply-passed-on-confirmable",
        "the reply of another domain's node to the app's request, which the relay acknowledged and \
         forwarded, comes back from that domain's relay: the relay acknowledges it and passes it on \
         to the app confirmable, sends it again while the app does not acknowledge it, and no more \
         once the app does",
        &["IOTP-DLV-135", "IOTP-MSG-46", "IOTP-MSG-48"],
    ))
    .step(app_invokes(FAR, 600))
    .step(both(
        "forwarded and acknowledged: the app retransmits the request no more",
        to("relay-b", json!({"message_id": E2E, "recipient": FAR})),
        ack("app", E2E),
    ))
    .step(at(1_000))
    .step(plain("relay-b", reply))
    .step(both(
        "the reply is acknowledged and goes on to the app, confirmable",
        ack("relay-b", 40),
        passed_on.clone(),
    ))
    .step(at(4_000))
    .step(expecting(
        expect(
            "not acknowledged by the app within ACK_TIMEOUT × ACK_RANDOM_FACTOR: sent again, byte \
             for byte",
            vec![again(5)],
        ),
        |e| e.or = vec![vec![again(4)]],
    ))
    .step(plain(
        "app",
        json!({"message_id": 950, "correlation_id": 40, "body": {"ack": null}}),
    ))
    .step(at(60_000))
    .step(silence("the app's acknowledgement ended the retransmission"))
    .build()
}

fn stranger_gets_no_route() -> Vector {
    relay(
        "dlv.stranger-no-route",
        "a hop peer that is neither one of the relay's nodes over its bound hop nor an authenticated \
         relay sends a request for one of the relay's nodes: answered `NoRoute`, unsealed, from the \
         relay's service address, back to that hop peer; its other envelopes are discarded",
        &[
            "IOTP-DLV-77",
            "IOTP-DLV-78",
            "IOTP-DLV-79",
            "IOTP-DLV-49",
            "IOTP-MSG-69",
            "IOTP-MSG-70",
        ],
    )
    .step(plain(
        "stranger",
        json!({"message_id": 7, "recipient": SENSOR, "sender": "mallory@example.org", "ack_requested": true, "body": read_level()}),
    ))
    .step(expect(
        "NoRoute instead of an acknowledgement, to the stranger",
        vec![to(
            "stranger",
            json!({"correlation_id": 7, "sealed": ABSENT, "recipient": ABSENT, "sender": SERVICE,
                   "body": {"status": {"code": "NoRoute", "recipient": SENSOR}}}),
        )],
    ))
    .step(plain(
        "stranger",
        json!({"message_id": 8, "correlation_id": 3, "recipient": SENSOR, "sender": "mallory@example.org", "body": {"status": {"code": "Ok"}}}),
    ))
    .step(silence("a reply from such a hop peer is discarded"))
    .build()
}

fn replay_does_not_rebind() -> Vector {
    relay(
        "dlv.replay-does-not-rebind",
        "the sensor's presence replayed from another transport address opens nothing there (it is a \
         replay), so the sensor's hop stays bound to its own address: what the relay then delivers \
         goes there",
        &["IOTP-SEC-170", "IOTP-SEC-171", "IOTP-DLV-105", "IOTP-DLV-45"],
    )
    .step(presence("app", "Awake", None))
    .step(expect("bound", vec![presence_ack("app", 0)]))
    .step(presence("sensor", "Awake", None))
    .step(expect("bound", vec![presence_ack("sensor", 0)]))
    .step(repeat("stranger", 2))
    .step(expecting(
        silence("a replay binds nothing (at most the cached answer of §5.9 goes back)"),
        |e| {
            e.or = vec![vec![to(
                "stranger",
                json!({"correlation_id": SENSOR_HOP, "body": ABSENT}),
            )]]
        },
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(both(
        "the sensor listens: delivered at once, to its own address",
        ack("app", E2E),
        delivered(E2E, false, 3600),
    ))
    .build()
}

fn queue_full() -> Vector {
    let mut b = bound(relay(
        "dlv.queue-full",
        "the relay holds 16 requests for the sleeping sensor (the least it must); the 17th is answered \
         `QueueFull` with `retry_after`, sealed under the app's hop context, and no held request is \
         dropped for it",
        &[
            "IOTP-DLV-33",
            "IOTP-DLV-35",
            "IOTP-DLV-36",
            "IOTP-SEC-93",
            "IOTP-MSG-69",
        ],
    ));
    for i in 0..16 {
        b = b
            .step(app_invokes(SENSOR, 3600))
            .step(expect("held", vec![ack("app", E2E + i)]));
    }
    b.step(app_invokes(SENSOR, 3600))
        .step(expect(
            "QueueFull instead of an acknowledgement",
            vec![status_to_app(
                E2E + 16,
                json!({"code": "QueueFull", "retry_after": ANY, "recipient": SENSOR}),
            )],
        ))
        .step(presence("sensor", "Asleep", Some(600)))
        .step(expect(
            "all 16 still held",
            vec![presence_ack("sensor", 16)],
        ))
        .build()
}

fn expired() -> Vector {
    bound(relay(
        "dlv.expired",
        "a request held past its `ttl` is discarded and its sender gets `Expired`, from the relay, \
         sealed under its hop context, with the request's recipient",
        &[
            "IOTP-DLV-40",
            "IOTP-MSG-67",
            "IOTP-DLV-48",
            "IOTP-SEC-93",
            "IOTP-DLV-110",
        ],
    ))
    .step(app_invokes(SENSOR, 60))
    .step(expect("held", vec![ack("app", E2E)]))
    .step(at(61_000))
    .step(expect(
        "Expired once the ttl has run out",
        vec![status_to_app(
            E2E,
            json!({"code": "Expired", "recipient": SENSOR}),
        )],
    ))
    .step(presence("sensor", "Awake", Some(600)))
    .step(expect(
        "nothing is held for the sensor any more",
        vec![presence_ack("sensor", 0)],
    ))
    .build()
}

fn unknown_recipient() -> Vector {
    bound(relay(
        "dlv.unknown-recipient",
        "a request for an address of the relay's domain that it does not serve is answered \
         `UnknownRecipient` instead of an acknowledgement",
        &["IOTP-DLV-28", "IOTP-MSG-69"],
    ))
    .step(app_invokes("nobody@home.example.org", 600))
    .step(expect(
        "UnknownRecipient, sealed under the app's hop context",
        vec![status_to_app(
            E2E,
            json!({"code": "UnknownRecipient", "recipient": "nobody@home.example.org"}),
        )],
    ))
    .build()
}

fn forward_to_other_domain() -> Vector {
    bound(relay(
        "dlv.forward",
        "a request of one of the relay's nodes for another domain goes to that domain's relay, its \
         addresses in full, `ttl`, `message_id`, `key_id` and `sealed` unchanged, and is acknowledged",
        &["IOTP-DLV-25", "IOTP-MSG-64", "IOTP-MSG-63", "IOTP-MSG-22"],
    ))
    .step(app_invokes(FAR, 600))
    .step(both(
        "forwarded and acknowledged",
        to(
            "relay-b",
            json!({"message_id": E2E, "recipient": FAR, "sender": APP_HERE, "recipient_contact": ABSENT,
                   "sender_contact": ABSENT, "ttl": 600, "key_id": "01", "more": ABSENT}),
        ),
        ack("app", E2E),
    ))
    .build()
}

fn no_open_relay() -> Vector {
    relay(
        "dlv.no-open-relay",
        "an authenticated relay sends a request for a third domain: the relay does not forward it \
         (it forwards only its own nodes' messages) and answers `NoRoute` to its sender's address",
        &["IOTP-DLV-26", "IOTP-DLV-29", "IOTP-DLV-48"],
    )
    .step(plain(
        "relay-b",
        json!({"message_id": 5, "recipient": "x@other.example", "sender": FAR, "ack_requested": true, "body": read_level()}),
    ))
    .step(expect(
        "NoRoute, not forwarded",
        vec![to(
            "relay-b",
            json!({"correlation_id": 5, "recipient": FAR, "sealed": ABSENT,
                   "body": {"status": {"code": "NoRoute", "recipient": "x@other.example"}}}),
        )],
    ))
    .build()
}

fn copy_acknowledged_again() -> Vector {
    bound(relay(
        "dlv.copy-acknowledged-again",
        "a retransmission of a request the relay holds is acknowledged again and not held twice",
        &["IOTP-MSG-117", "IOTP-MSG-119", "IOTP-MSG-120"],
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect("held", vec![ack("app", E2E)]))
    .step(repeat("app", 4))
    .step(expect("acknowledged again", vec![ack("app", E2E)]))
    .step(presence("sensor", "Asleep", Some(600)))
    .step(expect("held once", vec![presence_ack("sensor", 1)]))
    .build()
}

fn leaving() -> Vector {
    bound(relay(
        "dlv.leaving",
        "a sensor that announces `Leaving`: the requests held for it are answered `Undeliverable`, \
         and later requests for it `NoRoute`",
        &["IOTP-DLV-46", "IOTP-DLV-47", "IOTP-MSG-67"],
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect("held", vec![ack("app", E2E)]))
    .step(presence("sensor", "Leaving", None))
    .step(both(
        "Undeliverable to the app, and the presence answered with nothing held",
        status_to_app(
            E2E,
            json!({"code": "Undeliverable", "recipient": SENSOR}),
        ),
        presence_ack("sensor", 0),
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect(
        "NoRoute for a device that left",
        vec![status_to_app(
            E2E + 1,
            json!({"code": "NoRoute", "recipient": SENSOR}),
        )],
    ))
    .build()
}

fn wrong_sender() -> Vector {
    bound(relay(
        "dlv.wrong-sender",
        "one of the relay's nodes sends with another node's address as `sender`: not accepted, not \
         acknowledged",
        &["IOTP-DLV-27"],
    ))
    .step(sealed(
        "app",
        "e2e",
        json!({"recipient": FAR, "sender": SENSOR, "ack_requested": true}),
        invoke(),
    ))
    .step(silence("discarded"))
    .build()
}

fn unassigned_contact() -> Vector {
    bound(relay(
        "dlv.unassigned-contact",
        "a request to a contact number the relay never assigned for the sending node: not \
         forwarded, answered `NoRoute`",
        &["IOTP-MSG-30", "IOTP-MSG-31"],
    ))
    .step(sealed(
        "app",
        "e2e",
        json!({"recipient_contact": 4242, "ack_requested": true}),
        invoke(),
    ))
    .step(expect(
        "NoRoute, sealed under the app's hop context",
        vec![status_to_app(E2E, json!({"code": "NoRoute"}))],
    ))
    .build()
}

/// `delivered`, with the sender's address in full rather than a contact number.
fn in_full(pattern: SendPattern) -> SendPattern {
    let mut pattern = pattern;
    pattern.envelope["sender"] = APP_HERE.into();
    pattern.envelope["sender_contact"] = ABSENT.into();
    pattern
}

fn unsealed_makes_no_address_known() -> Vector {
    let edhoc_1 =
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 8, "input": "43010203"}});
    let by_number = to(
        "sensor",
        json!({"message_id": E2E + 1, "sender": ABSENT, "sender_contact": ANY}),
    );
    bound(relay(
        "dlv.unsealed-makes-no-address-known",
        "a receipt naming an unsealed envelope delivered with the app's address in full does not make \
         the address known: the app's next sealed request still goes in full; once a receipt names \
         that one, the app comes by contact number",
        &["IOTP-MSG-138"],
    ))
    .step(plain(
        "app",
        json!({"message_id": 40, "recipient": SENSOR, "ack_requested": true, "ttl": 3600, "body": edhoc_1}),
    ))
    .step(expect("held", vec![ack("app", 40)]))
    .step(presence("sensor", "Awake", Some(600)))
    .step(both(
        "the handshake goes in full",
        presence_ack("sensor", 1),
        to(
            "sensor",
            json!({"message_id": 40, "sender": APP_HERE, "sender_contact": ABSENT, "sealed": ABSENT}),
        ),
    ))
    .step(sensor_acks(40))
    .step(receipt(&[40]))
    .step(expect("the receipt is acknowledged", vec![ack("sensor", SENSOR_HOP + 2)]))
    .step(app_invokes(SENSOR, 3600))
    .step(both(
        "an unsealed envelope bound no context to the address: the sealed request goes in full",
        ack("app", E2E),
        in_full(delivered(E2E, false, 3600)),
    ))
    .step(sensor_acks(E2E))
    .step(receipt(&[E2E]))
    .step(expect("the receipt is acknowledged", vec![ack("sensor", SENSOR_HOP + 3)]))
    .step(app_invokes(SENSOR, 3600))
    .step(both(
        "now the address is known: by contact number",
        ack("app", E2E + 1),
        by_number,
    ))
    .build()
}

/// A relay passes envelopes on with their senders' `message_id`s and cannot skip values: the second
/// of two with one `message_id` towards the sensor (the app's, then one from another domain) waits
/// ACK_TIMEOUT after the first, which was retransmitted, ended, so that a late copy of the first one's
/// acknowledgement (the answer to its retransmission) ends nothing ([IOTP-DLV-138]).
fn same_identifier_held_back() -> Vector {
    let unsealed = to(
        "sensor",
        json!({"message_id": E2E, "ack_requested": true, "sealed": ABSENT}),
    );
    let b = held_then_delivered(bound(relay(
        "dlv.same-identifier-held-back",
        "an envelope for the sensor with the message_id of one whose delivery was retransmitted and \
         just ended waits ACK_TIMEOUT before it goes; a late copy of the first one's acknowledgement \
         meanwhile ends nothing, and the second is retransmitted until acknowledged",
        &["IOTP-DLV-138", "IOTP-MSG-50", "IOTP-MSG-46"],
    )))
    .step(at(3_000))
    .step(expect(
        "not acknowledged yet: the delivery is retransmitted",
        vec![delivered(E2E, false, 3600)],
    ));
    let acked = b.steps_so_far();
    b.step(sensor_acks(E2E))
        .step(silence("the delivery ends on the hop"))
        .step(at(3_500))
        .step(plain(
            "relay-b",
            json!({"message_id": E2E, "recipient": SENSOR, "sender": FAR, "ack_requested": true,
                   "body": invoke()}),
        ))
        .step(expect(
            "another relay's envelope for the sensor with the same message_id: acknowledged, and \
             held back, since that message_id ended towards the sensor 500 ms ago, retransmitted",
            vec![ack("relay-b", E2E)],
        ))
        .step(at(4_000))
        .step(repeat("sensor", acked))
        .step(silence(
            "a late copy of the first acknowledgement ends nothing",
        ))
        .step(at(4_999))
        .step(silence("still held back"))
        .step(at(5_000))
        .step(expect(
            "ACK_TIMEOUT after the first ended: it goes",
            vec![unsealed.clone()],
        ))
        .step(at(8_000))
        .step(expect(
            "not acknowledged: retransmitted, the late copy did not end it",
            vec![unsealed],
        ))
        .step(sensor_acks(E2E))
        .step(at(60_000))
        .step(silence("acknowledged: nothing more"))
        .build()
}

/// A sensor that announced `Awake` without `sleep_interval` is delivered the app's request and never
/// acknowledges it: the delivery is retransmitted as §5.8.2 says and has failed at 93 s.
fn failed_delivery_to_awake_sensor(builder: Builder) -> Builder {
    let mut b = builder
        .step(presence("sensor", "Awake", None))
        .step(expect(
            "the sensor stays awake",
            vec![presence_ack("sensor", 0)],
        ))
        .step(app_invokes(SENSOR, 3600))
        .step(both(
            "delivered at once",
            ack("app", E2E),
            delivered(E2E, false, 3600),
        ));
    b = retransmitted(b, &[3_000, 9_000, 21_000, 45_000], 3600);
    b.step(at(93_000)).step(silence("the delivery failed"))
}

/// The delivery's copies at each of `times`: the first timeout, then doubled at each of
/// MAX_RETRANSMIT (4) retransmissions (§5.8.2).
fn retransmitted(mut b: Builder, times: &[u64], ttl: u64) -> Builder {
    for &at_ms in times {
        b = b.step(at(at_ms)).step(expect(
            "not acknowledged: retransmitted",
            vec![delivered(E2E, false, ttl)],
        ));
    }
    b
}

/// A delivery to a sensor that stays awake fails: what comes later is held until the sensor is heard
/// from on its hop, then the failed envelope goes first ([IOTP-DLV-137]).
fn held_after_a_failed_delivery() -> Vector {
    failed_delivery_to_awake_sensor(bound(relay(
        "dlv.held-after-a-failed-delivery",
        "a delivery to a sensor that announced Awake without sleep_interval is never acknowledged: \
         once its retransmissions end, the app's next request for the sensor is held, not delivered \
         ahead of it; the sensor's next presence brings the failed one first, then the next",
        &["IOTP-DLV-137", "IOTP-DLV-106", "IOTP-DLV-109"],
    )))
        .step(app_invokes(SENSOR, 3600))
        .step(expect(
            "held: nothing goes to the sensor until it is heard from",
            vec![ack("app", E2E + 1)],
        ))
        .step(at(100_000))
        .step(presence("sensor", "Awake", None))
        .step(both(
            "heard from: the failed one goes first, with `more`",
            presence_ack("sensor", 2),
            delivered(E2E, true, 3500),
        ))
        .step(sensor_acks(E2E))
        .step(expect(
            "then the next",
            vec![delivered(E2E + 1, false, 3593)],
        ))
        .build()
}

/// A delivery to a sensor that stays awake fails and the sensor is not heard from: AWAKE_RETRY_DELAY
/// later the relay delivers once more unheard, and when that fails too it waits for the sensor
/// ([IOTP-DLV-140], [IOTP-DLV-137]); the failed retry does not give the envelope up
/// ([IOTP-DLV-139]).
fn retried_once_unheard() -> Vector {
    let b = failed_delivery_to_awake_sensor(bound(relay(
        "dlv.retried-once-unheard",
        "a delivery to a sensor that announced Awake without sleep_interval is never acknowledged: \
         AWAKE_RETRY_DELAY (30 s) after its retransmissions end the relay delivers it once more \
         without having heard from the sensor; when that fails too, nothing more goes until the \
         sensor is heard from, and the envelope is not given up",
        &["IOTP-DLV-140", "IOTP-DLV-137", "IOTP-DLV-139"],
    )))
    .step(at(122_000))
    .step(silence("not yet AWAKE_RETRY_DELAY after the failure"));
    // Delivered again unheard at 123 s, its `ttl` less the time held, and retransmitted as before.
    let b = retransmitted(b, &[123_000, 126_000, 132_000, 144_000, 168_000], 3477);
    b.step(at(216_000))
        .step(silence("the delivery unheard failed too"))
        .step(app_invokes(SENSOR, 3600))
        .step(expect(
            "held: the sensor is waited for now",
            vec![ack("app", E2E + 1)],
        ))
        .step(at(900_000))
        .step(silence("no third delivery unheard, and nothing given up"))
        .step(presence("sensor", "Awake", None))
        .step(both(
            "heard from: the failed one goes first, with `more`",
            presence_ack("sensor", 2),
            delivered(E2E, true, 2700),
        ))
        .build()
}

fn sender_in_full_until_known() -> Vector {
    let edhoc_1 =
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 8, "input": "43010203"}});
    bound(relay(
        "dlv.sender-in-full-until-known",
        "the relay names the app to the sensor by its address, not a contact number, until a receipt          of the sensor names an envelope delivered with the address in full (an acknowledgement is          no such proof), and delivers the app's edhoc_1 with the address in full even after that",
        &["IOTP-MSG-138", "IOTP-MSG-139"],
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(expect("held", vec![ack("app", E2E)]))
    .step(app_invokes(SENSOR, 3600))
    .step(expect("held", vec![ack("app", E2E + 1)]))
    .step(at(10_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(both(
        "the first goes with the app's address in full: the sensor has not received it yet",
        presence_ack("sensor", 2),
        in_full(delivered(E2E, true, 3590)),
    ))
    .step(sensor_acks(E2E))
    .step(expect(
        "an acknowledgement makes no address known: the next goes in full too",
        vec![in_full(delivered(E2E + 1, false, 3590))],
    ))
    .step(sensor_acks(E2E + 1))
    .step(receipt(&[E2E, E2E + 1]))
    .step(expect("the receipt is acknowledged", vec![ack("sensor", SENSOR_HOP + 2)]))
    .step(presence("sensor", "Asleep", Some(600)))
    .step(expect("the sensor sleeps", vec![presence_ack("sensor", 0)]))
    .step(plain(
        "app",
        json!({"message_id": 40, "recipient": SENSOR, "ack_requested": true, "ttl": 3600, "body": edhoc_1}),
    ))
    .step(expect("held", vec![ack("app", 40)]))
    .step(at(20_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(both(
        "a handshake goes with the address in full, known or not",
        presence_ack("sensor", 1),
        to(
            "sensor",
            json!({"message_id": 40, "sender": APP_HERE, "sender_contact": ABSENT, "sealed": ABSENT}),
        ),
    ))
    .build()
}

fn rate_floor() -> Vector {
    let forwarded = |i: u64| {
        expect(
            "forwarded: within the floor of the relay's rate limit",
            vec![to(
                "relay-b",
                json!({"message_id": E2E + i, "recipient": FAR, "sender": APP_HERE}),
            )],
        )
    };
    let one = || sealed("app", "e2e", json!({"recipient": FAR}), invoke());
    let mut b = bound(relay(
        "dlv.rate-floor",
        "whatever its rate limit, a relay forwards RELAY_BURST_MIN (32) messages of one of its nodes \
         sent at once, and RELAY_RATE_MIN (4) a second after them",
        &["IOTP-DLV-123", "IOTP-DLV-31", "IOTP-SEC-95"],
    ));
    for i in 0..32 {
        b = b.step(one()).step(forwarded(i));
    }
    b = b.step(at(1_000));
    for i in 32..36 {
        b = b.step(one()).step(forwarded(i));
    }
    b.build()
}

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        held_until_awake(),
        acknowledgement_is_no_receipt(),
        reply_acknowledges_the_delivery(),
        reply_passed_on_confirmable(),
        stranger_gets_no_route(),
        replay_does_not_rebind(),
        queue_full(),
        expired(),
        unknown_recipient(),
        forward_to_other_domain(),
        no_open_relay(),
        copy_acknowledged_again(),
        leaving(),
        wrong_sender(),
        unassigned_contact(),
        sender_in_full_until_known(),
        unsealed_makes_no_address_known(),
        same_identifier_held_back(),
        held_after_a_failed_delivery(),
        retried_once_unheard(),
        rate_floor(),
        listening_after_the_wake_up(),
        within_the_announced_capacity(),
    ]
}

/// Regression of a relay that ignored `Presence.max_message`: it delivered to a device messages
/// larger than the device had announced it can receive.
fn within_the_announced_capacity() -> Vector {
    // An invoke with an input of 200 bytes: the envelope is longer than the 128 bytes announced.
    let large = json!({"invoke": {"endpoint": 1, "capability": 6, "action": 1, "input": format!("58c8{}", "00".repeat(200))}});
    bound(relay(
        "dlv.within-the-announced-capacity",
        "the sensor, awake, announces that it receives messages of at most 128 bytes: the relay does \
         not deliver it the app's request that is larger (it may give it up, `Undeliverable`), and \
         delivers the next one, which fits",
        &["IOTP-MSG-76"],
    ))
    .step(sealed(
        "sensor",
        "sensor-hop",
        json!({"ack_requested": true}),
        json!({"presence": {"state": "Awake", "max_message": 128}}),
    ))
    .step(expect(
        "the relay answers the sensor's presence",
        vec![presence_ack("sensor", 0)],
    ))
    .step(sealed(
        "app",
        "e2e",
        json!({"recipient": SENSOR, "ack_requested": true, "ttl": 3600}),
        large,
    ))
    .step(expecting(
        expect(
            "the relay takes the request (an acknowledgement) and does not send it to the sensor: \
             it gives it up, `Undeliverable`, or holds it",
            vec![
                ack("app", E2E),
                status_to_app(E2E, json!({"code": "Undeliverable"})),
            ],
        ),
        |e| {
            e.or = vec![
                vec![
                    status_to_app(E2E, json!({"code": "Undeliverable"})),
                    ack("app", E2E),
                ],
                // Or it holds it, until the sensor can take it or its `ttl` runs out.
                vec![ack("app", E2E)],
            ]
        },
    ))
    .step(app_invokes(SENSOR, 3600))
    .step(both(
        "a request that fits is delivered at once",
        ack("app", E2E + 1),
        delivered(E2E + 1, false, 3600),
    ))
    .build()
}

fn listening_after_the_wake_up() -> Vector {
    bound(relay(
        "dlv.listening-after-the-wake-up",
        "the sensor wakes with a sleep_interval and nothing is held: a request of the app that comes \
         within LISTEN_TIME (5 s) of the presence_ack goes to the sensor at once; one that comes later \
         is held, the sensor being asleep again",
        &["IOTP-IM-69", "IOTP-IM-49", "IOTP-IM-52"],
    ))
    .step(at(10_000))
    .step(presence("sensor", "Awake", Some(600)))
    .step(expect(
        "nothing held: the presence_ack alone",
        vec![presence_ack("sensor", 0)],
    ))
    .step(at(13_000))
    .step(app_invokes(SENSOR, 3600))
    .step(both(
        "3 s after the presence_ack the sensor still listens: acknowledged and delivered at once",
        ack("app", E2E),
        delivered(E2E, false, 3600),
    ))
    .step(sensor_acks(E2E))
    .step(silence("acknowledged"))
    .step(at(20_000))
    .step(app_invokes(SENSOR, 3600))
    .step(expect(
        "10 s after the presence_ack, past LISTEN_TIME: the sensor is treated as asleep for its \
         sleep_interval, so the request is acknowledged and held, not delivered",
        vec![ack("app", E2E + 1)],
    ))
    .build()
}
