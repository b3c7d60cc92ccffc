//! Scenarios of the reports of a subscription after the first (spec §6.7): the app subscribes to the
//! lamp's level through the relay, the lamp's application changes the level (step `change`), and the
//! lamp reports it to the app's address, sealed, with the subscribe's `message_id` as
//! `correlation_id`: at once, no sooner than `min_interval`, and as a keep-alive when the granted
//! maximum interval passes; under the app's newest context when the lamp holds two with it.

use serde_json::{json, Value};

use super::*;
use crate::scenario::{ChangeStep, Opens, SendPattern};
use crate::vector::Vector;

/// The app's node ID (any valid one: the scenarios only need two contexts to share it).
const APP_NODE: &str = "wru6jsobgag5xuwgjfiolkqvhwwlt25jzhsndl2vutlznpot3bwq";

/// The app subscribes to the level (member 0) of endpoint 1, capability 7, sealed through the relay
/// (`message_id` 1235: the subscription's identifier).
fn subscribe(min_interval: u32, max_interval: u32) -> Step {
    sealed(
        "relay",
        "app",
        json!({"sender_contact": 1}),
        json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [0], "min_interval": min_interval, "max_interval": max_interval}}),
    )
}

/// The first report, the reply to the subscribe: the level as set up (128), and the granted maximum
/// interval.
fn first_report(max_interval: u32) -> Step {
    expect(
        "the first report answers the subscribe",
        vec![sealed_answer(
            "relay",
            1235,
            "app",
            json!({"report": {"values": [{"member": 0, "value": "1880"}], "max_interval": max_interval}}),
        )],
    )
}

/// The lamp's application sets the level to `value` (hex of its encoding).
pub(super) fn change(value: &str) -> Step {
    Step::Change(ChangeStep {
        endpoint: 1,
        capability: 7,
        member: 0,
        value: value.into(),
    })
}

/// A report of the subscription 1235 to the app's address, sealed under `context`, with a body having
/// `report`'s members; `key_id` absent under the subscribe's own context and present under another
/// ([IOTP-SEC-164]).
fn report(context: &str, report: Value) -> SendPattern {
    let key_id = if context == "app" {
        json!(ABSENT)
    } else {
        json!("<any>")
    };
    SendPattern {
        to: "relay".into(),
        envelope: json!({"correlation_id": 1235, "recipient": APP, "recipient_contact": ABSENT, "key_id": key_id, "body": ABSENT}),
        opens: Some(Opens {
            context: context.into(),
            answers: (context != "app").then(|| "app".into()),
            recipient: None,
            body: json!({ "report": report }),
        }),
        hex: None,
        same_as: None,
    }
}

fn level(value: &str) -> Value {
    json!({"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": value}], "events": ABSENT, "max_interval": ABSENT})
}

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        Builder::lamp(
            "im.report-on-change",
            "after the first report, a change of the observed level is reported at once (min_interval \
             0) to the app's current address, sealed under the subscribe's context, with the \
             subscribe's message_id as correlation_id",
            &["IOTP-IM-26", "IOTP-IM-27", "IOTP-IM-65"],
        )
        .step(subscribe(0, 900))
        .step(first_report(900))
        .step(at(1_000))
        .step(change("0a"))
        .step(expect(
            "a notification with the new level",
            vec![report("app", level("0a"))],
        ))
        .build(),
        Builder::lamp(
            "im.report-min-interval",
            "changes within min_interval of the previous report are reported once, when min_interval \
             has passed, with the latest value",
            &["IOTP-IM-26"],
        )
        .step(subscribe(10, 900))
        .step(first_report(900))
        .step(at(1_000))
        .step(change("0a"))
        .step(silence("not within min_interval (10 s) of the first report"))
        .step(at(2_000))
        .step(change("0b"))
        .step(silence("still not"))
        .step(at(9_999))
        .step(silence("still not, 1 ms before min_interval has passed"))
        .step(at(10_000))
        .step(expect(
            "one notification, with the level's latest value",
            vec![report("app", level("0b"))],
        ))
        .step(at(20_000))
        .step(silence("nothing more has changed"))
        .build(),
        Builder::lamp(
            "im.report-keep-alive",
            "when the granted maximum interval passes without a change, the lamp sends a report with \
             neither values nor events",
            &["IOTP-IM-29"],
        )
        .step(subscribe(0, 60))
        .step(first_report(60))
        .step(at(59_000))
        .step(silence("the maximum interval has not passed"))
        .step(at(60_000))
        .step(expect(
            "a keep-alive report",
            vec![report(
                "app",
                json!({"endpoint": 1, "capability": 7, "values": ABSENT, "events": ABSENT}),
            )],
        ))
        .build(),
        Builder::lamp(
            "im.report-under-newest-context",
            "the lamp holds two contexts with the app's node ID; the subscribe came under the older: \
             the first report answers under it, the notifications go under the newest, with key_id, \
             the associated data still naming the subscribe",
            &["IOTP-IM-65", "IOTP-SEC-164", "IOTP-SEC-165"],
        )
        .node(|n| {
            n.contexts[0].peer_node = Some(APP_NODE.into());
            n.contexts.push(ContextSetup {
                name: "app2".into(),
                master_secret: "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff".into(),
                node_id: "04".into(),
                peer_id: "03".into(),
                node_ssn: 5,
                peer_ssn: 0,
                peer_node: Some(APP_NODE.into()),
                ..app_context()
            });
        })
        .step(subscribe(0, 900))
        .step(first_report(900))
        .step(at(1_000))
        .step(change("0a"))
        .step(expect(
            "the notification, sealed under the newest context with the app's node ID",
            vec![report("app2", level("0a"))],
        ))
        .build(),
    ]
}
