//! Human output: rustc-style reports drawn by miette, with the source lines, labels and help.
//!
//! A label in another file than the primary span becomes a related report with its own source,
//! since one miette report shows one source.

use super::count;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;
use std::sync::Arc;

/// How to draw human output.
#[derive(Debug, Clone)]
pub struct HumanOptions {
    pub(crate) color: bool,
    /// Terminal width to wrap at.
    pub(crate) width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions { color: false, width: 100 }
    }
}

pub(crate) fn render(diagnostics: &[Diagnostic], sources: &SourceMap, options: &HumanOptions) -> String {
    let theme = if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(options.width).with_links(false);
    // One shared copy of each file's text for every report that shows it: cloning a large file
    // once per diagnostic would make many diagnostics quadratic.
    let shared: Vec<(String, Arc<String>)> = if diagnostics.is_empty() {
        Vec::new()
    } else {
        sources.files().map(|(_, f)| (f.name.clone(), Arc::new(f.text.clone()))).collect()
    };
    let mut out = String::new();
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, &shared);
        // Writing to a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out.push_str(&summary(diagnostics));
    out
}

/// The closing line: what was found, in words.
pub(crate) fn summary(diagnostics: &[Diagnostic]) -> String {
    let errors = count(diagnostics, Severity::Error);
    let warnings = count(diagnostics, Severity::Warning);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => "no problems found\n".into(),
        (e, 0) => format!("found {}\n", plural(e, "error")),
        (0, w) => format!("found {}\n", plural(w, "warning")),
        (e, w) => format!("found {} and {}\n", plural(e, "error"), plural(w, "warning")),
    }
}

/// A diagnostic (or a related label in another file) as miette sees it.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<&'static str>,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<Arc<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn new(diagnostic: &Diagnostic, sources: &[(String, Arc<String>)]) -> Self {
        let file = diagnostic.span.file;
        let mut labels =
            vec![LabeledSpan::new_primary_with_span(Some(diagnostic.label.clone()), miette_span(diagnostic.span))];
        let mut related = Vec::new();
        for label in &diagnostic.labels {
            if label.span.file == file {
                labels.push(LabeledSpan::new_with_span(Some(label.message.clone()), miette_span(label.span)));
            } else {
                related.push(Report::elsewhere(label.span, label.message.clone(), sources));
            }
        }
        Report {
            message: diagnostic.message.clone(),
            code: Some(diagnostic.code),
            severity: match diagnostic.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help: diagnostic.help.clone(),
            source: named_source(file, sources),
            labels,
            related,
        }
    }

    /// A label in another file, shown as an advice under the main report.
    fn elsewhere(span: Span, message: String, sources: &[(String, Arc<String>)]) -> Self {
        Report {
            message: message.clone(),
            code: None,
            severity: miette::Severity::Advice,
            help: None,
            source: named_source(span.file, sources),
            labels: vec![LabeledSpan::new_primary_with_span(Some(message), miette_span(span))],
            related: Vec::new(),
        }
    }
}

fn named_source(file: crate::source::FileId, sources: &[(String, Arc<String>)]) -> NamedSource<Arc<String>> {
    let (name, text) = &sources[file.0 as usize];
    NamedSource::new(name, Arc::clone(text))
}

fn miette_span(span: Span) -> miette::SourceSpan {
    (span.start, span.len()).into()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}
