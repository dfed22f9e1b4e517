//! What a Debezium PostgreSQL source writes, derived from the captured table's DDL (`ddl=`).
//!
//! The DDL is parsed with sqlparser's `PostgreSqlDialect`. Each column becomes the Kafka
//! Connect schema Debezium gives it, following the "Data type mappings" of Debezium's
//! PostgreSQL connector documentation (debezium.io/documentation/reference/3.x/connectors/
//! postgresql.html#postgresql-data-types), with the connector's settings:
//!
//! - `decimal.handling.mode` (`precise`, the default: `numeric(p,s)` is Connect's `Decimal`
//!   with scale `s`; `numeric` without precision is Debezium's `VariableScaleDecimal` struct of
//!   `scale` and `value`; `money` a `Decimal` of scale 2; `double`: FLOAT64; `string`: STRING).
//! - `time.precision.mode` (`adaptive`, the default: `date` is `io.debezium.time.Date` INT32;
//!   `time(0..3)` `Time` INT32, `time`/`time(4..6)` `MicroTime` INT64; `timestamp(0..3)`
//!   `Timestamp` INT64, `timestamp`/`timestamp(4..6)` `MicroTimestamp` INT64;
//!   `adaptive_time_microseconds`: every `time` is `MicroTime`; `connect`: Connect's own `Date`,
//!   `Time` and `Timestamp`, in milliseconds). `timestamptz` is always `ZonedTimestamp` and
//!   `timetz` `ZonedTime`, both ISO-8601 strings.
//! - Nullability: a column is optional unless it is `NOT NULL` or part of the primary key.
//!
//! The key is a struct `<prefix>.<schema>.<table>.Key` of the primary-key columns (none without
//! a primary key: Debezium then writes a null key). The value is the change event envelope
//! `<prefix>.<schema>.<table>.Envelope` (`before` and `after` of the optional row struct
//! `...Value`, `source`, `transaction`, `op`, `ts_ms`, `ts_us`, `ts_ns`), or with `unwrap`
//! (ExtractNewRecordState) the row struct itself.

use super::render::qualified;
use crate::avro::mapping::{
    CONNECT_DATE, CONNECT_DECIMAL, CONNECT_TIME, CONNECT_TIMESTAMP, ConnectKind, ConnectSchema,
};
use crate::model::{CapturedTable, Connector, SourceText};
use crate::source::Span;
use sqlparser::ast::{ColumnOption, CreateTable, Expr, ObjectNamePart, Statement, TableConstraint};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

/// Debezium's semantic type names, as the schema `name` of a Connect schema.
pub(crate) const DEBEZIUM_DATE: &str = "io.debezium.time.Date";
pub(crate) const DEBEZIUM_TIME: &str = "io.debezium.time.Time";
pub(crate) const DEBEZIUM_MICRO_TIME: &str = "io.debezium.time.MicroTime";
pub(crate) const DEBEZIUM_TIMESTAMP: &str = "io.debezium.time.Timestamp";
pub(crate) const DEBEZIUM_MICRO_TIMESTAMP: &str = "io.debezium.time.MicroTimestamp";
pub(crate) const DEBEZIUM_ZONED_TIMESTAMP: &str = "io.debezium.time.ZonedTimestamp";
pub(crate) const DEBEZIUM_ZONED_TIME: &str = "io.debezium.time.ZonedTime";
pub(crate) const DEBEZIUM_MICRO_DURATION: &str = "io.debezium.time.MicroDuration";
pub(crate) const DEBEZIUM_VARIABLE_SCALE_DECIMAL: &str = "io.debezium.data.VariableScaleDecimal";
pub(crate) const DEBEZIUM_JSON: &str = "io.debezium.data.Json";
pub(crate) const DEBEZIUM_XML: &str = "io.debezium.data.Xml";
pub(crate) const DEBEZIUM_UUID: &str = "io.debezium.data.Uuid";
pub(crate) const DEBEZIUM_BITS: &str = "io.debezium.data.Bits";
pub(crate) const DEBEZIUM_POINT: &str = "io.debezium.data.geometry.Point";
pub(crate) const DEBEZIUM_SOURCE: &str = "io.debezium.connector.postgresql.Source";

/// `decimal.handling.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalMode {
    Precise,
    Double,
    String,
}

/// `time.precision.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeMode {
    Adaptive,
    AdaptiveTimeMicroseconds,
    Connect,
}

/// The connector settings that change the derived types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) decimal: DecimalMode,
    pub(crate) time: TimeMode,
}

impl Options {
    /// The modes a connector's `config` entries set, defaults otherwise.
    pub(crate) fn of(connector: &Connector) -> Options {
        let setting =
            |key: &str| connector.config.iter().rev().find(|c| c.key.value == key).map(|c| c.value.value.as_str());
        Options {
            decimal: match setting("decimal.handling.mode") {
                Some("double") => DecimalMode::Double,
                Some("string") => DecimalMode::String,
                _ => DecimalMode::Precise,
            },
            time: match setting("time.precision.mode") {
                Some("adaptive_time_microseconds") => TimeMode::AdaptiveTimeMicroseconds,
                Some("connect") => TimeMode::Connect,
                _ => TimeMode::Adaptive,
            },
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options { decimal: DecimalMode::Precise, time: TimeMode::Adaptive }
    }
}

/// One column of the captured table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// As PostgreSQL stores it: unquoted names folded to lower case.
    pub(crate) name: String,
    /// The type as written, upper-cased (`NUMERIC(10,2)`).
    pub(crate) sql_type: String,
    /// The precision of a `numeric(p,s)`, which Debezium passes on as the schema parameter
    /// `connect.decimal.precision`.
    pub(crate) precision: Option<u32>,
    pub(crate) schema: ConnectSchema,
    /// The column's name in the DDL.
    pub(crate) span: Span,
}

/// What Debezium writes for one captured table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Derived {
    /// `schema.table`.
    pub(crate) table: String,
    pub(crate) columns: Vec<Column>,
    /// The primary-key columns, in the order of the key.
    pub(crate) key_columns: Vec<String>,
    /// The key struct; `None` when the table has no primary key (a null key).
    pub(crate) key: Option<ConnectSchema>,
    /// The row struct (`...Value`), the value with `unwrap`.
    pub(crate) row: ConnectSchema,
    /// The change event envelope (`...Envelope`), the value without `unwrap`.
    pub(crate) envelope: ConnectSchema,
}

impl Derived {
    /// The value Debezium writes: the row with `unwrap`, the envelope without.
    pub(crate) fn value(&self, unwrap: bool) -> &ConnectSchema {
        if unwrap { &self.row } else { &self.envelope }
    }
}

/// Why the DDL gives no schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DeriveError {
    /// sqlparser rejected the text.
    Syntax { message: String },
    /// No `CREATE TABLE` for the captured table.
    NoTable { table: String, found: Vec<String> },
}

fn schema(kind: ConnectKind, name: Option<&str>, optional: bool) -> ConnectSchema {
    ConnectSchema { kind, name: name.map(str::to_string), optional, scale: None }
}

/// What a captured table's DDL gave: the records Debezium writes, or why there are none (with a
/// span in the DDL's file).
pub(crate) type Derivation = Result<Derived, (DeriveError, Span)>;

/// Every captured table's derivation, made once by [`super::derive_schemas`] and read by the
/// rules, the sink tables and the build (a DDL is parsed once, not once per reader).
#[derive(Debug, Default)]
pub(crate) struct Derivations(std::collections::HashMap<Span, Derivation>);

impl Derivations {
    /// The derivation of a table a Debezium source captures with `ddl=`; None for others.
    pub(crate) fn of(&self, table: &CapturedTable) -> Option<&Derivation> {
        self.0.get(&table.table.span)
    }

    pub(crate) fn insert(&mut self, table: &CapturedTable, derivation: Derivation) {
        self.0.insert(table.table.span, derivation);
    }
}

/// Derives what Debezium writes for `table`, whose DDL is `ddl`, under the connector's
/// `topic.prefix`. Errors carry a span in the DDL's file.
pub(crate) fn derive(
    prefix: &str,
    table: &CapturedTable,
    ddl: &SourceText,
    options: Options,
) -> Result<Derived, (DeriveError, Span)> {
    let whole = ddl.span(0, 0);
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, &ddl.text).map_err(|e| {
        let message = e.to_string();
        // sqlparser gives no place for the end of the text.
        let end = ddl.text.trim_end().len();
        let fallback = if message.contains("found: EOF") { ddl.span(end, end) } else { whole };
        let span = error_location(&message).map_or(fallback, |(line, column)| {
            let at = ddl.offset_of(line, column);
            ddl.span(at, at)
        });
        let message = message.split(" at Line: ").next().unwrap_or(&message).trim_start_matches("sql parser error: ");
        (DeriveError::Syntax { message: message.to_string() }, span)
    })?;
    let wanted = qualified(&table.table.value).to_lowercase();
    let creates: Vec<&CreateTable> = statements
        .iter()
        .filter_map(|s| match s {
            Statement::CreateTable(create) => Some(create),
            _ => None,
        })
        .collect();
    let create = creates.iter().find(|c| qualified(&object_name(c)).to_lowercase() == wanted).ok_or_else(|| {
        let found = creates.iter().map(|c| qualified(&object_name(c))).collect();
        (DeriveError::NoTable { table: qualified(&table.table.value), found }, whole)
    })?;

    let mut key_columns: Vec<String> = Vec::new();
    for constraint in &create.constraints {
        if let TableConstraint::PrimaryKey(pk) = constraint {
            for column in &pk.columns {
                if let Expr::Identifier(ident) = &column.column.expr {
                    key_columns.push(fold(&ident.value, ident.quote_style));
                }
            }
        }
    }
    for column in &create.columns {
        if column.options.iter().any(|o| matches!(o.option, ColumnOption::PrimaryKey(_))) {
            key_columns.push(fold(&column.name.value, column.name.quote_style));
        }
    }

    let columns: Vec<Column> = create
        .columns
        .iter()
        .map(|column| {
            let name = fold(&column.name.value, column.name.quote_style);
            let not_null =
                key_columns.contains(&name) || column.options.iter().any(|o| matches!(o.option, ColumnOption::NotNull));
            let sql_type = column.data_type.to_string().to_uppercase();
            let start = &column.name.span.start;
            let end = &column.name.span.end;
            let span = if start.line == 0 {
                whole
            } else {
                ddl.span(ddl.offset_of(start.line, start.column), ddl.offset_of(end.line, end.column))
            };
            let precision = numeric_precision(&sql_type);
            Column { schema: column_schema(&sql_type, !not_null, options), name, sql_type, precision, span }
        })
        .collect();

    let base = format!("{prefix}.{}", qualified(&table.table.value));
    let key = (!key_columns.is_empty()).then(|| {
        let fields = key_columns
            .iter()
            .filter_map(|k| columns.iter().find(|c| &c.name == k))
            .map(|c| (c.name.clone(), ConnectSchema { optional: false, ..c.schema.clone() }))
            .collect();
        schema(ConnectKind::Struct(fields), Some(&format!("{base}.Key")), false)
    });
    let fields: Vec<(String, ConnectSchema)> = columns.iter().map(|c| (c.name.clone(), c.schema.clone())).collect();
    let row = schema(ConnectKind::Struct(fields), Some(&format!("{base}.Value")), true);
    let envelope = envelope(&base, &row);
    Ok(Derived { table: qualified(&table.table.value), columns, key_columns, key, row, envelope })
}

/// `p` of `NUMERIC(p,s)` / `DECIMAL(p)`.
fn numeric_precision(sql_type: &str) -> Option<u32> {
    let rest = ["NUMERIC(", "DECIMAL(", "DEC("].iter().find_map(|p| sql_type.strip_prefix(p))?;
    rest.split([',', ')']).next()?.trim().parse().ok()
}

impl Derived {
    /// The precision of a decimal column, by name.
    pub(crate) fn precision(&self, column: &str) -> Option<u32> {
        self.columns.iter().find(|c| c.name == column).and_then(|c| c.precision)
    }
}

/// `(line, column)` from sqlparser's message suffix ` at Line: L, Column: C`.
fn error_location(message: &str) -> Option<(u64, u64)> {
    let rest = &message[message.rfind(" at Line: ")? + " at Line: ".len()..];
    let (line, column) = rest.split_once(", Column: ")?;
    let column: String = column.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

fn object_name(create: &CreateTable) -> String {
    create
        .name
        .0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => fold(&ident.value, ident.quote_style),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// PostgreSQL folds unquoted identifiers to lower case.
fn fold(name: &str, quote: Option<char>) -> String {
    if quote.is_some() { name.to_string() } else { name.to_lowercase() }
}

/// The change event envelope of Debezium's PostgreSQL connector (3.6, as its converter registered
/// it on the real-services stack: `tests/derive_live.rs`; `venice build` installs the same version,
/// from versions.env): `before`, `after`, `source`,
/// `transaction`, `op`, `ts_ms`, `ts_us`, `ts_ns`. What Connect's schema model here does not
/// carry (the `snapshot` field's default, schema versions) is added by
/// [`super::avro::debezium_envelope_details`].
fn envelope(base: &str, row: &ConnectSchema) -> ConnectSchema {
    let string = |optional| schema(ConnectKind::String, None, optional);
    let int64 = |optional| schema(ConnectKind::Int64, None, optional);
    let source = schema(
        ConnectKind::Struct(vec![
            ("version".into(), string(false)),
            ("connector".into(), string(false)),
            ("name".into(), string(false)),
            ("ts_ms".into(), int64(false)),
            ("snapshot".into(), schema(ConnectKind::String, Some("io.debezium.data.Enum"), true)),
            ("db".into(), string(false)),
            ("sequence".into(), string(true)),
            ("ts_us".into(), int64(true)),
            ("ts_ns".into(), int64(true)),
            ("schema".into(), string(false)),
            ("table".into(), string(false)),
            ("txId".into(), int64(true)),
            ("lsn".into(), int64(true)),
            ("xmin".into(), int64(true)),
            ("origin".into(), string(true)),
            ("origin_lsn".into(), int64(true)),
        ]),
        Some(DEBEZIUM_SOURCE),
        false,
    );
    let transaction = schema(
        ConnectKind::Struct(vec![
            ("id".into(), string(false)),
            ("total_order".into(), int64(false)),
            ("data_collection_order".into(), int64(false)),
        ]),
        Some("event.block"),
        true,
    );
    schema(
        ConnectKind::Struct(vec![
            ("before".into(), row.clone()),
            ("after".into(), row.clone()),
            ("source".into(), source),
            ("transaction".into(), transaction),
            ("op".into(), string(false)),
            ("ts_ms".into(), int64(true)),
            ("ts_us".into(), int64(true)),
            ("ts_ns".into(), int64(true)),
        ]),
        Some(&format!("{base}.Envelope")),
        false,
    )
}

/// The Connect schema Debezium gives a column of a PostgreSQL type (written as sqlparser
/// prints it, upper-cased).
pub(crate) fn column_schema(sql_type: &str, optional: bool, options: Options) -> ConnectSchema {
    let sql_type = sql_type.trim();
    if let Some(element) = sql_type.strip_suffix("[]") {
        let item = column_schema(element, true, options);
        return schema(ConnectKind::Array(Box::new(item)), None, optional);
    }
    if let Some(element) = sql_type.strip_prefix("ARRAY<").and_then(|t| t.strip_suffix('>')) {
        let item = column_schema(element, true, options);
        return schema(ConnectKind::Array(Box::new(item)), None, optional);
    }
    let (base, args) = match sql_type.split_once('(') {
        Some((base, rest)) => {
            let (args, tail) = rest.split_once(')').unwrap_or((rest, ""));
            let base = format!("{}{}", base.trim(), tail);
            (base, args.split(',').map(|a| a.trim().parse::<u32>().ok()).collect::<Vec<_>>())
        }
        None => (sql_type.to_string(), Vec::new()),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let arg = |i: usize| args.get(i).copied().flatten();
    let plain = |kind| schema(kind, None, optional);
    let named = |kind, name: &str| schema(kind, Some(name), optional);
    match base.as_str() {
        "BOOL" | "BOOLEAN" => plain(ConnectKind::Boolean),
        "BIT" | "BIT VARYING" | "VARBIT" if arg(0).is_some_and(|n| n > 1) || base != "BIT" => {
            named(ConnectKind::Bytes, DEBEZIUM_BITS)
        }
        "BIT" => plain(ConnectKind::Boolean),
        "SMALLINT" | "INT2" | "SMALLSERIAL" | "SERIAL2" => plain(ConnectKind::Int16),
        "INT" | "INTEGER" | "INT4" | "SERIAL" | "SERIAL4" => plain(ConnectKind::Int32),
        "BIGINT" | "INT8" | "BIGSERIAL" | "SERIAL8" | "OID" => plain(ConnectKind::Int64),
        "REAL" | "FLOAT4" => plain(ConnectKind::Float32),
        "DOUBLE PRECISION" | "DOUBLE" | "FLOAT8" => plain(ConnectKind::Float64),
        // `float(p)`: PostgreSQL makes p <= 24 a `real`, otherwise a `double precision`.
        "FLOAT" => plain(if arg(0).is_some_and(|p| p <= 24) { ConnectKind::Float32 } else { ConnectKind::Float64 }),
        "NUMERIC" | "DECIMAL" | "DEC" => decimal(arg(0).map(|_| arg(1).unwrap_or(0)), optional, options),
        "MONEY" => decimal(Some(2), optional, options),
        "CHAR" | "CHARACTER" | "BPCHAR" | "VARCHAR" | "CHARACTER VARYING" | "CHAR VARYING" | "TEXT" | "CITEXT"
        | "NAME" | "INET" | "CIDR" | "MACADDR" | "MACADDR8" | "LTREE" | "TSVECTOR" => plain(ConnectKind::String),
        "JSON" | "JSONB" => named(ConnectKind::String, DEBEZIUM_JSON),
        "XML" => named(ConnectKind::String, DEBEZIUM_XML),
        "UUID" => named(ConnectKind::String, DEBEZIUM_UUID),
        "BYTEA" => plain(ConnectKind::Bytes),
        "INTERVAL" => named(ConnectKind::Int64, DEBEZIUM_MICRO_DURATION),
        "POINT" => schema(
            ConnectKind::Struct(vec![
                ("x".into(), schema(ConnectKind::Float64, None, false)),
                ("y".into(), schema(ConnectKind::Float64, None, false)),
                ("wkb".into(), schema(ConnectKind::Bytes, None, true)),
                ("srid".into(), schema(ConnectKind::Int32, None, true)),
            ]),
            Some(DEBEZIUM_POINT),
            optional,
        ),
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => named(ConnectKind::String, DEBEZIUM_ZONED_TIMESTAMP),
        "TIMETZ" | "TIME WITH TIME ZONE" => named(ConnectKind::String, DEBEZIUM_ZONED_TIME),
        "DATE" => match options.time {
            TimeMode::Connect => named(ConnectKind::Int32, CONNECT_DATE),
            _ => named(ConnectKind::Int32, DEBEZIUM_DATE),
        },
        "TIME" | "TIME WITHOUT TIME ZONE" => match (options.time, arg(0).unwrap_or(6)) {
            (TimeMode::Connect, _) => named(ConnectKind::Int32, CONNECT_TIME),
            (TimeMode::Adaptive, p) if p <= 3 => named(ConnectKind::Int32, DEBEZIUM_TIME),
            _ => named(ConnectKind::Int64, DEBEZIUM_MICRO_TIME),
        },
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" => match (options.time, arg(0).unwrap_or(6)) {
            (TimeMode::Connect, _) => named(ConnectKind::Int64, CONNECT_TIMESTAMP),
            (_, p) if p <= 3 => named(ConnectKind::Int64, DEBEZIUM_TIMESTAMP),
            _ => named(ConnectKind::Int64, DEBEZIUM_MICRO_TIMESTAMP),
        },
        // Enum and other user-defined types: Debezium writes their text.
        _ => plain(ConnectKind::String),
    }
}

/// `numeric(p,s)` (scale `Some(s)`) or `numeric` (no scale) under `decimal.handling.mode`.
fn decimal(scale: Option<u32>, optional: bool, options: Options) -> ConnectSchema {
    match (options.decimal, scale) {
        (DecimalMode::Double, _) => schema(ConnectKind::Float64, None, optional),
        (DecimalMode::String, _) => schema(ConnectKind::String, None, optional),
        (DecimalMode::Precise, Some(scale)) => {
            ConnectSchema { kind: ConnectKind::Bytes, name: Some(CONNECT_DECIMAL.into()), optional, scale: Some(scale) }
        }
        (DecimalMode::Precise, None) => schema(
            ConnectKind::Struct(vec![
                ("scale".into(), schema(ConnectKind::Int32, None, false)),
                ("value".into(), schema(ConnectKind::Bytes, None, false)),
            ]),
            Some(DEBEZIUM_VARIABLE_SCALE_DECIMAL),
            optional,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Spanned;
    use crate::source::{FileId, Span};

    fn table(name: &str) -> CapturedTable {
        let span = Span::new(FileId(0), 0, 0);
        CapturedTable { table: Spanned::new(name.into(), span), topic: Spanned::new("t".into(), span), ddl: None }
    }

    fn derive_ok(ddl: &str, options: Options) -> Derived {
        let text = SourceText::from_file(FileId(0), ddl.into());
        derive("shop", &table("public.orders"), &text, options).unwrap_or_else(|e| panic!("{e:?}"))
    }

    /// `name: TYPE[/semantic name][ optional]` for each column, as Debezium types them.
    fn types(ddl: &str, options: Options) -> Vec<String> {
        derive_ok(ddl, options)
            .columns
            .iter()
            .map(|c| {
                let mut out = format!("{}: {}", c.name, c.schema.kind.type_name());
                if let Some(name) = &c.schema.name {
                    out += &format!("/{name}");
                }
                if let Some(scale) = c.schema.scale {
                    out += &format!(" scale {scale}");
                }
                if c.schema.optional {
                    out += " optional";
                }
                out
            })
            .collect()
    }

    const COLUMNS: &str = "CREATE TABLE orders (
        id serial PRIMARY KEY, flag boolean NOT NULL, small smallint, big bigint, r real,
        d double precision, total numeric(10,2), loose numeric, cash money, name varchar(20),
        body text, doc jsonb, ref uuid, raw bytea, day date, t time, t3 time(3),
        ts timestamp, ts3 timestamp(3), tstz timestamptz, span interval, tags text[],
        \"MixedCase\" int)";

    #[test]
    fn column_types_follow_debeziums_mapping_with_default_modes() {
        assert_eq!(
            types(COLUMNS, Options::default()),
            [
                "id: INT32",
                "flag: BOOLEAN",
                "small: INT16 optional",
                "big: INT64 optional",
                "r: FLOAT32 optional",
                "d: FLOAT64 optional",
                "total: BYTES/org.apache.kafka.connect.data.Decimal scale 2 optional",
                "loose: STRUCT/io.debezium.data.VariableScaleDecimal optional",
                "cash: BYTES/org.apache.kafka.connect.data.Decimal scale 2 optional",
                "name: STRING optional",
                "body: STRING optional",
                "doc: STRING/io.debezium.data.Json optional",
                "ref: STRING/io.debezium.data.Uuid optional",
                "raw: BYTES optional",
                "day: INT32/io.debezium.time.Date optional",
                "t: INT64/io.debezium.time.MicroTime optional",
                "t3: INT32/io.debezium.time.Time optional",
                "ts: INT64/io.debezium.time.MicroTimestamp optional",
                "ts3: INT64/io.debezium.time.Timestamp optional",
                "tstz: STRING/io.debezium.time.ZonedTimestamp optional",
                "span: INT64/io.debezium.time.MicroDuration optional",
                "tags: ARRAY optional",
                "MixedCase: INT32 optional",
            ]
        );
    }

    #[test]
    fn decimal_and_time_modes_change_the_types() {
        let ddl = "CREATE TABLE orders (total numeric(10,2) NOT NULL, day date, t time(3), ts timestamp)";
        let connect = Options { decimal: DecimalMode::Double, time: TimeMode::Connect };
        assert_eq!(
            types(ddl, connect),
            [
                "total: FLOAT64",
                "day: INT32/org.apache.kafka.connect.data.Date optional",
                "t: INT32/org.apache.kafka.connect.data.Time optional",
                "ts: INT64/org.apache.kafka.connect.data.Timestamp optional",
            ]
        );
        let micro = Options { decimal: DecimalMode::String, time: TimeMode::AdaptiveTimeMicroseconds };
        assert_eq!(
            types(ddl, micro),
            [
                "total: STRING",
                "day: INT32/io.debezium.time.Date optional",
                "t: INT64/io.debezium.time.MicroTime optional",
                "ts: INT64/io.debezium.time.MicroTimestamp optional",
            ]
        );
    }

    #[test]
    fn key_is_the_primary_key_columns_and_value_the_envelope_or_the_row() {
        let derived = derive_ok(
            "CREATE TABLE public.orders (a int, b text, note text, CONSTRAINT pk PRIMARY KEY (b, a))",
            Options::default(),
        );
        assert_eq!(derived.key_columns, ["b", "a"]);
        let key = derived.key.as_ref().unwrap();
        assert_eq!(key.name.as_deref(), Some("shop.public.orders.Key"));
        let ConnectKind::Struct(fields) = &key.kind else { panic!("{key:?}") };
        let names: Vec<_> = fields.iter().map(|(n, s)| (n.as_str(), s.optional)).collect();
        assert_eq!(names, [("b", false), ("a", false)]);

        let row = derived.value(true);
        assert_eq!(row.name.as_deref(), Some("shop.public.orders.Value"));
        let envelope = derived.value(false);
        assert_eq!(envelope.name.as_deref(), Some("shop.public.orders.Envelope"));
        let ConnectKind::Struct(fields) = &envelope.kind else { panic!() };
        let names: Vec<_> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["before", "after", "source", "transaction", "op", "ts_ms", "ts_us", "ts_ns"]);
        assert_eq!(fields[1].1, *row);
    }

    #[test]
    fn a_table_without_primary_key_has_no_key_record() {
        let derived = derive_ok("CREATE TABLE orders (a int)", Options::default());
        assert_eq!(derived.key, None);
    }

    #[test]
    fn bad_ddl_is_an_error_with_a_place_not_a_panic() {
        let text = SourceText::from_file(FileId(0), "CREATE TABLE orders (\n  a int,\n  b\n".into());
        let (error, span) = derive("shop", &table("orders"), &text, Options::default()).unwrap_err();
        assert!(matches!(error, DeriveError::Syntax { .. }), "{error:?}");
        assert!(span.start > 0, "{span:?}");
        let text = SourceText::from_file(FileId(0), "CREATE TABLE other (a int);".into());
        let (error, _) = derive("shop", &table("orders"), &text, Options::default()).unwrap_err();
        assert_eq!(error, DeriveError::NoTable { table: "public.orders".into(), found: vec!["public.other".into()] });
        for text in ["", ";;", "SELECT 1", "CREATE TABLE orders ()", "\u{0}"] {
            let text = SourceText::from_file(FileId(0), text.into());
            let _ = derive("shop", &table("orders"), &text, Options::default());
        }
    }

    #[test]
    fn modes_come_from_the_connector_config() {
        let ddl = "CREATE TABLE orders (total numeric(10,2))";
        let options = |pairs: &[(&str, &str)]| {
            let span = Span::new(FileId(0), 0, 0);
            let config = pairs
                .iter()
                .map(|(k, v)| crate::model::ConfigEntry {
                    key: Spanned::new(k.to_string(), span),
                    value: Spanned::new(v.to_string(), span),
                })
                .collect();
            let connector = Connector {
                name: Spanned::new("c".into(), span),
                direction: crate::model::Direction::Source,
                kind: None,
                topic: None,
                database: None,
                tables: Vec::new(),
                table: None,
                file: None,
                unwrap: None,
                mode: None,
                pk: None,
                deletes: None,
                key: None,
                value: None,
                tasks: None,
                principal: None,
                config,
            };
            Options::of(&connector)
        };
        assert_eq!(types(ddl, options(&[])), ["total: BYTES/org.apache.kafka.connect.data.Decimal scale 2 optional"]);
        assert_eq!(types(ddl, options(&[("decimal.handling.mode", "string")])), ["total: STRING optional"]);
    }
}
