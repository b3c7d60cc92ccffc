//! Decode and encode errors: the spec's closed list of error classes, with the byte offset.

use core::fmt;
use core::num::NonZeroU32;

/// Why a decoder rejected its input: the closed list of classes of spec/04-wire-format.md §4.17, in
/// the spec's order (the discriminant is the class's number, as carried by the core schema's
/// `DecodeError` enum).
///
/// Conformance vectors name these classes (by [`ErrorClass::name`]), so the list and the names are
/// part of the standard: never rename one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorClass {
    /// The input ends inside a head or inside the content a head announces.
    Truncated = 0,
    /// Bytes follow the top-level item.
    TrailingBytes = 1,
    /// A reserved additional-information value, or 31 with major type 0, 1 or 6.
    InvalidHead = 2,
    /// An indefinite-length string, array or map, or a "break".
    IndefiniteLength = 3,
    /// An integer, length or count not in its shortest form.
    NonCanonicalInteger = 4,
    /// A float not in its shortest exact form, or a NaN other than `f9 7e 00`.
    NonCanonicalFloat = 5,
    /// A tag, or a simple value other than false, true and null.
    ForbiddenItem = 6,
    /// A text string that is not well-formed UTF-8.
    InvalidUtf8 = 7,
    /// A data item of another kind than the schema's type (or a map key that is not an unsigned
    /// integer).
    WrongType = 8,
    /// A map key less than the previous one.
    UnsortedKeys = 9,
    /// A map key equal to the previous one.
    DuplicateKey = 10,
    /// A union that is not a map of exactly one entry.
    InvalidUnion = 11,
    /// A string, byte string or array longer than its bound, or fixed-size bytes of another length.
    BoundExceeded = 12,
    /// An integer outside its type or `@range`, an enum number beyond 32 bits, a map key above
    /// 65535, or a double where an `f32` is expected.
    OutOfRange = 13,
    /// Nesting deeper than MAX_DEPTH or a type's `@max_depth`.
    DepthExceeded = 14,
    /// A required field is absent.
    MissingField = 15,
    /// A defaulted field is present with its default value (it must be omitted).
    DefaultValuePresent = 16,
}

impl ErrorClass {
    /// The class's name as the spec and the conformance vectors write it.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorClass::Truncated => "truncated",
            ErrorClass::TrailingBytes => "trailing-bytes",
            ErrorClass::InvalidHead => "invalid-head",
            ErrorClass::IndefiniteLength => "indefinite-length",
            ErrorClass::NonCanonicalInteger => "non-canonical-integer",
            ErrorClass::NonCanonicalFloat => "non-canonical-float",
            ErrorClass::ForbiddenItem => "forbidden-item",
            ErrorClass::InvalidUtf8 => "invalid-utf8",
            ErrorClass::WrongType => "wrong-type",
            ErrorClass::UnsortedKeys => "unsorted-keys",
            ErrorClass::DuplicateKey => "duplicate-key",
            ErrorClass::InvalidUnion => "invalid-union",
            ErrorClass::BoundExceeded => "bound-exceeded",
            ErrorClass::OutOfRange => "out-of-range",
            ErrorClass::DepthExceeded => "depth-exceeded",
            ErrorClass::MissingField => "missing-field",
            ErrorClass::DefaultValuePresent => "default-value-present",
        }
    }

    /// The class with this number (its discriminant, as the core schema's `DecodeError` enum
    /// carries it), if any.
    pub const fn from_number(number: u32) -> Option<ErrorClass> {
        if number < ErrorClass::ALL.len() as u32 {
            Some(ErrorClass::ALL[number as usize])
        } else {
            None
        }
    }

    /// The class with this name, if any.
    pub fn from_name(name: &str) -> Option<ErrorClass> {
        ErrorClass::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Every class, in the spec's order.
    pub const ALL: [ErrorClass; 17] = [
        ErrorClass::Truncated,
        ErrorClass::TrailingBytes,
        ErrorClass::InvalidHead,
        ErrorClass::IndefiniteLength,
        ErrorClass::NonCanonicalInteger,
        ErrorClass::NonCanonicalFloat,
        ErrorClass::ForbiddenItem,
        ErrorClass::InvalidUtf8,
        ErrorClass::WrongType,
        ErrorClass::UnsortedKeys,
        ErrorClass::DuplicateKey,
        ErrorClass::InvalidUnion,
        ErrorClass::BoundExceeded,
        ErrorClass::OutOfRange,
        ErrorClass::DepthExceeded,
        ErrorClass::MissingField,
        ErrorClass::DefaultValuePresent,
    ];
}

/// A field's name as a [`DecodeError`] and an [`EncodeError`] refer to it: a thin reference (one
/// machine word) to the `Type.field` string, so that the error fits two words. Generated code writes
/// [`field!`](crate::runtime::field)`("Type.field", key N)`, which is `&"Type.field"` (promoted to a
/// static) or, with the codec's feature `field-keys`, `&"key 3"`: the field's key instead of its
/// name, so that a firmware links no `Type.field` string at all (see that feature in
/// `Cargo.toml`).
pub type FieldName = &'static &'static str;

/// Whether this build names fields by their key (`key 3`, the feature `field-keys`) rather than as
/// `Type.field`. Features are unified across a build, so a crate that checks the names an error
/// gives (a test, a tool) asks this rather than assuming one form.
pub const FIELDS_BY_KEY: bool = cfg!(feature = "field-keys");

/// `field!("Type.field", key N)`: the [`FieldName`] a generated encoder or decoder gives its errors,
/// `&"Type.field"` (see [`crate::runtime::field`]).
#[cfg(not(feature = "field-keys"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_field {
    ($name:literal, key $key:literal) => {
        &$name
    };
}

/// `field!("Type.field", key N)` with the feature `field-keys`: `&"key 3"`, the field named by its
/// key, the `Type.field` string left out of the build (see [`crate::runtime::field`]).
#[cfg(feature = "field-keys")]
#[doc(hidden)]
#[macro_export]
macro_rules! __iotp2p_field {
    ($name:literal, key $key:literal) => {
        &::core::concat!("key ", $key)
    };
}

/// A rejected input: which rule, where, and in which field.
///
/// Two machine words on a 32-bit target (8 bytes; 16 on a 64-bit one), so that an item check's
/// `Result<(), DecodeError>` comes back in registers (a `Result` of a value and a `DecodeError` does
/// not: the reader's out-of-line paths return a `Fault`, one word, for that): the class and the
/// offset share one `u32` (the class in the low 5 bits, the offset above it, so
/// offsets up to [`DecodeError::MAX_OFFSET`]), and the field is a thin reference ([`FieldName`]).
/// Read it through [`class`](DecodeError::class), [`offset`](DecodeError::offset) and
/// [`field`](DecodeError::field).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DecodeError {
    /// `offset << 5 | (class + 1)`: never zero, which leaves a niche for `Result`'s tag.
    at: NonZeroU32,
    /// The field being decoded, when known.
    field: Option<FieldName>,
}

impl DecodeError {
    /// The largest offset an error can carry: 2^27 − 1 bytes (128 MiB). The spec bounds a message
    /// far below it (MAX_MESSAGE, 1232 bytes, spec §5.1), and a [`Reader`](super::Reader) reads at
    /// most this many bytes of its input, so every offset a decoder reports is exact; a larger
    /// offset given to [`DecodeError::new`] is reported as this one.
    pub const MAX_OFFSET: usize = (1 << 27) - 1;

    /// An error of `class` at `offset` (at most [`DecodeError::MAX_OFFSET`]: larger offsets are
    /// reported as that).
    #[inline]
    pub const fn new(class: ErrorClass, offset: usize) -> DecodeError {
        let offset = if offset > Self::MAX_OFFSET {
            Self::MAX_OFFSET
        } else {
            offset
        };
        Self::at(class, offset)
    }

    /// [`DecodeError::new`] for an offset known to be at most [`DecodeError::MAX_OFFSET`] (a
    /// reader's position): the bits above are dropped, not saturated.
    #[inline]
    pub(crate) const fn at(class: ErrorClass, offset: usize) -> DecodeError {
        DecodeError {
            at: Fault::at(class, offset).0,
            field: None,
        }
    }

    /// Which rule was broken.
    #[inline]
    pub const fn class(self) -> ErrorClass {
        match ErrorClass::from_number((self.at.get() & 31) - 1) {
            Some(class) => class,
            // `at` is only ever built from a class.
            None => ErrorClass::Truncated,
        }
    }

    /// Byte offset of the item (or head) that broke it.
    #[inline]
    pub const fn offset(self) -> usize {
        (self.at.get() >> 5) as usize
    }

    /// The field being decoded (`Type.field`), or `""` when not known.
    #[inline]
    pub const fn field(self) -> &'static str {
        match self.field {
            Some(name) => name,
            None => "",
        }
    }

    /// The same error, attributed to `field` unless a deeper field already claimed it.
    #[inline]
    pub const fn in_field(self, field: FieldName) -> DecodeError {
        self.or_field(Some(field))
    }

    /// The same error, attributed to `field` (if any) unless a deeper field already claimed it:
    /// what a generated decoder gives an error on its way out, with the field it was reading (a
    /// local it sets before each field's read and clears between fields). Naming the field once
    /// here rather than at every read saves tens of bytes of flash per read on a Cortex-M4.
    #[inline]
    pub const fn or_field(mut self, field: Option<FieldName>) -> DecodeError {
        if self.field.is_none() {
            self.field = field;
        }
        self
    }
}

/// A [`DecodeError`] before any field claims it: its first word alone (class and offset), what the
/// reader's out-of-line paths return. One word, so that on a 32-bit target the `Result` of a read
/// whose value is one word (a key, a count, an integer of 32 bits or fewer) comes back in two
/// registers; a `Result` of a word and a [`DecodeError`] is returned through memory there (Rust
/// passes an aggregate of two words whose second word is a pointer in one variant and an integer
/// in the other by reference). The typed reads turn it into a `DecodeError` inline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fault(NonZeroU32);

impl Fault {
    /// [`DecodeError::at`]'s word.
    #[inline]
    pub(crate) const fn at(class: ErrorClass, offset: usize) -> Fault {
        let at = (offset as u32) << 5 | (class as u32 + 1);
        Fault(match NonZeroU32::new(at) {
            Some(at) => at,
            // The low bits are `class + 1`, never zero.
            None => NonZeroU32::MIN,
        })
    }
}

impl From<Fault> for DecodeError {
    #[inline(always)]
    fn from(fault: Fault) -> DecodeError {
        DecodeError {
            at: fault.0,
            field: None,
        }
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("class", &self.class())
            .field("offset", &self.offset())
            .field("field", &self.field())
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.class().name(), self.offset())?;
        if !self.field().is_empty() {
            write!(f, " (in {})", self.field())?;
        }
        Ok(())
    }
}

/// Why an encoder refused: the value breaks the schema, or the buffer is too small.
///
/// Two machine words, the field named by a thin reference ([`FieldName`], as in [`DecodeError`]),
/// so that the `Result<(), EncodeError>` of every write of an encoder comes back in registers
/// instead of through memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is too small; `needed` bytes would have sufficed.
    BufferTooSmall {
        /// Bytes the whole encoding needs (see `encoded_len`).
        needed: usize,
    },
    /// A string, byte string or array is longer than its bound.
    BoundExceeded {
        /// The field (`Type.field`).
        field: FieldName,
    },
    /// An integer is outside its `@range`.
    OutOfRange {
        /// The field (`Type.field`).
        field: FieldName,
    },
    /// The value nests deeper than MAX_DEPTH (spec §4.16), which no encoder may produce.
    DepthExceeded,
    /// Retained unknown content that cannot be forwarded as it is: an unknown variant whose key is
    /// above 65535 or one that the schema defines, or a value that is not one canonical data item.
    InvalidUnknown,
    /// A union variant that the role the value is encoded as never sends (its `@sent_by` does not
    /// name the role, `encode_as`): a node in that role builds no such value, and its code holds no
    /// encoder for it. The same value encodes with `encode`, which encodes every variant.
    NotSentByRole,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            EncodeError::BoundExceeded { field } => write!(f, "{field} is longer than its bound"),
            EncodeError::OutOfRange { field } => write!(f, "{field} is outside its range"),
            EncodeError::DepthExceeded => {
                write!(f, "the value nests deeper than MAX_DEPTH (16 levels)")
            }
            EncodeError::InvalidUnknown => write!(
                f,
                "an unknown variant with a defined or too large key, or a value that is not one \
                 canonical data item"
            ),
            EncodeError::NotSentByRole => {
                write!(
                    f,
                    "a union variant that the role it is encoded as never sends"
                )
            }
        }
    }
}

/// Why a decode-then-encode pass failed (see the generated `transcode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TranscodeError {
    /// The input was rejected.
    Decode(DecodeError),
    /// The output buffer was too small (or, impossibly for decoded input, a value broke the schema).
    Encode(EncodeError),
}

impl fmt::Display for TranscodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TranscodeError::Decode(e) => write!(f, "decode: {e}"),
            TranscodeError::Encode(e) => write!(f, "encode: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use core::mem::size_of;
    use std::{boxed::Box, format, string::ToString};

    #[test]
    fn an_error_is_two_words_and_a_result_of_one_word_too() {
        let word = size_of::<usize>();
        assert_eq!(size_of::<DecodeError>(), 2 * word);
        // The class-and-offset word is never zero: `Result` keeps its tag there.
        assert_eq!(size_of::<Result<(), DecodeError>>(), 2 * word);
        assert_eq!(size_of::<Result<u32, DecodeError>>(), 2 * word);
        assert_eq!(size_of::<Result<usize, DecodeError>>(), 2 * word);
    }

    #[test]
    fn class_offset_and_field_come_back_as_given() {
        for class in ErrorClass::ALL {
            for offset in [0, 1, 31, 32, 1232, DecodeError::MAX_OFFSET] {
                let e = DecodeError::new(class, offset);
                assert_eq!((e.class(), e.offset(), e.field()), (class, offset, ""));
                let e = e.in_field(&"SemVer.major");
                assert_eq!(
                    (e.class(), e.offset(), e.field()),
                    (class, offset, "SemVer.major")
                );
            }
        }
    }

    /// `field!` gives the name, or with the feature `field-keys` the key, and nothing else.
    #[test]
    fn field_names_by_name_or_by_key() {
        let (ttl, big): (FieldName, FieldName) = (
            crate::runtime::field!("Envelope.ttl", key 4),
            crate::runtime::field!("T.f", key 65535),
        );
        if cfg!(feature = "field-keys") {
            assert_eq!((*ttl, *big), ("key 4", "key 65535"));
        } else {
            assert_eq!((*ttl, *big), ("Envelope.ttl", "T.f"));
        }
        let e = DecodeError::new(ErrorClass::WrongType, 4).in_field(ttl);
        assert_eq!(
            e.to_string(),
            std::format!("wrong-type at byte 4 (in {ttl})")
        );
    }

    #[test]
    fn offsets_beyond_the_bound_saturate() {
        for offset in [DecodeError::MAX_OFFSET + 1, 1 << 32, usize::MAX] {
            let e = DecodeError::new(ErrorClass::TrailingBytes, offset);
            assert_eq!(e.class(), ErrorClass::TrailingBytes);
            assert_eq!(e.offset(), DecodeError::MAX_OFFSET);
        }
    }

    #[test]
    fn the_deepest_field_wins_and_none_keeps_what_is_there() {
        let e = DecodeError::new(ErrorClass::WrongType, 4);
        assert_eq!(e.or_field(None).field(), "");
        let inner = e.in_field(&"SemVer.major");
        assert_eq!(
            inner.in_field(&"CapabilityInfo.version").field(),
            "SemVer.major"
        );
        assert_eq!(inner.or_field(None).field(), "SemVer.major");
        // Equal names compare equal wherever their strings live.
        let name: &'static str = "SemVer.major";
        assert_eq!(inner, e.in_field(Box::leak(Box::new(name))));
    }

    #[test]
    fn display_and_debug_name_class_offset_and_field() {
        let e = DecodeError::new(ErrorClass::WrongType, 4);
        assert_eq!(e.to_string(), "wrong-type at byte 4");
        let e = e.in_field(&"Envelope.body");
        assert_eq!(e.to_string(), "wrong-type at byte 4 (in Envelope.body)");
        assert_eq!(
            format!("{e:?}"),
            "DecodeError { class: WrongType, offset: 4, field: \"Envelope.body\" }"
        );
    }

    /// An encoder's refusal says what and where; a transcoding's says which half failed.
    #[test]
    fn encode_and_transcode_errors_say_what_and_where() {
        let field: FieldName = &"Envelope.body";
        let said = |e: EncodeError| e.to_string();
        assert_eq!(
            said(EncodeError::BufferTooSmall { needed: 9 }),
            "output buffer too small: 9 bytes needed"
        );
        assert!(said(EncodeError::BoundExceeded { field }).starts_with("Envelope.body is longer"));
        assert!(said(EncodeError::OutOfRange { field }).starts_with("Envelope.body is outside"));
        assert!(said(EncodeError::DepthExceeded).contains("MAX_DEPTH"));
        assert!(said(EncodeError::InvalidUnknown).contains("unknown variant"));
        let decode = TranscodeError::Decode(DecodeError::new(ErrorClass::Truncated, 3));
        assert_eq!(decode.to_string(), "decode: truncated at byte 3");
        let encode = TranscodeError::Encode(EncodeError::BufferTooSmall { needed: 9 });
        assert_eq!(
            encode.to_string(),
            "encode: output buffer too small: 9 bytes needed"
        );
    }

    #[test]
    fn classes_by_number() {
        for (n, class) in ErrorClass::ALL.into_iter().enumerate() {
            assert_eq!(ErrorClass::from_number(n as u32), Some(class));
            assert_eq!(class as u32, n as u32);
        }
        assert_eq!(ErrorClass::from_number(17), None);
    }

    /// Each class by its name, as the conformance vectors and the JSON diagnostics write it.
    #[test]
    fn classes_by_name() {
        for class in ErrorClass::ALL {
            assert_eq!(ErrorClass::from_name(class.name()), Some(class));
        }
        assert_eq!(
            ErrorClass::from_name("out-of-range"),
            Some(ErrorClass::OutOfRange)
        );
        assert_eq!(ErrorClass::from_name("out_of_range"), None);
    }
}
