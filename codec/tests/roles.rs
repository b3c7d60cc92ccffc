//! Decoding by role (`decode_as::<R>`, `runtime::Receives`): a node decodes the `Body` variants its
//! role receives (the schema's `@received_by`) and keeps the others as unknown variants, so that
//! every value re-encodes to the bytes it was decoded from, as with `decode`.

use iotp2p_codec::core::{
    role, Body, DeliveryRef, DescribeRequest, Description, EndpointInfo, Envelope, InvokeRequest,
    InvokeResponse, MemberValue, Presence, PresenceAck, ReadRequest, Receipt, Report, Status,
    StatusCode, SubscribeRequest, UnsubscribeRequest, WriteRequest,
};
use iotp2p_codec::runtime::{self as rt, Everything, Keys, Message, Receives};
use proptest::prelude::*;

/// The encoding of a body with the variant `key` (0 to 13: every variant of the schema; above: a
/// variant it does not define, `{key: n}`), its fields drawn from `n`.
fn body_bytes(key: u32, n: u16) -> Vec<u8> {
    let values = [MemberValue::new(n, &[0x01])];
    let endpoints = [EndpointInfo::new(n, rt::Array::Slice(&[]))];
    let delivered = [DeliveryRef::new(u64::from(n))];
    let body = match key {
        0 => Body::Ack,
        1 => Body::Status(Status {
            code: StatusCode::from_u32(u32::from(n % 20)),
            ..Status::new()
        }),
        2 => Body::Read(ReadRequest::new(n)),
        3 => Body::Write(WriteRequest::new(n, rt::Array::Slice(&values))),
        4 => Body::Invoke(InvokeRequest::new(n, n / 2)),
        5 => Body::InvokeResponse(InvokeResponse::new()),
        6 => Body::Subscribe(SubscribeRequest::new(n, u32::from(n) + 1)),
        7 => Body::Unsubscribe(UnsubscribeRequest::new(u64::from(n))),
        8 => Body::Report(Report::new(n)),
        9 => Body::Describe(DescribeRequest::new()),
        10 => Body::Description(Description::new(rt::Array::Slice(&endpoints))),
        11 => Body::Presence(Presence::new()),
        12 => Body::PresenceAck(PresenceAck::new()),
        13 => Body::Receipt(Receipt::new(rt::Array::Slice(&delivered))),
        // `{key: n}`: an unsigned integer of one to three bytes, canonical as the encoder writes it.
        key => {
            let [high, low] = n.to_be_bytes();
            let value: &[u8] = match n {
                0..=23 => &[low],
                24..=255 => &[0x18, low],
                _ => &[0x19, high, low],
            };
            return to_vec(&Body::Unrecognized {
                key: key.into(),
                value,
            });
        }
    };
    to_vec(&body)
}

/// The encoding of `value` (the tests build without the `alloc` feature's `encode_to_vec`).
fn to_vec<'a, T: Message<'a>>(value: &T) -> Vec<u8> {
    let mut buf = vec![0u8; 4096];
    let n = value.encode(&mut buf).unwrap_or_else(|e| panic!("{e}"));
    buf.truncate(n);
    buf
}

/// A body's encoding split into its variant's key and the variant's encoding.
fn split(body: &[u8]) -> (u64, &[u8]) {
    let mut r = rt::Reader::new(body);
    assert_eq!(r.map(), Ok(1));
    let key = r.key(0).unwrap();
    (key.into(), &body[r.position()..])
}

/// What decoding the body `bytes` as `R` must give, against the full decode: the same value for a
/// variant `R` receives, the variant kept unknown (its key and encoding) for any other, and the
/// same bytes again either way.
fn check_body_as<R: for<'a> Receives<Body<'a>>>(bytes: &[u8]) {
    let full = Body::decode(bytes).expect("a valid body");
    let as_role = Body::decode_as::<R>(bytes).expect("what decode accepts, decode_as accepts");
    let (key, value) = split(bytes);
    let received = <R as Receives<Body<'_>>>::KEYS.contains(key as u32);
    if received {
        assert_eq!(as_role, full);
    } else {
        assert_eq!(as_role, Body::Unrecognized { key, value });
    }
    assert_eq!(to_vec(&as_role), bytes);
}

fn check_envelope_as<R: for<'a> Receives<Body<'a>>>(bytes: &[u8]) {
    let full = Envelope::decode(bytes).expect("a valid envelope");
    let as_role = Envelope::decode_as::<R>(bytes).expect("what decode accepts, decode_as accepts");
    assert_eq!(
        Envelope {
            body: None,
            ..as_role
        },
        Envelope { body: None, ..full },
        "decoding by role changes only the body"
    );
    if let (Some(a), Some(f)) = (as_role.body, full.body) {
        let body = to_vec(&f);
        check_body_as::<R>(&body);
        assert_eq!(a, Body::decode_as::<R>(&body).unwrap());
    }
    assert_eq!(to_vec(&as_role), bytes);
}

fn check_every_role(body: &[u8], envelope: &[u8]) {
    check_body_as::<role::Device>(body);
    check_body_as::<role::App>(body);
    check_body_as::<role::Relay>(body);
    check_body_as::<Everything>(body);
    check_envelope_as::<role::Device>(envelope);
    check_envelope_as::<role::App>(envelope);
    check_envelope_as::<role::Relay>(envelope);
    check_envelope_as::<Everything>(envelope);
}

#[test]
fn the_roles_receive_what_the_schema_says() {
    // spec/schema/core.iotp, `union Body`'s `@received_by`; `ack` and `status` every node receives.
    let keys = |k: Keys| {
        (0..=13)
            .filter(|&key| k.contains(key))
            .collect::<Vec<u32>>()
    };
    let device = <role::Device as Receives<Body<'_>>>::KEYS;
    let app = <role::App as Receives<Body<'_>>>::KEYS;
    let relay = <role::Relay as Receives<Body<'_>>>::KEYS;
    assert_eq!(keys(device), [0, 1, 2, 3, 4, 5, 6, 7, 9, 12]);
    assert_eq!(keys(app), [0, 1, 4, 5, 8, 10]);
    assert_eq!(keys(relay), [0, 1, 2, 3, 4, 5, 6, 7, 9, 11, 13]);
}

#[test]
fn a_device_keeps_a_report_as_an_unknown_variant_and_decodes_an_invoke() {
    let report = body_bytes(8, 3);
    let kept = Body::decode_as::<role::Device>(&report).unwrap();
    assert_eq!(
        kept,
        Body::Unrecognized {
            key: 8,
            value: &report[2..]
        }
    );
    assert!(matches!(
        Body::decode_as::<role::App>(&report),
        Ok(Body::Report(_))
    ));
    let invoke = body_bytes(4, 3);
    assert!(matches!(
        Body::decode_as::<role::Device>(&invoke),
        Ok(Body::Invoke(i)) if i.capability == 3
    ));
}

#[test]
fn a_variant_not_received_is_checked_only_for_well_formedness() {
    // A `report` whose `capability` is a text string: the full decode rejects it, a device keeps
    // it as it would a variant of a newer schema; bytes that are not one CBOR item it rejects.
    let wrong = [0xa1, 0x08, 0xa1, 0x01, 0x61, 0x78];
    assert!(Body::decode(&wrong).is_err());
    assert_eq!(
        Body::decode_as::<role::Device>(&wrong),
        Ok(Body::Unrecognized {
            key: 8,
            value: &wrong[2..]
        })
    );
    assert!(Body::decode_as::<role::Device>(&[0xa1, 0x08, 0xa1, 0x01]).is_err());
    assert!(Body::decode_as::<role::App>(&wrong).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every body variant, one the schema does not define, in a plain or a sealed envelope: decoding
    /// as any role re-encodes to the bytes, and differs from the full decode only in the variants the
    /// role does not receive.
    #[test]
    fn decoding_by_role_re_encodes_to_the_same_bytes(
        key in prop_oneof![0u32..=13, 14u32..=40],
        n in any::<u16>(),
        message_id in 0u64..(1 << 40),
        correlation_id in proptest::option::of(0u64..(1 << 40)),
        ack_requested in any::<bool>(),
        sealed in any::<bool>(),
    ) {
        let body = body_bytes(key, n);
        let decoded = Body::decode(&body).unwrap();
        let envelope = Envelope {
            correlation_id,
            ack_requested,
            sealed: sealed.then_some(&body[..]),
            body: (!sealed).then_some(decoded),
            ..Envelope::new(message_id)
        };
        let envelope = to_vec(&envelope);
        check_every_role(&body, &envelope);
    }
}

/// The `codec_encode_arbitrary` fuzz body on generated `Body` and `Envelope` values: a union that
/// decodes by role encodes a defined key in `Unrecognized`, so its generator must not build one
/// (a full decoder would read it as that variant) and its audit must not call it broken.
#[cfg(feature = "fuzzing")]
#[test]
fn generated_bodies_keep_the_encoders_invariants() {
    use iotp2p_codec::fuzzing;
    let body = fuzzing::selector_of("iotp2p.core.Body").unwrap();
    let envelope = fuzzing::selector_of("iotp2p.core.Envelope").unwrap();
    for seed in 0..4000u32 {
        let mut data = vec![if seed % 2 == 0 { body } else { envelope }];
        // xorshift: reproducible bytes for `Arbitrary`.
        let mut x = seed.wrapping_mul(2_654_435_761) ^ 0x9e37_79b9;
        for _ in 0..200 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            data.push(x as u8);
        }
        fuzzing::encode_arbitrary(&data);
    }
}
