//! The rule table of spec §10.3: every rule's name, the categories it breaks and the requirement that
//! makes a tool report it.
//!
//! The names are part of the standard ([IOTP-VER-6]: "tools MUST use these names"), so they are spelled
//! here exactly as in the spec's table, and a test reads that table back from
//! `spec/10-versioning-and-transport.md` and compares it with [`Rule::ALL`]: a rule added to the spec
//! without the checker knowing it, or a category that drifted, fails the build.

use serde::Serialize;

/// A compatibility category of spec §10.2, in order of severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Category {
    /// Encodings are read alike, kept as unknown, or rejected detectably.
    Wire,
    /// Canonical JSON documents are read as the same value.
    Json,
    /// Code written against the generated code keeps its meaning.
    Source,
}

impl Category {
    /// The three categories, most severe first.
    pub const ALL: [Category; 3] = [Category::Wire, Category::Json, Category::Source];

    /// The name the spec uses: `WIRE`, `JSON`, `SOURCE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Wire => "WIRE",
            Category::Json => "JSON",
            Category::Source => "SOURCE",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of categories: those a change breaks, or those a user enforces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Categories {
    /// Breaks (or enforces) WIRE.
    pub wire: bool,
    /// Breaks (or enforces) JSON.
    pub json: bool,
    /// Breaks (or enforces) SOURCE.
    pub source: bool,
}

impl Categories {
    /// No category.
    pub const NONE: Categories = Categories::new(false, false, false);
    /// Every category.
    pub const ALL: Categories = Categories::new(true, true, true);

    /// The set with these members.
    pub const fn new(wire: bool, json: bool, source: bool) -> Categories {
        Categories { wire, json, source }
    }

    /// Whether `c` is in the set.
    pub fn contains(self, c: Category) -> bool {
        match c {
            Category::Wire => self.wire,
            Category::Json => self.json,
            Category::Source => self.source,
        }
    }

    /// The set with `c` added.
    pub fn with(mut self, c: Category) -> Categories {
        match c {
            Category::Wire => self.wire = true,
            Category::Json => self.json = true,
            Category::Source => self.source = true,
        }
        self
    }

    /// The categories in both sets.
    pub fn intersection(self, other: Categories) -> Categories {
        Categories::new(
            self.wire && other.wire,
            self.json && other.json,
            self.source && other.source,
        )
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self == Categories::NONE
    }

    /// The members, most severe first.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |&c| self.contains(c))
    }

    /// The most severe member: the category a checker reports a change under (spec §10.3.2).
    pub fn most_severe(self) -> Option<Category> {
        self.iter().next()
    }
}

impl std::fmt::Display for Categories {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.iter().map(Category::as_str).collect();
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(", "))
        }
    }
}

macro_rules! rules {
    ($( $variant:ident = $name:literal, $w:literal $j:literal $s:literal, $req:literal, $summary:literal; )*) => {
        /// A rule of the table of spec §10.3.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule {
            $( #[doc = $summary] $variant, )*
        }

        impl Rule {
            /// Every rule, in the order of the spec's table.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The rule's name as the spec spells it, e.g. `FIELD_ADDED_REQUIRED`.
            pub fn name(self) -> &'static str {
                match self { $( Rule::$variant => $name, )* }
            }

            /// The categories the rule breaks, per the spec's table (a widening from `f32` to `f64`
            /// also breaks JSON: [`Finding::breaks`](super::Finding::breaks) carries that exception).
            pub fn breaks(self) -> Categories {
                match self { $( Rule::$variant => Categories::new($w == 'b', $j == 'b', $s == 'b'), )* }
            }

            /// The requirement that obliges a tool to report the change this way.
            pub fn requirement(self) -> &'static str {
                match self { $( Rule::$variant => $req, )* }
            }

            /// The change, as the table's second column says it.
            pub fn summary(self) -> &'static str {
                match self { $( Rule::$variant => $summary, )* }
            }
        }
    };
}

// Columns: name, then WIRE JSON SOURCE ('b' breaking, 'c' compatible), the requirement, the change.
// Most rules are reported because [IOTP-VER-4] asks for every difference to be classified; type
// changes, widenings, moves and ranges have requirements of their own.
rules! {
    FieldAddedOptional = "FIELD_ADDED_OPTIONAL", 'c' 'c' 'c', "IOTP-VER-4", "add an `optional` field with a key not used or reserved in S1";
    FieldAddedDefaulted = "FIELD_ADDED_DEFAULTED", 'c' 'c' 'c', "IOTP-VER-4", "add a field with a default, with a key not used or reserved in S1";
    FieldAddedRequired = "FIELD_ADDED_REQUIRED", 'b' 'b' 'b', "IOTP-VER-4", "add a required field";
    FieldRemovedReserved = "FIELD_REMOVED_RESERVED", 'c' 'b' 'b', "IOTP-VER-4", "remove an optional or defaulted field, reserving its key and name";
    FieldRemovedUnreserved = "FIELD_REMOVED_UNRESERVED", 'b' 'b' 'b', "IOTP-VER-4", "remove a field without reserving its key or its name";
    FieldRemovedRequired = "FIELD_REMOVED_REQUIRED", 'b' 'b' 'b', "IOTP-VER-4", "remove a required field (reserved or not)";
    FieldRenamed = "FIELD_RENAMED", 'c' 'b' 'b', "IOTP-VER-4", "change a field's name, same key";
    FieldTypeWidened = "FIELD_TYPE_WIDENED", 'c' 'c' 'b', "IOTP-VER-7", "change a field's type by a widening (§10.3.1)";
    FieldTypeChanged = "FIELD_TYPE_CHANGED", 'b' 'b' 'b', "IOTP-VER-5", "change a field's type otherwise";
    FieldOptionalToRequired = "FIELD_OPTIONAL_TO_REQUIRED", 'b' 'b' 'b', "IOTP-VER-4", "make an optional field required";
    FieldRequiredToOptional = "FIELD_REQUIRED_TO_OPTIONAL", 'b' 'b' 'b', "IOTP-VER-4", "make a required field optional";
    FieldDefaultAdded = "FIELD_DEFAULT_ADDED", 'b' 'b' 'b', "IOTP-VER-4", "give a default to a required or optional field";
    FieldDefaultRemoved = "FIELD_DEFAULT_REMOVED", 'b' 'b' 'b', "IOTP-VER-4", "make a defaulted field required or optional";
    FieldDefaultChanged = "FIELD_DEFAULT_CHANGED", 'b' 'b' 'c', "IOTP-VER-4", "change a field's default value";
    FieldRangeWidened = "FIELD_RANGE_WIDENED", 'c' 'c' 'c', "IOTP-VER-12", "widen or remove a field's own `@range`";
    FieldRangeNarrowed = "FIELD_RANGE_NARROWED", 'b' 'b' 'c', "IOTP-VER-12", "narrow or add a field's own `@range`";
    EnumValueAdded = "ENUM_VALUE_ADDED", 'c' 'c' 'c', "IOTP-VER-4", "add an enum value with a number not used or reserved in S1";
    EnumValueRemovedReserved = "ENUM_VALUE_REMOVED_RESERVED", 'c' 'b' 'b', "IOTP-VER-4", "remove an enum value, reserving its number and name";
    EnumValueRemovedUnreserved = "ENUM_VALUE_REMOVED_UNRESERVED", 'b' 'b' 'b', "IOTP-VER-4", "remove an enum value without reserving its number or its name";
    EnumValueRenamed = "ENUM_VALUE_RENAMED", 'c' 'b' 'b', "IOTP-VER-4", "change an enum value's name, same number";
    VariantAdded = "VARIANT_ADDED", 'c' 'c' 'c', "IOTP-VER-4", "add a union variant with a key not used or reserved in S1";
    VariantRemovedReserved = "VARIANT_REMOVED_RESERVED", 'c' 'b' 'b', "IOTP-VER-4", "remove a union variant, reserving its key and name";
    VariantRemovedUnreserved = "VARIANT_REMOVED_UNRESERVED", 'b' 'b' 'b', "IOTP-VER-4", "remove a union variant without reserving its key or its name";
    VariantRenamed = "VARIANT_RENAMED", 'c' 'b' 'b', "IOTP-VER-4", "change a variant's name, same key";
    VariantTypeWidened = "VARIANT_TYPE_WIDENED", 'c' 'c' 'b', "IOTP-VER-7", "change a variant's type by a widening (§10.3.1)";
    VariantTypeChanged = "VARIANT_TYPE_CHANGED", 'b' 'b' 'b', "IOTP-VER-5", "change a variant's type otherwise, or between unit and typed";
    ReservedRemoved = "RESERVED_REMOVED", 'b' 'b' 'c', "IOTP-VER-4", "remove a reserved key, number or name";
    ReservedReused = "RESERVED_REUSED", 'b' 'b' 'b', "IOTP-VER-4", "give a reserved key, number or name to a new element";
    TypeAdded = "TYPE_ADDED", 'c' 'c' 'c', "IOTP-VER-4", "add a type";
    TypeRemoved = "TYPE_REMOVED", 'c' 'c' 'b', "IOTP-VER-4", "remove a type";
    TypeRenamed = "TYPE_RENAMED", 'c' 'c' 'b', "IOTP-VER-4", "rename a type";
    TypeMoved = "TYPE_MOVED", 'c' 'c' 'b', "IOTP-VER-11", "move a type to another package that S2 imports, with the same name and definition, and refer to it there";
    CapabilityRemoved = "CAPABILITY_REMOVED", 'b' 'b' 'b', "IOTP-VER-4", "remove, rename or move to another package a capability";
    TypeKindChanged = "TYPE_KIND_CHANGED", 'b' 'b' 'b', "IOTP-VER-4", "change a type from message, enum, union or alias to another kind";
    AliasTargetWidened = "ALIAS_TARGET_WIDENED", 'c' 'c' 'b', "IOTP-VER-7", "change an alias's target type by a widening (§10.3.1)";
    AliasTargetChanged = "ALIAS_TARGET_CHANGED", 'b' 'b' 'b', "IOTP-VER-5", "change an alias's target type otherwise";
    AliasRangeWidened = "ALIAS_RANGE_WIDENED", 'c' 'c' 'c', "IOTP-VER-12", "widen or remove an alias's own `@range`";
    AliasRangeNarrowed = "ALIAS_RANGE_NARROWED", 'b' 'b' 'c', "IOTP-VER-12", "narrow or add an alias's own `@range`";
    MaxDepthIncreased = "MAX_DEPTH_INCREASED", 'c' 'c' 'c', "IOTP-VER-4", "raise or remove a `@max_depth`";
    MaxDepthDecreased = "MAX_DEPTH_DECREASED", 'b' 'b' 'c', "IOTP-VER-4", "lower or add a `@max_depth`";
    DeprecatedChanged = "DEPRECATED_CHANGED", 'c' 'c' 'c', "IOTP-VER-4", "add or remove `@deprecated`";
    StandardAttributeChanged = "STANDARD_ATTRIBUTE_CHANGED", 'c' 'c' 'c', "IOTP-VER-4", "add or remove `@iotp2p.writable`, `@iotp2p.unobservable`, `@iotp2p.optional` or `@iotp2p.fresh`";
    UnitAdded = "UNIT_ADDED", 'c' 'c' 'c', "IOTP-VER-4", "add `@iotp2p.unit` where none was in effect";
    UnitChanged = "UNIT_CHANGED", 'b' 'b' 'c', "IOTP-VER-4", "change or remove the `@iotp2p.unit` in effect";
    ScaleChanged = "SCALE_CHANGED", 'b' 'b' 'c', "IOTP-VER-4", "add, remove or change `@iotp2p.scale` so that the scale in effect changes";
    ExtensionAttributeChanged = "EXTENSION_ATTRIBUTE_CHANGED", 'c' 'c' 'c', "IOTP-VER-4", "add, remove or change an extension attribute whose prefix is not `iotp2p`";
    DocChanged = "DOC_CHANGED", 'c' 'c' 'c', "IOTP-VER-4", "change documentation, comments, formatting, or the order of declarations";
}

impl Rule {
    /// The rule with this name, as the spec spells it.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.name() == name)
    }

    /// Whether the change asks for at least a MINOR version increase (spec §10.1): every rule except
    /// `DOC_CHANGED` and `EXTENSION_ATTRIBUTE_CHANGED`, which ask only for a PATCH.
    pub fn needs_minor(self) -> bool {
        !matches!(self, Rule::DocChanged | Rule::ExtensionAttributeChanged)
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        assert_eq!(Rule::ALL.len(), 47);
        for r in Rule::ALL {
            assert_eq!(Rule::from_name(r.name()), Some(*r));
        }
    }

    #[test]
    fn wire_breaking_is_json_breaking() {
        for r in Rule::ALL {
            assert!(!r.breaks().wire || r.breaks().json, "{r}");
        }
    }
}
