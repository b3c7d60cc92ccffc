//! Scenarios of the limits in time of a device's pairing (spec §8.3.2, feature `security`), on a
//! device out of its box whose window opened at the scenario's start: the window closes 900 s after
//! it opened, whether or not anyone paired; an exchange whose controller goes silent for
//! PAIRING_EXCHANGE_TIMEOUT (30 s) is abandoned, so that another controller may pair, and a pairing
//! context whose commissioning went silent that long is discarded. And on a claimed device, the
//! pairing context of a commissioning window lives beside the owner's EDHOC context, whose
//! connection identifier is never 0 or 1, the pairing context's Sender IDs.

use serde_json::json;

use super::administration::owner;
use super::pairing::{answered, device, paired, pairing, second_controller_added, PASSCODE};
use super::*;
use crate::scenario::PeerPairing;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        window_closes_after_900_s()?,
        exchange_abandoned_after_timeout()?,
        pairing_context_discarded_after_timeout()?,
        pairing_context_beside_an_edhoc_context()?,
    ])
}

/// A second controller's `pair_start` of `session`, on the direct hop `stranger`, in the envelope
/// `message_id`.
fn stranger_starts(message_id: u64, session: &str) -> Step {
    with(
        plain("stranger", json!({ "message_id": message_id })),
        |s| {
            s.pairing = Some(PeerPairing::Start {
                session: session.into(),
                passcode: PASSCODE,
            })
        },
    )
}

/// The device's unsealed `invoke_response` to the stranger's `message_id`.
fn stranger_answered(message_id: u64) -> SendPattern {
    to(
        "stranger",
        json!({"correlation_id": message_id, "sealed": ABSENT, "body": {"invoke_response": {}}}),
    )
}

fn window_closes_after_900_s() -> Result<Vector, String> {
    Ok(device(
        "sec.pairing-window-closes-after-900-s",
        "nobody pairs with the device out of its box: 900 s after its window opened, the window is \
         closed, and a pair_start with the printed passcode is refused InvalidState",
        &["IOTP-SEC-28"],
    )?
    .step(at(900_000))
    .step(pairing(
        1,
        PeerPairing::Start {
            session: "p".into(),
            passcode: PASSCODE,
        },
    ))
    .step(expect(
        "no window: InvalidState, unsealed",
        vec![status("app", 1, "InvalidState")],
    ))
    .build())
}

fn exchange_abandoned_after_timeout() -> Result<Vector, String> {
    Ok(device(
        "sec.pairing-exchange-abandoned-after-timeout",
        "a controller sends pair_start and goes silent: 10 s later another controller's pair_start \
         is answered Busy, retry after the 20 s left; 31 s after the last message of the exchange, \
         it is abandoned, so another controller's pair_start is answered",
        &["IOTP-SEC-134", "IOTP-SEC-31", "IOTP-ERR-11"],
    )?
    .step(pairing(
        1,
        PeerPairing::Start {
            session: "p".into(),
            passcode: PASSCODE,
        },
    ))
    .step(expect("pair_start answered", vec![answered(1)]))
    .step(at(10_000))
    .step(stranger_starts(1, "q"))
    .step(expect(
        "an exchange is in progress: Busy, retry after the 20 s left",
        vec![to(
            "stranger",
            json!({"correlation_id": 1, "sealed": ABSENT, "body": {"status": {"code": "Busy", "retry_after": 20}}}),
        )],
    ))
    .step(at(31_000))
    .step(stranger_starts(2, "r"))
    .step(expect(
        "the silent exchange was abandoned after PAIRING_EXCHANGE_TIMEOUT: the other controller's \
         pair_start is answered",
        vec![stranger_answered(2)],
    ))
    .build())
}

fn pairing_context_discarded_after_timeout() -> Result<Vector, String> {
    let b = device(
        "sec.pairing-context-discarded-after-timeout",
        "a controller pairs (confirmP verified: both hold the pairing context) and then sends \
         nothing: 31 s later the device has abandoned the exchange and discarded the pairing \
         context, so a read sealed under it does not open, and another controller's pair_start is \
         answered, the window still open",
        &["IOTP-SEC-134"],
    )?;
    Ok(paired(b, "p", PASSCODE, 1, 0)
        .step(at(31_000))
        .step(sealed("app", "p", json!({}), read_level()))
        .step(expecting(
            expect(
                "no pairing context: the read does not open (Unauthenticated at most)",
                vec![status("app", 0, "Unauthenticated")],
            ),
            |e| e.or = vec![vec![]],
        ))
        .step(stranger_starts(1, "q"))
        .step(expect(
            "no exchange in progress: the other controller's pair_start is answered",
            vec![stranger_answered(1)],
        ))
        .build())
}

fn pairing_context_beside_an_edhoc_context() -> Result<Vector, String> {
    let b = second_controller_added(
        "sec.pairing-context-beside-an-edhoc-context",
        "the owner, whose context the device made as EDHOC responder (choosing C_R, the Sender ID \
         the owner seals with; the owner's C_I is 0, so that C_R cannot be 0), opens a commissioning \
         window; a second controller pairs in it and adds itself under the window's pairing \
         context, whose Sender IDs are 0 and 1: every request under the pairing context opens under \
         it, and the owner's read then opens under the owner's context, since the device never \
         chose 1 as C_R",
        &["IOTP-SEC-195"],
    )?
    .sends(|s| {
        if let Some(crate::scenario::PeerEdhoc::Message1 { session, c_i, .. }) = &mut s.edhoc {
            if session == "owner" {
                *c_i = 0;
            }
        }
    });
    Ok(owner(
        b,
        "the owner's read opens under its own context and is answered",
        read_level(),
        1,
        json!({"report": {}}),
    )
    .build())
}
