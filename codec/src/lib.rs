//! The iotp2p reference codec: zero-copy encoders and decoders for the core schema, for devices and apps.
//!
//! `#![no_std]`, no allocation in encode or decode, no `unsafe`. Decoded messages borrow from the input
//! buffer; decoding validates the whole message up front (canonical form, bounds, depth), so reading a
//! decoded value never fails.
//!
//! ```
//! use iotp2p_codec::core::SemVer;
//!
//! let bytes = [0xa2, 0x00, 0x01, 0x01, 0x02]; // {0: 1, 1: 2}
//! let version = SemVer::decode(&bytes).unwrap();
//! assert_eq!((version.major, version.minor), (1, 2));
//! let mut buf = [0u8; SemVer::MAX_ENCODED_SIZE];
//! let n = version.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &bytes);
//! ```
//!
//! Modules: [`runtime`] (the hand-written CBOR primitives) and one module per package of the core
//! schema, generated from `spec/schema/` by `iotp2p gen rust` (re-bless with `BLESS=1 cargo test`).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

/// Code generated from the core schema (`spec/schema/`), one module per package.
pub mod generated;
pub mod runtime;

pub use generated::iotp2p_capabilities as capabilities;
pub use generated::iotp2p_core as core;
pub use generated::iotp2p_security as security;
