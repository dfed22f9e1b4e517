//! V006: a file the project names that cannot be read as text, or an include that matches none.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V006",
    name: "unreadable file",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v006_unreadable_file.md"),
};

pub(super) fn unreadable_file(path: &str, reason: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("cannot read `{path}`: {reason}"), "named here")
}

pub(super) fn include_matches_nothing(pattern: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`include \"{pattern}\"` matches no file"), "named here")
        .with_help("the pattern is relative to the file that names it")
}

pub(super) fn not_utf8(path: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{path}` is not UTF-8 text"), "named here").with_help("save the file as UTF-8")
}
