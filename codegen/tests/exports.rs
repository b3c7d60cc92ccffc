//! The exports checked against the standard's own test data: the CDDL of `iotp2p gen cddl` with an
//! independent RFC 8610 implementation (the `cddl` crate), the JSON Schema of
//! `iotp2p gen json-schema` with the `jsonschema` crate.
//!
//! - Every valid conformance vector (conformance/vectors/*.json) must validate: its canonical bytes
//!   against the CDDL, its canonical JSON (and the JSON an encode vector reads) against the JSON
//!   Schema. So must every valid worked example of the spec.
//! - Invalid vectors whose violation a schema language can express (wrong type, bound exceeded, out of
//!   range, missing field, invalid union, unknown member names) must not validate, except the cases
//!   listed in `CDDL_BLIND` / `JSON_BLIND` with the reason, and those `Tally::record_cddl` recognises
//!   by their content (a float where an `f32` is out of range, a key above 65535, an unknown variant
//!   in a valid value: limitations of the `cddl` crate, see the CDDL backend's module doc). Violations of the deterministic
//!   encoding (shortest heads, key order, canonical floats, defaults present, depth) are outside what
//!   CDDL can say: they are counted, not asserted.
//! - Values derived from valid vectors by one schema-level change (a field of the wrong type, a
//!   required field removed, an integer one past its range, an unknown member name) must not
//!   validate: this checks every field of every type the vectors use, whatever the vectors are.
//!
//! Run with `--nocapture` to see the tallies.

#[path = "exports/vectors.rs"]
mod vectors;

#[path = "support/golden_dir.rs"]
mod golden_dir;
use golden_dir::check_dir;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use ciborium::value::Value as Cbor;
use iotp2p_codegen::backend::docs::{self, Expect};
use iotp2p_codegen::backend::{cddl, json_schema};
use iotp2p_codegen::ir::{Presence, Schema, Type, TypeKind};
use iotp2p_codegen::reflect::{self, types::resolve_type};
use iotp2p_codegen::FsLoader;
use serde_json::{json, Value};
use vectors::Case;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

fn iotp_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iotp"))
        .collect();
    files.sort();
    files
}

/// The core schema and the conformance schema, with their sources (for type expressions).
fn schema() -> (Schema, Vec<(String, String)>) {
    let root = root();
    let mut files = iotp_files(&root.join("spec/schema"));
    files.push(root.join("conformance/schema/conformance.iotp"));
    let c = iotp2p_codegen::compile(&files, &FsLoader::default());
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
    let sources = files
        .iter()
        .map(|f| (f.display().to_string(), std::fs::read_to_string(f).unwrap()))
        .collect();
    (c.schema.unwrap(), sources)
}

/// Invalid vectors the CDDL cannot reject, by id prefix, with the reason.
const CDDL_BLIND: &[(&str, &str)] = &[
    (
        "wire.integers.u8.wrong-type-bytes",
        "the cddl crate matches a byte string against a range such as 0..255 (a crate bug)",
    ),
    (
        "wire.maps.key.negative",
        "the cddl crate matches a negative key against `* uint => any` (a crate bug)",
    ),
    (
        "wire.unknown.field.map.",
        "unknown content is `any`: the profile's rules for every map (unsigned keys) are not CDDL",
    ),
];

/// Invalid JSON inputs the JSON Schema cannot reject, by id prefix, with the reason.
const JSON_BLIND: &[(&str, &str)] = &[
    (
        "encode.json.integer.point-zero",
        "100.0 is the JSON Schema value 100, an integer (IOTP-WIRE-68 rejects it)",
    ),
    (
        "encode.values.bound.text-bytes",
        "the bound counts bytes of UTF-8, maxLength counts characters",
    ),
    ("encode.values.depth.", "depth limits"),
];

/// Whether the CBOR holds a float (anywhere): an `f32` given a double is out of range, which
/// `float16-32` says, but the `cddl` crate decodes every float to an f64 and cannot tell the widths
/// apart.
fn has_float(bytes: &[u8]) -> bool {
    fn walk(v: &Cbor) -> bool {
        match v {
            Cbor::Float(_) => true,
            Cbor::Map(entries) => entries.iter().any(|(k, v)| walk(k) || walk(v)),
            Cbor::Array(items) => items.iter().any(walk),
            Cbor::Tag(_, v) => walk(v),
            _ => false,
        }
    }
    ciborium::de::from_reader::<Cbor, _>(bytes).is_ok_and(|v| walk(&v))
}

/// Whether the CBOR holds a map key above 65535 (anywhere): the generated CDDL takes unknown fields
/// as `* uint => any` (the `cddl` crate cannot match a range there), so it cannot see it.
fn has_large_key(bytes: &[u8]) -> bool {
    fn walk(v: &Cbor) -> bool {
        match v {
            Cbor::Map(entries) => entries.iter().any(|(k, v)| {
                k.as_integer().is_some_and(|k| i128::from(k) > 65535) || walk(k) || walk(v)
            }),
            Cbor::Array(items) => items.iter().any(walk),
            Cbor::Tag(_, v) => walk(v),
            _ => false,
        }
    }
    ciborium::de::from_reader::<Cbor, _>(bytes).is_ok_and(|v| walk(&v))
}

/// Whether the vector still holds for the schema as it is now, by the reflection codec: the schema
/// and the vectors are edited apart (drafts of a new version), so a vector may be stale. Stale
/// vectors are counted and skipped.
fn agrees(schema: &Schema, ty: &Type, c: &Case) -> bool {
    let encoded = |json: &Value| {
        reflect::from_json(schema, ty, json).and_then(|v| reflect::encode(schema, ty, &v))
    };
    if c.valid {
        let Some((hex, json)) = &c.canonical else {
            return true;
        };
        let decoded = match reflect::decode(schema, ty, hex) {
            Ok(d) => d,
            Err(_) => return false,
        };
        if &reflect::to_json(schema, ty, &decoded.value) != json {
            return false;
        }
        match &c.json {
            Some(input) => encoded(input).as_ref() == Ok(hex),
            None => true,
        }
    } else if let Some(bytes) = &c.cbor {
        reflect::decode(schema, ty, bytes).is_err()
    } else {
        encoded(c.json.as_ref().unwrap()).is_err()
    }
}

/// Whether a value of `ty` in canonical JSON holds an unknown variant somewhere.
fn has_unknown_variant(schema: &Schema, ty: &Type, json: &Value) -> bool {
    match ty.resolved() {
        Type::Array { element, .. } => json
            .as_array()
            .is_some_and(|a| a.iter().any(|j| has_unknown_variant(schema, element, j))),
        Type::Message { name } | Type::Union { name } => {
            let (Some(t), Some(object)) = (schema.find_type(name), json.as_object()) else {
                return false;
            };
            match &t.kind {
                TypeKind::Message { fields, .. } => fields.iter().any(|f| {
                    object
                        .get(&f.name)
                        .is_some_and(|j| has_unknown_variant(schema, &f.ty, j))
                }),
                TypeKind::Union { variants, .. } => {
                    object.keys().any(|k| k.starts_with('#'))
                        || variants.iter().any(|v| match (&v.ty, object.get(&v.name)) {
                            (Some(ty), Some(j)) => has_unknown_variant(schema, ty, j),
                            _ => false,
                        })
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Classes a schema language can express (for CDDL: of the bytes' CBOR data model).
const SCHEMA_CLASSES: &[&str] = &[
    "wrong-type",
    "bound-exceeded",
    "out-of-range",
    "missing-field",
    "invalid-union",
    "invalid-value",
];

fn blind_reason<'a>(list: &'a [(&str, &str)], id: &str) -> Option<&'a str> {
    list.iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, why)| *why)
}

// ---------------------------------------------------------------------------------------------
// CDDL

struct CddlCheck {
    /// The generated files, concatenated.
    all: String,
    /// Per type: its root rule.
    roots: HashMap<String, String>,
}

impl CddlCheck {
    fn new(schema: &Schema, types: impl IntoIterator<Item = (String, Type)>) -> Self {
        let all: String = cddl::generate(schema)
            .into_iter()
            .map(|f| f.contents)
            .collect::<Vec<_>>()
            .join("\n");
        let roots = types
            .into_iter()
            .map(|(name, ty)| (name, cddl::root_rule(schema, "root", &ty)))
            .collect();
        CddlCheck { all, roots }
    }

    /// Validates each (type, bytes) pair; `Err` carries the validator's message.
    fn run(&self, cases: &[(String, Vec<u8>)]) -> Vec<Result<(), String>> {
        // The package files are parsed once (the crate's parser is slow), then each root rule,
        // put first: the same document as `root = ...` followed by the files.
        let all = ::cddl::parser::cddl_from_str(&self.all, false)
            .unwrap_or_else(|e| panic!("the generated CDDL does not parse: {e}"));
        let mut parsed = HashMap::new();
        for (name, text) in &self.roots {
            let root = ::cddl::parser::cddl_from_str(text, false)
                .unwrap_or_else(|e| panic!("the root rule of {name} does not parse: {e}"));
            let mut rules = root.rules;
            rules.extend(all.rules.iter().cloned());
            parsed.insert(
                name.clone(),
                ::cddl::ast::CDDL {
                    rules,
                    ..Default::default()
                },
            );
        }
        cases
            .iter()
            .map(|(name, bytes)| {
                let doc = &parsed[name];
                // Decoded by ciborium, then converted: the crate's own decoder reserves memory for
                // the item count a head announces (a truncated input that announces 2^32 items
                // exhausts memory).
                let value: Cbor =
                    ciborium::de::from_reader(&bytes[..]).map_err(|e| format!("not CBOR: {e}"))?;
                let value = ::cddl::validator::cbor_value::Value::from(value);
                let mut v = ::cddl::validator::cbor::CBORValidator::new(doc, value, None);
                ::cddl::validator::Validator::validate(&mut v).map_err(|e| e.to_string())
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// JSON Schema

struct JsonCheck {
    registry: jsonschema::Registry<'static>,
}

impl JsonCheck {
    fn new(schema: &Schema) -> Self {
        let mut registry = jsonschema::Registry::new();
        for p in &schema.packages {
            let doc = json_schema::package_document(schema, p);
            registry = registry
                .add(json_schema::document_id(&p.name), doc)
                .expect("a valid URI");
        }
        JsonCheck {
            registry: registry.prepare().expect("the documents prepare"),
        }
    }

    fn validator(&self, schema: &Schema, ty: &Type) -> jsonschema::Validator {
        let mut root = json_schema::type_schema(schema, ty, None);
        root["$schema"] = json!(json_schema::DRAFT);
        jsonschema::options()
            .with_registry(&self.registry)
            .build(&root)
            .unwrap_or_else(|e| panic!("the JSON Schema does not build: {e}"))
    }
}

/// The generated documents are valid JSON Schema 2020-12 (checked against the meta-schema).
#[test]
fn json_schema_documents_are_valid_schemas() {
    let (schema, _) = schema();
    for p in &schema.packages {
        let doc = json_schema::package_document(&schema, p);
        assert!(
            jsonschema::meta::is_valid(&doc),
            "{}: not a valid JSON Schema",
            p.name
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Mutations: one schema-level change of a valid value.

/// Integer bounds of a type (through aliases), if it is an integer.
fn int_bounds(ty: &Type) -> Option<(i128, i128)> {
    match ty.resolved() {
        Type::Int { int, range } => Some(range.map_or(int.bounds(), |r| (r.min, r.max))),
        _ => None,
    }
}

fn message_fields<'s>(schema: &'s Schema, ty: &Type) -> Option<&'s [iotp2p_codegen::ir::Field]> {
    let Type::Message { name } = ty.resolved() else {
        return None;
    };
    match &schema.find_type(name)?.kind {
        TypeKind::Message { fields, .. } => Some(fields),
        _ => None,
    }
}

/// JSON mutations of a valid message value, each with what it breaks.
fn json_mutations(schema: &Schema, ty: &Type, value: &Value) -> Vec<(String, Value)> {
    let (Some(fields), Some(object)) = (message_fields(schema, ty), value.as_object()) else {
        return Vec::new();
    };
    let mut out = vec![("unknown member name".to_string(), {
        let mut v = value.clone();
        v["no_such_field"] = json!(1);
        v
    })];
    for f in fields {
        let Some(current) = object.get(&f.name) else {
            continue;
        };
        if f.presence == Presence::Required {
            let mut v = value.clone();
            v.as_object_mut().unwrap().remove(&f.name);
            out.push((format!("required `{}` removed", f.name), v));
        }
        let wrong = if current.is_boolean() {
            json!("true")
        } else {
            json!(true)
        };
        let mut v = value.clone();
        v[&f.name] = wrong;
        out.push((format!("`{}` of the wrong type", f.name), v));
        if let Some((_, max)) = int_bounds(&f.ty) {
            if max < u64::MAX as i128 {
                let mut v = value.clone();
                v[&f.name] = serde_json::from_str(&(max + 1).to_string()).unwrap();
                out.push((format!("`{}` above its range", f.name), v));
            }
        }
        if let Type::FixedBytes { .. } | Type::Bytes { .. } = f.ty.resolved() {
            let mut v = value.clone();
            v[&f.name] = json!("0G");
            out.push((format!("`{}` not lowercase hex", f.name), v));
        }
    }
    out
}

/// CBOR mutations of a valid message value, each with what it breaks.
fn cbor_mutations(schema: &Schema, ty: &Type, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let Some(fields) = message_fields(schema, ty) else {
        return Vec::new();
    };
    let Ok(Cbor::Map(entries)) = ciborium::de::from_reader::<Cbor, _>(bytes) else {
        return Vec::new();
    };
    let encode = |entries: Vec<(Cbor, Cbor)>| {
        let mut out = Vec::new();
        ciborium::ser::into_writer(&Cbor::Map(entries), &mut out).unwrap();
        out
    };
    let mut out = Vec::new();
    for f in fields {
        let Some(pos) = entries
            .iter()
            .position(|(k, _)| k.as_integer() == Some(f.key.into()))
        else {
            continue;
        };
        if f.presence == Presence::Required {
            let mut e = entries.clone();
            e.remove(pos);
            out.push((format!("required `{}` removed", f.name), encode(e)));
        }
        let wrong = if entries[pos].1.is_text() {
            Cbor::Bool(true)
        } else {
            Cbor::Text("x".into())
        };
        let mut e = entries.clone();
        e[pos].1 = wrong;
        out.push((format!("`{}` of the wrong type", f.name), encode(e)));
        if let Some((_, max)) = int_bounds(&f.ty) {
            if max < u64::MAX as i128 {
                let mut e = entries.clone();
                e[pos].1 = Cbor::Integer((max + 1).try_into().unwrap());
                out.push((format!("`{}` above its range", f.name), encode(e)));
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The tests

/// The cases that `keep` selects and that still hold for the schema as it is now, the types they
/// use, and how many were stale.
fn current(
    schema: &Schema,
    sources: &[(String, String)],
    cases: Vec<Case>,
    keep: impl Fn(&Case) -> bool,
) -> (Vec<Case>, BTreeMap<String, Type>, usize) {
    let mut types = BTreeMap::new();
    let mut out = Vec::new();
    let mut stale = 0;
    for c in cases.into_iter().filter(keep) {
        let Ok(ty) = resolve_type(schema, sources, &c.type_name) else {
            stale += 1;
            continue;
        };
        if !agrees(schema, &ty, &c) {
            stale += 1;
            continue;
        }
        types.insert(c.type_name.clone(), ty);
        out.push(c);
    }
    (out, types, stale)
}

#[derive(Default)]
struct Tally {
    /// Per class (valid: "valid"): (rejected, accepted).
    by_class: BTreeMap<String, (usize, usize)>,
    failures: Vec<String>,
    /// Valid values that the cddl crate rejects for a known limitation of its own.
    excused: Vec<String>,
}

impl Tally {
    /// As `record`, but a valid value holding an unknown variant is excused when the crate rejects
    /// it: the generated rule (`{ <Union>-unknown-key => any }`, a key type that excludes the
    /// known keys) is RFC 8610, but the `cddl` crate 0.10 matches no map against a key type that
    /// is a range.
    fn record_cddl(
        &mut self,
        schema: &Schema,
        ty: &Type,
        case: &Case,
        outcome: &Result<(), String>,
    ) {
        let json = case
            .canonical
            .as_ref()
            .map(|(_, j)| j)
            .or(case.json.as_ref());
        if case.valid
            && outcome.is_err()
            && json.is_some_and(|j| has_unknown_variant(schema, ty, j))
        {
            self.excused.push(case.id.clone());
            self.by_class
                .entry("valid, unknown variant (crate limitation)".into())
                .or_default()
                .0 += 1;
            return;
        }
        if !case.valid && outcome.is_ok() && case.cbor.as_deref().is_some_and(has_large_key) {
            self.excused.push(format!("{} (key above 65535)", case.id));
            self.by_class
                .entry(format!("{}, key above 65535", case.class))
                .or_default()
                .1 += 1;
            return;
        }
        if !case.valid
            && outcome.is_ok()
            && case.class == "out-of-range"
            && case.cbor.as_deref().is_some_and(has_float)
        {
            self.excused.push(format!("{} (float width)", case.id));
            self.by_class
                .entry("out-of-range, float width".into())
                .or_default()
                .1 += 1;
            return;
        }
        self.record(case, outcome, CDDL_BLIND);
    }

    fn record(&mut self, case: &Case, outcome: &Result<(), String>, blind: &[(&str, &str)]) {
        let class = if case.valid { "valid" } else { &case.class };
        let entry = self.by_class.entry(class.to_string()).or_default();
        match outcome {
            Ok(()) => entry.1 += 1,
            Err(_) => entry.0 += 1,
        }
        match (case.valid, outcome) {
            (true, Err(e)) => self.failures.push(format!(
                "{} ({}): valid but rejected: {e}",
                case.id, case.type_name
            )),
            (false, Ok(()))
                if SCHEMA_CLASSES.contains(&case.class.as_str())
                    && blind_reason(blind, &case.id).is_none() =>
            {
                self.failures.push(format!(
                    "{} ({}): {} but accepted",
                    case.id, case.type_name, case.class
                ))
            }
            _ => {}
        }
    }

    fn report(&self, what: &str) {
        eprintln!("{what}: class: rejected / accepted");
        if !self.excused.is_empty() {
            eprintln!("  excused (cddl crate limitations): {:?}", self.excused);
        }
        for (class, (rejected, accepted)) in &self.by_class {
            eprintln!("  {class}: {rejected} / {accepted}");
        }
        assert!(
            self.failures.is_empty(),
            "{what}: {} failures:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

#[test]
fn conformance_vectors_against_cddl() {
    let (schema, sources) = schema();
    let (cases, skipped) = vectors::cases(&root());
    let (cases, types, stale) = current(&schema, &sources, cases, |c| c.cbor.is_some());
    let check = CddlCheck::new(&schema, types.clone());
    let mut tally = Tally::default();
    let outcomes = check.run(
        &cases
            .iter()
            .map(|c| (c.type_name.clone(), c.cbor.clone().unwrap()))
            .collect::<Vec<_>>(),
    );
    for (case, outcome) in cases.iter().zip(&outcomes) {
        tally.record_cddl(&schema, &types[&case.type_name], case, outcome);
    }
    // Mutations of the valid ones.
    let mut mutated = Vec::new();
    for c in cases.iter().filter(|c| c.valid) {
        for (what, bytes) in cbor_mutations(&schema, &types[&c.type_name], c.cbor.as_ref().unwrap())
        {
            mutated.push((format!("{}: {what}", c.id), c.type_name.clone(), bytes));
        }
    }
    let outcomes = check.run(
        &mutated
            .iter()
            .map(|(_, t, b)| (t.clone(), b.clone()))
            .collect::<Vec<_>>(),
    );
    let mut accepted = Vec::new();
    for ((what, _, _), outcome) in mutated.iter().zip(&outcomes) {
        if outcome.is_ok() {
            accepted.push(what.clone());
        }
    }
    eprintln!(
        "CDDL: {skipped} vectors skipped (implementation-defined or JSON text), {stale} cases stale \
         (the schema changed since the vectors were generated); {} mutations, {} rejected",
        mutated.len(),
        mutated.len() - accepted.len()
    );
    tally.report("CDDL, conformance vectors");
    assert!(
        accepted.is_empty(),
        "mutations accepted by the CDDL:\n{}",
        accepted.join("\n")
    );
}

#[test]
fn conformance_vectors_against_json_schema() {
    let (schema, sources) = schema();
    let (cases, _) = vectors::cases(&root());
    let (cases, _, stale) = current(&schema, &sources, cases, |c| c.json.is_some());
    eprintln!(
        "JSON Schema: {stale} cases stale (the schema changed since the vectors were generated)"
    );
    let check = JsonCheck::new(&schema);
    let mut validators = HashMap::new();
    let mut tally = Tally::default();
    let mut mutations = 0;
    let mut accepted = Vec::new();
    for c in &cases {
        let ty = resolve_type(&schema, &sources, &c.type_name).unwrap();
        let v = validators
            .entry(c.type_name.clone())
            .or_insert_with(|| check.validator(&schema, &ty));
        let json = c.json.as_ref().unwrap();
        let outcome = v.validate(json).map_err(|e| e.to_string());
        tally.record(c, &outcome, JSON_BLIND);
        if c.valid {
            for (what, m) in json_mutations(&schema, &ty, json) {
                mutations += 1;
                if v.is_valid(&m) {
                    accepted.push(format!("{}: {what}: {m}", c.id));
                }
            }
        }
    }
    eprintln!(
        "JSON Schema: {mutations} mutations, {} rejected",
        mutations - accepted.len()
    );
    tally.report("JSON Schema, conformance vectors");
    assert!(
        accepted.is_empty(),
        "mutations accepted by the JSON Schema:\n{}",
        accepted.join("\n")
    );
}

/// The spec's worked examples: valid ones validate in both forms, rejected ones of a schema class
/// are rejected by the CDDL.
#[test]
fn spec_examples_against_both() {
    let (schema, sources) = schema();
    let spec = root().join("spec");
    let mut examples = Vec::new();
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(&spec)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    for path in chapters {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        examples.extend(docs::examples::extract(&text, &name).unwrap_or_else(|e| panic!("{e}")));
    }
    let mut types = BTreeMap::new();
    for e in &examples {
        let ty = resolve_type(&schema, &sources, &e.type_name)
            .unwrap_or_else(|err| panic!("{}: {err}", e.origin));
        types.insert(e.type_name.clone(), ty);
    }
    let cases: Vec<Case> = examples
        .iter()
        .map(|e| {
            let (valid, class, json) = match &e.expect {
                Expect::Valid { json, .. } => {
                    (true, String::new(), serde_json::from_str(json).ok())
                }
                Expect::Invalid { error, .. } => (false, error.clone(), None),
            };
            Case {
                id: format!("{} ({})", e.id, e.origin),
                type_name: e.type_name.clone(),
                cbor: Some(e.bytes().unwrap()),
                json,
                valid,
                class,
                canonical: None,
            }
        })
        .collect();
    let check = CddlCheck::new(&schema, types.clone());
    let outcomes = check.run(
        &cases
            .iter()
            .map(|c| (c.type_name.clone(), c.cbor.clone().unwrap()))
            .collect::<Vec<_>>(),
    );
    let mut tally = Tally::default();
    for (case, outcome) in cases.iter().zip(&outcomes) {
        tally.record_cddl(&schema, &types[&case.type_name], case, outcome);
    }
    tally.report("CDDL, spec examples");
    let json_check = JsonCheck::new(&schema);
    let mut tally = Tally::default();
    for c in cases.iter().filter(|c| c.valid) {
        let v = json_check.validator(&schema, &types[&c.type_name]);
        let json = c
            .json
            .as_ref()
            .unwrap_or_else(|| panic!("{}: the JSON does not parse", c.id));
        let outcome = v.validate(json).map_err(|e| e.to_string());
        let case = Case {
            json: Some(json.clone()),
            ..c.clone()
        };
        tally.record(&case, &outcome, JSON_BLIND);
    }
    tally.report("JSON Schema, spec examples");
}

// ---------------------------------------------------------------------------------------------
// Goldens of the compiler's test schemas

fn test_schemas() -> Schema {
    golden_dir::test_schemas(&root())
}

#[test]
fn test_schemas_match_golden_cddl() {
    let schema = test_schemas();
    let files = cddl::generate(&schema);
    // Each file, after those of the packages it imports, is CDDL the crate reads.
    let all: String = files
        .iter()
        .map(|f| f.contents.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    if let Err(e) = ::cddl::parser::cddl_from_str(&all, false) {
        panic!("the CDDL of the test schemas does not parse: {e}");
    }
    check_dir(&files, &root().join("codegen/tests/golden/cddl"));
}

#[test]
fn test_schemas_match_golden_json_schema() {
    let schema = test_schemas();
    for p in &schema.packages {
        let doc = json_schema::package_document(&schema, p);
        assert!(
            jsonschema::meta::is_valid(&doc),
            "{}: not a valid JSON Schema",
            p.name
        );
    }
    let check = JsonCheck::new(&schema);
    for p in &schema.packages {
        for t in &p.types {
            // Every definition builds, references included.
            let ty = match &t.kind {
                TypeKind::Message { .. } => Type::Message {
                    name: t.full_name.clone(),
                },
                TypeKind::Enum { .. } => Type::Enum {
                    name: t.full_name.clone(),
                },
                TypeKind::Union { .. } => Type::Union {
                    name: t.full_name.clone(),
                },
                TypeKind::Alias { target } => Type::Alias {
                    name: t.full_name.clone(),
                    target: Box::new(target.clone()),
                },
            };
            check.validator(&schema, &ty);
        }
    }
    check_dir(
        &json_schema::generate(&schema),
        &root().join("codegen/tests/golden/json_schema"),
    );
}

/// Extremes a valid schema may hold: the largest bounds, 64-bit ranges and defaults, deep array
/// nesting, extreme float defaults, mutual recursion through a union. Both exports render them,
/// the CDDL parses and every JSON Schema definition builds.
#[test]
fn extreme_schemas_export() {
    let text = r#"
/// Extremes.
package test.extremes version 1.0.0;

@range(-9223372036854775808..=9223372036854775807)
type Wide = i64;

message Big {
    0 s: string<16777216>;
    1 b: optional bytes<16777216>;
    2 f: optional bytes[65535];
    3 a: optional array<array<array<array<array<array<array<array<u64, 65535>, 1>, 1>, 1>, 1>, 1>, 1>, 1>;
    @range(18446744073709551615..)
    4 top: optional u64;
    5 huge: f64 = 1e308;
    6 tiny: f32 = -1e-45;
    7 w: Wide = -9223372036854775808;
    65535 last: optional Node;
}

@max_depth(16)
union Node {
    0 leaf;
    1 inner: Inner;
}

@max_depth(16)
message Inner {
    0 next: optional Node;
}
"#;
    let c = iotp2p_codegen::compile_str("extremes.iotp", text, &[]);
    let Some(schema) = c.schema else {
        panic!("the extreme schema does not compile: {:?}", c.diagnostics);
    };
    let files = cddl::generate(&schema);
    if let Err(e) = ::cddl::parser::cddl_from_str(&files[0].contents, false) {
        panic!("the CDDL does not parse: {e}\n{}", files[0].contents);
    }
    let check = JsonCheck::new(&schema);
    for t in &schema.packages[0].types {
        let ty = match &t.kind {
            TypeKind::Message { .. } => Type::Message {
                name: t.full_name.clone(),
            },
            TypeKind::Union { .. } => Type::Union {
                name: t.full_name.clone(),
            },
            _ => continue,
        };
        check.validator(&schema, &ty);
    }
    assert!(!json_schema::generate(&schema).is_empty());
}

/// `iotp2p gen cddl` and `iotp2p gen json-schema` write what the library generates, and `--check`
/// fails on a stale directory.
#[test]
fn cli_writes_and_checks() {
    let root = root();
    let schema_file = root.join("conformance/schema/conformance.iotp");
    for (target, ext) in [("cddl", ".cddl"), ("json-schema", ".schema.json")] {
        let dir =
            std::env::temp_dir().join(format!("iotp2p-exports-{}-{target}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let run = |extra: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_iotp2p"))
                .args(["gen", target, schema_file.to_str().unwrap(), "-o"])
                .arg(&dir)
                .args(extra)
                .output()
                .expect("the iotp2p binary runs")
        };
        assert!(run(&[]).status.success(), "gen {target}");
        let file = dir.join(format!("iotp2p.conformance{ext}"));
        let written = std::fs::read_to_string(&file).unwrap();
        assert!(
            written.contains("iotp2p.conformance"),
            "{target}: {written}"
        );
        assert!(
            run(&["--check"]).status.success(),
            "gen {target} --check, fresh"
        );
        std::fs::write(&file, "stale").unwrap();
        assert_eq!(
            run(&["--check"]).status.code(),
            Some(1),
            "gen {target} --check, stale"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
