//! Naming a type on the command line or in a test vector: a fully-qualified schema type
//! (`iotp2p.core.Envelope`) or a type expression (`array<u16, 4>`, `bytes[32]`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostics::{did_you_mean, Severity};
use crate::ir::{Schema, Type, TypeKind};
use crate::MemoryLoader;

/// The IR type named by `name` in `schema`: a type's full name, or any type expression of the schema
/// language over built-in types and the schema's types (fully qualified). `sources` are the schema
/// files (path, text) so that the expression can import them.
pub fn resolve_type(
    schema: &Schema,
    sources: &[(String, String)],
    name: &str,
) -> Result<Type, String> {
    if let Some(def) = schema.find_type(name) {
        return Ok(named(&def.full_name, &def.kind));
    }
    // Anything else is compiled as the target of an alias in a throw-away package that imports every
    // package of the schema, so the expression gets the language's own parsing and checking.
    let mut files: BTreeMap<PathBuf, String> = sources
        .iter()
        .map(|(p, t)| (PathBuf::from(p), t.clone()))
        .collect();
    let imports: String = sources
        .iter()
        .map(|(p, _)| format!("import {p:?};\n"))
        .collect();
    let probe = format!("package reflect.probe;\n{imports}type Probe = {name};\n");
    files.insert(PathBuf::from("__probe__.iotp"), probe);
    let loader = MemoryLoader::new(files);
    let c = crate::compile(&[PathBuf::from("__probe__.iotp")], &loader);
    let Some(probe) = c.schema else {
        if is_type_name(name) {
            return Err(unknown_type(schema, name));
        }
        // The probe imports every package whether it uses it or not: report its first error, not
        // the unused-import warnings.
        let first = c
            .diagnostics
            .sorted()
            .into_iter()
            .find(|d| d.severity == Severity::Error)
            .map(|d| d.message.clone())
            .unwrap_or_default();
        return Err(format!("`{name}` is not a valid type expression: {first}"));
    };
    probe
        .find_type("reflect.probe.Probe")
        .and_then(|d| match &d.kind {
            TypeKind::Alias { target } => Some(target.clone()),
            _ => None,
        })
        .ok_or_else(|| format!("`{name}` is not a type"))
}

/// Whether `name` is a (possibly dotted) name rather than a type expression such as `array<u8, 4>`.
fn is_type_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// "unknown type", with the closest fully-qualified name when there is one: a near miss of a full name
/// (`iotp2p.core.Envelop`), or a short name whose full name was meant (`Envelope`).
fn unknown_type(schema: &Schema, name: &str) -> String {
    let full_names: Vec<&str> = schema
        .packages
        .iter()
        .flat_map(|p| &p.types)
        .map(|t| t.full_name.as_str())
        .collect();
    let by_short = full_names
        .iter()
        .find(|f| f.rsplit('.').next() == Some(name))
        .copied();
    let suggestion = by_short.or_else(|| did_you_mean(name, full_names.iter().copied()));
    match suggestion {
        Some(s) => format!("unknown type `{name}`; did you mean `{s}`?"),
        None => format!("unknown type `{name}`: give a fully-qualified type name, such as `iotp2p.core.Envelope`, or a type expression"),
    }
}

/// The [`Type`] that refers to a defined type.
pub fn named(full_name: &str, kind: &TypeKind) -> Type {
    let name = full_name.to_string();
    match kind {
        TypeKind::Message { .. } => Type::Message { name },
        TypeKind::Enum { .. } => Type::Enum { name },
        TypeKind::Union { .. } => Type::Union { name },
        TypeKind::Alias { target } => Type::Alias {
            name,
            target: Box::new(target.clone()),
        },
    }
}
