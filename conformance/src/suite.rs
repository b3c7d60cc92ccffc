//! The vector set as the runner and the coverage report load it: every vector file of a directory,
//! checked for consistency, with the hash that identifies the set in reports.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::vector::{Expect, Operation, Vector, VectorFile, SUITE_VERSION};

/// The default vector directory: `conformance/vectors` of the source tree this binary was built from.
pub fn default_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/vectors"))
}

/// A loaded vector set.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The vector files, in file name order.
    pub files: Vec<VectorFile>,
    /// `sha256:` and the lowercase hex SHA-256 of the concatenated contents of the vector files, taken
    /// in byte order of their names (`cat $(LC_ALL=C ls *.json | grep -v schema) | sha256sum`).
    pub hash: String,
}

/// One vector with the area of its file.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    /// The area (`wire.integers`, ...).
    pub area: &'a str,
    /// The vector.
    pub vector: &'a Vector,
}

impl Suite {
    /// Loads every `*.json` file of `dir` except JSON Schemas (`*.schema.json`).
    pub fn load(dir: &Path) -> Result<Suite, String> {
        let read = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read the vector directory {}: {e}", dir.display()))?;
        let mut paths: Vec<PathBuf> = Vec::new();
        for entry in read {
            let path = entry
                .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
                .path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".json") && !name.ends_with(".schema.json") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        if paths.is_empty() {
            return Err(format!(
                "no vector files (*.json) in {}; generate them with `iotp2p-conformance generate`",
                dir.display()
            ));
        }
        let mut hasher = Sha256::new();
        let mut files = Vec::new();
        for path in &paths {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            hasher.update(&bytes);
            let file: VectorFile = serde_json::from_slice(&bytes)
                .map_err(|e| format!("{}: not a vector file: {e}", path.display()))?;
            files.push(file);
        }
        let hash = format!("sha256:{}", hex(&hasher.finalize()));
        let suite = Suite { files, hash };
        suite.check()?;
        Ok(suite)
    }

    /// A suite from vector files in memory, hashed as if written by
    /// [`crate::generate::write_all`] (pretty JSON with a final newline, in file name order).
    pub fn from_files(mut files: Vec<VectorFile>) -> Result<Suite, String> {
        files.sort_by_key(|f| format!("{}.json", f.area));
        let mut hasher = Sha256::new();
        for file in &files {
            let text = serde_json::to_string_pretty(file).map_err(|e| e.to_string())?;
            hasher.update(text.as_bytes());
            hasher.update(b"\n");
        }
        let suite = Suite {
            files,
            hash: format!("sha256:{}", hex(&hasher.finalize())),
        };
        suite.check()?;
        Ok(suite)
    }

    /// Every vector, in file order then vector order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.files.iter().flat_map(|f| {
            f.vectors.iter().map(move |vector| Entry {
                area: &f.area,
                vector,
            })
        })
    }

    /// The number of vectors.
    pub fn len(&self) -> usize {
        self.files.iter().map(|f| f.vectors.len()).sum()
    }

    /// Whether the set has no vector.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks what the runner relies on: one suite version (this runner's), unique ids.
    fn check(&self) -> Result<(), String> {
        let mut ids = BTreeSet::new();
        for file in &self.files {
            if file.suite_version != SUITE_VERSION {
                return Err(format!(
                    "the vectors of area {} were written by suite version {}, this runner is version \
                     {SUITE_VERSION}: use the runner of the same version",
                    file.area, file.suite_version
                ));
            }
            for v in &file.vectors {
                if !ids.insert(v.id.as_str()) {
                    return Err(format!("vector id {} appears twice", v.id));
                }
                let has_input = match v.operation {
                    Operation::Decode => v.input.hex.is_some(),
                    Operation::Encode => v.input.json.is_some() != v.input.json_text.is_some(),
                    Operation::Scenario => {
                        v.input.scenario.is_some() && matches!(v.expect, Expect::Scripted)
                    }
                    engine => v.input.request.as_ref().is_some_and(|r| {
                        engine.is_of(r) && crate::runner::request_id(r) == Some(v.id.as_str())
                    }),
                };
                if !has_input {
                    return Err(format!(
                        "vector {} has no input for its operation (input.hex for decode, one of \
                         input.json and input.json_text for encode, input.scenario for a \
                         scenario, input.request of the operation and with the vector's id for the \
                         others)",
                        v.id
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The bytes of lowercase or uppercase hex without separators.
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    if text.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", text.len()));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .filter(|pair| pair.bytes().all(|b| b.is_ascii_hexdigit()))
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("not hex at position {i}"))
        })
        .collect()
}
