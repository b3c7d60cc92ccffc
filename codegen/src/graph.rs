//! Strongly connected components, iteratively (Tarjan), for import cycles and recursive types.
//!
//! Iterative because the graphs come from untrusted schemas: a chain of 100,000 types must not
//! overflow the compiler's stack.

/// The strongly connected components of a graph given as adjacency lists. Components come out with
/// every component after all components it has edges to (dependencies first), and the nodes of each
/// component in ascending order.
pub(crate) fn strongly_connected(adjacency: &[Vec<usize>]) -> Vec<Vec<usize>> {
    const UNVISITED: usize = usize::MAX;
    let n = adjacency.len();
    let mut index = vec![UNVISITED; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut components = Vec::new();
    let mut next_index = 0;
    // Each frame: node and how many of its edges were followed.
    let mut frames: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNVISITED {
            continue;
        }
        frames.push((root, 0));
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (node, ref mut edge)) = frames.last_mut() {
            if let Some(&next) = adjacency[node].get(*edge) {
                *edge += 1;
                if index[next] == UNVISITED {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    frames.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                component.sort_unstable();
                components.push(component);
            }
        }
    }
    components
}

/// Whether a component is a cycle: more than one node, or one node with an edge to itself.
pub(crate) fn is_cycle(component: &[usize], adjacency: &[Vec<usize>]) -> bool {
    component.len() > 1 || adjacency[component[0]].contains(&component[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cycles_and_orders_dependencies_first() {
        // 0 -> 1 -> 2 -> 1, 3 -> 3, 4 alone.
        let g = vec![vec![1], vec![2], vec![1], vec![3], vec![]];
        let sccs = strongly_connected(&g);
        assert_eq!(sccs, vec![vec![1, 2], vec![0], vec![3], vec![4]]);
        assert!(is_cycle(&sccs[0], &g));
        assert!(!is_cycle(&sccs[1], &g));
        assert!(is_cycle(&sccs[2], &g));
    }

    #[test]
    fn long_chains_do_not_overflow() {
        let n = 200_000;
        let g: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        assert_eq!(strongly_connected(&g).len(), n);
    }
}
