//! Replays the codec's fuzz corpora on stable: every file of `fuzz/corpus/codec_<target>/` and, when
//! present, `fuzz/regressions/codec_<target>/` goes through the same body as the libFuzzer target
//! (`iotp2p_codec::fuzzing`). A crash found by fuzzing is fixed once its input is in
//! `fuzz/regressions/codec_<target>/` and this test passes.
//!
//! The seed corpora are written by the ignored test `write_seed_corpora` (see fuzz/README.md):
//! `cargo test -p iotp2p-codec --features fuzzing --test fuzz_replay -- --ignored write_seed_corpora`.
#![cfg(feature = "fuzzing")]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iotp2p_codec::fuzzing;
use iotp2p_codec::generated::TYPE_NAMES;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fuzz_dir() -> PathBuf {
    root().join("fuzz")
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

fn run_one(target: &str, body: fn(&[u8]), path: &Path) {
    let data =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if std::panic::catch_unwind(|| body(&data)).is_err() {
        panic!(
            "fuzz body failed on {} (reproduce with `cargo +nightly fuzz run {target} {}`)",
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
        run_one(target, body, path);
    }
    let regressions = fuzz_dir().join("regressions").join(target);
    if regressions.is_dir() {
        for path in inputs(&regressions) {
            run_one(target, body, &path);
        }
    }
}

#[test]
fn codec_decode_corpus() {
    replay("codec_decode", fuzzing::decode_any);
}

#[test]
fn codec_roundtrip_corpus() {
    replay("codec_roundtrip", fuzzing::roundtrip);
}

#[test]
fn codec_encode_arbitrary_corpus() {
    replay("codec_encode_arbitrary", fuzzing::encode_arbitrary);
}

/// The seed corpora cover every type: each type has a seed in the decode and arbitrary corpora.
#[test]
fn seed_corpora_cover_every_type() {
    for target in ["codec_decode", "codec_encode_arbitrary"] {
        let dir = fuzz_dir().join("corpus").join(target);
        let covered: BTreeSet<&str> = inputs(&dir)
            .iter()
            .filter_map(|p| {
                let data = std::fs::read(p).unwrap();
                fuzzing::type_selector(&data).map(|(name, _)| name)
            })
            .collect();
        let missing: Vec<&&str> = TYPE_NAMES
            .iter()
            .filter(|n| !covered.contains(**n))
            .collect();
        assert!(
            missing.is_empty(),
            "{target}: no seed for {missing:?}; rewrite the seeds with `write_seed_corpora`"
        );
    }
}

// -------------------------------------------------------------------------------------------------
// Writing the seed corpora.

/// One encoded value from the spec or the conformance vectors.
struct Sample {
    /// File name: where it comes from.
    name: String,
    type_name: String,
    bytes: Vec<u8>,
    valid: bool,
    /// The error class, for rejected inputs.
    class: Option<String>,
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
        .collect()
}

/// The worked examples (```` ```iotp-example ```` blocks) of the prose chapters whose type is one
/// of the generated types.
fn spec_examples() -> Vec<Sample> {
    let mut out = Vec::new();
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root().join("spec"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter(|p| !p.ends_with("11-message-reference.md"))
        .collect();
    chapters.sort();
    for chapter in chapters {
        let text = std::fs::read_to_string(&chapter).unwrap();
        for block in text.split("```iotp-example\n").skip(1) {
            let block = block.split("```").next().unwrap();
            let field = |key: &str| {
                block
                    .lines()
                    .find_map(|l| l.strip_prefix(key).map(|v| v.trim().to_string()))
            };
            let (Some(id), Some(type_name), Some(bytes)) =
                (field("id: "), field("type: "), field("hex: "))
            else {
                continue;
            };
            if !TYPE_NAMES.contains(&type_name.as_str()) {
                continue;
            }
            let class = field("error: ");
            out.push(Sample {
                name: format!("spec_{id}"),
                type_name,
                bytes: hex(&bytes),
                valid: class.is_none(),
                class,
            });
        }
    }
    out
}

/// The decode vectors of the conformance suite whose type is one of the generated types.
fn conformance_vectors() -> Vec<Sample> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("conformance/vectors"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let Some(vectors) = json["vectors"].as_array() else {
            continue;
        };
        for v in vectors {
            let type_name = v["type"].as_str().unwrap_or_default();
            if v["operation"] != "decode" || !TYPE_NAMES.contains(&type_name) {
                continue;
            }
            let Some(input) = v["input"]["hex"].as_str() else {
                continue;
            };
            let verdict = v["expect"]["verdict"].as_str().unwrap_or_default();
            if verdict != "valid" && verdict != "invalid" {
                continue;
            }
            out.push(Sample {
                name: format!("vector_{}", v["id"].as_str().unwrap()),
                type_name: type_name.to_string(),
                bytes: hex(input),
                valid: verdict == "valid",
                class: v["expect"]["class"].as_str().map(str::to_string),
            });
        }
    }
    out
}

fn with_selector(sample: &Sample) -> Vec<u8> {
    let selector = fuzzing::selector_of(&sample.type_name).unwrap();
    [&[selector][..], &sample.bytes].concat()
}

/// Replaces the files of `fuzz/corpus/<target>/` with `seeds` (name, contents).
fn write_corpus(target: &str, seeds: &[(String, Vec<u8>)]) {
    let dir = fuzz_dir().join("corpus").join(target);
    if dir.is_dir() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::create_dir_all(&dir).unwrap();
    let mut names = BTreeSet::new();
    let mut contents = BTreeSet::new();
    for (name, data) in seeds {
        if !contents.insert(data.clone()) {
            continue;
        }
        assert!(names.insert(name.clone()), "two seeds named {name}");
        std::fs::write(dir.join(name), data).unwrap();
    }
    println!("{target}: {} seeds", names.len());
}

/// Most seeds a corpus gets.
const MAX_SEEDS: usize = 200;

/// Writes the three seed corpora from the spec's worked examples and the conformance vectors:
///
/// - `codec_decode`: every worked example (accepted and rejected), the largest valid vector of each
///   type (`*.maximal`), a valid vector for each type the examples do not cover, and for each
///   error class up to four rejected vectors of different types; for the enums, which have no
///   examples or vectors of their own, a known and an unknown number;
/// - `codec_roundtrip`: the accepted examples, then for each type its `maximal` and `unknown-field`
///   vectors; the enums' seeds again;
/// - `codec_encode_arbitrary`: two pseudo-random inputs per type (64 and 512 bytes), since its input
///   is a stream of generator choices rather than an encoding.
#[test]
#[ignore = "rewrites fuzz/corpus/codec_*; run by hand (fuzz/README.md)"]
fn write_seed_corpora() {
    let examples = spec_examples();
    let vectors = conformance_vectors();
    let seed = |s: &Sample| (s.name.clone(), with_selector(s));
    // Types without examples or vectors (the enums, which are only ever inside messages): a known
    // number (0) and an unknown one (1000).
    let mut enums = Vec::new();
    for name in TYPE_NAMES {
        if !vectors.iter().any(|v| v.type_name == *name) {
            let selector = fuzzing::selector_of(name).unwrap();
            enums.push((format!("edge_{name}_0"), vec![selector, 0x00]));
            enums.push((
                format!("edge_{name}_1000"),
                vec![selector, 0x19, 0x03, 0xe8],
            ));
        }
    }

    // Every type first (its maximal vector, else a valid example or vector), so that the cap below
    // never drops a type's only seed; then the spec's examples.
    let mut decode: Vec<(String, Vec<u8>)> = vectors
        .iter()
        .filter(|v| v.name.ends_with(".maximal"))
        .map(seed)
        .collect();
    for name in TYPE_NAMES {
        let covered = vectors
            .iter()
            .any(|v| v.type_name == *name && v.name.ends_with(".maximal"));
        if !covered {
            decode.extend(
                examples
                    .iter()
                    .chain(&vectors)
                    .find(|v| v.valid && v.type_name == *name)
                    .map(seed),
            );
        }
    }
    decode.extend(examples.iter().map(seed));
    let mut classes: std::collections::BTreeMap<&str, Vec<&Sample>> = Default::default();
    for v in vectors.iter().filter(|v| !v.valid) {
        let class = v.class.as_deref().unwrap_or("?");
        let list = classes.entry(class).or_default();
        if list.len() < 4 && list.iter().all(|w| w.type_name != v.type_name) {
            list.push(v);
        }
    }
    decode.extend(classes.values().flatten().map(|v| seed(v)));
    decode.truncate(MAX_SEEDS - 2 * enums.len());
    decode.extend(enums.iter().cloned());
    write_corpus("codec_decode", &decode);

    let mut roundtrip: Vec<(String, Vec<u8>)> =
        examples.iter().filter(|e| e.valid).map(seed).collect();
    for suffix in [".maximal", ".unknown-field"] {
        roundtrip.extend(
            vectors
                .iter()
                .filter(|v| v.valid && v.name.ends_with(suffix))
                .map(seed),
        );
    }
    roundtrip.truncate(MAX_SEEDS - 2 * enums.len());
    roundtrip.extend(enums.iter().cloned());
    write_corpus("codec_roundtrip", &roundtrip);

    // xorshift64*: reproducible bytes without a dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
    };
    let mut arbitrary = Vec::new();
    for (i, name) in TYPE_NAMES.iter().enumerate() {
        for len in [64, 512] {
            let mut data = vec![i as u8];
            data.extend((0..len).map(|_| next()));
            arbitrary.push((format!("{name}_{len}"), data));
        }
    }
    write_corpus("codec_encode_arbitrary", &arbitrary);
}

/// The generators behind `codec_encode_arbitrary` mostly build values that encode (so that fuzzing
/// exercises the success path), and sometimes values that break a bound or range or hold unknown
/// data (so that it exercises the encoder's checks).
#[test]
fn generated_values_mostly_encode() {
    use iotp2p_codec::runtime::arbitrary::Unstructured;
    use iotp2p_codec::runtime::fuzz::{Audit, FuzzType, Visitor};
    use iotp2p_codec::runtime::EncodeError;

    #[derive(Default, Debug)]
    struct Counts {
        ok: usize,
        rejected: usize,
        unknown: usize,
        invalid_unknown: usize,
    }
    struct Count<'c>(&'c [u8], &'c mut Counts);
    impl Visitor for Count<'_> {
        type Output = ();
        fn visit<T: FuzzType>(self) {
            let mut u = Unstructured::new(self.0);
            let value = T::arbitrary(&mut u).unwrap();
            let audit = Audit::of(&value);
            self.1.unknown += usize::from(audit.unknown);
            match value.encode_to_vec() {
                Ok(_) => self.1.ok += 1,
                Err(e) => {
                    self.1.rejected += 1;
                    self.1.invalid_unknown += usize::from(e == EncodeError::InvalidUnknown);
                }
            }
        }
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut counts = Counts::default();
    for name in TYPE_NAMES {
        for _ in 0..40 {
            let data: Vec<u8> = (0..256)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            iotp2p_codec::generated::visit_type(name, Count(&data, &mut counts)).unwrap();
        }
    }
    let total = counts.ok + counts.rejected;
    println!("{counts:?}");
    assert!(
        counts.ok * 2 > total,
        "most values should encode: {counts:?}"
    );
    assert!(
        counts.rejected * 50 > total,
        "some values should break a rule: {counts:?}"
    );
    assert!(
        counts.unknown * 50 > total,
        "some values should hold unknown data: {counts:?}"
    );
    assert!(
        counts.invalid_unknown > 0,
        "some unknown variants should be ones an encoder must refuse: {counts:?}"
    );
}
