//! V206: a topic's declared `schema=` that cannot read what the writer the project does not
//! describe with a schema of its own writes: a ksqlDB query (CREATE ... AS SELECT), which
//! registers the schema ksqlDB derives from its columns, or a Debezium source, which registers the
//! schema it derives from the captured table's DDL. The declared schema is what the topic's
//! readers expect, so it is checked as the reader, the inferred one as the writer, with Avro's
//! resolution rules (as V203 does for writers that name their schema; a source whose own serde
//! names the derived schema is left to V203).

use super::compat_wording::{more_problems, plural};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::avro::compat::{SchemaRef, check_reader_writer};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::infer::Created;
use crate::ksql::to_avro;
use crate::model::{Format, Project, Side, Spanned};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V206",
    name: "declared schema disagrees with inferred schema",
    severity: Severity::Error,
    status: Status::Partial(
        "queries (CREATE ... AS SELECT) writing Avro and Debezium sources are compared; a query's VALUE_SCHEMA_FULL_NAME, KEY_SCHEMA_FULL_NAME and VALUE_SCHEMA_ID, and INSERT INTO writers, are not yet",
    ),
    doc: include_str!("v206_inferred_schema.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for topic in &project.topics {
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde.as_ref().filter(|s| s.format.value == Format::Avro) else { continue };
            let Some(declared) = &serde.schema else { continue };
            if crate::connect::is_derived(project, &declared.value) {
                continue;
            }
            let topic = topic.name.value.as_str();
            for created in analysis.ksql.created_on(topic) {
                if let Some(d) = check_query(analysis, topic, side, declared, created) {
                    diagnostics.push(d);
                }
            }
            if let Some(d) = check_connector(project, analysis, topic, side, declared) {
                diagnostics.push(d);
            }
        }
    }
}

/// A query that writes the topic in Avro, against the schema ksqlDB registers for it.
fn check_query(
    analysis: &Analysis,
    topic: &str,
    side: Side,
    declared: &Spanned<String>,
    created: &Created,
) -> Option<Diagnostic> {
    let inferred = to_avro::registered(created, side)?;
    let root = inferred.schema(to_avro::REGISTERED)?;
    let writer = format!("the {} `{}`", created.kind.as_str(), created.name.value);
    compare(analysis, topic, side, declared, SchemaRef::new(&inferred, root), (writer, created.span, true))
}

/// A Debezium source that writes the topic, against the schema it derives from the DDL (which
/// the connector module adds to the project as `<topic>-key` / `<topic>-value`).
fn check_connector(
    project: &Project,
    analysis: &Analysis,
    topic: &str,
    side: Side,
    declared: &Spanned<String>,
) -> Option<Diagnostic> {
    let subject = format!("{topic}-{}", side.as_str());
    if subject == declared.value || !crate::connect::is_derived(project, &subject) {
        return None;
    }
    let derived = project.schema(&subject)?;
    let root = analysis.avro.schema(&subject)?;
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
    compare(analysis, topic, side, declared, SchemaRef::new(&analysis.avro, root), (writer, derived.name.span, false))
}

/// Reads what the writer writes with the declared schema, as Avro's resolution rules do.
fn compare(
    analysis: &Analysis,
    topic: &str,
    side: Side,
    declared: &Spanned<String>,
    written: SchemaRef<'_>,
    (writer, writer_span, ksql): (String, Span, bool),
) -> Option<Diagnostic> {
    let reader = analysis.avro.schema(&declared.value)?;
    let found = check_reader_writer(SchemaRef::new(&analysis.avro, reader), written);
    let first = found.first()?;
    let facts = Inferred {
        topic: topic.to_string(),
        side,
        declared: declared.value.clone(),
        reason: first.reason.describe(&format!("`{}`", declared.value), &writer),
        writer,
        writer_span,
        ksql,
        path: first.path.clone(),
        more: found.len() - 1,
        fragment: first.reader_span,
    };
    Some(facts.diagnostic(declared.span))
}

/// The facts of a V206: a topic's declared schema that cannot read what the query or connector
/// writing the topic registers and writes. Points at the declared schema's part the reason is
/// about (what to edit, unless the query changes); the topic's `schema=` and the writer are labels.
struct Inferred {
    topic: String,
    side: Side,
    /// The schema the topic declares.
    declared: String,
    /// Who writes (`stream \`PLATINUM\` of transform \`platinum\``, `source \`orders-cdc\``).
    writer: String,
    /// Where the writer is: the CREATE statement, the captured table.
    writer_span: Span,
    /// The writer is a ksqlDB query (else a connector).
    ksql: bool,
    path: String,
    reason: String,
    more: usize,
    /// The place in the declared schema the reason is about.
    fragment: Span,
}

impl Inferred {
    /// The diagnostic at the declared schema's part, `span` being the topic's `schema=`.
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let message = format!(
            "the schema `{}` that topic `{}` declares cannot read the {} {} writes: {} (at `{}`)",
            self.declared,
            self.topic,
            plural(self.side),
            self.writer,
            self.reason,
            self.path
        );
        let help = if self.ksql {
            format!(
                "ksqlDB registers its own schema for what a query writes: columns upper-cased unless quoted, every field optional. Name the columns as the schema's fields (``AS `order_id` ``), make those fields optional with a default, or drop `schema=` so readers take what ksqlDB registers{}",
                more_problems(self.more)
            )
        } else {
            format!(
                "the connector registers the schema it derives from the table: change `schema=` to match it, or drop `schema=` and let the topic take the derived one{}",
                more_problems(self.more)
            )
        };
        RULE.diagnostic(self.fragment, message, format!("`{}` of `{}`", self.path, self.declared))
            .with_label(span, format!("declared schema `{}`", self.declared))
            .with_label(self.writer_span, format!("{} writes here", self.writer))
            .with_help(help)
    }
}
