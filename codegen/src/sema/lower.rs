//! Lowering: syntax tree → IR, checking types, bounds, ranges, defaults and attributes on the way.
//!
//! Aliases are lowered first, in dependency order, so that every later use of an alias finds its
//! target already resolved (and alias cycles are reported once, not at every use).

use std::collections::HashMap;

use super::attributes::{self, KnownAttributes, Target};
use super::packages::Packages;
use super::symbols::{ItemRef, Symbols, Usage};
use super::Unit;
use crate::diagnostics::{did_you_mean, Code, Diagnostic, Diagnostics};
use crate::graph::{is_cycle, strongly_connected};
use crate::ir;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{self, ItemKind, Literal, Scalar, TypeExpr, TypeExprKind};
use crate::syntax::parser::MAX_TYPE_NESTING;

/// Largest bound of a string or bytes (16 MiB).
pub(crate) const MAX_BYTES_BOUND: i128 = 16 * 1024 * 1024;
/// Largest bound of an array, and largest fixed-bytes length.
pub(crate) const MAX_ITEMS_BOUND: i128 = 65_535;
/// Largest `@max_depth`.
pub(crate) const MAX_DEPTH: i128 = 64;

/// The IR plus what later passes need to point back at the source.
#[derive(Debug, Default)]
pub(crate) struct Lowered {
    /// Packages in dependency order.
    pub packages: Vec<ir::Package>,
    /// Span of each type's name, by full name.
    pub type_spans: HashMap<String, Span>,
    /// Span of each field or variant, by (type full name, member name).
    pub member_spans: HashMap<(String, String), Span>,
    /// Which imports resolved something.
    pub usage: Usage,
}

/// Package-wide default bounds.
#[derive(Clone, Copy, Debug, Default)]
struct Defaults {
    string: Option<u32>,
    bytes: Option<u32>,
    items: Option<u32>,
}

struct Lowerer<'a> {
    units: &'a [Unit],
    packages: &'a Packages,
    symbols: &'a Symbols,
    sources: &'a SourceMap,
    diags: &'a mut Diagnostics,
    usage: Usage,
    /// Resolved alias targets; `None` for aliases that failed (already reported).
    alias_targets: HashMap<String, Option<ir::Type>>,
    defaults: Vec<Defaults>,
}

/// Lowers every package in dependency order.
pub(crate) fn lower(
    units: &[Unit],
    packages: &Packages,
    symbols: &Symbols,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Lowered {
    let mut l = Lowerer {
        units,
        packages,
        symbols,
        sources,
        diags,
        usage: Usage::default(),
        alias_targets: HashMap::new(),
        defaults: vec![Defaults::default(); units.len()],
    };
    let mut package_attrs = HashMap::new();
    for &u in &packages.order {
        let (defaults, attrs) = l.package_defaults(u);
        l.defaults[u] = defaults;
        package_attrs.insert(u, attrs);
    }
    l.lower_aliases();
    let mut out = Lowered::default();
    for &u in &packages.order {
        let Some(name) = packages.names[u].clone() else {
            continue;
        };
        let unit = &units[u];
        let decl = unit
            .ast
            .package
            .as_ref()
            .expect("units in order declare a package");
        let mut types = Vec::new();
        for (i, item) in unit.ast.items.iter().enumerate() {
            let full_name = format!("{name}.{}", item.name.name);
            if symbols.by_name.get(&full_name) != Some(&ItemRef { unit: u, item: i }) {
                continue; // A duplicate, already reported.
            }
            out.type_spans.insert(full_name.clone(), item.name.span);
            if let Some(def) = l.lower_item(u, item, &full_name, &mut out.member_spans) {
                types.push(def);
            }
        }
        out.packages.push(ir::Package {
            name: name.clone(),
            version: packages.versions[u],
            doc: decl.meta.doc_text(),
            location: l.location(decl.name.span),
            imports: packages.imports[u]
                .iter()
                .filter_map(|i| i.package.clone())
                .collect(),
            attributes: package_attrs.remove(&u).unwrap_or_default(),
            types,
        });
    }
    out.usage = l.usage;
    out
}

fn bound_range(kind: &str) -> (i128, i128) {
    match kind {
        "array" | "fixed" => (1, MAX_ITEMS_BOUND),
        _ => (1, MAX_BYTES_BOUND),
    }
}

impl Lowerer<'_> {
    fn location(&self, span: Span) -> ir::Location {
        let (file, line, column) = self.sources.location(span);
        ir::Location {
            file: file.to_string(),
            line,
            column,
        }
    }

    /// Checks a bound literal; returns it when valid.
    fn bound(&mut self, value: i128, span: Span, kind: &str) -> Option<u32> {
        let (min, max) = bound_range(kind);
        if (min..=max).contains(&value) {
            return Some(value as u32);
        }
        let what = match kind {
            "array" => "an array bound",
            "fixed" => "a fixed-size bytes length",
            _ => "a length bound",
        };
        self.diags.push(
            Diagnostic::new(
                Code::InvalidBound,
                span,
                format!("{what} of {value} is out of range"),
            )
            .with_label(format!("must be from {min} to {max}")),
        );
        None
    }

    fn package_defaults(&mut self, u: usize) -> (Defaults, Vec<ir::Attribute>) {
        let Some(decl) = &self.units[u].ast.package else {
            return (Defaults::default(), Vec::new());
        };
        let known = attributes::check(&decl.meta.attributes, Target::Package, self.diags);
        // A default that is written but invalid was reported; stand in the largest bound for it so
        // that every unbounded string of the package does not also report "no bound" (no IR is
        // produced anyway).
        let mut d = Defaults::default();
        let effective = |this: &mut Self, attr, value: Option<(i128, Span)>, kind| {
            let written = value.is_some() || known.rejected.contains(&attr);
            let placeholder = bound_range(kind).1 as u32;
            value
                .and_then(|(v, s)| this.bound(v, s, kind))
                .or(written.then_some(placeholder))
        };
        d.string = effective(
            self,
            "default_max_string",
            known.default_max_string,
            "string",
        );
        d.bytes = effective(self, "default_max_bytes", known.default_max_bytes, "bytes");
        d.items = effective(self, "default_max_items", known.default_max_items, "array");
        (d, attributes::to_ir(&decl.meta.attributes))
    }

    /// Lowers every alias target, dependencies first; reports alias cycles.
    fn lower_aliases(&mut self) {
        let mut aliases: Vec<(usize, &ast::Item, String, &TypeExpr)> = Vec::new();
        for &u in &self.packages.order {
            let Some(pkg) = &self.packages.names[u] else {
                continue;
            };
            for item in &self.units[u].ast.items {
                if let ItemKind::Alias(target) = &item.kind {
                    aliases.push((u, item, format!("{pkg}.{}", item.name.name), target));
                }
            }
        }
        let index: HashMap<&str, usize> = aliases
            .iter()
            .enumerate()
            .map(|(i, a)| (a.2.as_str(), i))
            .collect();
        let mut adjacency = vec![Vec::new(); aliases.len()];
        for (i, (u, _, _, target)) in aliases.iter().enumerate() {
            for path in named_paths(target) {
                let mut scratch = Usage::default();
                if let Ok((full, _)) =
                    self.symbols
                        .resolve(*u, path, self.packages, &mut scratch, false)
                {
                    if let Some(&j) = index.get(full.as_str()) {
                        adjacency[i].push(j);
                    }
                }
            }
        }
        for component in strongly_connected(&adjacency) {
            if is_cycle(&component, &adjacency) {
                let names: Vec<String> = component
                    .iter()
                    .map(|&i| format!("`{}`", aliases[i].1.name.name))
                    .collect();
                let first = aliases[component[0]].1;
                let mut d = Diagnostic::new(
                    Code::AliasCycle,
                    first.name.span,
                    format!("type alias `{}` refers to itself", first.name.name),
                )
                .with_label("this alias never reaches a real type")
                .with_help("make one of the aliases name a message, enum, union or built-in type");
                if names.len() > 1 {
                    d = d.with_note(format!("the cycle: {}", names.join(", ")));
                }
                self.diags.push(d);
                for &i in &component {
                    self.alias_targets.insert(aliases[i].2.clone(), None);
                }
                continue;
            }
            let i = component[0];
            let (u, item, full, target) = &aliases[i];
            let known = attributes::check(&item.meta.attributes, Target::Alias, self.diags);
            let lowered = self
                .lower_type(*u, target)
                .and_then(|t| self.apply_range(t, &known))
                .map(strip_alias);
            self.alias_targets.insert(full.clone(), lowered);
        }
    }

    fn lower_item(
        &mut self,
        u: usize,
        item: &ast::Item,
        full_name: &str,
        member_spans: &mut HashMap<(String, String), Span>,
    ) -> Option<ir::TypeDef> {
        let target = match &item.kind {
            ItemKind::Message(_) => Target::Message,
            ItemKind::Enum(_) => Target::Enum,
            ItemKind::Union(_) => Target::Union,
            ItemKind::Alias(_) => Target::Alias,
        };
        // Alias attributes were checked with the alias target; check the rest here.
        let known = if target == Target::Alias {
            attributes::check(&item.meta.attributes, target, &mut Diagnostics::new())
        } else {
            attributes::check(&item.meta.attributes, target, self.diags)
        };
        // An invalid bound was reported; it still counts as a bound, so that the recursion check
        // does not also say that there is none (no IR is produced anyway).
        let max_depth = match known.max_depth {
            Some((v, _)) if (1..=MAX_DEPTH).contains(&v) => Some(v as u32),
            Some((v, span)) => {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidDepth,
                        span,
                        format!("a depth bound of {v} is out of range"),
                    )
                    .with_label(format!("must be from 1 to {MAX_DEPTH}")),
                );
                Some(MAX_DEPTH as u32)
            }
            None if known.rejected.contains(&"max_depth") => Some(MAX_DEPTH as u32),
            None => None,
        };
        let kind = match &item.kind {
            ItemKind::Alias(_) => ir::TypeKind::Alias {
                target: self.alias_targets.get(full_name).cloned().flatten()?,
            },
            ItemKind::Enum(block) => ir::TypeKind::Enum {
                values: block
                    .members()
                    .map(|v| {
                        let known =
                            attributes::check(&v.meta.attributes, Target::EnumValue, self.diags);
                        ir::EnumValue {
                            name: v.name.name.clone(),
                            value: v.value.value.clamp(0, u32::MAX as i128) as u32,
                            doc: v.meta.doc_text(),
                            location: self.location(v.name.span),
                            deprecated: known.deprecated,
                            attributes: attributes::to_ir(&v.meta.attributes),
                        }
                    })
                    .collect(),
                reserved: lower_reserved(block.reserved()),
            },
            ItemKind::Message(block) => {
                let mut fields = Vec::new();
                for f in block.members() {
                    member_spans.insert((full_name.to_string(), f.name.name.clone()), f.span);
                    if let Some(field) = self.lower_field(u, f) {
                        fields.push(field);
                    }
                }
                ir::TypeKind::Message {
                    fields,
                    reserved: lower_reserved(block.reserved()),
                    max_depth,
                }
            }
            ItemKind::Union(block) => {
                let mut variants = Vec::new();
                for v in block.members() {
                    member_spans.insert((full_name.to_string(), v.name.name.clone()), v.span);
                    let known = attributes::check(&v.meta.attributes, Target::Variant, self.diags);
                    let ty = match &v.ty {
                        Some(t) => match self.lower_type(u, t) {
                            Some(t) => Some(t),
                            None => continue,
                        },
                        None => None,
                    };
                    variants.push(ir::Variant {
                        name: v.name.name.clone(),
                        key: v.key.value.clamp(0, u32::MAX as i128) as u32,
                        doc: v.meta.doc_text(),
                        location: self.location(v.name.span),
                        ty,
                        deprecated: known.deprecated,
                        attributes: attributes::to_ir(&v.meta.attributes),
                    });
                }
                ir::TypeKind::Union {
                    variants,
                    reserved: lower_reserved(block.reserved()),
                    max_depth,
                }
            }
        };
        Some(ir::TypeDef {
            name: item.name.name.clone(),
            full_name: full_name.to_string(),
            doc: item.meta.doc_text(),
            location: self.location(item.name.span),
            deprecated: known.deprecated,
            attributes: attributes::to_ir(&item.meta.attributes),
            kind,
        })
    }

    fn lower_field(&mut self, u: usize, f: &ast::Field) -> Option<ir::Field> {
        let known = attributes::check(&f.meta.attributes, Target::Field, self.diags);
        let ty = self.lower_type(u, &f.ty)?;
        let ty = self.apply_range(ty, &known)?;
        let presence = match (&f.optional, &f.default) {
            (Some(_), Some(default)) => {
                self.diags.push(
                    Diagnostic::new(Code::DefaultNotAllowed, default.span(), "an optional field cannot have a default")
                        .with_label("default on an optional field")
                        .with_help("an absent optional field is simply absent: remove `optional` or the default"),
                );
                return None;
            }
            (Some(_), None) => ir::Presence::Optional,
            (None, Some(default)) => ir::Presence::Default(self.lower_default(u, default, &ty)?),
            (None, None) => ir::Presence::Required,
        };
        Some(ir::Field {
            name: f.name.name.clone(),
            key: f.key.value.clamp(0, u32::MAX as i128) as u32,
            doc: f.meta.doc_text(),
            location: self.location(f.name.span),
            ty,
            presence,
            deprecated: known.deprecated,
            attributes: attributes::to_ir(&f.meta.attributes),
        })
    }

    /// Applies `@range` (if any) to an integer type, checking it.
    fn apply_range(&mut self, ty: ir::Type, known: &KnownAttributes) -> Option<ir::Type> {
        let Some((min, max, span)) = known.range else {
            return Some(ty);
        };
        let (int, current) = match ty.resolved() {
            ir::Type::Int { int, range } => (*int, *range),
            _ => {
                self.diags.push(
                    Diagnostic::new(
                        Code::InvalidRange,
                        span,
                        "`@range` on a type that is not an integer",
                    )
                    .with_label("only integer types take a range"),
                );
                return None;
            }
        };
        let (type_min, type_max) = current.map_or(int.bounds(), |r| (r.min, r.max));
        let (lo, hi) = (min.unwrap_or(type_min), max.unwrap_or(type_max));
        let written = format!(
            "{}..{}",
            min.map_or(String::new(), |m| m.to_string()),
            max.map_or(String::new(), |m| format!("={m}"))
        );
        // A reversed range when both ends are written; otherwise an end outside the type (with one
        // end open, an end within the type always makes a non-empty range).
        let problem = if min.is_some() && max.is_some() && lo > hi {
            Some(format!("the range {written} is empty"))
        } else if [min, max]
            .iter()
            .flatten()
            .any(|&v| v < type_min || v > type_max)
        {
            Some(format!(
                "{written} is not within {}'s range {type_min}..={type_max}",
                if current.is_some() {
                    "the alias"
                } else {
                    int.keyword()
                }
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.diags.push(
                Diagnostic::new(Code::InvalidRange, span, "invalid integer range")
                    .with_label(problem)
                    .with_help(
                        "write `@range(min..=max)` with min <= max, within the integer type",
                    ),
            );
            return None;
        }
        let range = Some(ir::IntRange { min: lo, max: hi });
        Some(match ty {
            ir::Type::Alias { name, .. } => ir::Type::Alias {
                name,
                target: Box::new(ir::Type::Int { int, range }),
            },
            _ => ir::Type::Int { int, range },
        })
    }

    fn lower_type(&mut self, u: usize, expr: &TypeExpr) -> Option<ir::Type> {
        let defaults = self.defaults[u];
        let missing = |this: &mut Self, what: &str, example: &str, attr: &str| {
            this.diags.push(
                Diagnostic::new(Code::MissingBound, expr.span, format!("{what} without a bound"))
                    .with_label("every string, bytes and array needs a maximum size")
                    .with_help(format!(
                        "write `{example}`, or set a package-wide default with `@{attr}(N)` before `package`"
                    )),
            );
            None
        };
        Some(match &expr.kind {
            TypeExprKind::Scalar(s) => scalar(*s),
            TypeExprKind::String { max } => ir::Type::String {
                max_len: match max {
                    Some(m) => self.bound(m.value, m.span, "string")?,
                    None => match defaults.string {
                        Some(d) => d,
                        None => {
                            return missing(self, "a string", "string<64>", "default_max_string")
                        }
                    },
                },
            },
            TypeExprKind::Bytes { max } => ir::Type::Bytes {
                max_len: match max {
                    Some(m) => self.bound(m.value, m.span, "bytes")?,
                    None => match defaults.bytes {
                        Some(d) => d,
                        None => {
                            return missing(self, "a bytes type", "bytes<256>", "default_max_bytes")
                        }
                    },
                },
            },
            TypeExprKind::FixedBytes { len } => ir::Type::FixedBytes {
                len: self.bound(len.value, len.span, "fixed")?,
            },
            TypeExprKind::Array { element, max } => {
                let element = self.lower_type(u, element);
                // The parser bounds nesting within one expression; aliases can stack expressions
                // (`type A = array<B>; type B = array<C>; ...`), so bound the resolved type too. It
                // also bounds the depth of every later walk over IR types.
                if let Some(e) = &element {
                    let levels = 1 + nesting(e);
                    if levels > MAX_TYPE_NESTING {
                        self.diags.push(
                            Diagnostic::new(
                                Code::NestingTooDeep,
                                expr.span,
                                format!(
                                    "type nested more than {MAX_TYPE_NESTING} levels deep through aliases"
                                ),
                            )
                            .with_label(format!("{levels} levels once its aliases are expanded"))
                            .with_help("use a message for one of the inner levels"),
                        );
                        return None;
                    }
                }
                let max_items = match max {
                    Some(m) => self.bound(m.value, m.span, "array"),
                    None => match defaults.items {
                        Some(d) => Some(d),
                        None => {
                            return missing(self, "an array", "array<T, 16>", "default_max_items")
                        }
                    },
                };
                ir::Type::Array {
                    element: Box::new(element?),
                    max_items: max_items?,
                }
            }
            TypeExprKind::Named(path) => {
                let (full, r) = match self.symbols.resolve(
                    u,
                    path,
                    self.packages,
                    &mut self.usage,
                    !self.diags.is_full(),
                ) {
                    Ok(found) => found,
                    Err(Some(d)) => {
                        self.diags.push(*d);
                        return None;
                    }
                    Err(None) => return None,
                };
                match &self.units[r.unit].ast.items[r.item].kind {
                    ItemKind::Message(_) => ir::Type::Message { name: full },
                    ItemKind::Enum(_) => ir::Type::Enum { name: full },
                    ItemKind::Union(_) => ir::Type::Union { name: full },
                    ItemKind::Alias(_) => {
                        let target = self.alias_targets.get(&full).cloned().flatten()?;
                        ir::Type::Alias {
                            name: full,
                            target: Box::new(target),
                        }
                    }
                }
            }
        })
    }

    fn lower_default(&mut self, u: usize, lit: &Literal, ty: &ir::Type) -> Option<ir::Value> {
        let span = lit.span();
        let mismatch = |this: &mut Self, expected: &str| {
            this.diags.push(
                Diagnostic::new(
                    Code::DefaultTypeMismatch,
                    span,
                    format!(
                        "default value has the wrong type: expected {expected}, found {}",
                        lit.describe()
                    ),
                )
                .with_label(format!("expected {expected}")),
            );
            None
        };
        let out_of_range = |this: &mut Self, why: String| {
            this.diags.push(
                Diagnostic::new(Code::DefaultOutOfRange, span, "default value out of range")
                    .with_label(why),
            );
            None
        };
        match (ty.resolved(), lit) {
            (ir::Type::Bool, Literal::Bool { value, .. }) => Some(ir::Value::Bool(*value)),
            (ir::Type::Bool, _) => mismatch(self, "`true` or `false`"),
            (ir::Type::Int { int, range }, Literal::Int(i)) => {
                let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
                if (lo..=hi).contains(&i.value) {
                    Some(ir::Value::Int(i.value))
                } else {
                    out_of_range(self, format!("{} is not within {lo}..={hi}", i.value))
                }
            }
            (ir::Type::Int { .. }, _) => mismatch(self, "an integer"),
            (ir::Type::Float { float }, Literal::Float { value, .. }) => {
                if *float == ir::FloatType::F32 && value.abs() > f32::MAX as f64 {
                    out_of_range(self, format!("{value:e} does not fit in an f32"))
                } else {
                    Some(ir::Value::Float(*value))
                }
            }
            (ir::Type::Float { .. }, Literal::Int(i)) => Some(ir::Value::Float(i.value as f64)),
            (ir::Type::Float { .. }, _) => mismatch(self, "a number"),
            (ir::Type::String { max_len }, Literal::Str { value, .. }) => {
                if value.len() <= *max_len as usize {
                    Some(ir::Value::String(value.clone()))
                } else {
                    out_of_range(
                        self,
                        format!("{} bytes long; the bound is {max_len}", value.len()),
                    )
                }
            }
            (ir::Type::String { .. }, _) => mismatch(self, "a string"),
            (ir::Type::Enum { name }, Literal::Path(p)) if p.segments.len() == 1 => {
                let r = self.symbols.by_name.get(name)?;
                let ItemKind::Enum(block) = &self.units[r.unit].ast.items[r.item].kind else {
                    return None;
                };
                let wanted = &p.segments[0].name;
                match block.members().find(|v| &v.name.name == wanted) {
                    Some(v) => Some(ir::Value::Enum {
                        name: wanted.clone(),
                        value: v.value.value.clamp(0, u32::MAX as i128) as u32,
                    }),
                    None => {
                        let mut d = Diagnostic::new(
                            Code::DefaultTypeMismatch,
                            span,
                            format!("`{wanted}` is not a value of enum `{name}`"),
                        )
                        .with_label("unknown enum value");
                        let candidates = block
                            .members()
                            .map(|v| v.name.name.as_str())
                            .filter(|_| !self.diags.is_full());
                        if let Some(s) = did_you_mean(wanted, candidates) {
                            d = d.with_help(format!("did you mean `{s}`?"));
                        }
                        self.diags.push(d);
                        None
                    }
                }
            }
            (ir::Type::Enum { name }, Literal::Path(p)) => {
                let last = &p.segments[p.segments.len() - 1].name;
                self.diags.push(
                    Diagnostic::new(
                        Code::DefaultTypeMismatch,
                        span,
                        format!(
                            "an enum default is the value's name alone, not `{}`",
                            p.text()
                        ),
                    )
                    .with_label(format!("a value of `{name}` is expected here"))
                    .with_help(format!("write `= {last}`")),
                );
                None
            }
            (ir::Type::Enum { .. }, _) => mismatch(self, "the name of an enum value"),
            (other, _) => {
                let _ = u;
                let kind = match other {
                    ir::Type::Bytes { .. } | ir::Type::FixedBytes { .. } => "bytes",
                    ir::Type::Array { .. } => "arrays",
                    ir::Type::Message { .. } => "messages",
                    _ => "unions",
                };
                self.diags.push(
                    Diagnostic::new(Code::DefaultNotAllowed, span, format!("{kind} cannot have a default value"))
                        .with_label("default not allowed here")
                        .with_help("defaults apply to bool, integer, float, string and enum fields; make the field `optional` instead"),
                );
                None
            }
        }
    }
}

/// An alias's lowered target without its own alias wrapper: `type B = A;` targets what `A` targets, so
/// alias chains stay one level deep however long they are (and the IR's "an alias's target is never
/// an alias" holds).
fn strip_alias(ty: ir::Type) -> ir::Type {
    match ty {
        ir::Type::Alias { target, .. } => *target,
        other => other,
    }
}

/// Levels of a lowered type: 1 for a non-array, plus one per array around it (alias wrappers are
/// transparent). Iterative; types are chains, not trees.
fn nesting(ty: &ir::Type) -> usize {
    let mut levels = 1;
    let mut at = ty.resolved();
    while let ir::Type::Array { element, .. } = at {
        levels += 1;
        at = element.resolved();
    }
    levels
}

fn scalar(s: Scalar) -> ir::Type {
    let int = |int| ir::Type::Int { int, range: None };
    match s {
        Scalar::Bool => ir::Type::Bool,
        Scalar::U8 => int(ir::IntType::U8),
        Scalar::U16 => int(ir::IntType::U16),
        Scalar::U32 => int(ir::IntType::U32),
        Scalar::U64 => int(ir::IntType::U64),
        Scalar::I8 => int(ir::IntType::I8),
        Scalar::I16 => int(ir::IntType::I16),
        Scalar::I32 => int(ir::IntType::I32),
        Scalar::I64 => int(ir::IntType::I64),
        Scalar::F32 => ir::Type::Float {
            float: ir::FloatType::F32,
        },
        Scalar::F64 => ir::Type::Float {
            float: ir::FloatType::F64,
        },
    }
}

/// Every named type a type expression mentions.
fn named_paths(expr: &TypeExpr) -> Vec<&ast::Path> {
    match &expr.kind {
        TypeExprKind::Named(p) => vec![p],
        TypeExprKind::Array { element, .. } => named_paths(element),
        _ => Vec::new(),
    }
}

fn lower_reserved<'a>(lines: impl Iterator<Item = &'a ast::Reserved>) -> ir::Reserved {
    let clamp = |v: i128| v.clamp(0, u32::MAX as i128) as u32;
    let mut out = ir::Reserved::default();
    for entry in lines.flat_map(|r| &r.entries) {
        match entry {
            ast::ReservedEntry::Number(n) => out.ranges.push(ir::KeyRange {
                start: clamp(n.value),
                end: clamp(n.value),
            }),
            ast::ReservedEntry::Range(a, b) => out.ranges.push(ir::KeyRange {
                start: clamp(a.value),
                end: clamp(b.value),
            }),
            ast::ReservedEntry::Name { value, .. } => out.names.push(value.clone()),
        }
    }
    out
}
