//! The Rust backend's view of the IR: for every type, the Rust types and the code snippets (decode,
//! encode, length, validation) that the template `templates/rust/package.rs` lays out.
//!
//! Wire rules implemented here are those of spec/04-wire-format.md; each snippet is an expression over
//! a reader `r`, a writer `w`, the remaining nesting `depth` and, inside recursive cycles, `budget`.

use std::collections::HashMap;

use super::names;
use super::RustOptions;
use crate::graph::{is_cycle, strongly_connected};
use crate::ir::{self, FloatType, IntType, Presence, Schema, Type, TypeKind};

/// What the generator knows about the whole schema while rendering one package.
pub(crate) struct Ctx<'s> {
    pub package: String,
    pub options: &'s RustOptions,
    /// Cycle id of every message or union on a recursive cycle.
    cycle_of: HashMap<String, usize>,
    /// `@max_depth` budget of each cycle: the smallest one written on a member.
    budgets: Vec<u32>,
    /// Which cycle members carry the `@max_depth` that the budget counts.
    counted: HashMap<String, bool>,
    pub sizes: HashMap<String, u64>,
}

impl<'s> Ctx<'s> {
    pub fn new(schema: &'s Schema, options: &'s RustOptions) -> Ctx<'s> {
        let defs: Vec<&ir::TypeDef> = schema.packages.iter().flat_map(|p| &p.types).collect();
        let index: HashMap<&str, usize> = defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.full_name.as_str(), i))
            .collect();
        let adjacency: Vec<Vec<usize>> = defs
            .iter()
            .map(|d| {
                let mut out = Vec::new();
                let mut add = |t: &Type| reach(t, &index, &mut out);
                match &d.kind {
                    TypeKind::Message { fields, .. } => fields.iter().for_each(|f| add(&f.ty)),
                    TypeKind::Union { variants, .. } => {
                        variants.iter().filter_map(|v| v.ty.as_ref()).for_each(add)
                    }
                    _ => {}
                }
                out
            })
            .collect();
        let mut cycle_of = HashMap::new();
        let mut budgets = Vec::new();
        let mut counted = HashMap::new();
        for component in strongly_connected(&adjacency) {
            if !is_cycle(&component, &adjacency) {
                continue;
            }
            let depth_of = |i: usize| match &defs[i].kind {
                TypeKind::Message { max_depth, .. } | TypeKind::Union { max_depth, .. } => {
                    *max_depth
                }
                _ => None,
            };
            let budget = component
                .iter()
                .filter_map(|&i| depth_of(i))
                .min()
                .unwrap_or(ir_default_depth());
            for &i in &component {
                cycle_of.insert(defs[i].full_name.clone(), budgets.len());
                counted.insert(defs[i].full_name.clone(), depth_of(i).is_some());
            }
            budgets.push(budget);
        }
        Ctx {
            package: String::new(),
            options,
            cycle_of,
            budgets,
            counted,
            sizes: ir::max_encoded_sizes(schema),
        }
    }

    /// The cycle's budget when `full_name` is on a recursive cycle.
    pub fn budget(&self, full_name: &str) -> Option<u32> {
        self.cycle_of.get(full_name).map(|&c| self.budgets[c])
    }

    /// Whether entering `full_name` spends one unit of its cycle's budget.
    pub fn counts_depth(&self, full_name: &str) -> bool {
        self.counted.get(full_name).copied().unwrap_or(false)
    }

    fn same_cycle(&self, a: &str, b: &str) -> bool {
        matches!((self.cycle_of.get(a), self.cycle_of.get(b)), (Some(x), Some(y)) if x == y)
    }

    /// The Rust path of a type, relative to the module of the package being generated.
    pub fn path(&self, full_name: &str) -> String {
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
            return format!("{path}::{short}");
        }
        format!("super::{}::{short}", names::module(package))
    }

    /// The Rust path of a type's owned counterpart, relative to the `owned` module of the package
    /// being generated (enums and aliases of types without borrowed data are re-exported there).
    pub fn owned_path(&self, full_name: &str) -> String {
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
            return format!("{path}::owned::{short}");
        }
        format!("super::super::{}::owned::{short}", names::module(package))
    }
}

/// Used only for cycles with no `@max_depth`, which validation rejects; any value keeps codegen total.
fn ir_default_depth() -> u32 {
    1
}

fn reach(ty: &Type, index: &HashMap<&str, usize>, out: &mut Vec<usize>) {
    match ty {
        Type::Message { name } | Type::Union { name } => out.extend(index.get(name.as_str())),
        Type::Alias { target, .. } => reach(target, index, out),
        Type::Array { element, .. } => reach(element, index, out),
        _ => {}
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

fn int_keyword(int: IntType) -> &'static str {
    int.keyword()
}

fn unsigned(int: IntType) -> bool {
    matches!(
        int,
        IntType::U8 | IntType::U16 | IntType::U32 | IntType::U64
    )
}

/// Snippet builder for one use of a type inside the type `owner`.
pub(crate) struct Use<'c, 's> {
    pub ctx: &'c Ctx<'s>,
    /// The message or union whose member this is.
    pub owner: &'c str,
    /// `Type.member`, for error messages.
    pub label: String,
}

impl Use<'_, '_> {
    /// Whether a direct (not array) use of `ty` points back into the owner's own cycle, so the value
    /// must be kept lazily (a struct cannot contain itself by value).
    fn lazy(&self, ty: &Type) -> bool {
        match ty {
            Type::Message { name } | Type::Union { name } => self.ctx.same_cycle(self.owner, name),
            Type::Alias { target, .. } => self.lazy(target),
            _ => false,
        }
    }

    /// The Rust type of a member of type `ty`.
    pub fn rust_type(&self, ty: &Type) -> String {
        let plain = self.plain_type(ty);
        if self.lazy(ty) {
            format!("rt::Lazy<'a, {plain}>")
        } else {
            plain
        }
    }

    fn plain_type(&self, ty: &Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Int { int, .. } => int_keyword(*int).into(),
            Type::Float {
                float: FloatType::F32,
            } => "f32".into(),
            Type::Float {
                float: FloatType::F64,
            } => "f64".into(),
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

    /// A `Result`-valued expression that reads and validates one value of `ty`.
    pub fn decode(&self, ty: &Type) -> String {
        self.decode_inner(ty, true)
    }

    fn decode_inner(&self, ty: &Type, direct: bool) -> String {
        match ty {
            Type::Bool => "r.bool()".into(),
            Type::Int { int, range } => {
                let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
                let kw = int_keyword(*int);
                match (unsigned(*int), *int) {
                    (true, IntType::U64) => format!("r.uint({lo}, {hi})"),
                    (true, _) => format!("r.uint({lo}, {hi}).map(|v| v as {kw})"),
                    (false, IntType::I64) => format!("r.int({lo}, {hi})"),
                    (false, _) => format!("r.int({lo}, {hi}).map(|v| v as {kw})"),
                }
            }
            Type::Float {
                float: FloatType::F32,
            } => "r.f32()".into(),
            Type::Float {
                float: FloatType::F64,
            } => "r.f64()".into(),
            Type::String { max_len } => format!("r.text({max_len})"),
            Type::Bytes { max_len } => format!("r.bytes({max_len})"),
            Type::FixedBytes { len } => format!("r.fixed::<{len}>()"),
            Type::Enum { name } => format!("{}::decode_from(r)", self.ctx.path(name)),
            Type::Message { name } | Type::Union { name } => {
                let path = self.ctx.path(name);
                if self.ctx.same_cycle(self.owner, name) {
                    let call = format!("{path}::decode_in_cycle(r, depth, budget)");
                    if direct {
                        format!("rt::Lazy::decode(r, depth, |r| {call}.map(|_| ()))")
                    } else {
                        call
                    }
                } else {
                    format!("{path}::decode_from(r, depth)")
                }
            }
            Type::Array { element, max_items } => {
                let item = self.decode_inner(element, false);
                let element_type = self.plain_type(element);
                let depth = if item.contains("depth") { "depth" } else { "_" };
                format!("rt::Array::<{element_type}>::decode(r, {max_items}, depth, |r, {depth}| {item}.map(|_| ()))")
            }
            Type::Alias { target, .. } => self.decode_inner(target, direct),
        }
    }

    /// A statement that writes the value `v` of `ty`.
    pub fn encode(&self, ty: &Type, v: &str) -> String {
        self.encode_inner(ty, v, true)
    }

    /// Whether `ty` holds, directly or in arrays, a value of the owner's own recursive cycle: such
    /// values are written within the cycle's `@max_depth` budget.
    fn reaches_cycle(&self, ty: &Type) -> bool {
        match ty.resolved() {
            Type::Message { name } | Type::Union { name } => self.ctx.same_cycle(self.owner, name),
            Type::Array { element, .. } => self.reaches_cycle(element),
            _ => false,
        }
    }

    /// `direct`: a member's own value (kept lazily when it is on the owner's cycle), not an array
    /// item.
    fn encode_inner(&self, ty: &Type, v: &str, direct: bool) -> String {
        match ty.resolved() {
            Type::Bool => format!("w.bool({v})?;"),
            Type::Int {
                int: IntType::U64, ..
            } => format!("w.u64({v})?;"),
            Type::Int {
                int: IntType::I64, ..
            } => format!("w.i64({v})?;"),
            Type::Int { int, .. } if unsigned(*int) => format!("w.u64({v} as u64)?;"),
            Type::Int { .. } => format!("w.i64({v} as i64)?;"),
            Type::Float {
                float: FloatType::F32,
            } => format!("w.f64({v} as f64)?;"),
            Type::Float {
                float: FloatType::F64,
            } => format!("w.f64({v})?;"),
            Type::String { .. } => format!("w.text({v})?;"),
            Type::Bytes { .. } | Type::FixedBytes { .. } => format!("w.bytes({v})?;"),
            Type::Enum { .. } => format!("w.u64({v}.to_u32() as u64)?;"),
            Type::Message { name } | Type::Union { name }
                if self.ctx.same_cycle(self.owner, name) =>
            {
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
            Type::Array { element, .. } if self.reaches_cycle(element) => {
                let write = self.encode_inner(element, "item", false);
                let check = self.decode_inner(element, false);
                format!(
                    "{v}.write_with(w, |item, w| {{ {write} Ok(()) }}, |r, depth| \
                     {check}.map(|_| ()))?;"
                )
            }
            _ if self.lazy(ty) => format!("rt::Element::write(&{v}, w)?;"),
            Type::Array { .. } => format!("{v}.write(w)?;"),
            _ => format!("{v}.encode_to(w)?;"),
        }
    }

    /// An expression for the encoded length of the value `v` of `ty`.
    pub fn len(&self, ty: &Type, v: &str) -> String {
        match ty.resolved() {
            Type::Bool => "1".into(),
            Type::Int {
                int: IntType::U64, ..
            } => format!("rt::head_len({v})"),
            Type::Int {
                int: IntType::I64, ..
            } => format!("rt::int_len({v})"),
            Type::Int { int, .. } if unsigned(*int) => format!("rt::head_len({v} as u64)"),
            Type::Int { .. } => format!("rt::int_len({v} as i64)"),
            Type::Float {
                float: FloatType::F32,
            } => format!("rt::float_len({v} as f64)"),
            Type::Float {
                float: FloatType::F64,
            } => format!("rt::float_len({v})"),
            Type::String { .. } | Type::Bytes { .. } => {
                format!("rt::head_len({v}.len() as u64) + {v}.len()")
            }
            Type::FixedBytes { len } => format!("{}", ir::head_len(*len as u64) + *len as u64),
            Type::Enum { .. } => format!("rt::head_len({v}.to_u32() as u64)"),
            _ if self.lazy(ty) => format!("rt::Element::encoded_len(&{v})"),
            _ => format!("{v}.encoded_len()"),
        }
    }

    /// Statements that reject a value `v` the schema does not allow (bounds, ranges) before encoding.
    pub fn validate(&self, ty: &Type, v: &str) -> String {
        let label = &self.label;
        match ty.resolved() {
            Type::Int { int, range: Some(r) } if (r.min, r.max) != int.bounds() => format!(
                "if !({}..={}).contains(&{v}) {{ return Err(rt::EncodeError::OutOfRange {{ field: \"{label}\" }}); }}",
                r.min, r.max
            ),
            Type::String { max_len } | Type::Bytes { max_len } => format!(
                "if {v}.len() > {max_len} {{ return Err(rt::EncodeError::BoundExceeded {{ field: \"{label}\" }}); }}"
            ),
            Type::Array { element, max_items } => {
                let mut s = format!(
                    "if {v}.len() > {max_items} {{ return Err(rt::EncodeError::BoundExceeded {{ field: \"{label}\" }}); }}"
                );
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
    pub fn default_expr(&self, ty: &Type, value: &ir::Value) -> String {
        match (ty.resolved(), value) {
            (_, ir::Value::Bool(b)) => b.to_string(),
            (Type::Float { float }, ir::Value::Int(i)) => format!("{i}.0_{}", float_kw(*float)),
            (_, ir::Value::Int(i)) => i.to_string(),
            (Type::Float { float }, ir::Value::Float(f)) => format!("{f:?}_{}", float_kw(*float)),
            (_, ir::Value::Float(f)) => format!("{f:?}"),
            (_, ir::Value::String(s)) => format!("{s:?}"),
            (Type::Enum { name }, ir::Value::Enum { name: value, .. }) => {
                format!("{}::{}", self.ctx.path(name), names::upper(value))
            }
            (_, ir::Value::Enum { value, .. }) => value.to_string(),
        }
    }

    /// A boolean expression comparing `v` with the default using `op` (`==` or `!=`): floats compare
    /// bit patterns and enums their numbers, so that "equal" means "encodes the same".
    pub fn compare_default(&self, ty: &Type, value: &ir::Value, v: &str, op: &str) -> String {
        let equal = op == "==";
        match (ty.resolved(), value) {
            // Written the way clippy wants: no comparisons with `true`, `false` or `""`.
            (_, ir::Value::Bool(b)) => format!("{}{v}", if *b == equal { "" } else { "!" }),
            (_, ir::Value::String(s)) if s.is_empty() => {
                format!("{}{v}.is_empty()", if equal { "" } else { "!" })
            }
            // `-0.25_f64.to_bits()` would negate the bits: keep the literal whole.
            (Type::Float { .. }, _) => format!(
                "{v}.to_bits() {op} ({}).to_bits()",
                self.default_expr(ty, value)
            ),
            (Type::Enum { .. }, ir::Value::Enum { value, .. }) => {
                format!("{v}.to_u32() {op} {value}")
            }
            _ => format!("{v} {op} {}", self.default_expr(ty, value)),
        }
    }

    /// The owned Rust type of a member of type `ty`, relative to the package's `owned` module:
    /// `String`, `Vec<u8>`, `[u8; N]`, `Vec<T>`, and `Box<T>` where the borrowed type is lazy.
    pub fn owned_type(&self, ty: &Type) -> String {
        let plain = self.owned_plain(ty);
        if self.lazy(ty) {
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

    /// Statements that write the owned value `v` (a reference) of `ty`, checking array items.
    pub fn owned_encode(&self, ty: &Type, v: &str) -> String {
        match ty.resolved() {
            Type::Bool => format!("w.bool(*{v})?;"),
            Type::Int {
                int: IntType::U64, ..
            } => format!("w.u64(*{v})?;"),
            Type::Int {
                int: IntType::I64, ..
            } => format!("w.i64(*{v})?;"),
            Type::Int { int, .. } if unsigned(*int) => format!("w.u64(*{v} as u64)?;"),
            Type::Int { .. } => format!("w.i64(*{v} as i64)?;"),
            Type::Float {
                float: FloatType::F32,
            } => format!("w.f64(*{v} as f64)?;"),
            Type::Float {
                float: FloatType::F64,
            } => format!("w.f64(*{v})?;"),
            Type::String { .. } => format!("w.text({v})?;"),
            Type::Bytes { .. } | Type::FixedBytes { .. } => format!("w.bytes({v})?;"),
            Type::Enum { .. } => format!("w.u64({v}.to_u32() as u64)?;"),
            Type::Array { element, .. } => {
                let check = self.owned_validate(element, "item");
                let write = self.owned_encode(element, "item");
                format!("w.array({v}.len())?;\nfor item in {v}.iter() {{ {check}\n{write} }}\nw.close({v}.len());")
            }
            Type::Message { name } | Type::Union { name }
                if self.ctx.same_cycle(self.owner, name) =>
            {
                format!("{v}.encode_in_cycle(w, budget)?;")
            }
            _ => format!("{v}.encode_to(w)?;"),
        }
    }

    /// An expression for the encoded length of the owned value `v` (a reference) of `ty`.
    pub fn owned_len(&self, ty: &Type, v: &str) -> String {
        match ty.resolved() {
            Type::Bool => "1".into(),
            Type::Int {
                int: IntType::U64, ..
            } => format!("rt::head_len(*{v})"),
            Type::Int {
                int: IntType::I64, ..
            } => format!("rt::int_len(*{v})"),
            Type::Int { int, .. } if unsigned(*int) => format!("rt::head_len(*{v} as u64)"),
            Type::Int { .. } => format!("rt::int_len(*{v} as i64)"),
            Type::Float {
                float: FloatType::F32,
            } => format!("rt::float_len(*{v} as f64)"),
            Type::Float {
                float: FloatType::F64,
            } => format!("rt::float_len(*{v})"),
            Type::String { .. } | Type::Bytes { .. } => {
                format!("rt::head_len({v}.len() as u64) + {v}.len()")
            }
            Type::FixedBytes { len } => format!("{}", ir::head_len(*len as u64) + *len as u64),
            Type::Enum { .. } => format!("rt::head_len({v}.to_u32() as u64)"),
            Type::Array { element, .. } => {
                let item = self.owned_len(element, "item");
                let items = match item.parse::<u64>() {
                    Ok(1) => format!("{v}.len()"),
                    Ok(n) => format!("{v}.len() * {n}"),
                    Err(_) => format!("{v}.iter().map(|item| {item}).sum::<usize>()"),
                };
                format!("rt::head_len({v}.len() as u64) + {items}")
            }
            _ => format!("{v}.encoded_len()"),
        }
    }

    /// Statements that reject an owned value `v` (a reference) the schema does not allow, before it
    /// is written (array items are checked as they are written).
    pub fn owned_validate(&self, ty: &Type, v: &str) -> String {
        let label = &self.label;
        match ty.resolved() {
            Type::Int { int, range: Some(r) } if (r.min, r.max) != int.bounds() => format!(
                "if !({}..={}).contains({v}) {{ return Err(rt::EncodeError::OutOfRange {{ field: \"{label}\" }}); }}",
                r.min, r.max
            ),
            Type::String { max_len } | Type::Bytes { max_len } => format!(
                "if {v}.len() > {max_len} {{ return Err(rt::EncodeError::BoundExceeded {{ field: \"{label}\" }}); }}"
            ),
            Type::Array { max_items, .. } => format!(
                "if {v}.len() > {max_items} {{ return Err(rt::EncodeError::BoundExceeded {{ field: \"{label}\" }}); }}"
            ),
            _ => String::new(),
        }
    }

    /// The expression that turns the borrowed value `v` of `ty` into its owned counterpart.
    pub fn owned_value(&self, ty: &Type, v: &str) -> String {
        if borrows(ty) {
            format!("rt::IntoOwned::into_owned({v})")
        } else {
            v.to_string()
        }
    }

    /// The `rt::json` marker that maps `ty` to canonical JSON (spec/04-wire-format.md §4.18).
    pub fn json_marker(&self, ty: &Type) -> String {
        match ty {
            Type::Alias { target, .. } => self.json_marker(target),
            Type::Int {
                int,
                range: Some(r),
            } if (r.min, r.max) != int.bounds() => {
                format!("rt::json::Range<{}, {}>", r.min, r.max)
            }
            Type::Float { .. } => "rt::json::Float".into(),
            Type::Bytes { .. } | Type::FixedBytes { .. } => "rt::json::Hex".into(),
            Type::Array { element, .. } => format!("rt::json::Seq<{}>", self.json_marker(element)),
            _ => "rt::json::Same".into(),
        }
    }

    /// A default value as the JSON reader of an owned message fills it in, from inside a generated
    /// function at package level (hence `self::` before the package's own enums).
    pub fn json_default(&self, ty: &Type, value: &ir::Value, slot: &str) -> String {
        match (ty.resolved(), value) {
            (_, ir::Value::String(s)) if s.is_empty() => format!("{slot}.unwrap_or_default()"),
            (_, ir::Value::String(s)) => format!("{slot}.unwrap_or_else(|| {s:?}.into())"),
            (Type::Enum { name }, ir::Value::Enum { name: value, .. }) => {
                let path = self.ctx.path(name);
                let path = if path.contains("::") {
                    path
                } else {
                    format!("self::{path}")
                };
                format!("{slot}.unwrap_or({path}::{})", names::upper(value))
            }
            _ => format!("{slot}.unwrap_or({})", self.default_expr(ty, value)),
        }
    }
}

fn float_kw(f: FloatType) -> &'static str {
    match f {
        FloatType::F32 => "f32",
        FloatType::F64 => "f64",
    }
}

/// Doc comment lines for generated code (`///` prepended by the template).
pub(crate) fn doc_lines(doc: &str) -> Vec<String> {
    if doc.trim().is_empty() {
        return Vec::new();
    }
    doc.lines().map(|l| l.trim_end().to_string()).collect()
}

/// One message field, ready for the template.
pub(crate) struct FieldView {
    pub docs: Vec<String>,
    /// The schema name, for local variable names (`f_type`, never `f_r#type`).
    pub slot_name: String,
    pub deprecated: Option<String>,
    pub name: String,
    pub key: u32,
    pub rust_type: String,
    /// `Option<T>` slot the decoder fills.
    pub slot: String,
    pub decode: String,
    pub label: String,
    /// Rejects a present value equal to the default (defaulted fields only).
    pub default_check: Option<String>,
    /// Expression turning the slot into the field value.
    pub finish: String,
    /// Binds `v` and guards presence: `if let Some(v) = self.x` / `let v = self.x; if ...`.
    pub bind: String,
    pub validate: String,
    pub encode: String,
    /// The statement adding the field's encoded length to `len`.
    pub len_stmt: String,
    /// The expression adding the field to the entry count (`1` or `usize::from(...)`).
    pub count: String,
    /// The owned struct's field type.
    pub owned_type: String,
    /// Like `bind`, for owned values: binds `v` to a reference.
    pub owned_bind: String,
    pub owned_validate: String,
    pub owned_encode: String,
    pub owned_len_stmt: String,
    /// Expression for the owned field, from `self` (borrowed).
    pub into_owned: String,
    /// Statement that writes the field's JSON member, if present (`map` is the message serializer).
    pub json_write: String,
    /// Statement that reads the field's JSON member into its slot.
    pub json_put: String,
    /// Expression for the owned field, from its slot, after reading JSON.
    pub json_finish: String,
}

/// Builds the field view for `f` of message `owner`.
pub(crate) fn field_view(ctx: &Ctx<'_>, owner: &ir::TypeDef, f: &ir::Field) -> FieldView {
    let label = format!("{}.{}", owner.name, f.name);
    let u = Use {
        ctx,
        owner: &owner.full_name,
        label: label.clone(),
    };
    let name = names::field(&f.name);
    let ty = u.rust_type(&f.ty);
    let (rust_type, finish, bind, present, default_check) = match &f.presence {
        Presence::Required => (
            ty.clone(),
            format!("f_{}.ok_or(rt::DecodeError::new(rt::ErrorClass::MissingField, start).in_field(\"{label}\"))?", f.name),
            format!("let v = self.{name};"),
            "true".to_string(),
            None,
        ),
        Presence::Optional => (
            format!("Option<{ty}>"),
            format!("f_{}", f.name),
            format!("if let Some(v) = self.{name}"),
            format!("self.{name}.is_some()"),
            None,
        ),
        Presence::Default(value) => (
            ty.clone(),
            format!("f_{}.unwrap_or({})", f.name, u.default_expr(&f.ty, value)),
            format!("let v = self.{name}; if {}", u.compare_default(&f.ty, value, "v", "!=")),
            u.compare_default(&f.ty, value, &format!("self.{name}"), "!="),
            Some(u.compare_default(&f.ty, value, "v", "==")),
        ),
    };
    let len = u.len(&f.ty, "v");
    let key_len = ir::head_len(f.key as u64);
    let constant = len.chars().all(|c| c.is_ascii_digit());
    let len_stmt = match (&f.presence, constant) {
        (Presence::Required, true) => format!("len += {key_len} + {len};"),
        (_, true) => format!("if {present} {{ len += {key_len} + {len}; }}"),
        (_, false) => format!("{bind} {{ len += {key_len} + {len}; }}"),
    };
    let count = match &f.presence {
        Presence::Required => "1".to_string(),
        _ => format!("usize::from({present})"),
    };
    let owned = u.owned_type(&f.ty);
    let (owned_type, owned_bind) = match &f.presence {
        Presence::Required => (owned.clone(), format!("let v = &self.{name};")),
        Presence::Optional => (
            format!("Option<{owned}>"),
            format!("if let Some(v) = &self.{name}"),
        ),
        Presence::Default(_) => (owned.clone(), format!("let v = &self.{name}; if {present}")),
    };
    let owned_len = u.owned_len(&f.ty, "v");
    let owned_len_stmt = match (&f.presence, constant) {
        (Presence::Required, true) => format!("len += {key_len} + {owned_len};"),
        (_, true) => format!("if {present} {{ len += {key_len} + {owned_len}; }}"),
        (_, false) => format!("{owned_bind} {{ len += {key_len} + {owned_len}; }}"),
    };
    let marker = u.json_marker(&f.ty);
    let json_name = &f.name;
    let key = f.key;
    let write =
        |value: &str| format!("map.field::<{marker}, _>({key}, \"{json_name}\", {value})?;");
    let json_write = match &f.presence {
        Presence::Required => write(&format!("&self.{name}")),
        Presence::Optional => format!("if let Some(v) = &self.{name} {{ {} }}", write("v")),
        Presence::Default(_) => format!("if {present} {{ {} }}", write(&format!("&self.{name}"))),
    };
    let slot = format!("f_{}", f.name);
    let json_put = format!(
        "{key} => rt::json::put::<{marker}, _, _>(&mut map, &mut {slot}, \"{json_name}\")?,"
    );
    let json_finish = match &f.presence {
        Presence::Required => format!("rt::json::required({slot}, \"{json_name}\")?"),
        Presence::Optional => slot.clone(),
        Presence::Default(value) => u.json_default(&f.ty, value, &slot),
    };
    FieldView {
        owned_type,
        owned_validate: u.owned_validate(&f.ty, "v"),
        owned_encode: u.owned_encode(&f.ty, "v"),
        owned_bind,
        owned_len_stmt,
        into_owned: u.owned_value(&f.ty, &format!("self.{name}")),
        json_write,
        json_put,
        json_finish,
        docs: doc_lines(&f.doc),
        slot_name: f.name.clone(),
        len_stmt,
        count,
        deprecated: f
            .deprecated
            .as_ref()
            .map(|d| d.note.clone().unwrap_or_default()),
        key: f.key,
        slot: format!("Option<{ty}>"),
        decode: u.decode(&f.ty),
        default_check,
        finish,
        bind,
        validate: u.validate(&f.ty, "v"),
        encode: u.encode(&f.ty, "v"),
        rust_type,
        label,
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
    pub decode: String,
    pub validate: String,
    pub encode: String,
    pub len: String,
    /// The variant's name in JSON (the schema name).
    pub json_name: String,
    /// Payload type of the owned enum; `None` for a unit variant.
    pub owned_type: Option<String>,
    pub owned_validate: String,
    pub owned_encode: String,
    pub owned_len: String,
    /// Expression for the owned payload, from the borrowed payload `v`.
    pub into_owned: String,
    /// The `rt::json` marker of the payload.
    pub json_marker: String,
}

/// Builds the variant view for `v` of union `owner`.
pub(crate) fn variant_view(ctx: &Ctx<'_>, owner: &ir::TypeDef, v: &ir::Variant) -> VariantView {
    let label = format!("{}.{}", owner.name, v.name);
    let u = Use {
        ctx,
        owner: &owner.full_name,
        label: label.clone(),
    };
    let (rust_type, decode, validate, encode, len) = match &v.ty {
        Some(t) => (
            Some(u.rust_type(t)),
            u.decode(t),
            u.validate(t, "v"),
            u.encode(t, "v"),
            u.len(t, "v"),
        ),
        None => (
            None,
            "r.null()".into(),
            String::new(),
            "w.null()?;".into(),
            "1".into(),
        ),
    };
    let owned_len = v.ty.as_ref().map_or("1".into(), |t| u.owned_len(t, "v"));
    VariantView {
        json_name: v.name.clone(),
        owned_type: v.ty.as_ref().map(|t| u.owned_type(t)),
        owned_validate: v
            .ty
            .as_ref()
            .map_or(String::new(), |t| u.owned_validate(t, "v")),
        owned_encode: v
            .ty
            .as_ref()
            .map_or(String::new(), |t| u.owned_encode(t, "v")),
        owned_len,
        into_owned: v
            .ty
            .as_ref()
            .map_or(String::new(), |t| u.owned_value(t, "v")),
        json_marker: v.ty.as_ref().map_or(String::new(), |t| u.json_marker(t)),
        len_binding: if len.chars().all(|c| c.is_ascii_digit()) {
            "_"
        } else {
            "v"
        },
        docs: doc_lines(&v.doc),
        key_len: ir::head_len(v.key as u64),
        deprecated: v
            .deprecated
            .as_ref()
            .map(|d| d.note.clone().unwrap_or_default()),
        name: names::upper_camel(&v.name),
        key: v.key,
        label,
        rust_type,
        decode,
        validate,
        encode,
        len,
    }
}

/// Whether the Rust alias for `target` takes `'a`, its Rust type, and its owned Rust type.
pub(crate) fn alias_view(
    ctx: &Ctx<'_>,
    owner: &ir::TypeDef,
    target: &Type,
) -> (bool, String, String) {
    let u = Use {
        ctx,
        owner: &owner.full_name,
        label: owner.name.clone(),
    };
    (borrows(target), u.rust_type(target), u.owned_type(target))
}
