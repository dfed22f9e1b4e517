//! What ksqlDB knows at a point of a run of statements: its streams and tables (columns, key,
//! formats, topic, windowing), its custom types, and the schemas registered for topics.
//!
//! Columns inferred from the registry follow ksqlDB's schema translation (an Avro or JSON
//! Schema record's fields become columns with their names as written; a key or value schema that
//! is not a record becomes one column, `ROWKEY` or `ROWVAL`).

use crate::ksql::ast::SqlType;
use crate::model::KsqlSourceKind;
use crate::source::Span;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where a column's data lives in the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Role {
    Key,
    Value,
    /// `HEADERS` (all headers) or `HEADER('k')` (one).
    Headers,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// As ksqlDB knows it (unquoted names upper-cased).
    pub(crate) name: String,
    pub(crate) sql_type: SqlType,
    pub(crate) role: Role,
}

/// The window of a windowed source's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WindowType {
    Tumbling,
    Hopping,
    Session,
}

impl WindowType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            WindowType::Tumbling => "TUMBLING",
            WindowType::Hopping => "HOPPING",
            WindowType::Session => "SESSION",
        }
    }
}

/// A stream or table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) kind: KsqlSourceKind,
    /// Key columns first, then value and header columns, in order.
    pub(crate) columns: Vec<Column>,
    /// `false` when the columns are not known (a `stream` node over a topic whose value has no
    /// schema venice can read): any column name resolves, with an unknown type.
    pub(crate) columns_known: bool,
    pub(crate) topic: String,
    /// ksqlDB's format names, upper-case: `KAFKA`, `AVRO`, `JSON`, `NONE`, ...
    pub(crate) key_format: String,
    pub(crate) value_format: String,
    pub(crate) windowed: Option<WindowType>,
    /// The topic's partition count, when known.
    pub(crate) partitions: Option<u32>,
    /// Where the source was declared or created.
    pub(crate) origin: Option<Span>,
    /// `CREATE SOURCE STREAM|TABLE`: read-only.
    pub(crate) read_only: bool,
    /// Created by `CREATE ... AS SELECT` (a query writes its topic).
    pub(crate) from_query: bool,
}

impl Source {
    pub(crate) fn key_columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.iter().filter(|c| c.role == Role::Key)
    }

    pub(crate) fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The schema as ksqlDB's DESCRIBE writes it: `ID INTEGER KEY, NAME STRING`.
    pub(crate) fn describe(&self) -> String {
        describe_columns(&self.columns, self.kind)
    }
}

/// Columns in DESCRIBE form; a table's key columns are `PRIMARY KEY`.
pub(crate) fn describe_columns(columns: &[Column], kind: KsqlSourceKind) -> String {
    let mut out = String::new();
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{} {}", quote_if_needed(&column.name), column.sql_type);
        match (&column.role, kind) {
            (Role::Key, KsqlSourceKind::Table) => out.push_str(" PRIMARY KEY"),
            (Role::Key, KsqlSourceKind::Stream) => out.push_str(" KEY"),
            (Role::Headers, _) => out.push_str(" HEADERS"),
            (Role::Value, _) => {}
        }
    }
    out
}

/// A name as ksqlDB prints it: bare when it reads back as itself, else in backticks.
pub(crate) fn quote_if_needed(name: &str) -> String {
    let mut chars = name.chars();
    let plain = matches!(chars.next(), Some(c) if c.is_ascii_uppercase() || c == '_')
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && !crate::ksql::dialect::is_reserved(name);
    if plain { name.to_string() } else { format!("`{}`", name.replace('`', "``")) }
}

/// A registered schema, as ksqlDB translates it to SQL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Registered {
    /// The schema's SQL type (a record is a STRUCT whose fields become columns).
    Type(SqlType),
    /// A schema ksqlDB cannot translate, and why.
    Unsupported(String),
    /// A schema venice cannot read: the columns are unknown, not wrong.
    Opaque,
    /// A Protobuf schema's text and the texts it imports: which message is meant depends on the
    /// statement (`KEY_SCHEMA_FULL_NAME`, `VALUE_SCHEMA_FULL_NAME`).
    Protobuf { text: String, references: Vec<(String, String)> },
}

impl Registered {
    /// A schema given as the text of an Avro schema, translated as ksqlDB translates it
    /// ([`crate::ksql::from_avro::registry_type`]).
    pub(crate) fn avro(text: &str) -> Registered {
        Registered::translated(crate::ksql::from_avro::registry_type(text))
    }

    /// A JSON Schema, translated as ksqlDB translates it
    /// ([`crate::ksql::from_json_schema::registry_type`]).
    pub(crate) fn json_schema(text: &str) -> Registered {
        Registered::translated(crate::ksql::from_json_schema::registry_type(text))
    }

    fn translated(result: Result<SqlType, String>) -> Registered {
        match result {
            Ok(t) => Registered::Type(t),
            Err(why) => Registered::Unsupported(why),
        }
    }

    /// The SQL type, with the message a statement names (Protobuf only).
    pub(crate) fn resolve(&self, full_name: Option<&str>) -> Registered {
        match self {
            Registered::Protobuf { text, references } => {
                Registered::translated(crate::ksql::from_protobuf::registry_type(text, references, full_name))
            }
            other => other.clone(),
        }
    }
}

/// Schemas by registry subject (`<topic>-key`, `<topic>-value`).
pub(crate) type Registry = BTreeMap<String, Registered>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn describe_quotes_what_does_not_read_back() {
        let columns = vec![
            Column { name: "ID".into(), sql_type: SqlType::Int, role: Role::Key },
            Column { name: "c1".into(), sql_type: SqlType::String, role: Role::Value },
        ];
        assert_eq!(describe_columns(&columns, KsqlSourceKind::Table), "ID INTEGER PRIMARY KEY, `c1` STRING");
    }

    #[test]
    fn registered_schemas_become_sql_types() {
        let avro = json!({"type": "record", "name": "R", "fields": [
            {"name": "a", "type": ["null", "long"]},
            {"name": "d", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4, "scale": 2}},
            {"name": "m", "type": {"type": "map", "values": "int"}}
        ]});
        let Registered::Type(t) = Registered::avro(&avro.to_string()) else { panic!("not translated") };
        assert_eq!(t.to_string(), "STRUCT<`a` BIGINT, `d` DECIMAL(4, 2), `m` MAP<STRING, INTEGER>>");
        let js = json!({"type": "object", "properties": {"F": {"type": "integer", "connect.type": "int32"}}});
        let Registered::Type(t) = Registered::json_schema(&js.to_string()) else { panic!("not translated") };
        assert_eq!(t.to_string(), "STRUCT<`F` INTEGER>");
    }
}
