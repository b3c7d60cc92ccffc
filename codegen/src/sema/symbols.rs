//! Symbols: every type's fully-qualified name, and looking a written name up from inside a file.

use std::collections::{HashMap, HashSet};

use super::packages::Packages;
use super::Unit;
use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::syntax::ast::{self, BUILTIN_TYPE_NAMES};

/// Where a type is defined: unit index and item index within the unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ItemRef {
    pub unit: usize,
    pub item: usize,
}

/// The global symbol table.
#[derive(Debug, Default)]
pub(crate) struct Symbols {
    /// Fully-qualified name → definition.
    pub by_name: HashMap<String, ItemRef>,
    /// Package → its type names, in source order (for suggestions).
    pub names_in: HashMap<String, Vec<String>>,
}

/// Which imports a file actually used, for the unused-import warning.
#[derive(Debug, Default)]
pub(crate) struct Usage {
    /// (unit, import index) pairs that resolved at least one name.
    pub used_imports: HashSet<(usize, usize)>,
}

/// Collects every type definition, reporting duplicates and built-in names.
pub(crate) fn collect(units: &[Unit], packages: &Packages, diags: &mut Diagnostics) -> Symbols {
    let mut symbols = Symbols::default();
    for &u in &packages.order {
        let Some(package) = &packages.names[u] else {
            continue;
        };
        let mut local: HashMap<&str, &ast::Item> = HashMap::new();
        for (i, item) in units[u].ast.items.iter().enumerate() {
            let name = item.name.name.as_str();
            if BUILTIN_TYPE_NAMES.contains(&name) {
                diags.push(
                    Diagnostic::new(
                        Code::KeywordAsTypeName,
                        item.name.span,
                        format!(
                            "`{name}` is a built-in type and cannot name {}",
                            match item.kind {
                                ast::ItemKind::Message(_) => "a message",
                                ast::ItemKind::Enum(_) => "an enum",
                                ast::ItemKind::Union(_) => "a union",
                                ast::ItemKind::Alias(_) => "a type alias",
                            }
                        ),
                    )
                    .with_label("built-in type name")
                    .with_help("type names are UpperCamelCase, e.g. `MyString`"),
                );
                continue;
            }
            if let Some(first) = local.get(name) {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateType,
                        item.name.span,
                        format!("the name `{name}` is defined twice in package `{package}`"),
                    )
                    .with_label(format!("`{name}` redefined here"))
                    .with_secondary(first.name.span, format!("first definition of `{name}`"))
                    .with_help("rename one of the two types"),
                );
                continue;
            }
            local.insert(name, item);
            symbols
                .by_name
                .insert(format!("{package}.{name}"), ItemRef { unit: u, item: i });
            symbols
                .names_in
                .entry(package.clone())
                .or_default()
                .push(name.to_string());
        }
    }
    symbols
}

impl Symbols {
    /// Resolves `path` as written in unit `unit`: a type of the unit's own package, or of an imported
    /// package by full name or alias. Errors come back as a ready diagnostic, or `None` when the
    /// cause (an import that failed) was already reported. `suggest`: whether to look for a
    /// "did you mean" (it compares the name with every type of the package, so callers skip it when
    /// the diagnostic would be dropped).
    pub fn resolve(
        &self,
        unit: usize,
        path: &ast::Path,
        packages: &Packages,
        usage: &mut Usage,
        suggest: bool,
    ) -> Result<(String, ItemRef), Option<Box<Diagnostic>>> {
        let own = packages.names[unit].as_deref().unwrap_or_default();
        let (prefix, last) = match path.segments.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                let names: Vec<&str> = rest.iter().map(|s| s.name.as_str()).collect();
                (Some(names.join(".")), last)
            }
            Some((last, _)) => (None, last),
            None => unreachable!("a path has at least one segment"),
        };
        let imports = &packages.imports[unit];
        let package = match &prefix {
            None => own.to_string(),
            Some(p) if p == own => own.to_string(),
            Some(p) => {
                let by_alias = imports.iter().position(|i| i.alias.as_deref() == Some(p));
                let by_name = imports.iter().position(|i| i.package.as_deref() == Some(p));
                match by_alias.or(by_name) {
                    Some(idx) => {
                        usage.used_imports.insert((unit, idx));
                        match &imports[idx].package {
                            Some(pkg) => pkg.clone(),
                            // The import itself failed and was reported; do not pile on.
                            None => return Err(None),
                        }
                    }
                    None if self.names_in.contains_key(p.as_str()) => {
                        return Err(Some(Box::new(
                            Diagnostic::new(
                                Code::PackageNotImported,
                                path.span,
                                format!("package `{p}` is not imported by this file"),
                            )
                            .with_label(format!("`{p}` is not imported"))
                            .with_help(format!(
                                "add an `import` of the file that defines package `{p}`"
                            )),
                        )));
                    }
                    None => {
                        let candidates = imports
                            .iter()
                            .flat_map(|i| i.alias.iter().chain(i.package.iter()))
                            .map(String::as_str);
                        let mut d = Diagnostic::new(
                            Code::UnknownType,
                            path.span,
                            format!("unknown package or alias `{p}`"),
                        )
                        .with_label("no import has this name or alias");
                        if let Some(s) = did_you_mean(p, candidates).filter(|_| suggest) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        } else if p.contains('.') {
                            d = d.with_help(format!(
                                "if `{p}` is a package, import the file that defines it"
                            ));
                        }
                        return Err(Some(Box::new(d)));
                    }
                }
            }
        };
        let full = format!("{package}.{}", last.name);
        if let Some(r) = self.by_name.get(&full) {
            return Ok((full, *r));
        }
        let local = self
            .names_in
            .get(&package)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|_| suggest);
        let mut d = Diagnostic::new(
            Code::UnknownType,
            path.span,
            format!("unknown type `{}`", path.text()),
        )
        .with_label(format!("not a type of package `{package}`"));
        if let Some(s) = did_you_mean(&last.name, local) {
            d = d.with_help(format!("did you mean `{s}`?"));
        } else if prefix.is_none() {
            // Maybe it lives in an imported package and only the qualifier is missing.
            let hit = imports.iter().find_map(|i| {
                let pkg = i.package.as_ref()?;
                self.by_name
                    .contains_key(&format!("{pkg}.{}", last.name))
                    .then(|| format!("{}.{}", i.alias.as_ref().unwrap_or(pkg), last.name))
            });
            d = match hit {
                Some(q) => d.with_help(format!(
                    "a type of an imported package is written with its qualifier: `{q}`"
                )),
                None if BUILTIN_TYPE_NAMES.contains(&last.name.to_ascii_lowercase().as_str()) => d
                    .with_help(format!(
                        "built-in types are lowercase: `{}`",
                        last.name.to_ascii_lowercase()
                    )),
                None => d,
            };
        }
        Err(Some(Box::new(d)))
    }
}
