//! Security (spec chapter 8): security contexts and their derivation, sealing and opening of envelopes,
//! the replay window, identity keys, node IDs and signed statements.
//!
//! - [`key_id`]: Sender and Recipient IDs (EDHOC connection identifiers), at most 7 bytes.
//! - [`context`]: a security context: keys, Common IV, Sender Sequence Number, replay window (§8.5.2),
//!   derived as RFC 8613 §3.2 says (§8.4.5, and §8.3.4 for pairing).
//! - [`aad`]: the associated data of a sealed envelope (§8.5.3).
//! - [`echo`]: freshness challenges (§6.8, §8.6.4).
//! - [`nonce`]: the AEAD nonce (§8.5.4).
//! - [`seal`]: sealing and opening (§8.5.5, §8.5.6).
//! - [`replay`]: the replay window (§8.6.2) and its loss (§8.6.3).
//! - [`spake2plus`]: the SPAKE2+ pairing exchange (§8.3.3, [RFC 9383]) and the pairing context
//!   (§8.3.4).
//! - [`node_id`]: node IDs, their text form, and identity public keys (§2.8.1, §8.2.1).
//! - [`identity`]: the identity key and the ES256 signature of a statement's Sig_structure (§8.2.1,
//!   §8.2.3).
//! - [`setup_code`]: the check digit of a manual pairing code (§8.3.1).
//! - [`statement`]: signing and verifying the signed statements of each kind (§8.2.3, §8.2.4,
//!   §8.8.4.1, §8.9, §8.10, §8.11).
//! - [`edhoc`]: session establishment with EDHOC ([RFC 9528], through `lakers`; §8.4): the two roles,
//!   the security context they derive (§8.4.5), and their carriage in the Security capability (§8.4.3).
//!
//! [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
//! [RFC 9528]: https://www.rfc-editor.org/rfc/rfc9528

pub mod aad;
pub mod context;
pub mod echo;
pub mod edhoc;
pub mod identity;
pub mod key_id;
pub mod node_id;
pub mod nonce;
pub mod pairing_states;
pub mod replay;
pub mod seal;
pub mod setup_code;
pub mod spake2plus;
pub mod statement;

pub use aad::{Exchange, Routing};
pub use context::{MasterSecret, SecurityContext};
pub use identity::IdentityKey;
pub use key_id::KeyId;
pub use node_id::{IdentityPublicKey, NodeId};
pub use replay::{ReplayVerdict, ReplayWindow};
pub use seal::{OpenError, SealError};
