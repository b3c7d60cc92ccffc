//! The Rust backend: zero-copy, `no_std` encoders and decoders, one module per schema package.
//!
//! Generated types borrow from the input (`&'a str`, `&'a [u8]`, validated [`Array`] views), decoding
//! validates the whole value up front, and encoding writes straight into the caller's buffer. The code
//! calls the small runtime of the `iotp2p-codec` crate (`Reader`, `Writer`, `Array`, ...), reached
//! through [`RustOptions::runtime`]. The template is `codegen/templates/rust/package.rs`.
//!
//! Two optional layers follow the runtime crate's features (not the features of the crate the code
//! is generated into: they are wrapped in the runtime's `cfg_alloc!` and `cfg_serde!` macros):
//!
//! - `alloc` (template `alloc.rs`): in each package module, a module `owned` with an owned
//!   counterpart of every message and union (`owned::SetLevel`: `String`, `Vec<u8>`, `[u8; N]`,
//!   `Vec<T>`, `Box<T>` for recursive members, owned unknown fields), with its own `decode`, `encode`,
//!   `encode_to_vec`; and on the borrowed types `into_owned` and `encode_to_vec`;
//! - `serde` (template `serde.rs`): the canonical JSON mapping of spec/04-wire-format.md §4.18 as
//!   `Serialize` for borrowed and owned types and `Deserialize` for owned types and enums, plus
//!   `to_json` / `from_json` by type name in the index;
//! - `arbitrary` (template `arbitrary.rs`, model `arbitrary.rs`): `Arbitrary` for every owned type
//!   and enum, building values that mostly keep to the schema's bounds, an audit of a value against
//!   them and a generic view of each type for fuzzing (`rt::fuzz`), plus `visit_type` by type name
//!   in the index.
//!
//! [`Array`]: https://docs.rs/iotp2p-codec

mod arbitrary;
mod model;
pub mod names;

use askama::Template;

use crate::ir::{self, Schema, TypeKind};
use model::{alias_view, doc_lines, field_view, variant_view, Ctx, FieldView, VariantView};

/// How generated code refers to the world outside it.
#[derive(Clone, Debug)]
pub struct RustOptions {
    /// Path of the codec runtime module: `::iotp2p_codec::runtime` for vendor crates,
    /// `crate::runtime` inside the codec crate itself.
    pub runtime: String,
    /// Packages generated elsewhere, with the Rust path of their module: for example
    /// `("iotp2p.core", "::iotp2p_codec::core")` so that a vendor package reuses the codec crate's
    /// core types instead of generating them again. Such packages are not generated.
    pub extern_packages: Vec<(String, String)>,
    /// Whether to pipe the output through `rustfmt` (when it is installed).
    pub rustfmt: bool,
    /// How the index (`mod.rs`) declares the package modules: `false` for files beside it
    /// (`pub mod iotp2p_core;`), `true` for a build script's output, where the index is itself
    /// `include!`d and each module includes its file from `OUT_DIR`.
    pub modules_in_out_dir: bool,
}

impl Default for RustOptions {
    fn default() -> Self {
        RustOptions {
            runtime: "::iotp2p_codec::runtime".into(),
            extern_packages: Vec::new(),
            rustfmt: true,
            modules_in_out_dir: false,
        }
    }
}

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// File name, e.g. `iotp2p_core.rs`.
    pub name: String,
    /// Its contents.
    pub contents: String,
}

#[derive(Template)]
#[template(path = "rust/mod.rs", escape = "none")]
struct ModTemplate<'t> {
    version: &'static str,
    runtime: String,
    modules: Vec<ModuleView>,
    types: &'t [TypeEntry],
}

/// The index's `arbitrary` layer: `visit_type` by type name.
#[derive(Template)]
#[template(path = "rust/index_arbitrary.rs", escape = "none")]
struct IndexArbitraryTemplate<'t> {
    runtime: String,
    types: &'t [TypeEntry],
}

/// The index's `serde` layer: `to_json` and `from_json` by type name.
#[derive(Template)]
#[template(path = "rust/index_serde.rs", escape = "none")]
struct IndexSerdeTemplate<'t> {
    runtime: String,
    types: &'t [TypeEntry],
}

struct ModuleView {
    name: String,
    docs: Vec<String>,
    /// The file to `include!` from `OUT_DIR` (see [`RustOptions::modules_in_out_dir`]).
    out_dir_file: Option<String>,
}

struct TypeEntry {
    full_name: String,
    /// Path from the generated module root, e.g. `iotp2p_core::Envelope`.
    path: String,
    /// Path of the owned counterpart, e.g. `iotp2p_core::owned::Envelope`.
    owned_path: String,
    is_enum: bool,
}

#[derive(Template)]
#[template(path = "rust/package.rs", escape = "none")]
struct PackageTemplate<'v> {
    version: &'static str,
    source: String,
    package: String,
    runtime: String,
    items: &'v [ItemView],
}

/// A package's `alloc` layer: `into_owned`, `encode_to_vec` and the `owned` module.
#[derive(Template)]
#[template(path = "rust/alloc.rs", escape = "none")]
struct AllocTemplate<'v> {
    package: String,
    items: &'v [ItemView],
}

/// A package's `serde` layer: the canonical JSON mapping.
#[derive(Template)]
#[template(path = "rust/serde.rs", escape = "none")]
struct SerdeTemplate<'v> {
    items: &'v [ItemView],
}

struct ValueView {
    docs: Vec<String>,
    deprecated: Option<String>,
    name: String,
    number: u32,
}

struct ItemView {
    kind: &'static str,
    name: String,
    docs: Vec<String>,
    deprecated: Option<String>,
    max_size: u64,
    /// Whether `max_size` fits a 32-bit `usize`; a larger one is generated saturating, so that the
    /// constant compiles on every target.
    max_size_fits_32_bit: bool,
    // Aliases.
    lifetime: bool,
    alias_type: String,
    owned_alias_type: String,
    // Enums and unions: the name of the catch-all variant.
    other: String,
    values: Vec<ValueView>,
    variants: Vec<VariantView>,
    // Messages.
    fields: Vec<FieldView>,
    /// The fields again, in key order (the order of the encoding).
    sorted: Vec<FieldView>,
    known_keys: String,
    unknown: String,
    /// Whether a field is required (the decoder then reports `missing-field` at the map's start).
    has_required: bool,
    /// Whether a field has a default (the decoder then remembers where each key starts).
    has_defaults: bool,
    // Recursive cycles.
    budget: Option<u32>,
    counts_depth: bool,
    /// JSON member names with their keys (fields or variants), or enum value names with their
    /// numbers: the entries of a Rust slice literal.
    json_names: String,
}

fn deprecation(d: &Option<ir::Deprecation>) -> Option<String> {
    d.as_ref()
        .map(|d| d.note.clone().unwrap_or_default().replace('"', "\\\""))
}

/// A name for a generated member that no schema member uses.
fn free_name(preferred: &str, taken: &[String]) -> String {
    let mut name = preferred.to_string();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

fn item_view(ctx: &Ctx<'_>, def: &ir::TypeDef) -> ItemView {
    let mut view = ItemView {
        kind: "",
        name: names::upper(&def.name),
        docs: doc_lines(&def.doc),
        deprecated: deprecation(&def.deprecated),
        max_size: ctx.sizes.get(&def.full_name).copied().unwrap_or(0),
        max_size_fits_32_bit: ctx.sizes.get(&def.full_name).copied().unwrap_or(0)
            <= u64::from(u32::MAX),
        lifetime: false,
        alias_type: String::new(),
        owned_alias_type: String::new(),
        other: String::new(),
        values: Vec::new(),
        variants: Vec::new(),
        fields: Vec::new(),
        sorted: Vec::new(),
        known_keys: String::new(),
        unknown: String::new(),
        has_required: false,
        has_defaults: false,
        budget: ctx.budget(&def.full_name),
        counts_depth: ctx.counts_depth(&def.full_name),
        json_names: String::new(),
    };
    match &def.kind {
        TypeKind::Alias { target } => {
            view.kind = "alias";
            (view.lifetime, view.alias_type, view.owned_alias_type) = alias_view(ctx, def, target);
        }
        TypeKind::Enum { values, .. } => {
            view.kind = "enum";
            view.values = values
                .iter()
                .map(|v| ValueView {
                    docs: doc_lines(&v.doc),
                    deprecated: deprecation(&v.deprecated),
                    name: names::upper(&v.name),
                    number: v.value,
                })
                .collect();
            let taken: Vec<String> = view.values.iter().map(|v| v.name.clone()).collect();
            view.other = free_name("Unrecognized", &taken);
            view.json_names = json_table(values.iter().map(|v| (&v.name, v.value as u64)));
        }
        TypeKind::Union { variants, .. } => {
            view.kind = "union";
            view.variants = variants.iter().map(|v| variant_view(ctx, def, v)).collect();
            let taken: Vec<String> = view.variants.iter().map(|v| v.name.clone()).collect();
            view.other = free_name("Unrecognized", &taken);
            view.json_names = json_table(variants.iter().map(|v| (&v.name, v.key as u64)));
            let mut keys: Vec<u64> = variants.iter().map(|v| v.key as u64).collect();
            keys.sort_unstable();
            view.known_keys = keys
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
        }
        TypeKind::Message { fields, .. } => {
            view.kind = "message";
            view.has_required = fields.iter().any(|f| f.presence == ir::Presence::Required);
            view.has_defaults = fields
                .iter()
                .any(|f| matches!(f.presence, ir::Presence::Default(_)));
            view.fields = fields.iter().map(|f| field_view(ctx, def, f)).collect();
            let mut sorted: Vec<&ir::Field> = fields.iter().collect();
            sorted.sort_by_key(|f| f.key);
            view.sorted = sorted.iter().map(|f| field_view(ctx, def, f)).collect();
            view.known_keys = sorted
                .iter()
                .map(|f| f.key.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let taken: Vec<String> = view.fields.iter().map(|f| f.name.clone()).collect();
            view.unknown = free_name("unknown_fields", &taken);
            view.json_names = json_table(fields.iter().map(|f| (&f.name, f.key as u64)));
        }
    }
    view
}

/// `("name", number), ...`: a table of names for the JSON mapping.
fn json_table<'n>(entries: impl Iterator<Item = (&'n String, u64)>) -> String {
    entries
        .map(|(name, number)| format!("({name:?}, {number})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Generates one Rust module per package of `schema` (packages listed in
/// [`RustOptions::extern_packages`] excepted), plus `mod.rs` declaring them with their docs, the list
/// of generated types and a `transcode` entry point by type name.
pub fn generate(schema: &Schema, options: &RustOptions) -> Vec<GeneratedFile> {
    let mut ctx = Ctx::new(schema, options);
    let mut files = Vec::new();
    let mut modules = Vec::new();
    let mut types = Vec::new();
    for package in &schema.packages {
        if options
            .extern_packages
            .iter()
            .any(|(p, _)| p == &package.name)
        {
            continue;
        }
        ctx.package = package.name.clone();
        let items: Vec<ItemView> = package.types.iter().map(|t| item_view(&ctx, t)).collect();
        let template = PackageTemplate {
            version: env!("CARGO_PKG_VERSION"),
            source: package.location.file.clone(),
            package: package.name.clone(),
            runtime: options.runtime.clone(),
            items: &items,
        };
        let mut text = template.render().expect("the Rust template renders");
        let alloc = AllocTemplate {
            package: package.name.clone(),
            items: &items,
        };
        let alloc = alloc.render().expect("the Rust alloc template renders");
        text.push_str(&gated("rt::cfg_alloc", &alloc, options));
        let serde = SerdeTemplate { items: &items };
        let serde = serde.render().expect("the Rust serde template renders");
        text.push_str(&gated("rt::cfg_serde", &serde, options));
        let arbitrary_items: Vec<arbitrary::ArbitraryItem> = package
            .types
            .iter()
            .zip(&items)
            .filter_map(|(t, view)| arbitrary::arbitrary_item(&ctx, t, &view.other, &view.unknown))
            .collect();
        let arbitrary = arbitrary::ArbitraryTemplate {
            items: &arbitrary_items,
        };
        let arbitrary = arbitrary
            .render()
            .expect("the Rust arbitrary template renders");
        text.push_str(&gated("rt::cfg_arbitrary", &arbitrary, options));
        let module = names::module(&package.name);
        for t in &package.types {
            if !matches!(t.kind, TypeKind::Alias { .. }) {
                types.push(TypeEntry {
                    full_name: t.full_name.clone(),
                    path: format!("{module}::{}", names::upper(&t.name)),
                    owned_path: match t.kind {
                        TypeKind::Enum { .. } => format!("{module}::{}", names::upper(&t.name)),
                        _ => format!("{module}::owned::{}", names::upper(&t.name)),
                    },
                    is_enum: matches!(t.kind, TypeKind::Enum { .. }),
                });
            }
        }
        modules.push(ModuleView {
            name: module.clone(),
            docs: doc_lines(&package.doc),
            out_dir_file: options.modules_in_out_dir.then(|| format!("{module}.rs")),
        });
        files.push(GeneratedFile {
            name: format!("{module}.rs"),
            contents: finish(text, options),
        });
    }
    let index = ModTemplate {
        version: env!("CARGO_PKG_VERSION"),
        runtime: options.runtime.clone(),
        modules,
        types: &types,
    };
    let mut text = index.render().expect("the Rust index template renders");
    let index_serde = IndexSerdeTemplate {
        runtime: options.runtime.clone(),
        types: &types,
    };
    let index_serde = index_serde
        .render()
        .expect("the Rust index serde template renders");
    text.push_str(&gated(
        &format!("{}::cfg_serde", options.runtime),
        &index_serde,
        options,
    ));
    let index_arbitrary = IndexArbitraryTemplate {
        runtime: options.runtime.clone(),
        types: &types,
    };
    let index_arbitrary = index_arbitrary
        .render()
        .expect("the Rust index arbitrary template renders");
    text.push_str(&gated(
        &format!("{}::cfg_arbitrary", options.runtime),
        &index_arbitrary,
        options,
    ));
    files.push(GeneratedFile {
        name: "mod.rs".into(),
        contents: finish(text, options),
    });
    files
}

/// Formats with rustfmt when asked and available; otherwise returns the text as rendered.
fn finish(text: String, options: &RustOptions) -> String {
    if !options.rustfmt {
        return text;
    }
    rustfmt(&text, 100).unwrap_or(text)
}

/// `items` wrapped in the runtime macro `gate` (`rt::cfg_alloc`, ...), which keeps them only when the
/// runtime crate has the feature. rustfmt leaves macro bodies alone, so the items are formatted here,
/// on their own and four columns narrower, then indented into the macro call.
fn gated(gate: &str, items: &str, options: &RustOptions) -> String {
    let items = if options.rustfmt {
        rustfmt(items, 96).unwrap_or_else(|| items.to_string())
    } else {
        items.to_string()
    };
    let mut out = format!("\n{gate}! {{\n");
    for line in items.trim_matches('\n').lines() {
        if !line.is_empty() {
            out.push_str("    ");
        }
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("}\n");
    out
}

fn rustfmt(text: &str, max_width: usize) -> Option<String> {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Command::new(std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".into()))
        .args([
            "--edition",
            "2021",
            "--emit",
            "stdout",
            "--quiet",
            "--config",
        ])
        .arg(format!("max_width={max_width}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    // rustfmt can take minutes on deeply nested expressions (arrays of arrays of arrays...); past the
    // limit the unformatted code, which compiles just the same, is used.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        match child.try_wait().ok()? {
            Some(status) => break status,
            None if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    writer.join().ok()?.ok()?;
    let output = reader.join().ok()?.ok()?;
    if !status.success() {
        return None;
    }
    String::from_utf8(output).ok()
}
