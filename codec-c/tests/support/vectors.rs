//! The conformance vectors as test inputs, shared by `tests/differential.rs` and
//! `tests/generated.rs` (included with `#[path]`, so that each test crate takes only this file).

#![allow(dead_code)] // Each test crate uses a different subset.

/// The conformance vector files, parsed.
pub fn vector_files() -> Vec<serde_json::Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/vectors");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("the conformance vectors")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
        .collect()
}

/// Every input of every conformance vector file.
pub fn vector_inputs() -> Vec<Vec<u8>> {
    let mut inputs = Vec::new();
    for json in vector_files() {
        collect_hex(&json, &mut inputs);
    }
    inputs
}

/// Every `hex` input below `json`.
pub fn collect_hex(json: &serde_json::Value, out: &mut Vec<Vec<u8>>) {
    match json {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(hex)) = map.get("hex") {
                if let Some(bytes) = decode_hex(hex) {
                    out.push(bytes);
                }
            }
            map.values().for_each(|v| collect_hex(v, out));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_hex(v, out)),
        _ => {}
    }
}

/// The bytes of a hex string, if it is one.
pub fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}
