//! The generated C codec against the generated Rust codec, both from the core schema: for the same
//! input decoded as an `Envelope` (which reaches every body type), the same verdict, the same error
//! class at the same offset naming the same field, and for an accepted input the same bytes encoded
//! back (byte-identical to the input: unknown fields and variants included).
//!
//! Inputs: every input of the conformance vectors (of every type, so most are rejected as envelopes)
//! with every truncation; every input of a vector of a core type that an Envelope holds, placed where
//! the Envelope holds it (so that every body type's rules are checked through the Envelope), with
//! every truncation; random bytes, and random changes of valid envelopes (proptest).

use iotp2p_codec::core::Envelope;
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::ErrorClass;
use iotp2p_codec_c::envelope::{Codec, RoundTrip};
use proptest::prelude::*;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{decode_hex, vector_files, vector_inputs};

/// The Rust codec's round trip, in the C binding's terms.
fn rust(input: &[u8], cap: usize) -> RoundTrip {
    match Envelope::decode(input) {
        Err(e) => RoundTrip::Rejected(e),
        Ok(v) => {
            let mut out = vec![0u8; cap];
            match v.encode(&mut out) {
                Ok(n) => {
                    out.truncate(n);
                    RoundTrip::Reencoded(out)
                }
                Err(e) => RoundTrip::Refused(e),
            }
        }
    }
}

/// Both codecs on `input`; returns whether it was accepted.
fn agree(codec: &mut Codec, input: &[u8]) -> bool {
    // Room for the re-encoding (as long as the input) and a little more.
    let cap = input.len() + 16;
    let c = codec.roundtrip(input, cap);
    let r = rust(input, cap);
    assert_eq!(c, r, "C and Rust differ on {}", hex(input));
    if let RoundTrip::Reencoded(bytes) = &c {
        assert_eq!(bytes, input, "not byte-identical: {}", hex(input));
        true
    } else {
        false
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of an Envelope that holds a value of the core type `ty` as its last item, up to that
/// value: `{1: 0, 12: <Body>}`, a body's payload in its one-entry map, array items in the last
/// field of the message that holds them (required fields before it given their smallest values).
fn envelope_prefix(ty: &str) -> Option<Vec<u8>> {
    const ENVELOPE: &[u8] = &[0xa2, 0x01, 0x00, 0x0c];
    // Description {0: [EndpointInfo {0: 0, 1: [CapabilityInfo ...]}]}
    const CAPABILITY: &[u8] = &[0xa1, 0x0a, 0xa1, 0x00, 0x81, 0xa2, 0x00, 0x00, 0x01, 0x81];
    // CapabilityInfo {0: 0, 1: "", 2: "", 3: ...}
    const CAPABILITY_FIELDS: &[u8] = &[0x00, 0x00, 0x01, 0x60, 0x02, 0x60];
    let body: Vec<u8> = match ty.strip_prefix("iotp2p.core.")? {
        "Body" => vec![],
        "Status" => vec![0xa1, 0x01],
        "ReadRequest" => vec![0xa1, 0x02],
        "WriteRequest" => vec![0xa1, 0x03],
        "InvokeRequest" => vec![0xa1, 0x04],
        "InvokeResponse" => vec![0xa1, 0x05],
        "SubscribeRequest" => vec![0xa1, 0x06],
        "UnsubscribeRequest" => vec![0xa1, 0x07],
        "Report" => vec![0xa1, 0x08],
        "DescribeRequest" => vec![0xa1, 0x09],
        "Description" => vec![0xa1, 0x0a],
        "Presence" => vec![0xa1, 0x0b],
        "PresenceAck" => vec![0xa1, 0x0c],
        "Receipt" => vec![0xa1, 0x0d],
        // WriteRequest {1: 0, 2: [...]}
        "MemberValue" => vec![0xa1, 0x03, 0xa2, 0x01, 0x00, 0x02, 0x81],
        // Report {1: 0, 3: [...]}
        "Event" => vec![0xa1, 0x08, 0xa2, 0x01, 0x00, 0x03, 0x81],
        "EndpointInfo" => vec![0xa1, 0x0a, 0xa1, 0x00, 0x81],
        "CapabilityInfo" => CAPABILITY.to_vec(),
        "SemVer" => [CAPABILITY, &[0xa4], CAPABILITY_FIELDS, &[0x03]].concat(),
        // ... 3: {0: 0}, 5: ...
        "SchemaRef" => [
            CAPABILITY,
            &[0xa5],
            CAPABILITY_FIELDS,
            &[0x03, 0xa1, 0x00, 0x00, 0x05],
        ]
        .concat(),
        // Receipt {0: [...]}
        "DeliveryRef" => vec![0xa1, 0x0d, 0xa1, 0x00, 0x81],
        _ => return None,
    };
    Some([ENVELOPE, &body].concat())
}

/// Every conformance-vector input and every truncation of it, as an Envelope.
#[test]
fn every_conformance_vector_input_and_its_truncations() {
    let mut codec = Codec::new();
    let inputs = vector_inputs();
    assert!(inputs.len() > 1000, "found only {} inputs", inputs.len());
    let (mut accepted, mut checked) = (0, 0);
    for input in &inputs {
        for n in 0..=input.len() {
            accepted += usize::from(agree(&mut codec, &input[..n]));
            checked += 1;
        }
    }
    // The envelope vectors and the spec's examples hold valid envelopes: some must be accepted.
    assert!(
        accepted > 50,
        "only {accepted} of {checked} inputs accepted"
    );
    eprintln!("{checked} inputs, {accepted} accepted by both");
}

/// Every input of a vector of a core type an Envelope holds, placed in an Envelope (see
/// [`envelope_prefix`]), with every truncation within it. A vector's verdict for its own type carries
/// over: the valid ones must all be accepted.
#[test]
fn every_core_type_vector_inside_an_envelope() {
    let mut codec = Codec::new();
    let (mut valid, mut accepted, mut checked) = (0, 0, 0);
    for json in vector_files() {
        for vector in json["vectors"].as_array().into_iter().flatten() {
            let Some(prefix) = vector["type"].as_str().and_then(envelope_prefix) else {
                continue;
            };
            let Some(input) = vector["input"]["hex"].as_str().and_then(decode_hex) else {
                continue;
            };
            let wrapped = [prefix.as_slice(), &input].concat();
            let ok = agree(&mut codec, &wrapped);
            if vector["expect"]["verdict"] == "valid" {
                valid += 1;
                assert!(ok, "{}: valid, but rejected in an envelope", vector["id"]);
            }
            accepted += usize::from(ok);
            for n in prefix.len()..wrapped.len() {
                agree(&mut codec, &wrapped[..n]);
            }
            checked += wrapped.len() - prefix.len() + 1;
        }
    }
    assert!(valid > 100, "only {valid} valid vectors of core types");
    eprintln!("{checked} inputs, {accepted} accepted by both, {valid} valid vectors");
}

/// Changes `input` at `at` (an index up to its length): `how` 0 replaces the byte there with
/// `byte`, 1 inserts `byte`, 2 removes the byte (at the end, where there is none, `byte` is
/// appended instead).
fn edit(input: &mut Vec<u8>, at: prop::sample::Index, byte: u8, how: u8) {
    let i = at.index(input.len() + 1);
    match how {
        0 if i < input.len() => input[i] = byte,
        1 => input.insert(i, byte),
        _ if i < input.len() => {
            input.remove(i);
        }
        _ => input.push(byte),
    }
}

/// Valid envelopes to mutate: the accepted conformance inputs.
fn valid_envelopes() -> Vec<Vec<u8>> {
    vector_inputs()
        .into_iter()
        .filter(|i| Envelope::decode(i).is_ok())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_bytes(input in proptest::collection::vec(any::<u8>(), 0..64)) {
        agree(&mut Codec::new(), &input);
    }

    /// A valid envelope with one byte changed, inserted or removed: mostly rejected deep inside, at
    /// every kind of place.
    #[test]
    fn valid_envelopes_changed(
        pick in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        how in 0u8..3,
    ) {
        thread_local! {
            static VALID: Vec<Vec<u8>> = valid_envelopes();
            static CODEC: std::cell::RefCell<Codec> = std::cell::RefCell::new(Codec::new());
        }
        let mut input = VALID.with(|v| pick.get(v).clone());
        edit(&mut input, at, byte, how);
        CODEC.with(|c| agree(&mut c.borrow_mut(), &input));
    }
}

// ---------------------------------------------------------------------------------------------
// The recursive test schema: types on `@max_depth` cycles, kept encoded in C and lazily in Rust.

#[path = "../../codegen/tests/golden/rust/mod.rs"]
#[allow(dead_code, deprecated)]
mod golden;

/// The Rust golden codec's round trip of the type named `name`, in the C binding's terms.
fn rust_by_name(name: &str, input: &[u8], cap: usize) -> RoundTrip {
    let mut out = vec![0u8; cap];
    match golden::transcode(name, input, &mut out).expect("a golden type") {
        Ok(n) => {
            out.truncate(n);
            RoundTrip::Reencoded(out)
        }
        Err(iotp2p_codec::runtime::TranscodeError::Decode(e)) => RoundTrip::Rejected(e),
        Err(iotp2p_codec::runtime::TranscodeError::Encode(e)) => RoundTrip::Refused(e),
    }
}

/// Both codecs on `input` as the golden type `name`, and every truncation of it.
fn agree_recursive(name: &str, input: &[u8]) {
    for n in 0..=input.len() {
        let part = &input[..n];
        let cap = part.len() + 16;
        let c = iotp2p_codec_c::envelope::golden(name, part, cap).expect("a shim");
        assert_eq!(c, rust_by_name(name, part, cap), "{name}: {}", hex(part));
        if let RoundTrip::Reencoded(bytes) = &c {
            assert_eq!(bytes, part, "{name}: not byte-identical: {}", hex(part));
        }
    }
}

/// `levels` nested values of each recursive type, the innermost a leaf: around and past each
/// cycle's `@max_depth` (MenuNode 6, Expr 16, Room 4, DisplayMenu 8).
fn nested(name: &str, levels: usize) -> Vec<u8> {
    let mut out = Vec::new();
    match name {
        // {0: "a", 1: [child]} ... {0: "a", 1: []}
        "MenuNode" | "DisplayMenu" => {
            for level in 0..levels {
                out.extend([0xa2, 0x00, 0x61, b'a', 0x01]);
                out.push(if level + 1 < levels { 0x81 } else { 0x80 });
            }
        }
        // Expr: {3: not} and {6: Compare {0: 1, 1: left, 2: {2: null}}} in turn, around {0: -1}.
        "Expr" => out = expr(levels),
        "Compare" => out = compare(levels),
        // Rule {0: "n", 1: Expr, 2: "s"}
        "Rule" => {
            out.extend([0xa3, 0x00, 0x61, b'n', 0x01]);
            out.extend(expr(levels));
            out.extend([0x02, 0x61, b's']);
        }
        // Room {0: "r", 1: Gateway {0: h'0001020304050607', 1: Room ...}}
        "Room" | "Gateway" => {
            let gateway = |out: &mut Vec<u8>, last: bool| {
                out.extend([if last { 0xa1 } else { 0xa2 }, 0x00, 0x48]);
                out.extend(0..8u8);
            };
            for level in 0..levels {
                let last = level + 1 == levels;
                if (level % 2 == 0) == (name == "Room") {
                    out.extend([if last { 0xa1 } else { 0xa2 }, 0x00, 0x61, b'r']);
                } else {
                    gateway(&mut out, last);
                }
                if !last {
                    out.push(0x01);
                }
            }
        }
        _ => unreachable!(),
    }
    out
}

/// An Expr of `levels` nested Exprs (see [`nested`]).
fn expr(levels: usize) -> Vec<u8> {
    match levels {
        0 | 1 => vec![0xa1, 0x00, 0x20],
        _ if levels % 2 == 0 => [&[0xa1, 0x03][..], &expr(levels - 1)].concat(),
        _ => [&[0xa1, 0x06][..], &compare(levels - 1)].concat(),
    }
}

/// A Compare whose left side holds `levels` nested Exprs.
fn compare(levels: usize) -> Vec<u8> {
    [
        &[0xa3, 0x00, 0x01, 0x01][..],
        &expr(levels),
        &[0x02, 0xa1, 0x02, 0xf6],
    ]
    .concat()
}

const RECURSIVE: [&str; 7] = [
    "MenuNode",
    "Expr",
    "Compare",
    "Rule",
    "Room",
    "Gateway",
    "DisplayMenu",
];

/// Every recursive type nested from 1 to 20 levels (past every budget), with every truncation:
/// accepted while within its budget and MAX_DEPTH, then rejected by both alike.
#[test]
fn recursive_types_around_their_budgets() {
    for short in RECURSIVE {
        let name = format!("example.recursive.{short}");
        let mut verdicts = String::new();
        for levels in 1..=20 {
            let input = nested(short, levels);
            agree_recursive(&name, &input);
            let accepted = rust_by_name(&name, &input, input.len() + 16)
                == RoundTrip::Reencoded(input.clone());
            verdicts.push(if accepted { 'T' } else { 'f' });
        }
        // Accepted from one level up to some depth, rejected from there on.
        let trusted = verdicts.trim_end_matches('f');
        assert!(
            trusted.len() >= 6 && !trusted.contains('f') && trusted.len() < 20,
            "{short}: {verdicts}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Nested recursive values with one byte changed, inserted or removed, and random bytes.
    #[test]
    fn recursive_types_changed(
        which in 0usize..7,
        levels in 1usize..20,
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        how in 0u8..4,
    ) {
        let short = RECURSIVE[which];
        let mut input = nested(short, levels);
        if how < 3 {
            edit(&mut input, at, byte, how);
        }
        agree_recursive(&format!("example.recursive.{short}"), &input);
    }

    #[test]
    fn recursive_types_on_random_bytes(which in 0usize..7, input in proptest::collection::vec(any::<u8>(), 0..48)) {
        agree_recursive(&format!("example.recursive.{}", RECURSIVE[which]), &input);
    }
}

// ---------------------------------------------------------------------------------------------
// The every-scalar test schema: every integer type with ranges and defaults at its ends, floats and
// their defaults compared by bits, text defaults (escapes, UTF-8, the empty string), fixed and
// bounded bytes, nested arrays, an open enum, a union with a unit variant.

/// Valid values of the every-scalar types, written by hand: (type, encoding).
fn every_scalar_seeds() -> Vec<(&'static str, Vec<u8>)> {
    let zeros = |n: usize| vec![0u8; n];
    vec![
        ("Integers", vec![0xa0]),
        // {0: 0, 1: 1, 7: -1, 11: -11, 12: 0, 13: 16, 65535: 5}
        (
            "Integers",
            vec![
                0xa7, 0x00, 0x00, 0x01, 0x01, 0x07, 0x20, 0x0b, 0x2a, 0x0c, 0x00, 0x0d, 0x10, 0x19,
                0xff, 0xff, 0x05,
            ],
        ),
        // {4: 1.5}, {0: 2.0, 1: -0.0, 4: 1e300}
        ("Floats", vec![0xa1, 0x04, 0xf9, 0x3e, 0x00]),
        (
            "Floats",
            [
                &[
                    0xa3, 0x00, 0xf9, 0x40, 0x00, 0x01, 0xf9, 0x80, 0x00, 0x04, 0xfb,
                ][..],
                &1e300f64.to_be_bytes(),
            ]
            .concat(),
        ),
        // {2: "", 8: h'', 9: h'', 10: h'00' x 32}, then with {0: false, 3: "x", 5: "é"} too
        (
            "Text",
            [
                &[0xa4, 0x02, 0x60, 0x08, 0x40, 0x09, 0x40, 0x0a, 0x58, 0x20][..],
                &zeros(32),
            ]
            .concat(),
        ),
        (
            "Text",
            [
                &[
                    0xa7, 0x00, 0xf4, 0x02, 0x60, 0x03, 0x61, b'x', 0x05, 0x62, 0xc3, 0xa9, 0x08,
                    0x40, 0x09, 0x40, 0x0a, 0x58, 0x20,
                ][..],
                &zeros(32),
            ]
            .concat(),
        ),
        // {0: [1, 2], 1: [-1], 2: [[1.0], []], 3: [0, 7], 5: [h'00' x 16]}
        (
            "Collections",
            [
                &[
                    0xa5, 0x00, 0x82, 0x01, 0x02, 0x01, 0x81, 0x20, 0x02, 0x82, 0x81, 0xf9, 0x3c,
                    0x00, 0x80, 0x03, 0x82, 0x00, 0x07, 0x05, 0x81, 0x50,
                ][..],
                &zeros(16),
            ]
            .concat(),
        ),
        ("Nothing", vec![0xa0]),
        // {0: 1, 1: "v", 2: true, 3: {}}
        (
            "Keywords",
            vec![0xa4, 0x00, 0x01, 0x01, 0x61, b'v', 0x02, 0xf5, 0x03, 0xa0],
        ),
        ("Everything", vec![0xa1, 0x00, 0xf6]),
        ("Everything", vec![0xa1, 0x02, 0xa1, 0x00, 0x00]),
        ("Everything", vec![0xa1, 0x04, 0x07]),
        ("Everything", vec![0xa1, 0x18, 0x20, 0x80]),
    ]
}

/// Values with a defaulted field present with its default, which both codecs must reject with
/// default-value-present at its key: (type, encoding).
fn every_scalar_defaults_present() -> Vec<(&'static str, Vec<u8>)> {
    let text = |default: &[u8]| {
        [
            &[0xa5, 0x02, 0x60][..],
            default,
            &[0x08, 0x40, 0x09, 0x40, 0x0a, 0x58, 0x20],
            &[0u8; 32],
        ]
        .concat()
    };
    vec![
        // {0: 255}, {7: -128}, {12: i64::MIN}, {13: 0}
        ("Integers", vec![0xa1, 0x00, 0x18, 0xff]),
        ("Integers", vec![0xa1, 0x07, 0x38, 0x7f]),
        (
            "Integers",
            vec![
                0xa1, 0x0c, 0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            ],
        ),
        ("Integers", vec![0xa1, 0x0d, 0x00]),
        // {1: -0.25, 4: 1.5}, {0: 1.5, 4: 1.5}
        (
            "Floats",
            vec![0xa2, 0x01, 0xf9, 0xb4, 0x00, 0x04, 0xf9, 0x3e, 0x00],
        ),
        (
            "Floats",
            vec![0xa2, 0x00, 0xf9, 0x3e, 0x00, 0x04, 0xf9, 0x3e, 0x00],
        ),
        // 3: "plain", 5: "", 6: "température"
        ("Text", text(&[&[0x03, 0x65][..], b"plain"].concat())),
        ("Text", text(&[0x05, 0x60])),
        (
            "Text",
            text(&[&[0x06, 0x6c][..], "température".as_bytes()].concat()),
        ),
    ]
}

/// Every seed is valid for both codecs, every value with a default present is rejected by both,
/// and every truncation agrees.
#[test]
fn every_scalar_seeds_and_their_truncations() {
    for (short, input) in every_scalar_defaults_present() {
        let name = format!("example.every_scalar.{short}");
        let RoundTrip::Rejected(e) = rust_by_name(&name, &input, input.len() + 16) else {
            panic!("{name}: accepted {}", hex(&input));
        };
        assert_eq!(
            e.class(),
            ErrorClass::DefaultValuePresent,
            "{name}: {}",
            hex(&input)
        );
        agree_recursive(&name, &input);
    }
    for (short, input) in every_scalar_seeds() {
        let name = format!("example.every_scalar.{short}");
        assert_eq!(
            rust_by_name(&name, &input, input.len() + 16),
            RoundTrip::Reencoded(input.clone()),
            "{name}: {}",
            hex(&input)
        );
        agree_recursive(&name, &input);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A seed with up to three bytes changed, inserted or removed.
    #[test]
    fn every_scalar_seeds_changed(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..4),
    ) {
        let mut seeds = every_scalar_seeds();
        seeds.extend(every_scalar_defaults_present());
        let (short, mut input) = pick.get(&seeds).clone();
        for (at, byte, how) in edits {
            edit(&mut input, at, byte, how);
        }
        agree_recursive(&format!("example.every_scalar.{short}"), &input);
    }
}
