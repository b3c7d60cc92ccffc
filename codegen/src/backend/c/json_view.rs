//! The facts of a package's optional JSON unit (`<package>_json.h`, `<package>_json.c`): for every
//! message, union and enum, the description that the runtime's JSON mapping
//! (`codec-c/runtime/iotp2p_json.c`, spec §4.18) walks: member names and keys, each value's shape
//! (array levels around a leaf kind, the described type of an enum or record) and each default's
//! canonical encoding. `templates/c/json.h` and `json.c` lay them out.

use iotp2p_codec::runtime::Writer;

use super::names;
use crate::ir::{self, FloatType};
use crate::model::{Kind, Model, Shape};

/// One package's JSON unit.
pub(crate) struct JsonPackageView {
    pub package: String,
    pub source: String,
    /// The codec's file stem (`iotp2p_core`); the unit is `<stem>_json`.
    pub stem: String,
    pub guard: String,
    /// The JSON units of the imported packages (their descriptions are referred to).
    pub includes: Vec<String>,
    /// Messages, unions and enums in source order.
    pub types: Vec<JsonTypeView>,
}

/// The description of one type.
pub(crate) struct JsonTypeView {
    pub full_name: String,
    /// The C type (and function prefix) of the codec.
    pub ctype: String,
    /// `IOTP_JSON_MESSAGE`, `IOTP_JSON_UNION` or `IOTP_JSON_ENUMERATION`.
    pub form: &'static str,
    /// Whether it is a message or union (with a struct, `_decode` and `_encode`).
    pub is_record: bool,
    pub members: Vec<JsonMemberView>,
}

/// A field, a variant or an enum value.
pub(crate) struct JsonMemberView {
    pub name: String,
    pub key: u32,
    pub has_value: bool,
    /// How many arrays are nested around the leaf.
    pub arrays: usize,
    /// The leaf's `iotp_json_kind` constant.
    pub kind: &'static str,
    /// The description of the leaf's enum or record type (`<ctype>_json`).
    pub described: Option<String>,
    /// A defaulted field's default, encoded canonically.
    pub default: Option<Vec<u8>>,
}

pub(crate) fn json_package_view(model: &Model<'_>, index: usize) -> JsonPackageView {
    let p = &model.packages()[index];
    let stem = names::package(&p.ir.name);
    let types = p
        .types
        .iter()
        .filter_map(|t| {
            let (form, members) = match &t.kind {
                Kind::Message(m) => (
                    "IOTP_JSON_MESSAGE",
                    m.fields
                        .iter()
                        .map(|f| member(&f.ir.name, f.ir.key, Some(&f.shape), f.default()))
                        .collect(),
                ),
                Kind::Union(u) => (
                    "IOTP_JSON_UNION",
                    u.variants_by_key()
                        .into_iter()
                        .map(|v| member(&v.ir.name, v.ir.key, v.payload.as_ref(), None))
                        .collect(),
                ),
                Kind::Enum(e) => (
                    "IOTP_JSON_ENUMERATION",
                    e.values
                        .iter()
                        .map(|v| member(&v.name, v.value, None, None))
                        .collect(),
                ),
                Kind::Alias(_) => return None,
            };
            Some(JsonTypeView {
                full_name: t.def.full_name.clone(),
                ctype: names::type_name(&t.def.full_name),
                is_record: form != "IOTP_JSON_ENUMERATION",
                form,
                members,
            })
        })
        .collect();
    JsonPackageView {
        package: p.ir.name.clone(),
        source: p.ir.location.file.clone(),
        guard: format!("{}_JSON_H", stem.to_ascii_uppercase()),
        includes: p
            .ir
            .imports
            .iter()
            .map(|i| format!("{}_json.h", names::package(i)))
            .collect(),
        stem,
        types,
    }
}

fn member(
    name: &str,
    key: u32,
    shape: Option<&Shape<'_>>,
    default: Option<&ir::Value>,
) -> JsonMemberView {
    let mut view = JsonMemberView {
        name: name.to_string(),
        key,
        has_value: shape.is_some(),
        arrays: 0,
        kind: "IOTP_JSON_BOOL",
        described: None,
        default: None,
    };
    let Some(mut shape) = shape else {
        return view;
    };
    while let Shape::Array { element, .. } = shape {
        view.arrays += 1;
        shape = element;
    }
    view.kind = match shape {
        Shape::Bool => "IOTP_JSON_BOOL",
        Shape::Int { .. } if shape.is_unsigned() => "IOTP_JSON_UINT",
        Shape::Int { .. } => "IOTP_JSON_INT",
        Shape::Float(FloatType::F32) => "IOTP_JSON_F32",
        Shape::Float(FloatType::F64) => "IOTP_JSON_F64",
        Shape::Text { .. } => "IOTP_JSON_TEXT",
        Shape::Bytes { .. } | Shape::FixedBytes { .. } => "IOTP_JSON_BYTES",
        Shape::Enum { .. } => "IOTP_JSON_ENUM",
        Shape::Record { .. } => "IOTP_JSON_RECORD",
        Shape::Array { .. } => unreachable!("the levels are counted above"),
    };
    if let Shape::Enum { name } | Shape::Record { name, .. } = shape {
        view.described = Some(format!("{}_json", names::type_name(name)));
    }
    view.default = default.map(|d| encoded_default(shape, d));
    view
}

/// The canonical encoding of a field's default, with the codec runtime's writer (so that a member
/// equal to it is recognised byte for byte, as the decoder's default-value-present check does).
fn encoded_default(shape: &Shape<'_>, value: &ir::Value) -> Vec<u8> {
    let text_len = match value {
        ir::Value::String(s) => s.len(),
        _ => 0,
    };
    let mut buf = vec![0u8; text_len + 16];
    let mut w = Writer::new(&mut buf);
    let written = match (shape, value) {
        (_, ir::Value::Bool(b)) => w.bool(*b),
        (Shape::Float(float), v) => {
            let f = match v {
                ir::Value::Float(f) => *f,
                ir::Value::Int(i) => *i as f64,
                _ => 0.0,
            };
            match float {
                FloatType::F32 => w.f32(f as f32),
                FloatType::F64 => w.f64(f),
            }
        }
        (_, ir::Value::Int(i)) if *i < 0 => w.i64(*i as i64),
        (_, ir::Value::Int(i)) => w.u64(*i as u64),
        (_, ir::Value::String(s)) => w.text(s),
        (_, ir::Value::Enum { value, .. }) => w.u64(u64::from(*value)),
        (_, ir::Value::Float(f)) => w.f64(*f),
    };
    written.expect("a default fits its buffer");
    let len = w.position();
    buf.truncate(len);
    buf
}
