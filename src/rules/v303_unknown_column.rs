//! V303: a column that none of the sources in scope has, or that several have.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V303",
    name: "unknown column",
    severity: Severity::Error,
    status: Status::Partial(
        "columns of `stream`/`table` nodes are known only for Avro values with `schema=`; over other topics any column name is accepted",
    ),
    doc: include_str!("v303_unknown_column.md"),
};

pub(super) fn unknown(name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let mut diagnostic =
        RULE.diagnostic(span, format!("unknown column `{name}`"), "not a column of the sources in FROM");
    diagnostic.help = suggestion.map(|s| format!("did you mean `{s}`?"));
    diagnostic
}

pub(super) fn ambiguous(name: &str, sources: &[String], span: Span) -> Diagnostic {
    let message = format!("column `{name}` is ambiguous: it is in {}", backticked(sources));
    let mut diagnostic = RULE.diagnostic(span, message, "qualify it with its source");
    diagnostic.help = sources.first().map(|s| format!("write `{s}.{name}`"));
    diagnostic
}

fn backticked(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
