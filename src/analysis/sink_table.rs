//! The records a connector reads or writes, as Kafka Connect schemas, and the table a JDBC sink
//! writes from them.
//!
//! A sink's record schema is, in order: the `schema=` of its own serde (Avro, or a Protobuf
//! message as `ProtobufConverter` gives it to Connect, or a JSON Schema as `JsonSchemaConverter`
//! does), the schema its topic declares or a
//! writer names, or what a Debezium source that writes the topic derives
//! from its table's DDL. Topics a ksqlDB query writes have no known schema until the ksqlDB
//! front end infers it; for those, nothing is said.

use super::Analysis;
use crate::avro::Catalog;
use crate::avro::mapping::{self, ConnectKind, ConnectSchema};
use crate::connect::catalog::{self, Kind};
use crate::connect::derive::{self, Derived};
use crate::ksql::to_avro;
use crate::model::{CapturedTable, Connector, Direction, Format, PkSource, Project, Serde, Side, Spanned};
use crate::source::Span;
use std::fmt::Write as _;

/// Where a record schema comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A venice `schema` (Avro), by name.
    Schema(String),
    /// Derived from a Debezium source's DDL: the source, the table, and whether the value is
    /// the change event envelope (no `unwrap`).
    Debezium { source: String, table: String, envelope: bool },
    /// What a ksqlDB query writes: the Avro ksqlDB registers for its columns (`stream \`X\``).
    Ksql(String),
}

impl Origin {
    /// As a label says it: "schema `Order`", "the DDL of `public.orders`".
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::Schema(name) => format!("schema `{name}`"),
            Origin::Debezium { table, .. } => format!("the DDL of `{table}`"),
            Origin::Ksql(source) => format!("the columns of the {source}"),
        }
    }
}

/// A record schema as Connect sees it, with the places its top-level fields are written.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) origin: Origin,
    pub(crate) schema: ConnectSchema,
    /// Each top-level field's name and where it is declared (.avsc field name, DDL column).
    pub(crate) fields: Vec<(String, Span)>,
    /// Where the schema is declared as a whole (the schema's text, the DDL).
    pub(crate) span: Span,
}

impl Record {
    /// The top-level fields, when the record is a struct.
    pub(crate) fn struct_fields(&self) -> Option<&[(String, ConnectSchema)]> {
        match &self.schema.kind {
            ConnectKind::Struct(fields) => Some(fields),
            _ => None,
        }
    }

    /// Where a top-level field is declared.
    pub(crate) fn field_span(&self, name: &str) -> Span {
        self.fields.iter().find(|(n, _)| n == name).map_or(self.span, |(_, span)| *span)
    }
}

/// The Debezium source and captured table that write a topic, if one does.
pub(crate) fn debezium_writer<'p>(project: &'p Project, topic: &str) -> Option<(&'p Connector, &'p CapturedTable)> {
    project.captured(topic).into_iter().find(|(c, _)| catalog::of(c).is_some_and(|e| e.kind == Kind::DebeziumPostgres))
}

/// What Debezium derives for a captured table, when its DDL is given and readable.
pub(crate) fn derived<'a>(analysis: &'a Analysis, table: &CapturedTable) -> Option<&'a Derived> {
    analysis.derived.of(table)?.as_ref().ok()
}

/// The record schema a connector reads (a sink) or writes (a source) on one side of `topic`.
pub(crate) fn record(
    project: &Project,
    analysis: &Analysis,
    connector: &Connector,
    topic: &str,
    side: Side,
) -> Option<Record> {
    let own = match side {
        Side::Key => connector.key.as_ref(),
        Side::Value => connector.value.as_ref(),
    };
    if let Some(record) = schema_record(analysis, own) {
        return Some(record);
    }
    topic_record(project, analysis, topic, side)
}

/// The record schema a topic carries on a side: its declared Avro schema, a writer's, or a
/// Debezium source's derived one.
pub(crate) fn topic_record(project: &Project, analysis: &Analysis, topic: &str, side: Side) -> Option<Record> {
    // What a Debezium source writes comes first: it is what is on the wire.
    if let Some(record) = debezium_record(project, analysis, topic, side) {
        return Some(record);
    }
    let declared = project.topic(topic).and_then(|t| match side {
        Side::Key => t.key.as_ref(),
        Side::Value => t.value.as_ref(),
    });
    if let Some(record) = schema_record(analysis, declared) {
        return Some(record);
    }
    let edges = analysis.edges.get(topic)?;
    if let Some(record) = edges.writers.iter().find_map(|writer| schema_record(analysis, writer.serde(side))) {
        return Some(record);
    }
    ksql_record(analysis, topic, side)
}

/// What a ksqlDB query (CREATE ... AS SELECT) writes to a topic in Avro: the schema ksqlDB
/// registers for its columns, as Connect reads it.
fn ksql_record(analysis: &Analysis, topic: &str, side: Side) -> Option<Record> {
    let created = analysis.ksql.created_on(topic).next()?;
    let catalog = to_avro::registered(created, side)?;
    let root = catalog.schema(to_avro::REGISTERED)?;
    let schema = mapping::connect_schema(&catalog, root).ok()?;
    // Columns have no place of their own here: they point at the statement.
    let fields = match &schema.kind {
        ConnectKind::Struct(fields) => fields.iter().map(|(name, _)| (name.clone(), created.span)).collect(),
        _ => Vec::new(),
    };
    let source = format!("{} `{}`", created.kind.as_str(), created.name.value);
    Some(Record { origin: Origin::Ksql(source), schema, fields, span: created.span })
}

/// The record a Debezium source derives from its DDL for a topic it writes.
fn debezium_record(project: &Project, analysis: &Analysis, topic: &str, side: Side) -> Option<Record> {
    let (source, table) = debezium_writer(project, topic)?;
    let derived = derived(analysis, table)?;
    let unwrap = source.unwrap.as_ref().is_some_and(|u| u.value);
    let ddl = table.ddl.as_ref()?;
    let span = ddl.span(0, ddl.text.len().min(1));
    let schema = match side {
        Side::Key => derived.key.clone()?,
        Side::Value => derived.value(unwrap).clone(),
    };
    let fields = match (side, unwrap) {
        (Side::Value, false) => Vec::new(),
        _ => derived.columns.iter().map(|c| (c.name.clone(), c.span)).collect(),
    };
    let origin = Origin::Debezium {
        source: source.name.value.clone(),
        table: derived.table.clone(),
        envelope: side == Side::Value && !unwrap,
    };
    Some(Record { origin, schema, fields, span })
}

/// The Connect schema of a serde's `schema=`: Avro, a Protobuf message, or a JSON Schema.
fn schema_record(analysis: &Analysis, serde: Option<&Serde>) -> Option<Record> {
    avro_record(&analysis.avro, serde)
        .or_else(|| protobuf_record(&analysis.protobuf, serde?))
        .or_else(|| json_schema_record(&analysis.json_schema, serde?))
}

/// The Connect schema `JsonSchemaConverter` gives a `json-sr` serde's JSON Schema, its top-level
/// fields placed at their properties.
fn json_schema_record(catalog: &crate::json_schema::Catalog, serde: &Serde) -> Option<Record> {
    if serde.format.value != Format::JsonSr {
        return None;
    }
    let name: &Spanned<String> = serde.schema.as_ref()?;
    let schema = catalog.schema(&name.value)?;
    let connect = crate::json_schema::connect::connect_schema(schema).ok()?.schema;
    let root = schema.resolved(schema.root);
    // The schema is declared where its root opens (a whole document would be a long label).
    let whole = schema.site(root).0;
    let span = Span::new(whole.file, whole.start, whole.start);
    let place = |field: &str| match &schema.node(root).kind {
        crate::json_schema::model::Kind::Object(object) => object.property(field).map_or(span, |id| schema.site(id).0),
        _ => span,
    };
    let fields = match &connect.kind {
        ConnectKind::Struct(fields) => fields.iter().map(|(name, _)| (name.clone(), place(name))).collect(),
        _ => Vec::new(),
    };
    Some(Record { origin: Origin::Schema(name.value.clone()), schema: connect, fields, span })
}

/// The Connect schema `ProtobufConverter` gives the serde's message (`message=`, else the
/// schema's first), its top-level fields placed at their declarations in the `.proto`.
fn protobuf_record(catalog: &crate::protobuf::Catalog, serde: &Serde) -> Option<Record> {
    if serde.format.value != Format::Protobuf {
        return None;
    }
    let name: &Spanned<String> = serde.schema.as_ref()?;
    let schema = catalog.schema(&name.value)?;
    let asked = serde.message.as_ref().map(|m| m.value.as_str());
    let (_, message) = schema.message(asked)?;
    let connect = crate::protobuf::connect::connect_schema(schema, asked)?;
    let place = |at: &Option<crate::protobuf::Position>| at.as_ref().and_then(|at| catalog.span_of(at));
    let span = place(&message.at).unwrap_or(name.span);
    let fields = (message.fields.iter().map(|f| (f.name.clone(), place(&f.at).unwrap_or(span))))
        .chain(message.oneofs.iter().map(|o| (o.name.clone(), place(&o.at).unwrap_or(span))))
        .collect();
    Some(Record { origin: Origin::Schema(name.value.clone()), schema: connect, fields, span })
}

/// The Connect schema of a serde's Avro `schema=`, if it names a parsed Avro schema.
fn avro_record(catalog: &Catalog, serde: Option<&Serde>) -> Option<Record> {
    let serde = serde?;
    if !matches!(serde.format.value, Format::Avro | Format::AvroRaw) {
        return None;
    }
    let name: &Spanned<String> = serde.schema.as_ref()?;
    let id = catalog.schema_id(&name.value)?;
    let entry = catalog.get(id);
    let schema = mapping::connect_schema(catalog, &entry.root).ok()?;
    let fields = entry
        .root
        .named()
        .map(|id| catalog.named(id).fields().iter().map(|f| (f.name.clone(), f.name_span)).collect())
        .unwrap_or_default();
    Some(Record { origin: Origin::Schema(name.value.clone()), schema, fields, span: entry.span })
}

/// Whether the connector is a JDBC sink.
pub(crate) fn is_jdbc_sink(connector: &Connector) -> bool {
    connector.direction == Direction::Sink && catalog::of(connector).is_some_and(|e| e.is_jdbc_sink())
}

/// The PostgreSQL column type a JDBC sink gives a Connect schema. Confluent's sink maps the
/// Connect type (`PostgreSqlDatabaseDialect.getSqlType`, see `avro::mapping`), so Debezium's
/// semantic types arrive as their plain numbers; Debezium's sink knows its own semantic types
/// (its "Data type mappings" for the PostgreSQL dialect).
pub(crate) fn column_type(schema: &ConnectSchema, debezium_sink: bool) -> Result<String, mapping::Unsupported> {
    if debezium_sink {
        let known = match schema.name.as_deref() {
            Some(derive::DEBEZIUM_DATE) => Some("DATE"),
            Some(derive::DEBEZIUM_TIME | derive::DEBEZIUM_MICRO_TIME) => Some("TIME"),
            Some(derive::DEBEZIUM_TIMESTAMP | derive::DEBEZIUM_MICRO_TIMESTAMP) => Some("TIMESTAMP"),
            Some(derive::DEBEZIUM_ZONED_TIMESTAMP) => Some("TIMESTAMP WITH TIME ZONE"),
            Some(derive::DEBEZIUM_ZONED_TIME) => Some("TIME WITH TIME ZONE"),
            Some(derive::DEBEZIUM_VARIABLE_SCALE_DECIMAL) => Some("NUMERIC"),
            Some(derive::DEBEZIUM_JSON) => Some("JSON"),
            Some(derive::DEBEZIUM_UUID) => Some("UUID"),
            Some(derive::DEBEZIUM_XML) => Some("XML"),
            Some(derive::DEBEZIUM_MICRO_DURATION) => Some("INTERVAL"),
            _ => None,
        };
        if let Some(known) = known {
            return Ok(known.into());
        }
        if schema.kind == ConnectKind::Int16 || schema.kind == ConnectKind::Int8 {
            return Ok("SMALLINT".into());
        }
    }
    mapping::postgres_type(schema)
}

/// The value record a JDBC sink stores: the row of a Debezium envelope for Debezium's sink
/// (which reads `after` itself), the record otherwise.
pub(crate) fn stored_value(record: &Record, debezium_sink: bool) -> Option<Vec<(String, ConnectSchema)>> {
    let fields = record.struct_fields()?;
    let envelope = matches!(record.origin, Origin::Debezium { envelope: true, .. });
    if envelope && debezium_sink {
        return fields.iter().find(|(n, _)| n == "after").and_then(|(_, after)| match &after.kind {
            ConnectKind::Struct(row) => Some(row.clone()),
            _ => None,
        });
    }
    Some(fields.to_vec())
}

/// For a JDBC sink: the PostgreSQL `CREATE TABLE` it will write (columns and types from the value
/// schema, primary key from `pk`), for review; `None` for other connectors.
pub fn create_table(project: &Project, analysis: &Analysis, connector: &Connector) -> Option<String> {
    if !is_jdbc_sink(connector) {
        return None;
    }
    let debezium = catalog::of(connector).is_some_and(|e| e.kind == Kind::DebeziumJdbc);
    let topic = connector.topic.as_ref()?;
    let mut out = String::new();
    let entry = catalog::of(connector).map_or("", |e| e.name);
    let _ = writeln!(
        out,
        "-- The table that sink `{}` ({entry}) writes from topic `{}`.",
        connector.name.value, topic.value
    );
    let Some(value) = record(project, analysis, connector, &topic.value, Side::Value) else {
        let _ = writeln!(
            out,
            "-- The value schema of topic `{}` is not known to venice, so the sink creates the columns from the first record it reads.",
            topic.value
        );
        return Some(out);
    };
    let _ = writeln!(out, "-- Columns from {}.", value.origin.describe());
    if !debezium && connector.table.is_none() && topic.value.contains('.') {
        let _ = writeln!(
            out,
            "-- Without `table`, Confluent's sink reads the dotted topic name as catalog.schema.table: give the sink a `table`."
        );
    }
    let Some(value_fields) = stored_value(&value, debezium) else {
        let _ = writeln!(out, "-- The value is not a record, so the sink has no columns for it.");
        return Some(out);
    };
    let source = connector.pk.as_ref().map_or(PkSource::None, |pk| pk.source.value);
    let named: Vec<&str> = connector.pk.iter().flat_map(|pk| pk.fields.iter().map(|f| f.value.as_str())).collect();
    let mut table = Table { debezium, columns: Vec::new(), key: Vec::new() };
    match source {
        PkSource::None => {}
        PkSource::Kafka => table.kafka_coordinates(),
        PkSource::RecordKey => table.record_key(project, analysis, connector, &topic.value, &named),
        PkSource::RecordValue => table.key.extend(named.iter().map(|name| name.to_string())),
    }
    table.value(&value_fields, source, &named);
    table.write(&mut out, &table_name(connector, &topic.value, debezium));
    Some(out)
}

/// The table a JDBC sink writes; `None` for other connectors.
pub(crate) fn table_of(connector: &Connector) -> Option<String> {
    let topic = connector.topic.as_ref().filter(|_| is_jdbc_sink(connector))?;
    let debezium = catalog::of(connector).is_some_and(|e| e.kind == Kind::DebeziumJdbc);
    Some(table_name(connector, &topic.value, debezium))
}

/// The table a sink writes: its `table`, or else its topic's name, with dots made underscores by
/// Debezium's sink (see `render`).
fn table_name(connector: &Connector, topic: &str, debezium: bool) -> String {
    match &connector.table {
        Some(table) => table.value.clone(),
        None if debezium => topic.replace('.', "_"),
        None => topic.to_string(),
    }
}

/// The columns of a sink's table, key columns first as both sinks order them, and its primary
/// key.
struct Table {
    /// Whether Debezium's sink writes it (its column types and its unquoted names).
    debezium: bool,
    columns: Vec<Column>,
    key: Vec<String>,
}

/// A column: its name, its SQL type or why it has none, and whether it is `NOT NULL`.
struct Column {
    name: String,
    sql: Result<String, String>,
    not_null: bool,
}

impl Table {
    /// A column of a Connect schema's type, `NOT NULL` when asked or when the schema is required.
    fn add(&mut self, name: &str, schema: &ConnectSchema, not_null: bool) {
        let sql = column_type(schema, self.debezium).map_err(|e| e.to_string());
        self.columns.push(Column { name: name.to_string(), sql, not_null: not_null || !schema.optional });
    }

    /// A key column of a given SQL type.
    fn add_key(&mut self, name: &str, sql: &str) {
        self.columns.push(Column { name: name.to_string(), sql: Ok(sql.into()), not_null: true });
        self.key.push(name.to_string());
    }

    /// `pk.mode=kafka`: the record's topic, partition and offset are the key.
    fn kafka_coordinates(&mut self) {
        for (name, ty) in [("__connect_topic", "TEXT"), ("__connect_partition", "INT"), ("__connect_offset", "BIGINT")]
        {
            self.add_key(name, ty);
        }
    }

    /// `pk.mode=record_key`: the key record's fields (those `pk` names, or all), or a primitive
    /// key as one column.
    fn record_key(
        &mut self,
        project: &Project,
        analysis: &Analysis,
        connector: &Connector,
        topic: &str,
        named: &[&str],
    ) {
        let key_record = record(project, analysis, connector, topic, Side::Key);
        match key_record.as_ref().map(|r| &r.schema) {
            Some(ConnectSchema { kind: ConnectKind::Struct(fields), .. }) => {
                for (name, schema) in fields.iter().filter(|(n, _)| named.is_empty() || named.contains(&n.as_str())) {
                    self.add(name, schema, true);
                    self.key.push(name.clone());
                }
            }
            Some(primitive) => {
                let name = named.first().copied().unwrap_or("__connect_key");
                self.add(name, primitive, true);
                self.key.push(name.into());
            }
            None => {
                if let (Some(sql), Some(name)) = (unregistered_key_type(project, connector), named.first()) {
                    self.add_key(name, sql);
                }
            }
        }
    }

    /// The value's fields not already columns; with `pk.mode=record_value`, those `pk` names
    /// (or all of them) are the key and `NOT NULL`.
    fn value(&mut self, fields: &[(String, ConnectSchema)], source: PkSource, named: &[&str]) {
        for (name, schema) in fields {
            if self.columns.iter().any(|c| &c.name == name) {
                continue;
            }
            let in_key = source == PkSource::RecordValue && (self.key.contains(name) || named.is_empty());
            self.add(name, schema, in_key);
            if source == PkSource::RecordValue && named.is_empty() {
                self.key.push(name.clone());
            }
        }
    }

    /// A name as the sink writes it: quoted for Confluent's sink, as is for Debezium's.
    fn quote(&self, name: &str) -> String {
        if self.debezium { name.to_string() } else { format!("\"{}\"", name.replace('"', "\"\"")) }
    }

    /// The statement, a column without a type as a comment in its place.
    fn write(&self, out: &mut String, table: &str) {
        let table_name = table.split('.').map(|part| self.quote(part)).collect::<Vec<_>>().join(".");
        let _ = writeln!(out, "CREATE TABLE {table_name} (");
        let mut lines = Vec::new();
        for Column { name, sql, not_null } in &self.columns {
            match sql {
                Ok(sql) => {
                    lines.push(format!("    {} {sql}{}", self.quote(name), if *not_null { " NOT NULL" } else { "" }))
                }
                Err(why) => {
                    let _ = writeln!(out, "    -- {}: no column type for {why} (V406)", self.quote(name));
                }
            }
        }
        if !self.key.is_empty() {
            lines.push(format!(
                "    PRIMARY KEY ({})",
                self.key.iter().map(|k| self.quote(k)).collect::<Vec<_>>().join(", ")
            ));
        }
        let _ = writeln!(out, "{}", lines.join(",\n"));
        let _ = writeln!(out, ");");
    }
}

/// The SQL type of a primitive key in a format without a registry schema.
fn unregistered_key_type(project: &Project, connector: &Connector) -> Option<&'static str> {
    let format = crate::connect::render::serde(project, connector, true).map(|s| s.format.value);
    match format {
        Some(Format::String | Format::Delimited) => Some("TEXT"),
        Some(Format::Int) => Some("INT"),
        Some(Format::Long) => Some("BIGINT"),
        Some(Format::Double) => Some("DOUBLE PRECISION"),
        Some(Format::Bytes) => Some("BYTEA"),
        _ => None,
    }
}
