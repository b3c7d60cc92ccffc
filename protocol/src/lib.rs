//! The iotp2p reference protocol engine: the message layer (spec chapter 5), security (chapter 8) and the
//! interaction model's dispatch (chapter 6), shared by every device, relay and app.
//!
//! **Sans-I/O.** Nothing in this crate opens a socket, reads a clock, starts a thread or draws a random
//! number. Received datagrams, the current time and randomness come in as arguments; datagrams to send,
//! timers to arm and events for the application go out as values. Every behaviour is therefore
//! deterministic and replayable, which is what the conformance suite's scripted peers rely on.
//!
//! **`no_std` + `alloc`.** A device links the same code as a relay. Allocation is confined to state whose
//! bound the spec gives (reassembly buffers of at most [`params::MAX_MESSAGE`] bytes, dedup caches of a
//! stated number of entries); sealing and opening never allocate.
//!
//! **Established cryptography only**: AES-CCM-16-64-128 through RustCrypto `aes` + `ccm`, HKDF-SHA-256
//! through `hkdf` + `sha2`, P-256 and ES256 (with RFC 6979 nonces) through `p256` + `ecdsa`, and key
//! material wiped on drop through `zeroize`.
//!
//! Modules:
//! - [`address`]: canonical addresses (§2.2, §2.3).
//! - [`params`]: the protocol parameters of spec §5.14 and the other fixed bounds.
//! - [`security`]: security contexts, sealing and opening (§8.5), the replay window (§8.6), node IDs,
//!   identity keys and signed statements (§8.2, §8.8.4.1, §8.9–§8.11).
//! - [`message`]: the message layer's parts: envelope rules, digest, duplicate caches, identifiers,
//!   retransmission, fragmentation (chapter 5).
//! - [`interaction`]: the interaction model's dispatch: the check order of §6.3, reads, writes, invokes,
//!   describe, subscriptions and freshness (chapter 6).
//! - [`engine`]: the end node's engine that ties them together: the receive pipeline of §5.9.1,
//!   requests, replies, sealing.
//! - [`controller`]: the controller's side of pairing and claiming a device (§8.3.3 to §8.3.5).
//! - [`server`]: an end node serving its capabilities: the engine and the interaction model's
//!   dispatch joined (access, replies, subscriptions and their reports).

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
// Tests, and the fuzz bodies through `arbitrary`, use std; the engine itself never does.
#[cfg(any(test, feature = "fuzzing"))]
extern crate std;

pub mod address;
pub mod controller;
pub mod engine;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod interaction;
pub mod message;
pub mod params;
pub mod relay;
pub mod security;
pub mod server;
