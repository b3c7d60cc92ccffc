//! Scenarios of a node's own move (spec §8.9, §8.5.3): the lamp takes a new address with a re-homing
//! statement whose grace period is 60 s. A peer that has not learnt of the move yet seals its requests
//! for the lamp's previous address and, reaching it through the relay, leaves the address out of the
//! envelope: the lamp opens them with its previous address during the grace period, and no longer
//! once it has passed.

use serde_json::json;

use super::*;
use crate::scenario::{EventPattern, Rehome};
use crate::vector::Vector;

/// The lamp's address after its move.
const MOVED: &str = "lamp@new.example.net";
/// The grace period of the lamp's re-homing statement, in seconds.
const GRACE: u32 = 60;

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![previous_address_within_grace()]
}

/// The app's sealed read through the relay (no addresses in the envelope), sealed for `recipient`
/// when given (the lamp's previous address), else for the lamp's current one.
fn apps_read(recipient: Option<&str>) -> Step {
    with(
        sealed("relay", "app", json!({"sender_contact": 1}), read_level()),
        |s| {
            if let Some(seal) = s.seal.as_mut() {
                seal.aad_recipient = recipient.map(str::to_string);
            }
        },
    )
}

/// The lamp's sealed report answering the app's read `message_id`, and the read reaching its
/// application.
fn answered(why: &str, message_id: u64) -> Step {
    expecting(
        expect(
            why,
            vec![sealed_answer(
                "relay",
                message_id,
                "app",
                json!({"report": {"endpoint": 1, "capability": 7}}),
            )],
        ),
        |e| {
            e.events = Some(vec![EventPattern {
                event: "request".into(),
                body: Some(read_level()),
            }])
        },
    )
}

fn previous_address_within_grace() -> Vector {
    Builder::lamp(
        "sec.previous-address-within-grace",
        "the lamp moves to a new address with a grace period of 60 s; the app, not knowing yet, \
         seals a read for the lamp's previous address, which the relay delivers without addresses: \
         the lamp fails to open it with its current address, opens it with its previous one and \
         answers; once the grace period has passed, such a read does not open (Unauthenticated), while one sealed for \
         the new address is still answered",
        &["IOTP-SEC-68", "IOTP-SEC-67"],
    )
    .step(Step::Rehome(Rehome {
        address: MOVED.into(),
        grace_period: Some(GRACE),
    }))
    .step(apps_read(Some(LAMP)))
    .step(answered(
        "within the grace period, a request sealed for the previous address opens and is answered",
        1235,
    ))
    .step(at(u64::from(GRACE) * 1_000))
    .step(apps_read(Some(LAMP)))
    .step(expecting(
        expect(
            "the grace period has passed: a request sealed for the previous address does not open, \
             and is answered Unauthenticated, unsealed, as any that does not open",
            vec![status("relay", 1236, "Unauthenticated")],
        ),
        |e| e.events = Some(Vec::new()),
    ))
    .step(apps_read(None))
    .step(answered(
        "a request sealed for the new address opens; the failed one moved no replay window",
        1237,
    ))
    .build()
}
