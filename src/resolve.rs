//! Name resolution over the model: duplicate names (V004), references to undeclared things
//! (V005), and the edges of the pipeline (who writes and who reads each topic).

use crate::avro::Catalog;
use crate::diagnostic::suggest;
use crate::ksql;
use crate::ksql::infer::{Created, Effect};
use crate::ksql::project::{Parsed, analyse, edge_format, single};
use crate::model::*;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Who writes and who reads each topic, by topic name.
pub(crate) type Edges = BTreeMap<String, TopicEdges>;

/// Resolves names and computes the edges, given the transforms' statements as
/// [`parse_transforms`](crate::ksql::project::parse_transforms) parsed them and the project's
/// Avro schemas (the ksqlDB analysis reads the columns of `stream`/`table` nodes from them).
pub(crate) fn resolve(
    project: &Project,
    avro: &Catalog,
    foreign: ksql::foreign::Foreign,
    parsed: Parsed,
    diagnostics: &mut Vec<(Problem, Span)>,
    ksql: &mut Vec<(ksql::Problem, Span)>,
) -> (ksql::project::Analysis, Edges) {
    report_duplicates(project, diagnostics);
    // Each statement is parsed once; the analysis gives the edges what statements read and write.
    let analysis = analyse(project, avro, foreign, parsed, ksql);
    let edges = build_edges(project, &analysis.effects);
    report_unknown_references(project, &edges, diagnostics);
    report_overrides(project, diagnostics);
    (analysis, edges)
}

/// What name resolution finds wrong, as facts; `rules` words them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// V004: a name declared twice in one kind.
    DuplicateName { kind: &'static str, name: String, first: Span },
    /// V005: a reference to something never declared.
    UnknownReference { kind: &'static str, name: String, suggestion: Option<String> },
    /// V004: a target that changes the same declaration twice.
    OverriddenTwice { target: String, kind: &'static str, name: String, first: Span },
}

/// Every kind of declared thing, with its names. Sources and sinks share one namespace, as
/// connectors do on a Connect cluster; so do streams and tables in ksqlDB.
fn namespaces(project: &Project) -> Vec<(&'static str, Vec<&Spanned<String>>)> {
    vec![
        ("target", project.targets.iter().map(|t| &t.name).collect()),
        ("database", project.databases.iter().map(|d| &d.name).collect()),
        ("schema", project.schemas.iter().map(|s| &s.name).collect()),
        ("topic", project.topics.iter().map(|t| &t.name).collect()),
        ("producer", project.producers.iter().map(|p| &p.name).collect()),
        ("consumer", project.consumers.iter().map(|c| &c.name).collect()),
        ("connector", project.connectors.iter().map(|c| &c.name).collect()),
        ("ksqlDB stream or table", project.ksql_sources.iter().map(|s| &s.name).collect()),
        ("transform", project.transforms.iter().map(|t| &t.name).collect()),
    ]
}

fn report_duplicates(project: &Project, diagnostics: &mut Vec<(Problem, Span)>) {
    for (kind, names) in namespaces(project) {
        let mut first: BTreeMap<String, Span> = BTreeMap::new();
        for name in names {
            // ksqlDB names are case-insensitive when unquoted, so `orders` and `ORDERS` collide.
            let key = if kind.starts_with("ksqlDB") { name.value.to_uppercase() } else { name.value.clone() };
            match first.get(&key) {
                Some(&first) => {
                    diagnostics.push((Problem::DuplicateName { kind, name: name.value.clone(), first }, name.span))
                }
                None => {
                    first.insert(key, name.span);
                }
            }
        }
    }
}

fn build_edges(project: &Project, effects: &[Vec<Effect>]) -> Edges {
    let mut edges = Edges::new();
    for topic in &project.topics {
        edges.entry(topic.name.value.clone()).or_default().declared = true;
    }
    let mut add = |topic: &Spanned<String>, edge: Edge, writes: bool| {
        let entry = edges.entry(topic.value.clone()).or_default();
        if writes { entry.writers.push(edge) } else { entry.readers.push(edge) }
    };
    for p in &project.producers {
        add(
            &p.topic,
            Edge::new(Actor::Producer(p.name.value.clone()), p.key.clone(), p.value.clone(), p.topic.span),
            true,
        );
    }
    for c in &project.consumers {
        add(
            &c.topic,
            Edge::new(Actor::Consumer(c.name.value.clone()), c.key.clone(), c.value.clone(), c.topic.span),
            false,
        );
    }
    for c in &project.connectors {
        let (actor, writes) = match c.direction {
            Direction::Source => (Actor::Source(c.name.value.clone()), true),
            Direction::Sink => (Actor::Sink(c.name.value.clone()), false),
        };
        for topic in c.topics() {
            add(topic, Edge::new(actor.clone(), c.key.clone(), c.value.clone(), topic.span), writes);
        }
    }
    for s in &project.ksql_sources {
        let actor = Actor::Ksql { kind: s.kind, name: s.name.value.clone() };
        add(&s.topic, Edge::new(actor, None, None, s.topic.span), false);
    }
    for (transform, effects) in project.transforms.iter().zip(effects) {
        for effect in effects {
            match effect {
                Effect::Declared(created) => add(&created.topic, ksql_edge(transform, created, false), false),
                Effect::Created(created) => add(&created.topic, ksql_edge(transform, created, true), true),
                // `INSERT INTO s` writes the topic of stream `s`, wherever `s` was declared.
                Effect::Inserted {
                    target, topic, key_format, value_format, key_types, value_types, windowed, ..
                } => {
                    let actor = Actor::Transform(transform.name.value.clone());
                    let serde = |format: &str, types: &[crate::ksql::ast::SqlType]| {
                        let format = Spanned::new(format.to_string(), target.span);
                        edge_format(&format, single(types)).map(|format| Serde { format, schema: None, message: None })
                    };
                    let key = if key_types.is_empty() { None } else { serde(key_format, key_types) };
                    let edge = Edge {
                        actor,
                        key,
                        value: serde(value_format, value_types),
                        span: target.span,
                        windowed: *windowed,
                    };
                    add(&Spanned::new(topic.clone(), target.span), edge, true);
                }
            }
        }
    }
    edges
}

/// The edge of a CREATE statement: a query writes its topic, a plain CREATE reads it. The formats
/// are those the analysis derived (stated, inherited from the query's source, or the defaults);
/// `KAFKA` becomes `string`, `int`, ... by the single key (or value) column's type. A source
/// without key columns reads no key, and a query without one writes none: no key serde.
fn ksql_edge(transform: &Transform, created: &Created, writes: bool) -> Edge {
    let serde = |format: Option<Spanned<Format>>| format.map(|format| Serde { format, schema: None, message: None });
    let key = if created.key_types.is_empty() {
        if created.key_format_stated && !writes { serde(edge_format(&created.key_format, None)) } else { None }
    } else {
        serde(edge_format(&created.key_format, single(&created.key_types)))
    };
    let value_types: Vec<_> = created
        .columns
        .iter()
        .flatten()
        .filter(|c| c.role == crate::ksql::catalog::Role::Value)
        .map(|c| c.sql_type.clone())
        .collect();
    let value = if created.value_format_stated || writes {
        serde(edge_format(&created.value_format, single(&value_types)))
    } else {
        None
    };
    let actor = if writes {
        Actor::Transform(transform.name.value.clone())
    } else {
        Actor::Ksql { kind: created.kind, name: created.name.value.clone() }
    };
    Edge { actor, key, value, span: created.topic.span, windowed: created.windowed }
}

fn report_unknown_references(project: &Project, edges: &Edges, diagnostics: &mut Vec<(Problem, Span)>) {
    // Sets: each reference is one lookup, not a scan (projects have thousands of names).
    let declared_topics: BTreeSet<&str> = project.topics.iter().map(|t| t.name.value.as_str()).collect();
    // A topic that a ksqlDB statement writes need not be declared (docs/language.md, "What venice
    // works out for you"), so apps and connectors may name it.
    let known_topics: BTreeSet<&str> = edges
        .iter()
        .filter(|(_, e)| e.declared || e.writers.iter().any(|w| matches!(w.actor, Actor::Transform(_))))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut check = |kind: &'static str, name: &Spanned<String>, candidates: &BTreeSet<&str>| {
        if !candidates.contains(&name.value.as_str()) {
            let suggestion = suggest(&name.value, candidates.iter().copied());
            diagnostics.push((Problem::UnknownReference { kind, name: name.value.clone(), suggestion }, name.span));
        }
    };
    for p in &project.producers {
        check("topic", &p.topic, &known_topics);
    }
    for c in &project.consumers {
        check("topic", &c.topic, &known_topics);
    }
    for c in &project.connectors {
        for topic in c.topics() {
            check("topic", topic, &known_topics);
        }
    }
    for s in &project.ksql_sources {
        check("topic", &s.topic, &declared_topics);
    }
    let schemas: BTreeSet<&str> = project.schemas.iter().map(|s| s.name.value.as_str()).collect();
    for serde in all_serdes(project) {
        if let Some(schema) = &serde.schema {
            check("schema", schema, &schemas);
        }
    }
    for reference in project.schemas.iter().flat_map(|s| &s.references) {
        check("schema", &reference.schema, &schemas);
    }
    let databases: BTreeSet<&str> = project.databases.iter().map(|d| d.name.value.as_str()).collect();
    for c in &project.connectors {
        if let Some(database) = &c.database {
            check("database", database, &databases);
        }
    }
}

/// A target's values name declared things (V005) and change each once (V004). Sources and sinks
/// are checked apart: `sink x` in a target changes a sink, never a source of that name.
fn report_overrides(project: &Project, diagnostics: &mut Vec<(Problem, Span)>) {
    let names = |direction: Direction| -> BTreeSet<&str> {
        project.connectors.iter().filter(|c| c.direction == direction).map(|c| c.name.value.as_str()).collect()
    };
    let topics: BTreeSet<&str> = project.topics.iter().map(|t| t.name.value.as_str()).collect();
    let databases: BTreeSet<&str> = project.databases.iter().map(|d| d.name.value.as_str()).collect();
    let (sources, sinks) = (names(Direction::Source), names(Direction::Sink));
    let producers: BTreeSet<&str> = project.producers.iter().map(|p| p.name.value.as_str()).collect();
    let consumers: BTreeSet<&str> = project.consumers.iter().map(|c| c.name.value.as_str()).collect();
    for target in &project.targets {
        let o = &target.overrides;
        // A target's `source`/`sink` is one override whatever it changes; its principal is
        // checked with it.
        let apps = target.access.principals.iter().filter_map(|p| match p.kind {
            ActorKind::Producer => Some(("producer", &p.name, &producers)),
            ActorKind::Consumer => Some(("consumer", &p.name, &consumers)),
            ActorKind::Source | ActorKind::Sink => None,
        });
        let connector_kind = |direction| if direction == Direction::Sink { "sink" } else { "source" };
        let written = o.topics.iter().map(|t| ("topic", &t.name, &topics));
        let connectors = o.connectors.iter().map(|c| {
            let declared = if c.direction == Direction::Sink { &sinks } else { &sources };
            (connector_kind(c.direction), &c.name, declared)
        });
        let written = written.chain(connectors).chain(o.databases.iter().map(|d| ("database", &d.name, &databases)));
        let written = written.chain(apps);
        let mut first: BTreeMap<(&str, &str), Span> = BTreeMap::new();
        for (kind, name, declared) in written {
            if !declared.contains(name.value.as_str()) {
                let suggestion = suggest(&name.value, declared.iter().copied());
                diagnostics.push((Problem::UnknownReference { kind, name: name.value.clone(), suggestion }, name.span));
            }
            match first.get(&(kind, name.value.as_str())) {
                Some(&first) => diagnostics.push((
                    Problem::OverriddenTwice {
                        target: target.name.value.clone(),
                        kind,
                        name: name.value.clone(),
                        first,
                    },
                    name.span,
                )),
                None => {
                    first.insert((kind, &name.value), name.span);
                }
            }
        }
    }
}

fn all_serdes(project: &Project) -> impl Iterator<Item = &Serde> {
    let topics = project.topics.iter().flat_map(|t| [&t.key, &t.value]);
    let producers = project.producers.iter().flat_map(|p| [&p.key, &p.value]);
    let consumers = project.consumers.iter().flat_map(|c| [&c.key, &c.value]);
    let connectors = project.connectors.iter().flat_map(|c| [&c.key, &c.value]);
    topics.chain(producers).chain(consumers).chain(connectors).flatten()
}

#[cfg(test)]
mod tests {
    use crate::check::check_bytes;
    use crate::model::{Actor, KsqlSourceKind};
    use std::path::Path;

    /// The writers and readers of each topic, as `(topic, writers, readers)` of actor names.
    fn edges(source: &str) -> Vec<(String, Vec<String>, Vec<String>)> {
        let checked = check_bytes(Path::new("/nonexistent"), source.as_bytes());
        let describe = |edges: &[crate::model::Edge]| edges.iter().map(|e| e.actor.describe()).collect();
        checked.analysis.edges.iter().map(|(t, e)| (t.clone(), describe(&e.writers), describe(&e.readers))).collect()
    }

    #[test]
    fn every_reader_and_writer_of_a_topic_is_an_edge_with_its_serde() {
        let source = r#"
            topic orders { key string; value json; }
            producer web topic=orders { key string; value json; }
            consumer ship topic=orders { key bytes; }
            sink out connector=jdbc topic=orders
            source cdc connector=debezium-postgres { table "public.orders" topic=orders; }
            stream orders topic=orders
        "#;
        let checked = check_bytes(Path::new("/nonexistent"), source.as_bytes());
        let orders = &checked.analysis.edges["orders"];
        assert!(orders.declared);
        let writers: Vec<&Actor> = orders.writers.iter().map(|e| &e.actor).collect();
        assert_eq!(writers, [&Actor::Producer("web".into()), &Actor::Source("cdc".into())]);
        let readers: Vec<&Actor> = orders.readers.iter().map(|e| &e.actor).collect();
        let stream = Actor::Ksql { kind: KsqlSourceKind::Stream, name: "orders".into() };
        assert_eq!(readers, [&Actor::Consumer("ship".into()), &Actor::Sink("out".into()), &stream]);
        let consumer = &orders.readers[0];
        assert_eq!(consumer.key.as_ref().map(|k| k.format.value.as_str()), Some("bytes"));
        assert_eq!(consumer.value, None, "the consumer declares no value serde");
        assert_eq!(&source[consumer.span.start..consumer.span.end], "orders");
    }

    #[test]
    fn ksqldb_statements_write_their_topics_and_insert_into_writes_the_target_topic() {
        let source = r##"
            topic raw { key string; value json; }
            stream raw topic=raw
            transform t {
                sql #"""
                    CREATE STREAM clean WITH (KAFKA_TOPIC='clean-events') AS SELECT * FROM raw;
                    INSERT INTO clean SELECT * FROM raw;
                    CREATE TABLE counts AS SELECT id, COUNT(*) FROM raw GROUP BY id;
                    """#
            }
        "##;
        let edges = edges(source);
        assert_eq!(
            edges,
            [
                ("COUNTS".into(), vec!["transform `t`".into()], vec![]),
                ("clean-events".into(), vec!["transform `t`".into(), "transform `t`".into()], vec![]),
                ("raw".into(), vec![], vec!["stream `raw`".into()]),
            ]
        );
    }
}
