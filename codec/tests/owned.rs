//! Owned values (feature `alloc`): `into_owned` keeps everything a decoded value has (unknown fields
//! and variants included), owned values re-encode to the same bytes, `encode_to_vec` allocates exactly
//! once, and the owned encoders check the schema's bounds and ranges like the borrowed ones.

#![cfg(feature = "alloc")]

use iotp2p_codec::prelude::*;
#[path = "../../codegen/tests/golden/rust/mod.rs"]
#[allow(dead_code)]
mod generated;

use generated::example_every_scalar::{self as scalars, owned as scalars_owned, Flavor};
use generated::example_lamp::{self as lamp, owned as lamp_owned};
use generated::example_recursive::{self as recursive, owned as recursive_owned};
use iotp2p_codec::core::{self, owned as core_owned};
use iotp2p_codec::runtime::{Array, EncodeError, IntoOwned, OwnedUnknownFields, UnknownFields};

#[test]
fn keep_a_message_after_its_buffer_is_gone() {
    // {0: 1, 1: 2, 2: 3, 60000: "x"}: a SemVer with an unknown field.
    let kept: core_owned::SemVer = {
        let input = vec![
            0xa4, 0x00, 0x01, 0x01, 0x02, 0x02, 0x03, 0x19, 0xea, 0x60, 0x61, b'x',
        ];
        let version = core::SemVer::decode(&input).unwrap();
        version.into_owned()
    };
    assert_eq!((kept.major, kept.minor, kept.patch), (1, 2, 3));
    assert_eq!(kept.unknown_fields.get(60000), Some(&[0x61, b'x'][..]));
    assert_eq!(
        kept.encode_to_vec().unwrap(),
        [0xa4, 0x00, 0x01, 0x01, 0x02, 0x02, 0x03, 0x19, 0xea, 0x60, 0x61, b'x']
    );
    assert_eq!(kept.encoded_len(), 12);
    let mut small = [0u8; 4];
    assert_eq!(
        kept.encode(&mut small),
        Err(EncodeError::BufferTooSmall { needed: 12 })
    );
}

#[test]
fn owned_values_encode_like_borrowed_ones() {
    // A lamp state with strings, fixed bytes, an array, optional fields and an enum.
    let scenes = ["evening", "movie"];
    let borrowed = lamp::LampState {
        on: true,
        level: 200,
        mode: lamp::ColorMode::from_u32(1),
        mireds: Some(250),
        hue: None,
        saturation: Some(3),
        power_on: lamp::PowerOnBehavior::from_u32(7),
        firmware: &[0xab; 20],
        scenes: Array::Slice(&scenes),
        unknown_fields: UnknownFields::NONE,
    };
    let bytes = borrowed.encode_to_vec().unwrap();
    assert_eq!(bytes.len(), borrowed.encoded_len());
    let owned = borrowed.into_owned();
    assert_eq!(owned.scenes, ["evening", "movie"]);
    assert_eq!(owned.firmware, [0xab; 20]);
    assert_eq!(owned.encode_to_vec().unwrap(), bytes);
    assert_eq!(owned.encoded_len(), bytes.len());
    assert_eq!(lamp_owned::LampState::decode(&bytes).unwrap(), owned);
    // The same through the trait, and through a union.
    let command = lamp::Command::RecallScene(lamp::RecallScene {
        name: "movie",
        unknown_fields: UnknownFields::NONE,
    });
    let owned_command = IntoOwned::into_owned(command);
    assert_eq!(
        owned_command,
        lamp_owned::Command::RecallScene(lamp_owned::RecallScene {
            name: "movie".into(),
            unknown_fields: OwnedUnknownFields::new(),
        })
    );
    assert_eq!(
        owned_command.encode_to_vec().unwrap(),
        command.encode_to_vec().unwrap()
    );
}

#[test]
fn unknown_variants_and_enum_values_survive() {
    // Everything: {300: [null, null]}
    let bytes = [0xa1, 0x19, 0x01, 0x2c, 0x82, 0xf6, 0xf6];
    let owned = scalars_owned::Everything::decode(&bytes).unwrap();
    assert_eq!(
        owned,
        scalars_owned::Everything::Unrecognized {
            key: 300,
            value: vec![0x82, 0xf6, 0xf6]
        }
    );
    assert_eq!(owned.encode_to_vec().unwrap(), bytes);
    // Collections: {3: [5], 4: 6} has an unknown flavour in the array and as the field.
    let bytes = [
        0xa6, 0x00, 0x80, 0x01, 0x80, 0x02, 0x80, 0x03, 0x81, 0x05, 0x04, 0x06, 0x05, 0x80,
    ];
    let owned = scalars_owned::Collections::decode(&bytes).unwrap();
    assert_eq!(owned.flavors, [Flavor::from_u32(5)]);
    assert_eq!(owned.flavor.to_u32(), 6);
    assert_eq!(owned.encode_to_vec().unwrap(), bytes);
}

#[test]
fn recursive_members_are_boxed() {
    // not(not(constant 5)): {3: {3: {0: 5}}}
    let bytes = [0xa1, 0x03, 0xa1, 0x03, 0xa1, 0x00, 0x05];
    let owned = recursive::Expr::decode(&bytes).unwrap().into_owned();
    let expected = recursive_owned::Expr::Not(Box::new(recursive_owned::Expr::Not(Box::new(
        recursive_owned::Expr::Constant(5),
    ))));
    assert_eq!(owned, expected);
    assert_eq!(expected.encode_to_vec().unwrap(), bytes);
    // A menu built by hand: arrays of the type itself need no box.
    let leaf = |label: &str| recursive_owned::MenuNode {
        label: label.into(),
        children: Vec::new(),
        action: Some("go".into()),
        unknown_fields: OwnedUnknownFields::new(),
    };
    let menu = recursive_owned::MenuNode {
        label: "root".into(),
        children: vec![leaf("a"), leaf("b")],
        action: None,
        unknown_fields: OwnedUnknownFields::new(),
    };
    let bytes = menu.encode_to_vec().unwrap();
    let decoded = recursive::MenuNode::decode(&bytes).unwrap();
    assert_eq!(decoded.children.len(), 2);
    assert_eq!(decoded.into_owned(), menu);
    // Rooms and gateways refer to each other through optional boxes.
    let room = recursive_owned::Room {
        name: "hall".into(),
        gateway: Some(Box::new(recursive_owned::Gateway {
            address: [7; 8],
            location: None,
            unknown_fields: OwnedUnknownFields::new(),
        })),
        unknown_fields: OwnedUnknownFields::new(),
    };
    let bytes = room.encode_to_vec().unwrap();
    assert_eq!(recursive_owned::Room::decode(&bytes).unwrap(), room);
}

#[test]
fn owned_encoders_check_the_schema() {
    let floats = scalars_owned::Floats {
        a_f32: 1.5,
        a_f64: -0.25,
        thousands: 2e3,
        small: 1.5e-3,
        required_f64: f64::NAN,
        unknown_fields: OwnedUnknownFields::new(),
    };
    // Defaults are left out; every NaN is f9 7e 00.
    assert_eq!(
        floats.encode_to_vec().unwrap(),
        [0xa1, 0x04, 0xf9, 0x7e, 0x00]
    );
    let mut integers = scalars_owned::Integers::decode(&[0xa0]).unwrap();
    assert_eq!(integers.ranged_u8, 200);
    integers.ranged_u8 = 201;
    assert_eq!(
        integers.encode_to_vec(),
        Err(EncodeError::OutOfRange {
            field: iotp2p_codec::runtime::field!("Integers.ranged_u8", key 1)
        })
    );
    let mut text = scalars_owned::Text::decode(&{
        let mut b = vec![0xa4, 0x02, 0x60, 0x08, 0x40, 0x09, 0x40, 0x0a, 0x58, 0x20];
        b.extend([0; 32]);
        b
    })
    .unwrap();
    assert_eq!(text.defaulted, "plain");
    text.bounded = "x".repeat(17);
    assert_eq!(
        text.encode_to_vec(),
        Err(EncodeError::BoundExceeded {
            field: iotp2p_codec::runtime::field!("Text.bounded", key 2)
        })
    );
    // Whatever the buffer: a value the schema does not allow is never just "too small".
    assert_eq!(
        text.encode(&mut []),
        Err(EncodeError::BoundExceeded {
            field: iotp2p_codec::runtime::field!("Text.bounded", key 2)
        })
    );
    // Array bounds, and the bounds of each item.
    let mut collections = scalars_owned::Collections::decode(&[
        0xa5, 0x00, 0x80, 0x01, 0x80, 0x02, 0x80, 0x03, 0x80, 0x05, 0x80,
    ])
    .unwrap();
    collections.small = vec![1, 2, 3, 4, 5];
    assert_eq!(
        collections.encode_to_vec(),
        Err(EncodeError::BoundExceeded {
            field: iotp2p_codec::runtime::field!("Collections.small", key 1)
        })
    );
    collections.small.clear();
    collections.matrix = vec![vec![0.0; 4]];
    assert_eq!(
        collections.encode_to_vec(),
        Err(EncodeError::BoundExceeded {
            field: iotp2p_codec::runtime::field!("Collections.matrix", key 2)
        })
    );
    collections.matrix = vec![vec![0.5; 3]; 3];
    let bytes = collections.encode_to_vec().unwrap();
    assert_eq!(
        scalars::Collections::decode(&bytes).unwrap().into_owned(),
        collections
    );
}
