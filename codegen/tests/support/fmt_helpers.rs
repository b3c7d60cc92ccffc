//! Helpers shared by the formatter tests (`tests/fmt.rs`, `tests/roundtrip.rs`): parse or format text,
//! list its comments, compile a tree of files from memory, and compare IR without source positions.
//!
//! Included with `#[path]` so that each test crate takes only this file.

#![allow(dead_code)] // Each test crate uses a different subset.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use iotp2p_codegen::diagnostics::render::render_plain;
use iotp2p_codegen::diagnostics::Diagnostics;
use iotp2p_codegen::source::{SourceFile, SourceMap};
use iotp2p_codegen::syntax::ast::SchemaFile;
use iotp2p_codegen::syntax::{parse, printer};
use iotp2p_codegen::{compile, Compilation, MemoryLoader};

/// Parses `text`, panicking with the rendered syntax errors if there are any.
pub fn parse_ok(name: &str, text: &str) -> SchemaFile {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(name, PathBuf::from(name), text.to_string()));
    let mut diags = Diagnostics::new();
    let tree = parse(id, text, &mut diags);
    assert!(
        !diags.has_errors(),
        "`{name}` does not parse:\n{}\n--- text ---\n{text}",
        render_plain(&sources, &diags)
    );
    tree
}

/// What `iotp2p fmt` makes of `text`.
pub fn fmt(name: &str, text: &str) -> String {
    printer::print(&parse_ok(name, text))
}

pub use iotp2p_codegen::syntax::printer::comment_lines as comments;

/// Every `.iotp` file under `dir`, recursively, by path relative to `dir`, in a stable order.
pub fn schema_files(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "iotp") {
                let text = std::fs::read_to_string(&path).expect("schema text");
                let rel = path.strip_prefix(dir).expect("below dir").to_path_buf();
                out.insert(rel, text);
            }
        }
    }
    out
}

/// Compiles `root` with every file of `files` available for imports.
pub fn compile_in(files: &BTreeMap<PathBuf, String>, root: &Path) -> Compilation {
    let loader = MemoryLoader::new(files.clone());
    compile(&[root.to_path_buf()], &loader)
}

/// The IR of a compilation that must have succeeded, as JSON with every source position (`line`,
/// `column` of a location) zeroed: formatting moves lines, and nothing else may change.
pub fn ir_without_positions(c: &Compilation, what: &str) -> serde_json::Value {
    let schema = c.schema.as_ref().unwrap_or_else(|| {
        panic!(
            "{what} does not compile:\n{}",
            render_plain(&c.sources, &c.diagnostics)
        )
    });
    let mut json = serde_json::to_value(schema).expect("the IR serialises");
    clear_positions(&mut json);
    json
}

/// Zeroes `line` and `column` of every location object (one with `file`, `line` and `column`), however
/// deep. Working on the JSON keeps this right when the IR gains new places that carry a location.
pub fn clear_positions(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            let is_location =
                map.contains_key("file") && map.contains_key("line") && map.contains_key("column");
            if is_location {
                map.insert("line".into(), 0.into());
                map.insert("column".into(), 0.into());
            }
            map.values_mut().for_each(clear_positions);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(clear_positions),
        _ => {}
    }
}

/// A readable report of how two texts differ (the first differing line, with context).
pub fn first_difference(expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = e.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let from = i.saturating_sub(3);
    let show = |lines: &[&str]| {
        lines[from.min(lines.len())..(i + 4).min(lines.len())]
            .iter()
            .enumerate()
            .map(|(k, l)| format!("{:4} | {l}\n", from + k + 1))
            .collect::<String>()
    };
    format!(
        "first difference at line {}\n--- expected ---\n{}--- actual ---\n{}",
        i + 1,
        show(&e),
        show(&a)
    )
}
