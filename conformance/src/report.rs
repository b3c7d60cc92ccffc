//! What a run reports: the JSON report (`--report FILE`) and the summary printed at the end.

use std::collections::BTreeMap;
use std::io::Write;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::baseline::{Assessment, Baseline};
use crate::runner::{Cause, Run, Status};
use crate::vector::{Level, SUITE_VERSION};

/// The JSON report of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The suite version of the runner and the vectors.
    pub suite_version: String,
    /// The testee protocol version the run spoke: the testee's (1 or 2).
    pub protocol: u32,
    /// Identifies the vector set: `sha256:` and the SHA-256 of the vector files (see README).
    pub vector_set: String,
    /// How many vectors the set has.
    pub vectors_in_set: usize,
    /// The implementation under test, as its handshake described it.
    pub testee: TesteeInfo,
    /// Which vectors ran.
    pub selection: Selection,
    /// Whether the run supports a conformance claim for the declared features: true only when the run
    /// covered the whole set, the testee declared `decode`, and no MUST vector failed or was skipped by
    /// the testee (vectors of undeclared features are outside the claim); null for a partial run
    /// (`--filter`, `--shard`), which supports no verdict.
    pub conformant: Option<bool>,
    /// Totals.
    pub summary: Summary,
    /// Totals per level (`MUST`, `SHOULD`).
    pub levels: BTreeMap<String, Counts>,
    /// Totals per area.
    pub areas: BTreeMap<String, Counts>,
    /// Results per requirement ID of the spec, in ID order.
    pub requirements: Vec<RequirementResult>,
    /// Every vector run.
    pub vectors: Vec<VectorReport>,
}

/// The testee.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TesteeInfo {
    /// The command that started it.
    pub command: String,
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The features it declared.
    pub features: Vec<String>,
    /// Its choices for implementation-defined behaviours.
    pub choices: BTreeMap<String, String>,
}

/// Which vectors ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Selection {
    /// `--filter` patterns.
    pub filters: Vec<String>,
    /// `--shard K/N`.
    pub shard: Option<String>,
    /// Whether every vector of the set was selected.
    pub complete: bool,
}

/// Totals of a run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Vectors that passed.
    pub passed: usize,
    /// Vectors that failed (including the failures the baseline expects).
    pub failed: usize,
    /// Vectors not run: not claimed, or skipped by the testee.
    pub skipped: usize,
    /// Of the skipped: not claimed by the handshake.
    pub not_claimed: usize,
    /// Of the failed: listed in the baseline.
    pub expected_failures: usize,
    /// Of the failed: not listed in the baseline.
    pub unexpected_failures: usize,
    /// Passed vectors that the baseline lists.
    pub unexpected_passes: usize,
    /// Baseline entries that match no vector.
    pub stale_baseline_entries: usize,
    /// Restarts of the testee after a crash, a hang or a protocol error.
    pub restarts: usize,
    /// Wall time of the run, in seconds.
    pub seconds: f64,
}

/// Passed / failed / skipped counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Passed => self.passed += 1,
            Status::Failed => self.failed += 1,
            Status::Skipped => self.skipped += 1,
        }
    }
}

/// The results of the vectors that test one requirement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementResult {
    /// The requirement ID, e.g. `IOTP-WIRE-8`.
    pub id: String,
    /// MUST when any of its vectors is a MUST vector, else SHOULD.
    pub level: Level,
    /// `passed` (every vector passed), `failed` (one failed), `partial` (none failed, some skipped)
    /// or `skipped` (none ran).
    pub status: String,
    /// Counts of its vectors.
    #[serde(flatten)]
    pub counts: Counts,
    /// Its failed vectors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_vectors: Vec<String>,
}

/// One vector's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VectorReport {
    /// The vector id.
    pub id: String,
    /// Its area.
    pub area: String,
    /// MUST or SHOULD.
    pub level: Level,
    /// The requirements it tests.
    pub requirements: Vec<String>,
    /// The result.
    pub status: Status,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<Cause>,
    /// Expected and actual outcome.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Whether the baseline lists this failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expected_failure: bool,
    /// Milliseconds from request to response.
    pub ms: f64,
}

/// What went into the report besides the run.
#[derive(Clone, Debug)]
pub struct Context<'a> {
    /// The testee command.
    pub command: &'a str,
    /// The vector-set hash.
    pub vector_set: &'a str,
    /// How many vectors the set has.
    pub vectors_in_set: usize,
    /// `--filter` patterns.
    pub filters: &'a [String],
    /// `--shard`.
    pub shard: Option<String>,
}

impl Report {
    /// Builds the report of `run`.
    pub fn build(context: &Context<'_>, run: &Run, assessment: &Assessment) -> Report {
        let mut summary = Summary {
            restarts: run.restarts,
            seconds: run.elapsed.as_secs_f64(),
            expected_failures: assessment.expected_failures.len(),
            unexpected_failures: assessment.unexpected_failures.len(),
            unexpected_passes: assessment.unexpected_passes.len(),
            stale_baseline_entries: assessment.stale.len(),
            ..Summary::default()
        };
        let mut levels: BTreeMap<String, Counts> = BTreeMap::new();
        let mut areas: BTreeMap<String, Counts> = BTreeMap::new();
        let mut requirements: BTreeMap<&str, RequirementResult> = BTreeMap::new();
        let mut must_trouble = false;
        for r in &run.results {
            match r.status {
                Status::Passed => summary.passed += 1,
                Status::Failed => summary.failed += 1,
                Status::Skipped => summary.skipped += 1,
            }
            if r.cause == Some(Cause::NotClaimed) {
                summary.not_claimed += 1;
            } else if r.level == Level::Must && r.status != Status::Passed {
                must_trouble = true;
            }
            levels
                .entry(level_name(r.level).to_string())
                .or_default()
                .add(r.status);
            areas.entry(r.area.clone()).or_default().add(r.status);
            for id in &r.requirements {
                let req = requirements.entry(id).or_insert_with(|| RequirementResult {
                    id: id.clone(),
                    level: r.level,
                    status: String::new(),
                    counts: Counts::default(),
                    failed_vectors: Vec::new(),
                });
                if r.level == Level::Must {
                    req.level = Level::Must;
                }
                req.counts.add(r.status);
                if r.status == Status::Failed {
                    req.failed_vectors.push(r.id.clone());
                }
            }
        }
        let mut requirements: Vec<RequirementResult> = requirements
            .into_values()
            .map(|mut req| {
                let c = req.counts;
                req.status = if c.failed > 0 {
                    "failed"
                } else if c.skipped == 0 {
                    "passed"
                } else if c.passed > 0 {
                    "partial"
                } else {
                    "skipped"
                }
                .into();
                req
            })
            .collect();
        requirements.sort_by_cached_key(|a| natural_key(&a.id));
        let complete = context.filters.is_empty() && context.shard.is_none();
        let conformant = complete.then(|| run.hello.features.contains("decode") && !must_trouble);
        Report {
            suite_version: SUITE_VERSION.into(),
            protocol: run.hello.protocol,
            vector_set: context.vector_set.into(),
            vectors_in_set: context.vectors_in_set,
            testee: TesteeInfo {
                command: context.command.into(),
                name: run.hello.name.clone(),
                version: run.hello.version.clone(),
                features: run.hello.features.iter().cloned().collect(),
                choices: run.hello.choices.clone(),
            },
            selection: Selection {
                filters: context.filters.to_vec(),
                shard: context.shard.clone(),
                complete,
            },
            conformant,
            summary,
            levels,
            areas,
            requirements,
            vectors: run
                .results
                .iter()
                .map(|r| VectorReport {
                    id: r.id.clone(),
                    area: r.area.clone(),
                    level: r.level,
                    requirements: r.requirements.clone(),
                    status: r.status,
                    cause: r.cause,
                    detail: r.detail.clone(),
                    expected_failure: assessment.is_expected(&r.id),
                    ms: r.duration.as_secs_f64() * 1000.0,
                })
                .collect(),
        }
    }

    /// Writes the summary for people: the testee, a table per area, the failures (unexpected first),
    /// the baseline's complaints, the verdict and the closing line `N passed, N failed, N skipped`.
    pub fn print_summary(
        &self,
        baseline: Option<&Baseline>,
        assessment: &Assessment,
        replay: &str,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let t = &self.testee;
        writeln!(
            out,
            "testee: {} {} (features: {}; choices: {})",
            t.name,
            t.version,
            if t.features.is_empty() {
                "none".into()
            } else {
                t.features.join(", ")
            },
            if t.choices.is_empty() {
                "none".into()
            } else {
                t.choices
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )?;
        let width = self.areas.keys().map(String::len).max().unwrap_or(4).max(4);
        writeln!(out, "\n{:width$}  passed  failed  skipped", "area")?;
        for (area, c) in &self.areas {
            writeln!(
                out,
                "{area:width$}  {:>6}  {:>6}  {:>7}",
                c.passed, c.failed, c.skipped
            )?;
        }
        for (level, c) in &self.levels {
            writeln!(
                out,
                "{:width$}  {:>6}  {:>6}  {:>7}",
                format!("({level})"),
                c.passed,
                c.failed,
                c.skipped
            )?;
        }

        const SHOWN: usize = 50;
        let failures: Vec<&VectorReport> = self
            .vectors
            .iter()
            .filter(|v| v.status == Status::Failed && !v.expected_failure)
            .collect();
        if !failures.is_empty() {
            writeln!(out, "\nunexpected failures:")?;
            for v in failures.iter().take(SHOWN) {
                writeln!(
                    out,
                    "  FAIL {} [{} {}]: {}",
                    v.id,
                    level_name(v.level),
                    v.requirements.join(" "),
                    indent(&v.detail)
                )?;
            }
            if failures.len() > SHOWN {
                writeln!(
                    out,
                    "  ... and {} more (see --report or --junit)",
                    failures.len() - SHOWN
                )?;
            }
            writeln!(out, "  replay one: {replay} --debug {}", failures[0].id)?;
        }
        if let Some(baseline) = baseline {
            if !assessment.expected_failures.is_empty() {
                writeln!(
                    out,
                    "\nknown failures (baseline): {}",
                    assessment.expected_failures.len()
                )?;
                for (id, e) in assessment.expected_failures.iter().take(SHOWN) {
                    writeln!(out, "  {id}: {}", baseline.failures[*e].reason)?;
                }
            }
            if !assessment.unexpected_passes.is_empty() {
                writeln!(
                    out,
                    "\nlisted in the baseline but passing now (remove them, or --update-baseline):"
                )?;
                for (id, e) in &assessment.unexpected_passes {
                    writeln!(
                        out,
                        "  PASS {id} (entry `{}`)",
                        baseline.failures[*e].vector
                    )?;
                }
            }
            if !assessment.stale.is_empty() {
                writeln!(
                    out,
                    "\nstale baseline entries, matching no vector (remove them, or --update-baseline):"
                )?;
                for e in &assessment.stale {
                    writeln!(out, "  {}", baseline.failures[*e].vector)?;
                }
            }
        }
        let mut skip_reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for v in self.vectors.iter().filter(|v| v.status == Status::Skipped) {
            *skip_reasons.entry(v.detail.as_str()).or_default() += 1;
        }
        if !skip_reasons.is_empty() {
            writeln!(out, "\nskipped:")?;
            for (reason, n) in skip_reasons.iter().take(SHOWN) {
                writeln!(out, "  {n:>5}  {reason}")?;
            }
        }

        let s = &self.summary;
        writeln!(out)?;
        writeln!(
            out,
            "conformant: {}",
            match self.conformant {
                Some(true) => format!(
                    "yes, for the features {} (no MUST vector failed or was skipped)",
                    t.features.join(", ")
                ),
                Some(false) => "no (a MUST vector failed or was skipped)".into(),
                None => "no verdict (partial run: --filter or --shard)".into(),
            }
        )?;
        writeln!(
            out,
            "suite {} (vector set {}), {} of {} vectors run in {:.2}s, {} restart{}",
            self.suite_version,
            self.vector_set,
            self.vectors.len(),
            self.vectors_in_set,
            s.seconds,
            s.restarts,
            if s.restarts == 1 { "" } else { "s" }
        )?;
        if baseline.is_some() {
            writeln!(
                out,
                "baseline: {} expected failures, {} unexpected failures, {} unexpected passes, {} stale entries",
                s.expected_failures, s.unexpected_failures, s.unexpected_passes, s.stale_baseline_entries
            )?;
        }
        writeln!(
            out,
            "{} passed, {} failed, {} skipped",
            s.passed, s.failed, s.skipped
        )
    }
}

/// `MUST` or `SHOULD`.
pub fn level_name(level: Level) -> &'static str {
    match level {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
    }
}

/// Sort key that orders `IOTP-WIRE-9` before `IOTP-WIRE-10`.
pub fn natural_key(id: &str) -> (String, u64, String) {
    match id.rsplit_once('-') {
        Some((prefix, n)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.is_empty() => (
            prefix.to_string(),
            n.parse().unwrap_or(u64::MAX),
            String::new(),
        ),
        _ => (id.to_string(), 0, id.to_string()),
    }
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n       ")
}
