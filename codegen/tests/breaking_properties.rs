//! Properties of the breaking-change checker (spec §10.3): a schema compared with itself reports
//! nothing, and a random compatible edit of a random schema is never reported WIRE-breaking.

use std::path::{Path, PathBuf};

use iotp2p_codegen::compat::compare;
use iotp2p_codegen::ir::Schema;
use iotp2p_codegen::{compile, compile_str, FsLoader};
use proptest::prelude::*;

/// The `.iotp` files below `dir`, in name order.
fn schemas_in(dir: &Path, recursive: bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a schema directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() && recursive {
            out.extend(schemas_in(&path, true));
        } else if path.extension().is_some_and(|e| e == "iotp") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn every_schema_compared_with_itself_reports_nothing() {
    let mut files = schemas_in(Path::new("tests/schemas/valid"), true);
    files.extend(schemas_in(Path::new("../spec/schema"), false));
    files.extend(schemas_in(
        Path::new("../spec/schema/released/1.0.0"),
        false,
    ));
    assert!(files.len() >= 10, "{files:?}");
    for file in files {
        // Two compilations, so that nothing depends on sharing one value.
        let once = || {
            compile(std::slice::from_ref(&file), &FsLoader::default())
                .schema
                .unwrap_or_else(|| panic!("{} compiles", file.display()))
        };
        let (a, b) = (once(), once());
        let findings = compare(&a, &b);
        assert!(findings.is_empty(), "{}: {findings:#?}", file.display());
    }
}

/// A field's type, as the generator writes it.
#[derive(Clone, Debug)]
enum Ty {
    Int(&'static str, Option<u8>),
    F32,
    F64,
    Bool,
    Str(u32),
    Bytes(u32),
    Fixed(u32),
    Array(&'static str, u32),
    Mode,
}

impl Ty {
    fn text(&self) -> String {
        match self {
            Ty::Int(t, _) => t.to_string(),
            Ty::F32 => "f32".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Str(n) => format!("string<{n}>"),
            Ty::Bytes(n) => format!("bytes<{n}>"),
            Ty::Fixed(n) => format!("bytes[{n}]"),
            Ty::Array(t, n) => format!("array<{t}, {n}>"),
            Ty::Mode => "Mode".into(),
        }
    }

    /// The type after a widening of §10.3.1 chosen by `pick`, or itself when it has none.
    fn widened(&self, pick: u32) -> Ty {
        let grow = 1 + pick % 100;
        match self {
            Ty::Int(t, range) => {
                let wider: &[&'static str] = match *t {
                    "u8" => &["u16", "u32", "u64", "i16", "i32", "i64"],
                    "u16" => &["u32", "u64", "i32", "i64"],
                    "i8" => &["i16", "i32", "i64"],
                    "i16" => &["i32", "i64"],
                    _ => &[],
                };
                match wider.get(pick as usize % wider.len().max(1)) {
                    Some(w) => Ty::Int(w, *range),
                    // No wider type: widen or drop the field's own range instead.
                    None => Ty::Int(
                        t,
                        range
                            .map(|r| r.saturating_add(grow as u8))
                            .filter(|_| pick % 2 == 0),
                    ),
                }
            }
            Ty::F32 => Ty::F64,
            Ty::Str(n) => Ty::Str(n + grow),
            Ty::Bytes(n) => Ty::Bytes(n + grow),
            Ty::Fixed(n) => Ty::Bytes(n + grow - 1),
            Ty::Array(t, n) => Ty::Array(if *t == "u8" { "u16" } else { t }, n + grow),
            other => other.clone(),
        }
    }
}

fn ty() -> impl Strategy<Value = Ty> {
    prop_oneof![
        (
            prop::sample::select(vec!["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"]),
            prop::option::of(1u8..100)
        )
            .prop_map(|(t, r)| Ty::Int(t, r)),
        Just(Ty::F32),
        Just(Ty::F64),
        Just(Ty::Bool),
        (1u32..64).prop_map(Ty::Str),
        (1u32..64).prop_map(Ty::Bytes),
        (1u32..64).prop_map(Ty::Fixed),
        (
            prop::sample::select(vec!["u8", "bool", "string<8>"]),
            1u32..16
        )
            .prop_map(|(t, n)| Ty::Array(t, n)),
        Just(Ty::Mode),
    ]
}

/// A generated schema: a message's fields (type, optional), an enum's value count, a union's variants.
#[derive(Clone, Debug)]
struct Gen {
    fields: Vec<(Ty, bool)>,
    modes: u32,
    variants: u32,
}

impl Gen {
    fn text(&self) -> String {
        let mut s = String::from("package example.generated;\n\n/// Modes.\nenum Mode {\n");
        for i in 0..self.modes {
            s.push_str(&format!("    M{i} = {i};\n"));
        }
        s.push_str("}\n\n/// Generated.\nmessage Record {\n");
        for (key, (ty, optional)) in self.fields.iter().enumerate() {
            if let Ty::Int(_, Some(max)) = ty {
                s.push_str(&format!("    @range(0..={max})\n"));
            }
            let optional = if *optional { "optional " } else { "" };
            s.push_str(&format!("    {key} f{key}: {optional}{};\n", ty.text()));
        }
        s.push_str("}\n\n/// Choices.\nunion Choice {\n");
        for i in 0..self.variants {
            s.push_str(&format!("    {i} v{i}: u8;\n"));
        }
        s.push_str("}\n");
        s
    }
}

fn generated() -> impl Strategy<Value = Gen> {
    (
        prop::collection::vec((ty(), any::<bool>()), 1..8),
        1u32..5,
        1u32..4,
    )
        .prop_map(|(fields, modes, variants)| Gen {
            fields,
            modes,
            variants,
        })
}

/// A compatible edit.
#[derive(Clone, Debug)]
enum Edit {
    AddOptionalField(Ty),
    AddDefaultedField,
    AddEnumValue,
    AddVariant,
    Widen(usize, u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        ty().prop_map(Edit::AddOptionalField),
        Just(Edit::AddDefaultedField),
        Just(Edit::AddEnumValue),
        Just(Edit::AddVariant),
        (any::<usize>(), any::<u32>()).prop_map(|(i, p)| Edit::Widen(i, p)),
    ]
}

fn apply(g: &Gen, e: &Edit) -> String {
    let mut g = g.clone();
    let mut extra = String::new();
    match e {
        Edit::AddOptionalField(ty) => g.fields.push((ty.clone(), true)),
        Edit::AddDefaultedField => extra = format!("    {} fd: u8 = 3;\n", g.fields.len()),
        Edit::AddEnumValue => g.modes += 1,
        Edit::AddVariant => g.variants += 1,
        Edit::Widen(i, pick) => {
            let i = i % g.fields.len();
            g.fields[i].0 = g.fields[i].0.widened(*pick);
        }
    }
    let text = g.text();
    if extra.is_empty() {
        return text;
    }
    let at = text.find("}\n\n/// Choices.").expect("the record's end");
    format!("{}{extra}{}", &text[..at], &text[at..])
}

fn compiled(text: &str) -> Schema {
    let c = compile_str("generated.iotp", text, &[]);
    match c.schema {
        Some(s) => s,
        None => panic!(
            "the generated schema does not compile:\n{text}\n{}",
            iotp2p_codegen::diagnostics::render::render_plain(&c.sources, &c.diagnostics)
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn a_compatible_edit_is_never_wire_breaking(g in generated(), e in edit()) {
        let old = compiled(&g.text());
        let new = compiled(&apply(&g, &e));
        prop_assert!(compare(&old, &old).is_empty());
        let findings = compare(&old, &new);
        let wire: Vec<_> = findings.iter().filter(|f| f.breaks.wire).collect();
        prop_assert!(wire.is_empty(), "{e:?} reported WIRE-breaking: {wire:#?}");
        if !matches!(e, Edit::Widen(..)) {
            prop_assert!(!findings.is_empty(), "{e:?} went unnoticed");
        }
    }
}
