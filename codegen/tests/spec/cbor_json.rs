//! The canonical JSON mapping of spec/04-wire-format.md, implemented independently of any codec: a
//! generic CBOR value (decoded by ciborium) and the schema's IR in, the JSON value the spec prescribes
//! out. Used to check the spec's worked examples; the conformance suite checks codecs the same way.

use ciborium::value::Value;
use iotp2p_codegen::ir::{FloatType, Presence, Schema, Type, TypeKind};
use serde_json::{json, Map, Number, Value as Json};

/// Maps `value` of schema type `ty` to canonical JSON, checking that the value has that type.
pub fn to_canonical_json(schema: &Schema, ty: &Type, value: &Value) -> Result<Json, String> {
    match (ty.resolved(), value) {
        (Type::Bool, Value::Bool(b)) => Ok(json!(b)),
        (Type::Int { int, range }, Value::Integer(i)) => {
            let v = i128::from(*i);
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            if !(lo..=hi).contains(&v) {
                return Err(format!("{v} outside {lo}..={hi}"));
            }
            let n = if v < 0 {
                Number::from(v as i64)
            } else {
                Number::from(v as u64)
            };
            Ok(Json::Number(n))
        }
        (Type::Float { float }, Value::Float(f)) => {
            if *float == FloatType::F32 && (*f as f32) as f64 != *f && f.is_finite() {
                return Err(format!("{f} does not fit an f32"));
            }
            Ok(if f.is_nan() {
                json!("NaN")
            } else if f.is_infinite() {
                json!(if *f > 0.0 { "Infinity" } else { "-Infinity" })
            } else if *float == FloatType::F32 {
                // The shortest decimal that reads back as the same binary32 value (spec §4.18).
                serde_json::from_str(&format!("{:?}", *f as f32)).map_err(|e| e.to_string())?
            } else {
                Json::Number(Number::from_f64(*f).ok_or("non-finite float")?)
            })
        }
        (Type::String { max_len }, Value::Text(t)) => {
            if t.len() > *max_len as usize {
                return Err(format!(
                    "string of {} bytes over its bound {max_len}",
                    t.len()
                ));
            }
            Ok(json!(t))
        }
        (Type::Bytes { max_len }, Value::Bytes(b)) => {
            if b.len() > *max_len as usize {
                return Err(format!(
                    "bytes of length {} over its bound {max_len}",
                    b.len()
                ));
            }
            Ok(json!(hex(b)))
        }
        (Type::FixedBytes { len }, Value::Bytes(b)) => {
            if b.len() != *len as usize {
                return Err(format!(
                    "fixed bytes of length {} instead of {len}",
                    b.len()
                ));
            }
            Ok(json!(hex(b)))
        }
        (Type::Array { element, max_items }, Value::Array(items)) => {
            if items.len() > *max_items as usize {
                return Err(format!("{} items over the bound {max_items}", items.len()));
            }
            items
                .iter()
                .map(|v| to_canonical_json(schema, element, v))
                .collect::<Result<_, _>>()
                .map(Json::Array)
        }
        (Type::Enum { name }, Value::Integer(i)) => {
            let n = i128::from(*i);
            let Some(TypeKind::Enum { values, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                return Err(format!("unknown enum {name}"));
            };
            Ok(match values.iter().find(|v| v.value as i128 == n) {
                Some(v) => json!(v.name),
                None => json!(n as u64),
            })
        }
        (Type::Union { name }, Value::Map(entries)) => {
            let Some(TypeKind::Union { variants, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                return Err(format!("unknown union {name}"));
            };
            let [(Value::Integer(k), v)] = entries.as_slice() else {
                return Err(format!(
                    "union {name} is not a one-entry map with an integer key"
                ));
            };
            let key = i128::from(*k);
            let Some(variant) = variants.iter().find(|x| x.key as i128 == key) else {
                let mut raw = Vec::new();
                ciborium::into_writer(v, &mut raw).map_err(|e| e.to_string())?;
                let mut m = Map::new();
                m.insert(format!("#{key}"), json!(hex(&raw)));
                return Ok(Json::Object(m));
            };
            let inner = match (&variant.ty, v) {
                (None, Value::Null) => Json::Null,
                (None, other) => {
                    return Err(format!("unit variant {} carries {other:?}", variant.name))
                }
                (Some(t), v) => to_canonical_json(schema, t, v)?,
            };
            let mut m = Map::new();
            m.insert(variant.name.clone(), inner);
            Ok(Json::Object(m))
        }
        (Type::Message { name }, Value::Map(entries)) => {
            let Some(TypeKind::Message { fields, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                return Err(format!("unknown message {name}"));
            };
            let mut out = Map::new();
            for (k, v) in entries {
                let Value::Integer(k) = k else {
                    return Err(format!("message {name} has a non-integer key {k:?}"));
                };
                let key = i128::from(*k);
                let Some(field) = fields.iter().find(|f| f.key as i128 == key) else {
                    // Unknown fields: `"#<key>"` with the hex of the value's encoding.
                    let mut raw = Vec::new();
                    ciborium::into_writer(v, &mut raw).map_err(|e| e.to_string())?;
                    out.insert(format!("#{key}"), json!(hex(&raw)));
                    continue;
                };
                let mapped = to_canonical_json(schema, &field.ty, v)?;
                if let Presence::Default(d) = &field.presence {
                    if default_json(d) == mapped {
                        return Err(format!(
                            "field {name}.{} is present with its default value",
                            field.name
                        ));
                    }
                }
                out.insert(field.name.clone(), mapped);
            }
            for f in fields {
                if f.presence == Presence::Required && !out.contains_key(&f.name) {
                    return Err(format!("required field {name}.{} is missing", f.name));
                }
            }
            Ok(Json::Object(out))
        }
        (t, v) => Err(format!("a {v:?} where the schema has {t:?}")),
    }
}

fn default_json(v: &iotp2p_codegen::ir::Value) -> Json {
    match v {
        iotp2p_codegen::ir::Value::Bool(b) => json!(b),
        iotp2p_codegen::ir::Value::Int(i) if *i < 0 => json!(*i as i64),
        iotp2p_codegen::ir::Value::Int(i) => json!(*i as u64),
        iotp2p_codegen::ir::Value::Float(f) => json!(f),
        iotp2p_codegen::ir::Value::String(s) => json!(s),
        iotp2p_codegen::ir::Value::Enum { name, .. } => json!(name),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
