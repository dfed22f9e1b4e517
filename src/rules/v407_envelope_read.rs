//! V407: a reader that expects table rows from a topic a Debezium source writes change envelopes
//! to (`before`, `after`, `source`, `op`, ...), because the source has no `unwrap #true`:
//!
//! - Confluent's JDBC sink, which maps fields to columns and cannot store `before` and `after`
//!   (Debezium's own JDBC sink reads envelopes: it takes `after`, so it is not reported);
//! - a consumer whose Avro reader schema is the row: its fields are the table's columns, none of
//!   the envelope's;
//! - a ksqlDB query over a stream or table of the topic that uses the table's columns, which the
//!   envelope has only inside `AFTER`. The analysis has already reported each such column as
//!   unknown (V303); this names the cause once per query.
//!
//! Rows are known from the source's `ddl=`; without it only the JDBC sink is checked.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::{debezium_writer, derived};
use crate::connect::derive::Derived;
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::Effect;
use crate::model::{CapturedTable, Connector, Direction, Format, Project};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V407",
    name: "Debezium envelope where rows are expected",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v407_envelope_read.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let mut found = Vec::new();
    jdbc_sinks(project, &mut found);
    consumers(project, analysis, &mut found);
    queries(project, analysis, &mut found);
    diagnostics.extend(found);
}

/// The Debezium source that writes envelopes to `topic` (no `unwrap #true`), with its table.
fn envelope_writer<'p>(project: &'p Project, topic: &str) -> Option<(&'p Connector, &'p CapturedTable)> {
    debezium_writer(project, topic).filter(|(source, _)| !source.unwrap.as_ref().is_some_and(|u| u.value))
}

fn problem(reader: EnvelopeReader, topic: &str, source: &Connector, table: &CapturedTable, at: Span) -> Diagnostic {
    let problem = EnvelopeRead {
        reader,
        topic: topic.to_string(),
        source: source.name.value.clone(),
        source_span: table.topic.span,
    };
    problem.diagnostic(at)
}

/// The columns of the captured row, as Debezium names them (the DDL's column names).
fn row_columns(derived: &Derived) -> Vec<&str> {
    match &derived.row.kind {
        crate::avro::mapping::ConnectKind::Struct(fields) => fields.iter().map(|(name, _)| name.as_str()).collect(),
        _ => Vec::new(),
    }
}

fn jdbc_sinks(project: &Project, found: &mut Vec<Diagnostic>) {
    let expects_rows =
        |c: &&Connector| c.direction == Direction::Sink && catalog::of(c).is_some_and(|e| e.kind == Kind::Jdbc);
    for sink in project.connectors.iter().filter(expects_rows) {
        let Some(topic) = &sink.topic else { continue };
        let Some((source, table)) = envelope_writer(project, &topic.value) else { continue };
        let reader = EnvelopeReader::Sink(sink.name.value.clone());
        found.push(problem(reader, &topic.value, source, table, topic.span));
    }
}

/// A consumer's Avro reader schema that is a record of the row's columns and none of the
/// envelope's fields.
fn consumers(project: &Project, analysis: &Analysis, found: &mut Vec<Diagnostic>) {
    for consumer in &project.consumers {
        let Some(value) = &consumer.value else { continue };
        let Some(schema) = value.schema.as_ref().filter(|_| value.format.value == Format::Avro) else { continue };
        let Some((source, table)) = envelope_writer(project, &consumer.topic.value) else { continue };
        let Some(derived) = derived(analysis, table) else { continue };
        let Some(record) = analysis.avro.schema(&schema.value).and_then(|t| t.named()) else { continue };
        let fields: Vec<&str> = analysis.avro.named(record).fields().iter().map(|f| f.name.as_str()).collect();
        let columns = row_columns(derived);
        let reads_rows = !fields.is_empty()
            && !fields.iter().any(|f| matches!(*f, "before" | "after" | "op"))
            && fields.iter().all(|f| columns.contains(f));
        if reads_rows {
            let reader = EnvelopeReader::Consumer(consumer.name.value.clone());
            found.push(problem(reader, &consumer.topic.value, source, table, schema.span));
        }
    }
}

/// Queries that read a stream or table over an envelope topic and name row columns that the
/// analysis found unknown (V303, kept in `Analysis::unknown_columns`).
fn queries(project: &Project, analysis: &Analysis, found: &mut Vec<Diagnostic>) {
    // Each ksqlDB source over an envelope topic: its name as ksqlDB spells it, and the topic.
    let mut over_envelopes: Vec<(String, &str)> =
        project.ksql_sources.iter().map(|s| (s.name.value.to_uppercase(), s.topic.value.as_str())).collect();
    for effect in analysis.ksql.effects.iter().flatten() {
        if let Effect::Declared(declared) = effect {
            over_envelopes.push((declared.name.value.to_uppercase(), declared.topic.value.as_str()));
        }
    }
    over_envelopes.retain(|(_, topic)| envelope_writer(project, topic).is_some());
    if over_envelopes.is_empty() {
        return;
    }
    let unknown_columns: Vec<(&str, Span)> = analysis
        .ksql
        .unknown_columns
        .iter()
        .map(|(name, at)| (name.rsplit('.').next().unwrap_or(name), *at))
        .filter(|(name, _)| !name.starts_with("->"))
        .collect();
    for effect in analysis.ksql.effects.iter().flatten() {
        let Effect::Created(query) = effect else { continue };
        let read = over_envelopes.iter().find(|(name, _)| query.from.iter().any(|f| f.eq_ignore_ascii_case(name)));
        let Some((_, topic)) = read else { continue };
        let Some((source, table)) = envelope_writer(project, topic) else { continue };
        let Some(derived) = derived(analysis, table) else { continue };
        let row = row_columns(derived);
        let inside = |at: &Span| at.file == query.span.file && query.span.start <= at.start && at.end <= query.span.end;
        let mut in_row: Vec<&(&str, Span)> = unknown_columns
            .iter()
            .filter(|(name, at)| inside(at) && row.iter().any(|c| c.eq_ignore_ascii_case(name)))
            .collect();
        in_row.sort_by_key(|(_, at)| at.start);
        let Some((_, first)) = in_row.first() else { continue };
        let mut columns: Vec<String> = Vec::new();
        for (name, _) in in_row {
            let name = name.to_uppercase();
            if !columns.contains(&name) {
                columns.push(name);
            }
        }
        let reader = EnvelopeReader::Query { name: query.name.value.to_uppercase(), columns };
        found.push(problem(reader, topic, source, table, *first));
    }
}

/// The facts of a V407: a Debezium change envelope read where rows are expected.
struct EnvelopeRead {
    reader: EnvelopeReader,
    topic: String,
    source: String,
    source_span: Span,
}

/// Who reads a Debezium envelope as if it were the row.
enum EnvelopeReader {
    /// A sink that maps fields to columns (Confluent's JDBC sink).
    Sink(String),
    /// A consumer whose reader schema is the row.
    Consumer(String),
    /// A ksqlDB query that uses the row's columns, which the envelope has only inside `AFTER`.
    Query { name: String, columns: Vec<String> },
}

impl EnvelopeRead {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let EnvelopeRead { reader, topic, source, source_span } = self;
        let (message, label, help) = match reader {
            EnvelopeReader::Sink(sink) => (
                format!(
                    "sink `{sink}` reads Debezium change envelopes from topic `{topic}`, where rows are expected (source `{source}` has no `unwrap #true`)"
                ),
                "expects rows",
                "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or use `connector=debezium-jdbc`, which reads envelopes itself".to_string(),
            ),
            EnvelopeReader::Consumer(consumer) => (
                format!(
                    "consumer `{consumer}` reads Debezium change envelopes from topic `{topic}` with a row schema (source `{source}` has no `unwrap #true`)"
                ),
                "expects rows",
                "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or give the consumer the envelope's schema and read its `after` field".to_string(),
            ),
            EnvelopeReader::Query { name, columns } => (
                format!(
                    "ksqlDB query `{name}` reads Debezium change envelopes from topic `{topic}` as rows: {} {} inside each envelope's `AFTER` (source `{source}` has no `unwrap #true`)",
                    columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                    if columns.len() == 1 { "is" } else { "are" }
                ),
                "a field of the row, inside `AFTER`",
                format!(
                    "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or read the row inside the envelope: `AFTER->{}`",
                    columns.first().map_or("ID", String::as_str)
                ),
            ),
        };
        RULE.diagnostic(span, message, label)
            .with_label(*source_span, "writes change envelopes (before, after, op, ...)")
            .with_help(help)
    }
}
