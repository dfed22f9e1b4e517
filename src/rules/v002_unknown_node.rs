//! V002: a node, property or argument the grammar does not have at its place.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V002",
    name: "unknown node or property",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v002_unknown_node.md"),
};

pub(super) fn unknown_node(name: &str, parent: Option<&str>, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let message = match parent {
        Some(parent) => format!("unknown node `{name}` in `{parent}`"),
        None => format!("unknown node `{name}`"),
    };
    let help = match (suggestion, parent) {
        (Some(s), _) => format!("did you mean `{s}`?"),
        (None, Some(parent)) => format!("see `schema/REFERENCE.md` for the nodes `{parent}` takes"),
        (None, None) => "see `schema/REFERENCE.md` for the top-level nodes".into(),
    };
    RULE.diagnostic(span, message, "unknown node").with_help(help)
}

pub(super) fn unknown_property(node: &str, name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("see `schema/REFERENCE.md` for the properties of `{node}`"),
    };
    RULE.diagnostic(span, format!("unknown property `{name}` on `{node}`"), "unknown property").with_help(help)
}

pub(super) fn unexpected_argument(node: &str, takes: usize, span: Span) -> Diagnostic {
    let message = match takes {
        0 => format!("`{node}` takes no arguments"),
        1 => format!("`{node}` takes one argument"),
        takes => format!("`{node}` takes {takes} arguments"),
    };
    RULE.diagnostic(span, message, "unexpected argument").with_help("remove the extra argument")
}

pub(super) fn unexpected_children(node: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` takes no children block"), "unexpected block")
        .with_help("remove the `{ ... }` block")
}

/// A setting of one SASL mechanism under another: the grammar has one `sasl` node for all of
/// them, so the decoder tells them apart.
pub(super) fn not_for_mechanism(setting: &str, sasl: &str, span: Span) -> Diagnostic {
    let belongs = if setting == "user" || setting == "password" {
        "`plain`, `scram-sha-256` and `scram-sha-512` take `user` and `password`"
    } else {
        "`oauthbearer` takes `token-url`, `client-id`, `client-secret` and `scope`"
    };
    RULE.diagnostic(span, format!("`{sasl}` takes no `{setting}`"), "not a setting of this mechanism")
        .with_help(format!("{belongs}; remove it or change the mechanism"))
}
