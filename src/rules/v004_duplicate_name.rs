//! V004: a name declared twice in one kind.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::resolve::Problem;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V004",
    name: "duplicate name",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v004_duplicate_name.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    let Problem::DuplicateName { kind, name, first } = problem else { unreachable!("not a V004: {problem:?}") };
    RULE.diagnostic(span, format!("{kind} `{name}` is declared twice"), "declared again here")
        .with_label(*first, "first declared here")
        .with_help(format!("give each {kind} its own name"))
}
