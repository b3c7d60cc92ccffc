//! The facts the C templates render, per package and per type: C names, literals of bounds and
//! defaults, and the nesting of array values, computed from the model. No C statement is built here:
//! `templates/c/` lays out every declaration, decoder and encoder.

use std::collections::HashSet;

use super::{names, Form, Strings};
use crate::ir::{self, FloatType, IntType};
use crate::model::{Kind, Model, Shape, TypeModel};

/// Doc comment lines (the template wraps them in `/** ... */`); a `*/` inside a line is broken up.
pub(crate) fn doc_lines(doc: &str) -> Vec<String> {
    if doc.trim().is_empty() {
        return Vec::new();
    }
    doc.lines()
        .map(|l| l.trim_end().replace("*/", "* /"))
        .collect()
}

/// Docs with a deprecation note appended.
fn docs_of(doc: &str, deprecated: &Option<ir::Deprecation>) -> Vec<String> {
    let mut lines = doc_lines(doc);
    if let Some(d) = deprecated {
        lines.push(match &d.note {
            Some(note) => format!("Deprecated: {}", note.replace("*/", "* /")),
            None => "Deprecated.".to_string(),
        });
    }
    lines
}

/// One package: the files `<stem>.h` and `<stem>.c`.
pub(crate) struct PackageView {
    pub package: String,
    pub source: String,
    pub stem: String,
    pub guard: String,
    pub docs: Vec<String>,
    /// Headers of the imported packages.
    pub includes: Vec<String>,
    pub enums: Vec<EnumView>,
    /// Messages and unions, each after the types it holds inline.
    pub records: Vec<RecordView>,
    /// Every message, union and enum by its full name, in source order (`<package>_transcode`).
    pub named: Vec<NamedView>,
    /// The macro of how many names `<package>_type_names` holds.
    pub type_count: String,
    /// Whether messages keep their unknown fields (`unknown_fields`, merged back when encoded);
    /// else a decoder checks and skips them (`C::drop_unknown_fields`).
    pub keep_unknown: bool,
    /// Whether strings and bytes are copied into fixed buffers of the struct (`Strings::Copy`)
    /// rather than pointing into the input.
    pub copy_strings: bool,
    /// Whether a table holds copied strings (`IOTP_FF_COPY`): the runtime must be built with
    /// `IOTP_COPIED_STRINGS` to read them.
    pub table_copies: bool,
}

/// A message, union or enum as `<package>_transcode` finds it by name.
pub(crate) struct NamedView {
    /// The fully-qualified schema name.
    pub full_name: String,
    /// The C type (and function prefix).
    pub ctype: String,
    /// Its member of `<package>_any` (enums share `number`).
    pub member: String,
    pub is_enum: bool,
}

/// An enum: a typedef of `uint32_t` (enums are open) and one constant per value.
pub(crate) struct EnumView {
    pub docs: Vec<String>,
    pub ctype: String,
    pub size_macro: String,
    pub max_size: u64,
    pub values: Vec<ConstView>,
}

/// A named number: an enum value or a union variant's key.
pub(crate) struct ConstView {
    pub docs: Vec<String>,
    pub name: String,
    pub value: u32,
}

/// A message or a union.
pub(crate) struct RecordView {
    pub docs: Vec<String>,
    pub ctype: String,
    pub size_macro: String,
    pub max_size: u64,
    pub is_union: bool,
    /// The keys the type defines, ascending, as the initialiser of a `uint32_t` array.
    pub keys: String,
    pub key_count: usize,
    /// A message's fields in source order (the struct's layout).
    pub fields: Vec<FieldView>,
    /// The same fields in ascending key order (decoder and encoder).
    pub wire: Vec<FieldView>,
    /// How many fields are required (always counted in the map's entries).
    pub required_count: usize,
    /// A union's variants, ascending by key.
    pub variants: Vec<VariantView>,
    /// Whether some variant has a payload (the struct then has the `as` union).
    pub has_payloads: bool,
    /// For a type on a recursive cycle: the cycle's `@max_depth` budget, and whether entering the
    /// type spends one unit of it.
    pub cycle: Option<(u32, bool)>,
    /// The types of the cycle whose values this type keeps encoded (checked by their
    /// `_check_encoded` function before they are written).
    pub lazy_types: Vec<String>,
    /// Whether the runtime's table-driven codec reads and writes the type (its `_record` table and
    /// thin `_decode_from`/`_encode_to`), rather than code generated for it.
    pub table: bool,
    /// The table's entries: a message's fields in ascending key order, or a union's variants.
    pub entries: Vec<EntryView>,
    /// For a message whose source order differs from its key order: the source order, as indexes
    /// into `entries` (a decoder reports the first missing field in source order).
    pub source_order: Option<Vec<usize>>,
}

/// One entry of a table-driven record: a field or a variant, as `iotp_field` describes it.
pub(crate) struct EntryView {
    pub key: u32,
    pub label: String,
    /// A C identifier unique in the record (the member's name), for the entry's `iotp_scalar`.
    pub ident: String,
    /// The suffix of its `iotp_field_kind` (`BOOL`, `U8`, ..., `RECORD`, `UNIT`).
    pub kind: &'static str,
    /// For `RECORD`: the C type whose `_record` describes the value.
    pub record: Option<String>,
    /// The member's designator for `offsetof` (`names`, `as.status`); `None` for a unit variant.
    pub member: Option<String>,
    /// For an array: the designator of its count, and its bound.
    pub count: Option<String>,
    pub max_items: u32,
    /// Largest length of text and bytes, the length of fixed bytes, else 0.
    pub len: u32,
    /// The suffix of its presence flag (`REQUIRED`, `OPTIONAL`, `DEFAULT`; variants `REQUIRED`).
    pub presence: &'static str,
    /// For an optional field: the designator of its `has_` flag.
    pub has: Option<String>,
    /// A narrowed integer range or a default, as the entry's `iotp_scalar`.
    pub scalar: Option<ScalarView>,
    /// Text or bytes copied into the struct (`IOTP_FF_COPY`).
    pub copy: bool,
}

/// An `iotp_scalar`: an integer's range and a default, as C constant expressions of their bits.
pub(crate) struct ScalarView {
    /// Whether min, max and a numeric default are signed (converted through `int64_t`).
    pub signed: bool,
    pub min: String,
    pub max: String,
    /// The default's literal (a number, `true`, an enum constant, a float's bits), or for text the
    /// length of `text`.
    pub dflt: String,
    /// A text default's string literal.
    pub text: Option<String>,
}

/// One message field.
#[derive(Clone)]
pub(crate) struct FieldView {
    pub docs: Vec<String>,
    pub member: String,
    pub key: u32,
    pub label: String,
    /// `required`, `optional` or `default`.
    pub presence: &'static str,
    pub default: Option<DefaultView>,
    pub value: ValueView,
}

/// A union variant.
pub(crate) struct VariantView {
    pub docs: Vec<String>,
    pub member: String,
    pub constant: String,
    pub key: u32,
    pub label: String,
    /// `None` for a unit variant (encoded as null).
    pub value: Option<ValueView>,
}

/// A field's default value, and how the templates compare with it.
#[derive(Clone)]
pub(crate) struct DefaultView {
    /// `plain` (`==` on the literal), `text` (bytes, of an `iotp_text`), `chars` (bytes, of a copied
    /// text's buffer), `f32` or `f64` (bit patterns).
    pub compare: &'static str,
    /// The C literal: a number, `true`, an enum constant, a string literal, or a float's bits.
    pub literal: String,
    /// For text: the literal's length in bytes.
    pub len: usize,
    /// The value a decoder stores when the field is absent (for text, the string literal).
    pub value: String,
}

/// A value's place in the struct and how to read and write it: zero or more array levels around a
/// leaf.
#[derive(Clone)]
pub(crate) struct ValueView {
    /// The declaration: `decl_type member decl_dims;`.
    pub decl_type: String,
    pub decl_dims: String,
    /// Array levels, outermost first.
    pub levels: Vec<LevelView>,
    pub leaf: LeafView,
    /// The leaf's indentation inside the levels' loops.
    pub leaf_pad: String,
    /// Whether the struct has an item count for this value (`<member>_count`).
    pub has_count: bool,
    /// Whether decoding it declares variables (index, depth, a value to check): a block then.
    pub declares: bool,
    /// For a value that refers back into its type's recursive cycle: kept encoded (validated).
    pub lazy: Option<LazyView>,
}

/// A value of a type on the owner's recursive cycle (or an array of them), kept as its validated
/// encoding: a struct cannot hold itself. The application decodes it when it needs it.
#[derive(Clone)]
pub(crate) struct LazyView {
    /// The C type (and function prefix) of the values.
    pub ctype: String,
    /// For an array, its bound; `None` for one value.
    pub max: Option<u32>,
    /// The path of the bytes and, for an array, of its item count.
    pub path: String,
    pub count: String,
    /// The levels the value (or the array) may use.
    pub depth: String,
}

/// One array level of a value.
#[derive(Clone)]
pub(crate) struct LevelView {
    pub max: u32,
    /// The item count, as a path from the struct pointer (`names_count`, `rows[i0].count`).
    pub count: String,
    /// The index variable.
    pub index: String,
    /// The level's indentation inside the outer levels' loops.
    pub pad: String,
    /// The levels the array may use (a variable or member), and the variable that receives what
    /// its items may use.
    pub depth_in: String,
    pub depth_out: String,
}

/// A scalar, string or record at the innermost level.
#[derive(Clone)]
pub(crate) struct LeafView {
    /// `bool`, `uint`, `int`, `float`, `text`, `bytes`, `fixed`, `enum` or `record`.
    pub kind: &'static str,
    /// The path from the struct pointer (`level`, `names[i0]`, `as.status`).
    pub path: String,
    /// Text or bytes copied into the struct's buffer `data` (`Strings::Copy`) rather than pointed
    /// at by `ptr`.
    pub copy: bool,
    /// The runtime's reader (`iotp_read_u8`) or, for records, the type's prefix.
    pub read_fn: String,
    /// The runtime's writer for scalars (`iotp_write_uint`).
    pub write_fn: String,
    /// Range of an integer, as the reader's arguments.
    pub min: String,
    pub max: String,
    /// Bounds an encoder checks: the lower and upper end of a narrowed range.
    pub below: Option<String>,
    pub above: Option<String>,
    /// Largest length of text and bytes, exact length of fixed-size bytes.
    pub len: u32,
    /// The levels a record may use.
    pub depth: String,
    /// Whether an encoder checks the leaf (a length, a narrowed range).
    pub checked: bool,
}

/// Whether the model holds something the C backend does not generate yet: arrays of arrays that
/// reach back into their type's recursive cycle. Returns a message naming them.
pub fn unsupported(model: &Model<'_>) -> Option<String> {
    let nested = |shape: &Shape<'_>| {
        matches!(shape, Shape::Array { element, .. }
            if matches!(**element, Shape::Array { .. }) && element.reaches_cycle())
    };
    let mut found = Vec::new();
    for t in model.packages().iter().flat_map(|p| &p.types) {
        match &t.kind {
            Kind::Message(m) => found.extend(
                m.fields
                    .iter()
                    .filter(|f| nested(&f.shape))
                    .map(|f| f.label.clone()),
            ),
            Kind::Union(u) => found.extend(
                u.variants
                    .iter()
                    .filter(|v| v.payload.as_ref().is_some_and(nested))
                    .map(|v| v.label.clone()),
            ),
            _ => {}
        }
    }
    (!found.is_empty()).then(|| {
        format!(
            "the C backend does not generate arrays of arrays of recursive types yet: {}",
            found.join(", ")
        )
    })
}

pub(crate) fn package_view(
    model: &Model<'_>,
    index: usize,
    form: Form,
    keep_unknown: bool,
    strings: Strings,
) -> PackageView {
    let copy = strings == Strings::Copy;
    let p = &model.packages()[index];
    let stem = names::package(&p.ir.name);
    let mut enums = Vec::new();
    for t in &p.types {
        if let Kind::Enum(e) = &t.kind {
            enums.push(EnumView {
                docs: docs_of(&t.def.doc, &t.def.deprecated),
                ctype: names::type_name(&t.def.full_name),
                size_macro: format!("{}_MAX_ENCODED_SIZE", names::macro_name(&t.def.full_name)),
                max_size: t.max_encoded_size,
                values: e
                    .values
                    .iter()
                    .map(|v| ConstView {
                        docs: docs_of(&v.doc, &v.deprecated),
                        name: names::constant(&t.def.full_name, &v.name),
                        value: v.value,
                    })
                    .collect(),
            });
        }
    }
    let tables = match form {
        Form::Tables => table_records(model),
        Form::Code => HashSet::new(),
    };
    let records: Vec<RecordView> = definition_order(&p.types)
        .into_iter()
        .map(|t| record_view(model, t, &tables, copy))
        .collect();
    let named = p
        .types
        .iter()
        .filter(|t| !matches!(t.kind, Kind::Alias(_)))
        .map(|t| NamedView {
            full_name: t.def.full_name.clone(),
            ctype: names::type_name(&t.def.full_name),
            member: names::member(&names::snake(&t.def.name)),
            is_enum: matches!(t.kind, Kind::Enum(_)),
        })
        .collect();
    PackageView {
        keep_unknown,
        copy_strings: copy,
        table_copies: records.iter().any(|r| r.entries.iter().any(|e| e.copy)),
        named,
        package: p.ir.name.clone(),
        source: p.ir.location.file.clone(),
        guard: format!("{}_H", stem.to_ascii_uppercase()),
        type_count: format!("{}_TYPE_COUNT", stem.to_ascii_uppercase()),
        docs: doc_lines(&p.ir.doc),
        includes: p
            .ir
            .imports
            .iter()
            .map(|i| format!("{}.h", names::package(i)))
            .collect(),
        stem,
        enums,
        records,
    }
}

/// The messages and unions of a package, each after the ones of the package it holds inline (C
/// needs a struct's members complete): a depth-first walk in source order.
fn definition_order<'m, 's>(types: &'m [TypeModel<'s>]) -> Vec<&'m TypeModel<'s>> {
    // Values on the owner's own cycle are kept encoded: they need no complete struct.
    fn records_in<'s>(shape: &Shape<'s>, out: &mut Vec<&'s str>) {
        match shape {
            _ if shape.reaches_cycle() => {}
            Shape::Record { name, .. } => out.push(name),
            Shape::Array { element, .. } => records_in(element, out),
            _ => {}
        }
    }
    fn held<'s>(t: &TypeModel<'s>) -> Vec<&'s str> {
        let mut out = Vec::new();
        match &t.kind {
            Kind::Message(m) => m.fields.iter().for_each(|f| records_in(&f.shape, &mut out)),
            Kind::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| v.payload.as_ref())
                .for_each(|s| records_in(s, &mut out)),
            _ => {}
        }
        out
    }
    let is_record = |t: &TypeModel<'_>| matches!(t.kind, Kind::Message(_) | Kind::Union(_));
    let mut placed: HashSet<&str> = HashSet::new();
    let mut order = Vec::new();
    for root in types.iter().filter(|t| is_record(t)) {
        // An explicit stack: (type, whether its dependencies have been pushed).
        let mut stack = vec![(root, false)];
        while let Some((t, expanded)) = stack.pop() {
            if placed.contains(t.def.full_name.as_str()) {
                continue;
            }
            if expanded {
                placed.insert(t.def.full_name.as_str());
                order.push(t);
                continue;
            }
            stack.push((t, true));
            for name in held(t).into_iter().rev() {
                if let Some(dep) = types.iter().find(|d| d.def.full_name == name) {
                    if !placed.contains(name) {
                        stack.push((dep, false));
                    }
                }
            }
        }
    }
    order
}

fn record_view(
    model: &Model<'_>,
    t: &TypeModel<'_>,
    tables: &HashSet<String>,
    copy: bool,
) -> RecordView {
    let full = &t.def.full_name;
    let mut view = RecordView {
        docs: docs_of(&t.def.doc, &t.def.deprecated),
        ctype: names::type_name(full),
        size_macro: format!("{}_MAX_ENCODED_SIZE", names::macro_name(full)),
        max_size: t.max_encoded_size,
        is_union: false,
        keys: String::new(),
        key_count: 0,
        fields: Vec::new(),
        wire: Vec::new(),
        required_count: 0,
        variants: Vec::new(),
        has_payloads: false,
        cycle: t.recursion.map(|r| (r.budget, r.counts_depth)),
        lazy_types: Vec::new(),
        table: tables.contains(full.as_str()),
        entries: Vec::new(),
        source_order: None,
    };
    let keys_of = |keys: &[u32]| {
        keys.iter()
            .map(|k| format!("{k}u"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &t.kind {
        Kind::Message(m) => {
            view.keys = keys_of(&m.known_keys);
            view.key_count = m.known_keys.len();
            view.fields = m
                .fields
                .iter()
                .map(|f| {
                    let member = names::member(&f.ir.name);
                    let mut docs = docs_of(&f.ir.doc, &f.ir.deprecated);
                    if f.shape.reaches_cycle() {
                        docs.push(lazy_note(&f.shape));
                    }
                    FieldView {
                        docs,
                        key: f.ir.key,
                        label: f.label.clone(),
                        presence: match f.ir.presence {
                            ir::Presence::Required => "required",
                            ir::Presence::Optional => "optional",
                            ir::Presence::Default(_) => "default",
                        },
                        default: f.default().map(|d| default_view(model, &f.shape, d, copy)),
                        value: value_view(
                            &f.shape,
                            &member,
                            &format!("{member}_count"),
                            "m.depth",
                            copy,
                        ),
                        member,
                    }
                })
                .collect();
            view.wire = m
                .wire_order
                .iter()
                .map(|&i| view.fields[i].clone())
                .collect();
            view.required_count = m.fields.iter().filter(|f| f.is_required()).count();
            if view.table {
                view.entries = m
                    .fields_in_wire_order()
                    .map(|f| {
                        let member = names::member(&f.ir.name);
                        let presence = match f.ir.presence {
                            ir::Presence::Required => "REQUIRED",
                            ir::Presence::Optional => "OPTIONAL",
                            ir::Presence::Default(_) => "DEFAULT",
                        };
                        let mut e = entry_view(
                            model,
                            f.ir.key,
                            &f.label,
                            &f.shape,
                            member.clone(),
                            f.default(),
                            copy,
                        );
                        e.presence = presence;
                        e.has = (presence == "OPTIONAL").then(|| format!("has_{member}"));
                        e
                    })
                    .collect();
                // wire_order[k] is the source index of the k-th entry; invert it.
                let mut order = vec![0; m.wire_order.len()];
                for (k, &i) in m.wire_order.iter().enumerate() {
                    order[i] = k;
                }
                view.source_order = order
                    .iter()
                    .enumerate()
                    .any(|(i, &k)| i != k)
                    .then_some(order);
            }
        }
        Kind::Union(u) => {
            view.is_union = true;
            view.keys = keys_of(&u.known_keys);
            view.key_count = u.known_keys.len();
            view.variants = u
                .variants_by_key()
                .into_iter()
                .map(|v| VariantView {
                    docs: {
                        let mut docs = docs_of(&v.ir.doc, &v.ir.deprecated);
                        if let Some(shape) = v.payload.as_ref().filter(|s| s.reaches_cycle()) {
                            docs.push(lazy_note(shape));
                        }
                        docs
                    },
                    constant: names::constant(full, &v.ir.name),
                    key: v.ir.key,
                    label: v.label.clone(),
                    // A union's array counts lie beside `as`, not in it.
                    value: v.payload.as_ref().map(|s| {
                        let member = names::member(&v.ir.name);
                        value_view(
                            s,
                            &format!("as.{member}"),
                            &format!("{member}_count"),
                            "inner",
                            copy,
                        )
                    }),
                    member: names::member(&v.ir.name),
                })
                .collect();
            view.has_payloads = view.variants.iter().any(|v| v.value.is_some());
            if view.table {
                view.entries = u
                    .variants_by_key()
                    .into_iter()
                    .map(|v| {
                        let member = names::member(&v.ir.name);
                        match &v.payload {
                            Some(shape) => entry_view(
                                model,
                                v.ir.key,
                                &v.label,
                                shape,
                                format!("as.{member}"),
                                None,
                                copy,
                            ),
                            None => EntryView {
                                key: v.ir.key,
                                label: v.label.clone(),
                                ident: member,
                                kind: "UNIT",
                                record: None,
                                member: None,
                                count: None,
                                max_items: 0,
                                len: 0,
                                presence: "REQUIRED",
                                has: None,
                                scalar: None,
                                copy: false,
                            },
                        }
                    })
                    .collect();
            }
        }
        _ => unreachable!("only messages and unions are records"),
    }
    let values = view
        .fields
        .iter()
        .map(|f| &f.value)
        .chain(view.variants.iter().filter_map(|v| v.value.as_ref()));
    for lazy in values.filter_map(|v| v.lazy.as_ref()) {
        if !view.lazy_types.contains(&lazy.ctype) {
            view.lazy_types.push(lazy.ctype.clone());
        }
    }
    view
}

/// The doc line of a value kept encoded: how the application reads it.
fn lazy_note(shape: &Shape<'_>) -> String {
    match shape {
        Shape::Array { element, .. } => match &**element {
            Shape::Record { name, .. } => format!(
                "Kept encoded (the items, checked): read them with `{}_decode_from`.",
                names::type_name(name)
            ),
            _ => String::new(),
        },
        Shape::Record { name, .. } => format!(
            "Kept encoded (checked): read it with `{}_decode`.",
            names::type_name(name)
        ),
        _ => String::new(),
    }
}

/// The C type of a leaf shape (not an array). Copied strings and bytes are a length and a buffer
/// of the schema's bound (a text's with room for a NUL after it, so that it is a C string too).
fn leaf_type(shape: &Shape<'_>, copy: bool) -> String {
    match shape {
        Shape::Text { max_len } if copy => {
            format!("struct {{ size_t len; char data[{}]; }}", max_len + 1)
        }
        Shape::Bytes { max_len: len } | Shape::FixedBytes { len } if copy => {
            format!("struct {{ size_t len; uint8_t data[{len}]; }}")
        }
        Shape::Bool => "bool".into(),
        Shape::Int { int, .. } => int_type(*int).into(),
        Shape::Float(FloatType::F32) => "float".into(),
        Shape::Float(FloatType::F64) => "double".into(),
        Shape::Text { .. } => "iotp_text".into(),
        Shape::Bytes { .. } | Shape::FixedBytes { .. } => "iotp_bytes".into(),
        Shape::Enum { name } | Shape::Record { name, .. } => names::type_name(name),
        Shape::Array { .. } => unreachable!("arrays are levels"),
    }
}

fn int_type(int: IntType) -> &'static str {
    match int {
        IntType::U8 => "uint8_t",
        IntType::U16 => "uint16_t",
        IntType::U32 => "uint32_t",
        IntType::U64 => "uint64_t",
        IntType::I8 => "int8_t",
        IntType::I16 => "int16_t",
        IntType::I32 => "int32_t",
        IntType::I64 => "int64_t",
    }
}

/// An integer constant of type `int`, written so that it has that type's width on any target:
/// the `<stdint.h>` limits at the type's ends, `UINT32_C(...)` and the like for the wide types.
fn int_literal(int: IntType, v: i128) -> String {
    let (lo, hi) = int.bounds();
    let stdint = int_type(int).trim_end_matches("_t").to_ascii_uppercase();
    match int {
        _ if v == hi => format!("{stdint}_MAX"),
        _ if v == lo && lo != 0 => format!("{stdint}_MIN"),
        _ if v == 0 => "0".into(),
        IntType::U8 | IntType::U16 | IntType::I8 | IntType::I16 => v.to_string(),
        _ => format!("{stdint}_C({v})"),
    }
}

/// Escapes text as the contents of a C string literal: printable ASCII as it is, everything else
/// (and `"`, `\`, `?` against trigraphs) as three-digit octal escapes, which never run on into the
/// next character.
fn c_string(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'"' | b'\\' | b'?' => out.push_str(&format!("\\{:03o}", b)),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{:03o}", b)),
        }
    }
    format!("\"{out}\"")
}

fn default_view(
    model: &Model<'_>,
    shape: &Shape<'_>,
    value: &ir::Value,
    copy: bool,
) -> DefaultView {
    let plain = |literal: String| DefaultView {
        compare: "plain",
        value: literal.clone(),
        literal,
        len: 0,
    };
    match (shape, value) {
        (_, ir::Value::Bool(b)) => plain(b.to_string()),
        (Shape::Int { int, .. }, ir::Value::Int(i)) => plain(int_literal(*int, *i)),
        (Shape::Float(float), v) => {
            let f = match v {
                ir::Value::Float(f) => *f,
                ir::Value::Int(i) => *i as f64,
                _ => 0.0,
            };
            match float {
                FloatType::F32 => DefaultView {
                    compare: "f32",
                    literal: format!("UINT32_C(0x{:08x})", (f as f32).to_bits()),
                    len: 0,
                    value: format!("{:?}f", f as f32),
                },
                FloatType::F64 => DefaultView {
                    compare: "f64",
                    literal: format!("UINT64_C(0x{:016x})", f.to_bits()),
                    len: 0,
                    value: format!("{f:?}"),
                },
            }
        }
        (_, ir::Value::String(s)) => DefaultView {
            compare: if copy { "chars" } else { "text" },
            literal: c_string(s),
            value: c_string(s),
            len: s.len(),
        },
        (Shape::Enum { name }, ir::Value::Enum { name: value, .. }) => {
            let _ = model;
            plain(names::constant(name, value))
        }
        (_, ir::Value::Enum { value, .. }) => plain(format!("{value}u")),
        (_, ir::Value::Int(i)) => plain(i.to_string()),
        (_, ir::Value::Float(f)) => plain(format!("{f:?}")),
    }
}

/// The view of a value of `shape` stored in `member` (an array's count in `count`), whose contents
/// may use `depth` levels.
fn value_view(shape: &Shape<'_>, member: &str, count: &str, depth: &str, copy: bool) -> ValueView {
    if shape.reaches_cycle() {
        let (name, max) = match shape {
            Shape::Record { name, .. } => (*name, None),
            Shape::Array { element, max_items } => match &**element {
                Shape::Record { name, .. } => (*name, Some(*max_items)),
                _ => unreachable!("refused by `unsupported`"),
            },
            _ => unreachable!("only records and arrays reach a cycle"),
        };
        return ValueView {
            decl_type: "iotp_bytes".into(),
            decl_dims: String::new(),
            levels: Vec::new(),
            leaf: leaf_view(&Shape::Bool, String::new(), String::new(), false),
            leaf_pad: String::new(),
            has_count: max.is_some(),
            declares: true,
            lazy: Some(LazyView {
                ctype: names::type_name(name),
                max,
                path: member.to_string(),
                count: count.to_string(),
                depth: depth.to_string(),
            }),
        };
    }
    let mut levels = Vec::new();
    let mut shape = shape;
    let mut path = member.to_string();
    let mut count = count.to_string();
    let mut depth_in = depth.to_string();
    let mut dims = Vec::new();
    while let Shape::Array { element, max_items } = shape {
        let k = levels.len();
        let index = format!("i{k}");
        let depth_out = format!("d{}", k + 1);
        levels.push(LevelView {
            max: *max_items,
            count: count.clone(),
            index: index.clone(),
            pad: "    ".repeat(k),
            depth_in: depth_in.clone(),
            depth_out: depth_out.clone(),
        });
        dims.push(*max_items);
        count = format!("{path}[{index}].count");
        path = if matches!(**element, Shape::Array { .. }) {
            format!("{path}[{index}].items")
        } else {
            format!("{path}[{index}]")
        };
        depth_in = depth_out;
        shape = element;
    }
    // The declaration: nested arrays as anonymous structs of items and count.
    let mut decl_type = leaf_type(shape, copy);
    for &max in dims.iter().skip(1).rev() {
        decl_type = format!("struct {{ {decl_type} items[{max}]; size_t count; }}");
    }
    let decl_dims = dims.first().map_or(String::new(), |d| format!("[{d}]"));
    ValueView {
        decl_type,
        decl_dims,
        leaf_pad: "    ".repeat(levels.len()),
        has_count: !levels.is_empty(),
        declares: !levels.is_empty(),
        lazy: None,
        levels,
        leaf: leaf_view(shape, path, depth_in, copy),
    }
}

fn leaf_view(shape: &Shape<'_>, path: String, depth: String, copy: bool) -> LeafView {
    let mut leaf = LeafView {
        kind: "",
        path,
        copy: copy
            && matches!(
                shape,
                Shape::Text { .. } | Shape::Bytes { .. } | Shape::FixedBytes { .. }
            ),
        read_fn: String::new(),
        write_fn: String::new(),
        min: String::new(),
        max: String::new(),
        below: None,
        above: None,
        len: 0,
        depth,
        checked: false,
    };
    match shape {
        Shape::Bool => {
            leaf.kind = "bool";
            leaf.read_fn = "iotp_read_bool".into();
            leaf.write_fn = "iotp_write_bool".into();
        }
        Shape::Int { int, min, max, .. } => {
            let unsigned = shape.is_unsigned();
            leaf.kind = if unsigned { "uint" } else { "int" };
            leaf.read_fn = match int {
                IntType::U64 => "iotp_read_uint".into(),
                IntType::I64 => "iotp_read_int".into(),
                _ => format!("iotp_read_{}", int.keyword()),
            };
            leaf.write_fn = if unsigned {
                "iotp_write_uint"
            } else {
                "iotp_write_int"
            }
            .into();
            leaf.min = int_literal(*int, *min);
            leaf.max = int_literal(*int, *max);
            let (lo, hi) = int.bounds();
            leaf.below = (*min != lo).then(|| leaf.min.clone());
            leaf.above = (*max != hi).then(|| leaf.max.clone());
        }
        Shape::Float(float) => {
            leaf.kind = "float";
            let kw = match float {
                FloatType::F32 => "f32",
                FloatType::F64 => "f64",
            };
            leaf.read_fn = format!("iotp_read_{kw}");
            leaf.write_fn = format!("iotp_write_{kw}");
        }
        Shape::Text { max_len } => {
            leaf.kind = "text";
            leaf.read_fn = "iotp_read_text".into();
            leaf.write_fn = "iotp_write_text".into();
            leaf.len = *max_len;
        }
        Shape::Bytes { max_len } => {
            leaf.kind = "bytes";
            leaf.read_fn = "iotp_read_bytes".into();
            leaf.write_fn = "iotp_write_bytes".into();
            leaf.len = *max_len;
        }
        Shape::FixedBytes { len } => {
            leaf.kind = "fixed";
            leaf.read_fn = "iotp_read_fixed".into();
            leaf.write_fn = "iotp_write_bytes".into();
            leaf.len = *len;
        }
        Shape::Enum { .. } => {
            leaf.kind = "enum";
            leaf.read_fn = "iotp_read_enum".into();
            leaf.write_fn = "iotp_write_uint".into();
        }
        Shape::Record { name, .. } => {
            leaf.kind = "record";
            leaf.read_fn = names::type_name(name);
        }
        Shape::Array { .. } => unreachable!("arrays are levels"),
    }
    if leaf.copy {
        leaf.read_fn.push_str("_copy");
    }
    leaf.checked = matches!(leaf.kind, "text" | "bytes" | "fixed")
        || leaf.below.is_some()
        || leaf.above.is_some();
    leaf
}

/// The records the runtime's table-driven codec reads and writes: messages and unions off any
/// recursive cycle (those keep their generated code and `@max_depth` budget, so the interpreter never
/// recurses beyond the schema's nesting) whose values have at most one array level, with at most 32
/// fields (the decoder's mask of required fields seen) and 255 keys, array bounds below 65,536, and
/// whose nested records are table-driven too (a table points at theirs). Full names.
fn table_records(model: &Model<'_>) -> HashSet<String> {
    fn simple(shape: &Shape<'_>) -> bool {
        match shape {
            Shape::Array { element, max_items } => {
                !matches!(**element, Shape::Array { .. }) && *max_items <= u32::from(u16::MAX)
            }
            _ => true,
        }
    }
    fn record_of<'s>(shape: &Shape<'s>) -> Option<&'s str> {
        match shape {
            Shape::Record { name, .. } => Some(name),
            Shape::Array { element, .. } => record_of(element),
            _ => None,
        }
    }
    let types: Vec<&TypeModel<'_>> = model.packages().iter().flat_map(|p| &p.types).collect();
    fn shapes<'s>(t: &TypeModel<'s>) -> Vec<Shape<'s>> {
        match &t.kind {
            Kind::Message(m) => m.fields.iter().map(|f| f.shape.clone()).collect(),
            Kind::Union(u) => u
                .variants
                .iter()
                .filter_map(|v| v.payload.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
    let mut tables: HashSet<String> = types
        .iter()
        .filter(|t| match &t.kind {
            Kind::Message(m) => m.fields.len() <= 32 && m.known_keys.len() <= 255,
            Kind::Union(u) => u.known_keys.len() <= 255,
            _ => false,
        })
        .filter(|t| t.recursion.is_none())
        .filter(|t| shapes(t).iter().all(|s| simple(s) && !s.reaches_cycle()))
        .map(|t| t.def.full_name.clone())
        .collect();
    // Until nothing changes: a record whose nested record is not table-driven is not either.
    loop {
        let before = tables.len();
        for t in &types {
            let nested_ok = shapes(t)
                .iter()
                .filter_map(record_of)
                .all(|name| tables.contains(name));
            if !nested_ok {
                tables.remove(&t.def.full_name);
            }
        }
        if tables.len() == before {
            return tables;
        }
    }
}

/// Whether a leaf of `shape` is text or bytes.
fn holds_strings(shape: &Shape<'_>) -> bool {
    matches!(
        shape,
        Shape::Text { .. } | Shape::Bytes { .. } | Shape::FixedBytes { .. }
    )
}

/// The table entry of a field or variant of `shape` stored in `member` (its count, for an array,
/// in `<member's name>_count` beside it).
fn entry_view(
    model: &Model<'_>,
    key: u32,
    label: &str,
    shape: &Shape<'_>,
    member: String,
    default: Option<&ir::Value>,
    copy: bool,
) -> EntryView {
    let ident = member.trim_start_matches("as.").to_string();
    let (leaf, count, max_items) = match shape {
        Shape::Array { element, max_items } => {
            (&**element, Some(format!("{ident}_count")), *max_items)
        }
        _ => (shape, None, 0),
    };
    let mut e = EntryView {
        key,
        label: label.to_string(),
        ident,
        kind: "",
        record: None,
        member: Some(member),
        count,
        max_items,
        len: 0,
        presence: "REQUIRED",
        has: None,
        scalar: None,
        copy: copy && holds_strings(leaf),
    };
    let mut range = None;
    e.kind = match leaf {
        Shape::Bool => "BOOL",
        Shape::Int {
            int,
            min,
            max,
            narrowed,
        } => {
            range = Some((
                !leaf.is_unsigned(),
                int_literal(*int, *min),
                int_literal(*int, *max),
                *narrowed,
            ));
            match int {
                IntType::U8 => "U8",
                IntType::U16 => "U16",
                IntType::U32 => "U32",
                IntType::U64 => "U64",
                IntType::I8 => "I8",
                IntType::I16 => "I16",
                IntType::I32 => "I32",
                IntType::I64 => "I64",
            }
        }
        Shape::Float(FloatType::F32) => "F32",
        Shape::Float(FloatType::F64) => "F64",
        Shape::Text { max_len } => {
            e.len = *max_len;
            "TEXT"
        }
        Shape::Bytes { max_len } => {
            e.len = *max_len;
            "BYTES"
        }
        Shape::FixedBytes { len } => {
            e.len = *len;
            "FIXED"
        }
        Shape::Enum { .. } => {
            range = Some((false, "0".into(), "UINT32_MAX".into(), false));
            "U32"
        }
        Shape::Record { name, .. } => {
            e.record = Some(names::type_name(name));
            "RECORD"
        }
        Shape::Array { .. } => unreachable!("one array level in a table"),
    };
    let (signed, min, max, narrowed) = range.unwrap_or((false, "0".into(), "0".into(), false));
    // A text default is the scalar's literal whether the text is copied or not (the interpreter
    // tells them apart by IOTP_FF_COPY).
    let dflt = default.map(|d| default_view(model, leaf, d, false));
    if narrowed || dflt.is_some() {
        e.scalar = Some(ScalarView {
            signed,
            min,
            max,
            dflt: match &dflt {
                Some(d) if d.compare == "text" => d.len.to_string(),
                Some(d) => d.literal.clone(),
                None => "0".into(),
            },
            text: dflt.filter(|d| d.compare == "text").map(|d| d.literal),
        });
    }
    e
}
