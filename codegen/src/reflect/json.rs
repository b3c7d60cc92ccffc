//! The canonical JSON mapping of spec/04-wire-format.md §4.18, both ways.

use serde_json::{Map, Number, Value as Json};

use super::{Entry, UnionValue, Value};
use crate::ir::{self, FloatType, Presence, Schema, Type, TypeKind};

/// The canonical JSON form of `value` (of type `ty`).
pub fn to_json(schema: &Schema, ty: &Type, value: &Value) -> Json {
    match (ty, value) {
        (Type::Alias { target, .. }, v) => to_json(schema, target, v),
        (_, Value::Bool(b)) => Json::Bool(*b),
        (_, Value::Int(i)) => int_json(*i),
        (Type::Float { float }, Value::Float(f)) => float_json(*f, *float),
        (_, Value::Float(f)) => float_json(*f, FloatType::F64),
        (_, Value::Text(t)) => Json::String(t.clone()),
        (_, Value::Bytes(b)) => Json::String(hex(b)),
        (Type::Array { element, .. }, Value::Array(items)) => {
            Json::Array(items.iter().map(|v| to_json(schema, element, v)).collect())
        }
        (Type::Enum { name }, Value::Enum(n)) => {
            match enum_values(schema, name).and_then(|vs| vs.iter().find(|v| v.value == *n)) {
                Some(v) => Json::String(v.name.clone()),
                None => Json::Number((*n).into()),
            }
        }
        (Type::Message { name }, Value::Message(entries)) => {
            let fields = message_fields(schema, name).unwrap_or(&[]);
            let mut out = Map::new();
            for e in entries {
                match e {
                    Entry::Field(key, v) => {
                        if let Some(f) = fields.iter().find(|f| f.key == *key) {
                            out.insert(f.name.clone(), to_json(schema, &f.ty, v));
                        }
                    }
                    Entry::Unknown(key, raw) => {
                        out.insert(format!("#{key}"), Json::String(hex(raw)));
                    }
                }
            }
            Json::Object(out)
        }
        (Type::Union { name }, Value::Union(key, v)) => {
            let variant = union_variants(schema, name)
                .and_then(|vs| vs.iter().find(|x| x.key as u64 == *key));
            let mut out = Map::new();
            match (variant, v) {
                (Some(x), UnionValue::Unit) => {
                    out.insert(x.name.clone(), Json::Null);
                }
                (Some(x), UnionValue::Value(inner)) => {
                    let t = x.ty.as_ref().expect("a variant with a value has a type");
                    out.insert(x.name.clone(), to_json(schema, t, inner));
                }
                (_, UnionValue::Unknown(raw)) => {
                    out.insert(format!("#{key}"), Json::String(hex(raw)));
                }
                (None, _) => {}
            }
            Json::Object(out)
        }
        _ => Json::Null,
    }
}

fn int_json(i: i128) -> Json {
    if i < 0 {
        Json::Number(Number::from(i as i64))
    } else {
        Json::Number(Number::from(i as u64))
    }
}

fn float_json(f: f64, float: FloatType) -> Json {
    if f.is_nan() {
        return Json::String("NaN".into());
    }
    if f.is_infinite() {
        return Json::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into());
    }
    // The shortest decimal that reads back as the same value of the field's type (spec §4.18).
    let text = match float {
        FloatType::F32 => format!("{:?}", f as f32),
        FloatType::F64 => format!("{f:?}"),
    };
    serde_json::from_str(&text).unwrap_or(Json::Null)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    if s.len() % 2 != 0
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!("{s:?} is not lowercase hexadecimal"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

fn enum_values<'s>(schema: &'s Schema, name: &str) -> Option<&'s [ir::EnumValue]> {
    match &schema.find_type(name)?.kind {
        TypeKind::Enum { values, .. } => Some(values),
        _ => None,
    }
}

fn message_fields<'s>(schema: &'s Schema, name: &str) -> Option<&'s [ir::Field]> {
    match &schema.find_type(name)?.kind {
        TypeKind::Message { fields, .. } => Some(fields),
        _ => None,
    }
}

fn union_variants<'s>(schema: &'s Schema, name: &str) -> Option<&'s [ir::Variant]> {
    match &schema.find_type(name)?.kind {
        TypeKind::Union { variants, .. } => Some(variants),
        _ => None,
    }
}

/// Whether `value` equals a field's default, as the wire compares them: floats by encoding (all NaNs
/// equal, −0.0 ≠ +0.0), enums by number, strings by bytes.
pub(crate) fn equals_default(value: &Value, default: &ir::Value, ty: &Type) -> bool {
    match (value, default) {
        (Value::Bool(a), ir::Value::Bool(b)) => a == b,
        (Value::Int(a), ir::Value::Int(b)) => a == b,
        (Value::Float(a), ir::Value::Float(b)) => same_float(*a, *b, ty),
        (Value::Float(a), ir::Value::Int(b)) => same_float(*a, *b as f64, ty),
        (Value::Text(a), ir::Value::String(b)) => a == b,
        (Value::Enum(a), ir::Value::Enum { value, .. }) => a == value,
        _ => false,
    }
}

fn same_float(a: f64, b: f64, _ty: &Type) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// Reads the canonical JSON form of a value of `ty` (spec §4.18 rules for readers): integers exactly,
/// floats rounded to the type, members in any order, unknown members only as `#<key>`.
pub fn from_json(schema: &Schema, ty: &Type, json: &Json) -> Result<Value, String> {
    match (ty, json) {
        (Type::Alias { target, .. }, j) => from_json(schema, target, j),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Int { int, range }, Json::Number(n)) => {
            let text = n.to_string();
            let v: i128 = text
                .parse()
                .map_err(|_| format!("{text} is not an integer"))?;
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            if !(lo..=hi).contains(&v) {
                return Err(format!("{v} is outside {lo}..={hi}"));
            }
            Ok(Value::Int(v))
        }
        (Type::Float { float }, Json::Number(n)) => {
            // The decimal as the number holds it, rounded once to the field's type (IOTP-WIRE-70),
            // never through binary64 first; a value beyond the type's range is rejected.
            let text = n.to_string();
            let v = match float {
                FloatType::F32 => text.parse::<f32>().map(f64::from),
                FloatType::F64 => text.parse::<f64>(),
            }
            .map_err(|_| format!("{text} is not a number"))?;
            if !v.is_finite() {
                return Err(format!("{text} is beyond the range of the float type"));
            }
            Ok(Value::Float(v))
        }
        (Type::Float { .. }, Json::String(s)) => match s.as_str() {
            "NaN" => Ok(Value::Float(f64::NAN)),
            "Infinity" => Ok(Value::Float(f64::INFINITY)),
            "-Infinity" => Ok(Value::Float(f64::NEG_INFINITY)),
            _ => Err(format!("{s:?} is not a number")),
        },
        (Type::String { .. }, Json::String(s)) => Ok(Value::Text(s.clone())),
        (Type::Bytes { .. } | Type::FixedBytes { .. }, Json::String(s)) => {
            unhex(s).map(Value::Bytes)
        }
        (Type::Array { element, .. }, Json::Array(items)) => items
            .iter()
            .map(|j| from_json(schema, element, j))
            .collect::<Result<_, _>>()
            .map(Value::Array),
        (Type::Enum { name }, Json::String(s)) => enum_values(schema, name)
            .and_then(|vs| vs.iter().find(|v| &v.name == s))
            .map(|v| Value::Enum(v.value))
            .ok_or_else(|| format!("{s:?} is not a value of `{name}`")),
        (Type::Enum { .. }, Json::Number(n)) => n
            .as_u64()
            .filter(|v| *v <= u32::MAX as u64)
            .map(|v| Value::Enum(v as u32))
            .ok_or_else(|| format!("{n} is not an enum number")),
        (Type::Message { name }, Json::Object(members)) => {
            let fields =
                message_fields(schema, name).ok_or_else(|| format!("`{name}` is not a message"))?;
            let mut entries = Vec::new();
            for (member, j) in members {
                if let Some(key) = member.strip_prefix('#') {
                    let key = unknown_key(member, key)?;
                    if let Some(f) = fields.iter().find(|f| f.key as u64 == key) {
                        return Err(format!("{member} is the key of `{}`", f.name));
                    }
                    let raw = match j.as_str() {
                        Some(s) => unhex(s)?,
                        None => return Err(format!("{member} must be a hex string")),
                    };
                    entries.push(Entry::Unknown(key, raw));
                    continue;
                }
                let f = fields
                    .iter()
                    .find(|f| &f.name == member)
                    .ok_or_else(|| format!("`{name}` has no field `{member}`"))?;
                let v = from_json(schema, &f.ty, j).map_err(|e| format!("{member}: {e}"))?;
                if let Presence::Default(d) = &f.presence {
                    if equals_default(&v, d, &f.ty) {
                        continue;
                    }
                }
                entries.push(Entry::Field(f.key, v));
            }
            entries.sort_by_key(Entry::key);
            Ok(Value::Message(entries))
        }
        (Type::Union { name }, Json::Object(members)) if members.len() == 1 => {
            let variants =
                union_variants(schema, name).ok_or_else(|| format!("`{name}` is not a union"))?;
            let (member, j) = members.iter().next().expect("one member");
            if let Some(key) = member.strip_prefix('#') {
                let key = unknown_key(member, key)?;
                if let Some(v) = variants.iter().find(|v| v.key as u64 == key) {
                    return Err(format!("{member} is the key of `{}`", v.name));
                }
                let raw = match j.as_str() {
                    Some(s) => unhex(s)?,
                    None => return Err(format!("{member} must be a hex string")),
                };
                return Ok(Value::Union(key, UnionValue::Unknown(raw)));
            }
            let v = variants
                .iter()
                .find(|v| &v.name == member)
                .ok_or_else(|| format!("`{name}` has no variant `{member}`"))?;
            let value = match (&v.ty, j) {
                (None, Json::Null) => UnionValue::Unit,
                (None, _) => return Err(format!("unit variant `{member}` takes null")),
                (Some(t), j) => UnionValue::Value(Box::new(from_json(schema, t, j)?)),
            };
            Ok(Value::Union(v.key as u64, value))
        }
        (t, j) => Err(format!("{j} is not a {}", schema_term(t))),
    }
}

/// A type in the schema language's own words, for messages about JSON that does not fit it.
fn schema_term(t: &Type) -> String {
    match t {
        Type::Bool => "bool (true or false)".into(),
        Type::Int { int, range: None } => format!("{} (a JSON integer)", int.keyword()),
        Type::Int {
            int,
            range: Some(r),
        } => {
            format!(
                "{} from {} to {} (a JSON integer)",
                int.keyword(),
                r.min,
                r.max
            )
        }
        Type::Float { float } => match float {
            FloatType::F32 => "f32 (a JSON number)".into(),
            FloatType::F64 => "f64 (a JSON number)".into(),
        },
        Type::String { max_len } => format!("string<{max_len}> (a JSON string)"),
        Type::Bytes { max_len } => format!("bytes<{max_len}> (lowercase hex in a JSON string)"),
        Type::FixedBytes { len } => format!("bytes[{len}] (lowercase hex in a JSON string)"),
        Type::Array { element, max_items } => {
            format!(
                "array<{}, {max_items}> (a JSON array)",
                schema_term(element)
            )
        }
        Type::Message { name } => format!("`{name}` (a JSON object)"),
        Type::Union { name } => format!("`{name}` (a JSON object with one member)"),
        Type::Enum { name } => format!("`{name}` (a value name, or a number)"),
        Type::Alias { name, target } => format!("`{name}`, a {}", schema_term(target)),
    }
}

/// The key of a `#<key>` member (§4.18): decimal digits only (no sign, no spaces, no leading zero),
/// from 0 to 65535; `u64::from_str` alone would also take `+14` and `015`.
fn unknown_key(member: &str, digits: &str) -> Result<u64, String> {
    if digits.is_empty()
        || digits.len() > 5
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return Err(format!("bad member name {member:?}"));
    }
    digits
        .parse()
        .ok()
        .filter(|k| *k <= 65535)
        .ok_or_else(|| format!("bad member name {member:?}: keys go up to 65535"))
}

/// Reads JSON text, rejecting an object with a duplicate member name (IOTP-WIRE-73): a
/// `serde_json::Value` would keep the last member silently. Nesting is bounded by serde_json's
/// recursion limit, as for `serde_json::from_str`.
pub fn parse_json_text(text: &str) -> Result<Json, String> {
    serde_json::from_str::<StrictJson>(text)
        .map(|StrictJson(json)| json)
        .map_err(|e| e.to_string())
}

/// A JSON value read with duplicate member names rejected.
struct StrictJson(Json);

impl<'de> serde::Deserialize<'de> for StrictJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictJson)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Json, E> {
        Number::from_f64(v)
            .map(Json::Number)
            .ok_or_else(|| E::custom("a number JSON cannot hold"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(StrictJson(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Map::new();
        while let Some(name) = map.next_key::<String>()? {
            if members.contains_key(&name) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate member {name:?}"
                )));
            }
            let StrictJson(value) = map.next_value()?;
            members.insert(name, value);
        }
        Ok(Json::Object(members))
    }
}
