//! V009: a `venice.lock` that cannot be read as a lock.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V009",
    name: "invalid lock file",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v009_invalid_lock.md"),
};

pub(super) fn diagnostic(message: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`venice.lock` is not a valid lock: {message}"), "here").with_help(
        "`venice build` writes this file; restore it from version control or delete it to start a new baseline",
    )
}
