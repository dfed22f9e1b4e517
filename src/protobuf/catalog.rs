//! Every Protobuf `schema` of a project, parsed with the schemas its `reference`s name as its
//! imports, as the registry resolves a schema's imports through its `references`
//! (`ProtobufSchemaProvider.parseSchema` reads each reference's schema under the reference's
//! name). An import no reference names is one the registry cannot resolve either, unless it is a
//! file the registry supplies (the well-known types, Confluent's own).

use std::collections::HashMap;

use super::parse::{Imported, Problem, parse};
use super::schema::{Position, Reference, Schema};
use crate::model::{SchemaKind, SchemaSource};
use crate::source::{FileId, SourceMap, Span};

/// The project's Protobuf schemas by name: parsed, or `None` when they do not parse (the
/// problems are reported once, by [`build`]).
#[derive(Debug, Default)]
pub struct Catalog {
    schemas: HashMap<String, Option<Schema>>,
    /// Each file read, by the name positions give it, with its text: a [`Position`] of the diff
    /// becomes a span through it.
    files: HashMap<String, (FileId, String)>,
}

impl Catalog {
    /// A schema by its venice name, when it is Protobuf and parses.
    pub(crate) fn schema(&self, name: &str) -> Option<&Schema> {
        self.schemas.get(name)?.as_ref()
    }

    /// The span of a position in one of the project's `.proto` files.
    pub(crate) fn span_of(&self, at: &Position) -> Option<Span> {
        let (file, text) = self.files.get(at.file.as_ref())?;
        let start = crate::source::offset_in(text, at.line as usize, at.column as usize);
        Some(Span::new(*file, start, start))
    }
}

/// Parses every Protobuf schema of `schemas`; what does not parse is returned as problems at
/// their place.
pub(crate) fn build(schemas: &[crate::model::Schema], sources: &SourceMap) -> (Catalog, Vec<(Problem, Span)>) {
    let by_name: HashMap<&str, &crate::model::Schema> = schemas.iter().map(|s| (s.name.value.as_str(), s)).collect();
    let mut catalog = Catalog::default();
    let mut problems = Vec::new();
    for schema in schemas.iter().filter(|s| s.kind == SchemaKind::Protobuf) {
        let Some(file) = file_of(schema) else { continue };
        let imports = imports_of(schema, &by_name);
        let load = |name: &str| {
            let (file, reference) = imports.get(name)?;
            let source = sources.get(*file);
            Some(Imported { shown: source.name.clone(), text: source.text.clone(), reference: Some(reference.clone()) })
        };
        let source = sources.get(file);
        for id in std::iter::once(file).chain(imports.values().map(|(f, _)| *f)) {
            let read = sources.get(id);
            catalog.files.entry(read.name.clone()).or_insert_with(|| (id, read.text.clone()));
        }
        let parsed = parse(&source.name, &import_name(source), &source.text, &load);
        let parsed = parsed.map_err(|found| {
            let files: HashMap<&str, FileId> = std::iter::once(file)
                .chain(imports.values().map(|(f, _)| *f))
                .map(|f| (sources.get(f).name.as_str(), f))
                .collect();
            problems.extend(found.into_iter().map(|p| {
                let span = placed(&p, &files, sources).unwrap_or(schema.name.span);
                (p, span)
            }));
        });
        catalog.schemas.insert(schema.name.value.clone(), parsed.ok());
    }
    (catalog, problems)
}

/// The file of a schema read from one.
fn file_of(schema: &crate::model::Schema) -> Option<FileId> {
    match schema.source {
        SchemaSource::File { file, .. } => file,
        SchemaSource::Inline(_) => None,
    }
}

/// The name a file is imported by when it is the main one: its file name.
fn import_name(source: &crate::source::SourceFile) -> String {
    source.path.file_name().map_or_else(|| source.name.clone(), |n| n.to_string_lossy().into_owned())
}

/// The files a schema's imports resolve to, by import name: its references and theirs in turn
/// (an imported file's own imports resolve through its own references), each with the
/// registry's reference (its subject; the version is the latest, which registration fixes).
fn imports_of(
    schema: &crate::model::Schema,
    by_name: &HashMap<&str, &crate::model::Schema>,
) -> HashMap<String, (FileId, Reference)> {
    let mut found = HashMap::new();
    let mut pending: Vec<&crate::model::SchemaReference> = schema.references.iter().collect();
    while let Some(reference) = pending.pop() {
        if found.contains_key(&reference.name.value) {
            continue;
        }
        let Some(target) = by_name.get(reference.schema.value.as_str()) else { continue };
        let Some(file) = file_of(target) else { continue };
        let registered = Reference { subject: reference.subject().to_string(), version: "latest".into() };
        found.insert(reference.name.value.clone(), (file, registered));
        pending.extend(&target.references);
    }
    found
}

/// A problem's place as a span, when it is in one of `files` (by the name the parser was given).
fn placed(problem: &Problem, files: &HashMap<&str, FileId>, sources: &SourceMap) -> Option<Span> {
    let file = *files.get(problem.file.as_str())?;
    let start = sources.get(file).offset_of(problem.line as usize, problem.column as usize);
    Some(Span::new(file, start, start))
}
