//! `venice ksql describe`: what a ksqlDB file creates, in DESCRIBE form, with the diagnostics
//! of its analysis, as text or JSON.

use crate::diagnostic::Severity;
use crate::ksql::catalog::Registered;
use crate::ksql::describe::describe;
use crate::render::{HumanOptions, OutputFormat, render};
use crate::source::{FileId, SourceMap};

/// What `venice ksql describe` prints, and whether the analysis found errors.
pub(crate) struct Description {
    pub(crate) text: String,
    pub(crate) errors: bool,
}

/// Describes the file `file` (its `text` in `sources`), with `subjects` registered.
pub(crate) fn describe_file(
    sources: &SourceMap,
    file: FileId,
    text: String,
    subjects: Vec<(String, Registered)>,
    json: bool,
    options: &HumanOptions,
) -> Description {
    let described = describe(file, text, subjects);
    let mut diagnostics: Vec<_> =
        described.problems.iter().map(|(problem, span)| crate::rules::ksql(problem, *span)).collect();
    crate::diagnostic::sort(&mut diagnostics);
    let text = if json {
        let rendered = render(OutputFormat::Json, &diagnostics, sources, options);
        let diagnostics = serde_json::from_str::<serde_json::Value>(&rendered)
            .ok()
            .and_then(|v| v.get("diagnostics").cloned())
            .unwrap_or_else(|| serde_json::Value::Array(Vec::new()));
        let document = serde_json::json!({"sources": described.sources_json(), "diagnostics": diagnostics});
        format!("{}\n", serde_json::to_string_pretty(&document).unwrap_or_default())
    } else {
        let mut out = String::new();
        if !diagnostics.is_empty() {
            out.push_str(&render(OutputFormat::Human, &diagnostics, sources, options));
            out.push('\n');
        }
        out.push_str(&described.sources_human());
        out
    };
    Description { text, errors: diagnostics.iter().any(|d| d.severity == Severity::Error) }
}
