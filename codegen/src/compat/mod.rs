//! The breaking-change checker of spec §10.3: compares two versions of a schema set and classifies
//! every difference by the rules of the spec's table, as `iotp2p breaking` and vendors' CI use it.
//!
//! It compares two [`ir::Schema`](crate::ir::Schema) values, so it sees schemas exactly as every backend does (names
//! resolved, bounds and ranges effective) and never the syntax: formatting and comments cannot matter
//! by construction. One module per concern:
//! - [`rules`]: the table, with every rule's name, categories and requirement;
//! - `matching`: which type of S1 is which type of S2 (by name [IOTP-VER-3], moved [IOTP-VER-11],
//!   renamed, capabilities);
//! - `members`: one matched type against the other: fields and variants by key, enum values by
//!   number, reserved entries, attributes in effect;
//! - `widening`: the widenings of §10.3.1, after alias resolution;
//! - [`versions`]: the version numbers against the changes found ([IOTP-VER-8], [IOTP-VER-9]) and
//!   the frozen envelope keys ([IOTP-VER-13]);
//! - [`report`]: findings as diagnostics (rustc-style, both locations) and JSON, with the categories a
//!   user enforces ([IOTP-VER-10]).
//!
//! ```
//! use iotp2p_codegen::{compat, compile_str};
//! let old = compile_str("a.iotp", "package a; message M { 0 x: u8; }", &[]).schema.unwrap();
//! let new = compile_str("a.iotp", "package a; message M { 0 x: u8; 1 y: u8; }", &[]).schema.unwrap();
//! let findings = compat::compare(&old, &new);
//! assert_eq!(findings[0].rule, compat::Rule::FieldAddedRequired);
//! assert!(findings[0].breaks.wire);
//! ```

mod matching;
mod members;
pub mod report;
pub mod rules;
pub mod versions;
mod widening;

use std::collections::BTreeMap;

pub use rules::{Categories, Category, Rule};
pub use versions::{check_versions, VersionProblem};

use crate::ir::{Location, Schema, TypeDef};

/// One classified difference between S1 (old) and S2 (new).
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// The rule of §10.3 the difference falls under.
    pub rule: Rule,
    /// The categories it breaks: the rule's, plus JSON for a widening that turns an `f32` into an
    /// `f64` (the table's exception).
    pub breaks: Categories,
    /// The package the element belongs to (in S2, or in S1 when S2 no longer has it).
    pub package: String,
    /// The type concerned (its full name in S2, or in S1 when S2 no longer has it).
    pub type_name: String,
    /// For `TYPE_MOVED`: the package the type moved to, which changed too (it gained the type).
    pub moved_to: Option<String>,
    /// The member concerned, by key or number, when the difference is about one.
    pub key: Option<u32>,
    /// What changed, in the schema language's terms.
    pub message: String,
    /// Where the element is in S1 (for an addition: the type or package it was added to).
    pub old: Option<Location>,
    /// Where the element is in S2 (for a removal: the type or package it was removed from).
    pub new: Option<Location>,
    /// Set for a change to a frozen key of `iotp2p.core.Envelope` or to a type those keys use, which
    /// is an error whatever the versions and categories ([IOTP-VER-13]).
    pub frozen: bool,
}

impl Finding {
    /// The most severe category the difference breaks, `None` when it is compatible in all three.
    pub fn category(&self) -> Option<Category> {
        self.breaks.most_severe()
    }

    /// A finding of `rule` about `type_name`, without places yet.
    pub(crate) fn new(rule: Rule, type_name: &str, message: String) -> Finding {
        Finding {
            rule,
            breaks: rule.breaks(),
            package: package_of(type_name).to_string(),
            type_name: type_name.to_string(),
            moved_to: None,
            key: None,
            message,
            old: None,
            new: None,
            frozen: false,
        }
    }

    /// Sets the places in S1 and S2.
    pub(crate) fn at(mut self, old: Option<&Location>, new: Option<&Location>) -> Finding {
        self.old = old.cloned();
        self.new = new.cloned();
        self
    }

    /// Sets the member's key or number.
    pub(crate) fn key(mut self, key: u32) -> Finding {
        self.key = Some(key);
        self
    }

    /// Whether the difference changes the package named `package` (for the version check).
    pub fn concerns(&self, package: &str) -> bool {
        self.package == package || self.moved_to.as_deref() == Some(package)
    }

    /// The requirement under which the difference is reported.
    pub fn requirement(&self) -> &'static str {
        if self.frozen {
            "IOTP-VER-13"
        } else {
            self.rule.requirement()
        }
    }
}

/// Compares S2 (`new`) against S1 (`old`) and returns every difference, classified ([IOTP-VER-4]),
/// sorted by place in S2 (then S1) so that output is stable.
pub fn compare(old: &Schema, new: &Schema) -> Vec<Finding> {
    let mut cx = Context::new(old, new);
    let mut out = Vec::new();
    let pairs = matching::match_types(&mut cx, &mut out);
    for (o, n) in pairs {
        members::compare_type(&cx, o, n, &mut out);
    }
    members::compare_packages(&cx, &mut out);
    versions::mark_frozen(old, new, &mut out);
    out.sort_by(|a, b| {
        let place = |f: &Finding| {
            f.new
                .as_ref()
                .or(f.old.as_ref())
                .map(|l| (l.file.clone(), l.line, l.column))
        };
        (place(a), a.rule, &a.message).cmp(&(place(b), b.rule, &b.message))
    });
    out
}

/// Both schemas, indexed, and what matching learnt: the types of S1 that S2 has under another name.
pub(crate) struct Context<'a> {
    pub old: &'a Schema,
    pub new: &'a Schema,
    pub old_types: BTreeMap<&'a str, &'a TypeDef>,
    pub new_types: BTreeMap<&'a str, &'a TypeDef>,
    /// Full name in S1 → full name in S2, for moved and renamed types.
    pub renamed: BTreeMap<String, String>,
}

impl<'a> Context<'a> {
    fn new(old: &'a Schema, new: &'a Schema) -> Context<'a> {
        let index = |s: &'a Schema| {
            s.packages
                .iter()
                .flat_map(|p| &p.types)
                .map(|t| (t.full_name.as_str(), t))
                .collect()
        };
        Context {
            old,
            new,
            old_types: index(old),
            new_types: index(new),
            renamed: BTreeMap::new(),
        }
    }

    /// Whether the type S1 calls `old` is the type S2 calls `new`.
    pub fn same_type(&self, old: &str, new: &str) -> bool {
        self.renamed.get(old).map_or(old == new, |n| n == new)
    }
}

/// The package part of a full type name.
pub(crate) fn package_of(full_name: &str) -> &str {
    full_name.rsplit_once('.').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile_str;

    fn findings(old: &str, new: &str) -> Vec<Finding> {
        let compiled = |text: &str| {
            compile_str("a.iotp", &format!("package a;\n{text}"), &[])
                .schema
                .expect("compiles")
        };
        compare(&compiled(old), &compiled(new))
    }

    fn rules(old: &str, new: &str) -> Vec<Rule> {
        findings(old, new).iter().map(|f| f.rule).collect()
    }

    #[test]
    fn f32_to_f64_is_a_widening_that_breaks_json() {
        let f = findings("message M { 0 x: f32; }", "message M { 0 x: f64; }");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, Rule::FieldTypeWidened);
        assert_eq!(f[0].breaks, Categories::new(false, true, true));
        assert_eq!(f[0].category(), Some(Category::Json));
    }

    #[test]
    fn widenings_apply_after_alias_resolution() {
        let percent = "@range(0..=100) type Percent = u8;";
        // An alias with a range to its target type: every old value is still valid.
        assert_eq!(
            rules(
                &format!("{percent} message M {{ 0 x: Percent; }}"),
                &format!("{percent} message M {{ 0 x: u8; }}")
            ),
            [Rule::FieldTypeWidened]
        );
        // The other way round narrows.
        assert_eq!(
            rules(
                &format!("{percent} message M {{ 0 x: u8; }}"),
                &format!("{percent} message M {{ 0 x: Percent; }}")
            ),
            [Rule::FieldTypeChanged]
        );
        // An alias of the same type is the same type.
        assert!(rules(
            "type Level = u8; message M { 0 x: u8; }",
            "type Level = u8; message M { 0 x: Level; }"
        )
        .is_empty());
        // `u8` to `i8` loses 128..=255; bytes[N] to bytes<M> with M >= N widens; arrays follow.
        assert_eq!(
            rules("message M { 0 x: u8; }", "message M { 0 x: i8; }"),
            [Rule::FieldTypeChanged]
        );
        assert_eq!(
            rules(
                "message M { 0 x: bytes[4]; }",
                "message M { 0 x: bytes<4>; }"
            ),
            [Rule::FieldTypeWidened]
        );
        assert_eq!(
            rules(
                "message M { 0 x: array<u8, 4>; }",
                "message M { 0 x: array<u16, 4>; }"
            ),
            [Rule::FieldTypeWidened]
        );
        assert_eq!(
            rules(
                "message M { 0 x: array<u8, 4>; }",
                "message M { 0 x: array<u8, 3>; }"
            ),
            [Rule::FieldTypeChanged]
        );
    }

    #[test]
    fn a_range_change_is_reported_once_and_apart_from_the_type() {
        // The field's own range, with a type change too: two rules, each once.
        assert_eq!(
            rules(
                "message M { @range(0..=9) 0 x: u8; }",
                "message M { 0 x: u16; }"
            ),
            [Rule::FieldTypeWidened, Rule::FieldRangeWidened]
        );
        // An alias's range: reported for the alias, not for the fields that use it.
        assert_eq!(
            rules(
                "@range(0..=9) type D = u8; message M { 0 x: D; 1 y: D; }",
                "@range(0..=5) type D = u8; message M { 0 x: D; 1 y: D; }"
            ),
            [Rule::AliasRangeNarrowed]
        );
    }

    #[test]
    fn a_key_change_is_a_removal_and_an_addition() {
        assert_eq!(
            rules(
                "message M { 0 x: optional u8; }",
                "message M { 1 x: optional u8; }"
            ),
            [Rule::FieldRemovedUnreserved, Rule::FieldAddedOptional]
        );
    }

    #[test]
    fn a_type_used_elsewhere_is_not_a_rename() {
        // Two candidates of the same definition: neither is taken for a rename.
        assert_eq!(
            rules(
                "message A { 0 x: u8; }",
                "message B { 0 x: u8; } message C { 0 x: u8; }"
            ),
            [Rule::TypeRemoved, Rule::TypeAdded, Rule::TypeAdded]
        );
        // A use that moved to another type: the removal stands, the field's type changed.
        let f = rules(
            "message A { 0 x: u8; } message M { 0 a: A; }",
            "message B { 0 x: u8; } message C { 0 y: bool; } message M { 0 a: C; }",
        );
        assert!(
            f.contains(&Rule::TypeRemoved) && f.contains(&Rule::FieldTypeChanged),
            "{f:?}"
        );
    }
}
