//! The lexer: schema text → tokens (comments included, so the formatter can keep them).
//!
//! Each token is recognised by a small nom parser; the loop around them tracks byte offsets and turns
//! anything unrecognisable into one diagnostic per run of bad characters, so lexing always reaches the
//! end of the file and never fails as a whole.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_until, take_while, take_while1};
use nom::character::complete::{char, digit1, hex_digit1, satisfy};
use nom::combinator::{opt, recognize};
use nom::sequence::{pair, preceded};
use nom::{IResult, Parser};

use crate::diagnostics::printable::is_bidi_control;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or contextual keyword.
    Ident,
    /// An integer literal (decimal or `0x` hex), without sign.
    Int,
    /// A float literal, without sign.
    Float,
    /// `1.2.0`: a version literal.
    Version,
    /// A string literal, quotes included.
    Str,
    /// `/// text`
    DocComment,
    /// `// text` or `/* text */`
    Comment,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `;`
    Semi,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// `..=`
    DotDotEq,
    /// `=`
    Eq,
    /// `@`
    At,
    /// `-`
    Minus,
    /// A run of characters that start no token (already reported).
    Error,
    /// End of file.
    Eof,
}

impl TokenKind {
    /// How the token kind is named in "expected ..." messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Ident => "an identifier",
            TokenKind::Int => "an integer",
            TokenKind::Float => "a number",
            TokenKind::Version => "a version",
            TokenKind::Str => "a string",
            TokenKind::DocComment => "a doc comment",
            TokenKind::Comment => "a comment",
            TokenKind::LBrace => "`{`",
            TokenKind::RBrace => "`}`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::LBracket => "`[`",
            TokenKind::RBracket => "`]`",
            TokenKind::Lt => "`<`",
            TokenKind::Gt => "`>`",
            TokenKind::Semi => "`;`",
            TokenKind::Colon => "`:`",
            TokenKind::Comma => "`,`",
            TokenKind::Dot => "`.`",
            TokenKind::DotDot => "`..`",
            TokenKind::DotDotEq => "`..=`",
            TokenKind::Eq => "`=`",
            TokenKind::At => "`@`",
            TokenKind::Minus => "`-`",
            TokenKind::Error => "invalid characters",
            TokenKind::Eof => "end of file",
        }
    }
}

/// One token: its kind and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub kind: TokenKind,
    /// Where it is.
    pub span: Span,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn ident(i: &str) -> IResult<&str, TokenKind> {
    recognize(pair(satisfy(is_ident_start), take_while(is_ident_continue)))
        .map(|_| TokenKind::Ident)
        .parse(i)
}

/// Numbers: hex, version (`1.2.0`), float (`1.5`, `2e3`, `1.5e-3`) or decimal integer. A `.` only
/// continues a number when a digit follows, so `0..=9` lexes as `0` `..=` `9`.
fn number(i: &str) -> IResult<&str, TokenKind> {
    let hex = recognize(preceded(alt((tag("0x"), tag("0X"))), hex_digit1)).map(|_| TokenKind::Int);
    let fraction = || preceded(char('.'), digit1);
    let exponent = || {
        recognize((
            alt((char('e'), char('E'))),
            opt(alt((char('+'), char('-')))),
            digit1,
        ))
    };
    let version = recognize((digit1, fraction(), fraction())).map(|_| TokenKind::Version);
    let float_frac = recognize((digit1, fraction(), opt(exponent()))).map(|_| TokenKind::Float);
    let float_exp = recognize((digit1, exponent())).map(|_| TokenKind::Float);
    let int = digit1.map(|_| TokenKind::Int);
    // A number glued to letters (`12ab`) would otherwise lex as `12` `ab`; keep it one bad literal.
    let (rest, kind) = alt((hex, version, float_frac, float_exp, int)).parse(i)?;
    let (rest, tail) = take_while(is_ident_continue).parse(rest)?;
    Ok((
        rest,
        if tail.is_empty() {
            kind
        } else {
            TokenKind::Error
        },
    ))
}

/// A string literal on one line. Escapes are checked by [`unescape`] when the parser reads the value.
fn string(i: &str) -> IResult<&str, TokenKind> {
    recognize((
        char('"'),
        nom::multi::many0_count(alt((
            recognize(pair(char('\\'), satisfy(|c| c != '\n'))),
            take_while1(|c| c != '"' && c != '\\' && c != '\n'),
        ))),
        char('"'),
    ))
    .map(|_| TokenKind::Str)
    .parse(i)
}

fn comment(i: &str) -> IResult<&str, TokenKind> {
    let doc = recognize(pair(tag("///"), take_while(|c| c != '\n')))
        // `////` is an ordinary comment (a ruler line), as in Rust.
        .map(|s: &str| {
            if s.starts_with("////") {
                TokenKind::Comment
            } else {
                TokenKind::DocComment
            }
        });
    let line = recognize(pair(tag("//"), take_while(|c| c != '\n'))).map(|_| TokenKind::Comment);
    let block = recognize((tag("/*"), take_until("*/"), tag("*/"))).map(|_| TokenKind::Comment);
    alt((doc, line, block)).parse(i)
}

fn punct(i: &str) -> IResult<&str, TokenKind> {
    alt((
        tag("..=").map(|_| TokenKind::DotDotEq),
        tag("..").map(|_| TokenKind::DotDot),
        char('.').map(|_| TokenKind::Dot),
        char('{').map(|_| TokenKind::LBrace),
        char('}').map(|_| TokenKind::RBrace),
        char('(').map(|_| TokenKind::LParen),
        char(')').map(|_| TokenKind::RParen),
        char('[').map(|_| TokenKind::LBracket),
        char(']').map(|_| TokenKind::RBracket),
        char('<').map(|_| TokenKind::Lt),
        char('>').map(|_| TokenKind::Gt),
        char(';').map(|_| TokenKind::Semi),
        char(':').map(|_| TokenKind::Colon),
        char(',').map(|_| TokenKind::Comma),
        char('=').map(|_| TokenKind::Eq),
        char('@').map(|_| TokenKind::At),
        char('-').map(|_| TokenKind::Minus),
    ))
    .parse(i)
}

fn token(i: &str) -> IResult<&str, TokenKind> {
    alt((comment, ident, number, string, punct)).parse(i)
}

/// Splits `text` into tokens, reporting malformed ones into `diags`. The last token is always
/// [`TokenKind::Eof`].
pub fn lex(file: FileId, text: &str, diags: &mut Diagnostics) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(text.len() / 4);
    // A UTF-8 byte-order mark, which some editors write at the start of a file, is not text: skipped
    // (offsets still count it, so that spans match the file). `fmt` does not write it back.
    let mut rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    let offset = |rest: &str| text.len() - rest.len();
    while !rest.is_empty() {
        let trimmed = rest.trim_start_matches([' ', '\t', '\n', '\r']);
        if trimmed.len() != rest.len() {
            rest = trimmed;
            continue;
        }
        let start = offset(rest);
        match token(rest) {
            Ok((after, kind)) => {
                let span = Span::new(file, start, offset(after));
                if kind == TokenKind::Error {
                    diags.push(
                        Diagnostic::new(Code::InvalidNumber, span, "invalid number literal")
                            .with_label("a number cannot be followed by letters")
                            .with_help(
                                "separate the number from what follows, or remove the letters",
                            ),
                    );
                }
                if matches!(
                    kind,
                    TokenKind::Comment | TokenKind::DocComment | TokenKind::Str
                ) {
                    warn_bidi(file, start, &rest[..rest.len() - after.len()], kind, diags);
                }
                tokens.push(Token { kind, span });
                rest = after;
            }
            Err(_) => {
                let (len, kind) = lex_failure(rest);
                let span = Span::new(file, start, start + len);
                diags.push(kind.into_diagnostic(span, &rest[..len]));
                tokens.push(Token {
                    kind: TokenKind::Error,
                    span,
                });
                rest = &rest[len..];
            }
        }
    }
    tokens.push(Token {
        kind: TokenKind::Eof,
        span: Span::new(file, text.len(), text.len()),
    });
    tokens
}

/// Warns about the first bidirectional control character in a comment or string literal: it makes an
/// editor show the text in another order than the compiler reads it ("Trojan Source",
/// CVE-2021-42574). Outside comments and strings such a character is an unexpected character anyway.
fn warn_bidi(file: FileId, start: usize, token: &str, kind: TokenKind, diags: &mut Diagnostics) {
    let Some((at, c)) = token.char_indices().find(|&(_, c)| is_bidi_control(c)) else {
        return;
    };
    let span = Span::new(file, start + at, start + at + c.len_utf8());
    let in_what = if kind == TokenKind::Str {
        "a string literal"
    } else {
        "a comment"
    };
    let help = if kind == TokenKind::Str {
        format!(
            "if the string needs it, write it as an escape: `\\u{{{:x}}}`",
            c as u32
        )
    } else {
        "remove it".to_string()
    };
    diags.push(
        Diagnostic::new(
            Code::BidiControl,
            span,
            format!(
                "bidirectional control character U+{:04X} in {in_what}",
                c as u32
            ),
        )
        .with_label("this character changes the order in which the line is displayed")
        .with_help(help),
    );
}

enum Failure {
    UnterminatedString,
    UnterminatedComment,
    BadChars,
}

impl Failure {
    fn into_diagnostic(self, span: Span, text: &str) -> Diagnostic {
        match self {
            Failure::UnterminatedString => Diagnostic::new(
                Code::UnterminatedString,
                span,
                "unterminated string literal",
            )
            .with_label("this string is not closed before the end of the line")
            .with_help("add a closing `\"`; strings cannot span lines"),
            Failure::UnterminatedComment => {
                Diagnostic::new(Code::UnterminatedString, span, "unterminated block comment")
                    .with_label("this comment is never closed")
                    .with_help("add `*/` where the comment should end")
            }
            Failure::BadChars => {
                let first = text.chars().next().unwrap_or(' ');
                Diagnostic::new(
                    Code::UnexpectedCharacter,
                    span,
                    format!("unexpected character {first:?}"),
                )
                .with_label("not part of any token")
                .with_help(match first {
                    '#' => "comments start with `//`",
                    '\'' => "string literals use double quotes",
                    _ => "remove it, or move it into a comment or string",
                })
            }
        }
    }
}

/// What went wrong where no token parser matched, and how many bytes to skip.
fn lex_failure(rest: &str) -> (usize, Failure) {
    if rest.starts_with('"') {
        let len = rest.find('\n').unwrap_or(rest.len());
        return (len, Failure::UnterminatedString);
    }
    if rest.starts_with("/*") {
        return (rest.len(), Failure::UnterminatedComment);
    }
    // Swallow the whole run of characters that cannot start a token, so binary garbage yields one
    // diagnostic per run rather than one per byte.
    let len = rest
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || starts_token(c))
        .map_or(rest.len(), |(i, _)| i);
    (
        len.max(rest.chars().next().map_or(1, char::len_utf8)),
        Failure::BadChars,
    )
}

fn starts_token(c: char) -> bool {
    is_ident_start(c) || c.is_ascii_digit() || "\"/{}()[]<>;:,.=@-".contains(c)
}

/// Decodes a string literal's text (quotes included). Returns the value, or the byte offset within the
/// literal and a description of the first invalid escape.
pub fn unescape(literal: &str) -> Result<String, (usize, String)> {
    let inner = &literal[1..literal.len().saturating_sub(1).max(1)];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let at = i + 1;
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, 'n')) => out.push('\n'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'u')) => {
                let rest = chars.as_str();
                let close = rest.find('}');
                let hex = match (rest.strip_prefix('{'), close) {
                    (Some(_), Some(end)) => &rest[1..end],
                    _ => return Err((at, "expected `\\u{XXXX}`".into())),
                };
                let value = u32::from_str_radix(hex, 16)
                    .ok()
                    .filter(|_| (1..=6).contains(&hex.len()))
                    .and_then(char::from_u32)
                    .ok_or((at, format!("`\\u{{{hex}}}` is not a Unicode scalar value")))?;
                out.push(value);
                for _ in 0..=close.unwrap_or(0) {
                    chars.next();
                }
            }
            Some((_, other)) => return Err((at, format!("unknown escape `\\{other}`"))),
            None => return Err((at, "a `\\` at the end of the string".into())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<TokenKind> {
        let mut d = Diagnostics::new();
        lex(FileId(0), text, &mut d)
            .iter()
            .map(|t| t.kind)
            .collect()
    }

    #[test]
    fn ranges_versions_and_floats_are_told_apart() {
        use TokenKind::*;
        assert_eq!(kinds("0..=9"), [Int, DotDotEq, Int, Eof]);
        assert_eq!(kinds("1.2.0"), [Version, Eof]);
        assert_eq!(kinds("1.5 2e3 0x1F"), [Float, Float, Int, Eof]);
        assert_eq!(kinds("a.b"), [Ident, Dot, Ident, Eof]);
        assert_eq!(kinds("-3"), [Minus, Int, Eof]);
    }

    #[test]
    fn comments_are_tokens() {
        use TokenKind::*;
        assert_eq!(
            kinds("/// doc\n// c\n/* b */ x //// ruler"),
            [DocComment, Comment, Comment, Ident, Comment, Eof]
        );
    }

    #[test]
    fn garbage_is_one_diagnostic_per_run() {
        let mut d = Diagnostics::new();
        let tokens = lex(FileId(0), "a #$%^ b", &mut d);
        assert_eq!(d.iter().count(), 1);
        assert_eq!(tokens.len(), 4);
    }

    #[test]
    fn unescape_handles_every_escape() {
        assert_eq!(
            unescape(r#""a\"\\\n\t\u{1F4A1}""#).unwrap(),
            "a\"\\\n\t\u{1F4A1}"
        );
        assert!(unescape(r#""\q""#).is_err());
        assert!(unescape(r#""\u{D800}""#).is_err());
        assert!(unescape(r#""\u{41""#).is_err());
    }
}
