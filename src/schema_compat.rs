//! `venice schema compat`: reads each schema file on its own (as the registry parses each
//! version), then checks the last against the others at a level, as text or JSON. Avro, JSON
//! Schema and Protobuf each have their own reading and rules (Protobuf's are
//! `crate::protobuf::report`'s); the type comes from `--type` or the new file's extension.

use crate::avro::Catalog;
use crate::avro::compat::{Direction, LevelIncompatibility, SchemaRef, check_level};
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
        SchemaType::Protobuf => Ok(protobuf_compat(sources, files, level, level_name, format)),
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
    let rows = check_level(level, *new, previous).iter().map(|f| avro_row(&names, f)).collect();
    Ok(Report { names: &names, level, level_name, rows }.verdict(format))
}

/// An Avro incompatibility, worded with the names of the schemas it concerns.
fn avro_row(names: &[&str], f: &LevelIncompatibility) -> Row {
    let (new, old) = (format!("`{}`", names[names.len() - 1]), format!("`{}`", names[f.against]));
    let i = &f.incompatibility;
    let message = match f.direction {
        Direction::NewReadsOld => i.reason.describe(&new, &old),
        Direction::OldReadsNew => i.reason.describe(&old, &new),
    };
    Row {
        against: f.against,
        direction: f.direction.describe(),
        kind: i.kind().as_str(),
        path: i.path.clone(),
        place: None,
        message: Some(message),
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
        let problems: Vec<(String, usize, usize, &str)> = (problems.iter())
            .map(|p| {
                let (file, line, column) = located(sources, p.span);
                (file, line, column, p.message.as_str())
            })
            .collect();
        return Ok(Verdict { text: problems_text(&problems, level_name, format), compatible: false });
    }
    let Some((new, previous)) = schemas.split_last() else { return Err("no schema to check".into()) };
    let found = crate::json_schema::compat::check_level(level, new, previous);
    let names: Vec<&str> = files.iter().map(|&f| sources.get(f).name.as_str()).collect();
    let rows = found.iter().map(|f| json_row(sources, &schemas, f)).collect();
    Ok(Report { names: &names, level, level_name, rows }.verdict(format))
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

/// A JSON Schema change, placed in the schema of the diff's side it concerns (the diff runs from
/// the old schema to the new one for BACKWARD, the other way for FORWARD).
fn json_row(
    sources: &SourceMap,
    schemas: &[crate::json_schema::JsonSchema],
    f: &crate::json_schema::compat::LevelIncompatibility,
) -> Row {
    let new = schemas.len() - 1;
    let (original, update) = match f.direction {
        Direction::NewReadsOld => (f.against, new),
        Direction::OldReadsNew => (new, f.against),
    };
    let schema = &schemas[if f.difference.side == Side::Original { original } else { update }];
    let (span, pointer) = schema.site(f.difference.node);
    let (file, line, column) = located(sources, span);
    let pointer = Some(if pointer.is_empty() { "/".to_string() } else { pointer.to_string() });
    Row {
        against: f.against,
        direction: f.direction.describe(),
        kind: f.difference.kind.as_str(),
        path: f.difference.path().to_string(),
        place: Some(Place { file, line, column, pointer }),
        message: None,
    }
}

/// Protobuf: each file read with the files it imports from beside it, then the registry's diff at
/// the level. A schema that does not parse or compile gives its problems, not a verdict.
fn protobuf_compat(
    sources: &SourceMap,
    files: &[FileId],
    level: Compatibility,
    level_name: &str,
    format: OutputFormat,
) -> Verdict {
    let read: Vec<_> = files.iter().map(|&file| crate::protobuf::files::read(sources, file)).collect();
    let problems: Vec<(String, usize, usize, &str)> = (read.iter().filter_map(|r| r.as_ref().err()).flatten())
        .map(|p| (p.file.to_string(), p.line as usize, p.column as usize, p.message.as_str()))
        .collect();
    if !problems.is_empty() {
        return Verdict { text: problems_text(&problems, level_name, format), compatible: false };
    }
    let schemas: Vec<_> = read.into_iter().filter_map(Result::ok).collect();
    let names: Vec<&str> = files.iter().map(|&f| sources.get(f).name.as_str()).collect();
    let (new, previous) = schemas.split_last().expect("the command line requires two schemas");
    let rows =
        crate::protobuf::compat::check_level(level, new, previous).iter().map(|f| protobuf_row(&names, f)).collect();
    Report { names: &names, level, level_name, rows }.verdict(format)
}

/// A Protobuf change, from the schema the diff took as the original to the other.
fn protobuf_row(names: &[&str], f: &crate::protobuf::compat::LevelChange) -> Row {
    use crate::protobuf::compat::Direction as Proto;
    let (new, old) = (names[names.len() - 1], names[f.against]);
    let (from, to) = match f.direction {
        Proto::Backward => (old, new),
        Proto::Forward => (new, old),
    };
    let d = &f.difference;
    let place = d.at.as_ref().map(|at| Place {
        file: at.file.to_string(),
        line: at.line as usize,
        column: at.column as usize,
        pointer: None,
    });
    Row {
        against: f.against,
        direction: f.direction.describe(),
        kind: d.change.as_str(),
        path: d.path.clone(),
        place,
        message: Some(format!("from `{from}` to `{to}`, {}", d.change.describe())),
    }
}

/// Schemas that do not read: each problem with its place, as text or JSON.
fn problems_text(problems: &[(String, usize, usize, &str)], level_name: &str, format: OutputFormat) -> String {
    if format == OutputFormat::Json {
        let errors: Vec<serde_json::Value> = (problems.iter())
            .map(|(file, line, column, message)| {
                serde_json::json!({"file": file, "line": line, "column": column, "message": message})
            })
            .collect();
        let document = serde_json::json!({
            "compatible": false,
            "level": level_name,
            "errors": errors,
            "incompatibilities": [],
        });
        return format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"));
    }
    let mut out: String = (problems.iter())
        .map(|(file, line, column, message)| format!("error: {file}:{line}:{column}: {message}\n"))
        .collect();
    let count = if problems.len() == 1 { "1 error".to_string() } else { format!("{} errors", problems.len()) };
    out.push_str(&format!("found {count}\n"));
    out
}

/// One incompatible change as the command prints it, whatever the schema type.
struct Row {
    /// The schema (an index in the names) the new one may not follow.
    against: usize,
    /// Which schema reads which (`reader new / writer old`).
    direction: &'static str,
    /// The change's name, as the registry (or Java Avro) names it.
    kind: &'static str,
    path: String,
    place: Option<Place>,
    message: Option<String>,
}

/// Where a change is: file, line, column and, in a JSON Schema, the JSON pointer.
struct Place {
    file: String,
    line: usize,
    column: usize,
    pointer: Option<String>,
}

/// The incompatible changes of the last schema of `names` against the others.
struct Report<'a> {
    names: &'a [&'a str],
    level: Compatibility,
    level_name: &'a str,
    rows: Vec<Row>,
}

impl Report<'_> {
    fn verdict(&self, format: OutputFormat) -> Verdict {
        let text = match format {
            OutputFormat::Json => self.json(),
            _ if self.rows.is_empty() => human_ok(self.names, self.level, self.level_name),
            _ => self.human_errors(),
        };
        Verdict { text, compatible: self.rows.is_empty() }
    }

    fn json(&self) -> String {
        let incompatibilities: Vec<serde_json::Value> = (self.rows.iter())
            .map(|row| {
                let mut item = serde_json::json!({
                    "against": self.names[row.against],
                    "direction": row.direction,
                    "type": row.kind,
                    "path": row.path,
                });
                if let Some(place) = &row.place {
                    item["file"] = place.file.clone().into();
                    item["line"] = place.line.into();
                    item["column"] = place.column.into();
                    if let Some(pointer) = &place.pointer {
                        item["pointer"] = pointer.clone().into();
                    }
                }
                if let Some(message) = &row.message {
                    item["message"] = message.clone().into();
                }
                item
            })
            .collect();
        let document = serde_json::json!({
            "compatible": self.rows.is_empty(),
            "level": self.level_name,
            "incompatibilities": incompatibilities,
        });
        format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"))
    }

    /// The changes, under a heading for each schema and direction, each with its place.
    fn human_errors(&self) -> String {
        let new_name = self.names[self.names.len() - 1];
        let mut out = String::new();
        let mut against = None;
        for row in &self.rows {
            if against != Some((row.against, row.direction)) {
                against = Some((row.against, row.direction));
                out.push_str(&format!(
                    "error: `{new_name}` may not follow `{}` under `{}` ({})\n",
                    self.names[row.against], self.level_name, row.direction
                ));
            }
            let place = row.place.as_ref().map_or(String::new(), |p| {
                let pointer = p.pointer.as_ref().map_or(String::new(), |ptr| format!(" ({ptr})"));
                format!(" at {}:{}:{}{pointer}", p.file, p.line, p.column)
            });
            let message = row.message.as_ref().map_or(String::new(), |m| format!(": {m}"));
            out.push_str(&format!("  {} {}{place}{message}\n", row.path, row.kind));
        }
        let count = match self.rows.len() {
            1 => "1 incompatibility".to_string(),
            n => format!("{n} incompatibilities"),
        };
        out.push_str(&format!("found {count}\n"));
        out
    }
}
