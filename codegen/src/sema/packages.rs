//! Packages: declarations, names, versions, imports and their aliases, cycles, and dependency order.

use std::collections::{HashMap, HashSet};

use super::Unit;
use crate::diagnostics::{Code, Diagnostic, Diagnostics, Severity};
use crate::graph::{is_cycle, strongly_connected};
use crate::ir;
use crate::source::{SourceMap, Span};

/// What one import of one file refers to.
#[derive(Debug, Clone)]
pub(crate) struct ImportInfo {
    /// The imported package's name, when the file was found and declares one.
    pub package: Option<String>,
    /// The alias, when given.
    pub alias: Option<String>,
    /// The whole import statement.
    pub span: Span,
    /// Whether this import repeats an earlier one of the same file (already reported as E0108).
    pub duplicate: bool,
}

/// What the package stage learned about every unit (indexed like the units).
#[derive(Debug)]
pub(crate) struct Packages {
    /// Each unit's package name; `None` when missing.
    pub names: Vec<Option<String>>,
    /// Each unit's parsed version.
    pub versions: Vec<Option<ir::Version>>,
    /// Each unit's imports.
    pub imports: Vec<Vec<ImportInfo>>,
    /// Unit indices, every unit after the units it imports. Units that duplicate an earlier
    /// package are left out.
    pub order: Vec<usize>,
}

/// Checks package declarations and imports of every unit.
pub(crate) fn check(units: &[Unit], sources: &SourceMap, diags: &mut Diagnostics) -> Packages {
    let index_of: HashMap<_, _> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut names = Vec::with_capacity(units.len());
    let mut versions = Vec::with_capacity(units.len());
    let mut first_definer: HashMap<String, usize> = HashMap::new();
    let mut duplicate = vec![false; units.len()];
    for (i, unit) in units.iter().enumerate() {
        let Some(decl) = &unit.ast.package else {
            names.push(None);
            versions.push(None);
            // A file that has a `package` line and a syntax error before its first definition: the
            // error broke the declaration (`package a.b` without `;`), and "no package" would only
            // repeat it, wrongly.
            let text = &sources.get(unit.id).text;
            let has_package_line = text.lines().any(|l| l.trim_start().starts_with("package "));
            let first_item = unit.ast.items.first().map_or(u32::MAX, |i| i.span.start);
            if has_package_line
                && diags.iter().any(|d| {
                    d.severity == Severity::Error
                        && d.span
                            .is_some_and(|s| s.file == unit.id && s.start <= first_item)
                })
            {
                continue;
            }
            let span = Span::new(unit.id, 0, 0);
            let file = &sources.get(unit.id).name;
            diags.push(
                Diagnostic::new(
                    Code::MissingPackage,
                    span,
                    format!("`{file}` declares no package"),
                )
                .with_label("expected a package declaration")
                .with_help("start the file with `package example.name version 1.0.0;`"),
            );
            continue;
        };
        let name = decl.name.text();
        check_package_name(&name, decl.name.span, diags);
        let opted_in = decl
            .meta
            .attributes
            .iter()
            .any(|a| a.name.text() == "iotp2p.standard");
        if (name == "iotp2p" || name.starts_with("iotp2p.")) && !opted_in {
            diags.push(
                Diagnostic::new(
                    Code::ReservedPackage,
                    decl.name.span,
                    format!("package name `{name}` uses the reserved prefix `iotp2p`"),
                )
                .with_label("reserved for the packages of the iotp2p standard")
                .with_help(
                    "name the package after a domain you control, e.g. `com.example.lighting`",
                ),
            );
        }
        versions.push(
            decl.version
                .as_ref()
                .and_then(|v| parse_version(&v.text, v.span, diags)),
        );
        match first_definer.get(&name) {
            Some(&first) => {
                duplicate[i] = true;
                let first_span = units[first].ast.package.as_ref().map(|p| p.name.span);
                let mut d = Diagnostic::new(
                    Code::DuplicatePackage,
                    decl.name.span,
                    format!("package `{name}` is defined by two files"),
                )
                .with_label("second definition");
                if let Some(s) = first_span {
                    d = d.with_secondary(s, "first defined here");
                }
                diags.push(d.with_help("rename one package, or merge the two files"));
            }
            None => {
                first_definer.insert(name.clone(), i);
            }
        }
        names.push(Some(name));
    }

    let mut imports = Vec::with_capacity(units.len());
    let mut adjacency = vec![Vec::new(); units.len()];
    for (i, unit) in units.iter().enumerate() {
        let mut infos: Vec<ImportInfo> = Vec::new();
        let mut targets: Vec<Option<usize>> = Vec::new();
        for (import, file) in unit.ast.imports.iter().zip(&unit.import_files) {
            let target = file.and_then(|f| index_of.get(&f).copied());
            if let Some(t) = target {
                adjacency[i].push(t);
            }
            let mut info = ImportInfo {
                package: target.and_then(|t| names[t].clone()),
                alias: import.alias.as_ref().map(|a| a.name.clone()),
                span: import.span,
                duplicate: false,
            };
            // The same file imported twice. (Two files that declare the same package are E0106,
            // reported above; importing both is not a second mistake.)
            let same_package = infos
                .iter()
                .zip(&targets)
                .find(|(o, t)| o.package.is_some() && o.package == info.package && **t == target)
                .map(|(o, _)| o);
            let same_alias = import.alias.as_ref().and_then(|a| {
                infos
                    .iter()
                    .find(|o| o.alias.as_deref() == Some(&a.name))
                    .map(|o| (o, a))
            });
            if let Some(other) = same_package {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateImport,
                        import.span,
                        format!(
                            "package `{}` is imported twice",
                            info.package.as_deref().unwrap_or_default()
                        ),
                    )
                    .with_label("second import")
                    .with_secondary(other.span, "first imported here")
                    .with_help("remove this import"),
                );
                info.duplicate = true;
            } else if let Some((other, alias)) = same_alias {
                diags.push(
                    Diagnostic::new(
                        Code::DuplicateImport,
                        alias.span,
                        format!("alias `{}` names two imports", alias.name),
                    )
                    .with_label("second use of this alias")
                    .with_secondary(other.span, "first used here")
                    .with_help("give each import its own alias"),
                );
                info.duplicate = true;
            }
            infos.push(info);
            targets.push(target);
        }
        imports.push(infos);
    }

    let components = strongly_connected(&adjacency);
    for component in &components {
        if !is_cycle(component, &adjacency) {
            continue;
        }
        report_cycle(component, &adjacency, units, &names, diags);
    }
    let order = components
        .into_iter()
        .flatten()
        .filter(|&u| !duplicate[u] && names[u].is_some())
        .collect();
    Packages {
        names,
        versions,
        imports,
        order,
    }
}

fn report_cycle(
    component: &[usize],
    adjacency: &[Vec<usize>],
    units: &[Unit],
    names: &[Option<String>],
    diags: &mut Diagnostics,
) {
    // Walk the cycle from its first unit, always staying inside the component. (Sets, not
    // `contains` on vectors: a component can hold thousands of files.)
    let members: HashSet<usize> = component.iter().copied().collect();
    let start = component[0];
    let mut path = vec![start];
    let mut visited = HashSet::from([start]);
    let mut at = start;
    while let Some(&next) = adjacency[at].iter().find(|n| members.contains(n)) {
        path.push(next);
        if !visited.insert(next) || path.len() > component.len() {
            break;
        }
        at = next;
    }
    let describe = |u: usize| names[u].clone().unwrap_or_else(|| "<no package>".into());
    let chain: Vec<String> = path.iter().map(|&u| format!("`{}`", describe(u))).collect();
    let first_edge_target = path.get(1).copied().unwrap_or(start);
    let unit = &units[start];
    let span = unit
        .ast
        .imports
        .iter()
        .zip(&unit.import_files)
        .find(|(_, f)| f.is_some_and(|f| f == units[first_edge_target].id))
        .map(|(imp, _)| imp.span)
        .unwrap_or(Span::new(unit.id, 0, 0));
    if path.len() <= 2 && path.last() == Some(&start) {
        diags.push(
            Diagnostic::new(
                Code::ImportCycle,
                span,
                format!("package `{}` imports itself", describe(start)),
            )
            .with_label("this import names the importing file")
            .with_help("remove the import: a file's own types need no import"),
        );
        return;
    }
    diags.push(
        Diagnostic::new(Code::ImportCycle, span, "imports form a cycle")
            .with_label("this import starts the cycle")
            .with_note(format!("cycle: {}", chain.join(" imports ")))
            .with_help("move the types both packages need into a third package that both import"),
    );
}

/// Package names: dotted lowercase segments.
fn check_package_name(name: &str, span: Span, diags: &mut Diagnostics) {
    let Some(problem) = package_name_problem(name) else {
        return;
    };
    // Suggest a cleaned-up name only when it is valid and actually different.
    let cleaned: Vec<String> = name
        .split('.')
        .map(|seg| {
            let lower: String = seg
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let mut out = String::new();
            for part in lower.split('_').filter(|p| !p.is_empty()) {
                if !out.is_empty() {
                    out.push('_');
                }
                out.push_str(part);
            }
            out
        })
        .collect();
    let suggestion = cleaned.join(".");
    let help = if suggestion != name && package_name_problem(&suggestion).is_none() {
        format!("package names are dotted lowercase segments: `{suggestion}`")
    } else {
        "package names are dotted lowercase segments, e.g. `com.acme.lighting`".to_string()
    };
    diags.push(
        Diagnostic::new(
            Code::InvalidPackageName,
            span,
            format!("invalid package name `{name}`"),
        )
        .with_label(problem)
        .with_help(help),
    );
}

/// What is wrong with a package name, if anything.
fn package_name_problem(name: &str) -> Option<String> {
    let segments: Vec<&str> = name.split('.').collect();
    for seg in &segments {
        if !seg.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Some(format!(
                "segment `{seg}` does not start with a lowercase letter"
            ));
        }
        if !seg
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Some(format!(
                "segment `{seg}` has characters other than `a-z`, `0-9` and `_`"
            ));
        }
        if seg.contains("__") {
            return Some(format!("segment `{seg}` contains `__`"));
        }
        if seg.ends_with('_') {
            return Some(format!("segment `{seg}` ends with `_`"));
        }
    }
    if segments.len() > 8 {
        return Some(format!(
            "{} segments; at most 8 are allowed",
            segments.len()
        ));
    }
    if name.len() > 128 {
        return Some(format!(
            "{} characters long; at most 128 are allowed",
            name.len()
        ));
    }
    None
}

fn parse_version(text: &str, span: Span, diags: &mut Diagnostics) -> Option<ir::Version> {
    let parts: Vec<Option<u32>> = text.split('.').map(|p| p.parse().ok()).collect();
    match parts.as_slice() {
        [Some(major), Some(minor), Some(patch)] => Some(ir::Version {
            major: *major,
            minor: *minor,
            patch: *patch,
        }),
        _ => {
            let release = text.split(['-', '+']).next().unwrap_or(text);
            let hint = match parts.len() {
                _ if release.len() < text.len() => format!(
                    "schema versions have no pre-release or build suffix (a version names what was \
                     published): write `{release}`"
                ),
                1 => format!("write `{text}.0.0`"),
                2 => format!("write `{text}.0`"),
                _ => "each part is a number up to 4294967295".to_string(),
            };
            diags.push(
                Diagnostic::new(
                    Code::InvalidVersion,
                    span,
                    format!("invalid version `{text}`"),
                )
                .with_label("expected MAJOR.MINOR.PATCH")
                .with_help(hint),
            );
            None
        }
    }
}
