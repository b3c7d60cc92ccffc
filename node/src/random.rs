//! The randomness a node's engine draws (message IDs, tokens, the spread of retransmission timeouts,
//! EDHOC's and SPAKE2+'s ephemeral keys, nonces): the operating system's RNG, or, for a simulation
//! that must replay, a ChaCha20 stream from a seed.
//!
//! A seeded node is predictable by whoever knows the seed: every key it makes follows from it. It is
//! for tests and simulations on loopback (the lossy walk-through on tokio's paused clock replays
//! exactly from its seeds), never for a node in service, and no configuration file can ask for it.

use rand_chacha::ChaCha20Rng;
use rand_core::{CryptoRng, OsRng, RngCore, SeedableRng};

/// A node's source of randomness: [`NodeRng::system`] unless a simulation gives a seed.
#[derive(Clone)]
pub struct NodeRng(Source);

#[derive(Clone)]
enum Source {
    System,
    // Boxed: the stream's state (some 300 bytes) is not carried by the nodes that do not use it.
    Seeded(Box<ChaCha20Rng>),
}

impl NodeRng {
    /// The operating system's RNG.
    pub fn system() -> Self {
        NodeRng(Source::System)
    }

    /// A ChaCha20 stream from `seed`, for simulations only (see the module's documentation).
    pub fn seeded(seed: u64) -> Self {
        NodeRng(Source::Seeded(Box::new(ChaCha20Rng::seed_from_u64(seed))))
    }

    /// [`NodeRng::seeded`] when a seed is given, else [`NodeRng::system`].
    pub fn from_seed(seed: Option<u64>) -> Self {
        seed.map_or_else(NodeRng::system, NodeRng::seeded)
    }
}

impl std::fmt::Debug for NodeRng {
    // Never the stream's state: it would give away every later key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Source::System => "NodeRng::system",
            Source::Seeded(_) => "NodeRng::seeded",
        })
    }
}

impl RngCore for NodeRng {
    fn next_u32(&mut self) -> u32 {
        match &mut self.0 {
            Source::System => OsRng.next_u32(),
            Source::Seeded(rng) => rng.next_u32(),
        }
    }

    fn next_u64(&mut self) -> u64 {
        match &mut self.0 {
            Source::System => OsRng.next_u64(),
            Source::Seeded(rng) => rng.next_u64(),
        }
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        match &mut self.0 {
            Source::System => OsRng.fill_bytes(dest),
            Source::Seeded(rng) => rng.fill_bytes(dest),
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        match &mut self.0 {
            Source::System => OsRng.try_fill_bytes(dest),
            Source::Seeded(rng) => rng.try_fill_bytes(dest),
        }
    }
}

// Both sources are cryptographically secure; a seeded one is predictable from its seed alone.
impl CryptoRng for NodeRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_stream_and_another_seed_another() {
        let draw = |mut rng: NodeRng| {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            (bytes, rng.next_u64())
        };
        assert_eq!(draw(NodeRng::seeded(7)), draw(NodeRng::seeded(7)));
        assert_ne!(draw(NodeRng::seeded(7)), draw(NodeRng::seeded(8)));
        assert_ne!(draw(NodeRng::system()), draw(NodeRng::system()));
    }

    #[test]
    fn debug_shows_the_source_never_the_state() {
        assert_eq!(format!("{:?}", NodeRng::seeded(7)), "NodeRng::seeded");
        assert_eq!(format!("{:?}", NodeRng::from_seed(None)), "NodeRng::system");
    }
}
