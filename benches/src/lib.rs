//! Shared data generators for the iotp2p benchmarks.
//!
//! Each concern has its own bench file under `benches/benches/` (`schema_compile.rs` for the schema
//! compiler; codec benchmarks will sit beside it) and draws its inputs from a module here, so that every
//! input is generated deterministically, documented in one place, and checked by unit tests to be what
//! the benchmark claims (a valid schema is really valid, and so on).
//!
//! Generators take no randomness from outside: the same arguments give the same bytes on every machine
//! and every run, so figures from different machines or commits measure the same work.

pub mod codec_data;
pub mod schema;

/// A small deterministic pseudo-random generator (SplitMix64), so that generated data needs no
/// dependency and never changes between runs.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the slight modulo bias does not matter for test data.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `1 / n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
}
