//! Identity key rotation (spec §8.10.2): a `KeyRotationStatement` signed first by the previous
//! identity key, then by the new one.

use alloc::vec::Vec;

use iotp2p_codec::security::{KeyRotationStatement, Statement};

use super::{sign, Received, SignError, StatementError, Trust};
use crate::security::identity::IdentityKey;
use crate::security::node_id::{IdentityPublicKey, NodeId};

/// A key rotation statement that passed the checks of [IOTP-SEC-119].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedKeyRotation<'a> {
    /// The node ID rotated away, to be replaced wherever it is stored ([IOTP-SEC-120]).
    pub previous_node: NodeId,
    /// The new identity key, validated; its node ID replaces `previous_node`.
    pub new_identity_key: IdentityPublicKey,
    /// The statement, a view into the received bytes.
    pub statement: KeyRotationStatement<'a>,
}

/// Verifies a key rotation statement ([IOTP-SEC-119]): exactly two signatures, the first by
/// `previous_node` with the identity key the receiver holds for it, the second by the node ID of
/// `new_identity_key` with that key ([IOTP-SEC-14]: in this order), both verifying.
pub fn verify_key_rotation<'a>(
    bytes: &'a [u8],
    trust: &Trust<'_>,
) -> Result<VerifiedKeyRotation<'a>, StatementError> {
    let received = Received::decode(bytes)?;
    let Statement::KeyRotation(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    received.count(2, 2)?;
    let new_identity_key = IdentityPublicKey::from_schema(&statement.new_identity_key)
        .map_err(StatementError::PublicKey)?;
    if received.signer(0)? != statement.previous_node {
        return Err(StatementError::WrongSigner { index: 0 });
    }
    // A "rotation" to the same key would be one signer twice.
    if !new_identity_key.names(received.signer(1)?)
        || new_identity_key.names(statement.previous_node)
    {
        return Err(StatementError::WrongSigner { index: 1 });
    }
    trust.not_rotated_away(0, statement.previous_node)?;
    trust.not_rotated_away(1, received.signer(1)?)?;
    let previous = trust
        .key(statement.previous_node)
        .ok_or(StatementError::UnknownSigner { index: 0 })?;
    received.verify(0, previous)?;
    received.verify(1, &new_identity_key)?;
    Ok(VerifiedKeyRotation {
        previous_node: NodeId::from_bytes(*statement.previous_node),
        new_identity_key,
        statement,
    })
}

/// Signs a key rotation statement with the previous key and then the new one (§8.10.2).
pub fn sign_key_rotation(
    previous: &IdentityKey,
    new: &IdentityKey,
    statement: &KeyRotationStatement<'_>,
) -> Result<Vec<u8>, SignError> {
    if previous.node_id().as_bytes() != statement.previous_node {
        return Err(SignError::WrongKey { index: 0 });
    }
    let new_key = IdentityPublicKey::from_schema(&statement.new_identity_key)
        .map_err(|e| SignError::Refused(StatementError::PublicKey(e)))?;
    if new_key != *new.public_key() || new.node_id() == previous.node_id() {
        return Err(SignError::WrongKey { index: 1 });
    }
    sign(&Statement::KeyRotation(*statement), &[previous, new])
}
