//! Strict decoding of any schema type, with an annotation for every byte range (for hex dumps).

use std::collections::HashMap;

use iotp2p_codec::runtime::{
    depth_exceeded, enter, limits::MAX_DEPTH, DecodeError, ErrorClass, Reader,
};

use super::rejection::{Expected, Fail, Rejected, Segment};
use super::{Entry, UnionValue, Value};
use crate::ir::{FloatType, IntType, Presence, Schema, Type, TypeKind};

/// What one byte range of the input is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Annotation {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Nesting depth (0 for the top-level item), for indentation.
    pub depth: usize,
    /// What the bytes are, e.g. `key 2 (level)` or `level: 128`.
    pub text: String,
}

/// A decoded value with the annotations of its bytes, in input order.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The value.
    pub value: Value,
    /// What each byte range is.
    pub annotations: Vec<Annotation>,
}

struct Decoder<'s, 'a> {
    schema: &'s Schema,
    r: Reader<'a>,
    notes: Vec<Annotation>,
    /// How many values of each depth-limited type enclose the current position.
    nesting: HashMap<&'s str, u32>,
}

type Result<'s, T> = std::result::Result<T, Fail<'s>>;

/// Decodes `bytes` as one value of `ty`, accepting only its canonical encoding (spec/04-wire-format.md).
///
/// A rejection carries the spec's error class and offset, where in the schema the decoder was and what
/// it expected, and the annotations of the items decoded before the error.
pub fn decode<'s>(
    schema: &'s Schema,
    ty: &'s Type,
    bytes: &[u8],
) -> std::result::Result<Decoded, Rejected<'s>> {
    let mut d = Decoder {
        schema,
        r: Reader::new(bytes),
        notes: Vec::new(),
        nesting: HashMap::new(),
    };
    let result = d.value(ty, MAX_DEPTH, 0, "").and_then(|value| {
        d.r.finish()
            .map_err(|e| Fail::from(e).expecting(Expected::End))?;
        Ok(value)
    });
    d.notes.sort_by_key(|a| (a.start, a.depth));
    match result {
        Ok(value) => Ok(Decoded {
            value,
            annotations: d.notes,
        }),
        Err(fail) => Err(fail.finish(d.notes)),
    }
}

fn describe_int(v: i128) -> String {
    v.to_string()
}

impl<'s> Decoder<'s, '_> {
    fn note(&mut self, start: usize, level: usize, text: String) {
        let end = self.r.position();
        self.notes.push(Annotation {
            start,
            end,
            depth: level,
            text,
        });
    }

    /// Reads one value. `depth` is how many levels the item may use (itself included); `level` is its
    /// nesting for annotations; `label` names it (`level`, `[2]`...).
    fn value(
        &mut self,
        ty: &'s Type,
        depth: usize,
        level: usize,
        label: &str,
    ) -> Result<'s, Value> {
        let expected = |e| Fail::from(e).expecting(Expected::Value(ty));
        let start = self.r.position();
        let prefix = if label.is_empty() {
            String::new()
        } else {
            format!("{label}: ")
        };
        let value = match ty {
            Type::Alias { target, .. } => return self.value(target, depth, level, label),
            Type::Bool => Value::Bool(self.r.bool().map_err(expected)?),
            Type::Int { int, range } => {
                let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
                let v = if matches!(int, IntType::U64) {
                    self.r.uint(lo as u64, hi as u64).map_err(expected)? as i128
                } else {
                    self.r.int(lo as i64, hi as i64).map_err(expected)? as i128
                };
                Value::Int(v)
            }
            Type::Float { float } => Value::Float(match float {
                FloatType::F32 => self.r.f32().map_err(expected)? as f64,
                FloatType::F64 => self.r.f64().map_err(expected)?,
            }),
            Type::String { max_len } => {
                let text = self.r.text(*max_len as usize).map_err(expected)?;
                Value::Text(text.to_string())
            }
            Type::Bytes { max_len } => {
                Value::Bytes(self.r.bytes(*max_len as usize).map_err(expected)?.to_vec())
            }
            Type::FixedBytes { len } => {
                let bytes = self.r.exact_bytes(*len as usize).map_err(expected)?;
                Value::Bytes(bytes.to_vec())
            }
            Type::Enum { name } => {
                let n = self.r.enum_number().map_err(expected)?;
                let value_name = self.enum_name(name, n);
                self.note(start, level, format!("{prefix}{value_name}"));
                return Ok(Value::Enum(n));
            }
            Type::Array { element, max_items } => {
                let n = self.r.array(*max_items as usize).map_err(expected)?;
                let depth = enter(&self.r, depth, n).map_err(expected)?;
                self.note(
                    start,
                    level,
                    format!("{prefix}array, {n} item{}", plural(n)),
                );
                let mut items = Vec::with_capacity(n);
                for i in 0..n {
                    items.push(
                        self.value(element, depth, level + 1, &format!("[{i}]"))
                            .map_err(|f| f.within(Segment::Index(i)))?,
                    );
                }
                return Ok(Value::Array(items));
            }
            Type::Message { name } => {
                return self
                    .message(name, depth, level, label)
                    .map_err(|f| f.expecting(Expected::Value(ty)))
            }
            Type::Union { name } => {
                return self
                    .union(name, depth, level, label)
                    .map_err(|f| f.expecting(Expected::Value(ty)))
            }
        };
        let shown = match &value {
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => describe_int(*i),
            Value::Float(f) => format!("{f:?}"),
            Value::Text(t) => format!("{t:?}"),
            Value::Bytes(b) => format!("{} byte{}", b.len(), plural(b.len())),
            _ => String::new(),
        };
        self.note(start, level, format!("{prefix}{shown}"));
        Ok(value)
    }

    fn enum_name(&self, name: &str, n: u32) -> String {
        match self.schema.find_type(name).map(|d| &d.kind) {
            Some(TypeKind::Enum { values, .. }) => values
                .iter()
                .find(|v| v.value == n)
                .map_or(format!("{n} (unknown value)"), |v| {
                    format!("{} ({n})", v.name)
                }),
            _ => n.to_string(),
        }
    }

    /// Applies a type's `@max_depth`: entering it once more than allowed is `depth-exceeded`.
    fn enter_limited(&mut self, def_name: &'s str, max_depth: Option<u32>) -> Result<'s, bool> {
        let Some(max) = max_depth else {
            return Ok(false);
        };
        let count = self.nesting.entry(def_name).or_insert(0);
        if *count >= max {
            return Err(depth_exceeded(&self.r).into());
        }
        *count += 1;
        Ok(true)
    }

    fn leave_limited(&mut self, def_name: &'s str, entered: bool) {
        if entered {
            if let Some(c) = self.nesting.get_mut(def_name) {
                *c -= 1;
            }
        }
    }

    fn message(
        &mut self,
        name: &'s str,
        depth: usize,
        level: usize,
        label: &str,
    ) -> Result<'s, Value> {
        let Some(def) = self.schema.find_type(name) else {
            return Err(DecodeError::new(ErrorClass::WrongType, self.r.position()).into());
        };
        let TypeKind::Message {
            fields, max_depth, ..
        } = &def.kind
        else {
            return Err(DecodeError::new(ErrorClass::WrongType, self.r.position()).into());
        };
        let entered = self.enter_limited(&def.full_name, *max_depth)?;
        let start = self.r.position();
        let count = self.r.map()?;
        let depth = enter(&self.r, depth, count)?;
        let prefix = if label.is_empty() {
            String::new()
        } else {
            format!("{label}: ")
        };
        self.note(
            start,
            level,
            format!(
                "{prefix}{} (map, {count} entr{})",
                def.name,
                if count == 1 { "y" } else { "ies" }
            ),
        );
        let mut entries = Vec::with_capacity(count);
        let mut min_key = 0;
        for _ in 0..count {
            let key_at = self.r.position();
            let key = self.r.key(min_key).map_err(|e| {
                Fail::from(e).expecting(Expected::Key {
                    min: min_key.into(),
                })
            })?;
            min_key = key + 1;
            let key = u64::from(key);
            match fields.iter().find(|f| f.key as u64 == key) {
                Some(f) => {
                    self.note(key_at, level + 1, format!("key {key} ({})", f.name));
                    let value = self
                        .value(&f.ty, depth, level + 1, &f.name)
                        .map_err(|e| e.within(Segment::Field(&f.name)))?;
                    if let Presence::Default(d) = &f.presence {
                        if super::json::equals_default(&value, d, &f.ty) {
                            return Err(Fail::new(
                                ErrorClass::DefaultValuePresent,
                                key_at,
                                Expected::Omitted { name: &f.name },
                            )
                            .within(Segment::Field(&f.name)));
                        }
                    }
                    entries.push(Entry::Field(f.key, value));
                }
                None => {
                    self.note(key_at, level + 1, format!("key {key} (unknown field)"));
                    let raw = self.unknown_value(key, depth, level + 1)?;
                    entries.push(Entry::Unknown(key, raw));
                }
            }
        }
        for f in fields {
            if f.presence == Presence::Required && !entries.iter().any(|e| e.key() == f.key as u64)
            {
                return Err(Fail::new(
                    ErrorClass::MissingField,
                    start,
                    Expected::Field {
                        name: &f.name,
                        key: f.key,
                    },
                ));
            }
        }
        self.leave_limited(&def.full_name, entered);
        Ok(Value::Message(entries))
    }

    /// The value of an entry whose key the schema does not define, kept as its exact bytes.
    fn unknown_value(&mut self, key: u64, depth: usize, level: usize) -> Result<'s, Vec<u8>> {
        let at = self.r.position();
        let raw = self
            .r
            .skip(depth)
            .map_err(|e| {
                Fail::from(e)
                    .expecting(Expected::AnyItem)
                    .within(Segment::Unknown(key))
            })?
            .to_vec();
        self.note(
            at,
            level,
            format!(
                "#{key}: {} byte{} kept as they are",
                raw.len(),
                plural(raw.len())
            ),
        );
        Ok(raw)
    }

    fn union(
        &mut self,
        name: &'s str,
        depth: usize,
        level: usize,
        label: &str,
    ) -> Result<'s, Value> {
        let Some(def) = self.schema.find_type(name) else {
            return Err(DecodeError::new(ErrorClass::WrongType, self.r.position()).into());
        };
        let TypeKind::Union {
            variants,
            max_depth,
            ..
        } = &def.kind
        else {
            return Err(DecodeError::new(ErrorClass::WrongType, self.r.position()).into());
        };
        let entered = self.enter_limited(&def.full_name, *max_depth)?;
        let start = self.r.position();
        if self.r.map()? != 1 {
            return Err(DecodeError::new(ErrorClass::InvalidUnion, start).into());
        }
        let depth = enter(&self.r, depth, 1)?;
        let prefix = if label.is_empty() {
            String::new()
        } else {
            format!("{label}: ")
        };
        self.note(start, level, format!("{prefix}{} (union)", def.name));
        let key_at = self.r.position();
        let key = self
            .r
            .key(0)
            .map(u64::from)
            .map_err(|e| Fail::from(e).expecting(Expected::Key { min: 0 }))?;
        let value = match variants.iter().find(|v| v.key as u64 == key) {
            Some(v) => {
                self.note(key_at, level + 1, format!("key {key} ({})", v.name));
                match &v.ty {
                    Some(t) => UnionValue::Value(Box::new(
                        self.value(t, depth, level + 1, &v.name)
                            .map_err(|e| e.within(Segment::Variant(&v.name)))?,
                    )),
                    None => {
                        let at = self.r.position();
                        self.r.null().map_err(|e| {
                            Fail::from(e)
                                .expecting(Expected::Null)
                                .within(Segment::Variant(&v.name))
                        })?;
                        self.note(at, level + 1, format!("{}: null (unit variant)", v.name));
                        UnionValue::Unit
                    }
                }
            }
            None => {
                self.note(key_at, level + 1, format!("key {key} (unknown variant)"));
                let raw = self.unknown_value(key, depth, level + 1)?;
                UnionValue::Unknown(raw)
            }
        };
        self.leave_limited(&def.full_name, entered);
        Ok(Value::Union(key, value))
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
