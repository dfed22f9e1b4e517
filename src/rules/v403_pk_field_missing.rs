//! V403: a `pk` field that the record it is taken from does not have: a field of the key's
//! record (`record-key`) or of the value's (`record-value`), as its Avro schema, its Protobuf message (`protobuf::connect`), its JSON Schema
//! (`json_schema::connect`) or the Debezium
//! source's DDL says. Records whose schema venice does not know (a ksqlDB query's output) are
//! not checked.

use super::{KNOWN_RECORDS, Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::{is_jdbc_sink, record, stored_value};
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity, suggest};
use crate::model::{PkSource, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V403",
    name: "primary-key field not in the schema",
    severity: Severity::Error,
    status: Status::Partial(KNOWN_RECORDS),
    doc: include_str!("v403_pk_field_missing.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let (Some(pk), Some(topic)) = (&sink.pk, &sink.topic) else { continue };
        let side = match pk.source.value {
            PkSource::RecordKey => Side::Key,
            PkSource::RecordValue => Side::Value,
            PkSource::None | PkSource::Kafka => continue,
        };
        let Some(record) = record(project, analysis, sink, &topic.value, side) else { continue };
        let debezium = catalog::of(sink).is_some_and(|e| e.kind == Kind::DebeziumJdbc);
        // A primitive key fills one column that `fields=` names: any name will do.
        let Some(fields) = stored_value(&record, debezium) else { continue };
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        for field in pk.fields.iter().filter(|f| !names.contains(&f.value.as_str())) {
            let problem = PkFieldMissing {
                sink: sink.name.value.clone(),
                field: field.value.clone(),
                side,
                origin: record.origin.describe(),
                origin_span: record.span,
                suggestion: suggest(&field.value, names.iter().copied()),
            };
            diagnostics.push(problem.diagnostic(field.span));
        }
    }
}

/// The facts of a V403: a `pk` field that the key or value record does not have.
struct PkFieldMissing {
    sink: String,
    field: String,
    side: Side,
    origin: String,
    origin_span: Span,
    suggestion: Option<String>,
}

impl PkFieldMissing {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let PkFieldMissing { sink, field, side, origin, origin_span, suggestion } = self;
        let message = format!(
            "the primary-key field `{field}` of sink `{sink}` is not in the record {} ({origin})",
            side.as_str()
        );
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "name fields of the record {} (names are case-sensitive), or take the key from the other side",
                side.as_str()
            ),
        };
        RULE.diagnostic(span, message, "no such field")
            .with_label(*origin_span, format!("{origin} is declared here"))
            .with_help(help)
    }
}
