//! rustc-style rendering of diagnostics for people, through `codespan-reporting`.
//!
//! Output looks like:
//! ```text
//! error[E0201]: unknown type `Temprature`
//!   ┌─ lamp.iotp:7:14
//!   │
//! 7 │     1 value: Temprature;
//!   │              ^^^^^^^^^^ not a type of package `example.lamp` or of its imports
//!   │
//!   = help: did you mean `Temperature`?
//! ```

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, Config};

use super::{Diagnostic, Diagnostics, Severity, MAX_DIAGNOSTICS};
use crate::source::{FileId, SourceMap};

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.get(id).line_starts();
        Ok(match starts.binary_search(&(byte_index as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        })
    }

    fn line_range(
        &'a self,
        id: FileId,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, FilesError> {
        let file = self.get(id);
        let starts = file.line_starts();
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(file.text.len(), |&s| s as usize);
        Ok(start..end)
    }
}

/// Longest source line shown under a diagnostic, in bytes. A longer line (minified or generated
/// schemas, garbage) is not printed: the diagnostic names its place in a note instead, so output stays
/// proportional to the number of diagnostics, not to the file's size.
const MAX_SHOWN_LINE: usize = 1000;

/// Most lines a multi-line label shows (an unterminated comment can cover the whole file); a longer
/// one is cut to its first line.
const MAX_LABEL_LINES: usize = 6;

fn to_codespan(sources: &SourceMap, d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let mut labels = Vec::new();
    let mut unshown = Vec::new();
    let primary = d.span.map(|s| (cs::LabelStyle::Primary, s, &d.label));
    let secondary = d
        .secondary
        .iter()
        .map(|l| (cs::LabelStyle::Secondary, l.span, &l.message));
    for (style, span, message) in primary.into_iter().chain(secondary) {
        let file = sources.get(span.file);
        let starts = file.line_starts();
        let line_of = |offset: u32| match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_end = |line: usize| {
            starts
                .get(line + 1)
                .map_or(file.text.len(), |&s| s as usize - 1)
        };
        let (first, last) = (line_of(span.start), line_of(span.end));
        let mut range = span.start as usize..span.end as usize;
        if last - first >= MAX_LABEL_LINES {
            range.end = line_end(first).max(range.start);
        }
        let shown_last = line_of(range.end as u32);
        let too_long = (first..=shown_last)
            .any(|l| line_end(l).saturating_sub(starts[l] as usize) > MAX_SHOWN_LINE);
        if too_long {
            let (line, column) = file.line_col(span.start);
            let what = if message.is_empty() {
                "here"
            } else {
                message.as_str()
            };
            unshown.push(format!(
                "at {}:{line}:{column}: {what} (the line is too long to show)",
                file.name
            ));
            continue;
        }
        labels.push(cs::Label::new(style, span.file, range).with_message(message.clone()));
    }
    let notes = unshown
        .into_iter()
        .chain(d.help.iter().map(|h| format!("help: {h}")))
        .chain(d.notes.iter().map(|n| format!("note: {n}")))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders every diagnostic, sorted by position, followed by a summary line; without colour, so the
/// output can be compared in golden tests.
pub fn render_plain(sources: &SourceMap, diagnostics: &Diagnostics) -> String {
    let config = Config::default();
    let mut out = String::new();
    for d in diagnostics.sorted() {
        // A span outside its file would be a compiler bug; fall back to the bare message rather than
        // losing the diagnostic.
        match term::emit_into_string(&config, sources, &to_codespan(sources, d)) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str(&format!(
                "{}[{}]: {}\n\n",
                severity_word(d),
                d.code,
                d.message
            )),
        }
    }
    out.push_str(&omitted_note(diagnostics));
    out.push_str(&summary(diagnostics));
    out
}

/// `note: 1234 more diagnostics not shown` after the shown ones, when the sink was full.
fn omitted_note(diagnostics: &Diagnostics) -> String {
    match diagnostics.omitted() {
        0 => String::new(),
        n => format!(
            "note: {n} more diagnostic{} not shown (at most {MAX_DIAGNOSTICS} are kept); fix the ones above first\n\n",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// Writes the diagnostics to standard error, in colour when it is a terminal.
pub fn emit_stderr(sources: &SourceMap, diagnostics: &Diagnostics, color: bool) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    use std::io::Write;
    let choice = if color {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stream = StandardStream::stderr(choice);
    let config = Config::default();
    for d in diagnostics.sorted() {
        if term::emit_to_write_style(
            &mut stream.lock(),
            &config,
            sources,
            &to_codespan(sources, d),
        )
        .is_err()
        {
            let _ = writeln!(stream, "{}[{}]: {}\n", severity_word(d), d.code, d.message);
        }
    }
    let _ = write!(
        stream,
        "{}{}",
        omitted_note(diagnostics),
        summary(diagnostics)
    );
}

fn severity_word(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `error: 2 errors, 1 warning` style closing line; empty when nothing was reported.
pub fn summary(diagnostics: &Diagnostics) -> String {
    let (e, w) = (diagnostics.error_count(), diagnostics.warning_count());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (e, w) {
        (0, 0) => String::new(),
        (0, w) => format!("warning: {} emitted\n", plural(w, "warning")),
        (e, 0) => format!("error: could not compile due to {}\n", plural(e, "error")),
        (e, w) => format!(
            "error: could not compile due to {}; {} emitted\n",
            plural(e, "error"),
            plural(w, "warning")
        ),
    }
}
