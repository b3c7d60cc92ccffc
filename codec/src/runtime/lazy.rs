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

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::runtime::limits::MAX_DEPTH;

    /// 100, as a decoder keeps it: checked, and kept as its bytes.
    fn decoded(bytes: &[u8]) -> Lazy<'_, u8> {
        let mut r = Reader::new(bytes);
        let lazy = Lazy::decode(&mut r, MAX_DEPTH, |r| r.uint(0, 200).map(|_| ())).unwrap();
        assert!(r.is_empty());
        lazy
    }

    fn written(lazy: &Lazy<'_, u8>) -> ([u8; 4], usize) {
        let mut buf = [0u8; 4];
        let mut w = Writer::new(&mut buf);
        lazy.write(&mut w).unwrap();
        let n = w.position();
        (buf, n)
    }

    /// A kept value and a value the application built read, write, measure and compare alike.
    #[test]
    fn kept_and_built_values_behave_alike() {
        let bytes = [0x18, 0x64];
        let hundred = 100u8;
        let kept = decoded(&bytes);
        let built = Lazy::Value(&hundred);
        for lazy in [kept, built] {
            assert_eq!(lazy.get(), Some(100));
            assert_eq!(lazy.encoded_len(), 2);
            let (buf, n) = written(&lazy);
            assert_eq!(&buf[..n], &bytes);
            assert_eq!(std::format!("{lazy:?}"), "Some(100)");
        }
        assert_eq!(kept, built);
        assert_ne!(kept, Lazy::Value(&7));
        let mut r = Reader::new(&bytes);
        assert_eq!(<Lazy<'_, u8> as Element>::read(&mut r), Ok(kept));
        assert!(r.is_empty());
    }

    /// In a recursive cycle a built value goes through `encode`, a kept one through `check` (with
    /// the levels left where it now sits), which must accept it and all of it.
    #[test]
    fn in_a_cycle_kept_values_are_checked_again() {
        let mut buf = [0u8; 4];
        let bytes = [0x18, 0x64];
        let kept = decoded(&bytes);
        let never = |_: &u8, _: &mut Writer<'_>| -> Result<(), EncodeError> { unreachable!() };
        let mut w = Writer::new(&mut buf);
        let check = |r: &mut Reader<'_>, levels| {
            assert_eq!(levels, MAX_DEPTH);
            r.uint(0, 200).map(|_| ())
        };
        assert_eq!(kept.write_in_cycle(&mut w, never, check), Ok(()));
        assert_eq!(w.position(), 2);
        let mut w = Writer::new(&mut buf);
        let refuse = |r: &mut Reader<'_>, _| r.uint(0, 99).map(|_| ());
        assert_eq!(
            kept.write_in_cycle(&mut w, never, refuse),
            Err(EncodeError::InvalidUnknown)
        );
        let skip_nothing = |_: &mut Reader<'_>, _| Ok(());
        assert_eq!(
            kept.write_in_cycle(&mut w, never, skip_nothing),
            Err(EncodeError::InvalidUnknown)
        );
        let mut w = Writer::new(&mut buf);
        let seven = 7u8;
        let encode = |v: &u8, w: &mut Writer<'_>| w.u64(u64::from(*v));
        let unchecked = |_: &mut Reader<'_>, _| -> Result<(), DecodeError> { unreachable!() };
        assert_eq!(
            Lazy::Value(&seven).write_in_cycle(&mut w, encode, unchecked),
            Ok(())
        );
        assert_eq!(w.position(), 1);
    }
}
