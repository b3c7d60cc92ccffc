//! Scenarios of what a claimed device's security context with its owner rests on (spec §8.4.6,
//! §8.6, feature `security`): a handshake with the owner's credential sent by value gives the owner's
//! ordinary context, not a visitor's; a request sealed under a new context right behind the
//! `edhoc_3` that makes it is served under it; an unsealed status, which anyone can send, takes
//! nothing away.

use serde_json::json;

use super::administration::owner;
use super::pairing::{owned, owned_sending, owned_with, CONTROLLER};
use super::*;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        owner_by_value_is_no_visitor()?,
        request_right_behind_edhoc_3()?,
        unsealed_status_changes_nothing()?,
    ])
}

fn owner_by_value_is_no_visitor() -> Result<Vector, String> {
    let b = owned_sending(
        "sec.owner-by-value-is-no-visitor",
        "the owner runs its handshake with its credential by value, the CCS the device holds in its \
         credential statement: the context is the owner's ordinary one, so its access control entry \
         applies: its read of the level and its acl_read (Administer) are answered, where a visitor \
         context would allow neither",
        &["IOTP-SEC-155"],
        true,
    )?;
    let b = owner(
        b,
        "the read of the level is answered under the owner's context",
        read_level(),
        0,
        json!({"report": {}}),
    );
    Ok(owner(
        b,
        "acl_read of index 0 (Administer) is answered: the owner's entry",
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 16, "input": "00"}}),
        1,
        json!({"invoke_response": {"output": crate::runner::scenario::ANY}}),
    )
    .build())
}

fn request_right_behind_edhoc_3() -> Result<Vector, String> {
    let read = sealed_answer("app", 0, "owner", json!({"report": {}}));
    Ok(owned_with(
        "sec.request-right-behind-edhoc-3",
        "the owner sends its edhoc_3 and, before the device has answered it, a read sealed under the          context that edhoc_3 establishes (an initiator may seal at once): the device processes the          edhoc_3 first, so it answers `done` and then the read under the new context",
        &["IOTP-SEC-58", "IOTP-SEC-57"],
        false,
        Some((read_level(), read)),
    )?
    .build())
}

fn unsealed_status_changes_nothing() -> Result<Vector, String> {
    let b = owned(
        "sec.unsealed-status-changes-nothing",
        "an unsealed Unauthenticated status naming the owner's address as its sender reaches the \
         device: it is not authenticated, so the device keeps the owner's context, credential and \
         entry, and the owner's next read under the same context is answered",
        &["IOTP-SEC-80"],
    )?
    .step(plain(
        "app",
        json!({"message_id": 60, "sender": CONTROLLER, "correlation_id": 0,
               "body": {"status": {"code": "Unauthenticated"}}}),
    ))
    .step(expect("a status is not answered", vec![]));
    Ok(owner(
        b,
        "the owner's context is intact: its read is answered",
        read_level(),
        0,
        json!({"report": {}}),
    )
    .build())
}
