//! Name resolution over the model: duplicate names (V004), references to undeclared things
//! (V005), and the edges of the pipeline (who writes and who reads each topic).

use crate::diagnostic::{Diagnostic, DiagnosticKind, suggest};
use crate::ksql::outline::{Outline, outline};
use crate::model::*;
use crate::source::Span;
use std::collections::BTreeMap;

/// Resolves names and fills `project.edges`.
pub fn resolve(project: &mut Project, diagnostics: &mut Vec<Diagnostic>) {
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

/// The outline of each transform's SQL (empty when it has none or it cannot be tokenized).
fn outline_transforms(project: &Project, diagnostics: &mut Vec<Diagnostic>) -> Vec<Outline> {
    project
        .transforms
        .iter()
        .map(|t| match t.sql.as_ref().map(outline) {
            Some(Ok(outline)) => outline,
            Some(Err(error)) => {
                let sql = t.sql.as_ref().expect("outlined above");
                diagnostics.push(Diagnostic::new(
                    DiagnosticKind::KsqlSyntax { message: error.message },
                    sql.span(error.offset, error.offset),
                ));
                Outline::default()
            }
            None => Outline::default(),
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
            Edge {
                actor: Actor::Producer(p.name.value.clone()),
                key: p.key.clone(),
                value: p.value.clone(),
                span: p.topic.span,
            },
            true,
        );
    }
    for c in &project.consumers {
        add(
            &c.topic,
            Edge {
                actor: Actor::Consumer(c.name.value.clone()),
                key: c.key.clone(),
                value: c.value.clone(),
                span: c.topic.span,
            },
            false,
        );
    }
    for c in &project.connectors {
        let (actor, writes) = match c.direction {
            Direction::Source => (Actor::Source(c.name.value.clone()), true),
            Direction::Sink => (Actor::Sink(c.name.value.clone()), false),
        };
        for topic in c.topics() {
            add(
                topic,
                Edge { actor: actor.clone(), key: c.key.clone(), value: c.value.clone(), span: topic.span },
                writes,
            );
        }
    }
    for s in &project.ksql_sources {
        let actor = Actor::Ksql { kind: s.kind, name: s.name.value.clone() };
        add(&s.topic, Edge { actor, key: None, value: None, span: s.topic.span }, false);
    }
    for (transform, outline) in project.transforms.iter().zip(outlines) {
        for created in &outline.created {
            let actor = if created.writes {
                Actor::Transform(transform.name.value.clone())
            } else {
                Actor::Ksql { kind: created.kind, name: created.name.value.clone() }
            };
            add(&created.topic, Edge { actor, key: None, value: None, span: created.topic.span }, created.writes);
        }
    }
    edges
}

fn report_unknown_references(
    project: &Project,
    edges: &BTreeMap<String, TopicEdges>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let declared_topics: Vec<&str> = project.topics.iter().map(|t| t.name.value.as_str()).collect();
    // A topic that a ksqlDB statement writes need not be declared (LANGUAGE.md, "Names the
    // compiler derives"), so apps and connectors may name it.
    let known_topics: Vec<&str> = edges
        .iter()
        .filter(|(_, e)| e.declared || e.writers.iter().any(|w| matches!(w.actor, Actor::Transform(_))))
        .map(|(name, _)| name.as_str())
        .collect();
    let mut check = |kind: &'static str, name: &Spanned<String>, candidates: &[&str]| {
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
    let schemas: Vec<&str> = project.schemas.iter().map(|s| s.name.value.as_str()).collect();
    for serde in all_serdes(project) {
        if let Some(schema) = &serde.schema {
            check("schema", schema, &schemas);
        }
    }
    let databases: Vec<&str> = project.databases.iter().map(|d| d.name.value.as_str()).collect();
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
