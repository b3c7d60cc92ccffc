//! The generator of the test vectors in `conformance/vectors/`: one JSON file per area, built from
//! declarative case tables (`wire.*`, `encode.*`), from the core schema's IR (`core.*`: a minimal and a
//! maximal value of every message and union, and one invalid input per rule a field can break), and
//! from the worked examples of the spec.
//!
//! Expected outcomes follow the spec's rules and are stated in the tables where the rules decide them
//! (error classes and offsets, canonical bytes). The reflection codec of `iotp2p-codegen` serves as the
//! oracle: it computes canonical JSON and encodings, and every hand-stated outcome is checked against
//! it, so that the tables and the oracle check each other ([`KNOWN_ORACLE_DEVIATIONS`] lists where
//! they knowingly differ: there the tables follow the spec). `tests/vectors.rs` cross-checks the
//! accepted inputs with a generic CBOR library.
//!
//! The protocol-engine vectors (`protocol.*`, protocol version 2) are built without the oracle, by
//! `sealing`, `framing`, `addresses`, `statements` (node IDs and signed statements) and `pairing`
//! (check digits and SPAKE2+), from the spec's blocks of test data, the values of RFC 9383 and the
//! reference engine `iotp2p-protocol`, each checked against the spec's values or hand-stated
//! outcomes.
//!
//! Regenerate with `iotp2p-conformance generate` or `BLESS=1 cargo test -p iotp2p-conformance`.

mod addresses;
mod case;
mod core;
mod diag;
mod edhoc;
mod encode;
mod engine;
mod examples;
mod framing;
mod oracle;
mod pairing;
mod scenarios;
mod sealing;
mod spec_blocks;
mod statements;
mod wire;
mod wire_struct;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use crate::vector::{Vector, VectorFile, SUITE_VERSION};
use case::Case;
use oracle::Oracle;

/// The file, in the vector directory, that holds the JSON Schema of a vector file.
pub const SCHEMA_FILE: &str = "vector-file.schema.json";

/// Vectors whose prescribed outcome (which follows the spec) differs from what the reflection codec
/// does. Each is a defect of the codec, found by the suite; an entry that the codec comes to agree
/// with fails the generation, so that the list stays exact.
pub const KNOWN_ORACLE_DEVIATIONS: &[&str] = &[
    // The reflection codec reads JSON text into a `serde_json::Value`, whose numbers are binary64
    // values: a decimal with more digits than the shortest form of its binary64 value, lying within
    // half a binary64 unit of a binary32 midpoint, is rounded from that shortest form instead.
    "encode.json.float.f32-long-decimal",
];

/// How many vectors each area has.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Area name → number of vectors.
    pub areas: BTreeMap<String, usize>,
}

impl Summary {
    /// Vectors in all areas.
    pub fn total(&self) -> usize {
        self.areas.values().sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (area, n) in &self.areas {
            writeln!(f, "{area:40} {n:5}")?;
        }
        write!(
            f,
            "{:40} {:5} ({} areas)",
            "total",
            self.total(),
            self.areas.len()
        )
    }
}

/// One area before the oracle runs: its name, what it covers and its cases.
pub(crate) struct Area {
    pub name: String,
    pub description: String,
    pub cases: Vec<Case>,
}

impl Area {
    pub fn new(name: impl Into<String>, description: impl Into<String>, cases: Vec<Case>) -> Area {
        Area {
            name: name.into(),
            description: description.into(),
            cases,
        }
    }
}

/// Every vector file, in memory, in area order. Deterministic: the same sources give the same files.
pub fn build_all() -> Result<Vec<VectorFile>, String> {
    let mut oracle = Oracle::new(KNOWN_ORACLE_DEVIATIONS)?;
    let mut areas = Vec::new();
    areas.extend(wire::areas());
    areas.extend(wire_struct::areas());
    areas.extend(encode::areas());
    areas.extend(examples::wire_area()?);
    areas.extend(core::areas(&oracle)?);
    let mut files: BTreeMap<String, VectorFile> = BTreeMap::new();
    let mut ids = BTreeSet::new();
    let mut errors = Vec::new();
    for area in areas {
        let mut vectors = Vec::with_capacity(area.cases.len());
        for case in area.cases {
            match oracle.vector(&area.name, case) {
                Ok(v) if !ids.insert(v.id.clone()) => {
                    errors.push(format!("duplicate vector id {}", v.id))
                }
                Ok(v) => vectors.push(v),
                Err(e) => errors.push(e),
            }
        }
        let file = files
            .entry(area.name.clone())
            .or_insert_with(|| VectorFile {
                suite_version: SUITE_VERSION.to_string(),
                area: area.name.clone(),
                description: area.description.clone(),
                vectors: Vec::new(),
            });
        file.vectors.extend(vectors);
    }
    let engine_files = sealing::files()?
        .into_iter()
        .chain(framing::files()?)
        .chain([addresses::file_of_addresses()?])
        .chain([edhoc::file_of_handshakes()?])
        .chain(statements::files()?)
        .chain(pairing::files()?)
        .chain(scenarios::files()?);
    for file in engine_files {
        for v in &file.vectors {
            if !ids.insert(v.id.clone()) {
                errors.push(format!("duplicate vector id {}", v.id));
            }
        }
        files.insert(file.area.clone(), file);
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let unmet = oracle.unmet_deviations();
    if !unmet.is_empty() {
        return Err(format!(
            "KNOWN_ORACLE_DEVIATIONS lists vectors that no case produces: {unmet:?}"
        ));
    }
    let mut out: Vec<VectorFile> = files.into_values().collect();
    for file in &mut out {
        file.vectors.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    }
    Ok(out)
}

/// Writes every vector file and the JSON Schema into `dir`, removing vector files of areas that no
/// longer exist. `progress(done, total)` is called after each file.
pub fn write_all(dir: &Path, mut progress: impl FnMut(usize, usize)) -> Result<Summary, String> {
    let files = build_all()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let keep: BTreeSet<String> = files
        .iter()
        .map(file_name)
        .chain([SCHEMA_FILE.to_string()])
        .collect();
    let existing = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in existing {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".json") && !keep.contains(&name) {
            std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let total = files.len() + 1;
    let mut summary = Summary::default();
    for (i, file) in files.iter().enumerate() {
        let path = dir.join(file_name(file));
        write_if_changed(&path, &file_json(file))?;
        summary.areas.insert(file.area.clone(), file.vectors.len());
        progress(i + 1, total);
    }
    write_if_changed(&dir.join(SCHEMA_FILE), &schema_json())?;
    progress(total, total);
    Ok(summary)
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The file name of a vector file: `<area>.json`.
pub fn file_name(file: &VectorFile) -> String {
    format!("{}.json", file.area)
}

/// A vector file as written: pretty-printed JSON with a final newline.
pub fn file_json(file: &VectorFile) -> String {
    let mut text = serde_json::to_string_pretty(file).expect("vector files serialise");
    text.push('\n');
    text
}

/// The JSON Schema of a vector file, as written to [`SCHEMA_FILE`].
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(VectorFile);
    let mut text = serde_json::to_string_pretty(&schema).expect("the schema serialises");
    text.push('\n');
    text
}

/// Every vector, across files.
pub fn all_vectors(files: &[VectorFile]) -> impl Iterator<Item = &Vector> {
    files.iter().flat_map(|f| f.vectors.iter())
}

/// Orders ids with their numbers compared as numbers (`a.2` before `a.10`).
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut chars = s.chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() {
                let mut n = String::new();
                while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    n.push(d);
                    chars.next();
                }
                out.push((std::mem::take(&mut text), n.parse().unwrap_or(u64::MAX)));
            } else {
                text.push(c);
                chars.next();
            }
        }
        out.push((text, 0));
        out
    }
    parts(a).cmp(&parts(b)).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut ids = vec!["a.10", "a.2", "a.1", "b", "a.truncated.3", "a.truncated.12"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["a.1", "a.2", "a.10", "a.truncated.3", "a.truncated.12", "b"]
        );
    }
}
