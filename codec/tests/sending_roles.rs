//! Encoding by role (`encode_as::<R>`, `runtime::Sends`): a node encodes the `Body` variants its
//! role sends (the schema's `@sent_by`), refuses every other with `EncodeError::NotSentByRole`, and
//! writes a variant it kept unknown as it came, whatever its role; what it encodes is what `encode`
//! writes.

use iotp2p_codec::core::{
    role, Body, DeliveryRef, DescribeRequest, Description, EndpointInfo, Envelope, InvokeRequest,
    InvokeResponse, MemberValue, Presence, PresenceAck, ReadRequest, Receipt, Report, Status,
    SubscribeRequest, UnsubscribeRequest, WriteRequest,
};
use iotp2p_codec::runtime::{self as rt, EncodeError, Everything, Keys, Message, Opaque, Sends};

/// A body of each variant of the schema, by key (0 to 13).
fn each_variant<T>(with: impl Fn(u32, Body<'_>) -> T) -> Vec<T> {
    let values = [MemberValue::new(4, &[0x01])];
    let endpoints = [EndpointInfo::new(1, rt::Array::Slice(&[]))];
    let delivered = [DeliveryRef::new(9)];
    let bodies = [
        Body::Ack,
        Body::Status(Status::new()),
        Body::Read(ReadRequest::new(1)),
        Body::Write(WriteRequest::new(1, rt::Array::Slice(&values))),
        Body::Invoke(InvokeRequest::new(1, 2)),
        Body::InvokeResponse(InvokeResponse::new()),
        Body::Subscribe(SubscribeRequest::new(1, 2)),
        Body::Unsubscribe(UnsubscribeRequest::new(3)),
        Body::Report(Report::new(1)),
        Body::Describe(DescribeRequest::new()),
        Body::Description(Description::new(rt::Array::Slice(&endpoints))),
        Body::Presence(Presence::new()),
        Body::PresenceAck(PresenceAck::new()),
        Body::Receipt(Receipt::new(rt::Array::Slice(&delivered))),
    ];
    (0..).zip(bodies).map(|(key, b)| with(key, b)).collect()
}

/// `encode_as::<R>` into a buffer large enough, as a vector.
fn encoded_as<R: for<'a> Sends<Body<'a>>>(body: &Body<'_>) -> Result<Vec<u8>, EncodeError> {
    let mut buf = [0u8; 256];
    let n = body.encode_as::<R>(&mut buf)?;
    Ok(buf[..n].to_vec())
}

fn encoded<'a, T: Message<'a>>(value: &T) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let n = value.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// What encoding each variant as `R` must give: the bytes of `encode` for a variant `R` sends,
/// `NotSentByRole` for any other; an envelope holding it likewise.
fn check_role<R: for<'a> Sends<Body<'a>>>(sent: &[u32]) {
    let outcomes = each_variant(|key, body| {
        let full = encoded(&body);
        let as_role = encoded_as::<R>(&body);
        let envelope = Envelope {
            body: Some(body),
            ..Envelope::new(7)
        };
        let mut buf = [0u8; 256];
        let envelope_as_role = envelope.encode_as::<R>(&mut buf).map(|n| buf[..n].to_vec());
        if sent.contains(&key) {
            assert_eq!(as_role, Ok(full), "variant {key}");
            assert_eq!(envelope_as_role, Ok(encoded(&envelope)), "variant {key}");
        } else {
            assert_eq!(as_role, Err(EncodeError::NotSentByRole), "variant {key}");
            assert_eq!(
                envelope_as_role,
                Err(EncodeError::NotSentByRole),
                "variant {key}"
            );
        }
        as_role.is_ok()
    });
    assert_eq!(outcomes.len(), 14);
}

#[test]
fn the_roles_send_what_the_schema_says() {
    // spec/schema/core.iotp, `union Body`'s `@sent_by`; `ack`, `status`, `invoke` and
    // `invoke_response` every node sends.
    let keys = |k: Keys| {
        (0..=13)
            .filter(|&key| k.contains(key))
            .collect::<Vec<u32>>()
    };
    let device = <role::Device as Sends<Body<'_>>>::KEYS;
    let app = <role::App as Sends<Body<'_>>>::KEYS;
    let relay = <role::Relay as Sends<Body<'_>>>::KEYS;
    assert_eq!(keys(device), [0, 1, 4, 5, 8, 10, 11, 13]);
    assert_eq!(keys(app), [0, 1, 2, 3, 4, 5, 6, 7, 9]);
    assert_eq!(keys(relay), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
}

#[test]
fn each_role_encodes_what_it_sends_as_encode_does_and_refuses_the_rest() {
    check_role::<role::Device>(&[0, 1, 4, 5, 8, 10, 11, 13]);
    check_role::<role::App>(&[0, 1, 2, 3, 4, 5, 6, 7, 9]);
    check_role::<role::Relay>(&[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12]);
    check_role::<Everything>(&(0..=13).collect::<Vec<_>>());
    check_role::<Opaque>(&[]);
}

#[test]
fn a_variant_kept_unknown_is_written_as_it_came_whatever_the_role() {
    // Decoded opaquely, every variant is kept unknown; decoded as a device, those a device never
    // receives (`report`, `description`, `presence`, `receipt`). Kept, it is written back byte for
    // byte by any role, one that never sends it included.
    for (key, bytes) in each_variant(|key, body| (key, encoded(&body))) {
        for kept in [
            Body::decode_as::<Opaque>(&bytes).unwrap(),
            Body::decode_as::<role::Device>(&bytes).unwrap(),
        ] {
            assert_eq!(encoded_as::<Opaque>(&kept).ok(), kept_bytes(&kept), "{key}");
            if let Body::Unrecognized { .. } = kept {
                assert_eq!(
                    encoded_as::<role::Device>(&kept),
                    Ok(bytes.clone()),
                    "{key}"
                );
                assert_eq!(encoded_as::<Opaque>(&kept), Ok(bytes.clone()), "{key}");
            }
        }
    }
}

/// The bytes of a kept variant; `None` for a decoded one, which `Opaque` does not send.
fn kept_bytes(body: &Body<'_>) -> Option<Vec<u8>> {
    matches!(body, Body::Unrecognized { .. }).then(|| encoded(body))
}

#[test]
fn a_buffer_too_small_says_what_is_needed_as_encode_does() {
    let report = Body::Report(Report::new(1));
    let needed = encoded(&report).len();
    let mut short = vec![0u8; needed - 1];
    assert_eq!(
        report.encode_as::<role::Device>(&mut short),
        Err(EncodeError::BufferTooSmall { needed })
    );
    // The role's refusal comes whatever the buffer.
    let read = Body::Read(ReadRequest::new(1));
    assert_eq!(
        read.encode_as::<role::Device>(&mut []),
        Err(EncodeError::NotSentByRole)
    );
}

#[cfg(feature = "alloc")]
mod owned {
    use super::*;
    use iotp2p_codec::core::owned;
    use iotp2p_codec::runtime::IntoOwned;

    #[test]
    fn the_owned_forms_encode_by_role_as_the_borrowed_ones() {
        for (key, body) in each_variant(|key, body| (key, body.into_owned())) {
            let borrowed = encoded(&body);
            let device = <role::Device as Sends<Body<'_>>>::KEYS.contains(key);
            let expected = if device {
                Ok(borrowed.clone())
            } else {
                Err(EncodeError::NotSentByRole)
            };
            assert_eq!(body.encode_to_vec_as::<role::Device>(), expected, "{key}");
            let mut buf = [0u8; 256];
            let n = body.encode_as::<role::Device>(&mut buf);
            assert_eq!(n.map(|n| buf[..n].to_vec()), expected, "{key}");
            assert_eq!(body.encode_to_vec_as::<Everything>(), Ok(borrowed.clone()));
            let envelope = owned::Envelope {
                body: Some(body),
                ..owned::Envelope::new(7)
            };
            assert_eq!(
                envelope.encode_to_vec_as::<role::Device>().is_ok(),
                device,
                "{key}"
            );
            assert_eq!(
                envelope.encode_to_vec_as::<Everything>(),
                envelope.encode_to_vec()
            );
        }
    }

    #[test]
    fn encoding_to_a_vector_by_role_measures_with_the_same_encoder() {
        // A report longer than a first guess could be: the vector has exactly its length.
        let values: Vec<owned::MemberValue> = (0..40)
            .map(|m| owned::MemberValue::new(m, vec![0x18, 0xff]))
            .collect();
        let report = owned::Body::Report(owned::Report {
            values: Some(values),
            ..owned::Report::new(1)
        });
        let bytes = report.encode_to_vec_as::<role::Device>().unwrap();
        assert_eq!(bytes, report.encode_to_vec().unwrap());
        assert_eq!(bytes.len(), report.encoded_len());
        let borrowed = Body::decode(&bytes).unwrap();
        assert_eq!(borrowed.encode_to_vec_as::<role::Device>(), Ok(bytes));
    }
}
