//! The identity key (spec §8.2.1) and the ES256 signatures of signed statements (§8.2.3).
//!
//! Every signature is the ES256 signature of the COSE_Sign1 signature structure ([RFC 9052] §4.4)
//! `["Signature1", h'a10126', h'', payload]` in deterministic encoding ([IOTP-SEC-11]): the protected
//! header `{1: -7}` (algorithm ES256), an empty `external_aad`, and the payload bytes of the
//! `SignedStatement`. Its value is r followed by s, 32 bytes each ([IOTP-SEC-12]). The nonce is derived
//! as [RFC 6979] says ([IOTP-SEC-4]), so that signing the same payload twice gives the same bytes and a
//! weak random number generator cannot leak the key.
//!
//! Key separation ([IOTP-SEC-3]): an [`IdentityKey`] signs nothing but the encoding of a `Statement`;
//! [`IdentityKey::sign_payload`] refuses any other bytes. The Sig_structure is a COSE structure, not a
//! schema message, and is written with the codec runtime's writer.

use core::fmt;
use iotp2p_codec::prelude::*;

use ecdsa::signature::{Signer, Verifier};
use iotp2p_codec::runtime::{DecodeError, EncodeError, Writer};
use iotp2p_codec::security::Statement;
use p256::ecdsa::{Signature, SigningKey};
use rand_core::CryptoRngCore;

use super::node_id::{IdentityPublicKey, NodeId};

/// The protected header `{1: -7}` (alg: ES256), encoded.
pub const PROTECTED_ES256: [u8; 3] = [0xa1, 0x01, 0x26];

/// Largest statement payload: the bound of `SignedStatement.payload` in the schema.
pub const MAX_PAYLOAD: usize = 512;

/// Largest Sig_structure: array head 1, `"Signature1"` 11, the protected header 4, the empty
/// `external_aad` 1, and the payload with a head of at most 3 bytes.
pub const MAX_SIG_STRUCTURE: usize = 1 + 11 + 4 + 1 + 3 + MAX_PAYLOAD;

/// Length of a signature's value: r and s, 32 bytes each ([IOTP-SEC-12]).
pub const SIGNATURE_LEN: usize = 64;

/// Writes the Sig_structure of `payload` into `out` and returns its length ([IOTP-SEC-11]). A payload
/// longer than [`MAX_PAYLOAD`] is refused, as the schema refuses it in a `SignedStatement`.
pub fn sig_structure(
    payload: &[u8],
    out: &mut [u8; MAX_SIG_STRUCTURE],
) -> Result<usize, EncodeError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(EncodeError::BoundExceeded {
            field: iotp2p_codec::runtime::field!("SignedStatement.payload", key 0),
        });
    }
    let mut w = Writer::new(out);
    w.array(4)?;
    w.text("Signature1")?;
    w.bytes(&PROTECTED_ES256)?;
    w.bytes(&[])?;
    w.bytes(payload)?;
    w.close(4);
    Ok(w.position())
}

/// A private key that is not a P-256 scalar in 1..n−1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidPrivateKey;

impl fmt::Display for InvalidPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a P-256 private key (a scalar from 1 to n - 1)")
    }
}

/// Why a payload was not signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignPayloadError {
    /// The payload is not the encoding of a `Statement`: an identity key signs nothing else
    /// ([IOTP-SEC-3]).
    NotAStatement(DecodeError),
    /// The payload is longer than a `SignedStatement` holds.
    TooLong(EncodeError),
}

impl fmt::Display for SignPayloadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignPayloadError::NotAStatement(e) => write!(f, "the payload is not a Statement: {e}"),
            SignPayloadError::TooLong(e) => write!(f, "the payload is too long: {e}"),
        }
    }
}

/// A node's identity key: a P-256 ECDSA private key. The scalar is wiped when the key is dropped
/// (`p256`'s `SigningKey` zeroizes itself on drop).
#[derive(Clone)]
pub struct IdentityKey {
    key: SigningKey,
    public: IdentityPublicKey,
}

// The wrapper adds no copy of the scalar, so the inner key's own wiping is all that is needed; this
// fails to compile if a later `p256` drops that guarantee.
const _: fn() = || {
    fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    wiped_on_drop::<SigningKey>();
};

impl IdentityKey {
    /// The key with this private scalar (32 bytes, big-endian).
    pub fn from_bytes(d: &[u8; 32]) -> Result<IdentityKey, InvalidPrivateKey> {
        let key = SigningKey::from_slice(d).map_err(|_| InvalidPrivateKey)?;
        Ok(IdentityKey::from_signing_key(key))
    }

    /// A new key drawn from `rng`, which must be a cryptographically secure generator
    /// ([IOTP-SEC-1]); the caller supplies it, since this crate draws no randomness itself.
    pub fn generate(rng: &mut impl CryptoRngCore) -> IdentityKey {
        IdentityKey::from_signing_key(SigningKey::random(rng))
    }

    fn from_signing_key(key: SigningKey) -> IdentityKey {
        let public = IdentityPublicKey::from(*key.verifying_key());
        IdentityKey { key, public }
    }

    /// The public key.
    pub fn public_key(&self) -> &IdentityPublicKey {
        &self.public
    }

    /// The node ID this key names.
    pub fn node_id(&self) -> NodeId {
        self.public.node_id()
    }

    /// The ES256 signature of the Sig_structure of `payload`, with the nonce of RFC 6979. `payload`
    /// must be the encoding of a `Statement` ([IOTP-SEC-3]).
    pub fn sign_payload(&self, payload: &[u8]) -> Result<[u8; SIGNATURE_LEN], SignPayloadError> {
        Statement::decode(payload).map_err(SignPayloadError::NotAStatement)?;
        let mut structure = [0u8; MAX_SIG_STRUCTURE];
        let len = sig_structure(payload, &mut structure).map_err(SignPayloadError::TooLong)?;
        Ok(es256(&self.key, &structure[..len]))
    }
}

impl fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private scalar.
        write!(f, "IdentityKey({})", self.public.node_id())
    }
}

/// ECDSA on P-256 with SHA-256 and the deterministic nonce of RFC 6979: r ‖ s.
fn es256(key: &SigningKey, message: &[u8]) -> [u8; SIGNATURE_LEN] {
    let signature: Signature = key.sign(message);
    signature.to_bytes().into()
}

/// Whether `signature` (r ‖ s) is the ES256 signature by `key` of the Sig_structure of `payload`.
/// A payload too long for a `SignedStatement` has no valid signature.
pub fn verify_payload(
    key: &IdentityPublicKey,
    payload: &[u8],
    signature: &[u8; SIGNATURE_LEN],
) -> bool {
    let mut structure = [0u8; MAX_SIG_STRUCTURE];
    let Ok(len) = sig_structure(payload, &mut structure) else {
        return false;
    };
    // r or s of zero, or not below n, is refused here.
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    key.verifying_key()
        .verify(&structure[..len], &signature)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 6979 appendix A.2.5 (P-256, SHA-256): the nonce derivation is the RFC's.
    #[test]
    fn rfc_6979_a_2_5() {
        let d = hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
        let key = SigningKey::from_slice(&d).unwrap();
        assert_eq!(
            es256(&key, b"sample").to_vec(),
            hex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")
        );
        assert_eq!(
            es256(&key, b"test").to_vec(),
            hex("f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083")
        );
    }

    #[test]
    fn only_statements_are_signed() {
        let key = IdentityKey::from_bytes(&[7; 32]).unwrap();
        assert!(matches!(
            key.sign_payload(b"sample"),
            Err(SignPayloadError::NotAStatement(_))
        ));
        assert_eq!(
            IdentityKey::from_bytes(&[0; 32]).err(),
            Some(InvalidPrivateKey)
        );
        assert_eq!(
            IdentityKey::from_bytes(&[0xff; 32]).err(),
            Some(InvalidPrivateKey)
        );
    }

    #[test]
    fn sig_structure_bytes() {
        let mut out = [0u8; MAX_SIG_STRUCTURE];
        let n = sig_structure(&[0xa0], &mut out).unwrap();
        assert_eq!(
            &out[..n],
            &hex("846a5369676e61747572653143a101264041a0")[..]
        );
        assert!(sig_structure(&[0; MAX_PAYLOAD + 1], &mut out).is_err());
        assert_eq!(
            sig_structure(&[0; MAX_PAYLOAD], &mut out).unwrap(),
            MAX_SIG_STRUCTURE
        );
    }
}
