//! Replays the fuzz corpora on stable: every file of `fuzz/corpus/<target>/` and, when present,
//! `fuzz/regressions/<target>/` goes through the same body as the libFuzzer target
//! (`iotp2p_codegen::fuzzing`). A crash found by fuzzing is fixed once its input is in
//! `fuzz/regressions/<target>/` and this test passes.

use std::path::{Path, PathBuf};

use iotp2p_codegen::fuzzing;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The regular files of `dir`, sorted; hidden files (libFuzzer's temporary files) are skipped.
fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    files.sort();
    files
}

fn run_one(body: fn(&[u8]), path: &Path) {
    let data =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if std::panic::catch_unwind(|| body(&data)).is_err() {
        panic!(
            "fuzz body failed on {} (reproduce with `cargo +nightly fuzz run <target> {}` in fuzz/)",
            path.display(),
            path.display()
        );
    }
}

/// Runs `body` over the corpus (which must exist and hold files) and the regressions (optional).
fn replay(target: &str, body: fn(&[u8])) {
    let corpus = fuzz_dir().join("corpus").join(target);
    assert!(
        corpus.is_dir(),
        "the seed corpus {} is missing; the replay test would check nothing",
        corpus.display()
    );
    let seeds = inputs(&corpus);
    assert!(
        !seeds.is_empty(),
        "the seed corpus {} is empty; the replay test would check nothing",
        corpus.display()
    );
    for path in &seeds {
        run_one(body, path);
    }
    let regressions = fuzz_dir().join("regressions").join(target);
    if regressions.is_dir() {
        for path in inputs(&regressions) {
            run_one(body, &path);
        }
    }
}

#[test]
fn schema_compile_corpus() {
    replay("schema_compile", fuzzing::compile_bytes);
}

#[test]
fn schema_multi_corpus() {
    replay("schema_multi", fuzzing::compile_multi);
}

#[test]
fn schema_fmt_corpus() {
    replay("schema_fmt", fuzzing::format_roundtrip);
}
