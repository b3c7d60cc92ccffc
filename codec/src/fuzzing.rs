//! Fuzz target bodies for the generated codec (feature `fuzzing`), kept in the library so that
//! `cargo test` replays the fuzz corpora on stable.
//!
//! Each `fuzz/fuzz_targets/codec_<target>.rs` hands libFuzzer's input to one function here;
//! `tests/fuzz_replay.rs` runs the same functions over every file of `fuzz/corpus/codec_<target>/`
//! and `fuzz/regressions/codec_<target>/`. A body panics when the codec breaks one of the invariants
//! below, and libFuzzer (or the replay test) reports the panic as a crash.
//!
//! Every input starts with a type selector: its first byte, modulo the number of types, picks one of
//! [`TYPE_NAMES`](crate::generated::TYPE_NAMES) (every message, union and enum of the core, security
//! and capabilities packages; see [`type_selector`](crate::fuzzing::type_selector)). The rest is the
//! body's data. Each body then runs generically over the chosen type through
//! `generated::visit_type` and the traits of [`runtime::fuzz`](crate::runtime::fuzz).
//!
//! [`decode_any`](crate::fuzzing::decode_any): the rest, as the encoding of the chosen type:
//! - decoding never panics; an error's offset lies within the input and its class is one of the
//!   spec's (§4.17); the owned decoder and `transcode` report the same error, and `to_json` fails;
//! - a decoded value is canonical: `encoded_len()` is the input's length and `encode` (into a
//!   buffer of exactly that size), `encode_to_vec` and `transcode` reproduce the input byte for
//!   byte; into a buffer one byte short, `encode` fails with `BufferTooSmall { needed: len }`;
//! - the value keeps the schema: its audit ([`Audit`](crate::runtime::fuzz::Audit)) finds no
//!   bound or range broken, and without unknown data the input fits `MAX_ENCODED_SIZE`;
//! - the owned decoder agrees (same value as `into_owned`, same length and bytes);
//! - for the core `Envelope` and `Body`, decoding as each role of `core::role` (`decode_as`)
//!   accepts what `decode` accepts, gives the same value but for a body variant the role does not
//!   receive, which it keeps unknown with its key, and re-encodes to the input; what it accepts and
//!   `decode` does not is such a variant.
//!
//! [`roundtrip`](crate::fuzzing::roundtrip): the rest, when it decodes as the chosen type, round
//! trips through every form:
//! - bytes → borrowed → bytes → borrowed gives the same value and bytes;
//! - borrowed → owned → bytes → owned gives the same value and bytes;
//! - canonical JSON (`to_json`, and `serde_json` over the borrowed and the owned value, which must
//!   agree) → `from_json` and the owned `Deserialize` → bytes gives the input again, and
//!   printing the value read back gives the same JSON.
//!
//! [`encode_arbitrary`](crate::fuzzing::encode_arbitrary): the rest drives `Arbitrary` for the
//! chosen type's owned form, which builds values that mostly keep to the schema's bounds and ranges
//! but sometimes break them, and sometimes carry unknown fields, union variants (now and then ones
//! that no decoder would produce) and enum numbers. Then:
//! - `encode_to_vec` succeeds exactly when the audit finds nothing broken, and when it fails, the
//!   error is one the audit warrants: a member and a rule it found broken
//!   ([`EncodeError::BoundExceeded`](crate::runtime::EncodeError::BoundExceeded) or `OutOfRange`),
//!   an unknown variant it found invalid (`InvalidUnknown`), or `DepthExceeded` for unknown or
//!   recursive content; `encode` into a buffer of `encoded_len()` bytes agrees;
//! - encoded bytes are `encoded_len()` long, within `MAX_ENCODED_SIZE` without unknown data, and
//!   decode (borrowed and owned) back to a value equal to the original (floats compared by their
//!   encoding, since NaN is not equal to itself) that re-encodes to the same bytes; their canonical
//!   JSON reads back to the same bytes.
//!
//! Values of types on recursive cycles (none in the core schema) may be generated deeper than their
//! `@max_depth`: the encoder refuses them with `DepthExceeded`, as a decoder would refuse their
//! encoding (see [`Audit::recursive`](crate::runtime::fuzz::Audit::recursive)).
//!
//! This module is not part of the public API: it exists for `fuzz/` and the replay test only.

extern crate std;

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use crate::generated::{self, TYPE_NAMES};
use crate::runtime::arbitrary::Unstructured;
use crate::runtime::fuzz::{Audit, FuzzType, Visitor};
use crate::runtime::{DecodeError, EncodeError, ErrorClass, TranscodeError};
use crate::runtime::{IntoOwned, Message};

/// The type an input is about: [`TYPE_NAMES`]`[selector % TYPE_NAMES.len()]` for its first byte,
/// and the rest of the input. `None` for an empty input.
pub fn type_selector(data: &[u8]) -> Option<(&'static str, &[u8])> {
    let (&selector, rest) = data.split_first()?;
    Some((TYPE_NAMES[selector as usize % TYPE_NAMES.len()], rest))
}

/// The selector byte for `type_name` (for building corpora): its index in [`TYPE_NAMES`].
pub fn selector_of(type_name: &str) -> Option<u8> {
    TYPE_NAMES
        .iter()
        .position(|&n| n == type_name)
        .and_then(|i| u8::try_from(i).ok())
}

/// Decodes the input (after its type selector) as the selected type; see the module documentation.
pub fn decode_any(data: &[u8]) {
    if let Some((name, input)) = type_selector(data) {
        visit(name, DecodeAny(input));
        decode_by_role(name, input);
    }
}

/// [`decode_any`]'s checks of decoding by role, for the core types that decode by role.
fn decode_by_role(name: &str, input: &[u8]) {
    use crate::core::{role, Body, Envelope};
    use crate::runtime::{Everything, Reader, Receives};

    fn check_body<R: for<'a> Receives<Body<'a>>>(input: &[u8]) {
        let full = Body::decode(input);
        let Ok(as_role) = Body::decode_as::<R>(input) else {
            assert!(full.is_err(), "Body: decode_as rejects what decode accepts");
            return;
        };
        let mut r = Reader::new(input);
        let (Ok(_), Ok(key)) = (r.map(), r.key(0)) else {
            panic!("Body: decode_as accepts what is not a union")
        };
        let kept = Body::Unrecognized {
            key: key.into(),
            value: &input[r.position()..],
        };
        match full {
            Ok(full) if <R as Receives<Body<'_>>>::KEYS.contains(key) => {
                assert_eq!(as_role, full, "Body: decode_as differs from decode");
            }
            _ => assert_eq!(
                as_role, kept,
                "Body: decode_as decodes a variant not received"
            ),
        }
        assert_eq!(
            as_role.encode_to_vec().as_deref(),
            Ok(input),
            "Body: decode_as does not re-encode to the input"
        );
    }

    fn check_envelope<R: for<'a> Receives<Body<'a>>>(input: &[u8]) {
        let full = Envelope::decode(input);
        let Ok(as_role) = Envelope::decode_as::<R>(input) else {
            assert!(
                full.is_err(),
                "Envelope: decode_as rejects what decode accepts"
            );
            return;
        };
        if let (Ok(full), Some(body)) = (full, as_role.body) {
            assert_eq!(
                Envelope {
                    body: None,
                    ..as_role
                },
                Envelope { body: None, ..full },
                "Envelope: decode_as changes more than the body"
            );
            check_body::<R>(&body.encode_to_vec().expect("a decoded body encodes"));
        }
        assert_eq!(
            as_role.encode_to_vec().as_deref(),
            Ok(input),
            "Envelope: decode_as does not re-encode to the input"
        );
    }

    match name {
        "iotp2p.core.Body" => {
            check_body::<role::Device>(input);
            check_body::<role::App>(input);
            check_body::<role::Relay>(input);
            check_body::<Everything>(input);
        }
        "iotp2p.core.Envelope" => {
            check_envelope::<role::Device>(input);
            check_envelope::<role::App>(input);
            check_envelope::<role::Relay>(input);
            check_envelope::<Everything>(input);
        }
        _ => {}
    }
}

/// Round-trips the input (after its type selector) through every form of the selected type; see
/// the module documentation.
pub fn roundtrip(data: &[u8]) {
    if let Some((name, input)) = type_selector(data) {
        visit(name, Roundtrip(input));
    }
}

/// Builds a value of the selected type from the input (after its type selector) and encodes it;
/// see the module documentation.
pub fn encode_arbitrary(data: &[u8]) {
    if let Some((name, input)) = type_selector(data) {
        visit(name, EncodeArbitrary(input));
    }
}

fn visit<V: Visitor<Output = ()>>(name: &str, visitor: V) {
    generated::visit_type(name, visitor)
        .unwrap_or_else(|| panic!("TYPE_NAMES lists {name}, which visit_type does not know"));
}

/// Whether two values are equal, or (for values holding NaN, which equal nothing) encode alike.
fn same<T: PartialEq>(a: &T, b: &T, bytes_a: &[u8], bytes_b: &[u8]) -> bool {
    // A value unequal to itself holds a NaN somewhere.
    #[allow(clippy::eq_op)]
    let comparable = a == a && b == b;
    if comparable {
        a == b
    } else {
        bytes_a == bytes_b
    }
}

fn to_json(name: &str, input: &[u8]) -> Result<String, String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::new(&mut out);
    match generated::to_json(name, input, &mut serializer) {
        None => panic!("to_json does not know {name}"),
        Some(Ok(())) => Ok(String::from_utf8(out).expect("JSON is UTF-8")),
        Some(Err(e)) => Err(format!("{e}")),
    }
}

fn from_json(name: &str, json: &str) -> Vec<u8> {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match generated::from_json(name, &mut deserializer) {
        None => panic!("from_json does not know {name}"),
        Some(Ok(bytes)) => {
            deserializer
                .end()
                .unwrap_or_else(|e| panic!("from_json left input over: {e}\n{json}"));
            bytes
        }
        Some(Err(e)) => panic!("{name}: the canonical JSON does not read back: {e}\n{json}"),
    }
}

struct DecodeAny<'i>(&'i [u8]);

impl Visitor for DecodeAny<'_> {
    type Output = ();

    fn visit<T: FuzzType>(self) -> Self::Output {
        let input = self.0;
        let name = T::NAME;
        let mut out = vec![0u8; input.len()];
        let transcoded = generated::transcode(name, input, &mut out)
            .unwrap_or_else(|| panic!("transcode does not know {name}"));
        let value = match <T::Borrowed<'_> as Message<'_>>::decode(input) {
            Ok(value) => value,
            Err(e) => {
                check_decode_error(name, input, e);
                assert_eq!(
                    T::decode(input),
                    Err(e),
                    "{name}: the owned decoder disagrees"
                );
                assert_eq!(
                    transcoded,
                    Err(TranscodeError::Decode(e)),
                    "{name}: transcode disagrees"
                );
                assert!(
                    to_json(name, input).is_err(),
                    "{name}: to_json accepts what decode rejects ({e})"
                );
                return;
            }
        };
        let len = input.len();
        assert_eq!(
            value.encoded_len(),
            len,
            "{name}: encoded_len of a decoded value is not the input's length: {value:?}"
        );
        let mut buf = vec![0u8; len];
        let n = value
            .encode(&mut buf)
            .unwrap_or_else(|e| panic!("{name}: a decoded value does not encode: {e}; {value:?}"));
        assert!(
            &buf[..n] == input,
            "{name}: encoding a decoded value does not reproduce the input\n input {input:02x?}\noutput {:02x?}",
            &buf[..n]
        );
        if len > 0 {
            assert_eq!(
                value.encode(&mut buf[..len - 1]),
                Err(EncodeError::BufferTooSmall { needed: len }),
                "{name}: encoding into a buffer one byte short"
            );
        }
        assert_eq!(
            value.encode_to_vec().as_deref(),
            Ok(input),
            "{name}: encode_to_vec"
        );
        assert_eq!(transcoded, Ok(len), "{name}: transcode");
        assert!(
            out == input,
            "{name}: transcode's output differs from its input"
        );

        let owned = value.into_owned();
        let audit = Audit::of(&owned);
        assert!(
            audit.violations.is_empty(),
            "{name}: the decoder accepted a value that breaks the schema: {:?}\n{owned:?}",
            audit.violations
        );
        if !audit.unknown {
            assert!(
                len <= T::MAX_ENCODED_SIZE,
                "{name}: {len} bytes without unknown data, but MAX_ENCODED_SIZE is {}",
                T::MAX_ENCODED_SIZE
            );
        }
        let decoded = T::decode(input).unwrap_or_else(|e| {
            panic!("{name}: the owned decoder rejects ({e}) what the borrowed one accepts")
        });
        assert!(
            same(&decoded, &owned, input, input),
            "{name}: owned decode differs from into_owned\n{decoded:?}\n{owned:?}"
        );
        assert_eq!(decoded.encoded_len(), len, "{name}: owned encoded_len");
        assert_eq!(
            decoded.encode_to_vec().as_deref(),
            Ok(input),
            "{name}: owned encode"
        );
    }
}

/// An error that decoding `input` may report.
fn check_decode_error(name: &str, input: &[u8], e: DecodeError) {
    assert!(
        e.offset() <= input.len(),
        "{name}: error {e} points past the end of a {}-byte input",
        input.len()
    );
    assert!(
        ErrorClass::ALL.contains(&e.class()),
        "{name}: error class {:?} is not one of the spec's",
        e.class()
    );
    assert!(
        !(input.is_empty() && e.class() != ErrorClass::Truncated),
        "{name}: an empty input must be truncated, not {e}"
    );
}

struct Roundtrip<'i>(&'i [u8]);

impl Visitor for Roundtrip<'_> {
    type Output = ();

    fn visit<T: FuzzType>(self) -> Self::Output {
        let input = self.0;
        let name = T::NAME;
        let Ok(first) = <T::Borrowed<'_> as Message<'_>>::decode(input) else {
            return;
        };
        // bytes → borrowed → bytes → borrowed.
        let bytes = first
            .encode_to_vec()
            .unwrap_or_else(|e| panic!("{name}: a decoded value does not encode: {e}"));
        let second = <T::Borrowed<'_> as Message<'_>>::decode(&bytes)
            .unwrap_or_else(|e| panic!("{name}: an encoded value does not decode: {e}"));
        let again = second.encode_to_vec().expect("a decoded value encodes");
        assert!(
            same(&first, &second, &bytes, &again) && bytes == again,
            "{name}: decode → encode → decode differs\n{first:?}\n{second:?}"
        );

        // borrowed → owned → bytes → owned.
        let owned = first.into_owned();
        let owned_bytes = owned
            .encode_to_vec()
            .unwrap_or_else(|e| panic!("{name}: an owned decoded value does not encode: {e}"));
        assert!(
            owned_bytes == bytes,
            "{name}: owned and borrowed encodings differ"
        );
        let owned_again = T::decode(&owned_bytes).expect("owned bytes decode");
        assert!(
            same(&owned, &owned_again, &owned_bytes, &bytes),
            "{name}: owned → bytes → owned differs\n{owned:?}\n{owned_again:?}"
        );
        assert!(
            same(&second.into_owned(), &owned, &again, &owned_bytes),
            "{name}: into_owned of equal values differ"
        );
        let copy = owned.clone();
        assert!(
            same(&copy, &owned, &bytes, &bytes),
            "{name}: a clone differs"
        );

        // JSON, three ways, agreeing; and back.
        let json = to_json(name, input)
            .unwrap_or_else(|e| panic!("{name}: to_json rejects a value that decodes: {e}"));
        assert_eq!(
            serde_json::to_string(&first).ok().as_deref(),
            Some(json.as_str()),
            "{name}: Serialize of the borrowed value differs from to_json"
        );
        assert_eq!(
            serde_json::to_string(&owned).ok().as_deref(),
            Some(json.as_str()),
            "{name}: Serialize of the owned value differs from to_json"
        );
        let from = from_json(name, &json);
        assert!(
            from == input,
            "{name}: JSON does not read back to the input\n{json}\n input {input:02x?}\noutput {from:02x?}"
        );
        let read: T = serde_json::from_str(&json).unwrap_or_else(|e| {
            panic!("{name}: Deserialize rejects its canonical JSON: {e}\n{json}")
        });
        assert!(
            read.encode_to_vec().as_deref() == Ok(input),
            "{name}: the value read from JSON encodes differently\n{json}"
        );
        assert_eq!(
            serde_json::to_string(&read).ok().as_deref(),
            Some(json.as_str()),
            "{name}: JSON → value → JSON differs"
        );
    }
}

struct EncodeArbitrary<'i>(&'i [u8]);

impl Visitor for EncodeArbitrary<'_> {
    type Output = ();

    fn visit<T: FuzzType>(self) -> Self::Output {
        let name = T::NAME;
        let mut u = Unstructured::new(self.0);
        let Ok(value) = T::arbitrary(&mut u) else {
            return;
        };
        let audit = Audit::of(&value);
        let len = value.encoded_len();
        let mut buf = vec![0u8; len];
        let encoded = value.encode(&mut buf).map(|n| buf[..n].to_vec());
        assert_eq!(
            value.encode_to_vec(),
            encoded,
            "{name}: encode_to_vec and encode disagree\n{value:?}"
        );
        let bytes = match encoded {
            Err(e) => {
                assert!(
                    audit.warrants(&e),
                    "{name}: encoding failed with {e:?}, which the value does not warrant (audit: {:?})\n{value:?}",
                    audit.violations
                );
                return;
            }
            Ok(bytes) => bytes,
        };
        assert!(
            audit.violations.is_empty(),
            "{name}: the encoder accepted a value that breaks the schema: {:?}\n{value:?}",
            audit.violations
        );
        assert_eq!(bytes.len(), len, "{name}: encoded_len\n{value:?}");
        if !audit.unknown {
            assert!(
                len <= T::MAX_ENCODED_SIZE,
                "{name}: {len} bytes without unknown data, but MAX_ENCODED_SIZE is {}",
                T::MAX_ENCODED_SIZE
            );
        }
        let back = match T::decode(&bytes) {
            Ok(back) => back,
            Err(e) => panic!(
                "{name}: an encoded value does not decode: {e}\nbytes {bytes:02x?}\n{value:?}"
            ),
        };
        let again = back.encode_to_vec().expect("a decoded value encodes");
        assert!(
            again == bytes,
            "{name}: encode → decode → encode differs\n{bytes:02x?}\n{again:02x?}"
        );
        assert!(
            same(&back, &value, &again, &bytes),
            "{name}: encode → decode differs\n{value:?}\n{back:?}"
        );
        let borrowed = <T::Borrowed<'_> as Message<'_>>::decode(&bytes).unwrap_or_else(|e| {
            panic!("{name}: the borrowed decoder rejects ({e}) what the owned one accepts")
        });
        assert!(
            same(&borrowed.into_owned(), &back, &bytes, &bytes),
            "{name}: borrowed and owned decoders differ"
        );
        let json = to_json(name, &bytes)
            .unwrap_or_else(|e| panic!("{name}: to_json rejects an encoded value: {e}"));
        assert!(
            from_json(name, &json) == bytes,
            "{name}: the JSON of an encoded value does not read back\n{json}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_reachable_by_one_selector_byte() {
        assert!(TYPE_NAMES.len() <= 256);
        for (i, name) in TYPE_NAMES.iter().enumerate() {
            assert_eq!(selector_of(name), Some(i as u8));
            assert_eq!(type_selector(&[i as u8]).map(|(n, _)| n), Some(*name));
        }
    }

    #[test]
    fn bodies_accept_trivial_inputs() {
        for selector in 0..=255u8 {
            for rest in [
                &[][..],
                &[0xa0],
                &[0xa1, 0x00, 0xf6],
                &[0xff; 64],
                &[0x00; 64],
            ] {
                let data: Vec<u8> = [&[selector][..], rest].concat();
                decode_any(&data);
                roundtrip(&data);
                encode_arbitrary(&data);
            }
        }
        decode_any(&[]);
        roundtrip(&[]);
        encode_arbitrary(&[]);
    }
}
