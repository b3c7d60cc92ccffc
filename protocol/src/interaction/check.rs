//! The check order of spec §6.3 ([IOTP-IM-7]) for a request addressed to a capability instance: the
//! first failing check gives the status, naming the lowest failing member key ([IOTP-IM-8]), and
//! nothing is carried out unless every check passes. Steps 1 (access control) and 7 (freshness) are
//! decided by the caller and the dispatcher; steps 8 and 9 ask the application to judge values.

use alloc::vec::Vec;

use iotp2p_codec::core::owned::Status;
use iotp2p_codec::core::{DecodeError, StatusCode};

use crate::security::echo::CHALLENGE_LEN;
use iotp2p_codec::runtime::ErrorClass;

use super::model::{Capability, MemberKind, Model};
use super::Capabilities;

/// Why the application refuses a value (steps 8 and 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueError {
    /// The value does not decode against the member's type ([IOTP-IM-2]): `InvalidValue` with the
    /// error class and offset.
    Decode {
        /// The decoding error class (§4.17).
        class: ErrorClass,
        /// Where in the value.
        offset: usize,
    },
    /// The value decodes but breaks a constraint of the capability: `ConstraintError`.
    Constraint,
}

/// The operation a request asks for, as the checks of steps 5 and 6 see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `read`: properties.
    Read,
    /// `write`: writable properties.
    Write,
    /// `invoke`: an action.
    Invoke,
    /// `subscribe`: observable properties and events.
    Subscribe,
}

/// Why a request is refused: the facts of the status that answers it, kept small (and free of
/// allocation) until the reply is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The status code.
    pub code: StatusCode,
    /// The member the status names.
    pub member: Option<u16>,
    /// For `InvalidValue`: the decoding error class and its offset.
    pub decode_error: Option<(ErrorClass, usize)>,
    /// A capability's own status code ([IOTP-IM-9]).
    pub capability_status: Option<u32>,
    /// For `FreshnessRequired`: the new challenge.
    pub echo: Option<[u8; CHALLENGE_LEN]>,
}

impl Refusal {
    /// The status as it is sent.
    pub fn into_status(self) -> Status {
        let mut s = status(self.code, self.member);
        s.capability_status = self.capability_status;
        s.echo = self.echo.map(|e| e.to_vec());
        if let Some((class, offset)) = self.decode_error {
            s.decode_error = Some(DecodeError::from_u32(class as u32));
            s.offset = u32::try_from(offset).ok();
        }
        s
    }
}

/// A refusal with a code and, where it names one, a member.
pub const fn refuse(code: StatusCode, member: Option<u16>) -> Refusal {
    Refusal {
        code,
        member,
        decode_error: None,
        capability_status: None,
        echo: None,
    }
}

/// A status with a code and, where it names one, a member.
pub fn status(code: StatusCode, member: Option<u16>) -> Status {
    Status {
        code,
        member,
        ..Status::new()
    }
}

/// Steps 2 and 3: the capability instance exists.
pub fn instance(model: &Model, endpoint: u16, capability: u16) -> Result<&Capability, Refusal> {
    let ep = model
        .endpoint(endpoint)
        .ok_or(refuse(StatusCode::UnknownEndpoint, None))?;
    ep.capabilities
        .iter()
        .find(|c| c.number == capability)
        .ok_or(refuse(StatusCode::UnknownCapability, None))
}

/// Step 4 for a member list: ascending, without duplicates, not empty when present
/// ([IOTP-IM-10], [IOTP-IM-11], [IOTP-IM-15], [IOTP-IM-16], [IOTP-IM-22], [IOTP-IM-23]).
pub fn ascending(keys: &[u16]) -> Result<(), Refusal> {
    if keys.is_empty() || keys.windows(2).any(|w| w[0] >= w[1]) {
        return Err(refuse(StatusCode::InvalidRequest, None));
    }
    Ok(())
}

/// Steps 5 and 6 for the members `keys` (ascending) under `operation`.
pub fn members(capability: &Capability, keys: &[u16], operation: Operation) -> Result<(), Refusal> {
    // Step 5 for every member first, then step 6: the first failing *check* decides, and within it
    // the lowest key ([IOTP-IM-8]).
    for &key in keys {
        let kind_fits = capability
            .member(key)
            .filter(|m| m.exists())
            .is_some_and(|m| {
                matches!(
                    (operation, m.kind),
                    (
                        Operation::Read | Operation::Write,
                        MemberKind::Property { .. }
                    ) | (Operation::Invoke, MemberKind::Action { .. })
                        | (
                            Operation::Subscribe,
                            MemberKind::Property { .. } | MemberKind::Event
                        )
                )
            });
        if !kind_fits {
            return Err(refuse(StatusCode::UnknownMember, Some(key)));
        }
    }
    for &key in keys {
        let allowed = capability
            .member(key)
            .is_some_and(|m| match (operation, m.kind) {
                (Operation::Write, MemberKind::Property { writable, .. }) => writable,
                (Operation::Subscribe, MemberKind::Property { observable, .. }) => observable,
                _ => true,
            });
        if !allowed {
            return Err(refuse(StatusCode::UnsupportedOperation, Some(key)));
        }
    }
    Ok(())
}

/// Whether any of the members needs proof of freshness (step 7, [IOTP-IM-37]).
pub fn needs_freshness(capability: &Capability, keys: &[u16]) -> bool {
    keys.iter().any(|&k| {
        capability.member(k).is_some_and(|m| {
            matches!(
                m.kind,
                MemberKind::Property { fresh: true, .. } | MemberKind::Action { fresh: true, .. }
            )
        })
    })
}

/// Steps 8 and 9 for `(member, value)` pairs in ascending member order: all values decode first,
/// then all meet their constraints, each check naming the lowest failing member.
pub fn values(
    app: &dyn Capabilities,
    endpoint: u16,
    capability: u16,
    values: &[(u16, &[u8])],
) -> Result<(), Refusal> {
    let verdicts: Vec<(u16, Result<(), ValueError>)> = values
        .iter()
        .map(|(member, value)| {
            (
                *member,
                app.check_value(endpoint, capability, *member, value),
            )
        })
        .collect();
    for (member, verdict) in &verdicts {
        if let Err(ValueError::Decode { class, offset }) = verdict {
            return Err(Refusal {
                decode_error: Some((*class, *offset)),
                ..refuse(StatusCode::InvalidValue, Some(*member))
            });
        }
    }
    if let Some((member, _)) = verdicts
        .iter()
        .find(|(_, v)| *v == Err(ValueError::Constraint))
    {
        return Err(refuse(StatusCode::ConstraintError, Some(*member)));
    }
    Ok(())
}
