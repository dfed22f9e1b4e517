//! V001: a file the KDL parser rejects.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::text::lowercase_first;

pub(crate) const RULE: Rule = Rule {
    code: "V001",
    name: "not valid KDL",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v001_invalid_kdl.md"),
};

pub(super) fn diagnostic(message: &str, label: Option<&str>, help: Option<&str>, span: Span) -> Diagnostic {
    let message = format!("not valid KDL: {}", lowercase_first(message));
    let mut diagnostic = RULE.diagnostic(span, message, label.unwrap_or("here"));
    diagnostic.help = help.map(String::from);
    diagnostic
}
