//! Decoding by role: a node decodes only the union variants it can receive, and keeps the others as
//! it keeps a variant of a newer schema version.
//!
//! A schema marks a union variant with the roles that receive it (`@received_by(device, app)`,
//! spec/schema-language.md). For each package with such variants the generator writes a unit type
//! per role in its `role` module (`core::role::Device`) and, for each union it marks, an impl of
//! [`Receives`] that lists the keys the role receives. A type whose decoder reaches such a union
//! (the union, and the `Envelope` that holds the core `Body`) gets `decode_as::<R>` and
//! `decode_from_as::<R>` beside the trait's `decode` and `decode_from`: a variant that `R` does not
//! receive is decoded as its union's `Unrecognized` variant, its key and its
//! encoding, checked for well-formedness as any unknown item is, so that the value re-encodes to
//! the same bytes. The check happens in a constant (`const { receives::<R, Self>(key) }`), so a
//! firmware built for one role links no decoder of a variant it never receives.
//!
//! Encoding by role is the same for the variants a node sends (`@sent_by(app, relay)`): the role
//! implements [`Sends`] for the union, and a type whose encoder reaches it gets `encode_as::<R>`,
//! `encode_to_as::<R>` and (feature `alloc`) `encode_to_vec_as::<R>` beside the trait's `encode`:
//! a variant that `R` never sends is refused with [`EncodeError::NotSentByRole`], in a constant
//! (`const { sends::<R, Self>(key) }`), so that a firmware built for one role links no encoder of a
//! variant it never sends. A variant kept as unknown (a newer schema's, or one the node's role does
//! not receive) is written as it was read, whatever the role.
//!
//! `Message::decode` decodes as [`Everything`], every variant, and `Message::encode` encodes as it.
//! A node in more than one role, or in a role of its own, implements [`Receives`] and [`Sends`] for
//! a type of its own.

use super::error::{DecodeError, EncodeError};
use super::limits::MAX_DEPTH;
use super::reader::Reader;
use super::writer::Writer;

/// The variants of a union that a node decodes, by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// Every variant.
    All,
    /// The variants with these keys; any other key is kept as an unknown variant.
    Only(&'static [u32]),
}

impl Keys {
    /// Whether the variant with `key` is decoded.
    pub const fn contains(&self, key: u32) -> bool {
        match self {
            Keys::All => true,
            Keys::Only(keys) => {
                let mut i = 0;
                while i < keys.len() {
                    if keys[i] == key {
                        return true;
                    }
                    i += 1;
                }
                false
            }
        }
    }
}

/// A role's view of the union `U`: which of its variants a node in that role decodes.
pub trait Receives<U> {
    /// The variants decoded.
    const KEYS: Keys;
}

/// A role's view of the union `U`: which of its variants a node in that role encodes, by key.
pub trait Sends<U> {
    /// The variants encoded; encoding any other is [`EncodeError::NotSentByRole`].
    const KEYS: Keys;
}

/// The role that receives and sends everything: what `Message::decode` decodes as and
/// `Message::encode` encodes as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Everything;

impl<U> Receives<U> for Everything {
    const KEYS: Keys = Keys::All;
}

impl<U> Sends<U> for Everything {
    const KEYS: Keys = Keys::All;
}

/// Whether a node in the role `R` decodes the variant of `U` with `key`; generated decoders ask it
/// in a constant, so that the answer removes the variant's decoder from the code.
pub const fn receives<R: Receives<U>, U>(key: u32) -> bool {
    R::KEYS.contains(key)
}

/// The role that decodes no variant and sends none but those it kept: every variant is kept as it
/// came (its key and its encoding, checked for well-formedness) and written back as it came. What a
/// node decodes and encodes as when it passes a value on, or digests it, without looking inside:
/// its code then holds no decoder and no encoder of any variant.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Opaque;

impl<U> Receives<U> for Opaque {
    const KEYS: Keys = Keys::Only(&[]);
}

impl<U> Sends<U> for Opaque {
    const KEYS: Keys = Keys::Only(&[]);
}

/// Whether a node in the role `R` encodes the variant of `U` with `key`; generated encoders ask it
/// in a constant, so that the answer removes the variant's encoder from the code.
pub const fn sends<R: Sends<U>, U>(key: u32) -> bool {
    R::KEYS.contains(key)
}

/// Decodes a complete value (nothing may follow it) with `decode_from`, as `Message::decode` does
/// with the type's own: the entry of the generated `decode_as`.
#[inline]
pub fn decode_whole<'a, T>(
    bytes: &'a [u8],
    decode_from: impl FnOnce(&mut Reader<'a>, usize) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader::new(bytes);
    let value = decode_from(&mut r, MAX_DEPTH)?;
    r.finish()?;
    Ok(value)
}

/// Encodes into `buf` in one pass with `encode_to` and returns the number of bytes written, as
/// `Message::encode` does with the type's own: the entry of the generated `encode_as`. When `buf` is
/// too small, the error says how many bytes the encoding needs.
#[inline]
pub fn encode_whole(
    buf: &mut [u8],
    encode_to: impl FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    // One pass: what does not fit is counted, so the position at the end is the bytes needed.
    let mut w = Writer::counting(buf);
    encode_to(&mut w)?;
    if w.fitted() {
        Ok(w.position())
    } else {
        Err(EncodeError::BufferTooSmall {
            needed: w.position(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Some;
    struct Union;
    impl Receives<Union> for Some {
        const KEYS: Keys = Keys::Only(&[0, 2, 7]);
    }

    #[test]
    fn a_role_receives_its_keys_and_everything_receives_all() {
        let decoded: [bool; 9] = core::array::from_fn(|k| receives::<Some, Union>(k as u32));
        assert_eq!(
            decoded,
            [true, false, true, false, false, false, false, true, false]
        );
        assert!((0..70).all(receives::<Everything, Union>));
        assert!((0..70).all(sends::<Everything, Union>));
        assert!(!(0..70).any(receives::<Opaque, Union>));
        assert!(!(0..70).any(sends::<Opaque, Union>));
        assert!(!Keys::Only(&[]).contains(0));
    }
}
