//! Diagnostics: what every stage reports about a schema, and how it is shown to people and machines.
//!
//! Stages push [`Diagnostic`]s into a [`Diagnostics`] sink and keep going, so one run reports every
//! problem it can find. Rendering lives in [`render`] (rustc-style text) and [`json`] (for editors and CI).

mod codes;
pub mod json;
pub mod printable;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// For information only: a compatible change found by `iotp2p breaking`.
    Note,
    /// The schema is usable; something is probably unintended.
    Warning,
    /// The schema is invalid; no IR is produced.
    Error,
}

/// A secondary span with its own short message ("first defined here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// One reported problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which rule.
    pub code: Code,
    /// Error or warning (derived from the code, kept here for renderers).
    pub severity: Severity,
    /// The headline, specific to this occurrence.
    pub message: String,
    /// The main place, underlined with `^^^`; `None` for problems without a place (a missing file named
    /// on the command line).
    pub span: Option<Span>,
    /// What to say under the main underline.
    pub label: String,
    /// Other places that explain the problem.
    pub secondary: Vec<Label>,
    /// Suggestions, printed as `= help: ...`.
    pub help: Vec<String>,
    /// Extra context, printed as `= note: ...`.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic for `code` at `span`; the severity follows from the code.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            span: Some(span),
            ..Diagnostic::without_span(code, message)
        }
    }

    /// A diagnostic that has no place in a schema file.
    pub fn without_span(code: Code, message: impl Into<String>) -> Diagnostic {
        let severity = match code.as_str().as_bytes().first() {
            Some(b'W') => Severity::Warning,
            Some(b'N') => Severity::Note,
            _ => Severity::Error,
        };
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            label: String::new(),
            secondary: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Sets the text under the main underline.
    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = label.into();
        self
    }

    /// Adds a secondary place.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a `help:` line.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    /// Adds a `note:` line.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }
}

/// Most diagnostics one compilation keeps. Past it, diagnostics are only counted: a garbage or
/// machine-generated file can break a rule a hundred thousand times, and neither memory nor the
/// output should grow with that. The first ones reported are kept (syntax before semantics).
pub const MAX_DIAGNOSTICS: usize = 500;

/// The sink every stage reports into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    omitted_errors: usize,
    omitted_warnings: usize,
    omitted_notes: usize,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Records a diagnostic; past [`MAX_DIAGNOSTICS`], only counts it.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self.items.len() < MAX_DIAGNOSTICS {
            self.items.push(diagnostic);
        } else if diagnostic.severity == Severity::Error {
            self.omitted_errors += 1;
        } else if diagnostic.severity == Severity::Warning {
            self.omitted_warnings += 1;
        } else {
            self.omitted_notes += 1;
        }
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.omitted_errors > 0 || self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors, omitted ones included.
    pub fn error_count(&self) -> usize {
        self.omitted_errors
            + self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count()
    }

    /// Number of warnings, omitted ones included.
    pub fn warning_count(&self) -> usize {
        self.omitted_warnings
            + self
                .items
                .iter()
                .filter(|d| d.severity == Severity::Warning)
                .count()
    }

    /// Whether the sink keeps no more diagnostics: a stage may skip costly extras (suggestions) for
    /// diagnostics that would only be counted.
    pub fn is_full(&self) -> bool {
        self.items.len() >= MAX_DIAGNOSTICS
    }

    /// Number of diagnostics counted but not kept, past [`MAX_DIAGNOSTICS`].
    pub fn omitted(&self) -> usize {
        self.omitted_errors + self.omitted_warnings + self.omitted_notes
    }

    /// All kept diagnostics, sorted by file and position so that output is stable.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| d.span.map(|s| (s.file, s.start, s.end)));
        v
    }

    /// All kept diagnostics in the order they were reported.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.omitted() == 0
    }
}

/// Suggests the candidate closest to `name`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = if candidate.eq_ignore_ascii_case(name) {
            1.0
        } else {
            // Dotted names (packages) share long prefixes: `example.weather` is not a typo of
            // `example.core`. Compare only what follows the dotted segments both have in common.
            let (a, b) = distinct_tails(name, candidate);
            if a.is_empty() || b.is_empty() {
                continue;
            }
            strsim::jaro_winkler(&a.to_ascii_lowercase(), &b.to_ascii_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `a` and `b` without the whole dotted segments they start with in common.
fn distinct_tails<'a, 'b>(a: &'a str, b: &'b str) -> (&'a str, &'b str) {
    let mut common = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            break;
        }
        if x == '.' {
            common = i + 1;
        }
    }
    (&a[common..], &b[common..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        let names = ["Temperature", "Humidity", "Level"];
        assert_eq!(did_you_mean("Temprature", names), Some("Temperature"));
        assert_eq!(did_you_mean("level", names), Some("Level"));
        assert_eq!(did_you_mean("Colour", names), None);
    }

    #[test]
    fn the_sink_keeps_a_bounded_number_and_counts_the_rest() {
        let mut d = Diagnostics::new();
        let span = Span::new(crate::source::FileId(0), 0, 0);
        for _ in 0..MAX_DIAGNOSTICS + 10 {
            d.push(Diagnostic::new(Code::UnknownType, span, "e"));
        }
        d.push(Diagnostic::new(Code::UnusedImport, span, "w"));
        assert_eq!(d.iter().count(), MAX_DIAGNOSTICS);
        assert_eq!(d.omitted(), 11);
        assert_eq!(d.error_count(), MAX_DIAGNOSTICS + 10);
        assert_eq!(d.warning_count(), 1);
        assert!(d.has_errors() && !d.is_empty());
    }

    #[test]
    fn did_you_mean_ignores_shared_package_prefixes() {
        let packages = ["example.core", "example.weather"];
        assert_eq!(
            did_you_mean("example.wether", packages),
            Some("example.weather")
        );
        assert_eq!(did_you_mean("example.lighting", packages), None);
        assert_eq!(did_you_mean("exmple.core", packages), Some("example.core"));
    }
}
