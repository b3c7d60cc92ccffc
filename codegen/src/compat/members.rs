//! One type of S1 against the type of S2 it matched: members by key (fields, variants) or number
//! (enum values) as [IOTP-VER-3] says, reserved entries, presence and defaults, types and ranges (the
//! range compared apart from the type, [IOTP-VER-12]), `@max_depth`, and the attributes in effect for
//! each member after those of the aliases it uses (§10.3: units and scales are the standard's, other
//! dotted attributes are extensions).

use std::collections::{BTreeMap, BTreeSet};

use super::widening::{classify, Change};
use super::{Context, Finding, Rule};
use crate::ir::{
    Attribute, AttributeArg, EnumValue, Field, IntRange, Location, Presence, Reserved, Type,
    TypeDef, TypeKind, Value, Variant,
};

/// The standard attributes that only allow or refuse operations ([`Rule::StandardAttributeChanged`]).
const STANDARD_FLAGS: [&str; 4] = [
    "iotp2p.writable",
    "iotp2p.unobservable",
    "iotp2p.optional",
    "iotp2p.fresh",
];

/// Most aliases followed to find the attributes in effect; the compiler refuses alias cycles, this
/// only keeps a malformed IR (deserialised by a tool) from looping.
const MAX_ALIAS_CHAIN: usize = 64;

/// What kind of member, for messages and the choice of rules.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Field,
    Variant,
    EnumValue,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Field => "field",
            Kind::Variant => "variant",
            Kind::EnumValue => "enum value",
        }
    }

    fn key_word(self) -> &'static str {
        match self {
            Kind::EnumValue => "number",
            _ => "key",
        }
    }
}

/// A member of either schema, whatever its kind.
struct Member<'a> {
    key: u32,
    name: &'a str,
    doc: &'a str,
    deprecated: bool,
    attributes: &'a [Attribute],
    ty: Option<&'a Type>,
    location: &'a Location,
    /// The rule for adding it ([`Rule::FieldAddedRequired`] and so on).
    added: Rule,
    required: bool,
}

fn field_member(f: &Field) -> Member<'_> {
    Member {
        key: f.key,
        name: &f.name,
        doc: &f.doc,
        deprecated: f.deprecated.is_some(),
        attributes: &f.attributes,
        ty: Some(&f.ty),
        location: &f.location,
        added: match f.presence {
            Presence::Required => Rule::FieldAddedRequired,
            Presence::Optional => Rule::FieldAddedOptional,
            Presence::Default(_) => Rule::FieldAddedDefaulted,
        },
        required: f.presence == Presence::Required,
    }
}

fn variant_member(v: &Variant) -> Member<'_> {
    Member {
        key: v.key,
        name: &v.name,
        doc: &v.doc,
        deprecated: v.deprecated.is_some(),
        attributes: &v.attributes,
        ty: v.ty.as_ref(),
        location: &v.location,
        added: Rule::VariantAdded,
        required: false,
    }
}

fn value_member(v: &EnumValue) -> Member<'_> {
    Member {
        key: v.value,
        name: &v.name,
        doc: &v.doc,
        deprecated: v.deprecated.is_some(),
        attributes: &v.attributes,
        ty: None,
        location: &v.location,
        added: Rule::EnumValueAdded,
        required: false,
    }
}

/// The members of one side, in source order.
fn members<'a, T>(items: &'a [T], view: fn(&'a T) -> Member<'a>) -> Vec<Member<'a>> {
    items.iter().map(view).collect()
}

/// Compares a matched pair of types and reports every difference.
pub(super) fn compare_type(cx: &Context<'_>, o: &TypeDef, n: &TypeDef, out: &mut Vec<Finding>) {
    let here = |rule: Rule, message: String| {
        Finding::new(rule, &n.full_name, message).at(Some(&o.location), Some(&n.location))
    };
    if std::mem::discriminant(&o.kind) != std::mem::discriminant(&n.kind) {
        out.push(here(
            Rule::TypeKindChanged,
            format!(
                "type `{}` changed from {} to {}",
                n.full_name,
                kind_name(&o.kind),
                kind_name(&n.kind)
            ),
        ));
        return;
    }
    if o.doc != n.doc {
        out.push(here(
            Rule::DocChanged,
            format!("documentation of `{}` changed", n.full_name),
        ));
    }
    if o.deprecated.is_some() != n.deprecated.is_some() {
        out.push(here(
            Rule::DeprecatedChanged,
            format!(
                "`@deprecated` {} `{}`",
                added_or_removed(n.deprecated.is_some()),
                n.full_name
            ),
        ));
    }
    if extensions(&o.attributes) != extensions(&n.attributes) {
        out.push(here(
            Rule::ExtensionAttributeChanged,
            format!("extension attributes of `{}` changed", n.full_name),
        ));
    }
    match (&o.kind, &n.kind) {
        (
            TypeKind::Message {
                fields: a,
                reserved: ra,
                max_depth: da,
            },
            TypeKind::Message {
                fields: b,
                reserved: rb,
                max_depth: db,
            },
        ) => {
            let (ma, mb) = (members(a, field_member), members(b, field_member));
            keyed(cx, Kind::Field, o, n, (&ma, &mb), (ra, rb), out);
            let by_key: BTreeMap<u32, &Field> = b.iter().map(|g| (g.key, g)).collect();
            for f in a {
                if let Some(g) = by_key.get(&f.key) {
                    compare_field(cx, n, f, g, out);
                }
            }
            max_depth(o, n, *da, *db, out);
        }
        (
            TypeKind::Union {
                variants: a,
                reserved: ra,
                max_depth: da,
            },
            TypeKind::Union {
                variants: b,
                reserved: rb,
                max_depth: db,
            },
        ) => {
            let (ma, mb) = (members(a, variant_member), members(b, variant_member));
            keyed(cx, Kind::Variant, o, n, (&ma, &mb), (ra, rb), out);
            for (x, y) in matched(&ma, &mb) {
                let change = match (x.ty, y.ty) {
                    (None, None) => Change::Same,
                    (Some(a), Some(b)) => classify(cx, a, b),
                    _ => Change::Changed,
                };
                let (widened, changed) = (Rule::VariantTypeWidened, Rule::VariantTypeChanged);
                type_change(n, Kind::Variant, (x, y), change, (widened, changed), out);
            }
            max_depth(o, n, *da, *db, out);
        }
        (
            TypeKind::Enum {
                values: a,
                reserved: ra,
            },
            TypeKind::Enum {
                values: b,
                reserved: rb,
            },
        ) => {
            let (ma, mb) = (members(a, value_member), members(b, value_member));
            keyed(cx, Kind::EnumValue, o, n, (&ma, &mb), (ra, rb), out);
        }
        (TypeKind::Alias { target: a }, TypeKind::Alias { target: b }) => {
            let (base_a, own_a) = split_range(&cx.old_types, a, &o.attributes);
            let (base_b, own_b) = split_range(&cx.new_types, b, &n.attributes);
            let what = format!("target of alias `{}`", n.full_name);
            match classify(cx, &base_a, &base_b) {
                Change::Same => {}
                Change::Widened { f32_to_f64 } => {
                    let mut f = here(
                        Rule::AliasTargetWidened,
                        format!(
                            "{what} widened from {} to {}",
                            describe(&base_a),
                            describe(&base_b)
                        ),
                    );
                    f.breaks.json |= f32_to_f64;
                    out.push(f);
                }
                Change::Changed => out.push(here(
                    Rule::AliasTargetChanged,
                    format!(
                        "{what} changed from {} to {}",
                        describe(&base_a),
                        describe(&base_b)
                    ),
                )),
            }
            if let Some((rule, message)) = range_change(own_a, own_b, true) {
                out.push(here(
                    rule,
                    format!("`@range` of alias `{}` {message}", n.full_name),
                ));
            }
        }
        _ => {}
    }
}

/// The pairs of members with the same key or number, in the old order.
fn matched<'m, 'a>(
    a: &'m [Member<'a>],
    b: &'m [Member<'a>],
) -> impl Iterator<Item = (&'m Member<'a>, &'m Member<'a>)> {
    let by_key: BTreeMap<u32, &Member<'a>> = b.iter().map(|m| (m.key, m)).collect();
    a.iter()
        .filter_map(move |x| by_key.get(&x.key).map(|y| (x, *y)))
}

/// One side's keys, names and reserved entries, indexed: a type may have tens of thousands of
/// members or reserved ranges, and comparing one with the other must not take quadratic time.
struct Index<'a> {
    /// Member keys, sorted.
    keys: Vec<u32>,
    names: BTreeSet<&'a str>,
    reserved_names: BTreeSet<&'a str>,
    /// Reserved ranges, sorted and merged.
    reserved: Vec<(u64, u64)>,
}

impl<'a> Index<'a> {
    fn new(members: &[Member<'a>], reserved: &'a Reserved) -> Index<'a> {
        let mut keys: Vec<u32> = members.iter().map(|m| m.key).collect();
        keys.sort_unstable();
        let mut ranges: Vec<(u64, u64)> = reserved
            .ranges
            .iter()
            .map(|r| (u64::from(r.start), u64::from(r.end)))
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        Index {
            keys,
            names: members.iter().map(|m| m.name).collect(),
            reserved_names: reserved.names.iter().map(String::as_str).collect(),
            reserved: merged,
        }
    }

    fn has_key(&self, key: u32) -> bool {
        self.keys.binary_search(&key).is_ok()
    }

    /// Whether `key` is reserved.
    fn reserves(&self, key: u32) -> bool {
        let key = u64::from(key);
        let i = self.reserved.partition_point(|r| r.1 < key);
        self.reserved.get(i).is_some_and(|r| r.0 <= key)
    }

    /// How many member keys lie in `a..=b`.
    fn keys_in(&self, (a, b): (u64, u64)) -> u64 {
        let lo = self.keys.partition_point(|&k| u64::from(k) < a);
        let hi = self.keys.partition_point(|&k| u64::from(k) <= b);
        (hi - lo) as u64
    }

    /// The parts of `a..=b` that no reserved range covers.
    fn unreserved_in(&self, (a, b): (u64, u64)) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut from = a;
        let first = self.reserved.partition_point(|r| r.1 < a);
        for &(s, e) in self.reserved[first..].iter().take_while(|r| r.0 <= b) {
            if s > from {
                out.push((from, s - 1));
            }
            from = from.max(e + 1);
        }
        if from <= b {
            out.push((from, b));
        }
        out
    }
}

/// Additions, removals, renames, reserved entries, order, and what every kind of member has in
/// common (documentation, deprecation, attributes in effect).
fn keyed(
    cx: &Context<'_>,
    kind: Kind,
    o: &TypeDef,
    n: &TypeDef,
    (old, new): (&[Member<'_>], &[Member<'_>]),
    (ro, rn): (&Reserved, &Reserved),
    out: &mut Vec<Finding>,
) {
    let t = &n.full_name;
    let (word, key_word) = (kind.word(), kind.key_word());
    let (io, inew) = (Index::new(old, ro), Index::new(new, rn));
    for m in old {
        if inew.has_key(m.key) {
            continue;
        }
        let reserved = inew.reserves(m.key) && inew.reserved_names.contains(m.name);
        let rule = match (kind, m.required, reserved) {
            (Kind::Field, true, _) => Rule::FieldRemovedRequired,
            (Kind::Field, false, true) => Rule::FieldRemovedReserved,
            (Kind::Field, false, false) => Rule::FieldRemovedUnreserved,
            (Kind::Variant, _, true) => Rule::VariantRemovedReserved,
            (Kind::Variant, _, false) => Rule::VariantRemovedUnreserved,
            (Kind::EnumValue, _, true) => Rule::EnumValueRemovedReserved,
            (Kind::EnumValue, _, false) => Rule::EnumValueRemovedUnreserved,
        };
        let how = match (m.required, reserved) {
            (true, _) => "a required one",
            (false, true) => "its key and name reserved",
            (false, false) => "without reserving both its key and its name",
        };
        let how = how.replace("key", key_word);
        out.push(
            Finding::new(
                rule,
                t,
                format!(
                    "{word} `{}` ({key_word} {}) removed from `{t}`, {how}",
                    m.name, m.key
                ),
            )
            .key(m.key)
            .at(Some(m.location), Some(&n.location)),
        );
    }
    for m in new {
        if io.has_key(m.key) {
            continue;
        }
        let finding = if io.reserves(m.key) || io.reserved_names.contains(m.name) {
            Finding::new(
                Rule::ReservedReused,
                t,
                format!(
                    "{word} `{}` ({key_word} {}) added to `{t}` with a {key_word} or name reserved in the old version",
                    m.name, m.key
                ),
            )
        } else {
            Finding::new(
                m.added,
                t,
                format!("{word} `{}` ({key_word} {}) added to `{t}`", m.name, m.key),
            )
        };
        out.push(finding.key(m.key).at(Some(&o.location), Some(m.location)));
    }
    for (x, y) in matched(old, new) {
        let at = |f: Finding| f.key(y.key).at(Some(x.location), Some(y.location));
        if x.name != y.name {
            let rule = match kind {
                Kind::Field => Rule::FieldRenamed,
                Kind::Variant => Rule::VariantRenamed,
                Kind::EnumValue => Rule::EnumValueRenamed,
            };
            out.push(at(Finding::new(
                rule,
                t,
                format!(
                    "{word} `{}` ({key_word} {}) of `{t}` renamed to `{}`",
                    x.name, x.key, y.name
                ),
            )));
            if io.reserved_names.contains(y.name) {
                out.push(at(Finding::new(
                    Rule::ReservedReused,
                    t,
                    format!(
                        "{word} `{}` of `{t}` takes the name `{}`, reserved in the old version",
                        x.name, y.name
                    ),
                )));
            }
        }
        common(cx, kind, n, (x, y), out);
    }
    // A reserved key or number that S2 no longer reserves is removed, unless a new member took it
    // (reported above as reused).
    for r in &ro.ranges {
        let lost = inew.unreserved_in((u64::from(r.start), u64::from(r.end)));
        if lost
            .into_iter()
            .any(|(a, b)| inew.keys_in((a, b)) < b - a + 1)
        {
            let span = if r.start == r.end {
                r.start.to_string()
            } else {
                format!("{}..={}", r.start, r.end)
            };
            out.push(
                Finding::new(
                    Rule::ReservedRemoved,
                    t,
                    format!("reserved {key_word} {span} of `{t}` no longer reserved"),
                )
                .at(Some(&o.location), Some(&n.location)),
            );
        }
    }
    for name in &ro.names {
        if !inew.reserved_names.contains(name.as_str()) && !inew.names.contains(name.as_str()) {
            out.push(
                Finding::new(
                    Rule::ReservedRemoved,
                    t,
                    format!("reserved name `{name}` of `{t}` no longer reserved"),
                )
                .at(Some(&o.location), Some(&n.location)),
            );
        }
    }
    let order = |a: &[Member<'_>], b: &Index<'_>| -> Vec<u32> {
        a.iter()
            .filter(|m| b.has_key(m.key))
            .map(|m| m.key)
            .collect()
    };
    if order(old, &inew) != order(new, &io) {
        out.push(
            Finding::new(Rule::DocChanged, t, format!("{word}s of `{t}` reordered"))
                .at(Some(&o.location), Some(&n.location)),
        );
    }
}

/// What members of every kind share: documentation, deprecation, extension attributes, and the
/// standard attributes in effect.
fn common(
    cx: &Context<'_>,
    kind: Kind,
    n: &TypeDef,
    (x, y): (&Member<'_>, &Member<'_>),
    out: &mut Vec<Finding>,
) {
    let t = &n.full_name;
    let what = format!("{} `{}` of `{t}`", kind.word(), y.name);
    let mut push = |rule: Rule, message: String| {
        out.push(
            Finding::new(rule, t, message)
                .key(y.key)
                .at(Some(x.location), Some(y.location)),
        )
    };
    if x.doc != y.doc {
        push(Rule::DocChanged, format!("documentation of {what} changed"));
    }
    if x.deprecated != y.deprecated {
        push(
            Rule::DeprecatedChanged,
            format!("`@deprecated` {} {what}", added_or_removed(y.deprecated)),
        );
    }
    if extensions(x.attributes) != extensions(y.attributes) {
        push(
            Rule::ExtensionAttributeChanged,
            format!("extension attributes of {what} changed"),
        );
    }
    let flags = |attrs: &[Attribute]| -> Vec<&'static str> {
        STANDARD_FLAGS
            .iter()
            .copied()
            .filter(|f| attrs.iter().any(|a| a.name == *f))
            .collect()
    };
    let (fa, fb) = (flags(x.attributes), flags(y.attributes));
    if fa != fb {
        let added: Vec<String> = fb
            .iter()
            .filter(|f| !fa.contains(f))
            .map(|f| format!("`@{f}`"))
            .collect();
        let removed: Vec<String> = fa
            .iter()
            .filter(|f| !fb.contains(f))
            .map(|f| format!("`@{f}`"))
            .collect();
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("{} added", added.join(", ")));
        }
        if !removed.is_empty() {
            parts.push(format!("{} removed", removed.join(", ")));
        }
        push(
            Rule::StandardAttributeChanged,
            format!("{} on {what}", parts.join(", ")),
        );
    }
    let unit_a = in_effect(&cx.old_types, x.attributes, x.ty, unit);
    let unit_b = in_effect(&cx.new_types, y.attributes, y.ty, unit);
    match (&unit_a, &unit_b) {
        (None, Some(u)) => push(Rule::UnitAdded, format!("unit \"{u}\" added to {what}")),
        (Some(a), b) if Some(a) != b.as_ref() => push(
            Rule::UnitChanged,
            match b {
                Some(b) => format!("unit of {what} changed from \"{a}\" to \"{b}\""),
                None => format!("unit \"{a}\" of {what} removed"),
            },
        ),
        _ => {}
    }
    let scale_a = in_effect(&cx.old_types, x.attributes, x.ty, scale).unwrap_or(0);
    let scale_b = in_effect(&cx.new_types, y.attributes, y.ty, scale).unwrap_or(0);
    if scale_a != scale_b {
        push(
            Rule::ScaleChanged,
            format!("scale of {what} changed from 10^{scale_a} to 10^{scale_b}"),
        );
    }
}

/// A field's presence, default, type and own range.
fn compare_field(cx: &Context<'_>, n: &TypeDef, f: &Field, g: &Field, out: &mut Vec<Finding>) {
    let t = &n.full_name;
    let what = format!("field `{}` (key {}) of `{t}`", g.name, g.key);
    let mut push = |rule: Rule, message: String| {
        out.push(
            Finding::new(rule, t, message)
                .key(g.key)
                .at(Some(&f.location), Some(&g.location)),
        )
    };
    use Presence::{Default, Optional, Required};
    match (&f.presence, &g.presence) {
        (Optional, Required) => push(
            Rule::FieldOptionalToRequired,
            format!("{what} changed from optional to required"),
        ),
        (Required, Optional) => push(
            Rule::FieldRequiredToOptional,
            format!("{what} changed from required to optional"),
        ),
        (Required | Optional, Default(v)) => push(
            Rule::FieldDefaultAdded,
            format!("{what} given the default {}", value(v)),
        ),
        (Default(v), Required | Optional) => push(
            Rule::FieldDefaultRemoved,
            format!("default {} of {what} removed", value(v)),
        ),
        (Default(a), Default(b)) if !same_value(a, b) => push(
            Rule::FieldDefaultChanged,
            format!(
                "default of {what} changed from {} to {}",
                value(a),
                value(b)
            ),
        ),
        _ => {}
    }
    let (base_a, own_a) = split_range(&cx.old_types, &f.ty, &f.attributes);
    let (base_b, own_b) = split_range(&cx.new_types, &g.ty, &g.attributes);
    let (x, y) = (field_member(f), field_member(g));
    let change = classify(cx, &base_a, &base_b);
    let rules = (Rule::FieldTypeWidened, Rule::FieldTypeChanged);
    type_change(n, Kind::Field, (&x, &y), change, rules, out);
    if let Some((rule, message)) = range_change(own_a, own_b, false) {
        out.push(
            Finding::new(rule, t, format!("`@range` of {what} {message}"))
                .key(g.key)
                .at(Some(&f.location), Some(&g.location)),
        );
    }
}

/// Reports the change of a member's type under the rules of its kind.
fn type_change(
    n: &TypeDef,
    kind: Kind,
    (x, y): (&Member<'_>, &Member<'_>),
    change: Change,
    (widened, changed): (Rule, Rule),
    out: &mut Vec<Finding>,
) {
    let t = &n.full_name;
    let what = format!(
        "{} `{}` ({} {}) of `{t}`",
        kind.word(),
        y.name,
        kind.key_word(),
        y.key
    );
    let (a, b) = (
        x.ty.map_or("nothing (a unit variant)".into(), describe),
        y.ty.map_or("nothing (a unit variant)".into(), describe),
    );
    let finding = match change {
        Change::Same => return,
        Change::Widened { f32_to_f64 } => {
            let mut f = Finding::new(
                widened,
                t,
                format!("type of {what} widened from {a} to {b}"),
            );
            f.breaks.json |= f32_to_f64;
            f
        }
        Change::Changed => Finding::new(
            changed,
            t,
            format!("type of {what} changed from {a} to {b}"),
        ),
    };
    out.push(finding.key(y.key).at(Some(x.location), Some(y.location)));
}

/// A type without the range that its own `@range` (in `attributes`) put on it, and that range.
fn split_range(
    types: &BTreeMap<&str, &TypeDef>,
    ty: &Type,
    attributes: &[Attribute],
) -> (Type, Option<(i128, i128)>) {
    if !attributes.iter().any(|a| a.name == "range") {
        return (ty.clone(), None);
    }
    let own = match ty.resolved() {
        Type::Int { int, range } => Some(range.map_or(int.bounds(), |r| (r.min, r.max))),
        _ => None,
    };
    let base = match ty {
        Type::Int { int, .. } => Type::Int {
            int: *int,
            range: None,
        },
        Type::Alias { name, target } => {
            // The alias as every other use sees it: with its own range, not the field's.
            let target = match types.get(name.as_str()).map(|d| &d.kind) {
                Some(TypeKind::Alias { target }) => target.resolved().clone(),
                _ => (**target).clone(),
            };
            Type::Alias {
                name: name.clone(),
                target: Box::new(target),
            }
        }
        other => other.clone(),
    };
    (base, own)
}

/// The rule and message for a change of an own `@range` (`None` meaning none is written).
fn range_change(
    old: Option<(i128, i128)>,
    new: Option<(i128, i128)>,
    alias: bool,
) -> Option<(Rule, String)> {
    if old == new {
        return None;
    }
    let show =
        |r: Option<(i128, i128)>| r.map_or("none".to_string(), |(a, b)| format!("{a}..={b}"));
    let widened = match (old, new) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some((a, b)), Some((c, d))) => c <= a && b <= d,
    };
    let rule = match (widened, alias) {
        (true, false) => Rule::FieldRangeWidened,
        (false, false) => Rule::FieldRangeNarrowed,
        (true, true) => Rule::AliasRangeWidened,
        (false, true) => Rule::AliasRangeNarrowed,
    };
    let how = if widened { "widened" } else { "narrowed" };
    Some((rule, format!("{how} from {} to {}", show(old), show(new))))
}

/// `@max_depth`: raising or removing it is compatible, lowering or adding it is not.
fn max_depth(o: &TypeDef, n: &TypeDef, a: Option<u32>, b: Option<u32>, out: &mut Vec<Finding>) {
    let rule = match (a, b) {
        (Some(_), None) => Rule::MaxDepthIncreased,
        (Some(x), Some(y)) if y > x => Rule::MaxDepthIncreased,
        (None, Some(_)) => Rule::MaxDepthDecreased,
        (Some(x), Some(y)) if y < x => Rule::MaxDepthDecreased,
        _ => return,
    };
    let show = |d: Option<u32>| d.map_or("none".to_string(), |d| d.to_string());
    out.push(
        Finding::new(
            rule,
            &n.full_name,
            format!(
                "`@max_depth` of `{}` changed from {} to {}",
                n.full_name,
                show(a),
                show(b)
            ),
        )
        .at(Some(&o.location), Some(&n.location)),
    );
}

/// The package-level differences: documentation, extension attributes, the order of declarations.
pub(super) fn compare_packages(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for n in &cx.new.packages {
        let Some(o) = cx.old.packages.iter().find(|p| p.name == n.name) else {
            continue;
        };
        let mut push = |rule: Rule, message: String| {
            let mut f =
                Finding::new(rule, &n.name, message).at(Some(&o.location), Some(&n.location));
            f.package.clone_from(&n.name);
            out.push(f);
        };
        if o.doc != n.doc {
            push(
                Rule::DocChanged,
                format!("documentation of package `{}` changed", n.name),
            );
        }
        if extensions(&o.attributes) != extensions(&n.attributes) {
            push(
                Rule::ExtensionAttributeChanged,
                format!("extension attributes of package `{}` changed", n.name),
            );
        }
        // The types both versions of the package define (a renamed one under its new name), in
        // each version's order.
        let new_names: BTreeSet<&str> = n.types.iter().map(|t| t.full_name.as_str()).collect();
        let ordered_old: Vec<&str> = o
            .types
            .iter()
            .map(|t| {
                cx.renamed
                    .get(&t.full_name)
                    .unwrap_or(&t.full_name)
                    .as_str()
            })
            .filter(|name| new_names.contains(name))
            .collect();
        let kept: BTreeSet<&str> = ordered_old.iter().copied().collect();
        let ordered_new: Vec<&str> = n
            .types
            .iter()
            .map(|t| t.full_name.as_str())
            .filter(|name| kept.contains(name))
            .collect();
        if ordered_old != ordered_new {
            push(
                Rule::DocChanged,
                format!("declarations of package `{}` reordered", n.name),
            );
        }
    }
}

/// The extension attributes among `attributes`: dotted, with a prefix other than `iotp2p`.
fn extensions(attributes: &[Attribute]) -> Vec<&Attribute> {
    attributes
        .iter()
        .filter(|a| {
            a.name
                .split_once('.')
                .is_some_and(|(prefix, _)| prefix != "iotp2p")
        })
        .collect()
}

/// The value of an attribute in effect for a member: its own, else that of the aliases its type goes
/// through, nearest first.
fn in_effect<T>(
    types: &BTreeMap<&str, &TypeDef>,
    own: &[Attribute],
    ty: Option<&Type>,
    read: fn(&[Attribute]) -> Option<T>,
) -> Option<T> {
    if let Some(v) = read(own) {
        return Some(v);
    }
    let mut next = ty;
    for _ in 0..MAX_ALIAS_CHAIN {
        let Some(Type::Alias { name, .. }) = next else {
            return None;
        };
        let def = types.get(name.as_str())?;
        if let Some(v) = read(&def.attributes) {
            return Some(v);
        }
        next = match &def.kind {
            TypeKind::Alias { target } => Some(target),
            _ => None,
        };
    }
    None
}

fn unit(attributes: &[Attribute]) -> Option<String> {
    attributes
        .iter()
        .find(|a| a.name == "iotp2p.unit")
        .and_then(|a| match a.args.first() {
            Some(AttributeArg::String(s)) => Some(s.clone()),
            _ => None,
        })
}

fn scale(attributes: &[Attribute]) -> Option<i128> {
    attributes
        .iter()
        .find(|a| a.name == "iotp2p.scale")
        .and_then(|a| match a.args.first() {
            Some(AttributeArg::Int(i)) => Some(*i),
            _ => None,
        })
}

/// Whether two defaults are the same value: enum values by number, floats bit for bit.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Enum { value: x, .. }, Value::Enum { value: y, .. }) => x == y,
        (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// A default value as the schema writes it.
fn value(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::String(s) => format!("{s:?}"),
        Value::Enum { name, .. } => name.clone(),
    }
}

/// A type as the schema writes it.
pub(super) fn describe(ty: &Type) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Int { int, range: None } => int.keyword().into(),
        Type::Int {
            int,
            range: Some(IntRange { min, max }),
        } => format!("{} @range({min}..={max})", int.keyword()),
        Type::Float { float } => match float {
            crate::ir::FloatType::F32 => "f32".into(),
            crate::ir::FloatType::F64 => "f64".into(),
        },
        Type::String { max_len } => format!("string<{max_len}>"),
        Type::Bytes { max_len } => format!("bytes<{max_len}>"),
        Type::FixedBytes { len } => format!("bytes[{len}]"),
        Type::Array { element, max_items } => format!("array<{}, {max_items}>", describe(element)),
        Type::Message { name }
        | Type::Enum { name }
        | Type::Union { name }
        | Type::Alias { name, .. } => {
            format!("`{name}`")
        }
    }
}

/// "a message", "an enum"...
pub(super) fn kind_name(kind: &TypeKind) -> &'static str {
    match kind {
        TypeKind::Message { .. } => "a message",
        TypeKind::Enum { .. } => "an enum",
        TypeKind::Union { .. } => "a union",
        TypeKind::Alias { .. } => "an alias",
    }
}

fn added_or_removed(now: bool) -> &'static str {
    if now {
        "added to"
    } else {
        "removed from"
    }
}
