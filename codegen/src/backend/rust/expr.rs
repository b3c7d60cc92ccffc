//! Rust for the model's facts: the Rust type of a member, and the expressions and statements over a
//! reader `r`, a writer `w`, the remaining nesting `depth` and, inside recursive cycles, `budget`,
//! that read, write, size and check one value of a [`Shape`].
//!
//! These follow a value's shape recursively (an array of arrays of text...), which a template cannot
//! do; everything that depends only on a member's presence or on its type's kind is laid out by the
//! templates from the facts in `view.rs`. Wire rules are those of spec/04-wire-format.md.

use super::names;
use super::RustOptions;
use crate::ir::{self, FloatType, IntType, Type};
use crate::model::{Kind, Model, Shape, TypeModel};

/// What the generator knows about the whole schema while rendering one package.
pub(crate) struct Ctx<'s> {
    pub package: String,
    pub options: &'s RustOptions,
    pub model: &'s Model<'s>,
}

impl<'s> Ctx<'s> {
    pub fn new(model: &'s Model<'s>, options: &'s RustOptions) -> Ctx<'s> {
        Ctx {
            package: String::new(),
            options,
            model,
        }
    }

    /// Whether the decoder of the type `full_name` decodes as a role receives
    /// ([`TypeModel::role_unions`]), and so is `decode_from_as::<R>`.
    pub fn decodes_by_role(&self, full_name: &str) -> bool {
        (self.model.packages().iter())
            .flat_map(|p| &p.types)
            .any(|t| t.def.full_name == full_name && !t.role_unions.is_empty())
    }

    /// Whether the encoder of the type `full_name` may encode as a role sends
    /// ([`TypeModel::sent_unions`]), and so is `encode_to_as::<R>`.
    pub fn encodes_by_role(&self, full_name: &str) -> bool {
        (self.model.packages().iter())
            .flat_map(|p| &p.types)
            .any(|t| t.def.full_name == full_name && !t.sent_unions.is_empty())
    }

    /// The Rust path of a type, relative to the module of the package being generated.
    pub fn path(&self, full_name: &str) -> String {
        self.path_from(full_name, "", "super::")
    }

    /// The Rust path of a type's owned counterpart, relative to the `owned` module of the package
    /// being generated (enums and aliases of types without borrowed data are re-exported there).
    pub fn owned_path(&self, full_name: &str) -> String {
        self.path_from(full_name, "owned::", "super::super::")
    }

    /// The path of a type seen from a module `up` levels below the packages' parent: the type itself
    /// in its package's own module, or `inner` (`""` or `"owned::"`) of another package's module.
    fn path_from(&self, full_name: &str, inner: &str, up: &str) -> String {
        let package = names::package_of(full_name);
        let short = names::upper(names::short(full_name));
        if package == self.package {
            return short;
        }
        if let Some((_, path)) = self
            .options
            .extern_packages
            .iter()
            .find(|(p, _)| p == package)
        {
            return format!("{path}::{inner}{short}");
        }
        format!("{up}{}::{inner}{short}", names::module(package))
    }
}

/// Whether values of `ty` borrow from the input (and so the Rust type takes `'a`).
pub(crate) fn borrows(ty: &Type) -> bool {
    match ty {
        Type::Bool | Type::Int { .. } | Type::Float { .. } | Type::Enum { .. } => false,
        Type::Alias { target, .. } => borrows(target),
        _ => true,
    }
}

/// Whether the owned form of the type `t` can be seen in its borrowed form without copying or
/// allocating (`rt::AsBorrowed`), so that it encodes through the borrowed form's encoder: every
/// member's owned value holds what its borrowed value refers to. An array of text, bytes, arrays or
/// records cannot (its borrowed form is a slice of borrowed items, which a `Vec` of owned ones does
/// not hold), nor a member on a recursive cycle (its borrowed form is read lazily); the owned form of
/// such a type keeps an encoder of its own.
pub(crate) fn owned_as_borrowed(model: &Model<'_>, t: &TypeModel<'_>) -> bool {
    owned_type_as_borrowed(model, t, &mut Vec::new())
}

fn owned_type_as_borrowed<'s>(
    model: &Model<'s>,
    t: &TypeModel<'s>,
    visiting: &mut Vec<&'s str>,
) -> bool {
    if t.recursion.is_some() || visiting.contains(&t.def.full_name.as_str()) {
        return false;
    }
    visiting.push(&t.def.full_name);
    let free = match &t.kind {
        Kind::Message(m) => m
            .fields
            .iter()
            .all(|f| owned_shape_as_borrowed(model, &f.shape, visiting)),
        Kind::Union(u) => u.variants.iter().all(|v| {
            v.payload
                .as_ref()
                .is_none_or(|s| owned_shape_as_borrowed(model, s, visiting))
        }),
        Kind::Enum(_) | Kind::Alias(_) => true,
    };
    visiting.pop();
    free
}

fn owned_shape_as_borrowed<'s>(
    model: &Model<'s>,
    shape: &Shape<'s>,
    visiting: &mut Vec<&'s str>,
) -> bool {
    match shape {
        Shape::Array { element, .. } => matches!(
            **element,
            Shape::Bool | Shape::Int { .. } | Shape::Float(_) | Shape::Enum { .. }
        ),
        Shape::Record {
            recursive: true, ..
        } => false,
        Shape::Record { name, .. } => model
            .packages()
            .iter()
            .flat_map(|p| &p.types)
            .find(|t| t.def.full_name == *name)
            .is_some_and(|t| owned_type_as_borrowed(model, t, visiting)),
        _ => true,
    }
}

fn float_kw(f: FloatType) -> &'static str {
    match f {
        FloatType::F32 => "f32",
        FloatType::F64 => "f64",
    }
}

/// Rust for one member of the type `owner`.
pub(crate) struct Use<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    /// `Type.member`, for error messages.
    pub label: &'c str,
    /// The member's key, which errors carry instead of `label` with the codec's feature
    /// `field-keys` (`rt::field!`).
    pub key: u32,
}

impl Use<'_, '_> {
    /// The Rust type of a member of type `ty` with shape `shape`: lazily decoded where it points
    /// back into its owner's cycle (a struct cannot contain itself by value).
    pub fn rust_type(&self, ty: &Type, shape: &Shape) -> String {
        let plain = self.plain_type(ty);
        if shape.is_recursive_link() {
            format!("rt::Lazy<'a, {plain}>")
        } else {
            plain
        }
    }

    fn plain_type(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Int { int, .. } => int.keyword().into(),
            Type::Float { float } => float_kw(*float).into(),
            Type::String { .. } => "&'a str".into(),
            Type::Bytes { .. } => "&'a [u8]".into(),
            Type::FixedBytes { len } => format!("&'a [u8; {len}]"),
            Type::Array { element, .. } => format!("rt::Array<'a, {}>", self.plain_type(element)),
            Type::Message { name } | Type::Union { name } => format!("{}<'a>", self.ctx.path(name)),
            Type::Enum { name } => self.ctx.path(name),
            Type::Alias { name, target } => {
                let path = self.ctx.path(name);
                if borrows(target) {
                    format!("{path}<'a>")
                } else {
                    path
                }
            }
        }
    }

    /// A `Result`-valued expression that reads and validates one value of `ty` (shape `shape`). An
    /// unsigned integer of 32 bits or fewer is read as a `u32`, any other integer as 64 bits; a
    /// narrower member casts it after the `?` ([`Self::narrow`]).
    pub fn decode(&self, ty: &Type, shape: &Shape) -> String {
        self.decode_inner(ty, shape, true)
    }

    /// The Rust integer type that a decoded integer of shape `shape` is cast to once read (its
    /// range was checked by the read), or `""` when the read gives the member's type. Casting after
    /// the `?` rather than mapping the `Result` spares every such field a second `Result` to test
    /// and an error to move: 1.4 KB of flash for the core `Envelope` on a Cortex-M4.
    pub fn narrow(&self, shape: &Shape) -> &'static str {
        match shape {
            Shape::Int {
                int: IntType::U64 | IntType::I64 | IntType::U32,
                ..
            } => "",
            Shape::Int { int, .. } => int.keyword(),
            _ => "",
        }
    }

    fn decode_inner(&self, ty: &Type, shape: &Shape, direct: bool) -> String {
        match (shape, ty.resolved()) {
            (Shape::Bool, _) => "r.bool()".into(),
            (
                Shape::Int {
                    int: IntType::U64,
                    min,
                    max,
                    ..
                },
                _,
            ) => format!("r.uint({min}, {max})"),
            (Shape::Int { min, max, .. }, _) if shape.is_unsigned() => {
                format!("r.u32({min}, {max})")
            }
            (Shape::Int { min, max, .. }, _) => format!("r.int({min}, {max})"),
            (Shape::Float(float), _) => format!("r.{}()", float_kw(*float)),
            (Shape::Text { max_len }, _) => format!("r.text({max_len})"),
            (Shape::Bytes { max_len }, _) => format!("r.bytes({max_len})"),
            (Shape::FixedBytes { len }, _) => format!("r.fixed::<{len}>()"),
            (Shape::Enum { name }, _) => format!("{}::decode_from(r, depth)", self.ctx.path(name)),
            (
                Shape::Record {
                    name, recursive, ..
                },
                _,
            ) => {
                let path = self.ctx.path(name);
                if *recursive {
                    let call = format!("{path}::decode_in_cycle(r, depth, budget)");
                    if direct {
                        format!("rt::Lazy::decode(r, depth, |r| {call}.map(|_| ()))")
                    } else {
                        call
                    }
                } else if direct && self.ctx.decodes_by_role(name) {
                    format!("{path}::decode_from_as::<R>(r, depth)")
                } else {
                    format!("{path}::decode_from(r, depth)")
                }
            }
            (
                Shape::Array {
                    element: shape,
                    max_items,
                },
                Type::Array { element, .. },
            ) => {
                let item = self.decode_inner(element, shape, false);
                let element_type = self.plain_type(element);
                let depth = if item.contains("depth") { "depth" } else { "_" };
                format!("rt::Array::<{element_type}>::decode(r, {max_items}, depth, |r, {depth}| {item}.map(|_| ()))")
            }
            (Shape::Array { .. }, _) => unreachable!("an array's shape comes from an array type"),
        }
    }

    /// A statement that writes the value `v` of type `ty` (shape `shape`).
    pub fn encode(&self, ty: &Type, shape: &Shape, v: &str) -> String {
        self.encode_inner(ty, shape, v, true)
    }

    /// `direct`: a member's own value (kept lazily when it is on the owner's cycle), not an array
    /// item.
    fn encode_inner(&self, ty: &Type, shape: &Shape, v: &str, direct: bool) -> String {
        match shape {
            Shape::Bool => format!("w.bool({v})?;"),
            Shape::Int {
                int: IntType::U64, ..
            } => format!("w.u64({v})?;"),
            Shape::Int {
                int: IntType::I64, ..
            } => format!("w.i64({v})?;"),
            Shape::Int { .. } if shape.is_unsigned() => format!("w.u64({v} as u64)?;"),
            Shape::Int { .. } => format!("w.i64({v} as i64)?;"),
            Shape::Float(FloatType::F32) => format!("w.f32({v})?;"),
            Shape::Float(FloatType::F64) => format!("w.f64({v})?;"),
            Shape::Text { .. } => format!("w.text({v})?;"),
            Shape::Bytes { .. } | Shape::FixedBytes { .. } => format!("w.bytes({v})?;"),
            Shape::Enum { .. } => format!("w.u64({v}.to_u32() as u64)?;"),
            Shape::Record {
                name,
                recursive: true,
                ..
            } => {
                if direct {
                    // A value built by the application is written within the budget; one kept
                    // from a decoder is checked against it where it now sits.
                    let path = self.ctx.path(name);
                    format!(
                        "{v}.write_in_cycle(w, |t, w| t.encode_in_cycle(w, budget), |r, depth| \
                         {path}::decode_in_cycle(r, depth, budget).map(|_| ()))?;"
                    )
                } else {
                    format!("{v}.encode_in_cycle(w, budget)?;")
                }
            }
            Shape::Array { element, .. } if element.reaches_cycle() => {
                let Type::Array { element: item, .. } = ty.resolved() else {
                    unreachable!("an array's shape comes from an array type")
                };
                let write = self.encode_inner(item, element, "item", false);
                let check = self.decode_inner(item, element, false);
                format!(
                    "{v}.write_with(w, |item, w| {{ {write} Ok(()) }}, |r, depth| \
                     {check}.map(|_| ()))?;"
                )
            }
            Shape::Array { .. } => format!("{v}.write(w)?;"),
            Shape::Record { name, .. } if direct && self.ctx.encodes_by_role(name) => {
                format!("{v}.encode_to_as::<R>(w)?;")
            }
            _ => format!("{v}.encode_to(w)?;"),
        }
    }

    /// A statement that writes a scalar field with key `key` and value `v` (the borrowed form's
    /// value, or `*v` in the owned form's `number`) through the encoder's unknown-field merge in one
    /// call (`UnknownMerge::u32` and its siblings), or `None` for the shapes written after a
    /// separate `key` (floats, messages, unions, arrays).
    pub fn field_encode(&self, shape: &Shape, key: u32, number: &str, v: &str) -> Option<String> {
        let (write, value) = match shape {
            Shape::Bool => ("bool", number.to_string()),
            Shape::Int {
                int: IntType::U64, ..
            } => ("u64", number.to_string()),
            Shape::Int {
                int: IntType::U32, ..
            } => ("u32", number.to_string()),
            Shape::Int {
                int: IntType::I64, ..
            } => ("i64", number.to_string()),
            Shape::Int { .. } if shape.is_unsigned() => ("u32", format!("u32::from({number})")),
            Shape::Int { .. } => ("i64", format!("i64::from({number})")),
            Shape::Enum { .. } => ("u32", format!("{v}.to_u32()")),
            Shape::Text { .. } => ("text", v.to_string()),
            Shape::Bytes { .. } | Shape::FixedBytes { .. } => ("bytes", v.to_string()),
            _ => return None,
        };
        Some(format!("unknown.{write}({key}, {value}, w)?;"))
    }

    /// An expression for the encoded length of the value `v` of shape `shape`.
    pub fn len(&self, shape: &Shape, v: &str) -> String {
        if let Some(n) = shape.fixed_len() {
            return n.to_string();
        }
        if let Some(len) = scalar_len(shape, v, v) {
            return len;
        }
        if shape.is_recursive_link() {
            return format!("rt::Element::encoded_len(&{v})");
        }
        format!("{v}.encoded_len()")
    }

    /// The encoder's check of `v`'s length against its bound (`rt::check_bound!`), naming the member
    /// by its label and key (`rt::field!`).
    fn bound_check(&self, v: &str, max: impl std::fmt::Display) -> String {
        let (label, key) = (self.label, self.key);
        format!("rt::check_bound!({v}.len(), {max}, \"{label}\", key {key});")
    }

    /// The encoder's check of the integer that `v_ref` refers to against its range
    /// (`rt::check_range!`), naming the member by its label and key (`rt::field!`).
    fn range_check(
        &self,
        min: impl std::fmt::Display,
        max: impl std::fmt::Display,
        v_ref: &str,
    ) -> String {
        let (label, key) = (self.label, self.key);
        format!("rt::check_range!(({min}..={max}).contains({v_ref}), \"{label}\", key {key});")
    }

    /// Statements that reject a value `v` the schema does not allow (bounds, ranges) before encoding.
    pub fn validate(&self, shape: &Shape, v: &str) -> String {
        match shape {
            Shape::Int {
                min,
                max,
                narrowed: true,
                ..
            } => self.range_check(min, max, &format!("&{v}")),
            Shape::Text { max_len } | Shape::Bytes { max_len } => self.bound_check(v, *max_len),
            Shape::Array { element, max_items } => {
                let mut s = self.bound_check(v, *max_items);
                let inner = self.validate(element, "item");
                if !inner.is_empty() {
                    s.push_str(&format!(
                        "\nif let rt::Array::Slice(items) = {v} {{ for &item in items.iter() {{ {inner} }} }}"
                    ));
                }
                s
            }
            _ => String::new(),
        }
    }

    /// A Rust expression for a default value.
    pub fn default_expr(&self, shape: &Shape, value: &ir::Value) -> String {
        match (shape, value) {
            (_, ir::Value::Bool(b)) => b.to_string(),
            (Shape::Float(float), ir::Value::Int(i)) => format!("{i}.0_{}", float_kw(*float)),
            (_, ir::Value::Int(i)) => i.to_string(),
            (Shape::Float(float), ir::Value::Float(f)) => format!("{f:?}_{}", float_kw(*float)),
            (_, ir::Value::Float(f)) => format!("{f:?}"),
            (_, ir::Value::String(s)) => format!("{s:?}"),
            (Shape::Enum { name }, ir::Value::Enum { name: value, .. }) => {
                format!("{}::{}", self.ctx.path(name), names::upper(value))
            }
            (_, ir::Value::Enum { value, .. }) => value.to_string(),
        }
    }

    /// The type of the associated constant that holds a default of type `ty` (shape `shape`): the
    /// member's type, except that a string is `&'static str` in both forms, so that the constant
    /// names no lifetime and the owned form's constant is the borrowed form's. `owned`: the
    /// constant of the owned form, whose module names the package's types differently.
    pub fn const_type(&self, ty: &Type, shape: &Shape, owned: bool) -> String {
        match shape {
            Shape::Text { .. } => "&'static str".into(),
            _ if owned => self.owned_type(ty, shape),
            _ => self.rust_type(ty, shape),
        }
    }

    /// The owned field's default in a constructor of the owned form, from the constant `constant`
    /// that holds it, and whether that expression is allowed in a `const fn` (a non-empty `String`
    /// is allocated at run time).
    pub fn owned_default(
        &self,
        shape: &Shape,
        value: &ir::Value,
        constant: &str,
    ) -> (String, bool) {
        match (shape, value) {
            (Shape::Text { .. }, ir::Value::String(s)) if s.is_empty() => {
                ("rt::alloc::string::String::new()".into(), true)
            }
            (Shape::Text { .. }, _) => (
                format!("rt::alloc::string::String::from(Self::{constant})"),
                false,
            ),
            _ => (format!("Self::{constant}"), true),
        }
    }

    /// A boolean expression comparing `v` with the default using `op` (`==` or `!=`): floats compare
    /// bit patterns and enums their numbers, so that "equal" means "encodes the same".
    pub fn compare_default(&self, shape: &Shape, value: &ir::Value, v: &str, op: &str) -> String {
        let equal = op == "==";
        match (shape, value) {
            // Written the way clippy wants: no comparisons with `true`, `false` or `""`.
            (_, ir::Value::Bool(b)) => format!("{}{v}", if *b == equal { "" } else { "!" }),
            (_, ir::Value::String(s)) if s.is_empty() => {
                format!("{}{v}.is_empty()", if equal { "" } else { "!" })
            }
            // `-0.25_f64.to_bits()` would negate the bits: keep the literal whole.
            (Shape::Float(_), _) => format!(
                "{v}.to_bits() {op} ({}).to_bits()",
                self.default_expr(shape, value)
            ),
            (Shape::Enum { .. }, ir::Value::Enum { value, .. }) => {
                format!("{v}.to_u32() {op} {value}")
            }
            _ => format!("{v} {op} {}", self.default_expr(shape, value)),
        }
    }

    /// The owned Rust type of a member of type `ty`, relative to the package's `owned` module:
    /// `String`, `Vec<u8>`, `[u8; N]`, `Vec<T>`, and `Box<T>` where the borrowed type is lazy.
    pub fn owned_type(&self, ty: &Type, shape: &Shape) -> String {
        let plain = self.owned_plain(ty);
        if shape.is_recursive_link() {
            format!("rt::alloc::boxed::Box<{plain}>")
        } else {
            plain
        }
    }

    fn owned_plain(&self, ty: &Type) -> String {
        match ty {
            Type::String { .. } => "rt::alloc::string::String".into(),
            Type::Bytes { .. } => "rt::alloc::vec::Vec<u8>".into(),
            Type::FixedBytes { len } => format!("[u8; {len}]"),
            Type::Array { element, .. } => {
                format!("rt::alloc::vec::Vec<{}>", self.owned_plain(element))
            }
            Type::Message { name }
            | Type::Union { name }
            | Type::Enum { name }
            | Type::Alias { name, .. } => self.ctx.owned_path(name),
            _ => self.plain_type(ty),
        }
    }

    /// Statements that write the owned value `v` (a reference) of shape `shape`, checking array
    /// items.
    pub fn owned_encode(&self, shape: &Shape, v: &str) -> String {
        self.owned_encode_inner(shape, v, true)
    }

    /// `direct`: a member's own value, not an array item.
    fn owned_encode_inner(&self, shape: &Shape, v: &str, direct: bool) -> String {
        match shape {
            Shape::Bool => format!("w.bool(*{v})?;"),
            Shape::Int {
                int: IntType::U64, ..
            } => format!("w.u64(*{v})?;"),
            Shape::Int {
                int: IntType::I64, ..
            } => format!("w.i64(*{v})?;"),
            Shape::Int { .. } if shape.is_unsigned() => format!("w.u64(*{v} as u64)?;"),
            Shape::Int { .. } => format!("w.i64(*{v} as i64)?;"),
            Shape::Float(FloatType::F32) => format!("w.f32(*{v})?;"),
            Shape::Float(FloatType::F64) => format!("w.f64(*{v})?;"),
            Shape::Text { .. } => format!("w.text({v})?;"),
            Shape::Bytes { .. } | Shape::FixedBytes { .. } => format!("w.bytes({v})?;"),
            Shape::Enum { .. } => format!("w.u64({v}.to_u32() as u64)?;"),
            Shape::Array { element, .. } => {
                let check = self.owned_validate(element, "item");
                let write = self.owned_encode_inner(element, "item", false);
                format!("w.array({v}.len())?;\nfor item in {v}.iter() {{ {check}\n{write} }}\nw.close({v}.len());")
            }
            Shape::Record {
                recursive: true, ..
            } => format!("{v}.encode_in_cycle(w, budget)?;"),
            Shape::Record { name, .. } if direct && self.ctx.encodes_by_role(name) => {
                format!("{v}.encode_to_as::<R>(w)?;")
            }
            Shape::Record { .. } => format!("{v}.encode_to(w)?;"),
        }
    }

    /// Statements that reject an owned value `v` (a reference) the schema does not allow, before it
    /// is written (array items are checked as they are written).
    pub fn owned_validate(&self, shape: &Shape, v: &str) -> String {
        match shape {
            Shape::Int {
                min,
                max,
                narrowed: true,
                ..
            } => self.range_check(min, max, v),
            Shape::Text { max_len }
            | Shape::Bytes { max_len }
            | Shape::Array {
                max_items: max_len, ..
            } => self.bound_check(v, *max_len),
            _ => String::new(),
        }
    }

    /// The `rt::json` marker that maps a value of shape `shape` to canonical JSON
    /// (spec/04-wire-format.md §4.18).
    pub fn json_marker(&self, shape: &Shape) -> String {
        match shape {
            Shape::Int {
                min,
                max,
                narrowed: true,
                ..
            } => format!("rt::json::Range<{min}, {max}>"),
            Shape::Float(_) => "rt::json::Float".into(),
            Shape::Bytes { .. } | Shape::FixedBytes { .. } => "rt::json::Hex".into(),
            Shape::Array { element, .. } => format!("rt::json::Seq<{}>", self.json_marker(element)),
            _ => "rt::json::Same".into(),
        }
    }
}

/// The encoded length of a scalar of `shape` (integers, floats, text, bytes, enums), or `None` for the
/// others: `number` is the value as a number (dereferenced where the caller holds a reference), `v`
/// the value for method calls. Borrowed and owned forms share it.
fn scalar_len(shape: &Shape, number: &str, v: &str) -> Option<String> {
    Some(match shape {
        Shape::Int {
            int: IntType::U64, ..
        } => format!("rt::head_len({number})"),
        Shape::Int {
            int: IntType::I64, ..
        } => format!("rt::int_len({number})"),
        Shape::Int { .. } if shape.is_unsigned() => format!("rt::head_len({number} as u64)"),
        Shape::Int { .. } => format!("rt::int_len({number} as i64)"),
        Shape::Float(FloatType::F32) => format!("rt::float_len_f32({number})"),
        Shape::Float(FloatType::F64) => format!("rt::float_len({number})"),
        Shape::Text { .. } | Shape::Bytes { .. } => {
            format!("rt::head_len({v}.len() as u64) + {v}.len()")
        }
        Shape::Enum { .. } => format!("rt::head_len({v}.to_u32() as u64)"),
        _ => return None,
    })
}
