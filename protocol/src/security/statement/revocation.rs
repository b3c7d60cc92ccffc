//! Revocation statements (spec §8.11): signed by the revoked node itself, or by an administrator of
//! the receiving node.

use alloc::vec::Vec;

use iotp2p_codec::security::{RevocationStatement, Statement};

use super::{sign, Received, SignError, StatementError, Trust};
use crate::security::identity::IdentityKey;
use crate::security::node_id::NodeId;

/// A revocation statement that passed the checks of §8.2.3 and [IOTP-SEC-124].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedRevocation<'a> {
    /// The revoked node.
    pub revoked: NodeId,
    /// Who signed it: the revoked node itself, or an administrator of the receiver.
    pub signer: NodeId,
    /// The statement, a view into the received bytes.
    pub statement: RevocationStatement<'a>,
}

/// Verifies a revocation statement: one signature, by the revoked node or by a node with Administer on
/// the receiver ([IOTP-SEC-124]), with the identity key the receiver holds for the signer, verifying
/// ([IOTP-SEC-13]).
pub fn verify_revocation<'a>(
    bytes: &'a [u8],
    trust: &Trust<'_>,
) -> Result<VerifiedRevocation<'a>, StatementError> {
    let received = Received::decode(bytes)?;
    let Statement::Revocation(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    received.count(1, 1)?;
    let signer = received.signer(0)?;
    if signer != statement.node && !trust.is_administrator(signer) {
        return Err(StatementError::NotAdministrator { index: 0 });
    }
    trust.not_rotated_away(0, signer)?;
    let key = trust
        .key(signer)
        .ok_or(StatementError::UnknownSigner { index: 0 })?;
    received.verify(0, key)?;
    Ok(VerifiedRevocation {
        revoked: NodeId::from_bytes(*statement.node),
        signer: NodeId::from_bytes(*signer),
        statement,
    })
}

/// Signs a revocation statement with `key`: the revoked node's own, or an administrator's (whether
/// the receivers count it as one is theirs to decide).
pub fn sign_revocation(
    key: &IdentityKey,
    statement: &RevocationStatement<'_>,
) -> Result<Vec<u8>, SignError> {
    sign(&Statement::Revocation(*statement), &[key])
}
