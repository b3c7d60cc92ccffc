//! Property tests of the formatter on random valid schemas: print → parse → same tree and same IR, fmt
//! is idempotent, and any re-spacing of a formatted file formats back to it.
//!
//! The strategy builds a syntax tree directly (so the printer is what turns it into text) from a
//! stream of random numbers. Every choice reads one number and a missing number reads as 0, which
//! always means "the simplest option": shrinking the stream shrinks the schema.

#[path = "support/fmt_helpers.rs"]
mod helpers;

use std::collections::BTreeSet;

use proptest::prelude::*;

use iotp2p_codegen::compile_str;
use iotp2p_codegen::diagnostics::render::render_plain;
use iotp2p_codegen::diagnostics::Diagnostics;
use iotp2p_codegen::source::{FileId, Span};
use iotp2p_codegen::syntax::ast::*;
use iotp2p_codegen::syntax::lexer::{lex, TokenKind};
use iotp2p_codegen::syntax::printer::{print, quote};

use helpers::{comments, first_difference, fmt, ir_without_positions, parse_ok};

/// The imported package every generated schema may use.
const DEP: &str = "package gen.dep version 1.0.0;

@range(0..=100)
type Percent = u8;

enum Color {
    Red = 0;
    Green = 1;
}

message Point {
    0 x: i32;
    1 y: i32;
}
";

const MAIN: &str = "main.iotp";

// ---- drawing choices ---------------------------------------------------------------------------

/// Choices read from a stream of numbers; past its end every choice is 0.
struct Draw<'a> {
    data: &'a [u32],
    pos: usize,
}

impl Draw<'_> {
    fn next(&mut self) -> u32 {
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }

    /// True with roughly `percent` % probability; never for a 0 draw.
    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) >= 100 - percent
    }

    fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len() as u32) as usize]
    }

    fn u64(&mut self) -> u64 {
        (u64::from(self.next()) << 32) | u64::from(self.next())
    }

    /// An integer in `lo..=hi`, often one of the ends or 0.
    fn int_in(&mut self, lo: i128, hi: i128) -> i128 {
        match self.below(6) {
            0 => lo.max(0).min(hi),
            1 => lo,
            2 => hi,
            3 => (lo.max(0) + i128::from(self.below(30))).min(hi),
            _ => lo + (i128::from(self.u64()) % (hi - lo + 1)),
        }
    }
}

fn zero() -> Span {
    Span::new(FileId(0), 0, 0)
}

fn ident(name: &str) -> Ident {
    Ident {
        name: name.to_string(),
        span: zero(),
    }
}

fn path(text: &str) -> Path {
    Path {
        segments: text.split('.').map(ident).collect(),
        span: zero(),
    }
}

fn int_lit(value: i128, hex: bool) -> IntLit {
    let text = match (hex, value < 0) {
        (false, _) => value.to_string(),
        (true, false) => format!("0x{value:X}"),
        (true, true) => format!("-0x{:X}", -value),
    };
    IntLit {
        value,
        text,
        span: zero(),
    }
}

fn ty(kind: TypeExprKind) -> TypeExpr {
    TypeExpr { kind, span: zero() }
}

/// Words for names, comments and docs; keywords included, since they are contextual.
const WORDS: &[&str] = &[
    "level",
    "mode",
    "type",
    "version",
    "message",
    "optional",
    "reserved",
    "enum",
    "union",
    "as",
    "import",
    "package",
    "string",
    "bytes",
    "array",
    "bool",
    "u8",
    "true",
    "on",
    "off",
    "alpha",
    "color",
    "x",
    "y",
    "z",
    "temperature",
    "set",
    "get",
    "a1",
    "b2",
    "very_long_name_part",
];

const TEXT_WORDS: &[&str] = &[
    "The",
    "level",
    "is",
    "in",
    "tenths;",
    "see",
    "`Mode`",
    "(or",
    "not).",
    "*",
    "é",
    "💡",
    "//",
    "@range",
    "{",
    "}",
    "\"quoted\"",
    "\\",
    "a/b",
    "TODO:",
];

/// Characters of generated string values: the ones that need escapes included.
const STRING_CHARS: &[char] = &[
    'a', 'b', 'Z', ' ', '"', '\\', '\n', '\r', '\t', 'é', '💡', '\u{7}', '\u{0}', '{', '}', '/',
];

/// Facts about a type expression that decide which defaults and attributes fit it.
#[derive(Clone)]
enum Fits {
    Bool,
    Int(Scalar),
    Float,
    /// A string of at most this many bytes.
    Str(u32),
    /// An enum with these value names.
    Enum(Vec<String>),
    /// Anything that takes no default.
    Nothing,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Message,
    Enum,
    Union,
    Alias,
}

/// A type defined earlier in the generated file.
struct Known {
    name: String,
    kind: Kind,
    enum_values: Vec<String>,
}

struct Gen<'a> {
    d: Draw<'a>,
    package: String,
    /// Package defaults: string, bytes, items.
    default_string: Option<u32>,
    default_bytes: Option<u32>,
    default_items: bool,
    /// How the import of `gen.dep` is written: `None` without the import, `Some(prefix)` with it.
    dep_prefix: Option<String>,
    known: Vec<Known>,
    type_names: BTreeSet<String>,
}

impl Gen<'_> {
    fn words(&mut self, max: u32, list: &[&str]) -> Vec<String> {
        let n = 1 + self.d.below(max);
        (0..n).map(|_| self.d.pick(list).to_string()).collect()
    }

    fn snake(&mut self, taken: &mut BTreeSet<String>) -> String {
        let mut name = self.words(2, WORDS).join("_");
        if name.len() > 40 {
            name.truncate(20);
            name = name.trim_end_matches('_').to_string();
        }
        unique(name, taken, "_")
    }

    fn camel(&mut self, taken: &mut BTreeSet<String>) -> String {
        let name: String = self
            .words(2, WORDS)
            .iter()
            .flat_map(|w| w.split('_'))
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        let mut name = name;
        name.truncate(40);
        unique(name, taken, "")
    }

    fn comment(&mut self) -> Comment {
        let text = match self.d.below(5) {
            0 | 1 => format!("// {}", self.words(5, TEXT_WORDS).join(" ")),
            2 => format!("/* {} */", self.words(4, TEXT_WORDS).join(" ")),
            3 => format!(
                "/* {}\n   {} */",
                self.words(3, TEXT_WORDS).join(" "),
                self.words(3, TEXT_WORDS).join(" ")
            ),
            _ => "/".repeat(4 + self.d.below(20) as usize),
        };
        Comment {
            text,
            span: zero(),
            blank_before: self.d.chance(20),
            blank_after: self.d.chance(20),
        }
    }

    fn comments(&mut self, percent: u32) -> Vec<Comment> {
        let mut out = Vec::new();
        while out.len() < 3 && self.d.chance(percent) {
            out.push(self.comment());
        }
        out
    }

    fn trailing(&mut self) -> Option<Comment> {
        self.d.chance(15).then(|| Comment {
            blank_before: false,
            ..self.comment()
        })
    }

    fn docs(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while out.len() < 3 && self.d.chance(40) {
            out.push(match self.d.below(6) {
                0 => String::new(),
                1 => format!("  {}", self.words(4, TEXT_WORDS).join(" ")),
                _ => self.words(6, TEXT_WORDS).join(" "),
            });
        }
        out
    }

    /// Comments, docs and attributes before an item or member. The printer places a comment after
    /// the docs or attribute that precedes it in the source; generated trees have no source, so they
    /// get made-up positions: the k-th of docs and attributes at `100 * (k + 1)`, each comment at
    /// `100 * slot + 50` for a random slot, slots ascending so that the printed order is the vector's.
    fn meta(&mut self, mut attributes: Vec<Attribute>, docs: bool) -> Meta {
        let docs = if docs { self.docs() } else { Vec::new() };
        let has_docs = usize::from(!docs.is_empty());
        let at = |pos: usize| Span::new(FileId(0), pos, pos);
        for (k, a) in attributes.iter_mut().enumerate() {
            a.span = at(100 * (k + has_docs + 1));
        }
        let mut comments = self.comments(20);
        let elements = (has_docs + attributes.len()) as u32;
        let mut slots: Vec<usize> = comments
            .iter()
            .map(|_| self.d.below(elements + 1) as usize)
            .collect();
        slots.sort_unstable();
        for (c, slot) in comments.iter_mut().zip(slots) {
            c.span = at(100 * slot + 50);
        }
        Meta {
            comments,
            docs_span: (has_docs == 1).then(|| at(100)),
            docs,
            attributes,
            trailing_comment: self.trailing(),
            blank_before: self.d.chance(20),
        }
    }

    fn attribute(name: &str, args: Option<Vec<Literal>>) -> Attribute {
        Attribute {
            name: path(name),
            args,
            span: zero(),
        }
    }

    /// `@deprecated`, extension attributes, and `extra` (known attributes), in a random order.
    fn attributes(&mut self, mut extra: Vec<Attribute>) -> Vec<Attribute> {
        if self.d.chance(15) {
            let args = self.d.chance(50).then(|| vec![self.string_literal(30)]);
            extra.push(Self::attribute("deprecated", args));
        }
        if self.d.chance(10) {
            let n = self.d.below(4);
            let args = (0..n).map(|_| self.any_literal()).collect();
            extra.push(Self::attribute("gen.note", Some(args)));
        }
        if self.d.chance(5) {
            extra.push(Self::attribute("vendor.flag", None));
        }
        if extra.len() > 1 && self.d.chance(50) {
            extra.reverse();
        }
        extra
    }

    fn string_value(&mut self, max_bytes: u32) -> String {
        let n = self.d.below(12);
        let mut s = String::new();
        for _ in 0..n {
            let c = *self.d.pick(STRING_CHARS);
            if s.len() + c.len_utf8() > max_bytes as usize {
                break;
            }
            s.push(c);
        }
        s
    }

    fn string_literal(&mut self, max_bytes: u32) -> Literal {
        let value = self.string_value(max_bytes);
        Literal::Str {
            text: quote(&value),
            value,
            span: zero(),
        }
    }

    fn float_literal(&mut self) -> Literal {
        let sign = if self.d.chance(30) { "-" } else { "" };
        let whole = self.d.below(100_000);
        let text = match self.d.below(4) {
            0 => format!("{sign}{whole}.{}", self.d.below(1000)),
            1 => format!("{sign}{whole}e{}", self.d.below(30)),
            2 => format!("{sign}{whole}.{}E-{}", self.d.below(100), self.d.below(30)),
            // An integer is a valid float default.
            _ => return Literal::Int(int_lit(-i128::from(whole), false)),
        };
        Literal::Float {
            value: text.parse().expect("a float"),
            text,
            span: zero(),
        }
    }

    /// Any literal, for extension attributes (which are not checked).
    fn any_literal(&mut self) -> Literal {
        match self.d.below(7) {
            0 => Literal::Int(int_lit(
                self.d.int_in(i64::MIN.into(), u64::MAX.into()),
                self.d.chance(30),
            )),
            1 => self.float_literal(),
            2 => self.string_literal(20),
            3 => Literal::Bool {
                value: self.d.chance(50),
                span: zero(),
            },
            4 => {
                let mut taken = BTreeSet::new();
                let mut name = self.camel(&mut taken);
                if self.d.chance(50) {
                    name = format!("{name}.{}", self.camel(&mut taken));
                }
                Literal::Path(path(&name))
            }
            _ => {
                let lo = self.d.int_in(-1000, 1000);
                let hi = self.d.int_in(lo, 100_000);
                let (min, max) = match self.d.below(3) {
                    0 => (Some(lo), Some(hi)),
                    1 => (Some(lo), None),
                    _ => (None, Some(hi)),
                };
                Literal::Range {
                    min: min.map(|v| int_lit(v, false)),
                    max: max.map(|v| int_lit(v, false)),
                    span: zero(),
                }
            }
        }
    }

    fn bound(&mut self, max: i128) -> IntLit {
        let v = match self.d.below(5) {
            0 => max,
            1 => 1 + self.d.int_in(0, max - 1),
            _ => 1 + i128::from(self.d.below(100)),
        };
        int_lit(v, self.d.chance(10))
    }

    /// A type expression for a member of the type being defined at `index` (its name is `own`).
    /// Returns the expression, what fits it, and whether it refers to `own` (`Some(direct)`).
    fn type_expr(&mut self, own: Option<&str>, depth: u32) -> (TypeExpr, Fits, Option<bool>) {
        let choice = self.d.below(if depth < 2 { 12 } else { 10 });
        match choice {
            0 | 1 => {
                let (s, _) = Scalar::ALL[self.d.below(11) as usize];
                let fits = match s {
                    Scalar::Bool => Fits::Bool,
                    Scalar::F32 | Scalar::F64 => Fits::Float,
                    _ => Fits::Int(s),
                };
                (ty(TypeExprKind::Scalar(s)), fits, None)
            }
            2 | 3 => {
                let max = match self.default_string {
                    Some(d) if self.d.chance(40) => {
                        return (ty(TypeExprKind::String { max: None }), Fits::Str(d), None)
                    }
                    _ => self.bound(16_777_216),
                };
                let fits = Fits::Str(max.value as u32);
                (ty(TypeExprKind::String { max: Some(max) }), fits, None)
            }
            4 => {
                let max = if self.default_bytes.is_some() && self.d.chance(40) {
                    None
                } else {
                    Some(self.bound(16_777_216))
                };
                (ty(TypeExprKind::Bytes { max }), Fits::Nothing, None)
            }
            5 => {
                let len = self.bound(65_535);
                (ty(TypeExprKind::FixedBytes { len }), Fits::Nothing, None)
            }
            6..=9 => self.named(own),
            _ => {
                let (element, _, self_ref) = self.type_expr(own, depth + 1);
                let max = if self.default_items && self.d.chance(40) {
                    None
                } else {
                    Some(self.bound(65_535))
                };
                let kind = TypeExprKind::Array {
                    element: Box::new(element),
                    max,
                };
                // An array can be empty, so recursion through it is never direct.
                (ty(kind), Fits::Nothing, self_ref.map(|_| false))
            }
        }
    }

    /// A named type: an earlier type of this file, the type itself, or one of the imported package.
    fn named(&mut self, own: Option<&str>) -> (TypeExpr, Fits, Option<bool>) {
        let choices = self.known.len() as u32
            + u32::from(own.is_some())
            + u32::from(self.dep_prefix.is_some());
        if choices == 0 {
            return (
                ty(TypeExprKind::Scalar(Scalar::U8)),
                Fits::Int(Scalar::U8),
                None,
            );
        }
        let mut c = self.d.below(choices) as usize;
        if c < self.known.len() {
            let k = &self.known[self.known.len() - 1 - c];
            let fits = match k.kind {
                Kind::Enum => Fits::Enum(k.enum_values.clone()),
                _ => Fits::Nothing,
            };
            let name = k.name.clone();
            let written = if self.d.chance(15) {
                format!("{}.{name}", self.package)
            } else {
                name
            };
            return (ty(TypeExprKind::Named(path(&written))), fits, None);
        }
        c -= self.known.len();
        if let (Some(own), 0) = (own, c) {
            return (
                ty(TypeExprKind::Named(path(own))),
                Fits::Nothing,
                Some(true),
            );
        }
        let prefix = self.dep_prefix.clone().unwrap_or_default();
        let (name, fits) = match self.d.below(3) {
            0 => ("Percent", Fits::Nothing),
            1 => ("Color", Fits::Enum(vec!["Red".into(), "Green".into()])),
            _ => ("Point", Fits::Nothing),
        };
        (
            ty(TypeExprKind::Named(path(&format!("{prefix}.{name}")))),
            fits,
            None,
        )
    }

    /// `@range` for an integer scalar, with the effective bounds.
    fn range(&mut self, s: Scalar) -> (Attribute, i128, i128) {
        let (lo, hi) = int_bounds(s);
        let a = self.d.int_in(lo, hi);
        let b = self.d.int_in(a, hi);
        let hex = self.d.chance(20);
        let (min, max, eff) = match self.d.below(3) {
            0 => (Some(a), Some(b), (a, b)),
            1 => (Some(a), None, (a, hi)),
            _ => (None, Some(b), (lo, b)),
        };
        let lit = Literal::Range {
            min: min.map(|v| int_lit(v, hex)),
            max: max.map(|v| int_lit(v, hex)),
            span: zero(),
        };
        (Self::attribute("range", Some(vec![lit])), eff.0, eff.1)
    }

    fn default(&mut self, fits: &Fits, range: Option<(i128, i128)>) -> Option<Literal> {
        Some(match fits {
            Fits::Bool => Literal::Bool {
                value: self.d.chance(50),
                span: zero(),
            },
            Fits::Int(s) => {
                let (lo, hi) = range.unwrap_or_else(|| int_bounds(*s));
                Literal::Int(int_lit(self.d.int_in(lo, hi), self.d.chance(25)))
            }
            Fits::Float => self.float_literal(),
            Fits::Str(max) => self.string_literal(*max),
            Fits::Enum(values) => Literal::Path(path(self.d.pick::<String>(values))),
            Fits::Nothing => return None,
        })
    }

    /// Keys (or enum numbers) unused so far, mostly small.
    fn number(&mut self, used: &mut BTreeSet<i128>, max: i128) -> i128 {
        let mut n = match self.d.below(4) {
            0 | 1 => i128::from(self.d.below(24)),
            2 => i128::from(self.d.below(300)),
            _ => self.d.int_in(0, max),
        };
        while used.contains(&n) {
            n = if n >= max { 0 } else { n + 1 };
        }
        used.insert(n);
        n
    }

    /// Reserved lines that clash with no member number or name.
    fn reserved(
        &mut self,
        numbers: &BTreeSet<i128>,
        names: &BTreeSet<String>,
        max: i128,
        camel: bool,
    ) -> Vec<Reserved> {
        let mut lines = Vec::new();
        let mut taken: Vec<(i128, i128)> = Vec::new();
        let mut taken_names = names.clone();
        while lines.len() < 2 && self.d.chance(30) {
            let mut entries = Vec::new();
            for _ in 0..1 + self.d.below(3) {
                if self.d.chance(30) {
                    let mut scratch = taken_names.clone();
                    let name = if camel {
                        self.camel(&mut scratch)
                    } else {
                        self.snake(&mut scratch)
                    };
                    if taken_names.insert(name.clone()) {
                        entries.push(ReservedEntry::Name {
                            value: name,
                            span: zero(),
                        });
                    }
                    continue;
                }
                let lo = match self.d.below(3) {
                    0 | 1 => i128::from(self.d.below(40)),
                    _ => self.d.int_in(0, max),
                };
                let hi = (lo + i128::from(self.d.below(3)) * i128::from(self.d.below(10))).min(max);
                let clashes = numbers.range(lo..=hi).next().is_some()
                    || taken.iter().any(|&(a, b)| lo <= b && a <= hi);
                if clashes {
                    continue;
                }
                taken.push((lo, hi));
                let hex = self.d.chance(20);
                entries.push(if lo == hi && self.d.chance(70) {
                    ReservedEntry::Number(int_lit(lo, hex))
                } else {
                    ReservedEntry::Range(int_lit(lo, hex), int_lit(hi, hex))
                });
            }
            if !entries.is_empty() {
                lines.push(Reserved {
                    meta: Meta {
                        comments: self.comments(15),
                        trailing_comment: self.trailing(),
                        blank_before: self.d.chance(20),
                        ..Meta::default()
                    },
                    entries,
                    span: zero(),
                });
            }
        }
        lines
    }

    /// Members and reserved lines interleaved at random.
    fn block<M>(&mut self, members: Vec<M>, reserved: Vec<Reserved>) -> Block<M> {
        let mut entries: Vec<Entry<M>> = members.into_iter().map(Entry::Member).collect();
        for r in reserved {
            let at = self.d.below(entries.len() as u32 + 1) as usize;
            entries.insert(entries.len() - at, Entry::Reserved(r));
        }
        Block {
            open_comment: self.trailing(),
            entries,
            closing_comments: self.comments(15),
        }
    }

    fn max_depth(&mut self, required: bool) -> Option<Attribute> {
        (required || self.d.chance(10)).then(|| {
            let n = 1 + i128::from(self.d.below(64));
            Self::attribute("max_depth", Some(vec![Literal::Int(int_lit(n, false))]))
        })
    }

    fn message(&mut self, name: &str) -> (ItemKind, Vec<Attribute>) {
        let mut keys = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut fields = Vec::new();
        let mut recursive = false;
        for _ in 0..self.d.below(8) {
            let (ty, fits, self_ref) = self.type_expr(Some(name), 0);
            recursive |= self_ref.is_some();
            let mut attrs = Vec::new();
            let mut range = None;
            if let (Fits::Int(s), true) = (&fits, self.d.chance(25)) {
                let (attr, lo, hi) = self.range(*s);
                attrs.push(attr);
                range = Some((lo, hi));
            }
            let attrs = self.attributes(attrs);
            // A required field of the type itself could never end: make it optional.
            let (optional, default) = match (self_ref, self.d.below(3)) {
                (Some(true), _) | (_, 1) => (Some(zero()), None),
                (_, 2) => (None, self.default(&fits, range)),
                _ => (None, None),
            };
            let key = self.number(&mut keys, 65_535);
            let field_name = self.snake(&mut names);
            fields.push(Field {
                meta: self.meta(attrs, true),
                key: int_lit(key, self.d.chance(10)),
                name: ident(&field_name),
                optional,
                ty,
                default,
                span: zero(),
            });
        }
        let reserved = self.reserved(&keys, &names, 65_535, false);
        let attrs = self.max_depth(recursive).into_iter().collect();
        (ItemKind::Message(self.block(fields, reserved)), attrs)
    }

    fn union(&mut self, name: &str) -> (ItemKind, Vec<Attribute>) {
        let mut keys = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut variants = Vec::new();
        let mut recursive = false;
        let mut has_unit = false;
        for _ in 0..1 + self.d.below(6) {
            let ty = if self.d.chance(70) {
                let (t, _, self_ref) = self.type_expr(Some(name), 0);
                recursive |= self_ref.is_some();
                Some(t)
            } else {
                has_unit = true;
                None
            };
            variants.push(self.variant(&mut keys, &mut names, ty));
        }
        // A union that contains itself needs a variant that ends the recursion.
        if recursive && !has_unit {
            variants.push(self.variant(&mut keys, &mut names, None));
        }
        let reserved = self.reserved(&keys, &names, 65_535, false);
        let attrs = self.max_depth(recursive).into_iter().collect();
        (ItemKind::Union(self.block(variants, reserved)), attrs)
    }

    fn variant(
        &mut self,
        keys: &mut BTreeSet<i128>,
        names: &mut BTreeSet<String>,
        ty: Option<TypeExpr>,
    ) -> Variant {
        let key = self.number(keys, 65_535);
        let attrs = self.attributes(Vec::new());
        Variant {
            meta: self.meta(attrs, true),
            key: int_lit(key, self.d.chance(10)),
            name: ident(&self.snake(names)),
            ty,
            span: zero(),
        }
    }

    fn enumeration(&mut self) -> (ItemKind, Vec<String>) {
        let mut numbers = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut values = Vec::new();
        for _ in 0..1 + self.d.below(6) {
            let n = self.number(&mut numbers, u32::MAX.into());
            let attrs = self.attributes(Vec::new());
            values.push(EnumValue {
                meta: self.meta(attrs, true),
                name: ident(&self.camel(&mut names)),
                value: int_lit(n, self.d.chance(15)),
                span: zero(),
            });
        }
        let value_names = values.iter().map(|v| v.name.name.clone()).collect();
        let reserved = self.reserved(&numbers, &names, u32::MAX.into(), true);
        (ItemKind::Enum(self.block(values, reserved)), value_names)
    }

    fn alias(&mut self) -> (ItemKind, Vec<Attribute>) {
        let (target, fits, _) = self.type_expr(None, 0);
        let mut attrs = Vec::new();
        if let (Fits::Int(s), true) = (&fits, self.d.chance(40)) {
            attrs.push(self.range(*s).0);
        }
        (ItemKind::Alias(target), attrs)
    }

    fn item(&mut self) -> Item {
        let mut names = std::mem::take(&mut self.type_names);
        let name = self.camel(&mut names);
        self.type_names = names;
        let mut enum_values = Vec::new();
        let (kind, tag, attrs) = match self.d.below(4) {
            0 => {
                let (k, a) = self.message(&name);
                (k, Kind::Message, a)
            }
            1 => {
                let (k, v) = self.enumeration();
                enum_values = v;
                (k, Kind::Enum, Vec::new())
            }
            2 => {
                let (k, a) = self.union(&name);
                (k, Kind::Union, a)
            }
            _ => {
                let (k, a) = self.alias();
                (k, Kind::Alias, a)
            }
        };
        let attrs = self.attributes(attrs);
        self.known.push(Known {
            name: name.clone(),
            kind: tag,
            enum_values,
        });
        Item {
            meta: self.meta(attrs, true),
            name: ident(&name),
            kind,
            span: zero(),
        }
    }
}

fn unique(name: String, taken: &mut BTreeSet<String>, sep: &str) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}{sep}{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

fn int_bounds(s: Scalar) -> (i128, i128) {
    match s {
        Scalar::U8 => (0, u8::MAX.into()),
        Scalar::U16 => (0, u16::MAX.into()),
        Scalar::U32 => (0, u32::MAX.into()),
        Scalar::U64 => (0, u64::MAX.into()),
        Scalar::I8 => (i8::MIN.into(), i8::MAX.into()),
        Scalar::I16 => (i16::MIN.into(), i16::MAX.into()),
        Scalar::I32 => (i32::MIN.into(), i32::MAX.into()),
        _ => (i64::MIN.into(), i64::MAX.into()),
    }
}

/// A generated schema: its tree and the printer's text for it.
struct Generated {
    tree: SchemaFile,
    text: String,
    /// Seed for re-spacing the text.
    seed: u64,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seed {}, schema:\n{}", self.seed, self.text)
    }
}

fn generate(data: &[u32], seed: u64) -> Generated {
    let mut g = Gen {
        d: Draw { data, pos: 0 },
        package: String::new(),
        default_string: None,
        default_bytes: None,
        default_items: false,
        dep_prefix: None,
        known: Vec::new(),
        type_names: BTreeSet::new(),
    };
    let mut segments = vec!["gen".to_string(), "main".to_string()];
    if g.d.chance(30) {
        segments.push(g.d.pick(WORDS).to_string());
    }
    g.package = segments.join(".");
    let mut attrs = Vec::new();
    let mut default = |g: &mut Gen, name: &str, max: i128| {
        g.d.chance(50).then(|| {
            let v = g.bound(max);
            attrs.push(Gen::attribute(name, Some(vec![Literal::Int(v.clone())])));
            v.value as u32
        })
    };
    g.default_string = default(&mut g, "default_max_string", 16_777_216);
    g.default_bytes = default(&mut g, "default_max_bytes", 16_777_216);
    g.default_items = default(&mut g, "default_max_items", 65_535).is_some();
    if g.d.chance(10) {
        attrs.push(Gen::attribute("gen.generated", Some(vec![g.any_literal()])));
    }
    let version = g.d.chance(60).then(|| VersionLit {
        text: format!("{}.{}.{}", g.d.below(3), g.d.below(20), g.d.below(100)),
        span: zero(),
    });
    let package = PackageDecl {
        meta: g.meta(attrs, true),
        name: path(&g.package),
        version,
        span: zero(),
    };
    let mut imports = Vec::new();
    if g.d.chance(50) {
        let alias = g.d.chance(60);
        g.dep_prefix = Some(if alias { "dep" } else { "gen.dep" }.to_string());
        imports.push(Import {
            meta: g.meta(Vec::new(), true),
            path: "dep.iotp".to_string(),
            path_span: zero(),
            alias: alias.then(|| ident("dep")),
            span: zero(),
        });
    }
    let items = (0..g.d.below(7)).map(|_| g.item()).collect();
    let tree = SchemaFile {
        file: FileId(0),
        package: Some(package),
        imports,
        items,
        closing_comments: g.comments(20),
    };
    let text = print(&tree);
    Generated { tree, text, seed }
}

fn schemas() -> impl Strategy<Value = Generated> {
    (prop::collection::vec(any::<u32>(), 0..1500), any::<u64>())
        .prop_map(|(data, seed)| generate(&data, seed))
}

// ---- checks ------------------------------------------------------------------------------------

/// The tree's debug form with what printing does not keep zeroed: spans (and so `docs_span`), and the
/// empty-line flags, which the printer applies (or, right after `{`, drops) rather than copies.
fn shape(tree: &SchemaFile) -> String {
    let mut s = format!("{tree:#?}");
    for key in ["start: ", "end: "] {
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find(key) {
            out.push_str(&rest[..i + key.len()]);
            rest = rest[i + key.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
            out.push('0');
        }
        out.push_str(rest);
        s = out;
    }
    s.replace("blank_before: true", "blank_before: false")
        .replace("blank_after: true", "blank_after: false")
}

fn compile_ok(text: &str, what: &str) -> serde_json::Value {
    let c = compile_str(MAIN, text, &[("dep.iotp", DEP)]);
    assert!(
        !c.diagnostics.has_errors(),
        "{what} does not compile:\n{}\n--- schema ---\n{text}",
        render_plain(&c.sources, &c.diagnostics)
    );
    ir_without_positions(&c, what)
}

/// A tiny deterministic generator for re-spacing.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// `text` with the whitespace between tokens changed in every way that keeps its meaning for `fmt`:
/// spaces and tabs added or removed, lines broken between tokens, CRLF line ends, extra empty lines
/// where there already was one (or where the format drops them). A comment stays on its line, and no
/// empty line appears where there was none inside a block, since those are kept.
fn respace(text: &str, seed: u64) -> String {
    let mut rng = XorShift(seed | 1);
    let tokens = lex(FileId(0), text, &mut Diagnostics::new());
    let mut out = String::new();
    let mut last_end = 0;
    let mut prev: Option<TokenKind> = None;
    let spaces = ["", " ", "  ", "\t", " \t "];
    for tok in &tokens {
        let gap = &text[last_end..tok.span.start as usize];
        let newlines = gap.matches('\n').count();
        let edge = prev.is_none_or(|p| p == TokenKind::LBrace)
            || matches!(tok.kind, TokenKind::RBrace | TokenKind::Eof);
        let is_comment = matches!(tok.kind, TokenKind::Comment | TokenKind::DocComment);
        let lines = if newlines >= 2 || (newlines == 1 && edge) {
            newlines + rng.below(3) as usize
        } else if newlines == 0 && !is_comment && prev.is_some() && rng.below(4) == 0 {
            1
        } else {
            newlines
        };
        if lines == 0 {
            // Keep tokens apart that the original kept apart; a trailing comment stays trailing.
            let sep = rng.pick(&spaces[usize::from(!gap.is_empty())..]);
            out.push_str(sep);
        } else {
            for _ in 0..lines {
                out.push_str(rng.pick(&spaces));
                out.push_str(if rng.below(4) == 0 { "\r\n" } else { "\n" });
            }
            out.push_str(rng.pick(&spaces));
        }
        out.push_str(&text[tok.span.start as usize..tok.span.end as usize]);
        last_end = tok.span.end as usize;
        prev = Some(tok.kind);
    }
    out
}

proptest! {
    // 256 cases take about 2 s in a debug build; `PROPTEST_CASES=20000` for a longer hunt.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn printed_schemas_round_trip(g in schemas()) {
        // (a) The printer's text of a valid tree is a valid schema.
        let ir = compile_ok(&g.text, "the printed schema");

        // The text parses back to the tree that was printed.
        let parsed = parse_ok(MAIN, &g.text);
        let (want, got) = (shape(&g.tree), shape(&parsed));
        prop_assert!(want == got, "parse(print(tree)) != tree: {}", first_difference(&want, &got));

        // (c) fmt is idempotent, and (b) print → parse → same IR.
        let again = print(&parsed);
        prop_assert!(again == g.text, "fmt is not idempotent: {}", first_difference(&g.text, &again));
        prop_assert_eq!(&ir, &compile_ok(&again, "the re-printed schema"));

        // Any re-spacing of the text formats back to it, with every comment.
        let respaced = respace(&g.text, g.seed);
        let formatted = fmt(MAIN, &respaced);
        prop_assert!(
            formatted == g.text,
            "re-spaced text formats differently: {}\n--- re-spaced ---\n{respaced}",
            first_difference(&g.text, &formatted)
        );
        prop_assert_eq!(comments(&respaced), comments(&g.text));
        prop_assert_eq!(&ir, &compile_ok(&respaced, "the re-spaced schema"));
    }
}

/// The generator reaches every construct it is meant to exercise (guards against a strategy that
/// quietly degenerates to trivial schemas).
#[test]
fn generator_covers_the_language() {
    let mut seen = String::new();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for seed in 0..256u64 {
        let data: Vec<u32> = (0..1500)
            .map(|_| rng.below(u64::from(u32::MAX)) as u32)
            .collect();
        seen.push_str(&generate(&data, seed).text);
    }
    for needle in [
        "enum ",
        "union ",
        "message ",
        "type ",
        "optional ",
        " = \"",
        "array<",
        "bytes[",
        "bytes<",
        "string<",
        "@range(",
        "@max_depth(",
        "@deprecated",
        "reserved ",
        "..=",
        "0x",
        "///",
        "// ",
        "/*",
        "////",
        "import \"dep.iotp\"",
        "dep.",
        ": f32",
        ": i64",
        ": bool = ",
        "\\n",
        "{}",
        "@gen.note(",
    ] {
        assert!(
            seen.contains(needle),
            "no generated schema contains {needle:?}"
        );
    }
    let lines: Vec<&str> = seen.lines().map(str::trim_start).collect();
    let comment_after_attribute = lines
        .windows(2)
        .any(|w| w[0].starts_with('@') && (w[1].starts_with("//") || w[1].starts_with("/*")));
    assert!(
        comment_after_attribute,
        "no comment between attributes and an item"
    );
}

/// Not a test: prints a few generated schemas, to see what the strategy makes:
/// `cargo test --test roundtrip dump_samples -- --ignored --nocapture`.
#[test]
#[ignore]
fn dump_samples() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for seed in 0..4u64 {
        let data: Vec<u32> = (0..1500)
            .map(|_| rng.below(u64::from(u32::MAX)) as u32)
            .collect();
        eprintln!("=====\n{}", generate(&data, seed).text);
    }
}
