//! The capability model's rules that a schema can break (spec/07-capability-model.md §7.2 and §7.3):
//! a capability `Name` is declared by `NameProperties` (a message), `NameActions`, `NameOutputs` and
//! `NameEvents` (unions) of one package, and the standard attributes `@iotp2p.writable`,
//! `@iotp2p.unobservable`, `@iotp2p.optional` and `@iotp2p.fresh` apply to its members only. These
//! types are ordinary schema types to the rest of the compiler; only this pass knows the convention.

use std::collections::BTreeMap;

use super::lower::Lowered;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir;
use crate::source::Span;

/// The four roles of a capability's types, by name suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Properties,
    Actions,
    Outputs,
    Events,
}

impl Role {
    const ALL: [(Role, &'static str); 4] = [
        (Role::Properties, "Properties"),
        (Role::Actions, "Actions"),
        (Role::Outputs, "Outputs"),
        (Role::Events, "Events"),
    ];

    /// The role a type's name gives it, and the capability's name.
    fn of(type_name: &str) -> Option<(Role, &str)> {
        Role::ALL
            .iter()
            .find_map(|(role, suffix)| Some((*role, type_name.strip_suffix(suffix)?)))
    }

    fn suffix(self) -> &'static str {
        Role::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("", |(_, s)| s)
    }

    fn expected_kind(self) -> &'static str {
        match self {
            Role::Properties => "a message",
            _ => "a union",
        }
    }

    fn member(self) -> &'static str {
        match self {
            Role::Properties => "property",
            Role::Actions => "action",
            Role::Outputs => "output",
            Role::Events => "event",
        }
    }
}

/// One member of a capability: its key, name and place.
struct Member<'a> {
    role: Role,
    key: u32,
    name: &'a str,
    unit: bool,
    span: Option<Span>,
}

pub(crate) fn check(lowered: &Lowered, diags: &mut Diagnostics) {
    for package in &lowered.packages {
        // Capability name → its members, by role (only types of the right kind).
        let mut capabilities: BTreeMap<&str, Vec<Member>> = BTreeMap::new();
        for def in &package.types {
            let type_span = lowered.type_spans.get(&def.full_name).copied();
            let role = Role::of(&def.name);
            check_attribute_places(lowered, def, role.map(|(r, _)| r), diags);
            let Some((role, capability)) = role else {
                continue;
            };
            let members = match (&def.kind, role) {
                (ir::TypeKind::Message { fields, .. }, Role::Properties) => fields
                    .iter()
                    .map(|f| (f.key, f.name.as_str(), false, Some(f)))
                    .collect::<Vec<_>>(),
                (
                    ir::TypeKind::Union { variants, .. },
                    Role::Actions | Role::Outputs | Role::Events,
                ) => variants
                    .iter()
                    .map(|v| (v.key, v.name.as_str(), v.ty.is_none(), None))
                    .collect(),
                _ => {
                    if let Some(span) = type_span {
                        diags.push(
                            Diagnostic::new(
                                Code::CapabilityTypeKind,
                                span,
                                format!(
                                    "`{}` must be {}: its name makes it the {} of capability `{capability}`",
                                    def.name,
                                    role.expected_kind(),
                                    role.suffix().to_lowercase()
                                ),
                            )
                            .with_label(format!("declared as {}", kind_name(&def.kind)))
                            .with_help(format!(
                                "declare it as {}, or choose a name that does not end in `{}`",
                                role.expected_kind(),
                                role.suffix()
                            )),
                        );
                    }
                    continue;
                }
            };
            let entry = capabilities.entry(capability).or_default();
            for (key, name, unit, field) in members {
                let span = lowered
                    .member_spans
                    .get(&(def.full_name.clone(), name.to_string()))
                    .copied();
                if let Some(f) = field {
                    if matches!(f.presence, ir::Presence::Default(_)) {
                        if let Some(span) = span {
                            diags.push(
                                Diagnostic::new(
                                    Code::PropertyDefault,
                                    span,
                                    format!("property `{}` of `{}` has a default", f.name, def.name),
                                )
                                .with_label("a default that no value of this property uses")
                                .with_note("properties travel one by one, never as a `Properties` message, so the default is never applied")
                                .with_help("remove the default, or make the field `optional` if the property is optional"),
                            );
                        }
                    }
                }
                entry.push(Member {
                    role,
                    key,
                    name,
                    unit,
                    span,
                });
            }
        }
        for (capability, members) in &capabilities {
            check_keys(capability, members, diags);
        }
    }
}

/// CAP-2 (keys unique across properties, actions and events), CAP-3 (each output belongs to an
/// action) and CAP-4 (an output is not a unit variant).
fn check_keys(capability: &str, members: &[Member], diags: &mut Diagnostics) {
    let mut first: BTreeMap<u32, &Member> = BTreeMap::new();
    for m in members.iter().filter(|m| m.role != Role::Outputs) {
        match first.get(&m.key) {
            Some(earlier) if earlier.role != m.role => {
                let Some(span) = m.span else { continue };
                let mut d = Diagnostic::new(
                    Code::CapabilityKeyShared,
                    span,
                    format!(
                        "key {} of capability `{capability}` is both the {} `{}` and the {} `{}`",
                        m.key,
                        earlier.role.member(),
                        earlier.name,
                        m.role.member(),
                        m.name
                    ),
                )
                .with_label(format!("{} key {}", m.role.member(), m.key))
                .with_help("give every property, action and event of a capability its own key");
                if let Some(s) = earlier.span {
                    d = d.with_secondary(
                        s,
                        format!("{} `{}` has it", earlier.role.member(), earlier.name),
                    );
                }
                diags.push(d);
            }
            Some(_) => {} // The same type twice: E0301 already.
            None => {
                first.insert(m.key, m);
            }
        }
    }
    for out in members.iter().filter(|m| m.role == Role::Outputs) {
        let Some(span) = out.span else { continue };
        let action = members
            .iter()
            .find(|m| m.role == Role::Actions && m.key == out.key);
        if action.is_none() {
            diags.push(
                Diagnostic::new(
                    Code::OutputWithoutAction,
                    span,
                    format!(
                        "output `{}` (key {}) of capability `{capability}` belongs to no action",
                        out.name, out.key
                    ),
                )
                .with_label("no variant of the actions union has this key")
                .with_help(format!(
                    "give it the key of its action in `{capability}Actions`, or remove it"
                )),
            );
        }
        if out.unit {
            diags.push(
                Diagnostic::new(
                    Code::UnitOutput,
                    span,
                    format!(
                        "output `{}` of capability `{capability}` carries nothing",
                        out.name
                    ),
                )
                .with_label("a unit variant")
                .with_help(
                    "an action without output has no variant in the outputs union: remove this one",
                ),
            );
        }
    }
}

/// The member attributes of §7.3 apply to the members of a capability only: `writable` and
/// `unobservable` to properties, `optional` to actions and events, `fresh` to actions and writable
/// properties.
fn check_attribute_places(
    lowered: &Lowered,
    def: &ir::TypeDef,
    role: Option<Role>,
    diags: &mut Diagnostics,
) {
    let members: Vec<(&str, &[ir::Attribute], bool)> = match &def.kind {
        ir::TypeKind::Message { fields, .. } => fields
            .iter()
            .map(|f| (f.name.as_str(), f.attributes.as_slice(), true))
            .collect(),
        ir::TypeKind::Union { variants, .. } => variants
            .iter()
            .map(|v| (v.name.as_str(), v.attributes.as_slice(), false))
            .collect(),
        _ => return,
    };
    let is_message = matches!(def.kind, ir::TypeKind::Message { .. });
    let properties = role == Some(Role::Properties) && is_message;
    let actions = role == Some(Role::Actions) && !is_message;
    let events = role == Some(Role::Events) && !is_message;
    // On the wrong kind of member (a variant marked `writable`), the attribute check reported it.
    for (name, attributes, is_field) in members {
        let has = |n: &str| attributes.iter().any(|a| a.name == n);
        let problem = if is_field && has("iotp2p.writable") && !properties {
            Some((
                "iotp2p.writable",
                "the fields of a `NameProperties` message",
            ))
        } else if is_field && has("iotp2p.unobservable") && !properties {
            Some((
                "iotp2p.unobservable",
                "the fields of a `NameProperties` message",
            ))
        } else if !is_field && has("iotp2p.optional") && !(actions || events) {
            Some((
                "iotp2p.optional",
                "the variants of a `NameActions` or `NameEvents` union (an optional property is an `optional` field)",
            ))
        } else if has("iotp2p.fresh") && !(actions || (properties && has("iotp2p.writable"))) {
            Some((
                "iotp2p.fresh",
                "the variants of a `NameActions` union and the `@iotp2p.writable` fields of a `NameProperties` message",
            ))
        } else {
            None
        };
        let Some((attribute, applies_to)) = problem else {
            continue;
        };
        let Some(span) = lowered
            .member_spans
            .get(&(def.full_name.clone(), name.to_string()))
            .copied()
        else {
            continue;
        };
        diags.push(
            Diagnostic::new(
                Code::MisplacedAttribute,
                span,
                format!(
                    "`@{attribute}` on `{}.{name}`, which is not a member it applies to",
                    def.name
                ),
            )
            .with_label(format!("`@{attribute}` has no meaning here"))
            .with_note(format!(
                "`@{attribute}` applies to {applies_to} (spec/07-capability-model.md §7.3)"
            )),
        );
    }
}

fn kind_name(kind: &ir::TypeKind) -> &'static str {
    match kind {
        ir::TypeKind::Message { .. } => "a message",
        ir::TypeKind::Enum { .. } => "an enum",
        ir::TypeKind::Union { .. } => "a union",
        ir::TypeKind::Alias { .. } => "a type alias",
    }
}
