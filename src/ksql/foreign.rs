//! The project's Protobuf and JSON Schema schemas as ksqlDB reads them from the registry
//! ([`super::from_protobuf`], [`super::from_json_schema`]): the columns a `stream`/`table` node or
//! a CREATE left to inference gets from a `protobuf`/`json-schema` serde, and, for V205, what
//! ksqlDB cannot represent, each at its place in the schema file.
//!
//! A Protobuf schema's imports resolve to the other `.proto` schemas of the project (by file
//! name), then to the files the registry supplies itself (well-known and Confluent types); its
//! message is the file's first, as `ProtobufSchema.toDescriptor()` takes it.

use std::collections::HashMap;

use crate::json_schema::JsonSchema;
use crate::ksql::ast::SqlType;
use crate::ksql::from_avro::FieldNames;
use crate::ksql::from_protobuf::{Place, message_type, subject_message};
use crate::model::{Project, SchemaKind, SchemaSource};
use crate::source::{FileId, SourceMap, Span};

/// Each Protobuf or JSON Schema schema of the project, by schema name, as ksqlDB reads it.
#[derive(Debug, Default)]
pub(crate) struct Foreign {
    by_name: HashMap<String, View>,
}

/// One schema as ksqlDB sees it.
#[derive(Debug, Clone)]
pub(crate) struct View {
    /// The SQL type (fields upper-cased as ksqlDB names columns), or why ksqlDB cannot read the
    /// schema and where; `None` when the registry would refuse the schema itself (V201's kin,
    /// reported by the schema rules, not here).
    pub(crate) sql: Option<Result<SqlType, (String, Span)>>,
    /// Fields ksqlDB leaves out: path, why, where.
    pub(crate) dropped: Vec<(String, String, Span)>,
    /// Unions (`oneof`, `oneOf`/`anyOf` of several types) read as a STRUCT of branches: path,
    /// what, where.
    pub(crate) unions: Vec<(String, String, Span)>,
}

impl Foreign {
    /// Reads every `.proto` and `.json` schema of the project.
    pub(crate) fn build(project: &Project, sources: &SourceMap) -> Foreign {
        let files: Vec<(&str, FileId, SchemaKind)> = (project.schemas.iter())
            .filter_map(|s| match (&s.source, s.kind) {
                (_, SchemaKind::Avro) => None,
                (SchemaSource::File { file: Some(file), .. }, kind) => Some((s.name.value.as_str(), *file, kind)),
                _ => None,
            })
            .collect();
        let protos: Vec<(String, FileId)> = (files.iter())
            .filter(|(_, _, kind)| *kind == SchemaKind::Protobuf)
            .map(|(_, file, _)| (file_name(sources, *file), *file))
            .collect();
        let mut by_name = HashMap::new();
        for (name, file, kind) in files {
            let view = match kind {
                SchemaKind::Protobuf => protobuf(sources, file, &protos),
                _ => json(sources, file),
            };
            by_name.entry(name.to_string()).or_insert(view);
        }
        Foreign { by_name }
    }

    pub(crate) fn view(&self, schema: &str) -> Option<&View> {
        self.by_name.get(schema)
    }

    /// The SQL type of a schema, when ksqlDB can read it.
    pub(crate) fn sql(&self, schema: &str) -> Option<&SqlType> {
        self.view(schema)?.sql.as_ref()?.as_ref().ok()
    }
}

fn file_name(sources: &SourceMap, file: FileId) -> String {
    let source = sources.get(file);
    source.path.file_name().map_or_else(|| source.name.clone(), |n| n.to_string_lossy().into_owned())
}

fn protobuf(sources: &SourceMap, file: FileId, protos: &[(String, FileId)]) -> View {
    let name = file_name(sources, file);
    let text = &sources.get(file).text;
    let load = |import: &str| {
        let (_, id) = protos.iter().find(|(n, _)| n == import)?;
        Some(crate::protobuf::Imported {
            shown: import.to_string(),
            text: sources.get(*id).text.clone(),
            reference: None,
        })
    };
    let mut view = View { sql: None, dropped: Vec::new(), unions: Vec::new() };
    let Ok(pool) = crate::protobuf::parse::descriptors(&name, text, &load) else { return view };
    let start = Span::new(file, 0, 0);
    let Ok(message) = subject_message(&pool, &name, None) else { return view };
    let place = |p: &Place| locate(&pool, &name, file, text, p).unwrap_or(start);
    match message_type(&message, FieldNames::Upper) {
        Ok(mapping) => {
            view.dropped =
                mapping.dropped.iter().map(|(path, why, p)| (path.clone(), why.to_string(), place(p))).collect();
            view.unions = (mapping.oneofs.iter())
                .map(|(path, oneof, p)| (path.clone(), format!("the oneof `{oneof}`"), place(p)))
                .collect();
            view.sql = Some(Ok(mapping.sql));
        }
        Err(why) => view.sql = Some(Err((why.to_string(), start))),
    }
    view
}

/// The span of an element of the schema's own file, from its `SourceCodeInfo` location.
fn locate(pool: &prost_reflect::DescriptorPool, name: &str, file: FileId, text: &str, place: &Place) -> Option<Span> {
    if place.file != name {
        return None;
    }
    let info = pool.get_file_by_name(name)?.file_descriptor_proto().source_code_info.clone()?;
    let location = info.location.iter().find(|l| l.path == place.path)?;
    let (line, column) = (*location.span.first()? as usize, *location.span.get(1)? as usize);
    let line_start = text.split_inclusive('\n').take(line).map(str::len).sum::<usize>();
    let start = (line_start + column).min(text.len());
    let end = text[start..].find([';', '{', '\n']).map_or(text.len(), |i| start + i);
    Some(Span::new(file, start, end))
}

fn json(sources: &SourceMap, file: FileId) -> View {
    let text = &sources.get(file).text;
    let mut view = View { sql: None, dropped: Vec::new(), unions: Vec::new() };
    let main = crate::json_schema::Document { name: "", file, text };
    // References to other subjects are not followed here: their columns are then unknown.
    let Ok(schema) = crate::json_schema::parse(main, &[]) else { return view };
    let span = |schema: &JsonSchema, node| schema.site(node).0;
    match crate::ksql::from_json_schema::schema_type(&schema, FieldNames::Upper) {
        Ok(mapping) => {
            view.dropped = (mapping.dropped.iter())
                .map(|(path, why, node)| (path.clone(), why.to_string(), span(&schema, *node)))
                .collect();
            view.unions = (mapping.unions.iter())
                .map(|(path, node)| {
                    (path.clone(), "the `oneOf`/`anyOf` of several types".to_string(), span(&schema, *node))
                })
                .collect();
            view.sql = Some(Ok(mapping.sql));
        }
        Err(refused) => view.sql = Some(Err((refused.reason, span(&schema, refused.node)))),
    }
    view
}
