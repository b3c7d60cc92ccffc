//! The iotp2p reference codec: zero-copy encoders and decoders for the core schema, for devices and apps.
//!
//! `#![no_std]`, no allocation in encode or decode, no `unsafe`. Decoded messages borrow from the input
//! buffer; decoding validates the whole message up front (canonical form, bounds, depth), so reading a
//! decoded value never fails.

#![no_std]

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod runtime;
