//! Scenarios of what a device's home relay delivers to it (spec §5.11), on the lamp of §5.15.1 with
//! its hop context: `more` is the relay's alone, never set by the lamp; a receipt names only what the
//! home relay delivered, not what reached the lamp on another hop; and a receipt goes as soon as it
//! has 16 envelopes to name, without waiting for the end of the wake-up; and the relay's answer to a
//! receipt (a relay that restarted without its hop contexts answers it `Unauthenticated`) is no
//! delivery for another receipt to name.

use serde_json::{json, Value};

use super::messages::{
    app_read, delivered_answer, lamp_asks, level_report, receipt, relay_acks, with_hop,
};
use super::*;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![
        no_more_from_an_end_node(),
        receipt_names_only_deliveries(),
        receipt_when_sixteen(),
        receipt_answer_not_named(),
    ]
}

/// The answer to the app's delivered read `message_id`: sealed, confirmable, without `more`.
fn answer_without_more(message_id: u64) -> SendPattern {
    let mut answer = delivered_answer(message_id);
    answer.envelope["more"] = json!(ABSENT);
    answer
}

/// `first` and then, once the relay acknowledges the node's datagram `n`, `second`; or the other
/// way round: both are confirmable to the relay, so one waits for the other's acknowledgement
/// (NSTART).
fn one_then_other(
    b: Builder,
    why: &str,
    n: usize,
    first: SendPattern,
    second: SendPattern,
) -> Builder {
    b.step(expecting(expect(why, vec![first.clone()]), |e| {
        e.or = vec![vec![second.clone()]]
    }))
    .step(relay_acks(n))
    .step(expecting(
        expect(
            "once the relay acknowledged the first, the other",
            vec![second],
        ),
        |e| e.or = vec![vec![first]],
    ))
}

fn no_more_from_an_end_node() -> Vector {
    let refs = json!([{"message_id": 1235, "sender_contact": 1}, {"message_id": 1236, "sender_contact": 1}]);
    let request = SendPattern {
        envelope: json!({"ack_requested": ABSENT, "recipient": APP, "more": ABSENT}),
        opens: Some(crate::scenario::Opens {
            context: "app".into(),
            answers: None,
            recipient: None,
            body: read_level(),
        }),
        ..to("relay", json!({}))
    };
    let last_receipt = SendPattern {
        envelope: json!({"ack_requested": true, "key_id": "0b", "recipient": ABSENT, "correlation_id": ABSENT, "more": ABSENT}),
        ..receipt(refs)
    };
    let b = with_hop(Builder::lamp(
        "msg.no-more-from-an-end-node",
        "the home relay delivers a read with `more`, then one without; the lamp, with more to send \
         of its own (its request, its answers, its receipt), never sets `more`, which only the hop \
         from a home relay to a device carries",
        &["IOTP-MSG-72"],
    ))
    .step(with(app_read(), |s| {
        s.envelope = Some(json!({"sender_contact": 1, "more": true}));
    }))
    .step(expect(
        "the answer to the first read: no `more`",
        vec![answer_without_more(1235)],
    ))
    .step(relay_acks(0))
    .step(silence("the relay acknowledged the answer"))
    .step(match lamp_asks() {
        // Not confirmable, so that it waits for no acknowledgement.
        Step::App(r) => app(crate::scenario::AppRequest {
            confirmable: false,
            ..r
        }),
        other => other,
    })
    .step(expect("the lamp's own request: no `more`", vec![request]))
    .step(app_read());
    one_then_other(
        b,
        "the last delivery of the wake-up: its answer and the receipt, neither with `more`",
        2,
        answer_without_more(1236),
        last_receipt,
    )
    .build()
}

fn receipt_names_only_deliveries() -> Vector {
    let refs = json!([{"message_id": 1236, "sender_contact": 1}]);
    let b = with_hop(Builder::lamp(
        "msg.receipt-names-only-deliveries",
        "the app reads the level directly on the lamp's local link (the hop peer `phone`), then \
         through the home relay: the receipt, after the relay's delivery, names that delivery alone, \
         never the envelope the relay did not deliver",
        &["IOTP-MSG-124", "IOTP-MSG-125"],
    ))
    .step(sealed("phone", "app", json!({}), read_level()))
    .step(expect(
        "the direct read is answered to the phone; it is no delivery of the home relay: no receipt",
        vec![SendPattern {
            envelope: json!({"correlation_id": 1235, "recipient": ABSENT, "body": ABSENT}),
            ..sealed_answer("phone", 1235, "app", level_report())
        }],
    ))
    .step(app_read());
    one_then_other(
        b,
        "the relay's delivery (the last of its wake-up): its answer, and the receipt naming it alone",
        1,
        delivered_answer(1236),
        receipt(refs),
    )
    .build()
}

fn receipt_when_sixteen() -> Vector {
    let mut b = with_hop(Builder::lamp(
        "msg.receipt-when-sixteen",
        "the home relay delivers sixteen unsealed reads, each with `more`: the lamp answers each \
         Unauthenticated (the relay acknowledging each answer), and sends its receipt with the \
         sixteenth, as soon as it has sixteen to name, though the wake-up goes on",
        &["IOTP-MSG-127"],
    ))
    .should();
    let refs: Vec<Value> = (0..16u64)
        .map(|n| json!({"message_id": 100 + n, "sender_contact": 1}))
        .collect();
    for n in 0..16u64 {
        b = b.step(plain(
            "relay",
            json!({"message_id": 100 + n, "sender_contact": 1, "more": true, "body": read_level()}),
        ));
        if n < 15 {
            b = b
                .step(expect(
                    "answered Unauthenticated; more follows and fewer than 16 wait: no receipt yet",
                    vec![status("relay", 100 + n, "Unauthenticated")],
                ))
                .step(relay_acks(n as usize))
                .step(silence("the relay acknowledged the answer"));
        }
    }
    one_then_other(
        b,
        "the sixteenth delivery: its answer, and the receipt naming all sixteen",
        15,
        status("relay", 115, "Unauthenticated"),
        receipt(json!(refs)),
    )
    .build()
}

fn receipt_answer_not_named() -> Vector {
    let refs = json!([{"message_id": 1235, "sender_contact": 1}]);
    with_hop(Builder::lamp(
        "msg.receipt-answer-not-named",
        "the home relay delivers a sealed reply of the app that answers no request of the lamp: \
         discarded, and named in the receipt; a relay that restarted without its hop contexts \
         cannot open the receipt and answers it, as a request, with an unsealed Unauthenticated. \
         That status is the relay's own reply to the lamp's receipt, not a delivery: no receipt \
         names it (one would be answered Unauthenticated again, without end)",
        &["IOTP-MSG-123", "IOTP-SEC-74"],
    ))
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1, "correlation_id": 999}),
        level_report(),
    ))
    .step(expect(
        "a delivered reply that answers nothing: discarded, and named in the receipt",
        vec![receipt(refs)],
    ))
    .step(with(
        plain(
            "relay",
            json!({"message_id": 40, "body": {"status": {"code": "Unauthenticated"}}}),
        ),
        |s| s.answer_to = Some(0),
    ))
    .step(silence(
        "the relay's answer to the receipt is no delivery: no receipt names it",
    ))
    .build()
}
