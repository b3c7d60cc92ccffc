//! The Rust backend: zero-copy, `no_std` encoders and decoders, one module per schema package.
//!
//! Generated types borrow from the input (`&'a str`, `&'a [u8]`, validated [`Array`] views), decoding
//! validates the whole value up front, and encoding writes straight into the caller's buffer. The code
//! calls the small runtime of the `iotp2p-codec` crate (`Reader`, `Writer`, `Array`, ...), reached
//! through [`RustOptions::runtime`]. Every message and union implements the runtime's `Message`
//! trait: the generator writes `decode_from`, `encoded_len` and `encode_to`, and the trait provides
//! `decode`, `encode` and `encode_to_vec` (callers `use iotp2p_codec::prelude::*`). The template is
//! `codegen/templates/rust/package.rs`.
//!
//! Values are built as prost's are, without spelling out what the schema already says: every
//! message has `new`, taking its required fields in declaration order and setting each defaulted
//! field to its default, each optional one to `None` and no unknown fields (a `const fn`, except in
//! the owned form when a default is a `String` to allocate); `Default`, equal to `new()`, where no
//! field is required; and an associated constant per default, named `DEFAULT_` and the field's name
//! in capitals (`Envelope::DEFAULT_VERSION: u8 = 1`; a string's is a `&'static str`, an enum's its
//! value), on both forms (template `construct.rs`). Other fields are set with struct update syntax:
//! `Envelope { ack_requested: true, ..Envelope::new(id) }`.
//!
//! Two optional layers follow the runtime crate's features (not the features of the crate the code
//! is generated into: they are wrapped in the runtime's `cfg_alloc!` and `cfg_serde!` macros):
//!
//! - `alloc` (template `alloc.rs`): in each package module, a module `owned` with an owned
//!   counterpart of every message and union (`owned::SetLevel`: `String`, `Vec<u8>`, `[u8; N]`,
//!   `Vec<T>`, `Box<T>` for recursive members, owned unknown fields), itself a `Message`, with
//!   `IntoOwned` for the borrowed type in one invocation of `rt::owned_message!` or
//!   `rt::owned_union!` (and `AsBorrowed` and the `Message` through the borrowed form where the
//!   owned form can be seen in it);
//! - `serde` (template `serde.rs`): the canonical JSON mapping of spec/04-wire-format.md §4.18 as
//!   one table per type, which the runtime's macros `rt::json::message_table!`, `union_table!` and
//!   `enum_table!` turn into `Serialize` for borrowed and owned types (a borrowed value is written
//!   as its owned copy) and `Deserialize` for owned types and enums: a message's fields in key order
//!   (key, JSON name, Rust member, marker, presence with the `DEFAULT_<FIELD>` constant), a
//!   union's variants (key, JSON name, Rust variant, payload marker), an enum's names and numbers;
//!   plus `to_json` / `from_json` by type name in the index;
//! - `arbitrary` (template `arbitrary.rs`, model `arbitrary.rs`): `Arbitrary` for every owned type
//!   and enum, building values that mostly keep to the schema's bounds, an audit of a value against
//!   them and a generic view of each type for fuzzing (`rt::fuzz`), plus `visit_type` by type name
//!   in the index.
//!
//! [`Array`]: https://docs.rs/iotp2p-codec

mod arbitrary;
mod expr;
pub mod names;
mod view;

use askama::Template;

use super::Backend;
pub use super::GeneratedFile;
use crate::ir::{Schema, TypeKind};
use crate::model::Model;
use expr::Ctx;
use view::{doc_lines, item_view, role_views, ItemView, RoleView};

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

#[derive(Template)]
#[template(path = "rust/mod.rs", escape = "none")]
struct ModTemplate<'t> {
    version: &'static str,
    runtime: String,
    modules: Vec<ModuleView>,
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
    /// Path from the generated module root, e.g. `iotp2p_core::Envelope` (the owned form is in the
    /// module's `owned`).
    path: String,
}

#[derive(Template)]
#[template(path = "rust/package.rs", escape = "none")]
struct PackageTemplate<'v> {
    version: &'static str,
    source: String,
    package: String,
    runtime: String,
    items: &'v [ItemView],
    /// The roles of the package's `@received_by`, for its `role` module.
    roles: &'v [RoleView],
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

/// Generates one Rust module per package of `schema` (packages listed in
/// [`RustOptions::extern_packages`] excepted), plus `mod.rs` declaring them with their docs, the list
/// of generated types and a `transcode` entry point by type name.
pub fn generate(schema: &Schema, options: &RustOptions) -> Vec<GeneratedFile> {
    Rust {
        options: options.clone(),
    }
    .generate(&Model::new(schema))
}

/// The Rust backend over a model (see [`generate`]).
#[derive(Clone, Debug, Default)]
pub struct Rust {
    /// How the generated code refers to the world outside it.
    pub options: RustOptions,
}

impl Backend for Rust {
    fn generate(&self, model: &Model<'_>) -> Vec<GeneratedFile> {
        generate_from(model, &self.options)
    }
}

fn generate_from(model: &Model<'_>, options: &RustOptions) -> Vec<GeneratedFile> {
    let mut ctx = Ctx::new(model, options);
    let mut files = Vec::new();
    let mut modules = Vec::new();
    let mut types = Vec::new();
    for package_model in model.packages() {
        let package = package_model.ir;
        if options
            .extern_packages
            .iter()
            .any(|(p, _)| p == &package.name)
        {
            continue;
        }
        ctx.package = package.name.clone();
        let items: Vec<ItemView> = package_model
            .types
            .iter()
            .map(|t| item_view(&ctx, t))
            .collect();
        let template = PackageTemplate {
            version: env!("CARGO_PKG_VERSION"),
            source: package.location.file.clone(),
            package: package.name.clone(),
            runtime: options.runtime.clone(),
            items: &items,
            roles: &role_views(&ctx, package_model),
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
        let arbitrary_items: Vec<arbitrary::ArbitraryItem> = package_model
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
    let text = index.render().expect("the Rust index template renders");
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
