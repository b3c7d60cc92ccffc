//! The baseline: known failures of one implementation, so that its CI fails only on news.
//!
//! As in protobuf's conformance suite, a listed failure does not fail the run, but three things do:
//! an unexpected failure, a listed vector that now passes (remove it from the list), and a stale entry
//! that matches no vector of the suite. `--update-baseline` rewrites the file to match a full run.
//!
//! ```json
//! {
//!   "failures": [
//!     { "vector": "wire.float.nan.*", "reason": "NaN payloads are not normalised",
//!       "issue": "https://example.com/acme/codec/issues/12" }
//!   ]
//! }
//! ```

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::glob;
use crate::runner::{Status, VectorResult};

/// A baseline file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Known failures.
    pub failures: Vec<Entry>,
}

/// One known failure (or group of them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// A vector id, or a glob over vector ids (`*` any run of characters, `?` one character).
    pub vector: String,
    /// Why it fails.
    pub reason: String,
    /// A link to the issue that tracks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
}

/// How a run compares with a baseline.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assessment {
    /// Failed vectors that an entry lists: (vector id, entry index).
    pub expected_failures: Vec<(String, usize)>,
    /// Failed vectors that no entry lists.
    pub unexpected_failures: Vec<String>,
    /// Passed vectors that an entry lists: (vector id, entry index).
    pub unexpected_passes: Vec<(String, usize)>,
    /// Indices of entries that match no vector of the suite.
    pub stale: Vec<usize>,
}

impl Assessment {
    /// Whether the run fails because of the baseline comparison.
    pub fn fails(&self) -> bool {
        !(self.unexpected_failures.is_empty()
            && self.unexpected_passes.is_empty()
            && self.stale.is_empty())
    }

    /// Whether vector `id` failed as the baseline expects.
    pub fn is_expected(&self, id: &str) -> bool {
        self.expected_failures.iter().any(|(v, _)| v == id)
    }
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the baseline {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a baseline file: {e}", path.display()))
    }

    /// Writes the file (pretty JSON with a final newline).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let mut text = serde_json::to_string_pretty(self).expect("a baseline serializes");
        text.push('\n');
        std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// The first entry that lists `id`.
    pub fn entry_for(&self, id: &str) -> Option<usize> {
        self.failures
            .iter()
            .position(|e| glob::matches(&e.vector, id))
    }

    /// Compares `results` with the baseline; `all_ids` are the ids of the whole suite (not only the
    /// vectors run), so that a filtered or sharded run finds no false stale entries.
    pub fn assess(&self, all_ids: &[&str], results: &[VectorResult]) -> Assessment {
        let mut a = Assessment::default();
        for r in results {
            match (r.status, self.entry_for(&r.id)) {
                (Status::Failed, Some(e)) => a.expected_failures.push((r.id.clone(), e)),
                (Status::Failed, None) => a.unexpected_failures.push(r.id.clone()),
                (Status::Passed, Some(e)) => a.unexpected_passes.push((r.id.clone(), e)),
                _ => {}
            }
        }
        a.stale = (0..self.failures.len())
            .filter(|&i| {
                !all_ids
                    .iter()
                    .any(|id| glob::matches(&self.failures[i].vector, id))
            })
            .collect();
        a
    }

    /// The baseline that a full run's `results` call for: entries that still match only failing (or
    /// skipped) vectors stay as they are; every other failing vector gets an entry of its own, with
    /// the reason and issue of the entry that listed it before, if any.
    pub fn updated(&self, results: &[VectorResult]) -> Baseline {
        let failed: BTreeSet<&str> = results
            .iter()
            .filter(|r| r.status == Status::Failed)
            .map(|r| r.id.as_str())
            .collect();
        let kept: Vec<&Entry> = self
            .failures
            .iter()
            .filter(|e| {
                let matched: Vec<&VectorResult> = results
                    .iter()
                    .filter(|r| glob::matches(&e.vector, &r.id))
                    .collect();
                matched.iter().any(|r| failed.contains(r.id.as_str()))
                    && matched.iter().all(|r| r.status != Status::Passed)
            })
            .collect();
        let mut failures: Vec<Entry> = kept.iter().map(|e| (*e).clone()).collect();
        for r in results.iter().filter(|r| r.status == Status::Failed) {
            if kept.iter().any(|e| glob::matches(&e.vector, &r.id)) {
                continue;
            }
            let (reason, issue) = match self.entry_for(&r.id) {
                Some(i) => (
                    self.failures[i].reason.clone(),
                    self.failures[i].issue.clone(),
                ),
                None => (format!("unexplained: {}", first_line(&r.detail, 160)), None),
            };
            failures.push(Entry {
                vector: r.id.clone(),
                reason,
                issue,
            });
        }
        Baseline { failures }
    }
}

fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    if line.chars().count() <= max {
        line.to_string()
    } else {
        format!("{}...", line.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::vector::Level;

    fn result(id: &str, status: Status) -> VectorResult {
        VectorResult {
            id: id.into(),
            area: "a".into(),
            level: Level::Must,
            requirements: vec![],
            status,
            cause: None,
            detail: "expected x, got y".into(),
            duration: Duration::ZERO,
        }
    }

    fn entry(vector: &str, reason: &str) -> Entry {
        Entry {
            vector: vector.into(),
            reason: reason.into(),
            issue: None,
        }
    }

    #[test]
    fn assessment_and_update() {
        let results = [
            result("a.1", Status::Failed),
            result("a.2", Status::Failed),
            result("b.1", Status::Passed),
            result("b.2", Status::Failed),
            result("c.1", Status::Failed),
            result("d.1", Status::Skipped),
        ];
        let baseline = Baseline {
            failures: vec![
                entry("a.*", "a is broken"),
                entry("b.*", "b is broken"),
                entry("d.1", "d is broken"),
                entry("gone", "stale"),
            ],
        };
        let ids = ["a.1", "a.2", "b.1", "b.2", "c.1", "d.1"];
        let a = baseline.assess(&ids, &results);
        assert_eq!(
            a.expected_failures,
            [("a.1".into(), 0), ("a.2".into(), 0), ("b.2".into(), 1)]
        );
        assert_eq!(a.unexpected_failures, ["c.1"]);
        assert_eq!(a.unexpected_passes, [("b.1".into(), 1)]);
        assert_eq!(a.stale, [3]);
        assert!(a.fails());

        let updated = baseline.updated(&results);
        assert_eq!(
            updated.failures,
            [
                entry("a.*", "a is broken"),
                entry("b.2", "b is broken"),
                entry("c.1", "unexplained: expected x, got y"),
            ]
        );
        assert!(!updated.assess(&ids, &results).fails());
    }
}
