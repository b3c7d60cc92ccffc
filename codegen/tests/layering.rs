//! The layering that ARCHITECTURE.md states, checked on the source text (in the manner of
//! rust-analyzer's tidy tests): each layer names only the layers below it.
//!
//! - `syntax` knows nothing of name resolution, the IR, the model or the backends;
//! - `ir` knows nothing of the syntax tree, the semantic layer, the model or the backends;
//! - `model` depends on `ir` only;
//! - backends and the breaking-change checker depend on `ir` and `model`, never on `syntax` or `sema`;
//! - generated code never names the compiler.
//!
//! Test modules (after `#[cfg(test)]`) are exempt: they may compile a schema to get an IR.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, with its text up to its test module.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap().to_string();
                out.push((p, code));
            }
        }
    }
    out.sort();
    out
}

/// The lines of code (doc comments and comments aside) under `dir` that name one of `forbidden`.
fn violations(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for (path, code) in sources(&root().join(dir)) {
        for (n, line) in code.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with("//") {
                continue;
            }
            for f in forbidden {
                if line.contains(f) {
                    found.push(format!("{}:{}: names `{f}`", path.display(), n + 1));
                }
            }
        }
    }
    found
}

#[test]
fn syntax_knows_only_itself() {
    let v = violations(
        "codegen/src/syntax",
        &["crate::sema", "crate::ir", "crate::model", "crate::backend"],
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn the_ir_is_below_the_model_and_the_backends() {
    let v = violations(
        "codegen/src/ir",
        &[
            "crate::syntax",
            "crate::sema",
            "crate::model",
            "crate::backend",
        ],
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn the_model_depends_on_the_ir_only() {
    let v = violations(
        "codegen/src/model",
        &[
            "crate::syntax",
            "crate::sema",
            "crate::backend",
            "crate::compat",
        ],
    );
    assert!(v.is_empty(), "{v:#?}");
}

#[test]
fn backends_and_compat_never_see_the_syntax_tree_or_sema() {
    for dir in ["codegen/src/backend", "codegen/src/compat"] {
        let v = violations(dir, &["crate::syntax", "crate::sema"]);
        assert!(v.is_empty(), "{v:#?}");
    }
}

#[test]
fn generated_code_never_names_the_compiler() {
    let v = violations(
        "codec/src/generated",
        &["iotp2p_codegen", "iotp2p-codegen::"],
    );
    assert!(v.is_empty(), "{v:#?}");
}
