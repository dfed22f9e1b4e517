//! V406: a field of the record a JDBC sink reads that no table column can hold: a nested
//! record, a map, a general union (which Connect makes a struct), or Debezium's
//! variable-scale `numeric` in Confluent's sink. The sink fails its task on the first record.
//! Protobuf messages are read as `ProtobufConverter` gives them to Connect (`protobuf::connect`),
//! JSON Schemas as `JsonSchemaConverter` does (`json_schema::connect`). Records whose schema venice does not know (a ksqlDB query's output) are not checked.

use super::{KNOWN_RECORDS, Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::{Origin, column_type, is_jdbc_sink, record, stored_value};
use crate::connect::{Kind, catalog};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{PkSource, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V406",
    name: "field type the sink cannot store",
    severity: Severity::Error,
    status: Status::Partial(KNOWN_RECORDS),
    doc: include_str!("v406_unstorable_field.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let Some(topic) = &sink.topic else { continue };
        let debezium = catalog::of(sink).is_some_and(|e| e.kind == Kind::DebeziumJdbc);
        let mut sides = vec![Side::Value];
        if sink.pk.as_ref().is_some_and(|pk| pk.source.value == PkSource::RecordKey) {
            sides.push(Side::Key);
        }
        for side in sides {
            let Some(record) = record(project, analysis, sink, &topic.value, side) else { continue };
            // An envelope read by Confluent's sink is V407's, a clearer diagnosis.
            if !debezium && matches!(record.origin, Origin::Debezium { envelope: true, .. }) {
                continue;
            }
            let Some(fields) = stored_value(&record, debezium) else { continue };
            let named: Vec<&str> = sink.pk.iter().flat_map(|pk| pk.fields.iter().map(|f| f.value.as_str())).collect();
            for (name, schema) in &fields {
                if side == Side::Key && !named.is_empty() && !named.contains(&name.as_str()) {
                    continue;
                }
                let Err(why) = column_type(schema, debezium) else { continue };
                let span = match side {
                    Side::Key => sink.key.as_ref().map_or(topic.span, |s| s.format.span),
                    Side::Value => sink.value.as_ref().map_or(topic.span, |s| s.format.span),
                };
                let what = match schema.name.as_deref() {
                    Some(name) if !name.is_empty() => format!("{why} (`{name}`)"),
                    _ => why.to_string(),
                };
                let problem = Unstorable { sink: sink.name.value.clone(), field: name.clone(), what, sink_span: span };
                diagnostics.push(problem.diagnostic(record.field_span(name)));
            }
        }
    }
}

/// The facts of a V406: a field the sink has no column type for. Points at the field in its
/// schema (or DDL), with a label on the sink.
struct Unstorable {
    sink: String,
    field: String,
    what: String,
    sink_span: Span,
}

impl Unstorable {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let Unstorable { sink, field, what, sink_span } = self;
        let message = format!("sink `{sink}` cannot store the field `{field}`: it has no column type for {what}");
        RULE.diagnostic(span, message, format!("{what}: no column type"))
            .with_label(*sink_span, format!("sink `{sink}` writes it to a table"))
            .with_help("flatten the record before the sink (a ksqlDB query, or the `Flatten` transform through `config`), or store that field as text")
    }
}
