//! Scenarios of received statuses whose code the node does not know (spec §9.4): the lamp sends a
//! sealed, confirmable read to the app through its relay, and a status with a number that no code of
//! this version has comes back. It is handled as `Failure` (or, for a number of the delivery range,
//! as a failure of delivery): it ends the exchange and reaches the application, with its number kept;
//! it is neither dropped as malformed nor treated as success.

use serde_json::{json, Value};

use super::messages::{lamp_asks, lamps_request, timer};
use super::*;
use crate::scenario::EventPattern;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        unknown_code(
            "err.unknown-delivery-status",
            "an unsealed status from the relay with code 20, a number of the delivery range (1 to 31) \
             that this version does not define, about the lamp's confirmable read: a failure of \
             delivery, which ends the read's retransmission and reaches the application with its \
             number",
            plain("relay", json!({"message_id": 41, "body": {"status": {"code": 20}}})),
            20,
        ),
        unknown_code(
            "err.unknown-status-is-failure",
            "the app's sealed status with code 90, a number of the interaction model's range that this \
             version does not define, answering the lamp's read: handled as Failure, it ends the \
             exchange (no retransmission, no wait for another reply) and reaches the application \
             with its number",
            with(
                sealed(
                    "relay",
                    "app",
                    json!({"sender": APP}),
                    json!({"status": {"code": 90}}),
                ),
                |s| {
                    if let Some(seal) = &mut s.seal {
                        seal.key_id = false;
                    }
                },
            ),
            90,
        ),
    ]
}

fn unknown_code(id: &str, description: &str, answer: Step, code: u64) -> Vector {
    let status: Value = json!({ "code": code });
    Builder::lamp(id, description, &["IOTP-ERR-18"])
        .step(lamp_asks())
        .step(expect("the read", vec![lamps_request()]))
        .step(at(1_000))
        .step(with(answer, |s| s.answer_to = Some(0)))
        .step(expecting(
            timer(
                silence(
                    "a status is not answered; it ends the read's retransmission, so the lamp wants \
                     no timer",
                ),
                None,
            ),
            |e| {
                e.events = Some(vec![EventPattern {
                    event: "reply".into(),
                    body: Some(json!({ "status": status })),
                }])
            },
        ))
        .step(at(61_000))
        .step(silence(
            "past the retransmission schedule: the read was not sent again",
        ))
        .build()
}
