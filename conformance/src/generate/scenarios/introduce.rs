//! Scenarios of `introduce` at the subject (spec §8.8.4.2, feature `security`): the device, claimed
//! by its owner, is presented an introduction statement by its audience, an app that has never met
//! it. The app runs EDHOC with its credential by value (a visitor, §8.4.6) and invokes `introduce`
//! under the visitor context; the device checks the statement in the order of the spec's table and
//! changes nothing unless every check passed. The runner signs the statements with
//! `iotp2p-protocol`'s statement module, as the owner's controller would.

use serde_json::{json, Value};

use super::pairing::{handshake, owned, statement, Handshake, CONTROLLER_KEYS, DEVICE_KEYS};
use super::*;
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{Introduction, SignedStatement};
use iotp2p_codec::security::IntroductionStatement;
use iotp2p_protocol::security::statement::sign_introduction;
use iotp2p_protocol::security::{IdentityKey, NodeId};
use iotp2p_protocol::server::acl::privilege::READ;

/// The audience's keys (identity, authentication), address and credential `kid`.
const ALICE_KEYS: ([u8; 32], [u8; 32]) = ([0x91; 32], [0x92; 32]);
const ALICE: &str = "alice-phone@example.net";
const ALICE_KID: u8 = 13;

/// The device's first datagram after [`owned`]: message_2 of the audience's handshake.
const AFTER_OWNED: usize = 8;

fn identity(keys: &([u8; 32], [u8; 32])) -> Result<IdentityKey, String> {
    IdentityKey::from_bytes(&keys.0).map_err(|e| format!("{e:?}"))
}

fn node_id(keys: &([u8; 32], [u8; 32])) -> Result<NodeId, String> {
    identity(keys).map(|k| k.node_id())
}

/// An introduction statement of the device, granting Read to Alice, with `serial`.
struct Grant {
    /// Who signs it: the owner, or anyone else.
    signer: ([u8; 32], [u8; 32]),
    subject: NodeId,
    audience: NodeId,
    serial: u32,
    not_after: Option<u64>,
}

impl Grant {
    /// The owner's introduction of Alice to the device.
    fn of_alice(serial: u32) -> Result<Grant, String> {
        Ok(Grant {
            signer: CONTROLLER_KEYS,
            subject: node_id(&DEVICE_KEYS)?,
            audience: node_id(&ALICE_KEYS)?,
            serial,
            not_after: None,
        })
    }

    /// The signed statement.
    fn signed(&self) -> Result<SignedStatement, String> {
        let bytes = sign_introduction(
            &identity(&self.signer)?,
            &IntroductionStatement {
                subject: self.subject.as_bytes(),
                subject_address: Some(LAMP),
                audience: self.audience.as_bytes(),
                privileges: READ,
                targets: None,
                serial: self.serial,
                not_after: self.not_after,
                issued_at: None,
                unknown_fields: Default::default(),
            },
        )
        .map_err(|e| format!("{e:?}"))?;
        decoded(&bytes)
    }
}

fn decoded(bytes: &[u8]) -> Result<SignedStatement, String> {
    iotp2p_codec::security::SignedStatement::decode(bytes)
        .map(|s| s.into_owned())
        .map_err(|e| e.to_string())
}

/// Alice's credential statement, naming the credential of her handshake.
fn alice_credential() -> Result<SignedStatement, String> {
    decoded(&statement(&ALICE_KEYS, ALICE, ALICE_KID)?)
}

/// The `introduce` request (Security action 27) with `statement` and `credentials`.
fn introduce(
    statement: SignedStatement,
    credentials: Vec<SignedStatement>,
) -> Result<Value, String> {
    let input = Introduction {
        statement,
        credentials,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    Ok(json!({"invoke": {"endpoint": 0, "capability": 1, "action": 27, "input": hex(&input)}}))
}

/// The usual presentation: the owner's introduction with Alice's credential statement.
fn presented(serial: u32) -> Result<Value, String> {
    introduce(
        Grant::of_alice(serial)?.signed()?,
        vec![alice_credential()?],
    )
}

/// The device, claimed and owned, and Alice's handshake with it by value on her own hop: the
/// device holds a visitor context `alice` with her.
fn visited(id: &str, description: &str, requirements: &[&str]) -> Result<Builder, String> {
    let b = owned(id, description, requirements)?;
    handshake(
        b,
        Handshake {
            hop: "alice",
            by_value: true,
            session: "alice",
            keys: &ALICE_KEYS,
            kid: ALICE_KID,
            address: ALICE,
            first: 1,
            reply_to: AFTER_OWNED,
        },
        "`done`: a visitor context",
        "a100f6",
    )
}

/// Alice's request `body` under her context, and the device's sealed answer to it, the `n`th.
fn alice(b: Builder, why: &str, body: Value, n: u64, answer: Value) -> Builder {
    b.step(sealed("alice", "alice", json!({}), body))
        .step(expect(
            why,
            vec![sealed_answer("alice", n, "alice", answer)],
        ))
}

fn refused(b: Builder, why: &str, body: Value, n: u64, code: &str) -> Builder {
    alice(b, why, body, n, json!({"status": {"code": code}}))
}

fn accepted(b: Builder, why: &str, body: Value, n: u64) -> Builder {
    alice(b, why, body, n, json!({"invoke_response": {}}))
}

/// The level, read by Alice as her `n`th request: answered if she has Read, Forbidden if not.
fn reads(b: Builder, why: &str, n: u64, allowed: bool) -> Builder {
    let answer = if allowed {
        json!({"report": {}})
    } else {
        json!({"status": {"code": "Forbidden"}})
    };
    alice(b, why, read_level(), n, answer)
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![grants_the_audience()?, checks_in_order()?, serials()?])
}

fn grants_the_audience() -> Result<Vector, String> {
    let b = visited(
        "sec.introduce-grants-the-audience",
        "an app the device has never met runs EDHOC with its credential by value and presents the \
         owner's introduction under the visitor context: the device stores the app's credential \
         statement and an entry granted by the owner, and the same context is from then on the \
         app's ordinary one: a read under it, Forbidden before, is answered",
        &["IOTP-SEC-184", "IOTP-SEC-185", "IOTP-SEC-157"],
    )?;
    let b = reads(b, "a visitor has no privileges", 0, false);
    let b = accepted(b, "the introduction is accepted", presented(1)?, 1);
    Ok(reads(
        b,
        "the entry the introduction added allows the read",
        2,
        true,
    )
    .build())
}

fn checks_in_order() -> Result<Vector, String> {
    let b = visited(
        "sec.introduce-checks-in-order",
        "introduce is checked in the order of the spec's table, answered with the status of the \
         first check that fails, and changes nothing then: a signer without Administer is \
         Forbidden; a signature that does not verify, another subject, or no credential statement \
         of the audience is ConstraintError; another audience is Forbidden; a passed not_after is \
         InvalidState; where two checks fail, the earlier one's status comes; after every refusal \
         the visitor still reads nothing, and the owner's introduction then succeeds",
        &["IOTP-SEC-183", "IOTP-SEC-13", "IOTP-SEC-182"],
    )?;
    let other = node_id(&([0xa1; 32], [0xa2; 32]))?;
    let alice_statement = alice_credential()?;

    // Check 1: signed by Alice herself, who holds nothing on the device.
    let self_signed = Grant {
        signer: ALICE_KEYS,
        ..Grant::of_alice(1)?
    }
    .signed()?;
    let b = refused(
        b,
        "check 1, the signer does not administer the device: Forbidden",
        introduce(self_signed, vec![alice_statement.clone()])?,
        0,
        "Forbidden",
    );

    // Check 2: the owner's signature over other bytes.
    let mut forged = Grant::of_alice(1)?.signed()?;
    if let Some(s) = forged.signatures.first_mut() {
        s.value[10] ^= 0x01;
    }
    let b = refused(
        b,
        "check 2, the signature does not verify: ConstraintError",
        introduce(forged, vec![alice_statement.clone()])?,
        1,
        "ConstraintError",
    );

    // Checks 3 and 4 both fail: 3's status comes.
    let elsewhere = Grant {
        subject: other,
        audience: other,
        ..Grant::of_alice(1)?
    }
    .signed()?;
    let b = refused(
        b,
        "checks 3 and 4, another subject and another audience: check 3's ConstraintError",
        introduce(elsewhere, vec![alice_statement.clone()])?,
        2,
        "ConstraintError",
    );

    // Checks 4 and 6 both fail: 4's status comes.
    let for_another = Grant {
        audience: other,
        not_after: Some(1),
        ..Grant::of_alice(1)?
    }
    .signed()?;
    let b = refused(
        b,
        "checks 4 and 6, another audience and a passed not_after: check 4's Forbidden",
        introduce(for_another, vec![alice_statement.clone()])?,
        3,
        "Forbidden",
    );

    // Check 6 alone: the device has no clock, or one past 1970.
    let expired = Grant {
        not_after: Some(1),
        ..Grant::of_alice(1)?
    }
    .signed()?;
    let b = refused(
        b,
        "check 6, a not_after the device cannot tell has not passed: InvalidState",
        introduce(expired, vec![alice_statement.clone()])?,
        4,
        "InvalidState",
    );

    // Check 9: under a visitor context, the audience's credential statement is needed.
    let b = refused(
        b,
        "check 9, no credential statement of the audience: ConstraintError",
        introduce(Grant::of_alice(1)?.signed()?, Vec::new())?,
        5,
        "ConstraintError",
    );

    // Check 9: a credential statement of the audience that names another credential than the
    // handshake's.
    let other_ccs = decoded(&statement(&ALICE_KEYS, ALICE, ALICE_KID + 1)?)?;
    let b = refused(
        b,
        "check 9, the audience's credential statement does not hold the handshake's CCS: \
         ConstraintError",
        introduce(Grant::of_alice(1)?.signed()?, vec![other_ccs])?,
        6,
        "ConstraintError",
    );

    let b = reads(
        b,
        "nothing changed: the visitor still reads nothing",
        7,
        false,
    );
    // Serial 1 was never accepted: every refusal above left the serials as they were.
    let b = accepted(b, "the owner's introduction, serial 1", presented(1)?, 8);
    Ok(reads(b, "the read is allowed", 9, true).build())
}

fn serials() -> Result<Vector, String> {
    let b = visited(
        "sec.introduce-serials",
        "each introduction is accepted once: the device keeps, for its owner, the greatest serial \
         it accepted and which of the 32 below it it accepted; an introduction presented again, or \
         one whose serial is more than 32 below the greatest, is refused InvalidState, and one \
         signed earlier but presented later, within the 32, is accepted",
        &["IOTP-SEC-186", "IOTP-SEC-183"],
    )?;
    let b = accepted(b, "serial 40", presented(40)?, 0);
    // Under what is now Alice's ordinary context, her held credential statement serves (check 9).
    let b = refused(
        b,
        "serial 40 again: InvalidState",
        presented(40)?,
        1,
        "InvalidState",
    );
    let b = accepted(b, "serial 8, the last of the 32 below 40", presented(8)?, 2);
    let b = refused(
        b,
        "serial 8 again: InvalidState",
        presented(8)?,
        3,
        "InvalidState",
    );
    let b = refused(
        b,
        "serial 7, 33 below the greatest: InvalidState",
        presented(7)?,
        4,
        "InvalidState",
    );
    Ok(accepted(b, "serial 41", presented(41)?, 5).build())
}
