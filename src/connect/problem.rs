//! The problems the connector checks report (codes V401 to V408), with their wording.

use crate::diagnostic::Label;
use crate::model::{Format, Side};
use crate::source::Span;

/// A problem with a Kafka Connect source or sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// V401: `connector=` names no catalog entry.
    UnknownConnector { connector: String, name: String, suggestion: Option<String> },
    /// V401: a catalog entry used in a direction it does not work in (`source connector=jdbc`).
    WrongDirection { connector: String, name: String, works_as: &'static str },
    /// V401: a setting the connector cannot run without.
    MissingSetting { connector: String, name: String, setting: &'static str },
    /// V401: the database a Debezium source reads has no `user` (`database.user` has no default).
    DatabaseUserMissing { connector: String, database: String },
    /// V401: a format that no Kafka Connect converter reads or writes (`avro-raw`).
    NoConverter { connector: String, side: Side, format: Format },
    /// V401: a source whose records a format's converter cannot write (a Debezium struct as
    /// `string`, a FileStream line as `int`).
    CannotWrite { connector: String, side: Side, format: Format, records: &'static str },
    /// V401: the stack's Connect lists its plugins, and not this connector's.
    PluginMissing { connector: String, plugin: &'static str, stack: Span },
    /// V402: `mode upsert`/`update` without a primary key.
    UpsertWithoutKey { sink: String, mode: &'static str },
    /// V403: a `pk` field that the key or value record does not have.
    PkFieldMissing {
        sink: String,
        field: String,
        side: Side,
        origin: String,
        origin_span: Span,
        suggestion: Option<String>,
    },
    /// V404: `deletes #true` without `pk record-key`.
    DeletesWithoutRecordKey { sink: String },
    /// V405: a sink reads a topic with tombstones and does not handle them.
    TombstonesNotHandled { sink: String, topic: String, because: String, because_span: Span, fails: bool },
    /// V406: a field the sink has no column type for. Points at the field in its schema (or
    /// DDL), with a label on the sink.
    Unstorable { sink: String, field: String, what: String, sink_span: Span },
    /// V407: a Debezium change envelope read where rows are expected.
    EnvelopeRead { reader: EnvelopeReader, topic: String, source: String, source_span: Span },
    /// V408: a captured table's DDL that gives no schema.
    Ddl { table: String, issue: DdlIssue },
}

/// Who reads a Debezium envelope as if it were the row (V407).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeReader {
    /// A sink that maps fields to columns (Confluent's JDBC sink).
    Sink(String),
    /// A consumer whose reader schema is the row.
    Consumer(String),
    /// A ksqlDB query that uses the row's columns, which the envelope has only inside `AFTER`.
    Query { name: String, columns: Vec<String> },
}

/// Why a DDL gives no schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DdlIssue {
    Syntax { message: String },
    NoTable { found: Vec<String> },
}

impl Problem {
    pub fn code(&self) -> &'static str {
        use Problem::*;
        match self {
            UnknownConnector { .. }
            | WrongDirection { .. }
            | MissingSetting { .. }
            | DatabaseUserMissing { .. }
            | NoConverter { .. }
            | CannotWrite { .. }
            | PluginMissing { .. } => "V401",
            UpsertWithoutKey { .. } => "V402",
            PkFieldMissing { .. } => "V403",
            DeletesWithoutRecordKey { .. } => "V404",
            TombstonesNotHandled { .. } => "V405",
            Unstorable { .. } => "V406",
            EnvelopeRead { .. } => "V407",
            Ddl { .. } => "V408",
        }
    }

    pub fn message(&self) -> String {
        use Problem::*;
        match self {
            UnknownConnector { connector, name, .. } => format!("{connector} names the unknown connector `{name}`"),
            WrongDirection { connector, name, works_as } => {
                format!("{connector} uses `{name}`, which is a {works_as} connector")
            }
            MissingSetting { connector, name, setting } => format!("{connector} (`{name}`) needs `{setting}`"),
            DatabaseUserMissing { connector, database } => {
                format!("{connector} reads database `{database}`, which has no `user`")
            }
            NoConverter { connector, side, format } => format!(
                "no Kafka Connect converter reads or writes `{format}`, the {} format of {connector}",
                side.as_str()
            ),
            CannotWrite { connector, side, format, records } => {
                format!("{connector} writes {records} as its {}, which `{format}` cannot hold", side.as_str())
            }
            PluginMissing { connector, plugin, .. } => {
                format!("{connector} needs the Connect plugin `{plugin}`, which the stack does not install")
            }
            UpsertWithoutKey { sink, mode } => format!("sink `{sink}` uses `mode {mode}` without a primary key"),
            PkFieldMissing { sink, field, side, origin, .. } => format!(
                "the primary-key field `{field}` of sink `{sink}` is not in the record {} ({origin})",
                side.as_str()
            ),
            DeletesWithoutRecordKey { sink } => {
                format!("sink `{sink}` has `deletes #true` but does not take its primary key from the record key")
            }
            TombstonesNotHandled { sink, topic, .. } => {
                format!("sink `{sink}` reads tombstones from topic `{topic}` but does not handle deletes")
            }
            Unstorable { sink, field, what, .. } => {
                format!("sink `{sink}` cannot store the field `{field}`: it has no column type for {what}")
            }
            EnvelopeRead { reader: EnvelopeReader::Sink(sink), topic, source, .. } => format!(
                "sink `{sink}` reads Debezium change envelopes from topic `{topic}`, where rows are expected (source `{source}` has no `unwrap #true`)"
            ),
            EnvelopeRead { reader: EnvelopeReader::Consumer(consumer), topic, source, .. } => format!(
                "consumer `{consumer}` reads Debezium change envelopes from topic `{topic}` with a row schema (source `{source}` has no `unwrap #true`)"
            ),
            EnvelopeRead { reader: EnvelopeReader::Query { name, columns }, topic, source, .. } => format!(
                "ksqlDB query `{name}` reads Debezium change envelopes from topic `{topic}` as rows: {} {} inside each envelope's `AFTER` (source `{source}` has no `unwrap #true`)",
                columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                if columns.len() == 1 { "is" } else { "are" }
            ),
            Ddl { table, issue: DdlIssue::Syntax { message } } => {
                format!("the DDL of `{table}` is not valid PostgreSQL: {message}")
            }
            Ddl { table, issue: DdlIssue::NoTable { .. } } => format!("the DDL has no `CREATE TABLE {table}`"),
        }
    }

    pub fn label(&self) -> String {
        use Problem::*;
        match self {
            UnknownConnector { .. } => "not in the catalog".into(),
            WrongDirection { works_as, .. } => format!("a {works_as} connector"),
            MissingSetting { setting, .. } => format!("no `{setting}`"),
            DatabaseUserMissing { .. } => "read here".into(),
            NoConverter { format, .. } => format!("`{format}` has no converter"),
            CannotWrite { format, .. } => format!("`{format}` here"),
            PluginMissing { .. } => "its plugin is not installed".into(),
            UpsertWithoutKey { mode, .. } => format!("`{mode}` needs a primary key"),
            PkFieldMissing { .. } => "no such field".into(),
            DeletesWithoutRecordKey { .. } => "needs `pk record-key`".into(),
            TombstonesNotHandled { .. } => "reads tombstones".into(),
            Unstorable { what, .. } => format!("{what}: no column type"),
            EnvelopeRead { reader: EnvelopeReader::Query { .. }, .. } => "a field of the row, inside `AFTER`".into(),
            EnvelopeRead { .. } => "expects rows".into(),
            Ddl { issue: DdlIssue::Syntax { .. }, .. } => "here".into(),
            Ddl { issue: DdlIssue::NoTable { .. }, .. } => "this DDL".into(),
        }
    }

    pub fn labels(&self) -> Vec<Label> {
        use Problem::*;
        match self {
            PluginMissing { stack, .. } => {
                vec![Label { span: *stack, message: "the plugins the stack installs".into() }]
            }
            PkFieldMissing { origin, origin_span, .. } => {
                vec![Label { span: *origin_span, message: format!("{origin} is declared here") }]
            }
            TombstonesNotHandled { because, because_span, .. } => {
                vec![Label { span: *because_span, message: because.clone() }]
            }
            Unstorable { sink, sink_span, .. } => {
                vec![Label { span: *sink_span, message: format!("sink `{sink}` writes it to a table") }]
            }
            EnvelopeRead { source_span, .. } => {
                vec![Label { span: *source_span, message: "writes change envelopes (before, after, op, ...)".into() }]
            }
            _ => Vec::new(),
        }
    }

    pub fn help(&self) -> Option<String> {
        use Problem::*;
        match self {
            UnknownConnector { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            UnknownConnector { .. } => Some(format!(
                "use one of {}, or any connector by its Java class with `class=\"...\"`",
                super::catalog::names().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            )),
            WrongDirection { works_as, .. } => {
                Some(format!("declare it as a `{works_as}`, or pick a connector that works this way"))
            }
            MissingSetting { setting, .. } => Some(match *setting {
                "database" => "add `database NAME`, naming a declared `database`".into(),
                "table" => "add `table \"schema.table\" topic=TOPIC` for each table to capture".into(),
                "file" => "add `file \"PATH\"`: the file the connector reads or writes".into(),
                "topic=" => "add `topic=TOPIC`".into(),
                other => format!("add `{other}`"),
            }),
            DatabaseUserMissing { database, .. } => Some(format!(
                "Debezium's `database.user` has no default: add `user NAME` to `database {database}`, a role with REPLICATION and LOGIN"
            )),
            NoConverter { .. } => Some(
                "`avro-raw` has no registry framing, and Connect's converters only read and write `avro` (with the framing): use `avro`, or `bytes` to pass the bytes through".into(),
            ),
            CannotWrite { format: Format::String | Format::Delimited, .. } => Some(
                "`StringConverter` writes a record's `toString()`, which nothing can read back: use `avro`, `json-sr`, `protobuf`, `json` or `connect-json`".into(),
            ),
            CannotWrite { .. } => Some(
                "that converter fails the task on the first record: use a format that holds what the connector writes".into(),
            ),
            PluginMissing { plugin, .. } => Some(format!("add `plugin {plugin}` to `stack {{ connect {{ ... }} }}`")),
            UpsertWithoutKey { .. } => Some(
                "add `pk record-key` (the key's fields) or `pk record-value fields=...`: upserts and updates find their row by its primary key".into(),
            ),
            PkFieldMissing { suggestion: Some(s), .. } => Some(format!("did you mean `{s}`?")),
            PkFieldMissing { side, .. } => Some(format!(
                "name fields of the record {} (names are case-sensitive), or take the key from the other side",
                side.as_str()
            )),
            DeletesWithoutRecordKey { .. } => Some(
                "use `pk record-key`: a tombstone has only a key, so the row to delete is found by the key's fields".into(),
            ),
            TombstonesNotHandled { fails: true, .. } => Some(
                "add `deletes #true` with `pk record-key`, so a tombstone deletes its row; without it the Confluent JDBC sink stops its task at the first tombstone".into(),
            ),
            TombstonesNotHandled { .. } => Some(
                "add `deletes #true` with `pk record-key`, so a tombstone deletes its row; without it deleted rows stay in the table".into(),
            ),
            Unstorable { .. } => Some(
                "flatten the record before the sink (a ksqlDB query, or the `Flatten` transform through `config`), or store that field as text".into(),
            ),
            EnvelopeRead { reader: EnvelopeReader::Sink(_), .. } => Some(
                "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or use `connector=debezium-jdbc`, which reads envelopes itself".into(),
            ),
            EnvelopeRead { reader: EnvelopeReader::Consumer(_), .. } => Some(
                "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or give the consumer the envelope's schema and read its `after` field".into(),
            ),
            EnvelopeRead { reader: EnvelopeReader::Query { columns, .. }, .. } => Some(format!(
                "add `unwrap #true` to the source (Debezium's ExtractNewRecordState), or read the row inside the envelope: `AFTER->{}`",
                columns.first().map_or("ID", String::as_str)
            )),
            Ddl { issue: DdlIssue::NoTable { found }, .. } if !found.is_empty() => Some(format!(
                "it creates {}; name the captured table as the DDL does (`schema.table`, `public` by default)",
                found.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            )),
            Ddl { .. } => Some("the DDL must hold the table's `CREATE TABLE` statement, in PostgreSQL syntax".into()),
        }
    }
}
