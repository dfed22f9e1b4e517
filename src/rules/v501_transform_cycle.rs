//! V501: transforms that read, through other transforms, what they write.
//!
//! Two loops, each an error of its own:
//! - the transforms need each other: each uses (reads, or `INSERT INTO`s) a stream or table that
//!   another creates, round to itself. ksqlDB runs a statement only over sources that exist
//!   (`... does not exist`), and `venice build` deploys each transform as one file, so no order
//!   of the files deploys them;
//! - the queries feed each other: a query writes a topic that a query reads, round to itself
//!   (`INSERT INTO` closing the loop deploys fine). Every record then goes around forever.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::Effect;
use crate::model::Project;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

pub(crate) const RULE: Rule = Rule {
    code: "V501",
    name: "cycle among transforms",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v501_transform_cycle.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let mut reported: BTreeSet<BTreeSet<usize>> = BTreeSet::new();
    for cycle in cycles(&deploy_graph(project, analysis)) {
        reported.insert(cycle.iter().map(|step| step.node).collect());
        diagnostics.push(deploy_cycle(project, &cycle));
    }
    let (queries, graph) = data_graph(project, analysis);
    for cycle in cycles(&graph) {
        let transforms: BTreeSet<usize> = cycle.iter().map(|step| queries[step.node].transform).collect();
        if reported.insert(transforms) {
            diagnostics.push(data_cycle(project, &queries, &cycle));
        }
    }
}

/// Edges out of each node, each with the name that makes it.
type Graph = Vec<Vec<(usize, String)>>;

/// One step of a cycle: a node, and the name by which the next node depends on it.
struct Step {
    node: usize,
    via: String,
}

/// Transform `i` to transform `j` when `j` uses a stream or table that `i` creates (the names as
/// written, as `venice build` orders the files).
fn deploy_graph(project: &Project, analysis: &Analysis) -> Graph {
    let count = project.transforms.len();
    let names: Vec<_> = (0..count).map(|i| analysis.ksql.transform_names(i)).collect();
    let mut creator: HashMap<&str, usize> = HashMap::new();
    for (i, (created, _)) in names.iter().enumerate().filter_map(|(i, n)| Some((i, (*n)?))) {
        for name in created {
            creator.entry(name.as_str()).or_insert(i);
        }
    }
    let mut graph: Graph = vec![Vec::new(); count];
    for (j, (_, used)) in names.iter().enumerate().filter_map(|(j, n)| Some((j, (*n)?))) {
        for name in used {
            if let Some(&i) = creator.get(name.as_str()) {
                graph[i].push((j, name.clone()));
            }
        }
    }
    graph
}

/// A query: the transform it is in, where it is written, what topics it reads and the topic it
/// writes.
struct Query<'a> {
    transform: usize,
    span: Span,
    reads: Vec<&'a str>,
    writes: &'a str,
}

/// Query `a` to query `b` when `b` reads a topic `a` writes, through whichever stream or table
/// names it (one topic may have several).
fn data_graph<'a>(project: &'a Project, analysis: &'a Analysis) -> (Vec<Query<'a>>, Graph) {
    let mut topic_of: HashMap<String, &str> = HashMap::new();
    for node in &project.ksql_sources {
        topic_of.entry(node.name.value.to_uppercase()).or_insert(&node.topic.value);
    }
    for effect in analysis.ksql.effects.iter().flatten() {
        if let Effect::Declared(c) | Effect::Created(c) = effect {
            topic_of.entry(c.name.value.clone()).or_insert(&c.topic.value);
        }
    }
    let mut queries = Vec::new();
    for (transform, effects) in analysis.ksql.effects.iter().enumerate() {
        for effect in effects {
            let (span, from, writes) = match effect {
                Effect::Created(c) => (c.span, &c.from, c.topic.value.as_str()),
                Effect::Inserted { target, topic, from, .. } => (target.span, from, topic.as_str()),
                Effect::Declared(_) => continue,
            };
            let reads = from.iter().filter_map(|name| topic_of.get(name).copied()).collect();
            queries.push(Query { transform, span, reads, writes });
        }
    }
    let mut readers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (b, query) in queries.iter().enumerate() {
        for topic in &query.reads {
            readers.entry(topic).or_default().push(b);
        }
    }
    let graph = queries
        .iter()
        .map(|a| readers.get(a.writes).into_iter().flatten().map(|&b| (b, a.writes.to_string())).collect())
        .collect();
    (queries, graph)
}

/// One cycle per strongly connected component that has one (several nodes, or a node with an
/// edge to itself), as the shortest walk from its first node back to it.
fn cycles(graph: &Graph) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    for component in components(graph) {
        let start = component[0];
        let inside: BTreeSet<usize> = component.iter().copied().collect();
        if let Some(cycle) = shortest_cycle(graph, start, &inside) {
            found.push(cycle);
        }
    }
    found
}

/// The shortest walk from `start` back to it within `inside` (breadth first).
fn shortest_cycle(graph: &Graph, start: usize, inside: &BTreeSet<usize>) -> Option<Vec<Step>> {
    let mut came_from: BTreeMap<usize, (usize, &str)> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for (next, via) in &graph[node] {
            if !inside.contains(next) {
                continue;
            }
            if *next == start {
                let mut steps = vec![Step { node, via: via.clone() }];
                let mut at = node;
                while at != start {
                    let (previous, via) = came_from[&at];
                    steps.push(Step { node: previous, via: via.to_string() });
                    at = previous;
                }
                steps.reverse();
                return Some(steps);
            }
            if *next != start && !came_from.contains_key(next) {
                came_from.insert(*next, (node, via));
                queue.push_back(*next);
            }
        }
    }
    None
}

/// The strongly connected components, each sorted, in the order of their first node (Kosaraju,
/// iterative: a project has thousands of transforms).
fn components(graph: &Graph) -> Vec<Vec<usize>> {
    let n = graph.len();
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for root in 0..n {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        let mut stack = vec![(root, 0)];
        while let Some((node, edge)) = stack.pop() {
            match graph[node].get(edge) {
                Some(&(next, _)) => {
                    stack.push((node, edge + 1));
                    if !seen[next] {
                        seen[next] = true;
                        stack.push((next, 0));
                    }
                }
                None => order.push(node),
            }
        }
    }
    let mut reverse = vec![Vec::new(); n];
    for (from, edges) in graph.iter().enumerate() {
        for &(to, _) in edges {
            reverse[to].push(from);
        }
    }
    let mut component_of = vec![usize::MAX; n];
    let mut components: Vec<Vec<usize>> = Vec::new();
    for &root in order.iter().rev() {
        if component_of[root] != usize::MAX {
            continue;
        }
        let mut members = vec![root];
        component_of[root] = components.len();
        let mut at = 0;
        while let Some(&node) = members.get(at) {
            at += 1;
            for &previous in &reverse[node] {
                if component_of[previous] == usize::MAX {
                    component_of[previous] = components.len();
                    members.push(previous);
                }
            }
        }
        members.sort_unstable();
        components.push(members);
    }
    components.sort();
    components
}

/// Transforms that each use what another creates: no order deploys them.
fn deploy_cycle(project: &Project, cycle: &[Step]) -> Diagnostic {
    let name = |i: usize| &project.transforms[i].name;
    let names: Vec<String> = cycle.iter().map(|s| format!("`{}`", name(s.node).value)).collect();
    let message =
        format!("transforms {} each need another to be deployed first: no order deploys them", names.join(", "));
    let first = &cycle[0];
    let mut diagnostic = RULE.diagnostic(name(first.node).span, message, creates_label(project, cycle, 0));
    for at in 1..cycle.len() {
        diagnostic = diagnostic.with_label(name(cycle[at].node).span, creates_label(project, cycle, at));
    }
    diagnostic.with_help(
        "a stream or table must exist before a statement uses it: make one of them read a declared source instead, so the data flows one way (`venice graph` draws it)",
    )
}

/// What step `at` of a deployment cycle creates, and which transform uses it.
fn creates_label(project: &Project, cycle: &[Step], at: usize) -> String {
    let next = &cycle[(at + 1) % cycle.len()];
    let user = &project.transforms[next.node].name.value;
    format!("creates `{}`, which transform `{user}` uses", cycle[at].via)
}

/// Queries that each read what another writes: records go around forever.
fn data_cycle(project: &Project, queries: &[Query], cycle: &[Step]) -> Diagnostic {
    let transform = |step: &Step| &project.transforms[queries[step.node].transform].name.value;
    let first = transform(&cycle[0]);
    let others: Vec<String> = cycle[1..]
        .iter()
        .map(|s| format!("`{}`", transform(s)))
        .filter(|t| *t != format!("`{first}`"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let through = if others.is_empty() { String::new() } else { format!(", through {},", others.join(", ")) };
    let message = format!("transform `{first}` reads{through} what it writes: every record goes around forever");
    let label = |at: usize| {
        let next = &cycle[(at + 1) % cycle.len()];
        format!("writes topic `{}`, which transform `{}` reads", cycle[at].via, transform(next))
    };
    let mut diagnostic = RULE.diagnostic(queries[cycle[0].node].span, message, label(0));
    for at in 1..cycle.len() {
        diagnostic = diagnostic.with_label(queries[cycle[at].node].span, label(at));
    }
    diagnostic.with_help("make the data flow one way: write the loop's last step to a topic no query of the loop reads")
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes;

    fn v501(source: &str) -> Vec<String> {
        let checked = check_bytes(std::path::Path::new("/nonexistent"), source.as_bytes());
        checked.diagnostics.iter().filter(|d| d.code == "V501").map(|d| d.message.clone()).collect()
    }

    const ORDERS: &str = "topic orders partitions=1 { key string; value json; }\nstream orders topic=orders\n";

    fn transform(name: &str, sql: &str) -> String {
        format!("transform {name} {{ sql \"{sql}\"; }}\n")
    }

    #[test]
    fn transforms_that_create_what_each_other_read() {
        let source = format!(
            "{ORDERS}{}{}",
            transform("enrich", "CREATE STREAM enriched AS SELECT * FROM audited;"),
            transform("audit", "CREATE STREAM audited AS SELECT * FROM enriched;")
        );
        assert_eq!(
            v501(&source),
            ["transforms `enrich`, `audit` each need another to be deployed first: no order deploys them"]
        );
    }

    #[test]
    fn an_insert_that_closes_a_loop_through_topics() {
        let source = format!(
            "{ORDERS}{}{}",
            transform("enrich", "CREATE STREAM enriched AS SELECT * FROM orders;"),
            transform("replay", "INSERT INTO orders SELECT * FROM enriched;")
        );
        assert_eq!(
            v501(&source),
            ["transform `enrich` reads, through `replay`, what it writes: every record goes around forever"]
        );
    }

    #[test]
    fn a_chain_is_not_a_loop() {
        let source = format!(
            "{ORDERS}{}{}",
            transform(
                "enrich",
                "CREATE STREAM enriched AS SELECT * FROM orders; CREATE STREAM big AS SELECT * FROM enriched;"
            ),
            transform(
                "audit",
                "CREATE STREAM audited AS SELECT * FROM enriched; INSERT INTO big SELECT * FROM audited;"
            )
        );
        assert_eq!(v501(&source), Vec::<String>::new());
    }

    #[test]
    fn components_and_cycles() {
        let graph = vec![
            vec![(1, "a".to_string())],
            vec![(2, "b".to_string())],
            vec![(0, "c".to_string()), (3, "d".to_string())],
            vec![(3, "e".to_string())],
            vec![],
        ];
        assert_eq!(super::components(&graph), [vec![0, 1, 2], vec![3], vec![4]]);
        let cycles = super::cycles(&graph);
        let walks: Vec<Vec<(usize, &str)>> =
            cycles.iter().map(|c| c.iter().map(|s| (s.node, s.via.as_str())).collect()).collect();
        assert_eq!(walks, [vec![(0, "a"), (1, "b"), (2, "c")], vec![(3, "e")]]);
    }
}
