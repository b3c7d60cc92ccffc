//! Vectors of pairing (spec §8.3): the check digits of manual pairing codes (§8.3.1) and the SPAKE2+
//! exchange (§8.3.3, RFC 9383), for the requests `check-digit` and `spake2plus` of protocol version 2.
//!
//! Every `verhoeff` and `verhoeff-invalid` block of spec chapter 13 (§13.6) is read from the spec's
//! text, and the reference engine must reproduce it. The SPAKE2+ transcripts take their values from
//! RFC 9383, appendix C, as `protocol/tests/spake2plus.rs` holds them (read from that file's text, where
//! they were copied from the RFC), and from the worked example of §8.3.3 (its `PairingStart`,
//! `PairingParams` and `Context`, read from the spec's text, and the w0, w1 and L of its passcode,
//! computed independently of the crate and held by the same test file). The shares, confirmations
//! and keys of the §8.3.3 transcript, which no source gives, are the reference engine's, with both of
//! its roles agreeing and its pairing context checked against `derive-context`. The invalid shareP
//! and the altered confirmations are built around the RFC's transcript, with their outcomes stated
//! here.

use p256::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
use p256::elliptic_curve::PrimeField;

use super::engine::{file, reference, stated};
use super::spec_blocks::{blocks, hex_bytes, Block};
use crate::protocol::{ContextInputs, PairingKeys, Request, Response, Spake2plusInputs};
use crate::suite::hex;
use crate::vector::{Operation, Vector, VectorFile};

const CHAPTER: &str = "spec/13-security-test-vectors.md";
const TEXT: &str = include_str!("../../../spec/13-security-test-vectors.md");
const SECURITY: &str = "spec/08-security.md";
const SECURITY_TEXT: &str = include_str!("../../../spec/08-security.md");
const RFC_VALUES: &str = "protocol/tests/spake2plus.rs";
const RFC_TEXT: &str = include_str!("../../../protocol/tests/spake2plus.rs");

fn check_digit_vector(
    name: &str,
    description: String,
    requirements: &[&str],
    (digits, code): (Option<&str>, Option<&str>),
    outcome: Result<(Option<u8>, Option<bool>), &str>,
) -> Result<Vector, String> {
    let id = format!("protocol.check-digits.{name}");
    let request = Request::CheckDigit {
        id: id.clone(),
        digits: digits.map(str::to_string),
        code: code.map(str::to_string),
    };
    let outcome = outcome.map(|(check, valid)| Response::CheckDigit { id, check, valid });
    stated(
        description,
        requirements,
        Operation::CheckDigit,
        request,
        outcome,
    )
}

fn check_digit_vectors() -> Result<Vec<Vector>, String> {
    let all = blocks(CHAPTER, TEXT, "iotp-vector")?;
    let of_kind = |kind: &str| -> Vec<&Block> {
        all.iter().filter(|b| b.opt("kind") == Some(kind)).collect()
    };
    let (valid, invalid) = (of_kind("verhoeff"), of_kind("verhoeff-invalid"));
    if valid.len() != 10 || invalid.len() != 5 {
        return Err(format!(
            "{CHAPTER}: {} verhoeff and {} verhoeff-invalid blocks, expected 10 and 5",
            valid.len(),
            invalid.len()
        ));
    }
    let digit = |b: &Block, name: &str| -> Result<u8, String> {
        b.get(name)?
            .parse()
            .map_err(|_| format!("{}: `{name}` is not a digit", b.at))
    };
    let mut out = Vec::new();
    for b in valid {
        let digits = b.get("digits")?;
        let check = digit(b, "check")?;
        let code = b.get("code")?;
        if code != format!("{digits}{check}") {
            return Err(format!("{}: `code` is not `digits` and `check`", b.at));
        }
        out.push(check_digit_vector(
            &format!("compute.{digits}"),
            format!("the check digit of `{digits}` ({CHAPTER} §13.6): {check}"),
            &["IOTP-SEC-131"],
            (Some(digits), None),
            Ok((Some(check), None)),
        )?);
        out.push(check_digit_vector(
            &format!("code.{code}"),
            format!("the manual pairing code `{code}` of {CHAPTER} §13.6: it passes the check"),
            &["IOTP-SEC-24"],
            (None, Some(code)),
            Ok((None, Some(true))),
        )?);
        let wrong = digit(b, "left_to_right")?;
        if wrong != check {
            let mistaken = format!("{digits}{wrong}");
            out.push(check_digit_vector(
                &format!("left-to-right.{mistaken}"),
                format!(
                    "`{mistaken}`: `{digits}` with the check digit of the digits taken from left to \
                     right ({CHAPTER} §13.6), which fails the check"
                ),
                &["IOTP-SEC-24", "IOTP-SEC-131"],
                (None, Some(&mistaken)),
                Ok((None, Some(false))),
            )?);
        }
    }
    for b in invalid {
        let code = b.get("code")?;
        let error = b.get("error")?;
        out.push(check_digit_vector(
            &format!("invalid.{code}"),
            format!(
                "the manual pairing code `{code}` of {CHAPTER} §13.6, with a {error} error: it fails \
                 the check and is rejected"
            ),
            &["IOTP-SEC-24"],
            (None, Some(code)),
            Ok((None, Some(false))),
        )?);
    }
    for (name, what, input) in [
        ("digits-10", "ten digits", (Some("7426941423"), None)),
        ("digits-12", "twelve digits", (Some("742694142372"), None)),
        (
            "code-11",
            "a code of eleven digits",
            (None, Some("74269414237")),
        ),
        (
            "code-letter",
            "a code with a letter",
            (None, Some("74269414237a")),
        ),
    ] {
        out.push(check_digit_vector(
            &format!("refused.{name}"),
            format!("{what}: not the digits of a manual pairing code"),
            &["IOTP-SEC-24"],
            input,
            Err("not-digits"),
        )?);
    }
    Ok(out)
}

/// The string literals of `text` in order (the test file writes them without escapes), each with
/// the byte offset where it starts.
fn literals(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut at = 0;
    while let Some(open) = rest.find('"') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('"') else { break };
        out.push((at + open + 1, &after[..close]));
        let used = open + 1 + close + 1;
        at += used;
        rest = &rest[used..];
    }
    out
}

/// The text of [`RFC_TEXT`] from `start` to the first `end` after it.
fn span(start: &str, end: &str) -> Result<&'static str, String> {
    let from = RFC_TEXT
        .find(start)
        .ok_or_else(|| format!("{RFC_VALUES}: no `{start}`"))?;
    let to = RFC_TEXT[from..]
        .find(end)
        .ok_or_else(|| format!("{RFC_VALUES}: `{start}` does not end"))?;
    Ok(&RFC_TEXT[from..from + to])
}

/// The value of the constant `name` of the RFC's vector in [`RFC_TEXT`]: a string (`"..."` or
/// `concat!(...)` of strings), or a byte string (`b"..."`, returned as its text).
fn rfc_constant(name: &str) -> Result<String, String> {
    let parts: Vec<&str> = literals(span(&format!("const {name}: "), ";\n")?)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    if parts.is_empty() {
        return Err(format!("{RFC_VALUES}: constant {name} holds no string"));
    }
    Ok(parts.concat())
}

/// The hex literals of the body of the test function `name` of [`RFC_TEXT`], in order, the parts of
/// a `concat!` joined.
fn test_values(name: &str) -> Result<(&'static str, Vec<String>), String> {
    let body = span(&format!("fn {name}()"), "\n}\n")?;
    let mut values: Vec<String> = Vec::new();
    let mut previous_end = 0;
    for (at, s) in literals(body) {
        if !s.bytes().all(|c| c.is_ascii_hexdigit()) || s.len() < 32 {
            continue;
        }
        // A literal that continues a `concat!` (only a comma and white space since the last) joins it.
        let between = &body[previous_end..at - 1];
        match values.last_mut() {
            Some(last) if between.trim() == "," => last.push_str(s),
            _ => values.push(s.to_string()),
        }
        previous_end = at + s.len() + 1;
    }
    Ok((body, values))
}

/// The RFC's vector: its inputs and the values it gives.
struct RfcVector {
    inputs: Spake2plusInputs,
    x: String,
    y: String,
    expected: Response,
    m: Vec<u8>,
}

fn rfc_vector() -> Result<RfcVector, String> {
    let c = rfc_constant;
    let text_hex = |name: &str| c(name).map(|t| hex(t.as_bytes()));
    let inputs = Spake2plusInputs {
        w0: Some(c("W0")?),
        w1: Some(c("W1")?),
        context: Some(text_hex("CONTEXT")?),
        id_prover: text_hex("ID_PROVER")?,
        id_verifier: text_hex("ID_VERIFIER")?,
        ..Spake2plusInputs::default()
    };
    // M is the first point of TT: after Context and the identities, each with its 8-byte length.
    let tt = hex_bytes(&c("TT")?)?;
    let at = [c("CONTEXT")?, c("ID_PROVER")?, c("ID_VERIFIER")?]
        .iter()
        .map(|s| 8 + s.len())
        .sum::<usize>()
        + 8;
    let m = tt
        .get(at..at + 65)
        .ok_or(format!("{RFC_VALUES}: TT is too short"))?
        .to_vec();
    Ok(RfcVector {
        expected: Response::Spake2plus {
            id: String::new(),
            context: text_hex("CONTEXT")?,
            w0: c("W0")?,
            w1: c("W1")?,
            l: c("L")?,
            share_p: c("SHARE_P")?,
            share_v: c("SHARE_V")?,
            confirm_p: c("CONFIRM_P")?,
            confirm_v: c("CONFIRM_V")?,
            k_shared: c("K_SHARED")?,
            pairing_context: None,
        },
        inputs,
        x: c("X")?,
        y: c("Y")?,
        m,
    })
}

fn spake_request(
    id: &str,
    inputs: &Spake2plusInputs,
    (x, y): (&str, &str),
    share_p: Option<String>,
    (confirm_v, confirm_p): (Option<String>, Option<String>),
) -> Request {
    Request::Spake2plus {
        id: id.into(),
        inputs: inputs.clone(),
        x: x.into(),
        y: y.into(),
        share_p,
        confirm_v,
        confirm_p,
    }
}

fn with_id(mut response: Response, new: &str) -> Response {
    if let Response::Spake2plus { id, .. } = &mut response {
        *id = new.into();
    }
    response
}

/// The worked example of §8.3.3 as a transcript: its pairing messages and the passcode whose w0, w1
/// and L the test file gives.
fn spec_vector(rfc: &RfcVector) -> Result<Vector, String> {
    let examples = blocks(SECURITY, SECURITY_TEXT, "iotp-example")?;
    let example = |id: &str| {
        examples
            .iter()
            .find(|b| b.opt("id") == Some(id))
            .ok_or_else(|| format!("{SECURITY}: no example {id}"))
    };
    let start = example("sec.pairing-start")?.bytes("hex")?;
    let params_block = example("sec.pairing-params")?;
    let params = params_block.bytes("hex")?;
    let params_json: serde_json::Value = serde_json::from_str(params_block.get("json")?)
        .map_err(|e| format!("{}: {e}", params_block.at))?;
    let context_line = SECURITY_TEXT
        .lines()
        .find(|l| l.starts_with("| `Context` = SHA-256 of it |"))
        .ok_or(format!("{SECURITY}: no `Context` of the example"))?;
    let context = context_line
        .split('`')
        .nth(3)
        .ok_or(format!("{SECURITY}: the `Context` line has no value"))?;
    let (body, values) = test_values("passcode_to_record")?;
    let [salt, w0, w1, l] = values.as_slice() else {
        return Err(format!(
            "{RFC_VALUES}: passcode_to_record holds {} hex values, expected salt, w0, w1 and L",
            values.len()
        ));
    };
    if !body.contains("from_passcode(69_414_237, &salt, 10_000)")
        || params_json["salt"].as_str() != Some(salt.as_str())
        || params_json["iterations"] != 10_000
    {
        return Err(format!(
            "{RFC_VALUES}: passcode_to_record is not the passcode 69414237 with the salt and \
             iterations of the example of {SECURITY} §8.3.3"
        ));
    }
    let inputs = Spake2plusInputs {
        passcode: Some("69414237".into()),
        salt: Some(salt.clone()),
        iterations: Some(10_000),
        pairing_start: Some(hex(&start)),
        pairing_params: Some(hex(&params)),
        ..Spake2plusInputs::default()
    };
    let id = "protocol.spake2plus.sec-8.3.3";
    let request = spake_request(id, &inputs, (&rfc.x, &rfc.y), None, (None, None));
    let transcript = reference(&request)?;
    let Response::Spake2plus {
        context: got_context,
        w0: got_w0,
        w1: got_w1,
        l: got_l,
        k_shared,
        pairing_context: Some(keys),
        ..
    } = &transcript
    else {
        return Err(format!("{id}: the reference engine gives no transcript"));
    };
    if (got_context.as_str(), got_w0, got_w1, got_l) != (context, w0, w1, l) {
        return Err(format!(
            "{id}: the reference engine's Context, w0, w1 or L differ from {SECURITY} and \
             {RFC_VALUES}"
        ));
    }
    // The pairing context is the context that `derive-context` derives from K_shared and the nonces.
    let nonce = |json: &str, name: &str| -> Result<String, String> {
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
        value[name]
            .as_str()
            .map(str::to_string)
            .ok_or(format!("{SECURITY}: no {name}"))
    };
    let derived = reference(&Request::DeriveContext {
        id: "pairing".into(),
        context: ContextInputs {
            master_secret: k_shared.clone(),
            master_salt: format!(
                "{}{}",
                nonce(
                    example("sec.pairing-start")?.get("json")?,
                    "controller_nonce"
                )?,
                nonce(params_block.get("json")?, "device_nonce")?
            ),
            sender_id: "01".into(),
            recipient_id: "00".into(),
        },
    })?;
    let Response::Context {
        sender_key,
        recipient_key,
        common_iv,
        ..
    } = derived
    else {
        return Err(format!("{id}: derive-context gives no context"));
    };
    if *keys
        != (PairingKeys {
            controller_key: sender_key,
            device_key: recipient_key,
            common_iv,
        })
    {
        return Err(format!("{id}: the pairing context is not derive-context's"));
    }
    stated(
        format!(
            "the pairing of the example of {SECURITY} §8.3.3: the passcode 69414237 with the salt \
             and iterations of its PairingParams, `Context` from its PairingStart and \
             PairingParams, x and y of RFC 9383 appendix C; the pairing context of §8.3.4"
        ),
        &["IOTP-SEC-32"],
        Operation::Spake2plus,
        request,
        Ok(transcript),
    )
}

/// shareP values that the verifier must refuse, built from the RFC's shareP and w0.
fn invalid_shares(rfc: &RfcVector) -> Result<Vec<(&'static str, String, String)>, String> {
    let Response::Spake2plus { share_p, w0, .. } = &rfc.expected else {
        unreachable!("the RFC's values are a transcript");
    };
    let good = hex_bytes(share_p)?;
    let mut off_curve = good.clone();
    off_curve[64] ^= 1;
    let mut compressed = vec![0x02 | (good[64] & 1)];
    compressed.extend(&good[1..33]);
    let mut tagged = good.clone();
    tagged[0] = 0x02;
    // w0·M: the verifier computes shareP − w0·M, which is then the point at infinity.
    let m = p256::EncodedPoint::from_bytes(&rfc.m).map_err(|e| e.to_string())?;
    let m = Option::<p256::AffinePoint>::from(p256::AffinePoint::from_encoded_point(&m))
        .ok_or("M is not a point")?;
    let w0: [u8; 32] = hex_bytes(w0)?
        .try_into()
        .map_err(|_| "w0 is not 32 bytes")?;
    let w0 = Option::<p256::Scalar>::from(p256::Scalar::from_repr(w0.into()))
        .ok_or("w0 is not a scalar")?;
    let mask = (p256::ProjectivePoint::from(m) * w0)
        .to_affine()
        .to_encoded_point(false);
    let mut x_is_p = vec![0x04];
    x_is_p.extend(hex_bytes(
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
    )?);
    x_is_p.extend(&good[33..]);
    let mut zeros = vec![0u8; 65];
    zeros[0] = 0x04;
    Ok(vec![
        (
            "off-curve",
            "the RFC's shareP with the last bit of y flipped: not on P-256".into(),
            hex(&off_curve),
        ),
        (
            "x-is-p",
            "x = p: not an element of the field".into(),
            hex(&x_is_p),
        ),
        (
            "zeros",
            "(0, 0) with the uncompressed tag: not on P-256".into(),
            hex(&zeros),
        ),
        (
            "infinity",
            "the point at infinity in SEC 1 form, one zero byte".into(),
            "00".into(),
        ),
        (
            "unmasked-identity",
            "w0·M, whose unmasking leaves the point at infinity".into(),
            hex(mask.as_bytes()),
        ),
        (
            "compressed",
            "the RFC's shareP in compressed form (33 bytes): shares are uncompressed".into(),
            hex(&compressed),
        ),
        (
            "compressed-tag",
            "the RFC's shareP with the compressed tag 0x02 on 65 bytes".into(),
            hex(&tagged),
        ),
        (
            "truncated",
            "the RFC's shareP without its last byte".into(),
            hex(&good[..64]),
        ),
        ("empty", "no bytes".into(), String::new()),
    ]
    .into_iter()
    .map(|(name, what, share): (&str, String, String)| (name, what, share))
    .collect())
}

fn spake2plus_vectors() -> Result<Vec<Vector>, String> {
    let rfc = rfc_vector()?;
    let scalars = (rfc.x.as_str(), rfc.y.as_str());
    let mut out = Vec::new();
    let id = "protocol.spake2plus.rfc9383";
    out.push(stated(
        "the test vector of RFC 9383, appendix C (P256-SHA256-HKDF-SHA256-HMAC-SHA256, with its \
         identities and Context), both roles",
        &["IOTP-SEC-32"],
        Operation::Spake2plus,
        spake_request(id, &rfc.inputs, scalars, None, (None, None)),
        Ok(with_id(rfc.expected.clone(), id)),
    )?);
    out.push(spec_vector(&rfc)?);
    for (name, what, share) in invalid_shares(&rfc)? {
        out.push(stated(
            format!("the RFC 9383 exchange, the device receiving as shareP {what}: refused"),
            &["IOTP-SEC-33"],
            Operation::Spake2plus,
            spake_request(
                &format!("protocol.spake2plus.share-p.{name}"),
                &rfc.inputs,
                scalars,
                Some(share),
                (None, None),
            ),
            Err("invalid-share"),
        )?);
    }
    let Response::Spake2plus {
        confirm_p,
        confirm_v,
        ..
    } = &rfc.expected
    else {
        unreachable!("the RFC's values are a transcript");
    };
    let flipped = |hex_value: &str| -> Result<String, String> {
        let mut bytes = hex_bytes(hex_value)?;
        bytes[31] ^= 1;
        Ok(hex(&bytes))
    };
    let confirmations = [
        (
            "confirm-v.flipped",
            "the controller receiving the RFC's confirmV with its last bit flipped: it sends no \
             confirmP",
            &["IOTP-SEC-34"][..],
            (Some(flipped(confirm_v)?), None),
        ),
        (
            "confirm-v.own",
            "the controller receiving its own confirmP as confirmV: it sends no confirmP",
            &["IOTP-SEC-34"][..],
            (Some(confirm_p.clone()), None),
        ),
        (
            "confirm-p.flipped",
            "the device receiving the RFC's confirmP with its last bit flipped: a failed attempt",
            &["IOTP-SEC-30", "IOTP-SEC-32"][..],
            (None, Some(flipped(confirm_p)?)),
        ),
    ];
    for (name, what, requirements, overrides) in confirmations {
        out.push(stated(
            format!("the RFC 9383 exchange, {what}"),
            requirements,
            Operation::Spake2plus,
            spake_request(
                &format!("protocol.spake2plus.{name}"),
                &rfc.inputs,
                scalars,
                None,
                overrides,
            ),
            Err("confirmation-failed"),
        )?);
    }
    Ok(out)
}

/// The vector files `protocol.check-digits` and `protocol.spake2plus`.
pub(crate) fn files() -> Result<Vec<VectorFile>, String> {
    Ok(vec![
        file(
            "protocol.check-digits",
            "check digits of manual pairing codes (spec §8.3.1): every code of spec chapter 13 \
             computed and checked, with the codes that must fail (request `check-digit`, protocol \
             version 2)",
            check_digit_vectors()?,
        ),
        file(
            "protocol.spake2plus",
            "SPAKE2+ exchanges (spec §8.3.3, RFC 9383) run through both roles: the RFC's vector, the \
             example of §8.3.3 with its pairing context (§8.3.4), shares the device must refuse and \
             confirmations that must fail (request `spake2plus`, protocol version 2)",
            spake2plus_vectors()?,
        ),
    ])
}
