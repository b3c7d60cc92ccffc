//! The closed list of diagnostic codes: one per rule a schema can break.
//!
//! Codes are stable: tools and CI configurations match on them, so a code is never renumbered or reused.
//! Each code has a one-line summary and a longer explanation printed by `iotp2p explain CODE`.
//! Ranges: E00xx files and syntax, E01xx packages and imports, E02xx names, E03xx keys and values,
//! E04xx types, bounds and defaults, E05xx recursion, E06xx attributes, E07xx the capability model,
//! E08xx changes between two versions of a schema (`iotp2p breaking`), N0xxx notes, W0xxx warnings.

macro_rules! codes {
    ($( $variant:ident = $code:literal, $summary:literal, $explanation:literal; )*) => {
        /// A diagnostic code. See the module documentation for the numbering scheme.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( #[doc = $summary] $variant, )*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code, )* }
            }

            /// One line saying what the rule is.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// A paragraph saying why the rule exists and how to fix a violation.
            pub fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explanation, )* }
            }
        }
    };
}

codes! {
    // Files and syntax.
    FileUnreadable = "E0001", "a schema file cannot be read",
        "The file does not exist, is a directory, or the operating system refused to read it. Check the path, or the include directories (-I) when the file is named by an import.";
    FileTooLarge = "E0002", "a schema file is larger than the compiler accepts",
        "Schema files are limited to 4 MiB so that a wrong path cannot make the compiler read an arbitrary large file. Split the schema into several packages.";
    FileNotUtf8 = "E0003", "a schema file is not valid UTF-8",
        "Schema files are UTF-8 text. The file is binary, or was saved in another encoding; convert it to UTF-8.";
    UnexpectedCharacter = "E0004", "a character that cannot start any token",
        "Only identifiers, numbers, strings, comments and the punctuation of the grammar may appear in a schema. Remove the character, or put it in a string or comment.";
    UnterminatedString = "E0005", "a string literal or block comment is not closed",
        "A string literal must end with `\"` on the same line, and a block comment `/*` must be closed with `*/`.";
    InvalidEscape = "E0006", "an invalid escape sequence in a string literal",
        "String literals accept the escapes \\\\, \\\", \\n, \\r, \\t and \\u{XXXX} (a Unicode scalar value in hex).";
    InvalidNumber = "E0007", "a malformed or out-of-range number literal",
        "Integer literals are decimal or 0x-prefixed hexadecimal and must fit in 64 bits; float literals are decimal with a fraction or exponent.";
    SyntaxError = "E0008", "the text does not follow the grammar",
        "The parser expected something else at this point. The message names what it expected; the grammar is in spec/schema-language.md.";
    NestingTooDeep = "E0009", "type expressions are nested too deeply",
        "Type expressions such as array<array<...>> may be nested at most 32 levels deep, which bounds the compiler's own stack. Use a type alias or a message to break the nesting up.";

    // Packages and imports.
    MissingPackage = "E0101", "a file has no package declaration",
        "Every schema file declares exactly one package, after its leading doc comments and attributes and before its imports: `package example.lamp version 1.0.0;`.";
    DuplicatePackageDecl = "E0102", "a file declares more than one package",
        "One file is one package. Move the second package into a file of its own and import it.";
    InvalidVersion = "E0103", "a package version is not MAJOR.MINOR.PATCH",
        "Package versions follow semantic versioning: three non-negative integers, e.g. `version 1.4.0`. The major version changes when the wire format breaks.";
    ImportNotFound = "E0104", "an imported file cannot be found",
        "Imports are looked up relative to the importing file's directory, then in each include directory given with -I, in order.";
    ImportCycle = "E0105", "imports form a cycle",
        "Packages may not import each other in a cycle: a cycle makes the order of definitions ambiguous for code generators. Move the shared types into a package that both import.";
    DuplicatePackage = "E0106", "two files declare the same package",
        "A package is defined by exactly one file. Rename one of the packages, or merge the two files.";
    PackageNotImported = "E0107", "a type from a package that this file does not import",
        "A file can only use types of its own package and of the packages it imports. Add an `import` of the file that defines the package.";
    DuplicateImport = "E0108", "the same package or alias is imported twice",
        "Each package is imported once per file, and each import alias names one package.";
    InvalidPackageName = "E0109", "a package name does not follow the naming rules",
        "Package names are dot-separated lowercase segments (`[a-z][a-z0-9_]*`), at most 8 segments and 128 characters, e.g. `org.example.lighting`. Vendors use a reversed domain they control (`com.acme.lighting`); the `iotp2p` prefix is the standard's (E0110).";
    ReservedPackage = "E0110", "a package name uses the prefix `iotp2p`, which is reserved for the standard",
        "Package names starting with `iotp2p` belong to the iotp2p standard itself (spec/schema/), so that a vendor's package can never be mistaken for, or collide with, a standard one. Name your package after a domain you control, e.g. `com.acme.lighting`. The standard's own files opt in with the attribute `@iotp2p.standard` before their `package` declaration.";

    // Names.
    UnknownType = "E0201", "a reference to a type that does not exist",
        "The name does not match a built-in type, a type of this package, or a type of an imported package. Names are case-sensitive; a type of another package is written with its package name or import alias in front.";
    DuplicateType = "E0202", "two types in one package have the same name",
        "Type names are unique within a package, including aliases. Rename one of them.";
    DuplicateMember = "E0203", "two fields, variants or values of one type have the same name",
        "Member names are unique within their message, union or enum, so that every generated language can use them as identifiers.";
    InvalidIdentifier = "E0204", "a name does not follow the naming conventions",
        "Types and enum values are UpperCamelCase; fields, union variants and import aliases are snake_case; no name starts with an underscore or contains two consecutive underscores. Code generators derive every language's names from these, so a name that does not convert cleanly would collide or be unreadable. Names are at most 64 characters.";
    ReservedName = "E0205", "a member uses a name that the type has reserved",
        "A `reserved` name belonged to a member that was removed; reusing it would make old and new schemas disagree silently about what the name means. Choose another name.";
    KeywordAsTypeName = "E0206", "a type is named after a built-in type or keyword",
        "Built-in type names (`bool`, `u8`, `string`, `array`, ...) cannot be used as user type names.";

    // Keys and values.
    DuplicateKey = "E0301", "two fields or variants share a key",
        "Field keys and union variant keys identify members on the wire and must be unique within their type.";
    ReservedKey = "E0302", "a member uses a key that the type has reserved",
        "A reserved key belonged to a member that was removed. Reusing it would let an old peer read new data as the old member. Use an unused key.";
    KeyOutOfRange = "E0303", "a key is outside the allowed range",
        "Field and variant keys are integers from 0 to 65535. Keys 0 to 23 encode in a single CBOR byte, so give them to the most frequent members.";
    DuplicateEnumValue = "E0304", "two enum values share a number",
        "Each enum value has its own number on the wire. Aliases of one number are not supported.";
    EnumValueOutOfRange = "E0305", "an enum value number is outside the allowed range",
        "Enum values are integers from 0 to 4294967295 (they encode as CBOR unsigned integers).";
    InvalidReservedRange = "E0306", "a reserved range is empty or reversed, or overlaps another",
        "Reserved ranges are written `low..=high` with low <= high, and the reserved keys, values and names of one type do not overlap.";

    // Types, bounds and defaults.
    MissingBound = "E0401", "a string, bytes or array has no maximum length",
        "Every string, bytes and array has a bound so that C codecs can use static memory and every decoder can bound its work. Write it on the type (`string<64>`, `array<T, 8>`), on a type alias, or as a package-wide default (`@default_max_string(N)`, `@default_max_bytes(N)`, `@default_max_items(N)` before `package`).";
    InvalidBound = "E0402", "a bound is zero or too large",
        "Bounds of string and bytes are from 1 to 16777216 bytes, array bounds from 1 to 65535 items, and fixed-size bytes from 1 to 65535 bytes.";
    EmptyType = "E0403", "an enum or union has no members",
        "An enum without values or a union without variants can never be encoded. Add a member, or remove the type.";
    DefaultTypeMismatch = "E0404", "a default value does not have the field's type",
        "Defaults are literals of the field's type: true/false for bool, integers for integer types, numbers for floats, strings for string, and a value name for enums.";
    DefaultOutOfRange = "E0405", "a default value is outside what the field accepts",
        "The default does not fit the integer type, lies outside the field's @range, or is longer than the string's bound.";
    DefaultNotAllowed = "E0406", "a field of this type cannot have a default",
        "Defaults are allowed on bool, integer, float, string and enum fields; not on bytes, arrays, messages or unions, and not on optional fields (an absent optional field is simply absent).";
    InvalidRange = "E0407", "an integer range is empty, out of the type's range, or on a non-integer",
        "@range(min..=max) narrows an integer type: min <= max, both within the integer type's own range. It applies only to integer types.";
    AliasCycle = "E0408", "type aliases refer to each other in a cycle",
        "A type alias names another type; aliases that lead back to themselves name nothing.";

    // Recursion.
    UnboundedRecursion = "E0501", "a recursive type has no depth bound",
        "A message or union that contains itself (directly or through other types) lets an attacker send arbitrarily deep data and exhaust a decoder's stack. Put @max_depth(N) on one type of the cycle; decoders then reject input nested deeper than N.";
    InfiniteType = "E0502", "a type contains itself through required fields only",
        "A value of this type would have to contain itself forever and can never be constructed. Make one field of the cycle optional, or an array, or add a union variant that ends the recursion.";
    InvalidDepth = "E0503", "a depth bound is zero or too large",
        "@max_depth(N) takes N from 1 to 64.";

    // Attributes.
    UnknownAttribute = "E0601", "an attribute that the compiler does not know",
        "The known attributes are listed in spec/schema-language.md. Attributes for other tools carry a dotted prefix (`@acme.ui_hint(\"slider\")`) and are passed through to the IR unchecked.";
    InvalidAttributeArgs = "E0602", "an attribute has the wrong number or kind of arguments",
        "Each known attribute takes a fixed argument list; the message names the one expected.";
    MisplacedAttribute = "E0603", "an attribute is not allowed on this kind of item",
        "Each known attribute applies to certain items only: @max_depth to messages and unions, @range to integer fields and aliases, the @default_max_* attributes to the package.";
    DuplicateAttribute = "E0604", "the same attribute is given twice on one item",
        "Give each attribute once; combine the arguments if needed.";

    // The capability model (spec/07-capability-model.md).
    CapabilityTypeKind = "E0701", "a type named like a capability's properties, actions, outputs or events is of the wrong kind",
        "A capability `Name` is declared by `NameProperties` (a message: one field per property), `NameActions`, `NameOutputs` and `NameEvents` (unions: one variant per action, action output and event). A type whose name ends in one of these words is read as part of a capability, so it must be of that kind (IOTP-CAP-1). Declare it as the kind the name asks for, or rename it.";
    CapabilityKeyShared = "E0702", "a key is used by two members of a capability",
        "The properties, actions and events of one capability share one key space: a request names a member by its key alone (IOTP-CAP-2). Give each member its own key; by convention properties use 0..=7, actions 8..=15 and events 16..=23.";
    OutputWithoutAction = "E0703", "an output variant has no action with its key",
        "Each variant of `NameOutputs` is the output of the action of `NameActions` with the same key (IOTP-CAP-3). Use the action's key, or remove the output.";
    UnitOutput = "E0704", "an output variant carries nothing",
        "An action without output simply has no variant in `NameOutputs` (IOTP-CAP-4). Remove the unit variant.";

    // Changes between two versions of a schema (`iotp2p breaking`, spec/10-versioning-and-transport.md §10.3).
    BreakingChange = "E0801", "a change between two versions breaks a compatibility category that is enforced",
        "The change falls under a rule of spec §10.3 that breaks WIRE (old data misread, or a key freed for reuse), JSON (canonical JSON read differently) or SOURCE (generated code loses a name or a type), and that category is enforced (by default all three; `--enforce` chooses, WIRE always). The message starts with the rule's name; the note names the categories. Undo the change, make the compatible change the rule's table offers instead (reserve a removed key and name, add a field as optional, widen instead of changing a type), or, for a WIRE-breaking change, increase the package's major version: a new major version is a new wire generation (IOTP-VER-8). A change to a frozen key of `iotp2p.core.Envelope` is an error in any version (IOTP-VER-13).";
    VersionNotFollowed = "E0802", "a package's new version does not follow the changes between the two versions",
        "Spec §10.1 fixes how a package's version changes: MAJOR for any WIRE-breaking change, otherwise MINOR for any change under a rule other than DOC_CHANGED and EXTENSION_ATTRIBUTE_CHANGED, otherwise PATCH (IOTP-VER-9). The message names the version the changes ask for and the note the first change that asks for it. Set the package's version to it, or undo the change.";

    // Notes.
    CompatibleChange = "N0001", "a change between two versions that breaks no compatibility category",
        "The change falls under a rule of spec §10.3 that is compatible in WIRE, JSON and SOURCE (an added optional field, a new enum value, a widened bound...). It still counts for the version number: every rule but DOC_CHANGED and EXTENSION_ATTRIBUTE_CHANGED asks for a MINOR increase. `iotp2p breaking --all` lists these changes.";

    // Warnings.
    UnusedImport = "W0001", "an import is never used",
        "The file imports a package but uses none of its types. Remove the import.";
    DeprecatedUse = "W0002", "a deprecated type is used by a type that is not itself deprecated",
        "New fields should not use deprecated types. Mark the field @deprecated too, or use the replacement the deprecation names.";
    BidiControl = "W0003", "a bidirectional control character in a comment or string literal",
        "Characters such as U+202E (right-to-left override) and U+2066..U+2069 (isolates) make editors and code review tools display a line in another order than the compiler reads it, so that a schema can look different from what it is (\"Trojan Source\", CVE-2021-42574). Remove the character from the comment; in a string literal that really needs it, write it as an escape (\\u{202e}). Diagnostics always show such characters escaped.";
    PropertyDefault = "W0004", "a property has a default",
        "Property values travel one by one, never inside the `NameProperties` message, so a default there is never applied (IOTP-CAP-7). Remove it; an optional property is an `optional` field.";
    HugeEncodedSize = "W0005", "a type's largest encoding is larger than a 32-bit target can address",
        "A type's largest encoded size is computed from its bounds and, for recursive types, its `@max_depth`; recursion over arrays multiplies it quickly (a menu of `array<MenuNode, 16>` eight levels deep exceeds 10 GB). Above 4 GiB no buffer on a 16- or 32-bit device can be sized from it, and the generated `MAX_ENCODED_SIZE` saturates to `usize::MAX` there. Lower the bounds or the `@max_depth` so that real messages, and the buffers for them, stay small.";
    BreakingChangeAllowed = "W0006", "a change between two versions breaks a category that is not enforced, or that a new major version allows",
        "The change breaks a compatibility category of spec §10.2, but it is not an error here: either the category is not enforced (`--enforce`), or the package's major version increases, which starts a new wire generation where any change is allowed (IOTP-VER-8). Peers of the old version will not understand the new one; check that this is intended.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = ();
    fn from_str(s: &str) -> Result<Code, ()> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        let strs: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = strs.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(strs, sorted);
    }

    #[test]
    fn codes_parse_back() {
        for c in Code::ALL {
            assert_eq!(c.as_str().parse::<Code>(), Ok(*c));
        }
        assert!("E9999".parse::<Code>().is_err());
    }
}
