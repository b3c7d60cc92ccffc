//! The shape of a value at one place in the schema: what a backend needs to read, write, size and
//! check a field, a variant's payload, an alias's target or an array's items, as data.

use crate::ir::{self, FloatType, IntType, Type, TypeGraph};

/// A value's type with aliases resolved, bounds and ranges explicit, and references into the
/// owner's own recursive cycle marked.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape<'s> {
    /// `bool`.
    Bool,
    /// An integer of type `int` that must lie in `min..=max`.
    Int {
        /// The integer type.
        int: IntType,
        /// Smallest allowed value.
        min: i128,
        /// Largest allowed value.
        max: i128,
        /// Whether `min..=max` is narrower than the type's own range (`@range`), so that an encoder
        /// must check it.
        narrowed: bool,
    },
    /// `f32` or `f64`.
    Float(FloatType),
    /// UTF-8 text of at most `max_len` bytes.
    Text {
        /// Maximum length in bytes.
        max_len: u32,
    },
    /// At most `max_len` bytes.
    Bytes {
        /// Maximum length in bytes.
        max_len: u32,
    },
    /// Exactly `len` bytes.
    FixedBytes {
        /// The length in bytes.
        len: u32,
    },
    /// An enum, by full name.
    Enum {
        /// Fully-qualified name.
        name: &'s str,
    },
    /// A message or union, by full name.
    Record {
        /// Fully-qualified name.
        name: &'s str,
        /// Whether it is a union.
        union: bool,
        /// Whether it lies on the owner's own recursive cycle: its value counts against the cycle's
        /// `@max_depth` budget, and a member of exactly this shape cannot be stored inline.
        recursive: bool,
    },
    /// At most `max_items` values of `element`.
    Array {
        /// The items' shape.
        element: Box<Shape<'s>>,
        /// Maximum number of items.
        max_items: u32,
    },
}

impl<'s> Shape<'s> {
    /// The shape of `ty` used inside the type named `owner`.
    pub fn of(ty: &'s Type, owner: &str, graph: &TypeGraph<'_>) -> Shape<'s> {
        match ty {
            Type::Bool => Shape::Bool,
            Type::Int { int, range } => {
                let (min, max) = range.map_or(int.bounds(), |r| (r.min, r.max));
                Shape::Int {
                    int: *int,
                    min,
                    max,
                    narrowed: (min, max) != int.bounds(),
                }
            }
            Type::Float { float } => Shape::Float(*float),
            Type::String { max_len } => Shape::Text { max_len: *max_len },
            Type::Bytes { max_len } => Shape::Bytes { max_len: *max_len },
            Type::FixedBytes { len } => Shape::FixedBytes { len: *len },
            Type::Enum { name } => Shape::Enum { name },
            Type::Message { name } | Type::Union { name } => Shape::Record {
                name,
                union: matches!(ty, Type::Union { .. }),
                recursive: graph.same_cycle(owner, name),
            },
            Type::Array { element, max_items } => Shape::Array {
                element: Box::new(Shape::of(element, owner, graph)),
                max_items: *max_items,
            },
            Type::Alias { target, .. } => Shape::of(target, owner, graph),
        }
    }

    /// The encoded length when it is the same for every value (`bool`, fixed-size bytes).
    pub fn fixed_len(&self) -> Option<u64> {
        match self {
            Shape::Bool => Some(1),
            Shape::FixedBytes { len } => Some(ir::head_len(*len as u64) + *len as u64),
            _ => None,
        }
    }

    /// Whether a value of this shape refers back into the owner's cycle directly (not through an
    /// array): such a member is stored out of line (boxed, lazily decoded, behind a pointer).
    pub fn is_recursive_link(&self) -> bool {
        matches!(
            self,
            Shape::Record {
                recursive: true,
                ..
            }
        )
    }

    /// Whether the value holds, directly or in arrays, a value of the owner's own cycle.
    pub fn reaches_cycle(&self) -> bool {
        match self {
            Shape::Record { recursive, .. } => *recursive,
            Shape::Array { element, .. } => element.reaches_cycle(),
            _ => false,
        }
    }

    /// Whether the integer type is unsigned (`false` for other shapes).
    pub fn is_unsigned(&self) -> bool {
        matches!(
            self,
            Shape::Int {
                int: IntType::U8 | IntType::U16 | IntType::U32 | IntType::U64,
                ..
            }
        )
    }
}
