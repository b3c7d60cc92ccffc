//! Which field a decode error names. Generated decoders keep the field being read in one local that
//! the error takes on the way out, so these pin down what that local holds at each point: the field
//! whose value failed, the deepest one when messages nest, and none for the map's own structure
//! (keys, unknown entries) between fields.

use iotp2p_codec::core::{CapabilityInfo, SemVer};
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::{DecodeError, ErrorClass};

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

#[test]
fn a_value_that_fails_names_its_field() {
    // {0: "x"}
    assert_eq!(
        semver(&[0xa1, 0x00, 0x61, b'x']),
        named(ErrorClass::WrongType, 2, "SemVer.major")
    );
    // {0: 1, 2: 0}: a default written out is the field's error, reported at its key.
    assert_eq!(
        semver(&[0xa2, 0x00, 0x01, 0x02, 0x00]),
        named(ErrorClass::DefaultValuePresent, 3, "SemVer.patch")
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
        named(ErrorClass::WrongType, 4, "SemVer.minor")
    );
}

#[test]
fn a_missing_field_is_named() {
    assert_eq!(
        semver(&[0xa1, 0x01, 0x01]),
        named(ErrorClass::MissingField, 0, "SemVer.major")
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
        named(ErrorClass::WrongType, 12, "SemVer.major")
    );
    // The version is not a map, or its keys are out of order: the outer field is named.
    assert_eq!(
        info(&[0x01]),
        named(ErrorClass::WrongType, 10, "CapabilityInfo.version")
    );
    assert_eq!(
        info(&[0xa2, 0x01, 0x01, 0x00, 0x01]),
        named(ErrorClass::UnsortedKeys, 13, "CapabilityInfo.version")
    );
}
