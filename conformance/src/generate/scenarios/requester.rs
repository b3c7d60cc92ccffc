//! Scenarios of the node as a requester (spec §5.7, §9.4): the lamp's application asks the app
//! through the relay, and the runner plays the relay and the app. How long the lamp awaits the reply
//! to a request with `ttl` (IOTP-MSG-137), and how often it repeats a request that the app answers
//! `FreshnessRequired` (IOTP-ERR-20: the fixture application repeats it with the `echo`, as
//! conformance/README.md says, and must not do so twice), and which replies it takes after a
//! restart that lost its replay windows (IOTP-SEC-86).

use serde_json::{json, Value};

use super::*;
use crate::scenario::EventPattern;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        reply_matched_until_ttl(),
        freshness_repeated_once(),
        reply_after_a_restart_discarded(),
    ]
}

/// The `ttl` of the lamp's request in [`reply_matched_until_ttl`], in seconds.
const TTL: u32 = 600;
/// EXCHANGE_LIFETIME (spec §5.13), in ms.
const EXCHANGE_LIFETIME: u64 = 247_000;

/// The lamp's application sends `body` to the app, sealed, through the relay.
fn lamp_sends(body: Value, confirmable: bool, ttl: Option<u32>) -> Step {
    app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body,
        confirmable,
        ttl,
    })
}

/// The lamp's request with `message_id`, sealed under `app`, whose body has `body`'s members.
fn lamps_request(message_id: u64, envelope: Value, body: Value) -> SendPattern {
    let mut members =
        json!({"message_id": message_id, "recipient": APP, "key_id": "02", "body": ABSENT});
    if let (Some(all), Some(more)) = (members.as_object_mut(), envelope.as_object()) {
        all.extend(more.clone());
    }
    SendPattern {
        opens: Some(Opens {
            context: "app".into(),
            answers: None,
            recipient: None,
            body,
        }),
        ..to("relay", members)
    }
}

/// The app's sealed answer `body` to the lamp's `n`th datagram, delivered by the relay with the app's
/// address in full; confirmable when asked.
fn apps_answer(n: usize, body: Value, confirmable: bool) -> Step {
    let envelope = if confirmable {
        json!({"sender": APP, "ack_requested": true})
    } else {
        json!({ "sender": APP })
    };
    with(sealed("relay", "app", envelope, body), |s| {
        s.answer_to = Some(n);
        if let Some(seal) = &mut s.seal {
            seal.key_id = false;
        }
    })
}

/// The reply `body` reported to the lamp's application.
fn reported(step: Step, body: Value) -> Step {
    expecting(step, |e| {
        e.events = Some(vec![EventPattern {
            event: "reply".into(),
            body: Some(body),
        }])
    })
}

fn reply_matched_until_ttl() -> Vector {
    let report = json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "0a"}]}});
    Builder::lamp(
        "msg.reply-matched-until-ttl",
        "the lamp's confirmable read to the app carries a ttl of 600 s (a relay may hold it that \
         long for a sleeping recipient); the relay acknowledges it, and the app's reply comes \
         550 s later, past EXCHANGE_LIFETIME (247 s) but within ttl plus EXCHANGE_LIFETIME: the \
         lamp still matches it to the read, acknowledges it and reports it to its application",
        &["IOTP-MSG-137"],
    )
    .should()
    .step(lamp_sends(read_level(), true, Some(TTL)))
    .step(expect(
        "the read, with its ttl",
        vec![lamps_request(
            77,
            json!({"ack_requested": true, "ttl": TTL}),
            read_level(),
        )],
    ))
    .step(with(
        plain("relay", json!({"message_id": 40, "body": {"ack": null}})),
        |s| s.answer_to = Some(0),
    ))
    .step(silence("acknowledged by the relay: no retransmission"))
    .step(at(EXCHANGE_LIFETIME + 303_000))
    .step(apps_answer(0, report.clone(), true))
    .step(reported(
        expect(
            "within ttl plus EXCHANGE_LIFETIME of the read, its reply is matched: acknowledged, \
             and reported to the application",
            vec![ack("relay", 1235)],
        ),
        json!({"report": {"endpoint": 1, "capability": 7}}),
    ))
    .build()
}

fn freshness_repeated_once() -> Vector {
    let write = json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}});
    let first_echo = "0102030405060708";
    let second_echo = "1112131415161718";
    let refused = |echo: &str| json!({"status": {"code": "FreshnessRequired", "echo": echo}});
    Builder::lamp(
        "err.freshness-repeated-once",
        "the lamp's application writes to the app; the app answers FreshnessRequired with a \
         challenge, and the lamp repeats the write once with that echo; the app answers \
         FreshnessRequired again (the round trip was slower than its freshness window): the lamp \
         does not repeat the write a second time, and its application gets the status",
        &["IOTP-ERR-20", "IOTP-ERR-19"],
    )
    .step(lamp_sends(write.clone(), false, None))
    .step(expect(
        "the write, without an echo",
        vec![lamps_request(
            77,
            json!({}),
            json!({"write": {"endpoint": 1, "echo": ABSENT}}),
        )],
    ))
    .step(apps_answer(0, refused(first_echo), false))
    .step(expect(
        "the write again, with the app's challenge as its echo (the change that FreshnessRequired \
         asks for), under the next Sender Sequence Number",
        vec![lamps_request(
            78,
            json!({}),
            json!({"write": {"endpoint": 1, "echo": first_echo}}),
        )],
    ))
    .step(apps_answer(1, refused(second_echo), false))
    .step(reported(
        silence("a second FreshnessRequired: the write is not repeated again"),
        refused(second_echo),
    ))
    .step(at(60_000))
    .step(silence("nor later"))
    .build()
}

fn reply_after_a_restart_discarded() -> Vector {
    let report = json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "0a"}]}});
    Builder::lamp(
        "sec.reply-after-a-restart-discarded",
        "the lamp reads the app's level and restarts before the reply comes, losing the replay \
         window of its context with the app: the reply to the read sent before the restart is \
         discarded; the lamp's next read takes the next Sender Sequence Number, and its reply is \
         taken; a request of the app under the context waits for an echo",
        &["IOTP-SEC-86", "IOTP-SEC-85"],
    )
    .step(lamp_sends(read_level(), false, None))
    .step(expect(
        "the read",
        vec![lamps_request(77, json!({}), read_level())],
    ))
    .step(Step::Restart)
    .step(apps_answer(0, report.clone(), false))
    .step(expecting(
        silence("the reply answers a request sent before the window was lost: discarded"),
        |e| e.events = Some(Vec::new()),
    ))
    .step(lamp_sends(read_level(), false, None))
    .step(expect(
        "the next read, under the next Sender Sequence Number",
        vec![lamps_request(78, json!({}), read_level())],
    ))
    .step(apps_answer(1, report, false))
    .step(reported(
        silence("the reply to a read sent after the restart is taken"),
        json!({"report": {"endpoint": 1, "capability": 7}}),
    ))
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1}),
        read_level(),
    ))
    .step(expect(
        "a request under the context is not acted on until the app proves freshness",
        vec![super::messages::fresh_required(1237)],
    ))
    .build()
}
