//! Introduction statements (spec §8.8.4.1, §8.8.4.2): an administrator of a node (the introducer)
//! grants another node (the audience) access to it (the subject), in one signed statement that serves
//! both sides.
//!
//! At the subject the checks run in the order of the table of §8.8.4.2 ([IOTP-SEC-183]); this module
//! performs checks 1 to 7, which need only the statement, the subject's trust and its clock. Checks 8
//! to 10 (the introducer's own privileges, the audience's credential, room) need the access control
//! list and belong to the engine, which records the serial ([`IntroductionSerials::record`]) only
//! when all pass.

use alloc::vec::Vec;

use iotp2p_codec::core::StatusCode;
use iotp2p_codec::security::{IntroductionStatement, Statement};

use super::{canonical, sign, Received, SignError, StatementError, Trust, VerifiedCredential};
use crate::security::identity::IdentityKey;
use crate::security::node_id::{IdentityPublicKey, NodeId};

/// An introduction statement whose signature verified and whose checks passed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VerifiedIntroduction<'a> {
    /// The introducer, who signed it.
    pub introducer: NodeId,
    /// The statement, a view into the received bytes.
    pub statement: IntroductionStatement<'a>,
}

/// The introduction serials a subject accepted from one introducer ([IOTP-SEC-186]): the greatest,
/// and which of the 32 below it, so that introductions signed together may be presented in any order
/// but each only once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IntroductionSerials {
    /// The greatest serial accepted; 0 when none was (serials start at 1).
    greatest: u32,
    /// Bit i set: serial `greatest − 1 − i` was accepted.
    below: u32,
}

impl IntroductionSerials {
    /// The greatest serial accepted (0 for none).
    pub fn greatest(&self) -> u32 {
        self.greatest
    }

    /// Whether `serial` may be accepted (check 7 of §8.8.4.2): above the greatest, or one of the 32
    /// below it not accepted before.
    pub fn check(&self, serial: u32) -> Result<(), StatementError> {
        if serial > self.greatest {
            return Ok(());
        }
        let distance = self.greatest - serial;
        if serial != 0 && (1..=32).contains(&distance) && self.below & (1 << (distance - 1)) == 0 {
            return Ok(());
        }
        Err(StatementError::SerialReplayed { serial })
    }

    /// Records `serial` as accepted; call only after [`check`](Self::check) and every later check
    /// passed ([IOTP-SEC-184]).
    pub fn record(&mut self, serial: u32) {
        if serial > self.greatest {
            let shift = serial - self.greatest;
            // The old greatest becomes bit shift − 1 (if there was one), the older ones move with it.
            let moved = if shift > 32 {
                0
            } else {
                (u64::from(self.below) << shift) as u32
            };
            let old = if self.greatest != 0 && shift <= 32 {
                1u32 << (shift - 1)
            } else {
                0
            };
            self.below = moved | old;
            self.greatest = serial;
        } else if let Some(distance) = (self.greatest - serial).checked_sub(1) {
            if distance < 32 {
                self.below |= 1 << distance;
            }
        }
    }
}

/// What the subject knows when it checks an introduction presented to it.
#[derive(Clone, Copy, Debug)]
pub struct SubjectView<'k> {
    /// The subject's own node ID.
    pub own: NodeId,
    /// The peer of the context that carried the request: the claimed node ID of a visitor context,
    /// the authenticated one of an ordinary context.
    pub peer: NodeId,
    /// The subject's revocation list ([IOTP-SEC-192]).
    pub revoked: &'k [NodeId],
    /// The current time in milliseconds since 1970-01-01T00:00:00Z, if the subject knows it.
    pub now: Option<u64>,
}

/// Checks 1 to 7 of §8.8.4.2, in order ([IOTP-SEC-183]):
///
/// 1. one signature, whose signer the subject holds a credential for and that administers it
///    (`Forbidden`);
/// 2. the signature verifies with that identity key (`ConstraintError`);
/// 3. the payload is an introduction whose `subject` is the subject (`ConstraintError`);
/// 4. `audience` is the peer (`Forbidden`);
/// 5. `audience` is not revoked (`Forbidden`);
/// 6. `not_after`, if present, has not passed by the subject's clock, which must be known
///    (`InvalidState`);
/// 7. `serial` is acceptable to the window of the introducer, which `serials` gives (`InvalidState`).
pub fn verify_introduction_at_subject<'a>(
    bytes: &'a [u8],
    trust: &Trust<'_>,
    view: &SubjectView<'_>,
    serials: impl Fn(&NodeId) -> IntroductionSerials,
) -> Result<VerifiedIntroduction<'a>, StatementError> {
    let received = Received::decode(bytes)?;
    received.count(1, 1)?;
    let signer = received.signer(0)?;
    trust.not_rotated_away(0, signer)?;
    let key = trust
        .key(signer)
        .ok_or(StatementError::UnknownSigner { index: 0 })?;
    if !trust.is_administrator(signer) {
        return Err(StatementError::NotAdministrator { index: 0 });
    }
    received.verify(0, key)?;
    let Statement::Introduction(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    if statement.subject != view.own.as_bytes() {
        return Err(StatementError::NotSubject);
    }
    // Part of check 3: a member value with a non-canonical address is a `ConstraintError`.
    if let Some(address) = statement.subject_address {
        canonical(address)?;
    }
    if statement.audience != view.peer.as_bytes() {
        return Err(StatementError::NotAudience);
    }
    if view
        .revoked
        .iter()
        .any(|r| r.as_bytes() == statement.audience)
    {
        return Err(StatementError::AudienceRevoked);
    }
    if let Some(not_after) = statement.not_after {
        let now = view.now.ok_or(StatementError::TimeUnknown)?;
        if now > not_after {
            return Err(StatementError::Expired { not_after });
        }
    }
    let introducer = NodeId::from_bytes(*signer);
    serials(&introducer).check(statement.serial)?;
    Ok(VerifiedIntroduction {
        introducer,
        statement,
    })
}

impl StatementError {
    /// The status with which a subject answers `introduce` refused by this error, as the table of
    /// §8.8.4.2 gives it ([IOTP-SEC-183]).
    pub fn introduce_status(&self) -> StatusCode {
        match self {
            // Check 1: who signed.
            StatementError::SignatureCount { .. }
            | StatementError::WrongSigner { .. }
            | StatementError::UnknownSigner { .. }
            | StatementError::NotAdministrator { .. }
            | StatementError::RotatedAway { .. } => StatusCode::Forbidden,
            // Checks 4 and 5: to whom.
            StatementError::NotAudience | StatementError::AudienceRevoked => StatusCode::Forbidden,
            // Checks 6 and 7: when, and how often.
            StatementError::Expired { .. }
            | StatementError::TimeUnknown
            | StatementError::SerialReplayed { .. } => StatusCode::InvalidState,
            // Checks 2 and 3 (the signature, the payload and its subject), and anything else about
            // the statement's content.
            _ => StatusCode::ConstraintError,
        }
    }
}

/// Checks an introduction received as its audience ([IOTP-SEC-181], [IOTP-SEC-182]): one signature,
/// by `introducer` (the identity key of the introducer's credential statement, verified by the
/// caller), that verifies; the payload is an introduction whose `audience` is `own`. The subject's
/// credential statement is checked next with [`VerifiedIntroduction::check_subject_credential`].
pub fn verify_introduction_at_audience<'a>(
    bytes: &'a [u8],
    introducer: &IdentityPublicKey,
    own: &NodeId,
) -> Result<VerifiedIntroduction<'a>, StatementError> {
    let received = Received::decode(bytes)?;
    received.count(1, 1)?;
    received.verify(0, introducer)?;
    let Statement::Introduction(statement) = received.statement()? else {
        return Err(StatementError::WrongKind);
    };
    if statement.audience != own.as_bytes() {
        return Err(StatementError::NotAudience);
    }
    if let Some(address) = statement.subject_address {
        canonical(address)?;
    }
    Ok(VerifiedIntroduction {
        introducer: introducer.node_id(),
        statement,
    })
}

impl VerifiedIntroduction<'_> {
    /// The audience's last check before it uses the subject's credential ([IOTP-SEC-181]): the
    /// verified credential statement is the subject's and names `subject_address`.
    pub fn check_subject_credential(
        &self,
        subject: &VerifiedCredential<'_>,
    ) -> Result<(), StatementError> {
        let same_node = subject.node_id.as_bytes() == self.statement.subject;
        let same_address = match self.statement.subject_address {
            Some(address) => subject.statement.address == Some(address),
            None => true,
        };
        if !same_node || !same_address {
            return Err(StatementError::SubjectCredential);
        }
        Ok(())
    }
}

/// Signs an introduction statement with the introducer's identity key. Giving each a greater serial
/// ([IOTP-SEC-179]) and granting no more than the introducer holds ([IOTP-SEC-180]) are the
/// introducer's.
pub fn sign_introduction(
    introducer: &IdentityKey,
    statement: &IntroductionStatement<'_>,
) -> Result<Vec<u8>, SignError> {
    if let Some(address) = statement.subject_address {
        canonical(address).map_err(SignError::Refused)?;
    }
    sign(&Statement::Introduction(*statement), &[introducer])
}
