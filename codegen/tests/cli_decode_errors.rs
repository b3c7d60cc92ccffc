//! `iotp2p decode` on rejected input: the diagnostic names the path in the schema and what was
//! expected there, `--format json` carries both, and `--annotate` stops at the failing byte.
//!
//! Each case's standard output and standard error are compared with
//! `tests/decode_errors/NAME.stdout` and `NAME.stderr`, generated, never hand-edited: after a
//! deliberate change, re-bless with `BLESS=1 cargo test --workspace` and review the diff.

use std::path::PathBuf;
use std::process::Command;

/// Name, arguments of `iotp2p decode`.
const CASES: &[(&str, &[&str])] = &[
    (
        "wrong_type_in_nested_field",
        &["iotp2p.core.Envelope", "a2 01 00 0c 05"],
    ),
    (
        "wrong_type_in_nested_field_json",
        &["--format", "json", "iotp2p.core.Envelope", "a2 01 00 0c 05"],
    ),
    (
        "out_of_range_array_element",
        &["array<u8, 4>", "83 01 02 19 01 00"],
    ),
    (
        "missing_required_field",
        &["iotp2p.core.SemVer", "a1 01 02"],
    ),
    (
        "annotate_truncated",
        &[
            "--annotate",
            "iotp2p.core.Body",
            "a1 04 a4 00 01 01 07 02 08 03 46 a2 00 18 c8 01",
        ],
    ),
    ("trailing_bytes", &["iotp2p.core.SemVer", "a1 00 01 00"]),
];

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn rejected_input_is_explained_in_the_schema_terms() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/decode_errors");
    let mut failures = Vec::new();
    for (name, args) in CASES {
        let o = Command::new(env!("CARGO_BIN_EXE_iotp2p"))
            .arg("decode")
            .args(*args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{name}: input rejected");
        for (ext, actual) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
            let actual = String::from_utf8_lossy(actual);
            let path = dir.join(format!("{name}.{ext}"));
            if bless() {
                if actual.is_empty() {
                    let _ = std::fs::remove_file(&path);
                } else {
                    std::fs::write(&path, actual.as_bytes()).unwrap();
                }
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != actual {
                failures.push(format!(
                    "{}: differs; run `BLESS=1 cargo test --workspace` and review it. The output is:\n{actual}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
