//! The message layer (spec chapter 5).
//!
//! - [`fragment`]: frames, fragmentation and reassembly (§5.12).

pub mod fragment;
