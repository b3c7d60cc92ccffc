//! Scenarios of what makes a received envelope new (spec §5.9, §8.6.3), on the lamp of §5.15.1: a
//! `ttl` proves no freshness to a node that lost a context's replay window, and a full duplicate
//! cache of unsealed envelopes makes room for the new entry by dropping its oldest one, never by
//! forgetting the newest.

use serde_json::json;

use super::messages::{app_read, fresh_required, unsealed_requests};
use super::*;
use crate::vector::Vector;

pub(crate) fn scenarios() -> Vec<Vector> {
    vec![ttl_is_no_freshness(), duplicate_cache_drops_the_oldest()]
}

fn ttl_is_no_freshness() -> Vector {
    let write = json!({"write": {"endpoint": 1, "capability": 7, "values": [{"member": 0, "value": "05"}]}});
    Builder::lamp(
        "sec.ttl-is-no-freshness",
        "the lamp lost the replay window of its context with the app; a sealed write and then a \
         sealed read each carry a short `ttl` (5 s): a `ttl` is no evidence of freshness, so neither \
         is acted on, each is answered FreshnessRequired with a challenge",
        &["IOTP-SEC-92", "IOTP-SEC-85"],
    )
    .node(|n| n.contexts[0].window_lost = true)
    .step(sealed(
        "relay",
        "app",
        json!({"sender_contact": 1, "ttl": 5}),
        write,
    ))
    .step(expect(
        "the write is not applied: its ttl proves nothing; the answer asks for freshness, sealed",
        vec![fresh_required(1235)],
    ))
    .step(with(app_read(), |s| {
        s.envelope = Some(json!({"sender_contact": 1, "ttl": 5}));
    }))
    .step(expect(
        "the read with a ttl is not answered either until the window is resynchronised",
        vec![fresh_required(1236)],
    ))
    .build()
}

fn duplicate_cache_drops_the_oldest() -> Vector {
    // Nine requests, one more than DEDUP_CACHE_MIN: a cache of exactly that size is full at the
    // ninth. Steps 0, 2, .., 16 send them; the node's datagrams 0 to 8 answer them.
    let mut b = Builder::lamp(
        "msg.duplicate-cache-drops-the-oldest",
        "nine different unsealed requests from one origin, one more than DEDUP_CACHE_MIN, then the \
         last eight again, newest first: a cache that was full made room for each new entry by \
         dropping its oldest, so each copy is recognised and not processed again (answered at \
         most with the bytes of its first answer)",
        &["IOTP-MSG-113", "IOTP-MSG-112"],
    );
    b = unsealed_requests(b, 9);
    b = b.step(at(1_000));
    for n in (1..9usize).rev() {
        b = b.step(repeat("relay", 2 * n)).step(expecting(
            silence(
                "one of the eight newest entries: a copy, not processed again, so no new answer, at \
                 most the first answer's bytes again",
            ),
            |e| {
                e.or = vec![vec![SendPattern {
                    same_as: Some(n),
                    ..to("relay", json!({}))
                }]]
            },
        ));
    }
    b.build()
}
