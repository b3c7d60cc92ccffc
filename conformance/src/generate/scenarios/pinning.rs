//! Scenarios of pinned bindings (spec §2.8.3): the lamp answering EDHOC has pinned the app's address
//! to the app's credential; a handshake from that address with another key, even one claiming the
//! app's node ID, proves none of the three changes of binding, so it gives no more than a visitor
//! context, and the app's own credential still authenticates it. Nor does a visitor's claim of the
//! app's node ID from another address bind that address to the app.

use serde_json::json;

use super::edhoc::{
    edhoc_answer, forbidden, guest_handshake, guest_reads, lamp_answers_edhoc, message_1,
    message_3, APP_KEY, COMPLETED, DONE, GUEST, GUEST_KEY,
};
use super::*;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        pinned_address_keeps_its_key()?,
        visitor_claim_binds_nothing()?,
    ])
}

fn pinned_address_keeps_its_key() -> Result<Vector, String> {
    let b = lamp_answers_edhoc(Builder::lamp(
        "sec.pinned-address-keeps-its-key",
        "the lamp holds the app's credential, bound to the app's address; an initiator at that \
         address sends another key by value, claiming the app's node ID: the lamp does not take the \
         new binding, so the handshake gives a visitor context, whose read is Forbidden; the app's \
         own handshake by kid then completes and its read is answered",
        &["IOTP-ADDR-35"],
    ))?;
    let b = guest_handshake(b, "m", &GUEST_KEY, 0xaa, APP, 50, 0, COMPLETED)?
        .step(guest_reads("m", APP))
        .step(forbidden("m", APP, 0));
    Ok(
        apps_own_handshake(b, "the pinned credential authenticates the app: `done`")?
            .step(sealed(
                "relay",
                "s",
                json!({"sender_contact": 1}),
                read_level(),
            ))
            .step(expect(
                "the app's read under its ordinary context is answered",
                vec![sealed_answer(
                    "relay",
                    0,
                    "s",
                    json!({"report": {"values": [{"member": 0, "value": "1880"}]}}),
                )],
            ))
            .build(),
    )
}

fn visitor_claim_binds_nothing() -> Result<Vector, String> {
    let b = lamp_answers_edhoc(Builder::lamp(
        "sec.visitor-claim-binds-nothing",
        "a guest at its own address sends by value a credential claiming the app's node ID: it gets \
         a visitor context (its read Forbidden), and its address is not bound to the app: after the \
         app's own handshake by kid, a read under the app's context naming the guest's address as \
         sender is discarded, while the app's read is answered",
        &["IOTP-SEC-167"],
    ))?;
    let b = guest_handshake(b, "g", &GUEST_KEY, 0xaa, GUEST, 50, 0, COMPLETED)?
        .step(guest_reads("g", GUEST))
        .step(forbidden("g", GUEST, 0));
    Ok(apps_own_handshake(b, "`done`")?
        .step(with(
            sealed("relay", "s", json!({"sender": GUEST}), read_level()),
            |s| {
                if let Some(seal) = &mut s.seal {
                    seal.aad_sender = Some(GUEST.into());
                }
            },
        ))
        .step(silence(
            "the guest's address is not bound to the app, whose node ID it only claimed: discarded",
        ))
        .step(sealed(
            "relay",
            "s",
            json!({"sender_contact": 1}),
            read_level(),
        ))
        .step(expect(
            "the app's own read under its context is answered",
            vec![sealed_answer(
                "relay",
                1,
                "s",
                json!({"report": {"values": [{"member": 0, "value": "1880"}]}}),
            )],
        ))
        .build())
}

/// The app's own handshake by `kid` under context `s`, from its address, up to `done` (`why`).
fn apps_own_handshake(b: Builder, why: &str) -> Result<Builder, String> {
    Ok(
        b.step(with(message_1("s", &APP_KEY, 0xaa, 5, false, APP)?, |s| {
            s.envelope = Some(json!({"message_id": 60, "sender": APP}));
        }))
        .step(expect(
            "message_2 for the app's own handshake",
            vec![edhoc_answer(60, APP, "<any>")],
        ))
        .step(message_3(
            "relay",
            json!({"message_id": 61, "sender": APP}),
            "s",
            3,
        ))
        .step(expect(why, vec![edhoc_answer(61, APP, DONE)])),
    )
}
