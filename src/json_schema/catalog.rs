//! Every JSON Schema `schema` of a project, loaded with the schemas its `reference`s name as the
//! documents its `$ref`s point into, as the registry loads a schema with its `references`
//! (`JsonSchemaProvider.parseSchema`: each reference's schema under the reference's name).

use std::collections::HashMap;

use super::model::JsonSchema;
use super::parse::{Document, ParseProblem, parse};
use crate::model::{SchemaKind, SchemaReference, SchemaSource};
use crate::source::{FileId, SourceMap};

/// The project's JSON Schemas by name: loaded, or `None` when they do not load (the problems are
/// reported once, by [`build`]).
#[derive(Debug, Default)]
pub struct Catalog {
    schemas: HashMap<String, Option<JsonSchema>>,
}

impl Catalog {
    /// A schema by its venice name, when it is JSON Schema and loads.
    pub(crate) fn schema(&self, name: &str) -> Option<&JsonSchema> {
        self.schemas.get(name)?.as_ref()
    }
}

/// Loads every JSON Schema of `schemas`; what does not load is returned as problems.
pub(crate) fn build(schemas: &[crate::model::Schema], sources: &SourceMap) -> (Catalog, Vec<ParseProblem>) {
    let by_name: HashMap<&str, &crate::model::Schema> = schemas.iter().map(|s| (s.name.value.as_str(), s)).collect();
    let mut catalog = Catalog::default();
    let mut problems = Vec::new();
    for schema in schemas.iter().filter(|s| s.kind == SchemaKind::JsonSchema) {
        let Some(file) = file_of(schema) else { continue };
        let main = Document { name: "", file, text: &sources.get(file).text };
        let documents: Vec<Document> = documents_of(schema, &by_name)
            .into_iter()
            .map(|(name, file)| Document { name, file, text: &sources.get(file).text })
            .collect();
        let loaded = parse(main, &documents).map_err(|found| problems.extend(found)).ok();
        catalog.schemas.insert(schema.name.value.clone(), loaded);
    }
    (catalog, problems)
}

fn file_of(schema: &crate::model::Schema) -> Option<FileId> {
    match schema.source {
        SchemaSource::File { file, .. } => file,
        SchemaSource::Inline(_) => None,
    }
}

/// The documents a schema's `$ref`s may name: its references and theirs in turn, by name.
fn documents_of<'p>(
    schema: &'p crate::model::Schema,
    by_name: &HashMap<&str, &'p crate::model::Schema>,
) -> Vec<(&'p str, FileId)> {
    let mut found: Vec<(&str, FileId)> = Vec::new();
    let mut pending: Vec<&SchemaReference> = schema.references.iter().collect();
    while let Some(reference) = pending.pop() {
        if found.iter().any(|(name, _)| *name == reference.name.value) {
            continue;
        }
        let Some(target) = by_name.get(reference.schema.value.as_str()) else { continue };
        let Some(file) = file_of(target) else { continue };
        found.push((&reference.name.value, file));
        pending.extend(&target.references);
    }
    found
}
