//! Diagnostics as JSON, for editors and CI: one document with every diagnostic and the counts.
//!
//! The shape (a documented, stable interface; fields are only ever added):
//! ```json
//! {"diagnostics": [{"code": "E0201", "severity": "error", "message": "...", "file": "lamp.iotp",
//!   "line": 7, "column": 14, "end_line": 7, "end_column": 24, "span": {"start": 96, "end": 106},
//!   "label": "...", "help": ["..."], "notes": [], "related": [{"file": ..., "line": ..., ...}]}],
//!  "errors": 1, "warnings": 0, "omitted": 0}
//! ```
//! `errors` and `warnings` count every diagnostic; past the compiler's limit
//! ([`MAX_DIAGNOSTICS`](super::MAX_DIAGNOSTICS)) only the first ones are listed and `omitted` says how
//! many were left out.
//! Lines and columns are 1-based; columns count Unicode scalar values; `span` is in bytes.

use serde::Serialize;

use super::printable::json_safe;
use super::{Diagnostic, Diagnostics, Severity};
use crate::source::{SourceMap, Span};

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: usize,
    warnings: usize,
    /// Diagnostics counted in `errors`/`warnings` but not listed (past the compiler's limit).
    omitted: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    #[serde(flatten)]
    location: Option<JsonLocation<'a>>,
    label: &'a str,
    help: &'a [String],
    notes: &'a [String],
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonSpan {
    start: u32,
    end: u32,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    #[serde(flatten)]
    location: JsonLocation<'a>,
    message: &'a str,
}

fn location(sources: &SourceMap, span: Span) -> JsonLocation<'_> {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    JsonLocation {
        file: &file.name,
        line,
        column,
        end_line,
        end_column,
        span: JsonSpan {
            start: span.start,
            end: span.end,
        },
    }
}

fn one<'a>(sources: &'a SourceMap, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        code: d.code.as_str(),
        severity: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
        message: &d.message,
        location: d.span.map(|s| location(sources, s)),
        label: &d.label,
        help: &d.help,
        notes: &d.notes,
        related: d
            .secondary
            .iter()
            .map(|l| JsonRelated {
                location: location(sources, l.span),
                message: &l.message,
            })
            .collect(),
    }
}

/// The JSON document for a set of diagnostics, pretty-printed, with a trailing newline.
pub fn render_json(sources: &SourceMap, diagnostics: &Diagnostics) -> String {
    let report = JsonReport {
        diagnostics: diagnostics
            .sorted()
            .into_iter()
            .map(|d| one(sources, d))
            .collect(),
        errors: diagnostics.error_count(),
        warnings: diagnostics.warning_count(),
        omitted: diagnostics.omitted(),
    };
    // Messages and file names carry text from the schema: escape what serde_json leaves raw.
    let mut s =
        json_safe(serde_json::to_string_pretty(&report).expect("diagnostics serialize to JSON"));
    s.push('\n');
    s
}
