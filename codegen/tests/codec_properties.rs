//! Properties of the generated core codec (`iotp2p_codec`), checked against two independent readers:
//! the schema-driven reflection codec of this crate and a generic CBOR library (ciborium).
//!
//! - value → encode → decode: any value of any core type, encoded canonically, is accepted by the
//!   generated codec, which re-encodes exactly the same bytes; ciborium reads the bytes as a
//!   deterministic encoding with sorted keys.
//! - bytes → decode → encode: for arbitrary and mutated inputs the generated codec and the reflection
//!   codec agree on accept/reject, on the error class and on the offset; whatever is accepted
//!   re-encodes to the identical bytes. Nothing panics.
//! - error names: every `rt::field!("Type.member", key N)` of the generated code (a decoder's field,
//!   a required field, an encoder's bound and range checks) pairs a member with its own key, and a
//!   decoder's error names each member as the schema does (`Type.member`; the codec's feature
//!   `field-keys`, which names it `key N` instead, is held to the same keys by the codec's
//!   `tests/error_fields.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iotp2p_codec::generated::{transcode, TYPE_NAMES};
use iotp2p_codec::runtime::{ErrorClass, TranscodeError, FIELDS_BY_KEY};
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

/// Every member of every message and union, by package: `Type.member` to its key.
fn members(schema: &Schema) -> BTreeMap<String, BTreeMap<String, u32>> {
    let mut by_package = BTreeMap::new();
    for package in &schema.packages {
        let labels: &mut BTreeMap<String, u32> =
            by_package.entry(package.name.clone()).or_default();
        for def in &package.types {
            let keyed: Vec<(&str, u32)> = match &def.kind {
                TypeKind::Message { fields, .. } => {
                    fields.iter().map(|f| (f.name.as_str(), f.key)).collect()
                }
                TypeKind::Union { variants, .. } => {
                    variants.iter().map(|v| (v.name.as_str(), v.key)).collect()
                }
                _ => continue,
            };
            for (member, key) in keyed {
                labels.insert(format!("{}.{member}", def.name), key);
            }
        }
    }
    by_package
}

/// `{key: undefined}`: a map of one entry whose value no member accepts (a simple value other than
/// false, true and null), so that the member's own read fails.
fn undefined_at(key: u32) -> Vec<u8> {
    let mut input = vec![0xa1];
    match key {
        0..=23 => input.push(key as u8),
        24..=255 => input.extend([0x18, key as u8]),
        _ => input.extend([0x19, (key >> 8) as u8, key as u8]),
    }
    input.push(0xf7);
    input
}

/// Each name the generated code writes is a member of its package's schema, with that member's key.
#[test]
fn every_name_in_the_generated_code_has_its_members_key() {
    let schema = core_schema();
    let members = members(&schema);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codec/src/generated");
    let mut sites = 0;
    for (file, package) in [
        ("iotp2p_core.rs", "iotp2p.core"),
        ("iotp2p_security.rs", "iotp2p.security"),
        ("iotp2p_capabilities.rs", "iotp2p.capabilities"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let labels = &members[package];
        // `"Type.member", key N)`: the tail of every `field!`, `required!`, `check_bound!` and
        // `check_range!` call.
        for (at, _) in text.match_indices("\", key ") {
            let open = text[..at].rfind('"').unwrap();
            let label = &text[open + 1..at];
            let digits: String = text[at + 7..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let key: u32 = digits.parse().unwrap();
            assert_eq!(labels.get(label), Some(&key), "{file}: {label}, key {key}");
            sites += 1;
        }
    }
    // A decoder's arm per member, plus the required fields and the encoders' checks.
    let all: usize = members.values().map(BTreeMap::len).sum();
    assert!(sites > all, "{sites} names for {all} members");
}

/// A decoder's error names the member whose value failed, `Type.member` as the schema has it, for
/// every member of every message and union; and `{}` names the first required field, if any.
#[test]
fn every_member_of_every_type_is_named_as_in_the_schema() {
    let schema = core_schema();
    let mut checked = 0;
    for package in &schema.packages {
        for def in &package.types {
            let (keyed, first_required): (Vec<(&str, u32)>, Option<&str>) = match &def.kind {
                TypeKind::Message { fields, .. } => (
                    fields.iter().map(|f| (f.name.as_str(), f.key)).collect(),
                    fields
                        .iter()
                        .find(|f| matches!(f.presence, Presence::Required))
                        .map(|f| f.name.as_str()),
                ),
                TypeKind::Union { variants, .. } => (
                    variants.iter().map(|v| (v.name.as_str(), v.key)).collect(),
                    None,
                ),
                _ => continue,
            };
            let decode = |input: &[u8]| match transcode(&def.full_name, input, &mut [0; 64]) {
                Some(Err(TranscodeError::Decode(e))) => e,
                other => panic!("{} {input:02x?}: {other:?}", def.full_name),
            };
            // A build that unifies the codec's feature `field-keys` names members by key.
            let named = |member: &str, key: u32| match FIELDS_BY_KEY {
                true => format!("key {key}"),
                false => format!("{}.{member}", def.name),
            };
            for (member, key) in &keyed {
                let e = decode(&undefined_at(*key));
                assert_eq!(e.field(), named(member, *key), "key {key}");
                checked += 1;
            }
            if let Some(member) = first_required {
                let e = decode(&[0xa0]);
                assert_eq!(e.class(), ErrorClass::MissingField);
                let key = keyed
                    .iter()
                    .find(|(m, _)| *m == member)
                    .map_or(0, |(_, k)| *k);
                assert_eq!(e.field(), named(member, key));
            }
        }
    }
    assert!(checked > 300, "{checked}");
}
