//! Golden test of the C backend: the C generated for the shipped schema (`spec/schema/`), for zcbor's
//! pet sample (`codec-c/schema/pet.iotp`) and for the conformance vectors' wrapper types
//! (`conformance/schema/conformance.iotp`), checked in under `codec-c/generated/`, must equal
//! what the generator produces now. `codec-c` compiles and tests that code (its Makefile and the
//! crate `iotp2p-codec-c`).
//!
//! Re-bless with `BLESS=1 cargo test -p iotp2p-codegen --test c_backend`, then review the diff.

use std::path::{Path, PathBuf};

use iotp2p_codegen::backend::c::{unsupported, Form, C};
use iotp2p_codegen::backend::{Backend, GeneratedFile};
use iotp2p_codegen::model::Model;
use iotp2p_codegen::FsLoader;

#[path = "support/golden_dir.rs"]
mod golden_dir;
use golden_dir::check_dir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The C files of the schema made of `files` (paths relative to the repository root, so that the
/// `@generated ... from` lines are stable).
fn generate(files: &[&str]) -> Vec<GeneratedFile> {
    generate_in(Form::Tables, false, files)
}

/// The same in `form`, dropping unknown fields or not.
fn generate_in(form: Form, drop_unknown_fields: bool, files: &[&str]) -> Vec<GeneratedFile> {
    std::env::set_current_dir(root()).unwrap();
    let paths: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
    let c = iotp2p_codegen::compile(&paths, &FsLoader::default());
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
    let schema = c.schema.unwrap();
    let model = Model::new(&schema);
    assert_eq!(unsupported(&model), None);
    C {
        form,
        drop_unknown_fields,
    }
    .generate(&model)
}

#[test]
fn checked_in_c_code_is_fresh() {
    let mut files = generate(&[
        "spec/schema/core.iotp",
        "spec/schema/security.iotp",
        "spec/schema/capabilities.iotp",
    ]);
    files.extend(generate(&["codec-c/schema/pet.iotp"]));
    // The wrapper types of the conformance vectors, for the C testee.
    files.extend(generate(&["conformance/schema/conformance.iotp"]));
    check_dir(&files, &root().join("codec-c/generated"));
}

/// zcbor's pet sample generated as code (`Form::Code`: a decoder and an encoder per type, no
/// interpreter), checked in under `codec-c/generated-code/`: the form for a schema of a few fields,
/// which codec-c's Makefile tests and measures beside the table-driven one.
#[test]
fn pet_as_code_is_fresh() {
    check_pet(Form::Code, false, "codec-c/generated-code");
}

/// The same with `drop_unknown_fields` (`--form code --drop-unknown-fields`), checked in under
/// `codec-c/generated-lean/`: for firmware that never re-encodes what it decodes, the configuration
/// in which the Pet meets zcbor's size.
#[test]
fn pet_as_lean_code_is_fresh() {
    check_pet(Form::Code, true, "codec-c/generated-lean");
}

/// The Pet's codec (not its JSON unit) generated so, against `dir`.
fn check_pet(form: Form, drop_unknown_fields: bool, dir: &str) {
    let files: Vec<GeneratedFile> =
        generate_in(form, drop_unknown_fields, &["codec-c/schema/pet.iotp"])
            .into_iter()
            .filter(|f| !f.name.contains("_json"))
            .collect();
    check_dir(&files, &root().join(dir));
}

/// The C of the compiler's test schemas (`tests/schemas/valid/`, which together use every construct:
/// recursive types, nested arrays, every scalar and default), checked in under `tests/golden/c/`;
/// codec-c's Makefile compiles it with the strict warnings, and its tests run the recursive package.
#[test]
fn test_schemas_match_golden_c() {
    let schema = golden_dir::test_schemas(&root());
    let files = C::default().generate(&Model::new(&schema));
    check_dir(&files, &root().join("codegen/tests/golden/c"));
}

#[test]
fn arrays_of_arrays_of_recursive_types_are_refused_by_name() {
    let c = iotp2p_codegen::compile_str(
        "t.iotp",
        "package t;\n@max_depth(3) message Node { 0 grid: array<array<Node, 2>, 2>; }\n",
        &[],
    );
    let schema = c.schema.unwrap();
    let why = unsupported(&Model::new(&schema)).expect("refused");
    assert!(why.contains("Node.grid"), "{why}");
}

/// The build-script API writes the runtime and the generated files, and they compile as C99 with
/// the strict warnings (when a C compiler is installed), the optional JSON units too, which it
/// writes without returning them.
#[test]
fn builder_writes_c_that_compiles() {
    let out = std::env::temp_dir().join(format!("iotp2p-compile-c-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    // The path as the golden test gives it, so that the `@generated ... from` lines agree.
    std::env::set_current_dir(root()).unwrap();
    let sources = iotp2p_codegen::Builder::new()
        .out_dir(&out)
        .compile_c(&["codec-c/schema/pet.iotp"])
        .unwrap();
    let names: Vec<String> = sources
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["iotp2p.c", "pet.c"]);
    assert_eq!(
        std::fs::read_to_string(out.join("iotp2p.h")).unwrap(),
        std::fs::read_to_string(root().join("codec-c/runtime/iotp2p.h")).unwrap(),
    );
    // What the backend generates (not the checked-in copy, which BLESS may be rewriting meanwhile).
    for file in generate(&["codec-c/schema/pet.iotp"]) {
        assert_eq!(
            std::fs::read_to_string(out.join(&file.name)).unwrap(),
            file.contents,
            "{}",
            file.name
        );
    }
    let compiled = std::process::Command::new("cc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-Wconversion",
            "-Wshadow",
            "-Wcast-qual",
            "-fsyntax-only",
            "-I",
        ])
        .arg(&out)
        .args(&sources)
        .arg(out.join("iotp2p_json.c"))
        .arg(out.join("pet_json.c"))
        .status();
    if let Ok(status) = compiled {
        assert!(status.success(), "the generated C does not compile");
    }
    std::fs::remove_dir_all(&out).unwrap();
}
