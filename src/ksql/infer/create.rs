//! CREATE statements: `CREATE [SOURCE] STREAM|TABLE` over a topic (its formats, its columns
//! declared or read from the registry, the properties that must agree with them) and `CREATE ...
//! AS SELECT` (the query's result, in the formats stated or inherited).

use super::query::QueryOutput;
use super::{Created, Effect, Run};
use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, Registered, Role, Source, WindowType};
use crate::ksql::problem::Problem;
use crate::ksql::to_avro::RegisteredCache;
use crate::ksql::types;
use crate::model::KsqlSourceKind;

/// The properties a CREATE may state (`CreateSourceProperties`, `CreateSourceAsProperties`).
const SOURCE_PROPERTIES: &[&str] = &[
    "FORMAT",
    "KAFKA_TOPIC",
    "KEY_DELIMITER",
    "KEY_FORMAT",
    "KEY_PROTOBUF_NULLABLE_REPRESENTATION",
    "KEY_SCHEMA_FULL_NAME",
    "KEY_SCHEMA_ID",
    "PARTITIONS",
    "REPLICAS",
    "RETENTION_MS",
    "SOURCED_BY_CONNECTOR",
    "TIMESTAMP",
    "TIMESTAMP_FORMAT",
    "VALUE_AVRO_SCHEMA_FULL_NAME",
    "VALUE_DELIMITER",
    "VALUE_FORMAT",
    "VALUE_PROTOBUF_NULLABLE_REPRESENTATION",
    "VALUE_SCHEMA_FULL_NAME",
    "VALUE_SCHEMA_ID",
    "WINDOW_SIZE",
    "WINDOW_TYPE",
    "WRAP_SINGLE_VALUE",
];

/// ROWTIME and the pseudocolumns of 0.24 (`SystemColumns`: ROWPARTITION INT, ROWOFFSET BIGINT),
/// and the window bounds.
pub(super) const SYSTEM_COLUMNS: &[&str] = &["ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND"];

/// The `REPLICAS` a statement states, spanned at its value (a value that is no whole number is
/// another check's).
fn replicas(props: Option<&Properties>) -> Option<Spanned<u32>> {
    let value = &props?.get("REPLICAS")?.value;
    Some(Spanned::new(value.value.text().parse().ok()?, value.span))
}

const FORMATS: &[&str] = &["AVRO", "DELIMITED", "JSON", "JSON_SR", "KAFKA", "NONE", "PROTOBUF", "PROTOBUF_NOSR"];

/// Formats whose schemas ksqlDB reads from the registry.
fn registry_format(format: &str) -> bool {
    matches!(format, "AVRO" | "JSON_SR" | "PROTOBUF")
}

/// The key and value formats of a created source, and whether the statement states each.
struct Formats {
    key: Spanned<String>,
    value: Spanned<String>,
    key_stated: bool,
    value_stated: bool,
}

impl Run<'_> {
    /// Checks the names of the WITH clause and that FORMAT is not given with KEY_FORMAT or
    /// VALUE_FORMAT; returns the named format values, upper-cased.
    fn check_properties(&mut self, properties: Option<&Properties>, allowed: &[&str]) -> bool {
        let Some(properties) = properties else { return true };
        let mut ok = true;
        for p in &properties.entries {
            if !allowed.contains(&p.name.value.as_str()) {
                self.reject(format!("`{}` is not a property of this statement", p.name.value), p.name.span);
                ok = false;
            }
        }
        if let Some(format) = properties.get("FORMAT") {
            for other in ["KEY_FORMAT", "VALUE_FORMAT"] {
                if properties.get(other).is_some() {
                    self.reject(format!("`FORMAT` and `{other}` cannot both be given"), format.name.span);
                    ok = false;
                }
            }
        }
        for name in ["FORMAT", "KEY_FORMAT", "VALUE_FORMAT"] {
            if let Some(p) = properties.get(name) {
                let value = p.value.value.text().to_uppercase();
                if !FORMATS.contains(&value.as_str()) {
                    self.reject(format!("unknown format `{}`", p.value.value.text()), p.value.span);
                    ok = false;
                }
            }
        }
        ok
    }

    fn stated_format(properties: Option<&Properties>, side: &str) -> Option<Spanned<String>> {
        let properties = properties?;
        let p = properties.get(side).or_else(|| properties.get("FORMAT"))?;
        Some(Spanned::new(p.value.value.text().to_uppercase(), p.value.span))
    }

    pub(super) fn create_source(&mut self, c: &CreateSource) -> Option<Effect> {
        let props = c.properties.as_ref();
        if !self.check_properties(props, SOURCE_PROPERTIES) {
            return None;
        }
        let Some(topic) = props.and_then(|p| p.get("KAFKA_TOPIC")) else {
            self.reject("a CREATE STREAM or TABLE needs the `KAFKA_TOPIC` property", c.name.span);
            return None;
        };
        let topic = Spanned::new(topic.value.value.text(), topic.value.span);
        self.check_new_source(c)?;
        let formats = self.declared_formats(c)?;
        if !self.check_format_properties(props, &formats) {
            return None;
        }
        let (columns, known) = self.source_columns(c, &topic, &formats)?;
        if !self.check_formats(&columns, &formats.key, &formats.value, props) {
            return None;
        }
        let windowed = self.window_type_property(props)?;
        self.check_timestamp(props, &columns, known);
        let source = Source {
            name: c.name.value.clone(),
            kind: c.kind,
            columns,
            columns_known: known,
            topic: topic.value.clone(),
            key_format: formats.key.value.clone(),
            value_format: formats.value.value.clone(),
            windowed,
            partitions: self.engine.partitions.get(&topic.value).copied(),
            origin: Some(c.name.span),
            read_only: c.source,
            from_query: false,
        };
        let creates_topic = props.is_some_and(|p| p.get("PARTITIONS").is_some());
        self.register_schemas(&source, props, false);
        let mut created = self.created(&source, &c.name, topic, formats, Vec::new(), creates_topic);
        created.replicas = replicas(props);
        self.engine.sources.insert(c.name.value.clone(), source);
        Some(Effect::Declared(created))
    }

    /// A CREATE may reuse a name only with OR REPLACE (of a source of its kind) or IF NOT
    /// EXISTS, which then does nothing: `None` when it does not create.
    fn check_new_source(&mut self, c: &CreateSource) -> Option<()> {
        if let Some(existing) = self.engine.sources.get(&c.name.value)
            && !c.if_not_exists
            && !(c.or_replace && existing.kind == c.kind)
        {
            let what = existing.kind.as_str();
            self.reject(format!("a {what} named `{}` already exists", c.name.value), c.name.span);
            return None;
        }
        if c.if_not_exists && self.engine.sources.contains_key(&c.name.value) {
            return None;
        }
        Some(())
    }

    /// The formats of a CREATE: stated, else the configured defaults (the key's is KAFKA unless
    /// configured; the value's must be stated or configured).
    fn declared_formats(&mut self, c: &CreateSource) -> Option<Formats> {
        let props = c.properties.as_ref();
        let default_key = self.engine.property("ksql.persistence.default.format.key").unwrap_or("KAFKA").to_uppercase();
        let default_value = self.engine.property("ksql.persistence.default.format.value").map(str::to_uppercase);
        let key_stated = Self::stated_format(props, "KEY_FORMAT");
        let value_stated = Self::stated_format(props, "VALUE_FORMAT");
        // An unstated key format is spanned at the first key column, which it serializes.
        let key_span = c.elements.iter().flatten().find(|e| is_key_element(e)).map_or(c.name.span, |e| e.name.span);
        let key = key_stated.clone().unwrap_or_else(|| Spanned::new(default_key, key_span));
        let Some(value) = value_stated.clone().or_else(|| default_value.map(|v| Spanned::new(v, c.name.span))) else {
            self.reject("the statement gives no `VALUE_FORMAT` (nor `FORMAT`)", c.name.span);
            return None;
        };
        Some(Formats { key, value, key_stated: key_stated.is_some(), value_stated: value_stated.is_some() })
    }

    /// The columns of a CREATE, keys first, and whether all are known: the declared ones, and
    /// the registered schema's for a side that declares none in a format with a registry.
    /// `None` when there are none to read, or a table has no key (rejected).
    fn source_columns(
        &mut self,
        c: &CreateSource,
        topic: &Spanned<String>,
        formats: &Formats,
    ) -> Option<(Vec<Column>, bool)> {
        let props = c.properties.as_ref();
        let (mut columns, mut known) = self.declared_columns(c);
        let declared_keys = c.elements.as_ref().is_some_and(|e| e.iter().any(is_key_element));
        let declared_values = c.elements.as_ref().is_some_and(|e| e.iter().any(|e| e.constraint.is_none()));
        if !declared_keys
            && registry_format(&formats.key.value)
            && !self.registered_key(props, topic, &mut columns, &mut known)
        {
            return None;
        }
        if !declared_values && registry_format(&formats.value.value) {
            if !self.registered_values(props, topic, &mut columns, &mut known) {
                return None;
            }
        } else if c.elements.is_none() {
            self.reject(
                format!(
                    "the statement lists no columns, and format `{}` has no schema to read them from",
                    formats.value.value
                ),
                c.name.span,
            );
            return None;
        }
        // Sort keys first, as ksqlDB's schema does.
        columns.sort_by_key(|c| match c.role {
            Role::Key => 0,
            _ => 1,
        });
        if c.kind == KsqlSourceKind::Table && !columns.iter().any(|c| c.role == Role::Key) && known {
            self.reject("a table needs a PRIMARY KEY column", c.name.span);
            return None;
        }
        Some((columns, known))
    }

    /// What a CREATE statement declares or creates as `source`, for the edges and `describe`.
    fn created(
        &self,
        source: &Source,
        name: &Name,
        topic: Spanned<String>,
        formats: Formats,
        from: Vec<String>,
        creates_topic: bool,
    ) -> Created {
        Created {
            kind: source.kind,
            name: name.clone(),
            topic,
            key_types: source.key_columns().map(|c| c.sql_type.clone()).collect(),
            key_format_stated: formats.key_stated,
            value_format_stated: formats.value_stated,
            key_format: formats.key,
            value_format: formats.value,
            windowed: source.windowed.is_some(),
            from,
            columns: source.columns_known.then(|| source.columns.clone()),
            creates_topic,
            replicas: None,
            span: self.statement.span,
            registered: RegisteredCache::default(),
        }
    }

    /// The columns a CREATE declares, each typed (`false` when a type is unknown), with the
    /// types HEADERS and HEADER columns must have.
    fn declared_columns(&mut self, c: &CreateSource) -> (Vec<Column>, bool) {
        let mut columns = Vec::new();
        let mut known = true;
        for element in c.elements.iter().flatten() {
            let Some(sql_type) = self.resolve_type(&element.sql_type.value, element.sql_type.span) else {
                known = false;
                continue;
            };
            // The system columns' names are ksqlDB's (`SystemColumns.isSystemColumn`).
            if SYSTEM_COLUMNS.contains(&element.name.value.as_str()) {
                self.reject(format!("`{}` is a reserved column name", element.name.value), element.name.span);
            }
            let role = match element.constraint.as_ref().map(|c| &c.value) {
                Some(ColumnConstraint::Key | ColumnConstraint::PrimaryKey) => Role::Key,
                Some(ColumnConstraint::Headers | ColumnConstraint::Header(_)) => Role::Headers,
                None => Role::Value,
            };
            if let Some(ColumnConstraint::Headers) = element.constraint.as_ref().map(|c| &c.value) {
                let expected = SqlType::Array(Box::new(SqlType::Struct(vec![
                    StructField { name: "KEY".into(), sql_type: SqlType::String },
                    StructField { name: "VALUE".into(), sql_type: SqlType::Bytes },
                ])));
                if sql_type != expected {
                    self.reject(format!("a HEADERS column must be of type {expected}"), element.sql_type.span);
                }
            }
            if let Some(ColumnConstraint::Header(_)) = element.constraint.as_ref().map(|c| &c.value)
                && sql_type != SqlType::Bytes
            {
                self.reject("a HEADER('key') column must be of type BYTES", element.sql_type.span);
            }
            columns.push(Column { name: element.name.value.clone(), sql_type, role });
        }
        (columns, known)
    }

    /// Puts the key columns of the topic's registered key schema first; `false` when the schema
    /// cannot be used. An opaque schema leaves the columns unknown.
    fn registered_key(
        &mut self,
        props: Option<&Properties>,
        topic: &Spanned<String>,
        columns: &mut Vec<Column>,
        known: &mut bool,
    ) -> bool {
        let full_name = props.and_then(|p| p.get("KEY_SCHEMA_FULL_NAME")).map(|p| p.value.value.text());
        let registered =
            self.engine.registry.get(&format!("{}-key", topic.value)).map(|r| r.resolve(full_name.as_deref()));
        match registered.as_ref() {
            Some(Registered::Type(t)) => {
                let keep_case = props.is_some_and(|p| p.get("KEY_SCHEMA_ID").is_some());
                let t = if keep_case { t.clone() } else { upper_fields(t) };
                columns.splice(0..0, registered_columns(&t, Role::Key, "ROWKEY")).for_each(drop)
            }
            Some(Registered::Opaque | Registered::Protobuf { .. }) => *known = false,
            Some(Registered::Unsupported(why)) => {
                self.reject(format!("the key schema of `{}` cannot be used: {why}", topic.value), topic.span);
                return false;
            }
            None => return self.unregistered(topic, "key", known),
        }
        true
    }

    /// A side left to inference whose subject the registry does not list: ksqlDB's schema
    /// supplier (`SchemaRegistryTopicSchemaSupplier`) fails the statement, and venice does when
    /// it knows every subject; in a project, whose topics others may write, the side's columns
    /// are unknown instead. `false` when rejected.
    fn unregistered(&mut self, topic: &Spanned<String>, side: &str, known: &mut bool) -> bool {
        if self.engine.registry_open {
            *known = false;
            return true;
        }
        self.reject(
            format!(
                "the statement leaves the {side} columns to the registry, and no schema is registered for subject `{}-{side}`",
                topic.value
            ),
            topic.span,
        );
        false
    }

    /// Adds the value columns of the topic's registered value schema; `false` when the schema
    /// cannot be used, or there is none ([`Self::unregistered`]).
    fn registered_values(
        &mut self,
        props: Option<&Properties>,
        topic: &Spanned<String>,
        columns: &mut Vec<Column>,
        known: &mut bool,
    ) -> bool {
        let full_name = props
            .and_then(|p| p.get("VALUE_SCHEMA_FULL_NAME").or_else(|| p.get("VALUE_AVRO_SCHEMA_FULL_NAME")))
            .map(|p| p.value.value.text());
        let registered =
            self.engine.registry.get(&format!("{}-value", topic.value)).map(|r| r.resolve(full_name.as_deref()));
        match registered.as_ref() {
            Some(Registered::Type(t)) => {
                let keep_case = props.is_some_and(|p| p.get("VALUE_SCHEMA_ID").is_some());
                let t = if keep_case { t.clone() } else { upper_fields(t) };
                columns.extend(registered_columns(&t, Role::Value, "ROWVAL"))
            }
            Some(Registered::Opaque | Registered::Protobuf { .. }) => *known = false,
            Some(Registered::Unsupported(why)) => {
                self.reject(format!("the value schema of `{}` cannot be used: {why}", topic.value), topic.span);
                return false;
            }
            None => return self.unregistered(topic, "value", known),
        }
        true
    }

    /// Registers the schemas of a source's sides in a format with a registry, as ksqlDB's
    /// `SchemaRegisterInjector` does: a query's always (`always`), a CREATE's only where the
    /// subject is not registered yet. A later CREATE over the topic infers its columns from them:
    /// a single key column is registered unwrapped (so read back as `ROWKEY`), the value columns
    /// as a record unless `WRAP_SINGLE_VALUE=false` unwraps a single one; in `PROTOBUF` both
    /// are always a message. The SQL types read back are the columns' own: the schema
    /// `ProtobufData`/`JsonSchemaData.fromConnectSchema` make of them translates back to them.
    fn register_schemas(&mut self, source: &Source, props: Option<&Properties>, always: bool) {
        if !source.columns_known {
            return;
        }
        let fields = |role: Role| -> Vec<StructField> {
            source
                .columns
                .iter()
                .filter(|c| c.role == role)
                .map(|c| StructField { name: c.name.clone(), sql_type: c.sql_type.clone() })
                .collect()
        };
        let unwrap_value = props
            .and_then(|p| p.get("WRAP_SINGLE_VALUE"))
            .is_some_and(|p| p.value.value.text().eq_ignore_ascii_case("false"));
        let sides = [
            ("key", &source.key_format, fields(Role::Key), true),
            ("value", &source.value_format, fields(Role::Value), unwrap_value),
        ];
        for (side, format, fields, unwrap) in sides {
            if !registry_format(format) || fields.is_empty() {
                continue;
            }
            // `ProtobufFormat` supports `WRAP_SINGLES` only: a single column is registered as a
            // message of one field (a Protobuf schema is a message), so read back as that field.
            let unwrap = unwrap && !format.eq_ignore_ascii_case("PROTOBUF");
            let t = match <[StructField; 1]>::try_from(fields) {
                Ok([single]) if unwrap => single.sql_type,
                Ok(single) => SqlType::Struct(single.into()),
                Err(fields) => SqlType::Struct(fields),
            };
            let subject = format!("{}-{side}", source.topic);
            if always || !self.engine.registry.contains_key(&subject) {
                self.engine.registry.insert(subject, Registered::Type(t));
            }
        }
    }

    /// The properties that configure one side's format are for the formats that take them, as
    /// ksqlDB's `FormatFactory.of` validates a `FormatInfo` (`KsqlFormat.validateProperties`:
    /// "KAFKA does not support the following configs: [schemaId]"): a delimiter for `DELIMITED`,
    /// a schema id or full name for the formats with a registry, a nullable representation for
    /// Protobuf. `KAFKA`, `JSON` and `NONE` take none. `false` when one is rejected.
    fn check_format_properties(&mut self, props: Option<&Properties>, formats: &Formats) -> bool {
        let Some(props) = props else { return true };
        for p in &props.entries {
            let name = p.name.value.as_str();
            let (format, setting) = match name.split_once('_') {
                Some(("KEY", setting)) => (&formats.key, setting),
                Some(("VALUE", setting)) => (&formats.value, setting),
                _ => continue,
            };
            let takes = match setting {
                "DELIMITER" => format.value == "DELIMITED",
                "SCHEMA_ID" | "SCHEMA_FULL_NAME" | "AVRO_SCHEMA_FULL_NAME" => registry_format(&format.value),
                "PROTOBUF_NULLABLE_REPRESENTATION" => format.value.starts_with("PROTOBUF"),
                _ => true,
            };
            if !takes {
                self.reject(format!("format `{}` does not take `{name}`", format.value), p.name.span);
                return false;
            }
        }
        true
    }

    /// The WINDOW_TYPE property of a windowed source: `None` (rejected) when unknown.
    fn window_type_property(&mut self, props: Option<&Properties>) -> Option<Option<WindowType>> {
        Some(match props.and_then(|p| p.get("WINDOW_TYPE")) {
            Some(p) => match p.value.value.text().to_uppercase().as_str() {
                "TUMBLING" => Some(WindowType::Tumbling),
                "HOPPING" => Some(WindowType::Hopping),
                "SESSION" => Some(WindowType::Session),
                other => {
                    self.reject(format!("unknown WINDOW_TYPE `{other}`"), p.value.span);
                    return None;
                }
            },
            None => None,
        })
    }

    /// Checks that the formats can hold the columns.
    fn check_formats(
        &mut self,
        columns: &[Column],
        key_format: &Spanned<String>,
        value_format: &Spanned<String>,
        props: Option<&Properties>,
    ) -> bool {
        let keys: Vec<&Column> = columns.iter().filter(|c| c.role == Role::Key).collect();
        let values: Vec<&Column> = columns.iter().filter(|c| c.role == Role::Value).collect();
        self.check_format_holds("key", &keys, key_format)
            && self.check_format_holds("value", &values, value_format)
            && self.check_wrap_single_value(props, &values, value_format)
    }

    /// Whether a format can hold one side's columns (`side` is "key" or "value"): `NONE` holds
    /// no key columns and is no value format, `KAFKA` holds one column of a primitive type,
    /// `DELIMITED` no complex types.
    fn check_format_holds(&mut self, side: &str, columns: &[&Column], format: &Spanned<String>) -> bool {
        // In any key format: a MAP's entries have no stable serialized order, so ksqlDB's key
        // serde (`GenericKeySerDe`, ksql issue 6621) refuses a key type that is or holds one.
        let map_key = columns.iter().find(|c| side == "key" && holds_map(&c.sql_type));
        let reason = match format.value.as_str() {
            _ if let Some(c) = map_key => {
                Some(format!("key column `{}` is {}: a key may not be or hold a MAP", c.name, c.sql_type))
            }
            "NONE" if side == "key" && !columns.is_empty() => Some("key format `NONE` cannot hold key columns".into()),
            "NONE" if side == "value" => Some("`NONE` is not a value format".into()),
            "KAFKA" if columns.len() > 1 => {
                Some(format!("the `KAFKA` {side} format holds a single column, but there are {}", columns.len()))
            }
            "KAFKA" => columns
                .first()
                .filter(|c| !types::kafka_key_type(&c.sql_type))
                .map(|c| format!("the `KAFKA` format does not support type {}", c.sql_type)),
            "DELIMITED" => columns
                .iter()
                .find(|c| is_complex(&c.sql_type))
                .map(|c| format!("the `DELIMITED` format does not support type {}", c.sql_type)),
            _ => None,
        };
        let Some(reason) = reason else { return true };
        self.reject(reason, format.span);
        false
    }

    /// `WRAP_SINGLE_VALUE` is for a single value column, in a format that can wrap it.
    fn check_wrap_single_value(
        &mut self,
        props: Option<&Properties>,
        values: &[&Column],
        value_format: &Spanned<String>,
    ) -> bool {
        let Some(wrap) = props.and_then(|p| p.get("WRAP_SINGLE_VALUE")) else { return true };
        if values.len() > 1 {
            self.reject("`WRAP_SINGLE_VALUE` is only for a single value column", wrap.name.span);
            return false;
        }
        if matches!(value_format.value.as_str(), "KAFKA" | "DELIMITED") {
            self.reject(format!("format `{}` does not take `WRAP_SINGLE_VALUE`", value_format.value), wrap.name.span);
            return false;
        }
        true
    }

    fn check_timestamp(&mut self, props: Option<&Properties>, columns: &[Column], known: bool) {
        let Some(ts) = props.and_then(|p| p.get("TIMESTAMP")) else { return };
        if !known {
            return;
        }
        let name = ts.value.value.text();
        let name = if name.starts_with('`') { name.trim_matches('`').to_string() } else { name.to_uppercase() };
        match columns.iter().find(|c| c.name == name) {
            None => {
                let suggestion = suggest(&name, columns.iter().map(|c| c.name.as_str()));
                self.report(Problem::UnknownColumn { name, suggestion }, ts.value.span);
            }
            Some(c) => {
                let with_format = props.and_then(|p| p.get("TIMESTAMP_FORMAT")).is_some();
                let ok = match c.sql_type {
                    SqlType::BigInt | SqlType::Timestamp => !with_format,
                    SqlType::String => with_format,
                    _ => false,
                };
                if !ok {
                    self.reject(
                        format!("the TIMESTAMP column `{}` is {}: it must be BIGINT or TIMESTAMP, or STRING with TIMESTAMP_FORMAT", c.name, c.sql_type),
                        ts.value.span,
                    );
                }
            }
        }
    }

    pub(super) fn create_as_select(&mut self, c: &CreateAsSelect) -> Option<Effect> {
        let props = c.properties.as_ref();
        let allowed: Vec<&str> = SOURCE_PROPERTIES
            .iter()
            .copied()
            .filter(|p| !matches!(*p, "WINDOW_TYPE" | "WINDOW_SIZE" | "SOURCED_BY_CONNECTOR"))
            .collect();
        if !self.check_properties(props, &allowed) {
            return None;
        }
        self.check_replaced(c)?;
        let topic = match props.and_then(|p| p.get("KAFKA_TOPIC")) {
            Some(p) => Spanned::new(p.value.value.text(), p.value.span),
            None => Spanned::new(c.name.value.clone(), c.name.span),
        };
        let Some(output) = self.query(&c.query, Some(c.kind), Some(&c.name)) else {
            // ksqlDB would reject the statement (reported); it still names a topic it means to
            // write, and later statements may use it: both stay known, with unknown columns.
            return Some(self.unknown_created(c, topic));
        };
        let formats = self.query_formats(c, &output);
        if !self.check_format_properties(props, &formats) {
            return None;
        }
        if output.known && !self.check_formats(&output.columns, &formats.key, &formats.value, props) {
            return None;
        }
        self.check_timestamp(props, &output.columns, output.known);
        let partitions = match props.and_then(|p| p.get("PARTITIONS")) {
            Some(p) => p.value.value.text().parse().ok(),
            None => output.partitions,
        };
        if let Some(p) = partitions {
            self.engine.partitions.entry(topic.value.clone()).or_insert(p);
        }
        let source = Source {
            name: c.name.value.clone(),
            kind: c.kind,
            columns: output.columns,
            columns_known: output.known,
            topic: topic.value.clone(),
            key_format: formats.key.value.clone(),
            value_format: formats.value.value.clone(),
            windowed: output.windowed,
            partitions,
            origin: Some(c.name.span),
            read_only: false,
            from_query: true,
        };
        self.register_schemas(&source, props, true);
        let mut created = self.created(&source, &c.name, topic, formats, output.from, true);
        created.replicas = replicas(props);
        self.engine.sources.insert(c.name.value.clone(), source);
        Some(Effect::Created(created))
    }

    /// A CREATE ... AS SELECT may reuse a name only with IF NOT EXISTS, which then does nothing,
    /// or OR REPLACE of a source of its kind: `None` when it does not create.
    fn check_replaced(&mut self, c: &CreateAsSelect) -> Option<()> {
        let Some(existing) = self.engine.sources.get(&c.name.value) else { return Some(()) };
        if c.if_not_exists {
            return None;
        }
        if !c.or_replace {
            let what = existing.kind.as_str();
            self.reject(format!("a {what} named `{}` already exists", c.name.value), c.name.span);
            return None;
        }
        if existing.kind != c.kind {
            self.reject(
                format!("`{}` is a {}: OR REPLACE cannot change its kind", c.name.value, existing.kind.as_str()),
                c.name.span,
            );
            return None;
        }
        Some(())
    }

    /// The formats of a CREATE ... AS SELECT: stated, else its (leftmost) source's. A result
    /// without key columns has key format `NONE`; a keyed one of a source whose key format is
    /// `NONE` takes the configured default.
    fn query_formats(&self, c: &CreateAsSelect, output: &QueryOutput) -> Formats {
        let props = c.properties.as_ref();
        let has_key = output.columns.iter().any(|c| c.role == Role::Key);
        let key_stated = Self::stated_format(props, "KEY_FORMAT");
        let value_stated = Self::stated_format(props, "VALUE_FORMAT");
        let default_key = self.engine.property("ksql.persistence.default.format.key").unwrap_or("KAFKA").to_uppercase();
        let key = match &key_stated {
            Some(f) => f.clone(),
            None if !has_key => Spanned::new("NONE".into(), c.name.span),
            None if output.key_format == "NONE" => Spanned::new(default_key, c.name.span),
            None => Spanned::new(output.key_format.clone(), c.name.span),
        };
        let value = value_stated.clone().unwrap_or_else(|| Spanned::new(output.value_format.clone(), c.name.span));
        Formats { key, value, key_stated: key_stated.is_some(), value_stated: value_stated.is_some() }
    }

    /// A CREATE ... AS SELECT whose query could not be analysed: its topic and stated formats.
    fn unknown_created(&mut self, c: &CreateAsSelect, topic: Spanned<String>) -> Effect {
        let props = c.properties.as_ref();
        let unknown = || Spanned::new(String::new(), c.name.span);
        let key_stated = Self::stated_format(props, "KEY_FORMAT");
        let value_stated = Self::stated_format(props, "VALUE_FORMAT");
        let source = Source {
            name: c.name.value.clone(),
            kind: c.kind,
            columns: Vec::new(),
            columns_known: false,
            topic: topic.value.clone(),
            key_format: key_stated.as_ref().map_or_else(String::new, |f| f.value.clone()),
            value_format: value_stated.as_ref().map_or_else(String::new, |f| f.value.clone()),
            windowed: None,
            partitions: None,
            origin: Some(c.name.span),
            read_only: false,
            from_query: true,
        };
        self.engine.sources.entry(c.name.value.clone()).or_insert(source);
        Effect::Created(Created {
            kind: c.kind,
            name: c.name.clone(),
            topic,
            key_format_stated: key_stated.is_some(),
            value_format_stated: value_stated.is_some(),
            key_format: key_stated.unwrap_or_else(unknown),
            value_format: value_stated.unwrap_or_else(unknown),
            key_types: Vec::new(),
            windowed: c.query.window.is_some(),
            from: Vec::new(),
            columns: None,
            creates_topic: true,
            replicas: replicas(props),
            span: self.statement.span,
            registered: RegisteredCache::default(),
        })
    }
}

/// Whether a declared column is a key column (`KEY` or `PRIMARY KEY`).
fn is_key_element(e: &TableElement) -> bool {
    matches!(e.constraint.as_ref().map(|c| &c.value), Some(ColumnConstraint::Key | ColumnConstraint::PrimaryKey))
}

/// Columns from a registered schema: a record's fields, or one column named `single`.
fn registered_columns(t: &SqlType, role: Role, single: &str) -> Vec<Column> {
    match t {
        SqlType::Struct(fields) if role == Role::Value || !fields.is_empty() => fields
            .iter()
            .map(|f| Column { name: f.name.clone(), sql_type: f.sql_type.clone(), role: role.clone() })
            .collect(),
        other => vec![Column { name: single.into(), sql_type: other.clone(), role }],
    }
}

/// A type with its struct fields' names upper-cased, as ksqlDB names inferred columns.
fn upper_fields(t: &SqlType) -> SqlType {
    match t {
        SqlType::Struct(fields) => SqlType::Struct(
            fields
                .iter()
                .map(|f| StructField { name: f.name.to_uppercase(), sql_type: upper_fields(&f.sql_type) })
                .collect(),
        ),
        SqlType::Array(e) => SqlType::Array(Box::new(upper_fields(e))),
        SqlType::Map(k, v) => SqlType::Map(k.clone(), Box::new(upper_fields(v))),
        other => other.clone(),
    }
}

/// Whether a type is a MAP or holds one.
fn holds_map(t: &SqlType) -> bool {
    match t {
        SqlType::Map(..) => true,
        SqlType::Array(e) => holds_map(e),
        SqlType::Struct(fields) => fields.iter().any(|f| holds_map(&f.sql_type)),
        _ => false,
    }
}

fn is_complex(t: &SqlType) -> bool {
    matches!(t, SqlType::Array(_) | SqlType::Map(..) | SqlType::Struct(_))
}
