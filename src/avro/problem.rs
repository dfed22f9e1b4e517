//! The problems the Avro phase reports (codes V2xx), with their wording.

use crate::diagnostic::Label;
use crate::source::Span;

/// A problem in an Avro schema or between schemas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// V201: the schema text is not JSON (or is JSON with extensions such as comments).
    InvalidJson { message: String },
    /// V201: a JSON value where a schema belongs that is no schema (a number, a boolean, null).
    NotASchema { found: &'static str },
    /// V201: a definition without an attribute it needs.
    MissingAttribute { owner: &'static str, attribute: &'static str },
    /// V201: an attribute whose value has the wrong JSON type or is not one of its words.
    WrongAttribute { attribute: &'static str, expected: &'static str, found: String },
    /// V201: a type name that is neither primitive nor defined.
    UnknownType { name: String, suggestion: Option<String> },
    /// V201: a name Avro forbids (`[A-Za-z_][A-Za-z0-9_]*`).
    InvalidName { what: &'static str, name: String },
    /// V201: a named type given a primitive type's name.
    PrimitiveName { name: String },
    /// V201: two fields of one record with the same name.
    DuplicateField { record: String, field: String, first: Span },
    /// V201: two symbols of one enum that are the same.
    DuplicateSymbol { symbol: String, first: Span },
    /// V201: a fixed size that is not an integer from 0 to 2^31 - 1.
    InvalidFixedSize { found: String },
    /// V201: a union with two branches of the same type (or the same named type).
    DuplicateInUnion { branch: String, first: Span },
    /// V201: a union directly inside a union.
    NestedUnion,
    /// V201: a full name defined twice in one schema.
    Redefinition { name: String, first: Span },
    /// V201: a named type used before the place that defines it, in the same schema.
    UsedBeforeDefinition { name: String, definition: Span },
    /// V201: a name defined differently by several other schema files of the project.
    AmbiguousReference { name: String, definitions: Vec<Span> },
    /// V204: a field default that is not a value of the field's type.
    InvalidDefault { field: String, ty: String, issue: DefaultIssue },
    /// V204: an enum's `default` that is not one of its symbols.
    EnumDefaultNotSymbol { name: String, default: String, suggestion: Option<String> },
}

/// What is wrong with a default value (V204), at the place the span points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultIssue {
    /// A JSON value of the wrong kind: `expected` a string, found a number.
    Expected { expected: &'static str, found: &'static str },
    /// An integer outside the range of `int` or `long`.
    OutOfRange { primitive: &'static str },
    /// A string that is not one of the enum's symbols.
    NotASymbol { symbol: String, suggestion: Option<String> },
    /// A `bytes` or `fixed` default with a character above U+00FF.
    NotAByte { character: char },
    /// A `fixed` default of the wrong length.
    FixedLength { expected: u32, found: usize },
    /// A record default without a field that has no default of its own.
    MissingField { field: String },
    /// A union default that is a value of none of the branches.
    NoBranch,
}

impl Problem {
    pub fn code(&self) -> &'static str {
        use Problem::*;
        match self {
            InvalidJson { .. }
            | NotASchema { .. }
            | MissingAttribute { .. }
            | WrongAttribute { .. }
            | UnknownType { .. }
            | InvalidName { .. }
            | PrimitiveName { .. }
            | DuplicateField { .. }
            | DuplicateSymbol { .. }
            | InvalidFixedSize { .. }
            | DuplicateInUnion { .. }
            | NestedUnion
            | Redefinition { .. }
            | UsedBeforeDefinition { .. }
            | AmbiguousReference { .. } => "V201",
            InvalidDefault { .. } | EnumDefaultNotSymbol { .. } => "V204",
        }
    }

    pub fn message(&self) -> String {
        use Problem::*;
        match self {
            InvalidJson { message } => format!("not a valid Avro schema: {message}"),
            NotASchema { found } => format!("expected an Avro schema, found {found}"),
            MissingAttribute { owner, attribute } => format!("{owner} needs the attribute `{attribute}`"),
            WrongAttribute { attribute, expected, found } => {
                format!("`{attribute}` must be {expected}, found {found}")
            }
            UnknownType { name, .. } => format!("no Avro type named `{name}`"),
            InvalidName { what, name } => format!("`{name}` is not a valid {what}"),
            PrimitiveName { name } => format!("a named type cannot be called `{name}`"),
            DuplicateField { record, field, .. } => format!("record `{record}` has two fields named `{field}`"),
            DuplicateSymbol { symbol, .. } => format!("the enum has the symbol `{symbol}` twice"),
            InvalidFixedSize { found } => {
                format!("the size of a fixed must be an integer from 0 to 2147483647, found {found}")
            }
            DuplicateInUnion { branch, .. } => format!("the union has two branches of type `{branch}`"),
            NestedUnion => "a union cannot contain another union directly".into(),
            Redefinition { name, .. } => format!("`{name}` is defined twice in this schema"),
            UsedBeforeDefinition { name, .. } => format!("`{name}` is used before it is defined"),
            AmbiguousReference { name, .. } => {
                format!("`{name}` is defined differently in several schema files")
            }
            InvalidDefault { field, ty, .. } => {
                format!("the default of field `{field}` is not a value of its type `{ty}`")
            }
            EnumDefaultNotSymbol { name, default, .. } => {
                format!("the default `{default}` of enum `{name}` is not one of its symbols")
            }
        }
    }

    pub fn label(&self) -> String {
        use Problem::*;
        match self {
            InvalidJson { .. } => "not JSON".into(),
            NotASchema { .. } => "not a schema".into(),
            MissingAttribute { attribute, .. } => format!("no `{attribute}` here"),
            WrongAttribute { expected, .. } => format!("expected {expected}"),
            UnknownType { .. } => "not defined".into(),
            InvalidName { .. } => "invalid name".into(),
            PrimitiveName { .. } => "a primitive type's name".into(),
            DuplicateField { .. } | DuplicateSymbol { .. } | Redefinition { .. } => "declared again here".into(),
            InvalidFixedSize { .. } => "invalid size".into(),
            DuplicateInUnion { .. } => "same type again".into(),
            NestedUnion => "union inside a union".into(),
            UsedBeforeDefinition { .. } => "used here".into(),
            AmbiguousReference { .. } => "which one?".into(),
            InvalidDefault { issue, .. } => issue.label(),
            EnumDefaultNotSymbol { .. } => "not a symbol".into(),
        }
    }

    pub fn labels(&self) -> Vec<Label> {
        use Problem::*;
        match self {
            DuplicateField { first, .. } | DuplicateSymbol { first, .. } | Redefinition { first, .. } => {
                vec![Label { span: *first, message: "first declared here".into() }]
            }
            DuplicateInUnion { first, .. } => vec![Label { span: *first, message: "first branch of that type".into() }],
            UsedBeforeDefinition { definition, .. } => {
                vec![Label { span: *definition, message: "defined here".into() }]
            }
            AmbiguousReference { definitions, .. } => {
                definitions.iter().map(|span| Label { span: *span, message: "defined here".into() }).collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn help(&self) -> Option<String> {
        use Problem::*;
        match self {
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
            InvalidDefault { issue, .. } => issue.help(),
            EnumDefaultNotSymbol { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            EnumDefaultNotSymbol { .. } => Some("use one of the enum's symbols".into()),
        }
    }
}

impl DefaultIssue {
    fn label(&self) -> String {
        use DefaultIssue::*;
        match self {
            Expected { expected, found } => format!("expected {expected}, found {found}"),
            OutOfRange { primitive } => format!("out of range for `{primitive}`"),
            NotASymbol { symbol, .. } => format!("`{symbol}` is not a symbol of the enum"),
            NotAByte { character } => format!("`{character}` (U+{:04X}) is not a byte", *character as u32),
            FixedLength { expected, found } => format!("{found} bytes, expected {expected}"),
            MissingField { field } => format!("no value for field `{field}`"),
            NoBranch => "a value of no branch of the union".into(),
        }
    }

    fn help(&self) -> Option<String> {
        use DefaultIssue::*;
        match self {
            Expected { .. } | OutOfRange { .. } => None,
            NotASymbol { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            NotASymbol { .. } => Some("use one of the enum's symbols".into()),
            NotAByte { .. } => Some(
                "a `bytes` or `fixed` default is a string of characters U+0000 to U+00FF, one per byte (`\"\\u00ff\"`)".into(),
            ),
            FixedLength { .. } => Some("give one character per byte of the fixed".into()),
            MissingField { .. } => Some("give a value for every field that has no default".into()),
            NoBranch => Some(
                "write a value of one of the union's branches (`null` for `\"null\"`); before Avro 1.12 it must be a value of the first branch".into(),
            ),
        }
    }
}
