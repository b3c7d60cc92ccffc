//! Declarative cases: what a vector says, before the oracle fills in what can be computed (canonical
//! JSON, diagnostic notation) and checks what the tables state by hand (classes, offsets, bytes).

use serde_json::Value as Json;

use crate::vector::Level;

/// The schema package of the conformance wrapper types; a type written without a package is one of
/// them.
pub(crate) const CONFORMANCE: &str = "iotp2p.conformance";

/// One case: a vector without the parts the oracle computes.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    /// The id after the area, e.g. `u16.65535`.
    pub id: String,
    /// One line.
    pub description: String,
    /// The requirements the case is about; the general ones (accept, re-encode, reject, offset) are
    /// added when the vector is built.
    pub requirements: Vec<&'static str>,
    /// MUST or SHOULD.
    pub level: Level,
    /// Fully-qualified type, or the name of a conformance wrapper type.
    pub type_name: String,
    /// The input.
    pub input: CaseInput,
    /// The prescribed outcome.
    pub want: Want,
    /// Whether the vector also checks the JSON text the testee writes (feature `json-text`): every
    /// number with the digits of its shortest form (IOTP-WIRE-69).
    pub json_text_out: bool,
}

/// The input of a case.
#[derive(Clone, Debug)]
pub(crate) enum CaseInput {
    /// Bytes to decode.
    Hex(Vec<u8>),
    /// A JSON value to encode.
    Json(Json),
    /// JSON text to encode, sent as written: for inputs that a JSON value cannot hold (an object
    /// with a duplicate member name).
    JsonText(String),
}

/// The prescribed outcome of a case, stated by hand where the rules decide it.
#[derive(Clone, Debug)]
pub(crate) enum Want {
    /// Accepted. `json` and `hex` are stated by hand when given (and checked against the oracle),
    /// computed by the oracle otherwise. For a decode case the canonical bytes are the input itself.
    Valid {
        /// The canonical JSON, as JSON text.
        json: Option<String>,
        /// The canonical bytes (encode cases).
        hex: Option<Vec<u8>>,
    },
    /// Rejected with `class`, at `offset` when the spec prescribes one.
    Invalid {
        /// A class of spec/04-wire-format.md §4.17 (`invalid-value` for encode cases).
        class: &'static str,
        /// The offset of §4.17's table.
        offset: Option<usize>,
    },
    /// The spec leaves a choice: one outcome per choice value.
    Choice {
        /// The name under which testees declare their choice.
        choice: &'static str,
        /// Choice value and outcome.
        outcomes: Vec<(&'static str, Want)>,
    },
}

/// An accepted input: id, description, requirements, type, hex, canonical JSON (empty: computed by
/// the oracle).
pub(crate) type OkRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
);

/// A rejected input: id, description, requirements, type, hex, class, offset.
pub(crate) type BadRow = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    usize,
);

/// The class of an encoder that refuses a value (vector.rs: `invalid-value`).
pub(crate) const INVALID_VALUE: &str = "invalid-value";

/// Parses hex digits, ignoring spaces: `"a1 00 f6"`.
pub(crate) fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    assert!(digits.len() & 1 == 0, "odd number of hex digits: {text}");
    digits
        .chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).expect("ASCII");
            u8::from_str_radix(s, 16).unwrap_or_else(|_| panic!("`{s}` is not hex in {text}"))
        })
        .collect()
}

/// Lowercase hex without separators.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A CBOR head: major type and argument, in shortest form.
pub(crate) fn head(major: u8, arg: u64) -> Vec<u8> {
    let m = major << 5;
    match arg {
        0..=23 => vec![m | arg as u8],
        24..=0xff => vec![m | 24, arg as u8],
        0x100..=0xffff => {
            let mut v = vec![m | 25];
            v.extend((arg as u16).to_be_bytes());
            v
        }
        0x1_0000..=0xffff_ffff => {
            let mut v = vec![m | 26];
            v.extend((arg as u32).to_be_bytes());
            v
        }
        _ => {
            let mut v = vec![m | 27];
            v.extend(arg.to_be_bytes());
            v
        }
    }
}

/// An integer data item, shortest form.
pub(crate) fn int(v: i128) -> Vec<u8> {
    if v >= 0 {
        head(0, v as u64)
    } else {
        head(1, (-1 - v) as u64)
    }
}

/// A one-entry map `{key: item}` (a wrapper message with one field set, or a union), and the offset
/// of `item` in it.
pub(crate) fn entry(key: u64, item: &[u8]) -> (Vec<u8>, usize) {
    let mut out = vec![0xa1];
    out.extend(head(0, key));
    let at = out.len();
    out.extend(item);
    (out, at)
}

/// Concatenates byte slices.
pub(crate) fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

impl Case {
    fn new(id: impl Into<String>, description: impl Into<String>, reqs: &[&'static str]) -> Case {
        Case {
            id: id.into(),
            description: description.into(),
            requirements: reqs.to_vec(),
            level: Level::Must,
            type_name: String::new(),
            input: CaseInput::Hex(Vec::new()),
            want: Want::Valid {
                json: None,
                hex: None,
            },
            json_text_out: false,
        }
    }

    /// A decode case that must be accepted; the canonical JSON comes from the oracle.
    pub fn ok(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        bytes: Vec<u8>,
    ) -> Case {
        Case {
            type_name: ty.to_string(),
            input: CaseInput::Hex(bytes),
            ..Case::new(id, description, reqs)
        }
    }

    /// A decode case that must be accepted with this canonical JSON (stated by hand).
    pub fn ok_json(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        bytes: Vec<u8>,
        json: impl Into<String>,
    ) -> Case {
        Case {
            want: Want::Valid {
                json: Some(json.into()),
                hex: None,
            },
            ..Case::ok(id, description, reqs, ty, bytes)
        }
    }

    /// A decode case that must be rejected with `class` at `offset`.
    pub fn bad(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        bytes: Vec<u8>,
        class: &'static str,
        offset: usize,
    ) -> Case {
        Case {
            want: Want::Invalid {
                class,
                offset: Some(offset),
            },
            ..Case::ok(id, description, reqs, ty, bytes)
        }
    }

    /// An encode case: `json` (JSON text, member order kept) encodes to `bytes`.
    pub fn enc(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        json: &str,
        bytes: Option<Vec<u8>>,
    ) -> Case {
        Case {
            type_name: ty.to_string(),
            input: CaseInput::Json(parse_json(json)),
            want: Want::Valid {
                json: None,
                hex: bytes,
            },
            ..Case::new(id, description, reqs)
        }
    }

    /// An encode case whose value an encoder must refuse.
    pub fn enc_bad(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        json: &str,
    ) -> Case {
        Case {
            want: Want::Invalid {
                class: INVALID_VALUE,
                offset: None,
            },
            ..Case::enc(id, description, reqs, ty, json, None)
        }
    }

    /// An encode case given as JSON text that a JSON value cannot hold (a duplicate member name),
    /// which an encoder must refuse.
    pub fn enc_text_bad(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        text: &str,
    ) -> Case {
        Case {
            input: CaseInput::JsonText(text.to_string()),
            ..Case::enc_bad(id, description, reqs, ty, "null")
        }
    }

    /// An encode case given as JSON text that a JSON value cannot hold as written, which encodes to
    /// `bytes`.
    pub fn enc_text(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        text: &str,
        bytes: Vec<u8>,
    ) -> Case {
        Case {
            input: CaseInput::JsonText(text.to_string()),
            ..Case::enc(id, description, reqs, ty, "null", Some(bytes))
        }
    }

    /// A decode case whose outcome the spec leaves to the implementation.
    pub fn choice(
        id: impl Into<String>,
        description: impl Into<String>,
        reqs: &[&'static str],
        ty: &str,
        bytes: Vec<u8>,
        choice: &'static str,
        outcomes: Vec<(&'static str, Want)>,
    ) -> Case {
        Case {
            want: Want::Choice { choice, outcomes },
            ..Case::ok(id, description, reqs, ty, bytes)
        }
    }

    /// The same case at SHOULD level.
    pub fn should(mut self) -> Case {
        self.level = Level::Should;
        self
    }
}

/// Parses JSON text, keeping member order.
pub(crate) fn parse_json(text: &str) -> Json {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("bad JSON in a case table: {e}: {text}"))
}

/// `InvokeRequest` → `invoke-request`.
pub(crate) fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else {
            out.push(c);
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_are_shortest() {
        assert_eq!(head(0, 23), [0x17]);
        assert_eq!(head(0, 24), [0x18, 24]);
        assert_eq!(head(1, 256), [0x39, 1, 0]);
        assert_eq!(head(0, 65536), [0x1a, 0, 1, 0, 0]);
        assert_eq!(head(0, 1 << 32), [0x1b, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(int(-500), unhex("39 01 f3"));
    }

    #[test]
    fn kebab_case() {
        assert_eq!(kebab("InvokeRequest"), "invoke-request");
        assert_eq!(kebab("EdhocMessage3"), "edhoc-message3");
        assert_eq!(kebab("Body"), "body");
    }
}
