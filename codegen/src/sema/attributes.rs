//! Attributes: the table of known ones, where each may appear, its arguments, and their meaning.
//!
//! Unknown attributes are errors (a typo must not silently do nothing); attributes with a dotted name
//! (`@acme.hint(...)`) belong to other tools and pass to the IR unchecked, except the standard's own
//! `@iotp2p.*` ([`iotp2p_attributes`](super::iotp2p_attributes)), which are checked here too.

use super::iotp2p_attributes as standard;
use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::ir;
use crate::source::Span;
use crate::syntax::ast::{Attribute, Literal};

/// The kind of item an attribute is written on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Package,
    Message,
    Enum,
    Union,
    Alias,
    Field,
    Variant,
    EnumValue,
}

impl Target {
    /// The kind of item, plural: "fields", "type aliases".
    fn plural(self) -> &'static str {
        match self {
            Target::Package => "the package",
            Target::Message => "messages",
            Target::Enum => "enums",
            Target::Union => "unions",
            Target::Alias => "type aliases",
            Target::Field => "fields",
            Target::Variant => "union variants",
            Target::EnumValue => "enum values",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Target::Package => "a package",
            Target::Message => "a message",
            Target::Enum => "an enum",
            Target::Union => "a union",
            Target::Alias => "a type alias",
            Target::Field => "a field",
            Target::Variant => "a union variant",
            Target::EnumValue => "an enum value",
        }
    }
}

/// Argument shapes of known attributes.
#[derive(Clone, Copy)]
enum Args {
    /// No parentheses, or one string.
    OptionalString,
    /// One range literal.
    Range,
    /// One integer.
    Int,
    /// One or more distinct names of one segment each.
    Names,
}

struct Known {
    name: &'static str,
    args: Args,
    targets: &'static [Target],
    usage: &'static str,
}

const KNOWN: &[Known] = &[
    Known {
        name: "deprecated",
        args: Args::OptionalString,
        targets: &[
            Target::Message,
            Target::Enum,
            Target::Union,
            Target::Alias,
            Target::Field,
            Target::Variant,
            Target::EnumValue,
        ],
        usage: "`@deprecated` or `@deprecated(\"use X instead\")`",
    },
    Known {
        name: "range",
        args: Args::Range,
        targets: &[Target::Field, Target::Alias],
        usage: "`@range(min..=max)`, `@range(min..)` or `@range(..=max)`",
    },
    Known {
        name: "max_depth",
        args: Args::Int,
        targets: &[Target::Message, Target::Union],
        usage: "`@max_depth(N)` with N from 1 to 64",
    },
    Known {
        name: "default_max_string",
        args: Args::Int,
        targets: &[Target::Package],
        usage: "`@default_max_string(N)`",
    },
    Known {
        name: "default_max_bytes",
        args: Args::Int,
        targets: &[Target::Package],
        usage: "`@default_max_bytes(N)`",
    },
    Known {
        name: "default_max_items",
        args: Args::Int,
        targets: &[Target::Package],
        usage: "`@default_max_items(N)`",
    },
    Known {
        name: "received_by",
        args: Args::Names,
        targets: &[Target::Variant],
        usage: "`@received_by(role, ...)` with the names of the roles that receive the variant, e.g. `@received_by(device, relay)`",
    },
    Known {
        name: "sent_by",
        args: Args::Names,
        targets: &[Target::Variant],
        usage: "`@sent_by(role, ...)` with the names of the roles that send the variant, e.g. `@sent_by(app, relay)`",
    },
];

/// The meaning of the known attributes on one item.
#[derive(Debug, Default)]
pub(crate) struct KnownAttributes {
    pub deprecated: Option<ir::Deprecation>,
    /// `@range` bounds as written (open ends `None`) and the attribute's span.
    pub range: Option<(Option<i128>, Option<i128>, Span)>,
    pub max_depth: Option<(i128, Span)>,
    pub default_max_string: Option<(i128, Span)>,
    pub default_max_bytes: Option<(i128, Span)>,
    pub default_max_items: Option<(i128, Span)>,
    /// Known attributes that were written but rejected for their arguments (already reported), so
    /// that later checks do not also complain that they are missing.
    pub rejected: Vec<&'static str>,
}

/// Checks the attributes of one item and returns their meaning.
pub(crate) fn check(
    attrs: &[Attribute],
    target: Target,
    diags: &mut Diagnostics,
) -> KnownAttributes {
    let mut out = KnownAttributes::default();
    let mut seen: Vec<(String, Span)> = Vec::new();
    for attr in attrs {
        let name = attr.name.text();
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            diags.push(
                Diagnostic::new(
                    Code::DuplicateAttribute,
                    attr.span,
                    format!("`@{name}` is given twice"),
                )
                .with_label("second occurrence")
                .with_secondary(*first, "first given here")
                .with_help("remove one of them"),
            );
            continue;
        }
        seen.push((name.clone(), attr.span));
        if attr.name.segments.len() > 1 {
            if attr.name.segments[0].name == "iotp2p" {
                check_standard(attr, target, diags);
            }
            continue; // Any other extension attribute: another tool's business.
        }
        let Some(known) = KNOWN.iter().find(|k| k.name == name) else {
            let mut d = Diagnostic::new(
                Code::UnknownAttribute,
                attr.name.span,
                format!("unknown attribute `@{name}`"),
            )
            .with_label("not a known attribute");
            d = match did_you_mean(&name, KNOWN.iter().map(|k| k.name)) {
                Some(s) => d.with_help(format!("did you mean `@{s}`?")),
                None => d.with_help(format!(
                    "attributes for other tools take a dotted prefix, e.g. `@vendor.{name}`"
                )),
            };
            diags.push(d);
            continue;
        };
        if !known.targets.contains(&target) {
            let allowed: Vec<&str> = known.targets.iter().map(|t| t.plural()).collect();
            let allowed = match allowed.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} and {last}", rest.join(", "))
                }
                _ => allowed.concat(),
            };
            diags.push(
                Diagnostic::new(
                    Code::MisplacedAttribute,
                    attr.span,
                    format!("`@{name}` is not allowed on {}", target.describe()),
                )
                .with_label(format!("not allowed on {}", target.describe()))
                .with_note(format!("`@{name}` applies to {allowed} only")),
            );
            continue;
        }
        let args = attr.args.as_deref().unwrap_or(&[]);
        let bad_args = || -> (Span, String) {
            let most = match known.args {
                Args::OptionalString | Args::Range | Args::Int => 1,
                Args::Names => usize::MAX,
            };
            let takes = match known.args {
                Args::OptionalString => "at most one argument",
                Args::Range | Args::Int => "one argument",
                Args::Names => "one or more names",
            };
            match args {
                [] if matches!(known.args, Args::OptionalString) => {
                    (attr.span, "empty parentheses".to_string())
                }
                [] => (attr.span, "arguments missing".to_string()),
                [.., last] if args.len() > most => (
                    args[most].span().to(last.span()),
                    format!(
                        "{} too many: `@{name}` takes {takes}",
                        if args.len() - most == 1 {
                            "one argument".to_string()
                        } else {
                            format!("{} arguments", args.len() - most)
                        }
                    ),
                ),
                [first, ..] => (first.span(), format!("found {}", first.describe())),
            }
        };
        let problem = match (known.args, args) {
            (Args::OptionalString, []) if attr.args.is_none() => {
                out.deprecated = Some(ir::Deprecation { note: None });
                None
            }
            (Args::OptionalString, [Literal::Str { value, .. }]) => {
                out.deprecated = Some(ir::Deprecation {
                    note: Some(value.clone()),
                });
                None
            }
            (Args::Range, [Literal::Range { min, max, .. }]) => {
                out.range = Some((
                    min.as_ref().map(|m| m.value),
                    max.as_ref().map(|m| m.value),
                    attr.span,
                ));
                None
            }
            (Args::Int, [Literal::Int(i)]) => {
                let v = Some((i.value, i.span));
                match known.name {
                    "max_depth" => out.max_depth = v,
                    "default_max_string" => out.default_max_string = v,
                    "default_max_bytes" => out.default_max_bytes = v,
                    _ => out.default_max_items = v,
                }
                None
            }
            (Args::Names, [_, ..]) => bad_role_name(args),
            _ => Some(bad_args()),
        };
        if let Some((span, label)) = problem {
            diags.push(
                Diagnostic::new(
                    Code::InvalidAttributeArgs,
                    span,
                    format!("wrong arguments for `@{name}`"),
                )
                .with_label(label)
                .with_help(format!("write {}", known.usage)),
            );
            out.rejected.push(known.name);
        }
    }
    out
}

/// The first argument of `@received_by` or `@sent_by` that is not a role's name (a snake_case name of one
/// segment) or names a role already named, with what is wrong with it.
fn bad_role_name(args: &[Literal]) -> Option<(Span, String)> {
    let mut seen: Vec<&str> = Vec::new();
    for arg in args {
        let Literal::Path(p) = arg else {
            return Some((arg.span(), format!("found {}", arg.describe())));
        };
        let [segment] = p.segments.as_slice() else {
            return Some((p.span, "a role's name has one segment".to_string()));
        };
        let role = segment.name.as_str();
        let snake = role.starts_with(|c: char| c.is_ascii_lowercase())
            && role
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !snake {
            return Some((p.span, "a role's name is snake_case".to_string()));
        }
        if seen.contains(&role) {
            return Some((p.span, format!("`{role}` is named twice")));
        }
        seen.push(role);
    }
    None
}

/// Checks one `@iotp2p.*` attribute: a known name, in a place it applies to, with its arguments.
fn check_standard(attr: &Attribute, target: Target, diags: &mut Diagnostics) {
    let full = attr.name.text();
    let name = full.strip_prefix("iotp2p.").unwrap_or(&full);
    let Some(known) = standard::find(name) else {
        let mut d = Diagnostic::new(
            Code::UnknownAttribute,
            attr.name.span,
            format!("unknown attribute `@{full}`"),
        )
        .with_label("not an attribute of the standard")
        .with_note("the prefix `iotp2p` is reserved for the attributes of spec/07-capability-model.md §7.3");
        if let Some(s) = did_you_mean(name, standard::STANDARD.iter().map(|k| k.name)) {
            d = d.with_help(format!("did you mean `@iotp2p.{s}`?"));
        }
        diags.push(d);
        return;
    };
    if !known.targets.contains(&target) {
        diags.push(
            Diagnostic::new(
                Code::MisplacedAttribute,
                attr.span,
                format!("`@{full}` is not allowed on {}", target.describe()),
            )
            .with_label(format!("not allowed on {}", target.describe()))
            .with_help(format!("write {}", known.usage)),
        );
        return;
    }
    let args = attr.args.as_deref();
    let problem = match (known.args, args) {
        (standard::Args::None, None) => None,
        (standard::Args::None, Some(_)) => Some((attr.span, "takes no arguments".to_string())),
        (standard::Args::Unit, Some([Literal::Str { value, span, .. }])) => {
            (!standard::UNITS.contains(&value.as_str())).then(|| {
                let hint = did_you_mean(value, standard::UNITS.iter().copied())
                    .map(|u| format!("; did you mean `{u}`?"))
                    .unwrap_or_default();
                (*span, format!("`{value}` is not a SenML unit name{hint}"))
            })
        }
        (standard::Args::Scale, Some([Literal::Int(i)])) => {
            (!standard::SCALE_RANGE.contains(&i.value)).then(|| {
                (
                    i.span,
                    format!(
                        "a power of ten from {} to {}",
                        standard::SCALE_RANGE.start(),
                        standard::SCALE_RANGE.end()
                    ),
                )
            })
        }
        (_, Some([first])) => Some((first.span(), format!("found {}", first.describe()))),
        (_, _) => Some((attr.span, "takes exactly one argument".to_string())),
    };
    if let Some((span, label)) = problem {
        diags.push(
            Diagnostic::new(
                Code::InvalidAttributeArgs,
                span,
                format!("wrong arguments for `@{full}`"),
            )
            .with_label(label)
            .with_help(format!("write {}", known.usage)),
        );
    }
}

/// Attributes as the IR carries them: every one, as written.
pub(crate) fn to_ir(attrs: &[Attribute]) -> Vec<ir::Attribute> {
    attrs
        .iter()
        .map(|a| ir::Attribute {
            name: a.name.text(),
            args: a
                .args
                .iter()
                .flatten()
                .map(|l| match l {
                    Literal::Int(i) => ir::AttributeArg::Int(i.value),
                    Literal::Float { value, .. } => ir::AttributeArg::Float(*value),
                    Literal::Str { value, .. } => ir::AttributeArg::String(value.clone()),
                    Literal::Bool { value, .. } => ir::AttributeArg::Bool(*value),
                    Literal::Path(p) => ir::AttributeArg::Name(p.text()),
                    Literal::Range { min, max, .. } => ir::AttributeArg::Range {
                        min: min.as_ref().map(|m| m.value),
                        max: max.as_ref().map(|m| m.value),
                    },
                })
                .collect(),
        })
        .collect()
}
