//! Vectors of node IDs and signed statements (spec §2.8.1, §8.2), for the requests `node-id`,
//! `verify-statement` and `sign-statement` of protocol version 2.
//!
//! Every `node-id` block of spec chapter 13 (§13.4.1) and of §8.5.8.1, every `signed-statement` and
//! `statement-fail` block (§13.5.2, §13.5.3) and every `ccs` block (§13.4.2) is read from the spec's
//! text; the expected node IDs, texts and facts of a statement are the blocks' (the facts from
//! `payload_json`), and the reference engine must reproduce them or the generation fails. The
//! negative vectors that the chapter does not give break one rule each around its statements (a
//! stale serial or sequence, another bound address, swapped or missing signatures, a flipped
//! signature byte, a truncated statement, a time past `not_after`, ...): their outcomes are stated
//! here and the engine must agree. The only statements made here are the credential statements of
//! the controller and the app, holding the `ccs` blocks' credentials, signed with the chapter's test
//! keys (RFC 6979 makes the signatures reproducible).
//!
//! Every signature of the chapter's statements is also a `sign-statement` vector: the signer's `d`
//! and the `payload` give the chapter's `signature` byte for byte when the nonce is RFC 6979's, which
//! [IOTP-SEC-4] recommends; those vectors are SHOULD vectors for that reason. The messages of the
//! `ecdsa` blocks (§13.5.1), which are no statements, must not be signed at all ([IOTP-SEC-3]).

use iotp2p_codec::prelude::*;
use iotp2p_codec::runtime::UnknownFields;
use iotp2p_codec::security::{
    CredentialStatement, KeyAlgorithm, PublicKey, Signature, SignedStatement, Statement,
};
use iotp2p_protocol::security::identity::IdentityKey;
use serde_json::Value;

use super::engine::{agreed, file, respond, stated, vector};
use super::spec_blocks::{blocks, hex_bytes, Block};
use crate::protocol::{PublicKeyCoordinates, Request, Response, VerifierState};
use crate::suite::hex;
use crate::vector::{Level, Operation, Vector, VectorFile};

const CHAPTER: &str = "spec/13-security-test-vectors.md";
const TEXT: &str = include_str!("../../../spec/13-security-test-vectors.md");
const SECURITY: &str = "spec/08-security.md";
const SECURITY_TEXT: &str = include_str!("../../../spec/08-security.md");

/// The prime of P-256's field: no coordinate may reach it.
const P: &str = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

/// One `node-id` block.
struct Key {
    /// The chapter's `name`, or where the block is for those of §8.5.8.1.
    name: String,
    /// The private key, for the keys of chapter 13.
    d: Option<String>,
    coordinates: PublicKeyCoordinates,
    node_id: String,
    text: String,
}

fn keys() -> Result<Vec<Key>, String> {
    let mut out = Vec::new();
    for (chapter, text) in [(CHAPTER, TEXT), (SECURITY, SECURITY_TEXT)] {
        let all = blocks(chapter, text, "iotp-vector")?;
        let found = all.iter().filter(|b| b.opt("kind") == Some("node-id"));
        for (i, b) in found.enumerate() {
            out.push(Key {
                name: match b.opt("name") {
                    Some(name) => name.to_string(),
                    None => format!("sec-8.5.8.1.{}", i + 1),
                },
                d: b.opt("d").map(str::to_string),
                coordinates: PublicKeyCoordinates {
                    x: b.get("x")?.into(),
                    y: b.get("y")?.into(),
                },
                node_id: b.get("node_id")?.into(),
                text: b.get("text")?.into(),
            });
        }
    }
    if out.len() != 7 {
        return Err(format!(
            "{} node-id blocks in {CHAPTER} and {SECURITY}, expected 7",
            out.len()
        ));
    }
    Ok(out)
}

fn key<'k>(keys: &'k [Key], name: &str) -> Result<&'k Key, String> {
    keys.iter()
        .find(|k| k.name == name)
        .ok_or_else(|| format!("{CHAPTER}: no node-id block named {name}"))
}

/// The key whose node ID is `node` (hex).
fn key_of<'k>(keys: &'k [Key], node: &str) -> Result<&'k Key, String> {
    keys.iter()
        .find(|k| k.node_id == node)
        .ok_or_else(|| format!("{CHAPTER}: no node-id block for the node ID {node}"))
}

fn node_id_vector(
    name: &str,
    description: String,
    requirements: &[&str],
    key: Option<PublicKeyCoordinates>,
    text: Option<String>,
    outcome: Result<&Key, &str>,
) -> Result<Vector, String> {
    let id = format!("protocol.node-ids.{name}");
    let request = Request::NodeId {
        id: id.clone(),
        key,
        text,
    };
    let outcome = outcome.map(|k| Response::NodeId {
        id,
        node_id: k.node_id.clone(),
        text: k.text.clone(),
    });
    stated(
        description,
        requirements,
        Operation::NodeId,
        request,
        outcome,
    )
}

/// `text` in groups of four separated by `-`.
fn grouped(text: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

fn node_id_vectors(keys: &[Key]) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for k in keys {
        let source = if k.d.is_some() {
            format!("`{}` of {CHAPTER} §13.4.1", k.name)
        } else {
            format!("{} of {SECURITY}", k.name)
        };
        out.push(node_id_vector(
            &format!("key.{}", k.name),
            format!("the node ID of the identity key {source}, and its text"),
            &["IOTP-SEC-127", "IOTP-SEC-128"],
            Some(k.coordinates.clone()),
            None,
            Ok(k),
        )?);
        out.push(node_id_vector(
            &format!("text.{}", k.name),
            format!("the text of the node ID of {source}, parsed"),
            &["IOTP-SEC-128", "IOTP-ADDR-41"],
            None,
            Some(k.text.clone()),
            Ok(k),
        )?);
        out.push(node_id_vector(
            &format!("text.{}.grouped", k.name),
            format!(
                "the text of the node ID of {source} in groups of four separated by `-` (spec \
                 §2.8.1): the same node ID"
            ),
            &["IOTP-SEC-128", "IOTP-ADDR-41"],
            None,
            Some(grouped(&k.text)),
            Ok(k),
        )?);
    }
    let lamp = key(keys, "lamp")?;
    let (x, y) = (&lamp.coordinates.x, &lamp.coordinates.y);
    let mut off_curve = hex_bytes(y)?;
    off_curve[31] ^= 1;
    let bad_keys = [
        (
            "off-curve",
            "the lamp's key with the last bit of y flipped: not a point of P-256",
            x.clone(),
            hex(&off_curve),
        ),
        (
            "x-is-p",
            "x = p, the field's prime: not an element of the field",
            P.into(),
            y.clone(),
        ),
        (
            "zero",
            "(0, 0), which some encodings use for the point at infinity: not on P-256",
            "00".repeat(32),
            "00".repeat(32),
        ),
        (
            "x-short",
            "an x-coordinate of 31 bytes",
            x[2..].into(),
            y.clone(),
        ),
    ];
    for (name, what, x, y) in bad_keys {
        out.push(node_id_vector(
            &format!("key.{name}"),
            format!("{what}: no identity key, no node ID"),
            &["IOTP-SEC-1"],
            Some(PublicKeyCoordinates { x, y }),
            None,
            Err("invalid-key"),
        )?);
    }
    let text = &lamp.text;
    // The last character carries one bit of the node ID and four padding bits, which must be 0.
    let last = text.as_bytes()[51];
    let padded_last = char::from(if last == b'7' { b'6' } else { last + 1 });
    let mut misgrouped: Vec<char> = grouped(text).chars().collect();
    misgrouped.swap(4, 5);
    let misgrouped: String = misgrouped.into_iter().collect();
    let bad_texts = [
        (
            "uppercase",
            "the lamp's node ID in uppercase (the text form is lowercase)".to_string(),
            text.to_uppercase(),
        ),
        (
            "padding-bits",
            format!("the lamp's node ID with its last character `{padded_last}`, whose padding bits are not 0"),
            format!("{}{padded_last}", &text[..51]),
        ),
        (
            "padded",
            "the lamp's node ID with `====` padding (the text form has none)".into(),
            format!("{text}===="),
        ),
        (
            "length-51",
            "the lamp's node ID without its last character".into(),
            text[..51].into(),
        ),
        (
            "length-53",
            "the lamp's node ID with one more character".into(),
            format!("{text}a"),
        ),
        (
            "digit-1",
            "the lamp's node ID with a `1`, which is not in the base32 alphabet".into(),
            format!("1{}", &text[1..]),
        ),
        (
            "misgrouped",
            "the lamp's node ID with the first `-` one character late".into(),
            misgrouped,
        ),
        (
            "group-separator-only",
            "the lamp's node ID with a `-` after its last group".into(),
            format!("{}-", grouped(text)),
        ),
    ];
    for (name, what, t) in bad_texts {
        out.push(node_id_vector(
            &format!("text.{name}"),
            format!("{what}: not a node ID"),
            &["IOTP-SEC-128", "IOTP-ADDR-41", "IOTP-ADDR-44"],
            None,
            Some(t),
            Err("invalid-text"),
        )?);
    }
    Ok(out)
}

/// One `signed-statement` or `statement-fail` block.
struct Signed {
    /// The block's `id`.
    name: String,
    /// The kind, as the block names it.
    kind: String,
    /// The `Statement` in canonical JSON: `{kind: {...}}`.
    json: Value,
    /// The signers' names, in order.
    signers: Vec<String>,
    /// The encoded `SignedStatement`, hex.
    signed: String,
    /// For `statement-fail`: the check that refuses it.
    failure: Option<String>,
}

impl Signed {
    fn of(block: &Block) -> Result<Signed, String> {
        let json = serde_json::from_str(block.get("payload_json")?)
            .map_err(|e| format!("{}: payload_json: {e}", block.at))?;
        Ok(Signed {
            name: block.get("id")?.into(),
            kind: block.get("statement")?.into(),
            json,
            signers: ["signer_1", "signer_2"]
                .iter()
                .filter_map(|n| block.opt(n))
                .map(str::to_string)
                .collect(),
            signed: block.get("signed_statement")?.into(),
            failure: block.opt("failure").map(str::to_string),
        })
    }

    /// The member `name` of the payload's statement.
    fn member(&self, name: &str) -> &Value {
        &self.json[&self.kind][name]
    }

    /// A text member.
    fn text(&self, name: &str) -> Result<String, String> {
        self.member(name)
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{}: payload_json has no text `{name}`", self.name))
    }

    /// The node ID of a `PublicKey` member, by the `node-id` block whose x it is.
    fn key_node(&self, keys: &[Key], name: &str) -> Result<String, String> {
        let x = self.member(name)["x"].as_str().unwrap_or_default();
        keys.iter()
            .find(|k| k.coordinates.x == x)
            .map(|k| k.node_id.clone())
            .ok_or_else(|| format!("{}: `{name}` is the key of no node-id block", self.name))
    }

    /// The node the statement is about.
    fn node(&self, keys: &[Key]) -> Result<String, String> {
        match self.kind.as_str() {
            "credential" => self.key_node(keys, "identity_key"),
            "key_rotation" => self.text("previous_node"),
            "introduction" => self.text("subject"),
            _ => self.text("node"),
        }
    }

    fn signer_keys<'k>(&self, keys: &'k [Key]) -> Result<Vec<&'k Key>, String> {
        self.signers.iter().map(|n| key(keys, n)).collect()
    }

    /// The facts a receiver extracts, from `payload_json` and the signers' `node-id` blocks.
    fn facts(&self, id: &str, keys: &[Key]) -> Result<Response, String> {
        let number = |name: &str| self.member(name).as_u64();
        let small = |name: &str| number(name).and_then(|n| u32::try_from(n).ok());
        let text = |name: &str| self.member(name).as_str().map(str::to_string);
        Ok(Response::Verified {
            id: id.into(),
            kind: self.kind.clone(),
            node: self.node(keys)?,
            signers: self
                .signer_keys(keys)?
                .iter()
                .map(|k| k.node_id.clone())
                .collect(),
            issued_at: number("issued_at"),
            serial: small("serial"),
            sequence: small("sequence"),
            address: match self.kind.as_str() {
                "rehoming" => text("new_address"),
                "introduction" => text("subject_address"),
                _ => text("address"),
            },
            new_node: match self.kind.as_str() {
                "key_rotation" => Some(self.key_node(keys, "new_identity_key")?),
                _ => None,
            },
            audience: text("audience"),
            not_after: number("not_after"),
        })
    }

    /// What a receiver that accepts the statement holds: the signers' keys, the administrators the
    /// kind needs, the bound address of a re-homing, and for an introduction the subject's view at
    /// the time it was issued.
    fn state(&self, keys: &[Key]) -> Result<VerifierState, String> {
        let node = self.node(keys)?;
        let signers = self.signer_keys(keys)?;
        let mut state = VerifierState {
            known_keys: match self.kind.as_str() {
                // Self-signed: the key is in the payload.
                "credential" => Vec::new(),
                // The new key is in the payload; the previous one is held.
                "key_rotation" => vec![key_of(keys, &node)?.coordinates.clone()],
                _ => signers.iter().map(|k| k.coordinates.clone()).collect(),
            },
            ..VerifierState::default()
        };
        match self.kind.as_str() {
            "rehoming" => state.bound_address = Some(self.text("previous_address")?),
            "revocation" | "introduction" => {
                state.administrators = signers
                    .iter()
                    .filter(|k| k.node_id != node)
                    .map(|k| k.node_id.clone())
                    .collect();
            }
            _ => {}
        }
        if self.kind == "introduction" {
            state.role = Some("subject".into());
            state.own = Some(node);
            state.peer = Some(self.text("audience")?);
            state.now = self.member("issued_at").as_u64();
        }
        Ok(state)
    }
}

/// Classes of the `failure` items of `statement-fail` blocks.
fn failure_class(failure: &str) -> Result<&'static str, String> {
    match failure {
        "signature" => Ok("bad-signature"),
        "signers" => Ok("wrong-signer"),
        "ccs-sub" => Ok("ccs-sub"),
        other => Err(format!("{CHAPTER}: unknown statement failure `{other}`")),
    }
}

fn statement_vector(
    name: &str,
    description: String,
    requirements: &[&str],
    kind: &str,
    statement: String,
    verifier: VerifierState,
    outcome: Result<Response, &str>,
) -> Result<Vector, String> {
    let id = format!("protocol.statements.{name}");
    let outcome = outcome.map(|mut r| {
        if let Response::Verified { id: rid, .. } = &mut r {
            *rid = id.clone();
        }
        r
    });
    let request = Request::VerifyStatement {
        id,
        kind: kind.into(),
        statement,
        verifier,
    };
    stated(
        description,
        requirements,
        Operation::VerifyStatement,
        request,
        outcome,
    )
}

/// The requirement IDs of a statement's verification, by kind.
fn kind_requirements(kind: &str) -> &'static [&'static str] {
    match kind {
        "credential" => &["IOTP-SEC-13", "IOTP-SEC-14", "IOTP-SEC-15", "IOTP-SEC-128"],
        "rehoming" => &["IOTP-SEC-13", "IOTP-SEC-14", "IOTP-SEC-15", "IOTP-SEC-187"],
        "key_rotation" => &["IOTP-SEC-13", "IOTP-SEC-14", "IOTP-SEC-15", "IOTP-SEC-119"],
        "revocation" => &["IOTP-SEC-13", "IOTP-SEC-14", "IOTP-SEC-15", "IOTP-SEC-124"],
        _ => &["IOTP-SEC-13", "IOTP-SEC-14", "IOTP-SEC-15", "IOTP-SEC-183"],
    }
}

/// A signature of a re-encoded statement: its signer and value.
type Sig = ([u8; 32], [u8; 64]);

/// The payload and signatures of an encoded `SignedStatement`.
fn parts(signed: &str) -> Result<(Vec<u8>, Vec<Sig>), String> {
    let bytes = hex_bytes(signed)?;
    let decoded = SignedStatement::decode(&bytes).map_err(|e| e.to_string())?;
    let sigs = decoded
        .signatures
        .iter()
        .map(|s| (*s.signer, *s.value))
        .collect();
    Ok((decoded.payload.to_vec(), sigs))
}

/// The encoded `SignedStatement` of `payload` with `sigs`, hex.
fn assemble(payload: &[u8], sigs: &[Sig]) -> Result<String, String> {
    let signatures: Vec<Signature<'_>> = sigs
        .iter()
        .map(|(signer, value)| Signature {
            signer,
            value,
            unknown_fields: UnknownFields::NONE,
        })
        .collect();
    let signed = SignedStatement {
        payload,
        signatures: signatures.as_slice().into(),
        unknown_fields: UnknownFields::NONE,
    };
    let mut out = vec![0u8; signed.encoded_len()];
    let n = signed.encode(&mut out).map_err(|e| e.to_string())?;
    Ok(hex(&out[..n]))
}

/// `statement` signed by `signer` (ES256 with the nonce of RFC 6979), hex.
fn sign(statement: &Statement<'_>, signer: &Key) -> Result<String, String> {
    let mut payload = vec![0u8; statement.encoded_len()];
    let n = statement.encode(&mut payload).map_err(|e| e.to_string())?;
    let d: [u8; 32] = hex_bytes(signer.d.as_deref().ok_or("a key without d")?)?
        .try_into()
        .map_err(|_| "d is not 32 bytes")?;
    let key = IdentityKey::from_bytes(&d).map_err(|e| e.to_string())?;
    let value = key.sign_payload(&payload[..n]).map_err(|e| e.to_string())?;
    assemble(&payload[..n], &[(*key.node_id().as_bytes(), value)])
}

fn chapter_vectors(signed: &[Signed], keys: &[Key]) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    for s in signed {
        let (section, outcome, verdict) = match &s.failure {
            None => ("§13.5.2", Ok(s.facts("", keys)?), "accepted".to_string()),
            Some(f) => {
                let class = failure_class(f)?;
                ("§13.5.3", Err(class), format!("refused (`{f}`)"))
            }
        };
        let mut requirements = kind_requirements(&s.kind).to_vec();
        if s.failure.as_deref() == Some("ccs-sub") {
            requirements.push("IOTP-SEC-127");
        }
        out.push(statement_vector(
            &s.name,
            format!(
                "the statement `{}` of {CHAPTER} {section} ({}, signed by {}), verified by a \
                 receiver that holds the signers' keys: {verdict}",
                s.name,
                s.kind,
                s.signers.join(" and ")
            ),
            &requirements,
            &s.kind,
            s.signed.clone(),
            s.state(keys)?,
            outcome,
        )?);
    }
    Ok(out)
}

/// How a derived vector changes the receiver's state or the statement; keys by their `name`.
#[derive(Clone, Copy)]
enum Edit {
    /// The receiver holds a credential statement of the node with this serial.
    Held(u32),
    /// The node of this key was rotated away.
    RotatedAway(&'static str),
    /// The receiver expects a statement of this kind (and has bound the lamp's first address).
    Kind(&'static str),
    /// The first signature's `signer` names this key's node.
    SignerIs(&'static str),
    /// No signature.
    NoSignature,
    /// Only the first signature.
    FirstOnly,
    /// Only the second signature.
    SecondOnly,
    /// The second signature in both places.
    SecondTwice,
    /// The two signatures swapped.
    Swapped,
    /// The statement without its last byte.
    Truncated,
    /// The receiver accepted a re-homing with this sequence before.
    Sequence(u32),
    /// The receiver has bound the node to this address.
    Bound(&'static str),
    /// The receiver holds no key.
    NoKeys,
    /// The receiver has no administrators.
    NoAdministrators,
    /// The subject's clock.
    Now(Option<u64>),
    /// The subject accepted this serial of the introducer before.
    Accepted(u32),
    /// The receiver's own node.
    Own(&'static str),
    /// The peer of the context that carried the introduction.
    Peer(&'static str),
    /// The subject's revocation list holds this node.
    Revoked(&'static str),
    /// The introduction is received by this node as its audience.
    Audience(&'static str),
}

impl Edit {
    fn apply(
        self,
        state: &mut VerifierState,
        sigs: &mut Vec<Sig>,
        keys: &[Key],
    ) -> Result<(), String> {
        let node = |name| key(keys, name).map(|k| k.node_id.clone());
        match self {
            Edit::Held(serial) => state.held_serial = Some(serial),
            Edit::RotatedAway(name) => state.rotated_away = vec![node(name)?],
            Edit::Kind(_) => state.bound_address = Some("lamp@home.example.org".into()),
            Edit::SignerIs(name) => {
                sigs[0].0 = hex_bytes(&node(name)?)?
                    .try_into()
                    .map_err(|_| "a node ID of another length")?;
            }
            Edit::NoSignature => sigs.clear(),
            Edit::FirstOnly => sigs.truncate(1),
            Edit::SecondOnly => {
                sigs.remove(0);
            }
            Edit::SecondTwice => sigs[0] = sigs[1],
            Edit::Swapped => sigs.swap(0, 1),
            Edit::Truncated => {}
            Edit::Sequence(sequence) => state.accepted_sequence = sequence,
            Edit::Bound(address) => state.bound_address = Some(address.into()),
            Edit::NoKeys => state.known_keys.clear(),
            Edit::NoAdministrators => state.administrators.clear(),
            Edit::Now(now) => state.now = now,
            Edit::Accepted(serial) => state.accepted_serials = vec![serial],
            Edit::Own(name) => state.own = Some(node(name)?),
            Edit::Peer(name) => state.peer = Some(node(name)?),
            Edit::Revoked(name) => state.revoked = vec![node(name)?],
            Edit::Audience(name) => {
                *state = VerifierState {
                    known_keys: std::mem::take(&mut state.known_keys),
                    role: Some("audience".into()),
                    own: Some(node(name)?),
                    ..VerifierState::default()
                };
            }
        }
        Ok(())
    }
}

/// One derived vector: its name, the chapter's statement it changes, the change, what it means, the
/// refusal (`None`: accepted with the statement's facts) and the requirements.
type Derived = (
    &'static str,
    &'static str,
    Edit,
    &'static str,
    Option<&'static str>,
    &'static [&'static str],
);

/// The introduction's `not_after` (§13.5.2).
const NOT_AFTER: u64 = 1_796_724_000_000;

fn derived() -> Vec<Derived> {
    use Edit::*;
    let sec_183: &[&str] = &["IOTP-SEC-183"];
    vec![
        ("credential.held-serial-0", "credential", Held(0), "the receiver holds a credential statement of the lamp with serial 0: serial 1 replaces it", None, &["IOTP-SEC-16"]),
        ("credential.stale-serial.same", "credential", Held(1), "the receiver holds a credential statement of the lamp with the same serial 1", Some("stale-serial"), &["IOTP-SEC-16"]),
        ("credential.stale-serial.older", "credential", Held(2), "the receiver holds a credential statement of the lamp with serial 2: the replay of an older one", Some("stale-serial"), &["IOTP-SEC-16"]),
        ("credential.rotated-away", "credential", RotatedAway("lamp"), "the lamp's node ID has been rotated away", Some("rotated-away"), &["IOTP-SEC-121"]),
        ("credential.as-rehoming", "credential", Kind("rehoming"), "the credential statement given where a re-homing statement is expected", Some("wrong-kind"), &["IOTP-SEC-14"]),
        ("credential.signer-not-key", "credential", SignerIs("controller"), "the signature's `signer` names the controller, not the node ID of the key that verifies it", Some("wrong-signer"), &["IOTP-SEC-15"]),
        ("credential.no-signature", "credential", NoSignature, "the credential statement without its signature", Some("signature-count"), &["IOTP-SEC-14"]),
        ("rehoming.stale-sequence", "rehoming", Sequence(1), "the receiver accepted a re-homing of the lamp with sequence 1 before", Some("stale-sequence"), &["IOTP-SEC-187"]),
        ("rehoming.previous-address", "rehoming", Bound("lamp@lamps.example.org"), "the receiver has bound the lamp to lamp@lamps.example.org, not to the statement's previous_address", Some("previous-address"), &["IOTP-SEC-187"]),
        ("rehoming.unknown-signer", "rehoming", NoKeys, "the receiver holds no identity key of the lamp", Some("unknown-signer"), &["IOTP-SEC-14"]),
        ("rehoming.rotated-away", "rehoming", RotatedAway("lamp"), "the lamp's node ID has been rotated away", Some("rotated-away"), &["IOTP-SEC-121"]),
        ("rehoming-countersigned.swapped", "rehoming-countersigned", Swapped, "the two signatures in the wrong order, the administrator's first; both verify", Some("wrong-signer"), &["IOTP-SEC-14"]),
        ("rehoming-countersigned.countersignature-only", "rehoming-countersigned", SecondOnly, "the administrator's signature alone, without the lamp's", Some("wrong-signer"), &["IOTP-SEC-14"]),
        ("key_rotation.previous-only", "key_rotation", FirstOnly, "the previous key's signature alone, without the new key's", Some("signature-count"), &["IOTP-SEC-14", "IOTP-SEC-119"]),
        ("key_rotation.new-twice", "key_rotation", SecondTwice, "the new key's signature in both places", Some("wrong-signer"), &["IOTP-SEC-14", "IOTP-SEC-119"]),
        ("key_rotation.unknown-previous", "key_rotation", NoKeys, "the receiver holds no identity key of the previous node", Some("unknown-signer"), &["IOTP-SEC-14", "IOTP-SEC-119"]),
        ("revocation.not-administrator", "revocation", NoAdministrators, "the controller, which signed it, is no administrator of the receiver", Some("not-administrator"), &["IOTP-SEC-124"]),
        ("revocation.truncated", "revocation", Truncated, "the signed statement without its last byte", Some("malformed"), &["IOTP-SEC-13"]),
        ("introduction.at-not-after", "introduction", Now(Some(NOT_AFTER)), "presented to the subject at the instant of its not_after", None, sec_183),
        ("introduction.expired", "introduction", Now(Some(NOT_AFTER + 1)), "presented to the subject 1 ms after its not_after", Some("expired"), sec_183),
        ("introduction.time-unknown", "introduction", Now(None), "presented to a subject that does not know the time", Some("time-unknown"), sec_183),
        ("introduction.serial-replayed", "introduction", Accepted(1), "the subject accepted the introducer's serial 1 before", Some("serial-replayed"), &["IOTP-SEC-183", "IOTP-SEC-186"]),
        ("introduction.serial-within-window", "introduction", Accepted(2), "the subject accepted the introducer's serial 2 but not 1, which lies within the window of 32", None, &["IOTP-SEC-186"]),
        ("introduction.serial-below-window", "introduction", Accepted(34), "the subject accepted the introducer's serial 34, and serial 1 lies below the window of 32", Some("serial-replayed"), &["IOTP-SEC-186"]),
        ("introduction.not-subject", "introduction", Own("controller"), "presented to the controller, which is not its subject", Some("not-subject"), sec_183),
        ("introduction.not-audience", "introduction", Peer("controller"), "presented to the subject by the controller, which is not its audience", Some("not-audience"), sec_183),
        ("introduction.audience-revoked", "introduction", Revoked("app"), "the app, its audience, is on the subject's revocation list", Some("audience-revoked"), &["IOTP-SEC-183", "IOTP-SEC-192"]),
        ("introduction.not-administrator", "introduction", NoAdministrators, "the controller, which signed it, does not administer the subject", Some("not-administrator"), sec_183),
        ("introduction.at-audience", "introduction", Audience("app"), "received by its audience, the app, which holds the controller's key", None, &["IOTP-SEC-181", "IOTP-SEC-182"]),
        ("introduction.at-other-audience", "introduction", Audience("controller"), "received as its audience by the controller, which is not its audience", Some("not-audience"), &["IOTP-SEC-182"]),
    ]
}

fn derived_vectors(signed: &[Signed], keys: &[Key]) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let find = |name: &str| {
        signed
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| format!("{CHAPTER}: no statement {name}"))
    };
    for (name, of, edit, what, refused, requirements) in derived() {
        let s = find(of)?;
        let mut state = s.state(keys)?;
        let (payload, mut sigs) = parts(&s.signed)?;
        edit.apply(&mut state, &mut sigs, keys)?;
        let mut statement = assemble(&payload, &sigs)?;
        if let Edit::Truncated = edit {
            statement.truncate(statement.len() - 2);
        }
        let kind = match edit {
            Edit::Kind(kind) => kind,
            _ => &s.kind,
        };
        let (outcome, verdict) = match refused {
            Some(class) => (Err(class), format!("refused (`{class}`)")),
            None => (Ok(s.facts("", keys)?), "accepted".into()),
        };
        out.push(statement_vector(
            name,
            format!(
                "the statement `{}` of {CHAPTER} §13.5.2: {what}: {verdict}",
                s.name
            ),
            requirements,
            kind,
            statement,
            state,
            outcome,
        )?);
    }
    // Every signature of every statement of §13.5.2 with its last byte flipped.
    for s in signed.iter().filter(|s| s.failure.is_none()) {
        let (payload, sigs) = parts(&s.signed)?;
        for index in 0..sigs.len() {
            let mut flipped = sigs.clone();
            flipped[index].1[63] ^= 1;
            out.push(statement_vector(
                &format!("{}.flipped-signature-{}", s.name, index + 1),
                format!(
                    "the statement `{}` of {CHAPTER} §13.5.2 with the last byte of signature {} \
                     flipped: refused",
                    s.name,
                    index + 1
                ),
                &["IOTP-SEC-13"],
                &s.kind,
                assemble(&payload, &flipped)?,
                s.state(keys)?,
                Err("bad-signature"),
            )?);
        }
    }
    Ok(out)
}

/// A credential statement of `owner` (a key of chapter 13) holding `credentials`, with `address` if
/// given, serial 1, cipher suite 2, signed by the owner.
fn credential(owner: &Key, credentials: &[&[u8]], address: Option<&str>) -> Result<String, String> {
    let (x, y) = (
        hex_bytes(&owner.coordinates.x)?,
        hex_bytes(&owner.coordinates.y)?,
    );
    let (x, y): ([u8; 32], [u8; 32]) = (
        x.try_into().map_err(|_| "x is not 32 bytes")?,
        y.try_into().map_err(|_| "y is not 32 bytes")?,
    );
    let statement = Statement::Credential(CredentialStatement {
        identity_key: PublicKey {
            algorithm: KeyAlgorithm::Es256,
            x: &x,
            y: Some(&y),
            unknown_fields: UnknownFields::NONE,
        },
        address,
        auth_credentials: credentials.into(),
        serial: 1,
        suites: [2i32].as_slice().into(),
        issued_at: None,
        unknown_fields: UnknownFields::NONE,
    });
    sign(&statement, owner)
}

/// A credential statement of the lamp that breaks one rule: its name, what it holds, the
/// requirements, its credentials, its address and the class that refuses it.
type Broken<'a> = (
    &'a str,
    &'a str,
    &'a [&'a str],
    Vec<&'a [u8]>,
    Option<&'a str>,
    &'a str,
);

/// Each `ccs` block in a credential statement of its owner (accepted), and in one of another node
/// (refused: the `sub` names the owner).
fn ccs_vectors(keys: &[Key]) -> Result<Vec<Vector>, String> {
    let all = blocks(CHAPTER, TEXT, "iotp-vector")?;
    let ccs_blocks: Vec<&Block> = all
        .iter()
        .filter(|b| b.opt("kind") == Some("ccs"))
        .collect();
    if ccs_blocks.len() != 3 {
        return Err(format!(
            "{CHAPTER}: {} ccs blocks, expected 3",
            ccs_blocks.len()
        ));
    }
    let mut out = Vec::new();
    for (i, b) in ccs_blocks.iter().enumerate() {
        let owner = key(keys, b.get("owner")?)?;
        let ccs = b.bytes("ccs")?;
        let other = key(keys, ccs_blocks[(i + 1) % ccs_blocks.len()].get("owner")?)?;
        let id_of = |name: &str| format!("protocol.statements.ccs.{name}");
        let facts = Response::Verified {
            id: id_of(&owner.name),
            kind: "credential".into(),
            node: owner.node_id.clone(),
            signers: vec![owner.node_id.clone()],
            issued_at: None,
            serial: Some(1),
            sequence: None,
            address: None,
            new_node: None,
            audience: None,
            not_after: None,
        };
        out.push(statement_vector(
            &format!("ccs.{}", owner.name),
            format!(
                "a credential statement of `{}` holding its authentication credential of {CHAPTER} \
                 §13.4.2, whose `sub` is its node ID: accepted",
                owner.name
            ),
            &["IOTP-SEC-7", "IOTP-SEC-127", "IOTP-SEC-128"],
            "credential",
            credential(owner, &[&ccs], None)?,
            VerifierState::default(),
            Ok(facts),
        )?);
        out.push(statement_vector(
            &format!("ccs.{}.in-{}", owner.name, other.name),
            format!(
                "a credential statement of `{}`, signed by it, holding the authentication credential \
                 of `{}` of {CHAPTER} §13.4.2, whose `sub` names `{}`: refused",
                other.name, owner.name, owner.name
            ),
            &["IOTP-SEC-127", "IOTP-SEC-128"],
            "credential",
            credential(other, &[&ccs], None)?,
            VerifierState::default(),
            Err("ccs-sub"),
        )?);
    }
    // The lamp's own credential statement, re-signed by the lamp, with one rule of §8.2.2 or §2.2
    // broken in what it holds.
    let lamp = key(keys, "lamp")?;
    let lamp_ccs = ccs_blocks
        .iter()
        .find(|b| b.opt("owner") == Some("lamp"))
        .ok_or(format!("{CHAPTER}: no ccs block of the lamp"))?
        .bytes("ccs")?;
    let cut = &lamp_ccs[..lamp_ccs.len() - 1];
    let broken: [Broken<'_>; 4] = [
        (
            "no-credential",
            "no authentication credential: no P-256 one first",
            &["IOTP-SEC-9"],
            Vec::new(),
            None,
            "ccs-order",
        ),
        (
            "twice",
            "its P-256 credential twice: the second is no X25519 one",
            &["IOTP-SEC-9"],
            vec![&lamp_ccs, &lamp_ccs],
            None,
            "ccs-order",
        ),
        (
            "ccs-truncated",
            "its credential without the last byte: no CCS of the form of §8.2.2",
            &["IOTP-SEC-7", "IOTP-SEC-128"],
            vec![cut],
            None,
            "ccs-form",
        ),
        (
            "address-uppercase",
            "the address `Lamp@home.example.org`, which is not canonical",
            &["IOTP-ADDR-2"],
            vec![&lamp_ccs],
            Some("Lamp@home.example.org"),
            "address",
        ),
    ];
    for (name, what, requirements, credentials, address, class) in broken {
        out.push(statement_vector(
            &format!("credential.{name}"),
            format!("a credential statement of the lamp, signed by it, with {what}: refused"),
            requirements,
            "credential",
            credential(lamp, &credentials, address)?,
            VerifierState::default(),
            Err(class),
        )?);
    }
    Ok(out)
}

/// The `sign-statement` vectors: each signature of the statements of §13.5.2, and what must not be
/// signed.
fn sign_vectors(all: &[Block], keys: &[Key]) -> Result<Vec<Vector>, String> {
    let mut out = Vec::new();
    let statements = all
        .iter()
        .filter(|b| b.opt("kind") == Some("signed-statement"));
    for b in statements {
        let name = b.get("id")?;
        for n in 1..=2 {
            let Some(signer) = b.opt(&format!("signer_{n}")) else {
                continue;
            };
            let id = format!("protocol.statements.sign.{name}.{n}");
            let request = Request::SignStatement {
                id: id.clone(),
                d: key(keys, signer)?
                    .d
                    .clone()
                    .ok_or(format!("{CHAPTER}: the key {signer} has no d"))?,
                payload: b.get("payload")?.into(),
            };
            let signature = Response::Signature {
                id: id.clone(),
                signature: b.get(&format!("signature_{n}"))?.into(),
            };
            let expect = respond(agreed(&request, signature).map_err(|e| format!("{id}: {e}"))?);
            out.push(vector(
                format!(
                    "signature {n} of the statement `{name}` of {CHAPTER} §13.5.2, by `{signer}`: \
                     ES256 over its Sig_structure with the nonce of RFC 6979, r and s"
                ),
                &["IOTP-SEC-4", "IOTP-SEC-11", "IOTP-SEC-12"],
                Level::Should,
                Operation::SignStatement,
                request,
                expect,
            ));
        }
    }
    let ecdsa: Vec<&Block> = all
        .iter()
        .filter(|b| b.opt("kind") == Some("ecdsa"))
        .collect();
    if ecdsa.len() != 2 {
        return Err(format!(
            "{CHAPTER}: {} ecdsa blocks, expected 2",
            ecdsa.len()
        ));
    }
    for b in ecdsa {
        let message = b.get("message")?;
        let text = String::from_utf8_lossy(&hex_bytes(message)?).into_owned();
        out.push(stated(
            format!(
                "the message `{text}` of the ecdsa block of {CHAPTER} §13.5.1, which is no \
                 statement: an identity key does not sign it"
            ),
            &["IOTP-SEC-3"],
            Operation::SignStatement,
            Request::SignStatement {
                id: format!("protocol.statements.sign.not-a-statement.{text}"),
                d: b.get("d")?.into(),
                payload: message.into(),
            },
            Err("not-a-statement"),
        )?);
    }
    let lamp = key(keys, "lamp")?;
    let payload = all
        .iter()
        .find(|b| b.opt("id") == Some("credential"))
        .ok_or(format!("{CHAPTER}: no statement credential"))?
        .get("payload")?;
    for (name, what, d) in [
        ("zero", "the scalar 0", "00".repeat(32)),
        (
            "order",
            "the group order n",
            "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551".into(),
        ),
        (
            "short",
            "31 bytes",
            lamp.d.clone().unwrap_or_default()[2..].into(),
        ),
    ] {
        out.push(stated(
            format!("the lamp's credential statement signed with {what} as private key: no key of P-256"),
            &["IOTP-SEC-1"],
            Operation::SignStatement,
            Request::SignStatement {
                id: format!("protocol.statements.sign.invalid-key.{name}"),
                d,
                payload: payload.into(),
            },
            Err("invalid-key"),
        )?);
    }
    Ok(out)
}

/// The vector files `protocol.node-ids` and `protocol.statements`.
pub(crate) fn files() -> Result<Vec<VectorFile>, String> {
    let keys = keys()?;
    let all = blocks(CHAPTER, TEXT, "iotp-vector")?;
    let signed = all
        .iter()
        .filter(|b| matches!(b.opt("kind"), Some("signed-statement" | "statement-fail")))
        .map(Signed::of)
        .collect::<Result<Vec<_>, _>>()?;
    if signed.len() != 9 {
        return Err(format!(
            "{CHAPTER}: {} signed-statement and statement-fail blocks, expected 9",
            signed.len()
        ));
    }
    let mut statements = chapter_vectors(&signed, &keys)?;
    statements.extend(derived_vectors(&signed, &keys)?);
    statements.extend(ccs_vectors(&keys)?);
    statements.extend(sign_vectors(&all, &keys)?);
    Ok(vec![
        file(
            "protocol.node-ids",
            "node IDs (spec §2.8.1, §8.2.1): the node ID and text of every identity key of spec \
             chapters 8 and 13, their texts parsed, and keys and texts that are none (request \
             `node-id`, protocol version 2)",
            node_id_vectors(&keys)?,
        ),
        file(
            "protocol.statements",
            "signed statements verified (spec §8.2.3, §8.2.4, §8.8.4, §8.9–§8.11): every statement \
             of spec chapter 13, accepted with its facts or refused by its rule, and each rule of \
             the receiver broken once around them (request `verify-statement`); and signed: every \
             signature of the chapter, and what an identity key must not sign (request \
             `sign-statement`, protocol version 2)",
            statements,
        ),
    ])
}
