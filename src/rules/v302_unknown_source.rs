//! V302: a stream, table, type or topic that does not exist where a statement names it.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V302",
    name: "unknown stream, table or topic",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v302_unknown_source.md"),
};

pub(super) fn diagnostic(what: &str, name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let mut diagnostic = RULE.diagnostic(span, format!("unknown {what} `{name}`"), format!("no such {what} here"));
    diagnostic.help = match (suggestion, what) {
        (Some(s), _) => Some(format!("did you mean `{s}`?")),
        (None, "stream or table") => {
            Some("declare it with a `stream` or `table` node, or create it with a statement before this one".into())
        }
        (None, "topic") => {
            Some("declare the topic with a `topic` node, or give `PARTITIONS` so that ksqlDB creates it".into())
        }
        _ => None,
    };
    diagnostic
}
