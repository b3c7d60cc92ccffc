//! Scenarios of `granted_by` and scoped administrators (spec §8.8.1, §8.3.7, feature `security`):
//! the device, not the writer, sets who granted an entry; a scoped administrator, added through the
//! owner's commissioning window with Administer on one target, manages only what it granted itself
//! and can neither remove, revoke nor overrule the owner; and no revocation removes the last
//! owner-level administrator.

use serde_json::{json, Value};

use super::administration::{owner, revoke, second_in_use};
use super::pairing::{
    json_of, owned, second_controller_granted, second_handshake, window_granting, Grant,
    CONTROLLER_KEYS, SECOND_KEYS,
};
use super::*;
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{AclEntry, AclTarget};
use iotp2p_codec::security::RevocationReason;
use iotp2p_protocol::controller;
use iotp2p_protocol::security::{IdentityKey, NodeId};
use iotp2p_protocol::server::acl::privilege::{ADMINISTER, READ};

/// The lamp's level capability: the one target of the scoped administrator's entry.
const LEVEL: (Option<u16>, Option<u16>) = (Some(1), Some(7));

/// A node that no scenario runs, named as the subject of the entries written for it.
const GRANTEE: [u8; 32] = [0x55; 32];

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        granted_by_set_by_the_device()?,
        scoped_administrator_within_its_grants()?,
        revocation_keeps_the_last_owner()?,
    ])
}

fn key(keys: &([u8; 32], [u8; 32])) -> Result<IdentityKey, String> {
    IdentityKey::from_bytes(&keys.0).map_err(|e| format!("{e:?}"))
}

/// `acl_read` of `index`.
fn acl_read(index: u8) -> Value {
    json!({"invoke": {"endpoint": 0, "capability": 1, "action": 16, "input": hex(&[index])}})
}

/// The output of `acl_read` for an entry of [`GRANTEE`] alone, Read on `target`, with `granted_by`.
fn grantee_entry(
    target: Option<(Option<u16>, Option<u16>)>,
    granted_by: Option<[u8; 32]>,
) -> Result<Value, String> {
    let entry = AclEntry {
        subjects: vec![GRANTEE],
        privileges: READ,
        targets: target.map(|(endpoint, capability)| {
            vec![AclTarget {
                endpoint,
                capability,
                unknown_fields: Default::default(),
            }]
        }),
        label: None,
        granted_by,
        unknown_fields: Default::default(),
    };
    let bytes = entry.encode_to_vec().map_err(|e| e.to_string())?;
    Ok(json!({"invoke_response": {"output": hex(&bytes)}}))
}

/// The second controller's sealed request `body`, its `n`th under its context, and the device's
/// answer.
fn second(b: Builder, why: &str, body: Value, n: u64, answer: Value) -> Builder {
    b.step(sealed("app", "second", json!({}), body))
        .step(expect(why, vec![sealed_answer("app", n, "second", answer)]))
}

fn forbidden() -> Value {
    json!({"status": {"code": "Forbidden"}})
}

fn granted_by_set_by_the_device() -> Result<Vector, String> {
    let b = second_in_use(
        "sec.granted-by-set-by-the-device",
        "the entry written in the owner's commissioning window reads back with granted_by the \
         owner's node ID; an entry the owner writes with a granted_by of its choosing reads back \
         without one: the device sets granted_by, whatever the request says",
        &["IOTP-SEC-145", "IOTP-SEC-175"],
    )?;
    let owner_id = key(&CONTROLLER_KEYS)?.node_id();
    let second_id = key(&SECOND_KEYS)?.node_id();
    let in_window = AclEntry {
        subjects: vec![*second_id.as_bytes()],
        privileges: READ,
        targets: None,
        label: None,
        granted_by: Some(*owner_id.as_bytes()),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    let b = owner(
        b,
        "acl_read of index 1: the window's entry, granted by the owner that opened the window",
        acl_read(1),
        1,
        json!({"invoke_response": {"output": hex(&in_window)}}),
    );
    let mut write = controller::grant(2, &NodeId::from_bytes(GRANTEE), READ, None, None);
    claim_granted_by(&mut write, [0x99; 32])?;
    let b = owner(
        b,
        "acl_write by the owner of an entry that claims another granted_by: done",
        json_of(&write)?,
        2,
        json!({"invoke_response": {}}),
    );
    Ok(owner(
        b,
        "acl_read of index 2: an owner-level administrator's entry has no granted_by",
        acl_read(2),
        3,
        grantee_entry(None, None)?,
    )
    .build())
}

/// Sets `granted_by` in the entry of an `acl_write` body, as a writer may try to.
fn claim_granted_by(
    body: &mut iotp2p_codec::core::owned::Body,
    granted_by: [u8; 32],
) -> Result<(), String> {
    use iotp2p_codec::core::owned::Body;
    use iotp2p_codec::security::owned::AclWrite;
    let Body::Invoke(invoke) = body else {
        return Err("acl_write is an invoke".into());
    };
    let input = invoke.input.as_ref().ok_or("acl_write has an input")?;
    let mut write = AclWrite::decode(input).map_err(|e| e.to_string())?;
    if let Some(entry) = write.entry.as_mut() {
        entry.granted_by = Some(granted_by);
    }
    invoke.input = Some(write.encode_to_vec().map_err(|e| e.to_string())?);
    Ok(())
}

fn scoped_administrator_within_its_grants() -> Result<Vector, String> {
    let b = second_controller_granted(
        "sec.scoped-administrator-within-its-grants",
        "the owner's commissioning window grants Administer and Read on the level capability; the \
         second controller, added in it, is a scoped administrator. It may not write the owner's \
         entry nor an entry wider than its own, may write a new one within it (which then names it \
         in granted_by), may not open a window wider than its entry, nor remove or revoke the \
         owner, and may remove the node it alone granted an entry to; the owner's access is intact",
        &["IOTP-SEC-176", "IOTP-SEC-175", "IOTP-SEC-142"],
        Grant {
            privileges: ADMINISTER | READ,
            target: Some(LEVEL),
        },
    )?;
    let b = second_handshake(b, "`done`", "a100f6")?;
    let owner_id = key(&CONTROLLER_KEYS)?.node_id();
    let second_key = key(&SECOND_KEYS)?;
    let grantee = NodeId::from_bytes(GRANTEE);
    let b = second(
        b,
        "acl_write of the owner's entry (index 0): Forbidden",
        json_of(&controller::grant(0, &grantee, READ, Some(LEVEL), None))?,
        0,
        forbidden(),
    );
    let b = second(
        b,
        "acl_write of a new entry on every target, wider than its own: Forbidden",
        json_of(&controller::grant(2, &grantee, READ, None, None))?,
        1,
        forbidden(),
    );
    let b = second(
        b,
        "acl_write of a new entry within its own: done",
        json_of(&controller::grant(2, &grantee, READ, Some(LEVEL), None))?,
        2,
        json!({"invoke_response": {}}),
    );
    let b = second(
        b,
        "acl_read of index 2: granted_by is the scoped administrator",
        acl_read(2),
        3,
        grantee_entry(Some(LEVEL), Some(*second_key.node_id().as_bytes()))?,
    );
    let read_anywhere = Grant {
        privileges: READ,
        target: None,
    };
    let b = second(
        b,
        "a commissioning window on every target, wider than its entry: Forbidden",
        window_granting(27_182_818, &[0x44; 16], None, read_anywhere)?,
        4,
        forbidden(),
    );
    let b = second(
        b,
        "remove_peer of the owner, whose entry it did not grant: Forbidden",
        json_of(&controller::remove_peer(&owner_id))?,
        5,
        forbidden(),
    );
    let b = second(
        b,
        "a revocation of the owner that it signed: Forbidden",
        revoke(&second_key, &owner_id, RevocationReason::Superseded)?,
        6,
        forbidden(),
    );
    let b = second(
        b,
        "remove_peer of the node it alone granted an entry to: done",
        json_of(&controller::remove_peer(&grantee))?,
        7,
        json!({"invoke_response": {}}),
    );
    Ok(owner(
        b,
        "the owner's credential, context and entry are intact: its read is answered",
        read_level(),
        1,
        json!({"report": {}}),
    )
    .build())
}

fn revocation_keeps_the_last_owner() -> Result<Vector, String> {
    let b = owned(
        "sec.revocation-keeps-the-last-owner",
        "the owner, the device's only owner-level administrator, applies a revocation of itself \
         that it signed: the device refuses it with ConstraintError, since removing its node ID \
         from the access control list would leave no owner-level administrator, and nothing \
         changes: the owner's read is answered under the same context",
        &["IOTP-SEC-177"],
    )?;
    let owner_key = key(&CONTROLLER_KEYS)?;
    let b = owner(
        b,
        "a revocation that would remove the last owner-level administrator: ConstraintError",
        revoke(
            &owner_key,
            &owner_key.node_id(),
            RevocationReason::KeyCompromise,
        )?,
        0,
        json!({"status": {"code": "ConstraintError"}}),
    );
    Ok(owner(
        b,
        "nothing changed: the owner's read is answered",
        read_level(),
        1,
        json!({"report": {}}),
    )
    .build())
}
