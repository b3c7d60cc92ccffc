//! The Rust backend's `arbitrary` layer (template `templates/rust/arbitrary.rs`, gated by the
//! runtime's `cfg_arbitrary!`): for every enum and every owned message and union, `rt::fuzz::FuzzType`
//! (names, generator and audit) and `Arbitrary` (through its generator); the index's `visit_type`
//! is the runtime's `index!`.
//!
//! Generators follow the schema: each member is built by one call of `rt::fuzz::Gen` for its type
//! with its bound or range (template `templates/rust/fuzz_generate.rs`), so that most values encode
//! and some exceed a bound, a range or the known keys. The audit, one call of `rt::fuzz::Audit` per
//! member (`templates/rust/fuzz_check.rs`), is written here from the IR, not from the encoder's
//! checks (`expr.rs`), so that fuzzing compares two independent readings of the schema. The views
//! hold facts (kinds, bounds, ranges, how a value is reached); the templates spell the Rust.

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
    /// Whether the code for the type uses something deprecated, and so allows the lint.
    allow_deprecated: bool,
    /// Messages: whether a field has something to check.
    checked: bool,
}

/// One field or variant.
struct ArbitraryMember {
    name: String,
    /// How its value is built (`None`: a unit variant).
    generate: Option<GenerateView>,
    /// How its value is checked (`None`: nothing to check).
    check: Option<CheckView>,
    /// An optional field.
    optional: bool,
}

/// How one value is built: one call of `rt::fuzz::Gen`, without its `?` (template
/// `rust/fuzz_generate.rs`).
#[derive(Template)]
#[template(path = "rust/fuzz_generate.rs", escape = "none")]
struct GenerateView {
    /// `bool`, `int`, `f32`, `f64`, `text`, `bytes`, `fixed`, `nested`, `boxed` or `items`.
    kind: &'static str,
    /// An integer's range.
    min: i128,
    max: i128,
    /// A string's, byte string's or array's bound.
    bound: u64,
    /// How an array's items are built.
    item: Option<Box<GenerateView>>,
}

/// How one value is checked: one call of `rt::fuzz::Audit` (template `rust/fuzz_check.rs`).
#[derive(Template)]
#[template(path = "rust/fuzz_check.rs", escape = "none")]
struct CheckView {
    /// `int`, `len`, `items` or `nested`.
    kind: &'static str,
    /// How the value is reached, as an `Option<&T>`: `field`, `optional_field`, `boxed_field`,
    /// `optional_boxed_field` (the member `member` of `self`), `value` or `boxed_value` (a
    /// variant's or an item's `v`).
    access: &'static str,
    member: String,
    /// An integer's range.
    min: i128,
    max: i128,
    /// A string's, byte string's or array's bound.
    bound: u64,
    /// The `Type.member` label of the violations, and the member's key: the violations name the
    /// member as its encoder's errors do (`rt::field!`).
    label: String,
    key: u32,
    /// How an array's items are checked.
    item: Option<Box<CheckView>>,
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
        checked: false,
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
                    let g = Gen::new(ctx, def, &f.name, f.key);
                    let optional = f.presence == Presence::Optional;
                    let access = match (optional, g.boxed(&f.ty)) {
                        (false, false) => "field",
                        (true, false) => "optional_field",
                        (false, true) => "boxed_field",
                        (true, true) => "optional_boxed_field",
                    };
                    ArbitraryMember {
                        name: names::field(&f.name),
                        generate: Some(g.member(&f.ty)),
                        check: g.check(&f.ty, access, &names::field(&f.name)),
                        optional,
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
                    let g = Gen::new(ctx, def, &v.name, v.key);
                    let check = v.ty.as_ref().and_then(|t| {
                        let access = if g.boxed(t) { "boxed_value" } else { "value" };
                        g.check(t, access, "")
                    });
                    ArbitraryMember {
                        name: names::upper_camel(&v.name),
                        generate: v.ty.as_ref().map(|t| g.member(t)),
                        check,
                        optional: false,
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
                        let g = Gen::new(ctx, def, &v.name, v.key);
                        v.ty.as_ref().is_some_and(|t| !g.boxed(t))
                    })
                })
                .unwrap_or(0);
        }
    }
    item.checked = item.fields.iter().any(|f| f.check.is_some());
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
    key: u32,
}

impl<'c, 's> Gen<'c, 's> {
    fn new(ctx: &'c Ctx<'s>, owner: &'c ir::TypeDef, member: &str, key: u32) -> Self {
        Gen {
            ctx,
            owner: &owner.full_name,
            label: format!("{}.{}", owner.name, member),
            key,
        }
    }

    /// Whether the owned member is boxed (it points back into its owner's cycle).
    fn boxed(&self, ty: &Type) -> bool {
        Shape::of(ty, self.owner, self.ctx.model.graph()).is_recursive_link()
    }

    /// How a member of type `ty` is built, through its `Box` if it has one.
    fn member(&self, ty: &Type) -> GenerateView {
        if self.boxed(ty) {
            assert!(
                matches!(ty.resolved(), Type::Message { .. } | Type::Union { .. }),
                "only a message or union is boxed"
            );
            return generate("boxed");
        }
        self.generate(ty)
    }

    /// How a value of `ty` (unboxed) is built.
    fn generate(&self, ty: &Type) -> GenerateView {
        match ty.resolved() {
            Type::Bool => generate("bool"),
            Type::Int { int, range } => {
                let (min, max) = range.map_or(int.bounds(), |r| (r.min, r.max));
                GenerateView {
                    min,
                    max,
                    ..generate("int")
                }
            }
            Type::Float {
                float: FloatType::F32,
            } => generate("f32"),
            Type::Float {
                float: FloatType::F64,
            } => generate("f64"),
            Type::String { max_len } => GenerateView {
                bound: u64::from(*max_len),
                ..generate("text")
            },
            Type::Bytes { max_len } => GenerateView {
                bound: u64::from(*max_len),
                ..generate("bytes")
            },
            Type::FixedBytes { .. } => generate("fixed"),
            Type::Array { element, max_items } => GenerateView {
                bound: u64::from(*max_items),
                item: Some(Box::new(self.generate(element))),
                ..generate("items")
            },
            Type::Message { .. } | Type::Union { .. } | Type::Enum { .. } => generate("nested"),
            Type::Alias { .. } => unreachable!("resolved"),
        }
    }

    /// How a value of `ty`, reached as `access` says, is checked; `None` if nothing can be wrong
    /// with it.
    fn check(&self, ty: &Type, access: &'static str, member: &str) -> Option<CheckView> {
        let view = |kind, bound: u64| CheckView {
            kind,
            access,
            member: member.to_string(),
            min: 0,
            max: 0,
            bound,
            label: self.label.clone(),
            key: self.key,
            item: None,
        };
        match ty.resolved() {
            Type::Int {
                int,
                range: Some(r),
            } if (r.min, r.max) != int.bounds() => Some(CheckView {
                min: r.min,
                max: r.max,
                ..view("int", 0)
            }),
            Type::String { max_len } | Type::Bytes { max_len } => {
                Some(view("len", u64::from(*max_len)))
            }
            Type::Array { element, max_items } => {
                let bound = u64::from(*max_items);
                match self.check(element, "value", "") {
                    Some(item) => Some(CheckView {
                        item: Some(Box::new(item)),
                        ..view("items", bound)
                    }),
                    None => Some(view("len", bound)),
                }
            }
            Type::Message { .. } | Type::Union { .. } | Type::Enum { .. } => {
                Some(view("nested", 0))
            }
            _ => None,
        }
    }
}

/// A generator of `kind` without arguments.
fn generate(kind: &'static str) -> GenerateView {
    GenerateView {
        kind,
        min: 0,
        max: 0,
        bound: 0,
        item: None,
    }
}
