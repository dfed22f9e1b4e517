//! The problems the Avro phase finds in a schema (V201, V204), as facts; `rules` words them.

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
    /// A union default that is a value of a later `branch`, not of the `first`.
    NotFirstBranch { first: String, branch: String },
}
