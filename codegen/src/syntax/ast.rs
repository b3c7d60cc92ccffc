//! The syntax tree: what a schema file says, as written, with spans and comments.
//!
//! Nothing here is resolved or validated: names are plain paths, numbers are as written (with their
//! text kept for the formatter), and a file that failed to parse in places still yields a tree of the
//! parts that did. The semantic layer (`sema`) turns this into the IR; backends never see it.

use crate::source::{FileId, Span};

/// A name as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where.
    pub span: Span,
}

/// A dotted name: `Level`, `core.Level`, `org.example.core.Level`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The segments, at least one.
    pub segments: Vec<Ident>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// The path joined with dots.
    pub fn text(&self) -> String {
        let names: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        names.join(".")
    }
}

/// An ordinary comment, kept only so that `fmt` can put it back.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The full text, `//` or `/* */` included.
    pub text: String,
    /// Where.
    pub span: Span,
    /// Whether an empty line separates it from what came before.
    pub blank_before: bool,
    /// Whether an empty line separates it from what comes after (a section header set apart from the
    /// item below it).
    pub blank_after: bool,
}

/// Documentation, comments and attributes that precede an item or member.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Meta {
    /// Ordinary comments before the item, in order.
    pub comments: Vec<Comment>,
    /// `///` lines, without `///` and one following space.
    pub docs: Vec<String>,
    /// Span of the doc lines, if any.
    pub docs_span: Option<Span>,
    /// `@attributes`, in order.
    pub attributes: Vec<Attribute>,
    /// A comment on the same line after the item's end.
    pub trailing_comment: Option<Comment>,
    /// Whether an empty line separates the item (with its comments) from what came before.
    pub blank_before: bool,
}

impl Meta {
    /// The doc lines joined with newlines.
    pub fn doc_text(&self) -> String {
        self.docs.join("\n")
    }
}

/// `@name` or `@name(args)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    /// The attribute's name (dotted for extension attributes).
    pub name: Path,
    /// The arguments; `None` without parentheses.
    pub args: Option<Vec<Literal>>,
    /// The whole attribute, `@` included.
    pub span: Span,
}

/// An integer literal.
#[derive(Clone, Debug, PartialEq)]
pub struct IntLit {
    /// The value, sign applied.
    pub value: i128,
    /// The text as written (`0x1F`, `-3`).
    pub text: String,
    /// Where.
    pub span: Span,
}

/// A literal: in defaults and attribute arguments.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `42`, `-3`, `0xFF`.
    Int(IntLit),
    /// `1.5`, `-2e3`.
    Float {
        /// The value.
        value: f64,
        /// The text as written.
        text: String,
        /// Where.
        span: Span,
    },
    /// `"text"`.
    Str {
        /// The decoded value.
        value: String,
        /// The literal as written, quotes and escapes included.
        text: String,
        /// Where.
        span: Span,
    },
    /// `true` or `false`.
    Bool {
        /// The value.
        value: bool,
        /// Where.
        span: Span,
    },
    /// A name: an enum value, or an identifier argument.
    Path(Path),
    /// `a..=b`, `a..`, `..=b`.
    Range {
        /// Lower bound, if any.
        min: Option<IntLit>,
        /// Upper bound (inclusive), if any.
        max: Option<IntLit>,
        /// Where.
        span: Span,
    },
}

impl Literal {
    /// Where the literal is.
    pub fn span(&self) -> Span {
        match self {
            Literal::Int(i) => i.span,
            Literal::Float { span, .. }
            | Literal::Str { span, .. }
            | Literal::Bool { span, .. }
            | Literal::Range { span, .. } => *span,
            Literal::Path(p) => p.span,
        }
    }

    /// What kind of literal this is, for messages ("expected an integer, found a string").
    pub fn describe(&self) -> &'static str {
        match self {
            Literal::Int(_) => "an integer",
            Literal::Float { .. } => "a float",
            Literal::Str { .. } => "a string",
            Literal::Bool { .. } => "a boolean",
            Literal::Path(_) => "a name",
            Literal::Range { .. } => "a range",
        }
    }
}

/// The built-in scalar types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scalar {
    /// `bool`
    Bool,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`
    U64,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
}

impl Scalar {
    /// Every scalar with its keyword.
    pub const ALL: [(Scalar, &'static str); 11] = [
        (Scalar::Bool, "bool"),
        (Scalar::U8, "u8"),
        (Scalar::U16, "u16"),
        (Scalar::U32, "u32"),
        (Scalar::U64, "u64"),
        (Scalar::I8, "i8"),
        (Scalar::I16, "i16"),
        (Scalar::I32, "i32"),
        (Scalar::I64, "i64"),
        (Scalar::F32, "f32"),
        (Scalar::F64, "f64"),
    ];

    /// The scalar named by a keyword.
    pub fn from_keyword(word: &str) -> Option<Scalar> {
        Scalar::ALL
            .iter()
            .find(|(_, k)| *k == word)
            .map(|(s, _)| *s)
    }

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        Scalar::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("", |(_, k)| k)
    }
}

/// Names that are built-in types and can never name a user type.
pub const BUILTIN_TYPE_NAMES: [&str; 14] = [
    "bool", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "string", "bytes",
    "array",
];

/// A type as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    /// What kind of type.
    pub kind: TypeExprKind,
    /// The whole expression.
    pub span: Span,
}

/// The forms a type can take.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `bool`, `u8`, ... `f64`.
    Scalar(Scalar),
    /// `string` or `string<N>`.
    String {
        /// The bound, when written.
        max: Option<IntLit>,
    },
    /// `bytes` or `bytes<N>`.
    Bytes {
        /// The bound, when written.
        max: Option<IntLit>,
    },
    /// `bytes[N]`.
    FixedBytes {
        /// The exact length.
        len: IntLit,
    },
    /// `array<T>` or `array<T, N>`.
    Array {
        /// The element type.
        element: Box<TypeExpr>,
        /// The bound, when written.
        max: Option<IntLit>,
    },
    /// A user type, by name.
    Named(Path),
}

/// `package a.b version 1.2.0;`
#[derive(Clone, Debug, PartialEq)]
pub struct PackageDecl {
    /// Docs, attributes and comments before `package`.
    pub meta: Meta,
    /// The package name.
    pub name: Path,
    /// The version, as written.
    pub version: Option<VersionLit>,
    /// The whole declaration.
    pub span: Span,
}

/// `1.2.0`
#[derive(Clone, Debug, PartialEq)]
pub struct VersionLit {
    /// The text as written.
    pub text: String,
    /// Where.
    pub span: Span,
}

/// `import "path" as alias;`
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// Docs and comments before it.
    pub meta: Meta,
    /// The path as written, decoded.
    pub path: String,
    /// Span of the path literal.
    pub path_span: Span,
    /// The alias, when given.
    pub alias: Option<Ident>,
    /// The whole import.
    pub span: Span,
}

/// A top-level definition.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Docs, attributes and comments before it.
    pub meta: Meta,
    /// The type's name.
    pub name: Ident,
    /// What is defined.
    pub kind: ItemKind,
    /// From the keyword to the closing `}` or `;`.
    pub span: Span,
}

/// The kinds of definitions.
#[derive(Clone, Debug, PartialEq)]
pub enum ItemKind {
    /// `message Name { ... }`
    Message(Block<Field>),
    /// `enum Name { ... }`
    Enum(Block<EnumValue>),
    /// `union Name { ... }`
    Union(Block<Variant>),
    /// `type Name = T;`
    Alias(TypeExpr),
}

impl ItemKind {
    /// The keyword that introduces this kind.
    pub fn keyword(&self) -> &'static str {
        match self {
            ItemKind::Message(_) => "message",
            ItemKind::Enum(_) => "enum",
            ItemKind::Union(_) => "union",
            ItemKind::Alias(_) => "type",
        }
    }
}

/// The body of a message, enum or union: its members and `reserved` lines in source order.
#[derive(Clone, Debug, PartialEq)]
pub struct Block<M> {
    /// A comment on the same line as `{`.
    pub open_comment: Option<Comment>,
    /// Members and reserved lines, in order.
    pub entries: Vec<Entry<M>>,
    /// Comments after the last entry, before `}`.
    pub closing_comments: Vec<Comment>,
}

impl<M> Block<M> {
    /// The members, without reserved lines.
    pub fn members(&self) -> impl Iterator<Item = &M> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Member(m) => Some(m),
            Entry::Reserved(_) => None,
        })
    }

    /// The reserved lines.
    pub fn reserved(&self) -> impl Iterator<Item = &Reserved> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Reserved(r) => Some(r),
            Entry::Member(_) => None,
        })
    }
}

/// One line of a block.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry<M> {
    /// A field, value or variant.
    Member(M),
    /// A `reserved` line.
    Reserved(Reserved),
}

/// `reserved 4, 8..=10, "old";`
#[derive(Clone, Debug, PartialEq)]
pub struct Reserved {
    /// Comments before it.
    pub meta: Meta,
    /// The entries, in order.
    pub entries: Vec<ReservedEntry>,
    /// The whole line.
    pub span: Span,
}

/// One reserved key, range or name.
#[derive(Clone, Debug, PartialEq)]
pub enum ReservedEntry {
    /// A single key or value number.
    Number(IntLit),
    /// `low..=high`.
    Range(IntLit, IntLit),
    /// A name, as a string.
    Name {
        /// The name.
        value: String,
        /// Where.
        span: Span,
    },
}

/// `KEY name: [optional] type [= default];`
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Docs, attributes and comments before it.
    pub meta: Meta,
    /// The wire key.
    pub key: IntLit,
    /// The field name.
    pub name: Ident,
    /// Span of `optional`, when written.
    pub optional: Option<Span>,
    /// The type.
    pub ty: TypeExpr,
    /// The default, when written.
    pub default: Option<Literal>,
    /// The whole field.
    pub span: Span,
}

/// `Name = N;`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    /// Docs, attributes and comments before it.
    pub meta: Meta,
    /// The value's name.
    pub name: Ident,
    /// Its number.
    pub value: IntLit,
    /// The whole line.
    pub span: Span,
}

/// `KEY name[: type];`
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// Docs, attributes and comments before it.
    pub meta: Meta,
    /// The wire key.
    pub key: IntLit,
    /// The variant name.
    pub name: Ident,
    /// The payload type; `None` for a unit variant.
    pub ty: Option<TypeExpr>,
    /// The whole line.
    pub span: Span,
}

/// One parsed schema file.
#[derive(Clone, Debug, PartialEq)]
pub struct SchemaFile {
    /// The file it came from.
    pub file: FileId,
    /// The package declaration, if the parser found one.
    pub package: Option<PackageDecl>,
    /// Imports, in order.
    pub imports: Vec<Import>,
    /// Definitions, in order.
    pub items: Vec<Item>,
    /// Comments after the last item.
    pub closing_comments: Vec<Comment>,
}
