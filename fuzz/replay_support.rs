//! What the crates' `tests/fuzz_replay.rs` share (included with `#[path]`): where the corpora are,
//! the files of a corpus directory, and the pseudo-random byte strings their seeds and extra
//! inputs are made of.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `fuzz/`, from the including crate's directory (one level below the repository's root).
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The regular files of `dir`, sorted; hidden files (libFuzzer's temporary files) are skipped, and
/// a missing directory has none.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.is_file()
            && !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    });
    files.sort();
    files
}

/// The inputs of `target` to replay: every seed of `fuzz/corpus/<target>/`, of which there must
/// be at least 16 (so that a moved or emptied corpus cannot make the replay a no-op), then every
/// regression of `fuzz/regressions/<target>/`.
pub fn inputs(target: &str) -> Vec<PathBuf> {
    let corpus = fuzz_dir().join("corpus").join(target);
    let mut inputs = files(&corpus);
    assert!(
        inputs.len() >= 16,
        "the seed corpus {} has {} files; write it with `write_seed_corpus`",
        corpus.display(),
        inputs.len()
    );
    inputs.extend(files(&fuzz_dir().join("regressions").join(target)));
    inputs
}

/// A deterministic byte string of `len` bytes (an LCG), so the seeds and the extra inputs are the
/// same on every machine.
pub fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}
