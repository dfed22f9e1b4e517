//! V304: an expression whose types do not fit.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::ksql::Problem;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V304",
    name: "type error",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v304_type_error.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    let Problem::Type { reason } = problem else { unreachable!("not a V304: {problem:?}") };
    RULE.diagnostic(span, format!("type error: {reason}"), "this expression")
}
