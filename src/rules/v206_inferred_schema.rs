//! V206: a topic's declared `schema=` that cannot read what the writer the project does not
//! describe with a schema of its own writes: a ksqlDB query (CREATE ... AS SELECT), which
//! registers the schema ksqlDB derives from its columns, or a Debezium source, which registers the
//! schema it derives from the captured table's DDL. The declared schema is what the topic's
//! readers expect, so it is checked as the reader, the inferred one as the writer, with Avro's
//! resolution rules (as V203 does for writers that name their schema; a source whose own serde
//! names the derived schema is left to V203).

use crate::avro::compat::{SchemaRef, check_reader_writer};
use crate::avro::{Inferred, Problem};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::ksql::infer::Created;
use crate::ksql::to_avro;
use crate::model::{Format, Project, Side, Spanned};
use crate::source::Span;

pub fn check(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    for topic in &project.topics {
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde.as_ref().filter(|s| s.format.value == Format::Avro) else { continue };
            let Some(declared) = &serde.schema else { continue };
            if crate::connect::is_derived(project, &declared.value) {
                continue;
            }
            let topic = topic.name.value.as_str();
            for created in project.ksql.created_on(topic) {
                if let Some(d) = check_query(project, topic, side, declared, created) {
                    diagnostics.push(d);
                }
            }
            if let Some(d) = check_connector(project, topic, side, declared) {
                diagnostics.push(d);
            }
        }
    }
}

/// A query that writes the topic in Avro, against the schema ksqlDB registers for it.
fn check_query(
    project: &Project,
    topic: &str,
    side: Side,
    declared: &Spanned<String>,
    created: &Created,
) -> Option<Diagnostic> {
    let inferred = to_avro::registered(created, side)?;
    let root = inferred.schema(to_avro::REGISTERED)?;
    let writer = format!("the {} `{}`", created.kind.as_str(), created.name.value);
    compare(project, topic, side, declared, SchemaRef::new(&inferred, root), (writer, created.span, true))
}

/// A Debezium source that writes the topic, against the schema it derives from the DDL (which
/// the connector module adds to the project as `<topic>-key` / `<topic>-value`).
fn check_connector(project: &Project, topic: &str, side: Side, declared: &Spanned<String>) -> Option<Diagnostic> {
    let subject = format!("{topic}-{}", side.as_str());
    if subject == declared.value || !crate::connect::is_derived(project, &subject) {
        return None;
    }
    let derived = project.schema(&subject)?;
    let root = project.avro.schema(&subject)?;
    let (source, _) = project.captured(topic).into_iter().next()?;
    // A source whose own serde names the derived schema is a writer with a schema: V203's case.
    let own = match side {
        Side::Key => source.key.as_ref(),
        Side::Value => source.value.as_ref(),
    };
    if own.and_then(|s| s.schema.as_ref()).is_some_and(|s| s.value == subject) {
        return None;
    }
    let writer = format!("source `{}`", source.name.value);
    compare(project, topic, side, declared, SchemaRef::new(&project.avro, root), (writer, derived.name.span, false))
}

/// Reads what the writer writes with the declared schema, as Avro's resolution rules do.
fn compare(
    project: &Project,
    topic: &str,
    side: Side,
    declared: &Spanned<String>,
    written: SchemaRef<'_>,
    (writer, writer_span, ksql): (String, Span, bool),
) -> Option<Diagnostic> {
    let reader = project.avro.schema(&declared.value)?;
    let found = check_reader_writer(SchemaRef::new(&project.avro, reader), written);
    let first = found.first()?;
    let facts = Inferred {
        topic: topic.to_string(),
        side,
        declared: declared.value.clone(),
        reason: first.reason.describe(&format!("`{}`", declared.value), &writer),
        writer,
        writer_span,
        ksql,
        kind: first.kind(),
        path: first.path.clone(),
        more: found.len() - 1,
        fragment: first.reader_span,
    };
    Some(Diagnostic::new(DiagnosticKind::Avro(Problem::InferredDisagrees(Box::new(facts))), declared.span))
}
