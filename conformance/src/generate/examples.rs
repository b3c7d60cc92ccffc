//! The worked examples of the spec (```` ```iotp-example ```` blocks, normative test data) as vectors.
//!
//! Examples of a type of the core schema join that type's `core.*` area. Examples of a built-in type
//! expression (`u16`, `string<8>`, ...) are carried in the conformance wrapper that has a field of that
//! type, so that testees need generated codecs only (`wire.examples`); the class and offset of a
//! rejected example move by the bytes of the wrapper before the value.

use iotp2p_codegen::backend::docs::examples::{extract, Example, Expect};

use super::case::{cat, entry, Case, Want};
use super::Area;

/// The prose chapters that hold examples.
const CHAPTERS: [(&str, &str); 10] = [
    (
        "spec/01-introduction.md",
        include_str!("../../../spec/01-introduction.md"),
    ),
    (
        "spec/02-addressing.md",
        include_str!("../../../spec/02-addressing.md"),
    ),
    (
        "spec/03-resolution-and-delivery.md",
        include_str!("../../../spec/03-resolution-and-delivery.md"),
    ),
    (
        "spec/04-wire-format.md",
        include_str!("../../../spec/04-wire-format.md"),
    ),
    (
        "spec/05-message-layer.md",
        include_str!("../../../spec/05-message-layer.md"),
    ),
    (
        "spec/06-interaction-model.md",
        include_str!("../../../spec/06-interaction-model.md"),
    ),
    (
        "spec/07-capability-model.md",
        include_str!("../../../spec/07-capability-model.md"),
    ),
    (
        "spec/08-security.md",
        include_str!("../../../spec/08-security.md"),
    ),
    (
        "spec/09-errors.md",
        include_str!("../../../spec/09-errors.md"),
    ),
    (
        "spec/10-versioning-and-transport.md",
        include_str!("../../../spec/10-versioning-and-transport.md"),
    ),
];

/// Built-in type expressions and the wrapper field of that type: expression, wrapper, key, field.
const WRAPPERS: &[(&str, &str, u64, &str)] = &[
    ("bool", "Scalars", 0, "b"),
    ("u8", "Scalars", 1, "u8"),
    ("u16", "Scalars", 2, "u16"),
    ("u32", "Scalars", 3, "u32"),
    ("u64", "Scalars", 4, "u64"),
    ("i8", "Scalars", 5, "i8"),
    ("i16", "Scalars", 6, "i16"),
    ("i32", "Scalars", 7, "i32"),
    ("i64", "Scalars", 8, "i64"),
    ("f32", "Scalars", 9, "f32"),
    ("f64", "Scalars", 10, "f64"),
    ("string<16>", "Scalars", 11, "text"),
    ("bytes<16>", "Scalars", 12, "data"),
    ("string<4>", "Bounds", 0, "text"),
    ("bytes<4>", "Bounds", 1, "data"),
    ("bytes[4]", "Bounds", 2, "fixed"),
    ("array<u16, 4>", "Bounds", 3, "items"),
    ("string<24>", "Bounds", 5, "long_text"),
    ("string<8>", "Choice", 2, "text"),
];

/// Every worked example is a vector of this requirement: a codec produces the expected result for
/// each `iotp-example` block whose type it supports.
const EXAMPLES_REQUIREMENT: &str = "IOTP-CONF-8";

/// The requirements an example of a rejected input is about, by class.
pub(crate) fn class_requirements(class: &str) -> &'static [&'static str] {
    match class {
        "truncated" => &["IOTP-WIRE-9"],
        "trailing-bytes" => &["IOTP-WIRE-3"],
        "invalid-head" | "indefinite-length" | "forbidden-item" => &["IOTP-WIRE-5"],
        "non-canonical-integer" => &["IOTP-WIRE-8"],
        "non-canonical-float" => &["IOTP-WIRE-17"],
        "invalid-utf8" => &["IOTP-WIRE-21"],
        "unsorted-keys" => &["IOTP-WIRE-38"],
        "duplicate-key" => &["IOTP-WIRE-37"],
        "invalid-union" => &["IOTP-WIRE-48"],
        "depth-exceeded" => &["IOTP-WIRE-59"],
        "missing-field" => &["IOTP-WIRE-40"],
        "default-value-present" => &["IOTP-WIRE-39"],
        _ => &[],
    }
}

fn all_examples() -> Result<Vec<(&'static str, Example)>, String> {
    let mut out = Vec::new();
    for (file, text) in CHAPTERS {
        for example in extract(text, file)? {
            out.push((file, example));
        }
    }
    Ok(out)
}

/// `msg.ack` → `example.msg-ack` (in a `core.*` area); `wire.f32-0.1` → `f32-0-1` (in
/// `wire.examples`).
fn case_id(example: &Example) -> String {
    match example.id.strip_prefix("wire.") {
        Some(rest) if !example.type_name.starts_with("iotp2p.") => rest.replace('.', "-"),
        _ => format!("example.{}", example.id.replace('.', "-")),
    }
}

fn to_case(
    file: &str,
    example: &Example,
    ty: &str,
    prefix: &[u8],
    field: Option<&str>,
) -> Result<Case, String> {
    let bytes = cat(&[prefix, &example.bytes()?]);
    let what = format!("worked example `{}` of {file}", example.id);
    Ok(match &example.expect {
        Expect::Valid { json, .. } => {
            let json = match field {
                Some(f) => format!("{{{}: {json}}}", serde_json::to_string(f).expect("a name")),
                None => json.clone(),
            };
            Case::ok_json(
                case_id(example),
                what,
                &[EXAMPLES_REQUIREMENT, "IOTP-WIRE-65"],
                ty,
                bytes,
                json,
            )
        }
        Expect::Invalid { error, offset } => {
            let class = static_class(error)
                .ok_or_else(|| format!("{}: `{error}` is not a class of §4.17", example.id))?;
            let mut reqs = vec![EXAMPLES_REQUIREMENT];
            reqs.extend(class_requirements(class));
            Case {
                want: Want::Invalid {
                    class,
                    offset: offset.map(|o| o + prefix.len()),
                },
                ..Case::bad(case_id(example), what, &reqs, ty, bytes, class, 0)
            }
        }
    })
}

/// The class name as a `'static` string (the closed list of §4.17).
fn static_class(name: &str) -> Option<&'static str> {
    const CLASSES: [&str; 17] = [
        "truncated",
        "trailing-bytes",
        "invalid-head",
        "indefinite-length",
        "non-canonical-integer",
        "non-canonical-float",
        "forbidden-item",
        "invalid-utf8",
        "wrong-type",
        "unsorted-keys",
        "duplicate-key",
        "invalid-union",
        "bound-exceeded",
        "out-of-range",
        "depth-exceeded",
        "missing-field",
        "default-value-present",
    ];
    CLASSES.iter().copied().find(|c| *c == name)
}

/// The examples of named schema types, as (full type name, case).
pub(crate) fn core_cases() -> Result<Vec<(String, Case)>, String> {
    let mut out = Vec::new();
    for (file, example) in all_examples()? {
        if example.type_name.starts_with("iotp2p.") {
            let case = to_case(file, &example, &example.type_name, &[], None)?;
            out.push((example.type_name.clone(), case));
        }
    }
    Ok(out)
}

/// The examples of built-in type expressions, carried in wrappers.
pub(crate) fn wire_area() -> Result<Vec<Area>, String> {
    let mut cases = Vec::new();
    for (file, example) in all_examples()? {
        if example.type_name.starts_with("iotp2p.") {
            continue;
        }
        let Some(&(_, wrapper, key, field)) =
            WRAPPERS.iter().find(|(t, ..)| *t == example.type_name)
        else {
            // No wrapper has a field of this type (e.g. `bytes<8>`); the rules it shows are covered
            // by the wire.* areas.
            continue;
        };
        if matches!(&example.expect, Expect::Invalid { error, .. } if error == "trailing-bytes") {
            // Inside a wrapper, bytes after the value would be read as the wrapper's next entry.
            continue;
        }
        let (prefix, _) = entry(key, &[]);
        cases.push(to_case(file, &example, wrapper, &prefix, Some(field))?);
    }
    Ok(vec![Area::new(
        "wire.examples",
        "The spec's worked examples of built-in types (spec §4.19), each value carried in the field of \
         that type of a conformance wrapper.",
        cases,
    )])
}
