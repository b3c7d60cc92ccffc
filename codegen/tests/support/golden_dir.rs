//! The golden-directory check shared by the backends' tests (`tests/rust_backend.rs`,
//! `tests/c_backend.rs`, `tests/exports.rs`): generated files against a checked-in directory.
//!
//! Included with `#[path]` so that each test crate takes only this file.

#![allow(dead_code)] // Each test crate uses a different subset.

use std::path::{Path, PathBuf};

use iotp2p_codegen::backend::GeneratedFile;
use iotp2p_codegen::ir::Schema;
use iotp2p_codegen::FsLoader;

/// The test schemas (tests/schemas/valid/ below the repository root `root`), which together use
/// every construct, compiled with paths relative to `root` so that the generated headers are
/// stable.
pub fn test_schemas(root: &Path) -> Schema {
    let files: Vec<PathBuf> = iotp_files(&root.join("codegen/tests/schemas/valid"))
        .iter()
        .map(|p| p.strip_prefix(root).unwrap().to_path_buf())
        .collect();
    std::env::set_current_dir(root).unwrap();
    let c = iotp2p_codegen::compile(&files, &FsLoader::default());
    assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
    c.schema.unwrap()
}

/// The schema files below `dir`, sorted.
pub fn iotp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "iotp") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compares generated files with a checked-in directory, a file the generator no longer produces
/// counting as stale too; with `BLESS` set, rewrites the directory instead.
pub fn check_dir(files: &[GeneratedFile], dir: &Path) {
    let bless = std::env::var_os("BLESS").is_some_and(|v| !v.is_empty() && v != "0");
    if bless {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut stale = Vec::new();
    for f in files {
        let path = dir.join(&f.name);
        if bless {
            std::fs::write(&path, &f.contents).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(f.contents.as_str()) {
            stale.push(f.name.clone());
        }
    }
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if !files.iter().any(|f| f.name == name) {
            if bless {
                std::fs::remove_file(dir.join(&name)).unwrap();
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated files in {} are stale: {stale:?}\nre-bless with `BLESS=1 cargo test --workspace` and review the diff",
        dir.display()
    );
}
