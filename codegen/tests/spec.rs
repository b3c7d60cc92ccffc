//! The specification's own checks: the core schema compiles cleanly, the generated message reference
//! chapter is fresh, and every worked example in the prose is right, cross-checked with a generic CBOR
//! library (ciborium) so that the spec does not merely agree with our own code.
//!
//! Re-bless the generated chapter with `BLESS=1 cargo test --workspace`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ciborium::value::Value;
use iotp2p_codegen::backend::docs::{self, ChapterOptions, Example, Expect};
use iotp2p_codegen::ir::{Schema, TypeKind};
use iotp2p_codegen::reflect::{self, types::resolve_type};
use iotp2p_codegen::FsLoader;

#[path = "spec/cbor_json.rs"]
mod cbor_json;
use cbor_json::to_canonical_json;

const REFERENCE_CHAPTER: &str = "11-message-reference.md";

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn schema_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir().join("schema"))
        .expect("spec/schema exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iotp"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "spec/schema has no .iotp files");
    files
}

fn core_schema() -> Schema {
    // Relative to the repository root, as `scripts/generate` names them, so that the locations in the
    // generated chapter do not depend on where the repository is checked out.
    let root = spec_dir().join("..").canonicalize().unwrap();
    let files: Vec<PathBuf> = schema_files()
        .iter()
        .map(|p| {
            p.canonicalize()
                .unwrap()
                .strip_prefix(&root)
                .unwrap()
                .to_path_buf()
        })
        .collect();
    std::env::set_current_dir(&root).unwrap();
    let c = iotp2p_codegen::compile(&files, &FsLoader::default());
    let rendered = iotp2p_codegen::diagnostics::render::render_plain(&c.sources, &c.diagnostics);
    assert!(
        c.diagnostics.is_empty(),
        "the core schema has diagnostics:\n{rendered}"
    );
    c.schema.expect("no errors, so an IR")
}

/// The prose chapters (everything but the generated one), in name order.
fn prose_chapters() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !p.ends_with(REFERENCE_CHAPTER))
        .collect();
    files.sort();
    files
}

fn examples() -> Vec<Example> {
    let mut out = Vec::new();
    for path in prose_chapters() {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = format!("spec/{}", path.file_name().unwrap().to_string_lossy());
        out.extend(docs::examples::extract(&text, &name).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

#[test]
fn core_schema_checks_clean() {
    let schema = core_schema();
    assert!(schema.packages.iter().any(|p| p.name == "iotp2p.core"));
}

#[test]
fn reference_chapter_is_fresh() {
    let schema = core_schema();
    let options = ChapterOptions {
        regenerate: "scripts/generate".into(),
        ..ChapterOptions::default()
    };
    let expected = docs::render_reference(&schema, &examples(), &options);
    let path = spec_dir().join(REFERENCE_CHAPTER);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "spec/{REFERENCE_CHAPTER} is stale: run `scripts/generate` or `BLESS=1 cargo test --workspace`"
    );
}

#[test]
fn example_ids_are_unique_and_types_exist() {
    let schema = core_schema();
    let sources = schema_sources();
    let mut seen = BTreeSet::new();
    for e in examples() {
        assert!(
            seen.insert(e.id.clone()),
            "{}: duplicate example id `{}`",
            e.origin,
            e.id
        );
        if let Err(err) = resolve_type(&schema, &sources, &e.type_name) {
            panic!("{}: {err}", e.origin);
        }
    }
}

/// Every message and union of the core package has at least one worked example.
#[test]
fn every_core_message_has_an_example() {
    let schema = core_schema();
    let covered: BTreeSet<String> = examples().into_iter().map(|e| e.type_name).collect();
    let missing: Vec<&str> = schema
        .packages
        .iter()
        .filter(|p| p.name == "iotp2p.core")
        .flat_map(|p| &p.types)
        .filter(|t| matches!(t.kind, TypeKind::Message { .. } | TypeKind::Union { .. }))
        .filter(|t| !covered.contains(&t.full_name))
        .map(|t| t.full_name.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "core types without a worked example: {missing:?}"
    );
}

fn decode_exactly(bytes: &[u8], origin: &str) -> Value {
    let value: Value =
        ciborium::from_reader(bytes).unwrap_or_else(|e| panic!("{origin}: not CBOR: {e}"));
    let mut again = Vec::new();
    ciborium::into_writer(&value, &mut again).unwrap();
    assert_eq!(
        hex(&again),
        hex(bytes),
        "{origin}: not in deterministic form (or trailing bytes): a generic encoder writes the same value differently"
    );
    value
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// RFC 8949 §4.2.1: map keys sorted by their encoded bytes, no duplicates, at every level.
fn assert_keys_sorted(value: &Value, origin: &str) {
    match value {
        Value::Map(entries) => {
            let keys: Vec<Vec<u8>> = entries
                .iter()
                .map(|(k, _)| {
                    let mut b = Vec::new();
                    ciborium::into_writer(k, &mut b).unwrap();
                    b
                })
                .collect();
            for pair in keys.windows(2) {
                assert!(
                    pair[0] < pair[1],
                    "{origin}: map keys out of order or duplicated: {entries:?}"
                );
            }
            entries
                .iter()
                .for_each(|(_, v)| assert_keys_sorted(v, origin));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_keys_sorted(v, origin)),
        Value::Tag(_, _) => panic!("{origin}: tags are not part of the iotp2p profile"),
        _ => {}
    }
}

/// RFC 8949 §8 diagnostic notation, without encoding indicators.
fn diag(value: &Value) -> String {
    match value {
        Value::Integer(i) => i128::from(*i).to_string(),
        Value::Bytes(b) => format!(
            "h'{}'",
            b.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() => {
            if *f > 0.0 { "Infinity" } else { "-Infinity" }.into()
        }
        Value::Float(f) => format!("{f:?}"),
        Value::Text(t) => serde_json::to_string(t).unwrap(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Tag(t, v) => format!("{t}({})", diag(v)),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(diag).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", diag(k), diag(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "?".into(),
    }
}

/// Whitespace outside string literals removed, so line breaks and spacing in the prose don't matter.
fn squeeze(text: &str) -> String {
    let mut out = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    // Comments in diagnostic notation (`/ ... /`) are for people; drop them.
    let mut clean = String::new();
    let mut in_comment = false;
    let mut in_str = false;
    for c in out.chars() {
        match c {
            '"' if !in_comment => {
                in_str = !in_str;
                clean.push(c);
            }
            '/' if !in_str => in_comment = !in_comment,
            _ if !in_comment => clean.push(c),
            _ => {}
        }
    }
    clean
}

fn schema_sources() -> Vec<(String, String)> {
    schema_files()
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// Valid examples: a generic CBOR library reads the bytes as a deterministic encoding, their
/// diagnostic notation matches, and the independent JSON mapping of that generic value matches.
#[test]
fn valid_examples_are_canonical_cbor() {
    let schema = core_schema();
    let sources = schema_sources();
    let mut checked = 0;
    for e in examples() {
        let Expect::Valid {
            json,
            diag: written_diag,
        } = &e.expect
        else {
            continue;
        };
        let bytes = e
            .bytes()
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        let value = decode_exactly(&bytes, &e.origin);
        assert_keys_sorted(&value, &e.origin);
        assert_eq!(
            squeeze(written_diag),
            squeeze(&diag(&value)),
            "{}: diagnostic notation differs from the hex",
            e.origin
        );
        let ty = resolve_type(&schema, &sources, &e.type_name)
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        let mapped = to_canonical_json(&schema, &ty, &value)
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        let written: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|err| panic!("{}: json is not JSON: {err}", e.origin));
        assert_eq!(
            written, mapped,
            "{}: the JSON differs from the canonical mapping of the hex",
            e.origin
        );
        checked += 1;
    }
    assert!(checked > 0, "the spec has no valid examples");
}

/// Every example through the schema-driven codec: valid ones decode to their JSON and re-encode to
/// their bytes (from the JSON too); rejected ones fail with the stated class and offset.
#[test]
fn examples_agree_with_the_reflection_codec() {
    let schema = core_schema();
    let sources = schema_sources();
    let mut rejected = 0;
    for e in examples() {
        let bytes = e
            .bytes()
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        let ty = resolve_type(&schema, &sources, &e.type_name)
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        match &e.expect {
            Expect::Valid { json, .. } => {
                let decoded = reflect::decode(&schema, &ty, &bytes).unwrap_or_else(|err| {
                    panic!("{}: a valid example is rejected: {err}", e.origin)
                });
                let written: serde_json::Value = serde_json::from_str(json).unwrap();
                assert_eq!(
                    reflect::to_json(&schema, &ty, &decoded.value),
                    written,
                    "{}: JSON",
                    e.origin
                );
                let again = reflect::encode(&schema, &ty, &decoded.value).unwrap();
                assert_eq!(
                    again, bytes,
                    "{}: decode → encode changes the bytes",
                    e.origin
                );
                let from_json = reflect::from_json(&schema, &ty, &written).unwrap_or_else(|err| {
                    panic!("{}: the JSON does not read back: {err}", e.origin)
                });
                assert_eq!(
                    reflect::encode(&schema, &ty, &from_json).unwrap(),
                    bytes,
                    "{}: JSON → encode",
                    e.origin
                );
            }
            Expect::Invalid { error, offset } => {
                let err = match reflect::decode(&schema, &ty, &bytes) {
                    Ok(_) => panic!("{}: a rejected example decodes", e.origin),
                    Err(err) => err,
                };
                assert_eq!(err.class.name(), error, "{}: error class", e.origin);
                if let Some(offset) = offset {
                    assert_eq!(err.offset, *offset, "{}: error offset", e.origin);
                }
                rejected += 1;
            }
        }
    }
    assert!(rejected > 0, "the spec has no rejected examples");
}

/// Every example through the generated Rust codec (`iotp2p_codec`): valid examples of generated types
/// re-encode to the same bytes; rejected ones fail with the stated class and offset.
#[test]
fn examples_agree_with_the_generated_codec() {
    use iotp2p_codec::generated::transcode;
    use iotp2p_codec::runtime::TranscodeError;
    let mut checked = 0;
    for e in examples() {
        let bytes = e.bytes().unwrap();
        let mut out = vec![0u8; bytes.len() + 16];
        let Some(result) = transcode(&e.type_name, &bytes, &mut out) else {
            continue; // A built-in type expression: covered by the reflection codec.
        };
        match (&e.expect, result) {
            (Expect::Valid { .. }, Ok(n)) => {
                assert_eq!(&out[..n], &bytes[..], "{}: re-encoding differs", e.origin)
            }
            (Expect::Valid { .. }, Err(err)) => {
                panic!("{}: a valid example is rejected: {err}", e.origin)
            }
            (Expect::Invalid { error, offset }, Err(TranscodeError::Decode(err))) => {
                assert_eq!(err.class().name(), error, "{}: error class", e.origin);
                if let Some(offset) = offset {
                    assert_eq!(err.offset(), *offset, "{}: offset", e.origin);
                }
            }
            (Expect::Invalid { .. }, other) => {
                panic!("{}: a rejected example gives {other:?}", e.origin)
            }
        }
        checked += 1;
    }
    assert!(checked > 0);
}

/// The shipped schema is in the canonical format (`iotp2p fmt`), so that diffs of it stay readable.
#[test]
fn core_schema_is_formatted() {
    for path in schema_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut diags = iotp2p_codegen::diagnostics::Diagnostics::new();
        let ast =
            iotp2p_codegen::syntax::parse(iotp2p_codegen::source::FileId(0), &text, &mut diags);
        assert!(diags.is_empty(), "{}: syntax errors", path.display());
        assert!(
            iotp2p_codegen::syntax::printer::print(&ast) == text,
            "{} is not formatted: run `cargo run -p iotp2p-codegen --bin iotp2p -- fmt {}`",
            path.display(),
            path.display()
        );
    }
}

/// Every decoding error class of spec §4.17 is reached by at least one rejected example, and each
/// such example is checked against the generated codec (`examples_agree_with_the_generated_codec`).
#[test]
fn every_error_class_has_a_rejected_example() {
    let examples = examples();
    let missing: Vec<&str> = iotp2p_codec::runtime::ErrorClass::ALL
        .iter()
        .map(|c| c.name())
        .filter(|name| {
            !examples
                .iter()
                .any(|e| matches!(&e.expect, Expect::Invalid { error, .. } if error == name))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "error classes without a rejected example: {missing:?}"
    );
}
