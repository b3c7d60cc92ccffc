//! The codec runtime: the small hand-written part that every generated codec calls.
//!
//! - [`Reader`]: strict, canonical-only CBOR primitives with byte offsets in errors;
//! - [`Writer`]: canonical CBOR primitives into a caller's buffer;
//! - [`DecodeError`] / [`ErrorClass`] / [`EncodeError`]: the spec's closed list of error classes;
//! - [`limits`]: the decoder's fixed limits.
//!
//! No allocation, no `unsafe`, no recursion beyond the depth limits.

mod array;
mod element;
mod error;
mod float;
mod lazy;
pub mod limits;
mod reader;
mod unknown;
mod writer;

pub use array::{Array, ArrayIter};
pub use element::Element;
pub use lazy::Lazy;
pub use unknown::{write_unknown_before, UnknownEntries, UnknownFields};

pub use error::{DecodeError, EncodeError, ErrorClass, TranscodeError};
pub use float::{f16_to_f64, f64_to_f16_exact};
pub use reader::{enter, initial_byte_class, major, Head, Reader, MAX_KEY};
pub use writer::{float_len, head_len, int_len, Writer};
