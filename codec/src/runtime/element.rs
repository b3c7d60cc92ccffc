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

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `value`, checks its bytes and their length, and reads it back.
    fn round_trip<'a, T: Element<'a> + PartialEq + core::fmt::Debug>(value: T, bytes: &'a [u8]) {
        let mut buf = [0u8; 16];
        let mut w = Writer::new(&mut buf);
        value.write(&mut w).unwrap();
        let n = w.position();
        assert_eq!(&buf[..n], bytes, "{value:?}");
        assert_eq!(value.encoded_len(), bytes.len(), "{value:?}");
        let mut r = Reader::new(bytes);
        assert_eq!(T::read(&mut r), Ok(value));
        assert!(r.is_empty(), "{value:?}");
    }

    /// Every scalar element writes its canonical item, knows its length and reads it back: at the
    /// edges of each integer type, where the head widens, and for the other kinds.
    #[test]
    fn scalars_write_and_read_back() {
        round_trip(0u8, &[0x00]);
        round_trip(u8::MAX, &[0x18, 0xff]);
        round_trip(u16::MAX, &[0x19, 0xff, 0xff]);
        round_trip(u32::MAX, &[0x1a, 0xff, 0xff, 0xff, 0xff]);
        round_trip(
            u64::MAX,
            &[0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        );
        round_trip(-1i8, &[0x20]);
        round_trip(i8::MIN, &[0x38, 0x7f]);
        round_trip(i16::MAX, &[0x19, 0x7f, 0xff]);
        round_trip(i32::MIN, &[0x3a, 0x7f, 0xff, 0xff, 0xff]);
        round_trip(
            i64::MIN,
            &[0x3b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        );
        round_trip(true, &[0xf5]);
        round_trip(false, &[0xf4]);
        round_trip(1.5f32, &[0xf9, 0x3e, 0x00]);
        round_trip(100000.0f32, &[0xfa, 0x47, 0xc3, 0x50, 0x00]);
        round_trip(1.5f64, &[0xf9, 0x3e, 0x00]);
        round_trip(
            0.1f64,
            &[0xfb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
        );
        round_trip("ab", b"\x62ab");
        round_trip(&b"\x01\x02"[..], &[0x42, 0x01, 0x02]);
        round_trip(&[1u8, 2, 3], &[0x43, 0x01, 0x02, 0x03]);
        // A value outside the type is no value of it.
        assert!(u8::read(&mut Reader::new(&[0x19, 0x01, 0x00])).is_err());
        assert!(i8::read(&mut Reader::new(&[0x38, 0x80])).is_err());
    }
}
