//! V001: a file the KDL parser rejects.

use super::{Rule, Status};
use crate::text::lowercase_first;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::Problem;

pub(crate) const RULE: Rule = Rule {
    code: "V001",
    name: "not valid KDL",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v001_invalid_kdl.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    let Problem::InvalidKdl { message, label, help } = problem else { unreachable!("not a V001: {problem:?}") };
    let label = label.clone().unwrap_or_else(|| "here".into());
    let mut diagnostic = RULE.diagnostic(span, format!("not valid KDL: {}", lowercase_first(message)), label);
    diagnostic.help = help.clone();
    diagnostic
}
