//! Scenarios of the message layer (spec chapter 5) and of sealing (chapter 8), on the lamp of §5.15.1:
//! the spec's own invoke and reply, duplicates and replays, forged and misbound envelopes, the
//! statuses of the receive pipeline, the regression of version 1.0's one-packet duplicate-detection
//! denial of service, and the retransmission of the node's own confirmable requests.

use serde_json::{json, Value};

use super::*;
use crate::generate::spec_blocks::blocks;
use crate::scenario::{AppRequest, ContextSetup, EventPattern, Expectation, SendPattern};
use crate::vector::Vector;

const CHAPTER: &str = "spec/05-message-layer.md";
const TEXT: &str = include_str!("../../../../spec/05-message-layer.md");

/// The hex of the `iotp-example` block `id` of chapter 5.
fn example(id: &str) -> Result<String, String> {
    let block = blocks(CHAPTER, TEXT, "iotp-example")?
        .into_iter()
        .find(|b| b.opt("id") == Some(id))
        .ok_or(format!("{CHAPTER}: no example `{id}`"))?;
    Ok(crate::suite::hex(&block.bytes("hex")?))
}

pub(crate) fn scenarios() -> Result<Vec<Vector>, String> {
    let request = example("msg.invoke-set-level-sealed")?;
    let reply = example("msg.reply-invoke-sealed")?;
    let mut out = vec![
        spec_invoke(&request, &reply),
        Builder::lamp(
            "msg.invoke-5.15.1.piggybacked",
            "the lamp, whose reply is ready at once, carries the acknowledgement in it: one datagram, \
             sent within ACK_TIMEOUT of the invoke",
            &["IOTP-MSG-44", "IOTP-IM-21"],
        )
        .should()
        .step(bytes("relay", &request))
        .step(expect(
            "the reply alone, byte for byte §5.15.1's, acknowledges the request",
            vec![exact("relay", &reply)],
        ))
        .build(),
        duplicate(&request, &reply, false),
        duplicate(&request, &reply, true),
        replay_below_window(),
        forged_request(),
        unknown_key_id(),
        sender_not_bound(),
        unsealed_request(),
        visitor_forbidden(),
        not_for_this_node(),
        unsupported_version(),
        unsupported_version_undecodable(),
        unsealed_duplicates_by_exact_match(),
        duplicate_cache_holds_eight(),
        oversized(),
        malformed(),
        retransmission(),
        acknowledgement_stops_retransmission(),
        acknowledgement_naming_another_sender(),
        nstart(),
        identifiers_kept_apart(false),
        identifiers_kept_apart(true),
        duplicate_of_a_waiting_reply(),
        reply_reaches_the_application(),
        receipt_after_the_wake_up(),
        receipt_names_what_did_not_open(),
        reply_to_a_delivery_is_confirmable(),
        failed_receipt_named_again(),
        sequence_numbers_survive_rehoming(),
        lost_window_needs_an_echo(),
        direct_request_answered_on_the_hop(),
        no_reply_to_a_reply(),
        unknown_request_variant(),
        confirmable_reply_acknowledged(),
        copy_of_a_reply_acknowledged(),
        relay_status_ends_the_exchange(),
        presence_asleep(),
        presence_announces_capacity(),
        counter_used_up(),
        never_above_max_message(),
    ];
    out.extend(super::edhoc::scenarios()?);
    out.extend(envelope_rules());
    Ok(out)
}

/// The reply of §5.15.1, carrying the acknowledgement or after a separate one.
fn spec_reply(reply: &str) -> Step {
    expecting(
        expect(
            "the lamp answers the invoke with the sealed reply of §5.15.1 (message_id 77, recipient \
             contact 1), which also acknowledges it, or acknowledges it first and then sends the \
             reply confirmable ([IOTP-MSG-135])",
            vec![exact("relay", reply)],
        ),
        |e| {
            e.or = vec![vec![
                ack("relay", 1234),
                SendPattern {
                    envelope: json!({"message_id": 77, "correlation_id": 1234, "recipient_contact": 1, "ack_requested": true}),
                    opens: Some(crate::scenario::Opens {
                        context: "app".into(),
                        answers: None,
                        recipient: None,
                        body: json!({"invoke_response": "<any>"}),
                    }),
                    ..to("relay", json!({}))
                },
            ]]
        },
    )
}

fn exact(to_peer: &str, hex: &str) -> SendPattern {
    SendPattern {
        hex: Some(hex.into()),
        ..to(to_peer, json!({}))
    }
}

fn spec_invoke(request: &str, reply: &str) -> Vector {
    Builder::lamp(
        "msg.invoke-5.15.1",
        "the sealed invoke of spec §5.15.1 reaches the lamp from its home relay with a contact number; \
         the lamp answers with the spec's sealed reply, byte for byte",
        &[
            "IOTP-MSG-116",
            "IOTP-MSG-11",
            "IOTP-MSG-21",
            "IOTP-MSG-37",
            "IOTP-MSG-38",
            "IOTP-MSG-41",
            "IOTP-MSG-135",
            "IOTP-SEC-65",
            "IOTP-SEC-66",
            "IOTP-SEC-67",
            "IOTP-SEC-165",
            "IOTP-SEC-168",
            "IOTP-IM-3",
            "IOTP-IM-4",
            "IOTP-IM-20",
        ],
    )
    .step(bytes("relay", request))
    .step(spec_reply(reply))
    .build()
}

fn duplicate(request: &str, reply: &str, resend: bool) -> Vector {
    let b = if resend {
        Builder::lamp(
            "msg.duplicate-sealed-request.reply-resent",
            "a retransmitted sealed request is answered with the reply already sent, byte for byte, \
             which acknowledges it: no acknowledgement before it",
            &["IOTP-MSG-56", "IOTP-MSG-136"],
        )
        .should()
    } else {
        Builder::lamp(
            "msg.duplicate-sealed-request",
            "a retransmitted sealed request is acknowledged again and not carried out again: no new \
             reply (at most the cached one)",
            &[
                "IOTP-MSG-54",
                "IOTP-MSG-55",
                "IOTP-MSG-136",
                "IOTP-MSG-108",
                "IOTP-MSG-115",
                "IOTP-SEC-75",
            ],
        )
    };
    // The cached reply acknowledges the duplicate by itself ([IOTP-MSG-136]); without it, an
    // acknowledgement does ([IOTP-MSG-55]).
    let repeat_cached = if resend {
        vec![vec![exact("relay", reply)]]
    } else {
        vec![vec![exact("relay", reply)], vec![ack("relay", 1234)]]
    };
    let [first, rest @ ..] = repeat_cached.as_slice() else {
        unreachable!()
    };
    b.step(bytes("relay", request))
        .step(spec_reply(reply))
        .step(at(1_000))
        .step(repeat("relay", 0))
        .step(expecting(
            expect(
                "a duplicate is acknowledged again (ack_requested), by the reply the first copy \
                 received or by an acknowledgement; it is never passed to the interaction model again",
                first.clone(),
            ),
            |e| e.or = rest.to_vec(),
        ))
        .build()
}

/// A sealed read of the level from the app through the relay, with the contact number.
pub(super) fn app_read() -> Step {
    sealed("relay", "app", json!({"sender_contact": 1}), read_level())
}

pub(super) fn level_report() -> Value {
    json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "1880"}]}})
}

fn replay_below_window() -> Vector {
    Builder::lamp(
        "sec.replay-below-window",
        "after a sealed request with message_id 1235, one sealed anew with message_id 1000, more than \
         31 below, is a replay: discarded without acknowledgement or answer (version 1.0's Stale is \
         never sent)",
        &["IOTP-MSG-111", "IOTP-SEC-75", "IOTP-SEC-83", "IOTP-ERR-26"],
    )
    .step(app_read())
    .step(expect(
        "the read is answered under the context of the request",
        vec![sealed_answer("relay", 1235, "app", level_report())],
    ))
    .step(with(app_read(), |s| {
        if let Some(seal) = &mut s.seal {
            seal.message_id = Some(1000);
        }
        s.envelope = Some(json!({"sender_contact": 1, "ack_requested": true}));
    }))
    .step(silence(
        "an envelope below the replay window is discarded silently, even when confirmable",
    ))
    .build()
}

fn forged_request() -> Vector {
    Builder::lamp(
        "sec.forged-request-changes-nothing",
        "a sealed read whose tag was altered does not open and changes nothing: the genuine read with \
         the same message_id then opens and is answered",
        &["IOTP-SEC-76", "IOTP-SEC-84", "IOTP-MSG-59", "IOTP-SEC-77"],
    )
    .step(with(app_read(), |s| {
        if let Some(seal) = &mut s.seal {
            seal.message_id = Some(1235);
        }
        s.flip = Some(crate::scenario::Flip { byte: -1, bit: 0 });
    }))
    .step(expecting(
        expect(
            "an envelope that fails to decrypt is discarded; a request may be answered with an \
             unsealed Unauthenticated",
            vec![status("relay", 1235, "Unauthenticated")],
        ),
        |e| e.or = vec![vec![]],
    ))
    .step(app_read())
    .step(expect(
        "the failed decryption did not move the replay window: the genuine envelope opens",
        vec![sealed_answer("relay", 1235, "app", level_report())],
    ))
    .build()
}

fn unknown_key_id() -> Vector {
    Builder::lamp(
        "sec.unknown-key-id",
        "a sealed read whose key_id names no context of the lamp is not acted on",
        &["IOTP-SEC-73", "IOTP-SEC-74"],
    )
    .step(with(app_read(), |s| {
        s.envelope = Some(json!({"sender_contact": 1, "key_id": "07"}));
        if let Some(seal) = &mut s.seal {
            seal.key_id = false;
        }
    }))
    .step(expecting(
        expect(
            "no security context: not acted on; a request should be answered with an unsealed \
             Unauthenticated",
            vec![status("relay", 1235, "Unauthenticated")],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

fn sender_not_bound() -> Vector {
    Builder::lamp(
        "sec.sender-not-bound",
        "a sealed read that opens under the app's context but names another sender in full is \
         discarded: the address is not the one bound to the context's peer",
        &["IOTP-SEC-166", "IOTP-SEC-64"],
    )
    .step(with(app_read(), |s| {
        s.envelope = Some(json!({"sender": "mallory@example.com"}));
        if let Some(seal) = &mut s.seal {
            seal.aad_sender = Some("mallory@example.com".into());
        }
    }))
    .step(silence(
        "an envelope whose sender is not bound to the context's peer is discarded",
    ))
    .build()
}

fn unsealed_request() -> Vector {
    Builder::lamp(
        "sec.unsealed-request",
        "an unsealed read of the Level capability is answered Unauthenticated, not carried out",
        &["IOTP-SEC-104"],
    )
    .step(plain(
        "relay",
        json!({"message_id": 5, "sender_contact": 1, "body": read_level()}),
    ))
    .step(expect(
        "only EDHOC, pairing and (optionally) the credential read are valid unsealed",
        vec![status("relay", 5, "Unauthenticated")],
    ))
    .build()
}

fn visitor_forbidden() -> Vector {
    Builder::lamp(
        "sec.visitor-forbidden",
        "a read under a visitor context is answered Forbidden, sealed under that context",
        &["IOTP-SEC-152", "IOTP-SEC-153", "IOTP-SEC-165"],
    )
    .node(|n| {
        n.contexts.push(ContextSetup {
            name: "guest".into(),
            kind: "visitor".into(),
            master_secret: "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf".into(),
            master_salt: "b0b1b2b3b4b5b6b7".into(),
            node_id: "03".into(),
            peer_id: "04".into(),
            node_ssn: 0,
            peer_ssn: 0,
            peer_address: Some("guest@example.net".into()),
            ..app_context()
        })
    })
    .step(sealed(
        "relay",
        "guest",
        json!({"sender": "guest@example.net"}),
        read_level(),
    ))
    .step(expect(
        "a visitor's peer has no privileges",
        vec![SendPattern {
            envelope: json!({"correlation_id": 0, "recipient": "guest@example.net", "body": ABSENT}),
            ..sealed_answer("relay", 0, "guest", json!({"status": {"code": "Forbidden"}}))
        }],
    ))
    .build()
}

fn not_for_this_node() -> Vector {
    Builder::lamp(
        "msg.not-for-this-node",
        "an end node answers a request for another recipient with NoRoute, and does not act on it",
        &["IOTP-MSG-116", "IOTP-MSG-20"],
    )
    .step(plain(
        "relay",
        json!({"message_id": 5, "recipient": "fan@home.example.org", "sender": APP, "body": read_level()}),
    ))
    .step(expect(
        "step 4 of the receive pipeline: a node other than a relay discards it and answers NoRoute",
        vec![to(
            "relay",
            json!({"correlation_id": 5, "sealed": ABSENT, "recipient": APP, "body": {"status": {"code": "NoRoute"}}}),
        )],
    ))
    .build()
}

fn unsupported_version() -> Vector {
    Builder::lamp(
        "msg.unsupported-version",
        "a request of protocol version 2 is not processed; it may be answered UnsupportedVersion",
        &["IOTP-MSG-13", "IOTP-MSG-96", "IOTP-ERR-9"],
    )
    .step(plain(
        "relay",
        json!({"version": 2, "message_id": 5, "sender_contact": 1, "body": read_level()}),
    ))
    .step(expecting(
        expect(
            "the body of an unsupported version is not processed (no Unauthenticated, no report)",
            vec![unsupported_version_status(5)],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

/// `UnsupportedVersion` about `message_id`, listing version 1 ([IOTP-ERR-9]).
fn unsupported_version_status(message_id: u64) -> SendPattern {
    to(
        "relay",
        json!({"correlation_id": message_id, "sealed": ABSENT, "body": {"status": {"code": "UnsupportedVersion", "supported_versions": [1]}}}),
    )
}

fn unsupported_version_undecodable() -> Vector {
    Builder::lamp(
        "msg.unsupported-version-undecodable",
        "an envelope of protocol version 2 whose body does not decode under version 1's schema: the \
         node still reads version and message_id, so it answers at most UnsupportedVersion about \
         message_id 5, never Malformed",
        &["IOTP-MSG-15", "IOTP-MSG-13", "IOTP-ERR-9"],
    )
    // {0: 2, 1: 5, 9: 1, 12: ""}: version 2, message_id 5, sender_contact 1, and a body that is a
    // text string, which no body of version 1 is.
    .step(bytes("relay", "a40002010509010c60"))
    .step(expecting(
        expect(
            "version and message_id are read before the rest: UnsupportedVersion or nothing",
            vec![unsupported_version_status(5)],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

fn unsealed_duplicates_by_exact_match() -> Vector {
    Builder::lamp(
        "msg.unsealed-no-high-water-mark",
        "regression of version 1.0's one-packet denial of service: an unsealed envelope with the \
         largest message_id does not make the sender's later envelopes stale; each is processed",
        &["IOTP-MSG-110", "IOTP-MSG-109", "IOTP-MSG-114"],
    )
    .step(plain(
        "relay",
        json!({"message_id": 1_099_511_627_775u64, "sender_contact": 1, "body": read_level()}),
    ))
    .step(expect(
        "an unsealed request is processed (and answered Unauthenticated)",
        vec![status("relay", 1_099_511_627_775, "Unauthenticated")],
    ))
    .step(plain(
        "relay",
        json!({"message_id": 5, "sender_contact": 1, "body": read_level()}),
    ))
    .step(expect(
        "a lower message_id with other content is a new envelope: there is no high-water mark",
        vec![status("relay", 5, "Unauthenticated")],
    ))
    .step(plain(
        "relay",
        json!({"message_id": 1_099_511_627_775u64, "sender_contact": 1, "body": {"describe": {}}}),
    ))
    .step(expect(
        "the same message_id with another body is not a duplicate either",
        vec![status("relay", 1_099_511_627_775, "Unauthenticated")],
    ))
    .build()
}

/// `count` different unsealed reads from the app by contact number, `message_id` 100 on, each
/// answered Unauthenticated.
pub(super) fn unsealed_requests(mut b: Builder, count: u64) -> Builder {
    for n in 0..count {
        b = b
            .step(plain(
                "relay",
                json!({"message_id": 100 + n, "sender_contact": 1, "body": read_level()}),
            ))
            .step(expect(
                "each is a new unsealed request, answered Unauthenticated",
                vec![status("relay", 100 + n, "Unauthenticated")],
            ));
    }
    b
}

fn duplicate_cache_holds_eight() -> Vector {
    let mut b = Builder::lamp(
        "msg.duplicate-cache-holds-dedup-cache-min",
        "after eight different unsealed requests from one origin, the first again is still an exact \
         copy the duplicate cache holds: not processed again (answered at most with the reply it \
         had)",
        &["IOTP-MSG-112", "IOTP-MSG-109"],
    );
    b = unsealed_requests(b, 8);
    b.step(at(1_000))
        .step(repeat("relay", 0))
        .step(expecting(
            silence(
                "DEDUP_CACHE_MIN is 8 entries: the copy is recognised and not processed again, so it \
                 gets no new answer, at most the first answer's bytes again",
            ),
            |e| {
                e.or = vec![vec![SendPattern {
                    same_as: Some(0),
                    ..to("relay", json!({}))
                }]]
            },
        ))
        .build()
}

fn oversized() -> Vector {
    let sealed = "00".repeat(1232);
    Builder::lamp(
        "msg.oversized",
        "an envelope of more than MAX_MESSAGE bytes is discarded; a request may be answered TooLarge",
        &["IOTP-MSG-2"],
    )
    .step(plain(
        "relay",
        json!({"message_id": 5, "sender_contact": 1, "key_id": "01", "sealed": sealed}),
    ))
    .step(expecting(
        expect(
            "discarded at step 2 (size), before any attempt to open it",
            vec![status("relay", 5, "TooLarge")],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

fn malformed() -> Vector {
    Builder::lamp(
        "msg.malformed",
        "bytes that are not a canonical envelope are discarded; the node answers at most Malformed",
        &["IOTP-MSG-116", "IOTP-MSG-62"],
    )
    // {1: 5, 12: {2: ...}} with message_id written in two bytes: not canonical.
    .step(bytes("relay", "a2011805"))
    .step(expecting(
        expect(
            "a message that fails to decode is discarded; only Malformed may answer it",
            vec![status("relay", 5, "Malformed")],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

/// Envelopes that break a rule of §5.2 or §5.5: discarded, and a request answered at most with
/// InvalidEnvelope (never processed further: no Unauthenticated, which a valid unsealed request gets).
fn envelope_rules() -> Vec<Vector> {
    let read = read_level();
    let cases: Vec<(&str, &str, &str, Value, &[&str])> = vec![
        (
            "sealed-and-body",
            "relay",
            "both `sealed` and `body`",
            json!({"message_id": 5, "sender_contact": 1, "key_id": "01", "sealed": "00112233445566778899", "body": read}),
            &["IOTP-MSG-3", "IOTP-MSG-10"],
        ),
        (
            "key-id-without-sealed",
            "relay",
            "`key_id` without `sealed`",
            json!({"message_id": 5, "sender_contact": 1, "key_id": "01", "body": read}),
            &["IOTP-MSG-5", "IOTP-MSG-10"],
        ),
        (
            "sender-and-sender-contact",
            "relay",
            "both `sender` and `sender_contact`",
            json!({"message_id": 5, "sender": APP, "sender_contact": 1, "body": read}),
            &["IOTP-MSG-4", "IOTP-MSG-10"],
        ),
        (
            "address-not-canonical",
            "relay",
            "a sender address in upper case",
            json!({"message_id": 5, "sender": "App@example.com", "body": read}),
            &["IOTP-MSG-6", "IOTP-MSG-10", "IOTP-ADDR-2"],
        ),
        (
            "sender-contact-off-hop",
            "stranger",
            "`sender_contact` from a hop peer that is not the home relay",
            json!({"message_id": 5, "sender_contact": 1, "body": read}),
            &["IOTP-MSG-33", "IOTP-MSG-34"],
        ),
        (
            "recipient-contact-to-device",
            "relay",
            "`recipient_contact` on the hop from the home relay to the device",
            json!({"message_id": 5, "recipient_contact": 1, "body": read}),
            &["IOTP-MSG-32", "IOTP-MSG-34"],
        ),
    ];
    let mut out: Vec<Vector> = cases
        .into_iter()
        .map(|(name, from, what, envelope, requirements)| {
            Builder::lamp(
                &format!("msg.envelope-rule.{name}"),
                &format!("a request with {what} is invalid: discarded, answered at most InvalidEnvelope"),
                requirements,
            )
            .step(plain(from, envelope))
            .step(expecting(
                expect(
                    "an invalid envelope is discarded at step 3; a request should be answered with \
                     InvalidEnvelope",
                    vec![status(from, 5, "InvalidEnvelope")],
                ),
                |e| e.or = vec![vec![]],
            ))
            .build()
        })
        .collect();
    out.push(
        Builder::lamp(
            "msg.envelope-rule.ack-requested",
            "an acknowledgement that asks for an acknowledgement is invalid and discarded: no \
             acknowledgement of it",
            &["IOTP-MSG-8", "IOTP-MSG-10"],
        )
        .step(plain(
            "relay",
            json!({"message_id": 5, "correlation_id": 3, "ack_requested": true, "body": {"ack": null}}),
        ))
        .step(silence("an invalid envelope that is not a request is discarded silently"))
        .build(),
    );
    out
}

/// The lamp reads the app's level through the relay, sealed and confirmable.
pub(super) fn lamp_asks() -> Step {
    app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body: read_level(),
        confirmable: true,
        ttl: None,
    })
}

/// The lamp's request of [`lamp_asks`], not confirmable.
fn lamp_asks_once() -> Step {
    match lamp_asks() {
        Step::App(r) => app(AppRequest {
            confirmable: false,
            ..r
        }),
        other => other,
    }
}

/// The request of [`lamp_asks_once`]: [`lamps_request`] without `ack_requested`.
fn lamps_request_once() -> SendPattern {
    SendPattern {
        envelope: json!({"message_id": 77, "ack_requested": ABSENT}),
        ..lamps_request()
    }
}

/// The app's reply `body` to the lamp's first datagram, delivered by the relay with the app's
/// address in full, confirmable, sealed under `app`.
fn apps_reply(body: Value) -> Step {
    with(
        sealed(
            "relay",
            "app",
            json!({"sender": APP, "ack_requested": true, "message_id": 0}),
            body,
        ),
        |s| {
            s.answer_to = Some(0);
            if let Some(seal) = &mut s.seal {
                seal.key_id = false;
            }
        },
    )
}

/// The lamp's request: to the relay, for the app, sealed under `app`, confirmable.
pub(super) fn lamps_request() -> SendPattern {
    SendPattern {
        to: "relay".into(),
        envelope: json!({"message_id": 77, "ack_requested": true, "recipient": APP, "version": ABSENT, "key_id": "02", "body": ABSENT}),
        opens: Some(crate::scenario::Opens {
            context: "app".into(),
            answers: None,
            recipient: None,
            body: read_level(),
        }),
        hex: None,
        same_as: None,
    }
}

pub(super) fn timer(step: Step, range: Option<[u64; 2]>) -> Step {
    expecting(step, |e: &mut Expectation| match range {
        Some(range) => e.timer = Some(range),
        None => e.no_timer = true,
    })
}

fn retransmission() -> Vector {
    let retransmitted = SendPattern {
        same_as: Some(0),
        ..to("relay", json!({}))
    };
    let mut b = Builder::lamp(
        "msg.retransmission",
        "an unacknowledged confirmable request is sent again, byte for byte, at doubling intervals \
         starting between ACK_TIMEOUT and ACK_TIMEOUT × ACK_RANDOM_FACTOR, MAX_RETRANSMIT times, and then \
         fails",
        &[
            "IOTP-MSG-45",
            "IOTP-MSG-46",
            "IOTP-MSG-47",
            "IOTP-MSG-23",
            "IOTP-ADDR-1",
            "IOTP-SEC-71",
            "IOTP-SEC-168",
        ],
    )
    .step(lamp_asks())
    .step(timer(
        expect(
            "the request, sealed with the next Sender Sequence Number and carrying key_id",
            vec![lamps_request()],
        ),
        Some([2_000, 3_000]),
    ));
    for (n, range) in [
        [4_000, 6_000],
        [8_000, 12_000],
        [16_000, 24_000],
        [32_000, 48_000],
    ]
    .into_iter()
    .enumerate()
    {
        b = b.step(to_timer()).step(timer(
            expect(
                &format!(
                    "retransmission {} of the same bytes, and the timer doubled",
                    n + 1
                ),
                vec![retransmitted.clone()],
            ),
            Some(range),
        ));
    }
    b.step(to_timer())
        .step(expecting(
            timer(
                silence(
                    "after MAX_RETRANSMIT retransmissions the transmission on this hop has failed",
                ),
                None,
            ),
            |e| {
                e.events = Some(vec![EventPattern {
                    event: "failed".into(),
                    body: None,
                }])
            },
        ))
        .build()
}

fn acknowledgement_stops_retransmission() -> Vector {
    Builder::lamp(
        "msg.acknowledgement-stops-retransmission",
        "the hop peer's acknowledgement ends the retransmission of a confirmable request",
        &["IOTP-MSG-48", "IOTP-MSG-42"],
    )
    .step(lamp_asks())
    .step(expect("the request", vec![lamps_request()]))
    .step(at(500))
    .step(with(
        plain("relay", json!({"message_id": 40, "body": {"ack": null}})),
        |s| s.answer_to = Some(0),
    ))
    .step(timer(
        silence("an acknowledgement is not acknowledged, and no timer is left"),
        None,
    ))
    .step(at(10_000))
    .step(silence(
        "nothing is retransmitted after the acknowledgement",
    ))
    .build()
}

fn acknowledgement_naming_another_sender() -> Vector {
    let retransmitted = SendPattern {
        same_as: Some(0),
        ..to("relay", json!({}))
    };
    Builder::lamp(
        "msg.acknowledgement-naming-another-sender",
        "an `ack` whose `recipient` is not the sender of the request it names acknowledges nothing: \
         the request is retransmitted until an acknowledgement without `recipient` comes",
        &["IOTP-MSG-147", "IOTP-MSG-48"],
    )
    .step(lamp_asks())
    .step(expect("the request", vec![lamps_request()]))
    .step(at(500))
    .step(with(
        plain(
            "relay",
            json!({"message_id": 40, "recipient": APP, "body": {"ack": null}}),
        ),
        |s| s.answer_to = Some(0),
    ))
    .step(to_timer())
    .step(timer(
        expect(
            "the request again, byte for byte: the acknowledgement named another sender",
            vec![retransmitted],
        ),
        Some([4_000, 6_000]),
    ))
    .step(with(
        plain("relay", json!({"message_id": 41, "body": {"ack": null}})),
        |s| s.answer_to = Some(0),
    ))
    .step(timer(
        silence("the acknowledgement without `recipient` ends it, and no timer is left"),
        None,
    ))
    .build()
}

fn nstart() -> Vector {
    let second = app(AppRequest {
        body: json!({"describe": {}}),
        ..match lamp_asks() {
            Step::App(r) => r,
            _ => unreachable!(),
        }
    });
    Builder::lamp(
        "msg.nstart",
        "with NSTART 1, a second confirmable envelope to the same hop peer waits until the first is \
         acknowledged",
        &["IOTP-MSG-49"],
    )
    .step(lamp_asks())
    .step(second)
    .step(expect("only the first request goes", vec![lamps_request()]))
    .step(with(plain("relay", json!({"message_id": 40, "body": {"ack": null}})), |s| {
        s.answer_to = Some(0)
    }))
    .step(expect(
        "the acknowledgement lets the second go",
        vec![SendPattern {
            envelope: json!({"message_id": 78, "ack_requested": true, "recipient": APP}),
            opens: Some(crate::scenario::Opens {
                context: "app".into(),
                answers: None,
                recipient: None,
                body: json!({"describe": {}}),
            }),
            ..to("relay", json!({}))
        }],
    ))
    .build()
}

/// Another node of the lamp's domain, which the lamp asks unsealed.
const FAN: &str = "fan@home.example.org";

/// The lamp's confirmable read, unsealed (from the node-wide counter), of the fan through the relay:
/// another recipient than the app's, so that the two requests' replies never match each other.
fn lamp_asks_unsealed() -> Step {
    app(AppRequest {
        to: "relay".into(),
        recipient: Some(FAN.into()),
        context: None,
        body: read_level(),
        confirmable: true,
        ttl: None,
    })
}

/// The request of [`lamp_asks_unsealed`] with `message_id`.
fn lamps_unsealed_request(message_id: u64) -> SendPattern {
    to(
        "relay",
        json!({"message_id": message_id, "ack_requested": true, "recipient": FAN, "sealed": ABSENT, "key_id": ABSENT, "body": read_level()}),
    )
}

/// The request of [`lamp_asks`] with `message_id`.
fn lamps_sealed_request(message_id: u64) -> SendPattern {
    let mut request = lamps_request();
    request.envelope["message_id"] = json!(message_id);
    request
}

/// Regression of the lossy walk-through's lost re-homing statement: the lamp's node-wide counter and
/// its Sender Sequence Number under `app` both stand at 77. One confirmable request takes 77 and is
/// acknowledged; the next confirmable request to the relay, numbered the other way, must skip 77, so
/// that a late copy of the first acknowledgement does not end its retransmission.
fn identifiers_kept_apart(sealed_second: bool) -> Vector {
    let (first, first_sent, second, second_sent) = if sealed_second {
        (
            lamp_asks_unsealed(),
            lamps_unsealed_request(77),
            lamp_asks(),
            lamps_sealed_request(78),
        )
    } else {
        (
            lamp_asks(),
            lamps_sealed_request(77),
            lamp_asks_unsealed(),
            lamps_unsealed_request(78),
        )
    };
    let b = if sealed_second {
        Builder::lamp(
            "msg.ack-identifiers-kept-apart.sealed-skips",
            "after an unsealed confirmable request (to another node) with message_id 77 is \
             acknowledged, the lamp's next confirmable request to the same hop peer, sealed under \
             a context whose Sender Sequence Number is 77, skips to 78; a late copy of the first \
             acknowledgement does not end its retransmission",
            &[
                "IOTP-MSG-142",
                "IOTP-SEC-168",
                "IOTP-MSG-48",
                "IOTP-MSG-50",
                "IOTP-MSG-46",
            ],
        )
    } else {
        Builder::lamp(
            "msg.ack-identifiers-kept-apart",
            "after a sealed confirmable request with message_id 77 (the context's Sender Sequence \
             Number) is acknowledged, the lamp's next confirmable request to the same hop peer, \
             unsealed (to another node) while its node-wide counter stands at 77, skips to 78; a \
             late copy of the first acknowledgement does not end its retransmission",
            &[
                "IOTP-MSG-142",
                "IOTP-MSG-99",
                "IOTP-MSG-48",
                "IOTP-MSG-50",
                "IOTP-MSG-46",
            ],
        )
    };
    let b = b
        .node(|n| n.counter = 77)
        .step(first)
        .step(expect("the first request, message_id 77", vec![first_sent]))
        .step(at(500));
    let acknowledgement = b.steps_so_far();
    b.step(relay_acks(0))
        .step(silence("acknowledged"))
        .step(second)
        .step(timer(
            expect(
                "the second request: 77 ended among the last 16 towards the relay, so the lamp skips \
                 to the next free value, 78",
                vec![second_sent],
            ),
            Some([2_000, 3_000]),
        ))
        .step(at(1_000))
        .step(repeat("relay", acknowledgement))
        .step(timer(
            silence(
                "a late copy of the acknowledgement of 77 (the link duplicated it) names no envelope \
                 outstanding: the second request's retransmission timer still runs",
            ),
            Some([1_500, 2_500]),
        ))
        .step(to_timer())
        .step(expect(
            "the second request was not ended by it: retransmitted, byte for byte",
            vec![SendPattern {
                same_as: Some(1),
                ..to("relay", json!({}))
            }],
        ))
        .step(relay_acks(1))
        .step(timer(silence("acknowledged: no timer is left"), None))
        .build()
}

/// Regression of the sleeping sensor's lost `presence_ack`: a confirmable reply queued behind an
/// outstanding envelope (NSTART) is not resent early from the reply cache when its request comes
/// again.
fn duplicate_of_a_waiting_reply() -> Vector {
    let b = with_hop(Builder::lamp(
        "msg.duplicate-of-a-waiting-reply",
        "a duplicate of a request whose confirmable reply still waits its turn behind an outstanding \
         envelope (NSTART) is acknowledged again, not answered with the waiting reply; the reply goes \
         once the outstanding envelope is acknowledged",
        &["IOTP-MSG-143", "IOTP-MSG-55", "IOTP-MSG-49", "IOTP-MSG-140"],
    ))
    .step(lamp_asks())
    .step(expect("the lamp's request, outstanding", vec![lamps_request()]));
    let delivered = b.steps_so_far();
    b.step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1, "ack_requested": true, "more": true}),
        read_level(),
    ))
    .step(expecting(
        expect(
            "the reply to the request the relay delivered, confirmable ([IOTP-MSG-140]), waits \
             behind the lamp's request (NSTART 1): the request is acknowledged alone, or not yet",
            vec![ack("relay", 1235)],
        ),
        |e| e.or = vec![vec![]],
    ))
    .step(at(1_000))
    .step(repeat("relay", delivered))
    .step(expect(
        "the duplicate is acknowledged again; the reply that waits its turn is not sent early",
        vec![ack("relay", 1235)],
    ))
    .step(relay_acks(0))
    .step(expect(
        "the lamp's request acknowledged, the reply goes, confirmable",
        vec![delivered_answer(1235)],
    ))
    .build()
}

fn reply_reaches_the_application() -> Vector {
    Builder::lamp(
        "msg.reply-matched",
        "the app's sealed reply to the lamp's request is matched to it, ends its retransmission and \
         reaches the lamp's application",
        &["IOTP-MSG-39", "IOTP-MSG-42", "IOTP-SEC-165"],
    )
    .step(lamp_asks())
    .step(expect("the request", vec![lamps_request()]))
    .step(with(
        sealed(
            "relay",
            "app",
            json!({"sender": APP}),
            json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "0a"}]}}),
        ),
        |s| {
            s.answer_to = Some(0);
            if let Some(seal) = &mut s.seal {
                seal.key_id = false;
            }
        },
    ))
    .step(expecting(
        timer(silence("a reply is not answered, and ends the retransmission"), None),
        |e| {
            e.events = Some(vec![EventPattern {
                event: "reply".into(),
                body: Some(json!({"report": {"values": [{"member": 0, "value": "0a"}]}})),
            }])
        },
    ))
    .build()
}

/// The lamp's hop context with its home relay (the relay's service address bound).
pub(super) fn hop_context() -> ContextSetup {
    ContextSetup {
        name: "hop".into(),
        master_secret: "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf".into(),
        master_salt: "d0d1d2d3d4d5d6d7".into(),
        node_id: "0b".into(),
        peer_id: "0a".into(),
        node_ssn: 20,
        peer_ssn: 40,
        peer_address: Some("_relay@home.example.org".into()),
        ..app_context()
    }
}

/// The receipt the lamp sends: sealed under the hop context, confirmable, naming `refs`.
pub(super) fn receipt(refs: Value) -> SendPattern {
    SendPattern {
        to: "relay".into(),
        envelope: json!({"ack_requested": true, "key_id": "0b", "recipient": ABSENT, "correlation_id": ABSENT}),
        opens: Some(crate::scenario::Opens {
            context: "hop".into(),
            answers: None,
            recipient: None,
            body: json!({"receipt": {"delivered": refs}}),
        }),
        hex: None,
        same_as: None,
    }
}

pub(super) fn with_hop(b: Builder) -> Builder {
    b.node(|n| {
        n.contexts.push(hop_context());
        n.hop_context = Some("hop".into());
    })
}

/// A reply of the device to what its home relay delivered: sealed under `app`, confirmable
/// ([IOTP-MSG-140]).
pub(super) fn delivered_answer(message_id: u64) -> SendPattern {
    let mut answer = sealed_answer("relay", message_id, "app", level_report());
    answer.envelope["ack_requested"] = json!(true);
    answer
}

/// The relay's acknowledgement of the device's `n`th datagram.
pub(super) fn relay_acks(n: usize) -> Step {
    with(
        plain(
            "relay",
            json!({"message_id": 40 + n as u64, "body": {"ack": null}}),
        ),
        |s| s.answer_to = Some(n),
    )
}

fn receipt_after_the_wake_up() -> Vector {
    let first = json!({"sender_contact": 1, "more": true});
    let refs = json!([{"message_id": 1235, "sender_contact": 1}, {"message_id": 1236, "sender_contact": 1}]);
    with_hop(Builder::lamp(
        "msg.receipt-after-wake-up",
        "a device names the envelopes its home relay delivered in one receipt, sealed under their hop \
         context and confirmable, after the last one of the wake-up (the first without `more`)",
        &["IOTP-MSG-123", "IOTP-MSG-125", "IOTP-MSG-126", "IOTP-MSG-128"],
    ))
    .step(sealed("relay", "app", first, read_level()))
    .step(expect(
        "more envelopes follow (`more`): the receipt waits",
        vec![delivered_answer(1235)],
    ))
    .step(relay_acks(0))
    .step(silence("the relay acknowledged the answer"))
    .step(app_read())
    .step(expecting(
        expect(
            "the last envelope of the wake-up: the receipt naming both deliveries, or the answer \
             first; both are confirmable, so the other waits for an acknowledgement (NSTART)",
            vec![receipt(refs.clone())],
        ),
        |e| e.or = vec![vec![delivered_answer(1236)]],
    ))
    .step(relay_acks(1))
    .step(expecting(
        expect("the other one", vec![delivered_answer(1236)]),
        |e| e.or = vec![vec![receipt(refs)]],
    ))
    .build()
}

fn receipt_names_what_did_not_open() -> Vector {
    let refs = json!([{"message_id": 1235, "sender_contact": 1}]);
    let unauthenticated = || {
        let mut s = status("relay", 1235, "Unauthenticated");
        s.envelope["ack_requested"] = json!(true);
        s
    };
    with_hop(Builder::lamp(
        "msg.receipt-names-failed-opening",
        "a device names in its receipt a delivered envelope that failed to open, so that the relay \
         does not deliver it at every wake-up",
        &["IOTP-MSG-123", "IOTP-MSG-125"],
    ))
    .step(with(app_read(), |s| {
        s.flip = Some(crate::scenario::Flip { byte: -1, bit: 0 });
    }))
    .step(expecting(
        expect(
            "not opened: answered Unauthenticated, confirmable, or named in the receipt at once",
            vec![unauthenticated()],
        ),
        |e| e.or = vec![vec![receipt(refs.clone())]],
    ))
    .step(relay_acks(0))
    .step(expecting(
        expect(
            "the receipt, once the status is acknowledged (nothing if it went first)",
            vec![receipt(refs)],
        ),
        |e| e.or = vec![vec![]],
    ))
    .build()
}

fn failed_receipt_named_again() -> Vector {
    // The app's reply, delivered by the relay with the app's address in full: named in a receipt,
    // and it needs no answer, so the receipt is the device's only confirmable envelope.
    let refs = json!([{"message_id": 1235, "sender": APP}]);
    let mut b = with_hop(Builder::lamp(
        "msg.failed-receipt-named-again",
        "a receipt whose transmission fails names nothing: the device names the same envelopes in a \
         new receipt before its next presence",
        &["IOTP-MSG-141", "IOTP-MSG-47"],
    ))
    .step(lamp_asks_once())
    .step(expect("the request", vec![lamps_request_once()]))
    .step(apps_reply(level_report()))
    .step(expecting(
        expect(
            "the reply is acknowledged and named in a receipt",
            vec![ack("relay", 1235), receipt(refs.clone())],
        ),
        |e| e.or = vec![vec![receipt(refs.clone()), ack("relay", 1235)]],
    ));
    // The relay never acknowledges the receipt: four retransmissions, then the transmission fails.
    for _ in 0..4 {
        b = b
            .step(to_timer())
            .step(expect("the receipt again", vec![receipt(refs.clone())]));
    }
    b.step(to_timer())
        .step(silence("the receipt's transmission failed"))
        .step(presence("Asleep", Some(600)))
        .step(expect(
            "before the presence (which waits for it, NSTART), a new receipt naming the reply again",
            vec![receipt(refs)],
        ))
        .build()
}

fn reply_to_a_delivery_is_confirmable() -> Vector {
    let again = SendPattern {
        same_as: Some(0),
        ..to("relay", json!({}))
    };
    with_hop(Builder::lamp(
        "msg.reply-to-a-delivery-is-confirmable",
        "a device answers a request its home relay delivered with a confirmable reply and sends it \
         again until the relay acknowledges it: the device's receipt ends the relay's retransmission \
         of the request, which then can no longer bring a lost reply again",
        &["IOTP-MSG-140"],
    ))
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1, "ack_requested": true, "more": true}),
        read_level(),
    ))
    .step(expect(
        "the reply, which acknowledges the request and is confirmable",
        vec![delivered_answer(1235)],
    ))
    .step(to_timer())
    .step(expect("not acknowledged: the same reply again", vec![again]))
    .step(relay_acks(0))
    .step(silence("acknowledged: no more retransmissions"))
    .build()
}

fn sequence_numbers_survive_rehoming() -> Vector {
    let again = SendPattern {
        envelope: json!({"message_id": 78, "recipient": APP, "key_id": "02", "body": ABSENT}),
        ..lamps_request()
    };
    Builder::lamp(
        "sec.sequence-number-survives-rehoming",
        "regression of version 1.0's nonce reuse: after the lamp takes a new address, its next \
         envelope under the same context takes the next Sender Sequence Number, not one it used before",
        &["IOTP-SEC-169", "IOTP-SEC-69", "IOTP-SEC-168"],
    )
    .step(lamp_asks())
    .step(expect("the request, with Sender Sequence Number 77", vec![lamps_request()]))
    .step(with(plain("relay", json!({"message_id": 40, "body": {"ack": null}})), |s| {
        s.answer_to = Some(0)
    }))
    .step(silence("acknowledged"))
    .step(rehome("lamp@new.example.net"))
    .step(lamp_asks())
    .step(expect(
        "the same Sender Key, the next number (78), the new address in the associated data",
        vec![again],
    ))
    .build()
}

/// The lamp's sealed FreshnessRequired, with a challenge, answering `message_id` ([IOTP-SEC-91]).
pub(super) fn fresh_required(message_id: u64) -> SendPattern {
    sealed_answer(
        "relay",
        message_id,
        "app",
        json!({"status": {"code": "FreshnessRequired", "echo": "<bytes 8..40>"}}),
    )
}

fn lost_window_needs_an_echo() -> Vector {
    let write = json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}});
    Builder::lamp(
        "sec.lost-window-needs-an-echo",
        "a node that lost a context's replay window (a restart) acts on no sealed request under it until \
         the peer proves freshness with an echo: it answers FreshnessRequired, sealed, with a challenge",
        &["IOTP-SEC-85", "IOTP-SEC-91", "IOTP-SEC-87"],
    )
    .node(|n| n.contexts[0].window_lost = true)
    .step(sealed("relay", "app", json!({"sender_contact": 1}), write))
    .step(expect(
        "the write is not applied; the answer asks for freshness, sealed",
        vec![fresh_required(1235)],
    ))
    .step(app_read())
    .step(expect(
        "a read is not answered either until the window is resynchronised",
        vec![fresh_required(1236)],
    ))
    .build()
}

fn direct_request_answered_on_the_hop() -> Vector {
    Builder::lamp(
        "msg.direct-request-answered-on-the-hop",
        "a request received directly (the app on the lamp's local link, no addresses in the envelope) is \
         answered to the hop peer it came from, without `recipient`, even though it was not confirmable",
        &[
            "IOTP-MSG-106",
            "IOTP-MSG-24",
            "IOTP-MSG-35",
            "IOTP-IM-5",
            "IOTP-IM-6",
            "IOTP-IM-12",
            "IOTP-SEC-66",
            "IOTP-SEC-67",
            "IOTP-SEC-72",
        ],
    )
    .step(sealed("phone", "app", json!({}), read_level()))
    .step(expect(
        "the report goes back to the phone's transport address, sealed under the request's context",
        vec![SendPattern {
            envelope: json!({"correlation_id": 1235, "recipient": ABSENT, "recipient_contact": ABSENT, "body": ABSENT}),
            ..sealed_answer("phone", 1235, "app", level_report())
        }],
    ))
    .build()
}

fn no_reply_to_a_reply() -> Vector {
    Builder::lamp(
        "msg.no-reply-to-a-reply",
        "a sealed report that answers nothing the lamp asked is not answered (no reply to a reply, and \
         none for a subscription the lamp does not have)",
        &["IOTP-MSG-40", "IOTP-IM-34", "IOTP-ERR-2"],
    )
    .step(with(
        sealed(
            "relay",
            "app",
            json!({"sender_contact": 1, "correlation_id": 9}),
            json!({"report": {"endpoint": 1, "capability": 7}}),
        ),
        |s| {
            if let Some(seal) = &mut s.seal {
                seal.key_id = true;
            }
        },
    ))
    .step(silence("a reply matching no request is discarded; replies are never answered"))
    .build()
}

fn unknown_request_variant() -> Vector {
    Builder::lamp(
        "msg.unknown-request-variant",
        "a sealed request whose body is a variant this version does not define is answered \
         UnsupportedRequest",
        &["IOTP-MSG-116"],
    )
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1}),
        json!({"#40": "a0"}),
    ))
    .step(expect(
        "step 9: an unknown variant of a request is answered UnsupportedRequest",
        vec![SendPattern {
            envelope: json!({"correlation_id": 1235, "recipient_contact": 1}),
            ..to("relay", json!({}))
        }],
    ))
    .build()
}

fn confirmable_reply_acknowledged() -> Vector {
    Builder::lamp(
        "msg.confirmable-reply-acknowledged",
        "a confirmable reply to the lamp's request is acknowledged to the hop peer and reaches the \
         application once",
        &["IOTP-MSG-41", "IOTP-MSG-7", "IOTP-MSG-8", "IOTP-MSG-9"],
    )
    .step(lamp_asks_once())
    .step(expect("the request", vec![lamps_request_once()]))
    .step(apps_reply(
        json!({"report": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "0a"}]}}),
    ))
    .step(expecting(
        expect(
            "an acknowledgement: unsealed, `ack`, with the reply's message_id, not confirmable",
            vec![ack("relay", 1235)],
        ),
        |e| {
            e.events = Some(vec![EventPattern {
                event: "reply".into(),
                body: Some(json!({"report": {"endpoint": 1}})),
            }])
        },
    ))
    .build()
}

/// Regression of a requester that discarded the copies of a confirmable sealed reply once the first
/// had come (no request left awaiting it to open them under): an acknowledgement lost left the
/// replier retransmitting until the reply failed, holding back what waited behind it (NSTART).
fn copy_of_a_reply_acknowledged() -> Vector {
    let b = Builder::lamp(
        "msg.copy-of-a-sealed-reply-acknowledged",
        "a copy of a confirmable sealed reply that comes after the reply was taken opens as a \
         duplicate under the request's context: it is acknowledged again and is not a second reply",
        &["IOTP-MSG-145", "IOTP-MSG-41", "IOTP-SEC-75"],
    )
    .step(lamp_asks_once())
    .step(expect("the request", vec![lamps_request_once()]));
    let replied = b.steps_so_far();
    b.step(apps_reply(level_report()))
        .step(expecting(
            expect("the reply is acknowledged", vec![ack("relay", 1235)]),
            |e| {
                e.events = Some(vec![EventPattern {
                    event: "reply".into(),
                    body: None,
                }])
            },
        ))
        .step(at(3_000))
        .step(repeat("relay", replied))
        .step(expecting(
            expect(
                "the copy, retransmitted because the acknowledgement was lost, is acknowledged again",
                vec![ack("relay", 1235)],
            ),
            |e| e.events = Some(vec![]),
        ))
        .build()
}

fn relay_status_ends_the_exchange() -> Vector {
    Builder::lamp(
        "msg.relay-status-ends-retransmission",
        "a status from the hop peer about the lamp's confirmable request ends its retransmission and \
         reaches the application",
        &["IOTP-MSG-47", "IOTP-MSG-39"],
    )
    .step(lamp_asks())
    .step(expect("the request", vec![lamps_request()]))
    .step(with(
        plain(
            "relay",
            json!({"message_id": 41, "body": {"status": {"code": "NoRoute"}}}),
        ),
        |s| s.answer_to = Some(0),
    ))
    .step(expecting(
        timer(silence("a status is not answered, and ends the retransmission"), None),
        |e| {
            e.events = Some(vec![EventPattern {
                event: "reply".into(),
                body: Some(json!({"status": {"code": "NoRoute"}})),
            }])
        },
    ))
    .build()
}

fn presence(state: &str, sleep_interval: Option<u32>) -> Step {
    Step::Presence(crate::scenario::PresenceStep {
        state: state.into(),
        sleep_interval,
    })
}

/// The presence the lamp sends: to its home relay itself, sealed under the hop context, confirmable.
fn presence_sent(body: Value) -> SendPattern {
    SendPattern {
        to: "relay".into(),
        envelope: json!({"ack_requested": true, "recipient": ABSENT, "recipient_contact": ABSENT, "key_id": "0b"}),
        opens: Some(crate::scenario::Opens {
            context: "hop".into(),
            answers: None,
            recipient: None,
            body: json!({"presence": body}),
        }),
        hex: None,
        same_as: None,
    }
}

fn presence_asleep() -> Vector {
    with_hop(Builder::lamp(
        "msg.presence-asleep",
        "a device announces that it sleeps for 600 s: to its home relay itself, without `recipient`, \
         sealed under their hop context, confirmable, with `sleep_interval`",
        &["IOTP-IM-45", "IOTP-IM-46", "IOTP-IM-51"],
    ))
    .step(presence("Asleep", Some(600)))
    .step(expect(
        "the presence",
        vec![presence_sent(json!({"state": "Asleep", "sleep_interval": 600}))],
    ))
    .build()
}

fn presence_announces_capacity() -> Vector {
    with_hop(Builder::lamp(
        "msg.presence-max-message",
        "a device that receives at most 704 bytes announces it in `max_message`",
        &["IOTP-IM-55", "IOTP-MSG-87"],
    ))
    .node(|n| n.max_message = Some(704))
    .step(presence("Awake", None))
    .step(expect(
        "the presence carries the device's capacity",
        vec![presence_sent(json!({"max_message": 704}))],
    ))
    .build()
}

/// The last value of the node-wide counter: 2^40 − 1 ([IOTP-MSG-102]).
const LAST_MESSAGE_ID: u64 = (1 << 40) - 1;

/// The lamp's unsealed read of the fan through the relay, not confirmable.
fn lamp_reads_the_fan() -> Step {
    match lamp_asks_unsealed() {
        Step::App(r) => app(AppRequest {
            confirmable: false,
            ..r
        }),
        other => other,
    }
}

fn counter_used_up() -> Vector {
    Builder::lamp(
        "msg.node-wide-counter-used-up",
        "the lamp's node-wide counter stands at 2^40 − 1: its next unsealed envelope takes that value \
         and no unsealed envelope follows it, while sealed envelopes (numbered by their context) still go",
        &["IOTP-MSG-102", "IOTP-MSG-99"],
    )
    .node(|n| n.counter = LAST_MESSAGE_ID)
    .step(lamp_reads_the_fan())
    .step(expect(
        "the unsealed read takes the counter's last value, 2^40 − 1",
        vec![to(
            "relay",
            json!({"message_id": LAST_MESSAGE_ID, "recipient": FAN, "sealed": ABSENT, "body": read_level()}),
        )],
    ))
    .step(lamp_reads_the_fan())
    .step(silence(
        "the counter would exceed 2^40 − 1: the lamp sends no further unsealed envelope (and never \
         one with a message_id above the limit)",
    ))
    .step(app_read())
    .step(expect(
        "the app's sealed read is still answered, sealed with the context's Sender Sequence Number",
        vec![sealed_answer("relay", 1235, "app", level_report())],
    ))
    .build()
}

fn never_above_max_message() -> Vector {
    // A write of two values of 700 bytes each (byte strings of 697: every value within its bound of
    // 1024 bytes), which makes the envelope longer than MAX_MESSAGE (1232 bytes), sealed or not.
    let value = format!("5902b9{}", "00".repeat(697));
    let big = json!({"write": {"endpoint": 1, "capability": 7, "values": [
        {"member": 0, "value": value}, {"member": 1, "value": value}]}});
    Builder::lamp(
        "msg.envelope-never-above-max-message",
        "the lamp's application asks it to send a write too large for one envelope of MAX_MESSAGE \
         (1232) bytes, unsealed and then sealed: the lamp sends neither; a request that fits goes next",
        &["IOTP-MSG-1"],
    )
    .step(app(AppRequest {
        to: "relay".into(),
        recipient: Some(FAN.into()),
        context: None,
        body: big.clone(),
        confirmable: false,
        ttl: None,
    }))
    .step(silence(
        "an encoded envelope longer than MAX_MESSAGE is never sent (nor cut into fragments of one)",
    ))
    .step(app(AppRequest {
        to: "relay".into(),
        recipient: Some(APP.into()),
        context: Some("app".into()),
        body: big,
        confirmable: false,
        ttl: None,
    }))
    .step(silence("sealed, it is longer still: not sent either"))
    .step(lamp_asks_once())
    .step(expect(
        "the read that fits goes (its message_id free: a value taken by the envelope not sent may \
         be skipped)",
        vec![SendPattern {
            envelope: json!({"message_id": "<any>", "ack_requested": ABSENT, "recipient": APP, "key_id": "02", "body": ABSENT}),
            ..lamps_request()
        }],
    ))
    .build()
}
