//! `core.<type>`: vectors for every message and union of the core schema (`iotp2p.core`,
//! `iotp2p.security`, `iotp2p.capabilities`), built from the IR rather than written by hand:
//!
//! - a minimal value (only required fields, each at its smallest: empty strings and arrays, the
//!   value nearest zero within its range, the first enum value, the shortest union variant) and a
//!   maximal one (every field present, every string, byte string and array at its bound, integers at
//!   the top of their range, the union variant with the longest encoding), decoded and encoded;
//! - for a union, each variant with a minimal value, and null where it does not belong;
//! - an unknown field or variant, kept;
//! - for each field, one input that breaks one rule: a required field missing, a defaulted field
//!   present with its default, a bound exceeded by one, a range exceeded by one, an item of another
//!   kind;
//! - the spec's worked examples of the type.
//!
//! Offsets are computed while the inputs are put together here, not taken from the oracle.

use std::collections::BTreeMap;

use iotp2p_codegen::ir::{self, FloatType, Presence, Type, TypeKind};
use iotp2p_codegen::reflect::{Entry, UnionValue, Value};

use super::case::{cat, head, int, kebab, Case, CaseInput, Want};
use super::oracle::Oracle;
use super::{examples, Area};

/// The packages of the core schema.
const PACKAGES: [&str; 3] = ["iotp2p.core", "iotp2p.security", "iotp2p.capabilities"];

/// The value of an unknown field or variant: `[1, "abc"]`.
const UNKNOWN_ITEM: [u8; 6] = [0x82, 0x01, 0x63, 0x61, 0x62, 0x63];

pub(crate) fn areas(o: &Oracle) -> Result<Vec<Area>, String> {
    let mut by_type: BTreeMap<String, (String, Vec<Case>)> = BTreeMap::new();
    for package in PACKAGES {
        let p = o
            .schema
            .packages
            .iter()
            .find(|p| p.name == package)
            .ok_or_else(|| format!("no package {package}"))?;
        for def in &p.types {
            let g = Gen { o };
            let (what, cases) = match &def.kind {
                TypeKind::Message { fields, .. } => ("message", g.message(&def.full_name, fields)?),
                TypeKind::Union { variants, .. } => ("union", g.union(&def.full_name, variants)?),
                _ => continue,
            };
            let description = format!(
                "The {what} `{}`: minimal and maximal values decoded and encoded, unknown content, \
                 one input per rule each {} can break, and the spec's worked examples.",
                def.full_name,
                if what == "union" { "variant" } else { "field" }
            );
            by_type.insert(def.full_name.clone(), (description, cases));
        }
    }
    for (ty, case) in examples::core_cases()? {
        by_type
            .get_mut(&ty)
            .ok_or_else(|| format!("a worked example of `{ty}`, which is no message or union"))?
            .1
            .push(case);
    }
    let mut areas = Vec::new();
    let mut names = BTreeMap::new();
    for (full, (description, cases)) in by_type {
        let short = full.rsplit('.').next().unwrap_or(&full);
        let name = format!("core.{}", kebab(short));
        if let Some(other) = names.insert(name.clone(), full.clone()) {
            return Err(format!(
                "`{full}` and `{other}` would share the area {name}"
            ));
        }
        areas.push(Area::new(name, description, cases));
    }
    Ok(areas)
}

fn id_part(name: &str) -> String {
    name.replace('_', "-")
}

struct Gen<'a> {
    o: &'a Oracle,
}

/// A message's entries, each encoded, in key order; where each lands in the composed map.
struct Composed {
    bytes: Vec<u8>,
    /// Key → (offset of the key, offset of the value).
    at: BTreeMap<u64, (usize, usize)>,
}

fn compose(mut entries: Vec<(u64, Vec<u8>)>) -> Composed {
    entries.sort_by_key(|(k, _)| *k);
    let mut bytes = head(5, entries.len() as u64);
    let mut at = BTreeMap::new();
    for (k, v) in entries {
        let key_at = bytes.len();
        bytes.extend(head(0, k));
        at.insert(k, (key_at, bytes.len()));
        bytes.extend(v);
    }
    Composed { bytes, at }
}

/// An item of another kind than `ty` expects, and the requirement that names the rejection.
fn wrong_item(ty: &Type) -> (Vec<u8>, &'static [&'static str]) {
    match ty.resolved() {
        Type::Bool => (vec![0x00], &[]),
        Type::Int { .. } => (vec![0x60], &["IOTP-WIRE-12"]),
        Type::Float { .. } => (vec![0x60], &["IOTP-WIRE-19"]),
        Type::String { .. } => (vec![0x40], &["IOTP-WIRE-26"]),
        Type::Bytes { .. } | Type::FixedBytes { .. } => (vec![0x60], &["IOTP-WIRE-26"]),
        Type::Array { .. } => (vec![0xa0], &["IOTP-WIRE-30"]),
        Type::Enum { .. } => (vec![0x60], &["IOTP-WIRE-45"]),
        Type::Message { .. } => (vec![0x80], &["IOTP-WIRE-41"]),
        _ => (vec![0x80], &[]),
    }
}

/// `n` bytes of UTF-8: a 2-byte character first (so that the bound visibly counts bytes), then
/// ASCII letters.
fn text(n: usize) -> String {
    let mut s = String::new();
    if n >= 2 {
        s.push('é');
    }
    let letters = b"abcdefghijklmnopqrstuvwxyz";
    let mut i = 0;
    while s.len() < n {
        s.push(letters[i % letters.len()] as char);
        i += 1;
    }
    s
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(0x5a))
        .collect()
}

fn int_range(ty: &Type) -> Option<(i128, i128, ir::IntType)> {
    match ty.resolved() {
        Type::Int { int, range } => {
            let (lo, hi) = range.map_or(int.bounds(), |r| (r.min, r.max));
            Some((lo, hi, *int))
        }
        _ => None,
    }
}

fn default_value(d: &ir::Value) -> Value {
    match d {
        ir::Value::Bool(b) => Value::Bool(*b),
        ir::Value::Int(i) => Value::Int(*i),
        ir::Value::Float(f) => Value::Float(*f),
        ir::Value::String(s) => Value::Text(s.clone()),
        ir::Value::Enum { value, .. } => Value::Enum(*value),
    }
}

impl Gen<'_> {
    fn def(&self, name: &str) -> Result<&ir::TypeKind, String> {
        self.o
            .schema
            .find_type(name)
            .map(|d| &d.kind)
            .ok_or_else(|| format!("no type {name}"))
    }

    fn encode(&self, ty: &Type, v: &Value) -> Result<Vec<u8>, String> {
        self.o.encode(ty, v)
    }

    /// The smallest value of `ty`.
    fn minimal(&self, ty: &Type) -> Result<Value, String> {
        Ok(match ty.resolved() {
            Type::Bool => Value::Bool(false),
            Type::Int { .. } => {
                let (lo, hi, _) = int_range(ty).expect("an integer");
                Value::Int(if lo > 0 {
                    lo
                } else if hi < 0 {
                    hi
                } else {
                    0
                })
            }
            Type::Float { .. } => Value::Float(0.0),
            Type::String { .. } => Value::Text(String::new()),
            Type::Bytes { .. } => Value::Bytes(Vec::new()),
            Type::FixedBytes { len } => Value::Bytes(vec![0; *len as usize]),
            Type::Array { .. } => Value::Array(Vec::new()),
            Type::Enum { name } => match self.def(name)? {
                TypeKind::Enum { values, .. } => {
                    Value::Enum(values.iter().map(|v| v.value).min().unwrap_or(0))
                }
                _ => return Err(format!("{name} is not an enum")),
            },
            Type::Message { name } => match self.def(name)? {
                TypeKind::Message { fields, .. } => {
                    let mut entries = Vec::new();
                    for f in sorted_fields(fields) {
                        if f.presence == Presence::Required {
                            entries.push(Entry::Field(f.key, self.minimal(&f.ty)?));
                        }
                    }
                    Value::Message(entries)
                }
                _ => return Err(format!("{name} is not a message")),
            },
            Type::Union { name } => {
                let variants = match self.def(name)? {
                    TypeKind::Union { variants, .. } => variants,
                    _ => return Err(format!("{name} is not a union")),
                };
                let mut best: Option<(usize, u32, Value)> = None;
                for v in variants {
                    let value = self.variant_value(v, false)?;
                    let len = self.encode(ty, &value)?.len();
                    if best
                        .as_ref()
                        .is_none_or(|(l, k, _)| (len, v.key) < (*l, *k))
                    {
                        best = Some((len, v.key, value));
                    }
                }
                best.ok_or_else(|| format!("{name} has no variant"))?.2
            }
            Type::Alias { .. } => unreachable!("resolved"),
        })
    }

    /// The largest value of `ty`: every field present, every bound reached.
    fn maximal(&self, ty: &Type) -> Result<Value, String> {
        Ok(match ty.resolved() {
            Type::Bool => Value::Bool(true),
            Type::Int { .. } => Value::Int(int_range(ty).expect("an integer").1),
            Type::Float { float } => Value::Float(match float {
                FloatType::F32 => f32::MAX as f64,
                FloatType::F64 => f64::MAX,
            }),
            Type::String { max_len } => Value::Text(text(*max_len as usize)),
            Type::Bytes { max_len } => Value::Bytes(pattern(*max_len as usize)),
            Type::FixedBytes { len } => Value::Bytes(pattern(*len as usize)),
            Type::Array { element, max_items } => {
                let n = *max_items as usize;
                let mut items = Vec::with_capacity(n);
                if let Some((lo, hi, _)) = int_range(element) {
                    // Distinct, ascending, ending at the largest value (member lists are sets).
                    for i in 0..n {
                        items.push(Value::Int((hi - (n - 1 - i) as i128).max(lo)));
                    }
                } else {
                    for i in 0..n {
                        items.push(if i == 0 {
                            self.maximal(element)?
                        } else {
                            self.minimal(element)?
                        });
                    }
                }
                Value::Array(items)
            }
            Type::Enum { name } => match self.def(name)? {
                TypeKind::Enum { values, .. } => {
                    Value::Enum(values.iter().map(|v| v.value).max().unwrap_or(0))
                }
                _ => return Err(format!("{name} is not an enum")),
            },
            Type::Message { name } => match self.def(name)? {
                TypeKind::Message { fields, .. } => {
                    let mut entries = Vec::new();
                    for f in sorted_fields(fields) {
                        let value = match &f.presence {
                            Presence::Default(d) => {
                                let d = default_value(d);
                                let max = self.maximal(&f.ty)?;
                                if max != d {
                                    max
                                } else {
                                    self.minimal(&f.ty)?
                                }
                            }
                            _ => self.maximal(&f.ty)?,
                        };
                        entries.push(Entry::Field(f.key, value));
                    }
                    Value::Message(entries)
                }
                _ => return Err(format!("{name} is not a message")),
            },
            Type::Union { name } => {
                let variants = match self.def(name)? {
                    TypeKind::Union { variants, .. } => variants,
                    _ => return Err(format!("{name} is not a union")),
                };
                let mut best: Option<(usize, u32, Value)> = None;
                for v in variants {
                    let value = self.variant_value(v, true)?;
                    let len = self.encode(ty, &value)?.len();
                    // The longest encoding; the lowest key among equals.
                    if best
                        .as_ref()
                        .is_none_or(|(l, k, _)| len > *l || (len == *l && v.key < *k))
                    {
                        best = Some((len, v.key, value));
                    }
                }
                best.ok_or_else(|| format!("{name} has no variant"))?.2
            }
            Type::Alias { .. } => unreachable!("resolved"),
        })
    }

    fn variant_value(&self, v: &ir::Variant, max: bool) -> Result<Value, String> {
        Ok(Value::Union(
            v.key as u64,
            match &v.ty {
                None => UnionValue::Unit,
                Some(t) => UnionValue::Value(Box::new(if max {
                    self.maximal(t)?
                } else {
                    self.minimal(t)?
                })),
            },
        ))
    }

    /// A valid value, decoded and encoded: two vectors.
    fn valid_pair(
        &self,
        full: &str,
        ty: &Type,
        id: &str,
        what: &str,
        reqs: &[&'static str],
        value: &Value,
    ) -> Result<Vec<Case>, String> {
        let bytes = self.encode(ty, value)?;
        let json = iotp2p_codegen::reflect::to_json(&self.o.schema, ty, value);
        let mut encode = Case::ok(
            format!("encode.{id}"),
            format!("encode {what}"),
            reqs,
            full,
            Vec::new(),
        );
        encode.input = CaseInput::Json(json);
        encode.want = Want::Valid {
            json: None,
            hex: Some(bytes.clone()),
        };
        Ok(vec![
            Case::ok(id, format!("decode {what}"), reqs, full, bytes),
            encode,
        ])
    }

    fn message(&self, full: &str, fields: &[ir::Field]) -> Result<Vec<Case>, String> {
        let ty = Type::Message {
            name: full.to_string(),
        };
        let short = full.rsplit('.').next().unwrap_or(full);
        let mut cases = Vec::new();
        let min = self.minimal(&ty)?;
        let max = self.maximal(&ty)?;
        cases.extend(self.valid_pair(
            full,
            &ty,
            "minimal",
            &format!("`{short}` with only its required fields, each at its smallest value"),
            &["IOTP-WIRE-31", "IOTP-WIRE-33", "IOTP-WIRE-34"],
            &min,
        )?);
        cases.extend(self.valid_pair(
            full,
            &ty,
            "maximal",
            &format!(
                "`{short}` with every field present, every string, byte string and array at its \
                 bound, integers at the top of their range (rules above the wire format do not apply)"
            ),
            &["IOTP-WIRE-22", "IOTP-WIRE-24", "IOTP-WIRE-28", "IOTP-WIRE-31"],
            &max,
        )?);
        // The minimal value's entries, encoded one by one, to put inputs together.
        let Value::Message(min_entries) = &min else {
            return Err("a message value".into());
        };
        let mut base: Vec<(u64, Vec<u8>)> = Vec::new();
        for e in min_entries {
            if let Entry::Field(k, v) = e {
                let f = fields.iter().find(|f| f.key == *k).expect("a field");
                base.push((*k as u64, self.encode(&f.ty, v)?));
            }
        }
        let with = |key: u64, item: Vec<u8>| {
            let mut entries: Vec<(u64, Vec<u8>)> =
                base.iter().filter(|(k, _)| *k != key).cloned().collect();
            entries.push((key, item));
            compose(entries)
        };
        let next_key = fields
            .iter()
            .map(|f| f.key as u64)
            .max()
            .map_or(0, |k| k + 1);
        cases.push(Case::ok(
            "unknown-field",
            format!("the minimal `{short}` with an unknown field (key {next_key}), kept"),
            &["IOTP-WIRE-53", "IOTP-WIRE-55", "IOTP-WIRE-56"],
            full,
            with(next_key, UNKNOWN_ITEM.to_vec()).bytes,
        ));
        cases.push(Case::bad(
            "not-a-map",
            format!("an array where `{short}` is expected"),
            &["IOTP-WIRE-41"],
            full,
            vec![0x80],
            "wrong-type",
            0,
        ));
        for f in sorted_fields(fields) {
            let key = f.key as u64;
            let name = id_part(&f.name);
            match &f.presence {
                Presence::Required => {
                    let entries = base.iter().filter(|(k, _)| *k != key).cloned().collect();
                    cases.push(Case::bad(
                        format!("missing.{name}"),
                        format!("`{short}` without its required field `{}`", f.name),
                        &["IOTP-WIRE-40"],
                        full,
                        compose(entries).bytes,
                        "missing-field",
                        0,
                    ));
                }
                Presence::Default(d) => {
                    let c = with(key, self.encode(&f.ty, &default_value(d))?);
                    cases.push(Case::bad(
                        format!("default-present.{name}"),
                        format!(
                            "`{short}` with `{}` present and equal to its default",
                            f.name
                        ),
                        &["IOTP-WIRE-33", "IOTP-WIRE-39"],
                        full,
                        c.bytes,
                        "default-value-present",
                        c.at[&key].0,
                    ));
                }
                Presence::Optional => {}
            }
            let (wrong, reqs) = wrong_item(&f.ty);
            let c = with(key, wrong);
            cases.push(Case::bad(
                format!("wrong-type.{name}"),
                format!("`{short}` with an item of another kind for `{}`", f.name),
                reqs,
                full,
                c.bytes,
                "wrong-type",
                c.at[&key].1,
            ));
            for (suffix, what, item, reqs) in self.over_bound(&f.ty)? {
                let c = with(key, item);
                cases.push(Case::bad(
                    format!("bound.{name}{suffix}"),
                    format!("`{short}` with `{}` {what}", f.name),
                    reqs,
                    full,
                    c.bytes,
                    "bound-exceeded",
                    c.at[&key].1,
                ));
            }
            if let (Some((lo, hi, int_type)), Type::Int { range: Some(_), .. }) =
                (int_range(&f.ty), f.ty.resolved())
            {
                let (type_lo, type_hi) = int_type.bounds();
                for (v, side) in [(lo - 1, "below"), (hi + 1, "above")] {
                    if (side == "below" && lo == type_lo) || (side == "above" && hi == type_hi) {
                        continue;
                    }
                    let c = with(key, int(v));
                    cases.push(Case::bad(
                        format!("range.{name}.{side}"),
                        format!(
                            "`{short}` with `{}` = {v}, one {side} its range {lo}..={hi}",
                            f.name
                        ),
                        &["IOTP-WIRE-14"],
                        full,
                        c.bytes,
                        "out-of-range",
                        c.at[&key].1,
                    ));
                }
            }
        }
        Ok(cases)
    }

    /// Items one past a bound: id suffix, description, item, requirements.
    #[allow(clippy::type_complexity)]
    fn over_bound(
        &self,
        ty: &Type,
    ) -> Result<Vec<(&'static str, String, Vec<u8>, &'static [&'static str])>, String> {
        Ok(match ty.resolved() {
            Type::String { max_len } => {
                let n = *max_len as u64 + 1;
                vec![(
                    "",
                    format!("{n} bytes long, one past its bound"),
                    cat(&[&head(3, n), &vec![b'a'; n as usize]]),
                    &["IOTP-WIRE-22"],
                )]
            }
            Type::Bytes { max_len } => {
                let n = *max_len as u64 + 1;
                vec![(
                    "",
                    format!("{n} bytes long, one past its bound"),
                    cat(&[&head(2, n), &pattern(n as usize)]),
                    &["IOTP-WIRE-24"],
                )]
            }
            Type::FixedBytes { len } => {
                let len = *len as u64;
                let mut out = vec![(
                    ".long",
                    format!("{} bytes long instead of {len}", len + 1),
                    cat(&[&head(2, len + 1), &pattern(len as usize + 1)]),
                    &["IOTP-WIRE-25"][..],
                )];
                if len > 0 {
                    out.push((
                        ".short",
                        format!("{} bytes long instead of {len}", len - 1),
                        cat(&[&head(2, len - 1), &pattern(len as usize - 1)]),
                        &["IOTP-WIRE-25"][..],
                    ));
                }
                out
            }
            Type::Array { element, max_items } => {
                let n = *max_items as u64 + 1;
                let item = self.encode(element, &self.minimal(element)?)?;
                let mut bytes = head(4, n);
                for _ in 0..n {
                    bytes.extend(&item);
                }
                vec![(
                    "",
                    format!("holding {n} items, one past its bound"),
                    bytes,
                    &["IOTP-WIRE-28"],
                )]
            }
            _ => Vec::new(),
        })
    }

    fn union(&self, full: &str, variants: &[ir::Variant]) -> Result<Vec<Case>, String> {
        let ty = Type::Union {
            name: full.to_string(),
        };
        let short = full.rsplit('.').next().unwrap_or(full);
        let mut cases = Vec::new();
        cases.extend(self.valid_pair(
            full,
            &ty,
            "minimal",
            &format!("`{short}` as its variant with the shortest encoding, at its smallest value"),
            &["IOTP-WIRE-47"],
            &self.minimal(&ty)?,
        )?);
        cases.extend(self.valid_pair(
            full,
            &ty,
            "maximal",
            &format!("`{short}` as its variant with the longest encoding, every bound reached"),
            &["IOTP-WIRE-47"],
            &self.maximal(&ty)?,
        )?);
        let mut sorted: Vec<&ir::Variant> = variants.iter().collect();
        sorted.sort_by_key(|v| v.key);
        for v in &sorted {
            let name = id_part(&v.name);
            let value = self.variant_value(v, false)?;
            cases.push(Case::ok(
                format!("variant.{name}"),
                format!("`{short}` variant `{}` at its smallest value", v.name),
                &["IOTP-WIRE-47"],
                full,
                self.encode(&ty, &value)?,
            ));
            let prefix = cat(&[&[0xa1], &head(0, v.key as u64)]);
            let (item, what) = match &v.ty {
                None => (vec![0x00], "holding 0 instead of null"),
                Some(_) => (vec![0xf6], "holding null"),
            };
            cases.push(Case::bad(
                format!(
                    "variant.{name}.{}",
                    if v.ty.is_none() { "not-null" } else { "null" }
                ),
                format!("`{short}` variant `{}` {what}", v.name),
                &["IOTP-WIRE-49"],
                full,
                cat(&[&prefix, &item]),
                "wrong-type",
                prefix.len(),
            ));
        }
        let next_key = variants
            .iter()
            .map(|v| v.key as u64)
            .max()
            .map_or(0, |k| k + 1);
        cases.push(Case::ok(
            "unknown-variant",
            format!("`{short}` with an unknown variant (key {next_key}), kept"),
            &["IOTP-WIRE-50", "IOTP-WIRE-55"],
            full,
            cat(&[&[0xa1], &head(0, next_key), &UNKNOWN_ITEM]),
        ));
        cases.push(Case::bad(
            "empty",
            format!("an empty map where `{short}` is expected"),
            &["IOTP-WIRE-48"],
            full,
            vec![0xa0],
            "invalid-union",
            0,
        ));
        if sorted.len() >= 2 {
            let mut bytes = vec![0xa2];
            for v in &sorted[..2] {
                bytes.extend(head(0, v.key as u64));
                bytes.extend(self.encode_variant(v)?);
            }
            cases.push(Case::bad(
                "two-variants",
                format!("`{short}` with its first two variants at once"),
                &["IOTP-WIRE-48"],
                full,
                bytes,
                "invalid-union",
                0,
            ));
        }
        cases.push(Case::bad(
            "not-a-map",
            format!("an array where `{short}` is expected"),
            &[],
            full,
            vec![0x80],
            "wrong-type",
            0,
        ));
        Ok(cases)
    }

    fn encode_variant(&self, v: &ir::Variant) -> Result<Vec<u8>, String> {
        match &v.ty {
            None => Ok(vec![0xf6]),
            Some(t) => self.encode(t, &self.minimal(t)?),
        }
    }
}

fn sorted_fields(fields: &[ir::Field]) -> Vec<&ir::Field> {
    let mut out: Vec<&ir::Field> = fields.iter().collect();
    out.sort_by_key(|f| f.key);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_counts_bytes() {
        for n in 0..40 {
            assert_eq!(text(n).len(), n);
        }
    }

    #[test]
    fn compose_sorts_and_tracks_offsets() {
        let c = compose(vec![(24, vec![0x01]), (0, vec![0xf5])]);
        assert_eq!(c.bytes, [0xa2, 0x00, 0xf5, 0x18, 0x18, 0x01]);
        assert_eq!(c.at[&24], (3, 5));
    }
}
