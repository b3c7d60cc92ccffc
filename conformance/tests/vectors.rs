//! The checked-in test vectors: fresh (equal to what the generator builds), well-formed, and
//! cross-checked with a generic CBOR library (ciborium) and with the spec's text, so that the suite
//! does not merely agree with the codec that helped write it.
//!
//! Re-bless the vectors with `BLESS=1 cargo test -p iotp2p-conformance`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ciborium::value::Value;
use iotp2p_conformance::generate::{self, build_all, file_json, file_name, schema_json};
use iotp2p_conformance::scenario::Step;
use iotp2p_conformance::vector::{Expect, Operation, Vector, VectorFile};

const BLESS_HINT: &str = "run `BLESS=1 cargo test -p iotp2p-conformance`";

fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn built() -> &'static [VectorFile] {
    static FILES: OnceLock<Vec<VectorFile>> = OnceLock::new();
    FILES.get_or_init(|| build_all().unwrap_or_else(|e| panic!("generation failed: {e}")))
}

fn vectors() -> impl Iterator<Item = &'static Vector> {
    built().iter().flat_map(|f| f.vectors.iter())
}

fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() & 1 == 0, "odd hex {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn checked_in_vectors_are_fresh() {
    let dir = vectors_dir();
    if std::env::var_os("BLESS").is_some() {
        generate::write_all(&dir, |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut problems = Vec::new();
    let mut expected: BTreeSet<String> = BTreeSet::new();
    for file in built() {
        let name = file_name(file);
        let text = file_json(file);
        match std::fs::read_to_string(dir.join(&name)) {
            Ok(on_disk) if on_disk == text => {
                let parsed: VectorFile = serde_json::from_str(&on_disk)
                    .unwrap_or_else(|e| panic!("{name} does not read back: {e}"));
                assert_eq!(
                    &parsed, file,
                    "{name} does not read back to the same vectors"
                );
            }
            Ok(_) => problems.push(format!("{name} is stale")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
        expected.insert(name);
    }
    match std::fs::read_to_string(dir.join(generate::SCHEMA_FILE)) {
        Ok(text) if text == schema_json() => {}
        _ => problems.push(format!("{} is stale or missing", generate::SCHEMA_FILE)),
    }
    expected.insert(generate::SCHEMA_FILE.to_string());
    for entry in std::fs::read_dir(&dir).expect("the vectors directory exists") {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && !expected.contains(&name) {
            problems.push(format!("{name} is not generated any more"));
        }
    }
    assert!(
        problems.is_empty(),
        "the checked-in vectors differ from the generator: {problems:?}; {BLESS_HINT}"
    );
}

/// The runner sends every number exactly as the vector file writes it (conformance/README.md): the
/// numbers of an encode vector's JSON, read as the runner reads them and written into a request,
/// keep their text.
#[test]
fn numbers_are_sent_as_the_files_write_them() {
    let mut numbers = 0;
    for file in built() {
        let on_disk = file_json(file);
        for v in &file.vectors {
            let Some(json) = &v.input.json else {
                continue;
            };
            let request = serde_json::to_string(&iotp2p_conformance::protocol::Request::Encode {
                id: v.id.clone(),
                schema_type: v.type_name.clone(),
                json: Some(json.clone()),
                json_text: None,
            })
            .unwrap();
            let mut texts = Vec::new();
            collect_numbers(json, &mut texts);
            for text in texts {
                assert!(
                    on_disk.contains(&text) && request.contains(&text),
                    "{}: the number {text} is not sent as the file writes it",
                    v.id
                );
                numbers += 1;
            }
        }
    }
    assert!(numbers > 100, "only {numbers} numbers");
}

fn collect_numbers(json: &serde_json::Value, out: &mut Vec<String>) {
    match json {
        serde_json::Value::Number(n) => out.push(n.to_string()),
        serde_json::Value::Array(items) => items.iter().for_each(|j| collect_numbers(j, out)),
        serde_json::Value::Object(members) => {
            members.values().for_each(|j| collect_numbers(j, out))
        }
        _ => {}
    }
}

#[test]
fn generation_is_deterministic() {
    // How long generation takes is a benchmark's question (benches/), not a test's: a loaded CI
    // machine would fail a time limit for no fault of the generator.
    let again = build_all().unwrap();
    assert_eq!(again, built(), "two runs of the generator differ");
}

#[test]
fn ids_are_unique_and_prefixed_by_their_area() {
    let mut seen = BTreeSet::new();
    for file in built() {
        assert!(!file.vectors.is_empty(), "{} has no vectors", file.area);
        for v in &file.vectors {
            assert!(
                v.id.starts_with(&format!("{}.", file.area)),
                "{} is not in the area {}",
                v.id,
                file.area
            );
            assert!(
                v.id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)),
                "{}: ids use lowercase letters, digits, `.`, `-`, `_`",
                v.id
            );
            assert!(seen.insert(v.id.clone()), "duplicate id {}", v.id);
            assert!(!v.description.contains('\n'), "{}: one line", v.id);
        }
    }
}

#[test]
fn there_are_enough_vectors() {
    let n = vectors().count();
    assert!(n >= 400, "only {n} vectors");
}

#[test]
fn vectors_are_consistent() {
    for v in vectors() {
        match v.operation {
            Operation::Decode => {
                let hex = v
                    .input
                    .hex
                    .as_deref()
                    .unwrap_or_else(|| panic!("{}: no hex", v.id));
                assert!(
                    v.input.json.is_none(),
                    "{}: a decode vector with JSON input",
                    v.id
                );
                if let Expect::Valid { hex: canonical, .. } = &v.expect {
                    assert_eq!(
                        hex, canonical,
                        "{}: an accepted input is its own encoding",
                        v.id
                    );
                    assert!(v.input.diag.is_some(), "{}: no diagnostic notation", v.id);
                }
            }
            Operation::Encode => {
                assert!(
                    v.input.json.is_some() != v.input.json_text.is_some(),
                    "{}: an encode vector needs JSON, as a value or as text (not both)",
                    v.id
                );
                assert!(v.features.iter().any(|f| f == "encode"), "{}", v.id);
                if let Some(text) = &v.input.json_text {
                    assert!(v.features.iter().any(|f| f == "json-text"), "{}", v.id);
                    // Text is only for what a JSON value cannot hold as written: text that is
                    // not one JSON value, a duplicate member name, or numbers and whitespace that
                    // a JSON value would write otherwise.
                    if let Ok(lenient) = serde_json::from_str::<serde_json::Value>(text) {
                        assert!(
                            iotp2p_codegen::reflect::parse_json_text(text).is_err()
                                || serde_json::to_string(&lenient).unwrap() != *text,
                            "{}: JSON text that a JSON value holds ({lenient}); use input.json",
                            v.id
                        );
                    }
                }
            }
            Operation::Scenario => {
                let scenario = v
                    .input
                    .scenario
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no script", v.id));
                assert!(
                    v.input.request.is_none() && v.input.hex.is_none() && v.type_name.is_empty(),
                    "{}: a scenario carries only its script",
                    v.id
                );
                assert!(v.id.starts_with("scenario."), "{}", v.id);
                assert!(matches!(v.expect, Expect::Scripted), "{}", v.id);
                assert!(
                    matches!(scenario.steps.last(), Some(Step::Expect(_))),
                    "{}: a script ends with an expectation, or the node's last outputs go unjudged",
                    v.id
                );
            }
            engine => {
                let request = v
                    .input
                    .request
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: no request", v.id));
                assert!(
                    engine.is_of(request),
                    "{}: a request of another operation",
                    v.id
                );
                assert!(
                    v.input.hex.is_none() && v.input.json.is_none() && v.type_name.is_empty(),
                    "{}: an engine vector carries only its request",
                    v.id
                );
                assert!(v.id.starts_with("protocol."), "{}", v.id);
                for response in expected_responses(&v.expect) {
                    assert_eq!(
                        iotp2p_conformance::runner::response_id(response),
                        Some(v.id.as_str()),
                        "{}: the expected response is for another vector",
                        v.id
                    );
                }
                if let iotp2p_conformance::protocol::Request::Reassemble { frames, .. } = request {
                    assert!(
                        frames.windows(2).all(|w| w[0].time <= w[1].time),
                        "{}: time goes back",
                        v.id
                    );
                }
            }
        }
        if let Expect::Invalid {
            offset: Some(_), ..
        } = &v.expect
        {
            assert!(v.features.iter().any(|f| f == "offsets"), "{}", v.id);
        }
        assert!(!v.requirements.is_empty(), "{}: cites no requirement", v.id);
    }
}

/// The responses an engine vector expects, across its outcomes.
fn expected_responses(expect: &Expect) -> Vec<&iotp2p_conformance::protocol::Response> {
    match expect {
        Expect::Response { response } => vec![&**response],
        Expect::ImplementationDefined { outcomes, .. } => outcomes
            .iter()
            .flat_map(|o| expected_responses(&o.expect))
            .collect(),
        _ => Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-check with ciborium.
// ---------------------------------------------------------------------------------------------

/// RFC 8949 §4.2.1: map keys sorted by their encoded bytes, no duplicates, at every level; no tags.
fn assert_deterministic(value: &Value, id: &str) {
    match value {
        Value::Map(entries) => {
            let keys: Vec<Vec<u8>> = entries
                .iter()
                .map(|(k, _)| {
                    assert!(
                        matches!(k, Value::Integer(i) if i128::from(*i) >= 0),
                        "{id}: a map key that is not an unsigned integer"
                    );
                    let mut b = Vec::new();
                    ciborium::into_writer(k, &mut b).unwrap();
                    b
                })
                .collect();
            for pair in keys.windows(2) {
                assert!(pair[0] < pair[1], "{id}: map keys out of order or repeated");
            }
            entries
                .iter()
                .for_each(|(_, v)| assert_deterministic(v, id));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_deterministic(v, id)),
        Value::Tag(..) => panic!("{id}: a tag"),
        _ => {}
    }
}

/// RFC 8949 §8 diagnostic notation of a generic value.
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
        other => panic!("not in the profile: {other:?}"),
    }
}

/// Every accepted input and every encoding is read by a generic CBOR decoder as one data item in
/// deterministic form: re-encoding it gives the same bytes, its map keys are sorted, and its
/// diagnostic notation is the one the vector shows.
#[test]
fn valid_vectors_are_deterministic_cbor() {
    let mut checked = 0;
    for v in vectors() {
        let Expect::Valid { hex, .. } = &v.expect else {
            continue;
        };
        let bytes = unhex(hex);
        let value: Value = ciborium::from_reader(bytes.as_slice())
            .unwrap_or_else(|e| panic!("{}: not CBOR: {e}", v.id));
        let mut again = Vec::new();
        ciborium::into_writer(&value, &mut again).unwrap();
        assert_eq!(
            again, bytes,
            "{}: a generic encoder writes the value differently (not deterministic, or trailing bytes)",
            v.id
        );
        assert_deterministic(&value, &v.id);
        if let Some(d) = &v.input.diag {
            assert_eq!(d, &diag(&value), "{}: diagnostic notation", v.id);
        }
        checked += 1;
    }
    assert!(checked > 200, "only {checked} valid vectors");
}

// ---------------------------------------------------------------------------------------------
// Cross-check with the spec's text.
// ---------------------------------------------------------------------------------------------

fn spec_text(name: &str) -> String {
    std::fs::read_to_string(spec_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The classes of the table of spec §4.17, read from the spec's text.
fn spec_classes() -> Vec<String> {
    let text = spec_text("04-wire-format.md");
    let start = text
        .find("<a id=\"wire-errors\"></a>")
        .expect("§4.17 has its anchor");
    let mut classes = Vec::new();
    for line in text[start..].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 3 && cells[1].parse::<u32>().is_ok() {
            classes.push(cells[2].trim_matches('`').to_string());
        }
        if line.starts_with("<a id=\"wire-json\">") {
            break;
        }
    }
    classes
}

#[test]
fn every_error_class_is_reached_several_times() {
    let classes = spec_classes();
    assert_eq!(classes.len(), 17, "§4.17 lists {classes:?}");
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for v in vectors() {
        if let (Operation::Decode, Expect::Invalid { class, .. }) = (v.operation, &v.expect) {
            assert!(
                classes.iter().any(|c| c == class),
                "{}: `{class}` is not a class of §4.17",
                v.id
            );
            *count.entry(class.as_str()).or_default() += 1;
        }
    }
    for c in &classes {
        let n = count.get(c.as_str()).copied().unwrap_or(0);
        assert!(n >= 2, "class {c} is reached by {n} vectors");
    }
}

#[test]
fn every_cited_requirement_exists() {
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(spec_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("[IOTP-") {
                rest = &rest[i + 1..];
                if let Some(end) = rest.find(']') {
                    ids.insert(rest[..end].to_string());
                }
            }
        }
    }
    assert!(
        ids.contains("IOTP-WIRE-1"),
        "no requirement ids found in spec/"
    );
    for v in vectors() {
        for r in &v.requirements {
            assert!(
                ids.contains(r),
                "{}: {r} is not a requirement of the spec",
                v.id
            );
        }
    }
}

/// Every message and union of the core schema has a minimal and a maximal vector, decoded and
/// encoded.
#[test]
fn every_core_type_has_minimal_and_maximal_vectors() {
    let schema_dir = spec_dir().join("schema");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&schema_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "iotp"))
        .collect();
    files.sort();
    let c = iotp2p_codegen::compile(&files, &iotp2p_codegen::FsLoader::default());
    let schema = c.schema.expect("the core schema compiles");
    let types: BTreeSet<String> = vectors().map(|v| v.type_name.clone()).collect();
    let ids: BTreeSet<&str> = vectors().map(|v| v.id.as_str()).collect();
    let mut n = 0;
    for p in &schema.packages {
        for t in &p.types {
            use iotp2p_codegen::ir::TypeKind;
            if !matches!(t.kind, TypeKind::Message { .. } | TypeKind::Union { .. }) {
                continue;
            }
            n += 1;
            assert!(types.contains(&t.full_name), "no vector of {}", t.full_name);
            let area = built()
                .iter()
                .find(|f| {
                    f.vectors.iter().any(|v| {
                        v.type_name == t.full_name && v.id == format!("{}.minimal", f.area)
                    })
                })
                .map(|f| f.area.clone())
                .unwrap_or_else(|| panic!("no minimal vector of {}", t.full_name));
            for case in ["minimal", "maximal", "encode.minimal", "encode.maximal"] {
                assert!(
                    ids.contains(format!("{area}.{case}").as_str()),
                    "{}: no {case} vector",
                    t.full_name
                );
            }
        }
    }
    assert!(n > 50, "only {n} core messages and unions");
}
