//! Name resolution over the model: duplicate names (V004), references to undeclared things
//! (V005), and the edges of the pipeline (who writes and who reads each topic).

use crate::diagnostic::{Diagnostic, DiagnosticKind, suggest};
use crate::ksql::outline::{CreatedSource, Outline, outline};
use crate::model::*;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Resolves names and fills `project.edges`.
pub fn resolve(project: &mut Project, diagnostics: &mut Vec<Diagnostic>) {
    project.index_topics();
    report_duplicates(project, diagnostics);
    let outlines = outline_transforms(project, diagnostics);
    let edges = build_edges(project, &outlines);
    report_unknown_references(project, &edges, diagnostics);
    project.edges = edges;
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

fn report_duplicates(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    for (kind, names) in namespaces(project) {
        let mut first: BTreeMap<String, Span> = BTreeMap::new();
        for name in names {
            // ksqlDB names are case-insensitive when unquoted, so `orders` and `ORDERS` collide.
            let key = if kind.starts_with("ksqlDB") { name.value.to_uppercase() } else { name.value.clone() };
            match first.get(&key) {
                Some(&first) => diagnostics.push(Diagnostic::new(
                    DiagnosticKind::DuplicateName { kind, name: name.value.clone(), first },
                    name.span,
                )),
                None => {
                    first.insert(key, name.span);
                }
            }
        }
    }
}

/// The outline of each transform's SQL (empty when it has none or it cannot be tokenized), and
/// the syntax errors the parser finds in it (the tokenizer's included, reported once).
fn outline_transforms(project: &Project, diagnostics: &mut Vec<Diagnostic>) -> Vec<Outline> {
    project
        .transforms
        .iter()
        .map(|t| {
            let Some(sql) = t.sql.as_ref() else { return Outline::default() };
            let (_, errors) = crate::ksql::parser::parse(sql);
            let reported = !errors.is_empty();
            for error in errors {
                diagnostics.push(Diagnostic::new(DiagnosticKind::KsqlSyntax { message: error.message }, error.span));
            }
            outline(sql).unwrap_or_else(|error| {
                if !reported {
                    diagnostics.push(Diagnostic::new(
                        DiagnosticKind::KsqlSyntax { message: error.message },
                        sql.span(error.offset, error.offset),
                    ));
                }
                Outline::default()
            })
        })
        .collect()
}

fn build_edges(project: &Project, outlines: &[Outline]) -> BTreeMap<String, TopicEdges> {
    let mut edges: BTreeMap<String, TopicEdges> = BTreeMap::new();
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
    for (transform, outline) in project.transforms.iter().zip(outlines) {
        for created in &outline.created {
            add(&created.topic, ksql_edge(transform, created), created.writes);
        }
    }
    // `INSERT INTO s` writes the topic of stream `s`, wherever `s` was declared.
    let topic_of = ksql_topics(project, outlines);
    for (transform, outline) in project.transforms.iter().zip(outlines) {
        for insert in &outline.inserts {
            if let Some(topic) = topic_of.get(&insert.target.value) {
                let actor = Actor::Transform(transform.name.value.clone());
                let topic = Spanned::new(topic.clone(), insert.target.span);
                add(&topic, Edge::new(actor, None, None, insert.target.span), true);
            }
        }
    }
    edges
}

/// The edge of a CREATE statement: a query writes its topic, a plain CREATE reads it. Formats are
/// those the statement states; `KAFKA`, the default key format, is known only from a declared
/// key column's type (a query's key type needs the full ksqlDB front end).
fn ksql_edge(transform: &Transform, created: &CreatedSource) -> Edge {
    let ksql_serde = |format: &Spanned<String>, kafka_type: Option<&str>| {
        Format::from_ksql(&format.value, kafka_type)
            .map(|f| Serde { format: Spanned::new(f, format.span), schema: None })
    };
    let single_key_type = match created.key_columns.as_slice() {
        [only] => Some(only.sql_type.as_str()),
        _ => None,
    };
    let key = match (created.key_format(), created.key_columns.first()) {
        (Some(format), _) => ksql_serde(format, single_key_type),
        // A plain CREATE with key columns and no KEY_FORMAT reads the key as KAFKA.
        (None, Some(column)) if !created.writes => {
            ksql_serde(&Spanned::new("KAFKA".into(), column.name.span), single_key_type)
        }
        (None, _) => None,
    };
    let value = created.value_format().and_then(|f| ksql_serde(f, None));
    let (actor, windowed) = if created.writes {
        (Actor::Transform(transform.name.value.clone()), created.windowed)
    } else {
        (
            Actor::Ksql { kind: created.kind, name: created.name.value.clone() },
            created.property("WINDOW_TYPE").is_some(),
        )
    };
    Edge { actor, key, value, span: created.topic.span, windowed }
}

/// The topic of every ksqlDB stream and table, by its ksqlDB name (unquoted names upper-cased).
fn ksql_topics(project: &Project, outlines: &[Outline]) -> BTreeMap<String, String> {
    let declared = project.ksql_sources.iter().map(|s| (s.name.value.to_uppercase(), s.topic.value.clone()));
    let created = outlines.iter().flat_map(|o| &o.created).map(|c| (c.name.value.clone(), c.topic.value.clone()));
    declared.chain(created).collect()
}

fn report_unknown_references(
    project: &Project,
    edges: &BTreeMap<String, TopicEdges>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    // Sets: each reference is one lookup, not a scan (projects have thousands of names).
    let declared_topics: BTreeSet<&str> = project.topics.iter().map(|t| t.name.value.as_str()).collect();
    // A topic that a ksqlDB statement writes need not be declared (LANGUAGE.md, "Names the
    // compiler derives"), so apps and connectors may name it.
    let known_topics: BTreeSet<&str> = edges
        .iter()
        .filter(|(_, e)| e.declared || e.writers.iter().any(|w| matches!(w.actor, Actor::Transform(_))))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut check = |kind: &'static str, name: &Spanned<String>, candidates: &BTreeSet<&str>| {
        if !candidates.contains(&name.value.as_str()) {
            let suggestion = suggest(&name.value, candidates.iter().copied());
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::UnknownReference { kind, name: name.value.clone(), suggestion },
                name.span,
            ));
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
    let databases: BTreeSet<&str> = project.databases.iter().map(|d| d.name.value.as_str()).collect();
    for c in &project.connectors {
        if let Some(database) = &c.database {
            check("database", database, &databases);
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
        checked.project.edges.iter().map(|(t, e)| (t.clone(), describe(&e.writers), describe(&e.readers))).collect()
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
        let orders = &checked.project.edges["orders"];
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
