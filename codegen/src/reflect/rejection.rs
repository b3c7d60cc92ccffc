//! Why the reflection decoder rejected an input, in the schema's terms: where in the schema it was
//! (the path of fields, variants and array indices from the top-level type) and what it expected there.

use std::fmt;

use iotp2p_codec::runtime::{DecodeError, ErrorClass};

use super::Annotation;
use crate::ir::{FloatType, Type};

/// One step of the path from the top-level type to the failing item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'s> {
    /// A message's field, by name.
    Field(&'s str),
    /// A union's variant, by name.
    Variant(&'s str),
    /// An array's element, by index.
    Index(usize),
    /// An entry whose key the schema does not define (a field or a variant), by key.
    Unknown(u64),
}

impl fmt::Display for Segment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Field(name) | Segment::Variant(name) => write!(f, ".{name}"),
            Segment::Index(i) => write!(f, "[{i}]"),
            Segment::Unknown(key) => write!(f, ".#{key}"),
        }
    }
}

/// What the decoder expected where it failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expected<'s> {
    /// A value of this type.
    Value(&'s Type),
    /// A map key (a field's or a variant's) of at least `min`: above the previous key.
    Key {
        /// The smallest key allowed here.
        min: u64,
    },
    /// The entry of this required field, which is missing.
    Field {
        /// The field's name.
        name: &'s str,
        /// The field's key.
        key: u32,
    },
    /// No entry for this field: its value equals its default.
    Omitted {
        /// The field's name.
        name: &'s str,
    },
    /// `null`, the value of a unit variant.
    Null,
    /// Any well-formed item (the value of an entry the schema does not define).
    AnyItem,
    /// The end of the input.
    End,
}

impl fmt::Display for Expected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Value(ty) => describe(ty, f),
            Expected::Key { min: 0 } => f.write_str("a key (an unsigned integer up to 65535)"),
            Expected::Key { min } => write!(f, "a key above {} (keys ascend)", min - 1),
            Expected::Field { name, key } => write!(f, "field `{name}` (key {key})"),
            Expected::Omitted { name } => {
                write!(f, "no entry for `{name}`, whose value equals its default")
            }
            Expected::Null => f.write_str("null (a unit variant)"),
            Expected::AnyItem => f.write_str("any well-formed item"),
            Expected::End => f.write_str("the end of the input"),
        }
    }
}

/// A value of `ty` in words: `a map (message `Envelope`)`, `an unsigned integer from 0 to 255`...
fn describe(ty: &Type, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let short = |name: &str| name.rsplit('.').next().unwrap_or(name).to_string();
    match ty {
        Type::Alias { target, .. } => describe(target, f),
        Type::Bool => f.write_str("a boolean (false or true)"),
        Type::Int { int, range } => {
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            if lo >= 0 {
                write!(f, "an unsigned integer from {lo} to {hi}")
            } else {
                write!(f, "an integer from {lo} to {hi}")
            }
        }
        Type::Float { float } => f.write_str(match float {
            FloatType::F32 => "a float (f32)",
            FloatType::F64 => "a float (f64)",
        }),
        Type::String { max_len } => write!(f, "a text string of at most {max_len} bytes"),
        Type::Bytes { max_len } => write!(f, "a byte string of at most {max_len} bytes"),
        Type::FixedBytes { len } => write!(f, "a byte string of exactly {len} bytes"),
        Type::Array { max_items, .. } => write!(f, "an array of at most {max_items} items"),
        Type::Enum { name } => write!(
            f,
            "an unsigned integer up to 4294967295 (enum `{}`)",
            short(name)
        ),
        Type::Message { name } => write!(f, "a map (message `{}`)", short(name)),
        Type::Union { name } => write!(f, "a map of one entry (union `{}`)", short(name)),
    }
}

/// A rejected input: the spec's error class and offset (exactly those of the generated codecs), where
/// in the schema the decoder was and what it expected, and the annotations of the items decoded before.
#[derive(Clone, Debug, PartialEq)]
pub struct Rejected<'s> {
    /// Which rule was broken (spec/04-wire-format.md §4.17).
    pub class: ErrorClass,
    /// Byte offset of the item (or head) that broke it.
    pub offset: usize,
    /// The path from the top-level type to the failing item (empty: the top-level item itself).
    pub path: Vec<Segment<'s>>,
    /// What the decoder expected there.
    pub expected: Expected<'s>,
    /// What each byte range decoded before the error is, in input order.
    pub annotations: Vec<Annotation>,
}

impl Rejected<'_> {
    /// The error as the runtime reports it (class and offset).
    pub fn error(&self) -> DecodeError {
        DecodeError::new(self.class, self.offset)
    }

    /// The path as text from `root` (the top-level type's name): `Envelope.body.invoke.input`,
    /// `Report.values[2].member`. With an empty root, relative: `body.invoke`.
    pub fn path_from(&self, root: &str) -> String {
        let mut out = root.to_string();
        for s in &self.path {
            out.push_str(&s.to_string());
        }
        match out.strip_prefix('.') {
            Some(rest) => rest.to_string(),
            None => out,
        }
    }
}

impl fmt::Display for Rejected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {} (", self.class.name(), self.offset)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path_from(""))?;
        }
        write!(f, "expected {})", self.expected)
    }
}

/// The decoder's error while it unwinds: the path is collected innermost first.
#[derive(Debug)]
pub(super) struct Fail<'s> {
    pub error: DecodeError,
    pub path: Vec<Segment<'s>>,
    pub expected: Option<Expected<'s>>,
}

impl From<DecodeError> for Fail<'_> {
    fn from(error: DecodeError) -> Self {
        Fail {
            error,
            path: Vec::new(),
            expected: None,
        }
    }
}

impl<'s> Fail<'s> {
    /// An error of `class` at `offset` where `expected` was expected.
    pub fn new(class: ErrorClass, offset: usize, expected: Expected<'s>) -> Self {
        Fail {
            error: DecodeError::new(class, offset),
            path: Vec::new(),
            expected: Some(expected),
        }
    }

    /// Says what was expected, unless a deeper item already did.
    pub fn expecting(mut self, expected: Expected<'s>) -> Self {
        self.expected.get_or_insert(expected);
        self
    }

    /// Adds the step through which the failing item was reached.
    pub fn within(mut self, segment: Segment<'s>) -> Self {
        self.path.push(segment);
        self
    }

    /// The public form, with the annotations of what was decoded.
    pub fn finish(mut self, annotations: Vec<Annotation>) -> Rejected<'s> {
        self.path.reverse();
        Rejected {
            class: self.error.class(),
            offset: self.error.offset(),
            path: self.path,
            expected: self.expected.unwrap_or(Expected::AnyItem),
            annotations,
        }
    }
}
