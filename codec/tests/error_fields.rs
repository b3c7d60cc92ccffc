//! Which field a decode error names. Generated decoders keep the field being read in one local that
//! the error takes on the way out, so these pin down what that local holds at each point: the field
//! whose value failed, the deepest one when messages nest, and none for the map's own structure
//! (keys, unknown entries) between fields.
//!
//! A field is named as `runtime::field!` names it: `Type.field`, or with the codec's feature
//! `field-keys` its key (`key 3`), so each expectation here is of both (`name`).

use iotp2p_codec::core::{CapabilityInfo, SemVer};
use iotp2p_codec::generated::{transcode, TYPE_NAMES};
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::{DecodeError, ErrorClass, TranscodeError, Writer};

/// What an error reports: its class, offset and field.
type Named = (ErrorClass, usize, &'static str);

fn parts(e: DecodeError) -> Named {
    (e.class(), e.offset(), e.field())
}

fn semver(input: &[u8]) -> Named {
    parts(SemVer::decode(input).expect_err("the input is invalid"))
}

fn named(class: ErrorClass, offset: usize, field: &'static str) -> Named {
    (class, offset, field)
}

/// How errors name the field `label` of key `key` in this build: `label`, or `key 3` with the
/// feature `field-keys`.
fn name(label: &'static str, key: u32) -> &'static str {
    if cfg!(feature = "field-keys") {
        Box::leak(format!("key {key}").into_boxed_str())
    } else {
        label
    }
}

#[test]
fn a_value_that_fails_names_its_field() {
    // {0: "x"}
    assert_eq!(
        semver(&[0xa1, 0x00, 0x61, b'x']),
        named(ErrorClass::WrongType, 2, name("SemVer.major", 0))
    );
    // {0: 1, 2: 0}: a default written out is the field's error, reported at its key.
    assert_eq!(
        semver(&[0xa2, 0x00, 0x01, 0x02, 0x00]),
        named(ErrorClass::DefaultValuePresent, 3, name("SemVer.patch", 2))
    );
}

#[test]
fn keys_and_unknown_entries_after_a_field_name_none() {
    // {0: 1, 0: 2}: the second key is the map's error, not `major`'s.
    assert_eq!(
        semver(&[0xa2, 0x00, 0x01, 0x00, 0x02]),
        named(ErrorClass::DuplicateKey, 3, "")
    );
    // {0: 1, 9: indefinite-length text}: an unknown entry's value belongs to no field.
    assert_eq!(
        semver(&[0xa2, 0x00, 0x01, 0x09, 0x7f]),
        named(ErrorClass::IndefiniteLength, 4, "")
    );
    // {9: 0, 0: 1, 1: "x"}: a known field after an unknown entry names itself again.
    assert_eq!(
        semver(&[0xa3, 0x00, 0x01, 0x01, 0x61, b'x', 0x09, 0x00]),
        named(ErrorClass::WrongType, 4, name("SemVer.minor", 1))
    );
}

#[test]
fn a_missing_field_is_named() {
    assert_eq!(
        semver(&[0xa1, 0x01, 0x01]),
        named(ErrorClass::MissingField, 0, name("SemVer.major", 0))
    );
}

#[test]
fn nested_messages_name_the_deepest_field() {
    // {0: 1, 1: "p", 2: "n", 3: VERSION}
    let info = |version: &[u8]| {
        let mut input = vec![0xa4, 0x00, 0x01, 0x01, 0x61, b'p', 0x02, 0x61, b'n', 0x03];
        input.extend_from_slice(version);
        parts(CapabilityInfo::decode(&input).expect_err("the version is invalid"))
    };
    // The version's own field failed: the inner name wins.
    assert_eq!(
        info(&[0xa1, 0x00, 0x61, b'x']),
        named(ErrorClass::WrongType, 12, name("SemVer.major", 0))
    );
    // The version is not a map, or its keys are out of order: the outer field is named.
    assert_eq!(
        info(&[0x01]),
        named(ErrorClass::WrongType, 10, name("CapabilityInfo.version", 3))
    );
    assert_eq!(
        info(&[0xa2, 0x01, 0x01, 0x00, 0x01]),
        named(
            ErrorClass::UnsortedKeys,
            13,
            name("CapabilityInfo.version", 3)
        )
    );
}

/// `{key: undefined}`, a map of one entry whose value no field of any type accepts (spec §4.9: a
/// simple value other than false, true and null), so that a known key's own read fails. The map's
/// head and the key by the codec's writer (the key in its shortest form).
fn undefined_at(key: u32) -> Vec<u8> {
    let mut buf = [0; 8];
    let mut w = Writer::new(&mut buf);
    w.map(1).and_then(|()| w.u64(key.into())).unwrap();
    let head = 1 + iotp2p_codec::runtime::head_len(key.into());
    [&buf[..head], &[0xf7]].concat()
}

/// Every field and variant of every generated type names itself, and nothing else does: for each
/// type and each key up to 300 (the schema's keys stop at 64), the error of `{key: undefined}`
/// names either no field (a key the type does not know, or an enum) or this key's field of this
/// type: `key N` exactly with `field-keys`, else `Type.` and a member's name, a different one for
/// each key. `codegen/tests/codec_properties.rs` holds every name to the schema's `Type.field`.
#[test]
fn every_field_of_every_type_names_itself() {
    let mut named_fields = 0;
    for type_name in TYPE_NAMES {
        let short = type_name.rsplit('.').next().unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for key in 0..=300 {
            let input = undefined_at(key);
            let e = match transcode(type_name, &input, &mut [0; 64]) {
                Some(Err(TranscodeError::Decode(e))) => e,
                other => panic!("{type_name} {input:02x?}: {other:?}"),
            };
            let field = e.field();
            if field.is_empty() {
                continue;
            }
            named_fields += 1;
            if cfg!(feature = "field-keys") {
                assert_eq!(field, format!("key {key}"), "{type_name}, key {key}");
            } else {
                let member = field.strip_prefix(short).and_then(|m| m.strip_prefix('.'));
                assert!(
                    member.is_some_and(|m| !m.is_empty() && !m.contains('.')),
                    "{type_name}, key {key}: {field}"
                );
                assert!(seen.insert(field), "{type_name}: {field} twice");
            }
        }
    }
    // Every message and union of the shipped schema has members: far more than one per type.
    assert!(named_fields > 2 * TYPE_NAMES.len(), "{named_fields}");
}
