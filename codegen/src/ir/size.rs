//! Largest encoded size of every type, from the schema's bounds alone.
//!
//! Firmware sizes its buffers with these figures (generated as `MAX_ENCODED_SIZE`), and the reference
//! documentation prints them. The rules follow the wire format (spec/04-wire-format.md): shortest-form
//! CBOR heads, maps keyed by field keys, a union as a one-entry map, a unit variant as `null`.
//!
//! The figures are upper bounds for values built from the schema. Unknown fields or enum values that a
//! decoder retains for forwarding add their own raw length on top. For recursive types the bound unrolls
//! the recursion to the cycle's `@max_depth`, so it can be very large; it saturates at `u64::MAX`.

use std::collections::HashMap;

use super::{IntRange, Schema, Type, TypeGraph, TypeKind};

/// Bytes taken by a CBOR head (initial byte plus argument) carrying `value`: the codec runtime's rule,
/// as a `u64` for size arithmetic.
pub fn head_len(value: u64) -> u64 {
    iotp2p_codec::runtime::head_len(value) as u64
}

/// Largest encoded size of each message, enum, union and alias, by fully-qualified name.
pub fn max_encoded_sizes(schema: &Schema) -> HashMap<String, u64> {
    sizes_of(&TypeGraph::of(schema))
}

/// [`max_encoded_sizes`] over a graph already built.
pub fn sizes_of(graph: &TypeGraph<'_>) -> HashMap<String, u64> {
    let defs = graph.defs();
    let mut sizes: HashMap<String, u64> = HashMap::new();
    // Dependencies come first, so every type outside the current component is already sized.
    for component in graph.components() {
        let Some(cycle) = graph.cycle_of(component[0]) else {
            let def = defs[component[0]];
            let size = kind_size(&def.kind, &sizes);
            sizes.insert(def.full_name.clone(), size);
            continue;
        };
        let depth = graph.cycles()[cycle].budget;
        // `@max_depth(N)` allows N nested values of the type, the outermost counting as 1
        // (spec/schema-language.md, "Recursive types"). Level 0: no member of the cycle may appear, so
        // nested occurrences count as absent (size 0); each level allows one more. Unrolling every
        // member N times bounds any chain in which the depth-limited type appears at most N times.
        for &i in component {
            sizes.insert(defs[i].full_name.clone(), 0);
        }
        for _ in 0..depth.min(64) {
            let next: Vec<u64> = component
                .iter()
                .map(|&i| kind_size(&defs[i].kind, &sizes))
                .collect();
            for (&i, size) in component.iter().zip(next) {
                sizes.insert(defs[i].full_name.clone(), size);
            }
        }
    }
    sizes
}

fn kind_size(kind: &TypeKind, sizes: &HashMap<String, u64>) -> u64 {
    match kind {
        TypeKind::Message { fields, .. } => {
            fields.iter().fold(head_len(fields.len() as u64), |acc, f| {
                // Absent optional and defaulted fields are smaller; the bound assumes all are present.
                acc.saturating_add(head_len(f.key as u64))
                    .saturating_add(type_size(&f.ty, sizes))
            })
        }
        TypeKind::Union { variants, .. } => {
            let largest = variants
                .iter()
                .map(|v| {
                    let payload = v.ty.as_ref().map_or(1, |t| type_size(t, sizes));
                    head_len(v.key as u64).saturating_add(payload)
                })
                .max()
                .unwrap_or(0);
            // Saturating like every sum here: recursion can push sizes to the top of u64.
            largest.saturating_add(1)
        }
        TypeKind::Enum { values, .. } => {
            head_len(values.iter().map(|v| v.value as u64).max().unwrap_or(0))
        }
        TypeKind::Alias { target } => type_size(target, sizes),
    }
}

fn int_size(min: i128, max: i128) -> u64 {
    let positive = if max >= 0 { head_len(max as u64) } else { 0 };
    let negative = if min < 0 {
        head_len((-1 - min) as u64)
    } else {
        0
    };
    positive.max(negative)
}

/// Largest encoded size of a value of `ty`; named types are looked up in `sizes` (0 when unknown,
/// which only happens for members of a cycle at recursion level 0).
pub fn type_size(ty: &Type, sizes: &HashMap<String, u64>) -> u64 {
    match ty {
        Type::Bool => 1,
        Type::Int { int, range } => {
            let (min, max) = range.map_or(int.bounds(), |IntRange { min, max }| (min, max));
            int_size(min, max)
        }
        Type::Float { float } => match float {
            super::FloatType::F32 => 5,
            super::FloatType::F64 => 9,
        },
        Type::String { max_len } | Type::Bytes { max_len } => {
            head_len(*max_len as u64) + *max_len as u64
        }
        Type::FixedBytes { len } => head_len(*len as u64) + *len as u64,
        Type::Array { element, max_items } => (*max_items as u64)
            .saturating_mul(type_size(element, sizes))
            .saturating_add(head_len(*max_items as u64)),
        Type::Message { name } | Type::Enum { name } | Type::Union { name } => {
            sizes.get(name).copied().unwrap_or(0)
        }
        Type::Alias { target, .. } => type_size(target, sizes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile_str;

    fn sizes(text: &str) -> HashMap<String, u64> {
        let c = compile_str("t.iotp", text, &[]);
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
        max_encoded_sizes(c.schema.as_ref().unwrap())
    }

    #[test]
    fn sizes_saturate_instead_of_overflowing() {
        // A union inside deep recursion over large arrays: the sum reaches u64::MAX, then one more.
        let s = sizes("package t;\n@max_depth(64)\nunion U { 0 a: array<U, 65535>; 1 b; }\n");
        assert_eq!(s["t.U"], u64::MAX);
    }

    #[test]
    fn heads_follow_cbor_shortest_form() {
        assert_eq!(
            [0, 23, 24, 255, 256, 65535, 65536].map(head_len),
            [1, 1, 2, 2, 3, 3, 5]
        );
        assert_eq!(head_len(u64::MAX), 9);
    }

    #[test]
    fn message_union_enum_sizes() {
        let s = sizes(
            "package t;
             enum E { A = 0; B = 30; }
             message M { 0 a: bool; 1 b: optional string<10>; 30 c: E; @range(-100..=5) 2 d: i8; }
             union U { 0 none; 1 m: M; 2 x: array<u16, 3>; }",
        );
        assert_eq!(s["t.E"], 2);
        // map head 1 + (1+1) + (1+1+10) + (2+2) + (1+2: -100 needs one extra byte)
        assert_eq!(s["t.M"], 1 + 2 + 12 + 4 + 3);
        assert_eq!(s["t.U"], 1 + 1 + s["t.M"]);
    }

    #[test]
    fn recursion_unrolls_to_max_depth() {
        let s = sizes("package t; @max_depth(2) message N { 0 v: u8; 1 kids: array<N, 2>; }");
        // level 0: 0; level 1: 1+(1+2)+(1+1+2*0)=6; level 2: 1+3+(1+1+2*6)=18.
        assert_eq!(s["t.N"], 18);
    }
}
