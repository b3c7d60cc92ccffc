//! The message layer (spec chapter 5).
//!
//! - [`envelope`]: the rules of the envelope and the resolution of its sender and recipient (§5.2,
//!   §5.5).
//! - [`digest`]: the digest by which unsealed envelopes and relayed copies are recognised (§5.9).
//! - [`dedup`]: the duplicate cache of unsealed envelopes and the cache of replies (§5.9).
//! - [`ids`]: the node-wide counter of unsealed `message_id`s (§5.4).
//! - [`retransmit`]: confirmable envelopes, acknowledgements and retransmission (§5.8).
//! - [`fragment`]: frames, fragmentation and reassembly (§5.12).

pub mod dedup;
pub mod digest;
pub mod envelope;
pub mod fragment;
pub mod ids;
pub mod retransmit;
