//! Naming conventions. Generated code in every language derives its names from these, so they are
//! rules, not style: `setLevel` and `set_level` would become the same identifier in half the targets.

use super::Unit;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::ast::{Ident, ItemKind, BUILTIN_TYPE_NAMES};

/// Longest identifier.
pub(crate) const MAX_IDENT_LEN: usize = 64;

#[derive(Clone, Copy)]
enum Case {
    UpperCamel,
    Snake,
}

/// Checks every name defined in one file.
pub(crate) fn check_file(unit: &Unit, diags: &mut Diagnostics) {
    for import in &unit.ast.imports {
        if let Some(alias) = &import.alias {
            check(alias, Case::Snake, "an import alias", diags);
        }
    }
    for item in &unit.ast.items {
        // A built-in name (`message string`) is E0206; its case is the lesser problem.
        if !BUILTIN_TYPE_NAMES.contains(&item.name.name.as_str()) {
            check(&item.name, Case::UpperCamel, "a type name", diags);
        }
        match &item.kind {
            ItemKind::Message(b) => b
                .members()
                .for_each(|f| check(&f.name, Case::Snake, "a field name", diags)),
            ItemKind::Union(b) => b
                .members()
                .for_each(|v| check(&v.name, Case::Snake, "a variant name", diags)),
            ItemKind::Enum(b) => b
                .members()
                .for_each(|v| check(&v.name, Case::UpperCamel, "an enum value name", diags)),
            ItemKind::Alias(_) => {}
        }
    }
}

fn check(ident: &Ident, case: Case, what: &str, diags: &mut Diagnostics) {
    let name = ident.name.as_str();
    let problem = if name.len() > MAX_IDENT_LEN {
        Some(format!(
            "{} characters long; at most {MAX_IDENT_LEN} are allowed",
            name.len()
        ))
    } else if name.starts_with('_') {
        Some("names cannot start with `_`".to_string())
    } else {
        match case {
            Case::UpperCamel if !is_upper_camel(name) => {
                Some(format!("{what} must be UpperCamelCase"))
            }
            Case::Snake if !is_snake(name) => Some(format!("{what} must be snake_case")),
            _ => None,
        }
    };
    let Some(problem) = problem else { return };
    let suggestion = match case {
        Case::UpperCamel => to_upper_camel(name),
        Case::Snake => to_snake(name),
    };
    let mut d = Diagnostic::new(
        Code::InvalidIdentifier,
        ident.span,
        format!("invalid name `{name}`"),
    )
    .with_label(problem);
    if !suggestion.is_empty() && suggestion != name && suggestion.len() <= MAX_IDENT_LEN {
        d = d.with_help(format!("rename it to `{suggestion}`"));
    }
    diags.push(d);
}

fn is_upper_camel(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_uppercase()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_snake(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

/// `set_level`, `setLevel`, `SETLEVEL` → words.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn to_snake(s: &str) -> String {
    let w: Vec<String> = words(s).iter().map(|w| w.to_ascii_lowercase()).collect();
    let joined = w.join("_");
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        String::new()
    } else {
        joined
    }
}

fn to_upper_camel(s: &str) -> String {
    let joined: String = words(s)
        .iter()
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if joined.starts_with(|c: char| c.is_ascii_digit()) {
        String::new()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(to_snake("setLevel"), "set_level");
        assert_eq!(to_snake("Set__Level_"), "set_level");
        assert_eq!(to_upper_camel("set_level"), "SetLevel");
        assert_eq!(to_upper_camel("HUE_SAT"), "HueSat");
        assert!(is_upper_camel("RGBColor"));
        assert!(!is_snake("a__b"));
    }
}
