//! The iotp2p reference codec: zero-copy encoders and decoders for the core schema, for devices and apps.
//!
//! `#![no_std]`, no allocation in encode or decode, no `unsafe`. Decoded messages borrow from the input
//! buffer; decoding validates the whole message up front (canonical form, bounds, depth), so reading a
//! decoded value never fails.
//!
//! ```
//! use iotp2p_codec::core::SemVer;
//! use iotp2p_codec::prelude::*; // decode, encode, encoded_len, encode_to_vec, into_owned
//!
//! let bytes = [0xa2, 0x00, 0x01, 0x01, 0x02]; // {0: 1, 1: 2}
//! let version = SemVer::decode(&bytes).unwrap();
//! assert_eq!((version.major, version.minor), (1, 2));
//! let mut buf = [0u8; SemVer::MAX_ENCODED_SIZE];
//! let n = version.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &bytes);
//! ```
//!
//! Every generated message and union is a [`runtime::Message`]: `decode`, `encode`, `encoded_len`
//! and `encode_to_vec` come from that trait, so bring it into scope with [`prelude`].
//!
//! Build a message with `new`, which takes its required fields and sets the others as an encoding
//! without them decodes (defaults, `None`, no unknown fields), and struct update syntax for the
//! rest; the schema's defaults are constants (`DEFAULT_<FIELD>`), and a message without required
//! fields is also `Default`:
//!
//! ```
//! use iotp2p_codec::core::{Envelope, Presence};
//! use iotp2p_codec::prelude::*;
//!
//! let ping = Envelope { ack_requested: true, ..Envelope::new(7) };
//! assert_eq!(ping.version, Envelope::DEFAULT_VERSION);
//! let mut buf = [0u8; 16];
//! let n = ping.encode(&mut buf).unwrap();
//! assert_eq!(&buf[..n], &[0xa2, 0x01, 0x07, 0x03, 0xf5]); // {1: 7, 3: true}
//! assert_eq!(Presence::default(), Presence::new());
//! ```
//!
//! Modules: [`runtime`] (the hand-written CBOR primitives) and one module per package of the core
//! schema, generated from `spec/schema/` by `iotp2p gen rust` (re-bless with `BLESS=1 cargo test`).
//!
//! # Features
//!
//! - `core-schema` (default): the generated modules (`core`, `security`, `capabilities`,
//!   `generated`). Without it the crate is the runtime alone, which is what the schema compiler
//!   uses, so that it builds even when a change of the runtime is not yet in the generated code.
//! - `alloc`: for applications that keep messages. Each package module gets a module `owned` with
//!   an owned counterpart of every message and union, of the same name (`core::owned::SemVer`:
//!   `String`, `Vec<u8>`, `[u8; N]`, `Vec<T>`, `Box<T>` for recursive members, owned unknown
//!   fields), which decodes, encodes and checks like the borrowed type. Borrowed values get
//!   `into_owned()`, and every message `encode_to_vec()`. Decoding and encoding into a buffer still
//!   never allocate.
//! - `serde` (implies `alloc`): the canonical JSON mapping of spec/04-wire-format.md §4.18:
//!   `Serialize` for borrowed and owned types, `Deserialize` for owned types and enums, and
//!   `generated::to_json` / `from_json` by type name. `no_std` too (serde without `std`).
//! - `arbitrary` (implies `alloc`): `arbitrary::Arbitrary` for owned types and enums, building values
//!   that mostly keep to the schema's bounds (sometimes not, and sometimes with unknown fields,
//!   variants and enum numbers), with the support in `runtime::fuzz`, for structured fuzzing.
//! - `field-keys`: errors name a field by its key (`key 3`) instead of its `Type.field` name
//!   ([`runtime::field!`]), so that a firmware links none of the names (about 0.8 KB of the
//!   device's `Envelope` image). For firmware short of flash; a host keeps the names (the default).
//! - `fuzzing` (`arbitrary` + `serde`, uses std): the bodies of the fuzz targets in `fuzz/`
//!   (`fuzzing`, hidden), replayed over the fuzz corpora by `tests/fuzz_replay.rs`.
//!
//! ```
//! # #[cfg(feature = "serde")] {
//! use iotp2p_codec::capabilities::{owned, SetLevel};
//! use iotp2p_codec::prelude::*;
//!
//! let bytes = [0xa2, 0x00, 0x18, 0xc8, 0x01, 0x0a]; // {0: 200, 1: 10}
//! let kept: owned::SetLevel = SetLevel::decode(&bytes).unwrap().into_owned();
//! let json = serde_json::to_string(&kept).unwrap();
//! assert_eq!(json, r#"{"level":200,"transition":10}"#);
//! let mut read: owned::SetLevel = serde_json::from_str(&json).unwrap();
//! read.level += 1;
//! assert_eq!(read.encode_to_vec().unwrap(), [0xa2, 0x00, 0x18, 0xc9, 0x01, 0x0a]);
//! # }
//! ```

#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

/// Fuzz target bodies (feature `fuzzing`): not a public API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
/// Code generated from the core schema (`spec/schema/`), one module per package.
#[cfg(feature = "core-schema")]
pub mod generated;
pub mod runtime;

/// The traits that generated types' entry points come from (`decode`, `encode`, `encoded_len`,
/// `encode_to_vec`, `into_owned`), imported without their names so that they clash with nothing:
/// `use iotp2p_codec::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "alloc")]
    pub use crate::runtime::IntoOwned as _;
    pub use crate::runtime::Message as _;
}

#[cfg(feature = "core-schema")]
pub use generated::iotp2p_capabilities as capabilities;
#[cfg(feature = "core-schema")]
pub use generated::iotp2p_core as core;
#[cfg(feature = "core-schema")]
pub use generated::iotp2p_security as security;
