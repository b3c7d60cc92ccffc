//! Scenarios of a claimed device's administration (spec §8.3.4, §8.8, §8.11, feature `security`):
//! what the pairing context may do, the owner's entry that cannot go, and a second controller
//! removed or revoked by the owner, whose contexts and credential then go with it.

use serde_json::{json, Value};

use super::pairing::{
    add_second, device, handshake, json_of, owned, paired, second_controller_added,
    second_handshake, statement, under_pairing, under_pairing_as, window_granting, Handshake,
    CONTROLLER_KEYS, PASSCODE, READ_ANYWHERE, SECOND, SECOND_KEYS, SECOND_KID, WINDOW_PASSCODE,
};
use super::*;
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{RehomeRequest, RelayInfo, SignedStatement};
use iotp2p_codec::security::{RevocationReason, RevocationStatement};
use iotp2p_protocol::controller;
use iotp2p_protocol::security::statement::sign_revocation;
use iotp2p_protocol::security::{IdentityKey, NodeId};

/// The owner's sealed request `body`, its `n`th under its context, and the device's answer.
pub(super) fn owner(b: Builder, why: &str, body: Value, n: u64, answer: Value) -> Builder {
    b.step(sealed("app", "owner", json!({}), body))
        .step(expect(why, vec![sealed_answer("app", n, "owner", answer)]))
}

/// `apply_statement` of a revocation of `revoked` that `signer` signs.
pub(super) fn revoke(
    signer: &IdentityKey,
    revoked: &NodeId,
    reason: RevocationReason,
) -> Result<Value, String> {
    let revocation = sign_revocation(
        signer,
        &RevocationStatement {
            node: revoked.as_bytes(),
            reason,
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
    .map_err(|e| format!("{e:?}"))?;
    json_of(&controller::apply_statement(&revocation))
}

/// The second controller's read under its context, answered: its entry allows it.
fn second_reads(b: Builder) -> Builder {
    b.step(sealed("app", "second", json!({}), read_level()))
        .step(expect(
            "the second controller's entry allows its read",
            vec![sealed_answer("app", 0, "second", json!({"report": {}}))],
        ))
}

/// The second controller's handshake by kid again, after the device forgot its credential: its
/// message_2 is the device's datagram `reply_to`; its message_3 gets EDHOC error code 3.
fn second_refused(b: Builder, reply_to: usize) -> Result<Builder, String> {
    handshake(
        b,
        Handshake {
            hop: "app",
            by_value: false,
            session: "second-again",
            keys: &SECOND_KEYS,
            kid: SECOND_KID,
            address: SECOND,
            first: 70,
            reply_to,
        },
        "the credential is gone: error code 3, \"unknown credential referenced\"",
        "a1024203f5",
    )
}

/// The second controller's context is gone: its read is answered Unauthenticated, unsealed
/// ([IOTP-SEC-74], a SHOULD), or not at all; never under the context.
fn second_context_gone(b: Builder) -> Builder {
    b.step(sealed("app", "second", json!({}), read_level()))
        .step(expecting(
            expect(
                "the second controller's context is closed: its read does not open",
                vec![status("app", 1, "Unauthenticated")],
            ),
            |e| e.or = vec![vec![]],
        ))
}

/// A second controller added in the owner's window, with its context `second` and its read
/// answered; the device has sent 18 datagrams, and the owner's next request is its second under
/// its context.
pub(super) fn second_in_use(
    id: &str,
    description: &str,
    requirements: &[&str],
) -> Result<Builder, String> {
    let b = second_controller_added(id, description, requirements)?;
    Ok(second_reads(second_handshake(b, "`done`", "a100f6")?))
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        pairing_context_claims_only()?,
        window_context_serves_its_grant_only()?,
        last_owner_entry_stays()?,
        remove_peer_closes_contexts()?,
        revocation_by_the_owner()?,
        rehome_refusals()?,
    ])
}

fn pairing_context_claims_only() -> Result<Vector, String> {
    let b = device(
        "sec.pairing-context-serves-claiming-only",
        "under the pairing context, a controller may read the Security capability's properties and \
         claim the device; a read of any other capability is Forbidden",
        &["IOTP-SEC-136"],
    )?;
    let b = paired(b, "p", PASSCODE, 1, 0);
    let b = under_pairing(
        b,
        "a read of the level under the pairing context: Forbidden",
        read_level(),
        0,
        json!({"status": {"code": "Forbidden"}}),
    );
    Ok(under_pairing(
        b,
        "a read of the Security capability's node_id: answered",
        json!({"read": {"endpoint": 0, "capability": 1, "members": [0]}}),
        1,
        json!({"report": {}}),
    )
    .build())
}

fn window_context_serves_its_grant_only() -> Result<Vector, String> {
    let b = owned(
        "sec.window-context-serves-its-grant-only",
        "under the pairing context of the owner's commissioning window, a new controller may read          the Security capability's properties; a read of the level and an Administer action          (remove_peer of the owner) are Forbidden, before and after its add_peer",
        &["IOTP-SEC-137"],
    )?
    .step(sealed(
        "app",
        "owner",
        json!({}),
        window_granting(WINDOW_PASSCODE, &[0x33; 16], None, READ_ANYWHERE)?,
    ))
    .step(expect(
        "the window opens",
        vec![sealed_answer("app", 0, "owner", json!({"invoke_response": {}}))],
    ));
    let owner_id = IdentityKey::from_bytes(&CONTROLLER_KEYS.0)
        .map_err(|e| format!("{e:?}"))?
        .node_id();
    let forbidden = || json!({"status": {"code": "Forbidden"}});
    let remove_owner = json_of(&controller::remove_peer(&owner_id))?;
    let b = paired(b, "w", WINDOW_PASSCODE, 30, 9);
    let steps: [(&str, Value, Value); 5] = [
        ("a read of the level: Forbidden", read_level(), forbidden()),
        (
            "a read of the Security capability's node_id: answered",
            json!({"read": {"endpoint": 0, "capability": 1, "members": [0]}}),
            json!({"report": {}}),
        ),
        (
            "remove_peer of the owner: Forbidden",
            remove_owner.clone(),
            forbidden(),
        ),
        (
            "add_peer: the new controller's credential statement",
            add_second()?,
            json!({"invoke_response": {}}),
        ),
        (
            "remove_peer of the owner after add_peer: Forbidden",
            remove_owner,
            forbidden(),
        ),
    ];
    let mut b = b;
    for (n, (why, body, answer)) in steps.into_iter().enumerate() {
        b = under_pairing_as(b, "w", why, body, n as u64, answer);
    }
    Ok(b.build())
}

fn last_owner_entry_stays() -> Result<Vector, String> {
    let b = owned(
        "sec.last-owner-entry-stays",
        "acl_write that would delete the only entry with Administer and without granted_by (the \
         owner's) is refused ConstraintError, and the owner keeps its access",
        &["IOTP-SEC-177"],
    )?;
    let delete = iotp2p_codec::security::AclWrite {
        index: 0,
        entry: None,
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    let b = owner(
        b,
        "deleting the owner's entry: ConstraintError",
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 17, "input": hex(&delete)}}),
        0,
        json!({"status": {"code": "ConstraintError"}}),
    );
    Ok(owner(
        b,
        "the owner still reads",
        read_level(),
        1,
        json!({"report": {}}),
    )
    .build())
}

fn remove_peer_closes_contexts() -> Result<Vector, String> {
    let second = IdentityKey::from_bytes(&SECOND_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let b = second_in_use(
        "sec.remove-peer-closes-its-contexts",
        "the owner removes the second controller with remove_peer: the device forgets its \
         credential statement, so its next handshake by kid gets EDHOC error code 3, and closes \
         its context, under which its read no longer opens",
        &["IOTP-SEC-107", "IOTP-SEC-51"],
    )?;
    let b = owner(
        b,
        "remove_peer of the second controller",
        json_of(&controller::remove_peer(&second.node_id()))?,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(second_context_gone(second_refused(b, 19)?).build())
}

fn revocation_by_the_owner() -> Result<Vector, String> {
    let owner_key = IdentityKey::from_bytes(&CONTROLLER_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let second = IdentityKey::from_bytes(&SECOND_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let b = second_in_use(
        "sec.revocation-by-the-owner",
        "the owner revokes the second controller with a revocation statement it signs: the device \
         deletes the second controller's credential statement, context and access control entry, \
         and refuses its handshake, by kid and with its credential by value",
        &[
            "IOTP-SEC-122",
            "IOTP-SEC-123",
            "IOTP-SEC-124",
            "IOTP-SEC-156",
        ],
    )?;
    let b = owner(
        b,
        "the revocation is accepted",
        revoke(
            &owner_key,
            &second.node_id(),
            RevocationReason::KeyCompromise,
        )?,
        1,
        json!({"invoke_response": {}}),
    );
    let b = second_refused(b, 19)?;
    // Its credential by value, claiming its node ID, is refused too: a visitor context would
    // answer its read Forbidden under the context; there is none.
    let b = handshake(
        b,
        Handshake {
            hop: "app",
            by_value: true,
            session: "second-by-value",
            keys: &SECOND_KEYS,
            kid: SECOND_KID,
            address: SECOND,
            first: 80,
            reply_to: 21,
        },
        "a handshake by value claiming the revoked node: refused with an EDHOC error",
        crate::runner::scenario::ANY,
    )?;
    let b = b
        .step(sealed("app", "second-by-value", json!({}), read_level()))
        .step(expecting(
            expect(
                "no visitor context for the revoked node: the read does not open",
                vec![status("app", 0, "Unauthenticated")],
            ),
            |e| e.or = vec![vec![]],
        ));
    let b = second_context_gone(b);
    // The entry at index 1 went with its only subject: acl_read of it is empty.
    Ok(owner(
        b,
        "the second controller's entry is gone: acl_read of index 1 gives none",
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 16, "input": "01"}}),
        2,
        json!({"invoke_response": {"output": ABSENT}}),
    )
    .build())
}

/// The device's new address in [`rehome_refusals`], and the keys of its new provider's relay.
const NEW_ADDRESS: &str = "lamp@new.example.net";
const NEW_RELAY_KEYS: ([u8; 32], [u8; 32]) = ([0xb1; 32], [0xb2; 32]);

/// `rehome` to `address`, with the relay whose credential statement is `relay` (if any).
fn rehome_to(address: &str, relay: Option<SignedStatement>) -> Result<Value, String> {
    let input = RehomeRequest {
        new_address: address.into(),
        relay: relay.map(|credential| RelayInfo {
            credential,
            endpoints: Vec::new(),
            unknown_fields: Default::default(),
        }),
        unknown_fields: Default::default(),
    }
    .encode_to_vec()
    .map_err(|e| e.to_string())?;
    Ok(json!({"invoke": {"endpoint": 0, "capability": 1, "action": 24, "input": hex(&input)}}))
}

/// The credential statement of the relay of `NEW_RELAY_KEYS` at `address`.
fn relay_statement(address: &str) -> Result<SignedStatement, String> {
    iotp2p_codec::security::SignedStatement::decode(&statement(&NEW_RELAY_KEYS, address, 3)?)
        .map(|s| s.into_owned())
        .map_err(|e| e.to_string())
}

fn rehome_refusals() -> Result<Vector, String> {
    let b = owned(
        "sec.rehome-refusals",
        "rehome is refused ConstraintError before the device signs anything when the new address \
         is its current one, when the relay's credential statement names the relay of another \
         domain, and when it does not verify; a rehome to another provider's address with its \
         relay then gives the statements",
        &["IOTP-SEC-196"],
    )?;
    let refused = json!({"status": {"code": "ConstraintError"}});
    let b = owner(
        b,
        "the current address: ConstraintError",
        rehome_to(LAMP, None)?,
        0,
        refused.clone(),
    );
    let b = owner(
        b,
        "a relay of another domain: ConstraintError",
        rehome_to(
            NEW_ADDRESS,
            Some(relay_statement("_relay@other.example.net")?),
        )?,
        1,
        refused.clone(),
    );
    let mut forged = relay_statement("_relay@new.example.net")?;
    if let Some(s) = forged.signatures.first_mut() {
        s.value[5] ^= 0x01;
    }
    let b = owner(
        b,
        "a relay credential statement that does not verify: ConstraintError",
        rehome_to(NEW_ADDRESS, Some(forged))?,
        2,
        refused,
    );
    Ok(owner(
        b,
        "the new provider's relay: the re-homing and credential statements",
        rehome_to(
            NEW_ADDRESS,
            Some(relay_statement("_relay@new.example.net")?),
        )?,
        3,
        json!({"invoke_response": {"output": crate::runner::scenario::ANY}}),
    )
    .build())
}
