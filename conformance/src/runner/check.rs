//! Judging a testee's response against a vector's prescribed outcome.

use serde_json::Value;

use super::testee::{kind, Hello};
use crate::protocol::{FrameResult, OpenResult, Request, Response};
use crate::suite::unhex;
use crate::vector::{Expect, Vector};

/// The verdict on one response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The response is the prescribed outcome.
    Pass,
    /// It is not: what was expected and what came.
    Fail(String),
    /// The testee declined the vector (`skipped`): its reason.
    Skip(String),
}

/// Why a vector is not run against this testee, if it is not: the features it needs that the testee
/// did not declare (an operation needs the feature of its name), or an implementation-defined
/// behaviour for which the testee declared no choice.
pub fn not_claimed(vector: &Vector, hello: &Hello) -> Option<String> {
    let since = vector.operation.since_protocol();
    if hello.protocol < since {
        // A feature of a later version's name, declared by an older testee, claims nothing.
        return Some(format!(
            "not claimed: `{}` is a request of protocol version {since}, the testee speaks version {}",
            vector.operation.name(),
            hello.protocol
        ));
    }
    let operation = vector.operation.name();
    let mut missing: Vec<&str> = std::iter::once(operation)
        .chain(vector.features.iter().map(String::as_str))
        .filter(|f| !hello.features.contains(*f))
        .collect();
    missing.dedup();
    if !missing.is_empty() {
        return Some(format!(
            "not claimed: needs feature{} {}",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        ));
    }
    let mut expect = &vector.expect;
    while let Expect::ImplementationDefined { choice, outcomes } = expect {
        let Some(chosen) = hello.choices.get(choice) else {
            return Some(format!(
                "not claimed: implementation-defined `{choice}`, for which the testee declared no choice"
            ));
        };
        match outcomes.iter().find(|o| &o.choice == chosen) {
            Some(outcome) => expect = &outcome.expect,
            None => return None, // judged (and failed) by `judge`
        }
    }
    None
}

/// Judges `response` to `vector` from a testee that declared `hello`.
pub fn judge(vector: &Vector, hello: &Hello, response: &Response) -> Verdict {
    match response {
        Response::Skipped { reason, .. } => return Verdict::Skip(reason.clone()),
        Response::Errored { details, .. } => {
            return Verdict::Fail(format!("the testee errored: {details}"))
        }
        Response::Hello { .. } => {
            return Verdict::Fail("the testee answered with `hello` instead of a result".into())
        }
        _ => {}
    }
    let expect = match resolve(&vector.expect, hello) {
        Ok(expect) => expect,
        Err(message) => return Verdict::Fail(message),
    };
    if let Expect::Response { response: want } = expect {
        return judge_engine(vector, want, response);
    }
    let json = hello.features.contains("json");
    let offsets = hello.features.contains("offsets");
    match (expect, response) {
        (
            Expect::Valid {
                json: want_json,
                hex: want_hex,
            },
            Response::Ok {
                hex,
                json: got_json,
                json_text,
                ..
            },
        ) => {
            if !hex.eq_ignore_ascii_case(want_hex) {
                return Verdict::Fail(format!(
                    "expected the bytes {}, got {}{}",
                    show_hex(want_hex),
                    show_hex(hex),
                    first_difference(want_hex, hex)
                ));
            }
            if json {
                match got_json {
                    None => {
                        return Verdict::Fail(
                            "the testee declared `json` but sent no `json` with its result".into(),
                        )
                    }
                    Some(got) => {
                        if let Err(difference) = json_equal(want_json, got, "$") {
                            return Verdict::Fail(format!(
                                "expected the JSON {}, got {}: {difference}",
                                compact(want_json),
                                compact(got)
                            ));
                        }
                    }
                }
            }
            if vector.features.iter().any(|f| f == "json-text") {
                let Some(text) = json_text else {
                    return Verdict::Fail(
                        "the vector checks the JSON text, and the testee sent no `json_text`"
                            .into(),
                    );
                };
                if let Err(difference) = json_text_matches(want_json, text) {
                    return Verdict::Fail(difference);
                }
            }
            Verdict::Pass
        }
        (Expect::Valid { hex: want_hex, .. }, Response::Error { class, offset, .. }) => {
            Verdict::Fail(format!(
                "expected acceptance (canonical bytes {}), got rejection with `{class}`{}",
                show_hex(want_hex),
                offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
            ))
        }
        (Expect::Invalid { class, offset }, Response::Ok { hex, .. }) => Verdict::Fail(format!(
            "expected rejection with `{class}`{}, got acceptance (bytes {})",
            offset.map(|o| format!(" at byte {o}")).unwrap_or_default(),
            show_hex(hex)
        )),
        (
            Expect::Invalid {
                class: want_class,
                offset: want_offset,
            },
            Response::Error { class, offset, .. },
        ) => {
            if class != want_class {
                return Verdict::Fail(format!(
                    "expected rejection with `{want_class}`{}, got `{class}`{}",
                    want_offset
                        .map(|o| format!(" at byte {o}"))
                        .unwrap_or_default(),
                    offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
                ));
            }
            if let (true, Some(want)) = (offsets, want_offset) {
                if *offset != Some(*want) {
                    return Verdict::Fail(format!(
                        "expected `{want_class}` at byte {want}, got it {} (the testee declared `offsets`)",
                        match offset {
                            Some(o) => format!("at byte {o}"),
                            None => "without an offset".into(),
                        }
                    ));
                }
            }
            Verdict::Pass
        }
        (expect, other) => Verdict::Fail(format!(
            "expected {}, got a `{}` response",
            describe(expect),
            kind(other)
        )),
    }
}

/// Judges the response to a protocol-engine request: the expected response, member by member (hex in
/// either case); for `fragment`, the rules of spec §5.12.2 instead, since a sender may cut a message
/// in other ways than the reference engine.
fn judge_engine(vector: &Vector, want: &Response, got: &Response) -> Verdict {
    if kind(want) != kind(got) {
        return Verdict::Fail(format!(
            "expected a `{}` response ({}), got a `{}` response",
            kind(want),
            describe_response(want),
            kind(got)
        ));
    }
    if let (
        Some(Request::Fragment {
            message,
            frame_size,
            tag,
            ..
        }),
        Response::Frames { frames, .. },
    ) = (&vector.input.request, got)
    {
        // The order of the frames is a SHOULD ([IOTP-MSG-79]): judged only where a vector cites it.
        let ordered = vector.requirements.iter().any(|r| r == ORDER_RULE);
        return match fragment_rules(message, *frame_size, *tag, frames).and_then(|()| {
            if ordered {
                fragment_order(frames)
            } else {
                Ok(())
            }
        }) {
            Ok(()) => Verdict::Pass,
            Err(why) => Verdict::Fail(why),
        };
    }
    let (want, got) = (as_json(&lowercase_hex(want)), as_json(&lowercase_hex(got)));
    match json_equal(&want, &got, "$") {
        Ok(()) => Verdict::Pass,
        Err(difference) => Verdict::Fail(format!(
            "expected {}, got {}: {difference}",
            compact(&want),
            compact(&got)
        )),
    }
}

fn as_json(response: &Response) -> Value {
    serde_json::to_value(response).expect("responses serialise")
}

/// The response with every byte string in lowercase, so that hex compares case-insensitively.
fn lowercase_hex(response: &Response) -> Response {
    let low = |s: &String| s.to_ascii_lowercase();
    let mut r = response.clone();
    match &mut r {
        Response::Context {
            sender_key,
            recipient_key,
            common_iv,
            ..
        } => {
            for s in [sender_key, recipient_key, common_iv] {
                *s = low(s);
            }
        }
        Response::Sealed { sealed, .. } => *sealed = low(sealed),
        Response::Signature { signature, .. } => *signature = low(signature),
        Response::Opened { results, .. } => {
            for OpenResult { plaintext, .. } in results {
                *plaintext = plaintext.as_ref().map(low);
            }
        }
        Response::Frames { frames, .. } => frames.iter_mut().for_each(|f| *f = low(f)),
        Response::Handshake { handshake, .. } => handshake.lowercase_hex(),
        // The text form of a node ID is lowercase by definition: it compares as written.
        Response::NodeId { node_id, .. } => *node_id = low(node_id),
        Response::Verified {
            node,
            signers,
            new_node,
            audience,
            ..
        } => {
            *node = low(node);
            signers.iter_mut().for_each(|s| *s = low(s));
            for n in [new_node, audience].into_iter().flatten() {
                *n = low(n);
            }
        }
        Response::Spake2plus {
            context,
            w0,
            w1,
            l,
            share_p,
            share_v,
            confirm_p,
            confirm_v,
            k_shared,
            pairing_context,
            ..
        } => {
            for s in [
                context, w0, w1, l, share_p, share_v, confirm_p, confirm_v, k_shared,
            ] {
                *s = low(s);
            }
            if let Some(keys) = pairing_context {
                for s in [
                    &mut keys.controller_key,
                    &mut keys.device_key,
                    &mut keys.common_iv,
                ] {
                    *s = low(s);
                }
            }
        }
        Response::Reassembled { results, .. } => {
            for FrameResult { message, .. } in results {
                *message = message.as_ref().map(low);
            }
        }
        _ => {}
    }
    r
}

/// Checks the frames a testee cut `message` (hex) into for frames of `frame_size` bytes with `tag`,
/// against the rules of spec §5.12: a message that fits travels whole ([IOTP-MSG-75]); otherwise one
/// first fragment of the whole `size` starting at byte 0, and next fragments with `offset` at least
/// 1, every chunk within `size`, all with the tag ([IOTP-MSG-77], [IOTP-MSG-78], [IOTP-MSG-80]),
/// covering every byte of the message exactly once with its value; no frame larger than the link's.
/// The order of the frames ([IOTP-MSG-79], a SHOULD) is not checked.
pub fn fragment_rules(
    message: &str,
    frame_size: usize,
    tag: u8,
    frames: &[String],
) -> Result<(), String> {
    let message = unhex(message).map_err(|e| format!("the request's message: {e}"))?;
    let mut covered = vec![false; message.len()];
    let mut firsts = 0;
    for (i, text) in frames.iter().enumerate() {
        let frame = unhex(text).map_err(|e| format!("frame {i} is not hex: {e}"))?;
        if frame.len() > frame_size {
            return Err(format!(
                "frame {i} has {} bytes, more than the link's {frame_size}",
                frame.len()
            ));
        }
        if message.len() <= frame_size {
            if frames.len() != 1 || frame != message {
                return Err(format!(
                    "the message ({} bytes) fits a frame of {frame_size} bytes and must be sent \
                     whole, as one frame (IOTP-MSG-75)",
                    message.len()
                ));
            }
            return Ok(());
        }
        let (&kind, rest) = frame
            .split_first()
            .ok_or_else(|| format!("frame {i} is empty"))?;
        if !matches!(kind, 0xc0 | 0xc1) || rest.len() <= 3 {
            return Err(format!(
                "frame {i} ({}) is not a fragment with a chunk (§5.12.1)",
                show_hex(text)
            ));
        }
        if rest[0] != tag {
            return Err(format!(
                "frame {i} has the tag {}, not the message's {tag} (IOTP-MSG-80)",
                rest[0]
            ));
        }
        let value = usize::from(u16::from_be_bytes([rest[1], rest[2]]));
        let chunk = &rest[3..];
        let offset = if kind == 0xc0 {
            firsts += 1;
            if value != message.len() {
                return Err(format!(
                    "the first fragment announces {value} bytes, the message has {} (IOTP-MSG-77)",
                    message.len()
                ));
            }
            0
        } else if value == 0 {
            return Err(format!("next fragment {i} has offset 0 (IOTP-MSG-78)"));
        } else {
            value
        };
        let end = offset + chunk.len();
        if end > message.len() {
            return Err(format!(
                "frame {i}'s chunk ends at byte {end}, beyond the message's {} (IOTP-MSG-78)",
                message.len()
            ));
        }
        for (at, &byte) in (offset..end).zip(chunk) {
            if covered[at] {
                return Err(format!("byte {at} is sent twice (IOTP-MSG-77)"));
            }
            if byte != message[at] {
                return Err(format!("frame {i} carries a wrong value for byte {at}"));
            }
            covered[at] = true;
        }
    }
    if firsts != 1 {
        return Err(format!(
            "{firsts} first fragments, where the message needs exactly one (IOTP-MSG-77)"
        ));
    }
    match covered.iter().position(|c| !c) {
        Some(at) => Err(format!(
            "byte {at} of the message is in no frame (IOTP-MSG-77)"
        )),
        None => Ok(()),
    }
}

/// The requirement that a message's fragments go in ascending offset order, first fragment first.
pub const ORDER_RULE: &str = "IOTP-MSG-79";

/// Checks [IOTP-MSG-79] on frames that already pass [`fragment_rules`]: the first fragment first,
/// then next fragments at ascending offsets. A message sent whole is in order.
pub fn fragment_order(frames: &[String]) -> Result<(), String> {
    if frames.len() < 2 {
        return Ok(());
    }
    let mut last = 0usize;
    for (i, text) in frames.iter().enumerate() {
        let frame = unhex(text).map_err(|e| format!("frame {i} is not hex: {e}"))?;
        let (first, offset) = match frame.as_slice() {
            [0xc0, ..] => (true, 0),
            [0xc1, _, hi, lo, ..] => (false, usize::from(u16::from_be_bytes([*hi, *lo]))),
            _ => return Err(format!("frame {i} is not a fragment (§5.12.1)")),
        };
        if first != (i == 0) {
            return Err(format!(
                "the first fragment is frame {i}, where it should be sent first ({ORDER_RULE})"
            ));
        }
        if i > 0 && offset <= last {
            return Err(format!(
                "frame {i} has the offset {offset}, not above the previous frame's {last} \
                 ({ORDER_RULE})"
            ));
        }
        last = offset;
    }
    Ok(())
}

/// A response in words, for failure messages: its JSON without the id.
fn describe_response(response: &Response) -> String {
    let mut json = as_json(response);
    if let Value::Object(members) = &mut json {
        members.remove("id");
    }
    compact(&json)
}

/// The outcome that applies to this testee: an implementation-defined expectation resolved by the
/// testee's declared choice.
fn resolve<'a>(mut expect: &'a Expect, hello: &Hello) -> Result<&'a Expect, String> {
    while let Expect::ImplementationDefined { choice, outcomes } = expect {
        let chosen = hello
            .choices
            .get(choice)
            .ok_or_else(|| format!("no choice declared for `{choice}`"))?;
        expect = &outcomes
            .iter()
            .find(|o| &o.choice == chosen)
            .ok_or_else(|| {
                format!(
                    "the testee declared `{chosen}` for `{choice}`, which is not one of the allowed \
                     choices: {}",
                    outcomes
                        .iter()
                        .map(|o| o.choice.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?
            .expect;
    }
    Ok(expect)
}

/// Whether `text`, a testee's JSON text, holds the value `want` and writes every number with the
/// digits of its shortest form (IOTP-WIRE-69): the significant digits of each number must be those
/// that serde_json's shortest round-trip writer gives for the expected value. Notation (exponent,
/// trailing `.0`) is free.
pub fn json_text_matches(want: &Value, text: &str) -> Result<(), String> {
    let got: Value = serde_json::from_str(text)
        .map_err(|e| format!("the `json_text` is not JSON: {e}: {text}"))?;
    json_equal(want, &got, "$")
        .map_err(|d| format!("the `json_text` {text} does not hold the expected value: {d}"))?;
    let want_text = serde_json::to_string(want).expect("a JSON value prints");
    let (mut expected, mut written) = (Vec::new(), Vec::new());
    numbers(&want_text, "$", &mut expected);
    numbers(text, "$", &mut written);
    expected.sort();
    written.sort();
    for ((path, want_digits), (_, got_digits)) in expected.iter().zip(&written) {
        if want_digits != got_digits {
            return Err(format!(
                "the number at {path} is written with the digits {got_digits}, where the shortest \
                 form that reads back has {want_digits} (IOTP-WIRE-69): {text}"
            ));
        }
    }
    Ok(())
}

/// The significant digits of every number of a JSON text, with its path (`$.a.b[0]`), for a text
/// already known to be valid JSON. Digits: without sign, decimal point, exponent, leading and
/// trailing zeros (`0.1` → `1`, `16777216.0` → `16777216`, `1e-45` → `1`, `0` → `0`).
fn numbers(text: &str, root: &str, out: &mut Vec<(String, String)>) {
    // A small walk over the tokens, enough for valid JSON: strings are skipped whole, a path is
    // kept per nesting level.
    let bytes = text.as_bytes();
    let mut stack: Vec<(bool, String, usize)> = Vec::new(); // (is_object, pending key, index)
    let mut i = 0;
    let path_here = |stack: &Vec<(bool, String, usize)>| {
        let mut p = root.to_string();
        for (is_object, key, index) in stack {
            if *is_object {
                p.push('.');
                p.push_str(key);
            } else {
                p.push_str(&format!("[{index}]"));
            }
        }
        p
    };
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push((true, String::new(), 0)),
            b'[' => stack.push((false, String::new(), 0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.2 += 1;
                }
            }
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                // A string followed by `:` is an object key.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if bytes.get(j) == Some(&b':') {
                    if let Some(top) = stack.last_mut() {
                        top.1 = text[start..i].to_string();
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i + 1 < bytes.len()
                    && matches!(bytes[i + 1], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                out.push((path_here(&stack), significant_digits(&text[start..=i])));
            }
            _ => {}
        }
        i += 1;
    }
}

fn significant_digits(number: &str) -> String {
    let mantissa = number.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0').trim_end_matches('0');
    if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.into()
    }
}

/// Compares canonical JSON: same structure, object members in the same order (canonical JSON has one
/// order, IOTP-WIRE-65), integers exactly, other numbers by value (`1.5` equals `1.50`).
pub fn json_equal(want: &Value, got: &Value, path: &str) -> Result<(), String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => {
            for (name, w_value) in w {
                match g.get(name) {
                    Some(g_value) => json_equal(w_value, g_value, &format!("{path}.{name}"))?,
                    None => return Err(format!("{path}.{name} is missing")),
                }
            }
            if let Some(extra) = g.keys().find(|k| !w.contains_key(*k)) {
                return Err(format!("{path}.{extra} is not expected"));
            }
            if !w.keys().eq(g.keys()) {
                return Err(format!(
                    "the members of {path} are not in ascending key order ({})",
                    g.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
                ));
            }
            Ok(())
        }
        (Value::Array(w), Value::Array(g)) => {
            if w.len() != g.len() {
                return Err(format!(
                    "{path} has {} items instead of {}",
                    g.len(),
                    w.len()
                ));
            }
            for (i, (w, g)) in w.iter().zip(g).enumerate() {
                json_equal(w, g, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(w), Value::Number(g)) => {
            let equal = match (w.as_u64(), g.as_u64(), w.as_i64(), g.as_i64()) {
                (Some(a), Some(b), _, _) => a == b,
                (_, _, Some(a), Some(b)) => a == b,
                _ => w.as_f64() == g.as_f64() && (w.is_f64() || g.is_f64()),
            };
            if equal {
                Ok(())
            } else {
                Err(format!("{path} is {g} instead of {w}"))
            }
        }
        _ if want == got => Ok(()),
        _ => Err(format!(
            "{path} is {} instead of {}",
            compact(got),
            compact(want)
        )),
    }
}

fn compact(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 200 {
        return text;
    }
    let mut cut = 200;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &text[..cut])
}

/// Hex for messages: spaced bytes, shortened past 64 bytes.
pub fn show_hex(hex: &str) -> String {
    if hex.is_empty() {
        return "(none)".into();
    }
    let hex = hex.to_ascii_lowercase();
    let bytes: Vec<&str> = (0..hex.len() / 2)
        .filter_map(|i| hex.get(2 * i..2 * i + 2))
        .collect();
    if bytes.len() > 64 {
        format!("{} ... ({} bytes)", bytes[..64].join(" "), bytes.len())
    } else {
        bytes.join(" ")
    }
}

fn first_difference(want: &str, got: &str) -> String {
    let (w, g) = (want.to_ascii_lowercase(), got.to_ascii_lowercase());
    let at = w
        .as_bytes()
        .chunks(2)
        .zip(g.as_bytes().chunks(2))
        .position(|(a, b)| a != b);
    match at {
        Some(i) => format!(" (first difference at byte {i})"),
        None if w.len() != g.len() => {
            format!(" ({} bytes instead of {})", g.len() / 2, w.len() / 2)
        }
        None => String::new(),
    }
}

/// The prescribed outcome in words, e.g. "rejection with `truncated` at byte 3".
pub fn describe(expect: &Expect) -> String {
    match expect {
        Expect::Valid { json, hex } => {
            format!(
                "acceptance: bytes {}, JSON {}",
                show_hex(hex),
                compact(json)
            )
        }
        Expect::Invalid { class, offset } => format!(
            "rejection with `{class}`{}",
            offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
        ),
        Expect::Response { response } => format!(
            "a `{}` response: {}",
            kind(response),
            describe_response(response)
        ),
        Expect::Scripted => "every expectation of the scenario's script".to_string(),
        Expect::ImplementationDefined { choice, outcomes } => format!(
            "implementation-defined `{choice}`: {}",
            outcomes
                .iter()
                .map(|o| format!("`{}` → {}", o.choice, describe(&o.expect)))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_text_must_write_numbers_with_the_fewest_digits() {
        let want = serde_json::json!({"f32": 0.1, "list": [65504.0, -0.0], "s": "a\"b, 12"});
        let ok = |text: &str| json_text_matches(&want, text);
        assert_eq!(
            ok(r#"{"f32":0.1,"list":[65504.0,-0.0],"s":"a\"b, 12"}"#),
            Ok(())
        );
        // Notation is free: an exponent, no fraction part.
        assert_eq!(
            ok(r#"{"f32": 1e-1, "list": [6.5504E4, -0], "s": "a\"b, 12"}"#),
            Ok(())
        );
        // The binary32 value written with binary64 digits reads back to the same f32, but is not
        // the shortest form.
        let long = ok(r#"{"f32":0.10000000149011612,"list":[65504.0,-0.0],"s":"a\"b, 12"}"#);
        assert!(long.unwrap_err().contains("$.f32"));
        // Another value, or text that is not JSON.
        assert!(ok(r#"{"f32":0.2,"list":[65504.0,-0.0],"s":"a\"b, 12"}"#).is_err());
        assert!(ok("{").is_err());
    }
    use serde_json::json;

    #[test]
    fn json_is_compared_by_value_and_member_order() {
        assert!(json_equal(
            &json!({"a": 1, "b": [1.5]}),
            &json!({"a": 1, "b": [1.50]}),
            "$"
        )
        .is_ok());
        assert!(json_equal(&json!(1.0), &json!(1), "$").is_ok());
        assert_eq!(
            json_equal(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1}), "$"),
            Err("the members of $ are not in ascending key order (b, a)".into())
        );
        assert_eq!(
            json_equal(&json!({"a": u64::MAX}), &json!({"a": u64::MAX - 1}), "$"),
            Err("$.a is 18446744073709551614 instead of 18446744073709551615".into())
        );
        assert_eq!(
            json_equal(&json!({"a": [1]}), &json!({"a": [1], "b": 2}), "$"),
            Err("$.b is not expected".into())
        );
        assert_eq!(
            json_equal(&json!(["00"]), &json!([]), "$"),
            Err("$ has 0 items instead of 1".into())
        );
        assert!(json_equal(&json!(-1), &json!(18446744073709551615u64), "$").is_err());
    }

    #[test]
    fn frames_are_judged_by_the_rules_of_fragmentation() {
        // A 10-byte message on a link of 8-byte frames: chunks of at most 4 bytes.
        let judge = |frames: &[&str]| {
            let frames: Vec<String> = frames.iter().map(|f| f.to_string()).collect();
            fragment_rules("a0010203040506070809", 8, 7, &frames)
        };
        let (first, second, third) = ("c007000aa0010203", "c107000404050607", "c10700080809");
        assert_eq!(judge(&[first, second, third]), Ok(()));
        // Another cut, in another order, in upper case: still the rules.
        assert_eq!(
            judge(&[third, "c007000aA0010203", "c1070004040506", "c107000707"]),
            Ok(())
        );
        // A message that fits travels whole.
        assert_eq!(fragment_rules("a001", 8, 7, &["a001".into()]), Ok(()));
        // Frames out of order pass the MUST rules, not the order of IOTP-MSG-79.
        let owned =
            |frames: &[&str]| -> Vec<String> { frames.iter().map(|f| f.to_string()).collect() };
        assert_eq!(fragment_order(&owned(&[first, second, third])), Ok(()));
        let first_late = owned(&[second, first, third]);
        assert_eq!(judge(&[second, first, third]), Ok(()));
        assert!(fragment_order(&first_late)
            .unwrap_err()
            .contains("IOTP-MSG-79"));
        assert!(fragment_order(&owned(&[first, third, second]))
            .unwrap_err()
            .contains("not above"));
        assert!(fragment_rules("a001", 8, 7, &["c0070002a0".into(), "c107000101".into()]).is_err());
        for (broken, why) in [
            (
                ["c007000aa001020304", "c10700050506070809", ""],
                "a frame too large",
            ),
            ([first, "c108000404050607", third], "another tag"),
            (
                [first, "c1070000a0010203", third],
                "offset 0 (and byte 4 to 7 missing)",
            ),
            (["c007000ba0010203", second, third], "a wrong size"),
            ([first, second, "c10700080809ff"], "a chunk beyond the size"),
            ([first, "c107000303040506", third], "a byte twice"),
            ([first, second, "c10700080808"], "a wrong byte"),
        ] {
            let frames: Vec<&str> = broken.into_iter().filter(|f| !f.is_empty()).collect();
            assert!(judge(&frames).is_err(), "{why}");
        }
        assert!(judge(&[first, second]).is_err(), "a gap");
    }

    #[test]
    fn hex_for_people() {
        assert_eq!(show_hex("A10101"), "a1 01 01");
        assert_eq!(show_hex(""), "(none)");
        assert_eq!(
            first_difference("a10101", "a101"),
            " (2 bytes instead of 3)"
        );
    }
}
