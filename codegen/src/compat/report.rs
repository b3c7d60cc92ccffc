//! Findings for people and machines: each one becomes a [`Diagnostic`] (rustc-style through the
//! compiler's renderer, the place in S2 underlined and the place in S1 as a secondary label), or an
//! entry of a JSON document that carries the rule, its categories and its requirement.
//!
//! How serious a finding is depends on what the user enforces ([IOTP-VER-10]) and on the versions:
//! a change that breaks an enforced category is an error, unless the package's major version
//! increases, which allows any change ([IOTP-VER-8]); a change to a frozen envelope key is an error
//! in any case ([IOTP-VER-13]); a breaking change that is not an error is a warning, and a compatible
//! one a note, shown only on request.

use std::collections::BTreeMap;

use serde_json::{json, Value as Json};

use super::versions::{same_major, VersionProblem};
use super::{check_versions, compare, Categories, Category, Finding};
use crate::diagnostics::printable::json_safe;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::ir::{Location, Schema};
use crate::source::{FileId, SourceFile, SourceMap, Span};

/// What the user asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The categories whose breaking changes are errors. WIRE is always among them: a WIRE-breaking
    /// change within one major version is an error whatever the user chooses ([IOTP-VER-8]).
    pub enforce: Categories,
    /// Whether compatible changes are listed too (as notes).
    pub show_compatible: bool,
}

impl Default for Policy {
    /// Every category enforced (the spec names SOURCE as the one a project may choose to ignore), and
    /// compatible changes not listed.
    fn default() -> Policy {
        Policy::new(Categories::ALL, false)
    }
}

impl Policy {
    /// A policy enforcing `enforce` and WIRE.
    pub fn new(enforce: Categories, show_compatible: bool) -> Policy {
        Policy {
            enforce: enforce.with(Category::Wire),
            show_compatible,
        }
    }
}

/// Everything the checker found between two schema sets.
#[derive(Clone, Debug)]
pub struct Report {
    /// Every classified difference.
    pub findings: Vec<Finding>,
    /// The packages whose version does not follow the differences.
    pub versions: Vec<VersionProblem>,
    /// Per package: whether its major version stays (or it is unversioned).
    same_major: BTreeMap<String, bool>,
}

impl Report {
    /// Compares S2 (`new`) against S1 (`old`).
    pub fn new(old: &Schema, new: &Schema) -> Report {
        let findings = compare(old, new);
        let versions = check_versions(old, new, &findings);
        let same_major = findings
            .iter()
            .map(|f| (f.package.clone(), same_major(old, new, &f.package)))
            .collect();
        Report {
            findings,
            versions,
            same_major,
        }
    }

    /// How serious `finding` is under `policy`.
    pub fn severity(&self, finding: &Finding, policy: &Policy) -> Severity {
        if finding.frozen {
            return Severity::Error;
        }
        if finding.breaks.is_empty() {
            return Severity::Note;
        }
        let enforced = !finding.breaks.intersection(policy.enforce).is_empty();
        let same_major = self
            .same_major
            .get(&finding.package)
            .copied()
            .unwrap_or(true);
        if enforced && same_major {
            Severity::Error
        } else {
            Severity::Warning
        }
    }

    /// Whether anything is an error under `policy`: the exit status of `iotp2p breaking`.
    pub fn fails(&self, policy: &Policy) -> bool {
        !self.versions.is_empty()
            || self
                .findings
                .iter()
                .any(|f| self.severity(f, policy) == Severity::Error)
    }

    /// The closing line of the human rendering.
    pub fn summary(&self, policy: &Policy) -> String {
        let count = |s: Severity| {
            self.findings
                .iter()
                .filter(|f| self.severity(f, policy) == s)
                .count()
        };
        let (errors, warnings, notes) = (
            count(Severity::Error) + self.versions.len(),
            count(Severity::Warning),
            count(Severity::Note),
        );
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let compatible = plural(notes, "compatible change");
        let warned = match warnings {
            0 => String::new(),
            w => format!(", {}", plural(w, "warning")),
        };
        match (errors, warnings) {
            (0, 0) => format!("no breaking change; {compatible}\n"),
            (0, w) => format!("warning: {}; {compatible}\n", plural(w, "warning")),
            (e, _) => format!("error: {}{warned}; {compatible}\n", plural(e, "error")),
        }
    }
}

/// The two sides' sources, for placing findings.
pub struct Sources<'a> {
    /// The files of S1.
    pub old: &'a SourceMap,
    /// The files of S2.
    pub new: &'a SourceMap,
    /// Put before the names of S1's files in the output (`HEAD~1:` for a git revision), so that the
    /// two versions of one path can be told apart.
    pub old_prefix: &'a str,
}

/// The report as diagnostics over one source map holding both sides' files (S2's first, so that
/// output follows S2).
pub fn to_diagnostics(
    report: &Report,
    policy: &Policy,
    sources: &Sources<'_>,
) -> (SourceMap, Diagnostics) {
    let (map, shift) = merge_sources(sources);
    let new_span = |l: &Location| span_of(sources.new, l, 0);
    let old_span = |l: &Location| span_of(sources.old, l, shift);
    let mut diagnostics = Diagnostics::new();
    for f in &report.findings {
        let severity = report.severity(f, policy);
        if severity == Severity::Note && !policy.show_compatible {
            continue;
        }
        let code = match severity {
            Severity::Error => Code::BreakingChange,
            Severity::Warning => Code::BreakingChangeAllowed,
            Severity::Note => Code::CompatibleChange,
        };
        let message = format!("{}: {}", f.rule.name(), f.message);
        let new = f.new.as_ref().and_then(new_span);
        let old = f.old.as_ref().and_then(old_span);
        let mut d = match (new, old) {
            (Some(n), old) => {
                let d = Diagnostic::new(code, n, message).with_label("in the new version");
                match old {
                    Some(o) => d.with_secondary(o, "in the old version"),
                    None => d,
                }
            }
            (None, Some(o)) => Diagnostic::new(code, o, message).with_label("in the old version"),
            (None, None) => Diagnostic::without_span(code, message),
        };
        d.severity = severity;
        d = d.with_note(categories_note(f));
        if f.frozen {
            d = d.with_note(
                "a frozen key of `iotp2p.core.Envelope`, or a type it uses: relays of every version \
                 forward envelopes by these keys, so nothing but documentation may change (IOTP-VER-13)",
            );
        } else if severity == Severity::Warning {
            let enforced = !f.breaks.intersection(policy.enforce).is_empty();
            d = d.with_note(if enforced {
                "allowed: the package's major version increases (IOTP-VER-8)".to_string()
            } else {
                format!("not an error: {} not enforced (IOTP-VER-10)", f.breaks)
            });
        } else if severity == Severity::Error && f.breaks.wire {
            d = d.with_note(
                "a WIRE-breaking change within one major version (IOTP-VER-8); increase the major \
                 version or undo the change",
            );
        }
        diagnostics.push(d);
    }
    for v in &report.versions {
        let message = format!(
            "version {} of package `{}` does not follow the changes: they ask for a {} increase from {}, to {}",
            v.new,
            v.package,
            v.required.as_str(),
            v.old,
            v.expected
        );
        let mut d = match span_of(sources.new, &v.new_location, 0) {
            Some(s) => {
                Diagnostic::new(Code::VersionNotFollowed, s, message).with_label("this version")
            }
            None => Diagnostic::without_span(Code::VersionNotFollowed, message),
        };
        if let Some(o) = span_of(sources.old, &v.old_location, shift) {
            d = d.with_secondary(o, format!("version {} here", v.old));
        }
        if let Some(rule) = v.reason {
            d = d.with_note(format!(
                "the first change that asks for it: {rule} (IOTP-VER-9)"
            ));
        }
        diagnostics.push(d);
    }
    (map, diagnostics)
}

/// One source map with S2's files, then S1's (their names prefixed), and the shift of S1's file ids.
fn merge_sources(sources: &Sources<'_>) -> (SourceMap, u32) {
    let mut map = SourceMap::new();
    for (_, f) in sources.new.files() {
        map.add(SourceFile::new(
            f.name.clone(),
            f.path.clone(),
            f.text.clone(),
        ));
    }
    let shift = sources.new.files().count() as u32;
    for (_, f) in sources.old.files() {
        let name = format!("{}{}", sources.old_prefix, f.name);
        map.add(SourceFile::new(name, f.path.clone(), f.text.clone()));
    }
    (map, shift)
}

/// The diagnostics of both compilations in one source map (S2's first), for when either side does
/// not compile and there is nothing to compare.
/// Each side is its files and its diagnostics, as a compilation reports them.
pub fn merge_diagnostics(
    (old_sources, old): (&SourceMap, &Diagnostics),
    (new_sources, new): (&SourceMap, &Diagnostics),
    old_prefix: &str,
) -> (SourceMap, Diagnostics) {
    let (map, shift) = merge_sources(&Sources {
        old: old_sources,
        new: new_sources,
        old_prefix,
    });
    let mut diagnostics = Diagnostics::new();
    for d in new.iter() {
        diagnostics.push(d.clone());
    }
    let moved = |s: Span| Span {
        file: FileId(s.file.0 + shift),
        ..s
    };
    for d in old.iter() {
        let mut d = d.clone();
        d.span = d.span.map(moved);
        for label in &mut d.secondary {
            label.span = moved(label.span);
        }
        diagnostics.push(d);
    }
    (map, diagnostics)
}

/// The categories a finding breaks and the requirement, for its note.
fn categories_note(f: &Finding) -> String {
    match f.category() {
        None => format!("compatible in WIRE, JSON and SOURCE ({})", f.requirement()),
        Some(worst) => format!(
            "breaks {} (category {worst}; {})",
            f.breaks,
            f.requirement()
        ),
    }
}

/// The span of the name at a location of the IR (a dotted one for a package), in the file the
/// location names.
fn span_of(sources: &SourceMap, l: &Location, shift: u32) -> Option<Span> {
    let (id, file) = sources.files().find(|(_, f)| f.name == l.file)?;
    let line_start = *file.line_starts().get((l.line as usize).checked_sub(1)?)? as usize;
    let rest = file.text.get(line_start..)?;
    let start = line_start
        + rest
            .char_indices()
            .nth((l.column as usize).saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i);
    let word = file.text[start..]
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(file.text.len() - start);
    Some(Span::new(FileId(id.0 + shift), start, start + word))
}

/// The report as one JSON document (a documented interface; fields are only ever added):
/// ```json
/// {"findings": [{"rule": "FIELD_ADDED_REQUIRED", "category": "WIRE", "breaks": ["WIRE", "JSON", "SOURCE"],
///   "requirement": "IOTP-VER-4", "severity": "error", "message": "...", "package": "...",
///   "type": "...", "moved_to": null, "key": 3, "old": {"file": ..., "line": ..., "column": ...}, "new": {...}}],
///  "versions": [{"package": ..., "old": "1.0.0", "new": "1.0.1", "required": "MINOR",
///   "expected": "1.1.0", "requirement": "IOTP-VER-9", "reason": "FIELD_ADDED_OPTIONAL"}],
///  "errors": 1, "warnings": 0, "compatible": 0}
/// ```
/// Every finding is listed, compatible ones included (with `"category": null` and severity `note`).
pub fn render_json(report: &Report, policy: &Policy, old_prefix: &str) -> String {
    let location = |l: &Option<Location>, prefix: &str| match l {
        Some(l) => {
            json!({"file": format!("{prefix}{}", l.file), "line": l.line, "column": l.column})
        }
        None => Json::Null,
    };
    let severity = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    };
    let findings: Vec<Json> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "rule": f.rule.name(),
                "category": f.category().map(Category::as_str),
                "breaks": f.breaks.iter().map(Category::as_str).collect::<Vec<_>>(),
                "requirement": f.requirement(),
                "severity": severity(report.severity(f, policy)),
                "message": f.message,
                "package": f.package,
                "type": f.type_name,
                "moved_to": f.moved_to,
                "key": f.key,
                "old": location(&f.old, old_prefix),
                "new": location(&f.new, ""),
            })
        })
        .collect();
    let versions: Vec<Json> = report
        .versions
        .iter()
        .map(|v| {
            json!({
                "package": v.package,
                "old": v.old.to_string(),
                "new": v.new.to_string(),
                "required": v.required.as_str(),
                "expected": v.expected.to_string(),
                "requirement": v.requirement(),
                "reason": v.reason.map(|r| r.name()),
            })
        })
        .collect();
    let count = |s: Severity| {
        report
            .findings
            .iter()
            .filter(|f| report.severity(f, policy) == s)
            .count()
    };
    let doc = json!({
        "findings": findings,
        "versions": versions,
        "errors": count(Severity::Error) + report.versions.len(),
        "warnings": count(Severity::Warning),
        "compatible": count(Severity::Note),
    });
    let mut s = json_safe(serde_json::to_string_pretty(&doc).expect("the report serialises"));
    s.push('\n');
    s
}
