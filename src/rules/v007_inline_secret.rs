//! V007: a secret written inline in the project's files.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V007",
    name: "inline secret",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v007_inline_secret.md"),
};

pub(super) fn inline_secret(node: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` is written inline"), "a secret in the file")
        .with_help(format!("reference it instead: `{node} env=VAR` (an environment variable) or `{node} file=PATH`"))
}

pub(super) fn inline_secret_setting(key: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("the secret setting `{key}` is written inline"), "a secret in the file").with_help(
        format!("reference it through Kafka's EnvVarConfigProvider instead: `config \"{key}\" \"${{env:VAR}}\"`"),
    )
}
