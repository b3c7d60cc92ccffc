//! Vectors of frames, fragmentation and reassembly (spec §5.12), for the requests `fragment` and
//! `reassemble` of protocol version 2.
//!
//! The spec's worked example (```` ```iotp-fragments ```` in chapter 5) is read from its text and
//! must be reproduced byte for byte by the reference engine. The other vectors cut messages at the
//! frame sizes of the links the spec names (11, 20, 51, 127 and 1232 bytes) and break every discard
//! rule of [IOTP-MSG-88] and IOTP-MSG-74, -89, -90 and -92. The outcome of every frame given to a
//! reassembler is stated here, frame by frame, and the reference engine must agree; the frames a
//! `fragment` vector lists are the reference engine's, which the runner does not require (it checks
//! the rules of §5.12.2), but which must satisfy those rules here too.

use super::engine::{file, reference, respond, vector};
use super::spec_blocks::blocks;
use crate::protocol::{FrameResult, Request, Response, TimedFrame};
use crate::runner::check::fragment_rules;
use crate::suite::hex;
use crate::vector::{Expect, Level, Operation, Outcome, Vector, VectorFile};

const CHAPTER: &str = "spec/05-message-layer.md";
const TEXT: &str = include_str!("../../../spec/05-message-layer.md");

/// The frame sizes of the links that spec §5.12 and §5.13 name: LoRaWAN US915 DR0, BLE with the
/// default ATT MTU, LoRaWAN EU868 DR0–2, IEEE 802.15.4, and a UDP datagram of MAX_MESSAGE.
const FRAME_SIZES: [usize; 5] = [11, 20, 51, 127, 1232];

/// Message lengths cut at every frame size: a typical sealed invoke, a few frames' worth,
/// MIN_REASSEMBLY (IOTP-MSG-133) and MAX_MESSAGE (IOTP-MSG-86).
const LENGTHS: [usize; 4] = [43, 200, 704, 1232];

/// REASSEMBLY_TIMEOUT of spec §5.14, which every `reassemble` vector sets.
const TIMEOUT: u64 = 60_000;

/// A message of `len` bytes that starts with a map head, as every envelope does; `seed` varies it.
fn envelope(len: usize, seed: u8) -> Vec<u8> {
    let mut m: Vec<u8> = (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed).rotate_left(3))
        .collect();
    m[0] = 0xa0 | (seed & 0x1f);
    m
}

/// The frames of the reference engine for `message`, checked against the rules of §5.12.2.
fn frames(message: &[u8], frame_size: usize, tag: u8) -> Result<Vec<Vec<u8>>, String> {
    let request = Request::Fragment {
        id: "frames".into(),
        message: hex(message),
        frame_size,
        tag,
    };
    let Response::Frames { frames, .. } = reference(&request)? else {
        return Err(format!(
            "no frames for {} bytes at {frame_size}",
            message.len()
        ));
    };
    fragment_rules(&hex(message), frame_size, tag, &frames)?;
    frames
        .iter()
        .map(|f| crate::suite::unhex(f))
        .collect::<Result<_, _>>()
}

fn fragment_vector(
    id: String,
    description: String,
    requirements: &[&str],
    message: &[u8],
    frame_size: usize,
    tag: u8,
    stated: Option<Vec<Vec<u8>>>,
) -> Result<Vector, String> {
    let engine = frames(message, frame_size, tag)?;
    if let Some(stated) = &stated {
        if *stated != engine {
            return Err(format!(
                "{id}: the reference engine cuts the message otherwise"
            ));
        }
    }
    let request = Request::Fragment {
        id: id.clone(),
        message: hex(message),
        frame_size,
        tag,
    };
    let response = Response::Frames {
        id,
        frames: engine.iter().map(|f| hex(f)).collect(),
    };
    Ok(vector(
        description,
        requirements,
        Level::Must,
        Operation::Fragment,
        request,
        respond(response),
    ))
}

fn fragment_vectors() -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let examples = blocks(CHAPTER, TEXT, "iotp-fragments")?;
    if examples.is_empty() {
        return Err(format!("{CHAPTER} has no iotp-fragments block"));
    }
    for b in &examples {
        let name = b.get("id")?;
        let stated = b
            .all("frame")
            .map(super::spec_blocks::hex_bytes)
            .collect::<Result<Vec<_>, _>>()?;
        let frame_size = b.number("frame_size")? as usize;
        out.push(fragment_vector(
            format!("protocol.fragments.example.{name}"),
            format!("the worked example `{name}` of {CHAPTER} §5.15.5"),
            &["IOTP-MSG-77", "IOTP-MSG-78", "IOTP-MSG-80"],
            &b.bytes("message")?,
            frame_size,
            u8::try_from(b.number("tag")?).map_err(|e| e.to_string())?,
            Some(stated),
        )?);
    }
    for frame_size in FRAME_SIZES {
        for (i, len) in LENGTHS.into_iter().enumerate() {
            let message = envelope(len, i as u8);
            let (what, requirements): (_, &[&str]) = if len <= frame_size {
                ("fits one frame and is sent whole", &["IOTP-MSG-75"])
            } else {
                (
                    "is cut into fragments that cover it exactly once, all with its tag",
                    &["IOTP-MSG-77", "IOTP-MSG-78", "IOTP-MSG-80"],
                )
            };
            out.push(fragment_vector(
                format!("protocol.fragments.frame-{frame_size}.length-{len}"),
                format!("a message of {len} bytes on a link of {frame_size}-byte frames {what}"),
                requirements,
                &message,
                frame_size,
                i as u8 + 1,
                None,
            )?);
        }
        // A message of exactly one frame is not fragmented; one byte more is.
        for len in [frame_size, frame_size + 1]
            .into_iter()
            .filter(|l| *l <= 1232 && !LENGTHS.contains(l))
        {
            let fits = len == frame_size;
            out.push(fragment_vector(
                format!("protocol.fragments.frame-{frame_size}.length-{len}"),
                format!(
                    "a message of {len} bytes on a link of {frame_size}-byte frames {}",
                    if fits {
                        "fits exactly and is sent whole"
                    } else {
                        "is one byte too long and is fragmented"
                    }
                ),
                if fits {
                    &["IOTP-MSG-75"]
                } else {
                    &["IOTP-MSG-75", "IOTP-MSG-77", "IOTP-MSG-78"]
                },
                &envelope(len, 9),
                frame_size,
                9,
                None,
            )?);
        }
    }
    // The order of the fragments, a SHOULD that the runner judges only here: first fragment first,
    // then ascending offsets.
    for frame_size in [11, 51] {
        let len = 704;
        let mut order = fragment_vector(
            format!("protocol.fragments.order.frame-{frame_size}.length-{len}"),
            format!(
                "a message of {len} bytes on a link of {frame_size}-byte frames: its fragments go \
                 first fragment first, then in ascending offset order"
            ),
            &[
                crate::runner::check::ORDER_RULE,
                "IOTP-MSG-77",
                "IOTP-MSG-78",
            ],
            &envelope(len, 3),
            frame_size,
            3,
            None,
        )?;
        order.level = Level::Should;
        out.push(order);
    }
    Ok(out)
}

/// What one frame given to a reassembler must do.
#[derive(Clone)]
enum Then {
    Held,
    Delivered(Vec<u8>),
    Discarded(&'static str),
}

impl Then {
    fn result(&self) -> FrameResult {
        let (outcome, message, reason) = match self {
            Then::Held => ("held", None, None),
            Then::Delivered(m) => ("delivered", Some(hex(m)), None),
            Then::Discarded(r) => ("discarded", None, Some(r.to_string())),
        };
        FrameResult {
            outcome: outcome.into(),
            message,
            reason,
        }
    }
}

/// One frame of a `reassemble` vector: from whom, when, what, and what it must do.
struct Step {
    peer: &'static str,
    time: u64,
    frame: Vec<u8>,
    then: Then,
}

fn step(peer: &'static str, time: u64, frame: &[u8], then: Then) -> Step {
    Step {
        peer,
        time,
        frame: frame.to_vec(),
        then,
    }
}

/// Every frame of `message` from `peer` at `time`, in order: all held but the last, which delivers.
fn in_order(peer: &'static str, time: u64, message: &[u8], frames: &[Vec<u8>]) -> Vec<Step> {
    let all: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    arrivals(peer, time, 0, message, &all)
}

/// The frames of `message` from `peer`, `spacing` ms apart from `start`: all held, but the last,
/// which completes the message.
fn arrivals(
    peer: &'static str,
    start: u64,
    spacing: u64,
    message: &[u8],
    frames: &[&[u8]],
) -> Vec<Step> {
    let last = frames.len() - 1;
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let then = if i == last {
                Then::Delivered(message.to_vec())
            } else {
                Then::Held
            };
            step(peer, start + spacing * i as u64, f, then)
        })
        .collect()
}

fn request(id: &str, steps: &[Step]) -> Request {
    Request::Reassemble {
        id: id.to_string(),
        reassembly_timeout: TIMEOUT,
        frames: steps
            .iter()
            .map(|s| TimedFrame {
                peer: s.peer.into(),
                time: s.time,
                frame: hex(&s.frame),
            })
            .collect(),
    }
}

fn results(id: &str, steps: &[Step]) -> Response {
    Response::Reassembled {
        id: id.to_string(),
        results: steps.iter().map(|s| s.then.result()).collect(),
    }
}

/// A `reassemble` vector whose outcomes are stated frame by frame; the reference engine must agree.
fn reassembly_vector(
    name: &str,
    description: &str,
    requirements: &[&str],
    level: Level,
    steps: Vec<Step>,
) -> Result<Vector, String> {
    let id = format!("protocol.reassembly.{name}");
    let request = request(&id, &steps);
    let stated = results(&id, &steps);
    let engine = reference(&request)?;
    if engine != stated {
        return Err(format!(
            "{id}: the reference engine answers {engine:?} where the vector states {stated:?}"
        ));
    }
    Ok(vector(
        description,
        requirements,
        level,
        Operation::Reassemble,
        request,
        respond(stated),
    ))
}

/// A discard rule of IOTP-MSG-88 as a vector breaks it: the rule, what breaks it, its requirements,
/// how many of the message's frames come first, and the frame that breaks it.
type DiscardRule<'a> = (&'a str, &'a str, &'a [&'a str], usize, Vec<u8>);

/// A fragment header and chunk.
fn fragment(kind: u8, tag: u8, value: u16, chunk: &[u8]) -> Vec<u8> {
    let mut f = vec![kind, tag];
    f.extend_from_slice(&value.to_be_bytes());
    f.extend_from_slice(chunk);
    f
}

fn reassembly_vectors() -> Result<Vec<Vector>, String> {
    use Then::{Delivered, Discarded, Held};
    let mut out = Vec::new();
    let must = Level::Must;

    // Every message of the fragment grid, reassembled in order.
    for frame_size in FRAME_SIZES {
        for (i, len) in LENGTHS
            .into_iter()
            .enumerate()
            .filter(|(_, l)| *l > frame_size)
        {
            let message = envelope(len, i as u8);
            let f = frames(&message, frame_size, i as u8 + 1)?;
            let (level, requirements): (_, &[&str]) = match len {
                1232 => (
                    Level::Should,
                    &["IOTP-MSG-83", "IOTP-MSG-91", "IOTP-MSG-86"],
                ),
                704 => (must, &["IOTP-MSG-83", "IOTP-MSG-91", "IOTP-MSG-133"]),
                _ => (must, &["IOTP-MSG-83", "IOTP-MSG-91"]),
            };
            out.push(reassembly_vector(
                &format!("in-order.frame-{frame_size}.length-{len}"),
                &format!(
                    "the {} frames of a {len}-byte message on a link of {frame_size}-byte frames, in \
                     order: the last one completes the message",
                    f.len()
                ),
                requirements,
                level,
                in_order("a", 0, &message, &f),
            )?);
        }
    }

    // The spec's example, put back together.
    for b in blocks(CHAPTER, TEXT, "iotp-fragments")? {
        let message = b.bytes("message")?;
        let f = b
            .all("frame")
            .map(super::spec_blocks::hex_bytes)
            .collect::<Result<Vec<_>, _>>()?;
        out.push(reassembly_vector(
            &format!("example.{}", b.get("id")?),
            &format!(
                "the frames of the worked example `{}` of {CHAPTER} §5.15.5",
                b.get("id")?
            ),
            &["IOTP-MSG-83", "IOTP-MSG-91"],
            must,
            in_order("relay", 0, &message, &f),
        )?);
    }

    let m = envelope(50, 2);
    let f = frames(&m, 20, 3)?; // chunks 0..16, 16..32, 32..48, 48..50
    let whole = envelope(30, 4);
    out.push(reassembly_vector(
        "whole-message",
        "a frame that starts with a map head is a whole message, delivered as received",
        &["IOTP-MSG-74", "IOTP-MSG-91"],
        must,
        vec![step("a", 0, &whole, Delivered(whole.clone()))],
    )?);
    out.push(reassembly_vector(
        "out-of-order",
        "the first fragment, then the next fragments in descending offset order: the message is \
         complete when every byte has come",
        &["IOTP-MSG-91"],
        must,
        arrivals("a", 0, 1, &m, &[&f[0], &f[3], &f[2], &f[1]]),
    )?);
    out.push(reassembly_vector(
        "repeated",
        "a next fragment and the first fragment arrive twice with the same bytes: the repeats are \
         ignored and the message completes",
        &["IOTP-MSG-89", "IOTP-MSG-91"],
        must,
        arrivals("a", 0, 1, &m, &[&f[0], &f[1], &f[1], &f[0], &f[2], &f[3]]),
    )?);
    let other = envelope(50, 7);
    let g = frames(&other, 20, 3)?;
    out.push(reassembly_vector(
        "two-peers-same-tag",
        "two hop peers send different messages with the same tag, interleaved: each is reassembled \
         from its own peer's fragments",
        &["IOTP-MSG-83", "IOTP-MSG-91"],
        must,
        vec![
            step("a", 0, &f[0], Held),
            step("b", 0, &g[0], Held),
            step("a", 1, &f[1], Held),
            step("b", 1, &g[1], Held),
            step("b", 2, &g[2], Held),
            step("a", 2, &f[2], Held),
            step("a", 3, &f[3], Delivered(m.clone())),
            step("b", 3, &g[3], Delivered(other.clone())),
        ],
    )?);
    // One reassembly in progress per hop peer at least: three peers, three tags, interleaved.
    let h = frames(&other, 20, 4)?;
    let third = envelope(40, 9);
    let k = frames(&third, 20, 5)?;
    out.push(reassembly_vector(
        "three-peers-at-once",
        "three hop peers each send a message in fragments, with tags of their own, interleaved: the \
         receiver keeps one reassembly in progress for each, and each message completes",
        &["IOTP-MSG-84", "IOTP-MSG-83", "IOTP-MSG-91"],
        must,
        vec![
            step("a", 0, &f[0], Held),
            step("b", 0, &h[0], Held),
            step("c", 0, &k[0], Held),
            step("a", 1, &f[1], Held),
            step("b", 1, &h[1], Held),
            step("c", 1, &k[1], Held),
            step("a", 2, &f[2], Held),
            step("b", 2, &h[2], Held),
            step("c", 2, &k[2], Delivered(third.clone())),
            step("a", 3, &f[3], Delivered(m.clone())),
            step("b", 3, &h[3], Delivered(other.clone())),
        ],
    )?);

    // Frames outside the ABNF of §5.12.1.
    for (name, what, bad) in [
        (
            "reserved",
            "first bytes 0xc2 and 0xdf, reserved for future frame types",
            vec![vec![0xc2, 3, 0, 5, 1], vec![0xdf, 3, 0, 5, 1]],
        ),
        (
            "other",
            "first bytes 0x00, 0x9f, 0xe0 and 0xff, which start neither a message nor a fragment",
            vec![
                vec![0x00, 3, 0, 5, 1],
                vec![0x9f, 3, 0, 5, 1],
                vec![0xe0, 3, 0, 5, 1],
                vec![0xff, 3, 0, 5, 1],
            ],
        ),
        (
            "header-only",
            "fragments with a header and no chunk, and one cut inside its header",
            vec![vec![0xc0, 3, 0, 9], vec![0xc1, 3, 0, 4], vec![0xc0, 3, 0]],
        ),
        ("empty", "an empty frame", vec![vec![]]),
    ] {
        out.push(reassembly_vector(
            &format!("not-a-frame.{name}"),
            &format!("{what}: each frame is discarded"),
            &["IOTP-MSG-74"],
            must,
            bad.iter()
                .enumerate()
                .map(|(t, b)| step("a", t as u64, b, Discarded("not-a-frame")))
                .collect(),
        )?);
    }

    // Every rule of IOTP-MSG-88; after a discard, the message sent again in full is reassembled
    // from its own fragments alone.
    let too_large = fragment(0xc0, 3, 1233, &envelope(16, 1));
    out.push(reassembly_vector(
        "discard.too-large",
        "a first fragment announcing 1233 bytes, more than MAX_MESSAGE, is discarded",
        &["IOTP-MSG-88"],
        must,
        vec![step("a", 0, &too_large, Discarded("too-large"))],
    )?);
    out.push(reassembly_vector(
        "discard.first-chunk-too-long",
        "first fragments whose chunk is as long as, or longer than, the size they announce are \
         discarded",
        &["IOTP-MSG-88"],
        must,
        vec![
            step(
                "a",
                0,
                &fragment(0xc0, 3, 3, &[0xa1, 1, 2]),
                Discarded("first-chunk-too-long"),
            ),
            step(
                "a",
                1,
                &fragment(0xc0, 4, 3, &[0xa1, 1, 2, 3]),
                Discarded("first-chunk-too-long"),
            ),
        ],
    )?);
    let mut conflicting = m[8..24].to_vec();
    conflicting[0] ^= 0xff;
    let rules: [DiscardRule; 4] = [
        (
            "beyond-size",
            "a next fragment whose chunk runs past the announced size",
            &["IOTP-MSG-88"],
            1,
            fragment(0xc1, 3, 40, &envelope(16, 5)),
        ),
        (
            "zero-offset",
            "a next fragment with offset 0, carrying the same bytes as the first fragment,",
            &["IOTP-MSG-88", "IOTP-MSG-78"],
            1,
            fragment(0xc1, 3, 0, &m[..16]),
        ),
        (
            "conflict",
            "a next fragment overlapping the first with a different byte",
            &["IOTP-MSG-88"],
            2,
            fragment(0xc1, 3, 8, &conflicting),
        ),
        (
            "size-changed",
            "a first fragment with the same tag announcing another size",
            &["IOTP-MSG-88"],
            1,
            fragment(0xc0, 3, 60, &m[..16]),
        ),
    ];
    for (rule, what, requirements, before, bad) in rules {
        let mut steps: Vec<Step> = (0..before)
            .map(|i| step("a", i as u64, &f[i], Held))
            .collect();
        steps.push(step("a", before as u64, &bad, Discarded(rule)));
        steps.extend(in_order("a", before as u64 + 1, &m, &f));
        out.push(reassembly_vector(
            &format!("discard.{rule}"),
            &format!("{what} discards the reassembly; the message sent again is reassembled"),
            requirements,
            must,
            steps,
        )?);
    }
    out.push(reassembly_vector(
        "discard.overlap-same-bytes",
        "a next fragment overlapping received bytes with the same values is no conflict: the \
         message completes",
        &["IOTP-MSG-88", "IOTP-MSG-89"],
        must,
        vec![
            step("a", 0, &f[0], Held),
            step("a", 1, &fragment(0xc1, 3, 8, &m[8..32]), Held),
            step("a", 2, &f[2], Held),
            step("a", 3, &f[3], Delivered(m.clone())),
        ],
    )?);
    out.push(reassembly_vector(
        "timeout.within",
        "the last fragment 1 ms before REASSEMBLY_TIMEOUT has passed completes the message",
        &["IOTP-MSG-88", "IOTP-MSG-91"],
        must,
        vec![
            step("a", 0, &f[0], Held),
            step("a", 1, &f[1], Held),
            step("a", 2, &f[2], Held),
            step("a", TIMEOUT - 1, &f[3], Delivered(m.clone())),
        ],
    )?);
    let later = envelope(50, 11);
    let h = frames(&later, 20, 3)?;
    let mut steps = vec![step("a", 0, &f[0], Held), step("a", 1, &f[1], Held)];
    steps.extend(in_order("a", TIMEOUT + 1, &later, &h));
    out.push(reassembly_vector(
        "timeout.passed",
        "REASSEMBLY_TIMEOUT after the first fragment, the reassembly is gone: another message of \
         the same tag and size, with other bytes, is reassembled without conflict",
        &["IOTP-MSG-88"],
        must,
        steps,
    )?);
    let mut not_envelope = m.clone();
    not_envelope[0] = 0x01;
    let n = frames(&not_envelope, 20, 3)?;
    let mut steps = in_order("a", 0, &not_envelope, &n);
    steps.last_mut().expect("frames").then = Discarded("not-an-envelope");
    out.push(reassembly_vector(
        "discard.not-an-envelope",
        "reassembled bytes that do not start with a map head are discarded",
        &["IOTP-MSG-92"],
        must,
        steps,
    )?);
    out.push(next_before_first(&m, &f)?);
    Ok(out)
}

/// A next fragment before its first fragment: a receiver MAY discard it (IOTP-MSG-90), so the
/// outcome is the receiver's choice `next-before-first`: `discard` (the message then never
/// completes) or `keep` (it completes with the last fragment).
fn next_before_first(m: &[u8], f: &[Vec<u8>]) -> Result<Vector, String> {
    let order: [&[u8]; 4] = [&f[1], &f[0], &f[2], &f[3]];
    let keep = arrivals("a", 0, 1, m, &order);
    let mut discard = arrivals("a", 0, 1, m, &order);
    discard[0].then = Then::Discarded("no-first-fragment");
    discard[3].then = Then::Held;
    // The reference engine discards: that outcome is checked against it.
    let discarded = results("protocol.reassembly.next-before-first", &discard);
    let mut v = reassembly_vector(
        "next-before-first",
        "a next fragment arrives before the first fragment of its tag: discarded (the message \
         then stays incomplete) or kept (the message completes), as the receiver chooses",
        &["IOTP-MSG-90"],
        Level::Must,
        discard,
    )?;
    let outcome = |choice: &str, response: Response| Outcome {
        choice: choice.into(),
        expect: Box::new(respond(response)),
    };
    let kept = results(&v.id, &keep);
    v.expect = Expect::ImplementationDefined {
        choice: "next-before-first".into(),
        outcomes: vec![outcome("discard", discarded), outcome("keep", kept)],
    };
    Ok(v)
}

/// The vector files `protocol.fragments` and `protocol.reassembly`.
pub(crate) fn files() -> Result<Vec<VectorFile>, String> {
    Ok(vec![
        file(
            "protocol.fragments",
            "messages cut into frames for links of 11, 20, 51, 127 and 1232 bytes (spec §5.12.2; \
             request `fragment`, protocol version 2): the frames are judged by the rules of \
             §5.12.2, those listed are the reference engine's",
            fragment_vectors()?,
        ),
        file(
            "protocol.reassembly",
            "frames given to a reassembler (spec §5.12.1, §5.12.3; request `reassemble`, protocol \
             version 2): messages put back together at every frame size, in any order, with \
             repeats, and every discard rule",
            reassembly_vectors()?,
        ),
    ])
}
