//! V308: an aggregate query selecting a column that is neither grouped nor aggregated.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V308",
    name: "column neither grouped nor aggregated",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v308_not_grouped.md"),
};

pub(super) fn diagnostic(expression: &str, clause: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{expression}` in {clause} is neither in GROUP BY nor aggregated"), "not grouped")
        .with_help("add it to GROUP BY, or wrap it in an aggregate such as LATEST_BY_OFFSET")
}
