//! V006: a file the project names that cannot be read as text, or an include that matches none.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::Problem;

pub(crate) const RULE: Rule = Rule {
    code: "V006",
    name: "unreadable file",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v006_unreadable_file.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    match problem {
        Problem::UnreadableFile { path, reason } => {
            RULE.diagnostic(span, format!("cannot read `{path}`: {reason}"), "named here")
        }
        Problem::IncludeMatchesNothing { pattern } => RULE
            .diagnostic(span, format!("`include \"{pattern}\"` matches no file"), "named here")
            .with_help("the pattern is relative to the file that names it"),
        Problem::NotUtf8 { path } => {
            RULE.diagnostic(span, format!("`{path}` is not UTF-8 text"), "named here").with_help("save the file as UTF-8")
        }
        other => unreachable!("not a V006: {other:?}"),
    }
}
