//! A deliberately wrong testee, for the runner's own tests (`tests/runner.rs`): it answers like the
//! Rust reference except for the misbehaviour chosen by its first argument.
//!
//! - `accept-all`: accepts every input, answering a rejected one with its own bytes and `{}`;
//! - `flip-byte`: flips every bit of the last byte of each accepted output;
//! - `crash-on HEX`: panics (exits) on an input that starts with the bytes HEX;
//! - `hang-on HEX`: stops answering on an input that starts with the bytes HEX;
//! - `protocol-1`: answers the handshake as a protocol-1 testee (with every feature of the reference);
//! - `window-on-failure`: an opener that updates its replay window on a failed decryption too
//!   (IOTP-SEC-76, the one-packet denial of service fixed in spec 1.1);
//! - `fixed-nonce`: a sealer that always seals with `message_id` 0, reusing the nonce (IOTP-SEC-69);
//! - `next-tag`: a fragmenter that gives the next fragments another tag than the first (IOTP-MSG-80);
//! - `fragments-reversed`: a fragmenter that sends the last fragment first, within every MUST of
//!   §5.12.2 but not the order it recommends (IOTP-MSG-79);
//! - `zero-offset`: a reassembler that takes a next fragment with `offset` 0 as bytes at offset 0
//!   (IOTP-MSG-88);
//! - `edhoc-swapped-ids`: an EDHOC engine that derives the context with the Sender and Recipient IDs
//!   swapped (IOTP-SEC-61);
//! - `edhoc-silent-unknown-kid`: an EDHOC responder that aborts on an unknown `kid` without the error
//!   message of code 3 (IOTP-SEC-51);
//! - `accept-stale-serial`, `ignore-signer-order`, `wrong-check-digit`, `node-id-case`,
//!   `accept-invalid-share` and `sign-payload-only`: the defects of [`crypto`], for the vectors of node IDs, signed
//!   statements, check digits and SPAKE2+;
//! - the defects of a protocol engine in [`scenarios`], for the scenario vectors;
//! - `reference`: no misbehaviour.

mod crypto;
mod scenarios;

use std::collections::BTreeSet;

use iotp2p_conformance::protocol::{Request, Response};
use iotp2p_conformance::reference;

/// What the results become when every `message_id` that failed to decrypt is recorded in the
/// window as well: a later envelope with one of them is a duplicate, and one more than 31 below the
/// highest of them is stale.
fn window_on_failure(
    envelopes: &[iotp2p_conformance::protocol::SealedEnvelope],
    results: &mut [iotp2p_conformance::protocol::OpenResult],
) {
    let mut recorded = BTreeSet::new();
    for (envelope, result) in envelopes.iter().zip(results) {
        let m = envelope.message_id;
        if result.plaintext.is_some() {
            let highest = recorded.last().copied().unwrap_or(0);
            let failure = if recorded.contains(&m) {
                Some("duplicate")
            } else if highest > m + 31 {
                Some("stale")
            } else {
                None
            };
            if let Some(failure) = failure {
                result.plaintext = None;
                result.failure = Some(failure.into());
                continue;
            }
        }
        recorded.insert(m);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("reference");
    let prefix = args.get(1).cloned().unwrap_or_default();
    let mut reference = reference::Reference::default();
    let mut defects = scenarios::Defects::default();
    let respond = move |request: &Request| -> Option<Response> {
        if let Some(dropped) = defects.drops(mode, request) {
            return Some(dropped);
        }
        let input = match request {
            Request::Decode { hex, .. } => hex.as_str(),
            _ => "",
        };
        let request = &match (mode, request) {
            // The nonce is reused: whatever the message_id, the Partial IV is 0.
            ("fixed-nonce", Request::Seal { .. }) => {
                let mut fixed = request.clone();
                if let Request::Seal { message_id, .. } = &mut fixed {
                    *message_id = 0;
                }
                fixed
            }
            _ => request.clone(),
        };
        if let Some(before) = defects.before(mode, request) {
            let _ = reference.answer(&before);
        }
        let replaced = defects.replaces(mode, request);
        let mut response = reference.answer(replaced.as_ref().unwrap_or(request))?;
        defects.change(mode, request, &mut response);
        crypto::change(mode, request, &mut response);
        match (mode, request) {
            ("protocol-1", Request::Hello { .. }) => {
                if let Response::Hello { protocol, .. } = &mut response {
                    *protocol = 1;
                }
            }
            ("window-on-failure", Request::Open { envelopes, .. }) => {
                if let Response::Opened { results, .. } = &mut response {
                    window_on_failure(envelopes, results);
                }
            }
            ("next-tag", Request::Fragment { .. }) => {
                if let Response::Frames { frames, .. } = &mut response {
                    // `c1`, then the tag: the tag is the second byte.
                    for frame in frames.iter_mut().filter(|f| f.starts_with("c1")) {
                        let tag = u8::from_str_radix(&frame[2..4], 16).unwrap_or(0);
                        frame.replace_range(2..4, &format!("{:02x}", tag.wrapping_add(1)));
                    }
                }
            }
            ("fragments-reversed", Request::Fragment { .. }) => {
                if let Response::Frames { frames, .. } = &mut response {
                    frames.reverse();
                }
            }
            ("zero-offset", Request::Reassemble { .. }) => {
                if let Response::Reassembled { results, .. } = &mut response {
                    for r in results.iter_mut() {
                        if r.reason.as_deref() == Some("zero-offset") {
                            // Taken as the first bytes again: a repeat, held.
                            r.outcome = "held".into();
                            r.reason = None;
                        }
                    }
                }
            }
            ("edhoc-swapped-ids", Request::Edhoc { .. }) => {
                if let Response::Handshake { handshake, .. } = &mut response {
                    if let Some(c) = &mut handshake.context {
                        std::mem::swap(&mut c.sender_id, &mut c.recipient_id);
                        std::mem::swap(&mut c.sender_key, &mut c.recipient_key);
                    }
                }
            }
            ("edhoc-silent-unknown-kid", Request::Edhoc { .. }) => {
                if let Response::Handshake { handshake, .. } = &mut response {
                    if handshake.error_message.take().is_some() {
                        handshake.bodies.pop();
                    }
                }
            }
            ("accept-all", Request::Decode { id, hex, .. })
                if !matches!(response, Response::Ok { .. }) =>
            {
                response = Response::Ok {
                    id: id.clone(),
                    hex: hex.clone(),
                    json: Some(serde_json::json!({})),
                    json_text: Some("{}".into()),
                };
            }
            ("flip-byte", _) => {
                if let Response::Ok { hex, .. } = &mut response {
                    if let Some(last) = hex.len().checked_sub(2) {
                        let byte = u8::from_str_radix(&hex[last..], 16).unwrap_or(0) ^ 0xff;
                        hex.replace_range(last.., &format!("{byte:02x}"));
                    }
                }
            }
            ("crash-on", Request::Decode { .. }) if input.starts_with(&prefix) => {
                panic!("simulated crash on input {input}");
            }
            ("hang-on", Request::Decode { .. }) if input.starts_with(&prefix) => loop {
                std::thread::sleep(std::time::Duration::from_secs(3600));
            },
            _ => {}
        }
        Some(response)
    };
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    if let Err(e) = reference::serve(stdin, stdout, respond) {
        eprintln!("testee-misbehaving: {e}");
        std::process::exit(1);
    }
}
