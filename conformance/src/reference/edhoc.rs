//! The `edhoc` request (protocol 2, feature `edhoc`), answered with the EDHOC of `iotp2p-protocol`
//! (`iotp2p_protocol::security::edhoc`, built on `lakers`) and its carriage in the Security actions
//! `edhoc_1` and `edhoc_3` (spec §8.4.3).
//!
//! This module only translates: hex to the engine's inputs, the engine's errors to the refusal
//! classes of the protocol, and the messages to the `Body`s that carry them. Inputs that no node
//! could hold (an authentication key out of range, a credential for another key, a zero ephemeral
//! key) are not a verdict on the handshake: the answer is `errored`.

use iotp2p_codec::core::{Body, InvokeRequest, InvokeResponse};
use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::{EdhocFinish, EdhocReply};
use iotp2p_protocol::security::edhoc::carriage::{
    encode_edhoc_1_input, encode_edhoc_3_input, EDHOC_1, EDHOC_3, SECURITY_CAPABILITY,
    SECURITY_ENDPOINT,
};
use iotp2p_protocol::security::edhoc::{
    AuthKey, Credential, Error, Established, IdCredI, Initiator, LocalIdentity, Responder, SUITE,
};
use iotp2p_protocol::security::KeyId;

use crate::protocol::Response;
use crate::protocol_edhoc::{EdhocContext, EdhocRequest, EdhocResponse, EdhocRole, IdCredMode};
use crate::suite::{hex, unhex};

/// The refusal class of an engine error; `Err` for the errors that mean the vector's own inputs
/// are unusable.
pub fn refusal_class(error: Error) -> Result<&'static str, String> {
    Ok(match error {
        Error::InvalidConnectionId => "connection-id-length",
        Error::ConnectionIdInUse => "connection-id-in-use",
        Error::ConnectionIdsEqual => "same-connection-id",
        Error::Malformed | Error::InvalidPoint => "malformed",
        Error::UnsupportedMethod => "unsupported-method",
        Error::WrongSelectedCipherSuite => "unsupported-suite",
        Error::UnknownCredential => "unknown-credential",
        Error::CredentialByValueRefused => "credential-by-value",
        Error::InvalidCredentialByValue => "bad-credential",
        Error::CriticalEad => "critical-ead",
        Error::AuthenticationFailed => "mac",
        Error::ZeroEphemeralKey | Error::InvalidAuthKey | Error::InvalidCredential => {
            return Err(format!("the vector's own inputs are unusable: {error}"))
        }
        // Only an engine's list of revoked nodes, or its rate limit, refuses so; a handshake vector
        // has neither.
        Error::Revoked | Error::RateLimited => {
            return Err(format!("not a handshake vector's refusal: {error}"))
        }
    })
}

fn bytes(name: &str, text: &str) -> Result<Vec<u8>, String> {
    unhex(text).map_err(|e| format!("`{name}` is not hex: {e}"))
}

fn scalar(name: &str, text: &str) -> Result<[u8; 32], String> {
    bytes(name, text)?
        .try_into()
        .map_err(|_| format!("`{name}` is not 32 bytes"))
}

/// The encoded `Body` of an `invoke` of the Security action `action` with `input`.
pub fn invoke_body(action: u16, input: &[u8]) -> Result<Vec<u8>, String> {
    encode_body(&Body::Invoke(InvokeRequest {
        endpoint: SECURITY_ENDPOINT,
        capability: SECURITY_CAPABILITY,
        action,
        input: Some(input),
        echo: None,
        unknown_fields: UnknownFields::NONE,
    }))
}

/// The encoded `Body` of an `invoke_response` with `output`.
pub fn response_body(output: &[u8]) -> Result<Vec<u8>, String> {
    encode_body(&Body::InvokeResponse(InvokeResponse {
        output: Some(output),
        unknown_fields: UnknownFields::NONE,
    }))
}

fn encode_body(body: &Body<'_>) -> Result<Vec<u8>, String> {
    encode("a body", body.encoded_len(), |out| body.encode(out))
}

/// The `len` bytes (at most) that `write` encodes.
fn encode<E: std::fmt::Display>(
    what: &str,
    len: usize,
    write: impl FnOnce(&mut [u8]) -> Result<usize, E>,
) -> Result<Vec<u8>, String> {
    let mut out = vec![0u8; len];
    let n = write(&mut out).map_err(|e| format!("encoding {what}: {e}"))?;
    out.truncate(n);
    Ok(out)
}

/// What the node did so far.
#[derive(Default)]
struct Record {
    messages: Vec<String>,
    bodies: Vec<String>,
}

impl Record {
    fn send(&mut self, message: &[u8], body: Vec<u8>) {
        self.messages.push(hex(message));
        self.bodies.push(hex(&body));
    }

    fn finish(self, context: Option<EdhocContext>, refused: Option<&str>) -> EdhocResponse {
        EdhocResponse {
            messages: self.messages,
            bodies: self.bodies,
            context,
            refused: refused.map(str::to_string),
            error_message: None,
        }
    }

    fn refuse(self, error: Error) -> Result<EdhocResponse, String> {
        Ok(self.finish(None, Some(refusal_class(error)?)))
    }
}

fn context(done: &Established) -> EdhocContext {
    let ctx = done.context();
    EdhocContext {
        master_secret: hex(done.master_secret()),
        master_salt: hex(done.master_salt()),
        sender_id: hex(ctx.sender_id().as_bytes()),
        recipient_id: hex(ctx.recipient_id().as_bytes()),
        sender_key: hex(ctx.sender_key()),
        recipient_key: hex(ctx.recipient_key()),
        common_iv: hex(ctx.common_iv()),
        visitor: done.peer().is_by_value(),
    }
}

/// The answer to an `edhoc` request.
pub fn answer(id: &str, request: &EdhocRequest) -> Result<Response, String> {
    Ok(Response::Handshake {
        id: id.into(),
        handshake: run(request)?,
    })
}

/// Runs the request's role.
pub fn run(request: &EdhocRequest) -> Result<EdhocResponse, String> {
    let key = AuthKey::new(&scalar("auth_key", &request.auth_key)?)
        .map_err(|e| format!("`auth_key`: {e}"))?;
    let credential = Credential::parse(&bytes("credential", &request.credential)?)
        .map_err(|e| format!("`credential`: {e}"))?;
    let identity = LocalIdentity::new(key, credential).map_err(|e| format!("`credential`: {e}"))?;
    let peers = request
        .peer_credentials
        .iter()
        .map(|c| bytes("peer_credentials", c))
        .collect::<Result<Vec<_>, _>>()?;
    let peers: Vec<&[u8]> = peers.iter().map(Vec::as_slice).collect();
    let recipient_ids = request
        .recipient_ids
        .iter()
        .map(|r| {
            KeyId::new(&bytes("recipient_ids", r)?)
                .map_err(|_| "a Recipient ID longer than 7 bytes".to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ephemeral = scalar("ephemeral_key", &request.ephemeral_key)?;
    let peer_messages = request
        .peer_messages
        .iter()
        .map(|m| bytes("peer_messages", m))
        .collect::<Result<Vec<_>, _>>()?;
    let mut record = Record::default();
    // A connection identifier of more than 7 bytes cannot be chosen ([IOTP-SEC-55]).
    let Ok(own_id) = KeyId::new(&bytes("connection_id", &request.connection_id)?) else {
        return record.refuse(Error::InvalidConnectionId);
    };
    match request.role {
        EdhocRole::Initiator => {
            let suites = request.suites.clone().unwrap_or_else(|| vec![SUITE]);
            if !request.offered_only && suites.iter().any(|&s| s != SUITE) {
                return record.refuse(Error::WrongSelectedCipherSuite);
            }
            let id_cred_i = match request.id_cred_i {
                IdCredMode::Kid => IdCredI::Kid,
                IdCredMode::ByValue => IdCredI::ByValue,
            };
            let started = Initiator::start_offering(
                &identity,
                id_cred_i,
                own_id,
                &recipient_ids[..],
                &ephemeral,
                &suites,
            );
            let (initiator, message_1) = match started {
                Ok(started) => started,
                Err(e) => return record.refuse(e),
            };
            let m1 = message_1.as_bytes();
            let input = encode("edhoc_1 input", m1.len() + 3, |out| {
                encode_edhoc_1_input(m1, out)
            })?;
            record.send(m1, invoke_body(EDHOC_1, &input)?);
            let Some(message_2) = peer_messages.first() else {
                return Ok(record.finish(None, None));
            };
            let (sent, message_3) = match initiator.receive_message_2(message_2, &peers[..]) {
                Ok(sent) => sent,
                // An initiator has no request to carry an error message (§8.4.1): it aborts silently.
                Err(e) => return record.refuse(e),
            };
            let m3 = message_3.as_bytes();
            let input = encode("edhoc_3 input", m3.len() + 16, |out| {
                encode_edhoc_3_input(sent.c_r(), m3, out)
            })?;
            record.send(m3, invoke_body(EDHOC_3, &input)?);
            let done = match peer_messages.get(1) {
                Some(message_4) => sent.receive_message_4(message_4),
                None => sent.complete(),
            };
            match done {
                Ok(done) => Ok(record.finish(Some(context(&done)), None)),
                Err(e) => record.refuse(e),
            }
        }
        EdhocRole::Responder => {
            let Some(message_1) = peer_messages.first() else {
                return Err("a responder needs message_1".into());
            };
            let received = Responder::receive_message_1(
                &identity,
                message_1,
                own_id,
                &recipient_ids[..],
                &ephemeral,
            );
            let (responder, message_2) = match received {
                Ok(received) => received,
                Err(e) => return record.refuse(e),
            };
            let m2 = message_2.as_bytes();
            let reply = EdhocReply::Message2(m2);
            let output = encode("edhoc_1 output", reply.encoded_len(), |out| {
                reply.encode(out)
            })?;
            record.send(m2, response_body(&output)?);
            let Some(message_3) = peer_messages.get(1) else {
                return Ok(record.finish(None, None));
            };
            let verified = match responder.receive_message_3(message_3, &peers[..]) {
                Ok(verified) => verified,
                Err(e) => {
                    let mut response = record.refuse(e)?;
                    if e == Error::UnknownCredential {
                        // The error message of code 3, as the output of `edhoc_3` ([IOTP-SEC-51]).
                        let error = e.edhoc_error_message();
                        let finish = EdhocFinish::Error(&error);
                        let output = encode("edhoc_3 output", finish.encoded_len(), |out| {
                            finish.encode(out)
                        })?;
                        response.bodies.push(hex(&response_body(&output)?));
                        response.error_message = Some(hex(&error));
                    }
                    return Ok(response);
                }
            };
            let (done, finish) = if request.message_4 {
                match verified.complete_with_message_4() {
                    Ok((done, message_4)) => (done, Some(message_4)),
                    Err(e) => return record.refuse(e),
                }
            } else {
                match verified.complete() {
                    Ok(done) => (done, None),
                    Err(e) => return record.refuse(e),
                }
            };
            let finish_value = match &finish {
                Some(m4) => EdhocFinish::Message4(m4.as_bytes()),
                None => EdhocFinish::Done,
            };
            let output = encode("edhoc_3 output", finish_value.encoded_len(), |out| {
                finish_value.encode(out)
            })?;
            let body = response_body(&output)?;
            match &finish {
                Some(m4) => record.send(m4.as_bytes(), body),
                None => record.bodies.push(hex(&body)),
            }
            Ok(record.finish(Some(context(&done)), None))
        }
    }
}
