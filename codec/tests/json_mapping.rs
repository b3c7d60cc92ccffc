//! The canonical JSON mapping (feature `serde`, spec/04-wire-format.md §4.18) of the golden code
//! generated from the compiler's test schemas, which has every scalar type, ranges, defaults, unknown
//! fields and variants, enums with unknown values, keyword field names, and recursive types.
//!
//! Writers: exact text for each rule. Readers: what they must accept (members in any order, defaults
//! present with their default value) and reject (unknown or duplicate members, `#<key>` of a known
//! key, integers with a fraction or out of range, non-canonical hex, ...).
//!
//! `cargo test -p iotp2p-codec --all-features` (the whole workspace's `cargo test` enables `serde`
//! too, through `iotp2p-codegen`'s dev-dependency).

#![cfg(feature = "serde")]

use iotp2p_codec::prelude::*;
#[path = "../../codegen/tests/golden/rust/mod.rs"]
#[allow(dead_code)]
mod generated;

use generated::example_every_scalar::{self as scalars, owned as scalars_owned, Flavor};
use generated::example_recursive::{self as recursive, owned as recursive_owned};
use generated::{from_json, to_json, TYPE_NAMES};
use iotp2p_codec::runtime::json::Error;
use iotp2p_codec::runtime::OwnedUnknownFields;
use serde_json::json;

/// The JSON text of the value `bytes` encode, as `type_name`.
fn text_of(type_name: &str, bytes: &[u8]) -> String {
    let mut out = Vec::new();
    to_json(type_name, bytes, &mut serde_json::Serializer::new(&mut out))
        .expect("a golden type")
        .unwrap_or_else(|e| panic!("{type_name}: {e}"));
    String::from_utf8(out).unwrap()
}

/// The encoding of `text` read as `type_name`, or the reader's message.
fn bytes_of(type_name: &str, text: &str) -> Result<Vec<u8>, String> {
    from_json(type_name, &mut serde_json::Deserializer::from_str(text))
        .expect("a golden type")
        .map_err(|e| e.to_string())
}

/// Text → bytes → the same text, for canonical JSON.
#[track_caller]
fn round_trip(type_name: &str, text: &str) -> Vec<u8> {
    let bytes = bytes_of(type_name, text).unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(text_of(type_name, &bytes), text, "{type_name}");
    bytes
}

#[track_caller]
fn rejected(type_name: &str, text: &str, why: &str) {
    match bytes_of(type_name, text) {
        Ok(bytes) => panic!("{text} was accepted as {bytes:02x?}"),
        Err(e) => assert!(e.contains(why), "{text}: {e:?} does not say {why:?}"),
    }
}

const FLOATS: &str = "example.every_scalar.Floats";
const INTEGERS: &str = "example.every_scalar.Integers";
const TEXT: &str = "example.every_scalar.Text";
const COLLECTIONS: &str = "example.every_scalar.Collections";
const EVERYTHING: &str = "example.every_scalar.Everything";
const KEYWORDS: &str = "example.every_scalar.Keywords";

#[test]
fn floats_are_numbers_or_the_three_strings() {
    // Defaults left out: only the required field.
    assert_eq!(
        round_trip(FLOATS, r#"{"required_f64":0.0}"#),
        [0xa1, 0x04, 0xf9, 0x00, 0x00]
    );
    round_trip(
        FLOATS,
        r#"{"a_f32":"NaN","a_f64":"Infinity","thousands":"-Infinity","small":0.1,"required_f64":-0.0}"#,
    );
    // f32 as its shortest binary32 decimal, f64 exact; extremes.
    round_trip(
        FLOATS,
        r#"{"a_f32":3.4028235e+38,"a_f64":5e-324,"small":1e-45,"required_f64":0.1}"#,
    );
    let bytes = round_trip(FLOATS, r#"{"small":16777216.0,"required_f64":1e+300}"#);
    let floats = scalars::Floats::decode(&bytes).unwrap();
    assert_eq!((floats.small, floats.required_f64), (16777216.0, 1e300));
    // The one f32 whose shortest decimal lies exactly halfway between two f32s once read as an f64.
    let bytes = round_trip(FLOATS, r#"{"small":7.038531e-26,"required_f64":0.0}"#);
    let floats = scalars::Floats::decode(&bytes).unwrap();
    assert_eq!(floats.small, "7.038531e-26".parse::<f32>().unwrap());
    // Readers round to the field's type and take integers too.
    let bytes = bytes_of(FLOATS, r#"{"small":0.1000000001,"required_f64":3}"#).unwrap();
    let floats = scalars::Floats::decode(&bytes).unwrap();
    assert_eq!((floats.small, floats.required_f64), (0.1f32, 3.0));
    rejected(FLOATS, r#"{"required_f64":"nan"}"#, "invalid value");
    rejected(FLOATS, r#"{"required_f64":null}"#, "invalid type");
}

#[test]
fn f32_numbers_are_rounded_once_and_must_be_in_range() {
    // Shortest decimals of binary64 values halfway between two f32s: each is rounded once, to its
    // own side (through binary64 and ties to even, the other way; spec IOTP-WIRE-70).
    for (text, bits) in [
        ("1.0000000596046448", 0x3f80_0001_u32),
        ("1.0000001788139343", 0x3f80_0001),
        ("-1.0000000596046448", 0xbf80_0001),
        ("2.1019476964872256e-45", 0x0000_0001),
        ("3.4028235677973366e38", 0x7f7f_ffff),
        ("16777217", 0x4b80_0000),
        ("-0", 0x8000_0000),
    ] {
        let bytes = bytes_of(FLOATS, &format!(r#"{{"small":{text},"required_f64":0}}"#))
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        let floats = scalars::Floats::decode(&bytes).unwrap();
        assert_eq!(floats.small.to_bits(), bits, "{text}");
    }
    // A number whose rounded value is infinite is rejected, for f32 as for f64.
    for text in ["1e39", "-1e39", "3.4028236e38"] {
        rejected(
            FLOATS,
            &format!(r#"{{"small":{text},"required_f64":0}}"#),
            "range",
        );
    }
    rejected(FLOATS, r#"{"required_f64":1e309}"#, "range");
}

#[test]
fn defaults_are_left_out_and_accepted_when_present() {
    // All at their default (the schema's extremes): an empty object, an empty map... but for the
    // required field.
    let text = json!({
        "a_f32": 1.5, "a_f64": -0.25, "thousands": 2000.0, "small": 0.0015, "required_f64": 1.0
    })
    .to_string();
    let bytes = bytes_of(FLOATS, &text).unwrap();
    assert_eq!(bytes, [0xa1, 0x04, 0xf9, 0x3c, 0x00]);
    assert_eq!(text_of(FLOATS, &bytes), r#"{"required_f64":1.0}"#);

    let defaults = json!({
        "a_u8": 255, "ranged_u8": 200, "a_u16": 65535, "capped_u16": 1000, "a_u32": 4294967295u32,
        "floor_u32": 10, "a_u64": 18446744073709551615u64, "a_i8": -128, "ranged_i8": -40,
        "a_i16": -32768, "a_i32": -2147483648, "negative_i32": -10,
        "a_i64": -9223372036854775808i64, "hex_ranged_i64": 0
    })
    .to_string();
    assert_eq!(bytes_of(INTEGERS, &defaults).unwrap(), [0xa0]);
    assert_eq!(text_of(INTEGERS, &[0xa0]), "{}");

    let owned: scalars_owned::Text = serde_json::from_value(json!({
        "bounded": "", "blob": "", "default_blob": "", "hash": "00".repeat(32),
        "on_by_default": true, "off_by_default": false, "defaulted": "plain", "empty": "",
        "escaped": "tab\tquote\"slash\\ lf\n cr\r bulb 💡 eé", "accented": "température"
    }))
    .unwrap();
    assert_eq!(owned.defaulted, "plain");
    let bytes = owned.encode_to_vec().unwrap();
    assert_eq!(
        serde_json::to_value(scalars::Text::decode(&bytes).unwrap()).unwrap(),
        json!({"bounded": "", "blob": "", "default_blob": "", "hash": "00".repeat(32)})
    );
}

#[test]
fn integers_are_exact_and_checked() {
    round_trip(
        INTEGERS,
        r#"{"a_u64":18446744073709551614,"a_i64":-9223372036854775807,"last":0}"#,
    );
    round_trip(INTEGERS, r#"{"a_u64":1,"a_i64":9223372036854775807}"#);
    rejected(INTEGERS, r#"{"a_u8":256}"#, "invalid value");
    rejected(INTEGERS, r#"{"a_u8":-1}"#, "invalid value");
    rejected(INTEGERS, r#"{"a_u8":1.0}"#, "invalid type");
    rejected(INTEGERS, r#"{"a_u8":1e2}"#, "invalid type");
    rejected(INTEGERS, r#"{"a_u8":"1"}"#, "invalid type");
    rejected(
        INTEGERS,
        r#"{"a_u64":18446744073709551616}"#,
        "invalid type",
    );
    // `@range` bounds, at and past each end.
    rejected(
        INTEGERS,
        r#"{"ranged_u8":0}"#,
        "outside the field's range 1..=200",
    );
    rejected(INTEGERS, r#"{"ranged_u8":201}"#, "outside");
    round_trip(INTEGERS, r#"{"ranged_u8":1}"#);
    rejected(INTEGERS, r#"{"a_u64":0}"#, "outside");
    rejected(INTEGERS, r#"{"negative_i32":-9}"#, "outside");
    rejected(INTEGERS, r#"{"hex_ranged_i64":-17}"#, "outside");
    round_trip(INTEGERS, r#"{"hex_ranged_i64":-16}"#);
    rejected(INTEGERS, r#"{"a_i16":1}"#, "outside");
}

#[test]
fn members_in_any_order_but_no_strangers_or_twins() {
    let ordered = round_trip(INTEGERS, r#"{"a_u8":1,"a_i8":2,"last":3}"#);
    assert_eq!(
        bytes_of(INTEGERS, r#"{"last":3,"a_i8":2,"a_u8":1}"#).unwrap(),
        ordered
    );
    rejected(INTEGERS, r#"{"a_u9":1}"#, "a_u9");
    rejected(INTEGERS, r#"{"A_U8":1}"#, "A_U8");
    rejected(INTEGERS, r#"{"a_u8":1,"a_u8":1}"#, "duplicate field `a_u8`");
    rejected(FLOATS, "{}", "missing field `required_f64`");
    rejected(FLOATS, "[]", "invalid type");
    // Keyword names are the schema's, not Rust's.
    round_trip(
        KEYWORDS,
        r#"{"type":1,"version":"v","optional":true,"message":{}}"#,
    );
    rejected(KEYWORDS, r#"{"r#type":1,"version":""}"#, "r#type");
}

#[test]
fn unknown_fields_are_hash_keys_with_hex_values() {
    // {0: 1, 7: 2, 60000: "x", 65535: 3}: the unknown field sits between `a_i8` and `last`.
    let bytes = [
        0xa4, 0x00, 0x01, 0x07, 0x02, 0x19, 0xea, 0x60, 0x61, b'x', 0x19, 0xff, 0xff, 0x03,
    ];
    let text = text_of(INTEGERS, &bytes);
    assert_eq!(text, r##"{"a_u8":1,"a_i8":2,"#60000":"6178","last":3}"##);
    assert_eq!(bytes_of(INTEGERS, &text).unwrap(), bytes);
    // Before every field, after every field, several.
    round_trip(FLOATS, r##"{"required_f64":1.0,"#5":"f6","#6":"a0"}"##);
    round_trip(
        "example.every_scalar.Nothing",
        r##"{"#0":"00","#23":"17","#24":"1818","#65535":"80"}"##,
    );
    rejected(INTEGERS, r##"{"#0":"01"}"##, "`#0` is the key of `a_u8`");
    rejected(INTEGERS, r##"{"#65535":"01"}"##, "key of `last`");
    rejected(
        INTEGERS,
        r##"{"#14":"01","#14":"01"}"##,
        "duplicate member `#14`",
    );
    for bad in ["#014", "#-1", "#+1", "#65536", "#", "#1e1", "# 1"] {
        rejected(
            INTEGERS,
            &format!(r#"{{"{bad}":"01"}}"#),
            "is not `#` and a key",
        );
    }
    // The value must be the canonical encoding of exactly one data item, in lowercase hex.
    rejected(INTEGERS, r##"{"#14":"1801"}"##, "non-canonical-integer");
    rejected(INTEGERS, r##"{"#14":"0000"}"##, "trailing-bytes");
    rejected(INTEGERS, r##"{"#14":""}"##, "truncated");
    rejected(INTEGERS, r##"{"#14":"F6"}"##, "lowercase hexadecimal");
    rejected(INTEGERS, r##"{"#14":"f"}"##, "lowercase hexadecimal");
    rejected(INTEGERS, r##"{"#14":246}"##, "invalid type");
    rejected(INTEGERS, r##"{"#14":"c0"}"##, "forbidden-item");
}

#[test]
fn bytes_are_lowercase_hex_and_strings_are_strings() {
    let hash = "0123456789abcdef".repeat(4);
    let text = format!(
        r#"{{"bounded":"\"é\"\n","escaped":"","blob":"00ff","default_blob":"","hash":"{hash}"}}"#
    );
    round_trip(TEXT, &text);
    rejected(
        TEXT,
        &text.replace("00ff", "00FF"),
        "lowercase hexadecimal digits",
    );
    rejected(TEXT, &text.replace(&hash, "00"), "1 bytes where exactly 32");
    // A string over its bound is read, and refused by the encoder (a schema violation).
    let long = text.replace(
        r#""bounded":"\"é\"\n""#,
        &format!(r#""bounded":"{}""#, "x".repeat(17)),
    );
    match from_json(TEXT, &mut serde_json::Deserializer::from_str(&long)).unwrap() {
        Err(Error::Encode(e)) => assert_eq!(
            e.to_string(),
            // `key 2` with the codec's feature `field-keys` (errors name fields by key).
            if cfg!(feature = "field-keys") {
                "key 2 is longer than its bound"
            } else {
                "Text.bounded is longer than its bound"
            }
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn enums_by_name_and_unknown_values_by_number() {
    assert_eq!(
        serde_json::to_string(&Flavor::Salted).unwrap(),
        r#""Salted""#
    );
    assert_eq!(serde_json::to_string(&Flavor::from_u32(5)).unwrap(), "5");
    assert_eq!(
        serde_json::to_string(&Flavor::from_u32(u32::MAX)).unwrap(),
        r#""Largest""#
    );
    let read = |text: &str| serde_json::from_str::<Flavor>(text).map_err(|e| e.to_string());
    assert_eq!(read(r#""Plain""#), Ok(Flavor::Plain));
    assert_eq!(read("17"), Ok(Flavor::Salted));
    assert_eq!(read("4294967295").map(Flavor::to_u32), Ok(u32::MAX));
    assert_eq!(read("6").map(Flavor::to_u32), Ok(6));
    assert!(read(r#""Sweet""#).unwrap_err().contains("Sweet"));
    assert!(read(r#""plain""#).is_err());
    assert!(read("4294967296").is_err());
    assert!(read("-1").is_err());
    assert!(read("1.0").is_err());
    // By name through the index, as a top-level value.
    assert_eq!(
        text_of("example.every_scalar.Flavor", &[0x11]),
        r#""Salted""#
    );
    assert_eq!(bytes_of("example.every_scalar.Flavor", "7"), Ok(vec![0x07]));
    // In arrays, and as a default (`flavor` defaults to Salted).
    round_trip(
        COLLECTIONS,
        r#"{"numbers":[],"small":[],"matrix":[[1.5,"NaN",0.1]],"flavors":["Plain",3,"Largest"],"keys":[],"maybe_flags":[true]}"#,
    );
    let bytes = bytes_of(
        COLLECTIONS,
        r#"{"numbers":[],"small":[],"matrix":[],"flavors":[],"flavor":"Salted","keys":[]}"#,
    )
    .unwrap();
    assert_eq!(
        text_of(COLLECTIONS, &bytes),
        r#"{"numbers":[],"small":[],"matrix":[],"flavors":[],"keys":[]}"#
    );
}

#[test]
fn unions_are_one_member_objects() {
    assert_eq!(
        round_trip(EVERYTHING, r#"{"none":null}"#),
        [0xa1, 0x00, 0xf6]
    );
    round_trip(EVERYTHING, r#"{"nothing":{}}"#);
    round_trip(EVERYTHING, r#"{"count":4294967295}"#);
    round_trip(EVERYTHING, r#"{"integers":{"last":7}}"#);
    assert_eq!(
        round_trip(EVERYTHING, r##"{"#300":"82f6f6"}"##),
        [0xa1, 0x19, 0x01, 0x2c, 0x82, 0xf6, 0xf6]
    );
    rejected(EVERYTHING, "{}", "exactly one member");
    rejected(
        EVERYTHING,
        r#"{"none":null,"count":1}"#,
        "exactly one member",
    );
    rejected(EVERYTHING, r#"{"none":0}"#, "invalid type");
    rejected(EVERYTHING, r#"{"count":null}"#, "invalid type");
    rejected(EVERYTHING, r#"{"legacy":null}"#, "legacy");
    rejected(EVERYTHING, r##"{"#4":"00"}"##, "key of `count`");
    rejected(EVERYTHING, r##"{"#300":"8200"}"##, "truncated");
    rejected(EVERYTHING, r#"null"#, "invalid type");
}

#[test]
fn recursive_values_nest() {
    // not(all([constant 5, compare(less, now, sensor "t")]))
    let text = r#"{"not":{"all":[{"constant":5},{"compare":{"op":"Less","left":{"now":null},"right":{"sensor":"t"}}}]}}"#;
    let bytes = round_trip("example.recursive.Expr", text);
    let expr = recursive::Expr::decode(&bytes).unwrap();
    assert_eq!(serde_json::to_string(&expr).unwrap(), text);
    let owned: recursive_owned::Expr = serde_json::from_str(text).unwrap();
    assert_eq!(owned, expr.into_owned());
    assert_eq!(serde_json::to_string(&owned).unwrap(), text);
    let recursive_owned::Expr::Not(inner) = &owned else {
        panic!("{owned:?}")
    };
    assert!(matches!(**inner, recursive_owned::Expr::All(ref items) if items.len() == 2));
    // Rooms and gateways, through optional fields.
    round_trip(
        "example.recursive.Room",
        r#"{"name":"hall","gateway":{"address":"0001020304050607","location":{"name":"attic"}}}"#,
    );
}

#[test]
fn borrowed_and_owned_values_write_the_same_json() {
    let text = r##"{"a_u8":1,"#14":"f5","last":2}"##;
    let bytes = bytes_of(INTEGERS, text).unwrap();
    let borrowed = scalars::Integers::decode(&bytes).unwrap();
    let owned = borrowed.into_owned();
    assert_eq!(serde_json::to_string(&borrowed).unwrap(), text);
    assert_eq!(serde_json::to_string(&owned).unwrap(), text);
    assert_eq!(
        serde_json::to_value(&owned).unwrap(),
        serde_json::to_value(borrowed).unwrap()
    );
    let read: scalars_owned::Integers = serde_json::from_str(text).unwrap();
    assert_eq!(read, owned);
    let mut unknown = OwnedUnknownFields::new();
    unknown.insert(14, &[0xf5]).unwrap();
    assert_eq!(read.unknown_fields, unknown);
}

#[test]
fn every_golden_type_reads_back_what_it_writes() {
    // Small values of each type, where the type has them: `{}`, a unit variant, an enum number.
    let mut seen = 0;
    for name in TYPE_NAMES {
        for text in ["{}", r#"{"none":null}"#, r#"{"on":null}"#, "0", "4000"] {
            if let Ok(bytes) = bytes_of(name, text) {
                let again = text_of(name, &bytes);
                assert_eq!(
                    bytes_of(name, &again),
                    Ok(bytes),
                    "{name}: {text} then {again}"
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 10, "{seen}");
    assert!(from_json("example.every_scalar.NoSuchType", serde_json::Value::Null).is_none());
}

#[test]
fn rejected_bytes_are_decode_errors() {
    let mut out = Vec::new();
    let result = to_json(
        FLOATS,
        &[0xa1, 0x04, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0],
        &mut serde_json::Serializer::new(&mut out),
    )
    .unwrap();
    let Err(Error::Decode(e)) = result else {
        panic!("{result:?}")
    };
    assert_eq!(e.class().name(), "non-canonical-float");
}
