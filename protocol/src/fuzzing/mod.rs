//! Fuzz target bodies for the protocol engine, a device's server, the relay and the relay's Relay
//! capability, kept in the library so that `cargo test`
//! replays the corpora on stable (tests/fuzz_replay.rs) and `fuzz/` runs them under libFuzzer. Not a
//! public API.

mod device;
mod device_seeds;
mod engine;
mod relay;
mod relay_requests;
mod relay_server;
mod relay_server_seeds;
mod visitor;

pub use device::{device, run_device, DeviceReached};
pub use device_seeds::{decoded_steps, visitor_seeds};
pub use engine::{engine, run, Reached};
pub use relay::{relay, run_relay, RelayReached};
pub use relay_server::{relay_server, run_relay_server, RelayServerReached};
pub use relay_server_seeds::relay_server_seeds;

use crate::security::{KeyId, MasterSecret, SecurityContext};

const SECRET: [u8; 16] = *b"fuzzing-secret!!";
const SALT: [u8; 8] = *b"saltsalt";

pub(crate) fn context(sender: u8, recipient: u8) -> SecurityContext {
    SecurityContext::derive(
        MasterSecret {
            secret: &SECRET,
            salt: &SALT,
        },
        KeyId::from_byte(sender),
        KeyId::from_byte(recipient),
    )
}

/// A deterministic RNG for the run: the fuzzer controls inputs, not timer jitter. Marked `CryptoRng`
/// because the engines ask for one; it serves only these bodies.
pub(crate) struct Counter(pub(crate) u64);

impl rand_core::CryptoRng for Counter {}

impl rand_core::RngCore for Counter {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
