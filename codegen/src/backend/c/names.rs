//! C names for schema names: every name of a package carries the package's prefix
//! (`iotp2p.core` → `iotp2p_core_`), types and functions in snake_case, constants and macros in
//! upper case, and members that are C or C++ keywords get a trailing underscore.

/// Words that cannot be C identifiers (C99 keywords), the macros of `<stdbool.h>` that generated
/// headers include, and C++ keywords (the headers are `extern "C"` for C++ applications, which
/// include them as C++).
const KEYWORDS: &[&str] = &[
    "auto",
    "break",
    "case",
    "char",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extern",
    "float",
    "for",
    "goto",
    "if",
    "inline",
    "int",
    "long",
    "register",
    "restrict",
    "return",
    "short",
    "signed",
    "sizeof",
    "static",
    "struct",
    "switch",
    "typedef",
    "union",
    "unsigned",
    "void",
    "volatile",
    "while",
    "bool",
    "true",
    "false",
    "alignas",
    "alignof",
    "and",
    "and_eq",
    "asm",
    "bitand",
    "bitor",
    "catch",
    "char8_t",
    "char16_t",
    "char32_t",
    "class",
    "compl",
    "concept",
    "consteval",
    "constexpr",
    "constinit",
    "const_cast",
    "co_await",
    "co_return",
    "co_yield",
    "decltype",
    "delete",
    "dynamic_cast",
    "explicit",
    "export",
    "friend",
    "mutable",
    "namespace",
    "new",
    "noexcept",
    "not",
    "not_eq",
    "nullptr",
    "operator",
    "or",
    "or_eq",
    "private",
    "protected",
    "public",
    "reinterpret_cast",
    "requires",
    "static_assert",
    "static_cast",
    "template",
    "this",
    "thread_local",
    "throw",
    "try",
    "typeid",
    "typename",
    "using",
    "virtual",
    "wchar_t",
    "xor",
    "xor_eq",
];

/// A snake_case schema name (field, variant) as a struct member: `default` becomes `default_`.
pub fn member(name: &str) -> String {
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The prefix of everything a package declares: `iotp2p.core` → `iotp2p_core`. It is also the stem
/// of the package's `.h` and `.c` files.
pub fn package(package: &str) -> String {
    package.replace('.', "_").to_ascii_lowercase()
}

/// An UpperCamelCase name in snake_case: `SetLevel` → `set_level`, `EdhocMessage3` →
/// `edhoc_message3`, `ACLEntry` → `acl_entry`.
pub fn snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The C type (and function prefix) of the type named `full_name`: `iotp2p.core.SetLevel` →
/// `iotp2p_core_set_level`.
pub fn type_name(full_name: &str) -> String {
    let (pkg, short) = full_name.rsplit_once('.').unwrap_or(("", full_name));
    if pkg.is_empty() {
        snake(short)
    } else {
        format!("{}_{}", package(pkg), snake(short))
    }
}

/// The macro prefix of the type named `full_name`: `IOTP2P_CORE_SET_LEVEL`.
pub fn macro_name(full_name: &str) -> String {
    type_name(full_name).to_ascii_uppercase()
}

/// The constant of one enum value or union variant: `IOTP2P_CORE_STATUS_CODE_OK`.
pub fn constant(full_name: &str, value: &str) -> String {
    format!(
        "{}_{}",
        macro_name(full_name),
        snake(value).to_ascii_uppercase()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake("SetLevel"), "set_level");
        assert_eq!(snake("EdhocMessage3"), "edhoc_message3");
        assert_eq!(snake("ACLEntry"), "acl_entry");
        assert_eq!(snake("Pet"), "pet");
        assert_eq!(type_name("iotp2p.core.SemVer"), "iotp2p_core_sem_ver");
        assert_eq!(
            constant("iotp2p.core.StatusCode", "UnsupportedVersion"),
            "IOTP2P_CORE_STATUS_CODE_UNSUPPORTED_VERSION"
        );
        assert_eq!(
            constant("iotp2p.core.Body", "invoke_response"),
            "IOTP2P_CORE_BODY_INVOKE_RESPONSE"
        );
        assert_eq!(member("default"), "default_");
        assert_eq!(member("not"), "not_");
        assert_eq!(member("level"), "level");
    }
}
