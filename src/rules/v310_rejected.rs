//! V310: a statement ksqlDB rejects for another reason.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V310",
    name: "statement ksqlDB rejects",
    severity: Severity::Error,
    status: Status::Partial(
        "the rejections of ksqlDB's analysis that its query-validation tests exercise most (properties, formats, keys in projections, join kinds, windows, result kinds); about 8 in 10 of that corpus's expected rejections are reported",
    ),
    doc: include_str!("v310_rejected.md"),
};

pub(super) fn diagnostic(reason: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("ksqlDB rejects this statement: {reason}"), "rejected")
}
