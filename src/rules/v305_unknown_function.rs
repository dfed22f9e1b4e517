//! V305: a function ksqlDB does not have, or none of whose signatures takes the arguments given.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V305",
    name: "unknown function or signature",
    severity: Severity::Error,
    status: Status::Partial(
        "one catalog, ksqlDB 0.29's built-in functions, whatever `ksqldb version` says; user-defined functions are unknown",
    ),
    doc: include_str!("v305_unknown_function.md"),
};

pub(super) fn unknown(name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let mut diagnostic = RULE.diagnostic(span, format!("unknown function `{name}`"), "not a ksqlDB function");
    diagnostic.help = suggestion.map(|s| format!("did you mean `{s}`?"));
    diagnostic
}

pub(super) fn no_signature(name: &str, arguments: &[String], signatures: &[String], span: Span) -> Diagnostic {
    let message = format!("function `{name}` does not take ({})", arguments.join(", "));
    let mut diagnostic = RULE.diagnostic(span, message, "no signature fits");
    if !signatures.is_empty() {
        let shown: Vec<&str> = signatures.iter().take(6).map(String::as_str).collect();
        let more = signatures.len().saturating_sub(shown.len());
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        diagnostic = diagnostic.with_help(format!("it takes {}{tail}", shown.join("; ")));
    }
    diagnostic
}
