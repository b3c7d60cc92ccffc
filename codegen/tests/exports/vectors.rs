//! The conformance vectors (conformance/vectors/*.json, format in conformance/src/vector.rs), read as
//! plain JSON so that this crate does not depend on the conformance crate.

use std::path::Path;

use serde_json::Value;

/// One value to check: CBOR bytes or a JSON value, with the verdict the vector prescribes.
#[derive(Clone, Debug)]
pub struct Case {
    /// The vector's id, with `#json` or `#input` for the JSON of a vector.
    pub id: String,
    /// The schema type, fully qualified.
    pub type_name: String,
    /// CBOR bytes (`None` for a JSON case).
    pub cbor: Option<Vec<u8>>,
    /// A JSON value (`None` for a CBOR case).
    pub json: Option<Value>,
    /// Whether the vector says the value is valid.
    pub valid: bool,
    /// The error class of an invalid vector.
    pub class: String,
    /// For a valid vector: its canonical bytes and JSON.
    pub canonical: Option<(Vec<u8>, Value)>,
}

pub fn hex_bytes(hex: &str) -> Vec<u8> {
    let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// Every case of every vector file, and the number of vectors skipped (implementation-defined
/// outcomes, JSON given as text).
pub fn cases(root: &Path) -> (Vec<Case>, usize) {
    let dir = root.join("conformance/vectors");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && !p.to_string_lossy().ends_with(".schema.json")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no vector files in {}", dir.display());
    let mut out = Vec::new();
    let mut skipped = 0;
    for f in files {
        let file: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        for v in file["vectors"].as_array().unwrap() {
            let id = v["id"].as_str().unwrap().to_string();
            // The protocol-engine vectors and scenarios carry requests and scripts, not values of a
            // schema type: nothing for the exports to check.
            let Some(type_name) = v["type"].as_str().map(str::to_string) else {
                continue;
            };
            let expect = &v["expect"];
            let canonical = expect["hex"]
                .as_str()
                .map(|hex| (hex_bytes(hex), expect["json"].clone()));
            let case =
                |suffix: &str, cbor: Option<Vec<u8>>, json: Option<Value>, valid, class| Case {
                    id: format!("{id}{suffix}"),
                    type_name: type_name.clone(),
                    cbor,
                    json,
                    valid,
                    class,
                    canonical: canonical.clone(),
                };
            match expect["verdict"].as_str().unwrap() {
                "valid" => {
                    let hex = expect["hex"].as_str().unwrap();
                    out.push(case("", Some(hex_bytes(hex)), None, true, String::new()));
                    out.push(case(
                        "#json",
                        None,
                        Some(expect["json"].clone()),
                        true,
                        String::new(),
                    ));
                    // What an encoder reads may differ from canonical JSON (member order, defaults
                    // present, more digits), but a reader accepts it: so does the schema.
                    if let Some(json) = v["input"].get("json") {
                        out.push(case(
                            "#input",
                            None,
                            Some(json.clone()),
                            true,
                            String::new(),
                        ));
                    }
                }
                "invalid" => {
                    let class = expect["class"].as_str().unwrap().to_string();
                    if let Some(hex) = v["input"]["hex"].as_str() {
                        out.push(case("", Some(hex_bytes(hex)), None, false, class));
                    } else if let Some(json) = v["input"].get("json") {
                        out.push(case("#input", None, Some(json.clone()), false, class));
                    } else {
                        skipped += 1;
                    }
                }
                _ => skipped += 1,
            }
        }
    }
    (out, skipped)
}
