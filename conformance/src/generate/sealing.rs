//! Vectors of security contexts and of sealing and opening envelopes (spec §8.4.5, §8.5, §8.6.2),
//! for the requests `derive-context`, `seal` and `open` of protocol version 2.
//!
//! Every `oscore-context`, `seal`, `open-fail` and `seal-refused` block of spec chapter 13 becomes a
//! vector with the chapter's values, read from the chapter's text; the reference engine must
//! reproduce each of them or the generation fails. The negative vectors that the chapter does not
//! give (a flipped field of the associated data, a wrong `key_id` or `request_key_id`, a
//! `message_id` beyond 2^40 − 1, an 8-byte Sender ID, replays, forgeries that must not move the replay
//! window) are built around the chapter's envelopes; their outcomes are stated here and the engine
//! must agree.

use std::collections::BTreeMap;

use serde_json::Value;

use super::engine::{agreed, check_refusal, file, reference, refuse, respond, vector};
use super::spec_blocks::{blocks, Block};
use crate::protocol::{
    ContextInputs, OpenResult, Request, Response, SealedAadFields, SealedEnvelope,
};
use crate::suite::hex;
use crate::vector::{Level, Operation, Vector, VectorFile};

const CHAPTER: &str = "spec/13-security-test-vectors.md";
const TEXT: &str = include_str!("../../../spec/13-security-test-vectors.md");

/// The largest `message_id` plus one: the first that no node may seal with (IOTP-SEC-70).
const PIV_LIMIT: u64 = 1 << 40;

/// One `oscore-context` block.
struct Context {
    name: String,
    secret: String,
    salt: String,
    sender_id: String,
    recipient_id: String,
    derived: Response,
}

impl Context {
    /// The inputs as the node with Sender ID `own` holds them (its peer is the other side).
    fn seen_by(&self, own: &str) -> Result<ContextInputs, String> {
        let peer = if own == self.sender_id {
            &self.recipient_id
        } else if own == self.recipient_id {
            &self.sender_id
        } else {
            return Err(format!(
                "context {}: no side has the Sender ID `{own}`",
                self.name
            ));
        };
        Ok(ContextInputs {
            master_secret: self.secret.clone(),
            master_salt: self.salt.clone(),
            sender_id: own.to_string(),
            recipient_id: peer.clone(),
        })
    }
}

/// One sealed envelope of a `seal` or `open-fail` block, as its sealer and its opener see it.
#[derive(Clone)]
struct Sealing {
    /// The block's id without its kind's prefix (`request-8.5.8`).
    name: String,
    context: String,
    sealer: ContextInputs,
    opener: ContextInputs,
    message_id: u64,
    aad: SealedAadFields,
    plaintext: Option<String>,
    sealed: String,
}

impl Sealing {
    fn envelope(&self) -> SealedEnvelope {
        SealedEnvelope {
            message_id: self.message_id,
            sealed_aad: self.aad.clone(),
            sealed: self.sealed.clone(),
        }
    }
}

fn opened(plaintext: &str) -> OpenResult {
    OpenResult {
        plaintext: Some(plaintext.to_string()),
        failure: None,
    }
}

fn failed(class: &str) -> OpenResult {
    OpenResult {
        plaintext: None,
        failure: Some(class.to_string()),
    }
}

/// The `SealedAad` members of `sealed_aad_json`, which must hold format 1 and algorithm 10.
fn aad_fields(block: &Block) -> Result<SealedAadFields, String> {
    let json: Value = serde_json::from_str(block.get("sealed_aad_json")?)
        .map_err(|e| format!("{}: sealed_aad_json: {e}", block.at))?;
    if json["format"] != 1 || json["algorithm"] != 10 {
        return Err(format!(
            "{}: a SealedAad of another format or algorithm than 1 and 10",
            block.at
        ));
    }
    let text = |name: &str| json[name].as_str().map(str::to_string);
    let number = |name: &str| {
        json[name]
            .as_u64()
            .ok_or_else(|| format!("{}: sealed_aad_json has no `{name}`", block.at))
    };
    Ok(SealedAadFields {
        request_key_id: text("request_key_id")
            .ok_or_else(|| format!("{}: no request_key_id", block.at))?,
        request_message_id: number("request_message_id")?,
        version: u8::try_from(number("version")?).map_err(|e| e.to_string())?,
        sender: text("sender"),
        recipient: text("recipient"),
    })
}

fn contexts(all: &[Block]) -> Result<BTreeMap<String, Context>, String> {
    let mut out = BTreeMap::new();
    for b in all
        .iter()
        .filter(|b| b.opt("kind") == Some("oscore-context"))
    {
        let name = b.get("context")?.to_string();
        let context = Context {
            name: name.clone(),
            secret: b.get("master_secret")?.into(),
            salt: b.get("master_salt")?.into(),
            sender_id: b.get("sender_id")?.into(),
            recipient_id: b.get("recipient_id")?.into(),
            derived: Response::Context {
                id: String::new(),
                sender_key: b.get("sender_key")?.into(),
                recipient_key: b.get("recipient_key")?.into(),
                common_iv: b.get("common_iv")?.into(),
            },
        };
        out.insert(name, context);
    }
    if out.len() < 6 {
        return Err(format!(
            "{CHAPTER}: {} oscore-context blocks, expected 6",
            out.len()
        ));
    }
    Ok(out)
}

fn sealing(block: &Block, contexts: &BTreeMap<String, Context>) -> Result<Sealing, String> {
    let id = block.get("id")?;
    let name = id.split_once('.').map_or(id, |(_, rest)| rest).to_string();
    let context = contexts
        .get(block.get("context")?)
        .ok_or_else(|| format!("{}: unknown context", block.at))?;
    let sealer_id = block.get("sender_id")?;
    let sealer = context.seen_by(sealer_id)?;
    // The opener holds the same context from the other side: its Recipient ID is the sealer's.
    let opener = context.seen_by(&sealer.recipient_id)?;
    if (block.get("master_secret")?, block.get("master_salt")?)
        != (context.secret.as_str(), context.salt.as_str())
    {
        return Err(format!(
            "{}: inputs differ from context {}",
            block.at, context.name
        ));
    }
    Ok(Sealing {
        name,
        context: context.name.clone(),
        sealer,
        opener,
        message_id: block.number("message_id")?,
        aad: aad_fields(block)?,
        plaintext: block.opt("plaintext").map(str::to_string),
        sealed: block.get("sealed")?.to_string(),
    })
}

fn context_vectors(contexts: &BTreeMap<String, Context>) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for c in contexts.values() {
        let Response::Context {
            sender_key,
            recipient_key,
            common_iv,
            ..
        } = &c.derived
        else {
            unreachable!("contexts hold context responses");
        };
        // Each side of the context: the peer derives the same keys in swapped roles.
        for (suffix, own, swapped) in [("", &c.sender_id, false), (".peer", &c.recipient_id, true)]
        {
            let id = format!("protocol.contexts.{}{suffix}", c.name);
            let request = Request::DeriveContext {
                id: id.clone(),
                context: c.seen_by(own)?,
            };
            let (s, r) = if swapped {
                (recipient_key, sender_key)
            } else {
                (sender_key, recipient_key)
            };
            let stated = Response::Context {
                id: id.clone(),
                sender_key: s.clone(),
                recipient_key: r.clone(),
                common_iv: common_iv.clone(),
            };
            let expect = respond(agreed(&request, stated).map_err(|e| format!("{id}: {e}"))?);
            out.push(vector(
                format!(
                    "the keys and Common IV of the context `{}` of {CHAPTER} §13.3.1, derived by the \
                     side whose Sender ID is `{own}`",
                    c.name
                ),
                &["IOTP-SEC-61"],
                Level::Must,
                Operation::DeriveContext,
                request,
                expect,
            ));
        }
    }
    let base = contexts.get("sec-8.5.8").ok_or("no context sec-8.5.8")?;
    for (which, sender, recipient) in [
        ("sender", "0123456789abcdef", "02"),
        ("recipient", "01", "0123456789abcdef"),
    ] {
        let id = format!("protocol.contexts.{which}-id-8-bytes");
        let request = Request::DeriveContext {
            id: id.clone(),
            context: ContextInputs {
                master_secret: base.secret.clone(),
                master_salt: base.salt.clone(),
                sender_id: sender.into(),
                recipient_id: recipient.into(),
            },
        };
        check_refusal(&request, "sender-id-length")?;
        out.push(vector(
            format!(
                "a {which} ID of 8 bytes, for which the 13-byte nonce has no room: no context is \
                 derived"
            ),
            &["IOTP-SEC-55"],
            Level::Must,
            Operation::DeriveContext,
            request,
            refuse("sender-id-length"),
        ));
    }
    Ok(out)
}

/// Requirements that a sealing vector tests besides the associated data and the nonce.
fn seal_requirements(name: &str) -> Vec<&'static str> {
    let mut r = vec!["IOTP-SEC-65", "IOTP-SEC-69"];
    match name {
        "piv-max" => r.push("IOTP-SEC-70"),
        "sender-id-7" | "sender-id-empty" => r.push("IOTP-SEC-55"),
        "notification-new-context" => r.push("IOTP-SEC-164"),
        "previous-sender" => r.push("IOTP-SEC-163"),
        "pairing-commission" | "pairing-commission-reply" => r.push("IOTP-SEC-135"),
        _ => {}
    }
    r
}

fn seal_request(id: &str, s: &Sealing, message_id: u64, plaintext: &str) -> Request {
    Request::Seal {
        id: id.to_string(),
        context: s.sealer.clone(),
        message_id,
        sealed_aad: s.aad.clone(),
        plaintext: plaintext.to_string(),
    }
}

fn sealing_vectors(
    seals: &[Sealing],
    refused: &[&Block],
    contexts: &BTreeMap<String, Context>,
) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for s in seals {
        let id = format!("protocol.sealing.{}", s.name);
        let plaintext = s
            .plaintext
            .as_deref()
            .ok_or(format!("{id}: no plaintext"))?;
        let request = seal_request(&id, s, s.message_id, plaintext);
        let stated = Response::Sealed {
            id: id.clone(),
            sealed: s.sealed.clone(),
        };
        let expect = respond(agreed(&request, stated).map_err(|e| format!("{id}: {e}"))?);
        out.push(vector(
            format!(
                "the envelope `seal.{}` of {CHAPTER} §13.3.2 (context `{}`, message_id {}): its \
                 sealed bytes",
                s.name, s.context, s.message_id
            ),
            &seal_requirements(&s.name),
            Level::Must,
            Operation::Seal,
            request,
            expect,
        ));
    }
    for b in refused {
        let name = b
            .get("id")?
            .split_once('.')
            .map_or("", |(_, n)| n)
            .to_string();
        let id = format!("protocol.sealing.{name}");
        let context = contexts
            .get(b.get("context")?)
            .ok_or_else(|| format!("{}: unknown context", b.at))?;
        let sender_id = b.get("sender_id")?;
        let message_id = b.number("message_id")?;
        let class = b.get("failure")?;
        let request = Request::Seal {
            id: id.clone(),
            context: context.seen_by(sender_id)?,
            message_id,
            // A reply to the peer's first request, so that the associated data is valid and only
            // the message_id is out of range.
            sealed_aad: SealedAadFields {
                request_key_id: context.seen_by(sender_id)?.recipient_id,
                request_message_id: 0,
                version: 1,
                sender: None,
                recipient: None,
            },
            // The smallest Body, `{"describe": {}}`: what is sealed does not matter.
            plaintext: "a109a0".into(),
        };
        check_refusal(&request, class).map_err(|e| format!("{id}: {e}"))?;
        out.push(vector(
            format!(
                "`{}` of {CHAPTER} §13.3.3: message_id {message_id} has no 5-byte Partial IV and \
                 must not be sealed",
                b.get("id")?
            ),
            &["IOTP-SEC-70"],
            Level::Must,
            Operation::Seal,
            request,
            refuse(class),
        ));
    }
    Ok(out)
}

/// An `open` vector whose results are stated; the reference engine must agree.
fn open_vector(
    id: &str,
    description: String,
    requirements: &[&str],
    opener: &ContextInputs,
    envelopes: Vec<SealedEnvelope>,
    results: Vec<OpenResult>,
) -> Result<Vector, String> {
    let request = Request::Open {
        id: id.to_string(),
        context: opener.clone(),
        envelopes,
    };
    let stated = Response::Opened {
        id: id.to_string(),
        results,
    };
    let expect = respond(agreed(&request, stated).map_err(|e| format!("{id}: {e}"))?);
    Ok(vector(
        description,
        requirements,
        Level::Must,
        Operation::Open,
        request,
        expect,
    ))
}

/// The envelope that `s` seals at another `message_id`, sealed by the reference engine.
fn resealed(s: &Sealing, message_id: u64) -> Result<SealedEnvelope, String> {
    let plaintext = s.plaintext.as_deref().ok_or("no plaintext")?;
    let mut aad = s.aad.clone();
    // A request names itself in its associated data.
    aad.request_message_id = message_id;
    let mut moved = s.clone();
    moved.aad = aad.clone();
    match reference(&seal_request("reseal", &moved, message_id, plaintext))? {
        Response::Sealed { sealed, .. } => Ok(SealedEnvelope {
            message_id,
            sealed_aad: aad,
            sealed,
        }),
        other => Err(format!("resealing at {message_id}: {other:?}")),
    }
}

/// `sealed` with the lowest bit of its first byte flipped.
fn tampered(envelope: &SealedEnvelope) -> Result<SealedEnvelope, String> {
    let mut bytes = super::spec_blocks::hex_bytes(&envelope.sealed)?;
    bytes[0] ^= 1;
    Ok(SealedEnvelope {
        sealed: hex(&bytes),
        ..envelope.clone()
    })
}

fn opening_vectors(
    seals: &[Sealing],
    fails: &[Sealing],
    fail_blocks: &[&Block],
) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for s in seals {
        let plaintext = s.plaintext.as_deref().unwrap_or_default();
        out.push(open_vector(
            &format!("protocol.opening.seal.{}", s.name),
            format!(
                "the envelope `seal.{}` of {CHAPTER} §13.3.2 opened by its recipient, then the same \
                 envelope again: a duplicate, not decrypted",
                s.name
            ),
            &["IOTP-SEC-65", "IOTP-SEC-75"],
            &s.opener,
            vec![s.envelope(), s.envelope()],
            vec![opened(plaintext), failed("duplicate")],
        )?);
    }
    for (f, b) in fails.iter().zip(fail_blocks) {
        // The genuine envelope of the same sealer and message_id, when the chapter has one: it must
        // still open after the failure, which changed nothing (IOTP-SEC-76).
        let twin = seals.iter().find(|s| {
            s.context == f.context
                && s.sealer == f.sealer
                && s.message_id == f.message_id
                && s.opener == f.opener
        });
        let (first, description) = match b.get("failure")? {
            "aead" => (failed("aead"), "does not decrypt"),
            // Decrypts to an empty plaintext, which is no Body (§8.5.6 step 6): the window has
            // recorded the message_id.
            "body" => (opened(""), "decrypts to a plaintext that is no Body"),
            other => return Err(format!("{}: unknown failure `{other}`", b.at)),
        };
        let mut envelopes = vec![f.envelope()];
        let mut results = vec![first.clone()];
        let mut then = String::new();
        if let Some(t) = twin {
            envelopes.push(t.envelope());
            if first.failure.is_some() {
                results.push(opened(t.plaintext.as_deref().unwrap_or_default()));
                then = format!("; then `seal.{}` still opens", t.name);
            } else {
                results.push(failed("duplicate"));
                then = format!("; then `seal.{}` is a duplicate of it", t.name);
            }
        }
        out.push(open_vector(
            &format!("protocol.opening.open.{}", f.name),
            format!(
                "`{}` of {CHAPTER} §13.3.3 {description}{then}",
                b.get("id")?
            ),
            &["IOTP-SEC-65", "IOTP-SEC-76", "IOTP-SEC-84"],
            &f.opener,
            envelopes,
            results,
        )?);
    }
    out.extend(negative_vectors(seals)?);
    Ok(out)
}

/// The negative vectors of the issue that chapter 13 does not give, around its envelopes.
fn negative_vectors(seals: &[Sealing]) -> Result<Vec<Vector>, String> {
    let find = |name: &str| {
        seals
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| format!("{CHAPTER} has no envelope seal.{name}"))
    };
    let request = find("request-8.5.8")?;
    let reply = find("reply-8.5.8")?;
    let mut out = Vec::new();

    // One field of the associated data differs on the opening side; the genuine envelope opens
    // afterwards.
    type Flip = fn(&mut SealedAadFields);
    let flips: [(&Sealing, &str, &str, Flip); 8] = [
        (
            request,
            "request.sender",
            "`sender` names another node",
            |a| a.sender = Some("app@example.net".into()),
        ),
        (request, "request.version", "`version` is 2", |a| {
            a.version = 2
        }),
        (
            request,
            "request.request-message-id",
            "`request_message_id` is one more",
            |a| a.request_message_id += 1,
        ),
        (
            request,
            "request.request-key-id",
            "`request_key_id` is 05",
            |a| a.request_key_id = "05".into(),
        ),
        (
            reply,
            "reply.request-key-id",
            "`request_key_id` is 05 (a wrong request_key_id)",
            |a| a.request_key_id = "05".into(),
        ),
        (
            reply,
            "reply.request-message-id",
            "`request_message_id` (the correlation_id) is one more",
            |a| a.request_message_id += 1,
        ),
        (reply, "reply.sender-absent", "`sender` is left out", |a| {
            a.sender = None
        }),
        (
            reply,
            "reply.recipient",
            "`recipient` names another node",
            |a| a.recipient = Some("app@example.org".into()),
        ),
    ];
    for (s, name, what, flip) in flips {
        let mut forged = s.envelope();
        flip(&mut forged.sealed_aad);
        out.push(open_vector(
            &format!("protocol.opening.aad-flipped.{name}"),
            format!(
                "`seal.{}` opened with associated data in which {what}: it does not decrypt; then \
                 with the right associated data it opens",
                s.name
            ),
            &["IOTP-SEC-65", "IOTP-SEC-76"],
            &s.opener,
            vec![forged, s.envelope()],
            vec![
                failed("aead"),
                opened(s.plaintext.as_deref().unwrap_or_default()),
            ],
        )?);
    }

    // The envelope's key_id rewritten from 01 to 03: the opener uses a context whose Recipient ID is
    // 03, derived from the same Master Secret.
    let mut wrong = request.opener.clone();
    wrong.recipient_id = "03".into();
    let mut envelope = request.envelope();
    envelope.sealed_aad.request_key_id = "03".into();
    out.push(open_vector(
        "protocol.opening.wrong-key-id",
        format!(
            "`seal.{}` with its key_id rewritten to 03, opened under the context whose Recipient ID \
             is 03: another key and nonce, it does not decrypt",
            request.name
        ),
        &["IOTP-SEC-65", "IOTP-SEC-76"],
        &wrong,
        vec![envelope],
        vec![failed("aead")],
    )?);

    // A message_id beyond the Partial IV is refused before any decryption.
    // The reply, whose associated data stays valid (it names the request's message_id).
    let mut beyond = reply.envelope();
    beyond.message_id = PIV_LIMIT;
    out.push(open_vector(
        "protocol.opening.message-id-range",
        format!(
            "`seal.{}` received with message_id 2^40, which no sealer may use: refused",
            reply.name
        ),
        &["IOTP-SEC-70"],
        &reply.opener,
        vec![beyond],
        vec![failed("message-id-range")],
    )?);

    // The replay window accepts what it has not seen within 32 values below the highest, and
    // recognises what it has (IOTP-SEC-83: a window of at least 32).
    let piv0 = find("piv-0")?;
    let body = piv0.plaintext.as_deref().unwrap_or_default();
    let at = |m: u64| resealed(piv0, m);
    out.push(open_vector(
        "protocol.opening.replay.window",
        "the read of `seal.piv-0` sealed at message_id 100, 90 and 69 (31 below the highest) opens \
         in that order; the same envelopes at 100 and 69 again are duplicates"
            .into(),
        &["IOTP-SEC-75", "IOTP-SEC-83"],
        &piv0.opener,
        vec![at(100)?, at(90)?, at(69)?, at(100)?, at(69)?],
        vec![
            opened(body),
            opened(body),
            opened(body),
            failed("duplicate"),
            failed("duplicate"),
        ],
    )?);
    // A forgery far ahead must not move the window (the one-packet denial of service fixed in
    // spec 1.1), nor use up its message_id.
    out.push(open_vector(
        "protocol.opening.replay.forged-ahead",
        "a forged envelope at message_id 1000 does not decrypt and moves nothing: the genuine \
         envelopes at 100 and then at 1000 open"
            .into(),
        &["IOTP-SEC-76", "IOTP-SEC-84"],
        &piv0.opener,
        vec![tampered(&at(1000)?)?, at(100)?, at(1000)?],
        vec![failed("aead"), opened(body), opened(body)],
    )?);
    Ok(out)
}

/// The vector files `protocol.contexts`, `protocol.sealing` and `protocol.opening`.
pub(crate) fn files() -> Result<Vec<VectorFile>, String> {
    let all = blocks(CHAPTER, TEXT, "iotp-vector")?;
    let contexts = contexts(&all)?;
    let of_kind = |kind: &str| -> Vec<&Block> {
        all.iter().filter(|b| b.opt("kind") == Some(kind)).collect()
    };
    let seals = of_kind("seal")
        .into_iter()
        .map(|b| sealing(b, &contexts))
        .collect::<Result<Vec<_>, _>>()?;
    let fail_blocks: Vec<&Block> = of_kind("open-fail");
    let fails = fail_blocks
        .iter()
        .map(|b| sealing(b, &contexts))
        .collect::<Result<Vec<_>, _>>()?;
    let refused = of_kind("seal-refused");
    if seals.len() < 12 || fails.len() < 7 || refused.is_empty() {
        return Err(format!(
            "{CHAPTER}: {} seal, {} open-fail and {} seal-refused blocks; expected 12, 7 and 1",
            seals.len(),
            fails.len(),
            refused.len()
        ));
    }
    Ok(vec![
        file(
            "protocol.contexts",
            "security contexts derived as RFC 8613 §3.2 (spec §8.4.5): every context of spec chapter \
             13, from both sides, and identifiers too long for the nonce (request `derive-context`, \
             protocol version 2)",
            context_vectors(&contexts)?,
        ),
        file(
            "protocol.sealing",
            "envelopes sealed with AES-CCM-16-64-128 (spec §8.5): every sealed envelope of spec \
             chapter 13, and a message_id that must not be sealed (request `seal`, protocol \
             version 2)",
            sealing_vectors(&seals, &refused, &contexts)?,
        ),
        file(
            "protocol.opening",
            "envelopes opened (spec §8.5.6) under a context with its replay window (§8.6.2): every \
             envelope of spec chapter 13 and every one that must not open, flipped fields of the \
             associated data, wrong key identifiers, replays and forgeries that must move nothing \
             (request `open`, protocol version 2)",
            opening_vectors(&seals, &fails, &fail_blocks)?,
        ),
    ])
}
