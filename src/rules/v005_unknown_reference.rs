//! V005: a reference to something never declared.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V005",
    name: "unknown reference",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v005_unknown_reference.md"),
};

pub(super) fn diagnostic(kind: &str, name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("declare the {kind} first"),
    };
    RULE.diagnostic(span, format!("no {kind} named `{name}`"), "not declared").with_help(help)
}
