//! Recursion: every cycle of messages and unions must be bounded by `@max_depth`, and every type must
//! be constructible (a cycle through required fields only could never end).
//!
//! Decoders bound their stack with these depths, so this is a security rule, not a style rule.

use std::collections::{HashMap, HashSet, VecDeque};

use super::lower::Lowered;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::graph::{is_cycle, strongly_connected};
use crate::ir;

/// An edge from a message or union to a message or union it contains.
struct Edge {
    to: usize,
    /// The member the edge goes through.
    member: String,
    /// Whether every value of the source must contain a value of the target (a required field directly
    /// of that type, or a union variant, which is strong unless another variant escapes).
    strong: bool,
}

struct Node<'a> {
    def: &'a ir::TypeDef,
    is_union: bool,
    max_depth: Option<u32>,
    edges: Vec<Edge>,
    /// For unions: a variant that needs no recursive type (unit, scalar, array...).
    has_escape: bool,
}

/// Checks all message and union types of the lowered packages.
pub(crate) fn check(lowered: &Lowered, diags: &mut Diagnostics) {
    let defs: Vec<&ir::TypeDef> = lowered
        .packages
        .iter()
        .flat_map(|p| &p.types)
        .filter(|t| {
            matches!(
                t.kind,
                ir::TypeKind::Message { .. } | ir::TypeKind::Union { .. }
            )
        })
        .collect();
    let index: HashMap<&str, usize> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.full_name.as_str(), i))
        .collect();
    let nodes: Vec<Node> = defs.iter().map(|d| node(d, &index)).collect();
    let adjacency: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| n.edges.iter().map(|e| e.to).collect())
        .collect();
    let constructible = constructible(&nodes);
    let span_of = |i: usize| lowered.type_spans.get(&nodes[i].def.full_name).copied();

    for component in strongly_connected(&adjacency) {
        if !is_cycle(&component, &adjacency) {
            continue;
        }
        let first = component[0];
        let Some(span) = span_of(first) else { continue };
        let cycle = describe_cycle(first, &component, &nodes);
        let member_span = |i: usize, member: &str| {
            lowered
                .member_spans
                .get(&(nodes[i].def.full_name.clone(), member.to_string()))
                .copied()
        };
        if let Some(&stuck) = component.iter().find(|&&i| !constructible[i]) {
            let name = &nodes[stuck].def.name;
            let mut d = Diagnostic::new(
                Code::InfiniteType,
                span_of(stuck).unwrap_or(span),
                format!("`{name}` can never be constructed: it contains itself through required fields"),
            )
            .with_label("infinitely nested type")
            .with_note(format!("cycle: {}", cycle.text))
            .with_help(match component.iter().find(|&&i| nodes[i].is_union) {
                Some(&u) => format!(
                    "make one field of the cycle `optional` or an array, or give `{}` a variant that ends the recursion (a unit variant, or one of another type)",
                    nodes[u].def.name
                ),
                None => "make one field of the cycle `optional` or an array".to_string(),
            });
            for (i, member) in cycle.members.iter().take(3) {
                if let Some(s) = member_span(*i, member) {
                    d = d.with_secondary(s, "required here");
                }
            }
            diags.push(d);
            continue;
        }
        if component.iter().any(|&i| nodes[i].max_depth.is_some()) {
            continue;
        }
        let name = &nodes[first].def.name;
        let mut d = Diagnostic::new(
            Code::UnboundedRecursion,
            span,
            format!("recursive type `{name}` has no depth bound"),
        )
        .with_label("recursive without `@max_depth`")
        .with_note(format!("cycle: {}", cycle.text))
        .with_help(format!(
            "add `@max_depth(N)` before `{} {name}` to bound how deeply it may nest",
            if nodes[first].is_union {
                "union"
            } else {
                "message"
            }
        ));
        if let Some((i, member)) = cycle.members.first() {
            if let Some(s) = member_span(*i, member) {
                d = d.with_secondary(s, "the recursion goes through here");
            }
        }
        diags.push(d);
    }
}

fn node<'a>(def: &'a ir::TypeDef, index: &HashMap<&str, usize>) -> Node<'a> {
    let mut edges = Vec::new();
    let mut has_escape = false;
    let (is_union, max_depth) = match &def.kind {
        ir::TypeKind::Message {
            fields, max_depth, ..
        } => {
            for f in fields {
                let required = f.presence == ir::Presence::Required;
                add_edges(&f.ty, &f.name, required, index, &mut edges);
            }
            (false, *max_depth)
        }
        ir::TypeKind::Union {
            variants,
            max_depth,
            ..
        } => {
            for v in variants {
                let before = edges.len();
                if let Some(ty) = &v.ty {
                    add_edges(ty, &v.name, true, index, &mut edges);
                }
                if !edges[before..].iter().any(|e| e.strong) {
                    has_escape = true;
                }
            }
            (true, *max_depth)
        }
        _ => (false, None),
    };
    Node {
        def,
        is_union,
        max_depth,
        edges,
        has_escape,
    }
}

/// Adds an edge for every message or union `ty` reaches; strong only when reached directly.
fn add_edges(
    ty: &ir::Type,
    member: &str,
    required: bool,
    index: &HashMap<&str, usize>,
    edges: &mut Vec<Edge>,
) {
    let mut ty = ty.resolved();
    let mut strong = required;
    while let ir::Type::Array { element, .. } = ty {
        strong = false; // An empty array ends the recursion.
        ty = element.resolved();
    }
    if let ir::Type::Message { name } | ir::Type::Union { name } = ty {
        if let Some(&to) = index.get(name.as_str()) {
            edges.push(Edge {
                to,
                member: member.to_string(),
                strong,
            });
        }
    }
}

/// Which types have at least one finite value, by a linear worklist (no recursion, no fixpoint loops).
fn constructible(nodes: &[Node]) -> Vec<bool> {
    let mut done = vec![false; nodes.len()];
    let mut pending: Vec<usize> = nodes
        .iter()
        .map(|n| n.edges.iter().filter(|e| e.strong).count())
        .collect();
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for e in n.edges.iter().filter(|e| e.strong) {
            reverse[e.to].push(i);
        }
    }
    let mut queue: VecDeque<usize> = nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| {
            if n.is_union {
                n.has_escape
            } else {
                pending[*i] == 0
            }
        })
        .map(|(i, _)| i)
        .collect();
    for &i in &queue {
        done[i] = true;
    }
    while let Some(i) = queue.pop_front() {
        for &parent in &reverse[i] {
            if done[parent] {
                continue;
            }
            let ready = if nodes[parent].is_union {
                true
            } else {
                pending[parent] -= 1;
                pending[parent] == 0
            };
            if ready {
                done[parent] = true;
                queue.push_back(parent);
            }
        }
    }
    done
}

struct Cycle {
    text: String,
    /// (type index, member) along the cycle.
    members: Vec<(usize, String)>,
}

/// A shortest path from `start` back to itself within the component, for the note.
fn describe_cycle(start: usize, component: &[usize], nodes: &[Node]) -> Cycle {
    // Membership by set: a component can hold every type of the schema.
    let component: HashSet<usize> = component.iter().copied().collect();
    let mut parent: HashMap<usize, (usize, &str)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut found = false;
    'search: while let Some(at) = queue.pop_front() {
        for e in &nodes[at].edges {
            if !component.contains(&e.to) {
                continue;
            }
            if e.to == start {
                parent.insert(usize::MAX, (at, &e.member));
                found = true;
                break 'search;
            }
            if e.to != start && !parent.contains_key(&e.to) {
                parent.insert(e.to, (at, &e.member));
                queue.push_back(e.to);
            }
        }
    }
    let mut steps: Vec<(usize, String)> = Vec::new();
    if found {
        let mut at = usize::MAX;
        while let Some(&(from, member)) = parent.get(&at) {
            steps.push((from, member.to_string()));
            if from == start {
                break;
            }
            at = from;
        }
        steps.reverse();
    }
    let mut text = String::new();
    for (i, member) in &steps {
        text.push_str(&format!("`{}.{member}` → ", nodes[*i].def.name));
    }
    text.push_str(&format!("`{}`", nodes[start].def.name));
    Cycle {
        text,
        members: steps,
    }
}
