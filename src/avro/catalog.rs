//! The project's Avro schemas, parsed: one [`Catalog`] per check, built after `resolve`.
//!
//! Every `schema` node with Avro text is parsed into one arena of named types, in two passes, so
//! that a schema file may use a named type another schema file of the project defines (say
//! `com.example.Address` in address.avsc, used by customer.avsc), as the Schema Registry allows
//! through schema references. Defaults are checked last, when every type is known.

use super::parse::{self, Definitions, ParsedFile};
use super::problem::Problem;
use super::schema::{NamedId, NamedType, Type};
use crate::model::{Schema, SchemaKind, SourceText};
use crate::source::{SourceMap, Span};
use std::collections::HashMap;

/// The index of a schema in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SchemaId(pub usize);

/// One parsed schema: a venice `schema` node's text.
#[derive(Debug, Clone)]
pub struct CatalogSchema {
    /// The whole text, in its file (the .avsc file, or venice.kdl for `avro=`).
    pub(crate) span: Span,
    /// The top-level type.
    pub(crate) root: Type,
}

/// Every Avro schema of the project, with the arena of named types they define.
#[derive(Debug, Default)]
pub struct Catalog {
    schemas: Vec<CatalogSchema>,
    arena: Vec<NamedType>,
    by_name: HashMap<String, SchemaId>,
}

/// Parses every Avro `schema` of the project that has text (one whose file could not be read is
/// skipped: V006 already says so) and reports V201 and V204 into `diagnostics`.
pub fn build<'s>(
    schemas: impl Iterator<Item = &'s Schema>,
    sources: &SourceMap,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Catalog {
    let schemas: Vec<(usize, &Schema)> =
        schemas.filter(|s| s.kind == SchemaKind::Avro && s.has_text()).enumerate().collect();
    // Each schema's text is copied and parsed on the core that parses it.
    // Pass 1 of every text, on every core (the texts are independent until names are resolved).
    let parsed = crate::parallel::map_on_every_core(&schemas, SCHEMAS_PER_TASK, |&(origin, schema)| {
        schema.text(sources).map(|text| parse_one(&text, origin))
    });
    let names = schemas.iter().map(|(_, s)| s.name.value.clone()).collect();
    Catalog::assemble(names, parsed, diagnostics)
}

/// One schema text parsed on its own, into an arena of its own (ids from 0).
struct Parsed {
    file: ParsedFile,
    arena: Vec<NamedType>,
    diagnostics: Vec<(Problem, Span)>,
    /// The text's file and whole span.
    span: Span,
}

fn parse_one(text: &SourceText, origin: usize) -> Parsed {
    let (mut arena, mut diagnostics) = (Vec::new(), Vec::new());
    let file = parse::parse_file(text, origin, &mut arena, &mut diagnostics);
    Parsed { file, arena, diagnostics, span: text.span(0, text.text.len()) }
}

/// How many schema texts a task parses at least: one takes tens of microseconds, handing a task
/// to another thread some.
const SCHEMAS_PER_TASK: usize = 32;

impl Catalog {
    /// Parses named schema texts together, as [`build`] does for a project. A name given twice
    /// keeps its first schema.
    pub fn from_texts(texts: Vec<(String, SourceText)>, diagnostics: &mut Vec<(Problem, Span)>) -> Catalog {
        let indexed: Vec<(usize, &SourceText)> = texts.iter().map(|(_, text)| text).enumerate().collect();
        let parsed = crate::parallel::map_on_every_core(&indexed, SCHEMAS_PER_TASK, |&(origin, text)| {
            Some(parse_one(text, origin))
        });
        let names = texts.into_iter().map(|(name, _)| name).collect();
        Catalog::assemble(names, parsed, diagnostics)
    }

    /// Joins texts parsed on their own into one arena (in order, so ids and diagnostics are
    /// those of parsing them one after the other), then resolves names across them and checks
    /// defaults.
    fn assemble(names: Vec<String>, parsed: Vec<Option<Parsed>>, diagnostics: &mut Vec<(Problem, Span)>) -> Catalog {
        let mut arena = Vec::new();
        let mut files = Vec::with_capacity(parsed.len());
        // `build` asks only schemas with text, so every item has some.
        for (name, one) in names.into_iter().zip(parsed.into_iter().flatten()) {
            let Parsed { mut file, arena: mut own, diagnostics: mut found, span } = one;
            let by = u32::try_from(arena.len()).unwrap_or(u32::MAX);
            file.shift(by);
            for named in &mut own {
                parse::shift_named(named, by);
            }
            arena.append(&mut own);
            diagnostics.append(&mut found);
            files.push((name, span, file));
        }
        // Every definition of the project, for the second pass.
        let mut definitions: Definitions = HashMap::new();
        for (_, _, file) in &files {
            let mut names: Vec<(&String, &NamedId)> = file.names.iter().collect();
            names.sort_by_key(|(_, id)| **id);
            for (name, id) in names {
                definitions.entry(name.clone()).or_default().push(*id);
            }
        }
        for ids in definitions.values_mut() {
            ids.sort();
        }
        // Pass 2: resolve names against the file, then the other files.
        let equivalent = |arena: &[NamedType], a: NamedId, b: NamedId| {
            super::canonical::normalized_named(arena, a) == super::canonical::normalized_named(arena, b)
        };
        for (origin, (_, _, file)) in files.iter_mut().enumerate() {
            parse::resolve_file(file, origin, &mut arena, &definitions, &equivalent, diagnostics);
        }
        for (_, _, file) in &files {
            parse::check_defaults(file, &arena, diagnostics);
        }
        let mut catalog = Catalog { schemas: Vec::new(), arena, by_name: HashMap::new() };
        for (name, span, file) in files {
            let id = SchemaId(catalog.schemas.len());
            catalog.by_name.entry(name.clone()).or_insert(id);
            catalog.schemas.push(CatalogSchema { span, root: file.root });
        }
        catalog
    }

    /// The top-level type of the venice schema called `name`.
    pub fn schema(&self, name: &str) -> Option<&Type> {
        self.by_name.get(name).map(|id| &self.schemas[id.0].root)
    }

    pub(crate) fn schema_id(&self, name: &str) -> Option<SchemaId> {
        self.by_name.get(name).copied()
    }

    pub(crate) fn get(&self, id: SchemaId) -> &CatalogSchema {
        &self.schemas[id.0]
    }

    /// Every parsed schema, in project order.
    #[cfg(test)]
    pub(crate) fn schemas(&self) -> impl Iterator<Item = (SchemaId, &CatalogSchema)> {
        self.schemas.iter().enumerate().map(|(i, s)| (SchemaId(i), s))
    }

    /// A named type of the arena.
    pub(crate) fn named(&self, id: NamedId) -> &NamedType {
        &self.arena[id.index()]
    }

    /// The arena of named types, indexed by [`NamedId`].
    pub(crate) fn arena(&self) -> &[NamedType] {
        &self.arena
    }

    /// The named types defined with this full name, one per schema that defines it.
    #[cfg(test)]
    pub(crate) fn find_named(&self, fullname: &str) -> impl Iterator<Item = NamedId> + '_ {
        let fullname = fullname.to_string();
        self.arena.iter().enumerate().filter(move |(_, n)| n.fullname() == fullname).map(|(i, _)| NamedId(i as u32))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avro::schema::TypeKind;
    use crate::source::FileId;

    #[test]
    fn schemas_are_found_by_their_venice_name_and_named_types_by_full_name() {
        let mut diagnostics = Vec::new();
        let texts = vec![
            (
                "Order".to_string(),
                SourceText::from_file(FileId(1), r#"{"type": "record", "name": "shop.Order", "fields": []}"#.into()),
            ),
            ("Id".to_string(), SourceText::from_file(FileId(2), r#""string""#.into())),
            ("Order".to_string(), SourceText::from_file(FileId(3), r#""int""#.into())),
        ];
        let catalog = Catalog::from_texts(texts, &mut diagnostics);
        assert!(diagnostics.is_empty());
        assert_eq!(catalog.schemas().count(), 3);
        // A name given twice keeps its first schema (V004 reports the second).
        let order = catalog.schema("Order").expect("found");
        assert!(matches!(order.kind, TypeKind::Named(_)));
        let id = catalog.schema_id("Order").expect("found");
        assert_eq!(catalog.get(id).span.file, FileId(1));
        assert_eq!(catalog.get(id).span, Span::new(FileId(1), 0, 54));
        assert!(catalog.schema("Missing").is_none());
        let ids: Vec<NamedId> = catalog.find_named("shop.Order").collect();
        assert_eq!(ids, [NamedId(0)]);
        assert_eq!(catalog.named(ids[0]).origin, 0);
        assert_eq!(catalog.arena().len(), 1);
    }

    #[test]
    fn only_avro_schemas_with_text_are_parsed() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join("a.avsc"), r#"{"type": "enum", "name": "E", "symbols": ["A"]}"#).unwrap();
        std::fs::write(dir.path().join("b.json"), r#"{"type": "object"}"#).unwrap();
        let kdl = "project p\nschema A path=\"a.avsc\"\nschema B path=\"b.json\"\nschema C path=\"missing.avsc\"\nschema D avro=#\"\"long\"\"#\n";
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        let names: Vec<&str> =
            ["A", "B", "C", "D"].into_iter().filter(|n| checked.analysis.avro.schema(n).is_some()).collect();
        assert_eq!(names, ["A", "D"]);
        assert!(checked.diagnostics.iter().all(|d| !d.code.starts_with("V2")));
    }
}
