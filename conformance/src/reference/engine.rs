//! The protocol-engine requests of protocol version 2 (`derive-context`, `seal`, `open`, `fragment`,
//! `reassemble`, `check-address`), answered with the reference engine `iotp2p-protocol`.
//!
//! This module only translates: hex to bytes, the request's `SealedAad` members to the engine's
//! [`Exchange`] and [`Routing`], the engine's errors to the classes of the protocol. The generator
//! uses the same translation to compute expected outputs where the spec gives none, and checks them
//! against the spec's values and hand-stated outcomes wherever those exist.

use iotp2p_protocol::message::fragment::{
    Discard, FragmentError, Fragments, Reassembler, Received,
};
use iotp2p_protocol::params::MAX_MESSAGE;
use iotp2p_protocol::security::{
    Exchange, KeyId, MasterSecret, OpenError, ReplayWindow, Routing, SealError, SecurityContext,
};

use crate::protocol::{
    ContextInputs, FrameResult, OpenResult, Request, Response, SealedAadFields, TimedFrame,
};
use crate::suite::{hex, unhex};

/// How many reassemblies the reference keeps at once, and per hop peer: more than the one per peer
/// that [IOTP-MSG-84] requires, so that no vector depends on which one a bound evicts.
const REASSEMBLIES: (usize, usize) = (8, 4);

/// The answer to a protocol-engine request; `None` for the other requests.
pub fn answer(request: &Request) -> Option<Response> {
    let (id, result) = match request {
        Request::DeriveContext { id, context } => (id, derive_context(id, context)),
        Request::Seal {
            id,
            context,
            message_id,
            sealed_aad,
            plaintext,
        } => (id, seal(id, context, *message_id, sealed_aad, plaintext)),
        Request::Open {
            id,
            context,
            envelopes,
        } => (id, open(id, context, envelopes)),
        Request::Fragment {
            id,
            message,
            frame_size,
            tag,
        } => (id, fragment(id, message, *frame_size, *tag)),
        Request::Reassemble {
            id,
            reassembly_timeout,
            frames,
        } => (id, reassemble(id, *reassembly_timeout, frames)),
        Request::CheckAddress { id, address } => (
            id,
            Ok(Response::Address {
                id: id.clone(),
                canonical: iotp2p_protocol::address::check(address).is_ok(),
            }),
        ),
        Request::Edhoc { id, handshake } => (id, super::edhoc::answer(id, handshake)),
        _ => return None,
    };
    Some(result.unwrap_or_else(|details| Response::Errored {
        id: id.clone(),
        details,
    }))
}

/// What a request gives: a response, or why the testee could not answer (`errored`).
pub(super) type Answer = Result<Response, String>;

/// The refusal of `id` with `class`.
pub(super) fn refuse(id: &str, class: &str) -> Answer {
    Ok(Response::Error {
        id: id.into(),
        class: class.into(),
        offset: None,
    })
}

/// The bytes of the request's member `name`.
pub(super) fn bytes(name: &str, text: &str) -> Result<Vec<u8>, String> {
    unhex(text).map_err(|e| format!("`{name}` is not hex: {e}"))
}

/// The context of the request, or `None` when an identifier is longer than 7 bytes (IOTP-SEC-55).
fn context(inputs: &ContextInputs) -> Result<Option<SecurityContext>, String> {
    let secret = bytes("master_secret", &inputs.master_secret)?;
    let salt = bytes("master_salt", &inputs.master_salt)?;
    let (Ok(sender), Ok(recipient)) = (
        KeyId::new(&bytes("sender_id", &inputs.sender_id)?),
        KeyId::new(&bytes("recipient_id", &inputs.recipient_id)?),
    ) else {
        return Ok(None);
    };
    Ok(Some(SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        sender,
        recipient,
    )))
}

fn derive_context(id: &str, inputs: &ContextInputs) -> Answer {
    let Some(ctx) = context(inputs)? else {
        return refuse(id, "sender-id-length");
    };
    Ok(Response::Context {
        id: id.into(),
        sender_key: hex(ctx.sender_key()),
        recipient_key: hex(ctx.recipient_key()),
        common_iv: hex(ctx.common_iv()),
    })
}

/// The engine's view of a `SealedAad`. Always an [`Exchange::Answer`]: the associated data of a
/// request is that of an answer naming the request itself, and the request's fields say which.
fn aad_inputs(fields: &SealedAadFields) -> Result<(Exchange, Routing<'_>), String> {
    let request_key_id = KeyId::new(&bytes("request_key_id", &fields.request_key_id)?)
        .map_err(|_| "`request_key_id` is longer than 7 bytes".to_string())?;
    Ok((
        Exchange::Answer {
            request_key_id,
            correlation_id: fields.request_message_id,
        },
        Routing {
            version: fields.version,
            sender: fields.sender.as_deref(),
            recipient: fields.recipient.as_deref(),
        },
    ))
}

fn seal(
    id: &str,
    inputs: &ContextInputs,
    message_id: u64,
    fields: &SealedAadFields,
    plaintext: &str,
) -> Answer {
    let Some(ctx) = context(inputs)? else {
        return refuse(id, "sender-id-length");
    };
    // The engine seals with its Sender Sequence Number: resume the context at `message_id`.
    let mut ctx = ctx.resume(message_id, ReplayWindow::new());
    let (exchange, routing) = aad_inputs(fields)?;
    let plaintext = bytes("plaintext", plaintext)?;
    let mut out = vec![0u8; plaintext.len() + 8];
    match ctx.seal(&exchange, &routing, &plaintext, &mut out) {
        Ok(done) => Ok(Response::Sealed {
            id: id.into(),
            sealed: hex(&out[..done.len]),
        }),
        Err(SealError::Exhausted) => refuse(id, "message-id-range"),
        Err(e) => Err(format!("sealing failed: {e}")),
    }
}

fn open(id: &str, inputs: &ContextInputs, envelopes: &[crate::protocol::SealedEnvelope]) -> Answer {
    let Some(mut ctx) = context(inputs)? else {
        return refuse(id, "sender-id-length");
    };
    let mut results = Vec::with_capacity(envelopes.len());
    for envelope in envelopes {
        let (exchange, routing) = aad_inputs(&envelope.sealed_aad)?;
        let sealed = bytes("sealed", &envelope.sealed)?;
        let mut out = vec![0u8; sealed.len()];
        let failure = match ctx.open(envelope.message_id, &exchange, &routing, &sealed, &mut out) {
            Ok(opened) => {
                results.push(OpenResult {
                    plaintext: Some(hex(&out[..opened.len])),
                    failure: None,
                });
                continue;
            }
            Err(OpenError::Duplicate) => "duplicate",
            Err(OpenError::Stale) => "stale",
            Err(OpenError::MessageIdTooLarge) => "message-id-range",
            Err(OpenError::TooShort | OpenError::Aead) => "aead",
            Err(e) => return Err(format!("opening failed: {e}")),
        };
        results.push(OpenResult {
            plaintext: None,
            failure: Some(failure.into()),
        });
    }
    Ok(Response::Opened {
        id: id.into(),
        results,
    })
}

fn fragment(id: &str, message: &str, frame_size: usize, tag: u8) -> Answer {
    let message = bytes("message", message)?;
    match Fragments::new(&message, frame_size, tag) {
        Ok(frames) => Ok(Response::Frames {
            id: id.into(),
            frames: frames.map(|f| hex(&f.to_vec())).collect(),
        }),
        Err(FragmentError::BadLength(_)) => refuse(id, "message-length"),
        Err(FragmentError::FrameTooSmall(_)) => refuse(id, "frame-too-small"),
    }
}

/// The protocol's name for a discard rule.
pub fn discard_reason(discard: Discard) -> &'static str {
    match discard {
        Discard::Frame(_) => "not-a-frame",
        Discard::TooLarge => "too-large",
        Discard::FirstChunkTooLong => "first-chunk-too-long",
        Discard::BeyondSize => "beyond-size",
        Discard::ZeroOffset => "zero-offset",
        Discard::Conflict => "conflict",
        Discard::SizeChanged => "size-changed",
        Discard::NoFirstFragment => "no-first-fragment",
        Discard::NotAnEnvelope => "not-an-envelope",
    }
}

fn reassemble(id: &str, timeout: u64, frames: &[TimedFrame]) -> Answer {
    let mut reassembler = Reassembler::new(MAX_MESSAGE, REASSEMBLIES.0, REASSEMBLIES.1, timeout);
    let mut results = Vec::with_capacity(frames.len());
    for frame in frames {
        let bytes = bytes("frame", &frame.frame)?;
        let (outcome, message, reason) = match reassembler.receive(&frame.peer, &bytes, frame.time)
        {
            Received::Message(m) => ("delivered", Some(hex(m)), None),
            Received::Reassembled(m) => ("delivered", Some(hex(&m)), None),
            Received::Pending | Received::Repeated => ("held", None, None),
            Received::Discarded(d) => ("discarded", None, Some(discard_reason(d).to_string())),
        };
        results.push(FrameResult {
            outcome: outcome.into(),
            message,
            reason,
        });
    }
    Ok(Response::Reassembled {
        id: id.into(),
        results,
    })
}
