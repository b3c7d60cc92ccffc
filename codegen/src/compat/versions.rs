//! Version numbers against the changes found (spec §10.1 and §10.3.2): the increase a package's
//! version needed ([IOTP-VER-9]), and the frozen keys of the envelope ([IOTP-VER-13]). Whether a
//! WIRE-breaking change is an error depends on the major versions too ([IOTP-VER-8]); the report
//! decides that, from [`same_major`].

use std::collections::BTreeSet;

use super::{Finding, Rule};
use crate::ir::{Location, Schema, Type, TypeKind, Version};

/// The package whose `Envelope` keeps its first keys across major versions.
const CORE: &str = "iotp2p.core";
/// The envelope, by full name.
const ENVELOPE: &str = "iotp2p.core.Envelope";
/// The last frozen key of `Envelope` ([IOTP-MSG-12]).
const LAST_FROZEN_KEY: u32 = 10;

/// The version increase that a set of changes asks for (spec §10.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// Nothing changed.
    None,
    /// Only documentation, comments, formatting, order, or extension attributes.
    Patch,
    /// A change under any other rule, breaking no wire.
    Minor,
    /// A WIRE-breaking change.
    Major,
}

impl Bump {
    /// `NONE`, `PATCH`, `MINOR` or `MAJOR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "NONE",
            Bump::Patch => "PATCH",
            Bump::Minor => "MINOR",
            Bump::Major => "MAJOR",
        }
    }

    /// The version that follows `v` under this increase.
    pub fn apply(self, v: Version) -> Version {
        match self {
            Bump::None => v,
            Bump::Patch => Version {
                patch: v.patch + 1,
                ..v
            },
            Bump::Minor => Version {
                minor: v.minor + 1,
                patch: 0,
                ..v
            },
            Bump::Major => Version {
                major: v.major + 1,
                minor: 0,
                patch: 0,
            },
        }
    }
}

/// The increase that `findings` ask for, for the package named `package`.
pub fn required_bump(findings: &[Finding], package: &str) -> Bump {
    findings
        .iter()
        .filter(|f| f.concerns(package))
        .map(|f| {
            if f.breaks.wire {
                Bump::Major
            } else if f.rule.needs_minor() {
                Bump::Minor
            } else {
                Bump::Patch
            }
        })
        .max()
        .unwrap_or(Bump::None)
}

/// A package whose new version does not follow §10.1 for the changes found ([IOTP-VER-9]).
#[derive(Clone, Debug, PartialEq)]
pub struct VersionProblem {
    /// The package.
    pub package: String,
    /// Its version in S1.
    pub old: Version,
    /// Its version in S2.
    pub new: Version,
    /// The increase the changes ask for.
    pub required: Bump,
    /// The version that increase gives.
    pub expected: Version,
    /// The package declaration in S1.
    pub old_location: Location,
    /// The package declaration in S2.
    pub new_location: Location,
    /// The first change that asks for the increase, by rule name, when there is one.
    pub reason: Option<Rule>,
}

impl VersionProblem {
    /// The requirement broken.
    pub fn requirement(&self) -> &'static str {
        "IOTP-VER-9"
    }
}

/// Checks the version of every package that both schemas version against the changes found.
/// A package may keep its version when nothing changed, or take a PATCH increase.
pub fn check_versions(old: &Schema, new: &Schema, findings: &[Finding]) -> Vec<VersionProblem> {
    let mut out = Vec::new();
    for n in &new.packages {
        let Some(o) = old.packages.iter().find(|p| p.name == n.name) else {
            continue;
        };
        let (Some(vo), Some(vn)) = (o.version, n.version) else {
            continue;
        };
        let required = required_bump(findings, &n.name);
        let expected = required.apply(vo);
        let fine = vn == expected || (required == Bump::None && vn == Bump::Patch.apply(vo));
        if fine {
            continue;
        }
        let reason = findings
            .iter()
            .filter(|f| f.concerns(&n.name))
            .find(|f| match required {
                Bump::Major => f.breaks.wire,
                Bump::Minor => f.rule.needs_minor(),
                _ => true,
            })
            .map(|f| f.rule);
        out.push(VersionProblem {
            package: n.name.clone(),
            old: vo,
            new: vn,
            required,
            expected,
            old_location: o.location.clone(),
            new_location: n.location.clone(),
            reason,
        });
    }
    out
}

/// Whether the package of a finding keeps its major version (or is not versioned on either side, in
/// which case nothing allows a WIRE-breaking change): [IOTP-VER-8] makes a WIRE-breaking change an
/// error then.
pub fn same_major(old: &Schema, new: &Schema, package: &str) -> bool {
    let version = |s: &Schema| {
        s.packages
            .iter()
            .find(|p| p.name == package)
            .and_then(|p| p.version)
    };
    match (version(old), version(new)) {
        (Some(a), Some(b)) => a.major == b.major,
        _ => true,
    }
}

/// Marks the findings about a frozen key of `iotp2p.core.Envelope` (0 to 10), or about a type such a
/// key uses, directly or not, in either version ([IOTP-VER-13]). Documentation is free to change.
pub(super) fn mark_frozen(old: &Schema, new: &Schema, findings: &mut [Finding]) {
    let mut frozen: BTreeSet<String> = BTreeSet::new();
    for schema in [old, new] {
        frozen.extend(frozen_types(schema));
    }
    for f in findings.iter_mut() {
        if f.rule == Rule::DocChanged || f.package != CORE && !frozen.contains(&f.type_name) {
            continue;
        }
        let envelope_key = f.type_name == ENVELOPE && f.key.is_some_and(|k| k <= LAST_FROZEN_KEY);
        if envelope_key || frozen.contains(&f.type_name) {
            f.frozen = true;
        }
    }
}

/// The types that the frozen keys of the envelope use, transitively.
fn frozen_types(schema: &Schema) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let Some(envelope) = schema.find_type(ENVELOPE) else {
        return seen;
    };
    let mut todo: Vec<&Type> = match &envelope.kind {
        TypeKind::Message { fields, .. } => fields
            .iter()
            .filter(|f| f.key <= LAST_FROZEN_KEY)
            .map(|f| &f.ty)
            .collect(),
        _ => Vec::new(),
    };
    // Iterative, and each type is expanded once: recursive types end the walk.
    while let Some(ty) = todo.pop() {
        let name = match ty {
            Type::Array { element, .. } => {
                todo.push(element);
                continue;
            }
            Type::Message { name } | Type::Enum { name } | Type::Union { name } => name,
            Type::Alias { name, target } => {
                todo.push(target);
                name
            }
            _ => continue,
        };
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(def) = schema.find_type(name) else {
            continue;
        };
        match &def.kind {
            TypeKind::Message { fields, .. } => todo.extend(fields.iter().map(|f| &f.ty)),
            TypeKind::Union { variants, .. } => {
                todo.extend(variants.iter().filter_map(|v| v.ty.as_ref()))
            }
            TypeKind::Alias { target } => todo.push(target),
            TypeKind::Enum { .. } => {}
        }
    }
    seen
}
