//! Warnings: things that compile but are probably unintended (unused imports, new uses of deprecated
//! types).

use std::collections::HashMap;

use crate::source::Span;

use super::lower::Lowered;
use super::packages::Packages;
use super::Unit;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir;

/// Reports unused imports and uses of deprecated types.
pub(crate) fn check(
    units: &[Unit],
    packages: &Packages,
    lowered: &Lowered,
    diags: &mut Diagnostics,
) {
    for &u in &packages.order {
        for (i, import) in packages.imports[u].iter().enumerate() {
            // A duplicate import was reported as an error already; "unused" would only repeat it.
            if import.package.is_some()
                && !import.duplicate
                && !lowered.usage.used_imports.contains(&(u, i))
            {
                let file_import = &units[u].ast.imports[i];
                diags.push(
                    Diagnostic::new(
                        Code::UnusedImport,
                        file_import.span,
                        format!(
                            "unused import of package `{}`",
                            import.package.as_deref().unwrap_or_default()
                        ),
                    )
                    .with_label("no type of this package is used")
                    .with_help("remove the import"),
                );
            }
        }
    }

    let deprecated: HashMap<&str, &ir::TypeDef> = lowered
        .packages
        .iter()
        .flat_map(|p| &p.types)
        .filter(|t| t.deprecated.is_some())
        .map(|t| (t.full_name.as_str(), t))
        .collect();
    if deprecated.is_empty() {
        return;
    }
    for def in lowered.packages.iter().flat_map(|p| &p.types) {
        if def.deprecated.is_some() {
            continue;
        }
        let members: Vec<(&str, &ir::Type)> = match &def.kind {
            ir::TypeKind::Message { fields, .. } => fields
                .iter()
                .filter(|f| f.deprecated.is_none())
                .map(|f| (f.name.as_str(), &f.ty))
                .collect(),
            ir::TypeKind::Union { variants, .. } => variants
                .iter()
                .filter(|v| v.deprecated.is_none())
                .filter_map(|v| Some((v.name.as_str(), v.ty.as_ref()?)))
                .collect(),
            ir::TypeKind::Alias { target } => vec![("", target)],
            ir::TypeKind::Enum { .. } => Vec::new(),
        };
        for (member, ty) in members {
            let Some(used) = deprecated_in(ty, &deprecated) else {
                continue;
            };
            let span = lowered
                .member_spans
                .get(&(def.full_name.clone(), member.to_string()))
                .or_else(|| lowered.type_spans.get(&def.full_name))
                .copied();
            let Some(span) = span else { continue };
            let mut d = Diagnostic::new(
                Code::DeprecatedUse,
                span,
                format!("`{}` uses deprecated type `{}`", def.name, used.name),
            )
            .with_label("uses a deprecated type")
            .with_help(if member.is_empty() {
                "mark this alias `@deprecated` too, or use the replacement"
            } else {
                "mark this member `@deprecated` too, or use the replacement"
            });
            if let Some(note) = used.deprecated.as_ref().and_then(|d| d.note.as_ref()) {
                d = d.with_note(format!("`{}` is deprecated: {note}", used.name));
            }
            diags.push(d);
        }
    }
}

fn deprecated_in<'a>(
    ty: &ir::Type,
    deprecated: &HashMap<&str, &'a ir::TypeDef>,
) -> Option<&'a ir::TypeDef> {
    match ty {
        ir::Type::Message { name } | ir::Type::Enum { name } | ir::Type::Union { name } => {
            deprecated.get(name.as_str()).copied()
        }
        ir::Type::Alias { name, target } => deprecated
            .get(name.as_str())
            .copied()
            .or_else(|| deprecated_in(target, deprecated)),
        ir::Type::Array { element, .. } => deprecated_in(element, deprecated),
        _ => None,
    }
}

/// Warns about types whose largest encoding exceeds what a 32-bit target can address (4 GiB): deep
/// recursion over large arrays multiplies quickly. Such a type still compiles, and its generated
/// `MAX_ENCODED_SIZE` saturates there; the warning says why no buffer can be sized from it.
pub(crate) fn check_sizes(
    schema: &ir::Schema,
    type_spans: &HashMap<String, Span>,
    diags: &mut Diagnostics,
) {
    let sizes = ir::max_encoded_sizes(schema);
    for def in schema.packages.iter().flat_map(|p| &p.types) {
        let Some(&size) = sizes.get(&def.full_name) else {
            continue;
        };
        if size <= u64::from(u32::MAX) {
            continue;
        }
        let Some(&span) = type_spans.get(&def.full_name) else {
            continue;
        };
        diags.push(
            Diagnostic::new(
                Code::HugeEncodedSize,
                span,
                format!(
                    "the largest encoding of `{}` is {size} bytes, more than a 32-bit target can address",
                    def.name
                ),
            )
            .with_label("largest encoded size above 4 GiB")
            .with_note("on 16- and 32-bit targets its generated `MAX_ENCODED_SIZE` is `usize::MAX`")
            .with_help("lower the bounds of its arrays, strings or bytes, or its `@max_depth`"),
        );
    }
}
