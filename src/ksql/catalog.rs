//! What ksqlDB knows at a point of a run of statements: its streams and tables (columns, key,
//! formats, topic, windowing), its custom types, and the schemas registered for topics.
//!
//! Columns inferred from the registry follow ksqlDB's schema translation (an Avro or JSON
//! Schema record's fields become columns with their names as written; a key or value schema that
//! is not a record becomes one column, `ROWKEY` or `ROWVAL`).

use crate::ksql::ast::{SqlType, StructField};
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
    Protobuf { text: String, references: Vec<String> },
}

impl Registered {
    /// A schema given as the text of an Avro schema, translated as ksqlDB translates it
    /// ([`crate::ksql::from_avro::registry_type`]).
    pub(crate) fn avro(text: &str) -> Registered {
        Registered::translated(crate::ksql::from_avro::registry_type(text))
    }

    /// A JSON Schema, translated as ksqlDB translates it ([`json_schema_type`]).
    pub(crate) fn json_schema(schema: &serde_json::Value) -> Registered {
        Registered::translated(json_schema_type(schema))
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
                let references: Vec<&str> = references.iter().map(String::as_str).collect();
                match protobuf_type(text, &references, full_name) {
                    Ok(t) => Registered::Type(t),
                    Err(why) => Registered::Unsupported(why),
                }
            }
            other => other.clone(),
        }
    }
}

/// Schemas by registry subject (`<topic>-key`, `<topic>-value`).
pub(crate) type Registry = BTreeMap<String, Registered>;

/// The SQL type of a JSON Schema given as JSON (`object` with `properties`, `array`, `string`,
/// `integer` (BIGINT), `number` (DOUBLE), `boolean`; `connect.type` refines integers; `oneOf` of
/// `null` and a type is that type).
fn json_schema_type(schema: &serde_json::Value) -> Result<SqlType, String> {
    json_schema_at(schema, 0)
}

fn json_schema_at(schema: &serde_json::Value, depth: usize) -> Result<SqlType, String> {
    use serde_json::Value;
    if depth > 64 {
        return Err("the schema is nested too deeply".into());
    }
    let Value::Object(o) = schema else { return Err("not a JSON schema".into()) };
    if let Some(Value::Array(branches)) = o.get("oneOf").or_else(|| o.get("anyOf")) {
        let non_null: Vec<&Value> =
            branches.iter().filter(|b| b.get("type").and_then(Value::as_str) != Some("null")).collect();
        if let [one] = non_null.as_slice() {
            return json_schema_at(one, depth + 1);
        }
        return Err("a union of several types".into());
    }
    let connect = o.get("connect.type").and_then(Value::as_str);
    let ty = match o.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ => return Err("a schema without a type".into()),
    };
    Ok(match (ty, connect) {
        ("integer", Some("int32" | "int16" | "int8")) => SqlType::Int,
        ("integer", _) => SqlType::BigInt,
        ("number", Some("bytes")) | ("number", _) if o.get("connect.parameters").is_some() => {
            let params = &o["connect.parameters"];
            let precision = params.get("connect.decimal.precision").and_then(Value::as_str);
            let scale = params.get("scale").and_then(Value::as_str);
            match (precision.and_then(|p| p.parse().ok()), scale.and_then(|s| s.parse().ok())) {
                (Some(precision), Some(scale)) => SqlType::Decimal { precision, scale },
                _ => SqlType::Double,
            }
        }
        ("number", _) => SqlType::Double,
        ("string", Some("bytes")) => SqlType::Bytes,
        ("string", _) => SqlType::String,
        ("boolean", _) => SqlType::Boolean,
        ("array", _) => SqlType::Array(Box::new(json_schema_at(o.get("items").unwrap_or(&Value::Null), depth + 1)?)),
        ("object", Some("map")) | ("object", _) if o.get("additionalProperties").is_some_and(Value::is_object) => {
            SqlType::Map(Box::new(SqlType::String), Box::new(json_schema_at(&o["additionalProperties"], depth + 1)?))
        }
        ("object", _) => {
            let mut fields = Vec::new();
            if let Some(Value::Object(props)) = o.get("properties") {
                let mut ordered: Vec<(&String, &Value)> = props.iter().collect();
                ordered.sort_by_key(|(_, v)| v.get("connect.index").and_then(Value::as_u64).unwrap_or(u64::MAX));
                for (name, prop) in ordered {
                    fields.push(StructField { name: name.clone(), sql_type: json_schema_at(prop, depth + 1)? });
                }
            }
            SqlType::Struct(fields)
        }
        (other, _) => return Err(format!("the JSON type `{other}`")),
    })
}

/// The SQL type of a Protobuf (proto3) schema: its first message, or the message named
/// `full_name` (`*_SCHEMA_FULL_NAME`); `references` are the texts of the files it imports.
/// Scalars map as ksqlDB's Protobuf converter maps them (`int32`/`sint32`/`sfixed32` INTEGER,
/// unsigned and 64-bit integers BIGINT, `float`/`double` DOUBLE, enums STRING, `repeated` ARRAY,
/// `map<,>` MAP), and the well-known types `google.protobuf.Timestamp`, the wrappers,
/// `google.type.Date`/`TimeOfDay` and `confluent.type.Decimal` (its `precision`/`scale` field
/// options) as ksqlDB reads them. Field names are kept as written.
pub(crate) fn protobuf_type(text: &str, references: &[&str], full_name: Option<&str>) -> Result<SqlType, String> {
    let mut messages: Vec<ProtoMessage> = Vec::new();
    let mut enums: Vec<String> = Vec::new();
    for source in references.iter().copied().chain(std::iter::once(text)) {
        let tokens = proto_tokens(source);
        let mut at = 0;
        let before = messages.len();
        proto_body(&tokens, &mut at, "", &mut messages, &mut enums, 0)?;
        if source == text && messages.len() == before {
            return Err("the schema has no message".into());
        }
    }
    let first_of_text = {
        let tokens = proto_tokens(text);
        let mut found = Vec::new();
        let mut ignored = Vec::new();
        let mut at = 0;
        proto_body(&tokens, &mut at, "", &mut found, &mut ignored, 0)?;
        found.into_iter().find(|m| !m.name.contains('.')).map(|m| m.name)
    };
    let root = match full_name {
        Some(name) => name.rsplit('.').next().unwrap_or(name).to_string(),
        None => first_of_text.ok_or("the schema has no message")?,
    };
    let message = messages.iter().rev().find(|m| m.name == root || m.name.ends_with(&format!(".{root}")));
    let message = message.ok_or_else(|| format!("no message `{root}`"))?;
    proto_struct(message, &messages, &enums, 0)
}

#[derive(Debug, Clone)]
struct ProtoMessage {
    /// Dotted with its enclosing messages' names.
    name: String,
    fields: Vec<ProtoField>,
}

#[derive(Debug, Clone)]
struct ProtoField {
    name: String,
    type_name: String,
    repeated: bool,
    map: Option<(String, String)>,
    /// `precision`/`scale` from `confluent.field_meta`.
    decimal: Option<(u32, u32)>,
}

fn proto_tokens(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '"' | '\'' => {
                let mut value = String::new();
                for n in chars.by_ref() {
                    if n == c {
                        break;
                    }
                    value.push(n);
                }
                tokens.push(format!("\"{value}"));
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' => {
                let mut word = c.to_string();
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '.' {
                        word.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(word);
            }
            other => tokens.push(other.to_string()),
        }
    }
    tokens
}

/// Skips to the end of a statement (`;`) or a balanced block.
fn proto_skip(tokens: &[String], at: &mut usize) {
    let mut depth = 0i32;
    while let Some(t) = tokens.get(*at) {
        *at += 1;
        match t.as_str() {
            "{" | "[" | "(" => depth += 1,
            "}" | "]" | ")" => {
                depth -= 1;
                if depth <= 0 && t == "}" {
                    return;
                }
            }
            ";" if depth == 0 => return,
            _ => {}
        }
    }
}

fn proto_body(
    tokens: &[String],
    at: &mut usize,
    prefix: &str,
    messages: &mut Vec<ProtoMessage>,
    enums: &mut Vec<String>,
    depth: usize,
) -> Result<Vec<ProtoField>, String> {
    if depth > 32 {
        return Err("messages nested too deeply".into());
    }
    let mut fields = Vec::new();
    while let Some(t) = tokens.get(*at) {
        match t.as_str() {
            "}" => {
                *at += 1;
                break;
            }
            "message" => {
                let name = tokens.get(*at + 1).cloned().unwrap_or_default();
                *at += 3; // `message`, the name, `{`
                let full = if prefix.is_empty() { name } else { format!("{prefix}.{name}") };
                let inner = proto_body(tokens, at, &full, messages, enums, depth + 1)?;
                messages.push(ProtoMessage { name: full, fields: inner });
            }
            "enum" => {
                let name = tokens.get(*at + 1).cloned().unwrap_or_default();
                enums.push(if prefix.is_empty() { name } else { format!("{prefix}.{name}") });
                *at += 2;
                proto_skip(tokens, at);
            }
            "oneof" => {
                // A oneof's fields are fields of the message.
                *at += 3;
                let inner = proto_body(tokens, at, prefix, messages, enums, depth + 1)?;
                fields.extend(inner);
            }
            "syntax" | "package" | "import" | "option" | "reserved" | "extensions" | ";" => proto_skip(tokens, at),
            _ if prefix.is_empty() => proto_skip(tokens, at),
            _ => {
                let start = *at;
                let mut repeated = false;
                let mut i = start;
                if matches!(tokens.get(i).map(String::as_str), Some("repeated" | "optional" | "required")) {
                    repeated = tokens[i] == "repeated";
                    i += 1;
                }
                let (type_name, map) = if tokens.get(i).map(String::as_str) == Some("map") {
                    // map < K , V >
                    let k = tokens.get(i + 2).cloned().unwrap_or_default();
                    let v = tokens.get(i + 4).cloned().unwrap_or_default();
                    i += 6;
                    (String::new(), Some((k, v)))
                } else {
                    i += 1;
                    (tokens.get(i - 1).cloned().unwrap_or_default(), None)
                };
                let name = tokens.get(i).cloned().unwrap_or_default();
                *at = i;
                let options_start = *at;
                proto_skip(tokens, at);
                let options = &tokens[options_start.min(*at)..*at];
                let option = |key: &str| {
                    options
                        .windows(5)
                        .find(|w| w[0] == "value" && w[4] == format!("\"{key}"))
                        .and_then(|w| w[2].trim_start_matches('"').parse().ok())
                };
                let decimal = match (option("precision"), option("scale")) {
                    (Some(p), Some(s)) => Some((p, s)),
                    _ => None,
                };
                fields.push(ProtoField { name, type_name, repeated, map, decimal });
            }
        }
    }
    Ok(fields)
}

fn proto_struct(
    message: &ProtoMessage,
    messages: &[ProtoMessage],
    enums: &[String],
    depth: usize,
) -> Result<SqlType, String> {
    if depth > 32 {
        return Err(format!("the message `{}` refers to itself", message.name));
    }
    let mut fields = Vec::new();
    for f in &message.fields {
        let sql_type = match &f.map {
            Some((k, v)) => SqlType::Map(
                Box::new(proto_field_type(k, None, &message.name, messages, enums, depth)?),
                Box::new(proto_field_type(v, None, &message.name, messages, enums, depth)?),
            ),
            None => {
                let t = proto_field_type(&f.type_name, f.decimal, &message.name, messages, enums, depth)?;
                if f.repeated { SqlType::Array(Box::new(t)) } else { t }
            }
        };
        fields.push(StructField { name: f.name.clone(), sql_type });
    }
    Ok(SqlType::Struct(fields))
}

fn proto_field_type(
    name: &str,
    decimal: Option<(u32, u32)>,
    scope: &str,
    messages: &[ProtoMessage],
    enums: &[String],
    depth: usize,
) -> Result<SqlType, String> {
    Ok(match name {
        "int32" | "sint32" | "sfixed32" => SqlType::Int,
        "uint32" | "fixed32" | "int64" | "sint64" | "sfixed64" | "uint64" | "fixed64" => SqlType::BigInt,
        "float" | "double" => SqlType::Double,
        "bool" => SqlType::Boolean,
        "string" => SqlType::String,
        "bytes" => SqlType::Bytes,
        "google.protobuf.Timestamp" => SqlType::Timestamp,
        "google.type.Date" => SqlType::Date,
        "google.type.TimeOfDay" => SqlType::Time,
        "google.protobuf.BoolValue" => SqlType::Boolean,
        "google.protobuf.Int32Value" => SqlType::Int,
        "google.protobuf.UInt32Value" | "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => SqlType::BigInt,
        "google.protobuf.FloatValue" | "google.protobuf.DoubleValue" => SqlType::Double,
        "google.protobuf.StringValue" => SqlType::String,
        "google.protobuf.BytesValue" => SqlType::Bytes,
        "confluent.type.Decimal" => {
            let (precision, scale) = decimal.unwrap_or((64, 0));
            SqlType::Decimal { precision, scale }
        }
        other => {
            let simple = other.trim_start_matches('.');
            let matches = |full: &str| {
                full == simple || full.ends_with(&format!(".{simple}")) || full == format!("{scope}.{simple}")
            };
            if enums.iter().any(|e| matches(e)) {
                SqlType::String
            } else if let Some(m) = messages.iter().find(|m| matches(&m.name)) {
                proto_struct(m, messages, enums, depth + 1)?
            } else {
                return Err(format!("unknown Protobuf type `{other}`"));
            }
        }
    })
}

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
        let proto = "syntax = \"proto3\"; message Outer { enum Suit { A = 0; } message In { int64 x = 1; }\n\
                     Suit s = 1; repeated In items = 2; map<string, int32> m = 3; uint32 u = 4; }";
        assert_eq!(
            protobuf_type(proto, &[], None).unwrap().to_string(),
            "STRUCT<`s` STRING, `items` ARRAY<STRUCT<`x` BIGINT>>, `m` MAP<STRING, INTEGER>, `u` BIGINT>"
        );
        let js = json!({"type": "object", "properties": {"F": {"type": "integer", "connect.type": "int32"}}});
        assert_eq!(json_schema_type(&js).unwrap().to_string(), "STRUCT<`F` INTEGER>");
    }
}
