//! The [`Message`] trait: what every generated type is (messages and unions, borrowed or owned, and
//! enums), with the entry points built once here on the three functions the generator writes for
//! each type.

use super::error::{DecodeError, EncodeError, TranscodeError};
use super::limits::MAX_DEPTH;
use super::reader::Reader;
use super::writer::Writer;

/// A generated message or union, in its borrowed (zero-copy) or owned form, or a generated enum.
///
/// The generated code implements the three required functions; decoding a complete value, encoding
/// into a buffer and into a vector are provided on top of them, the same for every type. Bring the
/// trait into scope (`use iotp2p_codec::prelude::*;`) to call them.
pub trait Message<'a>: Sized {
    /// Decodes one value at the reader's position, accepting only its canonical encoding; `depth` is
    /// how many levels of nesting are left.
    fn decode_from(r: &mut Reader<'a>, depth: usize) -> Result<Self, DecodeError>;

    /// Bytes [`encode`](Self::encode) writes.
    fn encoded_len(&self) -> usize;

    /// Writes the canonical encoding, checking bounds and ranges first.
    fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), EncodeError>;

    /// Decodes a complete value (nothing may follow it), accepting only its canonical encoding.
    fn decode(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let value = Self::decode_from(&mut r, MAX_DEPTH)?;
        r.finish()?;
        Ok(value)
    }

    /// Encodes into `buf` in one pass and returns the number of bytes written. When `buf` is too
    /// small, the error says how many bytes the encoding needs; a value the schema does not allow
    /// gets its own error whatever the buffer's size.
    fn encode(&self, buf: &mut [u8]) -> Result<usize, EncodeError> {
        super::role::encode_whole(buf, |w| self.encode_to(w))
    }

    /// Encodes into a new vector of exactly [`encoded_len`](Self::encoded_len) bytes (feature
    /// `alloc`).
    #[cfg(feature = "alloc")]
    fn encode_to_vec(&self) -> Result<::alloc::vec::Vec<u8>, EncodeError> {
        super::encode_to_vec(self.encoded_len(), |w| self.encode_to(w))
    }
}

/// Decodes `input` as a `T` and encodes the decoded value into `output`, returning the length
/// written: the generated index's `transcode`, for one type.
pub fn transcode<'a, T: Message<'a>>(
    input: &'a [u8],
    output: &mut [u8],
) -> Result<usize, TranscodeError> {
    let value = T::decode(input).map_err(TranscodeError::Decode)?;
    value.encode(output).map_err(TranscodeError::Encode)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::{head_len, Element, ErrorClass};

    /// A message of one unsigned integer up to 200.
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Level(u8);

    impl<'a> Message<'a> for Level {
        fn decode_from(r: &mut Reader<'a>, _: usize) -> Result<Self, DecodeError> {
            Ok(Level(r.u32(0, 200)? as u8))
        }
        fn encoded_len(&self) -> usize {
            head_len(self.0.into())
        }
        fn encode_to(&self, w: &mut Writer<'_>) -> Result<(), EncodeError> {
            w.u64(self.0.into())
        }
    }

    /// `decode` takes one whole message, nothing after it; `encode` writes it and, into a buffer
    /// too small, says how many bytes it needs.
    #[test]
    fn whole_messages_in_and_out() {
        assert_eq!(Level::decode(&[0x18, 0x64]), Ok(Level(100)));
        let e = Level::decode(&[0x18, 0x64, 0x00]).unwrap_err();
        assert_eq!((e.class(), e.offset()), (ErrorClass::TrailingBytes, 2));
        let e = Level::decode(&[0x18, 0xc9]).unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutOfRange);
        let mut buf = [0u8; 2];
        assert_eq!(Level(100).encode(&mut buf), Ok(2));
        assert_eq!(buf, [0x18, 0x64]);
        assert_eq!(Level(7).encode(&mut buf), Ok(1));
        assert_eq!(
            Level(100).encode(&mut buf[..1]),
            Err(EncodeError::BufferTooSmall { needed: 2 })
        );
    }

    /// `transcode` decodes a whole message and writes it back, and says which side failed.
    #[test]
    fn transcoding_decodes_then_encodes() {
        let mut out = [0u8; 4];
        assert_eq!(transcode::<Level>(&[0x18, 0x64], &mut out), Ok(2));
        assert_eq!(out[..2], [0x18, 0x64]);
        match transcode::<Level>(&[0x18, 0xc9], &mut out) {
            Err(TranscodeError::Decode(e)) => assert_eq!(e.class(), ErrorClass::OutOfRange),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            transcode::<Level>(&[0x18, 0x64], &mut out[..1]),
            Err(TranscodeError::Encode(EncodeError::BufferTooSmall {
                needed: 2
            }))
        );
    }

    /// A message is an element (of an array, of a lazily kept value) through this trait.
    #[test]
    fn a_message_is_an_element() {
        let mut r = Reader::new(&[0x18, 0x64]);
        assert_eq!(<Level as Element>::read(&mut r), Ok(Level(100)));
        assert!(r.is_empty());
        assert_eq!(Element::encoded_len(&Level(100)), 2);
        let mut buf = [0u8; 2];
        let mut w = Writer::new(&mut buf);
        Element::write(&Level(100), &mut w).unwrap();
        assert_eq!(w.position(), 2);
        assert_eq!(buf, [0x18, 0x64]);
    }
}
