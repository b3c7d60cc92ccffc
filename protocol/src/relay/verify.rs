//! The checks of a node's statements that a home relay makes before it acts on them (spec §3.6.1,
//! §3.11): a credential statement that it binds an address to ([IOTP-DLV-23]), and a re-homing
//! statement with which a node leaves ([IOTP-DLV-73]) or arrives ([IOTP-DLV-75]). Both the Relay
//! capability's `register` and `release` and a provider's own calls go through these, so that a
//! move is checked the same way whoever reports it.

use alloc::string::{String, ToString};

use crate::security::node_id::IdentityPublicKey;
use crate::security::statement::{
    rehoming_previous_address, verify_credential, verify_rehoming, StatementError, Trust,
    VerifiedCredential,
};
use crate::security::NodeId;

/// The facts of a re-homing statement that verified: who moves, from where, to where, for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    /// The node that moves.
    pub node: NodeId,
    /// The address it leaves.
    pub previous: String,
    /// The address it moves to.
    pub address: String,
    /// The grace period, in ms.
    pub grace_ms: u64,
    /// The statement's `sequence`.
    pub sequence: u32,
}

/// Why a statement was not accepted.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementCheck {
    /// The node's credential statement does not verify (§8.2.3).
    Credential(StatementError),
    /// The credential statement names no address.
    NoAddress,
    /// The re-homing statement does not verify against the node's identity key, or leaves another
    /// address than the one the relay knows the node by, or is not newer than one held (§8.9.3).
    Rehoming(StatementError),
    /// The re-homing statement is about another node than the credential statement.
    OtherNode,
    /// The arriving node's credential statement names another address than the re-homing statement's
    /// `new_address` ([IOTP-DLV-75]).
    NewAddress {
        /// The address the credential statement names.
        named: String,
        /// The statement's new address.
        new: String,
    },
}

impl core::fmt::Display for StatementCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            StatementCheck::Credential(e) => write!(f, "the node's credential statement: {e}"),
            StatementCheck::NoAddress => f.write_str("the credential statement names no address"),
            StatementCheck::Rehoming(e) => write!(f, "the re-homing statement: {e}"),
            StatementCheck::OtherNode => {
                f.write_str("the re-homing statement is about another node than the credential")
            }
            StatementCheck::NewAddress { named, new } => write!(
                f,
                "the credential statement names {named:?}, not the new address {new:?} ([IOTP-DLV-75])"
            ),
        }
    }
}

/// A node's credential statement that verifies and names an address ([IOTP-DLV-23]).
pub fn credential_with_address(
    credential: &[u8],
) -> Result<(VerifiedCredential<'_>, &str), StatementCheck> {
    let held = verify_credential(credential).map_err(StatementCheck::Credential)?;
    let address = held.statement.address.ok_or(StatementCheck::NoAddress)?;
    Ok((held, address))
}

/// A `release` with a re-homing statement ([IOTP-DLV-73]): the statement verifies with the identity
/// key of `credential`, the statement the relay holds for the node, leaves the address that
/// statement names, and is newer than `accepted_sequence` (0 for none held, [IOTP-DLV-100]).
pub fn leaving(
    statement: &[u8],
    credential: &[u8],
    accepted_sequence: u32,
) -> Result<Move, StatementCheck> {
    let (held, named) = credential_with_address(credential)?;
    checked(
        statement,
        &held.identity_key,
        held.node_id,
        named,
        accepted_sequence,
    )
}

/// A `register` with a re-homing statement ([IOTP-DLV-75]): the new credential statement names the
/// statement's `new_address`, and its identity key verifies the statement. The new relay knows the
/// node by no previous address; it takes the one the statement names.
pub fn arriving(statement: &[u8], credential: &[u8]) -> Result<Move, StatementCheck> {
    let (held, named) = credential_with_address(credential)?;
    let previous = rehoming_previous_address(statement)
        .ok_or(StatementCheck::Rehoming(StatementError::WrongKind))?;
    let m = checked(statement, &held.identity_key, held.node_id, previous, 0)?;
    if m.address != named {
        return Err(StatementCheck::NewAddress {
            named: named.to_string(),
            new: m.address,
        });
    }
    Ok(m)
}

fn checked(
    statement: &[u8],
    key: &IdentityPublicKey,
    node: NodeId,
    bound: &str,
    accepted_sequence: u32,
) -> Result<Move, StatementCheck> {
    let known = [*key];
    let trust = Trust {
        known: &known,
        administrators: &[],
        rotated_away: &[],
    };
    let verified = verify_rehoming(statement, &trust, bound, accepted_sequence)
        .map_err(StatementCheck::Rehoming)?;
    let s = verified.statement;
    if s.node != node.as_bytes() {
        return Err(StatementCheck::OtherNode);
    }
    Ok(Move {
        node,
        previous: s.previous_address.to_string(),
        address: s.new_address.to_string(),
        grace_ms: u64::from(s.grace_period) * 1_000,
        sequence: s.sequence,
    })
}

/// The peer a verified credential statement lets run EDHOC with the relay by `kid`: its first
/// authentication credential (the P-256 one, [IOTP-SEC-9]), bound to `address`.
pub fn known_peer(
    verified: &VerifiedCredential<'_>,
    address: Option<String>,
) -> crate::engine::KnownPeer {
    crate::engine::KnownPeer {
        credential: verified
            .statement
            .auth_credentials
            .iter()
            .next()
            .map(<[u8]>::to_vec)
            .unwrap_or_default(),
        address,
        node: Some(verified.node_id),
    }
}
