//! Naming a type on the command line or in a test vector: a fully-qualified schema type
//! (`iotp2p.core.Envelope`) or a type expression (`array<u16, 4>`, `bytes[32]`).

use std::collections::BTreeMap;
use std::path::PathBuf;

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
        let first = c
            .diagnostics
            .sorted()
            .first()
            .map(|d| d.message.clone())
            .unwrap_or_default();
        return Err(format!(
            "`{name}` is neither a type of the schema nor a type expression: {first}"
        ));
    };
    probe
        .find_type("reflect.probe.Probe")
        .and_then(|d| match &d.kind {
            TypeKind::Alias { target } => Some(target.clone()),
            _ => None,
        })
        .ok_or_else(|| format!("`{name}` is not a type"))
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
