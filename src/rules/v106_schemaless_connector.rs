//! V106: a connector that needs records with a schema reads a schemaless format. Of the
//! connector catalog, the JDBC sinks (Confluent's and Debezium's) build their statements and
//! tables from the record's schema, so their values need a schema format, and their keys too when
//! the primary key comes from them; the catalog's `needs_schema` says which entries do.

use super::topic_formats::written;
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Connector, Direction, Format, PkSource, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V106",
    name: "schemaless records for a connector that needs schemas",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v106_schemaless_connector.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| needs_schemas(c)) {
        let value = read_format(project, analysis, sink, Side::Value);
        if let Some((format, span)) = value.filter(|(f, _)| !f.has_schema()) {
            report(sink, Side::Value, format, span, diagnostics);
        }
        let key_is_pk = sink.pk.as_ref().is_some_and(|pk| pk.source.value == PkSource::RecordKey);
        let key = read_format(project, analysis, sink, Side::Key).filter(|_| key_is_pk);
        // A primitive key (string, int, ...) carries its own simple schema and fills one column.
        if let Some((format, span)) = key.filter(|(f, _)| matches!(f, Format::Json | Format::Delimited)) {
            report(sink, Side::Key, format, span, diagnostics);
        }
    }
}

/// Whether the catalog says the connector needs records with a schema: the JDBC sinks. The
/// others do not: Debezium's source and the FileStream connectors write through any converter,
/// and a `class=` connector is not known.
fn needs_schemas(connector: &Connector) -> bool {
    connector.direction == Direction::Sink && crate::connect::catalog::of(connector).is_some_and(|e| e.needs_schema)
}

/// The format the sink reads on a side: its own declaration, else what its topic carries.
fn read_format(project: &Project, analysis: &Analysis, sink: &Connector, side: Side) -> Option<(Format, Span)> {
    let own = match side {
        Side::Key => sink.key.as_ref(),
        Side::Value => sink.value.as_ref(),
    };
    if let Some(serde) = own {
        return Some((serde.format.value, serde.format.span));
    }
    let topic = sink.topic.as_ref()?;
    let edges = analysis.edges.get(&topic.value)?;
    written(project, &topic.value, edges, side).map(|w| (w.format, topic.span))
}

fn report(sink: &Connector, side: Side, format: Format, span: Span, diagnostics: &mut Vec<Diagnostic>) {
    let connector = format!("sink `{}`", sink.name.value);
    let message = format!("{connector} needs records with a schema, but reads its {} as `{format}`", side.as_str());
    diagnostics.push(
        RULE.diagnostic(span, message, format!("`{format}` has no schema"))
            .with_help("use a format with a schema: `avro`, `json-sr`, `protobuf` or `connect-json`"),
    );
}
