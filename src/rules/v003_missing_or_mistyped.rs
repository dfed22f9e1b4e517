//! V003: a value the grammar needs that is missing, mistyped, given twice or in conflict.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::{Expected, Slot};

pub(crate) const RULE: Rule = Rule {
    code: "V003",
    name: "missing or mistyped value",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v003_missing_or_mistyped.md"),
};

pub(super) fn missing_argument(node: &str, name: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` needs its argument `{name}`"), "declared here")
}

pub(super) fn missing_property(node: &str, name: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` needs the property `{name}`"), "declared here")
}

pub(super) fn missing_one_of(node: &str, options: &[&str], span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` needs one of {}", quote_list(options)), "declared here")
}

pub(super) fn missing_child(node: &str, child: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` needs `{child}`"), "declared here")
        .with_help(format!("add `{child}` inside `{node} {{ ... }}`"))
}

pub(super) fn needs_beside(node: &str, given: &str, needs: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{given}` of `{node}` needs `{needs}` beside it"), format!("no `{needs}`"))
        .with_help("mutual TLS takes the client's certificate (`cert`) and its private key (`key env=` or `key file=`) together")
}

pub(super) fn tls_without_https(node: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` has `tls` but an `http://` URL"), "TLS settings for a plaintext URL")
        .with_help("write the URL with `https://`: its scheme decides whether the connection uses TLS")
}

pub(super) fn conflicting(node: &str, first: &str, second: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` takes `{first}` or `{second}`, not both"), "second of the two")
        .with_help("keep one of them")
}

pub(super) fn wrong_type(
    node: &str,
    slot: &Slot,
    expected: &Expected,
    found: &str,
    suggestion: Option<&str>,
    span: Span,
) -> Diagnostic {
    let message = format!("{} of `{node}` must be {}, found {found}", describe_slot(slot), describe(expected));
    let mut diagnostic = RULE.diagnostic(span, message, format!("expected {}", describe(expected)));
    diagnostic.help = suggestion.map(|s| format!("did you mean `{s}`?"));
    diagnostic
}

pub(super) fn repeated_node(node: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{node}` is given more than once"), "given again here")
        .with_label(first, "first given here")
        .with_help("keep one of them")
}

fn describe(expected: &Expected) -> String {
    match expected {
        Expected::String => "a string".into(),
        Expected::Integer => "an integer".into(),
        Expected::Bool => "`#true` or `#false`".into(),
        Expected::IntegerIn(low, high) => format!("an integer from {low} to {high}"),
        Expected::OneOf(words) => format!("one of {}", quote_list(words)),
        Expected::Duration => "a duration such as `30s`, `15m`, `12h`, `7d`, or `forever`".into(),
        Expected::Principal => "a Kafka principal such as `User:web-app` (a type, `:`, a name)".into(),
        Expected::Rate => {
            "bytes per second: an integer, or a string such as `\"512KiB\"`, `\"5MiB\"`, `\"1GiB\"`".into()
        }
    }
}

fn describe_slot(slot: &Slot) -> String {
    match slot {
        Slot::Argument { name, .. } => format!("argument `{name}`"),
        Slot::Property(name) => format!("property `{name}`"),
    }
}

fn quote_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}
