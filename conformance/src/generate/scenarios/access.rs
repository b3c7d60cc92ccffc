//! Scenarios of a claimed device's access control (spec §8.8, feature `security`): what no entry
//! allows is Forbidden, sealed, and the entries are evaluated against the node ID that the
//! security context authenticated, whatever sender address the envelope names.
//!
//! The first two start with [`administration`](super::administration)'s second controller, whose
//! entry (index 1) allows it Read alone, beside the owner's Administer; the last two fill what every
//! node must be able to hold: 8 entries of 4 subjects and 4 targets, the credential statements of 8
//! peers.

use serde_json::json;

use super::administration::{owner, second_in_use};
use super::pairing::{handshake, json_of, owned, statement, Handshake, CONTROLLER};
use super::*;
use crate::suite::hex;
use crate::vector::Vector;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::owned::{AclEntry, AclTarget, AclWrite};
use iotp2p_protocol::controller;
use iotp2p_protocol::server::acl::privilege::READ;

/// A write of the lamp's level.
fn write_level() -> serde_json::Value {
    json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}})
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        no_entry_allows()?,
        entries_against_the_node_id()?,
        eight_full_entries()?,
        eight_peers()?,
    ])
}

fn no_entry_allows() -> Result<Vector, String> {
    let forbidden = json!({"status": {"code": "Forbidden"}});
    Ok(second_in_use(
        "sec.what-no-entry-allows-is-forbidden",
        "the second controller, whose entry allows Read alone, writes the level and subscribes to \
         it: both are denied with Forbidden, sealed under its context, and its read is still \
         answered",
        &["IOTP-SEC-99"],
    )?
    .step(sealed("app", "second", json!({}), write_level()))
    .step(expect(
        "no entry allows the write: Forbidden, sealed",
        vec![sealed_answer("app", 1, "second", forbidden.clone())],
    ))
    .step(sealed(
        "app",
        "second",
        json!({}),
        json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [0], "min_interval": 0, "max_interval": 900}}),
    ))
    .step(expect(
        "no entry allows the subscribe: Forbidden, sealed",
        vec![sealed_answer("app", 2, "second", forbidden)],
    ))
    .step(sealed("app", "second", json!({}), read_level()))
    .step(expect(
        "the entry allows the read",
        vec![sealed_answer("app", 3, "second", json!({"report": {}}))],
    ))
    .build())
}

fn entries_against_the_node_id() -> Result<Vector, String> {
    Ok(second_in_use(
        "sec.acl-against-the-authenticated-node",
        "the second controller writes the level under its context in an envelope that names the \
         owner's address as its sender: the device evaluates its access control list against the \
         node ID the context authenticated, whose entry allows Read alone, so the write is never \
         done: Forbidden, or Unauthenticated (the owner's address is bound to another peer), or \
         nothing",
        &["IOTP-SEC-100"],
    )?
    .step(sealed(
        "app",
        "second",
        json!({ "sender": CONTROLLER }),
        write_level(),
    ))
    .step(expecting(
        expect(
            "the owner's address gives no access: Forbidden",
            vec![sealed_answer(
                "app",
                1,
                "second",
                json!({"status": {"code": "Forbidden"}}),
            )],
        ),
        |e| e.or = vec![vec![status("app", 1, "Unauthenticated")], vec![]],
    ))
    .step(sealed("app", "second", json!({}), read_level()))
    .step(expect(
        "the level is the one set up: the write was not done",
        vec![sealed_answer(
            "app",
            2,
            "second",
            json!({"report": {"values": [{"member": 0, "value": "1880"}]}}),
        )],
    ))
    .build())
}

/// The entry at `index` that [`eight_full_entries`] writes: Read for 4 subjects on 4 targets.
fn full_entry(index: u8) -> AclEntry {
    let target = |endpoint, capability| AclTarget {
        endpoint,
        capability,
        unknown_fields: Default::default(),
    };
    AclEntry {
        subjects: (0..4).map(|j| [index * 4 + j + 1; 32]).collect(),
        privileges: READ,
        targets: Some(vec![
            target(Some(0), Some(1)),
            target(Some(1), Some(7)),
            target(Some(1), Some(8)),
            target(Some(2), None),
        ]),
        label: None,
        granted_by: None,
        unknown_fields: Default::default(),
    }
}

fn eight_full_entries() -> Result<Vector, String> {
    let mut b = owned(
        "sec.eight-full-acl-entries",
        "beside the owner's entry, the owner writes seven more, each with 4 subjects and 4 \
         targets: the device holds all eight, and acl_read gives back the last as written",
        &["IOTP-SEC-97"],
    )?;
    for index in 1..8u8 {
        let write = AclWrite {
            index,
            entry: Some(full_entry(index)),
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|e| e.to_string())?;
        b = owner(
            b,
            &format!("entry {index} of 8: written"),
            json!({"invoke": {"endpoint": 0, "capability": 1, "action": 17, "input": hex(&write)}}),
            u64::from(index - 1),
            json!({"invoke_response": {}}),
        );
    }
    let last = full_entry(7).encode_to_vec().map_err(|e| e.to_string())?;
    Ok(owner(
        b,
        "acl_read of index 7: the eighth entry, 4 subjects and 4 targets, as written",
        json!({"invoke": {"endpoint": 0, "capability": 1, "action": 16, "input": "07"}}),
        7,
        json!({"invoke_response": {"output": hex(&last)}}),
    )
    .build())
}

/// The keys (identity, authentication) of the `i`th peer that [`eight_peers`] adds.
fn peer_keys(i: u8) -> ([u8; 32], [u8; 32]) {
    ([0xc0 + 2 * i; 32], [0xc1 + 2 * i; 32])
}

fn eight_peers() -> Result<Vector, String> {
    let mut b = owned(
        "sec.eight-peer-credentials",
        "beside the owner's credential statement, the owner adds those of seven more peers with \
         add_peer: the device holds all eight, and the last peer's handshake by kid completes",
        &["IOTP-SEC-98"],
    )?;
    for i in 1..8u8 {
        let address = format!("peer{i}@example.net");
        b = owner(
            b,
            &format!("peer {} of 8: added", i + 1),
            json_of(&controller::add_peer(&statement(
                &peer_keys(i),
                &address,
                20 + i,
            )?))?,
            u64::from(i - 1),
            json!({"invoke_response": {}}),
        );
    }
    Ok(handshake(
        b,
        Handshake {
            hop: "app",
            by_value: false,
            session: "peer7",
            keys: &peer_keys(7),
            kid: 27,
            address: "peer7@example.net",
            first: 90,
            reply_to: 15,
        },
        "`done`: the eighth peer's credential is held",
        "a100f6",
    )?
    .build())
}
