//! The formatter: golden files, idempotence, meaning and comments kept, and the `iotp2p fmt` command.
//!
//! Golden inputs are `tests/fmt/NAME.iotp` (valid, deliberately ugly schemas); the expected output is
//! `tests/fmt/NAME.formatted.iotp`, generated, never hand-edited: `BLESS=1 cargo test --workspace`
//! rewrites it.

#[path = "support/fmt_helpers.rs"]
mod helpers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use helpers::{
    comments, compile_in, first_difference, fmt, ir_without_positions, parse_ok, schema_files,
};

const FORMATTED: &str = ".formatted.iotp";

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_dir() -> PathBuf {
    crate_dir().join("tests/fmt")
}

fn valid_dir() -> PathBuf {
    crate_dir().join("tests/schemas/valid")
}

/// The golden inputs by file name, expected outputs left out.
fn golden_inputs() -> BTreeMap<PathBuf, String> {
    let inputs: BTreeMap<PathBuf, String> = schema_files(&golden_dir())
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().ends_with(FORMATTED))
        .collect();
    assert!(inputs.len() >= 4, "golden inputs missing");
    inputs
}

fn expected_path(input: &Path) -> PathBuf {
    let stem = input.to_string_lossy();
    golden_dir().join(format!("{}{FORMATTED}", stem.trim_end_matches(".iotp")))
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v == "1")
}

#[test]
fn golden_files() {
    let mut failures = Vec::new();
    for (input, text) in golden_inputs() {
        let actual = fmt(&input.to_string_lossy(), &text);
        let expected_file = expected_path(&input);
        if bless() {
            std::fs::write(&expected_file, &actual).expect("write golden file");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_file).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{} differs from {}: {}",
                input.display(),
                expected_file.display(),
                first_difference(&expected, &actual)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\nIf the new output is right, run `BLESS=1 cargo test --workspace`.",
        failures.join("\n\n")
    );
}

#[test]
fn no_stray_expected_files() {
    let inputs = golden_inputs();
    for path in schema_files(&golden_dir()).keys() {
        let name = path.to_string_lossy();
        if let Some(stem) = name.strip_suffix(FORMATTED) {
            assert!(
                inputs.contains_key(Path::new(&format!("{stem}.iotp"))),
                "{name} has no input"
            );
        }
    }
}

/// Formatting twice changes nothing, for every golden input and every valid schema.
#[test]
fn fmt_is_idempotent() {
    let all = golden_inputs()
        .into_iter()
        .chain(schema_files(&valid_dir()));
    for (path, text) in all {
        let name = path.to_string_lossy();
        let once = fmt(&name, &text);
        let twice = fmt(&name, &once);
        assert!(
            once == twice,
            "{name}: formatting is not idempotent: {}",
            first_difference(&once, &twice)
        );
    }
}

/// The multiset of comment and doc texts is the same before and after formatting.
#[test]
fn fmt_keeps_every_comment() {
    let all = golden_inputs()
        .into_iter()
        .chain(schema_files(&valid_dir()));
    for (path, text) in all {
        let name = path.to_string_lossy();
        let before = comments(&text);
        let after = comments(&fmt(&name, &text));
        assert_eq!(before, after, "{name}: comments changed");
    }
    // The check itself must see comments, or it proves nothing.
    assert!(
        comments(&std::fs::read_to_string(golden_dir().join("comments.iotp")).unwrap()).len() > 20
    );
}

/// Formatting a tree of schemas leaves every file's IR unchanged (source positions aside).
fn assert_same_ir(files: &BTreeMap<PathBuf, String>, what: &str) {
    let formatted: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, t)| (p.clone(), fmt(&p.to_string_lossy(), t)))
        .collect();
    for root in files.keys() {
        let label = format!("{what} {}", root.display());
        let before = ir_without_positions(&compile_in(files, root), &label);
        let after =
            ir_without_positions(&compile_in(&formatted, root), &format!("formatted {label}"));
        assert!(
            before == after,
            "{label}: formatting changed the IR:\n{}",
            first_difference(
                &serde_json::to_string_pretty(&before).unwrap(),
                &serde_json::to_string_pretty(&after).unwrap()
            )
        );
    }
}

#[test]
fn fmt_keeps_the_ir_of_valid_schemas() {
    let files = schema_files(&valid_dir());
    assert!(files.len() >= 5, "valid schemas missing");
    assert_same_ir(&files, "valid schema");
}

#[test]
fn fmt_keeps_the_ir_of_golden_inputs() {
    assert_same_ir(&golden_inputs(), "golden input");
}

#[test]
fn formatted_output_is_plain_and_tidy() {
    for (input, text) in golden_inputs() {
        let out = fmt(&input.to_string_lossy(), &text);
        let name = input.display();
        assert!(
            out.ends_with('\n') && !out.ends_with("\n\n"),
            "{name}: file end"
        );
        assert!(!out.contains("\n\n\n"), "{name}: two empty lines in a row");
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "{name}: trailing whitespace");
            // Every block is expanded: nothing but a comment follows `{` on its line.
            let is_head = ["message ", "enum ", "union "]
                .iter()
                .any(|k| line.starts_with(k));
            if let Some((_, after)) = line.split_once('{').filter(|_| is_head) {
                assert!(
                    ["", "}"].contains(&after)
                        || after.starts_with(" //")
                        || after.starts_with(" /*"),
                    "{name}: a one-line block: {line}"
                );
            }
        }
        assert_eq!(
            parse_ok("out.iotp", &out).items.len(),
            parse_ok("in.iotp", &text).items.len()
        );
    }
}

#[test]
fn carriage_returns_are_normalised() {
    let text = "// c\r\npackage a;\r\n\r\nmessage M {\r\n    0 a: u8; // t\r\n}\r\n";
    assert_eq!(
        fmt("crlf.iotp", text),
        "// c\npackage a;\n\nmessage M {\n    0 a: u8; // t\n}\n"
    );
}

// ---- the command ---------------------------------------------------------------------------------

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("iotp2p-fmt-test-{}-{n}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn iotp2p(args: &[&std::ffi::OsStr], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_iotp2p"));
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run iotp2p");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("iotp2p output")
}

fn run_fmt(args: &[&str], files: &[&Path]) -> Output {
    let mut all: Vec<&std::ffi::OsStr> = vec!["fmt".as_ref()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    all.extend(files.iter().map(|f| f.as_os_str()));
    iotp2p(&all, None)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const UGLY: &str = "package a;message M{0 a:u8;// kept\n}\n";
const PRETTY: &str = "package a;\n\nmessage M {\n    0 a: u8; // kept\n}\n";

#[test]
fn cli_check_passes_on_a_formatted_file() {
    let dir = TempDir::new("check-ok");
    let file = dir.file("ok.iotp", PRETTY);
    let out = run_fmt(&["--check"], &[&file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), PRETTY);
}

#[test]
fn cli_check_fails_on_an_unformatted_file_and_changes_nothing() {
    let dir = TempDir::new("check-bad");
    let good = dir.file("good.iotp", PRETTY);
    let bad = dir.file("bad.iotp", UGLY);
    let out = run_fmt(&["--check"], &[&good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("would reformat {}", bad.display())),
        "{err}"
    );
    assert!(
        !err.contains(&format!("would reformat {}", good.display())),
        "{err}"
    );
    assert!(err.contains("-package a;message M{0 a:u8;// kept"), "{err}");
    assert!(err.contains("+message M {"), "{err}");
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), UGLY);
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_rewrites_unformatted_files_only() {
    let dir = TempDir::new("rewrite");
    let good = dir.file("good.iotp", PRETTY);
    let bad = dir.file("bad.iotp", UGLY);
    let out = run_fmt(&[], &[&good, &bad]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("formatted {}", bad.display())),
        "{err}"
    );
    assert!(
        !err.contains(&format!("formatted {}", good.display())),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&bad).unwrap(), PRETTY);
    assert_eq!(std::fs::read_to_string(&good).unwrap(), PRETTY);
    // And now it passes the check.
    assert_eq!(run_fmt(&["--check"], &[&bad]).status.code(), Some(0));
}

#[test]
fn cli_leaves_a_file_with_syntax_errors_alone() {
    let dir = TempDir::new("syntax");
    let text = "package a;\nmessage M {\n    0 a u8;\n}\n";
    let broken = dir.file("broken.iotp", text);
    let good = dir.file("good.iotp", UGLY);
    for args in [&[][..], &["--check"][..]] {
        let out = run_fmt(args, &[&broken]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains("error[E0008]"), "{err}");
        assert!(err.contains("broken.iotp:3:"), "{err}");
        assert_eq!(std::fs::read_to_string(&broken).unwrap(), text);
    }
    // Other files are still formatted, but the run fails.
    let out = run_fmt(&[], &[&broken, &good]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&good).unwrap(), PRETTY);
}

#[test]
fn cli_formats_files_that_parse_but_do_not_compile() {
    let dir = TempDir::new("sema");
    let file = dir.file("unknown.iotp", "package a;message M{0 a:Nope;}");
    let out = run_fmt(&[], &[&file]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "package a;\n\nmessage M {\n    0 a: Nope;\n}\n"
    );
}

#[test]
fn cli_reports_missing_files() {
    let dir = TempDir::new("missing");
    let out = run_fmt(&[], &[&dir.0.join("nope.iotp")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("error[E0001]"), "{}", stderr(&out));
}

#[test]
fn cli_formats_stdin_to_stdout() {
    let args = ["fmt".as_ref(), "-".as_ref()];
    let out = iotp2p(&args, Some(UGLY));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), PRETTY);

    let check = ["fmt".as_ref(), "--check".as_ref(), "-".as_ref()];
    let out = iotp2p(&check, Some(UGLY));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("would reformat <stdin>"));
    assert_eq!(iotp2p(&check, Some(PRETTY)).status.code(), Some(0));

    let out = iotp2p(&args, Some("package a; message {"));
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}

#[test]
fn cli_usage_errors_exit_2() {
    assert_eq!(run_fmt(&[], &[]).status.code(), Some(2));
    assert_eq!(
        run_fmt(&["--bogus"], &[Path::new("x.iotp")]).status.code(),
        Some(2)
    );
}
