//! `venice schema compat`: reads each schema file on its own (as the registry parses each
//! version), then checks the last against the others at a level, as text or JSON. Avro, JSON
//! Schema and Protobuf each have their own reading and rules (Protobuf's are
//! `crate::protobuf::report`'s); the type comes from `--type` or the new file's extension.

use crate::avro::Catalog;
use crate::avro::compat::{Direction, LevelIncompatibility, Reason, SchemaRef, check_level};
use crate::json_schema::diff::Side;
use crate::model::{Compatibility, SourceText};
use crate::render::{HumanOptions, OutputFormat, render};
use crate::source::{FileId, SourceMap};
use std::path::Path;

/// The schema types `venice schema compat` reads (`--type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SchemaType {
    /// Avro (.avsc).
    Avro,
    /// JSON Schema (.json).
    Json,
    /// Protobuf (.proto).
    Protobuf,
}

impl SchemaType {
    /// The type a file's extension names: `.json` JSON Schema, `.proto` Protobuf; anything else is
    /// read as Avro, as every file was before the types were told apart.
    pub(crate) fn of_path(path: &Path) -> SchemaType {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => SchemaType::Json,
            Some("proto") => SchemaType::Protobuf,
            _ => SchemaType::Avro,
        }
    }
}

/// What `venice schema compat` found: the text to print, and whether the new schema may follow.
pub(crate) struct Verdict {
    pub(crate) text: String,
    pub(crate) compatible: bool,
}

/// Checks the last of `files` (read into `sources`) against the others under `level` (named
/// `level_name`), as schemas of `schema_type`. A schema that does not parse gives its problems,
/// not a verdict.
pub(crate) fn compat(
    sources: &mut SourceMap,
    files: &[FileId],
    schema_type: SchemaType,
    level: Compatibility,
    level_name: &str,
    format: OutputFormat,
    options: &HumanOptions,
) -> Result<Verdict, String> {
    match schema_type {
        SchemaType::Avro => avro_compat(sources, files, level, level_name, format, options),
        SchemaType::Json => json_compat(sources, files, level, level_name, format),
        SchemaType::Protobuf => {
            let json = format == OutputFormat::Json;
            let outcome = crate::protobuf::report::compat(sources, files, level, level_name, json);
            Ok(Verdict { text: outcome.text, compatible: outcome.compatible })
        }
    }
}

fn avro_compat(
    sources: &SourceMap,
    files: &[FileId],
    level: Compatibility,
    level_name: &str,
    format: OutputFormat,
    options: &HumanOptions,
) -> Result<Verdict, String> {
    let mut found = Vec::new();
    let catalogs: Vec<Catalog> = files
        .iter()
        .map(|&file| {
            let text = SourceText::from_file(file, sources.get(file).text.clone());
            Catalog::from_texts(vec![(sources.get(file).name.clone(), text)], &mut found)
        })
        .collect();
    if !found.is_empty() {
        let mut diagnostics: Vec<_> = found.iter().map(|(problem, span)| crate::rules::avro(problem, *span)).collect();
        crate::diagnostic::sort(&mut diagnostics);
        return Ok(Verdict { text: render(format, &diagnostics, sources, options), compatible: false });
    }
    let names: Vec<&str> = files.iter().map(|&f| sources.get(f).name.as_str()).collect();
    let schemas: Vec<SchemaRef> = catalogs
        .iter()
        .zip(&names)
        .map(|(catalog, name)| SchemaRef::new(catalog, catalog.schema(name).expect("each text yields a schema")))
        .collect();
    let Some((new, previous)) = schemas.split_last() else { return Err("no schema to check".into()) };
    let found = check_level(level, *new, previous);
    let report = Report { names: &names, level, level_name, found: &found };
    let text = match format {
        OutputFormat::Json => report.json(),
        _ => report.human(),
    };
    Ok(Verdict { text, compatible: found.is_empty() })
}

/// The incompatibilities found of the last schema of `names` against the others.
struct Report<'a> {
    names: &'a [&'a str],
    level: Compatibility,
    level_name: &'a str,
    found: &'a [LevelIncompatibility],
}

impl Report<'_> {
    fn new_name(&self) -> &str {
        self.names[self.names.len() - 1]
    }

    /// Why the new schema may not follow the one at `against`, naming both.
    fn worded(&self, against: usize, direction: Direction, reason: &Reason) -> String {
        let new = format!("`{}`", self.new_name());
        let old = format!("`{}`", self.names[against]);
        match direction {
            Direction::NewReadsOld => reason.describe(&new, &old),
            Direction::OldReadsNew => reason.describe(&old, &new),
        }
    }

    fn json(&self) -> String {
        let incompatibilities: Vec<serde_json::Value> = self
            .found
            .iter()
            .map(|f| {
                let i = &f.incompatibility;
                serde_json::json!({
                    "against": self.names[f.against],
                    "direction": f.direction.describe(),
                    "type": i.kind().as_str(),
                    "path": i.path,
                    "message": self.worded(f.against, f.direction, &i.reason),
                })
            })
            .collect();
        let document = serde_json::json!({
            "compatible": self.found.is_empty(),
            "level": self.level_name,
            "incompatibilities": incompatibilities,
        });
        format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"))
    }

    fn human(&self) -> String {
        if self.found.is_empty() { self.human_ok() } else { self.human_errors() }
    }

    fn human_ok(&self) -> String {
        human_ok(self.names, self.level, self.level_name)
    }

    /// The incompatibilities, under a heading for each schema and direction.
    fn human_errors(&self) -> String {
        let (new_name, level) = (self.new_name(), self.level_name);
        let mut out = String::new();
        let mut against = None;
        for f in self.found {
            if against != Some((f.against, f.direction)) {
                against = Some((f.against, f.direction));
                out.push_str(&format!(
                    "error: `{new_name}` may not follow `{}` under `{level}` ({})\n",
                    self.names[f.against],
                    f.direction.describe()
                ));
            }
            let i = &f.incompatibility;
            out.push_str(&format!("  {} {}: {}\n", i.path, i.kind(), self.worded(f.against, f.direction, &i.reason)));
        }
        let count = if self.found.len() == 1 {
            "1 incompatibility".to_string()
        } else {
            format!("{} incompatibilities", self.found.len())
        };
        out.push_str(&format!("found {count}\n"));
        out
    }
}

/// The schemas the level checked the new one (the last of `names`) against.
fn human_ok(names: &[&str], level: Compatibility, level_name: &str) -> String {
    let new_name = names[names.len() - 1];
    let previous = names.len() - 1;
    let side = |i: usize| format!("`{}`", names[i]);
    let checked: Vec<String> = match level {
        Compatibility::None => Vec::new(),
        c if c.registry_name().ends_with("TRANSITIVE") => (0..previous).map(side).collect(),
        _ => vec![side(previous - 1)],
    };
    if checked.is_empty() {
        format!("ok: `{new_name}` may follow any schema under `none`\n")
    } else {
        format!("ok: `{new_name}` may follow {} under `{level_name}`\n", checked.join(", "))
    }
}

/// JSON Schema: each file loaded with the documents its `$ref`s name (read beside it, as the
/// registry's `references`), then the registry's diff at the level.
fn json_compat(
    sources: &mut SourceMap,
    files: &[FileId],
    level: Compatibility,
    level_name: &str,
    format: OutputFormat,
) -> Result<Verdict, String> {
    let mut schemas = Vec::new();
    let mut problems = Vec::new();
    for &file in files {
        let references = read_references(sources, file)?;
        let main = crate::json_schema::Document { name: "", file, text: &sources.get(file).text };
        let documents: Vec<crate::json_schema::Document> = (references.iter())
            .map(|(name, id)| crate::json_schema::Document { name, file: *id, text: &sources.get(*id).text })
            .collect();
        match crate::json_schema::parse(main, &documents) {
            Ok(schema) => schemas.push(schema),
            Err(found) => problems.extend(found),
        }
    }
    if !problems.is_empty() {
        return Ok(Verdict { text: json_problems(sources, &problems, format), compatible: false });
    }
    let Some((new, previous)) = schemas.split_last() else { return Err("no schema to check".into()) };
    let found = crate::json_schema::compat::check_level(level, new, previous);
    let names: Vec<&str> = files.iter().map(|&f| sources.get(f).name.as_str()).collect();
    let report = JsonReport { sources, names: &names, schemas: &schemas, level, level_name, found: &found };
    let text = match format {
        OutputFormat::Json => report.json(),
        _ => report.human(),
    };
    Ok(Verdict { text, compatible: found.is_empty() })
}

/// The documents `file`'s `$ref`s name, and theirs in turn, read from beside `file`: (the name
/// as the `$ref` writes it, its file).
fn read_references(sources: &mut SourceMap, file: FileId) -> Result<Vec<(String, FileId)>, String> {
    let dir = sources.get(file).path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut found: Vec<(String, FileId)> = Vec::new();
    let mut pending = crate::json_schema::referenced_names(&sources.get(file).text);
    while let Some(name) = pending.pop() {
        if found.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let path = dir.join(&name);
        let id = match sources.find(&path) {
            Some(id) => id,
            None => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read `{}`, which a `$ref` names: {e}", path.display()))?;
                sources.add(path, text)
            }
        };
        pending.extend(crate::json_schema::referenced_names(&sources.get(id).text));
        found.push((name, id));
    }
    Ok(found)
}

/// Where a problem or a change is: file, line, column.
fn located(sources: &SourceMap, span: crate::source::Span) -> (String, usize, usize) {
    let file = sources.get(span.file);
    let at = file.line_col(span.start);
    (file.name.clone(), at.line, at.column)
}

/// Why a JSON Schema file is not one the registry would load.
fn json_problems(sources: &SourceMap, problems: &[crate::json_schema::ParseProblem], format: OutputFormat) -> String {
    let errors: Vec<(String, usize, usize, &str)> = (problems.iter())
        .map(|p| {
            let (file, line, column) = located(sources, p.span);
            (file, line, column, p.message.as_str())
        })
        .collect();
    match format {
        OutputFormat::Json => {
            let errors: Vec<serde_json::Value> = (errors.iter())
                .map(|(file, line, column, message)| {
                    serde_json::json!({"file": file, "line": line, "column": column, "message": message})
                })
                .collect();
            let document = serde_json::json!({"compatible": false, "errors": errors});
            format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"))
        }
        _ => errors
            .iter()
            .map(|(file, line, column, message)| format!("error: {file}:{line}:{column}: {message}\n"))
            .collect(),
    }
}

/// The changes that keep the last JSON Schema of `names` from following the others.
struct JsonReport<'a> {
    sources: &'a SourceMap,
    names: &'a [&'a str],
    schemas: &'a [crate::json_schema::JsonSchema],
    level: Compatibility,
    level_name: &'a str,
    found: &'a [crate::json_schema::compat::LevelIncompatibility],
}

/// A change's place: file, line, column, and the JSON pointer in that file.
struct Place {
    file: String,
    line: usize,
    column: usize,
    pointer: String,
}

impl JsonReport<'_> {
    /// Where a change is: in the schema of the diff's side it concerns (the diff runs from the
    /// old schema to the new one for BACKWARD, the other way for FORWARD).
    fn place(&self, f: &crate::json_schema::compat::LevelIncompatibility) -> Place {
        let new = self.schemas.len() - 1;
        let (original, update) = match f.direction {
            Direction::NewReadsOld => (f.against, new),
            Direction::OldReadsNew => (new, f.against),
        };
        let schema = &self.schemas[if f.difference.side == Side::Original { original } else { update }];
        let (span, pointer) = schema.site(f.difference.node);
        let (file, line, column) = located(self.sources, span);
        Place { file, line, column, pointer: if pointer.is_empty() { "/".into() } else { pointer.to_string() } }
    }

    fn json(&self) -> String {
        let incompatibilities: Vec<serde_json::Value> = (self.found.iter())
            .map(|f| {
                let place = self.place(f);
                serde_json::json!({
                    "against": self.names[f.against],
                    "direction": f.direction.describe(),
                    "type": f.difference.kind.as_str(),
                    "path": f.difference.path(),
                    "file": place.file,
                    "line": place.line,
                    "column": place.column,
                    "pointer": place.pointer,
                })
            })
            .collect();
        let document = serde_json::json!({
            "compatible": self.found.is_empty(),
            "level": self.level_name,
            "incompatibilities": incompatibilities,
        });
        format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"))
    }

    fn human(&self) -> String {
        if self.found.is_empty() {
            return human_ok(self.names, self.level, self.level_name);
        }
        let new_name = self.names[self.names.len() - 1];
        let mut out = String::new();
        let mut against = None;
        for f in self.found {
            if against != Some((f.against, f.direction)) {
                against = Some((f.against, f.direction));
                out.push_str(&format!(
                    "error: `{new_name}` may not follow `{}` under `{}` ({})\n",
                    self.names[f.against],
                    self.level_name,
                    f.direction.describe()
                ));
            }
            let place = self.place(f);
            out.push_str(&format!(
                "  {} {}: at {}:{}:{} ({})\n",
                f.difference.path(),
                f.difference.kind.as_str(),
                place.file,
                place.line,
                place.column,
                place.pointer
            ));
        }
        let count = if self.found.len() == 1 {
            "1 incompatibility".to_string()
        } else {
            format!("{} incompatibilities", self.found.len())
        };
        out.push_str(&format!("found {count}\n"));
        out
    }
}
