//! Owned values (feature `alloc`): what generated `owned` modules and `into_owned` build on.
//!
//! - [`IntoOwned`]: a decoded, borrowing value turned into one that owns its data (`&str` →
//!   `String`, `&[u8]` → `Vec<u8>`, [`Array`] → `Vec`, [`Lazy`] → `Box`, ...);
//! - [`AsBorrowed`]: an owned value seen in the borrowed form without copying its data (`String` →
//!   `&str`, `Vec<u8>` → `&[u8]`, `Vec<u32>` → [`Array::Slice`], ...), so that an owned message
//!   whose fields all allow it encodes through the borrowed form's encoder;
//! - [`OwnedUnknownFields`]: the retained unknown fields of an owned message;
//! - [`encode_to_vec`]: one exact allocation, then the ordinary one-pass encoder.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::array::Array;
use super::element::Element;
use super::error::{DecodeError, EncodeError, ErrorClass};
use super::lazy::Lazy;
use super::limits::MAX_DEPTH;
use super::message::Message;
use super::reader::{Reader, MAX_KEY};
use super::unknown::{UnknownEntries, UnknownFields, UnknownMerge};
use super::writer::{head_len, Writer};

/// A value that borrows from its input, turned into one that owns its data. Generated messages,
/// unions and enums implement it (their inherent `into_owned` does the same), and so do the types
/// their fields use.
pub trait IntoOwned {
    /// The owned counterpart.
    type Owned;
    /// Copies the borrowed data into owned storage.
    fn into_owned(self) -> Self::Owned;
}

macro_rules! owned_as_is {
    ($($t:ty),*) => {$(
        impl IntoOwned for $t {
            type Owned = $t;
            #[inline]
            fn into_owned(self) -> $t {
                self
            }
        }
    )*};
}

owned_as_is!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);

impl IntoOwned for &str {
    type Owned = String;
    #[inline]
    fn into_owned(self) -> String {
        String::from(self)
    }
}

impl IntoOwned for &[u8] {
    type Owned = Vec<u8>;
    #[inline]
    fn into_owned(self) -> Vec<u8> {
        Vec::from(self)
    }
}

impl<const N: usize> IntoOwned for &[u8; N] {
    type Owned = [u8; N];
    #[inline]
    fn into_owned(self) -> [u8; N] {
        *self
    }
}

impl<T: IntoOwned> IntoOwned for Option<T> {
    type Owned = Option<T::Owned>;
    #[inline]
    fn into_owned(self) -> Option<T::Owned> {
        self.map(T::into_owned)
    }
}

impl<'a, T: Element<'a> + IntoOwned> IntoOwned for Array<'a, T> {
    type Owned = Vec<T::Owned>;
    fn into_owned(self) -> Vec<T::Owned> {
        self.iter().map(T::into_owned).collect()
    }
}

impl<'a, T: Element<'a> + IntoOwned> IntoOwned for Lazy<'a, T> {
    type Owned = Box<T::Owned>;
    /// # Panics
    ///
    /// Only for a `Lazy::Encoded` built by hand around bytes that do not decode: a decoder only makes
    /// them from bytes it validated.
    fn into_owned(self) -> Box<T::Owned> {
        match self.get() {
            Some(value) => Box::new(value.into_owned()),
            None => panic!("Lazy::Encoded holds bytes that do not decode as its type"),
        }
    }
}

/// An owned value seen as `T`, its borrowed form, without copying its data. Generated owned
/// messages and unions whose fields all allow it implement it (field by field, with these impls),
/// and their encoder is the borrowed form's. Arrays of text, bytes or messages do not allow it:
/// their borrowed form is a slice of borrowed items, which an owned `Vec` does not hold.
pub trait AsBorrowed<'a, T> {
    /// The borrowed form, which refers to `self`'s data.
    fn as_borrowed(&'a self) -> T;
}

macro_rules! borrowed_as_is {
    ($($t:ty),*) => {$(
        impl<'a> AsBorrowed<'a, $t> for $t {
            #[inline]
            fn as_borrowed(&'a self) -> $t {
                *self
            }
        }
    )*};
}

borrowed_as_is!(bool, u8, u16, u32, u64, i8, i16, i32, i64, f32, f64);

/// Enums own nothing: the owned form is the type itself.
impl<'a, T: Message<'a> + Copy> AsBorrowed<'a, T> for T {
    #[inline]
    fn as_borrowed(&'a self) -> T {
        *self
    }
}

impl<'a> AsBorrowed<'a, &'a str> for String {
    #[inline]
    fn as_borrowed(&'a self) -> &'a str {
        self
    }
}

impl<'a> AsBorrowed<'a, &'a [u8]> for Vec<u8> {
    #[inline]
    fn as_borrowed(&'a self) -> &'a [u8] {
        self
    }
}

impl<'a, const N: usize> AsBorrowed<'a, &'a [u8; N]> for [u8; N] {
    #[inline]
    fn as_borrowed(&'a self) -> &'a [u8; N] {
        self
    }
}

impl<'a, T, O: AsBorrowed<'a, T>> AsBorrowed<'a, Option<T>> for Option<O> {
    #[inline]
    fn as_borrowed(&'a self) -> Option<T> {
        self.as_ref().map(O::as_borrowed)
    }
}

/// Arrays of items that own nothing (numbers, enums) are seen as the slice they are.
impl<'a, T: Copy> AsBorrowed<'a, Array<'a, T>> for Vec<T> {
    #[inline]
    fn as_borrowed(&'a self) -> Array<'a, T> {
        Array::Slice(self)
    }
}

/// Encodes into a new vector of exactly `len` bytes (the value's `encoded_len`) with `encode` (the
/// value's `encode_to`). Generated `encode_to_vec` methods call it.
pub fn encode_to_vec(
    len: usize,
    encode: impl FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<Vec<u8>, EncodeError> {
    let mut buf = alloc::vec![0; len];
    let mut w = Writer::new(&mut buf);
    encode(&mut w)?;
    let written = w.position();
    buf.truncate(written);
    Ok(buf)
}

/// Encodes into a new vector with `encode`, which runs twice: once to measure the encoding, once
/// to write it into a vector of exactly that length. The generated `encode_to_vec_as` (encoding by
/// role) is built on it rather than on `encoded_len`, whose walk covers every variant whatever the
/// role sends.
pub fn encode_to_vec_measured(
    encode: impl Fn(&mut Writer<'_>) -> Result<(), EncodeError>,
) -> Result<Vec<u8>, EncodeError> {
    let mut measure = Writer::counting(&mut []);
    encode(&mut measure)?;
    encode_to_vec(measure.position(), encode)
}

/// Decodes a value with its borrowed form `B` and copies it: the `decode_from` of every owned
/// message and union.
#[doc(hidden)]
pub fn decode_owned<'a, B: Message<'a> + IntoOwned>(
    r: &mut Reader<'a>,
    depth: usize,
) -> Result<B::Owned, DecodeError> {
    B::decode_from(r, depth).map(IntoOwned::into_owned)
}

/// The length of the encoding that `encode` (an owned value's `encode_to`) writes, counted by a
/// pass that writes nothing: the `encoded_len` of an owned message or union with an encoder of its
/// own, which so needs no length code beside it. For a value the encoder refuses, the length of
/// what it wrote before refusing.
pub fn counted_len(encode: impl FnOnce(&mut Writer<'_>) -> Result<(), EncodeError>) -> usize {
    let mut measure = Writer::counting(&mut []);
    // A refused value has no encoding; its length is not used (`encode_to` refuses it too).
    let _ = encode(&mut measure);
    measure.position()
}

/// `owned_message!(Name { field, ... } unknown)`: the conversions of a generated message, written in
/// its `owned` module after the owned struct `Name`. Implements [`IntoOwned`] for the borrowed
/// `super::Name<'_>`, field by field (each field's `IntoOwned`; the unknown fields, the member
/// named `unknown`, through [`UnknownFields::owned`]).
///
/// With `, as_borrowed` at the end, for an owned message whose fields' owned values hold what the
/// borrowed values refer to, also [`AsBorrowed`] (field by field, no copy); with
/// `, through_borrowed`, [`AsBorrowed`] and [`Message`] for the owned `Name`: decoded by
/// `super::Name` and copied, measured and encoded by `super::Name` on the value seen in its
/// borrowed form, so that both forms have one encoder. With `, own_encoder`, for an owned message
/// that the borrowed form cannot see, [`Message`] through its own encoder, the inherent
/// `encode_owned` written beside it (measured by a pass of it that writes nothing,
/// [`counted_len`]).
///
/// Attributes before `Name` (`#[allow(deprecated)]`) go on every impl.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_owned_message {
    ($(#[$attr:meta])* $name:ident { $($field:ident),* $(,)? } $unknown:ident) => {
        $(#[$attr])*
        impl<'a> $crate::runtime::IntoOwned for super::$name<'a> {
            type Owned = $name;
            fn into_owned(self) -> $name {
                $name {
                    $($field: $crate::runtime::IntoOwned::into_owned(self.$field),)*
                    $unknown: self.$unknown.owned(Self::KNOWN_KEYS),
                }
            }
        }
    };
    ($(#[$attr:meta])* $name:ident { $($field:ident),* $(,)? } $unknown:ident, own_encoder) => {
        $crate::runtime::owned_message!($(#[$attr])* $name { $($field),* } $unknown);
        $crate::runtime::__owned_own_encoder!($(#[$attr])* $name);
    };
    ($(#[$attr:meta])* $name:ident { $($field:ident),* $(,)? } $unknown:ident, through_borrowed) => {
        $crate::runtime::owned_message!($(#[$attr])* $name { $($field),* } $unknown, as_borrowed);
        $crate::runtime::__owned_through_borrowed!($(#[$attr])* $name);
    };
    ($(#[$attr:meta])* $name:ident { $($field:ident),* $(,)? } $unknown:ident, as_borrowed) => {
        $crate::runtime::owned_message!($(#[$attr])* $name { $($field),* } $unknown);

        $(#[$attr])*
        impl<'a> $crate::runtime::AsBorrowed<'a, super::$name<'a>> for $name {
            fn as_borrowed(&'a self) -> super::$name<'a> {
                super::$name {
                    $($field: $crate::runtime::AsBorrowed::as_borrowed(&self.$field),)*
                    $unknown: self.$unknown.as_borrowed(),
                }
            }
        }
    };
}

/// `owned_union!(Name { Variant(..), ...; Empty, ... } Other)`: the conversions of a generated
/// union, written in its `owned` module after the owned enum `Name`: the variants that carry a
/// value, then after `;` those that carry none, then the catch-all variant (`{ key, value }`).
/// Implements [`IntoOwned`] for the borrowed `super::Name<'_>`, variant by variant; with
/// `, as_borrowed` or `, through_borrowed` at the end, also what
/// [`owned_message!`](crate::runtime::owned_message) implements with them.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_owned_union {
    ($(#[$attr:meta])* $name:ident { $($variant:ident(..)),* $(,)? ; $($empty:ident),* $(,)? } $other:ident) => {
        $(#[$attr])*
        impl<'a> $crate::runtime::IntoOwned for super::$name<'a> {
            type Owned = $name;
            fn into_owned(self) -> $name {
                match self {
                    $(Self::$variant(v) => $name::$variant($crate::runtime::IntoOwned::into_owned(v)),)*
                    $(Self::$empty => $name::$empty,)*
                    Self::$other { key, value } => $name::$other {
                        key,
                        value: $crate::runtime::IntoOwned::into_owned(value),
                    },
                }
            }
        }
    };
    ($(#[$attr:meta])* $name:ident { $($variant:ident(..)),* $(,)? ; $($empty:ident),* $(,)? } $other:ident, own_encoder) => {
        $crate::runtime::owned_union!($(#[$attr])* $name { $($variant(..)),* ; $($empty),* } $other);
        $crate::runtime::__owned_own_encoder!($(#[$attr])* $name);
    };
    ($(#[$attr:meta])* $name:ident { $($variant:ident(..)),* $(,)? ; $($empty:ident),* $(,)? } $other:ident, through_borrowed) => {
        $crate::runtime::owned_union!($(#[$attr])* $name { $($variant(..)),* ; $($empty),* } $other, as_borrowed);
        $crate::runtime::__owned_through_borrowed!($(#[$attr])* $name);
    };
    ($(#[$attr:meta])* $name:ident { $($variant:ident(..)),* $(,)? ; $($empty:ident),* $(,)? } $other:ident, as_borrowed) => {
        $crate::runtime::owned_union!($(#[$attr])* $name { $($variant(..)),* ; $($empty),* } $other);

        $(#[$attr])*
        impl<'a> $crate::runtime::AsBorrowed<'a, super::$name<'a>> for $name {
            fn as_borrowed(&'a self) -> super::$name<'a> {
                match self {
                    $(Self::$variant(v) => super::$name::$variant($crate::runtime::AsBorrowed::as_borrowed(v)),)*
                    $(Self::$empty => super::$name::$empty,)*
                    Self::$other { key, value } => super::$name::$other { key: *key, value },
                }
            }
        }
    };
}

/// `owned_enum!(Name)`: [`IntoOwned`] for a generated enum, which owns nothing and is its own owned
/// form.
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_owned_enum {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        impl $crate::runtime::IntoOwned for $name {
            type Owned = Self;
            #[inline]
            fn into_owned(self) -> Self {
                self
            }
        }
    };
}

/// [`Message`] for an owned `Name` with an encoder of its own, its inherent `encode_owned`: decoded
/// by `super::Name` and copied, measured by a counting pass of `encode_owned` ([`counted_len`]); see
/// [`owned_message!`](crate::runtime::owned_message).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_owned_own_encoder {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        impl<'a> $crate::runtime::Message<'a> for $name {
            /// Decodes with the borrowed form and copies the value.
            fn decode_from(
                r: &mut $crate::runtime::Reader<'a>,
                depth: usize,
            ) -> Result<Self, $crate::runtime::DecodeError> {
                $crate::runtime::decode_owned::<super::$name<'a>>(r, depth)
            }

            /// Counted by a pass of the encoder that writes nothing.
            fn encoded_len(&self) -> usize {
                $crate::runtime::counted_len(|w| self.encode_owned(w))
            }

            fn encode_to(
                &self,
                w: &mut $crate::runtime::Writer<'_>,
            ) -> Result<(), $crate::runtime::EncodeError> {
                self.encode_owned(w)
            }
        }
    };
}

/// [`Message`] for an owned `Name` that [`AsBorrowed`] sees as `super::Name`; see
/// [`owned_message!`](crate::runtime::owned_message).
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_owned_through_borrowed {
    ($(#[$attr:meta])* $name:ident) => {
        $(#[$attr])*
        impl<'a> $crate::runtime::Message<'a> for $name {
            /// Decodes with the borrowed form and copies the value.
            fn decode_from(
                r: &mut $crate::runtime::Reader<'a>,
                depth: usize,
            ) -> Result<Self, $crate::runtime::DecodeError> {
                $crate::runtime::decode_owned::<super::$name<'a>>(r, depth)
            }

            /// The borrowed form's length of the value seen in that form.
            fn encoded_len(&self) -> usize {
                $crate::runtime::Message::encoded_len(
                    &<Self as $crate::runtime::AsBorrowed<'_, super::$name<'_>>>::as_borrowed(self),
                )
            }

            /// The borrowed form's encoder, on the value seen in that form.
            fn encode_to(
                &self,
                w: &mut $crate::runtime::Writer<'_>,
            ) -> Result<(), $crate::runtime::EncodeError> {
                $crate::runtime::Message::encode_to(
                    &<Self as $crate::runtime::AsBorrowed<'_, super::$name<'_>>>::as_borrowed(self),
                    w,
                )
            }
        }
    };
}

/// How many levels an unknown field's value may use when it is checked on its own, outside any
/// decoded message: it sits in a top-level message map, one level below the top.
const TOP_LEVEL_ROOM: u8 = (MAX_DEPTH - 1) as u8;

/// The retained unknown fields of an owned message: entries whose keys the schema does not define,
/// kept in key order as their canonical encoding so that re-encoding forwards them unchanged.
///
/// Keys must not be keys that the message defines (a decoder or the JSON reader never puts such a
/// key here, and [`insert`](Self::insert) cannot know the message's keys).
#[derive(Clone, Debug, Default)]
pub struct OwnedUnknownFields {
    /// The entries (key, then value), ascending by key.
    entries: Vec<u8>,
    /// How many entries.
    count: usize,
    /// How many levels each key and value was checked to use (see [`Writer::raw_items`]).
    room: u8,
}

impl PartialEq for OwnedUnknownFields {
    /// The same entries; how deep they were checked does not matter.
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries && self.count == other.count
    }
}

impl Eq for OwnedUnknownFields {}

impl core::hash::Hash for OwnedUnknownFields {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.entries.hash(state);
        self.count.hash(state);
    }
}

impl UnknownFields<'_> {
    /// A copy of these unknown fields, for the owned form of a message whose schema defines the
    /// keys `known`: what generated `into_owned` calls.
    pub fn owned(&self, known: &'static [u16]) -> OwnedUnknownFields {
        OwnedUnknownFields::from_borrowed(self, known)
    }
}

impl OwnedUnknownFields {
    /// No unknown fields.
    pub const fn new() -> Self {
        OwnedUnknownFields {
            entries: Vec::new(),
            count: 0,
            room: 0,
        }
    }

    /// A copy of a decoded message's unknown fields; `known` lists the keys its schema defines.
    pub fn from_borrowed(fields: &UnknownFields<'_>, known: &'static [u16]) -> Self {
        let mut out = OwnedUnknownFields::new();
        for (_, entry) in fields.entries(known) {
            out.entries.extend_from_slice(entry);
            out.count += 1;
        }
        out.room = fields.room();
        out
    }

    /// A borrowed view, as a decoded message holds it.
    pub fn as_borrowed(&self) -> UnknownFields<'_> {
        UnknownFields::with_room(&self.entries, self.count, self.room)
    }

    /// How many unknown fields there are.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The entries as (key, entry bytes: key and value), in key order: what generated encoders
    /// merge with the known fields (see [`merge`](Self::merge)).
    pub fn entries(&self) -> UnknownEntries<'_> {
        self.as_borrowed().entries(&[])
    }

    /// The entries merged into an encoder's output (see [`UnknownFields::merge`]).
    #[inline]
    pub fn merge(&self) -> UnknownMerge<'_> {
        self.as_borrowed().merge(&[])
    }

    /// The fields as (key, encoded value), in key order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> + '_ {
        self.entries()
            .map(|(key, entry)| (key, &entry[head_len(key)..]))
    }

    /// The encoded value of field `key`, if retained.
    pub fn get(&self, key: u64) -> Option<&[u8]> {
        self.iter().find(|&(k, _)| k == key).map(|(_, value)| value)
    }

    /// Bytes the entries take when encoded.
    pub fn encoded_len(&self) -> usize {
        self.entries.len()
    }

    /// Adds field `key` with `value`, the canonical encoding of one data item (checked as a decoder
    /// checks an unknown field's value: the error's offset is within `value`). A key above 65535 is
    /// `out-of-range`; a key already present is `duplicate-key`.
    pub fn insert(&mut self, key: u64, value: &[u8]) -> Result<(), DecodeError> {
        if key > MAX_KEY {
            return Err(DecodeError::new(ErrorClass::OutOfRange, 0));
        }
        let mut r = Reader::new(value);
        // The value sits inside a message map, one level below the top.
        r.skip(TOP_LEVEL_ROOM as usize)?;
        r.finish()?;
        let mut at = self.entries.len();
        let mut offset = 0;
        for (k, entry) in self.entries() {
            if k == key {
                return Err(DecodeError::new(ErrorClass::DuplicateKey, 0));
            }
            if k > key {
                at = offset;
                break;
            }
            offset += entry.len();
        }
        let mut head = [0u8; 9];
        let mut w = Writer::new(&mut head);
        w.u64(key)
            .map_err(|_| DecodeError::new(ErrorClass::OutOfRange, 0))?;
        let head_len = w.position();
        self.entries
            .splice(at..at, head[..head_len].iter().chain(value).copied());
        self.count += 1;
        self.room = self.room.max(TOP_LEVEL_ROOM);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_stay_sorted_and_checked() {
        let mut u = OwnedUnknownFields::new();
        u.insert(300, &[0xf5]).unwrap();
        u.insert(7, &[0x61, b'x']).unwrap();
        u.insert(65535, &[0x80]).unwrap();
        let keys: Vec<u64> = u.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [7, 300, 65535]);
        // Between two entries.
        u.insert(100, &[0xf6]).unwrap();
        let keys: Vec<u64> = u.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [7, 100, 300, 65535]);
        u = OwnedUnknownFields::from_borrowed(&u.as_borrowed(), &[100]);
        assert_eq!(u.get(7), Some(&[0x61, b'x'][..]));
        assert_eq!(u.len(), 3);
        assert_eq!(
            u.encoded_len(),
            (1 + 2) + (3 + 1) + (3 + 1),
            "heads of 7, 300 and 65535"
        );
        let class = |r: Result<(), DecodeError>| r.unwrap_err().class();
        assert_eq!(class(u.insert(7, &[0x00])), ErrorClass::DuplicateKey);
        assert_eq!(class(u.insert(65536, &[0x00])), ErrorClass::OutOfRange);
        assert_eq!(
            class(u.insert(8, &[0x18, 0x01])),
            ErrorClass::NonCanonicalInteger
        );
        assert_eq!(class(u.insert(8, &[0x00, 0x00])), ErrorClass::TrailingBytes);
        assert_eq!(class(u.insert(8, &[])), ErrorClass::Truncated);
        assert_eq!(u.len(), 3);
        let copy = OwnedUnknownFields::from_borrowed(&u.as_borrowed(), &[300]);
        assert_eq!(copy.iter().map(|(k, _)| k).collect::<Vec<_>>(), [7, 65535]);
    }

    #[test]
    fn owned_values_are_seen_in_their_borrowed_form_without_copies() {
        let text = String::from("ab");
        let seen: &str = text.as_borrowed();
        assert!(core::ptr::eq(seen, text.as_str()));
        let numbers: Vec<u16> = alloc::vec![1, 2];
        let array: Array<'_, u16> = numbers.as_borrowed();
        assert!(matches!(array, Array::Slice(items) if core::ptr::eq(items, numbers.as_slice())));
        let missing: Option<Vec<u8>> = None;
        assert_eq!(AsBorrowed::<Option<&[u8]>>::as_borrowed(&missing), None);
        assert_eq!(7u32.as_borrowed(), 7u32);
    }

    #[test]
    fn an_unknown_field_may_nest_as_deep_as_in_a_top_level_message() {
        // The message map is the first level: its value has the other MAX_DEPTH - 1.
        let nested = |levels: usize| {
            let mut value = alloc::vec![0x81; levels];
            value.push(0x00);
            value
        };
        let mut u = OwnedUnknownFields::new();
        u.insert(1, &nested(MAX_DEPTH - 2)).unwrap();
        assert_eq!(
            u.insert(2, &nested(MAX_DEPTH - 1)).unwrap_err().class(),
            ErrorClass::DepthExceeded
        );
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn unknown_fields_are_equal_and_hash_alike_by_their_entries() {
        /// A hasher that keeps what it was given.
        #[derive(Default)]
        struct Bytes(Vec<u8>);
        impl core::hash::Hasher for Bytes {
            fn write(&mut self, bytes: &[u8]) {
                self.0.extend_from_slice(bytes);
            }
            fn finish(&self) -> u64 {
                0
            }
        }
        let hashed = |u: &OwnedUnknownFields| {
            let mut h = Bytes::default();
            core::hash::Hash::hash(u, &mut h);
            h.0
        };
        let (mut a, mut b) = (OwnedUnknownFields::new(), OwnedUnknownFields::new());
        a.insert(7, &[0x01]).unwrap();
        b.insert(7, &[0x02]).unwrap();
        assert_ne!(a, b);
        assert_ne!(hashed(&a), hashed(&b));
        assert_ne!(hashed(&a), hashed(&OwnedUnknownFields::new()));
        let same = OwnedUnknownFields::from_borrowed(&a.as_borrowed(), &[]);
        assert_eq!(a, same);
        assert_eq!(hashed(&a), hashed(&same));
    }

    #[test]
    fn encode_to_vec_is_exact() {
        let v = encode_to_vec(3, |w| w.text("ab")).unwrap();
        assert_eq!(v, [0x62, b'a', b'b']);
        assert_eq!(
            encode_to_vec(1, |w| w.text("ab")),
            Err(EncodeError::BufferTooSmall { needed: 3 })
        );
    }
}
