//! The diagnostic type: every problem Venice reports, as data.
//!
//! A [`Diagnostic`] holds a [`DiagnosticKind`] with typed fields and the span where the mistake
//! is. All wording lives here, in [`DiagnosticKind::message`], [`DiagnosticKind::label`],
//! [`DiagnosticKind::help`] and [`DiagnosticKind::labels`]; renderers only lay it out.

use crate::model::{Format, Side};
use crate::source::Span;
use crate::text::lowercase_first;

/// How bad a diagnostic is. Errors fail `venice check`; warnings fail it only with `--deny warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary place involved in a diagnostic, possibly in another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem found in the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: DiagnosticKind,
    /// Where the mistake is.
    pub span: Span,
}

impl Diagnostic {
    pub fn new(kind: DiagnosticKind, span: Span) -> Self {
        Diagnostic { kind, span }
    }

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }

    pub fn message(&self) -> String {
        self.kind.message()
    }

    pub fn help(&self) -> Option<String> {
        self.kind.help()
    }

    /// The message under the primary span.
    pub fn label(&self) -> String {
        self.kind.label()
    }

    pub fn labels(&self) -> Vec<Label> {
        self.kind.labels()
    }
}

/// What a value was expected to be, for V003.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    String,
    Integer,
    Bool,
    /// An integer within bounds.
    IntegerIn(i64, i64),
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
    /// `30s`, `15m`, `12h`, `7d` or `forever`.
    Duration,
}

impl Expected {
    fn describe(&self) -> String {
        match self {
            Expected::String => "a string".into(),
            Expected::Integer => "an integer".into(),
            Expected::Bool => "`#true` or `#false`".into(),
            Expected::IntegerIn(low, high) => format!("an integer from {low} to {high}"),
            Expected::OneOf(words) => format!("one of {}", quote_list(words)),
            Expected::Duration => "a duration such as `30s`, `15m`, `12h`, `7d`, or `forever`".into(),
        }
    }
}

/// Where an argument or property sits, to name it in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The n-th argument (0-based) with the name the grammar gives it.
    Argument {
        index: usize,
        name: &'static str,
    },
    Property(String),
}

impl Slot {
    fn describe(&self) -> String {
        match self {
            Slot::Argument { name, .. } => format!("argument `{name}`"),
            Slot::Property(name) => format!("property `{name}`"),
        }
    }
}

/// How a reader's format misses what is written (V101, V103, V104, V105).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mismatch {
    /// Another format altogether.
    Format,
    /// `avro` against `avro-raw`.
    Framing,
    /// `json` against `connect-json`.
    Envelope,
}

/// Which side of a topic nobody is on, for V502.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unused {
    Written,
    Read,
    WrittenOrRead,
}

/// Every kind of problem, with the facts needed to word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiagnosticKind {
    /// V001: the KDL parser rejected the file.
    InvalidKdl { message: String, label: Option<String>, help: Option<String> },
    /// V002: a node the grammar does not have at this place.
    UnknownNode { name: String, parent: Option<String>, suggestion: Option<String> },
    /// V002: a property the node does not take.
    UnknownProperty { node: String, name: String, suggestion: Option<String> },
    /// V002: more arguments than the node takes.
    UnexpectedArgument { node: String, takes: usize },
    /// V002: a node that takes no children was given a block.
    UnexpectedChildren { node: String },
    /// V003: a required argument is absent.
    MissingArgument { node: String, name: &'static str },
    /// V003: a required property is absent.
    MissingProperty { node: String, name: &'static str },
    /// V003: a required child node is absent.
    MissingChild { node: String, child: &'static str },
    /// V003: one of several alternatives must be given.
    MissingOneOf { node: String, options: &'static [&'static str] },
    /// V003: two properties that exclude each other.
    Conflicting { node: String, first: String, second: String },
    /// V003: a value of the wrong type or outside its set.
    WrongType { node: String, slot: Slot, expected: Expected, found: String, suggestion: Option<String> },
    /// V003: a node that may appear once appears again.
    RepeatedNode { node: String, first: Span },
    /// V004: a name declared twice in one kind.
    DuplicateName { kind: &'static str, name: String, first: Span },
    /// V005: a reference to something never declared.
    UnknownReference { kind: &'static str, name: String, suggestion: Option<String> },
    /// V006: a file that cannot be read.
    UnreadableFile { path: String, reason: String },
    /// V006: an include pattern that matches no file.
    IncludeMatchesNothing { pattern: String },
    /// V006: a file that is not UTF-8 text.
    NotUtf8 { path: String },
    /// V007: a secret written inline.
    InlineSecret { node: String },
    /// V007: a `config` setting that holds a secret, written inline.
    InlineSecretSetting { key: String },
    /// V008: an include that leads back to a file already being read.
    IncludeCycle { path: String },
    /// V101, V103, V104, V105: a reader expects another format than the one written.
    ReaderMismatch {
        mismatch: Mismatch,
        side: Side,
        topic: String,
        reader: String,
        read: Format,
        written: Format,
        /// Who says what is written, as a sentence's subject (`the topic declares`), and where.
        writer: String,
        writer_span: Span,
    },
    /// V102: ksqlDB reads a structured key as a KAFKA string.
    StringKey {
        topic: String,
        reader: String,
        written: Format,
        writer: String,
        writer_span: Span,
        /// Set when the declared ksqlDB version reads every key as a string.
        old_version: Option<String>,
    },
    /// V106: a connector that needs records with a schema reads a schemaless format.
    Schemaless { connector: String, side: Side, format: Format },
    /// V107: a windowed key read as a plain key.
    WindowedKey { topic: String, reader: String, writer: String, writer_span: Span },
    /// V108: a writer writes another format than another writer, or than the declaration.
    WritersDisagree {
        side: Side,
        topic: String,
        writer: String,
        format: Format,
        other: String,
        other_format: Format,
        other_span: Span,
    },
    /// V109: nothing says what format a side of a topic has.
    UndeterminedFormat { side: Side, topic: String },
    /// V502: a declared topic without writers or without readers.
    UnusedTopic { topic: String, unused: Unused },
    /// V2xx: a problem in an Avro schema, worded by the Avro phase.
    Avro(crate::avro::Problem),
    /// V302 to V310: a problem in ksqlDB statements, worded by the ksqlDB front end.
    Ksql(crate::ksql::Problem),
    /// V401 to V408: a problem with a connector, worded by the connector catalog.
    Connect(crate::connect::Problem),
    /// V009: venice.lock cannot be read as a lock.
    InvalidLock { message: String },
    /// V503: fewer partitions than the baseline.
    FewerPartitions { topic: String, partitions: u32, baseline: u32, origin: String, baseline_span: Span },
    /// V010: includes nested deeper than the limit.
    IncludeTooDeep { limit: usize },
    /// V301: ksqlDB text that cannot even be tokenized.
    KsqlSyntax { message: String },
}

impl DiagnosticKind {
    pub fn code(&self) -> &'static str {
        use DiagnosticKind::*;
        match self {
            InvalidKdl { .. } => "V001",
            UnknownNode { .. } | UnknownProperty { .. } | UnexpectedArgument { .. } | UnexpectedChildren { .. } => {
                "V002"
            }
            MissingArgument { .. }
            | MissingProperty { .. }
            | MissingChild { .. }
            | MissingOneOf { .. }
            | Conflicting { .. }
            | WrongType { .. }
            | RepeatedNode { .. } => "V003",
            DuplicateName { .. } => "V004",
            UnknownReference { .. } => "V005",
            UnreadableFile { .. } | IncludeMatchesNothing { .. } | NotUtf8 { .. } => "V006",
            InlineSecret { .. } | InlineSecretSetting { .. } => "V007",
            IncludeCycle { .. } => "V008",
            KsqlSyntax { .. } => "V301",
            UnusedTopic { .. } => "V502",
            InvalidLock { .. } => "V009",
            IncludeTooDeep { .. } => "V010",
            FewerPartitions { .. } => "V503",
            ReaderMismatch { mismatch: Mismatch::Framing, .. } => "V104",
            ReaderMismatch { mismatch: Mismatch::Envelope, .. } => "V105",
            ReaderMismatch { side: Side::Key, .. } => "V101",
            ReaderMismatch { side: Side::Value, .. } => "V103",
            StringKey { .. } => "V102",
            Schemaless { .. } => "V106",
            WindowedKey { .. } => "V107",
            WritersDisagree { .. } => "V108",
            UndeterminedFormat { .. } => "V109",
            Avro(problem) => problem.code(),
            Ksql(problem) => problem.code(),
            Connect(problem) => problem.code(),
        }
    }

    pub fn severity(&self) -> Severity {
        crate::rules::severity(self.code())
    }

    pub fn message(&self) -> String {
        use DiagnosticKind::*;
        match self {
            InvalidKdl { message, .. } => format!("not valid KDL: {}", lowercase_first(message)),
            UnknownNode { name, parent: Some(parent), .. } => {
                format!("unknown node `{name}` in `{parent}`")
            }
            UnknownNode { name, parent: None, .. } => format!("unknown node `{name}`"),
            UnknownProperty { node, name, .. } => {
                format!("unknown property `{name}` on `{node}`")
            }
            UnexpectedArgument { node, takes: 0 } => format!("`{node}` takes no arguments"),
            UnexpectedArgument { node, takes: 1 } => format!("`{node}` takes one argument"),
            UnexpectedArgument { node, takes } => format!("`{node}` takes {takes} arguments"),
            UnexpectedChildren { node } => format!("`{node}` takes no children block"),
            MissingArgument { node, name } => format!("`{node}` needs its argument `{name}`"),
            MissingProperty { node, name } => format!("`{node}` needs the property `{name}`"),
            MissingChild { node, child } => format!("`{node}` needs a `{child}` node"),
            MissingOneOf { node, options } => {
                format!("`{node}` needs one of {}", quote_list(options))
            }
            Conflicting { node, first, second } => {
                format!("`{node}` takes `{first}` or `{second}`, not both")
            }
            WrongType { node, slot, expected, found, .. } => {
                format!("{} of `{node}` must be {}, found {found}", slot.describe(), expected.describe())
            }
            RepeatedNode { node, .. } => format!("`{node}` is given more than once"),
            DuplicateName { kind, name, .. } => format!("{kind} `{name}` is declared twice"),
            UnknownReference { kind, name, .. } => format!("no {kind} named `{name}`"),
            UnreadableFile { path, reason } => format!("cannot read `{path}`: {reason}"),
            IncludeMatchesNothing { pattern } => format!("`include \"{pattern}\"` matches no file"),
            NotUtf8 { path } => format!("`{path}` is not UTF-8 text"),
            InlineSecret { node } => format!("`{node}` is written inline"),
            InlineSecretSetting { key } => format!("the secret setting `{key}` is written inline"),
            IncludeCycle { path } => format!("`{path}` includes itself"),
            KsqlSyntax { message } => format!("ksqlDB syntax error: {}", lowercase_first(message)),
            UnusedTopic { topic, unused } => {
                let what = match unused {
                    Unused::Written => "writes",
                    Unused::Read => "reads",
                    Unused::WrittenOrRead => "writes or reads",
                };
                format!("nothing in the project {what} topic `{topic}`")
            }
            Avro(problem) => problem.message(),
            Ksql(problem) => problem.message(),
            Connect(problem) => problem.message(),
            ReaderMismatch { side, topic, reader, read, written, writer, .. } => {
                format!("{reader} reads the {} of topic `{topic}` as `{read}`, but {writer} `{written}`", side.as_str())
            }
            StringKey { topic, reader, written, writer, old_version: None, .. } => format!(
                "string-key pitfall: {reader} reads the key of topic `{topic}` as a KAFKA string, but {writer} `{written}` keys"
            ),
            StringKey { topic, reader, written, old_version: Some(version), .. } => format!(
                "string-key pitfall: ksqlDB {version} reads every key as a string, so {reader} reads the `{written}` keys of topic `{topic}` as text"
            ),
            Schemaless { connector, side, format } => {
                format!("{connector} needs records with a schema, but reads its {} as `{format}`", side.as_str())
            }
            WindowedKey { topic, reader, writer, .. } => {
                format!("{reader} reads the windowed key that {writer} writes to topic `{topic}` as a plain key")
            }
            WritersDisagree { side, topic, writer, format, other, other_format, .. } => format!(
                "{writer} writes the {} of topic `{topic}` as `{format}`, but {other} `{other_format}`",
                side.as_str()
            ),
            InvalidLock { message } => format!("`venice.lock` is not a valid lock: {message}"),
            IncludeTooDeep { limit } => format!("includes nest deeper than {limit} files"),
            FewerPartitions { topic, partitions, baseline, origin, .. } => {
                format!("topic `{topic}` has {partitions} partitions, fewer than the {baseline} recorded in {origin}")
            }
            UndeterminedFormat { side, topic } => {
                format!("the {} format of topic `{topic}` cannot be determined", side.as_str())
            }
        }
    }

    /// The short text under the primary span.
    pub fn label(&self) -> String {
        use DiagnosticKind::*;
        match self {
            InvalidKdl { label, .. } => label.clone().unwrap_or_else(|| "here".into()),
            UnknownNode { .. } => "unknown node".into(),
            UnknownProperty { .. } => "unknown property".into(),
            UnexpectedArgument { .. } => "unexpected argument".into(),
            UnexpectedChildren { .. } => "unexpected block".into(),
            MissingArgument { .. } | MissingProperty { .. } | MissingChild { .. } => "declared here".into(),
            MissingOneOf { .. } => "declared here".into(),
            Conflicting { .. } => "second of the two".into(),
            WrongType { expected, .. } => format!("expected {}", expected.describe()),
            RepeatedNode { .. } => "given again here".into(),
            DuplicateName { .. } => "declared again here".into(),
            UnknownReference { .. } => "not declared".into(),
            UnreadableFile { .. } | IncludeMatchesNothing { .. } | NotUtf8 { .. } => "named here".into(),
            InlineSecret { .. } | InlineSecretSetting { .. } => "a secret in the file".into(),
            IncludeCycle { .. } => "included again here".into(),
            KsqlSyntax { .. } => "here".into(),
            UnusedTopic { .. } => "declared here".into(),
            Avro(problem) => problem.label(),
            Ksql(problem) => problem.label(),
            Connect(problem) => problem.label(),
            ReaderMismatch { read, .. } => format!("reads `{read}`"),
            StringKey { .. } => "reads the key as a string".into(),
            Schemaless { format, .. } => format!("`{format}` has no schema"),
            WindowedKey { .. } => "reads a plain key".into(),
            WritersDisagree { format, .. } => format!("writes `{format}`"),
            UndeterminedFormat { side, .. } => format!("no `{}` and no writer", side.as_str()),
            InvalidLock { .. } => "here".into(),
            IncludeTooDeep { .. } => "one include too many".into(),
            FewerPartitions { .. } => "fewer partitions".into(),
        }
    }

    /// Secondary places, possibly in other files.
    pub fn labels(&self) -> Vec<Label> {
        use DiagnosticKind::*;
        match self {
            RepeatedNode { first, .. } => vec![Label { span: *first, message: "first given here".into() }],
            DuplicateName { first, .. } => {
                vec![Label { span: *first, message: "first declared here".into() }]
            }
            Avro(problem) => problem.labels(),
            Ksql(problem) => problem.labels(),
            Connect(problem) => problem.labels(),
            ReaderMismatch { written, writer_span, .. } => {
                vec![Label { span: *writer_span, message: format!("`{written}` here") }]
            }
            StringKey { written, writer_span, .. } => {
                vec![Label { span: *writer_span, message: format!("`{written}` keys here") }]
            }
            WindowedKey { writer_span, .. } => {
                vec![Label { span: *writer_span, message: "a windowed aggregation writes it".into() }]
            }
            FewerPartitions { baseline, baseline_span, .. } => {
                vec![Label { span: *baseline_span, message: format!("{baseline} recorded here") }]
            }
            WritersDisagree { other_format, other_span, .. } => {
                vec![Label { span: *other_span, message: format!("`{other_format}` here") }]
            }
            _ => Vec::new(),
        }
    }

    pub fn help(&self) -> Option<String> {
        use DiagnosticKind::*;
        match self {
            InvalidKdl { help, .. } => help.clone(),
            UnknownNode { suggestion: Some(s), .. } | UnknownProperty { suggestion: Some(s), .. } => {
                Some(format!("did you mean `{s}`?"))
            }
            UnknownNode { parent, .. } => Some(match parent {
                Some(parent) => format!("see `schema/REFERENCE.md` for the nodes `{parent}` takes"),
                None => "see `schema/REFERENCE.md` for the top-level nodes".into(),
            }),
            UnknownProperty { node, .. } => Some(format!("see `schema/REFERENCE.md` for the properties of `{node}`")),
            UnexpectedArgument { .. } => Some("remove the extra argument".into()),
            UnexpectedChildren { .. } => Some("remove the `{ ... }` block".into()),
            WrongType { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            WrongType { .. } => None,
            RepeatedNode { .. } => Some("keep one of them".into()),
            Conflicting { .. } => Some("keep one of them".into()),
            DuplicateName { kind, .. } => Some(format!("give each {kind} its own name")),
            UnknownReference { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            UnknownReference { kind, .. } => Some(format!("declare the {kind} first")),
            IncludeMatchesNothing { .. } => Some("the pattern is relative to the file that names it".into()),
            NotUtf8 { .. } => Some("save the file as UTF-8".into()),
            InlineSecret { node } => {
                Some(format!("reference it instead: `{node} env=VAR` (an environment variable) or `{node} file=PATH`"))
            }
            InlineSecretSetting { key } => Some(format!(
                "reference it through Kafka's EnvVarConfigProvider instead: `config \"{key}\" \"${{env:VAR}}\"`"
            )),
            IncludeCycle { .. } => Some("remove the include, or narrow its pattern".into()),
            UnusedTopic { unused, .. } => Some(match unused {
                Unused::Written => "declare the producer or source that writes it, or remove the topic".into(),
                Unused::Read => "declare the consumer or sink that reads it, or remove the topic".into(),
                Unused::WrittenOrRead => "declare who writes and reads it, or remove the topic".into(),
            }),
            Avro(problem) => problem.help(),
            Ksql(problem) => problem.help(),
            Connect(problem) => problem.help(),
            ReaderMismatch { mismatch: Mismatch::Framing, .. } => Some(
                "`avro` is framed for the Schema Registry (magic byte 0, 4-byte schema id), `avro-raw` is not: make both sides the same".into(),
            ),
            ReaderMismatch { mismatch: Mismatch::Envelope, .. } => Some(
                "`connect-json` wraps each record as {\"schema\": ..., \"payload\": ...}, `json` does not: make both sides the same (JsonConverter's `schemas.enable`)".into(),
            ),
            ReaderMismatch { side, written, .. } => Some(format!(
                "read the {} as `{written}` (or as `bytes`, uninterpreted), or change what is written",
                side.as_str()
            )),
            StringKey { written, old_version, .. } => {
                let bytes = string_key_bytes(*written);
                let fix = match old_version {
                    None => format!("declare `KEY_FORMAT='{}'` (ksqlDB 0.15 or later)", ksql_format_name(*written)),
                    Some(_) => "use ksqlDB 0.15 or later, whose `KEY_FORMAT` can read it".into(),
                };
                Some(format!(
                    "ksqlDB would keep each key as the text of its bytes ({bytes}), write that text as the key of what it produces, and a sink downstream would store it; {fix}, or write `string` keys"
                ))
            }
            Schemaless { .. } => Some(
                "use a format with a schema: `avro`, `json-sr`, `protobuf` or `connect-json`".into(),
            ),
            WindowedKey { .. } => Some(
                "read the key as `bytes` and split off the window, declare `WINDOW_TYPE` on the ksqlDB source, or re-key the table without its window before it reaches this reader".into(),
            ),
            WritersDisagree { .. } => Some("every writer of a topic must write the same format".into()),
            InvalidLock { .. } => Some(
                "`venice build` writes this file; restore it from version control or delete it to start a new baseline".into(),
            ),
            IncludeTooDeep { .. } => {
                Some("include the files from venice.kdl (or one level down) instead of chaining them".into())
            }
            FewerPartitions { baseline, .. } => Some(format!(
                "Kafka cannot remove partitions: keep {baseline}, or move to a new topic"
            )),
            UndeterminedFormat { side, .. } => Some(format!(
                "declare it on the topic: `{} FORMAT`, e.g. `{} string`",
                side.as_str(),
                side.as_str()
            )),
            MissingArgument { .. }
            | MissingProperty { .. }
            | MissingChild { .. }
            | MissingOneOf { .. }
            | UnreadableFile { .. }
            | KsqlSyntax { .. } => None,
        }
    }
}

/// What the string-key pitfall turns a key written in `format` into, in words.
fn string_key_bytes(format: Format) -> &'static str {
    match format {
        Format::Avro | Format::JsonSr | Format::Protobuf => {
            "the magic byte 0x00, the 4-byte schema id, then the encoded record"
        }
        Format::AvroRaw => "raw Avro binary",
        Format::Json => "the JSON document as text, quotes and braces included",
        Format::ConnectJson => "the whole {\"schema\": ..., \"payload\": ...} envelope as text",
        _ => "the key's bytes",
    }
}

/// The ksqlDB format that reads `format` (LANGUAGE.md, the serde table).
fn ksql_format_name(format: Format) -> &'static str {
    match format {
        Format::Avro => "AVRO",
        Format::JsonSr => "JSON_SR",
        Format::Protobuf => "PROTOBUF",
        Format::Json => "JSON",
        Format::Delimited => "DELIMITED",
        Format::None => "NONE",
        _ => "KAFKA",
    }
}

fn quote_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}

/// The closest of `candidates` to `name`, when it is close enough to be the one meant.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let lowered = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lowered, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_pick_the_closest_name_and_only_close_ones() {
        assert_eq!(suggest("parttions", ["partitions", "replication"]), Some("partitions".into()));
        assert_eq!(suggest("ORDERS", ["orders", "customers"]), Some("orders".into()));
        assert_eq!(suggest("xyz", ["partitions", "replication"]), None);
    }

    #[test]
    fn kdl_messages_are_reworded_in_our_style() {
        assert_eq!(lowercase_first("Expected valid value."), "expected valid value");
    }
}
