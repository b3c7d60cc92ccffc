//! Credential statements (spec §8.2.2, §8.2.4): self-signed by the identity key in the payload, they
//! bind the node's authentication credentials, address and cipher suites to its node ID.

use alloc::vec::Vec;

use iotp2p_codec::security::{CredentialStatement, Statement};

use super::ccs::{self, CcsKey};
use super::{canonical, sign, Received, SignError, StatementError};
use crate::security::identity::IdentityKey;
use crate::security::node_id::{IdentityPublicKey, NodeId};

/// A credential statement whose signature and credentials passed every check of §8.2.3 and §8.2.4.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedCredential<'a> {
    /// The node ID of `identity_key`, the node the statement is about.
    pub node_id: NodeId,
    /// The statement's identity key, validated.
    pub identity_key: IdentityPublicKey,
    /// The statement, a view into the received bytes.
    pub statement: CredentialStatement<'a>,
}

/// Verifies a credential statement as §8.2.3 and §8.2.4 require, in this order: it decodes, is of
/// the `credential` kind, its identity key is a P-256 point, it has one signature whose `signer` is
/// the node ID of that key ([IOTP-SEC-14], [IOTP-SEC-15]) and which verifies ([IOTP-SEC-13]), and
/// every authentication credential is a CCS of §8.2.2, P-256 first ([IOTP-SEC-9]), whose `sub` is the
/// statement's node ID ([IOTP-SEC-128]); its address, if any, is canonical ([IOTP-ADDR-2]).
///
/// Whether the statement may replace one held for the same node is [`accepts_replacement`]; whether
/// its node ID was rotated away ([IOTP-SEC-121]) is the holder's to check with the returned
/// `node_id`.
pub fn verify_credential(bytes: &[u8]) -> Result<VerifiedCredential<'_>, StatementError> {
    let received = Received::decode(bytes)?;
    let Statement::Credential(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    let identity_key = IdentityPublicKey::from_schema(&statement.identity_key)
        .map_err(StatementError::PublicKey)?;
    received.count(1, 1)?;
    received.verify(0, &identity_key)?;
    check_credentials(&statement, &identity_key.node_id())?;
    if let Some(address) = statement.address {
        canonical(address)?;
    }
    Ok(VerifiedCredential {
        node_id: identity_key.node_id(),
        identity_key,
        statement,
    })
}

/// Each CCS has the form of §8.2.2 and names `node` ([IOTP-SEC-128]); a P-256 one comes first and at
/// most an X25519 one follows ([IOTP-SEC-9]).
fn check_credentials(
    statement: &CredentialStatement<'_>,
    node: &NodeId,
) -> Result<(), StatementError> {
    let text = node.to_text();
    let mut count = 0;
    for (index, bytes) in statement.auth_credentials.iter().enumerate() {
        let ccs = ccs::parse(bytes).map_err(|_| StatementError::CcsForm { index })?;
        let in_place = match index {
            0 => matches!(ccs.key, CcsKey::P256 { .. }),
            _ => matches!(ccs.key, CcsKey::X25519 { .. }),
        };
        if !in_place {
            return Err(StatementError::CcsOrder);
        }
        if ccs.sub != text.as_str() {
            return Err(StatementError::CcsSub { index });
        }
        count += 1;
    }
    if count == 0 {
        return Err(StatementError::CcsOrder);
    }
    Ok(())
}

/// Whether a verified credential statement may replace the one held for the same node ID, whose
/// serial is `held_serial`: only if its serial is greater ([IOTP-SEC-16]), so that an old credential
/// (an old address, a replaced authentication key) cannot be replayed.
pub fn accepts_replacement(
    held_serial: u32,
    new: &VerifiedCredential<'_>,
) -> Result<(), StatementError> {
    if new.statement.serial <= held_serial {
        return Err(StatementError::StaleSerial {
            held: held_serial,
            received: new.statement.serial,
        });
    }
    Ok(())
}

/// Signs the credential statement `serial` of the node of `key`, with its one authentication
/// credential `ccs`, naming `address` if it has one, for the EDHOC cipher suite of the spec's profile
/// ([`crate::security::edhoc::SUITE`]): what a node or controller issues for itself.
pub fn sign_own_credential(
    key: &IdentityKey,
    ccs: &[u8],
    address: Option<&str>,
    serial: u32,
) -> Result<Vec<u8>, SignError> {
    let credentials = [ccs];
    let suites = [i32::from(crate::security::edhoc::SUITE)];
    sign_credential(
        key,
        &CredentialStatement {
            identity_key: key.public_key().to_schema(),
            address,
            auth_credentials: credentials.as_slice().into(),
            serial,
            suites: suites.as_slice().into(),
            issued_at: None,
            unknown_fields: Default::default(),
        },
    )
}

/// Signs a credential statement with `key`, which must be its `identity_key`. The credentials are
/// checked as a receiver checks them, so that a node never issues a statement its peers refuse
/// ([IOTP-SEC-127]). Keeping each serial above the previous one ([IOTP-SEC-10]) is the issuer's.
pub fn sign_credential(
    key: &IdentityKey,
    statement: &CredentialStatement<'_>,
) -> Result<Vec<u8>, SignError> {
    let identity_key = IdentityPublicKey::from_schema(&statement.identity_key)
        .map_err(|e| SignError::Refused(StatementError::PublicKey(e)))?;
    if identity_key != *key.public_key() {
        return Err(SignError::WrongKey { index: 0 });
    }
    check_credentials(statement, &key.node_id()).map_err(SignError::Refused)?;
    if let Some(address) = statement.address {
        canonical(address).map_err(SignError::Refused)?;
    }
    sign(&Statement::Credential(*statement), &[key])
}
