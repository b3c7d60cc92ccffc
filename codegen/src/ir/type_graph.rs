//! The type graph: which named types each type's members reach, and the recursive cycles among them
//! with their depth budgets.
//!
//! One graph serves every analysis that follows references: the semantic check that each cycle is
//! bounded and constructible (`sema::recursion`), the largest encoded sizes ([`super::size`]) and
//! the backends' recursion facts (`crate::model`). A node is a type definition; an edge leads from a
//! type to a message, union or enum that one of its members reaches, through aliases and arrays.

use std::collections::HashMap;

use super::{Presence, Schema, Type, TypeDef, TypeKind};
use crate::graph::{is_cycle, strongly_connected};

/// A reference from a member of one type to another type.
#[derive(Clone, Debug)]
pub struct Reference<'s> {
    /// Index of the referenced type in [`TypeGraph::defs`].
    pub to: usize,
    /// The field or variant the reference goes through (empty for an alias's target).
    pub member: &'s str,
    /// Whether every value of the source must contain a value of the target: a required field or a
    /// union variant of a message or union type, not through an array (an empty array ends a
    /// recursion). References to enums are never strong.
    pub strong: bool,
}

/// A recursive cycle: a strongly connected set of types that reach themselves.
#[derive(Clone, Debug)]
pub struct Cycle {
    /// Indices of the member types, ascending.
    pub members: Vec<usize>,
    /// How many nested values of the cycle a value may hold: the smallest `@max_depth` written on a
    /// member (1 when none is, which validation rejects, so that every later stage stays total).
    pub budget: u32,
}

/// The graph of references between the types of a schema, with its cycles.
#[derive(Clone, Debug)]
pub struct TypeGraph<'s> {
    defs: Vec<&'s TypeDef>,
    index: HashMap<&'s str, usize>,
    references: Vec<Vec<Reference<'s>>>,
    components: Vec<Vec<usize>>,
    cycles: Vec<Cycle>,
    cycle_of: Vec<Option<usize>>,
}

impl<'s> TypeGraph<'s> {
    /// The graph of every type of `schema`.
    pub fn of(schema: &'s Schema) -> TypeGraph<'s> {
        TypeGraph::new(schema.packages.iter().flat_map(|p| &p.types))
    }

    /// The graph of `defs`; references to types outside them are left out.
    pub fn new(defs: impl IntoIterator<Item = &'s TypeDef>) -> TypeGraph<'s> {
        let defs: Vec<&TypeDef> = defs.into_iter().collect();
        let index: HashMap<&str, usize> = defs
            .iter()
            .enumerate()
            .map(|(i, d)| (d.full_name.as_str(), i))
            .collect();
        let references: Vec<Vec<Reference>> = defs
            .iter()
            .map(|d| {
                let mut out = Vec::new();
                match &d.kind {
                    TypeKind::Message { fields, .. } => {
                        for f in fields {
                            let required = f.presence == Presence::Required;
                            reach(&f.ty, &f.name, required, &index, &mut out);
                        }
                    }
                    TypeKind::Union { variants, .. } => {
                        for v in variants {
                            if let Some(ty) = &v.ty {
                                reach(ty, &v.name, true, &index, &mut out);
                            }
                        }
                    }
                    TypeKind::Alias { target } => reach(target, "", true, &index, &mut out),
                    TypeKind::Enum { .. } => {}
                }
                out
            })
            .collect();
        let adjacency: Vec<Vec<usize>> = references
            .iter()
            .map(|r| r.iter().map(|e| e.to).collect())
            .collect();
        let components = strongly_connected(&adjacency);
        let mut cycles = Vec::new();
        let mut cycle_of = vec![None; defs.len()];
        for component in &components {
            if !is_cycle(component, &adjacency) {
                continue;
            }
            let budget = component
                .iter()
                .filter_map(|&i| own_max_depth(defs[i]))
                .min()
                .unwrap_or(1);
            for &i in component {
                cycle_of[i] = Some(cycles.len());
            }
            cycles.push(Cycle {
                members: component.clone(),
                budget,
            });
        }
        TypeGraph {
            defs,
            index,
            references,
            components,
            cycles,
            cycle_of,
        }
    }

    /// The types, in the order they were given.
    pub fn defs(&self) -> &[&'s TypeDef] {
        &self.defs
    }

    /// The index of the type named `full_name`.
    pub fn index_of(&self, full_name: &str) -> Option<usize> {
        self.index.get(full_name).copied()
    }

    /// The references of type `i`, in member order.
    pub fn references(&self, i: usize) -> &[Reference<'s>] {
        &self.references[i]
    }

    /// The strongly connected components, every component after all components it references
    /// (dependencies first).
    pub fn components(&self) -> &[Vec<usize>] {
        &self.components
    }

    /// The recursive cycles, in the order of [`components`](Self::components).
    pub fn cycles(&self) -> &[Cycle] {
        &self.cycles
    }

    /// Index (in [`cycles`](Self::cycles)) of the cycle type `i` lies on.
    pub fn cycle_of(&self, i: usize) -> Option<usize> {
        self.cycle_of[i]
    }

    /// The cycle the type named `full_name` lies on.
    pub fn cycle_of_name(&self, full_name: &str) -> Option<&Cycle> {
        let c = self.cycle_of(self.index_of(full_name)?)?;
        Some(&self.cycles[c])
    }

    /// Whether both named types lie on the same cycle.
    pub fn same_cycle(&self, a: &str, b: &str) -> bool {
        let cycle = |n: &str| self.index_of(n).and_then(|i| self.cycle_of(i));
        matches!((cycle(a), cycle(b)), (Some(x), Some(y)) if x == y)
    }

    /// Whether entering the type named `full_name` spends one unit of its cycle's budget: it lies on
    /// a cycle and carries `@max_depth` itself.
    pub fn counts_depth(&self, full_name: &str) -> bool {
        self.index_of(full_name)
            .is_some_and(|i| self.cycle_of(i).is_some() && own_max_depth(self.defs[i]).is_some())
    }
}

/// The `@max_depth` written on a message or union.
pub fn own_max_depth(def: &TypeDef) -> Option<u32> {
    match &def.kind {
        TypeKind::Message { max_depth, .. } | TypeKind::Union { max_depth, .. } => *max_depth,
        _ => None,
    }
}

/// Adds the reference to the message, union or enum that `ty` names, through aliases and arrays.
fn reach<'s>(
    ty: &Type,
    member: &'s str,
    required: bool,
    index: &HashMap<&str, usize>,
    out: &mut Vec<Reference<'s>>,
) {
    let mut ty = ty.resolved();
    let mut strong = required;
    while let Type::Array { element, .. } = ty {
        strong = false; // An empty array ends the recursion.
        ty = element.resolved();
    }
    let (name, record) = match ty {
        Type::Message { name } | Type::Union { name } => (name, true),
        Type::Enum { name } => (name, false),
        _ => return,
    };
    if let Some(&to) = index.get(name.as_str()) {
        out.push(Reference {
            to,
            member,
            strong: strong && record,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile_str;

    #[test]
    fn cycles_carry_the_smallest_budget_and_who_counts_it() {
        let c = compile_str(
            "t.iotp",
            "package t;
             enum E { A = 0; }
             @max_depth(3) message A { 0 b: optional B; 1 e: E; }
             @max_depth(2) union B { 0 a: A; 1 none; }
             message C { 0 items: array<A, 2>; }
             type Kids = array<A, 4>;",
            &[],
        );
        assert!(!c.diagnostics.has_errors(), "{:?}", c.diagnostics);
        let schema = c.schema.unwrap();
        let g = TypeGraph::of(&schema);
        assert_eq!(g.cycles().len(), 1);
        assert_eq!(g.cycle_of_name("t.A").unwrap().budget, 2);
        assert!(g.same_cycle("t.A", "t.B"));
        assert!(!g.same_cycle("t.A", "t.C"));
        assert!(g.counts_depth("t.B") && g.counts_depth("t.A") && !g.counts_depth("t.C"));
        let a = g.index_of("t.A").unwrap();
        let refs: Vec<(&str, bool)> = g
            .references(a)
            .iter()
            .map(|r| (r.member, r.strong))
            .collect();
        assert_eq!(refs, [("b", false), ("e", false)]);
        let b = g.index_of("t.B").unwrap();
        assert!(g.references(b)[0].strong);
        // Dependencies first: the enum before the cycle, the cycle before its users.
        let position = |n: &str| {
            let i = g.index_of(n).unwrap();
            g.components().iter().position(|c| c.contains(&i)).unwrap()
        };
        assert!(position("t.E") < position("t.A"));
        assert!(position("t.A") < position("t.C"));
        assert!(position("t.A") < position("t.Kids"));
    }
}
