//! `iotp2p fmt`: rewrite schema files in the canonical format.
//!
//! Formatting needs only the syntax tree, so a file that parses is formatted even when it does not
//! compile (unknown types, missing imports): people format work in progress. A file that does not parse
//! is reported and left alone. Status lines and diffs go to standard error; standard output carries only
//! formatted text (for `-`, standard input).

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use iotp2p_codegen::diagnostics::render::emit_stderr;
use iotp2p_codegen::diagnostics::{Code, Diagnostic, Diagnostics};
use iotp2p_codegen::source::{read_source, LoadError, SourceFile, SourceMap, MAX_FILE_SIZE};
use iotp2p_codegen::syntax::{parse, printer};

/// Arguments of `iotp2p fmt`.
#[derive(Args, Debug)]
pub(crate) struct FmtArgs {
    /// Schema files to format; `-` reads standard input and writes the result to standard output.
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not formatted, showing the first difference.
    #[arg(long)]
    check: bool,
}

/// Lines of the old and new text shown per file by `--check`.
const DIFF_LINES: usize = 8;
/// Unchanged lines shown before the first difference.
const DIFF_CONTEXT: usize = 2;

pub(crate) fn run(args: &FmtArgs) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let mut failed = false;
    let mut unformatted = false;
    for path in &args.files {
        let stdin = path.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let read = if stdin {
            read_stdin()
        } else {
            read_source(path)
        };
        let text = match read {
            Ok(text) => text,
            Err(e) => {
                let mut diags = Diagnostics::new();
                diags.push(load_error(&e, &name));
                emit_stderr(&SourceMap::new(), &diags, color);
                failed = true;
                continue;
            }
        };
        let Some(formatted) = format(&name, path, &text, color) else {
            failed = true;
            continue;
        };
        match (stdin, args.check, formatted == text) {
            (_, true, true) => {}
            (_, true, false) => {
                unformatted = true;
                eprintln!("would reformat {name}");
                eprint!("{}", first_difference(&name, &text, &formatted));
            }
            (true, false, _) => {
                let mut out = std::io::stdout().lock();
                if out
                    .write_all(formatted.as_bytes())
                    .and_then(|()| out.flush())
                    .is_err()
                {
                    failed = true;
                }
            }
            (false, false, true) => {}
            (false, false, false) => match std::fs::write(path, &formatted) {
                Ok(()) => eprintln!("formatted {name}"),
                Err(e) => {
                    eprintln!("error: cannot write `{name}`: {e}");
                    failed = true;
                }
            },
        }
    }
    if failed || unformatted {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Parses and prints one file; `None` (with diagnostics printed) when it does not parse.
fn format(name: &str, path: &Path, text: &str, color: bool) -> Option<String> {
    let mut sources = SourceMap::new();
    let id = sources.add(SourceFile::new(name, path.to_path_buf(), text.to_string()));
    let mut diags = Diagnostics::new();
    let tree = parse(id, text, &mut diags);
    if diags.has_errors() {
        emit_stderr(&sources, &diags, color);
        return None;
    }
    let formatted = printer::print(&tree);
    // A last line of defence: never write a file that no longer parses or has lost a comment.
    if let Err(why) = verify(text, &formatted) {
        eprintln!("error: internal formatter error on `{name}`: {why}; the file is left unchanged");
        eprintln!("note: please report this with the file attached");
        return None;
    }
    Some(formatted)
}

/// Checks that `formatted` parses and carries the same comments and doc lines as `original`.
fn verify(original: &str, formatted: &str) -> Result<(), &'static str> {
    let mut diags = Diagnostics::new();
    parse(iotp2p_codegen::source::FileId(0), formatted, &mut diags);
    if diags.has_errors() {
        return Err("the formatted text does not parse");
    }
    if comments(original) != comments(formatted) {
        return Err("a comment would be lost");
    }
    Ok(())
}

use iotp2p_codegen::syntax::printer::comment_lines as comments;

/// Standard input, with the same limits as a file on disk.
fn read_stdin() -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(LoadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| LoadError::NotUtf8(e.utf8_error().valid_up_to()))
}

fn load_error(err: &LoadError, name: &str) -> Diagnostic {
    match err {
        LoadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound => Diagnostic::without_span(
            Code::FileUnreadable,
            format!("cannot read `{name}`: no such file"),
        ),
        LoadError::Io(_) => {
            Diagnostic::without_span(Code::FileUnreadable, format!("cannot read `{name}`: {err}"))
        }
        LoadError::TooLarge(_) => {
            Diagnostic::without_span(Code::FileTooLarge, format!("`{name}` is too large: {err}"))
        }
        LoadError::NotUtf8(_) => Diagnostic::without_span(
            Code::FileNotUtf8,
            format!("`{name}` is not a text file: {err}"),
        ),
    }
}

/// A short unified-style diff of the first run of differing lines: enough to see what `fmt` would
/// change without printing the whole file.
fn first_difference(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.split('\n').collect();
    let b: Vec<&str> = new.split('\n').collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (a_rest, b_rest) = (&a[prefix..], &b[prefix..]);
    let (i, j) = resync(a_rest, b_rest);
    let (removed, added) = (&a_rest[..i], &b_rest[..j]);
    let start = prefix.saturating_sub(DIFF_CONTEXT);
    let context = &a[start..prefix];
    let shown_removed = removed.len().min(DIFF_LINES);
    let shown_added = added.len().min(DIFF_LINES);
    let mut out = format!(
        "--- {name}\n+++ {name} (formatted)\n@@ -{},{} +{},{} @@\n",
        start + 1,
        context.len() + shown_removed,
        start + 1,
        context.len() + shown_added,
    );
    for line in context {
        out.push_str(&format!(" {}\n", line.trim_end_matches('\r')));
    }
    for line in &removed[..shown_removed] {
        out.push_str(&format!("-{}\n", line.trim_end_matches('\r')));
    }
    for line in &added[..shown_added] {
        out.push_str(&format!("+{line}\n"));
    }
    if removed
        .iter()
        .map(|l| l.trim_end())
        .eq(added.iter().copied())
    {
        out.push_str("  (only line endings or trailing whitespace differ)\n");
    }
    let hidden = (removed.len() - shown_removed).max(added.len() - shown_added);
    if hidden > 0 || a_rest[i..] != b_rest[j..] {
        out.push_str("  (more differences below)\n");
    }
    out
}

/// Where two texts that differ at their first lines agree again: the smallest `i + j` such that
/// `a[i..]` and `b[j..]` start with the same few lines (or both end). Bounded, so a file rewritten from
/// top to bottom costs no more than a small one.
fn resync(a: &[&str], b: &[&str]) -> (usize, usize) {
    const ANCHOR: usize = 3;
    const SEARCH: usize = 64;
    for sum in 1..=2 * SEARCH {
        for i in sum.saturating_sub(SEARCH)..=sum.min(SEARCH) {
            let j = sum - i;
            if i > a.len() || j > b.len() {
                continue;
            }
            if a[i..].iter().take(ANCHOR).eq(b[j..].iter().take(ANCHOR)) {
                return (i, j);
            }
        }
    }
    (a.len(), b.len())
}
