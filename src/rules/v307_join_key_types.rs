//! V307: a join whose two sides' key types differ.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V307",
    name: "join key types differ",
    severity: Severity::Error,
    status: Status::Partial("the SQL types of the join expressions are compared; their key formats are not"),
    doc: include_str!("v307_join_key_types.md"),
};

pub(super) fn diagnostic(left: &str, left_type: &str, right: &str, right_type: &str, span: Span) -> Diagnostic {
    let message = format!("join key types differ: `{left}` is {left_type}, `{right}` is {right_type}");
    RULE.diagnostic(span, message, "this join condition").with_help("CAST one side to the other's type")
}
