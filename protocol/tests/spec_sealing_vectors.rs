//! The sealing vectors of spec/13-security-test-vectors.md (§13.3), reproduced by this crate's security
//! contexts: every derived key, every sealed envelope, and every envelope that must not open or must
//! not be sealed.
//!
//! The chapter's values were computed by another implementation (spec/tools/security_vectors.py) and
//! are checked independently by codegen/tests/spec_security_vectors.rs; this test checks that the
//! reference engine agrees with them byte for byte. It fails when a kind of vector is missing, so that
//! it cannot pass by reading nothing.

use iotp2p_codec::prelude::*;
use std::collections::BTreeMap;

use iotp2p_codec::core::Body;
use iotp2p_protocol::security::aad::{associated_data, MAX_AAD};
use iotp2p_protocol::security::seal::OpenError;
use iotp2p_protocol::security::{
    Exchange, KeyId, MasterSecret, ReplayVerdict, ReplayWindow, Routing, SealError, SecurityContext,
};
use serde_json::Value;

const CHAPTER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../spec/13-security-test-vectors.md"
);

/// One `iotp-vector` block (§13.2): its kind and its items.
struct Block {
    kind: String,
    items: BTreeMap<String, String>,
}

impl Block {
    fn get(&self, name: &str) -> &str {
        let id = self.items.get("id").map_or("?", String::as_str);
        self.items
            .get(name)
            .unwrap_or_else(|| panic!("{} {id}: no item `{name}`", self.kind))
    }

    fn hex(&self, name: &str) -> Vec<u8> {
        let text = self.get(name);
        assert!(text.len() % 2 == 0, "odd hex in `{name}`");
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn number(&self, name: &str) -> u64 {
        self.get(name).parse().expect("a decimal number")
    }

    fn key_id(&self, name: &str) -> KeyId {
        KeyId::new(&self.hex(name)).expect("a Sender ID of at most 7 bytes")
    }
}

fn blocks() -> Vec<Block> {
    let text = std::fs::read_to_string(CHAPTER).expect("chapter 13");
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line != "```iotp-vector" {
            continue;
        }
        let mut kind = String::new();
        let mut items = BTreeMap::new();
        for line in lines.by_ref().take_while(|l| *l != "```") {
            let (name, value) = line.split_once(':').expect("name: value");
            let value = value.strip_prefix(' ').unwrap_or(value).to_owned();
            if name == "kind" {
                kind = value;
            } else {
                items.insert(name.to_owned(), value);
            }
        }
        out.push(Block { kind, items });
    }
    out
}

fn of_kind<'a>(blocks: &'a [Block], kind: &str, at_least: usize) -> Vec<&'a Block> {
    let found: Vec<_> = blocks.iter().filter(|b| b.kind == kind).collect();
    assert!(
        found.len() >= at_least,
        "{} `{kind}` vectors, expected at least {at_least}",
        found.len()
    );
    found
}

/// The `SealedAad` of a vector, as the exchange and routing that this crate's API takes.
fn aad_inputs(aad: &Value) -> (KeyId, u64, u8, Option<String>, Option<String>) {
    let hex = aad["request_key_id"].as_str().expect("request_key_id");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    (
        KeyId::new(&bytes).unwrap(),
        aad["request_message_id"].as_u64().unwrap(),
        aad["version"].as_u64().unwrap() as u8,
        aad["sender"].as_str().map(str::to_owned),
        aad["recipient"].as_str().map(str::to_owned),
    )
}

/// The exchange as the sealer sees it: a request names its own Sender ID and `message_id`.
fn exchange(
    sealer: &KeyId,
    message_id: u64,
    request_key_id: KeyId,
    request_message_id: u64,
) -> Exchange {
    if request_key_id == *sealer && request_message_id == message_id {
        Exchange::Request
    } else {
        Exchange::Answer {
            request_key_id,
            correlation_id: request_message_id,
        }
    }
}

fn derive(block: &Block, sender: KeyId, recipient: KeyId) -> SecurityContext {
    let secret = block.hex("master_secret");
    let salt = block.hex("master_salt");
    SecurityContext::derive(
        MasterSecret {
            secret: &secret,
            salt: &salt,
        },
        sender,
        recipient,
    )
}

#[test]
fn contexts_derive_the_chapters_keys() {
    let blocks = blocks();
    for b in of_kind(&blocks, "oscore-context", 6) {
        let ctx = derive(b, b.key_id("sender_id"), b.key_id("recipient_id"));
        let name = b.get("context");
        assert_eq!(
            ctx.sender_key().as_slice(),
            b.hex("sender_key"),
            "{name}: sender_key"
        );
        assert_eq!(
            ctx.recipient_key().as_slice(),
            b.hex("recipient_key"),
            "{name}: recipient_key"
        );
        assert_eq!(
            ctx.common_iv().as_slice(),
            b.hex("common_iv"),
            "{name}: common_iv"
        );
    }
}

#[test]
fn envelopes_seal_and_open_as_the_chapter_says() {
    let blocks = blocks();
    for b in of_kind(&blocks, "seal", 10) {
        let id = b.get("id");
        let sealer = b.key_id("sender_id");
        // The opener's own Sender ID plays no part in opening; any other identifier will do.
        let opener = KeyId::new(b"opener").unwrap();
        let message_id = b.number("message_id");
        let aad_json: Value = serde_json::from_str(b.get("sealed_aad_json")).unwrap();
        let (request_key_id, request_message_id, version, sender, recipient) =
            aad_inputs(&aad_json);
        let exchange = exchange(&sealer, message_id, request_key_id, request_message_id);
        let routing = Routing {
            version,
            sender: sender.as_deref(),
            recipient: recipient.as_deref(),
        };

        let mut aad = [0u8; MAX_AAD];
        let n = associated_data(&exchange, &sealer, message_id, &routing, &mut aad).unwrap();
        assert_eq!(aad[..n], b.hex("aad"), "{id}: aad");

        let mut ctx = derive(b, sealer, opener).resume(message_id, ReplayWindow::new());
        assert_eq!(
            ctx.sender_key().as_slice(),
            b.hex("sender_key"),
            "{id}: sender_key"
        );
        let plaintext = b.hex("plaintext");
        let mut sealed = vec![0u8; plaintext.len() + 8];
        let done = ctx
            .seal(&exchange, &routing, &plaintext, &mut sealed)
            .unwrap();
        assert_eq!(
            done.message_id, message_id,
            "{id}: the SSN is the message_id"
        );
        assert_eq!(
            ctx.sender_sequence_number(),
            message_id + 1,
            "{id}: the SSN moves on"
        );
        assert_eq!(sealed[..done.len], b.hex("sealed"), "{id}: sealed");

        let mut peer = derive(b, opener, sealer);
        let mut out = vec![0u8; plaintext.len()];
        let opened = peer
            .open(message_id, &exchange, &routing, &sealed, &mut out)
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(out[..opened.len], plaintext, "{id}: plaintext");
        assert!(opened.fresh);
        if b.items.contains_key("body_json") {
            Body::decode(&out).unwrap_or_else(|e| panic!("{id}: the plaintext is a Body: {e}"));
        }
        assert_eq!(
            peer.open(message_id, &exchange, &routing, &sealed, &mut out),
            Err(OpenError::Duplicate),
            "{id}: opened twice"
        );
    }
}

#[test]
fn envelopes_that_must_not_open_do_not_and_change_nothing() {
    let blocks = blocks();
    for b in of_kind(&blocks, "open-fail", 7) {
        let id = b.get("id");
        let sealer = b.key_id("sender_id");
        let message_id = b.number("message_id");
        let aad_json: Value = serde_json::from_str(b.get("sealed_aad_json")).unwrap();
        let (request_key_id, request_message_id, version, sender, recipient) =
            aad_inputs(&aad_json);
        let exchange = exchange(&sealer, message_id, request_key_id, request_message_id);
        let routing = Routing {
            version,
            sender: sender.as_deref(),
            recipient: recipient.as_deref(),
        };
        let mut aad = [0u8; MAX_AAD];
        let n = associated_data(&exchange, &sealer, message_id, &routing, &mut aad).unwrap();
        assert_eq!(aad[..n], b.hex("aad"), "{id}: aad");

        let mut peer = derive(b, KeyId::new(b"opener").unwrap(), sealer);
        let sealed = b.hex("sealed");
        let mut out = vec![0u8; sealed.len()];
        let result = peer.open(message_id, &exchange, &routing, &sealed, &mut out);
        match b.get("failure") {
            "aead" => {
                assert!(
                    matches!(result, Err(OpenError::Aead | OpenError::TooShort)),
                    "{id}: {result:?}"
                );
                assert_eq!(
                    peer.replay_window().check(message_id),
                    ReplayVerdict::Fresh,
                    "{id}: a failed decryption must not move the window [IOTP-SEC-76]"
                );
            }
            "body" => {
                let opened = result.unwrap_or_else(|e| panic!("{id}: {e}"));
                let class = Body::decode(&out[..opened.len]).unwrap_err().class().name();
                assert_eq!(class, b.get("body_error"), "{id}");
                assert_eq!(
                    peer.replay_window().check(message_id),
                    ReplayVerdict::Opened,
                    "{id}"
                );
            }
            other => panic!("{id}: unknown failure `{other}`"),
        }
    }
}

#[test]
fn message_ids_beyond_the_partial_iv_are_not_sealed() {
    let blocks = blocks();
    let contexts: BTreeMap<&str, &Block> = of_kind(&blocks, "oscore-context", 6)
        .into_iter()
        .map(|b| (b.get("context"), b))
        .collect();
    for b in of_kind(&blocks, "seal-refused", 1) {
        assert_eq!(b.get("failure"), "message-id-range");
        let context = contexts[b.get("context")];
        let mut ctx = derive(context, b.key_id("sender_id"), KeyId::EMPTY)
            .resume(b.number("message_id"), ReplayWindow::new());
        let routing = Routing {
            version: 1,
            sender: None,
            recipient: None,
        };
        let mut out = [0u8; 64];
        assert_eq!(
            ctx.seal(&Exchange::Request, &routing, &[0xa0], &mut out),
            Err(SealError::Exhausted)
        );
        assert_eq!(ctx.sender_sequence_number(), b.number("message_id"));
    }
}
