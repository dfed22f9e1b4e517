//! V204: a default value that is not a value of its type.

use super::{Rule, Status};
use crate::avro::DefaultIssue;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V204",
    name: "default does not match its type",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v204_invalid_default.md"),
};

pub(super) fn invalid_default(field: &str, ty: &str, issue: &DefaultIssue, span: Span) -> Diagnostic {
    let message = format!("the default of field `{field}` is not a value of its type `{ty}`");
    let mut diagnostic = RULE.diagnostic(span, message, label(issue));
    diagnostic.help = help(issue);
    diagnostic
}

pub(super) fn enum_default_not_symbol(name: &str, default: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use one of the enum's symbols".into(),
    };
    let message = format!("the default `{default}` of enum `{name}` is not one of its symbols");
    RULE.diagnostic(span, message, "not a symbol").with_help(help)
}

fn label(issue: &DefaultIssue) -> String {
    use DefaultIssue::*;
    match issue {
        Expected { expected, found } => format!("expected {expected}, found {found}"),
        OutOfRange { primitive } => format!("out of range for `{primitive}`"),
        NotASymbol { symbol, .. } => format!("`{symbol}` is not a symbol of the enum"),
        NotAByte { character } => format!("`{character}` (U+{:04X}) is not a byte", *character as u32),
        FixedLength { expected, found } => format!("{found} bytes, expected {expected}"),
        MissingField { field } => format!("no value for field `{field}`"),
        NoBranch => "a value of no branch of the union".into(),
        NotFirstBranch { first, branch } => format!("a value of `{branch}`, not of the first branch `{first}`"),
    }
}

fn help(issue: &DefaultIssue) -> Option<String> {
    use DefaultIssue::*;
    match issue {
        Expected { .. } | OutOfRange { .. } => None,
        NotASymbol { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
        NotASymbol { .. } => Some("use one of the enum's symbols".into()),
        NotAByte { .. } => Some(
            "a `bytes` or `fixed` default is a string of characters U+0000 to U+00FF, one per byte (`\"\\u00ff\"`)"
                .into(),
        ),
        FixedLength { .. } => Some("give one character per byte of the fixed".into()),
        MissingField { .. } => Some("give a value for every field that has no default".into()),
        NoBranch => Some("write a value of the union's first branch (`null` for `\"null\"`)".into()),
        NotFirstBranch { first, branch } => Some(format!(
            "a union's default is a value of its first branch (the registry's Avro 1.11): list `{branch}` first, or give a default of `{first}`"
        )),
    }
}
