//! The docs backend: the IR rendered as Markdown reference pages — the specification's message
//! reference chapter, or a vendor's own packages.
//!
//! Every package, type, field, variant and enum value appears with its key, type, bounds, doc comment
//! and standard attributes (`@iotp2p.writable`, `unit`, ...); types link to each other; each type lists
//! who uses it, its largest encoded size, and the worked examples the prose gives for it. A vendor's
//! page documents only the packages it names: imported types are named in full and linked only when a
//! base URL for them is given. The template is `codegen/templates/docs/reference.md`.

pub mod examples;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use askama::Template;

pub use examples::{Example, Expect};

use super::{Backend, GeneratedFile};
use crate::ir::{self, Presence, Schema, Type, TypeKind};
use crate::model::{Kind, Model, TypeModel};

/// What the pages are called and numbered, and which packages they document.
#[derive(Clone, Debug)]
pub struct ChapterOptions {
    /// Section number prefix, e.g. `11`.
    pub number: String,
    /// Chapter title.
    pub title: String,
    /// The command that regenerates the chapter, quoted in its header.
    pub regenerate: String,
    /// The specification's own chapter (its header and reading notes), or pages for a vendor's
    /// packages.
    pub spec_chapter: bool,
    /// The packages to document; `None`: every package of the schema.
    pub only: Option<BTreeSet<String>>,
    /// Where the pages of packages that are not documented here live (their types link to
    /// `<base>#<anchor>`); `None`: such types are named, not linked.
    pub imports_url: Option<String>,
}

impl Default for ChapterOptions {
    fn default() -> Self {
        ChapterOptions {
            number: "11".into(),
            title: "Message reference".into(),
            regenerate: "iotp2p doc".into(),
            spec_chapter: true,
            only: None,
            imports_url: None,
        }
    }
}

/// How a reference to a type is written: a link within the page, a link to another page, or the
/// type's full name.
struct Links<'a> {
    documented: BTreeSet<&'a str>,
    imports_url: Option<&'a str>,
}

impl Links<'_> {
    fn link(&self, full_name: &str) -> String {
        let short = full_name.rsplit('.').next().unwrap_or(full_name);
        let package = full_name.rsplit_once('.').map_or("", |(p, _)| p);
        if self.documented.contains(package) {
            return format!("[`{short}`](#{})", anchor(full_name));
        }
        match self.imports_url {
            Some(base) => format!("[`{full_name}`]({base}#{})", anchor(full_name)),
            None => format!("`{full_name}`"),
        }
    }
}

#[derive(Template)]
#[template(path = "docs/reference.md", escape = "none")]
struct Page<'a> {
    options: &'a ChapterOptions,
    packages: Vec<PackageView>,
}

struct PackageView {
    number: String,
    anchor: String,
    name: String,
    version: String,
    doc: String,
    types: Vec<TypeView>,
}

struct TypeView {
    number: String,
    anchor: String,
    name: String,
    full_name: String,
    kind: &'static str,
    doc: String,
    summary: String,
    origin: String,
    deprecated: String,
    max_size: String,
    /// Table header and rows, pre-rendered (the columns differ by kind).
    header: &'static str,
    rows: Vec<String>,
    alias_target: String,
    reserved: String,
    used_by: Vec<String>,
    examples: Vec<ExampleView>,
}

struct ExampleView {
    id: String,
    description: String,
    json: String,
    diag: String,
    hex: String,
}

/// Anchor of a type or package: its full name, lowercased, dots as dashes.
pub fn anchor(full_name: &str) -> String {
    full_name.to_ascii_lowercase().replace('.', "-")
}

/// Doc text fit for one table cell: paragraphs kept apart, pipes escaped.
fn cell(doc: &str) -> String {
    doc.split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("<br><br>")
        .replace('|', "\\|")
}

/// The first sentence of a doc comment, for summary tables.
fn summary(doc: &str) -> String {
    let first = doc.split("\n\n").next().unwrap_or("");
    let flat = first.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat.find(". ").map_or(flat.len(), |i| i + 1);
    flat[..end].replace('|', "\\|")
}

/// A type as Markdown: schema syntax, named types linked, bounds and ranges spelled out.
fn type_md(ty: &Type, links: &Links) -> String {
    match ty {
        Type::Bool => "`bool`".into(),
        Type::Int { int, range: None } => format!("`{}`", int.keyword()),
        Type::Int {
            int,
            range: Some(r),
        } => format!("`{}` {}..={}", int.keyword(), r.min, r.max),
        Type::Float { float } => match float {
            ir::FloatType::F32 => "`f32`".into(),
            ir::FloatType::F64 => "`f64`".into(),
        },
        Type::String { max_len } => format!("`string` ≤ {max_len} bytes"),
        Type::Bytes { max_len } => format!("`bytes` ≤ {max_len}"),
        Type::FixedBytes { len } => format!("`bytes[{len}]`"),
        Type::Array { element, max_items } => {
            format!("array of {} (≤ {max_items})", type_md(element, links))
        }
        Type::Message { name } | Type::Enum { name } | Type::Union { name } => links.link(name),
        Type::Alias { name, target } => {
            format!("{} ({})", links.link(name), type_md(target, links))
        }
    }
}

fn value_md(v: &ir::Value) -> String {
    match v {
        ir::Value::Bool(b) => format!("`{b}`"),
        ir::Value::Int(i) => format!("`{i}`"),
        ir::Value::Float(f) => format!("`{f:?}`"),
        ir::Value::String(s) => format!("`{s:?}`"),
        ir::Value::Enum { name, .. } => format!("`{name}`"),
    }
}

/// The standard attributes of a member or type (spec/07-capability-model.md §7.3), as a list: what a
/// node allows (writable, fresh, ...) and how to read the value (unit, scale); `None` when it has none.
fn attributes_list(attributes: &[ir::Attribute]) -> Option<String> {
    let shown: Vec<String> = attributes
        .iter()
        .filter_map(|a| {
            let name = a.name.strip_prefix("iotp2p.")?;
            Some(match a.args.as_slice() {
                [] => name.to_string(),
                [ir::AttributeArg::String(s)] => format!("{name} `{}`", s.replace('|', "\\|")),
                [ir::AttributeArg::Int(i)] => format!("{name} {i}"),
                _ => name.to_string(),
            })
        })
        .collect();
    (!shown.is_empty()).then(|| shown.join(", "))
}

/// [`attributes_list`] in italics, before a member's description.
fn attributes_md(attributes: &[ir::Attribute]) -> String {
    attributes_list(attributes).map_or(String::new(), |l| format!("*{l}.* "))
}

fn deprecated_md(d: &Option<ir::Deprecation>) -> String {
    match d {
        None => String::new(),
        Some(ir::Deprecation { note: None }) => "**Deprecated.** ".into(),
        Some(ir::Deprecation { note: Some(n) }) => format!("**Deprecated:** {}. ", cell(n)),
    }
}

fn reserved_md(r: &ir::Reserved, what: &str) -> String {
    let mut parts = Vec::new();
    if !r.ranges.is_empty() {
        let ranges: Vec<String> = r
            .ranges
            .iter()
            .map(|k| {
                if k.start == k.end {
                    format!("{}", k.start)
                } else {
                    format!("{}–{}", k.start, k.end)
                }
            })
            .collect();
        parts.push(format!("reserved {what}: {}", ranges.join(", ")));
    }
    if !r.names.is_empty() {
        let names: Vec<String> = r.names.iter().map(|n| format!("`{n}`")).collect();
        parts.push(format!("reserved names: {}", names.join(", ")));
    }
    if parts.is_empty() {
        return String::new();
    }
    let mut s = parts.join("; ");
    s[..1].make_ascii_uppercase();
    s + "."
}

/// Who refers to each type: `Type.member` links, by referenced full name.
fn users(schema: &Schema, documented: &BTreeSet<&str>) -> HashMap<String, Vec<String>> {
    fn visit(ty: &Type, user: &str, out: &mut HashMap<String, Vec<String>>) {
        match ty {
            Type::Message { name } | Type::Enum { name } | Type::Union { name } => {
                out.entry(name.clone()).or_default().push(user.to_string());
            }
            Type::Alias { name, target } => {
                out.entry(name.clone()).or_default().push(user.to_string());
                visit(target, user, out);
            }
            Type::Array { element, .. } => visit(element, user, out),
            _ => {}
        }
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    // Only users on this page: a link to a type that is not documented here would lead nowhere.
    let shown = schema
        .packages
        .iter()
        .filter(|p| documented.contains(p.name.as_str()));
    for def in shown.flat_map(|p| &p.types) {
        let here = |member: &str| format!("[`{}.{member}`](#{})", def.name, anchor(&def.full_name));
        match &def.kind {
            TypeKind::Message { fields, .. } => fields
                .iter()
                .for_each(|f| visit(&f.ty, &here(&f.name), &mut out)),
            TypeKind::Union { variants, .. } => variants
                .iter()
                .filter_map(|v| Some((v, v.ty.as_ref()?)))
                .for_each(|(v, t)| visit(t, &here(&v.name), &mut out)),
            TypeKind::Alias { target } => visit(
                target,
                &format!("[`{}`](#{})", def.name, anchor(&def.full_name)),
                &mut out,
            ),
            TypeKind::Enum { .. } => {}
        }
    }
    for list in out.values_mut() {
        list.dedup();
    }
    out
}

fn type_view(
    model: &TypeModel,
    links: &Links,
    number: String,
    users: &HashMap<String, Vec<String>>,
    examples: &BTreeMap<&str, Vec<&Example>>,
) -> TypeView {
    let def = model.def;
    let reserved = |what: &str| match &def.kind {
        TypeKind::Message { reserved, .. }
        | TypeKind::Union { reserved, .. }
        | TypeKind::Enum { reserved, .. } => reserved_md(reserved, what),
        TypeKind::Alias { .. } => String::new(),
    };
    let (kind, header, rows, alias_target, reserved) = match &model.kind {
        Kind::Message(message) => {
            let rows = message
                .fields_in_wire_order()
                .map(|f| f.ir)
                .map(|f| {
                    let presence = match &f.presence {
                        Presence::Required => "required".to_string(),
                        Presence::Optional => "optional".to_string(),
                        Presence::Default(v) => format!("default {}", value_md(v)),
                    };
                    format!(
                        "| {} | `{}` | {} | {} | {}{}{} |",
                        f.key,
                        f.name,
                        type_md(&f.ty, links),
                        presence,
                        deprecated_md(&f.deprecated),
                        attributes_md(&f.attributes),
                        cell(&f.doc)
                    )
                })
                .collect();
            let header = "| key | field | type | presence | description |\n|---:|---|---|---|---|";
            ("message", header, rows, String::new(), reserved("keys"))
        }
        Kind::Union(union) => {
            let rows = union
                .variants_by_key()
                .into_iter()
                .map(|v| v.ir)
                .map(|v| {
                    format!(
                        "| {} | `{}` | {} | {}{}{} |",
                        v.key,
                        v.name,
                        v.ty.as_ref()
                            .map_or("— (unit: `null`)".to_string(), |t| { type_md(t, links) }),
                        deprecated_md(&v.deprecated),
                        attributes_md(&v.attributes),
                        cell(&v.doc)
                    )
                })
                .collect();
            let header = "| key | variant | type | description |\n|---:|---|---|---|";
            ("union", header, rows, String::new(), reserved("keys"))
        }
        Kind::Enum(e) => {
            let mut sorted: Vec<&ir::EnumValue> = e.values.iter().collect();
            sorted.sort_by_key(|v| v.value);
            let rows = sorted
                .iter()
                .map(|v| {
                    format!(
                        "| {} | `{}` | {}{} |",
                        v.value,
                        v.name,
                        deprecated_md(&v.deprecated),
                        cell(&v.doc)
                    )
                })
                .collect();
            let header = "| value | name | description |\n|---:|---|---|";
            ("enum", header, rows, String::new(), reserved("values"))
        }
        Kind::Alias(alias) => (
            "type alias",
            "",
            Vec::new(),
            match attributes_list(&def.attributes) {
                Some(list) => format!("{} (*{list}*)", type_md(alias.target, links)),
                None => type_md(alias.target, links),
            },
            String::new(),
        ),
    };
    let examples = examples
        .get(def.full_name.as_str())
        .into_iter()
        .flatten()
        .filter_map(|e| match &e.expect {
            // Rejected inputs belong to the wire-format chapter's prose, not to the type reference.
            Expect::Invalid { .. } => None,
            Expect::Valid { json, diag } => Some(ExampleView {
                id: e.id.clone(),
                description: e.description.clone(),
                json: json.clone(),
                diag: diag.clone(),
                hex: e.hex.split_whitespace().collect::<Vec<_>>().join(" "),
            }),
        })
        .collect();
    TypeView {
        number,
        anchor: anchor(&def.full_name),
        name: def.name.clone(),
        full_name: def.full_name.clone(),
        kind,
        doc: def.doc.clone(),
        summary: summary(&def.doc),
        origin: format!("{}:{}", def.location.file, def.location.line),
        deprecated: deprecated_md(&def.deprecated),
        max_size: model.max_encoded_size.to_string(),
        header,
        rows,
        alias_target,
        reserved,
        used_by: users.get(&def.full_name).cloned().unwrap_or_default(),
        examples,
    }
}

/// Renders the reference chapter for every package of `schema`, with `examples` placed under their
/// types (examples for unknown types are ignored here; the spec tests report them).
pub fn render_reference(schema: &Schema, examples: &[Example], options: &ChapterOptions) -> String {
    render(&Model::new(schema), examples, options)
}

/// The docs backend: the reference pages as one Markdown file, `reference.md`.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    /// The worked examples to place under their types.
    pub examples: Vec<Example>,
    /// What the pages are called and which packages they document.
    pub options: ChapterOptions,
}

impl Backend for Docs {
    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile> {
        vec![GeneratedFile {
            name: "reference.md".into(),
            contents: render(model, &self.examples, &self.options),
        }]
    }
}

/// [`render_reference`] over a model already built.
fn render(model: &Model<'_>, examples: &[Example], options: &ChapterOptions) -> String {
    let schema = model.schema();
    let documented: BTreeSet<&str> = schema
        .packages
        .iter()
        .map(|p| p.name.as_str())
        .filter(|p| options.only.as_ref().is_none_or(|only| only.contains(*p)))
        .collect();
    let links = Links {
        documented: documented.clone(),
        imports_url: options.imports_url.as_deref(),
    };
    let users = users(schema, &documented);
    let mut by_type: BTreeMap<&str, Vec<&Example>> = BTreeMap::new();
    for e in examples {
        by_type.entry(e.type_name.as_str()).or_default().push(e);
    }
    let packages = model
        .packages()
        .iter()
        .filter(|p| documented.contains(p.ir.name.as_str()))
        .enumerate()
        .map(|(p, package)| {
            let pkg = package.ir;
            let number = format!("{}.{}", options.number, p + 1);
            PackageView {
                anchor: anchor(&pkg.name),
                name: pkg.name.clone(),
                version: pkg
                    .version
                    .map_or(String::new(), |v| format!(" (version {v})")),
                doc: pkg.doc.clone(),
                types: package
                    .types
                    .iter()
                    .enumerate()
                    .map(|(t, def)| {
                        let number = format!("{number}.{}", t + 1);
                        type_view(def, &links, number, &users, &by_type)
                    })
                    .collect(),
                number,
            }
        })
        .collect();
    let page = Page { options, packages };
    let mut text = page.render().expect("the reference template renders");
    // Templates leave runs of blank lines around optional parts; Markdown wants at most one.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}
