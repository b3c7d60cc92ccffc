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

use super::printable::{is_unsafe, printable};
use super::{Diagnostic, Diagnostics, Severity, MAX_DIAGNOSTICS};
use crate::source::{FileId, SourceMap};

/// The files as a diagnostic shows them: names and text with every unsafe character escaped
/// ([`printable`]), so that a schema cannot drive the reader's terminal or hide what a line says.
/// Escaping lengthens the text, so spans are moved with [`Shown::offset`], and the columns in `file:line:col`
/// are counted in the original text ([`Shown::original`]), where an editor finds them.
struct Shown<'s> {
    sources: &'s SourceMap,
    files: Vec<ShownFile>,
}

struct ShownFile {
    name: String,
    text: String,
    line_starts: Vec<u32>,
    /// The escaped characters, in order. Line feeds are never escaped, so lines correspond.
    escapes: Vec<Escape>,
}

/// One escaped character: where it is in the original and in the shown text, and how wide, in bytes.
struct Escape {
    at: u32,
    shown_at: u32,
    width: u32,
    shown_width: u32,
}

impl Escape {
    /// Bytes the escapes up to and including this one added.
    fn added(&self) -> u32 {
        self.shown_at + self.shown_width - self.at - self.width
    }
}

impl<'s> Shown<'s> {
    fn new(sources: &'s SourceMap) -> Shown<'s> {
        let files = sources
            .files()
            .map(|(_, f)| {
                let (text, escapes) = escape_with_offsets(&f.text);
                let line_starts = std::iter::once(0)
                    .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                    .collect();
                ShownFile {
                    name: printable(&f.name).into_owned(),
                    text,
                    line_starts,
                    escapes,
                }
            })
            .collect();
        Shown { sources, files }
    }

    fn get(&self, id: FileId) -> &ShownFile {
        &self.files[id.0 as usize]
    }

    /// Where byte `offset` of the original text of `file` is in the shown text.
    fn offset(&self, file: FileId, offset: u32) -> u32 {
        let escapes = &self.get(file).escapes;
        let before = escapes.partition_point(|e| e.at < offset);
        offset + before.checked_sub(1).map_or(0, |i| escapes[i].added())
    }

    /// Where byte `shown` of the shown text of `file` comes from in the original text (the escaped
    /// character itself for a byte inside its escape).
    fn original(&self, file: FileId, shown: u32) -> u32 {
        let escapes = &self.get(file).escapes;
        let started = escapes.partition_point(|e| e.shown_at <= shown);
        match started.checked_sub(1).map(|i| &escapes[i]) {
            None => shown,
            Some(e) if shown < e.shown_at + e.shown_width => e.at,
            Some(e) => shown - e.added(),
        }
    }
}

/// `text` escaped as [`printable`] does, with the table of its escapes.
fn escape_with_offsets(text: &str) -> (String, Vec<Escape>) {
    let mut out = String::with_capacity(text.len());
    let mut escapes = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let ends_line = c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n');
        if is_unsafe(c) && !ends_line {
            let shown_at = out.len();
            out.extend(c.escape_unicode());
            escapes.push(Escape {
                at: at as u32,
                shown_at: shown_at as u32,
                width: c.len_utf8() as u32,
                shown_width: (out.len() - shown_at) as u32,
            });
        } else {
            out.push(c);
        }
    }
    (out, escapes)
}

impl<'a> Files<'a> for Shown<'_> {
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
        let starts = &self.get(id).line_starts;
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
        let starts = &file.line_starts;
        let start = *starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: starts.len() - 1,
        })? as usize;
        let end = starts
            .get(line_index + 1)
            .map_or(file.text.len(), |&s| s as usize);
        Ok(start..end)
    }

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let original = &self.sources.get(id).text;
        let line_start = self.sources.get(id).line_starts()[line_index] as usize;
        let at = self.original(id, byte_index as u32) as usize;
        let prefix = original.get(line_start..at.max(line_start)).unwrap_or("");
        Ok(prefix.chars().count() + 1)
    }
}

/// Longest source line shown under a diagnostic, in bytes. A longer line (minified or generated
/// schemas, garbage) is not printed: the diagnostic names its place in a note instead, so output stays
/// proportional to the number of diagnostics, not to the file's size.
const MAX_SHOWN_LINE: usize = 1000;

/// Most lines a multi-line label shows (an unterminated comment can cover the whole file); a longer
/// one is cut to its first line.
const MAX_LABEL_LINES: usize = 6;

fn to_codespan(sources: &SourceMap, shown: &Shown<'_>, d: &Diagnostic) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
    };
    let mut labels = Vec::new();
    let mut unshown = Vec::new();
    let primary = d.span.map(|s| (cs::LabelStyle::Primary, s, &d.label));
    let secondary = d
        .secondary
        .iter()
        .map(|l| (cs::LabelStyle::Secondary, l.span, &l.message));
    for (style, span, message) in primary.into_iter().chain(secondary) {
        let file = shown.get(span.file);
        let starts = &file.line_starts;
        let line_of = |offset: u32| match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_end = |line: usize| {
            starts
                .get(line + 1)
                .map_or(file.text.len(), |&s| s as usize - 1)
        };
        let (start, end) = (
            shown.offset(span.file, span.start),
            shown.offset(span.file, span.end),
        );
        let (first, last) = (line_of(start), line_of(end));
        let mut range = start as usize..end as usize;
        if last - first >= MAX_LABEL_LINES {
            range.end = line_end(first).max(range.start);
        }
        let shown_last = line_of(range.end as u32);
        let too_long = (first..=shown_last)
            .any(|l| line_end(l).saturating_sub(starts[l] as usize) > MAX_SHOWN_LINE);
        if too_long {
            let (line, column) = sources.get(span.file).line_col(span.start);
            let what = if message.is_empty() {
                "here".into()
            } else {
                printable(message)
            };
            unshown.push(format!(
                "at {}:{line}:{column}: {what} (the line is too long to show)",
                file.name
            ));
            continue;
        }
        labels.push(cs::Label::new(style, span.file, range).with_message(printable(message)));
    }
    let notes = unshown
        .into_iter()
        .chain(d.help.iter().map(|h| format!("help: {}", printable(h))))
        .chain(d.notes.iter().map(|n| format!("note: {}", printable(n))))
        .collect();
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(printable(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders every diagnostic, sorted by position, followed by a summary line; without colour, so the
/// output can be compared in golden tests.
pub fn render_plain(sources: &SourceMap, diagnostics: &Diagnostics) -> String {
    render_plain_ending(sources, diagnostics, &summary(diagnostics))
}

/// [`render_plain`] with another closing line than the compiler's summary (`iotp2p breaking` counts
/// breaking changes, not compilation errors).
pub fn render_plain_ending(sources: &SourceMap, diagnostics: &Diagnostics, ending: &str) -> String {
    let config = Config::default();
    let shown = Shown::new(sources);
    let mut out = String::new();
    for d in diagnostics.sorted() {
        // A span outside its file would be a compiler bug; fall back to the bare message rather than
        // losing the diagnostic.
        match term::emit_into_string(&config, &shown, &to_codespan(sources, &shown, d)) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str(&format!(
                "{}[{}]: {}\n\n",
                severity_word(d),
                d.code,
                printable(&d.message)
            )),
        }
    }
    out.push_str(&omitted_note(diagnostics));
    out.push_str(ending);
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
    emit_stderr_ending(sources, diagnostics, color, &summary(diagnostics))
}

/// [`emit_stderr`] with another closing line, as [`render_plain_ending`].
pub fn emit_stderr_ending(
    sources: &SourceMap,
    diagnostics: &Diagnostics,
    color: bool,
    ending: &str,
) {
    use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};
    use std::io::Write;
    let choice = if color {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    };
    let mut stream = StandardStream::stderr(choice);
    let config = Config::default();
    let shown = Shown::new(sources);
    for d in diagnostics.sorted() {
        if term::emit_to_write_style(
            &mut stream.lock(),
            &config,
            &shown,
            &to_codespan(sources, &shown, d),
        )
        .is_err()
        {
            let message = printable(&d.message);
            let _ = writeln!(stream, "{}[{}]: {message}\n", severity_word(d), d.code);
        }
    }
    let _ = write!(stream, "{}{}", omitted_note(diagnostics), ending);
}

fn severity_word(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
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
