//! Why a signed statement is refused, and why one could not be signed.
//!
//! Each variant names the rule of chapter 8 that refuses the statement; [`StatementError::requirement`]
//! gives its requirement ID, so that a caller can log or test the exact rule.

use core::fmt;

use iotp2p_codec::runtime::{DecodeError, EncodeError};

use crate::address::AddressError;
use crate::security::identity::SignPayloadError;
use crate::security::node_id::PublicKeyError;

/// Why a receiver refuses a signed statement. The checks run in a fixed order, and the first that
/// fails is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementError {
    /// The bytes are not a `SignedStatement` in the wire profile's encoding.
    Malformed(DecodeError),
    /// The payload is not a `Statement` in the wire profile's encoding.
    Payload(DecodeError),
    /// The payload is a statement of another kind than the one expected ([IOTP-SEC-14]: a statement is
    /// checked against the row of its own kind).
    WrongKind,
    /// The number of signatures is not the one of the kind's row of the table of §8.2.3
    /// ([IOTP-SEC-14]).
    SignatureCount {
        /// How many signatures the statement has.
        count: usize,
    },
    /// The signature at `index` (0 for the first) is not by the signer its kind's row names there, or
    /// its `signer` is not the node ID of the key that must verify it ([IOTP-SEC-14],
    /// [IOTP-SEC-15]).
    WrongSigner {
        /// Position of the signature.
        index: usize,
    },
    /// The signer at `index` is a node whose identity key the receiver does not hold: the row of
    /// §8.2.3 says the key is "known to the verifier" ([IOTP-SEC-14]).
    UnknownSigner {
        /// Position of the signature.
        index: usize,
    },
    /// The signer at `index` is not the statement's own node and has no Administer privilege on the
    /// receiver ([IOTP-SEC-124] for a revocation; check 1 of [IOTP-SEC-183] for an introduction).
    NotAdministrator {
        /// Position of the signature.
        index: usize,
    },
    /// The signer at `index` is a node ID that has been rotated away ([IOTP-SEC-121]).
    RotatedAway {
        /// Position of the signature.
        index: usize,
    },
    /// The signature at `index` does not verify over the received payload ([IOTP-SEC-13]).
    BadSignature {
        /// Position of the signature.
        index: usize,
    },
    /// An address in the payload is not in canonical form: a receiver rejects it as part of a member
    /// value ([IOTP-ADDR-2]), and a signer never writes one ([IOTP-ADDR-1]).
    Address(AddressError),
    /// The identity key in the payload is not a P-256 point ([IOTP-SEC-1]).
    PublicKey(PublicKeyError),
    /// The authentication credential at `index` is not a CCS of the form of §8.2.2 ([IOTP-SEC-7],
    /// refused by [IOTP-SEC-128]).
    CcsForm {
        /// Position in `auth_credentials`.
        index: usize,
    },
    /// The credentials are not a P-256 one first and, optionally, an X25519 one second
    /// ([IOTP-SEC-9]); a statement without a P-256 credential gives no key for cipher suite 2.
    CcsOrder,
    /// The `sub` of the authentication credential at `index` is not the base32 node ID of the
    /// statement's `identity_key` ([IOTP-SEC-128]).
    CcsSub {
        /// Position in `auth_credentials`.
        index: usize,
    },
    /// A credential statement whose `serial` is not greater than that of the one held
    /// ([IOTP-SEC-16]).
    StaleSerial {
        /// The serial of the statement held.
        held: u32,
        /// The serial received.
        received: u32,
    },
    /// The re-homing's `previous_address` is not the address the receiver has bound to the node
    /// ([IOTP-SEC-187], item 3).
    PreviousAddress,
    /// The re-homing's `sequence` is not greater than that of every re-homing accepted for the node
    /// ([IOTP-SEC-187], item 4).
    StaleSequence {
        /// The greatest sequence accepted (0 for none).
        accepted: u32,
        /// The sequence received.
        received: u32,
    },
    /// The introduction's `subject` is not the receiver (check 3 of [IOTP-SEC-183], answered with
    /// `ConstraintError`).
    NotSubject,
    /// The introduction's `audience` is not the receiver ([IOTP-SEC-182]), or, at the subject, not the
    /// peer of the context that carried it (check 4 of [IOTP-SEC-183], `Forbidden`).
    NotAudience,
    /// The introduction's `audience` is on the subject's revocation list (check 5 of [IOTP-SEC-183],
    /// `Forbidden`).
    AudienceRevoked,
    /// The introduction's `not_after` has passed (check 6 of [IOTP-SEC-183], `InvalidState`).
    Expired {
        /// The statement's `not_after`.
        not_after: u64,
    },
    /// The introduction has a `not_after` and the receiver does not know the time (check 6 of
    /// [IOTP-SEC-183], `InvalidState`).
    TimeUnknown,
    /// The introduction's `serial` was accepted before, or lies below the window of 32
    /// ([IOTP-SEC-186]; check 7 of [IOTP-SEC-183], `InvalidState`).
    SerialReplayed {
        /// The serial received.
        serial: u32,
    },
    /// The credential statement given for the introduction's subject is not the subject's, or does
    /// not name `subject_address` ([IOTP-SEC-181]).
    SubjectCredential,
}

impl StatementError {
    /// The requirement ID of the rule that refuses the statement.
    pub fn requirement(&self) -> &'static str {
        match self {
            StatementError::Malformed(_) | StatementError::Payload(_) => "IOTP-SEC-13",
            StatementError::WrongKind
            | StatementError::SignatureCount { .. }
            | StatementError::WrongSigner { .. }
            | StatementError::UnknownSigner { .. } => "IOTP-SEC-14",
            StatementError::NotAdministrator { .. } => "IOTP-SEC-124",
            StatementError::RotatedAway { .. } => "IOTP-SEC-121",
            StatementError::BadSignature { .. } => "IOTP-SEC-13",
            StatementError::Address(_) => "IOTP-ADDR-2",
            StatementError::PublicKey(_) => "IOTP-SEC-1",
            StatementError::CcsForm { .. } | StatementError::CcsSub { .. } => "IOTP-SEC-128",
            StatementError::CcsOrder => "IOTP-SEC-9",
            StatementError::StaleSerial { .. } => "IOTP-SEC-16",
            StatementError::PreviousAddress | StatementError::StaleSequence { .. } => {
                "IOTP-SEC-187"
            }
            StatementError::NotSubject
            | StatementError::AudienceRevoked
            | StatementError::Expired { .. }
            | StatementError::TimeUnknown => "IOTP-SEC-183",
            StatementError::NotAudience => "IOTP-SEC-182",
            StatementError::SerialReplayed { .. } => "IOTP-SEC-186",
            StatementError::SubjectCredential => "IOTP-SEC-181",
        }
    }
}

impl fmt::Display for StatementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatementError::Malformed(e) => write!(f, "not a SignedStatement: {e}"),
            StatementError::Payload(e) => write!(f, "the payload is not a Statement: {e}"),
            StatementError::WrongKind => f.write_str("a statement of another kind"),
            StatementError::SignatureCount { count } => {
                write!(f, "{count} signatures, not as many as the kind requires")
            }
            StatementError::WrongSigner { index } => {
                write!(
                    f,
                    "signature {index} is not by the signer the kind requires"
                )
            }
            StatementError::UnknownSigner { index } => {
                write!(f, "the signer of signature {index} is not known")
            }
            StatementError::NotAdministrator { index } => {
                write!(f, "the signer of signature {index} is not an administrator")
            }
            StatementError::RotatedAway { index } => {
                write!(f, "the signer of signature {index} was rotated away")
            }
            StatementError::BadSignature { index } => {
                write!(f, "signature {index} does not verify")
            }
            StatementError::Address(e) => write!(f, "address: {e}"),
            StatementError::PublicKey(e) => write!(f, "identity key: {e}"),
            StatementError::CcsForm { index } => {
                write!(
                    f,
                    "authentication credential {index} is not a CCS of §8.2.2"
                )
            }
            StatementError::CcsOrder => f.write_str("the P-256 credential is not first"),
            StatementError::CcsSub { index } => {
                write!(f, "authentication credential {index} names another node ID")
            }
            StatementError::StaleSerial { held, received } => {
                write!(f, "serial {received} is not greater than the held {held}")
            }
            StatementError::PreviousAddress => {
                f.write_str("previous_address is not the address bound to the node")
            }
            StatementError::StaleSequence { accepted, received } => {
                write!(
                    f,
                    "sequence {received} is not greater than the accepted {accepted}"
                )
            }
            StatementError::NotSubject => f.write_str("the receiver is not the subject"),
            StatementError::NotAudience => f.write_str("the audience is not the expected node"),
            StatementError::AudienceRevoked => f.write_str("the audience is revoked"),
            StatementError::Expired { not_after } => write!(f, "not_after {not_after} has passed"),
            StatementError::TimeUnknown => f.write_str("not_after given and the time is unknown"),
            StatementError::SerialReplayed { serial } => {
                write!(f, "introduction serial {serial} was used or is too old")
            }
            StatementError::SubjectCredential => {
                f.write_str("the subject's credential statement does not match the introduction")
            }
        }
    }
}

/// Why a statement was not signed: a signer refuses to make what a receiver would refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignError {
    /// The statement could not be encoded (a field beyond its schema bound).
    Encode(EncodeError),
    /// The payload could not be signed.
    Sign(SignPayloadError),
    /// A signing key is not the one the kind's row of §8.2.3 requires at this position
    /// ([IOTP-SEC-14]).
    WrongKey {
        /// Position of the signature.
        index: usize,
    },
    /// The statement breaks a rule a receiver checks (for example a CCS naming another node).
    Refused(StatementError),
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::Encode(e) => write!(f, "encoding: {e}"),
            SignError::Sign(e) => write!(f, "signing: {e}"),
            SignError::WrongKey { index } => {
                write!(f, "key {index} is not the one the kind requires")
            }
            SignError::Refused(e) => write!(f, "a receiver would refuse it: {e}"),
        }
    }
}
