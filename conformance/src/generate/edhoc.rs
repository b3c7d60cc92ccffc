//! Vectors of EDHOC handshakes (spec §8.4, RFC 9528), for the request `edhoc` of protocol version 2:
//! one role of a handshake run black-box, from the node's keys, credentials, connection identifier
//! and ephemeral key and the peer's messages, to its messages, the `Body`s that carry them (§8.4.3)
//! and the security context (§8.4.5), or the refusal that ends it.
//!
//! - RFC 9529's trace 2 through both roles: its inputs and its outputs (message_1 to message_4, the
//!   Master Secret and Salt) are read from `protocol/tests/edhoc.rs`, which holds them as the RFC
//!   publishes them; the reference engine must reproduce them or the generation fails.
//! - Handshakes between the parties of that test (P-256 keys 0x11…11 and 0x22…22, CCSs of the form of
//!   §8.2.2 with `kid` 05 and 07), with ID_CRED_I by `kid` and by value: the messages the reference
//!   engine sends, checked against the sizes of §8.4.4, the contexts of both roles checked against
//!   each other (§8.4.5: the initiator's Sender ID is C_R) and against `derive-context`.
//! - Refusals: each stated here (class, messages sent before it, the error message of code 3), and
//!   the reference engine must agree. What a misbehaving peer sends (C_R equal to C_I, ID_CRED_R by
//!   value, EAD_2 and EAD_3 items, each behind a MAC that verifies) is computed here as RFC 9528
//!   §5.3 and §5.4 say, independently of the engine; the same code must reproduce the engine's
//!   genuine message_2 and message_3 byte for byte.

use hkdf::Hkdf;
use p256::elliptic_curve::point::AffineCoordinates;
use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use sha2::{Digest, Sha256};

use super::engine::{file, reference, respond, vector};
use crate::protocol::{ContextInputs, Request, Response};
use crate::protocol_edhoc::{EdhocContext, EdhocRequest, EdhocResponse, EdhocRole, IdCredMode};
use crate::reference::edhoc::run;
use crate::suite::hex;
use crate::vector::{Level, Operation, Vector, VectorFile};

/// The EDHOC tests of the reference crate, which hold RFC 9529's trace 2.
const TESTS: &str = include_str!("../../../protocol/tests/edhoc.rs");
const TESTS_PATH: &str = "protocol/tests/edhoc.rs";

/// The hex string constant `name` of the tests (`const NAME: &str = "...";`, possibly continued over
/// several lines with `\`), without whitespace.
fn trace(name: &str) -> Result<String, String> {
    let start = format!("const {name}: &str =");
    let at = TESTS
        .find(&start)
        .ok_or_else(|| format!("{TESTS_PATH}: no constant {name}"))?;
    let rest = &TESTS[at + start.len()..];
    let text = rest
        .split('"')
        .nth(1)
        .ok_or_else(|| format!("{TESTS_PATH}: constant {name} is not a string"))?;
    let hex: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .collect();
    if hex.is_empty() || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("{TESTS_PATH}: constant {name} is not hex"));
    }
    Ok(hex.to_ascii_lowercase())
}

/// A party to a handshake: its authentication key and its CCS.
#[derive(Clone)]
struct Party {
    key: String,
    ccs: String,
}

/// A CCS of §8.2.2 for the P-256 key `secret`: `sub` (52 characters), `cnf` with an EC2 COSE_Key
/// and a one-byte `kid` (137 bytes). The same construction as the reference crate's tests.
fn ccs(secret: [u8; 32], sub: &[u8; 52], kid: u8) -> Result<Vec<u8>, String> {
    let key = p256::SecretKey::from_bytes(&secret.into()).map_err(|e| format!("key: {e}"))?;
    let point = key.public_key().to_encoded_point(false);
    let (Some(x), Some(y)) = (point.x(), point.y()) else {
        return Err("an uncompressed point has both coordinates".into());
    };
    let mut out = vec![0xa2, 0x02, 0x78, 0x34];
    out.extend_from_slice(sub);
    out.extend_from_slice(&[0x08, 0xa1, 0x01, 0xa5, 0x01, 0x02, 0x02, 0x41, kid]);
    out.extend_from_slice(&[0x20, 0x01, 0x21, 0x58, 0x20]);
    out.extend_from_slice(x);
    out.extend_from_slice(&[0x22, 0x58, 0x20]);
    out.extend_from_slice(y);
    if out.len() != 137 {
        return Err(format!("a CCS of §8.2.2 is 137 bytes, not {}", out.len()));
    }
    Ok(out)
}

fn party(secret: [u8; 32], sub: &[u8; 52], kid: u8) -> Result<Party, String> {
    Ok(Party {
        key: hex(&secret),
        ccs: hex(&ccs(secret, sub, kid)?),
    })
}

const SUB_A: &[u8; 52] = b"wru6jsobgag5xuwgjfiolkqvhwwlt25jzhsndl2vutlznpot3bwq";
const SUB_B: &[u8; 52] = b"b469e4c9c1300ddbd2c64950e5aa153dacb9eba9c9e4d1af55a4";
/// SUB_A in uppercase: not lowercase base32 (IOTP-SEC-154).
const SUB_UPPER: &[u8; 52] = b"WRU6JSOBGAG5XUWGJFIOLKQVHWWLT25JZHSNDL2VUTLZNPOT3BWQ";

/// C_I and C_R of the handshakes between the parties: the integers 1 and 2.
const C_I: &str = "01";
const C_R: &str = "02";
const X: [u8; 32] = [0x31; 32];
const Y: [u8; 32] = [0x32; 32];

fn request(
    role: EdhocRole,
    node: &Party,
    peers: &[&Party],
    id: &str,
    eph: [u8; 32],
) -> EdhocRequest {
    EdhocRequest {
        role,
        auth_key: node.key.clone(),
        credential: node.ccs.clone(),
        peer_credentials: peers.iter().map(|p| p.ccs.clone()).collect(),
        connection_id: id.into(),
        recipient_ids: Vec::new(),
        ephemeral_key: hex(&eph),
        id_cred_i: IdCredMode::Kid,
        suites: None,
        offered_only: false,
        message_4: false,
        peer_messages: Vec::new(),
    }
}

/// The messages of a handshake between an initiator and a responder as the two requests set them
/// up (their `peer_messages` ignored): message_1 to message_4.
struct Exchange {
    m1: String,
    m2: String,
    m3: String,
    /// None when the responder refuses message_3.
    m4: Option<String>,
}

fn first(out: &EdhocResponse, n: usize, what: &str) -> Result<String, String> {
    out.messages.get(n).cloned().ok_or_else(|| {
        format!(
            "{what}: the reference engine sent {} message(s), refused {:?}",
            out.messages.len(),
            out.refused
        )
    })
}

fn exchange(i: &EdhocRequest, r: &EdhocRequest) -> Result<Exchange, String> {
    let mut i = i.clone();
    let mut r = r.clone();
    r.message_4 = true;
    i.peer_messages.clear();
    let m1 = first(&run(&i)?, 0, "message_1")?;
    r.peer_messages = vec![m1.clone()];
    let m2 = first(&run(&r)?, 0, "message_2")?;
    i.peer_messages = vec![m2.clone()];
    let m3 = first(&run(&i)?, 1, "message_3")?;
    r.peer_messages = vec![m1.clone(), m3.clone()];
    let m4 = first(&run(&r)?, 1, "message_4").ok();
    Ok(Exchange { m1, m2, m3, m4 })
}

/// What a vector states, which the reference engine must agree with.
enum Stated {
    /// Completes, sending messages of these lengths, carried in `Body`s of these lengths.
    Completes {
        sizes: Vec<usize>,
        body_sizes: Vec<usize>,
        visitor: bool,
    },
    /// Sends messages of these lengths and waits for the peer's next.
    Waits { sizes: Vec<usize> },
    /// Refuses with `class` after sending `sent` messages.
    Refuses { class: &'static str, sent: usize },
}

fn lengths(hexes: &[String]) -> Vec<usize> {
    hexes.iter().map(|h| h.len() / 2).collect()
}

/// Checks the reference engine's answer against what the vector states.
fn check(id: &str, role: EdhocRole, out: &EdhocResponse, stated: &Stated) -> Result<(), String> {
    let fail = |what: String| {
        Err(format!(
            "{id}: {what}; the reference engine answers {out:?}"
        ))
    };
    match stated {
        Stated::Completes {
            sizes,
            body_sizes,
            visitor,
        } => {
            if out.refused.is_some() || lengths(&out.messages) != *sizes {
                return fail(format!(
                    "stated: completes with messages of {sizes:?} bytes"
                ));
            }
            if lengths(&out.bodies) != *body_sizes {
                return fail(format!("stated: bodies of {body_sizes:?} bytes"));
            }
            match &out.context {
                Some(c) if c.visitor == *visitor => check_context(id, c),
                _ => fail(format!("stated: a context, visitor {visitor}")),
            }
        }
        Stated::Waits { sizes } => {
            if out.refused.is_some() || out.context.is_some() || lengths(&out.messages) != *sizes {
                return fail(format!("stated: sends {sizes:?} bytes and waits"));
            }
            Ok(())
        }
        Stated::Refuses { class, sent } => {
            let error = (*class == "unknown-credential" && role == EdhocRole::Responder)
                .then(|| "03f5".to_string());
            let bodies = sent + usize::from(error.is_some());
            if out.refused.as_deref() != Some(*class)
                || out.messages.len() != *sent
                || out.bodies.len() != bodies
                || out.context.is_some()
                || out.error_message != error
            {
                return fail(format!(
                    "stated: refuses `{class}` after {sent} message(s), error message {error:?}"
                ));
            }
            Ok(())
        }
    }
}

/// The keys and Common IV of a context are those that `derive-context` gives for its Master Secret,
/// Master Salt and identifiers (RFC 8613 §3.2, checked against spec chapter 13).
fn check_context(id: &str, c: &EdhocContext) -> Result<(), String> {
    let request = Request::DeriveContext {
        id: id.into(),
        context: ContextInputs {
            master_secret: c.master_secret.clone(),
            master_salt: c.master_salt.clone(),
            sender_id: c.sender_id.clone(),
            recipient_id: c.recipient_id.clone(),
        },
    };
    let want = Response::Context {
        id: id.into(),
        sender_key: c.sender_key.clone(),
        recipient_key: c.recipient_key.clone(),
        common_iv: c.common_iv.clone(),
    };
    let got = reference(&request)?;
    if got != want || c.master_secret.len() != 32 || c.master_salt.len() != 16 {
        return Err(format!(
            "{id}: the context {c:?} is not that of its inputs ({got:?})"
        ));
    }
    Ok(())
}

/// The two roles' contexts of one handshake mirror each other, with the initiator's Sender ID C_R
/// (§8.4.5).
fn check_pair(
    id: &str,
    i: &EdhocResponse,
    r: &EdhocResponse,
    c_i: &str,
    c_r: &str,
) -> Result<(), String> {
    let (Some(ic), Some(rc)) = (&i.context, &r.context) else {
        return Err(format!("{id}: both roles complete"));
    };
    let mirrored = ic.master_secret == rc.master_secret
        && ic.master_salt == rc.master_salt
        && ic.sender_id == c_r
        && ic.recipient_id == c_i
        && rc.sender_id == c_i
        && rc.recipient_id == c_r
        && ic.sender_key == rc.recipient_key
        && ic.recipient_key == rc.sender_key
        && ic.common_iv == rc.common_iv;
    if !mirrored {
        return Err(format!(
            "{id}: the contexts do not mirror each other: {ic:?} / {rc:?}"
        ));
    }
    Ok(())
}

/// The vectors being built.
struct Vectors(Vec<Vector>);

impl Vectors {
    /// Adds the vector `name` for `request`, with the reference engine's answer checked against
    /// `stated`; returns the answer.
    fn add(
        &mut self,
        name: &str,
        description: impl Into<String>,
        requirements: &[&str],
        level: Level,
        handshake: EdhocRequest,
        stated: Stated,
    ) -> Result<EdhocResponse, String> {
        let id = format!("protocol.edhoc.{name}");
        let out = run(&handshake)?;
        check(&id, handshake.role, &out, &stated)?;
        let request = Request::Edhoc {
            id: id.clone(),
            handshake,
        };
        let response = Response::Handshake {
            id: id.clone(),
            handshake: out.clone(),
        };
        // The protocol's dispatch gives the same answer as the module itself.
        if reference(&request)? != response {
            return Err(format!("{id}: the reference testee answers differently"));
        }
        self.0.push(vector(
            description,
            requirements,
            level,
            Operation::Edhoc,
            request,
            respond(response),
        ));
        Ok(out)
    }
}

/// A copy of `hex` with byte `at` (negative: from the end) XORed with `mask`.
fn flip(hex_text: &str, at: isize, mask: u8) -> Result<String, String> {
    let mut bytes = crate::suite::unhex(hex_text)?;
    let i = if at < 0 {
        bytes.len() as isize + at
    } else {
        at
    };
    let i = usize::try_from(i).map_err(|_| "flip outside the message".to_string())?;
    *bytes.get_mut(i).ok_or("flip outside the message")? ^= mask;
    Ok(hex(&bytes))
}

const KID_I: &[&str] = &["IOTP-SEC-46", "IOTP-SEC-47", "IOTP-SEC-61", "IOTP-SEC-150"];
const KID_R: &[&str] = &["IOTP-SEC-46", "IOTP-SEC-47", "IOTP-SEC-61", "IOTP-SEC-149"];
const TAMPERED: &[&str] = &["IOTP-SEC-46", "IOTP-SEC-47"];

fn trace_2(v: &mut Vectors) -> Result<(), String> {
    let initiator = Party {
        key: trace("SK_I")?,
        ccs: trace("CRED_I")?,
    };
    let responder = Party {
        key: trace("SK_R")?,
        ccs: trace("CRED_R")?,
    };
    let [m1, m2, m3, m4, secret, salt, x, y] = [
        "MESSAGE_1",
        "MESSAGE_2",
        "MESSAGE_3",
        "MESSAGE_4",
        "MASTER_SECRET",
        "MASTER_SALT",
        "X",
        "Y",
    ]
    .map(trace);
    let (m1, m2, m3, m4, secret, salt) = (m1?, m2?, m3?, m4?, secret?, salt?);
    let scalar = |h: Result<String, String>| -> Result<[u8; 32], String> {
        crate::suite::unhex(&h?)?
            .try_into()
            .map_err(|_| "an ephemeral key of 32 bytes".to_string())
    };
    // C_I = -24 and C_R = -8, in byte-string form.
    let (c_i, c_r) = ("37", "27");
    let mut i = request(
        EdhocRole::Initiator,
        &initiator,
        &[&responder],
        c_i,
        scalar(x)?,
    );
    i.suites = Some(vec![6, 2]);
    i.offered_only = true;
    i.peer_messages = vec![m2.clone(), m4.clone()];
    let mut r = request(
        EdhocRole::Responder,
        &responder,
        &[&initiator],
        c_r,
        scalar(y)?,
    );
    r.message_4 = true;
    r.peer_messages = vec![m1.clone(), m3.clone()];
    let completes = |sizes: Vec<usize>, body_sizes| Stated::Completes {
        sizes,
        body_sizes,
        visitor: false,
    };
    let io = v.add(
        "rfc9529-trace-2.initiator",
        "RFC 9529 trace 2 (method 3, suite 2, CCSs by kid, SUITES_I [6, 2] only offered), the \
         initiator: message_1 and message_3 of the trace, message_4 verified, and the Master Secret \
         and Salt of the trace",
        KID_I,
        Level::Must,
        i.clone(),
        completes(vec![39, 19], vec![51, 35]),
    )?;
    let ro = v.add(
        "rfc9529-trace-2.responder",
        "RFC 9529 trace 2, the responder: message_2 and message_4 of the trace, and the Master \
         Secret and Salt of the trace",
        KID_R,
        Level::Must,
        r,
        completes(vec![45, 9], vec![55, 17]),
    )?;
    i.peer_messages.truncate(1);
    let io3 = v.add(
        "rfc9529-trace-2.initiator.without-message-4",
        "RFC 9529 trace 2, the initiator completing after message_3 (message_4 is optional, \
         §8.4.1): the same context",
        KID_I,
        Level::Must,
        i,
        completes(vec![39, 19], vec![51, 35]),
    )?;
    let rfc = |out: &EdhocResponse, messages: [&String; 2]| {
        out.messages == messages.map(String::clone)
            && out
                .context
                .as_ref()
                .is_some_and(|c| c.master_secret == secret && c.master_salt == salt)
    };
    if !rfc(&io, [&m1, &m3]) || !rfc(&ro, [&m2, &m4]) || !rfc(&io3, [&m1, &m3]) {
        return Err(format!(
            "protocol.edhoc.rfc9529-trace-2: the reference engine does not reproduce RFC 9529: \
             {io:?} / {ro:?}"
        ));
    }
    check_pair("protocol.edhoc.rfc9529-trace-2", &io, &ro, c_i, c_r)?;
    if io.context != io3.context {
        return Err("protocol.edhoc.rfc9529-trace-2: message_4 changed the context".into());
    }
    Ok(())
}

fn handshakes(v: &mut Vectors, a: &Party, b: &Party) -> Result<(), String> {
    let i = request(EdhocRole::Initiator, a, &[b], C_I, X);
    let r = request(EdhocRole::Responder, b, &[a], C_R, Y);
    let e = exchange(&i, &r)?;
    let completes = |sizes: Vec<usize>, body_sizes, visitor| Stated::Completes {
        sizes,
        body_sizes,
        visitor,
    };
    // §8.4.4: message_1, message_2, message_3 of 37, 45 and 19 bytes; the edhoc_1 request, its reply
    // with message_2, the edhoc_3 request and the reply `done` of 49, 55, 35 and 8 bytes.
    let mut ik = i.clone();
    ik.peer_messages = vec![e.m2.clone()];
    let io = v.add(
        "kid.initiator",
        "a handshake with CCSs of §8.2.2 identified by kid, C_I 1 and C_R 2, the initiator \
         completing after message_3: message_1 and message_3 of 37 and 19 bytes in bodies of 49 \
         and 35 bytes (§8.4.4), and the context of §8.4.5 (Sender ID C_R)",
        KID_I,
        Level::Must,
        ik.clone(),
        completes(vec![37, 19], vec![49, 35], false),
    )?;
    let mut rk = r.clone();
    rk.peer_messages = vec![e.m1.clone(), e.m3.clone()];
    let ro = v.add(
        "kid.responder",
        "the same handshake, the responder: message_2 of 45 bytes in a reply body of 55, the reply \
         `done` of 8 bytes (§8.4.4), and the context of §8.4.5 (Sender ID C_I)",
        KID_R,
        Level::Must,
        rk.clone(),
        completes(vec![45], vec![55, 8], false),
    )?;
    check_pair("protocol.edhoc.kid", &io, &ro, C_I, C_R)?;
    if io.messages != [e.m1.clone(), e.m3.clone()] || ro.messages != [e.m2.clone()] {
        return Err("protocol.edhoc.kid: the roles' messages differ from the exchange".into());
    }
    ik.peer_messages
        .push(e.m4.clone().ok_or("protocol.edhoc.kid: no message_4")?);
    let io4 = v.add(
        "kid.initiator.message-4",
        "the same handshake, the initiator verifying message_4: the same messages and context",
        KID_I,
        Level::Must,
        ik,
        completes(vec![37, 19], vec![49, 35], false),
    )?;
    rk.message_4 = true;
    let ro4 = v.add(
        "kid.responder.message-4",
        "the same handshake, the responder completing with message_4 (9 bytes, carried in \
         `EdhocFinish.message_4`): the same context",
        KID_R,
        Level::Must,
        rk,
        completes(vec![45, 9], vec![55, 17], false),
    )?;
    if io4.context != io.context || ro4.context != ro.context {
        return Err("protocol.edhoc.kid: message_4 changed a context".into());
    }

    // ID_CRED_I by value: a responder that holds nothing for the initiator gets a visitor context.
    let mut iv = i.clone();
    iv.id_cred_i = IdCredMode::ByValue;
    let mut rv = r.clone();
    rv.peer_credentials.clear();
    let ev = exchange(&iv, &rv)?;
    iv.peer_messages = vec![ev.m2.clone()];
    let io = v.add(
        "by-value.initiator",
        "the initiator sending ID_CRED_I by value, {14: CCS}: message_3 of 158 bytes (§8.4.4), \
         carried in an edhoc_3 body of 175",
        &["IOTP-SEC-46", "IOTP-SEC-47", "IOTP-SEC-61", "IOTP-SEC-151"],
        Level::Must,
        iv,
        completes(vec![37, 158], vec![49, 175], false),
    )?;
    rv.peer_messages = vec![ev.m1.clone(), ev.m3.clone()];
    let ro = v.add(
        "by-value.responder",
        "the responder receiving a CCS of §8.2.2 by value, holding no credential for its `kid`: \
         the handshake completes with a visitor context (§8.4.6)",
        &[
            "IOTP-SEC-46",
            "IOTP-SEC-47",
            "IOTP-SEC-61",
            "IOTP-SEC-151",
            "IOTP-SEC-154",
        ],
        Level::Must,
        rv,
        completes(vec![45], vec![55, 8], true),
    )?;
    check_pair("protocol.edhoc.by-value", &io, &ro, C_I, C_R)?;

    // Connection identifiers of 7 bytes, the longest allowed (IOTP-SEC-55).
    let long_c_r = "01020304050607";
    let mut r7 = r.clone();
    r7.connection_id = long_c_r.into();
    let e7 = exchange(&i, &r7)?;
    let mut i7 = i.clone();
    i7.peer_messages = vec![e7.m2.clone()];
    let io = v.add(
        "connection-id-7.initiator",
        "C_R of 7 bytes, the longest a connection identifier may be: the initiator's Sender ID",
        &["IOTP-SEC-55", "IOTP-SEC-61"],
        Level::Must,
        i7,
        completes(vec![37, 19], vec![49, 35 + 6], false),
    )?;
    r7.peer_messages = vec![e7.m1.clone(), e7.m3.clone()];
    let ro = v.add(
        "connection-id-7.responder",
        "C_R of 7 bytes: the responder's Recipient ID",
        &["IOTP-SEC-55", "IOTP-SEC-61"],
        Level::Must,
        r7,
        completes(vec![45 + 7], vec![55 + 7, 8], false),
    )?;
    check_pair("protocol.edhoc.connection-id-7", &io, &ro, C_I, long_c_r)?;
    Ok(())
}

fn refusals(v: &mut Vectors, a: &Party, b: &Party) -> Result<(), String> {
    let i = request(EdhocRole::Initiator, a, &[b], C_I, X);
    let r = request(EdhocRole::Responder, b, &[a], C_R, Y);
    let e = exchange(&i, &r)?;
    let refuses = |class, sent| Stated::Refuses { class, sent };
    let with = |base: &EdhocRequest, messages: &[&String]| {
        let mut req = base.clone();
        req.peer_messages = messages.iter().map(|m| m.to_string()).collect();
        req
    };

    // Unknown kid (IOTP-SEC-51): the responder answers edhoc_3 with error code 3, the initiator
    // aborts silently.
    let mut r0 = with(&r, &[&e.m1, &e.m3]);
    r0.peer_credentials.clear();
    v.add(
        "unknown-kid.responder",
        "message_3 references by kid a credential the responder does not hold: it aborts with the \
         EDHOC error message of code 3 (03 f5) as the output of edhoc_3",
        &["IOTP-SEC-51"],
        Level::Must,
        r0,
        refuses("unknown-credential", 1),
    )?;
    let mut i0 = with(&i, &[&e.m2]);
    i0.peer_credentials.clear();
    v.add(
        "unknown-kid.initiator",
        "message_2 references by kid a credential the initiator does not hold: it aborts, without \
         sending message_3",
        &["IOTP-SEC-51"],
        Level::Must,
        i0,
        refuses("unknown-credential", 1),
    )?;

    // Another key under the peer's kid; then both, the genuine one second (IOTP-SEC-8).
    let mallory_a = party([0x33; 32], SUB_A, 0x05)?;
    let mallory_b = party([0x33; 32], SUB_B, 0x07)?;
    let mut rw = with(&r, &[&e.m1, &e.m3]);
    rw.peer_credentials = vec![mallory_a.ccs.clone()];
    v.add(
        "wrong-credential.responder",
        "the only credential the responder holds under the initiator's kid has another key: MAC_3 \
         does not verify",
        &["IOTP-SEC-129"],
        Level::Must,
        rw.clone(),
        refuses("mac", 1),
    )?;
    let mut iw = with(&i, &[&e.m2]);
    iw.peer_credentials = vec![mallory_b.ccs.clone()];
    v.add(
        "wrong-credential.initiator",
        "the only credential the initiator holds under the responder's kid has another key: MAC_2 \
         does not verify",
        &["IOTP-SEC-129"],
        Level::Must,
        iw,
        refuses("mac", 1),
    )?;
    rw.peer_credentials.push(a.ccs.clone());
    v.add(
        "shared-kid.responder",
        "two credentials under the initiator's kid, the genuine one second: the responder tries \
         each, and the handshake completes",
        &["IOTP-SEC-8", "IOTP-SEC-129"],
        Level::Should,
        rw,
        Stated::Completes {
            sizes: vec![45],
            body_sizes: vec![55, 8],
            visitor: false,
        },
    )?;

    // Tampered messages.
    v.add(
        "tampered-message-2.mac",
        "message_2 with a bit of its last byte (in MAC_2) flipped: MAC_2 does not verify",
        TAMPERED,
        Level::Must,
        with(&i, &[&flip(&e.m2, -1, 0x01)?]),
        refuses("mac", 1),
    )?;
    v.add(
        "tampered-message-3.mac",
        "message_3 with a bit of its last byte (the AEAD tag) flipped: it does not decrypt",
        TAMPERED,
        Level::Must,
        with(&r, &[&e.m1, &flip(&e.m3, -1, 0x01)?]),
        refuses("mac", 1),
    )?;
    v.add(
        "tampered-message-3.head",
        "message_3 whose byte-string head claims one byte more than it has: malformed",
        TAMPERED,
        Level::Must,
        with(&r, &[&e.m1, &flip(&e.m3, 0, 0x01)?]),
        refuses("malformed", 1),
    )?;
    v.add(
        "method-0.responder",
        "message_1 asking for method 0 (signatures): refused",
        &["IOTP-SEC-46"],
        Level::Must,
        with(&r, &[&flip(&e.m1, 0, 0x03)?]),
        refuses("unsupported-method", 0),
    )?;

    // Credentials by value not of the form of §8.2.2 (IOTP-SEC-154).
    let upper = party([0x44; 32], SUB_UPPER, 0x09)?;
    let trace_i = Party {
        key: trace("SK_I")?,
        ccs: trace("CRED_I")?,
    };
    for (name, initiator, what) in [
        (
            "bad-sub",
            &upper,
            "whose `sub` is in uppercase, not lowercase base32",
        ),
        (
            "not-iotp-ccs",
            &trace_i,
            "not of the form of §8.2.2 (RFC 9529's CRED_I, whose `sub` is \
             \"42-50-31-FF-EF-37-32-39\")",
        ),
    ] {
        let mut ib = request(EdhocRole::Initiator, initiator, &[b], C_I, X);
        ib.id_cred_i = IdCredMode::ByValue;
        let mut rb = r.clone();
        rb.peer_credentials.clear();
        let eb = exchange(&ib, &rb)?;
        v.add(
            &format!("{name}.responder"),
            format!("ID_CRED_I by value with a CCS {what}: the responder aborts"),
            &["IOTP-SEC-154", "IOTP-SEC-7"],
            Level::Must,
            with(&rb, &[&eb.m1, &eb.m3]),
            refuses("bad-credential", 1),
        )?;
    }

    // Cipher suites: only 2, and 0 optionally, belong to the profile (§8.4.1).
    let mut i6 = i.clone();
    i6.suites = Some(vec![6, 2]);
    v.add(
        "suites-6-2.initiator",
        "SUITES_I [6, 2] not marked as only offered: the initiator does not offer suite 6, which it \
         does not support",
        &["IOTP-SEC-47"],
        Level::Must,
        i6,
        refuses("unsupported-suite", 0),
    )?;
    v.add(
        "suite-6.responder",
        "message_1 selecting suite 6, which is not of the profile: refused",
        &["IOTP-SEC-47"],
        Level::Must,
        with(&r, &[&flip(&e.m1, 1, 0x04)?]),
        refuses("unsupported-suite", 0),
    )?;

    // Connection identifiers.
    let mut rs = with(&r, &[&e.m1]);
    rs.connection_id = C_I.into();
    v.add(
        "same-connection-id.responder",
        "the responder given C_R equal to the C_I of message_1: it must not use it",
        &["IOTP-SEC-54"],
        Level::Must,
        rs,
        refuses("same-connection-id", 0),
    )?;
    let mut ru = with(&r, &[&e.m1]);
    ru.recipient_ids = vec!["20".into(), C_R.into()];
    v.add(
        "connection-id-in-use.responder",
        "the responder given a C_R that is already the Recipient ID of one of its contexts",
        &["IOTP-SEC-53"],
        Level::Must,
        ru,
        refuses("connection-id-in-use", 0),
    )?;
    let mut iu = i.clone();
    iu.recipient_ids = vec![C_I.into()];
    v.add(
        "connection-id-in-use.initiator",
        "the initiator given a C_I that is already the Recipient ID of one of its contexts",
        &["IOTP-SEC-53"],
        Level::Must,
        iu,
        refuses("connection-id-in-use", 0),
    )?;
    let eight = "0102030405060708";
    let mut il = i.clone();
    il.connection_id = eight.into();
    v.add(
        "connection-id-8.initiator",
        "the initiator given a C_I of 8 bytes, longer than a Sender ID may be",
        &["IOTP-SEC-55"],
        Level::Must,
        il,
        refuses("connection-id-length", 0),
    )?;
    let mut rl = with(&r, &[&e.m1]);
    rl.connection_id = eight.into();
    v.add(
        "connection-id-8.responder",
        "the responder given a C_R of 8 bytes, longer than a Sender ID may be",
        &["IOTP-SEC-55"],
        Level::Must,
        rl,
        refuses("connection-id-length", 0),
    )?;
    // message_1 with C_I as a byte string of 8 bytes.
    let long_c_i = format!("{}48{}", &e.m1[..e.m1.len() - 2], "aa".repeat(8));
    v.add(
        "received-connection-id-8.responder",
        "message_1 whose C_I is 8 bytes long: it cannot become the responder's Sender ID",
        &["IOTP-SEC-55"],
        Level::Must,
        with(&r, &[&long_c_i]),
        refuses("connection-id-length", 0),
    )?;

    // EAD_1 (IOTP-SEC-52): a critical item (label -1) is refused, a non-critical one (label 1)
    // ignored (RFC 9528 §3.8).
    v.add(
        "critical-ead-1.responder",
        "message_1 with a critical EAD item (label -1, no value): refused",
        &["IOTP-SEC-52"],
        Level::Must,
        with(&r, &[&format!("{}20", e.m1)]),
        refuses("critical-ead", 0),
    )?;
    v.add(
        "non-critical-ead-1.responder",
        "message_1 with a non-critical EAD item (label 1, no value): ignored, message_2 sent",
        &["IOTP-SEC-52"],
        Level::Must,
        with(&r, &[&format!("{}01", e.m1)]),
        Stated::Waits { sizes: vec![45] },
    )?;
    Ok(())
}

/// What a hand-built responder puts into message_2.
struct Message2Plan<'a> {
    /// C_R as CBOR (a one-byte integer, or a byte string).
    c_r: &'a [u8],
    /// ID_CRED_R by value, `{14: CRED_R}`, instead of the compact `kid`.
    by_value: bool,
    /// EAD_2 items, as CBOR.
    ead_2: &'a [u8],
}

/// x · P as the x-coordinate, for P given by its x-coordinate (the sign of y does not change it).
fn ecdh(secret: [u8; 32], x: &[u8]) -> Result<[u8; 32], String> {
    let scalar = p256::SecretKey::from_bytes(&secret.into())
        .map_err(|e| format!("key: {e}"))?
        .to_nonzero_scalar();
    let mut sec1 = vec![0x02];
    sec1.extend_from_slice(x);
    let encoded = p256::EncodedPoint::from_bytes(&sec1).map_err(|e| format!("point: {e}"))?;
    let point = Option::<p256::AffinePoint>::from(p256::AffinePoint::from_encoded_point(&encoded))
        .ok_or("an x-coordinate not on P-256")?;
    let shared = (p256::ProjectivePoint::from(point) * *scalar).to_affine();
    Ok(shared.x().into())
}

/// The x-coordinate of secret · G.
fn public_x(secret: [u8; 32]) -> Result<[u8; 32], String> {
    let key = p256::SecretKey::from_bytes(&secret.into()).map_err(|e| format!("key: {e}"))?;
    Ok(key.public_key().as_affine().x().into())
}

/// The head of a CBOR byte string of `len` bytes, and the bytes.
fn bstr(bytes: &[u8]) -> Vec<u8> {
    let mut out = match bytes.len() {
        n @ 0..=23 => vec![0x40 | n as u8],
        n @ 24..=255 => vec![0x58, n as u8],
        n => vec![0x59, (n >> 8) as u8, n as u8],
    };
    out.extend_from_slice(bytes);
    out
}

/// EDHOC_KDF(PRK, label, context, length) of RFC 9528 §4.1.2: HKDF-Expand with info the CBOR
/// sequence (label, context as a byte string, length).
fn kdf(prk: &[u8], label: u8, context: &[u8], len: usize) -> Result<Vec<u8>, String> {
    let mut info = vec![label];
    info.extend_from_slice(&bstr(context));
    match len {
        0..=23 => info.push(len as u8),
        24..=255 => info.extend_from_slice(&[0x18, len as u8]),
        _ => return Err("an EDHOC_KDF length above 255".into()),
    }
    let hkdf = Hkdf::<Sha256>::from_prk(prk).map_err(|e| format!("PRK: {e}"))?;
    let mut out = vec![0; len];
    hkdf.expand(&info, &mut out)
        .map_err(|e| format!("expand: {e}"))?;
    Ok(out)
}

/// message_2 from `responder` (static key and CCS with a one-byte `kid`) with the ephemeral key `y`,
/// in answer to `message_1` (method 3, one suite, G_X), built as RFC 9528 §5.3.2 says, by hand and
/// independently of the reference engine: TH_2 = H(G_Y, H(message_1)); PRK_2e = Extract(TH_2, G_XY);
/// PRK_3e2m = Extract(EDHOC_KDF(PRK_2e, 1, TH_2, 32), G_RX); MAC_2 = EDHOC_KDF(PRK_3e2m, 2,
/// << C_R, ID_CRED_R, TH_2, CRED_R, ? EAD_2 >>, 8); CIPHERTEXT_2 = PLAINTEXT_2 XOR
/// EDHOC_KDF(PRK_2e, 0, TH_2, |PLAINTEXT_2|).
fn hand_made_message_2(
    responder: &Party,
    y: [u8; 32],
    message_1: &str,
    plan: &Message2Plan<'_>,
) -> Result<String, String> {
    Ok(hand_made_handshake(responder, y, message_1, plan)?.message_2)
}

/// What a hand-built responder knows after message_2.
struct AfterMessage2 {
    message_2: String,
    th_2: Vec<u8>,
    prk_3e2m: Vec<u8>,
    plaintext_2: Vec<u8>,
    cred_r: Vec<u8>,
}

fn hand_made_handshake(
    responder: &Party,
    y: [u8; 32],
    message_1: &str,
    plan: &Message2Plan<'_>,
) -> Result<AfterMessage2, String> {
    let m1 = crate::suite::unhex(message_1)?;
    let g_x = match m1.as_slice() {
        [0x03, 0x02, 0x58, 0x20, rest @ ..] if rest.len() > 32 => &rest[..32],
        _ => return Err("message_1 is not method 3, suite 2, G_X of 32 bytes".into()),
    };
    let r: [u8; 32] = crate::suite::unhex(&responder.key)?
        .try_into()
        .map_err(|_| "a key of 32 bytes")?;
    let cred_r = crate::suite::unhex(&responder.ccs)?;
    let kid = match cred_r.windows(3).find(|w| w[0] == 0x02 && w[1] == 0x41) {
        Some(w) => w[2],
        None => return Err("CRED_R has no one-byte kid".into()),
    };
    let g_y = public_x(y)?;
    let mut th_2_input = bstr(&g_y);
    th_2_input.extend_from_slice(&bstr(&Sha256::digest(&m1)));
    let th_2 = Sha256::digest(&th_2_input);
    let (prk_2e, _) = Hkdf::<Sha256>::extract(Some(&th_2), &ecdh(y, g_x)?);
    let salt_3e2m = kdf(&prk_2e, 1, &th_2, 32)?;
    let (prk_3e2m, _) = Hkdf::<Sha256>::extract(Some(&salt_3e2m), &ecdh(r, g_x)?);
    let id_cred_r = if plan.by_value {
        let mut map = vec![0xa1, 0x0e];
        map.extend_from_slice(&cred_r);
        map
    } else {
        vec![0xa1, 0x04, 0x41, kid]
    };
    let mut context_2 = plan.c_r.to_vec();
    context_2.extend_from_slice(&id_cred_r);
    context_2.extend_from_slice(&bstr(&th_2));
    context_2.extend_from_slice(&cred_r);
    context_2.extend_from_slice(plan.ead_2);
    let mac_2 = kdf(&prk_3e2m, 2, &context_2, 8)?;
    let mut plaintext_2 = plan.c_r.to_vec();
    if plan.by_value {
        plaintext_2.extend_from_slice(&id_cred_r);
    } else {
        // The compact form of {4: h'kid'} (RFC 9528 §3.5.3.2): the one-byte kid as the integer.
        plaintext_2.push(kid);
    }
    plaintext_2.extend_from_slice(&bstr(&mac_2));
    plaintext_2.extend_from_slice(plan.ead_2);
    let keystream = kdf(&prk_2e, 0, &th_2, plaintext_2.len())?;
    let mut body = g_y.to_vec();
    body.extend(plaintext_2.iter().zip(&keystream).map(|(p, k)| p ^ k));
    Ok(AfterMessage2 {
        message_2: hex(&bstr(&body)),
        th_2: th_2.to_vec(),
        prk_3e2m: prk_3e2m.to_vec(),
        plaintext_2,
        cred_r,
    })
}

/// message_3 from `initiator` (its CCS with a one-byte `kid`, sent by `kid`) with EAD_3 `ead_3`, in
/// the handshake `after` of a responder with the ephemeral key `y`, built as RFC 9528 §5.4.2 says,
/// by hand: TH_3 = H(TH_2, PLAINTEXT_2, CRED_R); PRK_4e3m = Extract(EDHOC_KDF(PRK_3e2m, 5, TH_3,
/// 32), G_IY); MAC_3 = EDHOC_KDF(PRK_4e3m, 6, << ID_CRED_I, TH_3, CRED_I, ? EAD_3 >>, 8);
/// CIPHERTEXT_3 = AES-CCM-16-64-128 with K_3 = EDHOC_KDF(PRK_3e2m, 3, TH_3, 16), IV_3 =
/// EDHOC_KDF(PRK_3e2m, 4, TH_3, 13) and the associated data ["Encrypt0", h'', TH_3].
fn hand_made_message_3(
    initiator: &Party,
    y: [u8; 32],
    after: &AfterMessage2,
    ead_3: &[u8],
) -> Result<String, String> {
    use ccm::aead::{AeadInPlace, KeyInit};
    let cred_i = crate::suite::unhex(&initiator.ccs)?;
    let kid = match cred_i.windows(3).find(|w| w[0] == 0x02 && w[1] == 0x41) {
        Some(w) => w[2],
        None => return Err("CRED_I has no one-byte kid".into()),
    };
    let g_i = public_x(
        crate::suite::unhex(&initiator.key)?
            .try_into()
            .map_err(|_| "a key of 32 bytes")?,
    )?;
    let mut th_3_input = bstr(&after.th_2);
    th_3_input.extend_from_slice(&after.plaintext_2);
    th_3_input.extend_from_slice(&after.cred_r);
    let th_3 = Sha256::digest(&th_3_input);
    let salt_4e3m = kdf(&after.prk_3e2m, 5, &th_3, 32)?;
    let (prk_4e3m, _) = Hkdf::<Sha256>::extract(Some(&salt_4e3m), &ecdh(y, &g_i)?);
    let mut context_3 = vec![0xa1, 0x04, 0x41, kid];
    context_3.extend_from_slice(&bstr(&th_3));
    context_3.extend_from_slice(&cred_i);
    context_3.extend_from_slice(ead_3);
    let mac_3 = kdf(&prk_4e3m, 6, &context_3, 8)?;
    let mut plaintext_3 = vec![kid];
    plaintext_3.extend_from_slice(&bstr(&mac_3));
    plaintext_3.extend_from_slice(ead_3);
    let k_3 = kdf(&after.prk_3e2m, 3, &th_3, 16)?;
    let iv_3 = kdf(&after.prk_3e2m, 4, &th_3, 13)?;
    let mut aad = vec![0x83, 0x68];
    aad.extend_from_slice(b"Encrypt0");
    aad.push(0x40);
    aad.extend_from_slice(&bstr(&th_3));
    type AesCcm = ccm::Ccm<aes::Aes128, ccm::consts::U8, ccm::consts::U13>;
    let cipher = AesCcm::new_from_slice(&k_3).map_err(|e| format!("K_3: {e}"))?;
    let mut ciphertext = plaintext_3;
    let tag = cipher
        .encrypt_in_place_detached(iv_3.as_slice().into(), &aad, &mut ciphertext)
        .map_err(|e| format!("AEAD: {e}"))?;
    ciphertext.extend_from_slice(&tag);
    Ok(hex(&bstr(&ciphertext)))
}

/// An initiator facing a responder that sends what a node of the profile must not: C_R equal to C_I,
/// ID_CRED_R by value, a critical EAD_2. Each message_2 is otherwise genuine (its MAC_2 verifies), so
/// that the refusal is the case's own; the same construction reproduces the reference responder's
/// message_2 byte for byte.
fn misbehaving_responder(v: &mut Vectors, a: &Party, b: &Party) -> Result<(), String> {
    let i = request(EdhocRole::Initiator, a, &[b], C_I, X);
    let r = request(EdhocRole::Responder, b, &[a], C_R, Y);
    let e = exchange(&i, &r)?;
    let plan = |c_r, by_value, ead_2| Message2Plan {
        c_r,
        by_value,
        ead_2,
    };
    let genuine = hand_made_message_2(b, Y, &e.m1, &plan(&[0x02], false, &[]))?;
    if genuine != e.m2 {
        return Err(format!(
            "protocol.edhoc: message_2 built by hand ({genuine}) differs from the reference \
             engine's ({})",
            e.m2
        ));
    }
    let with = |m2: String| {
        let mut req = i.clone();
        req.peer_messages = vec![m2];
        req
    };
    let refuses = |class, sent| Stated::Refuses { class, sent };
    v.add(
        "same-connection-id.initiator",
        "message_2 with C_R equal to C_I (1), its MAC_2 genuine: the initiator aborts",
        &["IOTP-SEC-54"],
        Level::Must,
        with(hand_made_message_2(
            b,
            Y,
            &e.m1,
            &plan(&[0x01], false, &[]),
        )?),
        refuses("same-connection-id", 1),
    )?;
    v.add(
        "id-cred-r-by-value.initiator",
        "message_2 with ID_CRED_R by value, {14: CRED_R}, its MAC_2 genuine: the initiator aborts",
        &["IOTP-SEC-149"],
        Level::Must,
        with(hand_made_message_2(b, Y, &e.m1, &plan(&[0x02], true, &[]))?),
        refuses("credential-by-value", 1),
    )?;
    v.add(
        "critical-ead-2.initiator",
        "message_2 with a critical EAD item (label -1), its MAC_2 genuine: the initiator aborts",
        &["IOTP-SEC-52"],
        Level::Must,
        with(hand_made_message_2(
            b,
            Y,
            &e.m1,
            &plan(&[0x02], false, &[0x20]),
        )?),
        refuses("critical-ead", 1),
    )?;
    v.add(
        "non-critical-ead-2.initiator",
        "message_2 with a non-critical EAD item (label 1), its MAC_2 genuine: ignored, the \
         handshake completes",
        &["IOTP-SEC-52"],
        Level::Must,
        with(hand_made_message_2(
            b,
            Y,
            &e.m1,
            &plan(&[0x02], false, &[0x01]),
        )?),
        Stated::Completes {
            sizes: vec![37, 19],
            body_sizes: vec![49, 35],
            visitor: false,
        },
    )?;
    Ok(())
}

/// A responder facing an initiator whose message_3 carries EAD_3: a critical item is refused, a
/// non-critical one ignored. Each message_3 is otherwise genuine (its MAC_3 verifies); the same
/// construction reproduces the reference initiator's message_3 byte for byte.
fn misbehaving_initiator(v: &mut Vectors, a: &Party, b: &Party) -> Result<(), String> {
    let i = request(EdhocRole::Initiator, a, &[b], C_I, X);
    let r = request(EdhocRole::Responder, b, &[a], C_R, Y);
    let e = exchange(&i, &r)?;
    let plan = Message2Plan {
        c_r: &[0x02],
        by_value: false,
        ead_2: &[],
    };
    let after = hand_made_handshake(b, Y, &e.m1, &plan)?;
    let genuine = hand_made_message_3(a, Y, &after, &[])?;
    if after.message_2 != e.m2 || genuine != e.m3 {
        return Err(format!(
            "protocol.edhoc: message_3 built by hand ({genuine}) differs from the reference \
             engine's ({})",
            e.m3
        ));
    }
    let with = |m3: String| {
        let mut req = r.clone();
        req.peer_messages = vec![e.m1.clone(), m3];
        req
    };
    v.add(
        "critical-ead-3.responder",
        "message_3 with a critical EAD item (label -1), its MAC_3 genuine: the responder aborts",
        &["IOTP-SEC-52"],
        Level::Must,
        with(hand_made_message_3(a, Y, &after, &[0x20])?),
        Stated::Refuses {
            class: "critical-ead",
            sent: 1,
        },
    )?;
    v.add(
        "non-critical-ead-3.responder",
        "message_3 with a non-critical EAD item (label 1), its MAC_3 genuine: ignored, the \
         handshake completes",
        &["IOTP-SEC-52"],
        Level::Must,
        with(hand_made_message_3(a, Y, &after, &[0x01])?),
        Stated::Completes {
            sizes: vec![45],
            body_sizes: vec![55, 8],
            visitor: false,
        },
    )?;
    Ok(())
}

/// The vector file `protocol.edhoc`.
pub(crate) fn file_of_handshakes() -> Result<VectorFile, String> {
    let a = party([0x11; 32], SUB_A, 0x05)?;
    let b = party([0x22; 32], SUB_B, 0x07)?;
    let mut v = Vectors(Vec::new());
    trace_2(&mut v)?;
    handshakes(&mut v, &a, &b)?;
    refusals(&mut v, &a, &b)?;
    misbehaving_responder(&mut v, &a, &b)?;
    misbehaving_initiator(&mut v, &a, &b)?;
    Ok(file(
        "protocol.edhoc",
        "EDHOC handshakes of spec §8.4 (method 3, suite 2, CCS credentials), one role at a time: RFC \
         9529's trace 2, handshakes by kid and by value, and the refusals of the profile (request \
         `edhoc`, protocol version 2)",
        v.0,
    ))
}
