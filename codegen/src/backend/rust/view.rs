//! The Rust backend's views: for every type of the model, the Rust names and the expressions of
//! `expr.rs` that the templates (`templates/rust/`) lay out, next to the model's facts (presence,
//! keys, key lengths, recursion budgets, sizes) that decide what the templates write around them.

use super::expr::{borrows, owned_as_borrowed, Ctx, Use};
use super::names;
use crate::ir::{self, Presence};
use crate::model::{self, Kind, TypeModel};

/// Doc comment lines for generated code (`///` prepended by the template).
pub(crate) fn doc_lines(doc: &str) -> Vec<String> {
    if doc.trim().is_empty() {
        return Vec::new();
    }
    doc.lines().map(|l| l.trim_end().to_string()).collect()
}

fn deprecation(d: &Option<ir::Deprecation>) -> Option<String> {
    d.as_ref()
        .map(|d| d.note.clone().unwrap_or_default().replace('"', "\\\""))
}

/// The IR's presence as the templates test it.
fn presence(p: &Presence) -> &'static str {
    match p {
        Presence::Required => "required",
        Presence::Optional => "optional",
        Presence::Default(_) => "default",
    }
}

/// One message field, ready for the template.
pub(crate) struct FieldView {
    pub docs: Vec<String>,
    /// The schema name: local variable names (`f_type`, never `f_r#type`) and the JSON member name.
    pub slot_name: String,
    pub deprecated: Option<String>,
    /// The Rust field name.
    pub name: String,
    pub key: u32,
    /// Bytes of the key's head.
    pub key_len: u64,
    /// `Type.field`, for error paths.
    pub label: String,
    /// `required`, `optional` or `default`.
    pub presence: &'static str,
    /// The Rust type of a present value (the field's type is `Option` of it when optional).
    pub value_type: String,
    /// Whether the borrowed encoder binds the value by reference (a message or union not kept
    /// lazily: copying one by value costs a copy of its bytes, through `memcpy` on a small target).
    pub by_ref: bool,
    pub decode: String,
    /// The integer type `decode`'s value is cast to, or `""`.
    pub narrow: &'static str,
    /// Whether the encoded length is the same for every value (`len` is then a number).
    pub fixed_len: bool,
    /// The encoded length of the value `v`.
    pub len: String,
    pub validate: String,
    pub encode: String,
    /// Scalars: the key and `v` written in one call (`encode` and a separate key otherwise).
    pub encode_field: String,
    /// The same for the owned form (`v` a reference).
    pub owned_encode_field: String,
    /// Defaulted fields: the default as a Rust expression, which is also what the decoder's slot
    /// holds until the field is read (the other fields' slots are an `Option`).
    pub default: String,
    /// Defaulted fields: the associated constant that holds the default (`DEFAULT_VERSION`), on
    /// both forms.
    pub default_const: String,
    /// Defaulted fields: the constant's type in the borrowed form and in the owned form.
    pub const_type: String,
    pub owned_const_type: String,
    /// Defaulted fields: the owned field's default in the owned form's constructor.
    pub owned_default: String,
    /// Defaulted fields: whether `owned_default` is allowed in a `const fn`.
    pub owned_default_const: bool,
    /// Defaulted fields: whether `v` equals the default (encodes the same).
    pub is_default: String,
    /// Defaulted fields: whether `v` differs from the default.
    pub differs: String,
    /// Defaulted fields: whether the field of `self` differs from the default.
    pub self_differs: String,
    /// The owned struct's type of a present value.
    pub owned_value_type: String,
    /// Whether the borrowed form's value refers to the input (its owned form is another type).
    pub borrows: bool,
    pub owned_validate: String,
    pub owned_encode: String,
    /// The `rt::json` marker of the value.
    pub json_marker: String,
    /// The field's presence in the runtime's JSON table: `required`, `optional`, or `default`
    /// and the constant of the default (`default DEFAULT_VERSION`).
    pub json_presence: String,
}

/// Whether the borrowed encoder binds a value of `shape` by reference: a message or union that is
/// not kept lazily (on a recursive cycle), whose encoder takes `&self` anyway.
fn encodes_by_ref(shape: &model::Shape<'_>) -> bool {
    matches!(
        shape,
        model::Shape::Record {
            recursive: false,
            ..
        }
    )
}

/// Builds the field view for `f`.
pub(crate) fn field_view(ctx: &Ctx<'_>, f: &model::Field<'_>) -> FieldView {
    let u = Use {
        ctx,
        label: &f.label,
        key: f.ir.key,
    };
    let name = names::field(&f.ir.name);
    let shape = &f.shape;
    let ty = &f.ir.ty;
    let default = |expr: &dyn Fn(&ir::Value) -> String| f.default().map_or(String::new(), expr);
    let constant = names::default_constant(&f.ir.name);
    FieldView {
        docs: doc_lines(&f.ir.doc),
        deprecated: f
            .ir
            .deprecated
            .as_ref()
            .map(|d| d.note.clone().unwrap_or_default()),
        key: f.ir.key,
        key_len: f.key_len,
        label: f.label.clone(),
        presence: presence(&f.ir.presence),
        value_type: u.rust_type(ty, shape),
        by_ref: encodes_by_ref(shape),
        decode: u.decode(ty, shape),
        narrow: u.narrow(shape),
        fixed_len: shape.fixed_len().is_some(),
        len: u.len(shape, "v"),
        validate: u.validate(shape, "v"),
        encode: u.encode(ty, shape, "v"),
        encode_field: u
            .field_encode(shape, f.ir.key, "v", "v")
            .unwrap_or_default(),
        owned_encode_field: u
            .field_encode(shape, f.ir.key, "*v", "v")
            .unwrap_or_default(),
        default: default(&|v| u.default_expr(shape, v)),
        default_const: default(&|_| constant.clone()),
        const_type: default(&|_| u.const_type(ty, shape, false)),
        owned_const_type: default(&|_| u.const_type(ty, shape, true)),
        owned_default: default(&|v| u.owned_default(shape, v, &constant).0),
        owned_default_const: f
            .default()
            .is_none_or(|v| u.owned_default(shape, v, &constant).1),
        is_default: default(&|v| u.compare_default(shape, v, "v", "==")),
        differs: default(&|v| u.compare_default(shape, v, "v", "!=")),
        self_differs: default(&|v| u.compare_default(shape, v, &format!("self.{name}"), "!=")),
        owned_value_type: u.owned_type(ty, shape),
        borrows: borrows(ty),
        owned_validate: u.owned_validate(shape, "v"),
        owned_encode: u.owned_encode(shape, "v"),
        json_marker: u.json_marker(shape),
        json_presence: match f.default() {
            Some(_) => format!("default {constant}"),
            None => presence(&f.ir.presence).to_string(),
        },
        slot_name: f.ir.name.clone(),
        name,
    }
}

/// One union variant, ready for the template.
pub(crate) struct VariantView {
    pub docs: Vec<String>,
    /// How the length arm binds the payload: `v`, or `_` when the length is a constant.
    pub len_binding: &'static str,
    /// Bytes of the key's head.
    pub key_len: u64,
    pub deprecated: Option<String>,
    pub name: String,
    pub key: u32,
    pub label: String,
    /// Payload type; `None` for a unit variant.
    pub rust_type: Option<String>,
    /// Whether the borrowed encoder binds the payload by reference (see [`FieldView::by_ref`]).
    pub by_ref: bool,
    pub decode: String,
    /// The integer type `decode`'s value is cast to, or `""`.
    pub narrow: &'static str,
    pub validate: String,
    pub encode: String,
    pub len: String,
    /// The variant's name in JSON (the schema name).
    pub json_name: String,
    /// Payload type of the owned enum; `None` for a unit variant.
    pub owned_type: Option<String>,
    pub owned_validate: String,
    pub owned_encode: String,
    /// The `rt::json` marker of the payload.
    pub json_marker: String,
}

/// Builds the variant view for `v`.
pub(crate) fn variant_view(ctx: &Ctx<'_>, v: &model::Variant<'_>) -> VariantView {
    let u = Use {
        ctx,
        label: &v.label,
        key: v.ir.key,
    };
    let payload = v.ir.ty.as_ref().zip(v.payload.as_ref());
    let with = |f: &dyn Fn(&ir::Type, &model::Shape) -> String| {
        payload.map_or(String::new(), |(t, s)| f(t, s))
    };
    VariantView {
        json_name: v.ir.name.clone(),
        rust_type: payload.map(|(t, s)| u.rust_type(t, s)),
        by_ref: v.payload.as_ref().is_some_and(encodes_by_ref),
        owned_type: payload.map(|(t, s)| u.owned_type(t, s)),
        decode: with(&|t, s| u.decode(t, s)),
        narrow: payload.map_or("", |(_, s)| u.narrow(s)),
        validate: with(&|_, s| u.validate(s, "v")),
        encode: with(&|t, s| u.encode(t, s, "v")),
        len: with(&|_, s| u.len(s, "v")),
        owned_validate: with(&|_, s| u.owned_validate(s, "v")),
        owned_encode: with(&|_, s| u.owned_encode(s, "v")),
        json_marker: with(&|_, s| u.json_marker(s)),
        len_binding: match &v.payload {
            Some(s) if s.fixed_len().is_some() => "_",
            _ => "v",
        },
        docs: doc_lines(&v.ir.doc),
        key_len: v.key_len,
        deprecated: v
            .ir
            .deprecated
            .as_ref()
            .map(|d| d.note.clone().unwrap_or_default()),
        name: names::upper_camel(&v.ir.name),
        key: v.ir.key,
        label: v.label.clone(),
    }
}

pub(crate) struct ValueView {
    pub docs: Vec<String>,
    pub deprecated: Option<String>,
    pub name: String,
    pub number: u32,
}

/// One type, ready for the templates.
pub(crate) struct ItemView {
    pub kind: &'static str,
    pub name: String,
    pub docs: Vec<String>,
    pub deprecated: Option<String>,
    pub max_size: u64,
    /// Whether `max_size` fits a 32-bit `usize`; a larger one is generated saturating, so that the
    /// constant compiles on every target.
    pub max_size_fits_32_bit: bool,
    // Aliases.
    pub lifetime: bool,
    pub alias_type: String,
    pub owned_alias_type: String,
    // Enums and unions: the name of the catch-all variant.
    pub other: String,
    pub values: Vec<ValueView>,
    pub variants: Vec<VariantView>,
    // Messages.
    pub fields: Vec<FieldView>,
    /// The fields again, in key order (the order of the encoding).
    pub sorted: Vec<FieldView>,
    pub known_keys: String,
    pub unknown: String,
    /// Whether a field is required (the decoder then reports `missing-field` at the map's start).
    pub has_required: bool,
    /// How many fields are required: entries every encoding has.
    pub required_count: usize,
    /// Whether a field has a default (the decoder then remembers where each key starts).
    pub has_defaults: bool,
    /// The optional fields' Rust names, which the constructors set to `None`.
    pub optional_fields: Vec<String>,
    /// Whether the owned form's constructor can be a `const fn` (no default allocates).
    pub owned_new_const: bool,
    // Recursive cycles.
    pub budget: Option<u32>,
    pub counts_depth: bool,
    /// Enums: the rows of the JSON table, each value's name and number (`"Plain" = 0`).
    pub json_values: Vec<String>,
    /// Whether the code for the type uses something deprecated, and so allows the lint.
    pub allow_deprecated: bool,
    /// Messages and unions: whether the owned form encodes through the borrowed form
    /// (`rt::AsBorrowed`) rather than with an encoder of its own.
    pub owned_as_borrowed: bool,
    /// Messages: the fields' names, in declaration order; unions: the names of the variants that
    /// carry a value. In groups short enough for a line of the owned form's conversions
    /// (`rt::owned_message!`, `rt::owned_union!`).
    pub member_groups: Vec<Vec<String>>,
    /// Unions: the names of the variants that carry no value.
    pub empty_variants: Vec<String>,
    /// Whether the conversions fit on one line with the type's name.
    pub members_inline: bool,
    /// Messages: whether the owned form's `new` takes what the borrowed form's takes (no required
    /// field refers to the input), so that it is the borrowed form's `new` made owned.
    pub owned_new_delegates: bool,
    /// Messages: the name of the last field with a default (empty when none has one).
    pub last_default: String,
    /// The Rust paths of the unions with `@received_by` that the decoder reaches: when there are
    /// any, the decoder is `decode_from_as`, generic over a role that receives each of them.
    pub role_unions: Vec<String>,
    /// Unions: whether the variants have `@received_by`, so that each is decoded only if the
    /// role receives it.
    pub by_role: bool,
    /// The Rust paths of the unions with `@sent_by` that the encoder reaches: when there are any,
    /// the encoder is `encode_to_as`, generic over a role that sends each of them.
    pub sent_unions: Vec<String>,
    /// Unions: whether the variants have `@sent_by`, so that each is encoded only if the role
    /// sends it.
    pub sends_by_role: bool,
}

impl ItemView {
    /// Unions: whether the borrowed encoder binds some variant's payload by reference
    /// ([`VariantView::by_ref`]); it then matches on `self`, the others' patterns behind `&`, and
    /// on `*self` otherwise.
    pub fn variants_by_ref(&self) -> bool {
        self.variants.iter().any(|v| v.by_ref)
    }
}

/// A role of the package: the unit type of its `role` module and what it receives and sends.
pub(crate) struct RoleView {
    /// The Rust type.
    pub name: String,
    /// The name in the schema's `@received_by` and `@sent_by`.
    pub schema_name: String,
    /// The unions with `@received_by`, as the role receives them.
    pub receives: Vec<RoleUnionView>,
    /// The unions with `@sent_by`, as the role sends them.
    pub sends: Vec<RoleUnionView>,
}

/// One union as a role receives or sends it.
pub(crate) struct RoleUnionView {
    /// The union's Rust path from the `role` module.
    pub path: String,
    /// The union's Rust name, for the docs.
    pub name: String,
    /// The keys received (or sent), ascending, comma-separated.
    pub keys: String,
    /// The variants received (or sent), by their Rust names in backticks, comma-separated and
    /// ending with a full stop, in lines short enough for a doc comment.
    pub variant_lines: Vec<String>,
}

/// `items` in backticks, comma-separated, ending with a full stop, in lines of at most `width`.
fn listed(items: &[String], width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let end = if i + 1 == items.len() { "." } else { "," };
        let word = format!("`{item}`{end}");
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(&word);
            }
            _ => lines.push(word),
        }
    }
    lines
}

/// The roles that the `@received_by` and `@sent_by` of the package `p` name.
pub(crate) fn role_views(ctx: &Ctx<'_>, p: &model::Package<'_>) -> Vec<RoleView> {
    let unions: Vec<(&TypeModel<'_>, &model::Union<'_>)> = (p.types.iter())
        .filter_map(|t| match &t.kind {
            Kind::Union(u) => Some((t, u)),
            _ => None,
        })
        .collect();
    let view = |t: &TypeModel<'_>, u: &model::Union<'_>, keys: Vec<u32>| RoleUnionView {
        path: format!("super::{}", ctx.path(&t.def.full_name)),
        name: names::upper(&t.def.name),
        variant_lines: listed(
            &(u.variants_by_key().into_iter())
                .filter(|v| keys.contains(&v.ir.key))
                .map(|v| names::upper_camel(&v.ir.name))
                .collect::<Vec<_>>(),
            72,
        ),
        keys: join(keys),
    };
    (p.roles.iter())
        .map(|role| RoleView {
            name: names::upper_camel(role),
            schema_name: role.to_string(),
            receives: (unions.iter())
                .filter(|(_, u)| u.by_role())
                .map(|(t, u)| view(t, u, u.keys_received_by(role)))
                .collect(),
            sends: (unions.iter())
                .filter(|(_, u)| u.sends_by_role())
                .map(|(t, u)| view(t, u, u.keys_sent_by(role)))
                .collect(),
        })
        .collect()
}

/// A name for a generated member that no schema member uses.
fn free_name(preferred: &str, taken: &[String]) -> String {
    let mut name = preferred.to_string();
    while taken.contains(&name) {
        name.push('_');
    }
    name
}

fn join<T: ToString>(items: impl IntoIterator<Item = T>) -> String {
    items
        .into_iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn item_view(ctx: &Ctx<'_>, t: &TypeModel<'_>) -> ItemView {
    let def = t.def;
    let mut view = ItemView {
        kind: "",
        name: names::upper(&def.name),
        docs: doc_lines(&def.doc),
        deprecated: deprecation(&def.deprecated),
        max_size: t.max_encoded_size,
        max_size_fits_32_bit: t.max_encoded_size <= u64::from(u32::MAX),
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
        required_count: 0,
        has_defaults: false,
        optional_fields: Vec::new(),
        owned_new_const: true,
        budget: t.recursion.map(|r| r.budget),
        counts_depth: t.recursion.is_some_and(|r| r.counts_depth),
        json_values: Vec::new(),
        allow_deprecated: t.mentions_deprecated,
        owned_as_borrowed: owned_as_borrowed(ctx.model, t),
        member_groups: Vec::new(),
        empty_variants: Vec::new(),
        members_inline: true,
        owned_new_delegates: false,
        last_default: String::new(),
        role_unions: (t.role_unions.iter()).map(|u| ctx.path(u)).collect(),
        by_role: matches!(&t.kind, Kind::Union(u) if u.by_role()),
        sent_unions: (t.sent_unions.iter()).map(|u| ctx.path(u)).collect(),
        sends_by_role: t.sent_unions.contains(&t.def.full_name.as_str()),
    };
    match &t.kind {
        Kind::Alias(alias) => {
            // An alias names no member: only its types are asked for, never a check.
            let u = Use {
                ctx,
                label: &def.name,
                key: 0,
            };
            view.kind = "alias";
            view.lifetime = borrows(alias.target);
            view.alias_type = u.rust_type(alias.target, &alias.shape);
            view.owned_alias_type = u.owned_type(alias.target, &alias.shape);
        }
        Kind::Enum(e) => {
            view.kind = "enum";
            view.values = e
                .values
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
            view.json_values = e
                .values
                .iter()
                .map(|v| format!("{:?} = {}", v.name, v.value))
                .collect();
        }
        Kind::Union(union) => {
            view.kind = "union";
            view.variants = union
                .variants
                .iter()
                .map(|v| variant_view(ctx, v))
                .collect();
            let taken: Vec<String> = view.variants.iter().map(|v| v.name.clone()).collect();
            view.other = free_name("Unrecognized", &taken);
            view.known_keys = join(&union.known_keys);
        }
        Kind::Message(message) => {
            view.kind = "message";
            view.has_required = message.has_required;
            view.required_count = message
                .fields
                .iter()
                .filter(|f| matches!(f.ir.presence, Presence::Required))
                .count();
            view.has_defaults = message.has_defaults;
            view.fields = message.fields.iter().map(|f| field_view(ctx, f)).collect();
            view.sorted = message
                .fields_in_wire_order()
                .map(|f| field_view(ctx, f))
                .collect();
            view.known_keys = join(&message.known_keys);
            view.optional_fields = view
                .fields
                .iter()
                .filter(|f| f.presence == "optional")
                .map(|f| f.name.clone())
                .collect();
            view.owned_new_const = view.fields.iter().all(|f| f.owned_default_const);
            view.last_default = (view.fields.iter())
                .rfind(|f| f.presence == "default")
                .map(|f| f.name.clone())
                .unwrap_or_default();
            view.owned_new_delegates =
                (view.fields.iter()).all(|f| f.presence != "required" || !f.borrows);
            let taken: Vec<String> = view.fields.iter().map(|f| f.name.clone()).collect();
            view.unknown = free_name("unknown_fields", &taken);
        }
    }
    let members: Vec<String> = match view.kind {
        "message" => view.fields.iter().map(|f| f.name.clone()).collect(),
        "union" => (view.variants.iter())
            .filter(|v| v.owned_type.is_some())
            .map(|v| v.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    view.empty_variants = (view.variants.iter())
        .filter(|v| v.owned_type.is_none())
        .map(|v| v.name.clone())
        .collect();
    // A union's variants are written `Name(..)`; a line is indented by 12 in the generated file.
    let suffix = if view.kind == "union" { 4 } else { 0 };
    view.member_groups = grouped(&members, suffix, 84);
    let inline_len = (members.iter())
        .map(|m| m.len() + suffix + 2)
        .sum::<usize>()
        + (view.empty_variants.iter())
            .map(|m| m.len() + 2)
            .sum::<usize>()
        + view.name.len()
        + view.unknown.len().max(view.other.len());
    view.members_inline = inline_len <= 49;
    view
}

/// `items` in groups whose names, each followed by `suffix` more characters and a comma, make a
/// line of at most `width`.
fn grouped(items: &[String], suffix: usize, width: usize) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut len = 0;
    for item in items {
        let wide = item.len() + suffix + 2;
        match groups.last_mut() {
            Some(group) if len + wide <= width => {
                group.push(item.clone());
                len += wide;
            }
            _ => {
                groups.push(vec![item.clone()]);
                len = wide;
            }
        }
    }
    groups
}
