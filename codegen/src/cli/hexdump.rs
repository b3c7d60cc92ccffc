//! Annotated hex dumps: every byte range of an encoding next to what it means, indented by nesting,
//! and an error pointer under the byte where decoding failed.

use iotp2p_codegen::reflect::Annotation;

/// Bytes shown on one line.
const PER_LINE: usize = 8;

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One line per annotation (long strings wrap), e.g.
/// `0002  │   01                       version: 1`.
pub(crate) fn annotated(bytes: &[u8], notes: &[Annotation]) -> String {
    annotate(bytes, notes).0
}

/// [`annotated`] for a rejected input: the items decoded before the error, then a line for the failing
/// position, e.g. `0004    05    ^^ error[wrong-type] at byte 4: ...` (`text`, already printable).
/// The bytes shown on that line are those not yet shown up to the failing byte; the bytes after it
/// are counted.
pub(crate) fn annotated_failure(
    bytes: &[u8],
    notes: &[Annotation],
    offset: usize,
    depth: usize,
    text: &str,
) -> String {
    let width = PER_LINE * 3 + 8;
    let (mut out, covered) = annotate(bytes, notes);
    let start = covered.min(offset);
    let end = (offset + 1).min(bytes.len()).max(start);
    let shown = format!("{}{}", "  ".repeat(depth), hex(&bytes[start..end]));
    out.push_str(&format!("{start:04x}  {shown:<width$} ^^ {text}\n"));
    let rest = bytes.len() - end.max(covered);
    if rest > 0 {
        out.push_str(&format!(
            "{:04x}  {:<width$} ({rest} more byte{} not decoded)\n",
            end.max(covered),
            "",
            if rest == 1 { "" } else { "s" }
        ));
    }
    out
}

/// The annotated lines and how many bytes they cover.
fn annotate(bytes: &[u8], notes: &[Annotation]) -> (String, usize) {
    let width = PER_LINE * 3 + 8;
    let mut out = String::new();
    let mut covered = 0;
    for note in notes {
        // Annotations nest (a map's head, then its entries); show only the bytes not yet shown.
        let start = note.start.max(covered).min(note.end);
        let indent = "  ".repeat(note.depth);
        let chunk = &bytes[start..note.end];
        let mut first = true;
        for (i, line) in chunk.chunks(PER_LINE).enumerate() {
            let text = format!("{indent}{}", hex(line));
            let meaning = if first { note.text.as_str() } else { "" };
            out.push_str(&format!(
                "{:04x}  {text:<width$} {meaning}\n",
                start + i * PER_LINE
            ));
            first = false;
        }
        if chunk.is_empty() {
            out.push_str(&format!(
                "{:04x}  {:<width$} {}\n",
                note.start, indent, note.text
            ));
        }
        covered = covered.max(note.end);
    }
    (out, covered)
}

/// The input around `offset` with a caret line under that byte (one past the end for truncation),
/// followed by `label` (already printable).
pub(crate) fn pointer(bytes: &[u8], offset: usize, label: &str) -> String {
    let mut out = String::new();
    let target_line = offset / 16;
    let first_line = target_line.saturating_sub(2);
    for line in first_line..=target_line {
        let start = line * 16;
        let end = (start + 16).min(bytes.len());
        out.push_str(&format!(
            "{start:04x}  {}\n",
            hex(&bytes[start.min(end)..end])
        ));
    }
    let column = 6 + (offset - target_line * 16) * 3;
    out.push_str(&format!("{}^^ {label}\n", " ".repeat(column)));
    out
}
