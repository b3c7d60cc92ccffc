//! Worked examples embedded in the specification's prose as ```` ```iotp-example ```` blocks.
//!
//! Each block is a small record of `key: value` lines:
//!
//! ```text
//! id: envelope.invoke-set-level
//! type: iotp2p.core.Envelope
//! json: {"version": 1, ...}
//! diag: {0: 1, ...}
//! hex: a4 00 01 ...
//! ```
//!
//! A value may continue on following lines that do not start a new key. The reference chapter shows
//! every example under its type, and a test cross-checks each one against a generic CBOR library.

/// One worked example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// Stable identifier, e.g. `envelope.invoke-set-level`.
    pub id: String,
    /// The example's type: a fully-qualified schema type or a built-in type expression.
    pub type_name: String,
    /// One-line description, if given.
    pub description: String,
    /// The encoded bytes as hex, possibly with spaces.
    pub hex: String,
    /// What a decoder must do with the bytes.
    pub expect: Expect,
    /// `file:line` of the block, for messages.
    pub origin: String,
}

/// The outcome an example prescribes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The bytes are the canonical encoding of this value.
    Valid {
        /// The canonical JSON form.
        json: String,
        /// CBOR diagnostic notation (RFC 8949 §8).
        diag: String,
    },
    /// A decoder must reject the bytes.
    Invalid {
        /// The decoding error class (spec/04-wire-format.md §4.17).
        error: String,
        /// The byte offset a decoder reports, when given.
        offset: Option<usize>,
    },
}

impl Example {
    /// The bytes of `hex`, or the offending character position.
    pub fn bytes(&self) -> Result<Vec<u8>, String> {
        let digits: Vec<u8> = self
            .hex
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if digits.len() % 2 != 0 {
            return Err(format!("odd number of hex digits in {}", self.id));
        }
        digits
            .chunks(2)
            .map(|pair| {
                let s = std::str::from_utf8(pair).map_err(|e| e.to_string())?;
                u8::from_str_radix(s, 16).map_err(|_| format!("`{s}` is not hex in {}", self.id))
            })
            .collect()
    }
}

const KEYS: [&str; 8] = [
    "id",
    "type",
    "description",
    "json",
    "diag",
    "hex",
    "error",
    "offset",
];

/// Extracts every example block from one Markdown file. Malformed blocks are returned as errors with
/// their line, so a typo in the spec fails the freshness test instead of silently dropping an example.
pub fn extract(markdown: &str, file: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line.trim() != "```iotp-example" {
            continue;
        }
        let origin = format!("{file}:{}", n + 1);
        let mut fields: Vec<(String, String)> = Vec::new();
        for (_, line) in lines.by_ref() {
            if line.trim() == "```" {
                break;
            }
            let key = line
                .split_once(':')
                .map(|(k, _)| k.trim())
                .filter(|k| KEYS.contains(k) && !line.starts_with(' '));
            match (key, fields.last_mut()) {
                (Some(k), _) => {
                    let value = line.split_once(':').map_or("", |(_, v)| v.trim());
                    fields.push((k.to_string(), value.to_string()));
                }
                (None, Some((_, value))) => {
                    value.push('\n');
                    value.push_str(line.trim_end());
                }
                (None, None) if line.trim().is_empty() => {}
                (None, None) => {
                    return Err(format!("{origin}: example block does not start with a key"))
                }
            }
        }
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.trim().to_string())
        };
        let required =
            |k: &str| get(k).ok_or_else(|| format!("{origin}: example block has no `{k}:`"));
        let expect = match get("error") {
            Some(error) => Expect::Invalid {
                error,
                offset: match get("offset") {
                    Some(o) => Some(
                        o.parse()
                            .map_err(|_| format!("{origin}: offset `{o}` is not a number"))?,
                    ),
                    None => None,
                },
            },
            None => Expect::Valid {
                json: required("json")?,
                diag: required("diag")?,
            },
        };
        out.push(Example {
            id: required("id")?,
            type_name: required("type")?,
            description: get("description").unwrap_or_default(),
            hex: required("hex")?,
            expect,
            origin,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_blocks_with_continuations() {
        let md = "text\n```iotp-example\nid: a.b\ntype: p.T\njson: {\"x\":\n  1}\ndiag: {0: 1}\nhex: a1 00\n  01\n```\n";
        let ex = extract(md, "f.md").unwrap();
        assert_eq!(ex.len(), 1);
        assert_eq!(
            ex[0].expect,
            Expect::Valid {
                json: "{\"x\":\n  1}".into(),
                diag: "{0: 1}".into()
            }
        );
        assert_eq!(ex[0].bytes().unwrap(), [0xa1, 0x00, 0x01]);
        assert_eq!(ex[0].origin, "f.md:2");
    }

    #[test]
    fn rejection_blocks_carry_class_and_offset() {
        let md = "```iotp-example\nid: r\ntype: u8\nhex: 19 01\nerror: truncated\noffset: 2\n```\n";
        let ex = extract(md, "f.md").unwrap();
        assert_eq!(
            ex[0].expect,
            Expect::Invalid {
                error: "truncated".into(),
                offset: Some(2)
            }
        );
    }

    #[test]
    fn missing_keys_are_errors() {
        assert!(extract("```iotp-example\nid: x\n```\n", "f.md").is_err());
    }
}
