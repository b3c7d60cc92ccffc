//! Diagnostics: what every stage reports about a schema, and how it is shown to people and machines.
//!
//! Stages push [`Diagnostic`]s into a [`Diagnostics`] sink and keep going, so one run reports every
//! problem it can find. Rendering lives in [`render`] (rustc-style text) and [`json`] (for editors and CI).

mod codes;
pub mod json;
pub mod render;

pub use codes::Code;

use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
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
        let severity = if code.as_str().starts_with('W') {
            Severity::Warning
        } else {
            Severity::Error
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

/// The sink every stage reports into.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// An empty sink.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    /// All diagnostics, sorted by file and position so that output is stable.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by_key(|d| d.span.map(|s| (s.file, s.start, s.end)));
        v
    }

    /// All diagnostics in the order they were reported.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
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
            strsim::jaro_winkler(&name.to_ascii_lowercase(), &candidate.to_ascii_lowercase())
        };
        if score >= 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
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
}
