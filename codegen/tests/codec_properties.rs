//! Properties of the generated core codec (`iotp2p_codec`), checked against two independent readers:
//! the schema-driven reflection codec of this crate and a generic CBOR library (ciborium).
//!
//! - value → encode → decode: any value of any core type, encoded canonically, is accepted by the
//!   generated codec, which re-encodes exactly the same bytes; ciborium reads the bytes as a
//!   deterministic encoding with sorted keys.
//! - bytes → decode → encode: for arbitrary and mutated inputs the generated codec and the reflection
//!   codec agree on accept/reject, on the error class and on the offset; whatever is accepted
//!   re-encodes to the identical bytes. Nothing panics.

use std::path::{Path, PathBuf};

use iotp2p_codec::generated::{transcode, TYPE_NAMES};
use iotp2p_codec::runtime::TranscodeError;
use iotp2p_codegen::ir::{FloatType, Presence, Schema, Type, TypeKind};
use iotp2p_codegen::reflect::{self, types::named, Entry, UnionValue, Value};
use proptest::prelude::*;

fn core_schema() -> Schema {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/schema");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iotp"))
        .collect();
    files.sort();
    let c = iotp2p_codegen::compile(&files, &iotp2p_codegen::FsLoader::default());
    c.schema.expect("the core schema compiles")
}

fn type_of(schema: &Schema, name: &str) -> Type {
    let def = schema
        .find_type(name)
        .expect("a generated type is in the schema");
    named(&def.full_name, &def.kind)
}

/// Values of `ty`, kept small: short strings and arrays, nesting cut off after `depth` levels (where
/// optional fields are left out, arrays are empty and unions prefer variants without messages).
fn value_strategy(schema: &Schema, ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    match ty {
        Type::Alias { target, .. } => value_strategy(schema, target, depth),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Int { int, range } => {
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            let edges = vec![
                lo,
                hi,
                lo.max(0).min(hi),
                (lo.max(0) + 23).min(hi),
                (lo.max(0) + 24).min(hi),
            ];
            prop_oneof![
                proptest::sample::select(edges),
                (0u64..=u64::MAX).prop_map(move |x| lo + (x as i128).rem_euclid(hi - lo + 1)),
            ]
            .prop_map(Value::Int)
            .boxed()
        }
        Type::Float {
            float: FloatType::F32,
        } => any::<f32>().prop_map(|f| Value::Float(f as f64)).boxed(),
        Type::Float {
            float: FloatType::F64,
        } => any::<f64>().prop_map(Value::Float).boxed(),
        Type::String { max_len } => {
            let max = (*max_len as usize).min(12);
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
            proptest::collection::vec(any::<u8>(), 0..=(*max_len as usize).min(12))
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
            proptest::collection::vec(
                value_strategy(schema, element, depth.saturating_sub(1)),
                0..=max,
            )
            .prop_map(Value::Array)
            .boxed()
        }
        Type::Enum { name } => {
            let Some(TypeKind::Enum { values, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                unreachable!()
            };
            let numbers: Vec<u32> = values.iter().map(|v| v.value).collect();
            prop_oneof![8 => proptest::sample::select(numbers), 1 => any::<u32>()]
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
                    let v = value_strategy(schema, &f.ty, depth.saturating_sub(1))
                        .prop_map(move |v| Some(Entry::Field(key, v)));
                    match f.presence {
                        Presence::Required => v.boxed(),
                        _ if depth == 0 => Just(None).boxed(),
                        _ => prop_oneof![Just(None), v].boxed(),
                    }
                })
                .collect();
            // Now and then an unknown field, as a newer schema would add it.
            let unknown = prop_oneof![
                4 => Just(None),
                1 => (60_000u64..=65_535, any::<u8>()).prop_map(|(k, v)| Some(Entry::Unknown(k, vec![v & 0x17]))),
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
            let options: Vec<BoxedStrategy<Value>> = variants
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
                        Some(t) => value_strategy(schema, t, depth.saturating_sub(1))
                            .prop_map(move |x| Value::Union(key, UnionValue::Value(Box::new(x))))
                            .boxed(),
                    }
                })
                .collect();
            let fallback = (60_000u64..=65_535)
                .prop_map(|k| Value::Union(k, UnionValue::Unknown(vec![0xf6])))
                .boxed();
            if options.is_empty() {
                fallback
            } else {
                proptest::strategy::Union::new(options).boxed()
            }
        }
    }
}

fn any_typed_value() -> impl Strategy<Value = (String, Vec<u8>)> {
    let schema = core_schema();
    let strategies: Vec<BoxedStrategy<(String, Vec<u8>)>> = TYPE_NAMES
        .iter()
        .map(|name| {
            let ty = type_of(&schema, name);
            let schema = schema.clone();
            let name = name.to_string();
            value_strategy(&schema.clone(), &ty, 4)
                .prop_filter_map("the value must fit the schema", move |v| {
                    reflect::encode(&schema, &ty, &v)
                        .ok()
                        .map(|bytes| (name.clone(), bytes))
                })
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(strategies)
}

fn transcoded(name: &str, input: &[u8]) -> Result<Vec<u8>, TranscodeError> {
    let mut out = vec![0u8; input.len() + 64];
    let n = transcode(name, input, &mut out).expect("a generated type")?;
    out.truncate(n);
    Ok(out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn canonical_values_round_trip_through_the_generated_codec((name, bytes) in any_typed_value()) {
        let again = transcoded(&name, &bytes).map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
        prop_assert_eq!(&again, &bytes, "{} re-encodes differently", name);
        // A generic CBOR library reads it as a deterministic encoding.
        let generic: ciborium::value::Value = ciborium::from_reader(&bytes[..]).unwrap();
        let mut reencoded = Vec::new();
        ciborium::into_writer(&generic, &mut reencoded).unwrap();
        prop_assert_eq!(reencoded, bytes);
    }

    #[test]
    fn generated_and_reflection_decoders_agree_on_any_input(
        index in 0..TYPE_NAMES.len(),
        bytes in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        agree(TYPE_NAMES[index], &bytes)?;
    }

    #[test]
    fn generated_and_reflection_decoders_agree_on_mutated_input(
        (name, bytes) in any_typed_value(),
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<bool>(),
    ) {
        let mut mutated = bytes.clone();
        let i = position.index(mutated.len().max(1)).min(mutated.len().saturating_sub(1));
        if cut {
            mutated.truncate(i);
        } else if !mutated.is_empty() {
            mutated[i] = byte;
        }
        agree(&name, &mutated)?;
    }
}

fn agree(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let schema = core_schema_cached();
    let ty = type_of(schema, name);
    let generated = transcoded(name, bytes);
    let reflected = reflect::decode(schema, &ty, bytes);
    match (generated, reflected) {
        (Ok(out), Ok(_)) => prop_assert_eq!(
            out,
            bytes.to_vec(),
            "{}: accepted input re-encodes differently",
            name
        ),
        (Err(TranscodeError::Decode(g)), Err(r)) => {
            prop_assert_eq!(
                (g.class(), g.offset()),
                (r.class, r.offset),
                "{}: decoders disagree on {:02x?}",
                name,
                bytes
            )
        }
        (g, r) => prop_assert!(
            false,
            "{name}: generated {g:?} but reflection {r:?} on {bytes:02x?}"
        ),
    }
    Ok(())
}

fn core_schema_cached() -> &'static Schema {
    static SCHEMA: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(core_schema)
}

#[test]
fn every_generated_type_is_in_the_schema() {
    let schema = core_schema();
    for name in TYPE_NAMES {
        assert!(schema.find_type(name).is_some(), "{name}");
    }
}
