//! V201: a schema text that is not a valid schema: Avro by its specification, Protobuf as
//! `protoc` (protox) compiles it with its references, JSON Schema as the registry's loader
//! (everit's `SchemaLoader`) loads it.

use super::{Rule, Status};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V201",
    name: "invalid schema",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v201_invalid_avro.md"),
};

pub(super) fn invalid_protobuf(message: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("not a valid Protobuf schema: {message}"), "here").with_help(
        "the registry compiles a `.proto` with the files its `references` name: give each `import` a `reference` child naming the schema it is (the well-known `google/protobuf/*.proto` and `confluent/*.proto` need none)",
    )
}

pub(super) fn invalid_json_schema(message: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("not a valid JSON Schema: {message}"), "here").with_help(
        "the registry loads a JSON Schema as strict JSON, each `$ref` to another document through a `reference` child naming it",
    )
}

pub(super) fn invalid_json(message: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("not a valid Avro schema: {message}"), "not JSON")
        .with_help("an Avro schema is strict JSON: no comments, no trailing commas")
}

pub(super) fn not_a_schema(found: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("expected an Avro schema, found {found}"), "not a schema").with_help(
        "write a type name such as `\"string\"`, an object such as `{\"type\": \"record\", ...}`, or a union such as `[\"null\", \"string\"]`",
    )
}

pub(super) fn missing_attribute(owner: &str, attribute: &str, span: Span) -> Diagnostic {
    let help = match attribute {
        "name" => "give it a name (and a namespace)".into(),
        "type" => "give it a type, such as `\"type\": \"string\"`".into(),
        "fields" => "list its fields: `\"fields\": [{\"name\": \"id\", \"type\": \"string\"}]`".into(),
        "symbols" => "list its symbols: `\"symbols\": [\"A\", \"B\"]`".into(),
        "size" => "give its size in bytes: `\"size\": 16`".into(),
        attribute => format!("add `{attribute}` to the {owner}"),
    };
    RULE.diagnostic(span, format!("{owner} needs the attribute `{attribute}`"), format!("no `{attribute}` here"))
        .with_help(help)
}

pub(super) fn wrong_attribute(attribute: &str, expected: &str, found: &str, span: Span) -> Diagnostic {
    let mut diagnostic = RULE.diagnostic(
        span,
        format!("`{attribute}` must be {expected}, found {found}"),
        format!("expected {expected}"),
    );
    if attribute == "type" {
        diagnostic = diagnostic.with_help(
            "`type` names the type (`\"string\"`, `\"record\"`, ...); to use a complex type for a field, write it as the field's `type`",
        );
    }
    diagnostic
}

pub(super) fn unknown_type(name: &str, suggestion: Option<&str>, span: Span) -> Diagnostic {
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None => "use a primitive type (`null`, `boolean`, `int`, `long`, `float`, `double`, `bytes`, `string`) or define the named type in a schema of the project".into(),
    };
    RULE.diagnostic(span, format!("no Avro type named `{name}`"), "not defined").with_help(help)
}

pub(super) fn invalid_name(what: &str, name: &str, span: Span) -> Diagnostic {
    let help = match what {
        "namespace" => {
            "a namespace is names separated by dots, each starting with a letter or `_` and containing only letters, digits and `_`"
        }
        _ => "a name starts with a letter or `_` and contains only letters, digits and `_`",
    };
    RULE.diagnostic(span, format!("`{name}` is not a valid {what}"), "invalid name").with_help(help)
}

pub(super) fn primitive_name(name: &str, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("a named type cannot be called `{name}`"), "a primitive type's name")
        .with_help("give the type another name")
}

pub(super) fn duplicate_field(record: &str, field: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("record `{record}` has two fields named `{field}`"), "declared again here")
        .with_label(first, "first declared here")
        .with_help("remove or rename one of them")
}

pub(super) fn duplicate_symbol(symbol: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("the enum has the symbol `{symbol}` twice"), "declared again here")
        .with_label(first, "first declared here")
        .with_help("remove or rename one of them")
}

pub(super) fn invalid_fixed_size(found: &str, span: Span) -> Diagnostic {
    let message = format!("the size of a fixed must be an integer from 0 to 2147483647, found {found}");
    RULE.diagnostic(span, message, "invalid size")
}

pub(super) fn duplicate_in_union(branch: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("the union has two branches of type `{branch}`"), "same type again")
        .with_label(first, "first branch of that type")
        .with_help(
            "a union holds at most one branch of each type; only records, enums and fixed of different names may repeat",
        )
}

pub(super) fn nested_union(span: Span) -> Diagnostic {
    RULE.diagnostic(span, "a union cannot contain another union directly", "union inside a union")
        .with_help("list the inner union's branches in the outer union")
}

pub(super) fn redefinition(name: &str, first: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{name}` is defined twice in this schema"), "declared again here")
        .with_label(first, "first declared here")
        .with_help("define the type once and refer to it by name afterwards")
}

pub(super) fn used_before_definition(name: &str, definition: Span, span: Span) -> Diagnostic {
    RULE.diagnostic(span, format!("`{name}` is used before it is defined"), "used here")
        .with_label(definition, "defined here")
        .with_help("define the type at its first use and refer to it by name afterwards")
}

pub(super) fn ambiguous_reference(name: &str, definitions: &[Span], span: Span) -> Diagnostic {
    let mut diagnostic =
        RULE.diagnostic(span, format!("`{name}` is defined differently in several schema files"), "which one?");
    for definition in definitions {
        diagnostic = diagnostic.with_label(*definition, "defined here");
    }
    diagnostic.with_help("define the type in one schema file, or make the definitions the same")
}
