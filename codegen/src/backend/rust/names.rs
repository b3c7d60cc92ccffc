//! Rust names for schema names: modules, types, fields and variants, with keywords escaped.

/// Words that cannot be plain Rust identifiers (strict and reserved keywords, all editions).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A snake_case schema name as a Rust identifier: `type` becomes `r#type`; the few keywords that
/// cannot be raw (`self`, `super`, `crate`, `Self`) get a trailing underscore.
pub fn field(name: &str) -> String {
    match name {
        "self" | "super" | "crate" | "Self" => format!("{name}_"),
        _ if KEYWORDS.contains(&name) => format!("r#{name}"),
        _ => name.to_string(),
    }
}

/// The associated constant that holds a field's schema default: `version` → `DEFAULT_VERSION`
/// (schema names are snake_case, so no two fields of a message share one, and no keyword needs
/// escaping).
pub fn default_constant(field: &str) -> String {
    format!("DEFAULT_{}", field.to_ascii_uppercase())
}

/// Type names that the generated code uses from the prelude or the runtime without a path: a schema
/// type of one of these names would shadow them inside its module.
const TAKEN_TYPE_NAMES: &[&str] = &["Option", "Result", "Box", "Vec", "String"];

/// An UpperCamelCase schema name (a type, an enum value, a union variant) as a Rust identifier: `Self`,
/// which cannot be an identifier, and the prelude names the generated code uses (`Option`, `Result`,
/// `Box`, `Vec`, `String`) get a trailing
/// underscore (`Result` → `Result_`), as rustc's own suggestion for keywords does.
pub fn upper(name: &str) -> String {
    if name == "Self" || TAKEN_TYPE_NAMES.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// A snake_case name as UpperCamelCase (`set_level` → `SetLevel`), for union variants; escaped by
/// [`upper`] (`self` → `Self_`).
pub fn upper_camel(name: &str) -> String {
    let camel: String = name
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    upper(&camel)
}

/// The module a package's code lives in: `iotp2p.core` → `iotp2p_core`.
pub fn module(package: &str) -> String {
    package.replace('.', "_")
}

/// A type's short name (the last segment of its full name).
pub fn short(full_name: &str) -> &str {
    full_name.rsplit('.').next().unwrap_or(full_name)
}

/// The package part of a full name.
pub fn package_of(full_name: &str) -> &str {
    full_name.rsplit_once('.').map_or("", |(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(field("level"), "level");
        assert_eq!(default_constant("ack_requested"), "DEFAULT_ACK_REQUESTED");
        assert_eq!(upper_camel("set_level_2"), "SetLevel2");
        assert_eq!(upper_camel("self"), "Self_");
        assert_eq!(upper("Result"), "Result_");
        assert_eq!(upper("Resultant"), "Resultant");
        assert_eq!(module("com.acme.lighting"), "com_acme_lighting");
    }
}
