//! Scenarios of addresses as a node sends and trusts them (spec §2.8.2, §5.5.2), on the lamp of
//! §5.15.1: an unsealed envelope's sender address authenticates nothing, even when it is the address
//! of a peer the lamp holds a context with; a sealed envelope's sender address must be bound to the
//! peer of the context that opened it, not merely to some peer the lamp knows; the lamp names
//! itself as sender only where its hop peer does not know it; and it never has two requests with one
//! `message_id` awaiting replies from one recipient, which sealed and unsealed numbering would allow.

use serde_json::json;

use super::messages::{app_read, lamp_asks, lamps_request, level_report};
use super::*;
use crate::scenario::{AppRequest, ContextSetup, EventPattern, Opens};
use crate::vector::Vector;

/// The address of a second peer of the lamp, with a context of its own.
const FAN: &str = "fan@home.example.org";

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        unsealed_sender_not_authenticated(),
        sender_bound_to_another_peer(),
        sender_omitted_to_home_relay(),
        one_request_per_message_id_and_recipient(),
        sender_off_the_home_relay(),
        reply_named_off_the_home_relay(),
    ]
}

/// A hop peer that is not the lamp's home relay (the relay of another domain, reached directly): it
/// does not know the lamp's address.
const OTHER_HOP: &str = "relay-b";
/// A node of that other domain.
const HEATER: &str = "heater@other.example";

fn sender_off_the_home_relay() -> Vector {
    Builder::lamp(
        "msg.sender-in-full-off-the-home-relay",
        "the lamp's requests sent through a hop peer that is not its home relay (which would otherwise \
         take the hop peer, an anonymous transport address, as the sender) carry the lamp's address \
         as `sender`, unsealed or sealed",
        &["IOTP-MSG-22", "IOTP-MSG-23"],
    )
    .step(app(AppRequest {
        to: OTHER_HOP.into(),
        recipient: Some(HEATER.into()),
        context: None,
        body: read_level(),
        confirmable: false,
        ttl: None,
    }))
    .step(expect(
        "the unsealed read: `sender` is the lamp's address, `recipient` the heater's",
        vec![to(
            OTHER_HOP,
            json!({"sender": LAMP, "sender_contact": ABSENT, "recipient": HEATER, "sealed": ABSENT, "body": read_level()}),
        )],
    ))
    .step(app(AppRequest {
        to: OTHER_HOP.into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body: read_level(),
        confirmable: false,
        ttl: None,
    }))
    .step(expect(
        "the sealed read: `sender` is the lamp's address, `recipient` the app's",
        vec![SendPattern {
            to: OTHER_HOP.into(),
            envelope: json!({"message_id": 77, "sender": LAMP, "sender_contact": ABSENT, "recipient": APP, "key_id": "02", "body": ABSENT}),
            ..lamps_request()
        }],
    ))
    .build()
}

fn reply_named_off_the_home_relay() -> Vector {
    Builder::lamp(
        "msg.reply-named-off-the-home-relay",
        "an unsealed read that another domain's relay passes on from the heater, named in full, is \
         answered through that relay with the heater as `recipient` and the lamp's address as \
         `sender`: that relay knows neither",
        &["IOTP-MSG-22", "IOTP-MSG-23"],
    )
    .step(plain(
        OTHER_HOP,
        json!({"message_id": 5, "sender": HEATER, "recipient": LAMP, "body": read_level()}),
    ))
    .step(expect(
        "the answer names the heater and the lamp",
        vec![to(
            OTHER_HOP,
            json!({"correlation_id": 5, "recipient": HEATER, "recipient_contact": ABSENT, "sender": LAMP, "sender_contact": ABSENT, "sealed": ABSENT}),
        )],
    ))
    .build()
}

fn unsealed_sender_not_authenticated() -> Vector {
    let write = json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}});
    Builder::lamp(
        "sec.unsealed-sender-not-authenticated",
        "an unsealed write and an unsealed read, each naming in full as its sender the app, whose \
         address is bound to the lamp's context with it: the sender address of an unsealed envelope \
         is not authenticated, so both are answered Unauthenticated, and the level is unchanged when \
         the app then reads it sealed",
        &["IOTP-ADDR-31", "IOTP-ADDR-30"],
    )
    .step(plain(
        "relay",
        json!({"message_id": 5, "sender": APP, "body": write}),
    ))
    .step(expect(
        "the unsealed write is not the app's: Unauthenticated, not carried out",
        vec![status("relay", 5, "Unauthenticated")],
    ))
    .step(plain(
        "relay",
        json!({"message_id": 6, "sender": APP, "body": read_level()}),
    ))
    .step(expect(
        "the unsealed read is not the app's either: Unauthenticated, no report",
        vec![status("relay", 6, "Unauthenticated")],
    ))
    .step(app_read())
    .step(expect(
        "the app's sealed read: the level is still the one the lamp started with",
        vec![sealed_answer("relay", 1235, "app", level_report())],
    ))
    .build()
}

fn sender_bound_to_another_peer() -> Vector {
    Builder::lamp(
        "sec.sender-bound-to-another-peer",
        "the lamp holds contexts with the app and with the fan; a read that opens under the app's \
         context but names the fan as its sender in full (the associated data naming the fan too) \
         is discarded: the address is bound to a peer, but not to the peer of the context that \
         opened it. The app's genuine read is then answered",
        &["IOTP-ADDR-32", "IOTP-SEC-166"],
    )
    .node(|n| {
        n.contexts.push(ContextSetup {
            name: "fan".into(),
            master_secret: "e0e1e2e3e4e5e6e7e8e9eaebecedeeef".into(),
            master_salt: "f0f1f2f3f4f5f6f7".into(),
            node_id: "05".into(),
            peer_id: "06".into(),
            node_ssn: 0,
            peer_ssn: 0,
            peer_address: Some(FAN.into()),
            ..app_context()
        })
    })
    .step(with(app_read(), |s| {
        s.envelope = Some(json!({"sender": FAN}));
        if let Some(seal) = &mut s.seal {
            seal.aad_sender = Some(FAN.into());
        }
    }))
    .step(silence(
        "the sender is the fan, whose address is not bound to the app's context: discarded, not \
         answered",
    ))
    .step(app_read())
    .step(expect(
        "the app's own read, in sequence after the discarded one, is answered under its context",
        vec![sealed_answer("relay", 1236, "app", level_report())],
    ))
    .build()
}

fn sender_omitted_to_home_relay() -> Vector {
    Builder::lamp(
        "msg.sender-omitted-to-home-relay",
        "the lamp's own request for the app, and its reply to the app's read, go to its home relay, \
         which knows the lamp's address: neither carries `sender` (nor `sender_contact`, which only \
         a relay sets)",
        &["IOTP-MSG-25"],
    )
    .should()
    .step(lamp_asks())
    .step(expect(
        "the request: no `sender`",
        vec![SendPattern {
            envelope: json!({"message_id": 77, "ack_requested": true, "recipient": APP, "version": ABSENT, "key_id": "02", "body": ABSENT, "sender": ABSENT, "sender_contact": ABSENT}),
            ..lamps_request()
        }],
    ))
    .step(app_read())
    .step(expect(
        "the report: no `sender`",
        vec![SendPattern {
            envelope: json!({"correlation_id": 1235, "body": ABSENT, "sender": ABSENT, "sender_contact": ABSENT}),
            ..sealed_answer("relay", 1235, "app", level_report())
        }],
    ))
    .build()
}

fn one_request_per_message_id_and_recipient() -> Vector {
    let report = json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}});
    Builder::lamp(
        "msg.one-request-per-message-id-and-recipient",
        "the lamp's node-wide counter and its Sender Sequence Number with the app are both at 77: its \
         application sends the app a sealed read (message_id 77), then an unsealed describe, which \
         would take message_id 77 too; the lamp holds the describe until the read is answered, so \
         that no status about 77 could match both, and sends it then",
        &["IOTP-MSG-107"],
    )
    .node(|n| n.counter = 77)
    .step(app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body: read_level(),
        confirmable: false,
        ttl: None,
    }))
    .step(expect(
        "the sealed read, message_id 77",
        vec![SendPattern {
            envelope: json!({"message_id": 77, "recipient": APP, "key_id": "02", "body": ABSENT}),
            opens: Some(Opens {
                context: "app".into(),
                answers: None,
                recipient: None,
                body: read_level(),
            }),
            ..to("relay", json!({}))
        }],
    ))
    .step(app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: None,
        body: json!({"describe": {}}),
        confirmable: false,
        ttl: None,
    }))
    .step(silence(
        "the describe would be message_id 77 for the app while the read 77 awaits its reply: held",
    ))
    .step(with(
        sealed("relay", "app", json!({"sender": APP}), report.clone()),
        |s| {
            s.answer_to = Some(0);
            if let Some(seal) = &mut s.seal {
                seal.key_id = false;
            }
        },
    ))
    .step(expecting(
        expect(
            "the read is answered: the describe goes now, unsealed, with message_id 77",
            vec![to(
                "relay",
                json!({"message_id": 77, "sealed": ABSENT, "recipient": APP, "body": {"describe": {}}}),
            )],
        ),
        |e| {
            e.events = Some(vec![EventPattern {
                event: "reply".into(),
                body: Some(report),
            }])
        },
    ))
    .build()
}
