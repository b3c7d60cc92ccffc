//! The generated codec's canonical JSON mapping (feature `serde` of `iotp2p-codec`, spec/04-wire-format.md
//! §4.18), checked against the two references this crate has:
//!
//! - every worked example of the spec whose type is a generated type: the JSON of the decoded value is
//!   the example's JSON (same members, same order, same numbers), and reading the example's JSON into
//!   the owned type and encoding it gives the example's bytes; examples of rejected input are rejected
//!   by `to_json` with the example's error class and offset;
//! - the schema-driven reflection codec (`reflect::json`): for random values of every core type, both
//!   write the same JSON, and the generated reader turns that JSON back into the same bytes.

use std::path::{Path, PathBuf};

use iotp2p_codec::generated::{from_json, to_json, TYPE_NAMES};
use iotp2p_codec::runtime::json::Error;
use iotp2p_codegen::backend::docs::{self, Example, Expect};
use iotp2p_codegen::ir::{FloatType, Presence, Schema, Type, TypeKind};
use iotp2p_codegen::reflect::{self, types::named, Entry, UnionValue, Value};
use proptest::prelude::*;
use serde_json::Value as Json;

const REFERENCE_CHAPTER: &str = "11-message-reference.md";

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// The examples of the prose chapters (the generated reference chapter only repeats them).
fn examples() -> Vec<Example> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !p.ends_with(REFERENCE_CHAPTER))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = format!("spec/{}", path.file_name().unwrap().to_string_lossy());
        out.extend(docs::examples::extract(&text, &name).unwrap_or_else(|e| panic!("{e}")));
    }
    out
}

/// The canonical JSON text of a value of `type_name` encoded as `bytes`, as the generated code writes
/// it.
fn json_text(type_name: &str, bytes: &[u8]) -> Result<String, String> {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::new(&mut out);
    to_json(type_name, bytes, &mut serializer)
        .expect("a generated type")
        .map_err(|e| e.to_string())?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn spec_examples_agree_with_the_generated_json_mapping() {
    let (mut valid, mut invalid, mut other_types) = (0, 0, 0);
    for e in examples() {
        if !TYPE_NAMES.contains(&e.type_name.as_str()) {
            other_types += 1;
            continue;
        }
        let bytes = e.bytes().unwrap();
        match &e.expect {
            Expect::Valid { json, .. } => {
                let expected: Json = serde_json::from_str(json)
                    .unwrap_or_else(|err| panic!("{}: bad JSON: {err}", e.origin));
                let text = json_text(&e.type_name, &bytes)
                    .unwrap_or_else(|err| panic!("{} ({}): {err}", e.origin, e.id));
                let got: Json = serde_json::from_str(&text).unwrap();
                assert_eq!(got, expected, "{} ({}): JSON differs", e.origin, e.id);
                // Same members in the same order: the example's order is kept by `preserve_order`.
                assert_eq!(
                    text,
                    serde_json::to_string(&expected).unwrap(),
                    "{} ({}): members out of order",
                    e.origin,
                    e.id
                );
                // Back: from the parsed value and from the text.
                let encoded = from_json(&e.type_name, &expected)
                    .unwrap()
                    .unwrap_or_else(|err| panic!("{} ({}): {err}", e.origin, e.id));
                assert_eq!(
                    encoded, bytes,
                    "{} ({}): JSON encodes differently",
                    e.origin, e.id
                );
                let mut de = serde_json::Deserializer::from_str(json);
                let encoded = from_json(&e.type_name, &mut de).unwrap().unwrap();
                assert_eq!(encoded, bytes, "{} ({})", e.origin, e.id);
                valid += 1;
            }
            Expect::Invalid { error, offset } => {
                let mut sink = Vec::new();
                let result = to_json(
                    &e.type_name,
                    &bytes,
                    &mut serde_json::Serializer::new(&mut sink),
                )
                .unwrap();
                let Err(Error::Decode(got)) = result else {
                    panic!("{} ({}): accepted, but must be {error}", e.origin, e.id);
                };
                assert_eq!(got.class().name(), error, "{} ({})", e.origin, e.id);
                if let Some(offset) = offset {
                    assert_eq!(got.offset(), *offset, "{} ({})", e.origin, e.id);
                }
                invalid += 1;
            }
        }
    }
    eprintln!(
        "{valid} valid and {invalid} invalid examples of generated types checked; \
         {other_types} examples of other types (built-in type expressions, aliases) skipped"
    );
    assert!(
        valid >= 20,
        "only {valid} valid examples of generated types"
    );
}

// ---------------------------------------------------------------------------------------------------
// Against the reflection codec, on random values.

fn core_schema() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(spec_dir().join("schema"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "iotp"))
            .collect();
        files.sort();
        let c = iotp2p_codegen::compile(&files, &iotp2p_codegen::FsLoader::default());
        c.schema.expect("the core schema compiles")
    })
}

fn type_of(name: &str) -> Type {
    let def = core_schema()
        .find_type(name)
        .expect("a generated type is in the schema");
    named(&def.full_name, &def.kind)
}

/// Floats with the values JSON makes special: NaN, infinities, zeros of both signs, extremes.
fn float_strategy(float: FloatType) -> BoxedStrategy<f64> {
    let specials = vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        0.0,
        -0.0,
        0.1,
        1e300,
        5e-324,
    ];
    match float {
        FloatType::F32 => prop_oneof![
            1 => proptest::sample::select(specials).prop_map(|f| f as f32 as f64),
            1 => Just(f32::MAX as f64),
            1 => Just(f32::from_bits(1) as f64),
            4 => any::<f32>().prop_map(f64::from),
        ]
        .boxed(),
        FloatType::F64 => prop_oneof![
            1 => proptest::sample::select(specials),
            4 => any::<f64>(),
        ]
        .boxed(),
    }
}

/// Values of `ty`: short strings and arrays, nesting cut off after `depth` levels, sometimes unknown
/// fields and variants, enum numbers the schema does not define, and integers at their bounds.
fn value_strategy(ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    let schema = core_schema();
    match ty {
        Type::Alias { target, .. } => value_strategy(target, depth),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int { int, range } => {
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            prop_oneof![
                proptest::sample::select(vec![lo, hi, lo.max(0).min(hi)]),
                (0u64..=u64::MAX).prop_map(move |x| lo + (x as i128).rem_euclid(hi - lo + 1)),
            ]
            .prop_map(Value::Int)
            .boxed()
        }
        Type::Float { float } => float_strategy(*float).prop_map(Value::Float).boxed(),
        Type::String { max_len } => {
            let max = (*max_len as usize).min(8);
            proptest::collection::vec(any::<char>(), 0..=max)
                .prop_map(move |cs| {
                    let mut s: String = cs.into_iter().collect();
                    while s.len() > max {
                        s.pop();
                    }
                    Value::Text(s)
                })
                .boxed()
        }
        Type::Bytes { max_len } => {
            proptest::collection::vec(any::<u8>(), 0..=(*max_len as usize).min(8))
                .prop_map(Value::Bytes)
                .boxed()
        }
        Type::FixedBytes { len } => proptest::collection::vec(any::<u8>(), *len as usize)
            .prop_map(Value::Bytes)
            .boxed(),
        Type::Array { element, max_items } => {
            let max = if depth == 0 {
                0
            } else {
                (*max_items as usize).min(3)
            };
            proptest::collection::vec(value_strategy(element, depth.saturating_sub(1)), 0..=max)
                .prop_map(Value::Array)
                .boxed()
        }
        Type::Enum { name } => {
            let Some(TypeKind::Enum { values, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                unreachable!()
            };
            let numbers: Vec<u32> = values.iter().map(|v| v.value).collect();
            prop_oneof![6 => proptest::sample::select(numbers), 1 => any::<u32>()]
                .prop_map(Value::Enum)
                .boxed()
        }
        Type::Message { name } => {
            let Some(TypeKind::Message { fields, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                unreachable!()
            };
            let parts: Vec<BoxedStrategy<Option<Entry>>> = fields
                .iter()
                .map(|f| {
                    let key = f.key;
                    let v = value_strategy(&f.ty, depth.saturating_sub(1))
                        .prop_map(move |v| Some(Entry::Field(key, v)));
                    match f.presence {
                        Presence::Required => v.boxed(),
                        _ if depth == 0 => Just(None).boxed(),
                        _ => prop_oneof![Just(None), v].boxed(),
                    }
                })
                .collect();
            let unknown_value = proptest::sample::select(vec![
                vec![0xf6],
                vec![0x17],
                vec![0x61, b'x'],
                vec![0x82, 0x01, 0xa0],
                vec![0xf9, 0x7e, 0x00],
            ]);
            let unknown = prop_oneof![
                3 => Just(None),
                1 => (60_000u64..=65_535, unknown_value).prop_map(|(k, v)| Some(Entry::Unknown(k, v))),
            ];
            (parts, unknown)
                .prop_map(|(entries, extra)| {
                    let mut entries: Vec<Entry> =
                        entries.into_iter().flatten().chain(extra).collect();
                    entries.sort_by_key(Entry::key);
                    Value::Message(entries)
                })
                .boxed()
        }
        Type::Union { name } => {
            let Some(TypeKind::Union { variants, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                unreachable!()
            };
            let mut options: Vec<BoxedStrategy<Value>> = variants
                .iter()
                .filter(|v| {
                    depth > 0
                        || !matches!(
                            v.ty.as_ref().map(Type::resolved),
                            Some(Type::Message { .. } | Type::Union { .. })
                        )
                })
                .map(|v| {
                    let key = v.key as u64;
                    match &v.ty {
                        None => Just(Value::Union(key, UnionValue::Unit)).boxed(),
                        Some(t) => value_strategy(t, depth.saturating_sub(1))
                            .prop_map(move |x| Value::Union(key, UnionValue::Value(Box::new(x))))
                            .boxed(),
                    }
                })
                .collect();
            options.push(
                (60_000u64..=65_535)
                    .prop_map(|k| Value::Union(k, UnionValue::Unknown(vec![0x80])))
                    .boxed(),
            );
            proptest::strategy::Union::new(options).boxed()
        }
    }
}

/// A random value of a random core type: (type name, its type, its encoding).
fn any_typed_value() -> impl Strategy<Value = (String, Type, Vec<u8>)> {
    let strategies: Vec<BoxedStrategy<(String, Type, Vec<u8>)>> = TYPE_NAMES
        .iter()
        .map(|name| {
            let ty = type_of(name);
            let name = name.to_string();
            value_strategy(&ty, 4)
                .prop_filter_map("the value must fit the schema", move |v| {
                    reflect::encode(core_schema(), &ty, &v)
                        .ok()
                        .map(|bytes| (name.clone(), ty.clone(), bytes))
                })
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(strategies)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn generated_and_reflection_json_agree((name, ty, bytes) in any_typed_value()) {
        let text = json_text(&name, &bytes).map_err(TestCaseError::fail)?;
        let decoded = reflect::decode(core_schema(), &ty, &bytes)
            .map_err(|e| TestCaseError::fail(format!("{name}: reflection rejects: {e:?}")))?;
        let expected = reflect::to_json(core_schema(), &ty, &decoded.value);
        let got: Json = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&got, &expected, "{}: JSON differs", name);
        prop_assert_eq!(&text, &serde_json::to_string(&expected).unwrap(), "{}: member order", name);
        let encoded = from_json(&name, &mut serde_json::Deserializer::from_str(&text))
            .unwrap()
            .map_err(|e| TestCaseError::fail(format!("{name}: {e} reading {text}")))?;
        prop_assert_eq!(encoded, bytes, "{}: {} encodes differently", name, text);
    }
}

#[test]
fn by_name_functions_know_exactly_the_generated_types() {
    for name in TYPE_NAMES {
        assert!(to_json(name, &[], serde_json::value::Serializer).is_some());
        assert!(from_json(name, Json::Null).is_some());
    }
    assert!(to_json("iotp2p.core.NoSuchType", &[], serde_json::value::Serializer).is_none());
    assert!(from_json("u8", Json::Null).is_none());
}
