//! Fragmentation and reassembly (spec §5.12): the spec's worked example, round trips at the frame sizes
//! of the links the standard names (11, 20, 51, 127 and 1232 bytes) in any arrival order with
//! repeats, every discard rule of [IOTP-MSG-88], and the bounds on what a reassembler holds.

use iotp2p_protocol::message::fragment::{
    Discard, FragmentError, Fragments, FrameError, Reassembler, Received,
};
use iotp2p_protocol::params::{MAX_MESSAGE, MIN_REASSEMBLY};
use proptest::prelude::*;

const TIMEOUT: u64 = 60_000;

fn reassembler() -> Reassembler<u32> {
    Reassembler::new(MAX_MESSAGE, 4, 1, TIMEOUT)
}

fn frames(message: &[u8], frame_size: usize, tag: u8) -> Vec<Vec<u8>> {
    Fragments::new(message, frame_size, tag)
        .unwrap()
        .map(|f| f.to_vec())
        .collect()
}

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// A message of `len` bytes that starts with a map head, as every envelope does.
fn envelope(len: usize, seed: u8) -> Vec<u8> {
    let mut m: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    m[0] = 0xa0 | (seed & 0x1f);
    m
}

#[test]
fn the_specs_example_is_reproduced_and_reassembled() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/05-message-layer.md"
    ))
    .unwrap();
    let mut seen = 0;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "```iotp-fragments" {
            continue;
        }
        let (mut message, mut frame_size, mut tag, mut expected) = (vec![], 0, 0, vec![]);
        for line in lines.by_ref().take_while(|l| *l != "```") {
            let (name, value) = line.split_once(": ").unwrap();
            match name {
                "id" => {}
                "message" => message = hex(value),
                "frame_size" => frame_size = value.parse().unwrap(),
                "tag" => tag = value.parse().unwrap(),
                "frame" => expected.push(hex(value)),
                other => panic!("unknown item `{other}`"),
            }
        }
        assert_eq!(frames(&message, frame_size, tag), expected);
        let mut r = reassembler();
        let last = expected.len() - 1;
        for (i, frame) in expected.iter().enumerate() {
            let got = r.receive(&1, frame, 0);
            if i < last {
                assert_eq!(got, Received::Pending);
            } else {
                assert_eq!(got, Received::Reassembled(message.clone()));
            }
        }
        seen += 1;
    }
    assert!(seen >= 1, "no iotp-fragments example in chapter 5");
}

#[test]
fn a_message_that_fits_is_not_fragmented() {
    let m = envelope(51, 1);
    let all = frames(&m, 51, 0);
    assert_eq!(all, vec![m.clone()], "[IOTP-MSG-75]");
    assert_eq!(reassembler().receive(&1, &m, 0), Received::Message(&m));
}

#[test]
fn fragmenting_refuses_what_it_cannot_do() {
    assert_eq!(
        Fragments::new(&[], 20, 0).unwrap_err(),
        FragmentError::BadLength(0)
    );
    assert_eq!(
        Fragments::new(&envelope(MAX_MESSAGE + 1, 0), 20, 0).unwrap_err(),
        FragmentError::BadLength(MAX_MESSAGE + 1)
    );
    assert_eq!(
        Fragments::new(&envelope(10, 0), 4, 0).unwrap_err(),
        FragmentError::FrameTooSmall(4)
    );
    assert_eq!(Fragments::new(&envelope(10, 0), 5, 0).unwrap().count(), 10);
}

#[test]
fn frames_outside_the_abnf_are_discarded() {
    let mut r = reassembler();
    for first in [0x00, 0x9f, 0xc2, 0xdf, 0xe0, 0xff] {
        assert_eq!(
            r.receive(&1, &[first, 0, 0, 5, 1], 0),
            Received::Discarded(Discard::Frame(FrameError::UnknownType(first))),
            "[IOTP-MSG-74] {first:#04x}"
        );
    }
    assert_eq!(
        r.receive(&1, &[], 0),
        Received::Discarded(Discard::Frame(FrameError::Empty))
    );
    assert_eq!(
        r.receive(&1, &[0xc0, 1, 0, 9], 0),
        Received::Discarded(Discard::Frame(FrameError::Truncated))
    );
}

/// Starts a reassembly of `m` (tag 3, frames of 20 bytes) with its first fragment.
fn started(m: &[u8]) -> (Reassembler<u32>, Vec<Vec<u8>>) {
    let mut r = reassembler();
    let f = frames(m, 20, 3);
    assert_eq!(r.receive(&1, &f[0], 0), Received::Pending);
    (r, f)
}

#[test]
fn every_discard_rule_of_msg_88() {
    let m = envelope(50, 2);

    // size exceeds MAX_MESSAGE, or what the receiver can reassemble.
    let mut r = Reassembler::<u32>::new(MIN_REASSEMBLY, 1, 1, TIMEOUT);
    let big = envelope(MIN_REASSEMBLY + 1, 0);
    let f = frames(&big, 100, 1);
    assert_eq!(
        r.receive(&1, &f[0], 0),
        Received::Discarded(Discard::TooLarge)
    );
    assert_eq!(r.in_progress(), 0);
    let mut claim = vec![0xc0, 1, 0xff, 0xff];
    claim.extend_from_slice(&[0xa0; 16]);
    assert_eq!(
        reassembler().receive(&1, &claim, 0),
        Received::Discarded(Discard::TooLarge)
    );

    // The first fragment's chunk is not shorter than size.
    let mut first = vec![0xc0, 1, 0, 2, 0xa0, 0];
    assert_eq!(
        reassembler().receive(&1, &first, 0),
        Received::Discarded(Discard::FirstChunkTooLong)
    );
    first.push(0);
    assert_eq!(
        reassembler().receive(&1, &first, 0),
        Received::Discarded(Discard::FirstChunkTooLong)
    );

    // A chunk extends beyond size; the reassembly goes with it.
    let (mut r, f) = started(&m);
    let mut beyond = f[2].clone();
    beyond.extend_from_slice(&[0; 12]);
    assert_eq!(
        r.receive(&1, &beyond, 0),
        Received::Discarded(Discard::BeyondSize)
    );
    assert_eq!(r.in_progress(), 0);

    // A next fragment with offset 0.
    let (mut r, _) = started(&m);
    assert_eq!(
        r.receive(&1, &[0xc1, 3, 0, 0, 0xa0], 0),
        Received::Discarded(Discard::ZeroOffset)
    );
    assert_eq!(r.in_progress(), 0);

    // Overlap with different values.
    let (mut r, f) = started(&m);
    // The first fragment again, with one byte changed.
    let mut changed = f[0].clone();
    changed[5] ^= 1;
    assert_eq!(
        r.receive(&1, &changed, 0),
        Received::Discarded(Discard::Conflict)
    );
    assert_eq!(r.in_progress(), 0);

    // A first fragment with the same tag and another size.
    let (mut r, _) = started(&m);
    let other = frames(&envelope(60, 2), 20, 3);
    assert_eq!(
        r.receive(&1, &other[0], 0),
        Received::Discarded(Discard::SizeChanged)
    );
    assert_eq!(r.in_progress(), 0);

    // REASSEMBLY_TIMEOUT since the first fragment.
    let (mut r, f) = started(&m);
    assert_eq!(r.next_deadline(), Some(TIMEOUT));
    assert_eq!(r.receive(&1, &f[1], TIMEOUT - 1), Received::Pending);
    assert_eq!(
        r.receive(&1, &f[2], TIMEOUT),
        Received::Discarded(Discard::NoFirstFragment)
    );
    assert_eq!(r.in_progress(), 0);
}

#[test]
fn repeats_are_ignored_and_early_fragments_dropped() {
    let m = envelope(40, 4);
    let (mut r, f) = started(&m);
    assert_eq!(r.receive(&1, &f[0], 0), Received::Repeated, "[IOTP-MSG-89]");
    assert_eq!(r.receive(&1, &f[1], 0), Received::Pending);
    assert_eq!(r.receive(&1, &f[1], 0), Received::Repeated);
    assert_eq!(r.receive(&1, &f[2], 0), Received::Reassembled(m.clone()));

    let mut r = reassembler();
    assert_eq!(
        r.receive(&1, &f[1], 0),
        Received::Discarded(Discard::NoFirstFragment),
        "[IOTP-MSG-90]"
    );
    // Fragments are per (hop peer, tag): peer 2's fragments do not complete peer 1's message.
    assert_eq!(r.receive(&1, &f[0], 0), Received::Pending);
    assert_eq!(
        r.receive(&2, &f[1], 0),
        Received::Discarded(Discard::NoFirstFragment),
        "[IOTP-MSG-83]"
    );
}

#[test]
fn reassembled_bytes_must_start_with_a_map_head() {
    let mut m = envelope(30, 0);
    m[0] = 0x82;
    let f: Vec<Vec<u8>> = Fragments::new(&m, 20, 9)
        .unwrap()
        .map(|f| f.to_vec())
        .collect();
    let mut r = reassembler();
    assert_eq!(r.receive(&1, &f[0], 0), Received::Pending);
    assert_eq!(
        r.receive(&1, &f[1], 0),
        Received::Discarded(Discard::NotAnEnvelope),
        "[IOTP-MSG-92]"
    );
}

#[test]
fn state_is_bounded_whatever_arrives() {
    let mut r = Reassembler::<u32>::new(MAX_MESSAGE, 3, 1, TIMEOUT);
    for peer in 0..50u32 {
        for tag in 0..=255u8 {
            let first = [0xc0, tag, 0x04, 0xd0, 0xa0];
            assert_eq!(r.receive(&peer, &first, 0), Received::Pending);
            assert!(r.in_progress() <= 3);
        }
    }
    // One peer cannot evict another's reassembly beyond its own share: with a per-peer bound of 1,
    // peer 49's tags replaced each other, and the two older peers' reassemblies are still there.
    assert_eq!(r.in_progress(), 3);
    r.expire(TIMEOUT);
    assert_eq!(r.in_progress(), 0);
}

proptest! {
    /// Any message at any of the standard's frame sizes comes back whole, whatever the order of its
    /// fragments after the first and however often they repeat.
    #[test]
    fn round_trip_in_any_order(
        len in 1usize..=MAX_MESSAGE,
        size_index in 0usize..5,
        seed in any::<u8>(),
        order in proptest::collection::vec(any::<u16>(), 0..64),
    ) {
        let frame_size = [11, 20, 51, 127, 1232][size_index];
        let m = envelope(len, seed);
        let f = frames(&m, frame_size, seed);
        prop_assert!(f.iter().all(|f| f.len() <= frame_size));
        let mut r = reassembler();
        if f.len() == 1 {
            prop_assert_eq!(r.receive(&7, &f[0], 0), Received::Message(&m));
            return Ok(());
        }
        prop_assert_eq!(r.receive(&7, &f[0], 0), Received::Pending);
        let mut rest: Vec<usize> = (1..f.len()).collect();
        for (i, k) in order.iter().enumerate() {
            let n = rest.len();
            rest.swap(i % n, usize::from(*k) % n);
        }
        // Some fragments twice.
        let repeats: Vec<usize> = order.iter().take(4).map(|k| 1 + usize::from(*k) % (f.len() - 1)).collect();
        let mut result = None;
        for i in rest.iter().copied().chain(repeats) {
            match r.receive(&7, &f[i], 1) {
                Received::Reassembled(bytes) => result = Some(bytes),
                Received::Pending | Received::Repeated => {}
                // Repeats after completion start no new reassembly.
                Received::Discarded(Discard::NoFirstFragment) if result.is_some() => {}
                other => prop_assert!(false, "{:?}", other),
            }
        }
        prop_assert_eq!(result, Some(m));
        prop_assert_eq!(r.in_progress(), 0);
    }

    /// Arbitrary frames never panic, and never make the reassembler hold more than its bounds.
    #[test]
    fn arbitrary_frames_are_survived(frames in proptest::collection::vec(
        (0u32..4, proptest::collection::vec(any::<u8>(), 0..80)), 0..200)
    ) {
        let mut r = Reassembler::<u32>::new(MIN_REASSEMBLY, 2, 1, TIMEOUT);
        for (i, (peer, mut frame)) in frames.into_iter().enumerate() {
            if i % 3 == 0 && !frame.is_empty() {
                frame[0] = 0xc0 | (frame[0] & 1);
            }
            let _ = r.receive(&peer, &frame, i as u64 * 100);
            prop_assert!(r.in_progress() <= 2);
        }
    }
}
