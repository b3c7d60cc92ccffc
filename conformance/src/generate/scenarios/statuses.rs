//! Scenarios of how a node handles the statuses it receives (spec §9.4): the lamp sends a sealed,
//! confirmable invoke to the app through its relay, and a status comes back. Nothing a status says may
//! make the node send the request again on its own when §9.4 and §9.4.1 forbid it: not after a code
//! whose retry class is *no* or *with change* ([IOTP-ERR-19]), not sealed anew because of an
//! unauthenticated status ([IOTP-ERR-27]), not with other security parameters ([IOTP-ERR-29]), not
//! before `retry_after` ([IOTP-ERR-21]). The status itself reaches the application, which decides.
//!
//! Each scenario watches the node for a minute of virtual time after the status, longer than the whole
//! retransmission schedule of the request (ACK_TIMEOUT × ACK_RANDOM_FACTOR × (2^MAX_RETRANSMIT − 1),
//! 45 s at the spec's defaults), so a node that kept the request in flight, or sent it again, is seen;
//! after `Busy`, only until just before `retry_after` has passed, since [IOTP-ERR-28] then allows the
//! same envelope again.

use serde_json::{json, Value};

use super::*;
use crate::scenario::{AppRequest, EventPattern, SendPattern};
use crate::vector::Vector;

/// The lamp's invoke for the app: a request that changes something, so that §9.4.1's exception for
/// `read` and `describe` does not apply.
fn invoke() -> Value {
    json!({"invoke": {"endpoint": 1, "capability": 7, "action": 8, "input": "a20018c8010a"}})
}

/// The application of the lamp asks it to send the invoke to the app, sealed and confirmable.
fn lamp_invokes() -> Step {
    app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body: invoke(),
        confirmable: true,
        ttl: None,
    })
}

/// The lamp's invoke as it leaves: message_id 77 (the next Sender Sequence Number of the context of
/// §8.5.8), confirmable, for the app, sealed under `app`.
fn lamps_invoke() -> SendPattern {
    SendPattern {
        to: "relay".into(),
        envelope: json!({"message_id": 77, "ack_requested": true, "recipient": APP, "key_id": "02"}),
        opens: Some(crate::scenario::Opens {
            context: "app".into(),
            answers: None,
            recipient: None,
            body: invoke(),
        }),
        hex: None,
        same_as: None,
    }
}

/// A scenario: the lamp invokes, `answer` comes back about the invoke at 1 s, the status reaches the
/// application, and nothing more is sent until `quiet_until` (milliseconds).
fn after_status(
    id: &str,
    description: &str,
    requirements: &[&str],
    answer: Step,
    status: Value,
    quiet_until: u64,
) -> Vector {
    Builder::lamp(id, description, requirements)
        .step(lamp_invokes())
        .step(expect("the invoke", vec![lamps_invoke()]))
        .step(at(1_000))
        .step(with(answer, |s| s.answer_to = Some(0)))
        .step(expecting(
            silence("a status is not answered, and the node does not send the invoke again"),
            |e| {
                e.events = Some(vec![EventPattern {
                    event: "reply".into(),
                    body: Some(json!({ "status": status })),
                }])
            },
        ))
        .step(at(quiet_until))
        .step(silence(
            "later, past the retransmission schedule: the invoke was not sent again, neither as the \
             same envelope nor sealed anew",
        ))
        .build()
}

/// An unsealed status from the relay, the lamp's hop peer: unauthenticated (§9.4.1).
fn unsealed_status(status: Value) -> Step {
    plain(
        "relay",
        json!({"message_id": 41, "body": {"status": status}}),
    )
}

/// A minute after the invoke left, plus the second before the status came.
const MINUTE: u64 = 61_000;

pub(crate) fn scenarios() -> Vec<Vector> {
    let freshness = json!({"code": "FreshnessRequired", "echo": "0102030405060708"});
    let unauthenticated = json!({"code": "Unauthenticated"});
    let unsupported = json!({"code": "UnsupportedVersion", "supported_versions": [1]});
    let busy = json!({"code": "Busy", "retry_after": 30});
    let forbidden = json!({"code": "Forbidden"});
    let forbidden_detailed = json!({"code": "Forbidden", "detail": "retry now: access granted"});
    vec![
        after_status(
            "err.detail-decides-nothing",
            "the app's sealed Forbidden about the lamp's invoke carries a `detail` that says to try \
             again: the lamp takes no decision on `detail` and, the code's retry class being no, does \
             not send the invoke again",
            &["IOTP-ERR-13", "IOTP-ERR-19"],
            with(
                sealed(
                    "relay",
                    "app",
                    json!({"sender": APP}),
                    json!({"status": forbidden_detailed.clone()}),
                ),
                |s| {
                    if let Some(seal) = &mut s.seal {
                        seal.key_id = false;
                    }
                },
            ),
            forbidden_detailed,
            MINUTE,
        ),
        after_status(
            "err.unauthenticated-freshness-required",
            "an unsealed FreshnessRequired about the lamp's sealed invoke, which anyone could forge \
             while the invoke was carried out: the lamp does not seal the invoke again with the echo \
             on its own; the status goes to the application",
            &["IOTP-ERR-27", "IOTP-ERR-19"],
            unsealed_status(freshness.clone()),
            freshness,
            MINUTE,
        ),
        after_status(
            "err.unauthenticated-unauthenticated",
            "an unsealed Unauthenticated about the lamp's sealed invoke: the lamp does not seal the \
             invoke again as a new envelope on its own",
            &["IOTP-ERR-27", "IOTP-ERR-19"],
            unsealed_status(unauthenticated.clone()),
            unauthenticated,
            MINUTE,
        ),
        after_status(
            "err.unauthenticated-unsupported-version",
            "an unsealed UnsupportedVersion about the lamp's sealed invoke, a possible downgrade: the \
             lamp sends nothing again, under no other version or parameter",
            &["IOTP-ERR-29", "IOTP-ERR-27", "IOTP-ERR-19"],
            unsealed_status(unsupported.clone()),
            unsupported,
            MINUTE,
        ),
        after_status(
            "err.busy-retry-after",
            "an unsealed Busy with retry_after 30 about the lamp's invoke: the lamp sends nothing \
             before 30 seconds have passed (then it may send the same envelope, never one sealed \
             anew)",
            &["IOTP-ERR-21", "IOTP-ERR-27"],
            unsealed_status(busy.clone()),
            busy,
            // The status arrives at 1 s: the same envelope is allowed again from 31 s.
            30_900,
        ),
        after_status(
            "err.authenticated-forbidden",
            "the app's sealed Forbidden about the lamp's invoke (retry class no): the lamp does not \
             send the invoke again",
            &["IOTP-ERR-19"],
            with(
                sealed(
                    "relay",
                    "app",
                    json!({"sender": APP}),
                    json!({"status": forbidden.clone()}),
                ),
                |s| {
                    if let Some(seal) = &mut s.seal {
                        seal.key_id = false;
                    }
                },
            ),
            forbidden,
            MINUTE,
        ),
    ]
}
