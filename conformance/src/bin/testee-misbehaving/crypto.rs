//! Broken implementations of the cryptographic requests (`node-id`, `verify-statement`,
//! `check-digit`, `spake2plus`), each with one defect, chosen by the mode:
//!
//! - `accept-stale-serial`: replaces a held credential statement by one whose serial is not greater
//!   (IOTP-SEC-16);
//! - `ignore-signer-order`: accepts a statement whose two signatures verify in either order
//!   (IOTP-SEC-14);
//! - `wrong-check-digit`: takes the digits of a manual pairing code from left to right, the mistake
//!   that spec §13.6 warns of (IOTP-SEC-131, IOTP-SEC-24);
//! - `node-id-case`: reads a node ID's text without regard to case;
//! - `accept-invalid-share`: a device that uses the shareP it receives without checking it
//!   (IOTP-SEC-33);
//! - `sign-payload-only`: signs the payload itself rather than its Sig_structure (IOTP-SEC-11).

use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::{Signature, SignedStatement};
use iotp2p_conformance::protocol::{Request, Response};
use iotp2p_conformance::reference;
use iotp2p_conformance::suite::{hex, unhex};
use iotp2p_protocol::security::setup_code;

/// Changes the reference's `response` to `request` as the defect of `mode` would.
pub fn change(mode: &str, request: &Request, response: &mut Response) {
    let class = match response {
        Response::Error { class, .. } => class.as_str(),
        _ => "",
    };
    let retried = match (mode, request, class) {
        ("accept-stale-serial", Request::VerifyStatement { verifier, .. }, "stale-serial") => {
            let mut request = request.clone();
            if let Request::VerifyStatement { verifier: v, .. } = &mut request {
                *v = verifier.clone();
                v.held_serial = None;
            }
            Some(request)
        }
        ("ignore-signer-order", Request::VerifyStatement { statement, .. }, "wrong-signer") => {
            swapped(statement).map(|statement| {
                let mut request = request.clone();
                if let Request::VerifyStatement { statement: s, .. } = &mut request {
                    *s = statement;
                }
                request
            })
        }
        (
            "node-id-case",
            Request::NodeId {
                text: Some(text), ..
            },
            "invalid-text",
        ) => {
            let mut request = request.clone();
            if let Request::NodeId { text: t, .. } = &mut request {
                *t = Some(text.to_lowercase());
            }
            Some(request)
        }
        ("accept-invalid-share", Request::Spake2plus { .. }, "invalid-share") => {
            // The device goes on with a share it did not check; it answers as if the prover's had
            // come.
            let mut request = request.clone();
            if let Request::Spake2plus { share_p, .. } = &mut request {
                *share_p = None;
            }
            Some(request)
        }
        ("sign-payload-only", Request::SignStatement { d, payload, .. }, _) => {
            if let (Response::Signature { signature, .. }, Some(bare)) =
                (&mut *response, bare_signature(d, payload))
            {
                *signature = bare;
            }
            None
        }
        ("wrong-check-digit", Request::CheckDigit { digits, code, .. }, _) => {
            left_to_right(response, digits.as_deref(), code.as_deref());
            None
        }
        _ => None,
    };
    if let Some(answer) = retried.as_ref().and_then(reference::answer) {
        if !matches!(answer, Response::Error { .. }) {
            *response = answer;
        }
    }
}

/// The statement (hex) with its two signatures swapped; `None` unless it has two.
fn swapped(statement: &str) -> Option<String> {
    let bytes = unhex(statement).ok()?;
    let signed = SignedStatement::decode(&bytes).ok()?;
    let mut signatures: Vec<Signature<'_>> = signed.signatures.iter().collect();
    if signatures.len() != 2 {
        return None;
    }
    signatures.swap(0, 1);
    let swapped = SignedStatement {
        payload: signed.payload,
        signatures: signatures.as_slice().into(),
        unknown_fields: UnknownFields::NONE,
    };
    let mut out = vec![0u8; swapped.encoded_len()];
    let n = swapped.encode(&mut out).ok()?;
    Some(hex(&out[..n]))
}

/// ES256 with the nonce of RFC 6979 over `payload` itself, not its Sig_structure.
fn bare_signature(d: &str, payload: &str) -> Option<String> {
    use p256::ecdsa::signature::Signer;
    let key = p256::ecdsa::SigningKey::from_slice(&unhex(d).ok()?).ok()?;
    let signature: p256::ecdsa::Signature = key.sign(&unhex(payload).ok()?);
    Some(hex(&signature.to_bytes()))
}

/// The check digit of the digits taken from left to right, the leftmost at position 1.
fn mistaken(eleven: &str) -> Option<u8> {
    setup_code::check_digit(&eleven.chars().rev().collect::<String>()).ok()
}

fn left_to_right(response: &mut Response, digits: Option<&str>, code: Option<&str>) {
    let Response::CheckDigit { check, valid, .. } = response else {
        return;
    };
    if let Some(digits) = digits {
        *check = mistaken(digits);
    }
    if let Some((eleven, last)) = code.and_then(|c| c.split_at_checked(11)) {
        *valid = Some(mistaken(eleven).map(|c| c.to_string()).as_deref() == Some(last));
    }
}
