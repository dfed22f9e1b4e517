//! `venice schema compat`: reads each schema file on its own (as the registry parses each
//! version), then checks the last against the others at a level, as text or JSON. Protobuf
//! schemas are `crate::protobuf::report`'s.

use crate::avro::Catalog;
use crate::avro::compat::{Direction, LevelIncompatibility, Reason, SchemaRef, check_level};
use crate::model::{Compatibility, SourceText};
use crate::render::{HumanOptions, OutputFormat, render};
use crate::source::{FileId, SourceMap};

/// The schema types `venice schema compat` reads (`--type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SchemaType {
    Avro,
    Protobuf,
}

impl SchemaType {
    /// The type a file's extension says: `.proto` Protobuf, anything else Avro.
    fn of(path: &std::path::Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
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
/// `level_name`), as `schema_type` (by default, as the new schema's extension says). A schema
/// that does not parse gives its diagnostics, not a verdict.
pub(crate) fn compat(
    sources: &SourceMap,
    files: &[FileId],
    schema_type: Option<SchemaType>,
    level: Compatibility,
    level_name: &str,
    format: OutputFormat,
    options: &HumanOptions,
) -> Result<Verdict, String> {
    let Some(&new) = files.last() else { return Err("no schema to check".into()) };
    if schema_type.unwrap_or_else(|| SchemaType::of(&sources.get(new).path)) == SchemaType::Protobuf {
        let json = format == OutputFormat::Json;
        let outcome = crate::protobuf::report::compat(sources, files, level, level_name, json);
        return Ok(Verdict { text: outcome.text, compatible: outcome.compatible });
    }
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

    /// The schemas the level checked the new one against.
    fn human_ok(&self) -> String {
        let (new_name, level) = (self.new_name(), self.level_name);
        let previous = self.names.len() - 1;
        let side = |i: usize| format!("`{}`", self.names[i]);
        let checked: Vec<String> = match self.level {
            Compatibility::None => Vec::new(),
            c if c.registry_name().ends_with("TRANSITIVE") => (0..previous).map(side).collect(),
            _ => vec![side(previous - 1)],
        };
        if checked.is_empty() {
            format!("ok: `{new_name}` may follow any schema under `none`\n")
        } else {
            format!("ok: `{new_name}` may follow {} under `{level}`\n", checked.join(", "))
        }
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
