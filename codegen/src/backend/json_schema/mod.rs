//! The JSON Schema backend: the canonical JSON mapping of spec/04-wire-format.md §4.18 as JSON Schema
//! draft 2020-12 (`iotp2p gen json-schema`), for web and app developers.
//!
//! One document per package, `<package>.schema.json`, whose `$defs` hold the package's types under
//! their names; its `$id` is `urn:iotp2p:schema:<package>` ([`document_id`]), and a type of another
//! package is referenced by that package's `$id` (`urn:iotp2p:schema:iotp2p.core#/$defs/SemVer`), so a
//! validator is given the documents of the imported packages too. A URN, not a URL: nothing is
//! fetched from the network.
//!
//! The mapping follows §4.18's table: a message is an object with its field names as members
//! (required fields in `required`, defaults as `default` annotations) and `#<key>` members for
//! retained unknown fields (any key from 0 to 65535 that no field uses, holding the lowercase hex of
//! an encoding); integers are JSON integers with `minimum`/`maximum` from the type and `@range` (all
//! 64-bit values are numbers, never strings); floats are numbers or `"NaN"`, `"Infinity"`,
//! `"-Infinity"`; bytes are lowercase hex; an enum is one of its value names or, as an unknown value,
//! a number from 0 to 2^32−1 that is no known value's number; a union is an object with exactly one
//! member, a variant name (`null` for a unit variant) or `#<key>` for an unknown variant; recursion
//! goes through `$ref`.
//!
//! What JSON Schema cannot check is listed in every document's description ([`LIMITATIONS`]).
//!
//! Built as `serde_json` values rather than rendered from a template: the output is JSON data, so
//! serde_json does the escaping of doc comments and the commas, and a schema nests as deeply as the
//! types it describes (arrays of arrays of ...), which a template would have to recurse through.
//! The facts are the same as the CDDL backend's: one function per kind of type.

use serde_json::{json, Map, Value};

use crate::backend::{Backend, GeneratedFile};
use crate::ir::{self, FloatType, Presence, Schema, Type, TypeKind};
use crate::model::Model;

/// The draft the documents follow.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// What JSON Schema cannot check about the canonical JSON mapping: every document says it.
pub const LIMITATIONS: &[&str] = &[
    "string bounds count bytes of UTF-8 and maxLength counts characters, so a string within \
     maxLength can still be too long",
    "an integer written 1.0 or 1e2 is the same JSON Schema value as 1, which a reader must reject \
     for an integer field (IOTP-WIRE-68)",
    "duplicate member names (IOTP-WIRE-73) and member order (IOTP-WIRE-65)",
    "the contents of #<key> members: that they are one canonical, profile-conformant encoding",
    "nesting depth: MAX_DEPTH 16 (spec §4.16) and each recursive type's @max_depth (§4.12)",
    "that a number for an f32 field rounds to the intended binary32 value",
];

/// A member name of an unknown field or variant, `#` and a key from 0 to 65535 in decimal without
/// leading zeros.
pub const UNKNOWN_MEMBER_PATTERN: &str =
    "^#(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$";

/// The `$id` of a package's document.
pub fn document_id(package: &str) -> String {
    format!("urn:iotp2p:schema:{package}")
}

/// The file of a package: `iotp2p.core.schema.json`.
pub fn file_name(package: &str) -> String {
    format!("{package}.schema.json")
}

/// Lowercase hex, two digits a byte.
fn hex_string(min_bytes: Option<u64>, max_bytes: Option<u64>, non_empty: bool) -> Value {
    let mut s = Map::new();
    s.insert("type".into(), json!("string"));
    s.insert(
        "pattern".into(),
        json!(if non_empty {
            "^([0-9a-f]{2})+$"
        } else {
            "^([0-9a-f]{2})*$"
        }),
    );
    if let Some(min) = min_bytes {
        s.insert("minLength".into(), json!(2 * min));
    }
    if let Some(max) = max_bytes {
        s.insert("maxLength".into(), json!(2 * max));
    }
    Value::Object(s)
}

/// A `$ref` to a named type, seen from the document of package `from` (`None`: from outside any).
fn reference(full_name: &str, from: Option<&str>) -> Value {
    let (package, name) = full_name.rsplit_once('.').unwrap_or(("", full_name));
    if from == Some(package) {
        json!({ "$ref": format!("#/$defs/{name}") })
    } else {
        json!({ "$ref": format!("{}#/$defs/{name}", document_id(package)) })
    }
}

/// The schema of a value of `ty` in the canonical JSON mapping, with references written for the
/// document of package `from` (`None` for a schema outside the generated documents, whose references
/// are all absolute). A use of an alias refers to it, unless a field's `@range` narrowed it: the
/// narrowed target is then written out.
pub fn type_schema(schema: &Schema, ty: &Type, from: Option<&str>) -> Value {
    match ty {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Int { int, range } => {
            let (min, max) = range.map_or(int.bounds(), |r| (r.min, r.max));
            json!({ "type": "integer", "minimum": wide(min), "maximum": wide(max) })
        }
        Type::Float { float } => {
            let mut number = json!({ "type": "number" });
            if *float == FloatType::F32 {
                // Beyond 2^128 − 2^103 numbers round to infinity in binary32 and are rejected
                // (spec §4.18); the midpoint itself is left to the reader's single rounding.
                number["minimum"] = json!(-3.402_823_567_797_336_6e38);
                number["maximum"] = json!(3.402_823_567_797_336_6e38);
            }
            json!({ "anyOf": [number, { "enum": ["NaN", "Infinity", "-Infinity"] }] })
        }
        Type::String { max_len } => json!({
            "type": "string",
            "maxLength": max_len,
            "$comment": format!("at most {max_len} bytes of UTF-8"),
        }),
        Type::Bytes { max_len } => hex_string(None, Some(u64::from(*max_len)), false),
        Type::FixedBytes { len } => hex_string(Some(u64::from(*len)), Some(u64::from(*len)), false),
        Type::Array { element, max_items } => json!({
            "type": "array",
            "items": type_schema(schema, element, from),
            "maxItems": max_items,
        }),
        Type::Message { name } | Type::Enum { name } | Type::Union { name } => {
            reference(name, from)
        }
        Type::Alias { name, target } => {
            let declared = schema.find_type(name).and_then(|t| match &t.kind {
                TypeKind::Alias { target } => Some(target),
                _ => None,
            });
            if declared == Some(target.as_ref()) {
                reference(name, from)
            } else {
                type_schema(schema, target, from)
            }
        }
    }
}

/// An IR integer (−2^63 to 2^64−1) as a JSON number.
fn wide(v: i128) -> Value {
    if let Ok(small) = i64::try_from(v) {
        json!(small)
    } else if let Ok(big) = u64::try_from(v) {
        json!(big)
    } else {
        // The IR holds no integer outside i64 ∪ u64; saturate rather than panic.
        if v < 0 {
            json!(i64::MIN)
        } else {
            json!(u64::MAX)
        }
    }
}

/// A default value in the canonical JSON mapping.
fn default_json(v: &ir::Value) -> Value {
    match v {
        ir::Value::Bool(b) => json!(b),
        ir::Value::Int(i) => wide(*i),
        ir::Value::Float(f) if f.is_nan() => json!("NaN"),
        ir::Value::Float(f) if f.is_infinite() => {
            json!(if *f > 0.0 { "Infinity" } else { "-Infinity" })
        }
        ir::Value::Float(f) => json!(f),
        ir::Value::String(s) => json!(s),
        ir::Value::Enum { name, .. } => json!(name),
    }
}

/// Adds `description` (when the doc is not empty) and `deprecated` to a schema. A bare `$ref` takes
/// sibling keywords in draft 2020-12.
fn annotate(mut s: Value, doc: &str, deprecated: bool) -> Value {
    if let Value::Object(m) = &mut s {
        let doc = doc.trim();
        if !doc.is_empty() {
            m.insert("description".into(), json!(doc));
        }
        if deprecated {
            m.insert("deprecated".into(), json!(true));
        }
    }
    s
}

/// `#<key>` members: any key but the known ones.
fn unknown_members(object: &mut Map<String, Value>, known: &[u32], what: &str) {
    let mut pattern = Map::new();
    pattern.insert(
        UNKNOWN_MEMBER_PATTERN.into(),
        annotate(
            hex_string(None, None, true),
            &format!(
                "An unknown {what} (a newer version of the schema), kept and forwarded: the \
                 lowercase hex of its value's encoding."
            ),
            false,
        ),
    );
    object.insert("patternProperties".into(), Value::Object(pattern));
    if !known.is_empty() {
        let names: Vec<Value> = known.iter().map(|k| json!(format!("#{k}"))).collect();
        object.insert("propertyNames".into(), json!({ "not": { "enum": names } }));
    }
    object.insert("additionalProperties".into(), json!(false));
}

fn definition(schema: &Schema, t: &ir::TypeDef, package: &str) -> Value {
    let from = Some(package);
    let mut def = Map::new();
    match &t.kind {
        TypeKind::Message { fields, .. } => {
            let mut fields: Vec<&ir::Field> = fields.iter().collect();
            fields.sort_by_key(|f| f.key);
            def.insert("type".into(), json!("object"));
            let mut properties = Map::new();
            let mut required = Vec::new();
            for f in &fields {
                let mut s = annotate(
                    type_schema(schema, &f.ty, from),
                    &f.doc,
                    f.deprecated.is_some(),
                );
                match &f.presence {
                    Presence::Required => required.push(json!(f.name)),
                    Presence::Optional => {}
                    Presence::Default(v) => s["default"] = default_json(v),
                }
                properties.insert(f.name.clone(), s);
            }
            def.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                def.insert("required".into(), Value::Array(required));
            }
            let keys: Vec<u32> = fields.iter().map(|f| f.key).collect();
            unknown_members(&mut def, &keys, "field");
        }
        TypeKind::Enum { values, .. } => {
            let mut choices: Vec<Value> = values
                .iter()
                .map(|v| annotate(json!({ "const": v.name }), &v.doc, v.deprecated.is_some()))
                .collect();
            // Readers take any value by its number, known or not (spec §4.18); writers use the name
            // of a known value.
            choices.push(json!({
                "description": "A value by its number: an unknown one (a newer version of the schema), or a known one as readers accept it.",
                "type": "integer",
                "minimum": 0,
                "maximum": u32::MAX,
            }));
            def.insert("anyOf".into(), Value::Array(choices));
        }
        TypeKind::Union { variants, .. } => {
            let mut variants: Vec<&ir::Variant> = variants.iter().collect();
            variants.sort_by_key(|v| v.key);
            def.insert("type".into(), json!("object"));
            def.insert("minProperties".into(), json!(1));
            def.insert("maxProperties".into(), json!(1));
            let mut properties = Map::new();
            for v in &variants {
                let s = match &v.ty {
                    Some(ty) => type_schema(schema, ty, from),
                    None => json!({ "type": "null" }),
                };
                properties.insert(v.name.clone(), annotate(s, &v.doc, v.deprecated.is_some()));
            }
            def.insert("properties".into(), Value::Object(properties));
            let keys: Vec<u32> = variants.iter().map(|v| v.key).collect();
            unknown_members(&mut def, &keys, "variant");
        }
        TypeKind::Alias { target } => {
            return annotate(
                type_schema(schema, target, from),
                &t.doc,
                t.deprecated.is_some(),
            );
        }
    }
    annotate(Value::Object(def), &t.doc, t.deprecated.is_some())
}

/// The document of one package, as a JSON value.
pub fn package_document(schema: &Schema, package: &ir::Package) -> Value {
    let mut defs = Map::new();
    for t in &package.types {
        defs.insert(t.name.clone(), definition(schema, t, &package.name));
    }
    let version = package.version.map(|v| format!(" {v}")).unwrap_or_default();
    let mut description = String::new();
    if !package.doc.trim().is_empty() {
        description.push_str(package.doc.trim());
        description.push_str("\n\n");
    }
    description.push_str(
        "The canonical JSON mapping (spec/04-wire-format.md §4.18) of the package's types, one \
         per entry of $defs. A value that is canonical JSON matches its type's schema, but matching \
         is not enough; JSON Schema cannot check:",
    );
    for l in LIMITATIONS {
        description.push_str("\n- ");
        description.push_str(l);
        description.push('.');
    }
    json!({
        "$schema": DRAFT,
        "$id": document_id(&package.name),
        "$comment": format!(
            "@generated by iotp2p-codegen {} from `{}` (package `{}`{version}). Do not edit: change \
             the schema and regenerate with `iotp2p gen json-schema`.",
            env!("CARGO_PKG_VERSION"),
            package.location.file,
            package.name,
        ),
        "title": format!("{}{version}", package.name),
        "description": description,
        "$defs": defs,
    })
}

/// One JSON Schema document per package of `schema`, in dependency order.
pub fn generate(schema: &Schema) -> Vec<GeneratedFile> {
    schema
        .packages
        .iter()
        .map(|p| {
            let mut contents = serde_json::to_string_pretty(&package_document(schema, p))
                .expect("a JSON value serialises");
            contents.push('\n');
            GeneratedFile {
                name: file_name(&p.name),
                contents,
            }
        })
        .collect()
}

/// The JSON Schema backend over a model: one document per package (see [`generate`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct JsonSchema;

impl Backend for JsonSchema {
    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile> {
        generate(model.schema())
    }
}
