//! [`Lazy`]: a nested value of a recursive type, kept as its validated bytes after decoding so that
//! recursive messages need no heap (`Box`) and decoding stays zero-copy.

use core::fmt;

use super::element::Element;
use super::error::{DecodeError, EncodeError};
use super::reader::Reader;
use super::writer::{refusal, Writer};

/// A value of type `T` that is either still encoded (validated by the decoder) or supplied by
/// the application by reference.
#[derive(Clone, Copy)]
pub enum Lazy<'a, T> {
    /// The value's validated encoding.
    Encoded {
        /// One data item.
        bytes: &'a [u8],
        /// How many levels it was checked to use, itself included (see [`Writer::raw_items`]).
        room: u8,
    },
    /// A value built by the application.
    Value(&'a T),
}

impl<'a, T: Element<'a>> Lazy<'a, T> {
    /// The value. Decoding validated bytes cannot fail; should it, `None` is returned rather than a
    /// panic.
    #[inline]
    pub fn get(&self) -> Option<T> {
        match *self {
            Lazy::Encoded { bytes, .. } => T::read(&mut Reader::new(bytes)).ok(),
            Lazy::Value(v) => Some(*v),
        }
    }

    /// Validates one value with `item` and keeps its bytes; `depth` is how many levels the value
    /// may use, itself included (what `item` checks).
    #[inline]
    pub fn decode(
        r: &mut Reader<'a>,
        depth: usize,
        item: impl FnOnce(&mut Reader<'a>) -> Result<(), DecodeError>,
    ) -> Result<Self, DecodeError> {
        let start = r.position();
        item(r)?;
        Ok(Lazy::Encoded {
            bytes: r.since(start),
            room: depth.min(u8::MAX as usize) as u8,
        })
    }
}

impl<'a, T> Lazy<'a, T> {
    /// Writes the value inside a recursive cycle: a value the application built with `encode` (which
    /// applies the cycle's `@max_depth` budget), a decoded one as its bytes once `check` (the cycle's
    /// decoder, given the levels left) has accepted them where they now sit.
    pub fn write_in_cycle(
        &self,
        w: &mut Writer<'_>,
        encode: impl FnOnce(&T, &mut Writer<'_>) -> Result<(), EncodeError>,
        check: impl FnOnce(&mut Reader<'a>, usize) -> Result<(), DecodeError>,
    ) -> Result<(), EncodeError> {
        match *self {
            Lazy::Value(v) => encode(v, w),
            Lazy::Encoded { bytes, .. } => {
                let mut r = Reader::new(bytes);
                check(&mut r, w.levels()).map_err(refusal)?;
                r.finish().map_err(refusal)?;
                w.raw_checked(bytes)
            }
        }
    }
}

impl<'a, T: Element<'a>> Element<'a> for Lazy<'a, T> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Lazy::decode(r, usize::MAX, |r| T::read(r).map(|_| ()))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        match self {
            Lazy::Encoded { bytes, room } => w.raw_items(bytes, *room as usize),
            Lazy::Value(v) => v.write(w),
        }
    }
    fn encoded_len(&self) -> usize {
        match self {
            Lazy::Encoded { bytes, .. } => bytes.len(),
            Lazy::Value(v) => v.encoded_len(),
        }
    }
}

impl<'a, T: Element<'a> + PartialEq> PartialEq for Lazy<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<'a, T: Element<'a> + fmt::Debug> fmt::Debug for Lazy<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}
