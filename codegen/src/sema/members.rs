//! Members: keys, enum numbers, member names and `reserved` lines of each message, enum and union.

use std::collections::{BTreeMap, HashMap};

use super::Unit;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::ast::{self, Block, IntLit, ItemKind, ReservedEntry};

/// Largest field or variant key.
pub(crate) const MAX_KEY: i128 = 65_535;

/// What differs between messages/unions (keys) and enums (values).
struct Rules {
    /// "key" or "value".
    number_word: &'static str,
    /// Largest allowed number.
    max: i128,
    /// Code for a number outside 0..=max.
    out_of_range: Code,
    /// Code for a number used twice.
    duplicate: Code,
}

const KEY_RULES: Rules = Rules {
    number_word: "key",
    max: MAX_KEY,
    out_of_range: Code::KeyOutOfRange,
    duplicate: Code::DuplicateKey,
};

const ENUM_RULES: Rules = Rules {
    number_word: "value",
    max: u32::MAX as i128,
    out_of_range: Code::EnumValueOutOfRange,
    duplicate: Code::DuplicateEnumValue,
};

/// A member reduced to what these rules look at.
struct Member<'a> {
    name: &'a ast::Ident,
    number: &'a IntLit,
}

/// Checks every message, enum and union of one file.
pub(crate) fn check_file(unit: &Unit, diags: &mut Diagnostics) {
    for item in &unit.ast.items {
        match &item.kind {
            ItemKind::Message(block) => {
                let members = block.members().map(|f| Member {
                    name: &f.name,
                    number: &f.key,
                });
                check_block(item, block, members.collect(), &KEY_RULES, diags);
            }
            ItemKind::Union(block) => {
                let members = block.members().map(|v| Member {
                    name: &v.name,
                    number: &v.key,
                });
                check_block(item, block, members.collect(), &KEY_RULES, diags);
                if block.members().next().is_none() {
                    empty(item, "union", "variant", diags);
                }
            }
            ItemKind::Enum(block) => {
                let members = block.members().map(|v| Member {
                    name: &v.name,
                    number: &v.value,
                });
                check_block(item, block, members.collect(), &ENUM_RULES, diags);
                if block.members().next().is_none() {
                    empty(item, "enum", "value", diags);
                }
            }
            ItemKind::Alias(_) => {}
        }
    }
}

fn empty(item: &ast::Item, kind: &str, member: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::new(
            Code::EmptyType,
            item.name.span,
            format!("{kind} `{}` has no {member}s", item.name.name),
        )
        .with_label(format!("empty {kind}"))
        .with_help(format!("add a {member}, or remove the {kind}")),
    );
}

fn check_block<M>(
    item: &ast::Item,
    block: &Block<M>,
    members: Vec<Member<'_>>,
    rules: &Rules,
    diags: &mut Diagnostics,
) {
    let word = rules.number_word;
    // Reserved numbers and names, checked for sanity first.
    // Accepted reservations never overlap, so the one that could contain a number is the last one
    // starting at or before it: a sorted map answers in log time (a type may reserve thousands).
    let mut ranges: BTreeMap<i128, (i128, Span)> = BTreeMap::new();
    let overlapping = |ranges: &BTreeMap<i128, (i128, Span)>, lo: i128, hi: i128| {
        ranges
            .range(..=hi)
            .next_back()
            .filter(|(_, (end, _))| *end >= lo)
            .map(|(&start, &(end, span))| (start, end, span))
    };
    let mut names: HashMap<&str, Span> = HashMap::new();
    for entry in block.reserved().flat_map(|r| &r.entries) {
        match entry {
            ReservedEntry::Number(n) | ReservedEntry::Range(n, _) => {
                let (lo, hi, span) = match entry {
                    ReservedEntry::Range(a, b) => (a.value, b.value, a.span.to(b.span)),
                    _ => (n.value, n.value, n.span),
                };
                let written = if matches!(entry, ReservedEntry::Range(..)) {
                    format!("{lo}..={hi}")
                } else {
                    format!("{lo}")
                };
                if lo > hi {
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidReservedRange,
                            span,
                            format!("reserved {word} range {written} is reversed"),
                        )
                        .with_label(format!("{lo} is greater than {hi}"))
                        .with_help(format!("write `{hi}..={lo}`")),
                    );
                    continue;
                }
                if lo < 0 || hi > rules.max {
                    let what = if matches!(entry, ReservedEntry::Range(..)) {
                        format!("reserved {word} range {written}")
                    } else {
                        format!("reserved {word} {written}")
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidReservedRange,
                            span,
                            format!("{what} is out of range"),
                        )
                        .with_label(format!("{word}s range from 0 to {}", rules.max)),
                    );
                    continue;
                }
                if let Some((a, b, other)) = overlapping(&ranges, lo, hi) {
                    let earlier = if a == b {
                        format!("{a}")
                    } else {
                        format!("{a}..={b}")
                    };
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidReservedRange,
                            span,
                            format!("reserved {word}s overlap: {written} and {earlier}"),
                        )
                        .with_label("overlaps an earlier reservation")
                        .with_secondary(other, "reserved here")
                        .with_help(format!("reserve each {word} once")),
                    );
                    continue;
                }
                ranges.insert(lo, (hi, span));
            }
            ReservedEntry::Name { value, span } => {
                if let Some(other) = names.get(value.as_str()) {
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidReservedRange,
                            *span,
                            format!("name `{value}` is reserved twice"),
                        )
                        .with_label("reserved again")
                        .with_secondary(*other, "reserved here"),
                    );
                } else {
                    names.insert(value, *span);
                }
            }
        }
    }

    let mut by_number: HashMap<i128, (&ast::Ident, Span)> = HashMap::new();
    let mut by_name: HashMap<&str, &ast::Ident> = HashMap::new();
    for m in &members {
        let n = m.number.value;
        if !(0..=rules.max).contains(&n) {
            diags.push(
                Diagnostic::new(
                    rules.out_of_range,
                    m.number.span,
                    format!("{word} {n} is out of range"),
                )
                .with_label(format!("{word}s range from 0 to {}", rules.max))
                .with_note(match rules.number_word {
                    "key" => "keys 0 to 23 encode in one CBOR byte, 24 to 255 in two",
                    _ => "enum values encode as CBOR unsigned integers",
                }),
            );
        } else if let Some((first, first_number)) = by_number.get(&n) {
            diags.push(
                Diagnostic::new(
                    rules.duplicate,
                    m.number.span,
                    format!(
                        "{word} {n} is used by both `{}` and `{}`",
                        first.name, m.name.name
                    ),
                )
                .with_label(format!("{word} {n} used again"))
                .with_secondary(*first_number, format!("first used by `{}`", first.name))
                .with_help(format!("give `{}` an unused {word}", m.name.name)),
            );
        } else {
            by_number.insert(n, (m.name, m.number.span));
            if let Some((lo, hi, span)) = overlapping(&ranges, n, n) {
                let shown = if lo == hi {
                    format!("{lo}")
                } else {
                    format!("{lo}..={hi}")
                };
                diags.push(
                    Diagnostic::new(
                        Code::ReservedKey,
                        m.number.span,
                        format!(
                            "{word} {n} of `{}` is reserved in `{}`",
                            m.name.name, item.name.name
                        ),
                    )
                    .with_label(format!("reserved {word}"))
                    .with_secondary(span, format!("{shown} reserved here"))
                    .with_help(format!(
                        "reserved {word}s belonged to removed members; use an unused {word}"
                    )),
                );
            }
        }
        let name = m.name.name.as_str();
        if let Some(first) = by_name.get(name) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateMember,
                    m.name.span,
                    format!("`{name}` is defined twice in `{}`", item.name.name),
                )
                .with_label("defined again")
                .with_secondary(first.span, "first defined here"),
            );
        } else {
            by_name.insert(name, m.name);
        }
        if let Some(span) = names.get(name) {
            diags.push(
                Diagnostic::new(
                    Code::ReservedName,
                    m.name.span,
                    format!("the name `{name}` is reserved in `{}`", item.name.name),
                )
                .with_label("reserved name")
                .with_secondary(*span, "reserved here")
                .with_help("reserved names belonged to removed members; choose another name"),
            );
        }
    }
}
