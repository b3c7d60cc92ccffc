//! Scenarios of a claimed device's subscriptions as its peers change (spec §6.7, §8.8, §8.10,
//! feature `security`): a subscription belongs to the subscriber's node ID, so it survives the
//! subscriber's new handshake, and ends without a report when the access control list no longer
//! allows it or when the owner removes the subscriber.
//!
//! Each starts as [`administration`](super::administration)'s second controller does: added in the
//! owner's commissioning window with a Read entry at index 1, its first handshake done (context
//! `second`) and its read answered. The owner then widens that entry to Read and Subscribe, and the
//! second controller subscribes to the lamp's level.

use serde_json::{json, Value};

use super::administration::{owner, second_in_use};
use super::pairing::{add_second, handshake, json_of, Handshake, SECOND, SECOND_KEYS, SECOND_KID};
use super::subscriptions::change;
use super::*;
use crate::vector::Vector;
use iotp2p_protocol::controller;
use iotp2p_protocol::security::IdentityKey;
use iotp2p_protocol::server::acl::privilege::{READ, SUBSCRIBE};

/// The `message_id` of the second controller's subscribe: its second request under `second`.
const SUBSCRIBE_ID: u64 = 1;

/// The owner's `acl_write` of the second controller's entry at index 1 with `privileges`.
fn second_entry(privileges: u8) -> Result<Value, String> {
    let second = IdentityKey::from_bytes(&SECOND_KEYS.0).map_err(|e| format!("{e:?}"))?;
    json_of(&controller::grant(
        1,
        &second.node_id(),
        privileges,
        None,
        None,
    ))
}

/// The second controller, allowed to read and subscribe, subscribed to the lamp's level under
/// `second`; the owner's next request is its third under its context, and the device has sent 20
/// datagrams.
fn subscribed(id: &str, description: &str, requirements: &[&str]) -> Result<Builder, String> {
    let b = second_in_use(id, description, requirements)?;
    let b = owner(
        b,
        "the owner widens the second controller's entry to Read and Subscribe",
        second_entry(READ | SUBSCRIBE)?,
        1,
        json!({"invoke_response": {}}),
    );
    Ok(
        b.step(sealed("app", "second", json!({}), subscribe_level()))
            .step(expect(
                "the entry allows the subscribe: the first report answers it",
                vec![sealed_answer(
                    "app",
                    SUBSCRIBE_ID,
                    "second",
                    json!({"report": {"values": [{"member": 0, "value": "1880"}]}}),
                )],
            )),
    )
}

/// A subscribe to the lamp's level, reported at once on each change.
fn subscribe_level() -> Value {
    json!({"subscribe": {"endpoint": 1, "capability": 7, "members": [0], "min_interval": 0, "max_interval": 900}})
}

/// The report with the level `value` of the subscription made under `subscribed`, sealed under
/// `context`: under the subscribe's own without `key_id`, under a newer one with it
/// ([IOTP-SEC-164]).
fn report(subscribed: &str, context: &str, value: &str) -> SendPattern {
    let (key_id, answers) = if context == subscribed {
        (json!(ABSENT), None)
    } else {
        (json!("<any>"), Some(subscribed.to_string()))
    };
    SendPattern {
        to: "app".into(),
        envelope: json!({"correlation_id": SUBSCRIBE_ID, "key_id": key_id, "body": ABSENT}),
        opens: Some(crate::scenario::Opens {
            context: context.into(),
            answers,
            recipient: None,
            body: json!({"report": {"values": [{"member": 0, "value": value}]}}),
        }),
        hex: None,
        same_as: None,
    }
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    Ok(vec![
        acl_change_ends_subscriptions()?,
        remove_peer_ends_subscriptions()?,
        subscription_survives_a_new_handshake()?,
        subscribe_with_a_live_id_replaces()?,
    ])
}

fn acl_change_ends_subscriptions() -> Result<Vector, String> {
    let b = subscribed(
        "sec.acl-change-ends-subscriptions",
        "the second controller subscribes to the level with an entry that allows Subscribe, and a \
         change is reported to it; the owner then rewrites the entry to Read alone: the device ends \
         the subscription without a report, so the next change is reported to nobody, while the \
         entry still allows the second controller's read",
        &["IOTP-SEC-101", "IOTP-IM-67"],
    )?
    .step(at(1_000))
    .step(change("0a"))
    .step(expect(
        "the entry allows the subscription: the change is reported",
        vec![report("second", "second", "0a")],
    ));
    let b = owner(
        b,
        "the owner takes Subscribe away from the entry: answered, and nothing to the subscriber",
        second_entry(READ)?,
        2,
        json!({"invoke_response": {}}),
    )
    .step(at(2_000))
    .step(change("0b"))
    .step(silence(
        "the entry no longer allows the subscription: it has ended, and no report goes out",
    ))
    .step(at(900_000))
    .step(silence("nor a keep-alive when the maximum interval passes"))
    .step(sealed("app", "second", json!({}), read_level()))
    .step(expect(
        "the entry still allows the read",
        vec![sealed_answer(
            "app",
            SUBSCRIBE_ID + 1,
            "second",
            json!({"report": {}}),
        )],
    ));
    Ok(b.build())
}

fn remove_peer_ends_subscriptions() -> Result<Vector, String> {
    let second = IdentityKey::from_bytes(&SECOND_KEYS.0).map_err(|e| format!("{e:?}"))?;
    let b = subscribed(
        "im.remove-peer-ends-subscriptions",
        "the owner removes a subscribed second controller with remove_peer, whose access control \
         entry stays, then adds it back, and the second controller runs a new handshake: its \
         subscription ended with remove_peer, so a change of the level is reported to nobody, \
         though a subscription that had lived on would go under the new context",
        &["IOTP-IM-67"],
    )?;
    let b = owner(
        b,
        "remove_peer of the second controller",
        json_of(&controller::remove_peer(&second.node_id()))?,
        2,
        json!({"invoke_response": {}}),
    );
    let b = owner(
        b,
        "add_peer of the second controller again",
        add_second()?,
        3,
        json!({"invoke_response": {}}),
    );
    Ok(second_again(b, 22)?
        .step(at(1_000))
        .step(change("0a"))
        .step(silence(
            "the subscription ended when its subscriber stopped being a peer: no report",
        ))
        .build())
}

/// The second controller's new handshake by kid (context `second-again`), whose message_2 is the
/// device's datagram `reply_to`.
fn second_again(b: Builder, reply_to: usize) -> Result<Builder, String> {
    handshake(
        b,
        Handshake {
            hop: "app",
            by_value: false,
            session: "second-again",
            keys: &SECOND_KEYS,
            kid: SECOND_KID,
            address: SECOND,
            first: 60,
            reply_to,
        },
        "`done`: a new context with the second controller",
        "a100f6",
    )
}

fn subscription_survives_a_new_handshake() -> Result<Vector, String> {
    let b = subscribed(
        "im.subscription-survives-a-new-handshake",
        "the subscribed second controller runs a new EDHOC handshake with the device: the \
         subscription, which belongs to its node ID, survives the new context, and the next change \
         is reported under the new context with key_id, the associated data still naming the \
         subscribe",
        &["IOTP-IM-64", "IOTP-IM-65", "IOTP-SEC-164"],
    )?;
    let b = second_again(b, 20)?;
    Ok(b.step(at(1_000))
        .step(change("0a"))
        .step(expect(
            "the subscription lives on: the change is reported under the new context",
            vec![report("second", "second-again", "0a")],
        ))
        .build())
}

fn subscribe_with_a_live_id_replaces() -> Result<Vector, String> {
    let b = subscribed(
        "im.subscribe-with-a-live-id-replaces",
        "after a new handshake the second controller numbers its messages afresh, and its subscribe \
         under the new context, to the Security capability's node_id, has the message_id of its \
         live subscription to the level: the new subscription replaces the old, so a change of \
         the level is reported to nobody",
        &["IOTP-IM-66"],
    )?;
    Ok(second_again(b, 20)?
        .step(sealed("app", "second-again", json!({}), read_level()))
        .step(expect(
            "its first request under the new context: message_id 0",
            vec![sealed_answer("app", 0, "second-again", json!({"report": {}}))],
        ))
        .step(sealed(
            "app",
            "second-again",
            json!({}),
            json!({"subscribe": {"endpoint": 0, "capability": 1, "members": [0], "min_interval": 0, "max_interval": 900}}),
        ))
        .step(expect(
            "the subscribe with message_id 1, to another instance, is answered by its first report",
            vec![sealed_answer(
                "app",
                SUBSCRIBE_ID,
                "second-again",
                json!({"report": {}}),
            )],
        ))
        .step(at(1_000))
        .step(change("0a"))
        .step(silence(
            "the subscription to the level was replaced: its change is reported to nobody",
        ))
        .build())
}
