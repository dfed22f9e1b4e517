//! V304: an expression whose types do not fit.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V304",
    name: "type error",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v304_type_error.md"),
};

pub(super) fn diagnostic(reason: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("type error: {reason}"), "this expression")
}
