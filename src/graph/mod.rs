//! `venice graph`: the lineage of the pipeline, drawn as Mermaid, Graphviz DOT or SVG.
//!
//! [`Lineage::of`] reads the model's edges into a graph of nodes (producers, sources, topics with
//! their key and value serdes, ksqlDB streams and tables, transforms, sinks, consumers) and
//! directed edges in the direction data flows. A transform is linked from the streams and tables
//! its queries read (`FROM` and `JOIN`) and to the topics its statements write. The three
//! renderers read that graph; `svg` lays it out itself, in layers, so no Graphviz is needed.

mod dot;
mod mermaid;
mod svg;

pub use dot::dot;
pub use mermaid::mermaid;
pub use svg::svg;

use crate::analysis::Analysis;
use crate::ksql::ast::StatementKind;
use crate::model::{Actor, KsqlSourceKind, Project, Serde, Side};
use std::collections::{BTreeMap, BTreeSet};

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Producer,
    Source,
    Topic,
    Stream,
    Table,
    Transform,
    Sink,
    Consumer,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Producer => "producer",
            NodeKind::Source => "source",
            NodeKind::Topic => "topic",
            NodeKind::Stream => "stream",
            NodeKind::Table => "table",
            NodeKind::Transform => "transform",
            NodeKind::Sink => "sink",
            NodeKind::Consumer => "consumer",
        }
    }
}

/// One node of the lineage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub name: String,
    /// A second line: a topic's serdes (`key string, value avro Order`), a connector's kind.
    pub(crate) detail: Option<String>,
}

/// The lineage: nodes in a stable order and edges between their indexes, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lineage {
    pub nodes: Vec<Node>,
    pub edges: Vec<(usize, usize)>,
}

fn serde_text(serde: Option<&Serde>) -> String {
    match serde {
        None => "?".into(),
        Some(s) => match &s.schema {
            Some(schema) => format!("{} {}", s.format.value, schema.value),
            None => s.format.value.to_string(),
        },
    }
}

/// The ksqlDB names a transform's statements create and read.
fn transform_names(project: &Project, index: usize) -> (Vec<String>, Vec<String>) {
    let mut creates = Vec::new();
    let mut reads = Vec::new();
    let Some(sql) = &project.transforms[index].sql else { return (creates, reads) };
    let (statements, _) = crate::ksql::parser::parse(sql);
    for statement in &statements {
        match &statement.kind {
            StatementKind::CreateSource(c) => creates.push(c.name.value.clone()),
            StatementKind::CreateAsSelect(c) => creates.push(c.name.value.clone()),
            _ => {}
        }
        if let Some(query) = statement.kind.query() {
            reads.push(query.from.source.name.value.clone());
            reads.extend(query.from.joins.iter().map(|j| j.source.name.value.clone()));
        }
    }
    (creates, reads)
}

/// A `stream`/`table` node's name as ksqlDB knows it (unquoted names upper-cased).
fn ksql_name(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain { name.to_uppercase() } else { name.to_string() }
}

impl Lineage {
    pub fn of(project: &Project, analysis: &Analysis) -> Lineage {
        let mut lineage = Lineage::default();
        let mut index: BTreeMap<(NodeKind, String), usize> = BTreeMap::new();
        let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut node = |lineage: &mut Lineage, kind: NodeKind, name: &str, detail: Option<String>| -> usize {
            *index.entry((kind, name.to_string())).or_insert_with(|| {
                lineage.nodes.push(Node { kind, name: name.to_string(), detail });
                lineage.nodes.len() - 1
            })
        };
        // Topics first, sorted, each with the serdes written on it.
        let mut topic_ids = BTreeMap::new();
        for (name, topic_edges) in &analysis.edges {
            let side = |side: Side| {
                let declared = project.topic(name).and_then(|t| match side {
                    Side::Key => t.key.as_ref(),
                    Side::Value => t.value.as_ref(),
                });
                declared.or_else(|| topic_edges.writers.iter().find_map(|w| w.serde(side)))
            };
            let detail = format!("key {}, value {}", serde_text(side(Side::Key)), serde_text(side(Side::Value)));
            topic_ids.insert(name.clone(), node(&mut lineage, NodeKind::Topic, name, Some(detail)));
        }
        let connector_detail = |c: &crate::model::Connector| match &c.kind {
            Some(crate::model::ConnectorKind::Catalog(k)) => Some(k.value.clone()),
            Some(crate::model::ConnectorKind::Class(k)) => {
                Some(k.value.rsplit('.').next().unwrap_or(&k.value).to_string())
            }
            None => None,
        };
        // Then every actor, in the order of venice.kdl by kind.
        for p in &project.producers {
            node(&mut lineage, NodeKind::Producer, &p.name.value, None);
        }
        for c in project.connectors.iter().filter(|c| c.direction == crate::model::Direction::Source) {
            node(&mut lineage, NodeKind::Source, &c.name.value, connector_detail(c));
        }
        let mut ksql_producer: BTreeMap<String, usize> = BTreeMap::new();
        for s in &project.ksql_sources {
            let kind = if s.kind == KsqlSourceKind::Stream { NodeKind::Stream } else { NodeKind::Table };
            let id = node(&mut lineage, kind, &s.name.value, None);
            ksql_producer.entry(ksql_name(&s.name.value)).or_insert(id);
        }
        let mut transform_reads = Vec::new();
        for (i, t) in project.transforms.iter().enumerate() {
            let id = node(&mut lineage, NodeKind::Transform, &t.name.value, None);
            let (creates, reads) = transform_names(project, i);
            for name in creates {
                ksql_producer.entry(name).or_insert(id);
            }
            transform_reads.push((id, reads));
        }
        for c in project.connectors.iter().filter(|c| c.direction == crate::model::Direction::Sink) {
            node(&mut lineage, NodeKind::Sink, &c.name.value, connector_detail(c));
        }
        for c in &project.consumers {
            node(&mut lineage, NodeKind::Consumer, &c.name.value, None);
        }
        // Edges: writers into topics, topics into readers.
        for (name, topic_edges) in &analysis.edges {
            let topic = topic_ids[name];
            for writer in &topic_edges.writers {
                if let Some(id) = actor_node(&mut lineage, &mut node, &writer.actor) {
                    edges.insert((id, topic));
                }
            }
            for reader in &topic_edges.readers {
                if let Some(id) = actor_node(&mut lineage, &mut node, &reader.actor) {
                    edges.insert((topic, id));
                }
            }
        }
        // Transforms read streams and tables.
        for (id, reads) in transform_reads {
            for name in reads {
                if let Some(&from) = ksql_producer.get(&name).filter(|&&from| from != id) {
                    edges.insert((from, id));
                }
            }
        }
        lineage.edges = edges.into_iter().collect();
        lineage
    }
}

/// The node of an edge's actor (a stream or table created inside a transform's SQL gets its own).
fn actor_node(
    lineage: &mut Lineage,
    node: &mut impl FnMut(&mut Lineage, NodeKind, &str, Option<String>) -> usize,
    actor: &Actor,
) -> Option<usize> {
    let (kind, name) = match actor {
        Actor::Producer(n) => (NodeKind::Producer, n),
        Actor::Consumer(n) => (NodeKind::Consumer, n),
        Actor::Source(n) => (NodeKind::Source, n),
        Actor::Sink(n) => (NodeKind::Sink, n),
        Actor::Ksql { kind: KsqlSourceKind::Stream, name } => (NodeKind::Stream, name),
        Actor::Ksql { kind: KsqlSourceKind::Table, name } => (NodeKind::Table, name),
        Actor::Transform(n) => (NodeKind::Transform, n),
    };
    Some(node(lineage, kind, name, None))
}

/// A node's label: `kind name`, and its detail on a second line.
pub(crate) fn label_lines(node: &Node) -> Vec<String> {
    let mut lines = vec![match node.kind {
        NodeKind::Topic => node.name.clone(),
        kind => format!("{} {}", kind.as_str(), node.name),
    }];
    if let Some(detail) = &node.detail {
        lines.push(detail.clone());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lineage_follows_the_data_from_producer_to_sink() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let kdl = r#"project p
topic orders {
    key string
    value json
}
producer web topic=orders
stream orders topic=orders key-column=ID
transform big {
    sql "CREATE STREAM big WITH (KAFKA_TOPIC='BIG', VALUE_FORMAT='JSON') AS SELECT * FROM orders EMIT CHANGES;"
}
consumer shipping topic=BIG
"#;
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        let lineage = Lineage::of(&checked.project, &checked.analysis);
        let name = |i: usize| format!("{} {}", lineage.nodes[i].kind.as_str(), lineage.nodes[i].name);
        let edges: Vec<(String, String)> = lineage.edges.iter().map(|&(a, b)| (name(a), name(b))).collect();
        for expected in [
            ("producer web", "topic orders"),
            ("topic orders", "stream orders"),
            ("stream orders", "transform big"),
            ("transform big", "topic BIG"),
            ("topic BIG", "consumer shipping"),
        ] {
            assert!(edges.contains(&(expected.0.to_string(), expected.1.to_string())), "{expected:?} in {edges:#?}");
        }
        let orders = lineage.nodes.iter().find(|n| n.name == "orders" && n.kind == NodeKind::Topic).unwrap();
        assert_eq!(orders.detail.as_deref(), Some("key string, value json"));
    }
}
