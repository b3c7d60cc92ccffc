//! Helpers shared by the integration tests: a deterministic RNG and hex.

#![allow(dead_code)]

use iotp2p_protocol::security::{KeyId, MasterSecret, SecurityContext};
use rand_core::{impls, CryptoRng, RngCore};

const SECRET: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const SALT: [u8; 8] = [0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, 0x40];

/// A security context between the one-byte Sender IDs `sender` and `recipient`, from one fixed master
/// secret: the two sides of a context are `context(a, b)` and `context(b, a)`.
pub fn context(sender: u8, recipient: u8) -> SecurityContext {
    SecurityContext::derive(
        MasterSecret {
            secret: &SECRET,
            salt: &SALT,
        },
        KeyId::new(&[sender]).unwrap(),
        KeyId::new(&[recipient]).unwrap(),
    )
}

/// A source of randomness that always draws the same 32-bit value: timers become exact. Marked
/// `CryptoRng` because the engine asks for one; only tests use it.
pub struct Fixed(pub u32);

impl CryptoRng for Fixed {}

impl RngCore for Fixed {
    fn next_u32(&mut self) -> u32 {
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

/// Bytes from hex, spaces allowed.
pub fn hex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// The `hex` of the `iotp-example` block `id` in the spec chapter `file` (spec/README.md, conventions).
pub fn example(file: &str, id: &str) -> Vec<u8> {
    let path = format!("{}/../spec/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("spec chapter");
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "```iotp-example" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        if block.iter().any(|l| *l == format!("id: {id}")) {
            let hex_line = block.iter().find_map(|l| l.strip_prefix("hex: "));
            return hex(hex_line.expect("a hex item"));
        }
    }
    panic!("no example `{id}` in {file}")
}
