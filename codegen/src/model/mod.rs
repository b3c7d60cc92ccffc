//! The backend model: the IR with the facts every code generator needs computed once, as data.
//!
//! The IR says what the schema is; the model adds what follows from it across types: which types lie
//! on a recursive cycle and the `@max_depth` budget they share, whether entering a type spends that
//! budget, the largest encoded size of every type, the keys of each message in wire order, and for
//! every field, variant and alias target its [`Shape`] (aliases resolved, bounds and ranges explicit,
//! references back into the owner's cycle marked). All of it comes from one [`TypeGraph`].
//!
//! Nothing here is specific to a target language: the Rust backend and the docs backend read the
//! same views, and a backend for another language (C) finds the same facts. Target-language names and
//! code are the backends' business.

mod kinds;
mod shape;

use std::collections::HashMap;

use crate::ir::{self, Schema, Type, TypeGraph, TypeKind};

pub use kinds::{Alias, Enum, Field, Kind, Message, Union, Variant};
pub use shape::Shape;

/// The model of a compiled schema.
#[derive(Clone, Debug)]
pub struct Model<'s> {
    schema: &'s Schema,
    graph: TypeGraph<'s>,
    sizes: HashMap<String, u64>,
    packages: Vec<Package<'s>>,
}

/// A package and the models of its types, in source order.
#[derive(Clone, Debug)]
pub struct Package<'s> {
    /// The package as the IR has it.
    pub ir: &'s ir::Package,
    /// Its types, in source order.
    pub types: Vec<TypeModel<'s>>,
}

/// One type with its facts.
#[derive(Clone, Debug)]
pub struct TypeModel<'s> {
    /// The definition as the IR has it (names, docs, attributes, location).
    pub def: &'s ir::TypeDef,
    /// Largest encoded size of a value built from the schema (saturating at `u64::MAX`).
    pub max_encoded_size: u64,
    /// Set when the type lies on a recursive cycle.
    pub recursion: Option<Recursion>,
    /// Whether the type, one of its members or a type it names is `@deprecated`: code for it then
    /// uses something deprecated (generated Rust allows the `deprecated` lint exactly there).
    pub mentions_deprecated: bool,
    /// The per-kind view.
    pub kind: Kind<'s>,
}

/// How a type on a recursive cycle bounds its nesting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recursion {
    /// How many nested values of the cycle a value may hold: the smallest `@max_depth` on the cycle.
    pub budget: u32,
    /// Whether entering this type spends one unit of the budget (it carries `@max_depth` itself).
    pub counts_depth: bool,
}

impl<'s> Model<'s> {
    /// Builds the model of `schema`.
    pub fn new(schema: &'s Schema) -> Model<'s> {
        let graph = TypeGraph::of(schema);
        let sizes = ir::sizes_of(&graph);
        let packages = schema
            .packages
            .iter()
            .map(|p| Package {
                ir: p,
                types: p
                    .types
                    .iter()
                    .map(|def| TypeModel {
                        def,
                        max_encoded_size: sizes.get(&def.full_name).copied().unwrap_or(0),
                        recursion: graph.cycle_of_name(&def.full_name).map(|c| Recursion {
                            budget: c.budget,
                            counts_depth: graph.counts_depth(&def.full_name),
                        }),
                        mentions_deprecated: mentions_deprecated(def, &graph),
                        kind: Kind::of(def, &graph),
                    })
                    .collect(),
            })
            .collect();
        Model {
            schema,
            graph,
            sizes,
            packages,
        }
    }

    /// The IR the model was built from.
    pub fn schema(&self) -> &'s Schema {
        self.schema
    }

    /// The type graph.
    pub fn graph(&self) -> &TypeGraph<'s> {
        &self.graph
    }

    /// The packages, in dependency order.
    pub fn packages(&self) -> &[Package<'s>] {
        &self.packages
    }

    /// Largest encoded size of the type named `full_name`.
    pub fn max_encoded_size(&self, full_name: &str) -> Option<u64> {
        self.sizes.get(full_name).copied()
    }

    /// The largest encoded sizes of every type, by fully-qualified name.
    pub fn sizes(&self) -> &HashMap<String, u64> {
        &self.sizes
    }
}

/// Whether `def`, one of its members, or a type one of its members names (through aliases and
/// arrays) is deprecated.
fn mentions_deprecated(def: &ir::TypeDef, graph: &TypeGraph<'_>) -> bool {
    let deprecated_name = |name: &str| {
        graph
            .index_of(name)
            .is_some_and(|i| graph.defs()[i].deprecated.is_some())
    };
    let names_deprecated = |ty: &Type| {
        let mut stack = vec![ty];
        while let Some(ty) = stack.pop() {
            match ty {
                Type::Message { name }
                | Type::Enum { name }
                | Type::Union { name }
                | Type::Alias { name, .. }
                    if deprecated_name(name) =>
                {
                    return true;
                }
                Type::Alias { target, .. } => stack.push(target),
                Type::Array { element, .. } => stack.push(element),
                _ => {}
            }
        }
        false
    };
    def.deprecated.is_some()
        || match &def.kind {
            TypeKind::Message { fields, .. } => fields
                .iter()
                .any(|f| f.deprecated.is_some() || names_deprecated(&f.ty)),
            TypeKind::Union { variants, .. } => variants
                .iter()
                .any(|v| v.deprecated.is_some() || v.ty.as_ref().is_some_and(names_deprecated)),
            TypeKind::Enum { values, .. } => values.iter().any(|v| v.deprecated.is_some()),
            TypeKind::Alias { target } => names_deprecated(target),
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile_str;

    const SCHEMA: &str = "package t;
        enum Mode { Off = 0; @deprecated On = 1; }
        @range(0..=100) type Percent = u8;
        message Settings { 3 level: Percent; 1 mode: optional Mode; 24 name: string<8> = \"x\"; }
        @max_depth(4) message Node { 0 value: u8; 1 next: optional Node; 2 kids: array<Node, 2>; }
        union Choice { 5 settings: Settings; 0 none; }
        @deprecated message Old { 0 a: u8; }
        message UsesOld { 0 old: array<Old, 2>; }";

    #[test]
    fn views_carry_the_facts_backends_need() {
        let c = compile_str("t.iotp", SCHEMA, &[]);
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
        let schema = c.schema.unwrap();
        let model = Model::new(&schema);
        let types = &model.packages()[0].types;
        let by_name = |n: &str| types.iter().find(|t| t.def.name == n).unwrap();

        let Kind::Message(settings) = &by_name("Settings").kind else {
            panic!("a message")
        };
        let order: Vec<&str> = settings
            .fields_in_wire_order()
            .map(|f| f.ir.name.as_str())
            .collect();
        assert_eq!(order, ["mode", "level", "name"]);
        assert_eq!(settings.known_keys, [1, 3, 24]);
        assert!(settings.has_defaults && settings.has_required);
        let level = &settings.fields[0];
        assert_eq!(level.label, "Settings.level");
        assert_eq!(
            level.shape,
            Shape::Int {
                int: ir::IntType::U8,
                min: 0,
                max: 100,
                narrowed: true
            }
        );
        assert_eq!(settings.fields[2].key_len, 2);
        // A deprecated value is named by its enum only; a deprecated type by every type using it.
        assert!(by_name("Mode").mentions_deprecated && !by_name("Settings").mentions_deprecated);
        assert!(by_name("Old").mentions_deprecated && by_name("UsesOld").mentions_deprecated);

        let node = by_name("Node");
        assert_eq!(
            node.recursion,
            Some(Recursion {
                budget: 4,
                counts_depth: true
            })
        );
        let Kind::Message(node) = &node.kind else {
            panic!("a message")
        };
        assert!(node.fields[1].shape.is_recursive_link());
        assert!(!node.fields[2].shape.is_recursive_link() && node.fields[2].shape.reaches_cycle());

        let Kind::Union(choice) = &by_name("Choice").kind else {
            panic!("a union")
        };
        assert_eq!(choice.known_keys, [0, 5]);
        assert!(choice.variants[1].payload.is_none());
        assert_eq!(by_name("Choice").recursion, None);
        assert_eq!(
            model.max_encoded_size("t.Mode"),
            Some(by_name("Mode").max_encoded_size)
        );
    }
}
