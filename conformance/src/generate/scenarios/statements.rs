//! Scenarios of `apply_statement` as the device applies its peers' statements (spec §8.9.3, §8.10.2,
//! feature `security`): the device, claimed and owned, is handed its owner's re-homing statements,
//! from the owner's new address or its old one, and its key rotation statement. The device checks
//! each in the order of the spec's table (IOTP-SEC-202), binds the owner to its new address and
//! accepts the old one for the grace period, or replaces the owner's node ID by its new one. The
//! runner signs the statements with `iotp2p-protocol`'s statement module, as the owner would.

use serde_json::{json, Value};

use super::pairing::{handshake, json_of, owned, statement, Handshake, CONTROLLER_KEYS};
use super::*;
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{owned::SignedStatement, KeyRotationStatement, RehomingStatement};
use iotp2p_protocol::controller;
use iotp2p_protocol::security::statement::{sign_key_rotation, sign_rehoming};
use iotp2p_protocol::security::IdentityKey;

/// The owner's address before its move (the one `owned` binds), and after.
const OLD: &str = "phone@example.com";
const MOVED: &str = "phone@moved.example.net";
const MOVED_AGAIN: &str = "phone@third.example.org";
/// The grace period of the owner's moves, in seconds.
const GRACE: u32 = 3_600;

/// A re-homing statement of the node of `keys`, signed by it.
fn rehoming(
    keys: &([u8; 32], [u8; 32]),
    previous: &str,
    new: &str,
    sequence: u32,
) -> Result<Vec<u8>, String> {
    let key = IdentityKey::from_bytes(&keys.0).map_err(|e| format!("{e:?}"))?;
    sign_rehoming(
        &key,
        &RehomingStatement {
            node: key.node_id().as_bytes(),
            previous_address: previous,
            new_address: new,
            sequence,
            grace_period: GRACE,
            issued_at: None,
            unknown_fields: Default::default(),
        },
        None,
    )
    .map_err(|e| format!("{e:?}"))
}

/// The owner's move from `previous` to `new`.
fn owner_moves(previous: &str, new: &str, sequence: u32) -> Result<Vec<u8>, String> {
    rehoming(&CONTROLLER_KEYS, previous, new, sequence)
}

/// `apply_statement` (Security action 18) with `statement`.
fn apply(statement: &[u8]) -> Value {
    json!({"invoke": {"endpoint": 0, "capability": 1, "action": 18, "input": hex(statement)}})
}

/// The owner's request `body` from `sender` under its context, the address in the associated data
/// too.
fn from(b: Builder, sender: &str, body: Value) -> Builder {
    b.step(with(
        sealed("app", "owner", json!({ "sender": sender }), body),
        |s| {
            if let Some(seal) = s.seal.as_mut() {
                seal.aad_sender = Some(sender.into());
            }
        },
    ))
}

/// The device's answer to the owner's request `n`, sealed: `answer` is its body.
fn answered(b: Builder, why: &str, n: u64, _to_address: &str, answer: Value) -> Builder {
    b.step(expect(why, vec![sealed_answer("app", n, "owner", answer)]))
}

fn status_to(b: Builder, why: &str, n: u64, to_address: &str, code: &str) -> Builder {
    answered(b, why, n, to_address, json!({"status": {"code": code}}))
}

fn accepted(b: Builder, why: &str, n: u64, to_address: &str) -> Builder {
    answered(b, why, n, to_address, json!({"invoke_response": {}}))
}

fn read_answered(b: Builder, why: &str, n: u64, to_address: &str) -> Builder {
    answered(b, why, n, to_address, json!({"report": {}}))
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        followed()?,
        checks_in_order()?,
        chain_in_order()?,
        key_rotation()?,
        reports_follow_the_move()?,
    ])
}

/// A report of the owner's subscription (its request 0) with the level `value`, sealed for the
/// owner's address `to_address`.
fn owners_report(value: &str, to_address: &str) -> SendPattern {
    SendPattern {
        opens: Some(crate::scenario::Opens {
            context: "owner".into(),
            answers: None,
            recipient: Some(to_address.into()),
            body: json!({"report": {"values": [{"member": 0, "value": value}]}}),
        }),
        ..to("app", json!({"correlation_id": 0, "body": ABSENT}))
    }
}

fn reports_follow_the_move() -> Result<Vector, String> {
    let subscribe = json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [0], "min_interval": 0, "max_interval": 900}});
    let b = owned(
        "sec.reports-follow-the-owners-move",
        "the owner subscribes to the level from its address; it then moves and tells the device \
         with its re-homing statement from the new address: the device's next report, a new \
         message of the subscription, is sealed for the owner's new address",
        &["IOTP-SEC-115", "IOTP-SEC-113", "IOTP-IM-65", "IOTP-IM-64"],
    )?;
    let b = from(b, OLD, subscribe);
    let b = b.step(expect(
        "the subscription's first report, to the address the subscribe came from",
        vec![owners_report("1880", OLD)],
    ));
    let b = b
        .step(at(1_000))
        .step(super::subscriptions::change("0a"))
        .step(expect(
            "a change, reported to the owner's address",
            vec![owners_report("0a", OLD)],
        ));
    let b = from(b, MOVED, apply(&owner_moves(OLD, MOVED, 1)?));
    let b = accepted(b, "the move is accepted", 1, MOVED);
    Ok(b.step(at(2_000))
        .step(super::subscriptions::change("0b"))
        .step(expect(
            "the next report goes to the owner's new address: its associated data names it",
            vec![owners_report("0b", MOVED)],
        ))
        .build())
}

fn followed() -> Result<Vector, String> {
    let b = owned(
        "sec.rehoming-followed-by-the-device",
        "the device's owner moves to another address and tells the device from there with \
         apply_statement and its re-homing statement: the device accepts it from the address it has \
         not bound yet, answers there, binds the owner to it, still accepts the owner's requests \
         from the previous address for the statement's grace period (1 h), and not after",
        &[
            "IOTP-SEC-166",
            "IOTP-SEC-187",
            "IOTP-SEC-113",
            "IOTP-SEC-114",
            "IOTP-SEC-116",
        ],
    )?;
    let b = from(b, MOVED, apply(&owner_moves(OLD, MOVED, 1)?));
    let b = accepted(
        b,
        "the move is accepted, and answered at the new address",
        0,
        MOVED,
    );
    let b = from(b, MOVED, read_level());
    let b = read_answered(b, "a read from the new address is answered", 1, MOVED);
    let b = from(b, OLD, read_level());
    let b = read_answered(
        b,
        "within the grace period, a read from the previous address is answered",
        2,
        OLD,
    );
    let b = b.step(at(u64::from(GRACE) * 1_000));
    let b = from(b, OLD, read_level());
    Ok(b.step(silence(
        "the grace period has passed: a request from the previous address is discarded",
    ))
    .build())
}

fn checks_in_order() -> Result<Vector, String> {
    let b = owned(
        "sec.apply-statement-checks-in-order",
        "apply_statement is checked in the order of the spec's table, answered with the status of \
         the first check that fails, and changes nothing then: from an address not bound to the \
         owner, a statement other than a re-homing statement (the owner's newer credential \
         statement) is Forbidden; a re-homing statement of a node the device does not hold is \
         Forbidden; one whose previous_address is not the bound one, or whose signature does not \
         verify, is ConstraintError; a valid one from an unbound address other than its \
         new_address is Forbidden; the valid one from its new_address is then accepted, and the \
         same statement again is ConstraintError",
        &["IOTP-SEC-202", "IOTP-SEC-166", "IOTP-SEC-187"],
    )?;
    let newer_credential = {
        // The owner's credential statement for its new address; serial 1 like the held one, which
        // check 5 would refuse too: check 2 comes first.
        statement(&CONTROLLER_KEYS, MOVED, 9)?
    };
    let b = from(b, MOVED, apply(&newer_credential));
    let b = status_to(
        b,
        "check 2, a credential statement from an unbound address: Forbidden",
        0,
        MOVED,
        "Forbidden",
    );
    let stranger = rehoming(&([0xa1; 32], [0xa2; 32]), OLD, MOVED, 1)?;
    let b = from(b, OLD, apply(&stranger));
    let b = status_to(
        b,
        "check 3, the statement of a node the device does not hold: Forbidden",
        1,
        OLD,
        "Forbidden",
    );
    let b = from(
        b,
        OLD,
        apply(&owner_moves("phone@elsewhere.example.com", MOVED, 1)?),
    );
    let b = status_to(
        b,
        "check 5, previous_address not the bound one: ConstraintError",
        2,
        OLD,
        "ConstraintError",
    );
    let mut forged = iotp2p_codec::security::SignedStatement::decode(&owner_moves(OLD, MOVED, 1)?)
        .map_err(|e| e.to_string())?
        .into_owned();
    if let Some(s) = forged.signatures.first_mut() {
        s.value[20] ^= 0x01;
    }
    let forged: SignedStatement = forged;
    let b = from(
        b,
        MOVED,
        apply(&forged.encode_to_vec().map_err(|e| e.to_string())?),
    );
    let b = status_to(
        b,
        "check 5, the signature does not verify: ConstraintError",
        3,
        MOVED,
        "ConstraintError",
    );
    let b = from(
        b,
        "phone@other.example.net",
        apply(&owner_moves(OLD, MOVED, 1)?),
    );
    let b = status_to(
        b,
        "check 6, from an unbound address that is not the statement's new_address: Forbidden",
        4,
        "phone@other.example.net",
        "Forbidden",
    );
    let b = from(b, MOVED, apply(&owner_moves(OLD, MOVED, 1)?));
    let b = accepted(
        b,
        "nothing changed before: the move is accepted now",
        5,
        MOVED,
    );
    let b = from(b, MOVED, apply(&owner_moves(OLD, MOVED, 1)?));
    Ok(status_to(
        b,
        "the same statement again: its previous_address is no longer bound, ConstraintError",
        6,
        MOVED,
        "ConstraintError",
    )
    .build())
}

fn chain_in_order() -> Result<Vector, String> {
    let b = owned(
        "sec.rehoming-chain-in-sequence-order",
        "the owner moved twice while the device still had its first address bound: the second \
         statement of the chain alone is refused (its previous_address is not bound); the first, \
         then the second, each from the owner's previous address within the grace period, are \
         accepted in turn, and the owner is then answered at its third address",
        &["IOTP-SEC-188", "IOTP-SEC-187", "IOTP-SEC-202"],
    )?;
    let second = owner_moves(MOVED, MOVED_AGAIN, 2)?;
    let b = from(b, OLD, apply(&second));
    let b = status_to(
        b,
        "the second statement first: ConstraintError, nothing bound",
        0,
        OLD,
        "ConstraintError",
    );
    let b = from(b, OLD, apply(&owner_moves(OLD, MOVED, 1)?));
    let b = accepted(b, "the first statement", 1, OLD);
    let b = from(b, OLD, apply(&second));
    let b = accepted(
        b,
        "the second statement, from the previous address within its grace period",
        2,
        OLD,
    );
    let b = from(b, MOVED_AGAIN, read_level());
    Ok(read_answered(b, "the owner's read from its third address", 3, MOVED_AGAIN).build())
}

/// The owner's identity and authentication keys after it rotated its identity key.
const ROTATED_KEYS: ([u8; 32], [u8; 32]) = ([0x75; 32], [0x76; 32]);

fn key_rotation() -> Result<Vector, String> {
    let b = owned(
        "sec.key-rotation-followed-by-the-device",
        "the owner replaces its identity key: its new credential statement first is Forbidden (the \
         device holds no such node); the key rotation statement, signed by both keys, is accepted, \
         and the owner's Administer entry now names its new node ID, so its read under the same \
         context is answered; a statement signed by the previous key is Forbidden; the credential \
         statement under the new key is then accepted; add_peer of the previous key's credential \
         statement is refused ConstraintError; a handshake by the new credential completes and \
         serves",
        &["IOTP-SEC-119", "IOTP-SEC-120", "IOTP-SEC-121", "IOTP-SEC-202", "IOTP-SEC-117"],
    )?;
    let previous = IdentityKey::from_bytes(&CONTROLLER_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let new = IdentityKey::from_bytes(&ROTATED_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let rotation = sign_key_rotation(
        &previous,
        &new,
        &KeyRotationStatement {
            previous_node: previous.node_id().as_bytes(),
            new_identity_key: new.public_key().to_schema(),
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
    .map_err(|e| format!("{e:?}"))?;
    // The owner's credential statement under its new key: serial 1, a new key's first.
    let renewed = statement(&ROTATED_KEYS, OLD, 19)?;
    let b = from(b, OLD, apply(&renewed));
    let b = status_to(
        b,
        "the new credential statement before the rotation: no such node held, Forbidden",
        0,
        OLD,
        "Forbidden",
    );
    let b = from(b, OLD, apply(&rotation));
    let b = accepted(b, "the key rotation statement", 1, OLD);
    let b = from(b, OLD, read_level());
    let b = read_answered(b, "the Administer entry names the new node ID", 2, OLD);
    let b = from(b, OLD, apply(&owner_moves(OLD, MOVED, 1)?));
    let b = status_to(
        b,
        "a statement signed by the key rotated away: Forbidden",
        3,
        OLD,
        "Forbidden",
    );
    let b = from(b, OLD, apply(&renewed));
    let b = accepted(b, "the credential statement under the new key", 4, OLD);
    let add_previous = json_of(&controller::add_peer(&statement(&CONTROLLER_KEYS, OLD, 9)?))?;
    let b = from(b, OLD, add_previous);
    let b = status_to(
        b,
        "add_peer of the credential statement of the key rotated away: ConstraintError",
        5,
        OLD,
        "ConstraintError",
    );
    let b = handshake(
        b,
        Handshake {
            hop: "app",
            by_value: false,
            session: "rotated",
            keys: &ROTATED_KEYS,
            kid: 19,
            address: OLD,
            first: 60,
            reply_to: 14,
        },
        "`done`: the handshake by the new credential",
        "a100f6",
    )?;
    Ok(b.step(sealed("app", "rotated", json!({}), read_level()))
        .step(expect(
            "a read under the new context is answered",
            vec![sealed_answer("app", 0, "rotated", json!({"report": {}}))],
        ))
        .build())
}
