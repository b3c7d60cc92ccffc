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
    /// The roles its variants' `@received_by` and `@sent_by` name, in the order they first appear.
    pub roles: Vec<&'s str>,
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
    /// The unions with `@received_by` that the type's decoder reaches through its own members,
    /// itself included, by full name in the order first reached: its decoder then decodes as a
    /// role receives, and is generic over that role. Empty for a type on a recursive cycle and for
    /// what it reaches only through arrays, which decode every variant.
    pub role_unions: Vec<&'s str>,
    /// The unions with `@sent_by` that the type's encoder reaches in the same way (through its own
    /// members, itself included, not through arrays nor on a recursive cycle): its encoder then
    /// may encode as a role sends, and is generic over that role.
    pub sent_unions: Vec<&'s str>,
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
                        role_unions: Vec::new(),
                        sent_unions: Vec::new(),
                        kind: Kind::of(def, &graph),
                    })
                    .collect(),
                roles: Vec::new(),
            })
            .collect();
        let mut packages: Vec<Package<'s>> = packages;
        let unions: Vec<Vec<(Vec<&'s str>, Vec<&'s str>)>> = (packages.iter())
            .map(|p| {
                (p.types.iter())
                    .map(|t| {
                        (
                            role_unions(t, &packages, Union::by_role),
                            role_unions(t, &packages, Union::sends_by_role),
                        )
                    })
                    .collect()
            })
            .collect();
        for (p, unions) in packages.iter_mut().zip(unions) {
            for (t, (received, sent)) in p.types.iter_mut().zip(unions) {
                t.role_unions = received;
                t.sent_unions = sent;
            }
            for t in &p.types {
                let Kind::Union(u) = &t.kind else { continue };
                for role in (u.variants.iter())
                    .flat_map(|v| v.received_by.iter().chain(&v.sent_by))
                    .flatten()
                {
                    if !p.roles.contains(role) {
                        p.roles.push(role);
                    }
                }
            }
        }
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

/// The unions for which `by_role` holds (`@received_by`, `@sent_by`) that `t`'s decoder and encoder
/// reach through its own members (not through arrays, nor on a recursive cycle), itself included
/// ([`TypeModel::role_unions`], [`TypeModel::sent_unions`]).
fn role_unions<'s>(
    t: &TypeModel<'s>,
    packages: &[Package<'s>],
    by_role: fn(&Union<'s>) -> bool,
) -> Vec<&'s str> {
    let mut found = Vec::new();
    let mut visiting = Vec::new();
    collect_role_unions(t, packages, by_role, &mut visiting, &mut found);
    found
}

fn collect_role_unions<'s>(
    t: &TypeModel<'s>,
    packages: &[Package<'s>],
    by_role: fn(&Union<'s>) -> bool,
    visiting: &mut Vec<&'s str>,
    found: &mut Vec<&'s str>,
) {
    let name = t.def.full_name.as_str();
    if t.recursion.is_some() || visiting.contains(&name) {
        return;
    }
    visiting.push(name);
    let members: Vec<&Shape<'s>> = match &t.kind {
        Kind::Message(m) => m.fields.iter().map(|f| &f.shape).collect(),
        Kind::Union(u) => {
            if by_role(u) && !found.contains(&name) {
                found.push(name);
            }
            u.variants
                .iter()
                .filter_map(|v| v.payload.as_ref())
                .collect()
        }
        Kind::Enum(_) | Kind::Alias(_) => Vec::new(),
    };
    for shape in members {
        let Shape::Record { name, .. } = shape else {
            continue;
        };
        let member = packages.iter().flat_map(|p| &p.types);
        if let Some(member) = member.into_iter().find(|m| m.def.full_name == *name) {
            collect_role_unions(member, packages, by_role, visiting, found);
        }
    }
    visiting.pop();
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
    fn roles_come_from_received_by_and_reach_the_types_that_hold_the_union() {
        let c = compile_str(
            "r.iotp",
            "package r;
            union Request {
                0 ping;
                @received_by(device) 1 switch: bool;
                @received_by(hub, device) 2 battery: Battery;
            }
            union Battery { 0 low; }
            message Envelope { 0 request: optional Request; 1 many: array<Request, 2>; }
            message Outer { 0 envelope: Envelope; }
            message Batch { 0 requests: array<Request, 2>; }
            @max_depth(2) message Tree { 0 kid: optional Tree; 1 request: optional Request; }",
            &[],
        );
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
        let schema = c.schema.unwrap();
        let model = Model::new(&schema);
        let package = &model.packages()[0];
        assert_eq!(package.roles, ["device", "hub"]);
        let by_name = |n: &str| package.types.iter().find(|t| t.def.name == n).unwrap();
        let Kind::Union(request) = &by_name("Request").kind else {
            panic!("a union")
        };
        assert!(request.by_role());
        assert_eq!(request.variants[0].received_by, None);
        assert_eq!(request.variants[2].received_by, Some(vec!["hub", "device"]));
        assert_eq!(request.keys_received_by("device"), [0, 1, 2]);
        assert_eq!(request.keys_received_by("hub"), [0, 2]);
        // Held directly or through messages, a union decodes by role; through an array, on a
        // recursive cycle or not at all, not.
        for (name, unions) in [
            ("Request", &["r.Request"][..]),
            ("Envelope", &["r.Request"]),
            ("Outer", &["r.Request"]),
            ("Batch", &[]),
            ("Tree", &[]),
            ("Battery", &[]),
        ] {
            assert_eq!(by_name(name).role_unions, unions, "{name}");
        }
    }

    #[test]
    fn sent_by_gives_each_role_the_keys_it_sends_and_reaches_the_types_that_hold_the_union() {
        let c = compile_str(
            "r.iotp",
            "package r;
            union Request {
                0 ping;
                @received_by(device) @sent_by(app) 1 switch: bool;
                @sent_by(device, hub) 2 battery: u8;
            }
            union Reply { 0 ok; @received_by(app) 1 level: u8; }
            message Envelope { 0 request: optional Request; 1 reply: optional Reply; }
            message Batch { 0 requests: array<Request, 2>; }",
            &[],
        );
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
        let schema = c.schema.unwrap();
        let model = Model::new(&schema);
        let package = &model.packages()[0];
        assert_eq!(package.roles, ["device", "app", "hub"]);
        let by_name = |n: &str| package.types.iter().find(|t| t.def.name == n).unwrap();
        let Kind::Union(request) = &by_name("Request").kind else {
            panic!("a union")
        };
        assert!(request.sends_by_role());
        assert_eq!(request.variants[1].sent_by, Some(vec!["app"]));
        assert_eq!(request.keys_sent_by("app"), [0, 1]);
        assert_eq!(request.keys_sent_by("device"), [0, 2]);
        assert_eq!(request.keys_sent_by("relay"), [0]);
        let Kind::Union(reply) = &by_name("Reply").kind else {
            panic!("a union")
        };
        assert!(!reply.sends_by_role() && reply.by_role());
        for (name, received, sent) in [
            ("Request", &["r.Request"][..], &["r.Request"][..]),
            ("Reply", &["r.Reply"], &[]),
            ("Envelope", &["r.Request", "r.Reply"], &["r.Request"]),
            ("Batch", &[], &[]),
        ] {
            assert_eq!(by_name(name).role_unions, received, "{name}");
            assert_eq!(by_name(name).sent_unions, sent, "{name}");
        }
    }

    #[test]
    fn received_by_and_sent_by_take_distinct_snake_case_names_on_variants_only() {
        for (attribute, on_variant) in [
            ("@received_by", true),
            ("@received_by()", true),
            ("@received_by(\"device\")", true),
            ("@received_by(Device)", true),
            ("@received_by(a.b)", true),
            ("@received_by(device, device)", true),
            ("@received_by(device)", false),
            ("@sent_by", true),
            ("@sent_by(\"app\")", true),
            ("@sent_by(App)", true),
            ("@sent_by(app, app)", true),
            ("@sent_by(app)", false),
        ] {
            let schema = if on_variant {
                format!("package r; union U {{ {attribute} 0 a; }}")
            } else {
                format!("package r; {attribute} message M {{ 0 a: bool; }}")
            };
            let c = compile_str("r.iotp", &schema, &[]);
            let codes: Vec<&str> = c.diagnostics.iter().map(|d| d.code.as_str()).collect();
            let expected = if on_variant { "E0602" } else { "E0603" };
            assert_eq!(codes, [expected], "{schema}");
        }
    }

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
