//! The [`Element`] trait: how a value is read back from bytes that a decoder already validated, and how
//! it is written. Arrays and lazily decoded nested values use it to stay zero-copy.

use super::error::{DecodeError, EncodeError};
use super::float;
use super::limits::MAX_DEPTH;
use super::message::Message;
use super::reader::Reader;
use super::writer::{head_len, int_len, Writer};

/// A value that can live inside a validated [`Array`](super::Array) or [`Lazy`](super::Lazy).
///
/// `read` is only ever called on bytes that the generated decoder has already validated with the
/// schema's bounds and ranges, so it skips those checks; it still returns a `Result` instead of
/// panicking, and callers treat an error as "no value", which cannot happen on validated input.
pub trait Element<'a>: Sized + Copy {
    /// Reads one value from validated bytes.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;
    /// Writes the value (bounds are checked by the generated encoder before this is called).
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError>;
    /// Bytes `write` produces.
    fn encoded_len(&self) -> usize;
}

/// Generated types are elements through [`Message`]: read with the whole nesting
/// allowance (the bytes were validated where they sit), written and sized by their encoder.
impl<'a, T: Message<'a> + Copy> Element<'a> for T {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        T::decode_from(r, MAX_DEPTH)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        self.encode_to(w)
    }
    fn encoded_len(&self) -> usize {
        Message::encoded_len(self)
    }
}

macro_rules! unsigned {
    ($($t:ty),*) => {$(
        impl<'a> Element<'a> for $t {
            #[inline]
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                Ok(r.uint(0, <$t>::MAX as u64)? as $t)
            }
            #[inline]
            fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
                w.u64(*self as u64)
            }
            #[inline]
            fn encoded_len(&self) -> usize {
                head_len(*self as u64)
            }
        }
    )*};
}

macro_rules! signed {
    ($($t:ty),*) => {$(
        impl<'a> Element<'a> for $t {
            #[inline]
            fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
                Ok(r.int(<$t>::MIN as i64, <$t>::MAX as i64)? as $t)
            }
            #[inline]
            fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
                w.i64(*self as i64)
            }
            #[inline]
            fn encoded_len(&self) -> usize {
                int_len(*self as i64)
            }
        }
    )*};
}

unsigned!(u8, u16, u32, u64);
signed!(i8, i16, i32, i64);

impl<'a> Element<'a> for bool {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.bool()
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.bool(*self)
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        1
    }
}

impl<'a> Element<'a> for f32 {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.f32()
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.f32(*self)
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        float::shortest_len_f32(*self)
    }
}

impl<'a> Element<'a> for f64 {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.f64()
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.f64(*self)
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        float::shortest_len(*self)
    }
}

impl<'a> Element<'a> for &'a str {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.text(usize::MAX)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.text(self)
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        head_len(self.len() as u64) + self.len()
    }
}

impl<'a> Element<'a> for &'a [u8] {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.bytes(usize::MAX)
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.bytes(self)
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        head_len(self.len() as u64) + self.len()
    }
}

impl<'a, const N: usize> Element<'a> for &'a [u8; N] {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.fixed::<N>()
    }
    #[inline]
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.bytes(&self[..])
    }
    #[inline]
    fn encoded_len(&self) -> usize {
        head_len(N as u64) + N
    }
}
