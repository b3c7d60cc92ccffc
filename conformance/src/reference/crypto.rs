//! The cryptographic requests of protocol version 2 (`node-id`, `verify-statement`,
//! `sign-statement`, `check-digit`, `spake2plus`), answered with the security module of the reference engine `iotp2p-protocol`.
//!
//! As in [`super::engine`], this module only translates: hex to bytes, the verifier's state to the
//! crate's [`Trust`] and views, the crate's errors to the classes of the protocol
//! ([`statement_class`] names each rule of §8.2.3 and its neighbours).

use iotp2p_codec::prelude::*;
use iotp2p_codec::security::{PairingParams, PairingStart, SignedStatement, Statement};
use iotp2p_protocol::security::identity::{IdentityKey, SignPayloadError};
use iotp2p_protocol::security::node_id::{IdentityPublicKey, NodeId};
use iotp2p_protocol::security::setup_code;
use iotp2p_protocol::security::spake2plus::{
    pairing_context_hash, Error as SpakeError, Inputs, PairingRole, Prover, ProverSecret, Verifier,
};
use iotp2p_protocol::security::statement::{
    accepts_replacement, verify_credential, verify_introduction_at_audience,
    verify_introduction_at_subject, verify_key_rotation, verify_rehoming, verify_revocation,
    IntroductionSerials, StatementError, SubjectView, Trust,
};

use super::engine::{bytes, refuse, Answer};
use crate::protocol::{
    PairingKeys, PublicKeyCoordinates, Request, Response, Spake2plusInputs, VerifierState,
};
use crate::suite::hex;

/// The answer to a cryptographic request; `None` for the other requests.
pub fn answer(request: &Request) -> Option<Response> {
    let (id, result) = match request {
        Request::NodeId { id, key, text } => (id, node_id(id, key.as_ref(), text.as_deref())),
        Request::VerifyStatement {
            id,
            kind,
            statement,
            verifier,
        } => (id, verify_statement(id, kind, statement, verifier)),
        Request::SignStatement { id, d, payload } => (id, sign_statement(id, d, payload)),
        Request::CheckDigit { id, digits, code } => {
            (id, check_digit(id, digits.as_deref(), code.as_deref()))
        }
        Request::Spake2plus {
            id,
            inputs,
            x,
            y,
            share_p,
            confirm_v,
            confirm_p,
        } => (
            id,
            spake2plus(
                id,
                inputs,
                (x, y),
                share_p.as_deref(),
                (confirm_v.as_deref(), confirm_p.as_deref()),
            ),
        ),
        _ => return None,
    };
    Some(result.unwrap_or_else(|details| Response::Errored {
        id: id.clone(),
        details,
    }))
}

fn array<const N: usize>(name: &str, text: &str) -> Result<[u8; N], String> {
    bytes(name, text)?
        .try_into()
        .map_err(|_| format!("`{name}` is not {N} bytes"))
}

/// The identity key with these coordinates; `None` when they are no P-256 point (or not 32 bytes).
fn public_key(key: &PublicKeyCoordinates) -> Result<Option<IdentityPublicKey>, String> {
    let (x, y) = (bytes("x", &key.x)?, bytes("y", &key.y)?);
    let (Ok(x), Ok(y)) = (<[u8; 32]>::try_from(x), <[u8; 32]>::try_from(y)) else {
        return Ok(None);
    };
    Ok(IdentityPublicKey::from_coordinates(&x, &y).ok())
}

fn node_id_response(id: &str, node: &NodeId) -> Answer {
    Ok(Response::NodeId {
        id: id.into(),
        node_id: hex(node.as_bytes()),
        text: node.to_text().as_str().into(),
    })
}

fn node_id(id: &str, key: Option<&PublicKeyCoordinates>, text: Option<&str>) -> Answer {
    match (key, text) {
        (Some(key), None) => match public_key(key)? {
            Some(key) => node_id_response(id, &key.node_id()),
            None => refuse(id, "invalid-key"),
        },
        (None, Some(text)) => match NodeId::parse(text) {
            Ok(node) => node_id_response(id, &node),
            Err(_) => refuse(id, "invalid-text"),
        },
        _ => Err("a `node-id` request has exactly one of `key` and `text`".into()),
    }
}

fn sign_statement(id: &str, d: &str, payload: &str) -> Answer {
    let (d, payload) = (bytes("d", d)?, bytes("payload", payload)?);
    let Some(key) = <[u8; 32]>::try_from(d)
        .ok()
        .and_then(|d| IdentityKey::from_bytes(&d).ok())
    else {
        return refuse(id, "invalid-key");
    };
    match key.sign_payload(&payload) {
        Ok(signature) => Ok(Response::Signature {
            id: id.into(),
            signature: hex(&signature),
        }),
        Err(SignPayloadError::NotAStatement(_)) => refuse(id, "not-a-statement"),
        Err(e) => Err(format!("signing failed: {e}")),
    }
}

fn check_digit(id: &str, digits: Option<&str>, code: Option<&str>) -> Answer {
    let (check, valid) = match (digits, code) {
        (Some(digits), None) => (setup_code::check_digit(digits).map(Some), Ok(None)),
        (None, Some(code)) => (Ok(None), setup_code::is_valid(code).map(Some)),
        _ => return Err("a `check-digit` request has exactly one of `digits` and `code`".into()),
    };
    match (check, valid) {
        (Ok(check), Ok(valid)) => Ok(Response::CheckDigit {
            id: id.into(),
            check,
            valid,
        }),
        _ => refuse(id, "not-digits"),
    }
}

/// The protocol's class of a refusal: the name of the rule, as conformance/README.md lists them
/// with their requirement IDs ([`StatementError::requirement`]).
pub fn statement_class(error: &StatementError) -> &'static str {
    match error {
        StatementError::Malformed(_) => "malformed",
        StatementError::Payload(_) => "payload",
        StatementError::WrongKind => "wrong-kind",
        StatementError::SignatureCount { .. } => "signature-count",
        StatementError::WrongSigner { .. } => "wrong-signer",
        StatementError::UnknownSigner { .. } => "unknown-signer",
        StatementError::NotAdministrator { .. } => "not-administrator",
        StatementError::RotatedAway { .. } => "rotated-away",
        StatementError::BadSignature { .. } => "bad-signature",
        StatementError::Address(_) => "address",
        StatementError::PublicKey(_) => "public-key",
        StatementError::CcsForm { .. } => "ccs-form",
        StatementError::CcsOrder => "ccs-order",
        StatementError::CcsSub { .. } => "ccs-sub",
        StatementError::StaleSerial { .. } => "stale-serial",
        StatementError::PreviousAddress => "previous-address",
        StatementError::StaleSequence { .. } => "stale-sequence",
        StatementError::NotSubject => "not-subject",
        StatementError::NotAudience => "not-audience",
        StatementError::AudienceRevoked => "audience-revoked",
        StatementError::Expired { .. } => "expired",
        StatementError::TimeUnknown => "time-unknown",
        StatementError::SerialReplayed { .. } => "serial-replayed",
        StatementError::SubjectCredential => "subject-credential",
    }
}

fn node_ids(name: &str, list: &[String]) -> Result<Vec<NodeId>, String> {
    list.iter()
        .map(|n| array(name, n).map(NodeId::from_bytes))
        .collect()
}

fn verify_statement(id: &str, kind: &str, statement: &str, state: &VerifierState) -> Answer {
    let bytes = bytes("statement", statement)?;
    let mut known = Vec::with_capacity(state.known_keys.len());
    for key in &state.known_keys {
        known.push(public_key(key)?.ok_or("a key of `known_keys` is not a P-256 point")?);
    }
    let administrators = node_ids("administrators", &state.administrators)?;
    let rotated_away = node_ids("rotated_away", &state.rotated_away)?;
    let trust = Trust {
        known: &known,
        administrators: &administrators,
        rotated_away: &rotated_away,
    };
    match verified(kind, &bytes, &trust, state)? {
        Ok(()) => facts(id, kind, &bytes),
        Err(e) => refuse(id, statement_class(&e)),
    }
}

/// Runs the checks of `kind`: the outer error is the request's, the inner the statement's refusal.
fn verified(
    kind: &str,
    bytes: &[u8],
    trust: &Trust<'_>,
    state: &VerifierState,
) -> Result<Result<(), StatementError>, String> {
    Ok(match kind {
        "credential" => verify_credential(bytes).and_then(|c| {
            if let Some(index) = trust.rotated_away.iter().position(|r| *r == c.node_id) {
                return Err(StatementError::RotatedAway { index });
            }
            match state.held_serial {
                Some(held) => accepts_replacement(held, &c),
                None => Ok(()),
            }
        }),
        "rehoming" => {
            let bound = state
                .bound_address
                .as_deref()
                .ok_or("a `rehoming` needs `bound_address`")?;
            verify_rehoming(bytes, trust, bound, state.accepted_sequence).map(|_| ())
        }
        "key_rotation" => verify_key_rotation(bytes, trust).map(|_| ()),
        "revocation" => verify_revocation(bytes, trust).map(|_| ()),
        "introduction" => {
            let own = NodeId::from_bytes(array(
                "own",
                state
                    .own
                    .as_deref()
                    .ok_or("an `introduction` needs `own`")?,
            )?);
            match state.role.as_deref() {
                Some("audience") => {
                    // The introducer's key: the one held for the signer of the first signature.
                    let signer = SignedStatement::decode(bytes)
                        .ok()
                        .and_then(|s| s.signatures.iter().next().map(|s| *s.signer));
                    match signer.and_then(|s| trust.key(&s)) {
                        Some(key) => verify_introduction_at_audience(bytes, key, &own).map(|_| ()),
                        None => Err(StatementError::UnknownSigner { index: 0 }),
                    }
                }
                Some("subject") | None => {
                    let peer = NodeId::from_bytes(array(
                        "peer",
                        state
                            .peer
                            .as_deref()
                            .ok_or("at the subject, `peer` is needed")?,
                    )?);
                    let revoked = node_ids("revoked", &state.revoked)?;
                    let mut serials = IntroductionSerials::default();
                    let mut accepted = state.accepted_serials.clone();
                    accepted.sort_unstable();
                    for serial in accepted {
                        serials.record(serial);
                    }
                    let view = SubjectView {
                        own,
                        peer,
                        revoked: &revoked,
                        now: state.now,
                    };
                    verify_introduction_at_subject(bytes, trust, &view, |_| serials).map(|_| ())
                }
                Some(other) => return Err(format!("unknown `role` {other}")),
            }
        }
        other => return Err(format!("unknown statement kind `{other}`")),
    })
}

/// The facts of a statement that verified.
fn facts(id: &str, kind: &str, bytes: &[u8]) -> Answer {
    let signed = SignedStatement::decode(bytes).map_err(|e| e.to_string())?;
    let signers = signed.signatures.iter().map(|s| hex(s.signer)).collect();
    let statement = Statement::decode(signed.payload).map_err(|e| e.to_string())?;
    let mut response = Response::Verified {
        id: id.into(),
        kind: kind.into(),
        node: String::new(),
        signers,
        issued_at: None,
        serial: None,
        sequence: None,
        address: None,
        new_node: None,
        audience: None,
        not_after: None,
    };
    let Response::Verified {
        node,
        issued_at,
        serial,
        sequence,
        address,
        new_node,
        audience,
        not_after,
        ..
    } = &mut response
    else {
        unreachable!("built above");
    };
    let key_node = |key| {
        IdentityPublicKey::from_schema(key)
            .map(|k| hex(k.node_id().as_bytes()))
            .map_err(|e| e.to_string())
    };
    match statement {
        Statement::Credential(s) => {
            *node = key_node(&s.identity_key)?;
            *issued_at = s.issued_at;
            *serial = Some(s.serial);
            *address = s.address.map(str::to_string);
        }
        Statement::Rehoming(s) => {
            *node = hex(s.node);
            *issued_at = s.issued_at;
            *sequence = Some(s.sequence);
            *address = Some(s.new_address.to_string());
        }
        Statement::KeyRotation(s) => {
            *node = hex(s.previous_node);
            *issued_at = s.issued_at;
            *new_node = Some(key_node(&s.new_identity_key)?);
        }
        Statement::Revocation(s) => {
            *node = hex(s.node);
            *issued_at = s.issued_at;
        }
        Statement::Introduction(s) => {
            *node = hex(s.subject);
            *issued_at = s.issued_at;
            *serial = Some(s.serial);
            *address = s.subject_address.map(str::to_string);
            *audience = Some(hex(s.audience));
            *not_after = s.not_after;
        }
        other => return Err(format!("a statement of an unknown kind: {other:?}")),
    }
    Ok(response)
}

/// Both roles of an exchange with the scalars `(x, y)`; the verifier receives `share_p` if given, and
/// the prover and the verifier the `confirmations` (confirmV, confirmP) if given.
fn spake2plus(
    id: &str,
    inputs: &Spake2plusInputs,
    (x, y): (&str, &str),
    share_p: Option<&str>,
    confirmations: (Option<&str>, Option<&str>),
) -> Answer {
    let failed = |step: &str, e: SpakeError| format!("{step}: {e}");
    let secret = match (&inputs.passcode, &inputs.w0, &inputs.w1) {
        (Some(passcode), None, None) => {
            let digits = passcode.len() == 8 && passcode.bytes().all(|c| c.is_ascii_digit());
            let value: u32 = passcode
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or("`passcode` is not eight decimal digits")?;
            let salt = bytes("salt", inputs.salt.as_deref().ok_or("no `salt`")?)?;
            let iterations = inputs.iterations.ok_or("no `iterations`")?;
            ProverSecret::from_passcode(value, &salt, iterations)
                .map_err(|e| failed("password", e))?
        }
        (None, Some(w0), Some(w1)) => {
            ProverSecret::from_scalars(&array("w0", w0)?, &array("w1", w1)?)
                .map_err(|e| failed("w0 and w1", e))?
        }
        _ => {
            return Err(
                "the password is `passcode` (with `salt`, `iterations`) or `w0` and `w1`".into(),
            )
        }
    };
    let record = secret.record();
    let pairing = match (&inputs.pairing_start, &inputs.pairing_params) {
        (Some(start), Some(params)) => Some((
            bytes("pairing_start", start)?,
            bytes("pairing_params", params)?,
        )),
        (None, None) => None,
        _ => return Err("`pairing_start` and `pairing_params` come together".into()),
    };
    let context = match (&inputs.context, &pairing) {
        (Some(context), None) => bytes("context", context)?,
        (None, Some((start, params))) => pairing_context_hash(start, params).to_vec(),
        _ => return Err("`Context` is `context`, or `pairing_start` and `pairing_params`".into()),
    };
    let (id_prover, id_verifier) = (
        bytes("id_prover", &inputs.id_prover)?,
        bytes("id_verifier", &inputs.id_verifier)?,
    );
    let transcript = Inputs {
        context: &context,
        id_prover: &id_prover,
        id_verifier: &id_verifier,
    };
    let prover = Prover::start(&secret, &array("x", x)?).map_err(|e| failed("x", e))?;
    let received = match share_p {
        Some(share) => bytes("share_p", share)?,
        None => prover.share_p().to_vec(),
    };
    let verifier = match Verifier::new(&record).respond(&transcript, &received, &array("y", y)?) {
        Ok(verifier) => verifier,
        Err(SpakeError::InvalidShare(_)) => return refuse(id, "invalid-share"),
        Err(e) => return Err(failed("the verifier", e)),
    };
    let share_p = hex(prover.share_p());
    let share_v = hex(verifier.share_v());
    let confirm_v = hex(verifier.confirm_v());
    let prover = prover
        .receive(&transcript, verifier.share_v())
        .map_err(|e| failed("the prover", e))?;
    let received_v = match confirmations.0 {
        Some(confirm) => bytes("confirm_v", confirm)?,
        None => verifier.confirm_v().to_vec(),
    };
    let (confirm_p, prover_key) = match prover.finish(&received_v) {
        Ok(done) => done,
        Err(SpakeError::ConfirmationFailed) => return refuse(id, "confirmation-failed"),
        Err(e) => return Err(failed("confirmV", e)),
    };
    let received_p = match confirmations.1 {
        Some(confirm) => bytes("confirm_p", confirm)?,
        None => confirm_p.to_vec(),
    };
    let verifier_key = match verifier.finish(&received_p) {
        Ok(key) => key,
        Err(SpakeError::ConfirmationFailed) => return refuse(id, "confirmation-failed"),
        Err(e) => return Err(failed("confirmP", e)),
    };
    if prover_key != verifier_key {
        return Err("the roles derived different K_shared".into());
    }
    let pairing_context = match pairing {
        Some((start, params)) => {
            let start = PairingStart::decode(&start).map_err(|e| format!("PairingStart: {e}"))?;
            let params =
                PairingParams::decode(&params).map_err(|e| format!("PairingParams: {e}"))?;
            let controller = prover_key.pairing_context(
                start.controller_nonce,
                params.device_nonce,
                PairingRole::Controller,
            );
            Some(PairingKeys {
                controller_key: hex(controller.sender_key()),
                device_key: hex(controller.recipient_key()),
                common_iv: hex(controller.common_iv()),
            })
        }
        None => None,
    };
    Ok(Response::Spake2plus {
        id: id.into(),
        context: hex(&context),
        w0: hex(&secret.w0()),
        w1: hex(&secret.w1()),
        l: hex(&record.l()),
        share_p,
        share_v,
        confirm_p: hex(&confirm_p),
        confirm_v,
        k_shared: hex(prover_key.as_bytes()),
        pairing_context,
    })
}
