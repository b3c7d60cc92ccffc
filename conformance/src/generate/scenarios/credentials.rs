//! Scenarios of the credential statements a claimed device is given (spec §8.2.3, §8.8, feature
//! `security`): `add_peer` verifies the statement before storing it, so that a statement whose
//! signature does not verify lets nobody run EDHOC with the device by its credential.

use serde_json::{json, Value};

use super::administration::owner;
use super::pairing::{add_second, handshake, owned, Handshake, SECOND, SECOND_KEYS, SECOND_KID};
use crate::vector::Vector;

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![add_peer_verifies_the_statement()?])
}

/// `add_peer` of the second controller's credential statement with the last byte of the statement
/// (in its signature) changed: a statement that decodes but whose signature does not verify.
fn forged_add_second() -> Result<Value, String> {
    let mut body = add_second()?;
    let input = body
        .pointer_mut("/invoke/input")
        .ok_or("add_peer has an input")?;
    let mut text = input.as_str().ok_or("hex")?.to_string();
    let last = u8::from_str_radix(&text[text.len() - 2..], 16).map_err(|e| e.to_string())?;
    text.truncate(text.len() - 2);
    text.push_str(&format!("{:02x}", last ^ 0x01));
    *input = Value::String(text);
    Ok(body)
}

/// The second controller's handshake by `kid` as `session`, its `edhoc_1` in `first`, message_2 in
/// the device's datagram `reply_to`.
fn second(session: &str, first: u64, reply_to: usize) -> Handshake<'static> {
    Handshake {
        hop: "app",
        by_value: false,
        session: if session == "forged" {
            "forged"
        } else {
            "second"
        },
        keys: &SECOND_KEYS,
        kid: SECOND_KID,
        address: SECOND,
        first,
        reply_to,
    }
}

fn add_peer_verifies_the_statement() -> Result<Vector, String> {
    let b = owned(
        "sec.add-peer-verifies-the-statement",
        "the owner gives add_peer a credential statement of a second controller whose signature does \
         not verify: it is refused and not stored, so the second controller's EDHOC handshake by \
         its kid gets error code 3; the same statement, genuine, is then stored and the handshake \
         completes",
        &["IOTP-SEC-105"],
    )?;
    let b = owner(
        b,
        "add_peer of a statement whose signature does not verify: refused with a status",
        forged_add_second()?,
        0,
        json!({"status": "<any>"}),
    );
    let b = handshake(
        b,
        second("forged", 50, 9),
        "nothing was stored: error code 3, \"unknown credential referenced\"",
        "a1024203f5",
    )?;
    let b = owner(
        b,
        "add_peer of the genuine statement: stored",
        add_second()?,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(handshake(
        b,
        second("second", 60, 12),
        "the stored credential: `done`",
        "a100f6",
    )?
    .build())
}
