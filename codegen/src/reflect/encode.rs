//! Canonical encoding of a reflected [`Value`] (spec/04-wire-format.md): the bytes every conforming
//! encoder must produce for it.

use iotp2p_codec::runtime::{f64_to_f16_exact, limits::MAX_DEPTH, Reader};

use super::{Entry, UnionValue, Value};
use crate::ir::{Presence, Schema, Type, TypeKind};

/// Encodes `value` as type `ty`. Fails when the value does not fit the type (wrong shape, bound,
/// range), naming what is wrong.
pub fn encode(schema: &Schema, ty: &Type, value: &Value) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    write(schema, ty, value, &mut out)?;
    // No encoder may produce an item deeper than MAX_DEPTH (IOTP-WIRE-61), whether the depth comes
    // from the schema's structure or from retained unknown content: measure what was written.
    Reader::new(&out)
        .skip(MAX_DEPTH)
        .map_err(|_| "the value nests deeper than MAX_DEPTH (16 levels)".to_string())?;
    Ok(out)
}

fn head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xff => out.extend([m | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(arg.to_be_bytes());
        }
    }
}

fn float(out: &mut Vec<u8>, v: f64) {
    if let Some(half) = f64_to_f16_exact(v) {
        out.push(0xf9);
        out.extend(half.to_be_bytes());
    } else if (v as f32) as f64 == v {
        out.push(0xfa);
        out.extend((v as f32).to_be_bytes());
    } else {
        out.push(0xfb);
        out.extend(v.to_be_bytes());
    }
}

fn write(schema: &Schema, ty: &Type, value: &Value, out: &mut Vec<u8>) -> Result<(), String> {
    match (ty, value) {
        (Type::Alias { target, .. }, v) => write(schema, target, v, out),
        (Type::Bool, Value::Bool(b)) => {
            out.push(if *b { 0xf5 } else { 0xf4 });
            Ok(())
        }
        (Type::Int { int, range }, Value::Int(i)) => {
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            if !(lo..=hi).contains(i) {
                return Err(format!("{i} is outside {lo}..={hi}"));
            }
            if *i >= 0 {
                head(out, 0, *i as u64);
            } else {
                head(out, 1, (-1 - *i) as u64);
            }
            Ok(())
        }
        (Type::Float { float: f }, Value::Float(v)) => {
            if *f == crate::ir::FloatType::F32 && !v.is_nan() && (*v as f32) as f64 != *v {
                return Err(format!("{v} is not a binary32 value"));
            }
            float(out, *v);
            Ok(())
        }
        (Type::String { max_len }, Value::Text(t)) => {
            if t.len() > *max_len as usize {
                return Err(format!(
                    "a string of {} bytes exceeds its bound {max_len}",
                    t.len()
                ));
            }
            head(out, 3, t.len() as u64);
            out.extend(t.as_bytes());
            Ok(())
        }
        (Type::Bytes { max_len }, Value::Bytes(b)) => {
            if b.len() > *max_len as usize {
                return Err(format!("{} bytes exceed the bound {max_len}", b.len()));
            }
            head(out, 2, b.len() as u64);
            out.extend(b);
            Ok(())
        }
        (Type::FixedBytes { len }, Value::Bytes(b)) => {
            if b.len() != *len as usize {
                return Err(format!(
                    "{} bytes where exactly {len} are required",
                    b.len()
                ));
            }
            head(out, 2, b.len() as u64);
            out.extend(b);
            Ok(())
        }
        (Type::Array { element, max_items }, Value::Array(items)) => {
            if items.len() > *max_items as usize {
                return Err(format!(
                    "{} items exceed the bound {max_items}",
                    items.len()
                ));
            }
            head(out, 4, items.len() as u64);
            items
                .iter()
                .try_for_each(|v| write(schema, element, v, out))
        }
        (Type::Enum { .. }, Value::Enum(n)) => {
            head(out, 0, *n as u64);
            Ok(())
        }
        (Type::Message { name }, Value::Message(entries)) => {
            let Some(TypeKind::Message { fields, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                return Err(format!("`{name}` is not a message"));
            };
            let mut sorted: Vec<&Entry> = entries.iter().collect();
            sorted.sort_by_key(|e| e.key());
            for pair in sorted.windows(2) {
                if pair[0].key() == pair[1].key() {
                    return Err(format!("key {} appears twice", pair[0].key()));
                }
            }
            // Entries equal to their default are not written (spec §4.8).
            let mut body = Vec::new();
            let mut count = 0u64;
            for e in sorted {
                match e {
                    Entry::Field(key, v) => {
                        let f = fields
                            .iter()
                            .find(|f| f.key == *key)
                            .ok_or_else(|| format!("`{name}` has no field with key {key}"))?;
                        if let Presence::Default(d) = &f.presence {
                            if super::json::equals_default(v, d, &f.ty) {
                                continue;
                            }
                        }
                        head(&mut body, 0, *key as u64);
                        write(schema, &f.ty, v, &mut body)
                            .map_err(|e| format!("{}: {e}", f.name))?;
                    }
                    Entry::Unknown(key, raw) => {
                        head(&mut body, 0, *key);
                        body.extend(raw);
                    }
                }
                count += 1;
            }
            for f in fields.iter().filter(|f| f.presence == Presence::Required) {
                if !entries.iter().any(|e| e.key() == f.key as u64) {
                    return Err(format!("required field `{}` is missing", f.name));
                }
            }
            head(out, 5, count);
            out.extend(body);
            Ok(())
        }
        (Type::Union { name }, Value::Union(key, v)) => {
            let Some(TypeKind::Union { variants, .. }) = schema.find_type(name).map(|d| &d.kind)
            else {
                return Err(format!("`{name}` is not a union"));
            };
            head(out, 5, 1);
            head(out, 0, *key);
            let variant = variants.iter().find(|x| x.key as u64 == *key);
            match (variant.and_then(|x| x.ty.as_ref()), v) {
                (None, UnionValue::Unit) if variant.is_some() => {
                    out.push(0xf6);
                    Ok(())
                }
                (Some(t), UnionValue::Value(inner)) => write(schema, t, inner, out),
                (_, UnionValue::Unknown(raw)) if variant.is_none() => {
                    out.extend(raw);
                    Ok(())
                }
                _ => Err(format!("the value does not fit variant {key} of `{name}`")),
            }
        }
        (t, v) => Err(format!(
            "a {} where the schema has {}",
            value_kind(v),
            type_kind(t)
        )),
    }
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "integer",
        Value::Float(_) => "float",
        Value::Text(_) => "string",
        Value::Bytes(_) => "byte string",
        Value::Array(_) => "array",
        Value::Enum(_) => "enum value",
        Value::Message(_) => "message",
        Value::Union(..) => "union value",
    }
}

fn type_kind(t: &Type) -> String {
    match t {
        Type::Message { name }
        | Type::Enum { name }
        | Type::Union { name }
        | Type::Alias { name, .. } => {
            format!("`{name}`")
        }
        other => format!("{other:?}").to_lowercase(),
    }
}
