//! The canonical JSON mapping of spec/04-wire-format.md §4.18 (feature `serde`): the `Serialize`
//! and `Deserialize` impls of every generated message, union and enum, made from the per-type
//! tables that the Rust backend generates.
//!
//! A table names, for each field, a *marker* that says how the schema type maps to JSON,
//! whatever the Rust type holding it (`&[u8]` or `Vec<u8>`, [`Array`] or `Vec`):
//!
//! | marker | schema types | JSON |
//! |---|---|---|
//! | [`Same`] | `bool`, integers, `string`, enums, messages, unions | the Rust type's own `Serialize` |
//! | [`Range`] | integers with a narrower `@range` | a number, checked against the range when read |
//! | [`Float`] | `f32`, `f64` | a number; `"NaN"`, `"Infinity"`, `"-Infinity"` |
//! | [`Hex`] | `bytes<N>`, `bytes[N]` | lowercase hexadecimal |
//! | [`Seq`] | `array<T, N>` | an array, each item by `T`'s marker |
//!
//! The rest is the object layout: [`message`] writes members in key order, merging retained unknown
//! fields as `"#<key>": "<hex>"`; [`as_owned`] writes a borrowed value as its owned copy, so that
//! only the owned form has a writer; [`read_message`] reads an object for any message through the
//! message's [`ReadMessage`], which reads the members with [`read_members`] (names through
//! [`Members`], values into slots with [`put`], unknown fields kept by [`put_unknown`]) and takes
//! the slots with [`required`] and the default constants; [`variant`], [`unit_variant`] and
//! [`unknown_variant`] write unions, and [`read_union`] reads them through the union's
//! [`ReadUnion`], which reads a value with [`value`], [`unit()`] or [`raw_value`].
//!
//! Generated code holds none of these statements: per type it writes a table of facts, one row
//! per field, variant or enum value, and the macros [`message_table!`], [`union_table!`] and
//! [`enum_table!`] (module `table`) expand it into the impls over the functions above.
//!
//! JSON readers get what the spec asks (§4.18): integers exactly (no float in between) and only within
//! their type and range, `-0` rejected for integers and enums, floats rounded to the field's type,
//! members in any order, duplicate members rejected, unknown member names rejected unless `#<key>`
//! (canonical decimal up to 65535, with a key the type does not define), `null` only for a unit
//! variant, hexadecimal in lowercase only, enum numbers (known or not) accepted, and a defaulted field
//! accepted when present with its default value (the owned value then re-encodes without it). A
//! caller that reads JSON text checks that nothing but whitespace follows the value (with serde_json,
//! `Deserializer::end`, which `serde_json::from_str` calls).
//!
//! Floats are read as spec IOTP-WIRE-70 asks: the decimal number is rounded once to the field's type
//! (ties to even), never through binary64 first, and a number whose rounded value is infinite is
//! rejected. serde hands a JSON reader a number as an `f64`; the reader takes that value's shortest
//! decimal (the text a shortest-float writer such as serde_json's wrote) and rounds it to `f32`. This
//! is the decimal as written whenever it was written in shortest form, which every canonical JSON
//! writer does (and every number of the conformance vectors is); a longer decimal can then round
//! differently from the text only when it lies within half a binary64 unit of an `f32` midpoint.
//! With serde_json's `raw_value` feature, the reader gets the number's text itself and rounds that,
//! so no such case remains.

use core::fmt::{self, Write as _};
use core::iter::Peekable;
use core::marker::PhantomData;

use alloc::vec::Vec;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::array::Array;
use super::element::Element;
use super::error::{DecodeError, EncodeError, ErrorClass};
use super::lazy::Lazy;
use super::limits::MAX_DEPTH;
use super::owned::{IntoOwned, OwnedUnknownFields};
use super::reader::{Reader, MAX_KEY};
use super::unknown::UnknownEntries;
use super::writer::head_len;

mod table;

/// See [`__iotp2p_json_enum`](crate::__iotp2p_json_enum): an enum's table.
pub use crate::__iotp2p_json_enum as enum_table;
/// See [`__iotp2p_json_message`](crate::__iotp2p_json_message): a message's table.
pub use crate::__iotp2p_json_message as message_table;
/// See [`__iotp2p_json_union`](crate::__iotp2p_json_union): a union's table.
pub use crate::__iotp2p_json_union as union_table;

// ---------------------------------------------------------------------------------------------------
// Markers.

/// Writes a `T` the way a marker says.
pub trait SerializeAs<T: ?Sized> {
    /// Serializes `value`.
    fn serialize_as<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error>;
}

/// Reads a `T` the way a marker says.
pub trait DeserializeAs<'de, T>: Sized {
    /// Deserializes a value.
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error>;
}

/// Marker: the Rust type's own `Serialize` and `Deserialize` are canonical (`bool`, integers without a
/// narrower range, strings, generated enums, messages and unions).
pub struct Same;

/// Marker: an integer whose `@range` is narrower than its type; readers reject values outside it.
pub struct Range<const MIN: i128, const MAX: i128>;

/// Marker: `f32` or `f64`, with the strings `"NaN"`, `"Infinity"` and `"-Infinity"` for the values
/// JSON has no number for.
pub struct Float;

/// Marker: `bytes<N>` or `bytes[N]` as a string of lowercase hexadecimal digits.
pub struct Hex;

/// Marker: `array<T, N>`, each item written as marker `M` says.
pub struct Seq<M>(PhantomData<fn() -> M>);

/// A reference to a value, serialized as marker `M` says.
pub struct As<'v, M, T: ?Sized> {
    value: &'v T,
    marker: PhantomData<fn() -> M>,
}

impl<'v, M, T: ?Sized> As<'v, M, T> {
    /// Wraps `value`.
    #[inline]
    pub fn new(value: &'v T) -> Self {
        As {
            value,
            marker: PhantomData,
        }
    }
}

impl<M: SerializeAs<T>, T: ?Sized> Serialize for As<'_, M, T> {
    #[inline]
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        M::serialize_as(self.value, serializer)
    }
}

/// Deserializes a `T` as marker `M` says (a `DeserializeSeed`).
pub struct AsSeed<M, T>(PhantomData<fn() -> (M, T)>);

impl<M, T> AsSeed<M, T> {
    /// The seed.
    #[inline]
    pub fn new() -> Self {
        AsSeed(PhantomData)
    }
}

impl<M, T> Default for AsSeed<M, T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, M: DeserializeAs<'de, T>, T> DeserializeSeed<'de> for AsSeed<M, T> {
    type Value = T;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        M::deserialize_as(deserializer)
    }
}

impl<T: Serialize + ?Sized> SerializeAs<T> for Same {
    #[inline]
    fn serialize_as<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeAs<'de, T> for Same {
    #[inline]
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        T::deserialize(deserializer)
    }
}

impl<T: Serialize + ?Sized, const MIN: i128, const MAX: i128> SerializeAs<T> for Range<MIN, MAX> {
    #[inline]
    fn serialize_as<S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

impl<'de, T, const MIN: i128, const MAX: i128> DeserializeAs<'de, T> for Range<MIN, MAX>
where
    T: Deserialize<'de> + Copy + Into<i128>,
{
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
        let value = T::deserialize(deserializer)?;
        let wide: i128 = value.into();
        if (MIN..=MAX).contains(&wide) {
            Ok(value)
        } else {
            Err(de::Error::custom(format_args!(
                "{wide} is outside the field's range {MIN}..={MAX}"
            )))
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Floats.

/// The JSON string for a float JSON has no number for.
fn non_finite(value: f64) -> Option<&'static str> {
    if value.is_nan() {
        Some("NaN")
    } else if value == f64::INFINITY {
        Some("Infinity")
    } else if value == f64::NEG_INFINITY {
        Some("-Infinity")
    } else {
        None
    }
}

/// A small text buffer on the stack.
struct StackText {
    buf: [u8; 48],
    len: usize,
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The binary64 value of the shortest decimal that reads back as `value` in binary32: serialized as an
/// `f64`, it prints as that decimal (spec IOTP-WIRE-69: `0.1`, not `0.10000000149011612`), and every
/// serde format, not only JSON, sees the number a person would write.
pub fn f32_as_shortest_f64(value: f32) -> f64 {
    let mut text = StackText {
        buf: [0; 48],
        len: 0,
    };
    // `{:?}` is Rust's shortest round-trip form (with an exponent for very large or small values).
    if write!(text, "{value:?}").is_err() {
        return value as f64;
    }
    core::str::from_utf8(&text.buf[..text.len])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(value as f64)
}

/// The `f32` for a JSON number that serde read as the binary64 value `value`: the shortest decimal
/// of `value` rounded once to binary32 (ties to even), see the [module](self) documentation. The
/// canonical JSON of every `f32` reads back exactly. Infinite when the decimal lies beyond the range
/// of `f32` (a JSON reader rejects it).
pub fn f32_from_f64(value: f64) -> f32 {
    let mut text = StackText {
        buf: [0; 48],
        len: 0,
    };
    // `{:?}` is Rust's shortest round-trip form of the binary64 value.
    if !value.is_finite() || write!(text, "{value:?}").is_err() {
        return value as f32;
    }
    core::str::from_utf8(&text.buf[..text.len])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(value as f32)
}

impl SerializeAs<f64> for Float {
    fn serialize_as<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        match non_finite(*value) {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_f64(*value),
        }
    }
}

impl SerializeAs<f32> for Float {
    fn serialize_as<S: Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
        match non_finite(*value as f64) {
            Some(name) => serializer.serialize_str(name),
            None => serializer.serialize_f64(f32_as_shortest_f64(*value)),
        }
    }
}

/// `f32` or `f64`, as a JSON reader rounds to it.
trait FloatType: Copy {
    const NAME: &'static str;
    fn from_f64(v: f64) -> Self;
    /// A JSON number's text rounded once to the type (`None` unless it is a number).
    fn from_text(text: &str) -> Option<Self>;
    fn is_finite(self) -> bool;
    fn from_u64(v: u64) -> Self;
    fn from_i64(v: i64) -> Self;
}

impl FloatType for f32 {
    const NAME: &'static str = "an f32";
    fn from_f64(v: f64) -> Self {
        f32_from_f64(v)
    }
    fn from_text(text: &str) -> Option<Self> {
        json_number(text).then(|| text.parse().ok()).flatten()
    }
    fn is_finite(self) -> bool {
        self.is_finite()
    }
    fn from_u64(v: u64) -> Self {
        v as f32
    }
    fn from_i64(v: i64) -> Self {
        v as f32
    }
}

impl FloatType for f64 {
    const NAME: &'static str = "an f64";
    fn from_f64(v: f64) -> Self {
        v
    }
    fn from_text(text: &str) -> Option<Self> {
        json_number(text).then(|| text.parse().ok()).flatten()
    }
    fn is_finite(self) -> bool {
        self.is_finite()
    }
    fn from_u64(v: u64) -> Self {
        v as f64
    }
    fn from_i64(v: i64) -> Self {
        v as f64
    }
}

/// Whether `text` is a JSON number (RFC 8259 §6): `-`, then `0` or digits without a leading zero,
/// then optionally a fraction and an exponent. Rust's float parser alone also takes `inf` or `+1`.
fn json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    if digits(&mut i) == 0 || (b[int_start] == b'0' && i - int_start > 1) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// serde_json's name for the raw text of a value (its `RawValue`, feature `raw_value`): asked for a
/// newtype struct of this name, serde_json hands over the value's text as a map of one entry under
/// this key; other deserializers ignore the name.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

/// A number's rounded value, unless it is beyond the type's range (spec IOTP-WIRE-70: a JSON reader
/// rejects a number whose value rounded to the field's type is infinite).
fn finite<T: FloatType, E: de::Error>(value: T) -> Result<T, E> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(E::custom(format_args!(
            "the number is beyond the range of {}",
            T::NAME
        )))
    }
}

struct FloatVisitor<T>(PhantomData<T>);

impl<T: FloatType> FloatVisitor<T> {
    /// The value of a JSON text: a number, or one of the three strings.
    fn text<E: de::Error>(self, text: &str) -> Result<T, E> {
        let unexpected = match text.as_bytes().first() {
            Some(b'"') => {
                return match text[1..].strip_suffix('"') {
                    Some(name) => self.visit_str(name),
                    None => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                return match T::from_text(text) {
                    Some(value) => finite(value),
                    None => Err(E::invalid_value(de::Unexpected::Str(text), &self)),
                }
            }
            Some(b'n') => de::Unexpected::Unit,
            Some(b't') => de::Unexpected::Bool(true),
            Some(b'f') => de::Unexpected::Bool(false),
            Some(b'[') => de::Unexpected::Seq,
            Some(b'{') => de::Unexpected::Map,
            _ => de::Unexpected::Other("JSON text"),
        };
        Err(E::invalid_type(unexpected, &self))
    }
}

impl<'de, T: FloatType> Visitor<'de> for FloatVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: a number, \"NaN\", \"Infinity\" or \"-Infinity\"",
            T::NAME
        )
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        finite(T::from_f64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Ok(T::from_u64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::from_i64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        match v {
            "NaN" => Ok(T::from_f64(f64::NAN)),
            "Infinity" => Ok(T::from_f64(f64::INFINITY)),
            "-Infinity" => Ok(T::from_f64(f64::NEG_INFINITY)),
            _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    /// A deserializer that does not know [`RAW_VALUE`] reads on as usual.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }

    /// serde_json with `raw_value`: the value's text, rounded once from the decimal as written.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        match map.next_key::<RawKey>()? {
            Some(RawKey) => map.next_value_seed(RawText(self)),
            None => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

/// The key of serde_json's raw value map.
struct RawKey;

impl<'de> Deserialize<'de> for RawKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = RawKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawKey, E> {
                if v == RAW_VALUE {
                    Ok(RawKey)
                } else {
                    Err(E::invalid_type(de::Unexpected::Map, &self))
                }
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// The raw text of a float's JSON value.
struct RawText<T>(FloatVisitor<T>);

impl<'de, T: FloatType> DeserializeSeed<'de> for RawText<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T: FloatType> Visitor<'_> for RawText<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        self.0.text(v.trim())
    }
}

impl<'de> DeserializeAs<'de, f32> for Float {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f32, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE, FloatVisitor::<f32>(PhantomData))
    }
}

impl<'de> DeserializeAs<'de, f64> for Float {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_newtype_struct(RAW_VALUE, FloatVisitor::<f64>(PhantomData))
    }
}

// ---------------------------------------------------------------------------------------------------
// Bytes.

/// Bytes shown as lowercase hexadecimal.
struct HexStr<'b>(&'b [u8]);

impl fmt::Display for HexStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        for &b in self.0 {
            f.write_char(DIGITS[(b >> 4) as usize] as char)?;
            f.write_char(DIGITS[(b & 0xf) as usize] as char)?;
        }
        Ok(())
    }
}

impl Serialize for HexStr<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl SerializeAs<&[u8]> for Hex {
    fn serialize_as<S: Serializer>(value: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
        HexStr(value).serialize(serializer)
    }
}

impl SerializeAs<Vec<u8>> for Hex {
    fn serialize_as<S: Serializer>(value: &Vec<u8>, serializer: S) -> Result<S::Ok, S::Error> {
        HexStr(value).serialize(serializer)
    }
}

impl<const N: usize> SerializeAs<&[u8; N]> for Hex {
    fn serialize_as<S: Serializer>(value: &&[u8; N], serializer: S) -> Result<S::Ok, S::Error> {
        HexStr(&value[..]).serialize(serializer)
    }
}

impl<const N: usize> SerializeAs<[u8; N]> for Hex {
    fn serialize_as<S: Serializer>(value: &[u8; N], serializer: S) -> Result<S::Ok, S::Error> {
        HexStr(value).serialize(serializer)
    }
}

/// The bytes of lowercase hexadecimal text (two digits per byte, nothing else).
fn unhex(text: &str) -> Option<Vec<u8>> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    let text = text.as_bytes();
    if text.len() % 2 != 0 {
        return None;
    }
    text.chunks_exact(2)
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}

struct HexVisitor;

impl Visitor<'_> for HexVisitor {
    type Value = Vec<u8>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string of lowercase hexadecimal digits, two per byte")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<u8>, E> {
        unhex(v).ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

impl<'de> DeserializeAs<'de, Vec<u8>> for Hex {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        deserializer.deserialize_str(HexVisitor)
    }
}

impl<'de, const N: usize> DeserializeAs<'de, [u8; N]> for Hex {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<[u8; N], D::Error> {
        let bytes = deserializer.deserialize_str(HexVisitor)?;
        <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| {
            de::Error::custom(format_args!(
                "{} bytes where exactly {N} are expected",
                bytes.len()
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------------
// Arrays and lazily decoded values.

impl<'a, T: Element<'a>, M: SerializeAs<T>> SerializeAs<Array<'a, T>> for Seq<M> {
    fn serialize_as<S: Serializer>(value: &Array<'a, T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(value.len()))?;
        for item in value.iter() {
            seq.serialize_element(&As::<M, T>::new(&item))?;
        }
        seq.end()
    }
}

impl<T, M: SerializeAs<T>> SerializeAs<Vec<T>> for Seq<M> {
    fn serialize_as<S: Serializer>(value: &Vec<T>, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(value.len()))?;
        for item in value {
            seq.serialize_element(&As::<M, T>::new(item))?;
        }
        seq.end()
    }
}

struct SeqVisitor<M, T>(PhantomData<fn() -> (M, T)>);

impl<'de, M: DeserializeAs<'de, T>, T> Visitor<'de> for SeqVisitor<M, T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(AsSeed::<M, T>::new())? {
            items.push(item);
        }
        Ok(items)
    }
}

impl<'de, T, M: DeserializeAs<'de, T>> DeserializeAs<'de, Vec<T>> for Seq<M> {
    fn deserialize_as<D: Deserializer<'de>>(deserializer: D) -> Result<Vec<T>, D::Error> {
        deserializer.deserialize_seq(SeqVisitor::<M, T>(PhantomData))
    }
}

/// A value of a recursive type, kept encoded by the decoder, is written as the value it holds.
impl<'a, T: Element<'a> + Serialize> Serialize for Lazy<'a, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.get() {
            Some(value) => value.serialize(serializer),
            None => Err(ser::Error::custom(
                "Lazy::Encoded holds bytes that do not decode as its type",
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Messages and unions: writing.

/// The member name of unknown field or variant `key`: `#` and the key in decimal.
struct UnknownMember(u64);

impl Serialize for UnknownMember {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut text = StackText {
            buf: [0; 48],
            len: 0,
        };
        write!(text, "#{}", self.0).map_err(|_| ser::Error::custom("member name too long"))?;
        // Only ASCII was written.
        serializer.serialize_str(core::str::from_utf8(&text.buf[..text.len]).unwrap_or("#"))
    }
}

/// A message's JSON object being written: fields in key order with the retained unknown fields
/// merged in (see [`message`]).
pub struct MessageSerializer<'u, M> {
    map: M,
    unknown: Peekable<UnknownEntries<'u>>,
}

/// Starts a message's object of `len` members (the message's entry count), whose retained unknown
/// fields are `unknown`.
pub fn message<S: Serializer>(
    serializer: S,
    len: usize,
    unknown: UnknownEntries<'_>,
) -> Result<MessageSerializer<'_, S::SerializeMap>, S::Error> {
    Ok(MessageSerializer {
        map: serializer.serialize_map(Some(len))?,
        unknown: unknown.peekable(),
    })
}

impl<M: SerializeMap> MessageSerializer<'_, M> {
    /// Writes field `name` (key `key`) as marker `A` says, after the unknown fields with smaller
    /// keys. Fields must come in ascending key order.
    pub fn field<A: SerializeAs<T>, T: ?Sized>(
        &mut self,
        key: u64,
        name: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        self.unknown_below(key)?;
        self.map.serialize_entry(name, &As::<A, T>::new(value))
    }

    /// Writes optional field `name` as [`field`](Self::field) does when it is present.
    pub fn optional<A: SerializeAs<T>, T>(
        &mut self,
        key: u64,
        name: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        match value {
            Some(value) => self.field::<A, T>(key, name, value),
            None => Ok(()),
        }
    }

    fn unknown_below(&mut self, key: u64) -> Result<(), M::Error> {
        while let Some(&(k, entry)) = self.unknown.peek() {
            if k >= key {
                break;
            }
            let value = entry.get(head_len(k)..).unwrap_or_default();
            self.map
                .serialize_entry(&UnknownMember(k), &HexStr(value))?;
            self.unknown.next();
        }
        Ok(())
    }

    /// Writes the remaining unknown fields and closes the object.
    pub fn end(mut self) -> Result<M::Ok, M::Error> {
        self.unknown_below(u64::MAX)?;
        self.map.end()
    }
}

/// Writes a borrowed message or union as its owned copy, so that the two forms share one JSON writer
/// (the owned form's, generated). Copying is lossless: the owned form keeps what re-encoding needs.
///
/// # Panics
///
/// As [`IntoOwned::into_owned`]: only for a `Lazy::Encoded` built by hand around bytes that do not
/// decode (a decoder only makes them from bytes it validated).
pub fn as_owned<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
where
    T: Clone + IntoOwned,
    T::Owned: Serialize,
    S: Serializer,
{
    value.clone().into_owned().serialize(serializer)
}

/// Writes a union's variant `name` with its value, as marker `A` says: `{"name": value}`.
pub fn variant<A: SerializeAs<T>, T: ?Sized, S: Serializer>(
    serializer: S,
    name: &'static str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(name, &As::<A, T>::new(value))?;
    map.end()
}

/// Writes a union's unit variant `name`: `{"name": null}`.
pub fn unit_variant<S: Serializer>(serializer: S, name: &'static str) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(name, &())?;
    map.end()
}

/// Writes a union's unknown variant: `{"#key": "hex of the value"}`.
pub fn unknown_variant<S: Serializer>(
    serializer: S,
    key: u64,
    value: &[u8],
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(&UnknownMember(key), &HexStr(value))?;
    map.end()
}

// ---------------------------------------------------------------------------------------------------
// Enums.

/// Writes an enum value by name (`names` maps names to numbers), or an unknown one as its number.
pub fn serialize_enum<S: Serializer>(
    serializer: S,
    names: &[(&'static str, u32)],
    number: u32,
) -> Result<S::Ok, S::Error> {
    match names.iter().find(|&&(_, n)| n == number) {
        Some(&(name, _)) => serializer.serialize_str(name),
        None => serializer.serialize_u32(number),
    }
}

struct EnumVisitor(&'static [(&'static str, u32)]);

impl Visitor<'_> for EnumVisitor {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an enum value's name, or a number from 0 to 4294967295")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        match self.0.iter().find(|&&(name, _)| name == v) {
            Some(&(_, number)) => Ok(number),
            None => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &self))
    }
}

/// Reads an enum value: a name of `names`, or any number (unknown values are kept).
pub fn deserialize_enum<'de, D: Deserializer<'de>>(
    deserializer: D,
    names: &'static [(&'static str, u32)],
) -> Result<u32, D::Error> {
    deserializer.deserialize_any(EnumVisitor(names))
}

// ---------------------------------------------------------------------------------------------------
// Messages and unions: reading.

/// Reads an object's member name: a name of the table (a field or variant, with its key) gives its
/// key; `#<key>` (decimal, no leading zero, at most 65535, not a key of the table) gives that key, for
/// an unknown field or variant; anything else is an error (spec IOTP-WIRE-72).
#[derive(Clone, Copy)]
pub struct Members(pub &'static [(&'static str, u64)]);

impl<'de> DeserializeSeed<'de> for Members {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<u64, D::Error> {
        deserializer.deserialize_str(self)
    }
}

/// The key in `#<key>`, in canonical decimal and within the key range.
fn unknown_key(digits: &str) -> Option<u64> {
    let canonical = !digits.is_empty()
        && digits.len() <= 5
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    let key: u64 = digits.parse().ok().filter(|_| canonical)?;
    (key <= MAX_KEY).then_some(key)
}

impl Visitor<'_> for Members {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name: ")?;
        for (i, (name, _)) in self.0.iter().enumerate() {
            write!(f, "`{name}`, ")?;
            if i == 7 && self.0.len() > 9 {
                f.write_str("..., ")?;
                break;
            }
        }
        f.write_str("or `#<key>` for an unknown one")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        if let Some(&(_, key)) = self.0.iter().find(|&&(name, _)| name == v) {
            return Ok(key);
        }
        let Some(digits) = v.strip_prefix('#') else {
            return Err(E::invalid_value(de::Unexpected::Str(v), &self));
        };
        let Some(key) = unknown_key(digits) else {
            return Err(E::custom(format_args!(
                "`{v}` is not `#` and a key from 0 to 65535 in decimal"
            )));
        };
        match self.0.iter().find(|&&(_, k)| k == key) {
            Some((name, _)) => Err(E::custom(format_args!(
                "`{v}` is the key of `{name}`, which must be written by name"
            ))),
            None => Ok(key),
        }
    }
}

/// Reads the value of field `name` into its slot, as marker `M` says; a second one is an error
/// (spec IOTP-WIRE-73).
pub fn put<'de, M: DeserializeAs<'de, T>, T, A: MapAccess<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value_seed(AsSeed::<M, T>::new())?);
    Ok(())
}

/// Reads the value of unknown field `key` (`"#key": "hex"`): the hexadecimal encoding of one
/// canonical data item.
pub fn put_unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    unknown: &mut OwnedUnknownFields,
    key: u64,
) -> Result<(), A::Error> {
    let value = map.next_value_seed(AsSeed::<Hex, Vec<u8>>::new())?;
    unknown.insert(key, &value).map_err(|e| match e.class() {
        ErrorClass::DuplicateKey => de::Error::custom(format_args!("duplicate member `#{key}`")),
        _ => de::Error::custom(format_args!(
            "`#{key}` is not the canonical encoding of one data item: {e}"
        )),
    })
}

/// Compares a field with its default as marker `M` says: floats by their bits (`-0.0` and NaN
/// payloads are not the default `0.0`), other values with `==`.
pub trait DefaultAs<T: ?Sized, D: ?Sized> {
    /// Whether `value` encodes as `default` does.
    fn is_default(value: &T, default: &D) -> bool;
}

impl<T: PartialEq<D> + ?Sized, D: ?Sized> DefaultAs<T, D> for Same {
    fn is_default(value: &T, default: &D) -> bool {
        value == default
    }
}

impl<T: PartialEq<D> + ?Sized, D: ?Sized, const MIN: i128, const MAX: i128> DefaultAs<T, D>
    for Range<MIN, MAX>
{
    fn is_default(value: &T, default: &D) -> bool {
        value == default
    }
}

impl<T: PartialEq<D> + ?Sized, D: ?Sized> DefaultAs<T, D> for Hex {
    fn is_default(value: &T, default: &D) -> bool {
        value == default
    }
}

impl DefaultAs<f32, f32> for Float {
    fn is_default(value: &f32, default: &f32) -> bool {
        value.to_bits() == default.to_bits()
    }
}

impl DefaultAs<f64, f64> for Float {
    fn is_default(value: &f64, default: &f64) -> bool {
        value.to_bits() == default.to_bits()
    }
}

/// Whether a defaulted field holds its default, as marker `M` says (the writer leaves it out).
#[inline]
pub fn is_default<M: DefaultAs<T, D>, T: ?Sized, D: ?Sized>(value: &T, default: &D) -> bool {
    M::is_default(value, default)
}

/// The value of a required field, or the `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A message's owned form as the JSON reader builds it, implemented for every message by
/// [`message_table!`]: how an object's members make the value. [`read_message`] does the rest, the
/// same for every message.
pub trait ReadMessage: Sized {
    /// The type's name, for the error that the input is not an object.
    const NAME: &'static str;
    /// Reads the object's members with [`read_members`] and makes the value (defaults for the
    /// absent defaulted fields, [`required`] for required fields).
    fn read<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// Reads an object's members (names as for [`Members`]): `put` reads the value of the member with
/// a key into its slot with [`put`] and says `false` when the key is no field's; such unknown
/// fields are returned.
pub fn read_members<'de, A: MapAccess<'de>>(
    map: &mut A,
    members: &'static [(&'static str, u64)],
    mut put: impl FnMut(u64, &mut A) -> Result<bool, A::Error>,
) -> Result<OwnedUnknownFields, A::Error> {
    let mut unknown = OwnedUnknownFields::new();
    while let Some(key) = map.next_key_seed(Members(members))? {
        if !put(key, map)? {
            put_unknown(map, &mut unknown, key)?;
        }
    }
    Ok(unknown)
}

/// Reads a message's canonical JSON object: members in any order, defaulted fields also when
/// present with their default value; duplicate and unknown members (other than `"#<key>"`)
/// rejected.
pub fn read_message<'de, T: ReadMessage, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(MessageVisitor(PhantomData))
}

struct MessageVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: ReadMessage> Visitor<'de> for MessageVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object of type {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::read(map)
    }
}

/// A union's owned form as the JSON reader builds it, generated for every union: its member table
/// and how the value of a variant is read. [`read_union`] does the rest.
pub trait ReadUnion: Sized {
    /// The type's name, for the error that the input is not an object.
    const NAME: &'static str;
    /// Variant names and their keys (see [`Members`]).
    const MEMBERS: &'static [(&'static str, u64)];
    /// Reads the value of the variant with key `key` ([`value`], [`unit()`], or [`raw_value`] for an
    /// unknown variant).
    fn variant<'de, A: MapAccess<'de>>(key: u64, map: &mut A) -> Result<Self, A::Error>;
}

/// Reads a union's canonical JSON object: exactly one member, a variant's name or `"#<key>"`.
pub fn read_union<'de, T: ReadUnion, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    deserializer.deserialize_map(UnionVisitor(PhantomData))
}

struct UnionVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: ReadUnion> Visitor<'de> for UnionVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object of type {}, with one member", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let key = union_key(&mut map, T::MEMBERS)?;
        let value = T::variant(key, &mut map)?;
        union_end(&mut map)?;
        Ok(value)
    }
}

/// The key of a union's member (names as for [`Members`]); an empty object is an error.
pub fn union_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    names: &'static [(&'static str, u64)],
) -> Result<u64, A::Error> {
    map.next_key_seed(Members(names))?
        .ok_or_else(|| de::Error::custom("a union is an object with exactly one member"))
}

/// Reads a union variant's value as marker `M` says.
pub fn value<'de, M: DeserializeAs<'de, T>, T, A: MapAccess<'de>>(
    map: &mut A,
) -> Result<T, A::Error> {
    map.next_value_seed(AsSeed::<M, T>::new())
}

/// Reads a unit variant's value: `null`.
pub fn unit<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<()>()
}

/// Reads an unknown variant's value: the hexadecimal encoding of one canonical data item.
pub fn raw_value<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Vec<u8>, A::Error> {
    let value = map.next_value_seed(AsSeed::<Hex, Vec<u8>>::new())?;
    let mut r = Reader::new(&value);
    r.skip(MAX_DEPTH - 1)
        .and_then(|_| r.finish())
        .map_err(|e| {
            de::Error::custom(format_args!(
                "an unknown variant's value is not the canonical encoding of one data item: {e}"
            ))
        })?;
    Ok(value)
}

/// Fails unless the union's object has no further member.
pub fn union_end<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    match map.next_key::<IgnoredAny>()? {
        Some(_) => Err(de::Error::custom(
            "a union is an object with exactly one member",
        )),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------------
// By type name.

/// Why converting between bytes and JSON by type name failed (see the generated `to_json` and
/// `from_json`).
#[derive(Clone, Debug, PartialEq)]
pub enum Error<E> {
    /// The bytes were rejected.
    Decode(DecodeError),
    /// The value read from JSON breaks the schema (a bound or a range).
    Encode(EncodeError),
    /// The serializer or deserializer failed: for JSON input, not the canonical form of the type.
    Json(E),
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(e) => write!(f, "decode: {e}"),
            Error::Encode(e) => write!(f, "encode: {e}"),
            Error::Json(e) => write!(f, "json: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}

/// Decodes `input` as a `T` and writes the value's JSON form with `serializer`, or reports why
/// decoding failed: the generated index's `to_json`, for one type.
pub fn to_json<'a, T, S>(input: &'a [u8], serializer: S) -> Result<S::Ok, Error<S::Error>>
where
    T: super::Message<'a> + Serialize,
    S: Serializer,
{
    let value = T::decode(input).map_err(Error::Decode)?;
    value.serialize(serializer).map_err(Error::Json)
}

/// Reads a `T` (an owned form, or an enum) from its JSON form with `deserializer` and returns its
/// encoding: the generated index's `from_json`, for one type.
pub fn from_json<'de, T, D>(deserializer: D) -> Result<Vec<u8>, Error<D::Error>>
where
    T: for<'a> super::Message<'a> + Deserialize<'de>,
    D: Deserializer<'de>,
{
    let value = T::deserialize(deserializer).map_err(Error::Json)?;
    value.encode_to_vec().map_err(Error::Encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f32_prints_as_its_shortest_decimal() {
        assert_eq!(f32_as_shortest_f64(0.1), 0.1);
        assert_eq!(f32_as_shortest_f64(21.5), 21.5);
        assert_eq!(f32_as_shortest_f64(f32::MAX), 3.4028235e38);
        assert_eq!(f32_as_shortest_f64(f32::from_bits(1)), 1e-45);
        assert_eq!(f32_as_shortest_f64(-0.0).to_bits(), (-0.0f64).to_bits());
        for bits in [
            0x3dcc_cccd_u32,
            0x0000_0001,
            0x7f7f_ffff,
            0x3f80_0001,
            0x4b7f_ffff,
        ] {
            let v = f32::from_bits(bits);
            assert_eq!(f32_as_shortest_f64(v) as f32, v, "{v:?} reads back");
        }
    }

    #[test]
    fn f32_reads_back_its_shortest_decimal() {
        // The one f32 (with its negative) whose shortest decimal, read as binary64, lies exactly
        // halfway between two f32s, and where ties-to-even picks the wrong one.
        for text in ["7.038531e-26", "-7.038531e-26"] {
            let wide: f64 = text.parse().unwrap();
            let exact: f32 = text.parse().unwrap();
            assert_ne!(wide as f32, exact, "double rounding");
            assert_eq!(f32_from_f64(wide), exact);
        }
        for v in [
            0.1f32,
            -0.0,
            1e-45,
            -1e-45,
            f32::MAX,
            f32::MIN_POSITIVE,
            3.0,
        ] {
            assert_eq!(f32_from_f64(f32_as_shortest_f64(v)).to_bits(), v.to_bits());
        }
        assert_eq!(f32_from_f64(1e300), f32::INFINITY);
        assert_eq!(f32_from_f64(0.1), 0.1f32);
    }

    #[test]
    fn f32_rounds_the_decimal_once() {
        // Binary64 values exactly halfway between two f32s: their shortest decimal lies on one side
        // and rounds there, where rounding the binary64 value (ties to even) would go the other way.
        for (wide, bits) in [
            (1.0 + 2f64.powi(-24), 0x3f80_0001),
            (1.0 + 3.0 * 2f64.powi(-24), 0x3f80_0001),
            (-(1.0 + 2f64.powi(-24)), 0xbf80_0001),
            (3.0 * 2f64.powi(-150), 0x0000_0001),
            (2f64.powi(128) - 2f64.powi(103), 0x7f7f_ffff),
        ] {
            assert_ne!((wide as f32).to_bits(), bits, "{wide:?} discriminates");
            assert_eq!(f32_from_f64(wide).to_bits(), bits, "{wide:?}");
        }
        assert_eq!(f32_from_f64(3.4028236e38), f32::INFINITY);
    }

    #[test]
    fn json_numbers_follow_rfc_8259() {
        for ok in ["0", "-0", "1.5", "1e5", "1E+5", "-2.5e-3", "10"] {
            assert!(json_number(ok), "{ok}");
        }
        for bad in [
            "", "-", "+1", "01", "1.", ".5", "1e", "inf", "NaN", "0x10", "1 ",
        ] {
            assert!(!json_number(bad), "{bad}");
        }
    }

    #[test]
    fn hex_is_lowercase_and_strict() {
        assert_eq!(unhex("00ff7e"), Some(alloc::vec![0, 255, 0x7e]));
        assert_eq!(unhex(""), Some(alloc::vec![]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("FF"), None);
        assert_eq!(unhex("0x"), None);
        assert_eq!(unhex("+1"), None);
    }

    #[test]
    fn a_default_is_what_encodes_the_same() {
        // Floats by their bits: `-0.0` and `0.0` are different encodings, NaN is its own default.
        assert!(!is_default::<Float, f64, f64>(&-0.0, &0.0));
        assert!(is_default::<Float, f64, f64>(&f64::NAN, &f64::NAN));
        assert!(!is_default::<Same, f64, f64>(&f64::NAN, &f64::NAN));
        assert!(is_default::<Float, f32, f32>(&1.5, &1.5));
        // Owned values against the constants of the borrowed form.
        assert!(is_default::<Same, alloc::string::String, &str>(
            &"on".into(),
            &"on"
        ));
        assert!(!is_default::<Same, alloc::string::String, &str>(
            &"off".into(),
            &"on"
        ));
        assert!(is_default::<Hex, Vec<u8>, &[u8]>(
            &alloc::vec![1, 2],
            &&[1u8, 2][..]
        ));
        assert!(!is_default::<Hex, Vec<u8>, &[u8]>(
            &alloc::vec![1, 3],
            &&[1u8, 2][..]
        ));
        assert!(!is_default::<Range<0, 9>, u8, u8>(&3, &4));
    }

    #[test]
    fn unknown_member_keys_are_canonical_decimal() {
        assert_eq!(unknown_key("0"), Some(0));
        assert_eq!(unknown_key("65535"), Some(65535));
        assert_eq!(unknown_key("65536"), None);
        assert_eq!(unknown_key("015"), None);
        assert_eq!(unknown_key("+1"), None);
        assert_eq!(unknown_key(""), None);
        assert_eq!(unknown_key("1e3"), None);
    }

    use serde::de::value::{Error as ValueError, MapDeserializer};

    /// The message of a reader's error.
    fn why<T: fmt::Debug>(result: Result<T, ValueError>) -> alloc::string::String {
        use alloc::string::ToString;
        match result {
            Ok(value) => panic!("accepted as {value:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_float_text_is_a_number_or_one_of_the_three_strings() {
        // serde_json with `raw_value` hands the reader the number's text (trimmed here).
        let f32_text = |text: &str| FloatVisitor::<f32>(PhantomData).text::<ValueError>(text);
        let f64_text = |text: &str| FloatVisitor::<f64>(PhantomData).text::<ValueError>(text);
        assert_eq!(f32_text("0.1"), Ok(0.1));
        assert_eq!(f32_text("7.038531e-26"), Ok(7.038531e-26));
        assert_eq!(f64_text("-2.5e-3"), Ok(-2.5e-3));
        assert_eq!(f64_text("10"), Ok(10.0));
        assert!(f32_text("\"NaN\"").unwrap().is_nan());
        assert_eq!(f64_text("\"Infinity\""), Ok(f64::INFINITY));
        assert_eq!(f32_text("\"-Infinity\""), Ok(f32::NEG_INFINITY));
        for (text, starts) in [
            (
                "\"nan\"",
                "invalid value: string \"nan\", expected an f32: a number",
            ),
            ("\"NaN", "invalid value: string \"\\\"NaN\""),
            ("01", "invalid value: string \"01\""),
            ("-", "invalid value: string \"-\""),
            ("1e39", "the number is beyond the range of an f32"),
            ("-1e39", "the number is beyond the range of an f32"),
            ("null", "invalid type: unit value"),
            ("true", "invalid type: boolean `true`"),
            ("false", "invalid type: boolean `false`"),
            ("[1]", "invalid type: sequence"),
            ("{}", "invalid type: map"),
            ("+1", "invalid type: JSON text"),
            ("", "invalid type: JSON text"),
        ] {
            let e = why(f32_text(text));
            assert!(e.starts_with(starts), "{text}: {e}");
        }
        assert_eq!(
            why(f64_text("1e309")),
            "the number is beyond the range of an f64"
        );
    }

    #[test]
    fn floats_read_integers_too() {
        let f32s = FloatVisitor::<f32>(PhantomData);
        let f64s = FloatVisitor::<f64>(PhantomData);
        assert_eq!(f32s.visit_i64::<ValueError>(-3), Ok(-3.0));
        assert_eq!(
            FloatVisitor::<f32>(PhantomData).visit_u64::<ValueError>(16_777_217),
            Ok(16_777_216.0)
        );
        assert_eq!(
            f64s.visit_i64::<ValueError>(i64::MIN),
            Ok(-9.223_372_036_854_776e18)
        );
        assert_eq!(
            FloatVisitor::<f64>(PhantomData).visit_u64::<ValueError>(u64::MAX),
            Ok(1.844_674_407_370_955_2e19)
        );
    }

    #[test]
    fn a_raw_float_is_the_one_member_of_serde_jsons_raw_value_map() {
        let read = |entries: Vec<(&'static str, &'static str)>| {
            FloatVisitor::<f32>(PhantomData)
                .visit_map(MapDeserializer::<_, ValueError>::new(entries.into_iter()))
        };
        assert_eq!(read(alloc::vec![(RAW_VALUE, " 0.1 ")]), Ok(0.1));
        assert_eq!(
            read(alloc::vec![(RAW_VALUE, "\"NaN\"")]).map(f32::is_nan),
            Ok(true)
        );
        assert!(why(read(alloc::vec![(RAW_VALUE, "01")])).starts_with("invalid value"));
        assert_eq!(
            why(read(alloc::vec![("x", "0.1")])),
            "invalid type: map, expected a number"
        );
        let not_text = FloatVisitor::<f32>(PhantomData).visit_map(
            MapDeserializer::<_, ValueError>::new(alloc::vec![(RAW_VALUE, 5u32)].into_iter()),
        );
        assert_eq!(
            why(not_text),
            "invalid type: integer `5`, expected an f32: a number, \"NaN\", \"Infinity\" or \"-Infinity\""
        );
        assert_eq!(
            why(read(alloc::vec![])),
            "invalid type: map, expected an f32: a number, \"NaN\", \"Infinity\" or \"-Infinity\""
        );
    }

    /// A deserializer of serde's own for `value`.
    fn de<'a, T: serde::de::IntoDeserializer<'a, ValueError>>(value: T) -> T::Deserializer {
        value.into_deserializer()
    }

    // Uses generated types.
    #[cfg(feature = "core-schema")]
    #[test]
    fn readers_say_what_they_expected() {
        use crate::generated::iotp2p_core::owned::{Body, ReadRequest};
        use alloc::string::ToString;
        let message = serde_json::from_str::<ReadRequest>("1")
            .unwrap_err()
            .to_string();
        assert!(
            message
                .starts_with("invalid type: integer `1`, expected an object of type ReadRequest"),
            "{message}"
        );
        let union = serde_json::from_str::<Body>("1").unwrap_err().to_string();
        assert!(
            union.starts_with(
                "invalid type: integer `1`, expected an object of type Body, with one member"
            ),
            "{union}"
        );
        let seq = <Seq<Same> as DeserializeAs<'_, Vec<u8>>>::deserialize_as(de("x"));
        assert_eq!(why(seq), "invalid type: string \"x\", expected an array");
        let hex = <Hex as DeserializeAs<'_, Vec<u8>>>::deserialize_as(de(5u32));
        assert_eq!(
            why(hex),
            "invalid type: integer `5`, expected a string of lowercase hexadecimal digits, two per byte"
        );
        static NAMES: [(&str, u32); 1] = [("ON", 1)];
        let expected = "expected an enum value's name, or a number from 0 to 4294967295";
        assert_eq!(deserialize_enum(de("ON"), &NAMES), Ok(1));
        assert_eq!(deserialize_enum(de(7u64), &NAMES), Ok(7));
        assert_eq!(deserialize_enum(de(7i64), &NAMES), Ok(7));
        for (result, unexpected) in [
            (
                deserialize_enum(de(true), &NAMES),
                "invalid type: boolean `true`",
            ),
            (
                deserialize_enum(de("OFF"), &NAMES),
                "invalid value: string \"OFF\"",
            ),
            (
                deserialize_enum(de(-1i64), &NAMES),
                "invalid value: integer `-1`",
            ),
            (
                deserialize_enum(de(1u64 << 32), &NAMES),
                "invalid value: integer `4294967296`",
            ),
        ] {
            assert_eq!(why(result), alloc::format!("{unexpected}, {expected}"));
        }
    }

    // Uses generated types.
    #[cfg(feature = "core-schema")]
    #[test]
    fn an_unknown_variant_may_nest_as_deep_as_in_a_top_level_union() {
        use crate::generated::iotp2p_core::owned::Body;
        // The union's map is the first level: the variant's value has the other MAX_DEPTH - 1.
        let read = |levels: usize| {
            let hex = alloc::format!("{}00", "81".repeat(levels));
            serde_json::from_str::<Body>(&alloc::format!("{{\"#60000\": \"{hex}\"}}"))
        };
        assert!(read(MAX_DEPTH - 2).is_ok());
        let e = read(MAX_DEPTH - 1).unwrap_err();
        assert!(alloc::string::ToString::to_string(&e).contains("not the canonical encoding"));
    }

    #[test]
    fn stack_text_refuses_what_does_not_fit() {
        let mut text = StackText {
            buf: [0; 48],
            len: 0,
        };
        assert!(text.write_str("0123456789abcdef0123456789abcdef").is_ok());
        assert!(text.write_str("0123456789abcdef").is_ok());
        assert!(text.write_str("x").is_err());
        assert_eq!(text.len, 48);
        assert_eq!(&text.buf[30..34], b"ef01");
    }

    #[test]
    fn member_names_are_listed_up_to_eight_in_the_error() {
        const NAMES: [(&str, u64); 10] = [
            ("a", 0),
            ("b", 1),
            ("c", 2),
            ("d", 3),
            ("e", 4),
            ("f", 5),
            ("g", 6),
            ("h", 7),
            ("i", 8),
            ("j", 9),
        ];
        static TEN: [(&str, u64); 10] = NAMES;
        static NINE: [(&str, u64); 9] = [
            NAMES[0], NAMES[1], NAMES[2], NAMES[3], NAMES[4], NAMES[5], NAMES[6], NAMES[7],
            NAMES[8],
        ];
        let expected = |names: &'static [(&'static str, u64)]| {
            why(Members(names).visit_str::<ValueError>("z"))
        };
        assert_eq!(
            expected(&TEN),
            "invalid value: string \"z\", expected a member name: `a`, `b`, `c`, `d`, `e`, `f`, \
             `g`, `h`, ..., or `#<key>` for an unknown one"
        );
        assert_eq!(
            expected(&NINE),
            "invalid value: string \"z\", expected a member name: `a`, `b`, `c`, `d`, `e`, `f`, \
             `g`, `h`, `i`, or `#<key>` for an unknown one"
        );
        assert_eq!(Members(&TEN).visit_str::<ValueError>("j"), Ok(9));
        assert_eq!(Members(&TEN).visit_str::<ValueError>("#10"), Ok(10));
        assert_eq!(
            why(Members(&TEN).visit_str::<ValueError>("#9")),
            "`#9` is the key of `j`, which must be written by name"
        );
        assert_eq!(
            why(Members(&TEN).visit_str::<ValueError>("#09")),
            "`#09` is not `#` and a key from 0 to 65535 in decimal"
        );
    }

    #[test]
    fn errors_by_type_name_say_which_step_failed() {
        use alloc::string::ToString;
        let decode = Reader::new(&[0x18]).skip(1).unwrap_err();
        assert_eq!(
            Error::<&str>::Decode(decode).to_string(),
            alloc::format!("decode: {decode}")
        );
        assert_eq!(
            Error::<&str>::Encode(EncodeError::DepthExceeded).to_string(),
            alloc::format!("encode: {}", EncodeError::DepthExceeded)
        );
        assert_eq!(
            Error::Json("not a number").to_string(),
            "json: not a number"
        );
    }
}
