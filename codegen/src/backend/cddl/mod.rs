//! The CDDL backend: the wire format of every schema type as RFC 8610 CDDL (`iotp2p gen cddl`), so
//! that CDDL tools (validators, zcbor, cddl-rs) read iotp2p messages.
//!
//! One file per package, `<package>.cddl`. Rules are named by fully-qualified type names
//! (`iotp2p.core.SemVer`: CDDL names may contain dots), so the files of several packages never clash;
//! CDDL has no import, so a tool is given a package's file concatenated after the files of the
//! packages it imports (the header lists them, in dependency order). Nothing is a root: a reader
//! picks one by putting a rule such as `root = iotp2p.core.Envelope` first.
//!
//! The mapping (spec/04-wire-format.md §4.13):
//!
//! - integers are ranges (`0..255`, `@range` narrowed), `u64` is `uint`;
//! - `f32` is `float16-32` (a double where an `f32` is expected is rejected), `f64` is `float`;
//! - `string<N>` / `bytes<N>` are `tstr .size (0..N)` / `bstr .size (0..N)` (bytes of UTF-8, as the
//!   wire format counts), `bytes[N]` is `bstr .size N`, `array<T, N>` is `[0*N T]`; the element of
//!   an array of arrays is a rule of its own, `<Type>-<member>-level2` and so on (arrays nested
//!   inline take the `cddl` crate 0.10 time exponential in their depth to parse);
//! - a message is a map: `key: type` per field, `? ` for optional and defaulted fields with
//!   `.default`, and `* uint => any` for unknown fields (accepted, §4.15). The `:` implies a cut
//!   (RFC 8610 §3.5.4), so a known key whose value has the wrong type does not fall through to the
//!   wildcard. (A key type listing only the keys no field uses, `* (1..65535) => any`, would say
//!   the same without relying on the cut, but the `cddl` crate 0.10 rejects every map against a
//!   wildcard entry whose key is a range, even an empty map.)
//! - an enum is the choice of its named values, or any number from 0 to 2^32−1 (enums are open);
//! - a union is a choice of one-entry maps, a unit variant's value `null`, plus one map for an unknown
//!   variant keyed by the keys no variant uses (a rule `<Union>-unknown-key`: a cut does not cross
//!   the alternatives of a choice, so here the key type must exclude the known keys; the `cddl`
//!   crate 0.10 does not match such a map, see the tests);
//! - an alias is a rule; a use of it that a field's `@range` narrows is written out in full.
//!
//! What CDDL cannot say is listed in every file's header ([`LIMITATIONS`]): the deterministic encoding,
//! default values that must be absent, depth limits, the profile's rules for unknown content.
//!
//! The templates are `codegen/templates/cddl/package.cddl` and `type.cddl` (a type expression,
//! rendered recursively through [`TypeExpr`]'s `Display`).

use std::collections::BTreeSet;

use askama::Template;

use crate::backend::{Backend, GeneratedFile};
use crate::ir::{self, FloatType, IntType, Presence, Schema, Type, TypeKind};
use crate::model::Model;

/// What CDDL cannot express about the wire format: the header of every generated file says it, so
/// that nobody takes a match against the CDDL for a conformant decoder's verdict.
pub const LIMITATIONS: &[&str] = &[
    "the deterministic encoding (spec §4.2-§4.5): shortest heads, definite lengths, map keys in \
     ascending order, floats in their shortest exact form and the single NaN f97e00",
    "that a defaulted field equal to its default is absent (§4.8): `.default` only documents the \
     value",
    "nesting depth: MAX_DEPTH 16 for every item (§4.16) and each recursive type's @max_depth (§4.12)",
    "that map keys are at most 65535 (§4.8), and that unknown content (fields, variants) is itself \
     profile-conformant (§4.15): no tags, no simple values but false, true and null, map keys \
     unsigned from 0 to 65535 in every map, well-formed UTF-8",
];

/// A type expression, rendered by `templates/cddl/type.cddl`.
#[derive(Template)]
#[template(path = "cddl/type.cddl", escape = "none")]
pub struct TypeExpr {
    /// `bool`, `int`, `uint`, `f32`, `f64`, `string`, `bytes`, `fixed`, `array`, `ref`.
    kind: &'static str,
    /// Bounds of `int`.
    min: String,
    max: String,
    /// Length bound of strings, bytes and arrays.
    len: u32,
    /// Rule name of `ref`.
    name: String,
    /// Element of `array`.
    element: Option<Box<TypeExpr>>,
}

impl TypeExpr {
    fn new(kind: &'static str) -> Self {
        TypeExpr {
            kind,
            min: String::new(),
            max: String::new(),
            len: 0,
            name: String::new(),
            element: None,
        }
    }

    /// The expression of `ty`. A use of an alias names its rule, unless a field's `@range` narrowed
    /// it, in which case the narrowed target is written out. The element of an array that is itself
    /// an array becomes a rule of its own, named `<base>-level<N>` (pushed on `hoisted`): nested
    /// arrays written inline take the `cddl` crate time exponential in their depth to parse.
    fn of(schema: &Schema, ty: &Type, base: &Base<'_>, hoisted: &mut Vec<HoistedRule>) -> Self {
        match ty {
            Type::Bool => TypeExpr::new("bool"),
            Type::Int { int, range } => {
                let (min, max) = range.map_or(int.bounds(), |r| (r.min, r.max));
                if *int == IntType::U64 && (min, max) == int.bounds() {
                    return TypeExpr::new("uint");
                }
                TypeExpr {
                    min: min.to_string(),
                    max: max.to_string(),
                    ..TypeExpr::new("int")
                }
            }
            Type::Float {
                float: FloatType::F32,
            } => TypeExpr::new("f32"),
            Type::Float {
                float: FloatType::F64,
            } => TypeExpr::new("f64"),
            Type::String { max_len } => TypeExpr {
                len: *max_len,
                ..TypeExpr::new("string")
            },
            Type::Bytes { max_len } => TypeExpr {
                len: *max_len,
                ..TypeExpr::new("bytes")
            },
            Type::FixedBytes { len } => TypeExpr {
                len: *len,
                ..TypeExpr::new("fixed")
            },
            Type::Array { element, max_items } => {
                let element = if let Type::Array { .. } = element.as_ref() {
                    let inner = Base {
                        name: base.name,
                        level: base.level + 1,
                    };
                    let name = format!("{}-level{}", base.name, inner.level);
                    // The outermost rule first, then the rules of its elements.
                    let at = hoisted.len();
                    let expr = TypeExpr::of(schema, element, &inner, hoisted);
                    hoisted.insert(
                        at,
                        HoistedRule {
                            name: name.clone(),
                            expr,
                        },
                    );
                    TypeExpr {
                        name,
                        ..TypeExpr::new("ref")
                    }
                } else {
                    TypeExpr::of(schema, element, base, hoisted)
                };
                TypeExpr {
                    len: *max_items,
                    element: Some(Box::new(element)),
                    ..TypeExpr::new("array")
                }
            }
            Type::Message { name } | Type::Enum { name } | Type::Union { name } => TypeExpr {
                name: name.clone(),
                ..TypeExpr::new("ref")
            },
            Type::Alias { name, target } => {
                let declared = schema.find_type(name).and_then(|t| match &t.kind {
                    TypeKind::Alias { target } => Some(target),
                    _ => None,
                });
                if declared == Some(target.as_ref()) {
                    TypeExpr {
                        name: name.clone(),
                        ..TypeExpr::new("ref")
                    }
                } else {
                    TypeExpr::of(schema, target, base, hoisted)
                }
            }
        }
    }
}

/// What the rules made for nested arrays are named after: a member (`Type-member`), an alias or a
/// root rule; `level` is the array nesting so far (1 for the member's own array).
struct Base<'a> {
    name: &'a str,
    level: u32,
}

/// A rule made for the element of a nested array.
struct HoistedRule {
    name: String,
    expr: TypeExpr,
}

#[derive(Template)]
#[template(path = "cddl/root.cddl", escape = "none")]
struct RootTemplate {
    name: String,
    expr: TypeExpr,
    hoisted: Vec<HoistedRule>,
}

/// A rule `name = <ty>` (a named type, or a built-in type expression such as `array<u16, 4>`),
/// with the rules for its nested arrays: put first, before the package files, it makes `ty` the
/// root of the document.
pub fn root_rule(schema: &Schema, name: &str, ty: &Type) -> String {
    let mut hoisted = Vec::new();
    let expr = TypeExpr::of(schema, ty, &Base { name, level: 1 }, &mut hoisted);
    RootTemplate {
        name: name.to_string(),
        expr,
        hoisted,
    }
    .render()
    .expect("the CDDL root template renders")
}

#[derive(Template)]
#[template(path = "cddl/package.cddl", escape = "none")]
struct PackageTemplate<'a> {
    generator: &'static str,
    source: &'a str,
    package: &'a str,
    version: String,
    doc: Vec<String>,
    depends: Vec<String>,
    limitations: &'static [&'static str],
    rules: Vec<RuleView>,
}

struct RuleView {
    /// `message`, `enum`, `union`, `alias`.
    kind: &'static str,
    name: String,
    doc: Vec<String>,
    deprecated: Option<String>,
    max_depth: Option<u32>,
    entries: Vec<EntryView>,
    /// Keys (0 to 65535) that no variant uses, as inclusive ranges (unions only).
    unknown_keys: Vec<(u32, u32)>,
    target: Option<TypeExpr>,
    /// Rules for the elements of nested arrays.
    hoisted: Vec<HoistedRule>,
}

/// A field, variant or enum value.
struct EntryView {
    name: String,
    key: u32,
    doc: Vec<String>,
    deprecated: Option<String>,
    optional: bool,
    /// `None` for a unit variant or an enum value.
    ty: Option<TypeExpr>,
    /// The default value in CDDL, for a defaulted field (unless CDDL cannot write it).
    default: Option<String>,
    /// The default value for the comment, for a defaulted field.
    default_text: Option<String>,
}

fn doc_lines(doc: &str) -> Vec<String> {
    if doc.trim().is_empty() {
        return Vec::new();
    }
    doc.lines().map(|l| l.trim_end().to_string()).collect()
}

fn deprecation(d: &Option<ir::Deprecation>) -> Option<String> {
    d.as_ref().map(|d| d.note.clone().unwrap_or_default())
}

/// A default value as a CDDL value (an enum by its number, a float always with a fraction or an
/// exponent so that it reads as a float); `None` for a NaN or an infinity, which CDDL cannot write.
fn default_value(v: &ir::Value) -> Option<String> {
    Some(match v {
        ir::Value::Bool(b) => b.to_string(),
        ir::Value::Int(i) => i.to_string(),
        ir::Value::Float(f) if !f.is_finite() => return None,
        ir::Value::Float(f) => {
            let s = format!("{f:?}");
            if s.contains(['.', 'e', 'E']) {
                s
            } else {
                format!("{s}.0")
            }
        }
        ir::Value::String(s) => serde_json::to_string(s).expect("a string serialises"),
        ir::Value::Enum { value, .. } => value.to_string(),
    })
}

/// A default value as the comment of its field shows it.
fn default_text(v: &ir::Value) -> String {
    match v {
        ir::Value::Float(f) if f.is_nan() => "NaN".into(),
        ir::Value::Float(f) if f.is_infinite() => {
            if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
        }
        ir::Value::Enum { name, .. } => name.clone(),
        other => default_value(other).unwrap_or_default(),
    }
}

/// The keys from 0 to 65535 that `used` leaves free, as inclusive ranges.
fn free_keys(used: impl IntoIterator<Item = u32>) -> Vec<(u32, u32)> {
    let used: BTreeSet<u32> = used.into_iter().filter(|k| *k <= 65535).collect();
    let mut out = Vec::new();
    let mut next = 0u32;
    for k in used {
        if k > next {
            out.push((next, k - 1));
        }
        next = k + 1;
    }
    if next <= 65535 {
        out.push((next, 65535));
    }
    out
}

fn rule_view(schema: &Schema, t: &ir::TypeDef) -> RuleView {
    let mut rule = RuleView {
        kind: "alias",
        name: t.full_name.clone(),
        doc: doc_lines(&t.doc),
        deprecated: deprecation(&t.deprecated),
        max_depth: None,
        entries: Vec::new(),
        unknown_keys: Vec::new(),
        target: None,
        hoisted: Vec::new(),
    };
    let mut hoisted = Vec::new();
    match &t.kind {
        TypeKind::Message {
            fields, max_depth, ..
        } => {
            let mut fields: Vec<&ir::Field> = fields.iter().collect();
            fields.sort_by_key(|f| f.key);
            rule.kind = "message";
            rule.max_depth = *max_depth;
            rule.entries = fields
                .iter()
                .map(|f| EntryView {
                    name: f.name.clone(),
                    key: f.key,
                    doc: doc_lines(&f.doc),
                    deprecated: deprecation(&f.deprecated),
                    optional: f.presence != Presence::Required,
                    ty: Some(TypeExpr::of(
                        schema,
                        &f.ty,
                        &Base {
                            name: &format!("{}-{}", t.full_name, f.name),
                            level: 1,
                        },
                        &mut hoisted,
                    )),
                    default: match &f.presence {
                        Presence::Default(v) => default_value(v),
                        _ => None,
                    },
                    default_text: match &f.presence {
                        Presence::Default(v) => Some(default_text(v)),
                        _ => None,
                    },
                })
                .collect();
        }
        TypeKind::Enum { values, .. } => {
            rule.kind = "enum";
            rule.entries = values
                .iter()
                .map(|v| EntryView {
                    name: v.name.clone(),
                    key: v.value,
                    doc: doc_lines(&v.doc),
                    deprecated: deprecation(&v.deprecated),
                    optional: false,
                    ty: None,
                    default: None,
                    default_text: None,
                })
                .collect();
        }
        TypeKind::Union {
            variants,
            max_depth,
            ..
        } => {
            let mut variants: Vec<&ir::Variant> = variants.iter().collect();
            variants.sort_by_key(|v| v.key);
            rule.kind = "union";
            rule.max_depth = *max_depth;
            rule.unknown_keys = free_keys(variants.iter().map(|v| v.key));
            rule.entries = variants
                .iter()
                .map(|v| EntryView {
                    name: v.name.clone(),
                    key: v.key,
                    doc: doc_lines(&v.doc),
                    deprecated: deprecation(&v.deprecated),
                    optional: false,
                    ty: v.ty.as_ref().map(|ty| {
                        TypeExpr::of(
                            schema,
                            ty,
                            &Base {
                                name: &format!("{}-{}", t.full_name, v.name),
                                level: 1,
                            },
                            &mut hoisted,
                        )
                    }),
                    default: None,
                    default_text: None,
                })
                .collect();
        }
        TypeKind::Alias { target } => {
            rule.target = Some(TypeExpr::of(
                schema,
                target,
                &Base {
                    name: &t.full_name,
                    level: 1,
                },
                &mut hoisted,
            ));
        }
    }
    rule.hoisted = hoisted;
    rule
}

/// The packages `package` imports, directly or not, in dependency order.
fn dependencies(schema: &Schema, package: &ir::Package) -> Vec<String> {
    let mut needed: BTreeSet<&str> = package.imports.iter().map(String::as_str).collect();
    // Packages come in dependency order, so one backward pass closes the set.
    for p in schema.packages.iter().rev() {
        if needed.contains(p.name.as_str()) {
            needed.extend(p.imports.iter().map(String::as_str));
        }
    }
    schema
        .packages
        .iter()
        .filter(|p| needed.contains(p.name.as_str()))
        .map(|p| file_name(&p.name))
        .collect()
}

/// The file of a package: `iotp2p.core.cddl`.
pub fn file_name(package: &str) -> String {
    format!("{package}.cddl")
}

/// One CDDL file per package of `schema`, in dependency order.
pub fn generate(schema: &Schema) -> Vec<GeneratedFile> {
    schema
        .packages
        .iter()
        .map(|p| {
            let template = PackageTemplate {
                generator: env!("CARGO_PKG_VERSION"),
                source: &p.location.file,
                package: &p.name,
                version: p.version.map(|v| v.to_string()).unwrap_or_default(),
                doc: doc_lines(&p.doc),
                depends: dependencies(schema, p),
                limitations: LIMITATIONS,
                rules: p.types.iter().map(|t| rule_view(schema, t)).collect(),
            };
            GeneratedFile {
                name: file_name(&p.name),
                contents: template.render().expect("the CDDL template renders"),
            }
        })
        .collect()
}

/// The CDDL backend over a model: one `.cddl` file per package (see [`generate`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Cddl;

impl Backend for Cddl {
    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile> {
        generate(model.schema())
    }
}
