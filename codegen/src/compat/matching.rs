//! Which type of S1 is which type of S2. Types match by full name ([IOTP-VER-3]); a type that S1
//! defines and S2 does not is then a removal, unless S2 still has it elsewhere:
//! - moved: a package other than its own, and imported by it, defines a type of the same name and
//!   kind, and S2 refers to that one wherever S1 referred to the old one ([IOTP-VER-11]);
//! - renamed: its own package defines, under a new name, a type of the same kind and definition, and
//!   S2 refers to that one wherever S1 referred to the old one;
//! - part of a capability whose types are all gone from its package: the capability is removed,
//!   which is a change of its own on the wire (§7.4.1), reported once for the capability.
//!
//! Where S1 referred to a type is read off the members that match by key in types that match by
//! name, so that a move is recognised from the uses, not from the name alone.

use std::collections::{BTreeMap, BTreeSet};

use super::{members, package_of, Context, Finding, Rule};
use crate::ir::{Type, TypeDef, TypeKind};

/// The suffixes of a capability's types (spec §7.2.1).
const CAPABILITY_ROLES: [&str; 4] = ["Properties", "Actions", "Outputs", "Events"];

/// Matches the types of both schemas, reports additions, removals, moves, renames and removed
/// capabilities, and returns the pairs to compare member by member.
pub(super) fn match_types<'a>(
    cx: &mut Context<'a>,
    out: &mut Vec<Finding>,
) -> Vec<(&'a TypeDef, &'a TypeDef)> {
    let mut pairs: Vec<(&TypeDef, &TypeDef)> = cx
        .old_types
        .iter()
        .filter_map(|(name, o)| cx.new_types.get(name).map(|n| (*o, *n)))
        .collect();
    let uses = uses(&pairs);
    let mut handled: BTreeSet<&str> = removed_capabilities(cx, out);
    let mut added: BTreeSet<&str> = cx
        .new_types
        .keys()
        .filter(|n| !cx.old_types.contains_key(*n))
        .copied()
        .collect();
    let removed: Vec<&TypeDef> = cx
        .old_types
        .values()
        .filter(|t| !cx.new_types.contains_key(t.full_name.as_str()))
        .filter(|t| !handled.contains(t.full_name.as_str()))
        .copied()
        .collect();
    // Candidates by what a move keeps (the name) and what a rename keeps (package and shape), so
    // that many removed and added types are not compared each with each.
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut by_shape: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
    for &name in &added {
        let t = cx.new_types[name];
        by_name.entry(t.name.as_str()).or_default().push(name);
        by_shape
            .entry((package_of(name), shape(t)))
            .or_default()
            .push(name);
    }
    for old in removed {
        let used_as = uses.get(old.full_name.as_str());
        let fits = |candidate: &str| used_as.is_none_or(|u| u.len() == 1 && u.contains(candidate));
        let open = |c: &&str| added.contains(*c) && fits(c);
        let moved: Vec<&str> = by_name
            .get(old.name.as_str())
            .into_iter()
            .flatten()
            .copied()
            .filter(open)
            .filter(|&c| is_move(cx, old, cx.new_types[c]))
            .collect();
        let renamed = || -> Vec<&str> {
            // Two are enough to know that the rename is ambiguous.
            by_shape
                .get(&(package_of(&old.full_name), shape(old)))
                .into_iter()
                .flatten()
                .copied()
                .filter(open)
                .filter(|&c| is_rename(cx, old, cx.new_types[c]))
                .take(2)
                .collect()
        };
        // A unique candidate of either kind takes the old type's place; a move first.
        let found = match moved[..] {
            [target] => Some((Rule::TypeMoved, target)),
            _ => match renamed()[..] {
                [target] => Some((Rule::TypeRenamed, target)),
                _ => None,
            },
        };
        if let Some((rule, target)) = found {
            let new = cx.new_types[target];
            let (element, message) = if rule == Rule::TypeMoved {
                let to = package_of(target);
                (
                    &old.full_name,
                    format!("type `{}` moved to package `{to}`", old.full_name),
                )
            } else {
                (
                    &new.full_name,
                    format!("type `{}` renamed to `{}`", old.full_name, new.name),
                )
            };
            cx.renamed
                .insert(old.full_name.clone(), new.full_name.clone());
            let mut f =
                Finding::new(rule, element, message).at(Some(&old.location), Some(&new.location));
            if rule == Rule::TypeMoved {
                f.moved_to = Some(package_of(target).to_string());
            }
            out.push(f);
            added.remove(target);
            handled.insert(&old.full_name);
            pairs.push((old, new));
            continue;
        }
        let package = cx
            .new
            .packages
            .iter()
            .find(|p| p.name == package_of(&old.full_name));
        out.push(
            Finding::new(
                Rule::TypeRemoved,
                &old.full_name,
                format!("type `{}` removed", old.full_name),
            )
            .at(Some(&old.location), package.map(|p| &p.location)),
        );
    }
    for name in added {
        let new = cx.new_types[name];
        let package = cx.old.packages.iter().find(|p| p.name == package_of(name));
        out.push(
            Finding::new(Rule::TypeAdded, name, format!("type `{name}` added"))
                .at(package.map(|p| &p.location), Some(&new.location)),
        );
    }
    pairs
}

/// For each type of S1, the types of S2 that take its place in members that match: the field of S2
/// with the key of a field of S1 that used the type, and so on.
fn uses<'a>(pairs: &[(&'a TypeDef, &'a TypeDef)]) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut out: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (o, n) in pairs {
        match (&o.kind, &n.kind) {
            (TypeKind::Message { fields: a, .. }, TypeKind::Message { fields: b, .. }) => {
                let by_key: BTreeMap<u32, &Type> = b.iter().map(|g| (g.key, &g.ty)).collect();
                for f in a {
                    if let Some(g) = by_key.get(&f.key) {
                        parallel(&f.ty, g, &mut out);
                    }
                }
            }
            (TypeKind::Union { variants: a, .. }, TypeKind::Union { variants: b, .. }) => {
                let by_key: BTreeMap<u32, Option<&Type>> =
                    b.iter().map(|w| (w.key, w.ty.as_ref())).collect();
                for v in a {
                    if let (Some(x), Some(Some(y))) = (v.ty.as_ref(), by_key.get(&v.key)) {
                        parallel(x, y, &mut out);
                    }
                }
            }
            (TypeKind::Alias { target: a }, TypeKind::Alias { target: b }) => {
                parallel(a, b, &mut out)
            }
            _ => {}
        }
    }
    out
}

/// Records which named type of S2 stands where S1 names one, walking both types in step.
fn parallel<'a>(old: &'a Type, new: &'a Type, out: &mut BTreeMap<&'a str, BTreeSet<&'a str>>) {
    match (named(old), named(new)) {
        (Some(a), Some(b)) => {
            out.entry(a).or_default().insert(b);
        }
        (Some(a), None) => {
            out.entry(a).or_default().insert("");
        }
        _ => {
            if let (Type::Array { element: a, .. }, Type::Array { element: b, .. }) = (old, new) {
                parallel(a, b, out);
            }
        }
    }
}

/// The full name of a use of a user type.
pub(super) fn named(ty: &Type) -> Option<&str> {
    match ty {
        Type::Message { name }
        | Type::Enum { name }
        | Type::Union { name }
        | Type::Alias { name, .. } => Some(name),
        _ => None,
    }
}

/// Whether `new` can be `old` moved: same name and kind, another package, which S2's version of the
/// old package imports (when S2 still has that package).
fn is_move(cx: &Context<'_>, old: &TypeDef, new: &TypeDef) -> bool {
    let (from, to) = (package_of(&old.full_name), package_of(&new.full_name));
    let imported = cx
        .new
        .packages
        .iter()
        .find(|p| p.name == from)
        .is_none_or(|p| p.imports.iter().any(|i| i == to));
    old.name == new.name && from != to && same_kind(old, new) && imported
}

/// Whether `new` can be `old` renamed: same package and kind, and no difference in the definition
/// but documentation.
fn is_rename(cx: &Context<'_>, old: &TypeDef, new: &TypeDef) -> bool {
    if package_of(&old.full_name) != package_of(&new.full_name) || !same_kind(old, new) {
        return false;
    }
    let mut scratch = Vec::new();
    members::compare_type(cx, old, new, &mut scratch);
    scratch.iter().all(|f| f.rule == Rule::DocChanged)
}

/// What a type's definition is made of, without its name and documentation: its kind and its members'
/// keys and names (or an alias's target). Two types of the same definition have the same shape.
fn shape(t: &TypeDef) -> String {
    let members: Vec<String> = match &t.kind {
        TypeKind::Message { fields, .. } => fields
            .iter()
            .map(|f| format!("{}:{}", f.key, f.name))
            .collect(),
        TypeKind::Union { variants, .. } => variants
            .iter()
            .map(|v| format!("{}:{}", v.key, v.name))
            .collect(),
        TypeKind::Enum { values, .. } => values
            .iter()
            .map(|v| format!("{}:{}", v.value, v.name))
            .collect(),
        TypeKind::Alias { target } => vec![members::describe(target)],
    };
    format!("{} {}", members::kind_name(&t.kind), members.join(","))
}

fn same_kind(a: &TypeDef, b: &TypeDef) -> bool {
    std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind)
}

/// Reports each capability of S1 whose types S2 no longer has in its package, and returns those types,
/// which are then not reported one by one.
fn removed_capabilities<'a>(cx: &Context<'a>, out: &mut Vec<Finding>) -> BTreeSet<&'a str> {
    let mut handled = BTreeSet::new();
    let mut capabilities: BTreeMap<(&str, &str), Vec<&TypeDef>> = BTreeMap::new();
    for t in cx.old_types.values() {
        let Some(name) = CAPABILITY_ROLES
            .iter()
            .find_map(|suffix| t.name.strip_suffix(suffix))
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        capabilities
            .entry((package_of(&t.full_name), name))
            .or_default()
            .push(t);
    }
    for ((package, name), types) in capabilities {
        let gone = CAPABILITY_ROLES.iter().all(|suffix| {
            !cx.new_types
                .contains_key(format!("{package}.{name}{suffix}").as_str())
        });
        if !gone {
            continue;
        }
        let first = types
            .iter()
            .min_by_key(|t| (t.location.line, t.location.column));
        let new_package = cx.new.packages.iter().find(|p| p.name == package);
        out.push(
            Finding::new(
                Rule::CapabilityRemoved,
                &format!("{package}.{name}"),
                format!("capability `{package}.{name}` removed, renamed or moved"),
            )
            .at(first.map(|t| &t.location), new_package.map(|p| &p.location)),
        );
        handled.extend(types.iter().map(|t| t.full_name.as_str()));
    }
    handled
}
