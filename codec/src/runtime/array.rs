//! [`Array`]: a bounded array that is either a validated, still-encoded slice of the input (after
//! decoding, zero-copy) or a slice of values the application built (before encoding).

use core::fmt;

use super::element::Element;
use super::error::{DecodeError, EncodeError};
use super::reader::Reader;
use super::writer::{head_len, refusal, Writer};

/// A schema `array<T, N>`.
#[derive(Clone, Copy)]
pub enum Array<'a, T> {
    /// Items as they were on the wire (validated by the decoder), without the array head.
    Encoded {
        /// The items' bytes.
        bytes: &'a [u8],
        /// How many items.
        len: usize,
        /// How many levels each item was checked to use, itself included (see
        /// [`Writer::raw_items`]).
        room: u8,
    },
    /// Items supplied by the application.
    Slice(&'a [T]),
}

impl<T> Default for Array<'_, T> {
    fn default() -> Self {
        Array::Slice(&[])
    }
}

impl<'a, T> From<&'a [T]> for Array<'a, T> {
    fn from(items: &'a [T]) -> Self {
        Array::Slice(items)
    }
}

impl<'a, T: Element<'a>> Array<'a, T> {
    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            Array::Encoded { len, .. } => *len,
            Array::Slice(s) => s.len(),
        }
    }

    /// Whether there are no items.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, decoded one by one as the iterator advances.
    #[inline]
    pub fn iter(&self) -> ArrayIter<'a, T> {
        match *self {
            Array::Encoded { bytes, len, .. } => ArrayIter::Encoded {
                reader: Reader::new(bytes),
                left: len,
            },
            Array::Slice(s) => ArrayIter::Slice(s.iter()),
        }
    }

    /// Bytes the array takes when encoded, head included.
    pub fn encoded_len(&self) -> usize {
        head_len(self.len() as u64)
            + match self {
                Array::Encoded { bytes, .. } => bytes.len(),
                Array::Slice(s) => s.iter().map(Element::encoded_len).sum(),
            }
    }

    /// Writes the array, head included.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        w.array(self.len())?;
        match self {
            Array::Encoded { bytes, room, .. } => w.raw_items(bytes, *room as usize)?,
            Array::Slice(s) => s.iter().try_for_each(|item| item.write(w))?,
        }
        w.close(self.len());
        Ok(())
    }

    /// Writes the array inside a recursive cycle: items the application built with `encode` (which
    /// applies the cycle's `@max_depth` budget), decoded items as their bytes once `check` (the
    /// item's decoder, given the levels left) has accepted each of them where they now sit.
    pub fn write_with(
        &self,
        w: &mut Writer<'_>,
        mut encode: impl FnMut(&T, &mut Writer<'_>) -> Result<(), EncodeError>,
        mut check: impl FnMut(&mut Reader<'a>, usize) -> Result<(), DecodeError>,
    ) -> Result<(), EncodeError> {
        w.array(self.len())?;
        match *self {
            Array::Encoded { bytes, .. } => {
                let levels = w.levels();
                let mut r = Reader::new(bytes);
                while !r.is_empty() {
                    check(&mut r, levels).map_err(refusal)?;
                }
                w.raw_checked(bytes)?;
            }
            Array::Slice(items) => items.iter().try_for_each(|item| encode(item, w))?,
        }
        w.close(self.len());
        Ok(())
    }

    /// Reads an array head of at most `max` items and validates each item with `item`, returning the
    /// zero-copy view. `depth` is how many levels the array may use, itself included; `item` gets
    /// what is left for the items. Generated decoders pass a closure that applies the element's bounds.
    #[inline]
    pub fn decode(
        r: &mut Reader<'a>,
        max: usize,
        depth: usize,
        mut item: impl FnMut(&mut Reader<'a>, usize) -> Result<(), DecodeError>,
    ) -> Result<Self, DecodeError> {
        let len = r.array(max)?;
        let start = r.position();
        let depth = super::reader::enter(r, depth, len)?;
        for _ in 0..len {
            item(r, depth)?;
        }
        Ok(Array::Encoded {
            bytes: r.since(start),
            len,
            room: depth.min(u8::MAX as usize) as u8,
        })
    }
}

/// Iterator over an [`Array`]'s items.
pub enum ArrayIter<'a, T> {
    /// Decoding validated bytes.
    Encoded {
        /// Cursor over the items.
        reader: Reader<'a>,
        /// Items not yet produced.
        left: usize,
    },
    /// Copying from the application's slice.
    Slice(core::slice::Iter<'a, T>),
}

impl<'a, T: Element<'a>> Iterator for ArrayIter<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self {
            ArrayIter::Encoded { reader, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                // The bytes were validated when the message was decoded, so this cannot fail; if it
                // somehow did, the iteration ends instead of panicking.
                T::read(reader).ok()
            }
            ArrayIter::Slice(it) => it.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match self {
            ArrayIter::Encoded { left, .. } => *left,
            ArrayIter::Slice(it) => it.len(),
        };
        (n, Some(n))
    }
}

impl<'a, T: Element<'a>> IntoIterator for Array<'a, T> {
    type Item = T;
    type IntoIter = ArrayIter<'a, T>;
    fn into_iter(self) -> ArrayIter<'a, T> {
        self.iter()
    }
}

impl<'a, T: Element<'a> + PartialEq> PartialEq for Array<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Element<'a> + fmt::Debug> fmt::Debug for Array<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Element<'a>> Element<'a> for Array<'a, T> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        Array::decode(r, usize::MAX, usize::MAX, |r, _| T::read(r).map(|_| ()))
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
        Array::write(self, w)
    }
    fn encoded_len(&self) -> usize {
        Array::encoded_len(self)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use crate::runtime::limits::MAX_DEPTH;
    use crate::runtime::ErrorClass;

    /// [1, 24, 2]: items of one and of two bytes.
    const ENCODED: [u8; 5] = [0x83, 0x01, 0x18, 0x18, 0x02];

    fn decode(bytes: &[u8], max: usize) -> Result<Array<'_, u8>, DecodeError> {
        let mut r = Reader::new(bytes);
        let array = Array::decode(&mut r, max, MAX_DEPTH, |r, _| r.uint(0, 100).map(|_| ()))?;
        r.finish()?;
        Ok(array)
    }

    /// What `write` writes, which the array as an element writes too.
    fn written(array: &Array<'_, u8>) -> ([u8; 8], usize) {
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        array.write(&mut w).unwrap();
        let n = w.position();
        let mut again = [0u8; 8];
        let mut w = Writer::new(&mut again);
        Element::write(array, &mut w).unwrap();
        assert_eq!((w.position(), again), (n, buf));
        (buf, n)
    }

    /// A decoded array and the same items from a slice: the same length, items, encoding and
    /// length of it, and equal to each other; an array that differs in its length or in an item
    /// is not.
    #[test]
    fn decoded_and_built_arrays_read_and_write_alike() {
        let decoded = decode(&ENCODED, 3).unwrap();
        let items = [1u8, 24, 2];
        let built = Array::from(&items[..]);
        for array in [decoded, built] {
            assert_eq!((array.len(), array.is_empty()), (3, false));
            let mut iter = array.iter();
            assert_eq!(iter.size_hint(), (3, Some(3)));
            assert_eq!(iter.next(), Some(1));
            assert_eq!(iter.size_hint(), (2, Some(2)));
            assert_eq!(iter.collect::<std::vec::Vec<_>>(), [24, 2]);
            assert_eq!(array.into_iter().count(), 3);
            assert_eq!(array.encoded_len(), ENCODED.len());
            assert_eq!(Element::encoded_len(&array), ENCODED.len());
            let (buf, n) = written(&array);
            assert_eq!(&buf[..n], &ENCODED);
            assert_eq!(std::format!("{array:?}"), "[1, 24, 2]");
        }
        assert_eq!(decoded, built);
        assert_ne!(decoded, Array::from(&items[..2]));
        assert_ne!(decoded, Array::from(&[1u8, 24, 3][..]));
        let empty = Array::<u8>::default();
        assert_eq!(
            (empty.len(), empty.is_empty(), empty.encoded_len()),
            (0, true, 1)
        );
        assert_eq!(written(&empty).1, 1);
    }

    /// Decoding checks the bound, every item (with the closure) and nothing past the array.
    #[test]
    fn decoding_checks_the_bound_and_every_item() {
        let class = |bytes: &[u8], max| decode(bytes, max).map(|_| ()).unwrap_err().class();
        assert_eq!(class(&ENCODED, 2), ErrorClass::BoundExceeded);
        assert_eq!(class(&[0x82, 0x01, 0x18, 0x65], 3), ErrorClass::OutOfRange);
        let mut r = Reader::new(&ENCODED);
        assert_eq!(
            <Array<'_, u8> as Element>::read(&mut r),
            decode(&ENCODED, 3)
        );
        assert!(r.is_empty());
    }

    /// In a recursive cycle, built items go through `encode` and decoded ones through `check`,
    /// whose refusal stops the write.
    #[test]
    fn in_a_cycle_decoded_items_are_checked_again() {
        let decoded = decode(&ENCODED, 3).unwrap();
        let mut buf = [0u8; 8];
        let mut w = Writer::new(&mut buf);
        let mut checked = 0;
        let encode = |_: &u8, _: &mut Writer<'_>| -> Result<(), EncodeError> { unreachable!() };
        let check = |r: &mut Reader<'_>, _| {
            checked += 1;
            r.uint(0, 100).map(|_| ())
        };
        decoded.write_with(&mut w, encode, check).unwrap();
        assert_eq!((w.position(), checked), (ENCODED.len(), 3));
        let mut w = Writer::new(&mut buf);
        let refuse = |r: &mut Reader<'_>, _| r.uint(0, 1).map(|_| ());
        assert_eq!(
            decoded.write_with(&mut w, encode, refuse),
            Err(EncodeError::InvalidUnknown)
        );
        let mut w = Writer::new(&mut buf);
        let items = [7u8];
        let built = Array::from(&items[..]);
        let encode = |v: &u8, w: &mut Writer<'_>| w.u64(u64::from(*v) + 1);
        built
            .write_with(&mut w, encode, |_, _| unreachable!())
            .unwrap();
        let n = w.position();
        assert_eq!(&buf[..n], &[0x81, 0x08]);
    }
}
