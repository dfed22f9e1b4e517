//! `venice schema compat` on `.proto` files: each schema read with the files it imports from
//! beside it, the last checked against the others at a level, the verdict as text or JSON.

use std::path::Path;

use super::compat::{Direction, LevelChange, check_level};
use super::diff::Change;
use super::parse::{Imported, Problem, parse};
use super::schema::Schema;
use crate::model::Compatibility;
use crate::source::{FileId, SourceMap};

/// What the command found: the text to print, and whether the new schema may follow.
pub(crate) struct Outcome {
    pub(crate) text: String,
    pub(crate) compatible: bool,
}

/// Checks the last of `files` (read into `sources`) against the others under `level` (named
/// `level_name`). A schema that does not parse or compile gives its problems, not a verdict.
pub(crate) fn compat(
    sources: &SourceMap,
    files: &[FileId],
    level: Compatibility,
    level_name: &str,
    json: bool,
) -> Outcome {
    let parsed: Vec<Result<Schema, Vec<Problem>>> = files.iter().map(|&file| read(sources, file)).collect();
    let problems: Vec<&Problem> = parsed.iter().filter_map(|p| p.as_ref().err()).flatten().collect();
    if !problems.is_empty() {
        let text = if json { problems_json(&problems, level_name) } else { problems_human(&problems) };
        return Outcome { text, compatible: false };
    }
    let schemas: Vec<Schema> = parsed.into_iter().filter_map(Result::ok).collect();
    let names: Vec<&str> = files.iter().map(|&f| sources.get(f).name.as_str()).collect();
    let (new, previous) = schemas.split_last().expect("the command line requires two schemas");
    let found = check_level(level, new, previous);
    let report = Report { names: &names, level, level_name, found: &found };
    Outcome { text: if json { report.json() } else { report.human() }, compatible: found.is_empty() }
}

/// A schema file and what it imports, read from the folder it is in.
fn read(sources: &SourceMap, file: FileId) -> Result<Schema, Vec<Problem>> {
    let source = sources.get(file);
    let folder = source.path.parent().unwrap_or(Path::new(""));
    let shown_folder = Path::new(&source.name).parent().unwrap_or(Path::new(""));
    let name = source.path.file_name().map_or_else(|| source.name.clone(), |n| n.to_string_lossy().into_owned());
    let load = |import: &str| {
        let text = std::fs::read_to_string(folder.join(import)).ok()?;
        Some(Imported { shown: shown_folder.join(import).display().to_string(), text, reference: None })
    };
    parse(&source.name, &name, &source.text, &load)
}

fn problems_human(problems: &[&Problem]) -> String {
    let mut out: String =
        problems.iter().map(|p| format!("error: {}:{}:{}: {}\n", p.file, p.line, p.column, p.message)).collect();
    let count = if problems.len() == 1 { "1 error".to_string() } else { format!("{} errors", problems.len()) };
    out.push_str(&format!("found {count}\n"));
    out
}

fn problems_json(problems: &[&Problem], level_name: &str) -> String {
    let errors: Vec<serde_json::Value> = problems
        .iter()
        .map(|p| serde_json::json!({"file": p.file, "line": p.line, "column": p.column, "message": p.message}))
        .collect();
    let document = serde_json::json!({
        "compatible": false,
        "level": level_name,
        "errors": errors,
        "incompatibilities": [],
    });
    format!("{}\n", serde_json::to_string_pretty(&document).expect("JSON serializes"))
}

/// The incompatible changes of the last schema of `names` against the others.
struct Report<'a> {
    names: &'a [&'a str],
    level: Compatibility,
    level_name: &'a str,
    found: &'a [LevelChange],
}

impl Report<'_> {
    fn new_name(&self) -> &str {
        self.names[self.names.len() - 1]
    }

    /// The change in words, from the schema the diff took as the original to the other.
    fn worded(&self, change: &LevelChange) -> String {
        let (new, old) = (self.new_name(), self.names[change.against]);
        let (from, to) = match change.direction {
            Direction::Backward => (old, new),
            Direction::Forward => (new, old),
        };
        format!("from `{from}` to `{to}`, {}", describe(change.difference.change))
    }

    fn json(&self) -> String {
        let incompatibilities: Vec<serde_json::Value> = self
            .found
            .iter()
            .map(|f| {
                let d = &f.difference;
                serde_json::json!({
                    "against": self.names[f.against],
                    "direction": f.direction.describe(),
                    "type": d.change.as_str(),
                    "path": d.path,
                    "file": d.at.as_ref().map(|at| at.file.to_string()),
                    "line": d.at.as_ref().map(|at| at.line),
                    "column": d.at.as_ref().map(|at| at.column),
                    "message": self.worded(f),
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

    /// The changes, under a heading for each schema and direction, each with its place.
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
            let d = &f.difference;
            let place = d.at.as_ref().map_or(String::new(), |at| format!(" at {}:{}:{}", at.file, at.line, at.column));
            out.push_str(&format!("  {} {}{place}: {}\n", d.path, d.change.as_str(), self.worded(f)));
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

/// A change in words (after the registry's `Difference.error()` where it words one).
fn describe(change: Change) -> &'static str {
    match change {
        Change::PackageChanged => "the package changed, which renames every message",
        Change::MessageAdded => "a message was added",
        Change::MessageRemoved => "a message was removed",
        Change::MessageMoved => "a message moved",
        Change::EnumAdded => "an enum was added",
        Change::EnumRemoved => "an enum was removed",
        Change::EnumConstAdded => "an enum constant was added",
        Change::EnumConstChanged => "an enum constant was renamed",
        Change::EnumConstRemoved => "an enum constant was removed",
        Change::FieldAdded => "a field was added",
        Change::FieldRemoved => "a field was removed",
        Change::FieldNameChanged => "a field was renamed",
        Change::FieldKindChanged => "the field changed kind (scalar or enum, message, map)",
        Change::FieldScalarKindChanged => "the field's scalar type changed to one encoded otherwise on the wire",
        Change::FieldNamedTypeChanged => "the field's message type changed",
        Change::FieldNumericLabelChanged => "the label of a numeric field changed",
        Change::FieldStringOrBytesLabelChanged => "the label of a string or bytes field changed",
        Change::RequiredFieldAdded => "a required field was added",
        Change::RequiredFieldRemoved => "a required field was removed",
        Change::OneofAdded => "a oneof was added",
        Change::OneofRemoved => "a oneof was removed",
        Change::OneofFieldAdded => "a field was added to a oneof",
        Change::OneofFieldRemoved => "a field was removed from a oneof",
        Change::OneofFieldMovedToTopLevel => "a field moved out of its oneof",
        Change::MultipleFieldsMovedToOneof => "several fields that were independent were moved into one oneof",
        Change::FieldMovedToExistingOneof => "a field was moved into a oneof with the fields of another",
    }
}
