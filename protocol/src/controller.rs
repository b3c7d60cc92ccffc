//! The controller's side of pairing and claiming (spec §8.3.3 to §8.3.5), sans-I/O: the request
//! bodies to send to a device in its pairing window, in order, and the checks of each reply. The
//! caller carries them (unsealed for the three pairing messages, then under the pairing context this
//! gives) with the engine like any other request.
//!
//! 1. [`Pairing::start`] gives `pair_start`; [`Pairing::share`] takes its reply and gives
//!    `pair_share`; [`Pairing::confirm`] takes that reply, checks confirmV ([IOTP-SEC-34]) and gives
//!    `pair_confirm`; [`Pairing::paired`] takes the last reply and gives the pairing context.
//! 2. Under it: [`read_credential`], [`add_peer`], [`acl_write`] and [`commission`], the reply of
//!    the last checked by [`check_commissioned`] ([IOTP-SEC-41]). The pairing then completed: the
//!    device has discarded the pairing context ([IOTP-SEC-38]), and the controller discards its own.

use alloc::string::String;
use alloc::vec::Vec;

use iotp2p_codec::core::owned::{Body, InvokeRequest, ReadRequest};
use iotp2p_codec::core::StatusCode;
use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{owned as sec, CommissionResponse, PairingParams, PairingShareReply};
use rand_core::CryptoRngCore;

use crate::security::spake2plus::{
    pairing_context_hash, Inputs, PairingRole, Prover, ProverConfirming, ProverSecret, NONCE_LEN,
};
use crate::security::statement::{verify_credential, StatementError};
use crate::security::{NodeId, SecurityContext};
use crate::server::acl::privilege;
use crate::server::security::{member, SECURITY};

/// Why pairing or claiming stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControllerError {
    /// The device answered with a status instead (`Busy` with its `retry_after`, `InvalidState`
    /// outside its window, ...).
    Refused {
        /// The status code.
        code: StatusCode,
        /// With `Busy`: seconds to wait.
        retry_after: Option<u32>,
    },
    /// The reply is not what the step expects, or does not decode.
    UnexpectedReply,
    /// The device's parameters are outside §8.3.1's bounds, or its shareV is not a valid point.
    Spake2Plus(crate::security::spake2plus::Error),
    /// confirmV did not verify: a wrong passcode, or someone in the middle. No confirmP was sent
    /// ([IOTP-SEC-34]).
    ConfirmationFailed,
    /// The device's credential statement does not verify, or changed its identity key, or does not
    /// name the address given ([IOTP-SEC-41]).
    Credential(String),
}

/// The controller's SPAKE2+ exchange with one device.
pub struct Pairing {
    passcode: u32,
    controller_nonce: [u8; NONCE_LEN],
    /// The encoded `PairingStart`, for the transcript's `Context`.
    start: Vec<u8>,
    step: Step,
}

enum Step {
    Started,
    Shared {
        prover: Prover,
        context_hash: [u8; 32],
        device_nonce: [u8; NONCE_LEN],
    },
    Confirmed {
        shared: crate::security::spake2plus::SharedKey,
        device_nonce: [u8; NONCE_LEN],
    },
    Done,
}

fn invoke(action: u16, input: Option<Vec<u8>>) -> Body {
    Body::Invoke(InvokeRequest {
        endpoint: 0,
        capability: SECURITY,
        action,
        input,
        echo: None,
        unknown_fields: Default::default(),
    })
}

/// The output of an `InvokeResponse`, or the status the device answered with.
fn output(reply: &Body) -> Result<Option<&[u8]>, ControllerError> {
    match reply {
        Body::InvokeResponse(r) => Ok(r.output.as_deref()),
        Body::Status(s) => Err(ControllerError::Refused {
            code: s.code,
            retry_after: s.retry_after,
        }),
        _ => Err(ControllerError::UnexpectedReply),
    }
}

impl Pairing {
    /// Starts pairing with the device's `passcode` (eight digits at most): the `pair_start` to send,
    /// unsealed, to the device in its window.
    pub fn start(passcode: u32, rng: &mut dyn CryptoRngCore) -> (Pairing, Body) {
        let mut controller_nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut controller_nonce);
        let start = sec::PairingStart {
            controller_nonce,
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        // A 16-byte nonce always fits.
        .unwrap_or_default();
        let body = invoke(member::PAIR_START, Some(start.clone()));
        let pairing = Pairing {
            passcode,
            controller_nonce,
            start,
            step: Step::Started,
        };
        (pairing, body)
    }

    /// Takes the reply to `pair_start` (the device's nonce and PBKDF2 parameters) and gives
    /// `pair_share`.
    pub fn share(
        &mut self,
        reply: &Body,
        rng: &mut dyn CryptoRngCore,
    ) -> Result<Body, ControllerError> {
        if !matches!(self.step, Step::Started) {
            return Err(ControllerError::UnexpectedReply);
        }
        let bytes = output(reply)?.ok_or(ControllerError::UnexpectedReply)?;
        let params = PairingParams::decode(bytes).map_err(|_| ControllerError::UnexpectedReply)?;
        let secret = ProverSecret::from_passcode(self.passcode, params.salt, params.iterations)
            .map_err(ControllerError::Spake2Plus)?;
        let mut x = [0u8; 32];
        rng.fill_bytes(&mut x);
        let prover = Prover::start(&secret, &x).map_err(ControllerError::Spake2Plus)?;
        let share = sec::PairingShare {
            share_p: *prover.share_p(),
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| ControllerError::UnexpectedReply)?;
        self.step = Step::Shared {
            prover,
            context_hash: pairing_context_hash(&self.start, bytes),
            device_nonce: *params.device_nonce,
        };
        Ok(invoke(member::PAIR_SHARE, Some(share)))
    }

    /// Takes the reply to `pair_share` (shareV, confirmV), checks confirmV and gives `pair_confirm`;
    /// a confirmV that does not verify ends the exchange without confirmP ([IOTP-SEC-34]).
    pub fn confirm(&mut self, reply: &Body) -> Result<Body, ControllerError> {
        let Step::Shared {
            prover,
            context_hash,
            device_nonce,
        } = core::mem::replace(&mut self.step, Step::Done)
        else {
            return Err(ControllerError::UnexpectedReply);
        };
        let bytes = output(reply)?.ok_or(ControllerError::UnexpectedReply)?;
        let share =
            PairingShareReply::decode(bytes).map_err(|_| ControllerError::UnexpectedReply)?;
        let confirming: ProverConfirming = prover
            .receive(&Inputs::pairing(&context_hash), share.share_v)
            .map_err(ControllerError::Spake2Plus)?;
        let (confirm_p, shared) = confirming
            .finish(share.confirm_v)
            .map_err(|_| ControllerError::ConfirmationFailed)?;
        let confirm = sec::PairingConfirm {
            confirm_p,
            unknown_fields: Default::default(),
        }
        .encode_to_vec()
        .map_err(|_| ControllerError::UnexpectedReply)?;
        self.step = Step::Confirmed {
            shared,
            device_nonce,
        };
        Ok(invoke(member::PAIR_CONFIRM, Some(confirm)))
    }

    /// Takes the reply to `pair_confirm`: the device verified confirmP, and both hold the pairing
    /// context (§8.3.4), which this gives (the controller's side).
    pub fn paired(mut self, reply: &Body) -> Result<SecurityContext, ControllerError> {
        output(reply)?;
        let Step::Confirmed {
            shared,
            device_nonce,
        } = core::mem::replace(&mut self.step, Step::Done)
        else {
            return Err(ControllerError::UnexpectedReply);
        };
        Ok(shared.pairing_context(
            &self.controller_nonce,
            &device_nonce,
            PairingRole::Controller,
        ))
    }
}

/// A read of the device's credential statement (step 1 of §8.3.5).
pub fn read_credential() -> Body {
    Body::Read(ReadRequest {
        endpoint: 0,
        capability: SECURITY,
        members: Some(alloc::vec![member::CREDENTIAL]),
        unknown_fields: Default::default(),
    })
}

/// The device's node ID from the reply to [`read_credential`], its statement verified.
pub fn device_credential(reply: &Body) -> Result<(NodeId, Vec<u8>), ControllerError> {
    let Body::Report(report) = reply else {
        return match reply {
            Body::Status(s) => Err(ControllerError::Refused {
                code: s.code,
                retry_after: s.retry_after,
            }),
            _ => Err(ControllerError::UnexpectedReply),
        };
    };
    let value = report
        .values
        .iter()
        .flatten()
        .find(|v| v.member == member::CREDENTIAL)
        .ok_or(ControllerError::UnexpectedReply)?;
    let verified = verify_credential(&value.value).map_err(credential_error)?;
    Ok((verified.node_id, value.value.clone()))
}

fn credential_error(e: StatementError) -> ControllerError {
    ControllerError::Credential(alloc::format!("{e:?}"))
}

/// `add_peer` with the controller's own credential statement (step 2).
pub fn add_peer(own_credential: &[u8]) -> Body {
    invoke(member::ADD_PEER, Some(own_credential.to_vec()))
}

/// `acl_write` of an entry at `index` granting `node` the Administer privilege (step 3).
pub fn acl_write(index: u8, node: &NodeId, label: Option<&str>) -> Body {
    grant(index, node, privilege::ADMINISTER, None, label)
}

/// `acl_write` of an entry at `index` granting `node` the `privileges` (bits of §8.8.1) on `target`
/// (endpoint, capability; `None` for every one), as an administrator gives another node access.
pub fn grant(
    index: u8,
    node: &NodeId,
    privileges: u8,
    target: Option<(Option<u16>, Option<u16>)>,
    label: Option<&str>,
) -> Body {
    let targets = target.map(|(endpoint, capability)| {
        alloc::vec![sec::AclTarget {
            endpoint,
            capability,
            unknown_fields: Default::default(),
        }]
    });
    let write = sec::AclWrite {
        index,
        entry: Some(sec::AclEntry {
            subjects: alloc::vec![*node.as_bytes()],
            privileges,
            targets,
            label: label.map(String::from),
            granted_by: None,
            unknown_fields: Default::default(),
        }),
        unknown_fields: Default::default(),
    };
    invoke(member::ACL_WRITE, write.encode_to_vec().ok())
}

/// `remove_peer` of `node`: the device forgets its credential and closes its contexts.
pub fn remove_peer(node: &NodeId) -> Body {
    let mut input = [0u8; 34];
    let mut w = iotp2p_codec::runtime::Writer::new(&mut input);
    let len = w.bytes(node.as_bytes()).map(|()| w.position()).unwrap_or(0);
    invoke(member::REMOVE_PEER, Some(input[..len].to_vec()))
}

/// `commission` with the device's address, home relay and the current time (step 4).
pub fn commission(address: &str, relay: Option<sec::RelayInfo>, time: Option<u64>) -> Body {
    let request = sec::CommissionRequest {
        address: address.into(),
        relay,
        time,
        unknown_fields: Default::default(),
    };
    invoke(member::COMMISSION, request.encode_to_vec().ok())
}

/// What an administrator chooses for a commissioning window (§8.3.7): the passcode it shows the new
/// controller's user (fresh for each window, [IOTP-SEC-138]), the PBKDF2 salt (random, 16 to 32
/// bytes, fresh for each window, [IOTP-SEC-139]) and iteration count, and the grant.
pub struct Window<'a> {
    /// The passcode, eight digits.
    pub passcode: u32,
    /// The salt.
    pub salt: &'a [u8],
    /// The PBKDF2 iteration count (1000 to 100000).
    pub iterations: u32,
    /// How long the window stays open, in seconds (1 to 900).
    pub timeout: u16,
    /// The discriminator the device advertises meanwhile (0 to 999).
    pub discriminator: u16,
    /// The most the new controller's entry may grant (bits of §8.8.1).
    pub privileges: u8,
    /// Where it may apply (endpoint, capability; `None` for every one); `None`: anywhere.
    pub target: Option<(Option<u16>, Option<u16>)>,
}

/// `open_commissioning_window` (Administer): the device never learns the passcode, only the
/// verifier computed here from it ([RFC 9383] §3.2).
///
/// [RFC 9383]: https://www.rfc-editor.org/rfc/rfc9383
pub fn open_commissioning_window(window: &Window<'_>) -> Result<Body, ControllerError> {
    let secret = ProverSecret::from_passcode(window.passcode, window.salt, window.iterations)
        .map_err(ControllerError::Spake2Plus)?;
    let request = sec::PairingWindow {
        timeout: window.timeout,
        discriminator: window.discriminator,
        iterations: window.iterations,
        salt: window.salt.to_vec(),
        verifier: secret.record().to_bytes(),
        privileges: window.privileges,
        targets: window.target.map(|(endpoint, capability)| {
            alloc::vec![sec::AclTarget {
                endpoint,
                capability,
                unknown_fields: Default::default(),
            }]
        }),
        unknown_fields: Default::default(),
    };
    Ok(invoke(
        member::OPEN_COMMISSIONING_WINDOW,
        request.encode_to_vec().ok(),
    ))
}

/// `rotate_auth_key` (Administer): the device makes a new authentication key and answers with its
/// new credential statement (§8.10.1), which its peers are then given with `apply_statement`.
pub fn rotate_auth_key() -> Body {
    invoke(member::ROTATE_AUTH_KEY, None)
}

/// `apply_statement` with a signed statement (§8.12).
pub fn apply_statement(statement: &[u8]) -> Body {
    invoke(member::APPLY_STATEMENT, Some(statement.to_vec()))
}

/// `set_home_relay` (Administer): the device's domain moved to `relay`'s provider (§8.9.4).
pub fn set_home_relay(relay: sec::RelayInfo) -> Body {
    invoke(member::SET_HOME_RELAY, relay.encode_to_vec().ok())
}

/// Checks the reply to [`commission`]: a credential statement of the same identity (node ID) as the
/// one read in step 1 that names `address` ([IOTP-SEC-41]); gives it.
pub fn check_commissioned(
    reply: &Body,
    device: &NodeId,
    address: &str,
) -> Result<Vec<u8>, ControllerError> {
    let bytes = output(reply)?.ok_or(ControllerError::UnexpectedReply)?;
    let response =
        CommissionResponse::decode(bytes).map_err(|_| ControllerError::UnexpectedReply)?;
    let statement = response
        .credential
        .encode_to_vec()
        .map_err(|_| ControllerError::UnexpectedReply)?;
    let verified = verify_credential(&statement).map_err(credential_error)?;
    if verified.node_id != *device {
        return Err(ControllerError::Credential(
            "the device's new credential has another identity key".into(),
        ));
    }
    if verified.statement.address != Some(address) {
        return Err(ControllerError::Credential(
            "the device's new credential does not name the address given".into(),
        ));
    }
    Ok(statement)
}
