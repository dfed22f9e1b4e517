//! V301: ksqlDB text that cannot even be tokenized or parsed.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::text::lowercase_first;

pub(crate) const RULE: Rule = Rule {
    code: "V301",
    name: "ksqlDB syntax error",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v301_ksql_syntax.md"),
};

pub(super) fn diagnostic(message: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("ksqlDB syntax error: {}", lowercase_first(message)), "here")
}
