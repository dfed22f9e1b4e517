//! V203: a reader schema that cannot read what a writer schema writes. Each reader of a topic
//! that names an Avro `schema=` (a consumer, a sink), and the topic's own declared schema when
//! writers name schemas of their own, is checked against each schema written to the topic (a
//! producer's or source's `schema=`, else the topic's declared one) with Avro's resolution rules,
//! as Java's `SchemaCompatibility` applies them.

use super::topic_schemas::{avro_schema, declared, written};
use crate::analysis::Analysis;
use crate::avro::compat::{SchemaRef, check_reader_writer};
use crate::avro::{Problem, ReaderWriter};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Project, Side, Spanned};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for (topic, edges) in &analysis.edges {
        for side in [Side::Key, Side::Value] {
            let writers = written(project, topic, edges, side);
            if writers.is_empty() {
                continue;
            }
            let mut readers: Vec<(String, &Spanned<String>)> = edges
                .readers
                .iter()
                .filter_map(|reader| avro_schema(reader.serde(side)).map(|schema| (reader.actor.describe(), schema)))
                .collect();
            // The topic's declaration reads what writers with schemas of their own write.
            if let Some(schema) = declared(project, topic, side)
                && writers.iter().any(|w| w.schema.span != schema.span)
            {
                readers.push((format!("the schema topic `{topic}` declares"), schema));
            }
            for (reader, reader_schema) in &readers {
                for writer in &writers {
                    if writer.schema.value == reader_schema.value {
                        continue;
                    }
                    if let Some(diagnostic) = compare(analysis, topic, side, reader, reader_schema, writer) {
                        diagnostics.push(diagnostic);
                    }
                }
            }
        }
    }
}

fn compare(
    analysis: &Analysis,
    topic: &str,
    side: Side,
    reader: &str,
    reader_schema: &Spanned<String>,
    writer: &super::topic_schemas::Written,
) -> Option<Diagnostic> {
    let catalog = &analysis.avro;
    let r = catalog.schema(&reader_schema.value)?;
    let w = catalog.schema(&writer.schema.value)?;
    let found = check_reader_writer(SchemaRef::new(catalog, r), SchemaRef::new(catalog, w));
    let first = found.first()?;
    let (reader_name, writer_name) = (&reader_schema.value, &writer.schema.value);
    let facts = ReaderWriter {
        topic: topic.to_string(),
        side,
        reader: reader.to_string(),
        reader_schema: reader_name.clone(),
        writer: writer.who.clone(),
        writer_schema: writer_name.clone(),
        writer_span: writer.schema.span,
        kind: first.kind(),
        path: first.path.clone(),
        reason: first.reason.describe(&format!("`{reader_name}`"), &format!("`{writer_name}`")),
        more: found.len() - 1,
        fragment: first.reader_span,
    };
    Some(Diagnostic::new(DiagnosticKind::Avro(Problem::ReaderCannotRead(Box::new(facts))), reader_schema.span))
}
