//! The Rust backend's `arbitrary` layer (template `templates/rust/arbitrary.rs`, gated by the
//! runtime's `cfg_arbitrary!`): for every enum and every owned message and union, `rt::fuzz::FuzzType`
//! (names, generator and audit) and `Arbitrary` (through its generator); and in the index,
//! `visit_type` (template `templates/rust/index_arbitrary.rs`).
//!
//! Generators follow the schema: each member is built by the `rt::fuzz` generator for its type with
//! its bound or range, so that most values encode and some exceed a bound, a range or the known keys.
//! The audit is written here from the IR, not from the encoder's checks (`expr.rs`), so that fuzzing
//! compares two independent readings of the schema.

use askama::Template;

use super::expr::Ctx;
use super::names;
use crate::ir::{self, FloatType, Presence, Type, TypeKind};
use crate::model::{Shape, TypeModel};

/// A package's `arbitrary` layer.
#[derive(Template)]
#[template(path = "rust/arbitrary.rs", escape = "none")]
pub(super) struct ArbitraryTemplate<'v> {
    pub items: &'v [ArbitraryItem],
}

/// One enum, message or union.
pub(super) struct ArbitraryItem {
    kind: &'static str,
    name: String,
    full_name: String,
    /// Whether the type lies on a recursive cycle.
    cycle: bool,
    // Enums: the known numbers; the catch-all variant (enums and unions).
    numbers: String,
    other: String,
    // Messages.
    fields: Vec<ArbitraryMember>,
    known_keys: String,
    unknown: String,
    // Unions.
    variants: Vec<ArbitraryMember>,
    variant_keys: String,
    /// Whether the union decodes by role: its encoder then accepts a defined key in the catch-all
    /// variant (one a role does not receive), which a full decoder would read as that variant.
    by_role: bool,
    /// Index of the variant chosen when generation must stop nesting.
    exit: usize,
    /// Whether a member's generator reads the nesting depth (which is otherwise unused).
    uses_depth: bool,
    /// Whether the code for the type uses something deprecated, and so allows the lint.
    allow_deprecated: bool,
}

/// One field or variant.
struct ArbitraryMember {
    name: String,
    /// Expression building the member's value (`None`: a unit variant).
    generate: Option<String>,
    /// Statements auditing the value `v` (a reference); empty when there is nothing to check.
    audit: String,
    presence: &'static str,
}

/// Builds the view of `def`; `None` for aliases, which have no impls of their own. `other` and
/// `unknown` are the names the main template gave the catch-all variant and the unknown fields.
pub(super) fn arbitrary_item(
    ctx: &Ctx<'_>,
    t: &TypeModel<'_>,
    other: &str,
    unknown: &str,
) -> Option<ArbitraryItem> {
    let def = t.def;
    let mut item = ArbitraryItem {
        allow_deprecated: t.mentions_deprecated,
        kind: "",
        name: names::upper(&def.name),
        full_name: def.full_name.clone(),
        cycle: ctx.model.graph().cycle_of_name(&def.full_name).is_some(),
        numbers: String::new(),
        other: other.to_string(),
        fields: Vec::new(),
        known_keys: String::new(),
        unknown: unknown.to_string(),
        variants: Vec::new(),
        variant_keys: String::new(),
        by_role: matches!(&t.kind, crate::model::Kind::Union(u) if u.by_role()),
        exit: 0,
        uses_depth: false,
    };
    match &def.kind {
        TypeKind::Alias { .. } => return None,
        TypeKind::Enum { values, .. } => {
            item.kind = "enum";
            item.numbers = join(values.iter().map(|v| v.value));
        }
        TypeKind::Message { fields, .. } => {
            item.kind = "message";
            let mut keys: Vec<u32> = fields.iter().map(|f| f.key).collect();
            keys.sort_unstable();
            item.known_keys = join(keys);
            item.fields = fields
                .iter()
                .map(|f| {
                    let g = Gen::new(ctx, def, &f.name);
                    ArbitraryMember {
                        name: names::field(&f.name),
                        generate: Some(g.member(&f.ty)),
                        audit: g.member_audit(&f.ty),
                        presence: match f.presence {
                            Presence::Optional => "optional",
                            _ => "always",
                        },
                    }
                })
                .collect();
        }
        TypeKind::Union { variants, .. } => {
            item.kind = "union";
            let mut keys: Vec<u32> = variants.iter().map(|v| v.key).collect();
            keys.sort_unstable();
            item.variant_keys = join(keys);
            item.variants = variants
                .iter()
                .map(|v| {
                    let g = Gen::new(ctx, def, &v.name);
                    ArbitraryMember {
                        name: names::upper_camel(&v.name),
                        generate: v.ty.as_ref().map(|t| g.member(t)),
                        audit: v.ty.as_ref().map_or(String::new(), |t| g.member_audit(t)),
                        presence: "always",
                    }
                })
                .collect();
            // Stop nesting with a unit variant, else one whose value is not kept behind a `Box`
            // (arrays, which then come out empty, or types off the cycle), else the first.
            item.exit = variants
                .iter()
                .position(|v| v.ty.is_none())
                .or_else(|| {
                    variants.iter().position(|v| {
                        let g = Gen::new(ctx, def, &v.name);
                        v.ty.as_ref().is_some_and(|t| !g.boxed(t))
                    })
                })
                .unwrap_or(0);
        }
    }
    // Unions choose their variant by depth; a message's optional fields and arrays, and nested
    // types, read it too.
    item.uses_depth = item.kind == "union"
        || item.fields.iter().any(|f| {
            f.presence == "optional" || f.generate.as_ref().is_some_and(|g| g.contains("depth"))
        });
    Some(item)
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Snippets for one member of `owner`.
struct Gen<'c, 's> {
    ctx: &'c Ctx<'s>,
    /// The message or union whose member this is.
    owner: &'c str,
    label: String,
}

impl<'c, 's> Gen<'c, 's> {
    fn new(ctx: &'c Ctx<'s>, owner: &'c ir::TypeDef, member: &str) -> Self {
        Gen {
            ctx,
            owner: &owner.full_name,
            label: format!("{}.{}", owner.name, member),
        }
    }

    /// Whether the owned member is boxed (it points back into its owner's cycle).
    fn boxed(&self, ty: &Type) -> bool {
        Shape::of(ty, self.owner, self.ctx.model.graph()).is_recursive_link()
    }

    /// The expression building a member of type `ty`.
    fn member(&self, ty: &Type) -> String {
        let value = self.generate(ty);
        if self.boxed(ty) {
            format!("rt::alloc::boxed::Box::new({value})")
        } else {
            value
        }
    }

    /// Path, from the package module, of the owned form of named type `name`.
    fn owned_path(&self, name: &str, is_enum: bool) -> String {
        let path = self.ctx.path(name);
        if is_enum {
            return path;
        }
        match path.rsplit_once("::") {
            Some((prefix, short)) => format!("{prefix}::owned::{short}"),
            None => format!("owned::{path}"),
        }
    }

    /// The expression building a value of `ty` (unboxed), over `u` and `depth`.
    fn generate(&self, ty: &Type) -> String {
        match ty.resolved() {
            Type::Bool => "u.arbitrary::<bool>()?".into(),
            Type::Int { int, range } => {
                let (tmin, tmax) = int.bounds();
                let (min, max) = range.map_or((tmin, tmax), |r| (r.min, r.max));
                format!(
                    "rt::fuzz::int(u, {min}, {max}, {tmin}, {tmax})? as {}",
                    int.keyword()
                )
            }
            Type::Float {
                float: FloatType::F32,
            } => "rt::fuzz::f32(u)?".into(),
            Type::Float {
                float: FloatType::F64,
            } => "rt::fuzz::f64(u)?".into(),
            Type::String { max_len } => format!("rt::fuzz::string(u, {max_len})?"),
            Type::Bytes { max_len } => format!("rt::fuzz::bytes(u, {max_len})?"),
            Type::FixedBytes { len } => format!("u.arbitrary::<[u8; {len}]>()?"),
            Type::Array { element, max_items } => format!(
                "{{ let n = rt::fuzz::len(u, {max_items}, depth)?; \
                 let mut items = rt::alloc::vec::Vec::with_capacity(n); \
                 for _ in 0..n {{ items.push({}); }} items }}",
                self.generate(element)
            ),
            Type::Message { name } | Type::Union { name } => format!(
                "<{} as rt::fuzz::FuzzType>::generate(u, depth + 1)?",
                self.owned_path(name, false)
            ),
            Type::Enum { name } => format!(
                "<{} as rt::fuzz::FuzzType>::generate(u, depth + 1)?",
                self.owned_path(name, true)
            ),
            Type::Alias { .. } => unreachable!("resolved"),
        }
    }

    /// Statements auditing the member `v` (a reference) of type `ty`, through its `Box` if it has one.
    fn member_audit(&self, ty: &Type) -> String {
        self.audit(ty, if self.boxed(ty) { "&**v" } else { "v" })
    }

    /// Statements auditing the value `v` (a reference) of `ty`.
    fn audit(&self, ty: &Type, v: &str) -> String {
        let label = &self.label;
        match ty.resolved() {
            Type::Int {
                int,
                range: Some(r),
            } if (r.min, r.max) != int.bounds() => format!(
                "if !({}i128..={}i128).contains(&(*{v} as i128)) {{ a.range(\"{label}\"); }}",
                r.min, r.max
            ),
            Type::String { max_len } | Type::Bytes { max_len } => {
                format!("if {v}.len() > {max_len} {{ a.bound(\"{label}\"); }}")
            }
            Type::Array { element, max_items } => {
                let inner = self.audit(element, "item");
                let items = if inner.is_empty() {
                    String::new()
                } else {
                    format!(" for item in {v}.iter() {{ {inner} }}")
                };
                format!("if {v}.len() > {max_items} {{ a.bound(\"{label}\"); }}{items}")
            }
            Type::Message { .. } | Type::Union { .. } | Type::Enum { .. } => {
                format!("rt::fuzz::FuzzType::audit({v}, a);")
            }
            _ => String::new(),
        }
    }
}
