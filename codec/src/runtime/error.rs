//! Decode and encode errors: the spec's closed list of error classes, with the byte offset.

use core::fmt;

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

/// A rejected input: which rule, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Which rule was broken.
    pub class: ErrorClass,
    /// Byte offset of the item (or head) that broke it.
    pub offset: usize,
    /// The field being decoded (`Type.field`), when known.
    pub field: &'static str,
}

impl DecodeError {
    /// An error of `class` at `offset`.
    #[inline]
    pub const fn new(class: ErrorClass, offset: usize) -> DecodeError {
        DecodeError {
            class,
            offset,
            field: "",
        }
    }

    /// The same error, attributed to `field` unless a deeper field already claimed it.
    #[inline]
    pub const fn in_field(mut self, field: &'static str) -> DecodeError {
        if self.field.is_empty() {
            self.field = field;
        }
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.class.name(), self.offset)?;
        if !self.field.is_empty() {
            write!(f, " (in {})", self.field)?;
        }
        Ok(())
    }
}

/// Why an encoder refused: the value breaks the schema, or the buffer is too small.
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
        field: &'static str,
    },
    /// An integer is outside its `@range`.
    OutOfRange {
        /// The field (`Type.field`).
        field: &'static str,
    },
    /// The value nests deeper than MAX_DEPTH (spec §4.16), which no encoder may produce.
    DepthExceeded,
    /// Retained unknown content that cannot be forwarded as it is: an unknown variant whose key is
    /// above 65535 or one that the schema defines, or a value that is not one canonical data item.
    InvalidUnknown,
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
