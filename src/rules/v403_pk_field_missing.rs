//! V403: a `pk` field that the record it is taken from does not have: a field of the key's
//! record (`record-key`) or of the value's (`record-value`), as its Avro schema or the Debezium
//! source's DDL says. Records whose schema venice does not know (a ksqlDB query's output) are
//! not checked.

use crate::analysis::Analysis;
use crate::analysis::sink_table::{is_jdbc_sink, record, stored_value};
use crate::connect::Problem;
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, DiagnosticKind, suggest};
use crate::model::{PkSource, Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
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
            let problem = Problem::PkFieldMissing {
                sink: sink.name.value.clone(),
                field: field.value.clone(),
                side,
                origin: record.origin.describe(),
                origin_span: record.span,
                suggestion: suggest(&field.value, names.iter().copied()),
            };
            diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), field.span));
        }
    }
}
