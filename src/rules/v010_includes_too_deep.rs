//! V010: includes nested deeper than the limit.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V010",
    name: "includes nested too deep",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v010_includes_too_deep.md"),
};

pub(super) fn diagnostic(limit: usize, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("includes nest deeper than {limit} files"), "one include too many")
        .with_help("include the files from venice.kdl (or one level down) instead of chaining them")
}
