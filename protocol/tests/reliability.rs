//! Acknowledgement and retransmission (spec §5.8.2) on a virtual clock: the timer bounds, doubling,
//! the five transmissions over MAX_TRANSMIT_SPAN, NSTART, and envelopes with the same `message_id`.

use iotp2p_protocol::message::retransmit::{Action, QueueFull, Retransmitter};
use iotp2p_protocol::params::Timing;
mod common;

use common::Fixed;

fn sent(action: &Action<u8>) -> u64 {
    match action {
        Action::Send { message_id, .. } => *message_id,
        Action::Failed { .. } => panic!("unexpected failure"),
    }
}

/// The times at which an unacknowledged envelope is transmitted, and when it fails.
fn schedule(draw: u32) -> (Vec<u64>, u64) {
    let mut r = Retransmitter::new(Timing::default(), 8);
    let mut rng = Fixed(draw);
    let first = r.submit(1u8, 7, vec![0xa1], 0, &mut rng).unwrap();
    assert!(first.is_some());
    let mut times = vec![0];
    let mut actions = Vec::new();
    loop {
        let now = r.next_deadline().expect("a timer while outstanding");
        r.on_timer(now, &mut rng, &mut actions);
        match actions.pop() {
            Some(Action::Send { bytes, .. }) => {
                assert_eq!(bytes, vec![0xa1], "byte for byte the same [IOTP-MSG-46]");
                times.push(now);
            }
            Some(Action::Failed {
                peer, message_id, ..
            }) => {
                assert_eq!((peer, message_id), (1, 7));
                assert_eq!(r.in_flight(), 0);
                return (times, now);
            }
            None => panic!("a timer fired with nothing to do"),
        }
    }
}

#[test]
fn five_transmissions_with_doubling_timeouts() {
    // The shortest draw: ACK_TIMEOUT exactly, then 4, 8, 16 and 32 s.
    let (times, failed) = schedule(0);
    assert_eq!(
        times,
        [0, 2_000, 6_000, 14_000, 30_000],
        "[IOTP-MSG-45], [IOTP-MSG-46]"
    );
    assert_eq!(failed, 62_000, "[IOTP-MSG-47]");
    // The longest draw: ACK_TIMEOUT × ACK_RANDOM_FACTOR = 3 s; the last transmission is at
    // MAX_TRANSMIT_SPAN.
    let (times, failed) = schedule(u32::MAX);
    assert_eq!(times, [0, 3_000, 9_000, 21_000, 45_000]);
    assert_eq!(
        *times.last().unwrap(),
        Timing::default().max_transmit_span()
    );
    assert_eq!(failed, 93_000);
}

#[test]
fn an_acknowledgement_stops_it_and_lets_the_next_start() {
    let mut r = Retransmitter::new(Timing::default(), 8);
    let mut rng = Fixed(0);
    assert!(r.submit(1u8, 10, vec![1], 0, &mut rng).unwrap().is_some());
    // NSTART = 1: the second envelope to the same peer waits; one to another peer goes.
    assert_eq!(
        r.submit(1u8, 11, vec![2], 0, &mut rng),
        Ok(None),
        "[IOTP-MSG-49]"
    );
    assert!(r.submit(2u8, 10, vec![3], 0, &mut rng).unwrap().is_some());
    let mut actions = Vec::new();
    assert!(
        !r.acknowledge(&1, 99, 100, &mut rng, &mut actions),
        "not outstanding"
    );
    assert!(
        !r.acknowledge(&2, 11, 100, &mut rng, &mut actions),
        "the wrong peer"
    );
    assert!(actions.is_empty());
    assert!(
        r.acknowledge(&1, 10, 100, &mut rng, &mut actions),
        "[IOTP-MSG-48]"
    );
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [11]);
    assert_eq!(r.in_flight(), 2);
    assert_eq!(r.waiting(), 0);
}

#[test]
fn two_envelopes_with_one_message_id_are_serialised() {
    let timing = Timing {
        nstart: 4,
        ..Timing::default()
    };
    let mut r = Retransmitter::new(timing, 8);
    let mut rng = Fixed(0);
    assert!(r.submit(1u8, 5, vec![1], 0, &mut rng).unwrap().is_some());
    assert_eq!(
        r.submit(1u8, 5, vec![2], 0, &mut rng),
        Ok(None),
        "[IOTP-MSG-50]"
    );
    // A later envelope of the same peer does not overtake the waiting one.
    assert_eq!(r.submit(1u8, 6, vec![3], 0, &mut rng), Ok(None));
    assert!(r.is_pending(&1, 6));
    // A failure releases it as an acknowledgement would.
    let mut actions = Vec::new();
    for _ in 0..5 {
        let now = r.next_deadline().unwrap();
        r.on_timer(now, &mut rng, &mut actions);
    }
    let failed = actions
        .iter()
        .position(|a| matches!(a, Action::Failed { message_id: 5, .. }))
        .expect("the first failed");
    let after: Vec<u64> = actions[failed + 1..].iter().map(sent).collect();
    assert_eq!(after, [5, 6]);
}

#[test]
fn the_waiting_queue_is_bounded() {
    let mut r = Retransmitter::new(Timing::default(), 2);
    let mut rng = Fixed(0);
    assert!(r.submit(1u8, 0, vec![], 0, &mut rng).unwrap().is_some());
    assert_eq!(r.submit(1u8, 1, vec![], 0, &mut rng), Ok(None));
    assert_eq!(r.submit(1u8, 2, vec![], 0, &mut rng), Ok(None));
    assert_eq!(r.submit(1u8, 3, vec![], 0, &mut rng), Err(QueueFull));
}

#[test]
fn the_identifiers_in_use_towards_a_peer_include_the_last_that_ended() {
    // [IOTP-MSG-142]: a late copy of an acknowledgement names only a `message_id`, so the
    // identifiers of envelopes that ended stay in use for a while, the last ENDED_KEPT of them.
    use iotp2p_protocol::message::retransmit::ENDED_KEPT;
    let mut r = Retransmitter::new(Timing::default(), 8);
    let mut rng = Fixed(0);
    let mut actions = Vec::new();
    r.submit(1u8, 5, vec![0xa1], 0, &mut rng).unwrap();
    r.submit(1u8, 6, vec![0xa2], 0, &mut rng).unwrap();
    r.submit(2u8, 9, vec![0xa3], 0, &mut rng).unwrap();
    let ids = |r: &Retransmitter<u8>, peer: u8| {
        let mut ids: Vec<u64> = r.ids_towards(&peer).collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(ids(&r, 1), [5, 6], "in flight and waiting");
    assert!(r.acknowledge(&1, 5, 10, &mut rng, &mut actions));
    assert_eq!(ids(&r, 1), [5, 6], "5 ended, 6 in flight");
    assert_eq!(ids(&r, 2), [9], "another peer's are its own");
    // The oldest ended ones are forgotten beyond the bound.
    for id in 100..100 + ENDED_KEPT as u64 {
        r.submit(3u8, id, vec![0xa4], 20, &mut rng).unwrap();
        assert!(r.acknowledge(&3, id, 30, &mut rng, &mut actions));
    }
    assert!(!ids(&r, 1).contains(&5), "5 is past the last {ENDED_KEPT}");
}

#[test]
fn a_relays_envelope_with_the_identifier_of_one_just_retransmitted_is_held_back() {
    // [IOTP-DLV-138]: a relay forwards envelopes with the `message_id` their senders gave. The second
    // of two with one `message_id` towards a hop peer goes ACK_TIMEOUT after the first ended if the
    // first was retransmitted, so that a late copy of its acknowledgement (the answer to its
    // retransmission), arriving meanwhile, ends nothing; after one acknowledged at its first
    // transmission, it goes at once.
    let timing = Timing::default();
    let mut r = Retransmitter::with_quarantine(timing, 0, timing.ack_timeout);
    let mut rng = Fixed(0);
    let mut actions = Vec::new();
    assert!(r.submit(1u8, 5, vec![0xa0], 0, &mut rng).unwrap().is_some());
    assert!(r.acknowledge(&1, 5, 100, &mut rng, &mut actions));
    assert!(
        r.submit(1u8, 5, vec![0xa1], 100, &mut rng)
            .unwrap()
            .is_some(),
        "acknowledged at its first transmission: the next goes at once"
    );
    let timeout = r.next_deadline().unwrap();
    r.on_timer(timeout, &mut rng, &mut actions);
    assert_eq!(actions.len(), 1, "retransmitted");
    actions.clear();
    let ended = timeout + 100;
    assert!(r.acknowledge(&1, 5, ended, &mut rng, &mut actions));
    // Another peer's envelope with the same identifier is not held back.
    assert!(r
        .submit(2u8, 5, vec![0xa3], ended, &mut rng)
        .unwrap()
        .is_some());
    assert!(r.acknowledge(&2, 5, ended, &mut rng, &mut actions));
    assert_eq!(r.submit(1u8, 5, vec![0xa2], ended, &mut rng), Ok(None));
    assert_eq!(r.in_flight(), 1, "held back, it counts in flight (NSTART)");
    assert!(
        !r.acknowledge(&1, 5, ended + 100, &mut rng, &mut actions),
        "the late copy of the first acknowledgement ends nothing"
    );
    assert_eq!(r.next_deadline(), Some(ended + timing.ack_timeout));
    r.on_timer(ended + timing.ack_timeout - 1, &mut rng, &mut actions);
    assert!(actions.is_empty());
    r.on_timer(ended + timing.ack_timeout, &mut rng, &mut actions);
    assert_eq!(
        actions,
        [Action::Send {
            peer: 1,
            message_id: 5,
            bytes: vec![0xa2]
        }],
        "sent once its quarantine is over"
    );
    assert!(r.acknowledge(&1, 5, ended + 3_000, &mut rng, &mut actions));

    // A node skips identifiers instead ([IOTP-MSG-142]): nothing is held back.
    let mut node = Retransmitter::new(timing, 8);
    assert!(node
        .submit(1u8, 5, vec![0xa1], 0, &mut rng)
        .unwrap()
        .is_some());
    assert!(node.acknowledge(&1, 5, 100, &mut rng, &mut actions));
    assert!(node
        .submit(1u8, 5, vec![0xa2], 100, &mut rng)
        .unwrap()
        .is_some());
}

/// A retransmitter with a relay pair's window, given the envelopes `ids` towards peer 1 at time 0:
/// it and those it sent at once.
fn relay_pair(ids: std::ops::Range<u64>, rng: &mut Fixed) -> (Retransmitter<u8>, Vec<u64>) {
    let mut r = Retransmitter::new(Timing::default(), 2_000).with_relay_window();
    let mut in_flight = Vec::new();
    for id in ids {
        if let Some(action) = r.submit(1u8, id, vec![0xa1], 0, rng).unwrap() {
            in_flight.push(sent(&action));
        }
    }
    (r, in_flight)
}

/// Acknowledges, at `now`, the envelopes `in_flight` holds, oldest first, and records in it those
/// the acknowledgements let start.
fn acknowledge_all(r: &mut Retransmitter<u8>, in_flight: &mut Vec<u64>, now: u64, rng: &mut Fixed) {
    let mut actions = Vec::new();
    for id in std::mem::take(in_flight) {
        assert!(r.acknowledge(&1, id, now, rng, &mut actions));
    }
    in_flight.extend(actions.iter().map(sent));
}

#[test]
fn a_relay_pair_window_starts_at_four_grows_by_one_per_window_and_stops_at_nstart_relay() {
    // [IOTP-UDP-21], [IOTP-UDP-22]: towards another relay, W envelopes outstanding, W from
    // INITIAL_WINDOW_RELAY (4), one more after W acknowledged without retransmission, at most
    // NSTART_RELAY (32).
    use iotp2p_protocol::params::{INITIAL_WINDOW_RELAY, NSTART_RELAY};
    let mut rng = Fixed(0);
    let (mut r, mut in_flight) = relay_pair(0..1_000, &mut rng);
    assert_eq!(in_flight, [0, 1, 2, 3]);
    assert_eq!(r.window(&1), Some(INITIAL_WINDOW_RELAY));
    // Another relay's window is its own.
    assert!(r.submit(2u8, 0, vec![], 0, &mut rng).unwrap().is_some());
    let mut windows = Vec::new();
    let mut now = 0;
    while r.waiting() > 0 {
        now += 20;
        acknowledge_all(&mut r, &mut in_flight, now, &mut rng);
        assert!(in_flight.len() <= NSTART_RELAY, "[IOTP-UDP-21]");
        windows.push(r.window(&1).unwrap());
    }
    // Each round trip acknowledges a whole window: W grows by one per round trip, to 32 and no
    // further, and as many start as W allows.
    assert_eq!(windows[..4], [5, 6, 7, 8]);
    assert_eq!(*windows.iter().max().unwrap(), NSTART_RELAY);
    assert_eq!(windows.last(), Some(&NSTART_RELAY));
    assert_eq!(r.window(&2), Some(INITIAL_WINDOW_RELAY));
}

#[test]
fn a_relay_pair_window_is_halved_once_per_round_trip_and_times_out_after_the_measured_rto() {
    // [IOTP-UDP-22], [IOTP-UDP-23]: round trips of 50 ms give an RTO of MIN_RTO_RELAY (1 s) in
    // place of ACK_TIMEOUT (2 to 3 s); four envelopes retransmitted at once halve W once.
    use iotp2p_protocol::params::MIN_RTO_RELAY;
    let mut rng = Fixed(u32::MAX);
    let (mut r, mut in_flight) = relay_pair(0..12, &mut rng);
    assert_eq!(
        r.next_deadline(),
        Some(3_000),
        "ACK_TIMEOUT × 1.5 before any measure"
    );
    acknowledge_all(&mut r, &mut in_flight, 50, &mut rng);
    assert_eq!(r.window(&1), Some(5));
    assert_eq!(in_flight, [4, 5, 6, 7, 8]);
    assert_eq!(r.measured_rto(&1), Some(MIN_RTO_RELAY));
    assert_eq!(r.next_deadline(), Some(50 + MIN_RTO_RELAY));
    // None of the five is acknowledged: each is retransmitted, W halved once, to 2.
    let mut actions = Vec::new();
    r.on_timer(50 + MIN_RTO_RELAY, &mut rng, &mut actions);
    assert_eq!(actions.len(), 5);
    assert_eq!(r.window(&1), Some(2));
    // Their acknowledgements give no round trip (Karn) and do not grow W; the window lets two
    // of the three waiting ones start.
    acknowledge_all(&mut r, &mut in_flight, 1_100, &mut rng);
    assert_eq!(r.window(&1), Some(2));
    assert_eq!(in_flight, [9, 10]);
}

#[test]
fn a_relay_pair_window_starts_again_at_four_after_an_idle_period() {
    // [IOTP-UDP-22]: idle longer than the retransmission timeout, the window starts again.
    use iotp2p_protocol::params::{INITIAL_WINDOW_RELAY, MIN_RTO_RELAY};
    let mut rng = Fixed(0);
    let (mut r, mut in_flight) = relay_pair(0..30, &mut rng);
    let mut now = 0;
    while !in_flight.is_empty() {
        now += 10;
        acknowledge_all(&mut r, &mut in_flight, now, &mut rng);
    }
    let grown = r.window(&1).unwrap();
    assert!(grown > INITIAL_WINDOW_RELAY, "{grown}");
    // Within the RTO the window stays; past it, it starts again.
    assert!(r
        .submit(1u8, 100, vec![], now + MIN_RTO_RELAY, &mut rng)
        .unwrap()
        .is_some());
    assert_eq!(r.window(&1), Some(grown));
    assert!(r.acknowledge(&1, 100, now + MIN_RTO_RELAY, &mut rng, &mut Vec::new()));
    let later = now + 2 * MIN_RTO_RELAY + 1;
    assert!(r
        .submit(1u8, 101, vec![], later, &mut rng)
        .unwrap()
        .is_some());
    assert_eq!(r.window(&1), Some(INITIAL_WINDOW_RELAY));
}

#[test]
fn non_confirmable_envelopes_to_a_relay_count_against_its_window_for_a_round_trip() {
    // [IOTP-UDP-24]: outstanding confirmable envelopes and the non-confirmable ones of the round
    // trip stay within W together; past the round trip (SRTT, ACK_TIMEOUT before any measure)
    // the count starts again, and a confirmable envelope they kept waiting starts then.
    use iotp2p_protocol::params::INITIAL_WINDOW_RELAY;
    let mut rng = Fixed(0);
    let (mut r, in_flight) = relay_pair(0..0, &mut rng);
    assert!(in_flight.is_empty());
    let admitted = (0..10).filter(|_| r.admit_non(&1, 10)).count();
    assert_eq!(admitted, INITIAL_WINDOW_RELAY);
    // Another relay's window is its own.
    assert!(r.admit_non(&2, 10));
    // A confirmable envelope waits for the round trip's end, which is a deadline.
    assert!(r
        .submit(1u8, 7, vec![0xa1], 20, &mut rng)
        .unwrap()
        .is_none());
    let ack_timeout = Timing::default().ack_timeout;
    assert_eq!(r.next_deadline(), Some(10 + ack_timeout));
    let mut actions = Vec::new();
    r.on_timer(10 + ack_timeout, &mut rng, &mut actions);
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [7]);
    // The new round trip counts afresh, beside the one outstanding: three places of four.
    let later = 10 + ack_timeout;
    let admitted = (0..10).filter(|_| r.admit_non(&1, later)).count();
    assert_eq!(admitted, INITIAL_WINDOW_RELAY - 1);
    // Without a relay window (a node's hop) nothing is counted.
    let mut node = Retransmitter::<u8>::new(Timing::default(), 10);
    assert!((0..100).all(|_| node.admit_non(&1, 0)));
}

#[test]
fn on_a_relay_pair_one_flow_has_one_envelope_outstanding_and_other_flows_pass_it() {
    // [IOTP-DLV-32]: a lost envelope retransmitted behind a later one of its sender and recipient
    // would reach the other relay after it (message_3 of EDHOC after the first sealed request).
    let mut r = Retransmitter::new(Timing::default(), 100).with_relay_window();
    let mut rng = Fixed(0);
    let go = |r: &mut Retransmitter<u8>, id: u64, flow: u64, rng: &mut Fixed| {
        r.submit_in_flow(1u8, id, vec![], flow, Some(flow), 0, rng)
            .unwrap()
            .map(|a| sent(&a))
    };
    assert_eq!(go(&mut r, 1, 7, &mut rng), Some(1));
    assert_eq!(
        go(&mut r, 2, 7, &mut rng),
        None,
        "behind the first of its flow"
    );
    assert_eq!(
        go(&mut r, 3, 8, &mut rng),
        Some(3),
        "another flow passes it"
    );
    assert_eq!(go(&mut r, 4, 7, &mut rng), None, "in order behind 2");
    let mut actions = Vec::new();
    assert!(r.acknowledge(&1, 1, 10, &mut rng, &mut actions));
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [2]);
    actions.clear();
    assert!(r.acknowledge(&1, 2, 20, &mut rng, &mut actions));
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [4]);
}

#[test]
fn on_a_relay_pair_two_senders_envelopes_with_one_identifier_go_together_once_senders_are_named() {
    // [IOTP-MSG-50]: by default the second waits for the first, since an acknowledgement that names
    // only the `message_id` would end either. [IOTP-MSG-148]: once the other relay names senders in
    // its acknowledgements ([IOTP-MSG-146]), both go, and each acknowledgement ends its own
    // ([IOTP-MSG-147]).
    let mut r = Retransmitter::new(Timing::default(), 100).with_relay_window();
    let mut rng = Fixed(0);
    let (a, b) = (11, 12);
    let go = |r: &mut Retransmitter<u8>, id: u64, sender: u64, rng: &mut Fixed| {
        let bytes = vec![0xa0, sender as u8];
        r.submit_in_flow(1u8, id, bytes, sender, Some(sender), 0, rng)
            .unwrap()
            .map(|a| sent(&a))
    };
    assert_eq!(go(&mut r, 5, a, &mut rng), Some(5));
    assert_eq!(go(&mut r, 5, b, &mut rng), None, "serialised before names");
    let mut actions = Vec::new();
    let ended = r.acknowledge_from(&1, 5, Some(a), 10, &mut rng, &mut actions);
    assert_eq!(ended, Some(vec![0xa0, a as u8]));
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [5], "b's now");
    r.names_senders(&1, 10);
    assert_eq!(go(&mut r, 5, a, &mut rng), Some(5), "beside b's");
    assert_eq!(r.in_flight(), 2);
    assert_eq!(
        go(&mut r, 5, a, &mut rng),
        None,
        "one sender's wait as before"
    );
    actions.clear();
    let ended = r.acknowledge_from(&1, 5, Some(b), 20, &mut rng, &mut actions);
    assert_eq!(ended, Some(vec![0xa0, b as u8]), "b's, not a's");
    assert!(actions.is_empty(), "a's second still waits for a's first");
    assert_eq!(
        r.acknowledge_from(&1, 5, Some(b), 20, &mut rng, &mut actions),
        None,
        "a late copy ends nothing"
    );
    assert!(r
        .acknowledge_from(&1, 5, Some(a), 30, &mut rng, &mut actions)
        .is_some());
    assert_eq!(actions.iter().map(sent).collect::<Vec<_>>(), [5]);
    // An envelope without `sender`, whose acknowledgement names nothing, waits for any other with
    // its `message_id`, names or not.
    assert_eq!(go(&mut r, 9, b, &mut rng), Some(9));
    let anonymous = r
        .submit_in_flow(1u8, 9, vec![0xa0], 13, None, 40, &mut rng)
        .unwrap();
    assert_eq!(anonymous, None, "waits for b's");
}
