//! Reflection: values of any schema type, decoded, encoded and shown as canonical JSON by walking the
//! IR at run time instead of through generated code.
//!
//! This is the tooling path (`iotp2p decode`, `iotp2p encode`, annotated hex dumps, conformance-vector
//! generation, the spec's example checks). It applies exactly the rules of spec/04-wire-format.md,
//! through the same runtime primitives as the generated codecs, so the two can be checked against each
//! other. Generated codecs remain the fast path.

mod decode;
mod encode;
mod json;
mod rejection;
pub mod types;

pub use decode::{decode, Annotation, Decoded};
pub use encode::encode;
pub use json::{from_json, parse_json_text, to_json};
pub use rejection::{Expected, Rejected, Segment};

/// A decoded value of some schema type. Which type is known from the context (the [`crate::ir::Type`]
/// it was decoded with), as with any schema-driven format.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// Any integer type.
    Int(i128),
    /// `f32` or `f64` (an `f32` is held exactly).
    Float(f64),
    /// `string<N>`.
    Text(String),
    /// `bytes<N>` or `bytes[N]`.
    Bytes(Vec<u8>),
    /// `array<T, N>`.
    Array(Vec<Value>),
    /// An enum, by number (known or not).
    Enum(u32),
    /// A message: its entries in ascending key order.
    Message(Vec<Entry>),
    /// A union: the variant's key and its value.
    Union(u64, UnionValue),
}

/// One entry of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A field of the schema.
    Field(u32, Value),
    /// An entry whose key the schema does not define: the key and the value's exact bytes.
    Unknown(u64, Vec<u8>),
}

impl Entry {
    /// The entry's key.
    pub fn key(&self) -> u64 {
        match self {
            Entry::Field(k, _) => *k as u64,
            Entry::Unknown(k, _) => *k,
        }
    }
}

/// The value of a union.
#[derive(Clone, Debug, PartialEq)]
pub enum UnionValue {
    /// A unit variant (`null` on the wire).
    Unit,
    /// A variant with a value.
    Value(Box<Value>),
    /// A variant the schema does not define: the value's exact bytes.
    Unknown(Vec<u8>),
}
