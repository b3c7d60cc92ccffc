//! Signed statements (spec §8.2.3): signing and verification of each kind, with the rules a receiver
//! checks.
//!
//! A `SignedStatement` holds the encoded `Statement` as `payload` and one or two ES256 signatures over
//! its Sig_structure ([`identity`](super::identity)). A receiver verifies every signature over the
//! received payload bytes before it uses the payload ([IOTP-SEC-13]), checks the signers against the
//! row of the kind ([IOTP-SEC-14]) and that each `signer` is the node ID of the key that verifies it
//! ([IOTP-SEC-15]), then the rules of the kind. Every check is a function of its arguments: what the
//! receiver holds (keys, administrators, bound addresses, serials) and the current time come in as
//! values, and the verified statement goes out as a view into the received bytes.
//!
//! - [`ccs`]: the form of an authentication credential and its `sub` binding (§8.2.2, §8.2.4).
//! - [`credential`]: credential statements and the serial rule of replacement ([IOTP-SEC-16]).
//! - [`rehoming`]: re-homing statements (§8.9), with an optional countersignature.
//! - [`rotation`]: identity key rotation, signed by the previous key and then the new one (§8.10.2).
//! - [`revocation`]: revocation statements (§8.11).
//! - [`introduction`]: introduction statements (§8.8.4.1) at the audience and at the subject.

use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use iotp2p_codec::security::{Signature, SignedStatement, Statement};

use super::identity::{verify_payload, IdentityKey, SIGNATURE_LEN};
use super::node_id::{IdentityPublicKey, NodeId};

pub mod ccs;
pub mod credential;
mod error;
pub mod introduction;
pub mod rehoming;
pub mod revocation;
pub mod rotation;

pub use credential::{
    accepts_replacement, sign_credential, sign_own_credential, verify_credential,
    VerifiedCredential,
};
pub use error::{SignError, StatementError};
pub use introduction::{
    sign_introduction, verify_introduction_at_audience, verify_introduction_at_subject,
    IntroductionSerials, SubjectView, VerifiedIntroduction,
};
pub use rehoming::{
    countersign_rehoming, rehoming_previous_address, sign_rehoming, verify_rehoming,
    VerifiedRehoming,
};
pub use revocation::{sign_revocation, verify_revocation, VerifiedRevocation};
pub use rotation::{sign_key_rotation, verify_key_rotation, VerifiedKeyRotation};

/// What a receiver holds that decides whose signatures count.
#[derive(Clone, Copy, Debug, Default)]
pub struct Trust<'k> {
    /// The identity keys of the nodes whose credential statements the receiver holds.
    pub known: &'k [IdentityPublicKey],
    /// The node IDs that hold the Administer privilege on the receiver by an effective entry.
    pub administrators: &'k [NodeId],
    /// The node IDs that have been rotated away: no statement they sign is accepted
    /// ([IOTP-SEC-121]).
    pub rotated_away: &'k [NodeId],
}

impl Trust<'_> {
    /// The identity key held for `node`.
    pub fn key(&self, node: &[u8; 32]) -> Option<&IdentityPublicKey> {
        self.known.iter().find(|k| k.names(node))
    }

    /// Whether `node` holds Administer on the receiver.
    pub fn is_administrator(&self, node: &[u8; 32]) -> bool {
        self.administrators.iter().any(|a| a.as_bytes() == node)
    }

    /// Refuses a signer that was rotated away ([IOTP-SEC-121]).
    fn not_rotated_away(&self, index: usize, node: &[u8; 32]) -> Result<(), StatementError> {
        if self.rotated_away.iter().any(|a| a.as_bytes() == node) {
            return Err(StatementError::RotatedAway { index });
        }
        Ok(())
    }
}

/// Refuses an address of the payload that is not canonical ([IOTP-ADDR-2]).
fn canonical(address: &str) -> Result<(), StatementError> {
    crate::address::check(address).map_err(StatementError::Address)
}

/// A received statement, decoded but not yet verified: the payload's bytes and the signatures, held
/// without allocating (the schema bounds them to two).
struct Received<'a> {
    payload: &'a [u8],
    signatures: [Option<Signature<'a>>; 2],
    count: usize,
}

impl<'a> Received<'a> {
    /// Decodes the `SignedStatement`.
    fn decode(bytes: &'a [u8]) -> Result<Received<'a>, StatementError> {
        let signed = SignedStatement::decode(bytes).map_err(StatementError::Malformed)?;
        let mut signatures = [None, None];
        for (slot, signature) in signatures.iter_mut().zip(signed.signatures.iter()) {
            *slot = Some(signature);
        }
        Ok(Received {
            payload: signed.payload,
            signatures,
            count: signed.signatures.len(),
        })
    }

    /// The payload as a `Statement`.
    fn statement(&self) -> Result<Statement<'a>, StatementError> {
        Statement::decode(self.payload).map_err(StatementError::Payload)
    }

    /// How many signatures there are.
    fn len(&self) -> usize {
        self.count
    }

    /// Refuses a number of signatures outside `min..=max` ([IOTP-SEC-14]).
    fn count(&self, min: usize, max: usize) -> Result<(), StatementError> {
        if self.count < min || self.count > max {
            return Err(StatementError::SignatureCount { count: self.count });
        }
        Ok(())
    }

    /// Signature `index`; one that is missing is a wrong number of signatures.
    fn signature(&self, index: usize) -> Result<Signature<'a>, StatementError> {
        self.signatures
            .get(index)
            .copied()
            .flatten()
            .ok_or(StatementError::SignatureCount { count: self.count })
    }

    /// The signer of signature `index`.
    fn signer(&self, index: usize) -> Result<&'a [u8; 32], StatementError> {
        Ok(self.signature(index)?.signer)
    }

    /// Verifies signature `index` with `key`, whose node ID must be the signature's `signer`
    /// ([IOTP-SEC-15]) and which must verify over the received payload ([IOTP-SEC-13]).
    fn verify(&self, index: usize, key: &IdentityPublicKey) -> Result<(), StatementError> {
        let signature = self.signature(index)?;
        if !key.names(signature.signer) {
            return Err(StatementError::WrongSigner { index });
        }
        if !verify_payload(key, self.payload, signature.value) {
            return Err(StatementError::BadSignature { index });
        }
        Ok(())
    }
}

/// Encodes `statement` and signs it with `keys`, in order; returns the encoded `SignedStatement`.
/// The callers check first that the keys are those of the kind's row.
fn sign(statement: &Statement<'_>, keys: &[&IdentityKey]) -> Result<Vec<u8>, SignError> {
    let mut payload = alloc::vec![0u8; statement.encoded_len()];
    let n = statement.encode(&mut payload).map_err(SignError::Encode)?;
    payload.truncate(n);
    let mut values: Vec<([u8; 32], [u8; SIGNATURE_LEN])> = Vec::with_capacity(keys.len());
    for key in keys {
        let value = key.sign_payload(&payload).map_err(SignError::Sign)?;
        values.push((*key.node_id().as_bytes(), value));
    }
    let signatures: Vec<Signature<'_>> = values
        .iter()
        .map(|(signer, value)| Signature::new(signer, value))
        .collect();
    encode_signed(&payload, &signatures)
}

/// The encoding of a `SignedStatement` with this payload and these signatures.
fn encode_signed(payload: &[u8], signatures: &[Signature<'_>]) -> Result<Vec<u8>, SignError> {
    let signed = SignedStatement::new(payload, signatures.into());
    let mut out = alloc::vec![0u8; signed.encoded_len()];
    let n = signed.encode(&mut out).map_err(SignError::Encode)?;
    out.truncate(n);
    Ok(out)
}
