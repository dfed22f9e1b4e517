//! V011: a file the project names that resolves outside the project's root; it is not opened.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V011",
    name: "path outside the project root",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v011_path_outside_root.md"),
};

pub(super) fn diagnostic(path: &str, resolved: &str, root: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{path}` leads to `{resolved}`, outside the project root `{root}`"), "not read")
        .with_help(
            "venice reads only files inside the project's root: move the file inside it, or widen the root with `--root DIR` or a `root \"DIR\"` setting in venice.kdl",
        )
}
