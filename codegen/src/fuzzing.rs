//! Fuzz target bodies, kept in the library so that `cargo test` replays the fuzz corpora on stable.
//!
//! Each `fuzz/fuzz_targets/<target>.rs` is a one-liner that hands libFuzzer's input to one function
//! here; `tests/fuzz_replay.rs` runs the same functions over every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/`. A body never returns an error: it panics when the compiler breaks one
//! of the invariants below, and libFuzzer (or the replay test) reports the panic as a crash.
//!
//! Invariants checked on every input:
//! - the compiler does not panic, whatever the bytes (not UTF-8, binary, deeply nested, huge numbers);
//! - every diagnostic's spans (main and secondary) name a loaded file and lie within its text, on
//!   character boundaries, with `start <= end`;
//! - the IR is produced exactly when no error was reported (`schema.is_some() == !has_errors()`);
//! - rendering the diagnostics for people and as JSON does not panic, and the JSON document parses and
//!   agrees with the error and warning counts;
//! - the IR, when produced, serialises to JSON and reads back;
//! - compiling the same input twice gives the same diagnostics and IR (no dependence on hash seeds).
//!
//! This module is not part of the public API: it exists for `fuzz/` and the replay test only.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostics::json::render_json;
use crate::diagnostics::render::render_plain;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, SourceMap, Span};
use crate::syntax;
use crate::syntax::printer;
use crate::{compile, Compilation, MemoryLoader};

/// Byte that separates the files of a [`compile_multi`] input. `0xFF` never occurs in UTF-8 text, so
/// splitting on it never cuts through a valid schema.
pub const FILE_SEPARATOR: u8 = 0xFF;

/// Names of the files of a [`compile_multi`] input, in order.
pub const MULTI_FILE_NAMES: [&str; 4] = ["a.iotp", "b.iotp", "c.iotp", "d.iotp"];

/// Compiles `data` as the bytes of one schema file (which need not be UTF-8) and checks the
/// invariants listed in the module documentation.
pub fn compile_bytes(data: &[u8]) {
    let name = PathBuf::from("fuzz.iotp");
    let loader = MemoryLoader::from_bytes(BTreeMap::from([(name.clone(), data.to_vec())]));
    let compilation = compile(std::slice::from_ref(&name), &loader);
    check_compilation(&compilation);
    check_deterministic(&compilation, &compile(&[name], &loader));
    assert!(
        compilation.sources.files().count() <= 1,
        "a single file with no other file to import loaded {} files",
        compilation.sources.files().count()
    );
}

/// Splits `data` on [`FILE_SEPARATOR`] into up to four files, `a.iotp` to `d.iotp` in one directory
/// (the fourth takes the rest, separators included), and compiles them: `a.iotp` and, when present,
/// `b.iotp` are named as roots; `c.iotp` and `d.iotp` are reached only through imports. The files may
/// import each other (`import "b.iotp" as b;`), so this exercises import resolution, missing files,
/// import cycles, duplicate packages and cross-package names. Checks the same invariants as
/// [`compile_bytes`].
pub fn compile_multi(data: &[u8]) {
    let pieces: Vec<&[u8]> = data.splitn(4, |&b| b == FILE_SEPARATOR).collect();
    let files: BTreeMap<PathBuf, Vec<u8>> = MULTI_FILE_NAMES
        .iter()
        .zip(&pieces)
        .map(|(name, bytes)| (PathBuf::from(name), bytes.to_vec()))
        .collect();
    let roots: Vec<PathBuf> = MULTI_FILE_NAMES[..pieces.len().min(2)]
        .iter()
        .map(PathBuf::from)
        .collect();
    let loader = MemoryLoader::from_bytes(files);
    let compilation = compile(&roots, &loader);
    check_compilation(&compilation);
    check_deterministic(&compilation, &compile(&roots, &loader));
    let loaded = compilation.sources.files().count();
    assert!(
        loaded <= pieces.len(),
        "{loaded} files loaded from an input of {} files",
        pieces.len()
    );
    for (_, file) in compilation.sources.files() {
        let path = file.path.to_string_lossy();
        assert!(
            MULTI_FILE_NAMES.contains(&path.as_ref()),
            "loaded a file that the loader does not hold: {path:?}"
        );
    }
}

/// The formatter's contract (`syntax::printer`): when `data` is UTF-8 and parses without errors,
/// - the printed text parses without errors, and printing that tree gives the same text again;
/// - no comment or doc line is lost, added or changed (compared as the printer normalises them);
/// - the printed schema means the same: compiled alone, both report the same diagnostic codes, and
///   when they compile, the same IR apart from line and column numbers.
pub fn format_roundtrip(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (sources, diagnostics, tree) = parse_one(text);
    check_diagnostics(&sources, &diagnostics);
    if diagnostics.has_errors() {
        return;
    }
    let printed = printer::print(&tree);
    let (printed_sources, printed_diagnostics, printed_tree) = parse_one(&printed);
    assert!(
        !printed_diagnostics.has_errors(),
        "the printed text does not parse:\n{}--- printed ---\n{printed}",
        render_plain(&printed_sources, &printed_diagnostics)
    );
    let reprinted = printer::print(&printed_tree);
    assert!(
        reprinted == printed,
        "printing is not idempotent\n--- printed once ---\n{printed}\n--- printed twice ---\n{reprinted}"
    );
    assert_eq!(
        comments(text),
        comments(&printed),
        "comments changed\n--- printed ---\n{printed}"
    );
    let before = compile_text(text);
    let after = compile_text(&printed);
    check_compilation(&after);
    assert_eq!(
        diagnostic_codes(&before),
        diagnostic_codes(&after),
        "formatting changed the diagnostics\n--- before ---\n{}--- after ---\n{}--- printed ---\n{printed}",
        render_plain(&before.sources, &before.diagnostics),
        render_plain(&after.sources, &after.diagnostics)
    );
    if let (Some(a), Some(b)) = (&before.schema, &after.schema) {
        assert!(
            ir_without_positions(a) == ir_without_positions(b),
            "formatting changed the IR\n--- printed ---\n{printed}"
        );
    }
}

/// Compiles `text` as the only file `fuzz.iotp` (its imports are not found, the same way each time).
fn compile_text(text: &str) -> Compilation {
    let name = PathBuf::from("fuzz.iotp");
    let loader = MemoryLoader::new(BTreeMap::from([(name.clone(), text.to_string())]));
    compile(&[name], &loader)
}

/// The codes reported, sorted: spans move when formatting, so the order of reports may change.
fn diagnostic_codes(c: &Compilation) -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes
}

use crate::syntax::printer::comment_lines as comments;

/// The IR as JSON with the line and column of every location zeroed: formatting moves lines, and
/// nothing else may change.
fn ir_without_positions(schema: &crate::ir::Schema) -> serde_json::Value {
    fn clear(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if map.contains_key("file")
                    && map.contains_key("line")
                    && map.contains_key("column")
                {
                    map.insert("line".into(), 0.into());
                    map.insert("column".into(), 0.into());
                }
                map.values_mut().for_each(clear);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(clear),
            _ => {}
        }
    }
    let mut json = serde_json::to_value(schema).expect("the IR serialises to JSON");
    clear(&mut json);
    json
}

/// Parses `text` as file 0 of a fresh source map, for rendering syntax diagnostics.
fn parse_one(text: &str) -> (SourceMap, Diagnostics, syntax::ast::SchemaFile) {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(
        "fuzz.iotp",
        PathBuf::from("fuzz.iotp"),
        text.to_string(),
    ));
    let mut diagnostics = Diagnostics::new();
    let tree = syntax::parse(id, text, &mut diagnostics);
    (sources, diagnostics, tree)
}

/// The invariants every compilation must keep, whatever its input.
fn check_compilation(c: &Compilation) {
    check_diagnostics(&c.sources, &c.diagnostics);
    assert_eq!(
        c.schema.is_some(),
        !c.diagnostics.has_errors(),
        "the IR must be produced exactly when no error was reported; diagnostics:\n{}",
        render_plain(&c.sources, &c.diagnostics)
    );
    if let Some(schema) = &c.schema {
        let json = serde_json::to_string(schema).expect("the IR serialises to JSON");
        if let Err(e) = serde_json::from_str::<crate::ir::Schema>(&json) {
            panic!("the IR's JSON does not read back: {e}\n{json}");
        }
    }
}

/// Two compilations of the same input report the same diagnostics, in the same order, with the same
/// text, and produce the same IR: output must not depend on hash seeds or other run-to-run state.
fn check_deterministic(first: &Compilation, second: &Compilation) {
    let once = render_json(&first.sources, &first.diagnostics);
    let twice = render_json(&second.sources, &second.diagnostics);
    assert!(
        once == twice,
        "the same input gave different diagnostics\n--- first ---\n{once}\n--- second ---\n{twice}"
    );
    assert!(
        first.schema == second.schema,
        "the same input gave different IR"
    );
}

/// Spans within their files, and both renderers working and agreeing with the counts.
fn check_diagnostics(sources: &SourceMap, diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        assert!(
            !d.message.is_empty(),
            "a diagnostic without a message: {d:?}"
        );
        if let Some(span) = d.span {
            check_span(sources, span, d);
        }
        for label in &d.secondary {
            check_span(sources, label.span, d);
        }
    }
    let plain = render_plain(sources, diagnostics);
    assert_eq!(
        plain.is_empty(),
        diagnostics.is_empty(),
        "human rendering is empty exactly when nothing was reported"
    );
    let json = render_json(sources, diagnostics);
    let value: serde_json::Value = serde_json::from_str(&json).expect("JSON diagnostics parse");
    assert_eq!(
        value["errors"].as_u64(),
        Some(diagnostics.error_count() as u64),
        "JSON error count"
    );
    assert_eq!(
        value["warnings"].as_u64(),
        Some(diagnostics.warning_count() as u64),
        "JSON warning count"
    );
    assert_eq!(
        value["diagnostics"].as_array().map(Vec::len),
        Some(diagnostics.iter().count()),
        "JSON diagnostic count"
    );
}

fn check_span(sources: &SourceMap, span: Span, d: &Diagnostic) {
    let files = sources.files().count();
    assert!(
        (span.file.0 as usize) < files,
        "span in file {:?} but only {files} files are loaded: {d:?}",
        span.file
    );
    let text = &sources.get(span.file).text;
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "span {start}..{end} outside a file of {} bytes: {d:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {start}..{end} cuts through a UTF-8 character: {d:?}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_accept_trivial_inputs() {
        for data in [
            &b""[..],
            b"package a;",
            b"\xff\xfe",
            b"package a; import \"b.iotp\";\xffpackage b;",
        ] {
            compile_bytes(data);
            compile_multi(data);
            format_roundtrip(data);
        }
    }
}
