//! Data items one at a time: initial bytes and heads, integers, floats, strings, enums. Every case
//! carries its item in one field of the `Scalars` wrapper (or `Choice`, `Bounds`), so that a testee
//! needs nothing but generated codecs for named types.

use super::case::{cat, entry, head, int, unhex, BadRow, Case};
use super::Area;
use crate::vector::Level;

const SCALARS: &str = "Scalars";

/// `Scalars` with one field set to `item`, and the offset of the item.
fn scalars(key: u64, item: &[u8]) -> (Vec<u8>, usize) {
    entry(key, item)
}

pub(crate) fn areas() -> Vec<Area> {
    vec![heads(), integers(), floats(), strings(), enums()]
}

// ---------------------------------------------------------------------------------------------
// wire.heads
// ---------------------------------------------------------------------------------------------

/// The rows of spec §4.3 whose initial bytes are not admitted: first and last byte, class, meaning.
#[rustfmt::skip]
const NOT_ADMITTED: &[(u8, u8, &str, &str)] = &[
    (0x1c, 0x1f, "invalid-head", "major type 0, reserved or no argument"),
    (0x3c, 0x3f, "invalid-head", "major type 1, reserved or no argument"),
    (0x5c, 0x5e, "invalid-head", "major type 2, reserved"),
    (0x5f, 0x5f, "indefinite-length", "indefinite-length byte string"),
    (0x7c, 0x7e, "invalid-head", "major type 3, reserved"),
    (0x7f, 0x7f, "indefinite-length", "indefinite-length text string"),
    (0x9c, 0x9e, "invalid-head", "major type 4, reserved"),
    (0x9f, 0x9f, "indefinite-length", "indefinite-length array"),
    (0xbc, 0xbe, "invalid-head", "major type 5, reserved"),
    (0xbf, 0xbf, "indefinite-length", "indefinite-length map"),
    (0xc0, 0xdb, "forbidden-item", "tag"),
    (0xdc, 0xdf, "invalid-head", "major type 6, reserved or no argument"),
    (0xe0, 0xf3, "forbidden-item", "simple value 0-19"),
    (0xf7, 0xf7, "forbidden-item", "undefined"),
    (0xf8, 0xf8, "forbidden-item", "simple value in a following byte"),
    (0xfc, 0xfe, "invalid-head", "major type 7, reserved"),
    (0xff, 0xff, "indefinite-length", "break stop code"),
];

/// Not-admitted initial bytes elsewhere than a field value, and with their arguments and content:
/// id, description, type, hex, class, offset.
#[rustfmt::skip]
const HEADS_ELSEWHERE: &[(&str, &str, &str, &str, &str, usize)] = &[
    ("top-level.invalid-head", "a reserved initial byte as the top-level item", SCALARS, "1c", "invalid-head", 0),
    ("top-level.indefinite-map", "an indefinite-length map as the top-level message", SCALARS, "bf ff", "indefinite-length", 0),
    ("top-level.tag", "a tag around a message", SCALARS, "c1 a0", "forbidden-item", 0),
    ("top-level.undefined", "undefined as the top-level item", SCALARS, "f7", "forbidden-item", 0),
    ("top-level.break", "a break as the top-level item", SCALARS, "ff", "indefinite-length", 0),
    ("key.invalid-head", "a reserved initial byte where a map key is expected", SCALARS, "a1 1c 00", "invalid-head", 1),
    ("key.tag", "a tagged map key", SCALARS, "a1 c1 00 00", "forbidden-item", 1),
    ("key.break", "a break where a map key is expected", SCALARS, "a1 ff 00", "indefinite-length", 1),
    ("key.indefinite-bytes", "an indefinite-length byte string as a map key", SCALARS, "a1 5f 41 00 ff 00", "indefinite-length", 1),
    ("array-item.invalid-head", "a reserved initial byte as an array item", "Bounds", "a1 03 81 1c", "invalid-head", 3),
    ("array-item.simple", "a simple value as the second array item", "Bounds", "a1 03 82 01 f8 20", "forbidden-item", 4),
    ("union-value.invalid-head", "a reserved initial byte as a union variant's value", "Choice", "a1 01 fc", "invalid-head", 2),
    ("tag-with-content", "a tag with its content (tag 1, epoch time) where an integer is expected", SCALARS, "a1 04 c1 1a 5f 00 00 00", "forbidden-item", 2),
    ("tag-uri", "tag 32 around a text string where a string is expected", SCALARS, "a1 0b d8 20 61 61", "forbidden-item", 2),
    ("tag-non-canonical-argument", "a tag whose own argument is not in shortest form: the initial byte decides", SCALARS, "a1 01 d8 01 00", "forbidden-item", 2),
    ("indefinite-text", "an indefinite-length text string of one chunk where a string is expected", SCALARS, "a1 0b 7f 61 61 ff", "indefinite-length", 2),
    ("indefinite-bytes", "an indefinite-length byte string of one chunk where bytes are expected", SCALARS, "a1 0c 5f 41 01 ff", "indefinite-length", 2),
    ("indefinite-array", "an indefinite-length array where an array is expected", "Bounds", "a1 03 9f 01 ff", "indefinite-length", 2),
    ("indefinite-map-for-bool", "an indefinite-length map where a bool is expected: the initial byte before the type", SCALARS, "a1 00 bf ff", "indefinite-length", 2),
    ("indefinite-union", "an indefinite-length map where a union is expected", "Choice", "bf 00 f6 ff", "indefinite-length", 0),
    ("simple-0-for-float", "simple value 0 where a float is expected", SCALARS, "a1 0a e0", "forbidden-item", 2),
    ("simple-255-for-bool", "simple value 255 where a bool is expected", SCALARS, "a1 00 f8 ff", "forbidden-item", 2),
    ("undefined-for-bool", "undefined where a bool is expected", SCALARS, "a1 00 f7", "forbidden-item", 2),
];

/// Heads whose argument (length, count, key) is not in shortest form, or is cut short:
/// id, description, requirements, type, hex, class, offset.
#[rustfmt::skip]
const HEAD_ARGUMENTS: &[BadRow] = &[
    ("length.text-1-in-1-byte", "a text length of 1 in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0b 78 01 61", "non-canonical-integer", 2),
    ("length.text-1-in-2-bytes", "a text length of 1 in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0b 79 00 01 61", "non-canonical-integer", 2),
    ("length.text-1-in-4-bytes", "a text length of 1 in 4 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0b 7a 00 00 00 01 61", "non-canonical-integer", 2),
    ("length.text-1-in-8-bytes", "a text length of 1 in 8 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0b 7b 00 00 00 00 00 00 00 01 61", "non-canonical-integer", 2),
    ("length.text-24-in-2-bytes", "a text length of 24 in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Bounds", "a1 05 79 00 18 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", "non-canonical-integer", 2),
    ("length.bytes-0-in-1-byte", "an empty byte string with its length in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0c 58 00", "non-canonical-integer", 2),
    ("length.bytes-2-in-2-bytes", "a byte-string length of 2 in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 0c 59 00 02 01 02", "non-canonical-integer", 2),
    ("count.array-1-in-1-byte", "an array count of 1 in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Bounds", "a1 03 98 01 00", "non-canonical-integer", 2),
    ("count.array-0-in-2-bytes", "an empty array with its count in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Bounds", "a1 03 99 00 00", "non-canonical-integer", 2),
    ("count.map-1-in-1-byte", "a message map count of 1 in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "b8 01 00 f5", "non-canonical-integer", 0),
    ("count.map-0-in-2-bytes", "an empty message map with its count in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "b9 00 00", "non-canonical-integer", 0),
    ("count.union-1-in-1-byte", "a union's map count in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Choice", "b8 01 00 f6", "non-canonical-integer", 0),
    ("count.nested-map", "a nested message's map count in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Choice", "a1 03 b8 01 00 01", "non-canonical-integer", 2),
    ("key.0-in-1-byte", "map key 0 in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 18 00 f5", "non-canonical-integer", 1),
    ("key.24-in-2-bytes", "map key 24 in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 19 00 18 01", "non-canonical-integer", 1),
    ("key.unknown-100-in-2-bytes", "an unknown field's key in 2 following bytes", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a1 19 00 64 00", "non-canonical-integer", 1),
    ("key.union-in-1-byte", "a union variant key in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], "Choice", "a1 18 00 f6", "non-canonical-integer", 1),
    ("key.second-in-1-byte", "the second key of a map in a following byte", &["IOTP-WIRE-7", "IOTP-WIRE-8"], SCALARS, "a2 00 f5 18 01 01", "non-canonical-integer", 3),
    ("truncated.argument-1", "the input ends where the 1-byte argument of an integer should be", &["IOTP-WIRE-4", "IOTP-WIRE-9"], SCALARS, "a1 01 18", "truncated", 3),
    ("truncated.length-2", "the input ends inside the 2-byte length of a text string", &["IOTP-WIRE-4", "IOTP-WIRE-9"], SCALARS, "a1 0b 79 00", "truncated", 4),
    ("truncated.key", "the input ends inside a map key's head", &["IOTP-WIRE-4", "IOTP-WIRE-9"], SCALARS, "a1 18", "truncated", 2),
    ("truncated.map-count", "the input ends inside a map's 2-byte count", &["IOTP-WIRE-4", "IOTP-WIRE-9"], SCALARS, "b9 00", "truncated", 2),
    ("truncated.float", "the input ends inside a half-precision float", &["IOTP-WIRE-4", "IOTP-WIRE-9"], SCALARS, "a1 0a f9 3c", "truncated", 4),
];

fn heads() -> Area {
    let mut cases = Vec::new();
    for &(first, last, class, meaning) in NOT_ADMITTED {
        for b in first..=last {
            let (bytes, at) = scalars(1, &[b]);
            cases.push(Case::bad(
                format!("initial.{b:02x}"),
                format!(
                    "initial byte 0x{b:02x} ({meaning}) as a field value, nothing after it: {class} \
                     by the initial byte alone"
                ),
                &["IOTP-WIRE-5", "IOTP-WIRE-64"],
                SCALARS,
                bytes,
                class,
                at,
            ));
        }
    }
    for &(id, description, ty, hex, class, offset) in HEADS_ELSEWHERE {
        let reqs: &[&'static str] = if id.contains("indefinite-map-for-bool") {
            &["IOTP-WIRE-5", "IOTP-WIRE-64"]
        } else {
            &["IOTP-WIRE-5"]
        };
        cases.push(Case::bad(
            id,
            description,
            reqs,
            ty,
            unhex(hex),
            class,
            offset,
        ));
    }
    for &(id, description, reqs, ty, hex, class, offset) in HEAD_ARGUMENTS {
        cases.push(Case::bad(
            id,
            description,
            reqs,
            ty,
            unhex(hex),
            class,
            offset,
        ));
    }
    // Admitted heads of every major type, each in its shortest form.
    #[rustfmt::skip]
    let admitted: &[(&str, &str, &str, &str, &str)] = &[
        ("admitted.uint", "major type 0", SCALARS, "a1 01 17", r#"{"u8": 23}"#),
        ("admitted.nint", "major type 1", SCALARS, "a1 05 37", r#"{"i8": -24}"#),
        ("admitted.bytes", "major type 2", SCALARS, "a1 0c 41 ff", r#"{"data": "ff"}"#),
        ("admitted.text", "major type 3", SCALARS, "a1 0b 61 7a", r#"{"text": "z"}"#),
        ("admitted.array", "major type 4", "Bounds", "a1 03 81 00", r#"{"items": [0]}"#),
        ("admitted.map", "major type 5", SCALARS, "a0", "{}"),
        ("admitted.false", "false", SCALARS, "a1 00 f4", r#"{"b": false}"#),
        ("admitted.true", "true", SCALARS, "a1 00 f5", r#"{"b": true}"#),
        ("admitted.null", "null as a unit variant's value", "Choice", "a1 00 f6", r#"{"none": null}"#),
        ("admitted.half", "a half-precision float", SCALARS, "a1 0a f9 3e 00", r#"{"f64": 1.5}"#),
        ("admitted.single", "a single-precision float", SCALARS, "a1 0a fa 47 c3 50 00", r#"{"f64": 100000.0}"#),
        ("admitted.double", "a double-precision float", SCALARS, "a1 0a fb 3f b9 99 99 99 99 99 9a", r#"{"f64": 0.1}"#),
    ];
    for &(id, what, ty, hex, json) in admitted {
        cases.push(Case::ok_json(
            id,
            format!("an admitted initial byte: {what}"),
            &["IOTP-WIRE-2", "IOTP-WIRE-7"],
            ty,
            unhex(hex),
            json,
        ));
    }
    Area::new(
        "wire.heads",
        "Initial bytes (spec §4.3: every initial byte that is not admitted, in every position) and \
         heads (§4.4: lengths, counts and keys in shortest form, heads cut short).",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// wire.integers
// ---------------------------------------------------------------------------------------------

/// The integer fields of `Scalars`: name, key, smallest and largest value.
const INT_FIELDS: [(&str, u64, i128, i128); 8] = [
    ("u8", 1, 0, u8::MAX as i128),
    ("u16", 2, 0, u16::MAX as i128),
    ("u32", 3, 0, u32::MAX as i128),
    ("u64", 4, 0, u64::MAX as i128),
    ("i8", 5, i8::MIN as i128, i8::MAX as i128),
    ("i16", 6, i16::MIN as i128, i16::MAX as i128),
    ("i32", 7, i32::MIN as i128, i32::MAX as i128),
    ("i64", 8, i64::MIN as i128, i64::MAX as i128),
];

/// Where the head of an integer changes width (spec §4.4), on both signs, and the types' limits.
#[rustfmt::skip]
const BOUNDARIES: &[i128] = &[
    0, 1, 23, 24, 127, 128, 255, 256, 32767, 32768, 65535, 65536,
    2147483647, 2147483648, 4294967295, 4294967296,
    9223372036854775807, 9223372036854775808, 18446744073709551615,
    -1, -24, -25, -128, -129, -256, -257, -32768, -32769, -65536, -65537,
    -2147483648, -2147483649, -4294967296, -4294967297, -9223372036854775808,
];

fn value_id(v: i128) -> String {
    if v < 0 {
        format!("minus-{}", -v)
    } else {
        v.to_string()
    }
}

/// Non-shortest heads: argument, width in bytes (1, 2, 4, 8).
#[rustfmt::skip]
const NON_SHORTEST: &[(u64, u32)] = &[
    (0, 1),
    (0, 2),
    (0, 4),
    (0, 8),
    (23, 1),
    (24, 2),
    (255, 2),
    (256, 4),
    (65535, 4),
    (65536, 8),
    (4294967295, 8),
];

fn head_of_width(major: u8, arg: u64, width: u32) -> Vec<u8> {
    let m = major << 5;
    let mut out = Vec::new();
    match width {
        1 => out.extend([m | 24, arg as u8]),
        2 => {
            out.push(m | 25);
            out.extend((arg as u16).to_be_bytes());
        }
        4 => {
            out.push(m | 26);
            out.extend((arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(arg.to_be_bytes());
        }
    }
    out
}

/// Items of other kinds where an integer is expected: id, description, hex.
#[rustfmt::skip]
const NOT_INTEGERS: &[(&str, &str, &str)] = &[
    ("float", "the float 1.0", "f9 3c 00"),
    ("text", "the text \"1\"", "61 31"),
    ("bytes", "a byte string", "41 01"),
    ("array", "an array", "81 01"),
    ("map", "a map", "a0"),
    ("bool", "true", "f5"),
    ("null", "null", "f6"),
];

fn integers() -> Area {
    let mut cases = Vec::new();
    for &(name, key, min, max) in &INT_FIELDS {
        for &v in BOUNDARIES.iter().filter(|v| (min..=max).contains(*v)) {
            let (bytes, _) = scalars(key, &int(v));
            cases.push(Case::ok_json(
                format!("{name}.{}", value_id(v)),
                format!("{name} {v}, shortest head"),
                &[
                    "IOTP-WIRE-7",
                    "IOTP-WIRE-11",
                    "IOTP-WIRE-65",
                    "IOTP-WIRE-66",
                ],
                SCALARS,
                bytes,
                format!(r#"{{"{name}": {v}}}"#),
            ));
        }
        // One past each end of the type, and the farthest integer CBOR can carry on each side.
        let outside = [
            (max + 1, "above-max", "one above the type's largest value"),
            (min - 1, "below-min", "one below the type's smallest value"),
            (
                u64::MAX as i128,
                "cbor-max",
                "the largest unsigned integer of CBOR",
            ),
            (
                -(1i128 << 64),
                "cbor-min",
                "the most negative integer of CBOR",
            ),
        ];
        for (v, id, what) in outside {
            if (min..=max).contains(&v) || v > u64::MAX as i128 || v < -(1i128 << 64) {
                continue;
            }
            let (bytes, at) = scalars(key, &int(v));
            cases.push(Case::bad(
                format!("{name}.{id}"),
                format!("{name} given {v}: {what}"),
                &["IOTP-WIRE-13"],
                SCALARS,
                bytes,
                "out-of-range",
                at,
            ));
        }
        for &(id, what, hex) in NOT_INTEGERS {
            if name != "u8" && !matches!(id, "float" | "text") {
                continue;
            }
            let (bytes, at) = scalars(key, &unhex(hex));
            let reqs: &[&'static str] = if id == "float" {
                &["IOTP-WIRE-12", "IOTP-WIRE-19"]
            } else {
                &["IOTP-WIRE-12"]
            };
            cases.push(Case::bad(
                format!("{name}.wrong-type-{id}"),
                format!("{what} where {name} is expected"),
                reqs,
                SCALARS,
                bytes,
                "wrong-type",
                at,
            ));
        }
    }
    // Heads wider than needed, on the u64 field (every argument fits) and the i64 field (negative).
    for &(arg, width) in NON_SHORTEST {
        for (name, key, major, v) in [
            ("u64", 4, 0u8, arg as i128),
            ("i64", 8, 1, -1 - arg as i128),
        ] {
            let (bytes, at) = scalars(key, &head_of_width(major, arg, width));
            cases.push(Case::bad(
                format!("{name}.non-shortest.{}-in-{width}", value_id(v)),
                format!("{name} {v} with its argument in {width} following byte(s)"),
                &["IOTP-WIRE-7", "IOTP-WIRE-8"],
                SCALARS,
                bytes,
                "non-canonical-integer",
                at,
            ));
        }
    }
    #[rustfmt::skip]
    let more: &[(&str, &str, &str, &str, usize)] = &[
        ("u8.non-shortest.5-in-2", "u8 5 in 2 following bytes: the head before the type's range", "a1 01 19 00 05", "non-canonical-integer", 2),
        ("u8.non-shortest.256-in-4", "u8 given 256 in 4 following bytes: the shortest form is checked before the range", "a1 01 1a 00 00 01 00", "non-canonical-integer", 2),
        ("u64.truncated-8", "a u64 whose 8 argument bytes are cut after 2", "a1 04 1b 00 00", "truncated", 5),
        ("i64.truncated-1", "a negative integer whose argument byte is missing", "a1 08 38", "truncated", 3),
        ("i32.truncated-4", "an i32 whose 4 argument bytes are cut after 3", "a1 07 3a 00 01 00", "truncated", 6),
    ];
    for &(id, description, hex, class, offset) in more {
        let reqs: &[&'static str] = if class == "truncated" {
            &["IOTP-WIRE-4", "IOTP-WIRE-9"]
        } else {
            &["IOTP-WIRE-8", "IOTP-WIRE-64"]
        };
        cases.push(Case::bad(
            id,
            description,
            reqs,
            SCALARS,
            unhex(hex),
            class,
            offset,
        ));
    }
    // Several integer fields in one message: every width, in key order.
    cases.push(Case::ok_json(
        "all-widths",
        "one value of every integer type, every head width",
        &["IOTP-WIRE-7", "IOTP-WIRE-11", "IOTP-WIRE-32"],
        SCALARS,
        unhex(
            "a8 01 18 ff 02 19 ff ff 03 1a ff ff ff ff 04 1b ff ff ff ff ff ff ff ff \
             05 38 7f 06 39 7f ff 07 3a 7f ff ff ff 08 3b 7f ff ff ff ff ff ff ff",
        ),
        r#"{"u8": 255, "u16": 65535, "u32": 4294967295, "u64": 18446744073709551615,
            "i8": -128, "i16": -32768, "i32": -2147483648, "i64": -9223372036854775808}"#,
    ));
    Area::new(
        "wire.integers",
        "Integers (spec §4.4, §4.5.2): shortest heads at every width boundary of every integer type, \
         heads wider than needed, values outside each type's range, other kinds of item where an \
         integer is expected.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// wire.floats
// ---------------------------------------------------------------------------------------------

/// Accepted floats: id, description, field (`f32` key 9 or `f64` key 10), item hex, JSON value.
#[rustfmt::skip]
const FLOATS_OK: &[(&str, &str, &str, &str, &str)] = &[
    ("f64.zero", "+0.0 in half precision", "f64", "f9 00 00", "0.0"),
    ("f64.neg-zero", "-0.0 in half precision (not equal to +0.0)", "f64", "f9 80 00", "-0.0"),
    ("f64.one", "1.0 in half precision", "f64", "f9 3c 00", "1.0"),
    ("f64.half-max", "65504, the largest binary16 value", "f64", "f9 7b ff", "65504.0"),
    ("f64.half-min-normal", "2^-14, the smallest normal binary16 value", "f64", "f9 04 00", "6.103515625e-5"),
    ("f64.half-subnormal-min", "2^-24, the smallest subnormal binary16 value", "f64", "f9 00 01", "5.960464477539063e-8"),
    ("f64.half-subnormal-max", "the largest subnormal binary16 value", "f64", "f9 03 ff", "6.097555160522461e-5"),
    ("f64.neg-half-subnormal", "-2^-24", "f64", "f9 80 01", "-5.960464477539063e-8"),
    ("f64.infinity", "+infinity in half precision", "f64", "f9 7c 00", "\"Infinity\""),
    ("f64.neg-infinity", "-infinity in half precision", "f64", "f9 fc 00", "\"-Infinity\""),
    ("f64.nan", "the profile's NaN", "f64", "f9 7e 00", "\"NaN\""),
    ("f64.65505", "65505: not a binary16 value, single precision", "f64", "fa 47 7f e1 00", "65505.0"),
    ("f64.100000", "100000: single precision", "f64", "fa 47 c3 50 00", "100000.0"),
    ("f64.single-max", "the largest binary32 value", "f64", "fa 7f 7f ff ff", "3.4028234663852886e38"),
    ("f64.single-subnormal-min", "2^-149, the smallest subnormal binary32 value", "f64", "fa 00 00 00 01", "1.401298464324817e-45"),
    ("f64.half-subnormal-plus-bit", "2^-24 + 2^-37: needs binary32", "f64", "fa 33 80 04 00", "5.961192073300481e-8"),
    ("f64.0.1", "0.1: double precision", "f64", "fb 3f b9 99 99 99 99 99 9a", "0.1"),
    ("f64.double-max", "the largest binary64 value", "f64", "fb 7f ef ff ff ff ff ff ff", "1.7976931348623157e308"),
    ("f64.double-subnormal-min", "2^-1074, the smallest subnormal binary64 value", "f64", "fb 00 00 00 00 00 00 00 01", "5e-324"),
    ("f64.1e300", "1e300", "f64", "fb 7e 37 e4 3c 88 00 75 9c", "1e300"),
    ("f64.single-max-next", "the binary32 maximum plus one binary64 step: double precision", "f64", "fb 47 ef ff ff e0 00 00 01", "3.402823466385289e38"),
    ("f32.zero", "+0.0", "f32", "f9 00 00", "0.0"),
    ("f32.neg-zero", "-0.0", "f32", "f9 80 00", "-0.0"),
    ("f32.21.5", "21.5 in half precision", "f32", "f9 4d 60", "21.5"),
    ("f32.0.1", "the f32 nearest to 0.1, single precision", "f32", "fa 3d cc cc cd", "0.1"),
    ("f32.max", "the largest binary32 value", "f32", "fa 7f 7f ff ff", "3.4028235e38"),
    ("f32.subnormal-min", "2^-149", "f32", "fa 00 00 00 01", "1e-45"),
    ("f32.infinity", "+infinity", "f32", "f9 7c 00", "\"Infinity\""),
    ("f32.neg-infinity", "-infinity", "f32", "f9 fc 00", "\"-Infinity\""),
    ("f32.nan", "the profile's NaN", "f32", "f9 7e 00", "\"NaN\""),
    ("f32.half-max", "65504", "f32", "f9 7b ff", "65504.0"),
];

/// A rejected float: id, description, requirements, field key, item hex, class.
type FloatRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    u64,
    &'static str,
    &'static str,
);

/// Rejected floats.
#[rustfmt::skip]
const FLOATS_BAD: &[FloatRow] = &[
    ("f64.zero-as-single", "+0.0 in single precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fa 00 00 00 00", "non-canonical-float"),
    ("f64.zero-as-double", "+0.0 in double precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fb 00 00 00 00 00 00 00 00", "non-canonical-float"),
    ("f64.neg-zero-as-single", "-0.0 in single precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fa 80 00 00 00", "non-canonical-float"),
    ("f64.1.5-as-single", "1.5 in single precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fa 3f c0 00 00", "non-canonical-float"),
    ("f64.1.5-as-double", "1.5 in double precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fb 3f f8 00 00 00 00 00 00", "non-canonical-float"),
    ("f64.100000-as-double", "100000 in double precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fb 40 f8 6a 00 00 00 00 00", "non-canonical-float"),
    ("f64.half-subnormal-as-single", "2^-24 (a binary16 subnormal) in single precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fa 33 80 00 00", "non-canonical-float"),
    ("f64.single-subnormal-as-double", "2^-149 (a binary32 subnormal) in double precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fb 36 a0 00 00 00 00 00 00", "non-canonical-float"),
    ("f64.infinity-as-single", "+infinity in single precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fa 7f 80 00 00", "non-canonical-float"),
    ("f64.neg-infinity-as-double", "-infinity in double precision", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 10, "fb ff f0 00 00 00 00 00 00", "non-canonical-float"),
    ("f64.nan-payload", "a half-precision NaN with a payload", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 10, "f9 7e 01", "non-canonical-float"),
    ("f64.nan-negative", "a half-precision NaN with the sign bit set", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 10, "f9 fe 00", "non-canonical-float"),
    ("f64.nan-signalling", "a signalling half-precision NaN", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 10, "f9 7c 01", "non-canonical-float"),
    ("f64.nan-single", "the quiet NaN in single precision", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 10, "fa 7f c0 00 00", "non-canonical-float"),
    ("f64.nan-double", "the quiet NaN in double precision", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 10, "fb 7f f8 00 00 00 00 00 00", "non-canonical-float"),
    ("f32.1.5-as-single", "1.5 in single precision where an f32 is expected: the check does not depend on the type", &["IOTP-WIRE-15", "IOTP-WIRE-17"], 9, "fa 3f c0 00 00", "non-canonical-float"),
    ("f32.nan-single", "a single-precision NaN where an f32 is expected", &["IOTP-WIRE-16", "IOTP-WIRE-17"], 9, "fa 7f c0 00 00", "non-canonical-float"),
    ("f32.0.5-as-double", "0.5 in double precision where an f32 is expected: non-canonical before out-of-range", &["IOTP-WIRE-17", "IOTP-WIRE-64"], 9, "fb 3f e0 00 00 00 00 00 00", "non-canonical-float"),
    ("f32.double-0.1", "the f64 value 0.1 (a canonical double) where an f32 is expected", &["IOTP-WIRE-18"], 9, "fb 3f b9 99 99 99 99 99 9a", "out-of-range"),
    ("f32.double-max", "the largest binary64 value where an f32 is expected", &["IOTP-WIRE-18"], 9, "fb 7f ef ff ff ff ff ff ff", "out-of-range"),
    ("f32.double-subnormal", "2^-1074 where an f32 is expected", &["IOTP-WIRE-18"], 9, "fb 00 00 00 00 00 00 00 01", "out-of-range"),
    ("f32.integer", "the integer 1 where an f32 is expected", &["IOTP-WIRE-19"], 9, "01", "wrong-type"),
    ("f64.integer", "the integer 0 where an f64 is expected", &["IOTP-WIRE-19"], 10, "00", "wrong-type"),
    ("f64.negative-integer", "the integer -1 where an f64 is expected", &["IOTP-WIRE-19"], 10, "20", "wrong-type"),
    ("f64.text", "a text string where an f64 is expected", &["IOTP-WIRE-19"], 10, "63 4e 61 4e", "wrong-type"),
    ("f64.bool", "false where an f64 is expected", &["IOTP-WIRE-19"], 10, "f4", "wrong-type"),
    ("f64.null", "null where an f64 is expected", &["IOTP-WIRE-19"], 10, "f6", "wrong-type"),
];

fn floats() -> Area {
    let mut cases = Vec::new();
    for &(id, description, field, hex, json) in FLOATS_OK {
        let key = if field == "f32" { 9 } else { 10 };
        let (bytes, _) = scalars(key, &unhex(hex));
        let reqs: &[&'static str] = if id.contains("nan") {
            &["IOTP-WIRE-16", "IOTP-WIRE-65"]
        } else {
            &["IOTP-WIRE-15", "IOTP-WIRE-65"]
        };
        cases.push(Case::ok_json(
            id,
            format!("{field}: {description}"),
            reqs,
            SCALARS,
            bytes.clone(),
            format!(r#"{{"{field}": {json}}}"#),
        ));
        // The same value, checked as the testee's JSON writer writes it (feature `json-text`).
        if !json.starts_with('"') {
            cases.push(Case {
                level: Level::Should,
                json_text_out: true,
                ..Case::ok_json(
                    format!("json-text.{id}"),
                    format!("{field}: {description}, written in JSON with the fewest digits"),
                    &["IOTP-WIRE-69"],
                    SCALARS,
                    bytes,
                    format!(r#"{{"{field}": {json}}}"#),
                )
            });
        }
    }
    for &(id, description, reqs, key, hex, class) in FLOATS_BAD {
        let (bytes, at) = scalars(key, &unhex(hex));
        cases.push(Case::bad(id, description, reqs, SCALARS, bytes, class, at));
    }
    cases.push(Case::bad(
        "f64.truncated-double",
        "a double-precision float cut after 3 of its 8 bytes",
        &["IOTP-WIRE-4", "IOTP-WIRE-9"],
        SCALARS,
        unhex("a1 0a fb 3f b9 99"),
        "truncated",
        6,
    ));
    Area::new(
        "wire.floats",
        "Floating-point numbers (spec §4.5.3): shortest exact form in half, single and double \
         precision, subnormals, signed zeros, infinities, the one NaN; non-canonical forms and NaNs; \
         a double where an f32 is expected; integers where a float is expected.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// wire.strings
// ---------------------------------------------------------------------------------------------

/// Accepted text (field `text`, string<16>): id, description, UTF-8 bytes as hex, JSON string.
#[rustfmt::skip]
const TEXT_OK: &[(&str, &str, &str, &str)] = &[
    ("empty", "the empty string", "", r#""""#),
    ("ascii", "ASCII", "68 65 6c 6c 6f", r#""hello""#),
    ("nul", "U+0000 is a character like any other", "61 00 62", r#""a\u0000b""#),
    ("two-byte", "a 2-byte sequence (U+00E9)", "c3 a9", r#""é""#),
    ("three-byte", "a 3-byte sequence (U+20AC)", "e2 82 ac", r#""€""#),
    ("four-byte", "a 4-byte sequence (U+1F600)", "f0 9f 98 80", r#""😀""#),
    ("max-code-point", "U+10FFFF, the last code point", "f4 8f bf bf", "\"\u{10FFFF}\""),
    ("before-surrogates", "U+D7FF, just below the surrogates", "ed 9f bf", "\"\u{D7FF}\""),
    ("after-surrogates", "U+E000, just above the surrogates", "ee 80 80", "\"\u{E000}\""),
    ("noncharacter", "U+FFFF, a noncharacter, is well-formed UTF-8", "ef bf bf", "\"\u{FFFF}\""),
    ("bom", "U+FEFF (a byte order mark) is kept as a character", "ef bb bf 61", "\"\u{FEFF}a\""),
    ("precomposed", "é precomposed (U+00E9)", "63 61 66 c3 a9", r#""café""#),
    ("decomposed", "é decomposed (U+0065 U+0301), not normalized", "63 61 66 65 cc 81", "\"cafe\u{301}\""),
];

/// Rejected text: id, description, UTF-8 bytes as hex.
#[rustfmt::skip]
const TEXT_BAD_UTF8: &[(&str, &str, &str)] = &[
    ("overlong-2", "an overlong 2-byte form of '/' (C0 AF)", "c0 af"),
    ("overlong-nul", "an overlong 2-byte form of U+0000 (C0 80)", "c0 80"),
    ("overlong-c1", "an overlong 2-byte form with lead byte C1", "c1 bf"),
    ("overlong-3", "an overlong 3-byte form of '/' (E0 80 AF)", "e0 80 af"),
    ("overlong-4", "an overlong 4-byte form of '/' (F0 80 80 AF)", "f0 80 80 af"),
    ("surrogate-high", "the surrogate U+D800 encoded (ED A0 80)", "ed a0 80"),
    ("surrogate-low", "the surrogate U+DFFF encoded (ED BF BF)", "ed bf bf"),
    ("surrogate-pair", "a surrogate pair encoded as two 3-byte forms (CESU-8)", "ed a0 bd ed b8 80"),
    ("above-max", "U+110000, above the last code point (F4 90 80 80)", "f4 90 80 80"),
    ("lead-f5", "lead byte F5", "f5 80 80 80"),
    ("lead-ff", "byte FF", "61 ff"),
    ("lone-continuation", "a continuation byte without a lead byte", "80"),
    ("truncated-2", "a 2-byte sequence without its continuation byte", "c3"),
    ("truncated-3", "a 3-byte sequence cut after 2 bytes", "e2 82"),
    ("truncated-4", "a 4-byte sequence cut after 3 bytes", "f0 9f 98"),
    ("truncated-then-ascii", "a 2-byte lead byte followed by ASCII (C3 28)", "c3 28"),
    ("bad-continuation-last", "the last byte of a 3-byte sequence is not a continuation", "e2 82 41"),
    ("latin-1", "ISO 8859-1 text, not UTF-8", "63 61 66 e9"),
];

fn strings() -> Area {
    let mut cases = Vec::new();
    for &(id, description, hex, json) in TEXT_OK {
        let content = unhex(hex);
        let item = cat(&[&head(3, content.len() as u64), &content]);
        let (bytes, _) = scalars(11, &item);
        cases.push(Case::ok_json(
            format!("text.{id}"),
            format!("text: {description}"),
            &["IOTP-WIRE-20", "IOTP-WIRE-23"],
            SCALARS,
            bytes,
            format!(r#"{{"text": {json}}}"#),
        ));
    }
    for &(id, description, hex) in TEXT_BAD_UTF8 {
        let content = unhex(hex);
        let item = cat(&[&head(3, content.len() as u64), &content]);
        let (bytes, at) = scalars(11, &item);
        cases.push(Case::bad(
            format!("text.utf8.{id}"),
            format!("text that is not well-formed UTF-8: {description}"),
            &["IOTP-WIRE-21"],
            SCALARS,
            bytes,
            "invalid-utf8",
            at,
        ));
    }
    // The same rule in a union's string and in a string after valid characters.
    cases.push(Case::bad(
        "text.utf8.in-union",
        "a union variant's string that is not UTF-8",
        &["IOTP-WIRE-21"],
        "Choice",
        unhex("a1 02 62 c3 28"),
        "invalid-utf8",
        2,
    ));
    cases.push(Case::bad(
        "text.utf8.in-second-field",
        "invalid UTF-8 in a string after another field",
        &["IOTP-WIRE-21"],
        SCALARS,
        unhex("a2 01 01 0b 63 61 ed a0"),
        "invalid-utf8",
        4,
    ));
    #[rustfmt::skip]
    let bytes_ok: &[(&str, &str, &str, &str)] = &[
        ("empty", "no bytes", "40", r#""""#),
        ("one", "one byte", "41 00", r#""00""#),
        ("not-utf8", "bytes that are not UTF-8 are just bytes", "42 c3 28", r#""c328""#),
        ("all-ones", "four bytes ff", "44 ff ff ff ff", r#""ffffffff""#),
    ];
    for &(id, description, hex, json) in bytes_ok {
        let (bytes, _) = scalars(12, &unhex(hex));
        cases.push(Case::ok_json(
            format!("bytes.{id}"),
            format!("bytes: {description}"),
            &["IOTP-WIRE-24"],
            SCALARS,
            bytes,
            format!(r#"{{"data": {json}}}"#),
        ));
    }
    #[rustfmt::skip]
    let wrong: &[(&str, &str, u64, &str)] = &[
        ("text.wrong-type-bytes", "a byte string where text is expected", 11, "41 61"),
        ("text.wrong-type-int", "an integer where text is expected", 11, "00"),
        ("text.wrong-type-array", "an array of text where text is expected", 11, "81 61 61"),
        ("bytes.wrong-type-text", "a text string where bytes are expected", 12, "61 61"),
        ("bytes.wrong-type-array", "an array of integers where bytes are expected", 12, "82 01 02"),
        ("bytes.wrong-type-null", "null where bytes are expected", 12, "f6"),
    ];
    for &(id, description, key, hex) in wrong {
        let (bytes, at) = scalars(key, &unhex(hex));
        cases.push(Case::bad(
            id,
            description,
            &["IOTP-WIRE-26"],
            SCALARS,
            bytes,
            "wrong-type",
            at,
        ));
    }
    cases.push(Case::bad(
        "text.truncated-content",
        "a text string announcing 5 bytes with 3 present",
        &["IOTP-WIRE-4", "IOTP-WIRE-9"],
        SCALARS,
        unhex("a1 0b 65 68 65 6c"),
        "truncated",
        6,
    ));
    cases.push(Case::bad(
        "bytes.truncated-content",
        "a byte string announcing 4 bytes with 1 present",
        &["IOTP-WIRE-4", "IOTP-WIRE-9"],
        SCALARS,
        unhex("a1 0c 44 01"),
        "truncated",
        4,
    ));
    Area::new(
        "wire.strings",
        "Text and byte strings (spec §4.6): well-formed UTF-8 at every sequence length and at the edges \
         of the code space, text kept unnormalized, every kind of ill-formed UTF-8 (RFC 3629), other \
         kinds of item where a string is expected.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------
// wire.enums
// ---------------------------------------------------------------------------------------------

fn enums() -> Area {
    #[rustfmt::skip]
    let ok: &[(&str, &str, &str, &str)] = &[
        ("known.red", "Red (0)", "00", r#""Red""#),
        ("known.green", "Green (1)", "01", r#""Green""#),
        ("known.blue", "Blue (24), numbered past the one-byte range", "18 18", r#""Blue""#),
        ("unknown.2", "2, not a value of the enum: kept as a number", "02", "2"),
        ("unknown.23", "23, unknown", "17", "23"),
        ("unknown.25", "25, unknown, one-byte argument", "18 19", "25"),
        ("unknown.65536", "65536, unknown, four-byte argument", "1a 00 01 00 00", "65536"),
        ("unknown.max", "4294967295, the largest enum number", "1a ff ff ff ff", "4294967295"),
    ];
    let mut cases = Vec::new();
    for &(id, description, hex, json) in ok {
        let (bytes, _) = scalars(13, &unhex(hex));
        let reqs: &[&'static str] = if id.starts_with("known") {
            &["IOTP-WIRE-43"]
        } else {
            &["IOTP-WIRE-44"]
        };
        cases.push(Case::ok_json(
            id,
            format!("Color {description}"),
            reqs,
            SCALARS,
            bytes,
            format!(r#"{{"color": {json}}}"#),
        ));
    }
    #[rustfmt::skip]
    let bad: &[(&str, &str, &[&str], &str, &str)] = &[
        ("above-32-bits", "4294967296, above the enum range", &["IOTP-WIRE-45"], "1b 00 00 00 01 00 00 00 00", "out-of-range"),
        ("u64-max", "18446744073709551615", &["IOTP-WIRE-45"], "1b ff ff ff ff ff ff ff ff", "out-of-range"),
        ("negative", "-1", &["IOTP-WIRE-45"], "20", "out-of-range"),
        ("negative-large", "-4294967296", &["IOTP-WIRE-45"], "3a ff ff ff ff", "out-of-range"),
        ("name-as-text", "the value's name as text", &["IOTP-WIRE-45"], "63 52 65 64", "wrong-type"),
        ("float", "the float 0.0", &["IOTP-WIRE-45"], "f9 00 00", "wrong-type"),
        ("bool", "false", &["IOTP-WIRE-45"], "f4", "wrong-type"),
        ("null", "null", &["IOTP-WIRE-45"], "f6", "wrong-type"),
        ("non-shortest", "Red (0) in a following byte", &["IOTP-WIRE-8"], "18 00", "non-canonical-integer"),
        ("non-shortest-unknown", "the unknown number 5 in 2 following bytes", &["IOTP-WIRE-8"], "19 00 05", "non-canonical-integer"),
    ];
    for &(id, description, reqs, hex, class) in bad {
        let (bytes, at) = scalars(13, &unhex(hex));
        cases.push(Case::bad(
            id,
            format!("Color given {description}"),
            reqs,
            SCALARS,
            bytes,
            class,
            at,
        ));
    }
    // An enum field with a default: a known non-default value, an unknown value.
    cases.push(Case::ok_json(
        "default-field.blue",
        "a defaulted enum field (default Green) set to Blue",
        &["IOTP-WIRE-33", "IOTP-WIRE-43"],
        "Defaults",
        unhex("a1 04 18 18"),
        r#"{"color": "Blue"}"#,
    ));
    cases.push(Case::ok_json(
        "default-field.unknown",
        "a defaulted enum field (default Green) set to the unknown number 1000",
        &["IOTP-WIRE-44"],
        "Defaults",
        unhex("a1 04 19 03 e8"),
        r#"{"color": 1000}"#,
    ));
    Area::new(
        "wire.enums",
        "Enums (spec §4.9): known values by name, unknown values from 0 to 4294967295 kept as \
         numbers, numbers beyond 32 bits and negative numbers rejected.",
        cases,
    )
}
