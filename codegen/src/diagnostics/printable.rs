//! Untrusted text made safe to print.
//!
//! A schema is untrusted input, and so are the file names and strings it brings. Printed raw, a control
//! character can drive the reader's terminal (ESC sequences clear the screen or set the window title,
//! BEL rings, NUL truncates logs), and a bidirectional control can make a line read differently from
//! what it is ("Trojan Source", CVE-2021-42574). Everything a diagnostic shows therefore goes through
//! [`printable`], which spells such characters as Rust escapes (`\u{1b}`): visible, unambiguous and
//! one-to-one. [`json_safe`] does the same for JSON text, where serde_json already escapes C0 controls
//! but leaves C1 controls and bidirectional controls as they are.

use std::borrow::Cow;

/// Whether `c` changes the direction in which text is shown: the embeddings, overrides and isolates of
/// Unicode's bidirectional algorithm (UAX #9) and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls (tab and line feed excepted),
/// DEL, bidirectional controls, the Unicode line and paragraph separators, and the byte-order mark.
pub fn is_unsafe(c: char) -> bool {
    match c {
        '\t' | '\n' => false,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' => true,
        '\u{2028}' | '\u{2029}' | '\u{feff}' => true,
        c => is_bidi_control(c),
    }
}

/// `text` with every [unsafe](is_unsafe) character written as `\u{hex}`; borrowed when there is none.
/// A carriage return that ends a line (CRLF line endings) is kept, since it only ends the line.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !needs_escape(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether [`printable`] would change `text`.
fn needs_escape(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_unsafe(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
            return true;
        }
    }
    false
}

/// JSON text with the unsafe characters that serde_json leaves raw (C1 controls, DEL, bidirectional
/// controls, line and paragraph separators, the byte-order mark) written as `\uXXXX` escapes. Only
/// valid inside JSON strings, where any character may be escaped, so the document's value is unchanged.
pub fn json_safe(json: String) -> String {
    if !json.chars().any(is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            // Every unsafe character is in the Basic Multilingual Plane: one \u escape each.
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(printable("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b");
        assert_eq!(printable("x \u{202e} y"), "x \\u{202e} y");
        assert_eq!(printable("\u{0}\u{9b}\u{7f}"), "\\u{0}\\u{9b}\\u{7f}");
        assert_eq!(printable("lone\rreturn"), "lone\\u{d}return");
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        for text in [
            "plain",
            "tab\tand\nnewline",
            "crlf\r\nline",
            "é ü 漢字 🙂",
            "",
        ] {
            assert!(matches!(printable(text), Cow::Borrowed(_)), "{text:?}");
        }
    }

    #[test]
    fn json_keeps_its_value() {
        let value = serde_json::json!({"s": "a\u{202e}b\u{9b}c\u{1b}"});
        let text = json_safe(serde_json::to_string(&value).unwrap());
        assert!(!text.chars().any(is_unsafe), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
