//! Scenarios of a claimed device's access control (spec §8.8, feature `security`): what no entry
//! allows is Forbidden, sealed, and the entries are evaluated against the node ID that the
//! security context authenticated, whatever sender address the envelope names.
//!
//! Each starts with [`administration`](super::administration)'s second controller, whose entry
//! (index 1) allows it Read alone, beside the owner's Administer.

use serde_json::json;

use super::administration::second_in_use;
use super::pairing::CONTROLLER;
use super::*;
use crate::vector::Vector;

/// A write of the lamp's level.
fn write_level() -> serde_json::Value {
    json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}})
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![no_entry_allows()?, entries_against_the_node_id()?])
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
