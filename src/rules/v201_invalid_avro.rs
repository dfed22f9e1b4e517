//! V201: a schema text that is not a valid Avro schema.

use super::{Rule, Status};
use crate::avro::Problem;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V201",
    name: "invalid Avro schema",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v201_invalid_avro.md"),
};

pub(super) fn diagnostic(problem: &Problem, span: Span) -> Diagnostic {
    use Problem::*;
    let (message, label): (String, String) = match problem {
        InvalidJson { message } => (format!("not a valid Avro schema: {message}"), "not JSON".into()),
        NotASchema { found } => (format!("expected an Avro schema, found {found}"), "not a schema".into()),
        MissingAttribute { owner, attribute } => {
            (format!("{owner} needs the attribute `{attribute}`"), format!("no `{attribute}` here"))
        }
        WrongAttribute { attribute, expected, found } => {
            (format!("`{attribute}` must be {expected}, found {found}"), format!("expected {expected}"))
        }
        UnknownType { name, .. } => (format!("no Avro type named `{name}`"), "not defined".into()),
        InvalidName { what, name } => (format!("`{name}` is not a valid {what}"), "invalid name".into()),
        PrimitiveName { name } => (format!("a named type cannot be called `{name}`"), "a primitive type's name".into()),
        DuplicateField { record, field, .. } => {
            (format!("record `{record}` has two fields named `{field}`"), "declared again here".into())
        }
        DuplicateSymbol { symbol, .. } => {
            (format!("the enum has the symbol `{symbol}` twice"), "declared again here".into())
        }
        InvalidFixedSize { found } => (
            format!("the size of a fixed must be an integer from 0 to 2147483647, found {found}"),
            "invalid size".into(),
        ),
        DuplicateInUnion { branch, .. } => {
            (format!("the union has two branches of type `{branch}`"), "same type again".into())
        }
        NestedUnion => ("a union cannot contain another union directly".into(), "union inside a union".into()),
        Redefinition { name, .. } => (format!("`{name}` is defined twice in this schema"), "declared again here".into()),
        UsedBeforeDefinition { name, .. } => (format!("`{name}` is used before it is defined"), "used here".into()),
        AmbiguousReference { name, .. } => {
            (format!("`{name}` is defined differently in several schema files"), "which one?".into())
        }
        other => unreachable!("not a V201: {other:?}"),
    };
    let mut diagnostic = RULE.diagnostic(span, message, label);
    match problem {
        DuplicateField { first, .. } | DuplicateSymbol { first, .. } | Redefinition { first, .. } => {
            diagnostic = diagnostic.with_label(*first, "first declared here");
        }
        DuplicateInUnion { first, .. } => diagnostic = diagnostic.with_label(*first, "first branch of that type"),
        UsedBeforeDefinition { definition, .. } => diagnostic = diagnostic.with_label(*definition, "defined here"),
        AmbiguousReference { definitions, .. } => {
            for span in definitions {
                diagnostic = diagnostic.with_label(*span, "defined here");
            }
        }
        _ => {}
    }
    diagnostic.help = help(problem);
    diagnostic
}

fn help(problem: &Problem) -> Option<String> {
    use Problem::*;
    match problem {
        InvalidJson { .. } => Some("an Avro schema is strict JSON: no comments, no trailing commas".into()),
        NotASchema { .. } => {
            Some("write a type name such as `\"string\"`, an object such as `{\"type\": \"record\", ...}`, or a union such as `[\"null\", \"string\"]`".into())
        }
        MissingAttribute { owner, attribute } => Some(match (*owner, *attribute) {
            (_, "name") => "give it a name (and a namespace)".into(),
            (_, "type") => "give it a type, such as `\"type\": \"string\"`".into(),
            (_, "fields") => "list its fields: `\"fields\": [{\"name\": \"id\", \"type\": \"string\"}]`".into(),
            (_, "symbols") => "list its symbols: `\"symbols\": [\"A\", \"B\"]`".into(),
            (_, "size") => "give its size in bytes: `\"size\": 16`".into(),
            (owner, attribute) => format!("add `{attribute}` to the {owner}"),
        }),
        WrongAttribute { attribute: "type", .. } => Some(
            "`type` names the type (`\"string\"`, `\"record\"`, ...); to use a complex type for a field, write it as the field's `type`".into(),
        ),
        WrongAttribute { .. } => None,
        UnknownType { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
        UnknownType { .. } => Some(
            "use a primitive type (`null`, `boolean`, `int`, `long`, `float`, `double`, `bytes`, `string`) or define the named type in a schema of the project".into(),
        ),
        InvalidName { what: "namespace", .. } => {
            Some("a namespace is names separated by dots, each starting with a letter or `_` and containing only letters, digits and `_`".into())
        }
        InvalidName { .. } => {
            Some("a name starts with a letter or `_` and contains only letters, digits and `_`".into())
        }
        PrimitiveName { .. } => Some("give the type another name".into()),
        DuplicateField { .. } | DuplicateSymbol { .. } => Some("remove or rename one of them".into()),
        InvalidFixedSize { .. } => None,
        DuplicateInUnion { .. } => Some(
            "a union holds at most one branch of each type; only records, enums and fixed of different names may repeat".into(),
        ),
        NestedUnion => Some("list the inner union's branches in the outer union".into()),
        Redefinition { .. } => Some("define the type once and refer to it by name afterwards".into()),
        UsedBeforeDefinition { .. } => Some("define the type at its first use and refer to it by name afterwards".into()),
        AmbiguousReference { .. } => {
            Some("define the type in one schema file, or make the definitions the same".into())
        }
        other => unreachable!("not a V201: {other:?}"),
    }
}
