//! The canonical printer behind `iotp2p fmt`: syntax tree → text, keeping every comment.
//!
//! This module owns the one canonical layout of a schema file:
//!
//! - the `package` line first (after its docs and attributes), then imports, then items, with one empty
//!   line between these sections and between top-level items;
//! - four spaces per block level, one member or `reserved` line per line (one-line blocks are expanded),
//!   `message M {}` for an empty block;
//! - before each item or member: `/// ` doc lines, then one attribute per line; each comment stays
//!   after the doc block or attribute it followed in the source (comments before everything first);
//! - empty lines inside blocks and around comments kept, but never more than one in a row, and never
//!   right after `{` or right before `}`;
//! - numbers exactly as written (`0xFF` stays hex), strings re-escaped canonically.
//!
//! Nothing written is ever dropped: the parser attaches every comment somewhere (before an item or
//! member, after it on the same line, after `{`, before `}`, at the end of the file) and all of those
//! are printed. A comment from inside a construct (`0 a: /* here */ u8;`) is attached to that construct
//! and printed on its own line just before it. The output parses back to the same tree, so
//! `print(parse(print(x))) == print(x)`.

use super::ast::*;

/// Prints a parsed schema file in the canonical format. The result ends with one newline (or is empty
/// for a file with nothing in it).
pub fn print(file: &SchemaFile) -> String {
    let mut p = Printer { out: String::new() };
    p.file(file);
    p.out
}

/// Spaces per indentation level.
const INDENT: &str = "    ";

struct Printer {
    out: String,
}

/// One line-level element of the text before an item or member.
enum Lead<'a> {
    Comment(&'a Comment),
    Docs(&'a [String]),
    Attribute(&'a Attribute),
}

impl Printer {
    fn line(&mut self, indent: usize, text: &str) {
        for _ in 0..indent {
            self.out.push_str(INDENT);
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// An empty line, unless at the start of the file or right after another empty line.
    fn blank(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// A construct's last line with its same-line comment, if any.
    fn closing_line(&mut self, indent: usize, text: &str, trailing: &Option<Comment>) {
        match trailing {
            Some(c) => self.line(indent, &format!("{text} {}", c.text)),
            None => self.line(indent, text),
        }
    }

    fn file(&mut self, file: &SchemaFile) {
        if let Some(pkg) = &file.package {
            self.meta(&pkg.meta, 0, false);
            let mut text = format!("package {}", pkg.name.text());
            if let Some(v) = &pkg.version {
                text.push_str(" version ");
                text.push_str(&v.text);
            }
            text.push(';');
            self.closing_line(0, &text, &pkg.meta.trailing_comment);
        }
        for (i, import) in file.imports.iter().enumerate() {
            // The first import is set apart from the package line; later ones keep their grouping.
            let blank = !self.out.is_empty() && (i == 0 || import.meta.blank_before);
            self.meta(&import.meta, 0, blank);
            let mut text = format!("import {}", quote(&import.path));
            if let Some(alias) = &import.alias {
                text.push_str(" as ");
                text.push_str(&alias.name);
            }
            text.push(';');
            self.closing_line(0, &text, &import.meta.trailing_comment);
        }
        for item in &file.items {
            let blank = !self.out.is_empty();
            self.meta(&item.meta, 0, blank);
            self.item(item);
        }
        self.comments(&file.closing_comments, 0);
    }

    /// Comments that precede no item: before `}` or at the end of the file.
    fn comments(&mut self, comments: &[Comment], indent: usize) {
        let mut prev: Option<&Comment> = None;
        for c in comments {
            let blank = match prev {
                Some(p) => p.blank_after || c.blank_before,
                None => c.blank_before,
            };
            if blank {
                self.blank();
            }
            self.line(indent, &c.text);
            prev = Some(c);
        }
    }

    /// Prints what precedes an item or member: comments, docs, attributes. `blank` asks for an empty
    /// line before all of it.
    fn meta(&mut self, meta: &Meta, indent: usize, blank: bool) {
        if blank {
            self.blank();
        }
        let leads = leads(meta);
        let mut prev: Option<&Lead> = None;
        for lead in &leads {
            let blank_between = match (prev, lead) {
                (None, _) => false,
                (Some(Lead::Comment(p)), Lead::Comment(c)) => p.blank_after || c.blank_before,
                (Some(Lead::Comment(p)), _) => p.blank_after,
                (Some(_), Lead::Comment(c)) => c.blank_before,
                _ => false,
            };
            if blank_between {
                self.blank();
            }
            match lead {
                Lead::Comment(c) => self.line(indent, &c.text),
                Lead::Docs(docs) => {
                    for doc in docs.iter() {
                        if doc.is_empty() {
                            self.line(indent, "///");
                        } else {
                            self.line(indent, &format!("/// {doc}"));
                        }
                    }
                }
                Lead::Attribute(a) => self.line(indent, &attribute(a)),
            }
            prev = Some(lead);
        }
        // A comment set apart from what it precedes (a section header) stays set apart.
        if let Some(Lead::Comment(c)) = prev {
            if c.blank_after {
                self.blank();
            }
        }
    }

    fn item(&mut self, item: &Item) {
        let head = format!("{} {}", item.kind.keyword(), item.name.name);
        let trailing = &item.meta.trailing_comment;
        match &item.kind {
            ItemKind::Alias(ty) => {
                self.closing_line(0, &format!("{head} = {};", type_expr(ty)), trailing)
            }
            ItemKind::Message(block) => self.block(&head, block, trailing, |f| {
                let mut text = format!("{} {}: ", int(&f.key), f.name.name);
                if f.optional.is_some() {
                    text.push_str("optional ");
                }
                text.push_str(&type_expr(&f.ty));
                if let Some(d) = &f.default {
                    text.push_str(" = ");
                    text.push_str(&literal(d));
                }
                text.push(';');
                (&f.meta, text)
            }),
            ItemKind::Enum(block) => self.block(&head, block, trailing, |v| {
                let text = format!("{} = {};", v.name.name, int(&v.value));
                (&v.meta, text)
            }),
            ItemKind::Union(block) => self.block(&head, block, trailing, |v| {
                let text = match &v.ty {
                    Some(ty) => format!("{} {}: {};", int(&v.key), v.name.name, type_expr(ty)),
                    None => format!("{} {};", int(&v.key), v.name.name),
                };
                (&v.meta, text)
            }),
        }
    }

    /// `head {` entries `}`; `member` gives a member's metadata and its one-line text.
    fn block<M>(
        &mut self,
        head: &str,
        block: &Block<M>,
        trailing: &Option<Comment>,
        member: impl Fn(&M) -> (&Meta, String),
    ) {
        if block.entries.is_empty()
            && block.closing_comments.is_empty()
            && block.open_comment.is_none()
        {
            self.closing_line(0, &format!("{head} {{}}"), trailing);
            return;
        }
        self.closing_line(0, &format!("{head} {{"), &block.open_comment);
        for (i, entry) in block.entries.iter().enumerate() {
            let (meta, text) = match entry {
                Entry::Member(m) => member(m),
                Entry::Reserved(r) => (&r.meta, reserved(r)),
            };
            // No empty line right after `{`.
            self.meta(meta, 1, i > 0 && meta.blank_before);
            self.closing_line(1, &text, &meta.trailing_comment);
        }
        if block.entries.is_empty() && !block.closing_comments.is_empty() {
            // Nothing before the comments: no empty line after `{` either.
            let mut comments = block.closing_comments.clone();
            comments[0].blank_before = false;
            self.comments(&comments, 1);
        } else {
            self.comments(&block.closing_comments, 1);
        }
        // No empty line right before `}`.
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
        self.closing_line(0, "}", trailing);
    }
}

/// The elements before an item in canonical order: docs, then attributes in order, with each comment
/// placed after the last of these that preceded it in the source (so a comment between two attributes
/// stays between them). Trees built without real spans (all zero) get their comments first.
fn leads(meta: &Meta) -> Vec<Lead<'_>> {
    let mut canonical: Vec<(Option<u32>, Lead)> = Vec::new();
    if !meta.docs.is_empty() {
        canonical.push((meta.docs_span.map(|s| s.start), Lead::Docs(&meta.docs)));
    }
    for a in &meta.attributes {
        canonical.push((Some(a.span.start), Lead::Attribute(a)));
    }
    // slots[k]: the comments printed after the first k canonical elements.
    let mut slots: Vec<Vec<&Comment>> = vec![Vec::new(); canonical.len() + 1];
    for c in &meta.comments {
        let slot = canonical
            .iter()
            .rposition(|(start, _)| start.is_some_and(|s| s < c.span.start))
            .map_or(0, |i| i + 1);
        slots[slot].push(c);
    }
    let mut out = Vec::new();
    let mut slots = slots.into_iter();
    for (_, lead) in canonical {
        out.extend(slots.next().into_iter().flatten().map(Lead::Comment));
        out.push(lead);
    }
    out.extend(slots.next().into_iter().flatten().map(Lead::Comment));
    out
}

fn reserved(r: &Reserved) -> String {
    let entries: Vec<String> = r
        .entries
        .iter()
        .map(|e| match e {
            ReservedEntry::Number(n) => int(n),
            ReservedEntry::Range(a, b) => format!("{}..={}", int(a), int(b)),
            ReservedEntry::Name { value, .. } => quote(value),
        })
        .collect();
    format!("reserved {};", entries.join(", "))
}

fn attribute(a: &Attribute) -> String {
    match &a.args {
        None => format!("@{}", a.name.text()),
        Some(args) => {
            let args: Vec<String> = args.iter().map(literal).collect();
            format!("@{}({})", a.name.text(), args.join(", "))
        }
    }
}

/// A type expression: `array<T, 8>`, `bytes[32]`, `string<64>`, `core.Level`.
fn type_expr(ty: &TypeExpr) -> String {
    match &ty.kind {
        TypeExprKind::Scalar(s) => s.keyword().to_string(),
        TypeExprKind::String { max: None } => "string".to_string(),
        TypeExprKind::String { max: Some(m) } => format!("string<{}>", int(m)),
        TypeExprKind::Bytes { max: None } => "bytes".to_string(),
        TypeExprKind::Bytes { max: Some(m) } => format!("bytes<{}>", int(m)),
        TypeExprKind::FixedBytes { len } => format!("bytes[{}]", int(len)),
        TypeExprKind::Array { element, max: None } => format!("array<{}>", type_expr(element)),
        TypeExprKind::Array {
            element,
            max: Some(m),
        } => format!("array<{}, {}>", type_expr(element), int(m)),
        TypeExprKind::Named(p) => p.text(),
    }
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Int(i) => int(i),
        Literal::Float { value, text, .. } => {
            let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            if text.is_empty() {
                format!("{value:?}")
            } else {
                text
            }
        }
        Literal::Str { value, .. } => quote(value),
        Literal::Bool { value, .. } => value.to_string(),
        Literal::Path(p) => p.text(),
        Literal::Range { min, max, .. } => {
            let min = min.as_ref().map(int).unwrap_or_default();
            match max {
                Some(max) => format!("{min}..={}", int(max)),
                None => format!("{min}.."),
            }
        }
    }
}

/// An integer as written (hex stays hex); from its value when the tree was built without text.
fn int(i: &IntLit) -> String {
    if i.text.is_empty() {
        i.value.to_string()
    } else {
        i.text.clone()
    }
}

/// A string literal with canonical escapes: `\\`, `\"`, `\n`, `\r`, `\t`, and `\u{..}` for other
/// control characters, which would otherwise be invisible in the file. Everything else is kept as is.
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Every comment and doc line of `text` as the printer normalises them (trailing white space removed,
/// one space after `///`), sorted: equal lists before and after formatting mean no comment was lost,
/// added or changed. Used by `fmt`'s safety check, the fuzz target and the tests.
pub fn comment_lines(text: &str) -> Vec<String> {
    use super::lexer::{lex, TokenKind};
    let mut diagnostics = crate::diagnostics::Diagnostics::new();
    let mut out: Vec<String> = lex(crate::source::FileId(0), text, &mut diagnostics)
        .iter()
        .filter_map(|t| {
            let s = text.get(t.span.start as usize..t.span.end as usize)?;
            match t.kind {
                TokenKind::Comment => Some(s.trim_end().to_string()),
                TokenKind::DocComment => {
                    let doc = &s[3..];
                    Some(format!(
                        "///{}",
                        doc.strip_prefix(' ').unwrap_or(doc).trim_end()
                    ))
                }
                _ => None,
            }
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Diagnostics;
    use crate::source::FileId;
    use crate::syntax::parse;

    fn fmt(text: &str) -> String {
        let mut d = Diagnostics::new();
        let file = parse(FileId(0), text, &mut d);
        assert!(d.is_empty(), "{:?}", d.iter().collect::<Vec<_>>());
        print(&file)
    }

    #[test]
    fn one_line_blocks_are_expanded() {
        assert_eq!(
            fmt("package a;union U{0 a;1 b:u8;}message M{}"),
            "package a;\n\nunion U {\n    0 a;\n    1 b: u8;\n}\n\nmessage M {}\n"
        );
    }

    #[test]
    fn literals_keep_their_text_and_strings_are_re_escaped() {
        assert_eq!(
            fmt("package a; message M { @x.y(- 1.5, 0x1F, \"\\u{41}\t\u{7}\", ..=3, 1..) 0 a: i8 = - /* c */ 0x7F; }"),
            "package a;\n\nmessage M {\n    @x.y(-1.5, 0x1F, \"A\\t\\u{7}\", ..=3, 1..)\n    /* c */\n    0 a: i8 = -0x7F;\n}\n"
        );
    }

    #[test]
    fn comments_between_attributes_stay_between_them() {
        let text = "package a;\n\n// c1\n/// Doc.\n@deprecated\n// c2\n@x.y\nmessage M {}\n";
        assert_eq!(fmt(text), text);
        assert_eq!(
            fmt("package a; @deprecated // c2\n/// Doc.\nmessage M {}"),
            "package a;\n\n/// Doc.\n@deprecated\n// c2\nmessage M {}\n"
        );
    }

    #[test]
    fn blank_lines_are_kept_but_never_doubled() {
        let text = "// Header.\n\npackage a;\n\nmessage M {\n    0 a: u8;\n\n    // Group.\n\n    1 b: u8;\n    // End.\n}\n\n// Bye.\n";
        assert_eq!(fmt(text), text);
        assert_eq!(
            fmt(
                "// Header.\n\n\n\npackage a;\nmessage M {\n\n\n    0 a: u8;\n\n\n}\n\n\n// Bye.\n"
            ),
            "// Header.\n\npackage a;\n\nmessage M {\n    0 a: u8;\n}\n\n// Bye.\n"
        );
    }

    #[test]
    fn empty_file_and_comment_only_file() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("  // only\n\n\n/* me */  "), "// only\n\n/* me */\n");
    }
}
