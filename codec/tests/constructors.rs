//! The generated constructors: `new` from the required fields sets every other field as an encoding
//! that leaves it out decodes (the schema's defaults, `None`, no unknown fields), so its value
//! encodes exactly like the struct literal that spells those out and decodes back equal; `Default`
//! is `new()` where no field is required; the `DEFAULT_*` constants are the schema's defaults, the
//! owned form's equal to the borrowed form's. Both forms, on the core schema and on the golden code
//! of the compiler's test schemas (string, float and enum defaults).

use iotp2p_codec::core::{Envelope, Presence, PresenceState, SemVer};
use iotp2p_codec::runtime::{Message, UnknownFields};
#[path = "../../codegen/tests/golden/rust/mod.rs"]
#[allow(dead_code)]
mod generated;

use generated::example_every_scalar::{Collections, Flavor, Floats, Integers, Nothing, Text};

/// `value` encodes to the bytes of `literal` and decodes back to `literal`.
fn same_encoding<'a, T>(value: &T, literal: &T, buf: &'a mut [u8]) -> &'a [u8]
where
    T: Message<'a> + PartialEq + core::fmt::Debug,
{
    assert_eq!(value, literal);
    let mut other = [0u8; 512];
    let n = literal.encode(&mut other).unwrap();
    let m = value.encode(buf).unwrap();
    assert_eq!(&buf[..m], &other[..n]);
    let bytes = &buf[..m];
    assert_eq!(&T::decode(bytes).unwrap(), literal);
    bytes
}

#[test]
fn the_envelope_from_its_message_id() {
    let literal = Envelope {
        version: 1,
        message_id: 42,
        correlation_id: None,
        ack_requested: false,
        ttl: None,
        more: false,
        recipient: None,
        sender: None,
        recipient_contact: None,
        sender_contact: None,
        key_id: None,
        sealed: None,
        body: None,
        unknown_fields: UnknownFields::NONE,
    };
    let mut buf = [0u8; 64];
    // {1: 42}: the defaults are left out.
    assert_eq!(
        same_encoding(&Envelope::new(42), &literal, &mut buf),
        [0xa1, 0x01, 0x18, 0x2a]
    );
    assert_eq!(
        (
            Envelope::DEFAULT_VERSION,
            Envelope::DEFAULT_ACK_REQUESTED,
            Envelope::DEFAULT_MORE
        ),
        (1, false, false)
    );
    // A constant expression, and the usual struct update on top of it.
    const PING: Envelope<'static> = Envelope::new(7);
    let acked = Envelope {
        ack_requested: true,
        ..PING
    };
    assert_eq!(
        (acked.message_id, acked.ack_requested, acked.version),
        (7, true, 1)
    );
}

#[test]
fn default_is_new_where_no_field_is_required() {
    let mut buf = [0u8; 64];
    let presence = Presence {
        state: PresenceState::Awake,
        sleep_interval: None,
        max_message: None,
        revision: None,
        unknown_fields: UnknownFields::NONE,
    };
    assert_eq!(Presence::default(), Presence::new());
    assert_eq!(Presence::DEFAULT_STATE, PresenceState::Awake);
    // The empty map.
    assert_eq!(
        same_encoding(&Presence::default(), &presence, &mut buf),
        [0xa0]
    );
    assert_eq!(Integers::default(), Integers::new());
    assert_eq!(
        same_encoding(&Integers::new(), &Integers::default(), &mut buf),
        [0xa0]
    );
    assert_eq!(Nothing::default(), Nothing::new());
    // SemVer's major is required: a constructor, no `Default`.
    assert_eq!(SemVer::new(2).minor, SemVer::DEFAULT_MINOR);
}

#[test]
fn every_kind_of_default() {
    let mut buf = [0u8; 512];
    let integers = Integers::new();
    assert_eq!(
        (
            integers.a_u8,
            integers.a_u64,
            integers.a_i8,
            integers.a_i64,
            integers.negative_i32
        ),
        (255, u64::MAX, -128, i64::MIN, -10)
    );
    let floats = Floats {
        a_f32: 1.5,
        a_f64: -0.25,
        thousands: 2e3,
        small: 1.5e-3,
        required_f64: 0.5,
        unknown_fields: UnknownFields::NONE,
    };
    same_encoding(&Floats::new(0.5), &floats, &mut buf);
    let hash = [7u8; 32];
    let text = Text {
        on_by_default: true,
        off_by_default: false,
        bounded: "b",
        defaulted: "plain",
        escaped: "tab\tquote\"slash\\ lf\n cr\r bulb 💡 eé",
        empty: "",
        accented: "température",
        huge: None,
        blob: b"blob",
        default_blob: b"",
        hash: &hash,
        page: None,
        unknown_fields: UnknownFields::NONE,
    };
    same_encoding(&Text::new("b", b"blob", b"", &hash), &text, &mut buf);
    assert_eq!(Collections::DEFAULT_FLAVOR, Flavor::Salted);
}

#[cfg(feature = "alloc")]
#[test]
fn the_owned_forms_build_the_same_values() {
    use generated::example_every_scalar::owned as scalars_owned;
    use iotp2p_codec::core::owned;
    use iotp2p_codec::runtime::IntoOwned;

    assert_eq!(owned::Envelope::new(42), Envelope::new(42).into_owned());
    assert_eq!(owned::Envelope::DEFAULT_VERSION, Envelope::DEFAULT_VERSION);
    assert_eq!(owned::Presence::default(), Presence::new().into_owned());
    assert_eq!(owned::Presence::new(), owned::Presence::default());
    assert_eq!(
        owned::Envelope::new(42).encode_to_vec().unwrap(),
        [0xa1, 0x01, 0x18, 0x2a]
    );
    // A string default other than "" is allocated: `new` is not a `const fn` there, and equal.
    let hash = [7u8; 32];
    let text = scalars_owned::Text::new("b".into(), b"blob".to_vec(), Vec::new(), hash);
    assert_eq!(text, Text::new("b", b"blob", b"", &hash).into_owned());
    assert_eq!(scalars_owned::Text::DEFAULT_DEFAULTED, "plain");
    assert_eq!(
        scalars_owned::Integers::default(),
        Integers::new().into_owned()
    );
}
