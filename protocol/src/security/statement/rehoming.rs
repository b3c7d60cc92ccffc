//! Re-homing statements (spec §8.9): a node moves to another address, signed by its own identity key
//! ([IOTP-SEC-109]) and optionally countersigned by an administrator ([IOTP-SEC-108]).

use alloc::vec::Vec;
use iotp2p_codec::prelude::*;

use iotp2p_codec::security::{RehomingStatement, Signature, SignedStatement, Statement};

use super::{canonical, encode_signed, sign, Received, SignError, StatementError, Trust};
use crate::security::identity::IdentityKey;
use crate::security::node_id::NodeId;

/// A re-homing statement that passed the checks of [IOTP-SEC-187].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedRehoming<'a> {
    /// The statement, a view into the received bytes.
    pub statement: RehomingStatement<'a>,
    /// The administrator that countersigned it, if one did: a peer that knows the node's owner may
    /// require a particular one ([IOTP-SEC-112]).
    pub countersigner: Option<NodeId>,
}

/// Verifies a re-homing statement as [IOTP-SEC-187] requires, for a receiver that has bound the node
/// to `bound_address` and accepted re-homings of it up to `accepted_sequence` (0 for none):
///
/// 1. the first signature is by `node`, with the identity key the receiver holds for it, and verifies;
/// 2. a second, if present, is by another node whose identity key the receiver holds, and verifies;
/// 3. `previous_address` is `bound_address` (both addresses of the statement must be canonical,
///    [IOTP-ADDR-2]);
/// 4. `sequence` is greater than `accepted_sequence`.
///
/// A chain of statements ([IOTP-SEC-188]) is applied one at a time in sequence order: the caller
/// binds `new_address` after each one it accepts, and stops at the first refused.
pub fn verify_rehoming<'a>(
    bytes: &'a [u8],
    trust: &Trust<'_>,
    bound_address: &str,
    accepted_sequence: u32,
) -> Result<VerifiedRehoming<'a>, StatementError> {
    let received = Received::decode(bytes)?;
    let Statement::Rehoming(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    received.count(1, 2)?;
    if received.signer(0)? != statement.node {
        return Err(StatementError::WrongSigner { index: 0 });
    }
    let mut countersigner = None;
    if received.len() == 2 {
        if received.signer(1)? == statement.node {
            return Err(StatementError::WrongSigner { index: 1 });
        }
        countersigner = Some(NodeId::from_bytes(*received.signer(1)?));
    }
    for index in 0..received.len() {
        let signer = received.signer(index)?;
        trust.not_rotated_away(index, signer)?;
        let key = trust
            .key(signer)
            .ok_or(StatementError::UnknownSigner { index })?;
        received.verify(index, key)?;
    }
    canonical(statement.previous_address)?;
    canonical(statement.new_address)?;
    // Both sides are canonical, so equal addresses are equal strings.
    if statement.previous_address != bound_address {
        return Err(StatementError::PreviousAddress);
    }
    if statement.sequence <= accepted_sequence {
        return Err(StatementError::StaleSequence {
            accepted: accepted_sequence,
            received: statement.sequence,
        });
    }
    Ok(VerifiedRehoming {
        statement,
        countersigner,
    })
}

/// The `previous_address` of a signed re-homing statement, read without verifying it: a receiver
/// needs it to find the node it has bound there, whose identity key then verifies the statement
/// ([`verify_rehoming`]). `None` if the bytes are not a re-homing statement.
pub fn rehoming_previous_address(bytes: &[u8]) -> Option<&str> {
    let signed = SignedStatement::decode(bytes).ok()?;
    match Statement::decode(signed.payload).ok()? {
        Statement::Rehoming(r) => Some(r.previous_address),
        _ => None,
    }
}

/// Signs a re-homing statement with the node's identity key ([IOTP-SEC-109]), and with an
/// administrator's after it if `countersigner` is given ([IOTP-SEC-108]).
pub fn sign_rehoming(
    node: &IdentityKey,
    statement: &RehomingStatement<'_>,
    countersigner: Option<&IdentityKey>,
) -> Result<Vec<u8>, SignError> {
    if node.node_id().as_bytes() != statement.node {
        return Err(SignError::WrongKey { index: 0 });
    }
    canonical(statement.previous_address).map_err(SignError::Refused)?;
    canonical(statement.new_address).map_err(SignError::Refused)?;
    match countersigner {
        None => sign(&Statement::Rehoming(*statement), &[node]),
        Some(admin) if admin.node_id() == node.node_id() => Err(SignError::WrongKey { index: 1 }),
        Some(admin) => sign(&Statement::Rehoming(*statement), &[node, admin]),
    }
}

/// Adds an administrator's signature, second, to a re-homing statement signed by its node alone: what
/// the owner's controller does with the statement that `rehome` returned ([IOTP-SEC-108]). The
/// node's signature is kept byte for byte; it is not checked here (a receiver does that).
pub fn countersign_rehoming(signed: &[u8], admin: &IdentityKey) -> Result<Vec<u8>, SignError> {
    let received = SignedStatement::decode(signed)
        .map_err(|e| SignError::Refused(StatementError::Malformed(e)))?;
    let Ok(Statement::Rehoming(statement)) = Statement::decode(received.payload) else {
        return Err(SignError::Refused(StatementError::WrongKind));
    };
    let mut signatures: Vec<Signature<'_>> = received.signatures.iter().collect();
    if signatures.len() != 1 {
        return Err(SignError::Refused(StatementError::SignatureCount {
            count: signatures.len(),
        }));
    }
    let admin_id = admin.node_id();
    if admin_id.as_bytes() == statement.node {
        return Err(SignError::WrongKey { index: 1 });
    }
    let value = admin
        .sign_payload(received.payload)
        .map_err(SignError::Sign)?;
    signatures.push(Signature::new(admin_id.as_bytes(), &value));
    encode_signed(received.payload, &signatures)
}
