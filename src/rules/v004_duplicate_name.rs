//! V004: a name declared twice in one kind.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V004",
    name: "duplicate name",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v004_duplicate_name.md"),
};

pub(super) fn diagnostic(kind: &str, name: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("{kind} `{name}` is declared twice"), "declared again here")
        .with_label(first, "first declared here")
        .with_help(format!("give each {kind} its own name"))
}

/// A target that changes one declaration in two nodes: which of them wins would be a guess.
pub(super) fn overridden_twice(target: &str, kind: &str, name: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("target `{target}` changes {kind} `{name}` twice"), "changed again here")
        .with_label(first, "first changed here")
        .with_help(format!("merge the two into one `{kind} {name}` node"))
}
