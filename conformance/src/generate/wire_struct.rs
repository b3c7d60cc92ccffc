//! Structure: bounds, ranges, messages (maps), unions, unknown content, nesting depth, the input as a
//! whole (truncation at every byte, trailing bytes), and the order in which a decoder checks rules.

use super::case::{cat, unhex, BadRow, Case, CaseInput, OkRow, Want};
use super::Area;

fn rows(ok: &[OkRow], bad: &[BadRow]) -> Vec<Case> {
    let mut out = Vec::new();
    for &(id, description, reqs, ty, hex, json) in ok {
        out.push(if json.is_empty() {
            Case::ok(id, description, reqs, ty, unhex(hex))
        } else {
            Case::ok_json(id, description, reqs, ty, unhex(hex), json)
        });
    }
    for &(id, description, reqs, ty, hex, class, offset) in bad {
        out.push(Case::bad(
            id,
            description,
            reqs,
            ty,
            unhex(hex),
            class,
            offset,
        ));
    }
    out
}

pub(crate) fn areas() -> Vec<Area> {
    vec![
        bounds(),
        ranges(),
        maps(),
        unions(),
        unknown(),
        depth(),
        structure(),
        order(),
    ]
}

// ---------------------------------------------------------------------------------------------

const B22: &[&str] = &["IOTP-WIRE-22"];
const B24: &[&str] = &["IOTP-WIRE-24"];
const B25: &[&str] = &["IOTP-WIRE-25"];
const B28: &[&str] = &["IOTP-WIRE-27", "IOTP-WIRE-28"];

fn bounds() -> Area {
    #[rustfmt::skip]
    let ok: &[OkRow] = &[
        ("text.empty", "string<4>: empty", B22, "Bounds", "a1 00 60", r#"{"text": ""}"#),
        ("text.at-bound", "string<4>: 4 ASCII bytes", B22, "Bounds", "a1 00 64 61 62 63 64", r#"{"text": "abcd"}"#),
        ("text.at-bound-two-chars", "string<4>: 2 characters of 2 bytes each (the bound counts bytes)", B22, "Bounds", "a1 00 64 c3 a9 c3 a9", r#"{"text": "éé"}"#),
        ("text.at-bound-one-char", "string<4>: 1 character of 4 bytes", B22, "Bounds", "a1 00 64 f0 9f 98 80", r#"{"text": "😀"}"#),
        ("bytes.empty", "bytes<4>: empty", B24, "Bounds", "a1 01 40", r#"{"data": ""}"#),
        ("bytes.at-bound", "bytes<4>: 4 bytes", B24, "Bounds", "a1 01 44 01 02 03 04", r#"{"data": "01020304"}"#),
        ("fixed.exact", "bytes[4]: exactly 4 bytes", B25, "Bounds", "a1 02 44 de ad be ef", r#"{"fixed": "deadbeef"}"#),
        ("fixed.zeros", "bytes[4]: 4 zero bytes", B25, "Bounds", "a1 02 44 00 00 00 00", r#"{"fixed": "00000000"}"#),
        ("array.empty", "array<u16, 4>: no items", B28, "Bounds", "a1 03 80", r#"{"items": []}"#),
        ("array.at-bound", "array<u16, 4>: 4 items", B28, "Bounds", "a1 03 84 01 02 03 19 01 2c", r#"{"items": [1, 2, 3, 300]}"#),
        ("nested.at-bound", "array<array<u8, 2>, 2>: 2 arrays of 2 items", B28, "Bounds", "a1 04 82 82 01 02 82 03 04", r#"{"nested": [[1, 2], [3, 4]]}"#),
        ("nested.empty-inner", "array<array<u8, 2>, 2>: 2 empty arrays", B28, "Bounds", "a1 04 82 80 80", r#"{"nested": [[], []]}"#),
        ("nested.empty", "array<array<u8, 2>, 2>: no items", B28, "Bounds", "a1 04 80", r#"{"nested": []}"#),
        ("long-text.23", "string<24>: 23 bytes, length in the initial byte", B22, "Bounds", "a1 05 77 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", r#"{"long_text": "aaaaaaaaaaaaaaaaaaaaaaa"}"#),
        ("long-text.24", "string<24>: 24 bytes at the bound, length in a following byte", B22, "Bounds", "a1 05 78 18 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", r#"{"long_text": "aaaaaaaaaaaaaaaaaaaaaaaa"}"#),
        ("scalars.text-16", "string<16>: 16 bytes", B22, "Scalars", "a1 0b 70 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66", r#"{"text": "0123456789abcdef"}"#),
        ("scalars.bytes-16", "bytes<16>: 16 bytes", B24, "Scalars", "a1 0c 50 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", r#"{"data": "000102030405060708090a0b0c0d0e0f"}"#),
        ("union.text-8", "a union variant's string<8> at its bound", B22, "Choice", "a1 02 68 61 62 63 64 65 66 67 68", r#"{"text": "abcdefgh"}"#),
    ];
    #[rustfmt::skip]
    let bad: &[BadRow] = &[
        ("text.over", "string<4>: 5 bytes", B22, "Bounds", "a1 00 65 61 62 63 64 65", "bound-exceeded", 2),
        ("text.over-three-chars", "string<4>: 3 characters in 6 bytes", B22, "Bounds", "a1 00 66 c3 a9 c3 a9 c3 a9", "bound-exceeded", 2),
        ("text.over-two-chars", "string<4>: 2 characters in 5 bytes (the bound counts bytes, not characters)", B22, "Bounds", "a1 00 65 c3 a9 e2 82 ac", "bound-exceeded", 2),
        ("bytes.over", "bytes<4>: 5 bytes", B24, "Bounds", "a1 01 45 01 02 03 04 05", "bound-exceeded", 2),
        ("fixed.short", "bytes[4]: 3 bytes", B25, "Bounds", "a1 02 43 01 02 03", "bound-exceeded", 2),
        ("fixed.long", "bytes[4]: 5 bytes", B25, "Bounds", "a1 02 45 01 02 03 04 05", "bound-exceeded", 2),
        ("fixed.empty", "bytes[4]: no bytes", B25, "Bounds", "a1 02 40", "bound-exceeded", 2),
        ("array.over", "array<u16, 4>: 5 items", B28, "Bounds", "a1 03 85 01 02 03 04 05", "bound-exceeded", 2),
        ("nested.outer-over", "array<array<u8, 2>, 2>: 3 empty arrays", B28, "Bounds", "a1 04 83 80 80 80", "bound-exceeded", 2),
        ("nested.inner-over", "array<array<u8, 2>, 2>: the second inner array has 3 items", B28, "Bounds", "a1 04 82 81 01 83 01 02 03", "bound-exceeded", 5),
        ("long-text.25", "string<24>: 25 bytes", B22, "Bounds", "a1 05 78 19 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61 61", "bound-exceeded", 2),
        ("scalars.text-17", "string<16>: 17 bytes", B22, "Scalars", "a1 0b 71 30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 67", "bound-exceeded", 2),
        ("scalars.bytes-17", "bytes<16>: 17 bytes", B24, "Scalars", "a1 0c 51 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10", "bound-exceeded", 2),
        ("union.text-9", "a union variant's string<8> with 9 bytes", B22, "Choice", "a1 02 69 61 62 63 64 65 66 67 68 69", "bound-exceeded", 2),
        ("array.wrong-type-map", "a map where an array is expected", &["IOTP-WIRE-30"], "Bounds", "a1 03 a0", "wrong-type", 2),
        ("array.wrong-type-bytes", "a byte string where an array is expected", &["IOTP-WIRE-30"], "Bounds", "a1 03 42 01 02", "wrong-type", 2),
        ("array.item-wrong-type", "an array item of the wrong kind", &["IOTP-WIRE-12", "IOTP-WIRE-27"], "Bounds", "a1 03 82 01 61 61", "wrong-type", 4),
        ("array.item-out-of-range", "an array item outside u16", &["IOTP-WIRE-13", "IOTP-WIRE-27"], "Bounds", "a1 03 82 01 1a 00 01 00 00", "out-of-range", 4),
        ("fixed.wrong-type", "a text string of 4 bytes where bytes[4] is expected", &["IOTP-WIRE-26"], "Bounds", "a1 02 64 61 62 63 64", "wrong-type", 2),
        ("array.truncated", "an array announcing 3 items with 2 present", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Bounds", "a1 03 83 01 02", "truncated", 5),
    ];
    Area::new(
        "wire.bounds",
        "Bounds (spec §4.6, §4.7): every string, byte string, fixed-size byte string and array bound \
         of the wrapper types at its limit and one past, lengths counted in bytes, nested arrays.",
        rows(ok, bad),
    )
}

// ---------------------------------------------------------------------------------------------

const R14: &[&str] = &["IOTP-WIRE-14"];
const R51: &[&str] = &["IOTP-WIRE-14", "IOTP-WIRE-51"];

fn ranges() -> Area {
    #[rustfmt::skip]
    let ok: &[OkRow] = &[
        ("percent.min", "@range(1..=100) u8: 1", R14, "Ranges", "a1 00 01", r#"{"percent": 1}"#),
        ("percent.max", "@range(1..=100) u8: 100", R14, "Ranges", "a1 00 18 64", r#"{"percent": 100}"#),
        ("celsius.min", "@range(-40..=125) i16: -40", R14, "Ranges", "a1 01 38 27", r#"{"celsius": -40}"#),
        ("celsius.max", "@range(-40..=125) i16: 125", R14, "Ranges", "a1 01 18 7d", r#"{"celsius": 125}"#),
        ("celsius.zero", "@range(-40..=125) i16: 0", R14, "Ranges", "a1 01 00", r#"{"celsius": 0}"#),
        ("big.min", "@range(1000..) u32: 1000", R14, "Ranges", "a1 02 19 03 e8", r#"{"big": 1000}"#),
        ("big.max", "@range(1000..) u32: the type's largest value", R14, "Ranges", "a1 02 1a ff ff ff ff", r#"{"big": 4294967295}"#),
        ("alias.min", "an alias with @range(0..=1000): 0", R51, "Ranges", "a1 03 00", r#"{"permille": 0}"#),
        ("alias.max", "an alias with @range(0..=1000): 1000", R51, "Ranges", "a1 03 19 03 e8", r#"{"permille": 1000}"#),
        ("narrowed.min", "the alias narrowed by the field to 10..=20: 10", R51, "Ranges", "a1 04 0a", r#"{"narrowed": 10}"#),
        ("narrowed.max", "the alias narrowed by the field to 10..=20: 20", R51, "Ranges", "a1 04 14", r#"{"narrowed": 20}"#),
    ];
    #[rustfmt::skip]
    let bad: &[BadRow] = &[
        ("percent.below", "@range(1..=100) u8: 0", R14, "Ranges", "a1 00 00", "out-of-range", 2),
        ("percent.above", "@range(1..=100) u8: 101", R14, "Ranges", "a1 00 18 65", "out-of-range", 2),
        ("percent.type-max", "@range(1..=100) u8: 255, within u8", R14, "Ranges", "a1 00 18 ff", "out-of-range", 2),
        ("percent.outside-type", "@range(1..=100) u8: 256, outside u8", &["IOTP-WIRE-13", "IOTP-WIRE-14"], "Ranges", "a1 00 19 01 00", "out-of-range", 2),
        ("celsius.below", "@range(-40..=125) i16: -41", R14, "Ranges", "a1 01 38 28", "out-of-range", 2),
        ("celsius.above", "@range(-40..=125) i16: 126", R14, "Ranges", "a1 01 18 7e", "out-of-range", 2),
        ("celsius.type-min", "@range(-40..=125) i16: -32768", R14, "Ranges", "a1 01 39 7f ff", "out-of-range", 2),
        ("big.below", "@range(1000..) u32: 999", R14, "Ranges", "a1 02 19 03 e7", "out-of-range", 2),
        ("big.zero", "@range(1000..) u32: 0", R14, "Ranges", "a1 02 00", "out-of-range", 2),
        ("big.outside-type", "@range(1000..) u32: 2^32", &["IOTP-WIRE-13", "IOTP-WIRE-14"], "Ranges", "a1 02 1b 00 00 00 01 00 00 00 00", "out-of-range", 2),
        ("big.negative", "@range(1000..) u32: -1", &["IOTP-WIRE-13"], "Ranges", "a1 02 20", "out-of-range", 2),
        ("alias.above", "an alias with @range(0..=1000): 1001", R51, "Ranges", "a1 03 19 03 e9", "out-of-range", 2),
        ("alias.negative", "an alias of u16 with @range(0..=1000): -1", &["IOTP-WIRE-13", "IOTP-WIRE-51"], "Ranges", "a1 03 20", "out-of-range", 2),
        ("narrowed.below", "the alias narrowed by the field to 10..=20: 9", R51, "Ranges", "a1 04 09", "out-of-range", 2),
        ("narrowed.above", "the alias narrowed by the field to 10..=20: 21", R51, "Ranges", "a1 04 15", "out-of-range", 2),
        ("narrowed.alias-max", "the alias narrowed by the field to 10..=20: 1000, within the alias's range but not the field's", R51, "Ranges", "a1 04 19 03 e8", "out-of-range", 2),
        ("narrowed.outside-both", "the alias narrowed by the field to 10..=20: 1001, outside both", R51, "Ranges", "a1 04 19 03 e9", "out-of-range", 2),
        ("second-field", "a value out of range after a valid field", R14, "Ranges", "a2 00 01 01 18 7e", "out-of-range", 4),
    ];
    Area::new(
        "wire.ranges",
        "Integer ranges (spec §4.5.2, §4.11): `@range` on a field, on an alias, and on both, at each \
         end and one past.",
        rows(ok, bad),
    )
}

// ---------------------------------------------------------------------------------------------

fn maps() -> Area {
    #[rustfmt::skip]
    let ok: &[OkRow] = &[
        ("sorted", "four fields in ascending key order, keys of 1, 2 and 3 bytes", &["IOTP-WIRE-31", "IOTP-WIRE-32"], "Scalars", "a4 00 f5 01 01 18 18 02 19 ff ff 03", r#"{"b": true, "u8": 1, "far": 2, "last": 3}"#),
        ("empty", "a message with no field present", &["IOTP-WIRE-31"], "Scalars", "a0", "{}"),
        ("optional-zero", "an optional u8 present with 0", &["IOTP-WIRE-34"], "Scalars", "a1 01 00", r#"{"u8": 0}"#),
        ("optional-false", "an optional bool present with false", &["IOTP-WIRE-34"], "Scalars", "a1 00 f4", r#"{"b": false}"#),
        ("optional-empty-text", "an optional string present and empty", &["IOTP-WIRE-34"], "Scalars", "a1 0b 60", r#"{"text": ""}"#),
        ("required", "the required field alone", &["IOTP-WIRE-31"], "Required", "a1 00 05", r#"{"id": 5}"#),
        ("required-and-optional", "the required and the optional field", &["IOTP-WIRE-31"], "Required", "a2 00 05 01 62 68 69", r#"{"id": 5, "note": "hi"}"#),
        ("defaults.absent", "every defaulted field equal to its default: no entry", &["IOTP-WIRE-33"], "Defaults", "a0", "{}"),
        ("defaults.bool", "bool default true, set to false", &["IOTP-WIRE-33"], "Defaults", "a1 00 f4", r#"{"flag": false}"#),
        ("defaults.int-zero", "i32 default -5, set to 0", &["IOTP-WIRE-33"], "Defaults", "a1 01 00", r#"{"offset": 0}"#),
        ("defaults.int-next", "i32 default -5, set to -6", &["IOTP-WIRE-33"], "Defaults", "a1 01 25", r#"{"offset": -6}"#),
        ("defaults.float-next", "f32 default 1.5, set to the next binary32 value", &["IOTP-WIRE-33"], "Defaults", "a1 02 fa 3f c0 00 01", r#"{"scale": 1.5000001}"#),
        ("defaults.float-negative", "f32 default 1.5, set to -1.5", &["IOTP-WIRE-33"], "Defaults", "a1 02 f9 be 00", r#"{"scale": -1.5}"#),
        ("defaults.float-nan", "f32 default 1.5, set to NaN", &["IOTP-WIRE-33"], "Defaults", "a1 02 f9 7e 00", r#"{"scale": "NaN"}"#),
        ("defaults.string-empty", "string default \"x\", set to \"\"", &["IOTP-WIRE-33"], "Defaults", "a1 03 60", r#"{"name": ""}"#),
        ("defaults.string-case", "string default \"x\", set to \"X\"", &["IOTP-WIRE-33"], "Defaults", "a1 03 61 58", r#"{"name": "X"}"#),
        ("defaults.string-longer", "string default \"x\", set to \"x \"", &["IOTP-WIRE-33"], "Defaults", "a1 03 62 78 20", r#"{"name": "x "}"#),
        ("defaults.enum", "enum default Green, set to Red", &["IOTP-WIRE-33"], "Defaults", "a1 04 00", r#"{"color": "Red"}"#),
        ("defaults.all-set", "every defaulted field set to another value", &["IOTP-WIRE-33"], "Defaults", "a5 00 f4 01 00 02 f9 00 00 03 60 04 00", r#"{"flag": false, "offset": 0, "scale": 0.0, "name": "", "color": "Red"}"#),
    ];
    #[rustfmt::skip]
    let bad: &[BadRow] = &[
        ("unsorted", "key 0 after key 1", &["IOTP-WIRE-32", "IOTP-WIRE-38"], "Scalars", "a2 01 00 00 f5", "unsorted-keys", 3),
        ("unsorted.wide-key", "key 13 after key 24", &["IOTP-WIRE-32", "IOTP-WIRE-38"], "Scalars", "a2 18 18 01 0d 00", "unsorted-keys", 4),
        ("unsorted.after-65535", "key 1 after key 65535", &["IOTP-WIRE-32", "IOTP-WIRE-38"], "Scalars", "a2 19 ff ff 01 01 00", "unsorted-keys", 5),
        ("unsorted.third", "the third key less than the second", &["IOTP-WIRE-32", "IOTP-WIRE-38"], "Scalars", "a3 00 f5 02 01 01 01", "unsorted-keys", 5),
        ("unsorted.unknown-keys", "two unknown keys out of order", &["IOTP-WIRE-38", "IOTP-WIRE-42"], "Scalars", "a2 18 64 00 18 63 00", "unsorted-keys", 4),
        ("unsorted.union-in-message", "keys out of order in a message inside a union", &["IOTP-WIRE-38"], "Choice", "a1 03 a2 01 60 00 01", "unsorted-keys", 5),
        ("duplicate", "key 1 twice, same value", &["IOTP-WIRE-37"], "Scalars", "a2 01 00 01 00", "duplicate-key", 3),
        ("duplicate.different-values", "key 0 twice, different values", &["IOTP-WIRE-37"], "Scalars", "a2 00 f4 00 f5", "duplicate-key", 3),
        ("duplicate.unknown", "an unknown key twice", &["IOTP-WIRE-37", "IOTP-WIRE-42"], "Scalars", "a2 18 64 00 18 64 01", "duplicate-key", 4),
        ("duplicate.65535", "key 65535 twice", &["IOTP-WIRE-37"], "Scalars", "a2 19 ff ff 00 19 ff ff 00", "duplicate-key", 5),
        ("key.text", "a text key (the field's name)", &["IOTP-WIRE-35"], "Scalars", "a1 61 62 f5", "wrong-type", 1),
        ("key.negative", "a negative integer key", &["IOTP-WIRE-35"], "Scalars", "a1 20 00", "wrong-type", 1),
        ("key.bytes", "a byte-string key", &["IOTP-WIRE-35"], "Scalars", "a1 41 00 00", "wrong-type", 1),
        ("key.float", "a float key 0.0", &["IOTP-WIRE-35"], "Scalars", "a1 f9 00 00 00", "wrong-type", 1),
        ("key.array", "an array key", &["IOTP-WIRE-35"], "Scalars", "a1 80 00", "wrong-type", 1),
        ("key.map", "a map key", &["IOTP-WIRE-35"], "Scalars", "a1 a0 00", "wrong-type", 1),
        ("key.bool", "a bool key", &["IOTP-WIRE-35"], "Scalars", "a1 f4 00", "wrong-type", 1),
        ("key.null", "a null key", &["IOTP-WIRE-35"], "Scalars", "a1 f6 00", "wrong-type", 1),
        ("key.text-second", "a text key after a valid entry", &["IOTP-WIRE-35"], "Scalars", "a2 00 f5 61 61 00", "wrong-type", 3),
        ("key.65536", "key 65536", &["IOTP-WIRE-36"], "Scalars", "a1 1a 00 01 00 00 00", "out-of-range", 1),
        ("key.2-to-32", "key 2^32", &["IOTP-WIRE-36"], "Scalars", "a1 1b 00 00 00 01 00 00 00 00 00", "out-of-range", 1),
        ("key.u64-max", "key 2^64 - 1", &["IOTP-WIRE-36"], "Scalars", "a1 1b ff ff ff ff ff ff ff ff 00", "out-of-range", 1),
        ("key.65536-second", "key 65536 after a valid entry", &["IOTP-WIRE-36"], "Scalars", "a2 00 f5 1a 00 01 00 00 00", "out-of-range", 3),
        ("missing", "the required field absent from an empty map", &["IOTP-WIRE-40"], "Required", "a0", "missing-field", 0),
        ("missing.with-optional", "the required field absent, the optional one present", &["IOTP-WIRE-40"], "Required", "a1 01 61 78", "missing-field", 0),
        ("missing.with-unknown", "the required field absent, an unknown field present", &["IOTP-WIRE-40"], "Required", "a1 18 64 00", "missing-field", 0),
        ("missing.nested", "a message in a union without its required field", &["IOTP-WIRE-40"], "Choice", "a1 03 a0", "missing-field", 2),
        ("missing.second-of-two", "a message with two required fields, the second absent", &["IOTP-WIRE-40"], "Tree", "a1 00 01", "missing-field", 0),
        ("missing.first-of-two", "a message with two required fields, the first absent", &["IOTP-WIRE-40"], "Tree", "a1 01 80", "missing-field", 0),
        ("default-present.bool", "bool default true, present with true", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a1 00 f5", "default-value-present", 1),
        ("default-present.int", "i32 default -5, present with -5", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a1 01 24", "default-value-present", 1),
        ("default-present.float", "f32 default 1.5, present with 1.5", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a1 02 f9 3e 00", "default-value-present", 1),
        ("default-present.string", "string default \"x\", present with \"x\"", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a1 03 61 78", "default-value-present", 1),
        ("default-present.enum", "enum default Green, present with Green", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a1 04 01", "default-value-present", 1),
        ("default-present.second", "the second entry equal to its default", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a2 00 f4 01 24", "default-value-present", 3),
        ("default-present.last", "the last of several entries equal to its default", &["IOTP-WIRE-33", "IOTP-WIRE-39"], "Defaults", "a3 00 f4 01 00 04 01", "default-value-present", 5),
        ("not-a-map.array", "an array where a message is expected", &["IOTP-WIRE-41"], "Scalars", "80", "wrong-type", 0),
        ("not-a-map.int", "an integer where a message is expected", &["IOTP-WIRE-41"], "Scalars", "00", "wrong-type", 0),
        ("not-a-map.null", "null where a message is expected", &["IOTP-WIRE-41"], "Scalars", "f6", "wrong-type", 0),
        ("not-a-map.bytes", "the encoding of a message wrapped in a byte string", &["IOTP-WIRE-41"], "Scalars", "41 a0", "wrong-type", 0),
        ("not-a-map.nested", "an array where a message is expected inside a union", &["IOTP-WIRE-41"], "Choice", "a1 03 81 05", "wrong-type", 2),
        ("truncated.value", "a map whose only entry has no value", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Scalars", "a1 00", "truncated", 2),
        ("truncated.entry", "a map announcing 2 entries with 1 present", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Scalars", "a2 00 f5", "truncated", 3),
        ("truncated.third", "a map announcing 3 entries, cut after a key", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Scalars", "a3 00 f5 01", "truncated", 4),
    ];
    Area::new(
        "wire.maps",
        "Messages (spec §4.8): entries in ascending key order, unsorted and duplicate keys, keys of \
         every other kind and above 65535, missing required fields, defaulted fields present with \
         their default value for each type of default, other items where a message is expected.",
        rows(ok, bad),
    )
}

// ---------------------------------------------------------------------------------------------

fn unions() -> Area {
    #[rustfmt::skip]
    let ok: &[OkRow] = &[
        ("unit", "the unit variant: null", &["IOTP-WIRE-47"], "Choice", "a1 00 f6", r#"{"none": null}"#),
        ("integer.zero", "an integer variant: 0", &["IOTP-WIRE-47"], "Choice", "a1 01 00", r#"{"number": 0}"#),
        ("integer.negative", "an integer variant: -1", &["IOTP-WIRE-47"], "Choice", "a1 01 20", r#"{"number": -1}"#),
        ("integer.min", "an integer variant: the smallest i64", &["IOTP-WIRE-47"], "Choice", "a1 01 3b 7f ff ff ff ff ff ff ff", r#"{"number": -9223372036854775808}"#),
        ("text.empty", "a string variant: empty", &["IOTP-WIRE-47"], "Choice", "a1 02 60", r#"{"text": ""}"#),
        ("message", "a message variant", &["IOTP-WIRE-47"], "Choice", "a1 03 a1 00 01", r#"{"record": {"id": 1}}"#),
        ("message.both-fields", "a message variant with both fields", &["IOTP-WIRE-47"], "Choice", "a1 03 a2 00 01 01 61 79", r#"{"record": {"id": 1, "note": "y"}}"#),
        ("unknown.integer", "an unknown variant (key 4) holding an integer", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 04 00", r##"{"#4": "00"}"##),
        ("unknown.null", "an unknown variant holding null", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 04 f6", r##"{"#4": "f6"}"##),
        ("unknown.map", "an unknown variant holding a map", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 05 a2 00 01 01 02", r##"{"#5": "a200010102"}"##),
        ("unknown.array", "an unknown variant (key 100) holding an array", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 18 64 82 01 63 61 62 63", r##"{"#100": "820163616263"}"##),
        ("unknown.max-key", "an unknown variant with key 65535", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 19 ff ff a0", r##"{"#65535": "a0"}"##),
        ("unknown.double", "an unknown variant holding a double", &["IOTP-WIRE-50", "IOTP-WIRE-55"], "Choice", "a1 06 fb 3f b9 99 99 99 99 99 9a", r##"{"#6": "fb3fb999999999999a"}"##),
    ];
    #[rustfmt::skip]
    let bad: &[BadRow] = &[
        ("empty", "a union map with no entry", &["IOTP-WIRE-48"], "Choice", "a0", "invalid-union", 0),
        ("two-entries", "a union map with two entries", &["IOTP-WIRE-48"], "Choice", "a2 00 f6 01 00", "invalid-union", 0),
        ("three-entries", "a union map with three entries", &["IOTP-WIRE-48"], "Choice", "a3 00 f6 01 00 02 60", "invalid-union", 0),
        ("two-unknown", "a union map with two unknown variants", &["IOTP-WIRE-48"], "Choice", "a2 04 00 05 00", "invalid-union", 0),
        ("unit.integer", "the unit variant holding 0", &["IOTP-WIRE-49"], "Choice", "a1 00 00", "wrong-type", 2),
        ("unit.false", "the unit variant holding false", &["IOTP-WIRE-49"], "Choice", "a1 00 f4", "wrong-type", 2),
        ("unit.empty-map", "the unit variant holding an empty map", &["IOTP-WIRE-49"], "Choice", "a1 00 a0", "wrong-type", 2),
        ("unit.empty-array", "the unit variant holding an empty array", &["IOTP-WIRE-49"], "Choice", "a1 00 80", "wrong-type", 2),
        ("null.integer", "an integer variant holding null", &["IOTP-WIRE-49"], "Choice", "a1 01 f6", "wrong-type", 2),
        ("null.string", "a string variant holding null", &["IOTP-WIRE-49"], "Choice", "a1 02 f6", "wrong-type", 2),
        ("null.message", "a message variant holding null", &["IOTP-WIRE-49"], "Choice", "a1 03 f6", "wrong-type", 2),
        ("not-a-map.array", "an array where a union is expected", &["IOTP-WIRE-47"], "Choice", "82 00 f6", "wrong-type", 0),
        ("not-a-map.null", "null where a union is expected", &["IOTP-WIRE-49"], "Choice", "f6", "wrong-type", 0),
        ("not-a-map.int", "the variant key alone", &["IOTP-WIRE-47"], "Choice", "00", "wrong-type", 0),
        ("key.text", "a text variant key", &["IOTP-WIRE-35"], "Choice", "a1 64 6e 6f 6e 65 f6", "wrong-type", 1),
        ("key.negative", "a negative variant key", &["IOTP-WIRE-35"], "Choice", "a1 20 f6", "wrong-type", 1),
        ("key.65536", "variant key 65536", &["IOTP-WIRE-36"], "Choice", "a1 1a 00 01 00 00 f6", "out-of-range", 1),
        ("value.wrong-type", "an integer variant holding text", &["IOTP-WIRE-12"], "Choice", "a1 01 61 31", "wrong-type", 2),
        ("value.out-of-range", "an integer variant holding 2^63", &["IOTP-WIRE-13"], "Choice", "a1 01 1b 80 00 00 00 00 00 00 00", "out-of-range", 2),
        ("truncated.value", "a union map whose entry has no value", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Choice", "a1 00", "truncated", 2),
        ("truncated.key", "a union map with no key", &["IOTP-WIRE-4", "IOTP-WIRE-9"], "Choice", "a1", "truncated", 1),
    ];
    Area::new(
        "wire.unions",
        "Unions (spec §4.10): one entry per union, unit variants and null, variants of each kind, \
         unknown variants kept with their bytes, maps of zero or several entries.",
        rows(ok, bad),
    )
}

// ---------------------------------------------------------------------------------------------

/// Profile-conformant items for an unknown field's value: id, description, hex.
#[rustfmt::skip]
const CONFORMANT: &[(&str, &str, &str)] = &[
    ("uint", "an unsigned integer", "00"),
    ("uint-max", "the largest unsigned integer", "1b ff ff ff ff ff ff ff ff"),
    ("nint-min", "the most negative integer, -2^64 (no schema type holds it)", "3b ff ff ff ff ff ff ff ff"),
    ("bytes", "a byte string", "43 01 02 03"),
    ("text", "a text string", "63 61 62 63"),
    ("text-multibyte", "a text string of multibyte characters", "67 c3 a9 e2 82 ac c3 a9"),
    ("array", "an array of an integer and a string", "82 01 63 61 62 63"),
    ("map", "a map with keys in ascending order", "a2 00 01 18 18 61 61"),
    ("map-max-key", "a map with key 65535", "a1 19 ff ff 00"),
    ("false", "false", "f4"),
    ("true", "true", "f5"),
    ("null", "null (admitted in unknown content)", "f6"),
    ("half", "a half-precision float", "f9 3c 00"),
    ("single", "a single-precision float", "fa 47 c3 50 00"),
    ("double", "a double-precision float", "fb 3f b9 99 99 99 99 99 9a"),
    ("nan", "the profile's NaN", "f9 7e 00"),
    ("empty-array", "an empty array", "80"),
    ("empty-map", "an empty map", "a0"),
    ("nested", "maps and arrays nested", "81 a1 00 82 a0 80"),
];

/// An item that is not profile-conformant: id, description, requirements, hex, class, offset within
/// the item.
type ItemRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    usize,
);

/// Items that are not profile-conformant (spec §4.15).
#[rustfmt::skip]
const NOT_CONFORMANT: &[ItemRow] = &[
    ("truncated.array", "an array announcing 2 items with 1 present", &["IOTP-WIRE-9"], "82 01", "truncated", 2),
    ("truncated.text", "a text string announcing 3 bytes with 1 present", &["IOTP-WIRE-9"], "63 61", "truncated", 2),
    ("truncated.head", "an integer head cut short", &["IOTP-WIRE-9"], "19 01", "truncated", 2),
    ("truncated.huge-array", "an array announcing 2^32 items", &["IOTP-WIRE-9", "IOTP-WIRE-60"], "9b 00 00 00 01 00 00 00 00 00", "truncated", 10),
    ("truncated.huge-map", "a map announcing 2^32 entries", &["IOTP-WIRE-9", "IOTP-WIRE-60"], "bb 00 00 00 01 00 00 00 00 00 00", "truncated", 11),
    ("truncated.huge-bytes", "a byte string announcing 2^32 bytes", &["IOTP-WIRE-9", "IOTP-WIRE-60"], "5b 00 00 00 01 00 00 00 00 00", "truncated", 10),
    ("invalid-head", "a reserved initial byte", &["IOTP-WIRE-5"], "1c", "invalid-head", 0),
    ("invalid-head.nested", "a reserved initial byte in an array", &["IOTP-WIRE-5"], "82 01 3c", "invalid-head", 2),
    ("indefinite.array", "an indefinite-length array", &["IOTP-WIRE-5"], "9f 01 ff", "indefinite-length", 0),
    ("indefinite.bytes", "an indefinite-length byte string", &["IOTP-WIRE-5"], "5f 41 01 ff", "indefinite-length", 0),
    ("indefinite.map", "an indefinite-length map", &["IOTP-WIRE-5"], "bf ff", "indefinite-length", 0),
    ("indefinite.break", "a break", &["IOTP-WIRE-5"], "ff", "indefinite-length", 0),
    ("indefinite.nested-text", "an indefinite-length text string in an array", &["IOTP-WIRE-5"], "81 7f 60 ff", "indefinite-length", 1),
    ("non-canonical.integer", "an integer in a wider head than needed", &["IOTP-WIRE-8"], "18 05", "non-canonical-integer", 0),
    ("non-canonical.negative", "a negative integer in a wider head than needed", &["IOTP-WIRE-8"], "38 00", "non-canonical-integer", 0),
    ("non-canonical.length", "a text length in a wider head than needed", &["IOTP-WIRE-8"], "78 01 61", "non-canonical-integer", 0),
    ("non-canonical.count", "an array count in a wider head than needed", &["IOTP-WIRE-8"], "98 01 00", "non-canonical-integer", 0),
    ("non-canonical.map-count", "an empty map's count in a following byte", &["IOTP-WIRE-8"], "b8 00", "non-canonical-integer", 0),
    ("non-canonical.nested", "a non-canonical integer as the second array item", &["IOTP-WIRE-8"], "82 00 19 00 01", "non-canonical-integer", 2),
    ("non-canonical.map-key", "a map key in a wider head than needed", &["IOTP-WIRE-8", "IOTP-WIRE-42"], "a1 18 00 00", "non-canonical-integer", 1),
    ("non-canonical-float.single", "1.5 in single precision", &["IOTP-WIRE-17"], "fa 3f c0 00 00", "non-canonical-float", 0),
    ("non-canonical-float.double", "0.0 in double precision", &["IOTP-WIRE-17"], "fb 00 00 00 00 00 00 00 00", "non-canonical-float", 0),
    ("non-canonical-float.nan", "a single-precision NaN", &["IOTP-WIRE-17"], "fa 7f c0 00 00", "non-canonical-float", 0),
    ("non-canonical-float.nan-payload", "a NaN with a payload in an array", &["IOTP-WIRE-17"], "81 f9 7e 01", "non-canonical-float", 1),
    ("forbidden.tag", "a tagged integer", &["IOTP-WIRE-5"], "c1 00", "forbidden-item", 0),
    ("forbidden.undefined", "undefined", &["IOTP-WIRE-5"], "f7", "forbidden-item", 0),
    ("forbidden.simple", "simple value 0", &["IOTP-WIRE-5"], "e0", "forbidden-item", 0),
    ("forbidden.simple-32", "simple value 32 in a following byte", &["IOTP-WIRE-5"], "f8 20", "forbidden-item", 0),
    ("forbidden.nested-tag", "a tag inside an array", &["IOTP-WIRE-5"], "81 d8 20 61 61", "forbidden-item", 1),
    ("invalid-utf8", "text that is not UTF-8", &["IOTP-WIRE-21"], "62 c3 28", "invalid-utf8", 0),
    ("invalid-utf8.surrogate", "an encoded surrogate", &["IOTP-WIRE-21"], "63 ed a0 80", "invalid-utf8", 0),
    ("invalid-utf8.nested", "text that is not UTF-8 as a map value", &["IOTP-WIRE-21"], "a1 00 61 ff", "invalid-utf8", 2),
    ("map.text-key", "a map with a text key", &["IOTP-WIRE-35", "IOTP-WIRE-42"], "a1 61 61 00", "wrong-type", 1),
    ("map.negative-key", "a map with a negative key", &["IOTP-WIRE-35", "IOTP-WIRE-42"], "a1 20 00", "wrong-type", 1),
    ("map.bytes-key", "a map with a byte-string key", &["IOTP-WIRE-35", "IOTP-WIRE-42"], "a1 40 00", "wrong-type", 1),
    ("map.unsorted", "a map with keys out of order", &["IOTP-WIRE-38", "IOTP-WIRE-42"], "a2 01 00 00 00", "unsorted-keys", 3),
    ("map.duplicate", "a map with a duplicate key", &["IOTP-WIRE-37", "IOTP-WIRE-42"], "a2 00 00 00 01", "duplicate-key", 3),
    ("map.key-65536", "a map with key 65536", &["IOTP-WIRE-36", "IOTP-WIRE-42"], "a1 1a 00 01 00 00 00", "out-of-range", 1),
    ("map.nested-unsorted", "keys out of order in a map inside an array", &["IOTP-WIRE-38", "IOTP-WIRE-42"], "81 a2 05 00 04 00", "unsorted-keys", 4),
];

/// The non-conformant items also tried as an unknown variant.
#[rustfmt::skip]
const VARIANTS_TOO: &[&str] = &[
    "truncated.array",
    "invalid-head",
    "indefinite.array",
    "non-canonical.integer",
    "non-canonical-float.single",
    "forbidden.tag",
    "invalid-utf8",
    "map.text-key",
    "map.unsorted",
    "map.duplicate",
    "map.key-65536",
];

fn unknown() -> Area {
    let mut cases = Vec::new();
    let field_reqs: &[&'static str] = &["IOTP-WIRE-53", "IOTP-WIRE-55", "IOTP-WIRE-56"];
    for &(id, description, hex) in CONFORMANT {
        let item = unhex(hex);
        cases.push(Case::ok_json(
            format!("field.{id}"),
            format!("an unknown field (key 100) holding {description}: kept byte for byte"),
            field_reqs,
            "Scalars",
            cat(&[&[0xa1, 0x18, 0x64], &item]),
            format!(r##"{{"#100": "{}"}}"##, super::case::hex(&item)),
        ));
    }
    #[rustfmt::skip]
    let positions: &[OkRow] = &[
        ("position.first", "an unknown field before the first known field", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Scalars", "a2 0e 00 18 18 01", r##"{"#14": "00", "far": 1}"##),
        ("position.between", "an unknown field between two known fields", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Scalars", "a3 01 01 0e 00 18 18 02", r##"{"u8": 1, "#14": "00", "far": 2}"##),
        ("position.last", "an unknown field after the last known field", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Scalars", "a2 01 01 18 64 00", r##"{"u8": 1, "#100": "00"}"##),
        ("position.before-65535", "an unknown field with key 65534 before the known key 65535", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Scalars", "a3 18 18 01 19 ff fe 00 19 ff ff 02", r##"{"far": 1, "#65534": "00", "last": 2}"##),
        ("position.several", "three unknown fields in a row", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Scalars", "a3 0e 00 0f 01 10 02", r##"{"#14": "00", "#15": "01", "#16": "02"}"##),
        ("position.max-key", "an unknown field with key 65535", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Required", "a2 00 01 19 ff ff 00", r##"{"id": 1, "#65535": "00"}"##),
        ("position.next-key", "an unknown field with the next key a newer schema would use", &["IOTP-WIRE-53", "IOTP-WIRE-56"], "Required", "a2 00 01 02 63 61 62 63", r##"{"id": 1, "#2": "63616263"}"##),
        ("nested.in-union-message", "an unknown field in a message inside a union", &["IOTP-WIRE-53", "IOTP-WIRE-55"], "Choice", "a1 03 a2 00 01 18 64 f5", r##"{"record": {"id": 1, "#100": "f5"}}"##),
        ("nested.in-defaults", "an unknown field after defaulted fields", &["IOTP-WIRE-53", "IOTP-WIRE-55"], "Defaults", "a2 00 f4 05 f5", r##"{"flag": false, "#5": "f5"}"##),
        ("nested.in-tree", "unknown fields at two levels of a recursive type", &["IOTP-WIRE-53", "IOTP-WIRE-55"], "Tree", "a3 00 01 01 81 a3 00 02 01 80 02 00 02 01", r##"{"value": 1, "children": [{"value": 2, "children": [], "#2": "00"}], "#2": "01"}"##),
    ];
    cases.extend(rows(positions, &[]));
    for &(id, description, reqs, hex, class, offset) in NOT_CONFORMANT {
        let item = unhex(hex);
        let mut case = Case::bad(
            format!("field.{id}"),
            format!("an unknown field holding what is not profile-conformant: {description}"),
            reqs,
            "Scalars",
            cat(&[&[0xa1, 0x18, 0x64], &item]),
            class,
            3 + offset,
        );
        case.requirements.insert(0, "IOTP-WIRE-54");
        cases.push(case.clone());
        if VARIANTS_TOO.contains(&id) {
            // The same item as an unknown variant of a union: two bytes before it instead of three.
            case.id = format!("variant.{id}");
            case.description =
                format!("an unknown variant holding what is not profile-conformant: {description}");
            case.type_name = "Choice".into();
            case.input = CaseInput::Hex(cat(&[&[0xa1, 0x04], &item]));
            case.want = Want::Invalid {
                class,
                offset: Some(2 + offset),
            };
            cases.push(case);
        }
    }
    Area::new(
        "wire.unknown",
        "Unknown content (spec §4.15): unknown fields of every kind of item at every position, kept \
         and re-encoded byte for byte; unknown fields and variants that are not profile-conformant, \
         for every rule of the profile.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------

fn repeat(hex: &str, n: usize) -> String {
    vec![hex; n].join(" ")
}

fn depth() -> Area {
    let mut cases = Vec::new();
    let nest_json = |item: &str, n: usize| format!("{}{item}{}", "[".repeat(n), "]".repeat(n));
    cases.push(Case::ok_json(
        "max.known",
        "a u8 at depth 16 (MAX_DEPTH) in known content: a Nest with 14 levels of arrays",
        &["IOTP-WIRE-59"],
        "Nest",
        unhex(&format!("a1 00 {} 00", repeat("81", 14))),
        format!(r#"{{"levels": {}}}"#, nest_json("0", 14)),
    ));
    cases.push(Case::ok(
        "max.known-empty",
        "an empty array at depth 16 in known content",
        &["IOTP-WIRE-59"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 80", repeat("81", 13))),
    ));
    cases.push(Case::bad(
        "exceeded.known",
        "a u8 at depth 17 in known content: a full Nest one level down",
        &["IOTP-WIRE-59"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 00", repeat("81", 14))),
        "depth-exceeded",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.known-wrong-type",
        "a text string at depth 17 where a u8 is expected: the depth is checked before the type",
        &["IOTP-WIRE-59", "IOTP-WIRE-64"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 61 61", repeat("81", 14))),
        "depth-exceeded",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.known-out-of-range",
        "256 at depth 17 where a u8 is expected: the depth is checked before the range",
        &["IOTP-WIRE-59", "IOTP-WIRE-64"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 19 01 00", repeat("81", 14))),
        "depth-exceeded",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.initial-byte-first",
        "a tag at depth 17: the initial byte is checked before the depth",
        &["IOTP-WIRE-5", "IOTP-WIRE-64"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} c1 00", repeat("81", 14))),
        "forbidden-item",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.head-first",
        "a non-canonical integer at depth 17: the head is checked before the depth",
        &["IOTP-WIRE-8", "IOTP-WIRE-64"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 18 01", repeat("81", 14))),
        "non-canonical-integer",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.truncated-head-first",
        "an integer head cut short at depth 17: its completeness is checked before the depth",
        &["IOTP-WIRE-9", "IOTP-WIRE-64"],
        "Deep",
        unhex(&format!("a1 00 a1 00 {} 18", repeat("81", 14))),
        "truncated",
        19,
    ));
    cases.push(Case::ok_json(
        "max.unknown",
        "an integer at depth 16 in an unknown field",
        &["IOTP-WIRE-53", "IOTP-WIRE-59"],
        "Scalars",
        unhex(&format!("a1 18 64 {} 00", repeat("81", 14))),
        format!(r##"{{"#100": "{}00"}}"##, "81".repeat(14)),
    ));
    cases.push(Case::ok(
        "max.unknown-empty",
        "an empty array at depth 16 in an unknown field",
        &["IOTP-WIRE-53", "IOTP-WIRE-59"],
        "Scalars",
        unhex(&format!("a1 18 64 {} 80", repeat("81", 14))),
    ));
    cases.push(Case::ok(
        "max.unknown-maps",
        "a key and a value at depth 16 in nested maps of an unknown field",
        &["IOTP-WIRE-53", "IOTP-WIRE-59"],
        "Scalars",
        unhex(&format!("a1 18 64 {} 00", repeat("a1 00", 14))),
    ));
    cases.push(Case::bad(
        "exceeded.unknown",
        "an integer at depth 17 in an unknown field",
        &["IOTP-WIRE-54", "IOTP-WIRE-59"],
        "Scalars",
        unhex(&format!("a1 18 64 {} 00", repeat("81", 15))),
        "depth-exceeded",
        18,
    ));
    cases.push(Case::bad(
        "exceeded.unknown-map-key",
        "a map key at depth 17 in an unknown field: keys count as items",
        &["IOTP-WIRE-54", "IOTP-WIRE-59"],
        "Scalars",
        unhex(&format!("a1 18 64 {} 00", repeat("a1 00", 15))),
        "depth-exceeded",
        32,
    ));
    cases.push(Case::bad(
        "exceeded.unknown-variant",
        "an integer at depth 17 in an unknown variant",
        &["IOTP-WIRE-54", "IOTP-WIRE-59"],
        "Choice",
        unhex(&format!("a1 04 {} 00", repeat("81", 15))),
        "depth-exceeded",
        17,
    ));
    cases.push(Case::bad(
        "exceeded.unknown-in-known",
        "an unknown field whose value reaches depth 17 inside a message inside a union",
        &["IOTP-WIRE-54", "IOTP-WIRE-59"],
        "Choice",
        unhex(&format!("a1 03 a2 00 01 18 64 {} 00", repeat("81", 14))),
        "depth-exceeded",
        21,
    ));
    cases.push(Case::ok(
        "bytes-not-counted",
        "20 nested arrays inside a byte string (EncodedValue) are not items of the input",
        &["IOTP-WIRE-59"],
        "iotp2p.core.InvokeRequest",
        unhex(&format!("a3 01 07 02 08 03 54 {} 00", repeat("81", 19))),
    ));
    // @max_depth(3) on Tree.
    let t = |v: u8, children: &str| format!("a2 00 {v:02x} 01 {children}");
    cases.push(Case::ok_json(
        "max-depth.one",
        "a recursive type (@max_depth(3)) with one level",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&t(1, "80")),
        r#"{"value": 1, "children": []}"#,
    ));
    let three = t(1, &format!("81 {}", t(2, &format!("81 {}", t(3, "80")))));
    cases.push(Case::ok_json(
        "max-depth.at-limit",
        "a recursive type (@max_depth(3)) nested 3 deep",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&three),
        r#"{"value": 1, "children": [{"value": 2, "children": [{"value": 3, "children": []}]}]}"#,
    ));
    let four = t(
        1,
        &format!(
            "81 {}",
            t(2, &format!("81 {}", t(3, &format!("81 {}", t(4, "80")))))
        ),
    );
    cases.push(Case::bad(
        "max-depth.exceeded",
        "a recursive type (@max_depth(3)) nested 4 deep",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&four),
        "depth-exceeded",
        15,
    ));
    let branch = t(2, &format!("81 {}", t(3, "80")));
    cases.push(Case::ok(
        "max-depth.siblings",
        "two sub-trees each 3 deep: the limit counts along a path, not in total",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&t(1, &format!("82 {branch} {branch}"))),
    ));
    let deep_branch = t(2, &format!("81 {}", t(3, &format!("81 {}", t(4, "80")))));
    let leaf = t(2, "80");
    cases.push(Case::bad(
        "max-depth.exceeded-second-branch",
        "the second of two sub-trees nested 4 deep",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&t(1, &format!("82 {leaf} {deep_branch}"))),
        "depth-exceeded",
        20,
    ));
    cases.push(Case::bad(
        "max-depth.exceeded-empty",
        "a fourth level that is an empty map: the depth is checked before its missing fields",
        &["IOTP-WIRE-52"],
        "Tree",
        unhex(&t(
            1,
            &format!("81 {}", t(2, &format!("81 {}", t(3, "81 a0")))),
        )),
        "depth-exceeded",
        15,
    ));
    Area::new(
        "wire.depth",
        "Nesting depth (spec §4.12, §4.16): MAX_DEPTH (16) reached and exceeded in known content, \
         in unknown fields and in unknown variants; the order of the depth check among the others; \
         `@max_depth` at its limit and past it.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------

/// A `Scalars` value with heads of every width, floats, strings, an enum and far keys.
const RICH: &str = "ab 00 f5 02 19 01 f4 04 1b 00 00 01 00 00 00 00 00 06 39 01 f3 09 f9 4d 60 \
                    0a fb 3f b9 99 99 99 99 99 9a 0b 66 68 c3 a9 6c 6c 6f 0c 42 01 02 0d 18 18 \
                    18 18 07 19 ff ff 18 ff";

fn structure() -> Area {
    let mut cases = Vec::new();
    let rich = unhex(RICH);
    cases.push(Case::ok_json(
        "whole",
        "the message whose every prefix the truncated.* vectors hold",
        &["IOTP-WIRE-31"],
        "Scalars",
        rich.clone(),
        r#"{"b": true, "u16": 500, "u64": 1099511627776, "i16": -500, "f32": 21.5, "f64": 0.1,
            "text": "héllo", "data": "0102", "color": "Blue", "far": 7, "last": 255}"#,
    ));
    for n in 0..rich.len() {
        cases.push(Case::bad(
            format!("truncated.{n}"),
            format!(
                "the first {n} of the {} bytes of a message: truncated at the end of the input",
                rich.len()
            ),
            &["IOTP-WIRE-4", "IOTP-WIRE-9"],
            "Scalars",
            rich[..n].to_vec(),
            "truncated",
            n,
        ));
    }
    let union = unhex("a1 03 a2 00 01 01 62 68 69");
    for n in 1..union.len() {
        cases.push(Case::bad(
            format!("truncated-union.{n}"),
            format!("the first {n} of the {} bytes of a union", union.len()),
            &["IOTP-WIRE-4", "IOTP-WIRE-9"],
            "Choice",
            union[..n].to_vec(),
            "truncated",
            n,
        ));
    }
    #[rustfmt::skip]
    let bad: &[BadRow] = &[
        ("empty.message", "no bytes where a message is expected", &["IOTP-WIRE-9"], "Required", "", "truncated", 0),
        ("empty.union", "no bytes where a union is expected", &["IOTP-WIRE-9"], "Choice", "", "truncated", 0),
        ("trailing.zero", "an empty message followed by 00", &["IOTP-WIRE-3"], "Scalars", "a0 00", "trailing-bytes", 1),
        ("trailing.second-message", "two messages one after the other", &["IOTP-WIRE-3"], "Scalars", "a0 a0", "trailing-bytes", 1),
        ("trailing.break", "a message followed by a break: the remaining bytes are not decoded", &["IOTP-WIRE-3"], "Scalars", "a1 01 01 ff", "trailing-bytes", 3),
        ("trailing.reserved", "a message followed by reserved initial bytes", &["IOTP-WIRE-3"], "Scalars", "a0 1c 1d", "trailing-bytes", 1),
        ("trailing.union", "a union followed by null", &["IOTP-WIRE-3"], "Choice", "a1 00 f6 f6", "trailing-bytes", 3),
        ("trailing.after-required", "a message with its required field, then one more byte", &["IOTP-WIRE-3"], "Required", "a1 00 01 00", "trailing-bytes", 3),
        ("trailing.count-too-small", "a map whose count is one less than its entries", &["IOTP-WIRE-3"], "Scalars", "a1 00 f5 01 01", "trailing-bytes", 3),
    ];
    cases.extend(rows(&[], bad));
    Area::new(
        "wire.structure",
        "The input as a whole (spec §4.4, §4.17): a message cut at every byte, empty input, bytes \
         after the top-level item.",
        cases,
    )
}

// ---------------------------------------------------------------------------------------------

/// The choice of which violation a decoder reports when an input breaks a rule of the CBOR
/// structure (truncation, trailing bytes) and another rule earlier in the input.
const MULTIPLE: &str = "multiple-violations";
/// Reports the first violation met reading the input from its start.
const INPUT_ORDER: &str = "input-order";
/// Checks that the input is one complete data item (truncation, trailing bytes) before the rest.
const WELL_FORMED_FIRST: &str = "well-formedness-first";
/// The choice of which class a text string over its bound with ill-formed UTF-8 gets.
const UTF8_BOUND: &str = "utf8-bound-order";

/// An input with two violations: id, description, type, hex, the first violation in the input
/// (class, offset), the violation a well-formedness check finds (class, offset).
type ChoiceRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    (&'static str, usize),
    (&'static str, usize),
);

fn invalid(class: &'static str, offset: usize) -> Want {
    Want::Invalid {
        class,
        offset: Some(offset),
    }
}

fn order() -> Area {
    #[rustfmt::skip]
    let must: &[BadRow] = &[
        ("head-before-bound", "a string over its bound whose length is not in shortest form", &["IOTP-WIRE-8", "IOTP-WIRE-64"], "Bounds", "a1 00 78 05 68 65 6c 6c 6f", "non-canonical-integer", 2),
        ("head-before-type", "a non-canonical integer where a string is expected", &["IOTP-WIRE-8", "IOTP-WIRE-64"], "Scalars", "a1 0b 18 01", "non-canonical-integer", 2),
        ("truncated-head-before-type", "an integer head cut short where a string is expected", &["IOTP-WIRE-9", "IOTP-WIRE-64"], "Scalars", "a1 0b 19 01", "truncated", 4),
        ("float-before-type", "a non-canonical float where an integer is expected", &["IOTP-WIRE-17", "IOTP-WIRE-64"], "Scalars", "a1 01 fa 3f c0 00 00", "non-canonical-float", 2),
        ("initial-byte-before-type", "an indefinite-length byte string where an integer is expected", &["IOTP-WIRE-5", "IOTP-WIRE-64"], "Scalars", "a1 01 5f 41 01 ff", "indefinite-length", 2),
        ("type-before-bound", "a byte string of 10 bytes where a string<4> is expected", &["IOTP-WIRE-26", "IOTP-WIRE-64"], "Bounds", "a1 00 4a 00 01 02 03 04 05 06 07 08 09", "wrong-type", 2),
        ("type-before-utf8", "a byte string that is not UTF-8 where a string is expected", &["IOTP-WIRE-26", "IOTP-WIRE-64"], "Scalars", "a1 0b 42 c3 28", "wrong-type", 2),
        ("type-before-range", "a text string where a u8 with a range is expected", &["IOTP-WIRE-12", "IOTP-WIRE-64"], "Ranges", "a1 00 63 31 30 31", "wrong-type", 2),
        ("type-before-array-bound", "a map of 5 entries where an array<u16, 4> is expected", &["IOTP-WIRE-30", "IOTP-WIRE-64"], "Bounds", "a1 03 a5 00 00 01 00 02 00 03 00 04 00", "wrong-type", 2),
        // Completeness of the content (IOTP-WIRE-76): a map or array announcing more
        // data items than bytes remain is incomplete at its head, before its items are read.
        ("map-count-before-items", "a map announcing 3 entries with 2 bytes left, the first value of the wrong kind", &["IOTP-WIRE-9", "IOTP-WIRE-76"], "Scalars", "a3 00 01", "truncated", 3),
        ("map-count-before-key", "a map announcing 2 entries with 3 bytes left, the first key a text string", &["IOTP-WIRE-9", "IOTP-WIRE-76"], "Scalars", "a2 61 61 00", "truncated", 4),
        ("array-count-before-items", "an array<u16, 4> announcing 4 items with 2 bytes left, the first of the wrong kind", &["IOTP-WIRE-9", "IOTP-WIRE-76"], "Bounds", "a1 03 84 f5 01", "truncated", 5),
        ("array-count-before-depth", "an array at depth 16 announcing 2 items with 1 byte left: incomplete before its item is too deep", &["IOTP-WIRE-9", "IOTP-WIRE-59", "IOTP-WIRE-76"], "iotp2p.core.Status", "a1 0f 81 81 81 81 81 81 81 81 81 81 81 81 81 81 82 00", "truncated", 18),
        ("unknown-count-before-items", "an unknown field's map announcing 2 entries with 3 bytes left, its first key a text string", &["IOTP-WIRE-9", "IOTP-WIRE-54", "IOTP-WIRE-76"], "Scalars", "a1 18 64 a2 61 61 00", "truncated", 7),
        ("string-content-before-utf8", "a text string announcing 3 bytes with 2 present, which are not UTF-8", &["IOTP-WIRE-9", "IOTP-WIRE-21", "IOTP-WIRE-75"], "Scalars", "a1 0b 63 c3 28", "truncated", 5),
        ("head-before-depth", "an item at depth 17 whose head is not in shortest form", &["IOTP-WIRE-8", "IOTP-WIRE-59", "IOTP-WIRE-64"], "iotp2p.core.Status", "a1 0f 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 18 01", "non-canonical-integer", 17),
        ("depth-before-type", "a too deep value of a recursive type (@max_depth(3)) that is of the wrong kind", &["IOTP-WIRE-52", "IOTP-WIRE-64"], "Tree", "a2 00 01 01 81 a2 00 02 01 81 a2 00 03 01 81 61 61", "depth-exceeded", 15),
        ("head-before-max-depth", "a too deep value of a recursive type (@max_depth(3)) whose head is not in shortest form", &["IOTP-WIRE-8", "IOTP-WIRE-52", "IOTP-WIRE-64"], "Tree", "a2 00 01 01 81 a2 00 02 01 81 a2 00 03 01 81 b8 00", "non-canonical-integer", 15),
    ];
    let mut cases = rows(&[], must);
    // IOTP-WIRE-29: an array over its bound is rejected on its head, before its items.
    #[rustfmt::skip]
    let should: &[BadRow] = &[
        ("array-bound-on-head.bad-item", "an array<u16, 4> announcing 5 items, the second of the wrong kind", &["IOTP-WIRE-29"], "Bounds", "a1 03 85 01 61 61 01 01 01", "bound-exceeded", 2),
        ("array-bound-on-head.nested", "an inner array<u8, 2> announcing 3 items, the first a map", &["IOTP-WIRE-29"], "Bounds", "a1 04 81 83 a0 01 01", "bound-exceeded", 3),
    ];
    cases.extend(rows(&[], should).into_iter().map(Case::should));
    // An array over its bound whose items are not all there breaks two rules: the bound, met on the
    // head (IOTP-WIRE-29), and the completeness of the input, met at its end.
    for (id, description, reqs, hex, len) in [
        (
            "array-bound-on-head.truncated",
            "an array<u16, 4> announcing 5 items with 1 present",
            &["IOTP-WIRE-29", "IOTP-WIRE-62"][..],
            "a1 03 85 01",
            4,
        ),
        (
            "array-bound-on-head.huge",
            "an array<u16, 4> announcing 65536 items with none present",
            &["IOTP-WIRE-29", "IOTP-WIRE-60", "IOTP-WIRE-62"][..],
            "a1 03 9a 00 01 00 00",
            7,
        ),
    ] {
        cases.push(
            Case::choice(
                id,
                format!(
                    "{description}: `{INPUT_ORDER}` reports the bound on the array's head, \
                     `{WELL_FORMED_FIRST}` the incomplete input"
                ),
                reqs,
                "Bounds",
                unhex(hex),
                MULTIPLE,
                vec![
                    (INPUT_ORDER, invalid("bound-exceeded", 2)),
                    (WELL_FORMED_FIRST, invalid("truncated", len)),
                ],
            )
            .should(),
        );
    }
    // Inputs that break two rules where the spec does not order them (§4.17: "a decoder may report
    // the class of any of them").
    #[rustfmt::skip]
    let choices: &[ChoiceRow] = &[
        ("several.type-then-truncated", "a wrong-type value, then the input ends after the second key", "iotp2p.core.SemVer", "a2 00 61 31 01", ("wrong-type", 2), ("truncated", 5)),
        ("several.missing-then-trailing", "a message without its required field, followed by a byte", "Required", "a0 00", ("missing-field", 0), ("trailing-bytes", 1)),
        ("several.bound-then-truncated", "a byte string over its bound whose content is cut short", "Bounds", "a1 01 45 01 02", ("bound-exceeded", 2), ("truncated", 5)),
        ("several.unsorted-then-truncated", "keys out of order, then the input ends inside the value", "Scalars", "a2 01 00 00 19 01", ("unsorted-keys", 3), ("truncated", 6)),
        ("several.range-then-trailing", "a value out of range, then a trailing byte", "Ranges", "a1 00 00 00", ("out-of-range", 2), ("trailing-bytes", 3)),
        ("several.type-then-incomplete-string", "a byte string where a string is expected, its content cut short", "Scalars", "a1 0b 43 61", ("wrong-type", 2), ("truncated", 4)),
        ("several.key-range-then-incomplete-string", "a map key above 65535, then a string whose content is cut short", "Scalars", "a1 1a 00 01 00 00 63 61", ("out-of-range", 1), ("truncated", 8)),
        ("several.depth-then-truncated", "an item at depth 17, then the input ends inside the next entry", "iotp2p.core.Status", "a2 0f 81 81 81 81 81 81 81 81 81 81 81 81 81 81 81 00 18", ("depth-exceeded", 17), ("truncated", 19)),
    ];
    for &(id, description, ty, hex, first, wf) in choices {
        cases.push(Case::choice(
            id,
            format!(
                "{description}: `{INPUT_ORDER}` reports the first violation in the input, \
                 `{WELL_FORMED_FIRST}` the incomplete or trailing data"
            ),
            &["IOTP-WIRE-62", "IOTP-WIRE-77"],
            ty,
            unhex(hex),
            MULTIPLE,
            vec![
                (INPUT_ORDER, invalid(first.0, first.1)),
                (WELL_FORMED_FIRST, invalid(wf.0, wf.1)),
            ],
        ));
    }
    for (id, ty, hex) in [
        ("utf8-and-bound.short", "Bounds", "a1 00 65 c3 28 61 62 63"),
        (
            "utf8-and-bound.surrogate",
            "Scalars",
            "a1 0b 71 ed a0 80 61 61 61 61 61 61 61 61 61 61 61 61 61 61",
        ),
    ] {
        cases.push(Case::choice(
            id,
            "a text string over its bound that is not UTF-8: IOTP-WIRE-64 orders wrong-type before \
             both classes but not the two among themselves",
            &["IOTP-WIRE-21", "IOTP-WIRE-22", "IOTP-WIRE-62"],
            ty,
            unhex(hex),
            UTF8_BOUND,
            vec![
                ("bound-first", invalid("bound-exceeded", 2)),
                ("utf8-first", invalid("invalid-utf8", 2)),
            ],
        ));
    }
    Area::new(
        "wire.order",
        "Which class a decoder reports (spec §4.17.1, §4.17.2): the order of checks on one data \
         item, a string's content checked complete before its UTF-8, a map or array whose count \
         exceeds the bytes left rejected on its head, arrays over their bound rejected on their head \
         (SHOULD), and inputs with two violations whose class depends on the decoder's order \
         (implementation-defined: choices `multiple-violations` = `input-order` | \
         `well-formedness-first`, `utf8-bound-order` = `bound-first` | `utf8-first`).",
        cases,
    )
}
