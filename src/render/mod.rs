//! Renderers of diagnostics: human (rustc-style, via miette), JSON, SARIF 2.1.0 and GitHub
//! Actions workflow commands, as docs/checks.md describes them.

mod github;
mod human;
mod json;
mod sarif;

pub use human::HumanOptions;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineCol, SourceMap, Span};

/// The output formats of `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// rustc-style, with source lines, labels and help.
    Human,
    /// One JSON document (see docs/checks.md).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// Renders the diagnostics in the chosen format.
pub fn render(format: OutputFormat, diagnostics: &[Diagnostic], sources: &SourceMap, human: &HumanOptions) -> String {
    match format {
        OutputFormat::Human => human::render(diagnostics, sources, human),
        OutputFormat::Json => json::render(diagnostics, sources),
        OutputFormat::Sarif => sarif::render(diagnostics, sources),
        OutputFormat::Github => github::render(diagnostics, sources),
    }
}

/// A span as lines and columns, both 1-based, in the file named relative to the project's root:
/// json, sarif and github are read by tools that place results in the repository, wherever
/// venice ran. (The human format names files as the user gave them, as compilers do.)
pub(crate) struct Location<'a> {
    pub(crate) file: &'a str,
    pub(crate) start: LineCol,
    pub(crate) end: LineCol,
}

pub(crate) fn locate(span: Span, sources: &SourceMap) -> Location<'_> {
    let file = sources.get(span.file);
    Location { file: &file.in_root, start: file.line_col(span.start), end: file.line_col(span.end) }
}

pub(crate) fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics.iter().filter(|d| d.severity == severity).count()
}
