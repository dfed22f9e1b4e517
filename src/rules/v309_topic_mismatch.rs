//! V309: a CREATE statement over a declared topic that disagrees with the declaration.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V309",
    name: "CREATE disagrees with the declared topic",
    severity: Severity::Error,
    status: Status::Partial(
        "value columns are checked against the topic's Avro value schema; formats and key types are reported along the edges (V101 to V103); JSON Schema and Protobuf values are not read",
    ),
    doc: include_str!("v309_topic_mismatch.md"),
};

pub(super) fn diagnostic(topic: &str, reason: &str, declared: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("the statement disagrees with topic `{topic}`: {reason}"), "disagrees with the topic")
        .with_label(declared, "the topic is declared here")
        .with_help("make the statement's columns and formats match the topic's declaration")
}
