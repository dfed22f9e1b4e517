//! `--format json`: one document with every diagnostic and a summary (docs/checks.md).

use super::{count, locate};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceMap;
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a> {
    diagnostics: Vec<Entry<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Entry<'a> {
    code: &'static str,
    severity: &'static str,
    message: String,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<LabelEntry<'a>>,
    help: Option<String>,
    /// What downstream the problem breaks; only diagnostics that know it have it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    impact: Vec<ImpactEntry<'a>>,
}

#[derive(Serialize)]
struct ImpactEntry<'a> {
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    column_name: Option<String>,
    field: String,
    file: &'a str,
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct LabelEntry<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: String,
}

#[derive(Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
}

pub(crate) fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let document = Document {
        diagnostics: diagnostics.iter().map(|d| entry(d, sources)).collect(),
        summary: Summary {
            errors: count(diagnostics, Severity::Error),
            warnings: count(diagnostics, Severity::Warning),
        },
    };
    let mut text = serde_json::to_string_pretty(&document).expect("diagnostics serialize");
    text.push('\n');
    text
}

fn entry<'a>(diagnostic: &Diagnostic, sources: &'a SourceMap) -> Entry<'a> {
    let at = locate(diagnostic.span, sources);
    Entry {
        code: diagnostic.code,
        severity: diagnostic.severity.as_str(),
        message: diagnostic.message.clone(),
        file: at.file,
        line: at.start.line,
        column: at.start.column,
        end_line: at.end.line,
        end_column: at.end.column,
        labels: diagnostic
            .labels
            .iter()
            .map(|label| {
                let at = locate(label.span, sources);
                LabelEntry {
                    file: at.file,
                    line: at.start.line,
                    column: at.start.column,
                    message: label.message.clone(),
                }
            })
            .collect(),
        help: diagnostic.help.clone(),
        impact: diagnostic
            .impact
            .iter()
            .map(|impact| {
                let at = locate(impact.span, sources);
                ImpactEntry {
                    kind: impact.kind,
                    name: impact.name.clone(),
                    column_name: impact.column.clone(),
                    field: impact.field.clone(),
                    file: at.file,
                    line: at.start.line,
                    column: at.start.column,
                }
            })
            .collect(),
    }
}
