//! A new EDHOC authentication key for `rotate_auth_key` (spec §8.10.1): a fresh P-256 key from the
//! injected randomness, and its credential under the same node ID and `kid`, so that a peer that
//! accepts the newer credential statement uses the new key for its next handshake ([IOTP-SEC-117]).
//!
//! The `kid` stays: peers refer to the node's credential by it, and hold one credential per node, the
//! newest.

use alloc::vec::Vec;

use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::CryptoRngCore;
use zeroize::Zeroizing;

use crate::security::edhoc::{AuthKey, Credential, LocalIdentity};
use crate::security::statement::ccs::{self, CcsKey};
use crate::security::NodeId;

/// Draws of 32 random bytes before giving up: a draw that is not a scalar in 1..n−1 happens with
/// probability about 2⁻³², so four failures mean the randomness is broken.
const DRAWS: usize = 4;

/// A node's new authentication key and credential.
pub struct NewAuthKey {
    /// The private key, for the host to store in place of the previous one.
    pub private: Zeroizing<[u8; 32]>,
    /// The CCS that holds its public key.
    pub credential: Vec<u8>,
    /// Both, as the engine answers EDHOC with them.
    pub identity: LocalIdentity,
}

/// A new P-256 authentication key for `node`, its credential with the `kid` of `previous` (the
/// node's current P-256 credential). `None` when `previous` is not a P-256 credential or the
/// randomness gave no valid key.
pub fn new_auth_key(
    node: &NodeId,
    previous: &[u8],
    rng: &mut dyn CryptoRngCore,
) -> Option<NewAuthKey> {
    let held = ccs::parse(previous).ok()?;
    if !matches!(held.key, CcsKey::P256 { .. }) {
        return None;
    }
    for _ in 0..DRAWS {
        let mut private = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(private.as_mut());
        let Ok(key) = p256::SecretKey::from_bytes((&*private).into()) else {
            continue;
        };
        let point = key.public_key().to_encoded_point(false);
        let x: &[u8; 32] = point.x()?.as_slice().try_into().ok()?;
        let y: &[u8; 32] = point.y()?.as_slice().try_into().ok()?;
        let credential = ccs::p256_credential(node, held.kid, x, y).ok()?;
        let identity = LocalIdentity::new(
            AuthKey::new(&private).ok()?,
            Credential::parse(&credential).ok()?,
        )
        .ok()?;
        return Some(NewAuthKey {
            private,
            credential,
            identity,
        });
    }
    None
}
