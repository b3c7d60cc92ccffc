//! Recursion: every cycle of messages and unions must be bounded by `@max_depth`, and every type must
//! be constructible (a cycle through required fields only could never end).
//!
//! Decoders bound their stack with these depths, so this is a security rule, not a style rule.

use std::collections::{HashMap, HashSet, VecDeque};

use super::lower::Lowered;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::ir;

struct Node<'a> {
    def: &'a ir::TypeDef,
    is_union: bool,
    max_depth: Option<u32>,
    /// For unions: a variant that needs no recursive type (unit, scalar, array...).
    has_escape: bool,
}

/// Checks all message and union types of the lowered packages.
pub(crate) fn check(lowered: &Lowered, diags: &mut Diagnostics) {
    let graph = ir::TypeGraph::new(lowered.packages.iter().flat_map(|p| &p.types));
    let nodes: Vec<Node> = (0..graph.defs().len()).map(|i| node(&graph, i)).collect();
    let constructible = constructible(&nodes, &graph);
    let span_of = |i: usize| lowered.type_spans.get(&nodes[i].def.full_name).copied();

    for cycle in graph.cycles() {
        let component = &cycle.members;
        let first = component[0];
        let Some(span) = span_of(first) else { continue };
        let cycle = describe_cycle(first, component, &nodes, &graph);
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

fn node<'a>(graph: &ir::TypeGraph<'a>, i: usize) -> Node<'a> {
    let def = graph.defs()[i];
    let references = graph.references(i);
    let (is_union, has_escape) = match &def.kind {
        // A variant escapes when no strong reference goes through it.
        ir::TypeKind::Union { variants, .. } => (
            true,
            variants
                .iter()
                .any(|v| !references.iter().any(|e| e.strong && e.member == v.name)),
        ),
        _ => (false, false),
    };
    Node {
        def,
        is_union,
        max_depth: ir::own_max_depth(def),
        has_escape,
    }
}

/// Which types have at least one finite value, by a linear worklist (no recursion, no fixpoint loops).
fn constructible(nodes: &[Node], graph: &ir::TypeGraph) -> Vec<bool> {
    let mut done = vec![false; nodes.len()];
    let mut pending: Vec<usize> = (0..nodes.len())
        .map(|i| graph.references(i).iter().filter(|e| e.strong).count())
        .collect();
    let mut reverse: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for i in 0..nodes.len() {
        for e in graph.references(i).iter().filter(|e| e.strong) {
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
fn describe_cycle(
    start: usize,
    component: &[usize],
    nodes: &[Node],
    graph: &ir::TypeGraph,
) -> Cycle {
    // Membership by set: a component can hold every type of the schema.
    let component: HashSet<usize> = component.iter().copied().collect();
    let mut parent: HashMap<usize, (usize, &str)> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut found = false;
    'search: while let Some(at) = queue.pop_front() {
        for e in graph.references(at) {
            if !component.contains(&e.to) {
                continue;
            }
            if e.to == start {
                parent.insert(usize::MAX, (at, e.member));
                found = true;
                break 'search;
            }
            if e.to != start && !parent.contains_key(&e.to) {
                parent.insert(e.to, (at, e.member));
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
