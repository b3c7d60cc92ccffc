//! The intermediate representation: a resolved, validated schema set, and the contract with backends.
//!
//! Everything here is checked: names are resolved to fully-qualified names, aliases point at their
//! targets, every string/bytes/array carries its effective bound, defaults are typed values. Backends
//! (code generators, the docs renderer, the breaking-change checker) depend on this module only, never
//! on the syntax tree.
//!
//! The IR serialises to JSON (`iotp2p ir`) with a JSON Schema (`iotp2p ir --json-schema`), so tools in
//! any language can consume it as a descriptor. That JSON is a versioned interface: [`IR_VERSION`] is
//! bumped whenever a change could break a consumer (removing or renaming a field, changing a meaning);
//! adding optional fields does not bump it.

mod size;
mod type_graph;
mod wide_int;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use size::{head_len, max_encoded_sizes, sizes_of, type_size};
pub use type_graph::{own_max_depth, Cycle, Reference, TypeGraph};

/// Version of the IR's JSON form.
pub const IR_VERSION: u32 = 1;

/// A compiled set of packages: the files named on the command line and everything they import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schema {
    /// Always [`IR_VERSION`] for IR produced by this compiler.
    pub ir_version: u32,
    /// Packages in dependency order: every package comes after the packages it imports.
    pub packages: Vec<Package>,
}

/// Where something is defined in the schema source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, as it was named on the command line or resolved from an import.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in Unicode scalar values.
    pub column: u32,
}

/// A package version: semantic versioning, where the major version changes when the wire breaks.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// Incompatible wire changes.
    pub major: u32,
    /// Compatible additions.
    pub minor: u32,
    /// Documentation and other non-wire changes.
    pub patch: u32,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One package: one schema file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// Dotted name, e.g. `org.example.lighting`.
    pub name: String,
    /// The declared version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<Version>,
    /// The doc comment before `package`, verbatim.
    pub doc: String,
    /// Where the package is declared.
    pub location: Location,
    /// Names of the packages this one imports, in source order.
    pub imports: Vec<String>,
    /// Every attribute written before `package`, as written.
    pub attributes: Vec<Attribute>,
    /// The package's types, in source order.
    pub types: Vec<TypeDef>,
}

/// A user-defined type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TypeDef {
    /// The name within its package, e.g. `SetLevel`.
    pub name: String,
    /// Package name + `.` + name, e.g. `org.example.lighting.SetLevel`.
    pub full_name: String,
    /// The doc comment, verbatim.
    pub doc: String,
    /// Where it is defined.
    pub location: Location,
    /// Set when the type is `@deprecated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Every attribute as written (known ones included), for tools that want them.
    pub attributes: Vec<Attribute>,
    /// What the type is: the `kind` tag and its members, inline.
    #[serde(flatten)]
    pub kind: TypeKind,
}

/// `@deprecated` or `@deprecated("reason")`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// The reason or replacement, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The kinds of user types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TypeKind {
    /// A record of keyed fields, encoded as a CBOR map.
    Message {
        /// Fields in source order (not necessarily key order).
        fields: Vec<Field>,
        /// Keys and names that may never be used again.
        reserved: Reserved,
        /// `@max_depth(N)`: how many times this type may nest within itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_depth: Option<u32>,
    },
    /// Named numbers, encoded as a CBOR unsigned integer.
    Enum {
        /// Values in source order.
        values: Vec<EnumValue>,
        /// Numbers and names that may never be used again.
        reserved: Reserved,
    },
    /// Exactly one of several keyed variants, encoded as a one-entry CBOR map.
    Union {
        /// Variants in source order.
        variants: Vec<Variant>,
        /// Keys and names that may never be used again.
        reserved: Reserved,
        /// `@max_depth(N)`: how many times this type may nest within itself.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_depth: Option<u32>,
    },
    /// Another name for a type; on the wire it is the target type.
    Alias {
        /// The target, fully resolved.
        target: Type,
    },
}

/// A message field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// snake_case name.
    pub name: String,
    /// The CBOR map key.
    pub key: u32,
    /// The doc comment, verbatim.
    pub doc: String,
    /// Where it is defined.
    pub location: Location,
    /// The field's type.
    #[serde(rename = "type")]
    pub ty: Type,
    /// Whether the field must be present.
    pub presence: Presence,
    /// Set when the field is `@deprecated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Every attribute as written.
    pub attributes: Vec<Attribute>,
}

/// Whether a field must appear on the wire. In JSON: `"required"`, `"optional"`, or
/// `{"default": VALUE}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    /// Always present.
    Required,
    /// May be absent.
    Optional,
    /// Absent on the wire exactly when equal to this default.
    Default(Value),
}

/// A value of an enum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// UpperCamelCase name.
    pub name: String,
    /// The number on the wire.
    pub value: u32,
    /// The doc comment, verbatim.
    pub doc: String,
    /// Where it is defined.
    pub location: Location,
    /// Set when the value is `@deprecated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Every attribute as written.
    pub attributes: Vec<Attribute>,
}

/// A variant of a union.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// snake_case name.
    pub name: String,
    /// The CBOR map key of the one-entry map.
    pub key: u32,
    /// The doc comment, verbatim.
    pub doc: String,
    /// Where it is defined.
    pub location: Location,
    /// The payload; absent for a unit variant (encoded as CBOR null).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ty: Option<Type>,
    /// Set when the variant is `@deprecated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Every attribute as written.
    pub attributes: Vec<Attribute>,
}

/// Keys (or enum numbers) and names that a type has retired.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reserved {
    /// Inclusive ranges; a single key is a range of one.
    pub ranges: Vec<KeyRange>,
    /// Retired names.
    pub names: Vec<String>,
}

/// An inclusive range of keys or numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRange {
    /// First reserved number.
    pub start: u32,
    /// Last reserved number (inclusive).
    pub end: u32,
}

/// The built-in integer types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IntType {
    /// 8-bit unsigned.
    U8,
    /// 16-bit unsigned.
    U16,
    /// 32-bit unsigned.
    U32,
    /// 64-bit unsigned.
    U64,
    /// 8-bit signed.
    I8,
    /// 16-bit signed.
    I16,
    /// 32-bit signed.
    I32,
    /// 64-bit signed.
    I64,
}

impl IntType {
    /// The smallest and largest value of the type.
    pub fn bounds(self) -> (i128, i128) {
        match self {
            IntType::U8 => (0, u8::MAX as i128),
            IntType::U16 => (0, u16::MAX as i128),
            IntType::U32 => (0, u32::MAX as i128),
            IntType::U64 => (0, u64::MAX as i128),
            IntType::I8 => (i8::MIN as i128, i8::MAX as i128),
            IntType::I16 => (i16::MIN as i128, i16::MAX as i128),
            IntType::I32 => (i32::MIN as i128, i32::MAX as i128),
            IntType::I64 => (i64::MIN as i128, i64::MAX as i128),
        }
    }

    /// The schema keyword (`u8`, `i64`, ...).
    pub fn keyword(self) -> &'static str {
        match self {
            IntType::U8 => "u8",
            IntType::U16 => "u16",
            IntType::U32 => "u32",
            IntType::U64 => "u64",
            IntType::I8 => "i8",
            IntType::I16 => "i16",
            IntType::I32 => "i32",
            IntType::I64 => "i64",
        }
    }
}

/// The built-in float types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FloatType {
    /// IEEE 754 binary32.
    F32,
    /// IEEE 754 binary64.
    F64,
}

/// An inclusive integer constraint from `@range` (for a field of an alias type, already intersected
/// with the alias's range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntRange {
    /// Smallest allowed value.
    #[serde(with = "wide_int")]
    #[schemars(with = "wide_int::WideIntSchema")]
    pub min: i128,
    /// Largest allowed value (up to 2^64 − 1).
    #[serde(with = "wide_int")]
    #[schemars(with = "wide_int::WideIntSchema")]
    pub max: i128,
}

/// A resolved type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Type {
    /// `bool`
    Bool,
    /// An integer, possibly narrowed by `@range`.
    Int {
        /// Which integer type.
        int: IntType,
        /// The narrowed range, when `@range` was given, on the alias or on the field. A field of an
        /// alias type that carries its own `@range` arrives with the intersection of both ranges (the
        /// compiler requires the field's to lie within the alias's, and fills an open end from the
        /// alias's), inside the `Alias` wrapper: a consumer checks this one range (spec
        /// IOTP-WIRE-14).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        range: Option<IntRange>,
    },
    /// `f32` or `f64`.
    Float {
        /// Which float type.
        float: FloatType,
    },
    /// UTF-8 text of at most `max_len` bytes.
    String {
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
    /// At most `max_items` elements.
    Array {
        /// The element type.
        element: Box<Type>,
        /// Maximum number of elements.
        max_items: u32,
    },
    /// A message, by full name.
    Message {
        /// Fully-qualified name.
        name: String,
    },
    /// An enum, by full name.
    Enum {
        /// Fully-qualified name.
        name: String,
    },
    /// A union, by full name.
    Union {
        /// Fully-qualified name.
        name: String,
    },
    /// A use of a type alias: the alias's name and its fully resolved target (never itself an alias
    /// at the top level), so backends can either name the alias or work on the target directly. The
    /// target's integer range is that of this use: the alias's `@range`, intersected with the
    /// field's when the field has one.
    Alias {
        /// Fully-qualified name of the alias.
        name: String,
        /// The alias's target.
        target: Box<Type>,
    },
}

impl Type {
    /// The type with any alias wrapper removed.
    pub fn resolved(&self) -> &Type {
        match self {
            Type::Alias { target, .. } => target.resolved(),
            other => other,
        }
    }
}

/// A typed constant: a default value, or an attribute argument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(
        #[serde(with = "wide_int")]
        #[schemars(with = "wide_int::WideIntSchema")]
        i128,
    ),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// An enum value: its name and number.
    Enum {
        /// The value's name.
        name: String,
        /// Its number.
        value: u32,
    },
}

/// An attribute as written, for tools (extension attributes included).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// The name without `@`, dotted for extension attributes.
    pub name: String,
    /// The arguments, in order.
    pub args: Vec<AttributeArg>,
}

/// An attribute argument.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeArg {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(
        #[serde(with = "wide_int")]
        #[schemars(with = "wide_int::WideIntSchema")]
        i128,
    ),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// A name, as written.
    Name(String),
    /// An inclusive range; either end may be open.
    Range {
        /// Lower bound.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "wide_int::option"
        )]
        #[schemars(with = "Option<wide_int::WideIntSchema>")]
        min: Option<i128>,
        /// Upper bound.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "wide_int::option"
        )]
        #[schemars(with = "Option<wide_int::WideIntSchema>")]
        max: Option<i128>,
    },
}

impl Schema {
    /// Finds a type by its fully-qualified name.
    pub fn find_type(&self, full_name: &str) -> Option<&TypeDef> {
        let (pkg, _) = full_name.rsplit_once('.')?;
        self.packages
            .iter()
            .find(|p| p.name == pkg)?
            .types
            .iter()
            .find(|t| t.full_name == full_name)
    }

    /// The JSON Schema of the IR's JSON form.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Schema)).expect("the IR schema serialises")
    }
}
