//! V008: an include that leads back to a file already being read.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V008",
    name: "include cycle",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v008_include_cycle.md"),
};

pub(super) fn diagnostic(path: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{path}` includes itself"), "included again here")
        .with_help("remove the include, or narrow its pattern")
}
