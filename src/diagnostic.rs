//! The diagnostic type: every problem Venice reports, as a plain value.
//!
//! Phases find facts (each its own `Problem` enum, without words); the rules under `src/rules/`
//! turn them into [`Diagnostic`]s with their code, severity and wording; renderers lay them out.

use crate::source::Span;

/// How bad a diagnostic is. Errors fail `venice check`; warnings fail it only with `--deny warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary place involved in a diagnostic, possibly in another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    pub(crate) span: Span,
    pub(crate) message: String,
}

/// Something downstream that a problem breaks: a ksqlDB column or query, a sink's column, a
/// consumer. `--format json` lists them as `impact`; every one is also a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Impact {
    /// `ksql-column`, `ksql-query`, `sink-column`, `sink` or `consumer`.
    pub(crate) kind: &'static str,
    /// What breaks, as its kind names it: `ORDERS.AMOUNT`, a query's target, `table.column`,
    /// a sink's or a consumer's name.
    pub(crate) name: String,
    /// The column: of a ksqlDB stream or table, the one a query reads, or a sink's
    /// `table.column`.
    pub(crate) column: Option<String>,
    /// The changed field it reads.
    pub(crate) field: String,
    pub(crate) span: Span,
}

/// One problem found in the project, worded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Where the mistake is.
    pub span: Span,
    /// The short text under the primary span.
    pub(crate) label: String,
    /// Secondary places, possibly in other files.
    pub(crate) labels: Vec<Label>,
    pub(crate) help: Option<String>,
    /// What downstream breaks (each also among `labels`).
    pub(crate) impact: Vec<Impact>,
}

impl Diagnostic {
    pub(crate) fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Adds things downstream that break at one place, with the label that shows them.
    pub(crate) fn with_impact(mut self, span: Span, impact: Vec<Impact>, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self.impact.extend(impact);
        self
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Puts diagnostics in the order every output shows them: by file, then position, then code, so
/// that the same project gives the same output on every run.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, d.span.end, d.code));
}

/// The closest of `candidates` to `name`, when it is close enough to be the one meant.
pub(crate) fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lowered = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lowered, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_the_closest_name_and_only_close_ones() {
        assert_eq!(suggest("parttions", ["partitions", "replication"]), Some("partitions".into()));
        assert_eq!(suggest("ORDERS", ["orders", "customers"]), Some("orders".into()));
        assert_eq!(suggest("xyz", ["partitions", "replication"]), None);
    }
}
