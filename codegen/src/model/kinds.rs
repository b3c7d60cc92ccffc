//! The per-kind views of a type: a message's fields, a union's variants, an enum's values, an
//! alias's target, each with the facts a backend needs (keys in wire order, presence, shapes, the
//! label that error paths name).

use super::shape::Shape;
use crate::ir::{self, Presence, TypeGraph};

/// What a type is, with the facts of its members.
#[derive(Clone, Debug)]
pub enum Kind<'s> {
    /// A record of keyed fields.
    Message(Message<'s>),
    /// Named numbers.
    Enum(Enum<'s>),
    /// Exactly one of several keyed variants.
    Union(Union<'s>),
    /// Another name for a type.
    Alias(Alias<'s>),
}

/// A message's fields.
#[derive(Clone, Debug)]
pub struct Message<'s> {
    /// The fields in source order.
    pub fields: Vec<Field<'s>>,
    /// Indices into `fields` in ascending key order: the order of the encoding.
    pub wire_order: Vec<usize>,
    /// The keys this version of the schema defines, ascending.
    pub known_keys: Vec<u32>,
    /// Whether some field is required (a decoder then reports a missing one).
    pub has_required: bool,
    /// Whether some field has a default (a decoder then rejects it when present with that value).
    pub has_defaults: bool,
}

impl<'s> Message<'s> {
    /// The fields in ascending key order.
    pub fn fields_in_wire_order(&self) -> impl Iterator<Item = &Field<'s>> {
        self.wire_order.iter().map(|&i| &self.fields[i])
    }
}

/// One field of a message.
#[derive(Clone, Debug)]
pub struct Field<'s> {
    /// The field as the IR has it (name, key, docs, attributes, the type as written).
    pub ir: &'s ir::Field,
    /// `Type.field`, as error paths and diagnostics name the field.
    pub label: String,
    /// Bytes of the key's CBOR head.
    pub key_len: u64,
    /// The value's shape.
    pub shape: Shape<'s>,
}

impl Field<'_> {
    /// Whether the field must be present.
    pub fn is_required(&self) -> bool {
        self.ir.presence == Presence::Required
    }

    /// The default value, for a defaulted field.
    pub fn default(&self) -> Option<&ir::Value> {
        match &self.ir.presence {
            Presence::Default(v) => Some(v),
            _ => None,
        }
    }
}

/// A union's variants.
#[derive(Clone, Debug)]
pub struct Union<'s> {
    /// The variants in source order.
    pub variants: Vec<Variant<'s>>,
    /// The variants' keys, ascending.
    pub known_keys: Vec<u32>,
}

impl<'s> Union<'s> {
    /// The variants in ascending key order.
    pub fn variants_by_key(&self) -> Vec<&Variant<'s>> {
        let mut sorted: Vec<&Variant> = self.variants.iter().collect();
        sorted.sort_by_key(|v| v.ir.key);
        sorted
    }
}

/// One variant of a union.
#[derive(Clone, Debug)]
pub struct Variant<'s> {
    /// The variant as the IR has it.
    pub ir: &'s ir::Variant,
    /// `Type.variant`, as error paths name the variant.
    pub label: String,
    /// Bytes of the key's CBOR head.
    pub key_len: u64,
    /// The payload's shape; `None` for a unit variant (encoded as `null`).
    pub payload: Option<Shape<'s>>,
    /// The roles that receive the variant, from its `@received_by`; `None` when it has none, which
    /// means every role.
    pub received_by: Option<Vec<&'s str>>,
    /// The roles that send the variant, from its `@sent_by`; `None` when it has none, which means
    /// every role.
    pub sent_by: Option<Vec<&'s str>>,
}

/// An enum's values.
#[derive(Clone, Debug)]
pub struct Enum<'s> {
    /// The values in source order.
    pub values: &'s [ir::EnumValue],
}

/// An alias's target.
#[derive(Clone, Debug)]
pub struct Alias<'s> {
    /// The target as written.
    pub target: &'s ir::Type,
    /// The target's shape.
    pub shape: Shape<'s>,
}

/// The role names of the attribute `name` (`received_by`, `sent_by`) among `attributes`.
fn roles<'s>(attributes: &'s [ir::Attribute], name: &str) -> Option<Vec<&'s str>> {
    let attribute = attributes.iter().find(|a| a.name == name)?;
    let names = attribute.args.iter().filter_map(|a| match a {
        ir::AttributeArg::Name(name) => Some(name.as_str()),
        _ => None,
    });
    Some(names.collect())
}

impl<'s> Union<'s> {
    /// Whether a variant has `@received_by`: a node then decodes only the variants its role
    /// receives, and keeps the others as it keeps an unknown variant.
    pub fn by_role(&self) -> bool {
        self.variants.iter().any(|v| v.received_by.is_some())
    }

    /// Whether a variant has `@sent_by`: a node may then encode as its role sends, and has no
    /// encoder for the variants its role never sends.
    pub fn sends_by_role(&self) -> bool {
        self.variants.iter().any(|v| v.sent_by.is_some())
    }

    /// The keys of the variants that `role` receives, ascending: those whose `@received_by` names
    /// it, and those without one.
    pub fn keys_received_by(&self, role: &str) -> Vec<u32> {
        self.keys_of(role, |v| v.received_by.as_deref())
    }

    /// The keys of the variants that `role` sends, ascending: those whose `@sent_by` names it, and
    /// those without one.
    pub fn keys_sent_by(&self, role: &str) -> Vec<u32> {
        self.keys_of(role, |v| v.sent_by.as_deref())
    }

    /// The keys of the variants whose `roles` name `role` or are `None` (every role), ascending.
    fn keys_of<'v>(
        &'v self,
        role: &str,
        roles: impl Fn(&'v Variant<'s>) -> Option<&'v [&'s str]>,
    ) -> Vec<u32> {
        let mut keys: Vec<u32> = (self.variants.iter())
            .filter(|v| roles(v).is_none_or(|r| r.contains(&role)))
            .map(|v| v.ir.key)
            .collect();
        keys.sort_unstable();
        keys
    }
}

impl<'s> Kind<'s> {
    /// The view of `def`.
    pub(super) fn of(def: &'s ir::TypeDef, graph: &TypeGraph<'_>) -> Kind<'s> {
        let owner = def.full_name.as_str();
        match &def.kind {
            ir::TypeKind::Message { fields, .. } => {
                let mut wire_order: Vec<usize> = (0..fields.len()).collect();
                wire_order.sort_by_key(|&i| fields[i].key);
                Kind::Message(Message {
                    known_keys: wire_order.iter().map(|&i| fields[i].key).collect(),
                    wire_order,
                    has_required: fields.iter().any(|f| f.presence == Presence::Required),
                    has_defaults: fields
                        .iter()
                        .any(|f| matches!(f.presence, Presence::Default(_))),
                    fields: fields
                        .iter()
                        .map(|f| Field {
                            ir: f,
                            label: format!("{}.{}", def.name, f.name),
                            key_len: ir::head_len(f.key as u64),
                            shape: Shape::of(&f.ty, owner, graph),
                        })
                        .collect(),
                })
            }
            ir::TypeKind::Union { variants, .. } => {
                let mut known_keys: Vec<u32> = variants.iter().map(|v| v.key).collect();
                known_keys.sort_unstable();
                Kind::Union(Union {
                    known_keys,
                    variants: variants
                        .iter()
                        .map(|v| Variant {
                            ir: v,
                            label: format!("{}.{}", def.name, v.name),
                            key_len: ir::head_len(v.key as u64),
                            payload: v.ty.as_ref().map(|t| Shape::of(t, owner, graph)),
                            received_by: roles(&v.attributes, "received_by"),
                            sent_by: roles(&v.attributes, "sent_by"),
                        })
                        .collect(),
                })
            }
            ir::TypeKind::Enum { values, .. } => Kind::Enum(Enum { values }),
            ir::TypeKind::Alias { target } => Kind::Alias(Alias {
                target,
                shape: Shape::of(target, owner, graph),
            }),
        }
    }
}
