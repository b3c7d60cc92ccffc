//! Replays the differential fuzz target's corpus on stable: every file of
//! `fuzz/corpus/codec_c_differential/` and, when present, `fuzz/regressions/codec_c_differential/`
//! goes through the same body as the libFuzzer target (`iotp2p_codec_c::fuzzing::differential`: the
//! generated C, zero-copy and with copied strings, against the generated Rust codec, any type by its
//! selector byte). A disagreement found by fuzzing is fixed once its input is in
//! `fuzz/regressions/codec_c_differential/` and this test passes. Then pseudo-random inputs of every type, and seeds changed at random places.
//!
//! The seeds are written by the ignored test `write_seed_corpus` (see fuzz/README.md):
//! `cargo test -p iotp2p-codec-c --test fuzz_replay -- --ignored write_seed_corpus`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iotp2p_codec::generated::TYPE_NAMES;
use iotp2p_codec_c::envelope::type_names;
use iotp2p_codec_c::fuzzing;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{decode_hex, vector_files};

const TARGET: &str = "codec_c_differential";

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

/// The contents of the corpus (which must exist and hold files), each with its path.
fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    let dir = fuzz_dir().join("corpus").join(TARGET);
    assert!(
        dir.is_dir(),
        "the seed corpus {} is missing; the replay test would check nothing",
        dir.display()
    );
    let files = inputs(&dir);
    assert!(
        !files.is_empty(),
        "the seed corpus {} is empty; the replay test would check nothing",
        dir.display()
    );
    files
        .into_iter()
        .map(|p| {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, data)
        })
        .collect()
}

fn run_one(path: &Path, data: &[u8]) {
    if std::panic::catch_unwind(|| fuzzing::differential(data)).is_err() {
        panic!(
            "fuzz body failed on {} (reproduce with `cargo +nightly fuzz run {TARGET} {}`)",
            path.display(),
            path.display()
        );
    }
}

/// Every seed and every regression through the body; the seeds cover every type, and hold inputs
/// that both codecs accept and inputs that both reject.
#[test]
fn codec_c_differential_corpus() {
    let mut transcoder = fuzzing::Forms::new();
    let (mut accepted, mut rejected) = (0, 0);
    let mut covered = BTreeSet::new();
    for (path, data) in corpus() {
        run_one(&path, &data);
        if let Some((name, input)) = fuzzing::type_selector(&data) {
            covered.insert(name);
            if fuzzing::check(&mut transcoder, name, input) {
                accepted += 1;
            } else {
                rejected += 1;
            }
        }
    }
    let missing: Vec<&&str> = type_names()
        .iter()
        .filter(|n| !covered.contains(**n))
        .collect();
    assert!(
        missing.is_empty(),
        "no seed for {missing:?}; rewrite the seeds with `write_seed_corpus`"
    );
    assert!(
        accepted >= 100 && rejected >= 50,
        "{accepted} seeds accepted, {rejected} rejected"
    );
    let regressions = fuzz_dir().join("regressions").join(TARGET);
    if regressions.is_dir() {
        for path in inputs(&regressions) {
            let data = std::fs::read(&path).unwrap();
            run_one(&path, &data);
        }
    }
}

/// The C knows the same types as the Rust codec, in the same order, so a seed of the codec targets
/// (`iotp2p_codec::fuzzing::type_selector`) selects the same type here.
#[test]
fn the_c_types_are_the_rust_types_in_order() {
    assert_eq!(type_names(), TYPE_NAMES);
}

/// A small deterministic generator (xorshift64*), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }
}

/// Random bytes of up to 48 bytes as every type, 40 inputs each, half of them at most 3 bytes long,
/// often starting with a map head of a few entries so that they reach into the messages.
#[test]
fn pseudo_random_inputs_of_every_type() {
    let mut rng = Rng(0x1357_9bdf_2468_ace0);
    let mut transcoder = fuzzing::Forms::new();
    let mut accepted = 0;
    for name in type_names() {
        for _ in 0..40 {
            let longest = if rng.below(2) == 0 { 3 } else { 48 };
            let len = rng.below(longest + 1);
            let mut input: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            if !input.is_empty() && rng.below(2) == 0 {
                input[0] = 0xa0 + (rng.below(4) as u8);
            }
            accepted += usize::from(fuzzing::check(&mut transcoder, name, &input));
        }
    }
    // Empty maps, small numbers as enums and the like: some random inputs are values of some type.
    assert!(accepted >= 5, "only {accepted} random inputs accepted");
}

/// Every seed of up to 512 bytes cut short at every length, and 4,000 seeds with one to three
/// bytes changed, inserted or removed at random places.
#[test]
fn seeds_truncated_and_changed() {
    let seeds: Vec<Vec<u8>> = corpus().into_iter().map(|(_, data)| data).collect();
    let mut transcoder = fuzzing::Forms::new();
    let mut check = |data: &[u8]| {
        let (name, input) = fuzzing::type_selector(data).expect("a selector");
        fuzzing::check(&mut transcoder, name, input)
    };
    for seed in seeds.iter().filter(|s| s.len() <= 512) {
        for n in 1..=seed.len() {
            check(&seed[..n]);
        }
    }
    let mut rng = Rng(0x0f1e_2d3c_4b5a_6978);
    let mut accepted = 0;
    for _ in 0..4000 {
        let mut data = seeds[rng.below(seeds.len())].clone();
        for _ in 0..=rng.below(3) {
            // Never the selector: the type stays the seed's.
            let at = 1 + rng.below(data.len());
            let byte = rng.byte();
            match rng.below(3) {
                0 if at < data.len() => data[at] = byte,
                1 => data.insert(at, byte),
                _ if at < data.len() => {
                    data.remove(at);
                }
                _ => data.push(byte),
            }
        }
        accepted += usize::from(check(&data));
    }
    // Changes in unknown fields, text and numbers leave many valid: both sides of every verdict run.
    assert!(
        (100..3900).contains(&accepted),
        "{accepted} of 4000 changed seeds accepted"
    );
}

// -------------------------------------------------------------------------------------------------
// Writing the seed corpus.

/// Most seeds the corpus gets.
const MAX_SEEDS: usize = 400;

/// Writes `fuzz/corpus/codec_c_differential/` from scratch: every seed of the codec's decode target
/// (`fuzz/corpus/codec_decode/`: the spec's worked examples, each type's largest vector, rejected
/// vectors of every class, the enums' numbers; the same selectors, see
/// [`the_c_types_are_the_rust_types_in_order`]), then for each type its smallest valid and smallest
/// invalid decode vector of the conformance suite (`vector_<id>`), leaving out inputs already there.
#[test]
#[ignore = "rewrites fuzz/corpus/codec_c_differential; run by hand (fuzz/README.md)"]
fn write_seed_corpus() {
    let mut seeds: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for path in inputs(&fuzz_dir().join("corpus/codec_decode")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        seeds.insert(name, std::fs::read(&path).unwrap());
    }
    // (type, valid) -> the smallest vector's (id, input).
    let mut smallest: BTreeMap<(String, bool), (String, Vec<u8>)> = BTreeMap::new();
    for json in vector_files() {
        for v in json["vectors"].as_array().into_iter().flatten() {
            let type_name = v["type"].as_str().unwrap_or_default();
            let verdict = v["expect"]["verdict"].as_str().unwrap_or_default();
            if v["operation"] != "decode" || !(verdict == "valid" || verdict == "invalid") {
                continue;
            }
            let (Some(selector), Some(input)) = (
                type_names().iter().position(|n| *n == type_name),
                v["input"]["hex"].as_str().and_then(decode_hex),
            ) else {
                continue;
            };
            let data = [&[u8::try_from(selector).unwrap()][..], &input].concat();
            let key = (type_name.to_string(), verdict == "valid");
            let id = format!("vector_{}", v["id"].as_str().unwrap_or_default());
            if smallest
                .get(&key)
                .is_none_or(|(_, old)| data.len() < old.len())
            {
                smallest.insert(key, (id, data));
            }
        }
    }
    let mut contents: BTreeSet<Vec<u8>> = seeds.values().cloned().collect();
    for (id, data) in smallest.into_values() {
        if contents.insert(data.clone()) {
            seeds.insert(id, data);
        }
    }
    assert!(seeds.len() <= MAX_SEEDS, "{} seeds", seeds.len());
    let dir = fuzz_dir().join("corpus").join(TARGET);
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    for (name, data) in &seeds {
        std::fs::write(dir.join(name), data).unwrap();
    }
    println!("{TARGET}: {} seeds", seeds.len());
}
