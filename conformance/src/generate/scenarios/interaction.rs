//! Scenarios of the interaction model (spec chapter 6) and its statuses (chapter 9), black-box through
//! sealed requests of the app over the lamp's home relay: the check order of §6.3 with the lowest
//! failing member, reads, all-or-nothing writes, invokes and their inputs and outputs, describe, and
//! subscriptions. The lamp serves the fixture application (conformance/README.md) with a Level
//! capability on endpoint 1: property 0 (writable, at most 254, 128), property 1 (read-only, 3),
//! action 8 (with an input), action 9 (no input, output 7) and event 16.

use serde_json::{json, Value};

use super::*;
use crate::vector::Vector;

fn lamp(id: &str, description: &str, requirements: &[&str]) -> Builder {
    Builder::lamp(id, description, requirements).node(|n| {
        let level = &mut n.capabilities[0].members;
        level.insert(
            1,
            MemberSetup {
                key: 1,
                kind: "property".into(),
                value: Some("03".into()),
                ..member()
            },
        );
        level.push(MemberSetup {
            key: 9,
            kind: "action".into(),
            value: Some("07".into()),
            ..member()
        });
        level.push(MemberSetup {
            key: 16,
            kind: "event".into(),
            ..member()
        });
    })
}

/// A sealed request of the app through the relay (`message_id` 1235 for the first, then 1236, ...).
fn ask(body: Value) -> Step {
    sealed("relay", "app", json!({"sender_contact": 1}), body)
}

/// The lamp's sealed answer to the request `message_id`, with a body having `body`'s members.
fn answer(message_id: u64, body: Value) -> Step {
    expect(
        "exactly one reply, sealed under the request's context ([IOTP-IM-3])",
        vec![sealed_answer("relay", message_id, "app", body)],
    )
}

fn status(code: &str) -> Value {
    // `Ok` is the default code, which the canonical encoding leaves out.
    // A status carries `echo` only with FreshnessRequired, `decode_error` and `offset` only with
    // Malformed and InvalidValue ([IOTP-ERR-5], [IOTP-ERR-8]).
    let code = if code == "Ok" {
        json!(ABSENT)
    } else {
        json!(code)
    };
    json!({"status": {"code": code, "echo": ABSENT, "decode_error": ABSENT, "offset": ABSENT}})
}

fn status_member(code: &str, member: u16) -> Value {
    let mut s = status(code);
    s["status"]["member"] = member.into();
    if code == "InvalidValue" {
        s["status"].as_object_mut().map(|o| {
            o.remove("decode_error");
            o.remove("offset")
        });
    }
    s
}

fn read(endpoint: u16, capability: u16, members: Option<Vec<u16>>) -> Value {
    match members {
        Some(m) => json!({"read": {"endpoint": endpoint, "capability": capability, "members": m}}),
        None => json!({"read": {"endpoint": endpoint, "capability": capability}}),
    }
}

fn write(values: &[(u16, &str)]) -> Value {
    let values: Vec<Value> = values
        .iter()
        .map(|(m, v)| json!({"member": m, "value": v}))
        .collect();
    json!({"write": {"endpoint": 1, "capability": 7, "values": values}})
}

/// One request and its expected answer.
fn one(id: &str, description: &str, requirements: &[&str], request: Value, reply: Value) -> Vector {
    lamp(id, description, requirements)
        .step(ask(request))
        .step(answer(1235, reply))
        .build()
}

/// A lamp whose action 8 needs proof of freshness (`@iotp2p.fresh`).
fn fresh_lamp(id: &str, description: &str, requirements: &[&str]) -> Builder {
    lamp(id, description, requirements).node(|n| {
        if let Some(m) = n.capabilities[0].members.iter_mut().find(|m| m.key == 8) {
            m.fresh = true;
        }
    })
}

/// A property value of 700 bytes (a byte string): two of them do not fit one message of MAX_MESSAGE
/// (1232 bytes), one does.
fn big_value() -> String {
    format!("5902b9{}", "ab".repeat(697))
}

fn set_level() -> Value {
    json!({"invoke": {"endpoint": 1, "capability": 7, "action": 8, "input": "a20018c8010a"}})
}

/// The same invoke, with the echo of the node's datagram `n`.
fn set_level_with_echo(n: usize) -> Step {
    with(ask(set_level()), |s| {
        if let Some(seal) = &mut s.seal {
            seal.echo_from = Some(n);
        }
    })
}

fn freshness_required(message_id: u64) -> Step {
    answer(
        message_id,
        // A challenge of 8 to 40 bytes ([IOTP-IM-41]); its unpredictability is the node's to prove.
        json!({"status": {"code": "FreshnessRequired", "echo": "<bytes 8..40>"}}),
    )
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    let level_128 = json!({"member": 0, "value": "1880"});
    let mut out = vec![
        one(
            "im.read-all",
            "a read without members returns every readable property of the instance, in ascending \
             order, as exactly one reply to the request",
            &["IOTP-IM-12", "IOTP-IM-13", "IOTP-IM-3", "IOTP-IM-4"],
            read(1, 7, None),
            json!({"report": {"endpoint": 1, "capability": 7, "values": [level_128.clone(), {"member": 1, "value": "03"}]}}),
        ),
        one(
            "im.unknown-endpoint",
            "a read of an endpoint the lamp does not have is answered UnknownEndpoint: a sealed status \
             about the request, without echo, decode_error or offset",
            &["IOTP-IM-7", "IOTP-ERR-1", "IOTP-ERR-3", "IOTP-ERR-5", "IOTP-ERR-8", "IOTP-ERR-15"],
            read(9, 7, Some(vec![0])),
            status("UnknownEndpoint"),
        ),
        one(
            "im.unknown-capability",
            "a read of a capability the endpoint does not have is answered UnknownCapability, even when \
             its members list is also wrong (the earlier check decides)",
            &["IOTP-IM-7"],
            read(1, 5, Some(vec![])),
            status("UnknownCapability"),
        ),
        one(
            "im.read-empty-members",
            "a read with an empty members list is InvalidRequest",
            &["IOTP-IM-10"],
            read(1, 7, Some(vec![])),
            status("InvalidRequest"),
        ),
        one(
            "im.read-unsorted-members",
            "a read whose members are not ascending is InvalidRequest",
            &["IOTP-IM-11"],
            read(1, 7, Some(vec![1, 0])),
            status("InvalidRequest"),
        ),
        one(
            "im.lowest-unknown-member",
            "where several members fail the same check, the status names the lowest",
            &["IOTP-IM-8", "IOTP-IM-7", "IOTP-ERR-12"],
            read(1, 7, Some(vec![5, 6])),
            status_member("UnknownMember", 5),
        ),
        one(
            "im.read-an-action",
            "a read naming an action is UnknownMember: it is not a property",
            &["IOTP-IM-7"],
            read(1, 7, Some(vec![0, 8])),
            status_member("UnknownMember", 8),
        ),
        one(
            "im.write-not-writable",
            "a write of a read-only property is UnsupportedOperation, naming it",
            &["IOTP-IM-7", "IOTP-ERR-12"],
            write(&[(1, "05")]),
            status_member("UnsupportedOperation", 1),
        ),
        one(
            "im.write-empty",
            "a write without values is InvalidRequest",
            &["IOTP-IM-15"],
            write(&[]),
            status("InvalidRequest"),
        ),
        one(
            "im.write-unsorted",
            "a write whose values are not in ascending member order is InvalidRequest",
            &["IOTP-IM-16"],
            write(&[(1, "05"), (0, "05")]),
            status("InvalidRequest"),
        ),
        one(
            "im.write-invalid-value",
            "a value that does not decode against the member's type is InvalidValue, with the member, \
             the error class and its offset",
            &["IOTP-IM-2", "IOTP-IM-1", "IOTP-ERR-6", "IOTP-ERR-7", "IOTP-ERR-12", "IOTP-ERR-23", "IOTP-ERR-24"],
            write(&[(0, "f5")]),
            json!({"status": {"code": "InvalidValue", "member": 0, "decode_error": "WrongType", "offset": 0}}),
        ),
        one(
            "im.write-constraint",
            "a value that decodes but breaks the capability's constraint is ConstraintError",
            &["IOTP-IM-7"],
            write(&[(0, "18ff")]),
            status_member("ConstraintError", 0),
        ),
        one(
            "im.invoke-missing-input",
            "an invoke without the input its action takes is InvalidValue, without decode_error",
            &["IOTP-IM-19"],
            json!({"invoke": {"endpoint": 1, "capability": 7, "action": 8}}),
            json!({"status": {"code": "InvalidValue", "member": 8, "decode_error": ABSENT}}),
        ),
        one(
            "im.invoke-unexpected-input",
            "an invoke with an input for an action that takes none is InvalidValue",
            &["IOTP-IM-19"],
            json!({"invoke": {"endpoint": 1, "capability": 7, "action": 9, "input": "00"}}),
            status_member("InvalidValue", 9),
        ),
        one(
            "im.invoke-output",
            "a successful invoke of an action with an output answers invoke_response with it",
            &["IOTP-IM-20"],
            json!({"invoke": {"endpoint": 1, "capability": 7, "action": 9}}),
            json!({"invoke_response": {"output": "07"}}),
        ),
        one(
            "im.describe",
            "describe lists the endpoints and, per endpoint, the capabilities with package, name and \
             version",
            &["IOTP-IM-57", "IOTP-IM-58", "IOTP-IM-60", "IOTP-IM-61"],
            json!({"describe": {}}),
            json!({"description": {"endpoints": [{"endpoint": 1, "capabilities": [{"id": 7, "package": "iotp2p.capabilities", "name": "Level", "version": {"major": 1}}]}]}}),
        ),
        one(
            "im.describe-unknown-endpoint",
            "describe of an endpoint the lamp does not have is UnknownEndpoint",
            &["IOTP-IM-58"],
            json!({"describe": {"endpoint": 4}}),
            status("UnknownEndpoint"),
        ),
        one(
            "im.describe-endpoints-only",
            "describe with endpoints_only lists the endpoints with empty capabilities",
            &["IOTP-IM-59"],
            json!({"describe": {"endpoints_only": true}}),
            json!({"description": {"endpoints": [{"endpoint": 1, "capabilities": []}]}}),
        ),
        one(
            "im.subscribe-first-report",
            "a subscribe is answered with a first report of the observed properties and the granted \
             maximum interval, no shorter than requested",
            &["IOTP-IM-25"],
            json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [0], "min_interval": 0, "max_interval": 900}}),
            json!({"report": {"values": [level_128.clone()], "max_interval": 900}}),
        ),
        one(
            "im.subscribe-min-over-max",
            "a subscribe whose min_interval exceeds its max_interval is InvalidRequest",
            &["IOTP-IM-24"],
            json!({"subscribe": {"endpoint": 1, "capability": 7, "min_interval": 10, "max_interval": 5}}),
            status("InvalidRequest"),
        ),
        one(
            "im.subscribe-empty-members",
            "a subscribe with an empty members list is InvalidRequest",
            &["IOTP-IM-22"],
            json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [], "min_interval": 0, "max_interval": 5}}),
            status("InvalidRequest"),
        ),
        one(
            "im.subscribe-unsorted-members",
            "a subscribe whose members are not ascending is InvalidRequest",
            &["IOTP-IM-23"],
            json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [16, 0], "min_interval": 0, "max_interval": 5}}),
            status("InvalidRequest"),
        ),
        one(
            "im.unsubscribe-unknown",
            "an unsubscribe of a subscription the lamp does not have is UnknownSubscription",
            &["IOTP-IM-32"],
            json!({"unsubscribe": {"subscription": 4}}),
            status("UnknownSubscription"),
        ),
    ];
    out.push(
        lamp(
            "im.write-then-read",
            "a successful write is answered Ok, and a read then returns the value written",
            &["IOTP-IM-18", "IOTP-IM-6"],
        )
        .step(ask(write(&[(0, "05")])))
        .step(answer(1235, status("Ok")))
        .step(ask(read(1, 7, Some(vec![0]))))
        .step(answer(
            1236,
            json!({"report": {"values": [{"member": 0, "value": "05"}]}}),
        ))
        .build(),
    );
    out.push(
        lamp(
            "im.write-all-or-nothing",
            "a write of which one value fails changes no property: a read afterwards shows the old value",
            &["IOTP-IM-17"],
        )
        .step(ask(write(&[(0, "05"), (1, "05")])))
        .step(answer(1235, status_member("UnsupportedOperation", 1)))
        .step(ask(read(1, 7, Some(vec![0]))))
        .step(answer(1236, json!({"report": {"values": [level_128]}})))
        .build(),
    );
    out.push(
        lamp(
            "im.unsubscribe",
            "an unsubscribe of the subscription (named by the subscribe's message_id) ends it: Ok, and a \
             second one is UnknownSubscription",
            &["IOTP-IM-31", "IOTP-IM-32"],
        )
        .step(ask(json!({"subscribe": {"endpoint": 1, "capability": 7, "min_interval": 0, "max_interval": 60}})))
        .step(answer(1235, json!({"report": {"max_interval": 60}})))
        .step(ask(json!({"unsubscribe": {"subscription": 1235}})))
        .step(answer(1236, status("Ok")))
        .step(ask(json!({"unsubscribe": {"subscription": 1235}})))
        .step(answer(1237, status("UnknownSubscription")))
        .build(),
    );
    out.push(
        fresh_lamp(
            "im.fresh-command",
            "an action that needs freshness is not carried out without an echo: FreshnessRequired, \
             sealed, with a challenge; repeated as a new request with that echo, it is carried out",
            &[
                "IOTP-IM-37",
                "IOTP-IM-40",
                "IOTP-IM-42",
                "IOTP-IM-39",
                "IOTP-SEC-91",
                "IOTP-SEC-88",
                "IOTP-ERR-4",
                "IOTP-IM-41",
            ],
        )
        .step(ask(set_level()))
        .step(freshness_required(1235))
        .step(set_level_with_echo(0))
        .step(answer(1236, json!({"invoke_response": {}})))
        .build(),
    );
    out.push(
        fresh_lamp(
            "im.fresh-echo-used-once",
            "an echo is accepted once: the same challenge again gets FreshnessRequired and a new one",
            &["IOTP-IM-43"],
        )
        .step(ask(set_level()))
        .step(freshness_required(1235))
        .step(set_level_with_echo(0))
        .step(answer(1236, json!({"invoke_response": {}})))
        .step(set_level_with_echo(0))
        .step(freshness_required(1237))
        .build(),
    );
    out.push(
        lamp(
            "im.report-too-large",
            "a read of both properties, whose report cannot fit one message (two values of 700 \
             bytes), is answered TooLarge; a read of one of them is answered",
            &["IOTP-IM-14"],
        )
        .node(|n| {
            for m in n.capabilities[0].members.iter_mut().filter(|m| m.kind == "property") {
                m.value = Some(big_value());
            }
        })
        .step(ask(read(1, 7, None)))
        .step(answer(1235, status("TooLarge")))
        .step(ask(read(1, 7, Some(vec![0]))))
        .step(answer(
            1236,
            json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": big_value()}]}}),
        ))
        .build(),
    );
    out.push(
        fresh_lamp(
            "im.fresh-echo-window-10s",
            "FRESHNESS_WINDOW is the recommended 10 seconds: an echo returned 9 seconds after it was \
             issued is accepted, one returned after 10 seconds is not",
            &["IOTP-IM-44", "IOTP-IM-39"],
        )
        .should()
        .step(ask(set_level()))
        .step(freshness_required(1235))
        .step(at(9_000))
        .step(set_level_with_echo(0))
        .step(answer(1236, json!({"invoke_response": {}})))
        .step(ask(set_level()))
        .step(freshness_required(1237))
        .step(at(19_001))
        .step(set_level_with_echo(2))
        .step(freshness_required(1238))
        .build(),
    );
    out.push(
        fresh_lamp(
            "im.fresh-echo-expires",
            "an echo is not accepted 60 seconds after it was issued, or later",
            &["IOTP-SEC-89", "IOTP-IM-39"],
        )
        .step(ask(set_level()))
        .step(freshness_required(1235))
        .step(at(60_001))
        .step(set_level_with_echo(0))
        .step(freshness_required(1236))
        .build(),
    );
    Ok(out)
}
