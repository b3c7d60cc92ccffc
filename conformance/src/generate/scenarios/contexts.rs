//! Scenarios of what a claimed device's security context with its owner rests on (spec §8.4.6,
//! §8.6, feature `security`): a handshake with the owner's credential sent by value gives the owner's
//! ordinary context, not a visitor's; an unsealed status, which anyone can send, takes nothing away.

use serde_json::json;

use super::administration::owner;
use super::pairing::{owned, owned_sending, CONTROLLER};
use super::*;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        owner_by_value_is_no_visitor()?,
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
