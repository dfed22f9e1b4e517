//! The problems the Avro phase reports (codes V2xx), with their wording.

use super::compat::{Direction, IncompatibilityType};
use crate::diagnostic::Label;
use crate::model::{Compatibility, Side};
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
    /// V202: a topic's schema that its subject's compatibility level does not allow after the
    /// schema recorded in the baseline. Points at the topic's `schema=`.
    IncompatibleChange(Box<Evolution>),
    /// V203: a reader schema that cannot read what a writer schema of the same topic writes.
    /// Points at the reader's `schema=`.
    ReaderCannotRead(Box<ReaderWriter>),
    /// V205: an Avro type a ksqlDB reader cannot represent. Points at the type in the schema.
    Unrepresentable(Box<Unrepresentable>),
    /// V206: a topic's declared schema that cannot read what the query or connector writing the
    /// topic registers and writes. Points at the topic's `schema=`.
    InferredDisagrees(Box<Inferred>),
}

/// The facts of a V206.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub topic: String,
    pub side: Side,
    /// The schema the topic declares.
    pub declared: String,
    /// Who writes (`stream \`PLATINUM\` of transform \`platinum\``, `source \`orders-cdc\``).
    pub writer: String,
    /// Where the writer is: the CREATE statement, the captured table.
    pub writer_span: Span,
    /// The writer is a ksqlDB query (else a connector).
    pub ksql: bool,
    pub kind: IncompatibilityType,
    pub path: String,
    pub reason: String,
    pub more: usize,
    /// The place in the declared schema the reason is about.
    pub fragment: Span,
}

/// The facts of a V202.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evolution {
    /// The venice schema the topic names.
    pub schema: String,
    /// The registry subject (`orders-value`).
    pub subject: String,
    /// Where the baseline came from: `venice.lock` or `venice.lock at REF`.
    pub origin: String,
    pub level: Compatibility,
    /// Which way the failing check read.
    pub direction: Direction,
    /// The first incompatibility found, and how many more there are.
    pub kind: IncompatibilityType,
    pub path: String,
    /// The reason in words, the sides named.
    pub reason: String,
    pub more: usize,
    /// The subject's entry in the lock.
    pub baseline: Span,
    /// The place in the new schema the reason is about, when it is there.
    pub fragment: Option<Span>,
}

/// The facts of a V203.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderWriter {
    pub topic: String,
    pub side: Side,
    /// Who reads (`consumer \`invoicing\``, `the schema topic \`orders\` declares`) with which
    /// schema.
    pub reader: String,
    pub reader_schema: String,
    /// Who writes (`producer \`web\``, `the topic`) with which schema.
    pub writer: String,
    pub writer_schema: String,
    /// The writer's `schema=`.
    pub writer_span: Span,
    pub kind: IncompatibilityType,
    pub path: String,
    pub reason: String,
    pub more: usize,
    /// The place in the reader schema the reason is about.
    pub fragment: Span,
}

/// The facts of a V205.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrepresentable {
    pub topic: String,
    pub side: Side,
    pub schema: String,
    pub what: Unrepresented,
    /// Each ksqlDB reader (`stream \`payments\``) and where it names the topic.
    pub readers: Vec<(String, Span)>,
}

/// What ksqlDB cannot represent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unrepresented {
    /// A union of two or more non-null types, which ksqlDB reads as a STRUCT of its branches.
    Union { field: String, union: String },
    /// A field of a type ksqlDB does not support, which it leaves out.
    Dropped { field: String, reason: String, recursive: bool },
    /// A type that makes the whole schema unreadable to ksqlDB.
    Whole { reason: String },
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
            IncompatibleChange(_) => "V202",
            ReaderCannotRead(_) => "V203",
            Unrepresentable(_) => "V205",
            InferredDisagrees(_) => "V206",
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
            IncompatibleChange(e) => format!(
                "`{}` is not {} compatible with subject `{}` in {}: {} (at `{}`)",
                e.schema,
                level_word(e.level),
                e.subject,
                e.origin,
                e.reason,
                e.path
            ),
            ReaderCannotRead(rw) => format!(
                "{} cannot read the {} that {} writes to `{}`: {} (at `{}`)",
                rw.reader,
                plural(rw.side),
                rw.writer,
                rw.topic,
                rw.reason,
                rw.path
            ),
            InferredDisagrees(i) => format!(
                "the schema `{}` that topic `{}` declares cannot read the {} {} writes: {} (at `{}`)",
                i.declared,
                i.topic,
                plural(i.side),
                i.writer,
                i.reason,
                i.path
            ),
            Unrepresentable(u) => match &u.what {
                Unrepresented::Union { field, union } => format!(
                    "ksqlDB reads the union `{union}`{} as a STRUCT with one field per branch, not as one value",
                    of_field(field)
                ),
                Unrepresented::Dropped { field, reason, .. } => {
                    format!("ksqlDB cannot represent {reason} and leaves the field `{field}` out of `{}`", u.topic)
                }
                Unrepresented::Whole { reason } => {
                    format!("ksqlDB cannot read the {} of `{}`: the schema holds {reason}", plural(u.side), u.topic)
                }
            },
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
            IncompatibleChange(e) => format!("not {} compatible", level_word(e.level)),
            ReaderCannotRead(rw) => format!("reader schema `{}`", rw.reader_schema),
            Unrepresentable(_) => "not representable in ksqlDB".into(),
            InferredDisagrees(i) => format!("declared schema `{}`", i.declared),
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
            IncompatibleChange(e) => {
                let mut labels = vec![Label { span: e.baseline, message: format!("`{}` recorded here", e.subject) }];
                if let Some(fragment) = e.fragment {
                    // The path is the reader's: the new schema's under BACKWARD, the recorded one's
                    // under FORWARD, where the new schema is what is written.
                    let message = match e.direction {
                        Direction::NewReadsOld => format!("`{}`", e.path),
                        Direction::OldReadsNew => "written here".into(),
                    };
                    labels.push(Label { span: fragment, message });
                }
                labels
            }
            ReaderCannotRead(rw) => vec![
                Label { span: rw.writer_span, message: format!("writer schema `{}`", rw.writer_schema) },
                Label { span: rw.fragment, message: format!("`{}` of `{}`", rw.path, rw.reader_schema) },
            ],
            InferredDisagrees(i) => vec![
                Label { span: i.writer_span, message: format!("{} writes here", i.writer) },
                Label { span: i.fragment, message: format!("`{}` of `{}`", i.path, i.declared) },
            ],
            Unrepresentable(u) => u
                .readers
                .iter()
                .map(|(reader, span)| Label { span: *span, message: format!("read by {reader}") })
                .collect(),
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
            IncompatibleChange(e) => {
                let fix = evolution_fix(e.kind, e.direction == Direction::NewReadsOld);
                let more = more_problems(e.more);
                Some(format!(
                    "{fix}, or change the topic's `compatibility` if old data and old readers do not matter{more}; `venice schema compat` lists every problem"
                ))
            }
            ReaderCannotRead(rw) => {
                Some(format!("{}{}", reader_fix(rw.kind, &rw.reader_schema, &rw.writer_schema), more_problems(rw.more)))
            }
            InferredDisagrees(i) if i.ksql => Some(format!(
                "ksqlDB registers its own schema for what a query writes: columns upper-cased unless quoted, every field optional. Name the columns as the schema's fields (``AS `order_id` ``), make those fields optional with a default, or drop `schema=` so readers take what ksqlDB registers{}",
                more_problems(i.more)
            )),
            InferredDisagrees(i) => Some(format!(
                "the connector registers the schema it derives from the table: change `schema=` to match it, or drop `schema=` and let the topic take the derived one{}",
                more_problems(i.more)
            )),
            Unrepresentable(u) => Some(match &u.what {
                Unrepresented::Union { .. } => "give each field a single type, optionally in a union with `null`, and carry alternatives in separate fields".into(),
                Unrepresented::Dropped { recursive: true, .. } => {
                    "ksqlDB has no recursive types: end the recursion, or store the nested part as a string or bytes".into()
                }
                Unrepresented::Dropped { .. } | Unrepresented::Whole { .. } => {
                    "change the type to one ksqlDB supports (see the Avro to ksqlDB mapping)".into()
                }
            }),
        }
    }
}

/// `backward`, `full-transitive`: the level as the language writes it.
fn level_word(level: Compatibility) -> String {
    level.registry_name().to_lowercase().replace('_', "-")
}

fn plural(side: Side) -> &'static str {
    match side {
        Side::Key => "keys",
        Side::Value => "values",
    }
}

fn of_field(field: &str) -> String {
    if field.is_empty() { String::new() } else { format!(" of field `{field}`") }
}

fn more_problems(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (1 more problem besides this one)".into(),
        n => format!(" ({n} more problems besides this one)"),
    }
}

/// How to make a new schema acceptable, by the kind of problem; `new_reads` when the new schema
/// is the reader (BACKWARD), otherwise the recorded schema reads the new one (FORWARD).
fn evolution_fix(kind: IncompatibilityType, new_reads: bool) -> String {
    use IncompatibilityType::*;
    match (kind, new_reads) {
        (ReaderFieldMissingDefaultValue, true) => "give the new field a `default`".into(),
        (ReaderFieldMissingDefaultValue, false) => {
            "keep writing the field, which readers with the recorded schema need as it has no default there".into()
        }
        (TypeMismatch, _) => {
            "change types only along Avro's promotions (`int` to `long`, `float` or `double`; `long` to `float` or `double`; `float` to `double`; `string` and `bytes` either way), and only the way the level allows".into()
        }
        (NameMismatch, _) => "keep the type's name, or list the other name in the reading type's `aliases`".into(),
        (MissingEnumSymbols, _) => "keep every symbol, or give the reading enum a `default` symbol".into(),
        (FixedSizeMismatch, _) => "keep the fixed's size".into(),
        (MissingUnionBranch, _) => "keep every branch of the union the reading side needs".into(),
        (AmbiguousField, _) => "give the field aliases that match one field only".into(),
    }
}

fn reader_fix(kind: IncompatibilityType, reader: &str, writer: &str) -> String {
    use IncompatibilityType::*;
    match kind {
        ReaderFieldMissingDefaultValue => {
            format!("give the field a `default` in `{reader}`, or have `{writer}` write it")
        }
        TypeMismatch => format!(
            "make `{reader}`'s type the writer's, or one it promotes to (`int` to `long`, `float` or `double`; `long` to `float` or `double`; `float` to `double`; `string` and `bytes` either way)"
        ),
        NameMismatch => format!("name the type in `{reader}` as `{writer}` does, or add that name to its `aliases`"),
        MissingEnumSymbols => format!("add the symbols to the enum in `{reader}`, or give it a `default` symbol"),
        FixedSizeMismatch => format!("give the fixed in `{reader}` the writer's size"),
        MissingUnionBranch => format!("add a branch for the writer's type to the union in `{reader}`"),
        AmbiguousField => format!("give the field in `{reader}` aliases that match one of `{writer}`'s fields only"),
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
