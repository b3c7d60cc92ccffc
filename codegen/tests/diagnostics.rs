//! Golden diagnostics tests, like rustc's UI tests.
//!
//! Every case under `tests/ui/` is compiled and its diagnostics are compared with checked-in
//! expectations: `<name>.stderr` (the human rendering, without colour) and `<name>.json` (the JSON
//! report).
//!
//! - `tests/ui/<name>.iotp` is a single-file case.
//! - `tests/ui/<name>/` is a multi-file case: every `.iotp` file directly in the directory is a root
//!   (compiled as if named on the command line, in name order); files in subdirectories are reached
//!   only through imports.
//! - A few cases cannot be checked-in files (a file over the size limit, a missing file, raw non-UTF-8
//!   bytes); they are built in code by [`synthetic_cases`] and have checked-in expectations like the
//!   others.
//!
//! Files are compiled through the real file-system loader with paths relative to the crate directory
//! (cargo runs integration tests there), so the names in the output are stable: `tests/ui/foo.iotp`.
//!
//! After a deliberate change to the compiler's messages, re-bless with `BLESS=1 cargo test --workspace`
//! and review the diff of the expected files before committing them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use iotp2p_codegen::diagnostics::json::render_json;
use iotp2p_codegen::diagnostics::render::render_plain;
use iotp2p_codegen::diagnostics::Code;
use iotp2p_codegen::source::MAX_FILE_SIZE;
use iotp2p_codegen::{compile, Compilation, FsLoader, MemoryLoader};

const UI_DIR: &str = "tests/ui";

/// What one case produced.
struct Outcome {
    stderr: String,
    json: String,
}

impl Outcome {
    fn of(c: &Compilation) -> Outcome {
        Outcome {
            stderr: render_plain(&c.sources, &c.diagnostics),
            json: render_json(&c.sources, &c.diagnostics),
        }
    }
}

/// A case built in code: its name and how to compile it.
type Synthetic = (&'static str, fn() -> Compilation);

/// Cases that cannot be input files in `tests/ui/`, by name.
fn synthetic_cases() -> Vec<Synthetic> {
    vec![
        ("e0001_missing_file", || {
            compile(
                &[PathBuf::from("tests/ui/this_file_does_not_exist.iotp")],
                &FsLoader::default(),
            )
        }),
        ("e0001_directory_as_file", || {
            // Any directory will do; this one is part of the repository.
            compile(
                &[PathBuf::from("tests/schemas/valid/core")],
                &FsLoader::default(),
            )
        }),
        ("e0002_file_too_large", || {
            let mut big = b"package a;\n".to_vec();
            big.resize(MAX_FILE_SIZE as usize + 1, b' ');
            let loader = from_bytes(&[("ui/too_large.iotp", big)]);
            compile(&[PathBuf::from("ui/too_large.iotp")], &loader)
        }),
        ("e0002_imported_file_too_large", || {
            let mut big = b"package big;\n".to_vec();
            big.resize(MAX_FILE_SIZE as usize + 1, b'\n');
            let main = b"package main;\nimport \"big.iotp\" as big;\nmessage M { 0 x: big.X; }\n";
            let loader = from_bytes(&[("ui/main.iotp", main.to_vec()), ("ui/big.iotp", big)]);
            compile(&[PathBuf::from("ui/main.iotp")], &loader)
        }),
        ("e0003_not_utf8", || {
            // Latin-1 text, as an editor set to another encoding would save it.
            let latin1 = b"package a;\n/// Temp\xe9rature.\nmessage M { 0 x: u8; }\n".to_vec();
            let loader = from_bytes(&[("ui/latin1.iotp", latin1)]);
            compile(&[PathBuf::from("ui/latin1.iotp")], &loader)
        }),
        ("e0201_control_characters_in_file_name", || {
            // A file name is untrusted text too, and so is a NUL byte (it cannot be a checked-in case).
            let name = "ui/\u{1b}[2Jevil\u{202e}txt.iotp";
            let text = b"package a;\n// nul \0 here\nmessage M { 0 x: Nope; }\n".to_vec();
            let loader = from_bytes(&[(name, text)]);
            compile(&[PathBuf::from(name)], &loader)
        }),
        ("e0003_imported_file_not_utf8", || {
            let main = b"package main;\nimport \"binary.iotp\";\nmessage M { 0 x: u8; }\n";
            let binary = vec![0x7f, b'E', b'L', b'F', 0xff, 0xfe, 0x00, 0x80];
            let loader = from_bytes(&[("ui/main.iotp", main.to_vec()), ("ui/binary.iotp", binary)]);
            compile(&[PathBuf::from("ui/main.iotp")], &loader)
        }),
    ]
}

fn from_bytes(files: &[(&str, Vec<u8>)]) -> MemoryLoader {
    MemoryLoader::from_bytes(
        files
            .iter()
            .map(|(p, b)| (PathBuf::from(p), b.clone()))
            .collect(),
    )
}

/// Every case in `tests/ui` (by name), and any file there that is neither a case nor an expectation.
fn disk_cases() -> (BTreeMap<String, Vec<PathBuf>>, Vec<String>) {
    let mut cases = BTreeMap::new();
    let mut strays = Vec::new();
    for entry in std::fs::read_dir(UI_DIR).expect("tests/ui exists") {
        let path = Path::new(UI_DIR).join(entry.expect("readable entry").file_name());
        let file_name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            let mut roots: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("readable case directory")
                .map(|e| path.join(e.expect("readable entry").file_name()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "iotp"))
                .collect();
            roots.sort();
            if roots.is_empty() {
                strays.push(format!(
                    "{file_name}/ (a case directory without .iotp files)"
                ));
            }
            cases.insert(file_name, roots);
        } else if let Some(stem) = file_name.strip_suffix(".iotp") {
            cases.insert(stem.to_string(), vec![path]);
        } else if !(file_name.ends_with(".stderr")
            || file_name.ends_with(".json")
            || file_name == "README.md")
        {
            strays.push(file_name);
        }
    }
    (cases, strays)
}

/// Every case's output, computed once for all tests of this file.
fn outcomes() -> &'static BTreeMap<String, Outcome> {
    static OUTCOMES: OnceLock<BTreeMap<String, Outcome>> = OnceLock::new();
    OUTCOMES.get_or_init(|| {
        let mut out = BTreeMap::new();
        let (cases, _) = disk_cases();
        for (name, roots) in cases {
            out.insert(name, Outcome::of(&compile(&roots, &FsLoader::default())));
        }
        for (name, make) in synthetic_cases() {
            let previous = out.insert(name.to_string(), Outcome::of(&make()));
            assert!(
                previous.is_none(),
                "synthetic case `{name}` also exists in tests/ui"
            );
        }
        out
    })
}

fn blessing() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn ui_cases_match_expected_output() {
    let bless = blessing();
    let outcomes = outcomes();
    let mut failures: Vec<String> = Vec::new();
    let (_, strays) = disk_cases();
    for stray in strays {
        failures.push(format!(
            "tests/ui/{stray}: not a case (`.iotp` file or directory) nor an expected output"
        ));
    }

    for (name, outcome) in outcomes {
        for (ext, actual) in [("stderr", &outcome.stderr), ("json", &outcome.json)] {
            let path = Path::new(UI_DIR).join(format!("{name}.{ext}"));
            let expected = std::fs::read_to_string(&path).ok();
            if expected.as_deref() == Some(actual.as_str()) {
                continue;
            }
            if bless {
                std::fs::write(&path, actual).expect("write expected output");
                eprintln!("blessed {}", path.display());
                continue;
            }
            match expected {
                None => failures.push(format!(
                    "{}: missing expected output; run `BLESS=1 cargo test --workspace` and review it. \
                     The output is:\n{actual}",
                    path.display()
                )),
                Some(expected) => failures.push(format!(
                    "{}: output differs (- expected, + actual):\n{}",
                    path.display(),
                    line_diff(&expected, actual)
                )),
            }
        }
    }

    // Expected outputs whose case is gone.
    for entry in std::fs::read_dir(UI_DIR).expect("tests/ui exists") {
        let file_name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let stem = file_name
            .strip_suffix(".stderr")
            .or_else(|| file_name.strip_suffix(".json"));
        let Some(stem) = stem else { continue };
        if outcomes.contains_key(stem) {
            continue;
        }
        let path = Path::new(UI_DIR).join(&file_name);
        if bless {
            std::fs::remove_file(&path).expect("remove stale expected output");
            eprintln!("removed stale {}", path.display());
        } else {
            failures.push(format!(
                "{}: stale expected output: no case `{stem}` exists; delete it (BLESS=1 does)",
                path.display()
            ));
        }
    }

    assert!(
        failures.is_empty(),
        "{} ui failure(s):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn every_code_is_exercised_by_a_ui_case() {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for outcome in outcomes().values() {
        let report: serde_json::Value =
            serde_json::from_str(&outcome.json).expect("the JSON report parses");
        for d in report["diagnostics"]
            .as_array()
            .expect("a diagnostics list")
        {
            seen.insert(d["code"].as_str().expect("a code").to_string());
        }
    }
    // The codes of `iotp2p breaking` compare two versions of a schema, which a ui case (one version)
    // cannot: the checker's golden cases (tests/breaking.rs) exercise them.
    seen.extend(breaking_golden_codes(Path::new("tests/breaking")));
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "no ui case (nor breaking-change case) triggers these codes: {}",
        missing.join(", ")
    );
}

/// The codes in the expected outputs of the breaking-change checker's cases, below `dir`.
fn breaking_golden_codes(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("tests/breaking exists") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(breaking_golden_codes(&path));
        } else if path.file_name().is_some_and(|n| n == "expected.stderr") {
            let text = std::fs::read_to_string(&path).expect("expected output");
            for code in Code::ALL {
                if text.contains(&format!("[{}]", code.as_str())) {
                    out.insert(code.as_str().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn ui_case_names_start_with_a_code_or_say_what_they_test() {
    // Names are `e0301_duplicate_key`, `w0001_unused_import`, or a plain description
    // (`many_errors_in_one_file`); lowercase snake_case either way, so they sort and grep well.
    for name in outcomes().keys() {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "ui case `{name}` is not lowercase snake_case"
        );
    }
}

#[test]
fn no_rendering_contains_an_unsafe_character() {
    // A schema is untrusted: whatever it contains, diagnostics never carry a control character or a
    // bidirectional control to the reader's terminal (spec of the CLI: untrusted text is escaped).
    let unsafe_char = |c: char| iotp2p_codegen::diagnostics::printable::is_unsafe(c) && c != '\n';
    let mut checked = 0;
    for (name, outcome) in outcomes() {
        for (what, text) in [("human", &outcome.stderr), ("JSON", &outcome.json)] {
            if let Some(c) = text.chars().find(|&c| unsafe_char(c)) {
                panic!("ui case `{name}`: the {what} rendering contains {c:?} raw");
            }
        }
        checked += 1;
    }
    assert!(
        outcomes().contains_key("e0201_control_characters_escaped")
            && outcomes().contains_key("w0003_bidi_control"),
        "the cases with control characters are missing ({checked} checked)"
    );
}

#[test]
fn json_and_human_renderings_agree() {
    // Each diagnostic of the JSON report appears in the human rendering with its code and message,
    // and both count the same errors and warnings.
    for (name, outcome) in outcomes() {
        let report: serde_json::Value = serde_json::from_str(&outcome.json).unwrap();
        for d in report["diagnostics"].as_array().unwrap() {
            let head = format!(
                "{}[{}]: {}",
                d["severity"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            );
            assert!(
                outcome.stderr.contains(&head),
                "{name}: `{head}` is in the JSON report but not in the human rendering"
            );
        }
        let errors = report["errors"].as_u64().unwrap();
        let warnings = report["warnings"].as_u64().unwrap();
        let listed = report["diagnostics"].as_array().unwrap().len() as u64;
        let omitted = report["omitted"].as_u64().unwrap();
        assert_eq!(
            errors + warnings,
            listed + omitted,
            "{name}: counts disagree"
        );
        if errors > 0 {
            let plural = if errors == 1 { "" } else { "s" };
            assert!(
                outcome
                    .stderr
                    .contains(&format!("could not compile due to {errors} error{plural}")),
                "{name}: the human rendering's summary does not say {errors} error(s)"
            );
        }
    }
}

/// A minimal line diff (longest common subsequence), enough to read a changed expectation.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = String::new();
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    out
}
