//! Scenarios of events in a subscription's reports (spec §6.7): the app subscribes to one event of
//! the lamp, the lamp's application records events (step `event`, numbered by the fixture from 0
//! across all the node's events), and the notification due when `min_interval` has passed carries
//! every observed occurrence since the previous report, in ascending event number.

use serde_json::json;

use super::*;
use crate::scenario::EventStep;
use crate::vector::Vector;

/// The Level capability of [`level_capability`] with two events: 9 (observed by the scenario's
/// subscription) and 10 (not observed).
fn with_events() -> CapabilitySetup {
    let mut level = level_capability();
    for key in [9, 10] {
        level.members.push(MemberSetup {
            key,
            kind: "event".into(),
            ..member()
        });
    }
    level
}

/// The lamp's application records event `member`, with `data` (hex) if given.
fn event(member: u16, data: Option<&str>) -> Step {
    Step::Event(EventStep {
        endpoint: 1,
        capability: 7,
        member,
        data: data.map(str::to_string),
    })
}

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![events_in_ascending_number()]
}

fn events_in_ascending_number() -> Vector {
    Builder::lamp(
        "im.events-in-ascending-number",
        "the app subscribes to event 9 of the lamp's Level capability with a min_interval of 10 s; \
         within it the lamp records event 9 (number 0), event 10, which the subscription does not \
         observe (number 1), and event 9 with data (number 2): the notification due when \
         min_interval has passed carries both occurrences of event 9, in ascending event number, \
         and not event 10",
        &["IOTP-IM-28", "IOTP-IM-26"],
    )
    .node(|n| n.capabilities = vec![with_events()])
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1}),
        json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [9], "min_interval": 10, "max_interval": 900}}),
    ))
    .step(expect(
        "the first report answers the subscribe",
        vec![sealed_answer(
            "relay",
            1235,
            "app",
            json!({"report": {"endpoint": 1, "capability": 7, "events": ABSENT}}),
        )],
    ))
    .step(at(1_000))
    .step(event(9, None))
    .step(at(2_000))
    .step(event(10, None))
    .step(at(3_000))
    .step(event(9, Some("05")))
    .step(silence("not within min_interval (10 s) of the first report"))
    .step(at(10_000))
    .step(expect(
        "one notification with every observed occurrence since the first report, in ascending \
         event number",
        vec![SendPattern {
            envelope: json!({"correlation_id": 1235, "recipient": APP, "body": ABSENT}),
            ..sealed_answer(
                "relay",
                1235,
                "app",
                json!({"report": {"endpoint": 1, "capability": 7, "events": [
                    {"member": 9, "number": 0},
                    {"member": 9, "number": 2, "data": "05"}
                ]}}),
            )
        }],
    ))
    .build()
}
