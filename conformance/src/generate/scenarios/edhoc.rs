//! Scenarios of EDHOC as the node answers it (spec §8.4.3): the runner plays the initiator through the
//! lamp's home relay, computing message_1 and message_3 with `iotp2p-protocol`; the node must answer
//! with message_2 and `done` in `edhoc_1`/`edhoc_3` replies, and then seal and open under the context
//! it derived (§8.4.5), which the runner's own derivation checks by opening.

use serde_json::{json, Value};

use super::*;
use crate::scenario::{EdhocSetup, KnownPeerSetup, PeerEdhoc};
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_protocol::security::NodeId;

const LAMP_KEY: [u8; 32] = [0x22; 32];
pub(super) const APP_KEY: [u8; 32] = [0x11; 32];
pub(super) const GUEST_KEY: [u8; 32] = [0x33; 32];
const SECOND_GUEST_KEY: [u8; 32] = [0x44; 32];
pub(super) const GUEST: &str = "guest@example.net";

/// The CCS of §8.2.2 of the P-256 key `secret`, naming the node `owner`, with the one-byte `kid`.
fn ccs(secret: &[u8; 32], owner: u8, kid: u8) -> Result<String, String> {
    p256_ccs(secret, &NodeId::from_bytes([owner; 32]), kid).map(|c| hex(&c))
}

/// The lamp answering EDHOC, knowing the app's credential (bound to the app's address).
pub(super) fn lamp_answers_edhoc(b: Builder) -> Result<Builder, String> {
    let lamp = ccs(&LAMP_KEY, 0xbb, 7)?;
    let app = ccs(&APP_KEY, 0xaa, 5)?;
    Ok(b.node(|n| {
        n.edhoc = Some(EdhocSetup {
            key: hex(&LAMP_KEY),
            credential: lamp,
            peers: vec![KnownPeerSetup {
                credential: app,
                address: Some(APP.into()),
            }],
        })
    }))
}

/// message_1 of the handshake `session` of the peer with `key` at `address`, through the relay, which
/// delivers a handshake with its sender in full ([IOTP-MSG-139]).
pub(super) fn message_1(
    session: &str,
    key: &[u8; 32],
    owner: u8,
    kid: u8,
    by_value: bool,
    address: &str,
) -> Result<Step, String> {
    Ok(with(
        plain("relay", json!({"message_id": 50, "sender": address})),
        |s| {
            s.edhoc = Some(PeerEdhoc::Message1 {
                session: session.into(),
                key: hex(key),
                credential: ccs(key, owner, kid).unwrap_or_default(),
                c_i: 1,
                ephemeral: hex(&[0x31; 32]),
                by_value,
                address: Some(address.into()),
            })
        },
    ))
}

/// message_3 of `session`, answering the node's datagram `reply_to`.
pub(super) fn message_3(from: &str, envelope: Value, session: &str, reply_to: usize) -> Step {
    with(plain(from, envelope), |s| {
        s.edhoc = Some(PeerEdhoc::Message3 {
            session: session.into(),
            reply_to,
        })
    })
}

/// The node's answer to the EDHOC request `message_id` of `address`: unsealed, an `invoke_response`
/// whose output has these bytes (`"<any>"` for message_2).
pub(super) fn edhoc_answer(message_id: u64, address: &str, output: &str) -> SendPattern {
    to(
        "relay",
        json!({"correlation_id": message_id, "sealed": ABSENT, "recipient": address, "body": {"invoke_response": {"output": output}}}),
    )
}

/// `done`: `EdhocFinish` variant 0, `{0: null}`.
pub(super) const DONE: &str = "a100f6";

/// A handshake's `edhoc_3` answered with `done`.
pub(super) const COMPLETED: (&str, &str) = ("`done`", DONE);

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        handshake()?,
        only_the_initiator_continues()?,
        by_value_visitor()?,
        visitor_lifetime()?,
        one_visitor_at_a_time()?,
        visitor_handshake_rate()?,
        unknown_kid()?,
        state_kept()?,
    ])
}

fn handshake() -> Result<Vector, String> {
    Ok(lamp_answers_edhoc(Builder::lamp(
        "sec.edhoc-handshake",
        "the app runs EDHOC with the lamp through its home relay: message_2 and `done` come back in \
         edhoc_1 and edhoc_3 replies, and both sides then seal and open under the context each derived",
        &["IOTP-SEC-46", "IOTP-SEC-47", "IOTP-SEC-61", "IOTP-SEC-64", "IOTP-SEC-150", "IOTP-SEC-149"],
    ))?
    .step(message_1("s", &APP_KEY, 0xaa, 5, false, APP)?)
    .step(expect("message_2, unsealed, in the reply to edhoc_1", vec![edhoc_answer(50, APP, "<any>")]))
    .step(message_3("relay", json!({"message_id": 51, "sender": APP}), "s", 0))
    .step(expect("the handshake completes: `done`", vec![edhoc_answer(51, APP, DONE)]))
    .step(sealed("relay", "s", json!({"sender_contact": 1}), read_level()))
    .step(expect(
        "a read sealed under the new context is answered under it",
        vec![sealed_answer(
            "relay",
            0,
            "s",
            json!({"report": {"values": [{"member": 0, "value": "1880"}]}}),
        )],
    ))
    .build())
}

fn only_the_initiator_continues() -> Result<Vector, String> {
    Ok(lamp_answers_edhoc(Builder::lamp(
        "sec.edhoc-3-from-the-initiator-only",
        "an edhoc_3 that names the handshake's C_R but comes from another sender is ignored, and the \
         handshake goes on with its initiator",
        &["IOTP-SEC-194"],
    ))?
    .step(message_1("s", &APP_KEY, 0xaa, 5, false, APP)?)
    .step(expect("message_2", vec![edhoc_answer(50, APP, "<any>")]))
    .step(message_3("relay", json!({"message_id": 60, "sender": "mallory@example.net"}), "s", 0))
    .step(silence("not from the sender of the edhoc_1: ignored, without ending the handshake"))
    .step(message_3("relay", json!({"message_id": 51, "sender": APP}), "s", 0))
    .step(expect("the initiator's message_3 completes it", vec![edhoc_answer(51, APP, DONE)]))
    .build())
}

fn by_value_visitor() -> Result<Vector, String> {
    Ok(lamp_answers_edhoc(Builder::lamp(
        "sec.edhoc-by-value-is-a-visitor",
        "an initiator unknown to the lamp sends its credential by value: the handshake completes, \
         the visitor context is bound to the address the handshake came from, so that a read sealed \
         under it opens when the relay names the guest by a contact number, and is Forbidden",
        &["IOTP-SEC-151", "IOTP-SEC-152", "IOTP-SEC-157", "IOTP-SEC-198", "IOTP-SEC-66"],
    ))?
    .step(message_1("g", &GUEST_KEY, 0xcc, 9, true, GUEST)?)
    .step(expect("message_2", vec![edhoc_answer(50, GUEST, "<any>")]))
    .step(message_3("relay", json!({"message_id": 51, "sender": GUEST}), "g", 0))
    .step(expect("`done`", vec![edhoc_answer(51, GUEST, DONE)]))
    .step(sealed("relay", "g", json!({"sender_contact": 1}), read_level()))
    .step(expect(
        "the read opens with the guest's address in its associated data; a visitor's peer has no \
         privileges",
        vec![SendPattern {
            envelope: json!({"correlation_id": 0, "recipient_contact": 1, "body": ABSENT}),
            ..sealed_answer("relay", 0, "g", json!({"status": {"code": "Forbidden"}}))
        }],
    ))
    .build())
}

/// A guest's sealed read of the level under its visitor context `session`.
pub(super) fn guest_reads(session: &str, address: &str) -> Step {
    sealed("relay", session, json!({ "sender": address }), read_level())
}

/// The lamp's answer to a guest's read `message_id` under its visitor context: Forbidden, sealed.
pub(super) fn forbidden(session: &str, address: &str, message_id: u64) -> Step {
    expect(
        "the visitor context still exists: a visitor's read is Forbidden",
        vec![SendPattern {
            envelope: json!({"correlation_id": message_id, "recipient": address, "body": ABSENT}),
            ..sealed_answer(
                "relay",
                message_id,
                session,
                json!({"status": {"code": "Forbidden"}}),
            )
        }],
    )
}

/// The lamp no longer holds the guest's context: the read is answered Unauthenticated, unsealed
/// ([IOTP-SEC-74], a SHOULD), or not at all; never under the context.
fn context_gone(message_id: u64) -> Step {
    expecting(
        expect(
            "the visitor context is gone: the read does not open",
            vec![status("relay", message_id, "Unauthenticated")],
        ),
        |e| e.or = vec![vec![]],
    )
}

/// A guest's handshake by value through the relay: its `edhoc_1` and `edhoc_3` carry `message_id`s
/// `first` and `first + 1`; `reply_to` is the index of the lamp's message_2 among its datagrams;
/// `answer` is what the step after `edhoc_3` expects and the output's bytes ([`COMPLETED`], or a
/// refusal).
#[allow(clippy::too_many_arguments)]
pub(super) fn guest_handshake(
    b: Builder,
    session: &str,
    key: &[u8; 32],
    owner: u8,
    address: &str,
    first: u64,
    reply_to: usize,
    answer: (&str, &str),
) -> Result<Builder, String> {
    Ok(b.step(with(
        message_1(session, key, owner, 9, true, address)?,
        |s| {
            s.envelope = Some(json!({"message_id": first, "sender": address}));
        },
    ))
    .step(expect(
        "message_2",
        vec![edhoc_answer(first, address, "<any>")],
    ))
    .step(message_3(
        "relay",
        json!({"message_id": first + 1, "sender": address}),
        session,
        reply_to,
    ))
    .step(expect(
        answer.0,
        vec![edhoc_answer(first + 1, address, answer.1)],
    )))
}

fn visitor_lifetime() -> Result<Vector, String> {
    let b = lamp_answers_edhoc(Builder::lamp(
        "sec.visitor-lifetime",
        "a visitor context lives VISITOR_LIFETIME (600 s) after the handshake that made it: a read \
         under it 1 ms before is answered (Forbidden), one at 600 s does not open",
        &["IOTP-SEC-160"],
    ))?;
    Ok(
        guest_handshake(b, "g", &GUEST_KEY, 0xcc, GUEST, 50, 0, COMPLETED)?
            .step(at(599_999))
            .step(guest_reads("g", "guest@example.net"))
            .step(forbidden("g", "guest@example.net", 0))
            .step(at(600_000))
            .step(guest_reads("g", "guest@example.net"))
            .step(context_gone(1))
            .build(),
    )
}

fn one_visitor_at_a_time() -> Result<Vector, String> {
    let b = lamp_answers_edhoc(Builder::lamp(
        "sec.one-visitor-at-a-time",
        "a device holds one visitor context (MAX_VISITOR_CONTEXTS): a second unknown initiator's \
         handshake by value makes the first guest's context go; the second guest's stays",
        &["IOTP-SEC-161"],
    ))?;
    let b = guest_handshake(b, "g", &GUEST_KEY, 0xcc, GUEST, 50, 0, COMPLETED)?;
    let second = "second@example.net";
    Ok(
        guest_handshake(b, "h", &SECOND_GUEST_KEY, 0xcd, second, 60, 2, COMPLETED)?
            .step(guest_reads("g", "guest@example.net"))
            .step(context_gone(0))
            .step(guest_reads("h", "second@example.net"))
            .step(forbidden("h", "second@example.net", 0))
            .build(),
    )
}

fn visitor_handshake_rate() -> Result<Vector, String> {
    let mut b = lamp_answers_edhoc(Builder::lamp(
        "sec.visitor-handshake-rate",
        "handshakes by value are rate-limited per hop-peer address and claimed node ID: from the \
         relay, under one node ID, VISITOR_HANDSHAKE_BURST (4) complete, the fifth gets EDHOC error \
         code 1 in the reply to edhoc_3, and one more completes VISITOR_HANDSHAKE_INTERVAL (15 s) \
         later",
        &["IOTP-SEC-162", "IOTP-SEC-200"],
    ))?;
    // Each handshake's message_2 and answer to edhoc_3 are two datagrams of the lamp.
    for (i, session) in ["g1", "g2", "g3", "g4"].into_iter().enumerate() {
        let first = 50 + 2 * i as u64;
        b = guest_handshake(b, session, &GUEST_KEY, 0xcc, GUEST, first, 2 * i, COMPLETED)?;
    }
    let refused = (
        "beyond the burst: EDHOC error code 1 as `EdhocFinish.error`",
        "a102420160",
    );
    let b = guest_handshake(b, "g5", &GUEST_KEY, 0xcc, GUEST, 58, 8, refused)?.step(at(15_000));
    Ok(guest_handshake(b, "g6", &GUEST_KEY, 0xcc, GUEST, 60, 10, COMPLETED)?.build())
}

fn unknown_kid() -> Result<Vector, String> {
    Ok(lamp_answers_edhoc(Builder::lamp(
        "sec.edhoc-unknown-kid",
        "an initiator that references by kid a credential the lamp does not hold gets EDHOC error \
         code 3 in the reply to edhoc_3, and no context",
        &["IOTP-SEC-51", "IOTP-SEC-178"],
    ))?
    .step(message_1(
        "g",
        &GUEST_KEY,
        0xcc,
        9,
        false,
        "guest@example.net",
    )?)
    .step(expect(
        "message_2 (ID_CRED_I is read only from message_3)",
        vec![edhoc_answer(50, "guest@example.net", "<any>")],
    ))
    .step(message_3(
        "relay",
        json!({"message_id": 51, "sender": "guest@example.net"}),
        "g",
        0,
    ))
    .step(expect(
        "the error message of code 3, \"unknown credential referenced\", as `EdhocFinish.error`",
        vec![edhoc_answer(51, "guest@example.net", "a1024203f5")],
    ))
    .build())
}

fn state_kept() -> Result<Vector, String> {
    Ok(lamp_answers_edhoc(Builder::lamp(
        "sec.edhoc-state-kept-300-seconds",
        "a handshake waiting for message_3 is kept at least 300 seconds: a message_3 299 seconds later \
         completes it",
        &["IOTP-SEC-59"],
    ))?
    .step(message_1("s", &APP_KEY, 0xaa, 5, false, APP)?)
    .step(expect("message_2", vec![edhoc_answer(50, APP, "<any>")]))
    .step(at(299_000))
    .step(message_3("relay", json!({"message_id": 51, "sender": APP}), "s", 0))
    .step(expect("still waiting for it: `done`", vec![edhoc_answer(51, APP, DONE)]))
    .build())
}
