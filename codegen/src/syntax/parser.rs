//! The parser: tokens → [`SchemaFile`], recovering from errors so that one run reports them all.
//!
//! Recursive descent over the token stream from the nom lexer. Comments are collected on the way and
//! attached to the next item or member (or as a trailing comment to the member that ends on the same
//! line) so that `fmt` can put them back. Recursion happens only in type expressions and is capped at
//! [`MAX_TYPE_NESTING`], so no input can overflow the stack.

use super::ast::*;
use super::lexer::{lex, unescape, Token, TokenKind};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Deepest nesting of type expressions (`array<array<...>>`) the parser accepts.
pub const MAX_TYPE_NESTING: usize = 32;

/// Syntax errors reported per file before the parser gives up on the rest of it.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Parses one file's text. Problems go to `diags`; the tree holds everything that parsed.
pub fn parse(file: FileId, text: &str, diags: &mut Diagnostics) -> SchemaFile {
    let tokens = lex(file, text, diags);
    let mut p = Parser {
        text,
        file,
        tokens,
        pos: 0,
        last_end: 0,
        last_token_end: 0,
        pending: Pending::default(),
        diags,
        errors: 0,
    };
    p.file()
}

/// Marker for "a diagnostic was reported; recover".
struct Reported;

type PResult<T> = Result<T, Reported>;

#[derive(Default)]
struct Pending {
    comments: Vec<Comment>,
    docs: Vec<String>,
    docs_span: Option<Span>,
    /// Whether a blank line preceded the first pending comment or doc line.
    blank_before: Option<bool>,
}

struct Parser<'a, 'd> {
    text: &'a str,
    file: FileId,
    tokens: Vec<Token>,
    pos: usize,
    /// End offset of the last token consumed (comments included).
    last_end: usize,
    /// End offset of the last token consumed other than a comment: where a missing terminator goes.
    last_token_end: usize,
    pending: Pending,
    diags: &'d mut Diagnostics,
    errors: usize,
}

impl Parser<'_, '_> {
    // ---- token access -------------------------------------------------------------------------

    fn blank_line_between(&self, from: usize, to: usize) -> bool {
        self.text
            .get(from..to)
            .is_some_and(|gap| gap.bytes().filter(|&b| b == b'\n').count() >= 2)
    }

    /// Whether an empty line follows the token at `index` (the last token is always end of file).
    fn blank_after(&self, index: usize) -> bool {
        let (tok, next) = (self.tokens[index], self.tokens[index + 1]);
        self.blank_line_between(tok.span.end as usize, next.span.start as usize)
    }

    /// Moves comments at the cursor into `pending`.
    fn collect_trivia(&mut self) {
        loop {
            let tok = self.tokens[self.pos];
            match tok.kind {
                TokenKind::Comment | TokenKind::DocComment => {
                    let blank = self.blank_line_between(self.last_end, tok.span.start as usize);
                    self.pending.blank_before.get_or_insert(blank);
                    let text = self.slice(tok.span).to_string();
                    if tok.kind == TokenKind::DocComment {
                        let line = text[3..].strip_prefix(' ').unwrap_or(&text[3..]);
                        self.pending.docs.push(line.trim_end().to_string());
                        self.pending.docs_span =
                            Some(self.pending.docs_span.map_or(tok.span, |s| s.to(tok.span)));
                    } else {
                        let blank_after = self.blank_after(self.pos);
                        self.pending.comments.push(Comment {
                            text: text.trim_end().to_string(),
                            span: tok.span,
                            blank_before: blank,
                            blank_after,
                        });
                    }
                    self.last_end = tok.span.end as usize;
                    self.pos += 1;
                }
                _ => return,
            }
        }
    }

    fn peek(&mut self) -> Token {
        self.collect_trivia();
        self.tokens[self.pos]
    }

    fn peek_kind(&mut self) -> TokenKind {
        self.peek().kind
    }

    /// The token after the next one (comments skipped), for one-token lookahead decisions.
    fn peek_second(&mut self) -> TokenKind {
        self.collect_trivia();
        self.tokens[self.pos + 1..]
            .iter()
            .find(|t| !matches!(t.kind, TokenKind::Comment | TokenKind::DocComment))
            .map_or(TokenKind::Eof, |t| t.kind)
    }

    fn slice(&self, span: Span) -> &str {
        &self.text[span.start as usize..span.end as usize]
    }

    fn bump(&mut self) -> Token {
        let tok = self.peek();
        if tok.kind != TokenKind::Eof {
            self.pos += 1;
            self.last_end = tok.span.end as usize;
            self.last_token_end = self.last_end;
        }
        tok
    }

    fn at_word(&mut self, word: &str) -> bool {
        let tok = self.peek();
        tok.kind == TokenKind::Ident && self.slice(tok.span) == word
    }

    fn eat(&mut self, kind: TokenKind) -> Option<Token> {
        (self.peek_kind() == kind).then(|| self.bump())
    }

    fn eat_word(&mut self, word: &str) -> Option<Span> {
        self.at_word(word).then(|| self.bump().span)
    }

    fn prev_span(&self) -> Span {
        Span::new(self.file, self.last_end, self.last_end)
    }

    // ---- errors -------------------------------------------------------------------------------

    fn error(&mut self, diagnostic: Diagnostic) -> Reported {
        self.errors += 1;
        if self.errors <= MAX_SYNTAX_ERRORS {
            self.diags.push(diagnostic);
        }
        if self.errors == MAX_SYNTAX_ERRORS {
            let span = diagnostic_span(self.diags, self.prev_span());
            self.diags.push(
                Diagnostic::new(
                    Code::SyntaxError,
                    span,
                    "too many syntax errors; the rest of this file is skipped",
                )
                .with_note(format!(
                    "the parser stops after {MAX_SYNTAX_ERRORS} errors in one file"
                )),
            );
            // Jump to the end: nothing more will be parsed or reported for this file.
            self.pos = self.tokens.len() - 1;
        }
        Reported
    }

    /// Reports "expected X, found Y". A missing terminator at the end of a line is reported right
    /// after the previous token, where the user has to type it.
    fn expected(&mut self, what: &str) -> Reported {
        self.expected_at(what, false)
    }

    /// Reports "expected X, found Y" at the found token, or, for a missing terminator (`;`, `}`, ...)
    /// when the next token is on a later line, right after the previous token, where the user has to
    /// type it. Invalid characters were already reported by the lexer: no second message for them.
    fn expected_at(&mut self, what: &str, terminator: bool) -> Reported {
        let found = self.peek();
        if found.kind == TokenKind::Error {
            return Reported;
        }
        let found_text = match found.kind {
            TokenKind::Eof => "end of file".to_string(),
            TokenKind::Ident | TokenKind::Int | TokenKind::Float | TokenKind::Version => {
                format!("`{}`", self.slice(found.span))
            }
            kind => kind.describe().to_string(),
        };
        // Comments between the last token and the found one do not move where the terminator goes.
        let end = self.last_token_end;
        let on_later_line = self.text[end..found.span.start as usize].contains('\n');
        let (span, label) = if terminator && on_later_line && end > 0 {
            (
                Span::new(self.file, end, end),
                format!("expected {what} here"),
            )
        } else {
            (found.span, format!("expected {what}"))
        };
        self.error(
            Diagnostic::new(
                Code::SyntaxError,
                span,
                format!("expected {what}, found {found_text}"),
            )
            .with_label(label),
        )
    }

    fn expect(&mut self, kind: TokenKind) -> PResult<Token> {
        match self.eat(kind) {
            Some(t) => Ok(t),
            None if kind == TokenKind::Semi && self.semi_missing_at_line_end() => {
                // `0 x: u8` at the end of a line, the next member on the next: report the missing
                // `;` and go on as if it were there, instead of skipping (and misreading) what follows.
                self.expected_at(kind.describe(), true);
                let at = Span::new(self.file, self.last_token_end, self.last_token_end);
                Ok(Token { kind, span: at })
            }
            None => {
                let terminator = matches!(
                    kind,
                    TokenKind::Semi
                        | TokenKind::RBrace
                        | TokenKind::RParen
                        | TokenKind::Gt
                        | TokenKind::RBracket
                );
                Err(self.expected_at(kind.describe(), terminator))
            }
        }
    }

    /// Whether the next token starts a later line and can start a declaration or member, so that the
    /// `;` that should end the current one was most likely forgotten at the end of its line.
    fn semi_missing_at_line_end(&mut self) -> bool {
        let next = self.peek();
        let later_line = self.text[self.last_token_end..next.span.start as usize].contains('\n');
        later_line
            && matches!(
                next.kind,
                TokenKind::Int | TokenKind::Ident | TokenKind::At | TokenKind::RBrace
            )
    }

    /// Skips to the end of the broken construct: past the next `;` or balanced `}` at this level, or up
    /// to (not past) a `}` that closes the enclosing block.
    fn recover(&mut self, top_level: bool) {
        let mut depth = 0usize;
        loop {
            let tok = self.peek();
            match tok.kind {
                TokenKind::Eof => return,
                TokenKind::Semi if depth == 0 => {
                    self.bump();
                    return;
                }
                TokenKind::LBrace => depth += 1,
                TokenKind::RBrace if depth == 0 => {
                    if top_level {
                        self.bump();
                    }
                    return;
                }
                TokenKind::RBrace => {
                    depth -= 1;
                    if depth == 0 && top_level {
                        self.bump();
                        return;
                    }
                }
                TokenKind::Ident if depth == 0 && top_level && self.at_item_keyword() => return,
                _ => {}
            }
            self.bump();
        }
    }

    fn at_item_keyword(&mut self) -> bool {
        ["message", "enum", "union", "type", "import", "package"]
            .iter()
            .any(|w| self.at_word(w))
    }

    // ---- comments and metadata ----------------------------------------------------------------

    /// Takes the pending comments and docs, then parses attributes (which may interleave with more
    /// docs), returning everything that precedes the next item or member.
    fn meta(&mut self) -> Meta {
        let first = self.peek();
        let blank_before = self.pending.blank_before.take().unwrap_or_else(|| {
            self.last_end > 0 && self.blank_line_between(self.last_end, first.span.start as usize)
        });
        let mut meta = Meta {
            blank_before,
            ..Meta::default()
        };
        loop {
            // Peek first: it collects the comments and docs up to the next token, so that those after
            // the last attribute (`@a(1)\n/// more\nmessage M`) stay with this item too.
            let at_attribute = self.peek_kind() == TokenKind::At;
            meta.comments.append(&mut self.pending.comments);
            meta.docs.append(&mut self.pending.docs);
            if let Some(s) = self.pending.docs_span.take() {
                meta.docs_span = Some(meta.docs_span.map_or(s, |d| d.to(s)));
            }
            if !at_attribute {
                break;
            }
            match self.attribute() {
                Ok(a) => meta.attributes.push(a),
                Err(Reported) => self.skip_to_line_end(),
            }
        }
        self.pending.blank_before = None;
        meta
    }

    /// After a broken attribute: skip the rest of its line.
    fn skip_to_line_end(&mut self) {
        while !matches!(self.peek_kind(), TokenKind::Eof) {
            let tok = self.peek();
            if self.text[self.last_end..tok.span.start as usize].contains('\n') {
                return;
            }
            self.bump();
        }
    }

    /// Comments met inside the construct just parsed (`0 a: /* here */ u8;`) belong to it, not to the
    /// next one: they join its leading comments, and `fmt` prints them just before it.
    fn take_inner_comments(&mut self, meta: &mut Meta) {
        meta.comments.append(&mut self.pending.comments);
        if self.pending.docs.is_empty() {
            self.pending.blank_before = None;
        }
    }

    /// A comment on the same line right after the token just consumed.
    fn trailing_comment(&mut self) -> Option<Comment> {
        let tok = self.tokens[self.pos];
        if tok.kind != TokenKind::Comment {
            return None;
        }
        let gap = &self.text[self.last_end..tok.span.start as usize];
        if gap.contains('\n') {
            return None;
        }
        let blank_after = self.blank_after(self.pos);
        self.pos += 1;
        self.last_end = tok.span.end as usize;
        Some(Comment {
            text: self.slice(tok.span).trim_end().to_string(),
            span: tok.span,
            blank_before: false,
            blank_after,
        })
    }

    /// Docs that precede no item (before `}` or end of file) are an error; comments are kept.
    fn closing_comments(&mut self) -> Vec<Comment> {
        self.collect_trivia();
        if let Some(span) = self.pending.docs_span.take() {
            self.pending.docs.clear();
            self.error(
                Diagnostic::new(Code::SyntaxError, span, "doc comment documents nothing")
                    .with_label("no item or member follows this doc comment")
                    .with_help(
                        "use `//` for a comment that documents nothing, or move it before an item",
                    ),
            );
        }
        self.pending.blank_before = None;
        std::mem::take(&mut self.pending.comments)
    }

    fn reject_meta(&mut self, meta: &Meta, on: &str) {
        if let Some(span) = meta.docs_span {
            self.error(
                Diagnostic::new(
                    Code::SyntaxError,
                    span,
                    format!("doc comments are not allowed on {on}"),
                )
                .with_label("this doc comment")
                .with_help("use `//` instead"),
            );
        }
        if let Some(attr) = meta.attributes.first() {
            self.error(
                Diagnostic::new(
                    Code::SyntaxError,
                    attr.span,
                    format!("attributes are not allowed on {on}"),
                )
                .with_label("this attribute"),
            );
        }
    }

    // ---- file and items -----------------------------------------------------------------------

    fn file(&mut self) -> SchemaFile {
        let mut out = SchemaFile {
            file: self.file,
            package: None,
            imports: Vec::new(),
            items: Vec::new(),
            closing_comments: Vec::new(),
        };
        loop {
            self.collect_trivia();
            if self.peek_kind() == TokenKind::Eof && self.pending.docs.is_empty() {
                out.closing_comments = self.closing_comments();
                return out;
            }
            if self.peek_kind() == TokenKind::Eof {
                out.closing_comments = self.closing_comments();
                return out;
            }
            let meta = self.meta();
            if self.peek_kind() == TokenKind::Eof {
                // Attributes with nothing after them.
                if let Some(a) = meta.attributes.first() {
                    let span = a.span;
                    self.error(
                        Diagnostic::new(Code::SyntaxError, span, "attribute annotates nothing")
                            .with_label("no item follows this attribute"),
                    );
                }
                out.closing_comments = meta.comments;
                out.closing_comments.append(&mut self.closing_comments());
                return out;
            }
            let result = if self.at_word("package") {
                self.package(meta).map(|pkg| {
                    if let Some(first) = &out.package {
                        let first_span = first.span;
                        self.error(
                            Diagnostic::new(
                                Code::DuplicatePackageDecl,
                                pkg.span,
                                "a second package declaration in one file",
                            )
                            .with_label("second package declaration")
                            .with_secondary(first_span, "the file's package is declared here")
                            .with_help(
                                "one file is one package: move the second one to a file of its own",
                            ),
                        );
                    } else {
                        out.package = Some(pkg);
                    }
                })
            } else if self.at_word("import") {
                self.import(meta).map(|imp| {
                    if let Some(item) = out.items.first() {
                        let item_span = item.name.span;
                        self.error(
                            Diagnostic::new(
                                Code::SyntaxError,
                                imp.span,
                                "import after a definition",
                            )
                            .with_label("imports must come before the first definition")
                            .with_secondary(item_span, "first definition"),
                        );
                    }
                    out.imports.push(imp)
                })
            } else if ["message", "enum", "union", "type"]
                .iter()
                .any(|w| self.at_word(w))
            {
                self.item(meta).map(|item| out.items.push(item))
            } else {
                Err(self.expected("`message`, `enum`, `union`, `type`, `import` or `package`"))
            };
            if result.is_err() {
                self.recover(true);
            }
        }
    }

    fn package(&mut self, meta: Meta) -> PResult<PackageDecl> {
        let start = self.bump().span;
        let name = self.path("a package name")?;
        let version = match self.eat_word("version") {
            Some(_) => {
                let tok = self.peek();
                if !matches!(
                    tok.kind,
                    TokenKind::Version | TokenKind::Int | TokenKind::Float
                ) {
                    return Err(self.expected("a version like `1.0.0`"));
                }
                self.bump();
                // A pre-release or build suffix written right after the number (`1.0.0-beta.1`,
                // `1.0.0+build.5`) belongs to the version: taken whole, so that the version check
                // says why it is refused, instead of "expected `;`".
                let mut span = tok.span;
                if matches!(self.peek_kind(), TokenKind::Minus)
                    || self.text[span.end as usize..].starts_with('+')
                {
                    span = self.version_suffix(span);
                }
                Some(VersionLit {
                    text: self.slice(span).to_string(),
                    span,
                })
            }
            None => None,
        };
        let end = self.expect(TokenKind::Semi)?.span;
        let mut meta = meta;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(PackageDecl {
            meta,
            name,
            version,
            span: start.to(end),
        })
    }

    /// Extends a version's span over the tokens of a semver pre-release or build suffix that follow it
    /// without a space: identifiers, numbers, dots, `-`, and a `+` (which the lexer reports on its
    /// own as an unexpected character).
    fn version_suffix(&mut self, mut span: Span) -> Span {
        loop {
            let end = span.end as usize;
            let next = self.tokens[self.pos];
            if next.span.start as usize != end {
                // A `+` is no token: step over it when the suffix goes on right after it.
                let plus = self.text[end..].starts_with('+') && next.span.start as usize == end + 1;
                if !plus {
                    return span;
                }
            }
            match next.kind {
                TokenKind::Ident
                | TokenKind::Int
                | TokenKind::Float
                | TokenKind::Version
                | TokenKind::Dot
                | TokenKind::Minus
                | TokenKind::Error => {
                    self.bump();
                    span = span.to(next.span);
                }
                _ => return span,
            }
        }
    }

    fn import(&mut self, meta: Meta) -> PResult<Import> {
        let start = self.bump().span;
        if !meta.attributes.is_empty() {
            self.reject_meta(
                &Meta {
                    docs_span: None,
                    ..meta.clone()
                },
                "imports",
            );
        }
        let (path, path_span) = self.string_value("the imported file's path as a string")?;
        let alias = match self.eat_word("as") {
            Some(_) => Some(self.ident("an alias name")?),
            None => None,
        };
        let end = self.expect(TokenKind::Semi)?.span;
        let mut meta = meta;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(Import {
            meta,
            path,
            path_span,
            alias,
            span: start.to(end),
        })
    }

    fn item(&mut self, mut meta: Meta) -> PResult<Item> {
        let keyword = self.bump();
        let keyword_text = self.slice(keyword.span).to_string();
        let name = self.ident("a type name")?;
        // A comment between the name and `{` or `=` belongs to the item, not to its first member.
        self.peek();
        self.take_inner_comments(&mut meta);
        let (kind, end) = match keyword_text.as_str() {
            "type" => {
                self.expect(TokenKind::Eq)?;
                let ty = self.type_expr(0)?;
                let end = self.expect(TokenKind::Semi)?.span;
                (ItemKind::Alias(ty), end)
            }
            "message" => {
                let (block, end) = self.block(Self::field)?;
                (ItemKind::Message(block), end)
            }
            "enum" => {
                let (block, end) = self.block(Self::enum_value)?;
                (ItemKind::Enum(block), end)
            }
            _ => {
                let (block, end) = self.block(Self::variant)?;
                (ItemKind::Union(block), end)
            }
        };
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(Item {
            meta,
            name,
            kind,
            span: keyword.span.to(end),
        })
    }

    /// `{ entries }`, each entry parsed by `member` or as a `reserved` line. Returns the `}` span.
    fn block<M>(&mut self, member: fn(&mut Self, Meta) -> PResult<M>) -> PResult<(Block<M>, Span)> {
        self.expect(TokenKind::LBrace)?;
        let open_comment = self.trailing_comment();
        let mut entries = Vec::new();
        loop {
            self.collect_trivia();
            match self.peek_kind() {
                TokenKind::RBrace => {
                    let closing_comments = self.closing_comments();
                    let end = self.bump().span;
                    return Ok((
                        Block {
                            open_comment,
                            entries,
                            closing_comments,
                        },
                        end,
                    ));
                }
                TokenKind::Eof => {
                    self.closing_comments();
                    return Err(self.expected("`}`"));
                }
                _ => {}
            }
            let meta = self.meta();
            let entry = if self.at_word("reserved") && self.peek_second() != TokenKind::Colon {
                self.reserved(meta).map(Entry::Reserved)
            } else if self.peek_kind() == TokenKind::RBrace {
                if let Some(a) = meta.attributes.first() {
                    let span = a.span;
                    self.error(
                        Diagnostic::new(Code::SyntaxError, span, "attribute annotates nothing")
                            .with_label("no member follows this attribute"),
                    );
                }
                self.pending.comments = meta.comments;
                continue;
            } else {
                member(self, meta).map(Entry::Member)
            };
            match entry {
                Ok(e) => entries.push(e),
                Err(Reported) => {
                    self.recover(false);
                    if self.peek_kind() == TokenKind::Eof {
                        return Err(Reported);
                    }
                }
            }
        }
    }

    fn field(&mut self, mut meta: Meta) -> PResult<Field> {
        let key = self.int("a field key (an integer) or `}`")?;
        let name = self.ident("a field name")?;
        self.expect(TokenKind::Colon)?;
        let optional = if self.at_word("optional") && self.peek_second() != TokenKind::Semi {
            Some(self.bump().span)
        } else {
            None
        };
        let ty = self.type_expr(0)?;
        let default = match self.eat(TokenKind::Eq) {
            Some(_) => Some(self.literal()?),
            None => None,
        };
        let end = self.expect(TokenKind::Semi)?.span;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(Field {
            meta,
            span: key.span.to(end),
            key,
            name,
            optional,
            ty,
            default,
        })
    }

    fn enum_value(&mut self, mut meta: Meta) -> PResult<EnumValue> {
        let name = self.ident("an enum value name or `}`")?;
        self.expect(TokenKind::Eq)?;
        let value = self.int("the value's number")?;
        let end = self.expect(TokenKind::Semi)?.span;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(EnumValue {
            meta,
            span: name.span.to(end),
            name,
            value,
        })
    }

    fn variant(&mut self, mut meta: Meta) -> PResult<Variant> {
        let key = self.int("a variant key (an integer) or `}`")?;
        let name = self.ident("a variant name")?;
        let ty = match self.eat(TokenKind::Colon) {
            Some(_) => Some(self.type_expr(0)?),
            None => None,
        };
        let end = self.expect(TokenKind::Semi)?.span;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(Variant {
            meta,
            span: key.span.to(end),
            key,
            name,
            ty,
        })
    }

    fn reserved(&mut self, mut meta: Meta) -> PResult<Reserved> {
        let start = self.bump().span;
        self.reject_meta(&meta, "reserved lines");
        meta.docs.clear();
        meta.docs_span = None;
        meta.attributes.clear();
        let mut entries = Vec::new();
        loop {
            if self.peek_kind() == TokenKind::Str {
                let (value, span) = self.string_value("a reserved name")?;
                entries.push(ReservedEntry::Name { value, span });
            } else {
                let low = self.int("a reserved key, range or name")?;
                if self.eat(TokenKind::DotDotEq).is_some() {
                    let high = self.int("the end of the range")?;
                    entries.push(ReservedEntry::Range(low, high));
                } else if let Some(t) = self.eat(TokenKind::DotDot) {
                    return Err(self.error(
                        Diagnostic::new(Code::SyntaxError, t.span, "reserved ranges are inclusive")
                            .with_label("write `..=`")
                            .with_help("`4..=7` reserves 4, 5, 6 and 7"),
                    ));
                } else {
                    entries.push(ReservedEntry::Number(low));
                }
            }
            if self.eat(TokenKind::Comma).is_none() {
                break;
            }
        }
        let end = self.expect(TokenKind::Semi)?.span;
        self.take_inner_comments(&mut meta);
        meta.trailing_comment = self.trailing_comment();
        Ok(Reserved {
            meta,
            entries,
            span: start.to(end),
        })
    }

    // ---- pieces -------------------------------------------------------------------------------

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.eat(TokenKind::Ident) {
            Some(t) => Ok(Ident {
                name: self.slice(t.span).to_string(),
                span: t.span,
            }),
            None => Err(self.expected(what)),
        }
    }

    fn path(&mut self, what: &str) -> PResult<Path> {
        let first = self.ident(what)?;
        let mut span = first.span;
        let mut segments = vec![first];
        while self.peek_kind() == TokenKind::Dot {
            self.bump();
            let next = self.ident("a name after `.`")?;
            span = span.to(next.span);
            segments.push(next);
        }
        Ok(Path { segments, span })
    }

    fn string_value(&mut self, what: &str) -> PResult<(String, Span)> {
        let tok = match self.eat(TokenKind::Str) {
            Some(t) => t,
            None => return Err(self.expected(what)),
        };
        let text = self.slice(tok.span).to_string();
        match unescape(&text) {
            Ok(v) => Ok((v, tok.span)),
            Err((at, why)) => {
                // `at` is the backslash's offset within the literal (quote included); underline the
                // backslash and the character after it, whatever its width in UTF-8.
                let escaped = text
                    .get(at + 1..)
                    .and_then(|t| t.chars().next())
                    .map_or(0, char::len_utf8);
                let start = tok.span.start as usize + at;
                let end = (start + 1 + escaped).min(tok.span.end as usize);
                let span = Span::new(self.file, start, end);
                Err(self.error(
                    Diagnostic::new(
                        Code::InvalidEscape,
                        span,
                        "invalid escape in string literal",
                    )
                    .with_label(why)
                    .with_help("valid escapes are \\\\ \\\" \\n \\r \\t and \\u{XXXX}"),
                ))
            }
        }
    }

    /// An integer literal with an optional leading `-`.
    fn int(&mut self, what: &str) -> PResult<IntLit> {
        let minus = self.eat(TokenKind::Minus);
        let tok = match self.eat(TokenKind::Int) {
            Some(t) => t,
            None => return Err(self.expected(what)),
        };
        let digits = self.slice(tok.span);
        let parsed = match digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => digits.parse::<u64>(),
        };
        let span = minus.map_or(tok.span, |m| m.span.to(tok.span));
        let value = match parsed {
            Ok(v) if minus.is_some() => -(v as i128),
            Ok(v) => v as i128,
            Err(_) => i128::MAX,
        };
        if value == i128::MAX || value < i64::MIN as i128 {
            return Err(self.error(
                Diagnostic::new(Code::InvalidNumber, span, "integer literal out of range")
                    .with_label("does not fit in 64 bits")
                    .with_help("integers range from -9223372036854775808 to 18446744073709551615"),
            ));
        }
        // Only the sign and the digits: whatever sat between them (spaces, a comment) is not part of
        // the number, and the comment is kept elsewhere.
        let sign = if minus.is_some() { "-" } else { "" };
        Ok(IntLit {
            value,
            text: format!("{sign}{digits}"),
            span,
        })
    }

    fn literal(&mut self) -> PResult<Literal> {
        let tok = self.peek();
        match tok.kind {
            TokenKind::Str => {
                let (value, span) = self.string_value("a string")?;
                Ok(Literal::Str {
                    value,
                    text: self.slice(span).to_string(),
                    span,
                })
            }
            TokenKind::DotDotEq => {
                let start = self.bump().span;
                let max = self.int("the range's upper bound")?;
                Ok(Literal::Range {
                    span: start.to(max.span),
                    min: None,
                    max: Some(max),
                })
            }
            TokenKind::Ident => {
                let text = self.slice(tok.span);
                if text == "true" || text == "false" {
                    let value = text == "true";
                    self.bump();
                    return Ok(Literal::Bool {
                        value,
                        span: tok.span,
                    });
                }
                Ok(Literal::Path(self.path("a literal")?))
            }
            TokenKind::Minus | TokenKind::Int | TokenKind::Float => self.number_literal(),
            _ => {
                Err(self.expected("a literal (number, string, `true`, `false`, a name or a range)"))
            }
        }
    }

    fn number_literal(&mut self) -> PResult<Literal> {
        let minus = self.peek_kind() == TokenKind::Minus;
        if minus && self.peek_second() == TokenKind::Float || self.peek_kind() == TokenKind::Float {
            let start = self.peek().span;
            if minus {
                self.bump();
            }
            let tok = self.bump();
            let span = start.to(tok.span);
            let sign = if minus { "-" } else { "" };
            let text = format!("{sign}{}", self.slice(tok.span));
            let value: f64 = text.parse().unwrap_or(f64::NAN);
            if !value.is_finite() {
                return Err(self.error(
                    Diagnostic::new(Code::InvalidNumber, span, "float literal out of range")
                        .with_label("does not fit in a 64-bit float"),
                ));
            }
            return Ok(Literal::Float { value, text, span });
        }
        let min = self.int("a number")?;
        match self.peek_kind() {
            TokenKind::DotDotEq => {
                self.bump();
                let max = self.int("the range's upper bound")?;
                Ok(Literal::Range {
                    span: min.span.to(max.span),
                    min: Some(min),
                    max: Some(max),
                })
            }
            TokenKind::DotDot => {
                let dots = self.bump().span;
                if matches!(self.peek_kind(), TokenKind::Int | TokenKind::Minus) {
                    return Err(self.error(
                        Diagnostic::new(Code::SyntaxError, dots, "ranges are inclusive")
                            .with_label("write `..=`")
                            .with_help("`0..=254` includes both 0 and 254"),
                    ));
                }
                Ok(Literal::Range {
                    span: min.span.to(dots),
                    min: Some(min),
                    max: None,
                })
            }
            _ => Ok(Literal::Int(min)),
        }
    }

    fn attribute(&mut self) -> PResult<Attribute> {
        let at = self.bump().span;
        let name = self.path("an attribute name after `@`")?;
        let mut span = at.to(name.span);
        let args = match self.eat(TokenKind::LParen) {
            Some(_) => {
                let mut args = Vec::new();
                while self.peek_kind() != TokenKind::RParen {
                    args.push(self.literal()?);
                    if self.eat(TokenKind::Comma).is_none() {
                        break;
                    }
                }
                span = span.to(self.expect(TokenKind::RParen)?.span);
                Some(args)
            }
            None => None,
        };
        Ok(Attribute { name, args, span })
    }

    fn type_expr(&mut self, depth: usize) -> PResult<TypeExpr> {
        if depth >= MAX_TYPE_NESTING {
            let span = self.peek().span;
            return Err(self.error(
                Diagnostic::new(
                    Code::NestingTooDeep,
                    span,
                    format!("type expression nested more than {MAX_TYPE_NESTING} levels deep"),
                )
                .with_label("too deep")
                .with_help("introduce a type alias or a message for the inner part"),
            ));
        }
        let path = self.path("a type")?;
        let start = path.span;
        let word = match path.segments.as_slice() {
            [only] => only.name.as_str(),
            _ => "",
        };
        let (kind, end) = match word {
            "string" | "bytes" if self.peek_kind() == TokenKind::Lt => {
                self.bump();
                let max = self.int("a maximum length")?;
                let end = self.expect(TokenKind::Gt)?.span;
                let kind = if word == "string" {
                    TypeExprKind::String { max: Some(max) }
                } else {
                    TypeExprKind::Bytes { max: Some(max) }
                };
                (kind, end)
            }
            "bytes" if self.peek_kind() == TokenKind::LBracket => {
                self.bump();
                let len = self.int("a length")?;
                let end = self.expect(TokenKind::RBracket)?.span;
                (TypeExprKind::FixedBytes { len }, end)
            }
            "string" => (TypeExprKind::String { max: None }, start),
            "bytes" => (TypeExprKind::Bytes { max: None }, start),
            "array" => {
                self.expect(TokenKind::Lt)?;
                let element = self.type_expr(depth + 1)?;
                let max = match self.eat(TokenKind::Comma) {
                    Some(_) => Some(self.int("a maximum number of items")?),
                    None => None,
                };
                let end = self.expect(TokenKind::Gt)?.span;
                (
                    TypeExprKind::Array {
                        element: Box::new(element),
                        max,
                    },
                    end,
                )
            }
            _ if self.peek_kind() == TokenKind::Lt => {
                return Err(self.type_arguments_not_allowed(&path));
            }
            _ => match Scalar::from_keyword(word) {
                Some(s) => (TypeExprKind::Scalar(s), start),
                None => (TypeExprKind::Named(path), start),
            },
        };
        Ok(TypeExpr {
            kind,
            span: start.to(end),
        })
    }
}

impl Parser<'_, '_> {
    /// `map<K, V>`, `list<T>`, `Vec<T>`...: only `string`, `bytes` and `array` take arguments.
    fn type_arguments_not_allowed(&mut self, path: &Path) -> Reported {
        let span = self.peek().span;
        let name = self.slice(path.span).to_string();
        let help = match name.as_str() {
            "map" | "Map" | "HashMap" | "BTreeMap" | "dict" => {
                "there is no map type (a map's entry order and duplicate keys would be one more thing \
                 to agree on): use `array<Entry, N>` of a message with a key field and a value field"
            }
            "list" | "List" | "Vec" | "vec" | "seq" | "repeated" => {
                "a sequence is `array<T, N>`, with its maximum number of items"
            }
            "optional" | "Option" => "an optional field is written `N name: optional T;`",
            _ => "only `string<N>`, `bytes<N>` and `array<T, N>` take arguments in angle brackets",
        };
        self.error(
            Diagnostic::new(
                Code::SyntaxError,
                span,
                format!("`{name}` takes no type arguments"),
            )
            .with_label("unexpected `<`")
            .with_help(help),
        )
    }
}

fn diagnostic_span(diags: &Diagnostics, fallback: Span) -> Span {
    diags.iter().last().and_then(|d| d.span).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> SchemaFile {
        let mut d = Diagnostics::new();
        let f = parse(FileId(0), text, &mut d);
        assert!(
            d.is_empty(),
            "unexpected diagnostics: {:?}",
            d.iter().collect::<Vec<_>>()
        );
        f
    }

    fn errors(text: &str) -> Vec<Code> {
        let mut d = Diagnostics::new();
        parse(FileId(0), text, &mut d);
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn parses_every_construct() {
        let f = parse_ok(
            r#"
/// Lamp.
@default_max_string(64)
package example.lamp version 1.2.0;
import "core.iotp" as core;

/// Level.
@range(0..=254)
type Level = u8;

enum Mode { /// A.
    A = 0; B = 0x1; reserved 2..=4, "C"; }

message M {
    0 a: optional core.Level; // trailing
    1 b: array<bytes[32], 4> = 3;
    2 reserved: string;
    @deprecated("x") @acme.hint(1.5, -2, true, Name, ..=3)
    3 c: i8 = -1;
    reserved 9;
}

union U { 0 unit; 1 val: array<string<8>>; }
"#,
        );
        let pkg = f.package.unwrap();
        assert_eq!(pkg.name.text(), "example.lamp");
        assert_eq!(pkg.version.unwrap().text, "1.2.0");
        assert_eq!(pkg.meta.docs, ["Lamp."]);
        assert_eq!(f.imports[0].alias.as_ref().unwrap().name, "core");
        assert_eq!(f.items.len(), 4);
        let ItemKind::Message(m) = &f.items[2].kind else {
            panic!()
        };
        let fields: Vec<&Field> = m.members().collect();
        assert_eq!(fields.len(), 4);
        assert!(fields[0].optional.is_some());
        assert_eq!(
            fields[0].meta.trailing_comment.as_ref().unwrap().text,
            "// trailing"
        );
        assert_eq!(fields[2].name.name, "reserved");
        assert_eq!(fields[3].meta.attributes.len(), 2);
        assert_eq!(m.reserved().count(), 1);
        let ItemKind::Union(u) = &f.items[3].kind else {
            panic!()
        };
        assert!(u.members().next().unwrap().ty.is_none());
    }

    #[test]
    fn recovers_and_reports_every_error() {
        let codes = errors(
            "package a;\nmessage M {\n 0 a u8;\n 1 b: ;\n 2 c: u8;\n}\nmessage N { 0 x: u8 }\nenum E { A = 1; }\n",
        );
        assert_eq!(
            codes,
            [Code::SyntaxError, Code::SyntaxError, Code::SyntaxError]
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!(
            "package a; type T = {}u8{};",
            "array<".repeat(10_000),
            ">".repeat(10_000)
        );
        assert_eq!(errors(&deep), [Code::NestingTooDeep]);
    }

    #[test]
    fn error_flood_is_capped() {
        let junk = "package a; ".to_string() + &"message { ".repeat(5000);
        let n = errors(&junk).len();
        assert!(n <= MAX_SYNTAX_ERRORS + 1, "{n}");
    }

    #[test]
    fn dangling_doc_comment_is_an_error() {
        assert_eq!(
            errors("package a;\nmessage M {\n 0 a: u8;\n /// nothing\n}\n"),
            [Code::SyntaxError]
        );
    }

    #[test]
    fn docs_and_comments_after_attributes_stay_with_their_item() {
        let f = parse_ok("package a;\n/// m1\n@x.y(1)\n/// m2\n// c\nmessage M {\n 0 x: u8;\n}\n");
        assert_eq!(f.items[0].meta.docs, ["m1", "m2"]);
        assert_eq!(f.items[0].meta.comments[0].text, "// c");
        let ItemKind::Message(m) = &f.items[0].kind else {
            panic!()
        };
        let x = m.members().next().unwrap();
        assert!(x.meta.docs.is_empty() && x.meta.comments.is_empty());
    }

    #[test]
    fn comments_inside_a_member_stay_with_it() {
        let f = parse_ok(
            "package a;\nmessage M {\n 0 a: /* in */ i8 = - /* sign */ 1;\n 1 b: u8;\n}\n",
        );
        let ItemKind::Message(m) = &f.items[0].kind else {
            panic!()
        };
        let fields: Vec<&Field> = m.members().collect();
        let texts: Vec<&str> = fields[0]
            .meta
            .comments
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(texts, ["/* in */", "/* sign */"]);
        assert!(fields[1].meta.comments.is_empty());
        let Some(Literal::Int(default)) = &fields[0].default else {
            panic!()
        };
        assert_eq!(default.text, "-1");
    }

    #[test]
    fn out_of_range_integer() {
        assert_eq!(
            errors("package a; message M { 99999999999999999999 a: u8; }"),
            [Code::InvalidNumber]
        );
    }
}
