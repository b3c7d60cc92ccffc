//! Golden tests of the Rust backend: the code generated for the test schemas and for the core schema
//! (checked in under `codec/src/generated/`) must equal what the generator produces now.
//!
//! Re-bless with `BLESS=1 cargo test --workspace`, then review the diff. The golden code is compiled
//! (with `-D warnings` and clippy in CI) by `codec/tests/golden_schemas.rs`.

use std::path::{Path, PathBuf};

use iotp2p_codegen::backend::rust::{generate, RustOptions};
use iotp2p_codegen::FsLoader;

#[path = "support/golden_dir.rs"]
mod golden_dir;
use golden_dir::{check_dir, iotp_files};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn compile(files: &[PathBuf]) -> iotp2p_codegen::ir::Schema {
    // Paths relative to the repository root, so that the `@generated ... from` lines are stable.
    let root = root().canonicalize().unwrap();
    let relative: Vec<PathBuf> = files
        .iter()
        .map(|p| {
            p.canonicalize()
                .unwrap()
                .strip_prefix(&root)
                .unwrap()
                .to_path_buf()
        })
        .collect();
    std::env::set_current_dir(&root).unwrap();
    let c = iotp2p_codegen::compile(&relative, &FsLoader::default());
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
    c.schema.unwrap()
}

#[test]
fn core_codec_is_fresh() {
    // The shipped packages, not the released versions recorded below them (`released/`), which the
    // breaking-change tests compare them with.
    let shipped: Vec<PathBuf> = iotp_files(&root().join("spec/schema"))
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "released"))
        .collect();
    let schema = compile(&shipped);
    let options = RustOptions {
        runtime: "crate::runtime".into(),
        ..RustOptions::default()
    };
    check_dir(
        &generate(&schema, &options),
        &root().join("codec/src/generated"),
    );
}

#[test]
fn test_schemas_match_golden_code() {
    let schema = compile(&iotp_files(&root().join("codegen/tests/schemas/valid")));
    check_dir(
        &generate(&schema, &RustOptions::default()),
        &root().join("codegen/tests/golden/rust"),
    );
}

#[test]
fn constructors_of_many_required_fields_allow_the_lint_on_arguments() {
    // Clippy's `too_many_arguments` counts past seven: a constructor of eight required fields
    // allows it (in both forms), one of seven does not need to.
    let fields = |n: usize| {
        (0..n)
            .map(|i| format!("    {i} f{i}: u8;\n"))
            .collect::<String>()
    };
    let text = format!(
        "package example.wide version 1.0.0;\nmessage Eight {{\n{}}}\nmessage Seven {{\n{}}}\n",
        fields(8),
        fields(7)
    );
    let c = iotp2p_codegen::compile_str("wide.iotp", &text, &[]);
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
    let files = generate(&c.schema.unwrap(), &RustOptions::default());
    let code = &files
        .iter()
        .find(|f| f.name == "example_wide.rs")
        .unwrap()
        .contents;
    // Eight's and Seven's constructors, borrowed then owned.
    let allowed: Vec<bool> = code
        .match_indices("fn new(")
        .map(|(at, _)| {
            let line = code[..at].rfind('\n').unwrap();
            code[..line]
                .trim_end()
                .ends_with("#[allow(clippy::too_many_arguments)]")
        })
        .collect();
    assert_eq!(allowed, [true, false, true, false]);
}
