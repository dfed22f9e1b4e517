//! Name resolution and type inference over parsed ksqlDB statements, run in order against a
//! [`Engine`] that holds what ksqlDB would know at each point (its catalog of streams and
//! tables, custom types, `SET` properties and registered schemas).
//!
//! For each statement it resolves the streams, tables and columns it names (V302, V303), types
//! every expression with the function catalog (V304, V305), checks joins (V306, V307) and
//! aggregations (V308), rejects what ksqlDB rejects while analysing a statement (V310), and
//! derives what a CREATE statement makes: its columns in DESCRIBE form, its key (from GROUP BY,
//! PARTITION BY, joins or the source's key), its formats and whether its key is windowed.
//!
//! The rules follow ksqlDB 0.29's analysis (`io.confluent.ksql.analyzer`, `planner`,
//! `schema.ksql.ColumnNames`): a persistent query must select its key columns; an unaliased
//! column keeps its name (`alias_column` when a join makes it ambiguous), a struct field
//! dereference takes the field's name, any other expression is `KSQL_COL_n`; a query inherits
//! the key and value formats of its (leftmost) source unless it states them.

use crate::diagnostic::suggest;
use crate::ksql::ast::*;
use crate::ksql::catalog::{Column, Registered, Registry, Role, Source, WindowType, describe_columns};
use crate::ksql::functions::{self, Arg, FunctionKind};
use crate::ksql::problem::Problem;
use crate::ksql::to_avro::RegisteredCache;
use crate::ksql::types::{self, Arithmetic};
use crate::model::{KsqlSourceKind, SourceText};
use crate::source::Span;
use sqlparser::ast::{
    AccessExpr, BinaryOperator, CaseWhen, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    InTarget, LambdaFunction, ObjectNamePart, OneOrManyWithParens, Subscript, UnaryOperator, Value,
};
use std::collections::{BTreeMap, BTreeSet};

/// What ksqlDB knows between statements.
#[derive(Debug, Default, Clone)]
pub struct Engine {
    /// Streams and tables by name.
    pub sources: BTreeMap<String, Source>,
    /// `CREATE TYPE` types by name.
    pub types: BTreeMap<String, SqlType>,
    /// Properties from `SET` (and the server's configuration), by lower-case name.
    pub properties: BTreeMap<String, String>,
    /// Registered schemas by subject.
    pub registry: Registry,
    /// Partition counts of topics, when known.
    pub partitions: BTreeMap<String, u32>,
}

/// What a statement did, for the edges and for `venice ksql describe`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `CREATE [SOURCE] STREAM|TABLE` without a query: a source over a topic it reads.
    Declared(Created),
    /// `CREATE ... AS SELECT`: a source whose topic the query writes.
    Created(Created),
    /// `INSERT INTO`: writes the target's topic, in the target's formats.
    Inserted {
        target: Spanned<String>,
        topic: String,
        from: Vec<String>,
        key_format: String,
        value_format: String,
        key_types: Vec<SqlType>,
        value_types: Vec<SqlType>,
        windowed: bool,
    },
}

/// A stream or table a statement declares or creates.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub kind: KsqlSourceKind,
    pub name: Spanned<String>,
    /// The topic, spanned at `KAFKA_TOPIC`'s value or else the name.
    pub topic: Spanned<String>,
    pub key_format: Spanned<String>,
    pub value_format: Spanned<String>,
    /// Whether the formats were stated in the statement (else inherited or defaults).
    pub key_format_stated: bool,
    pub value_format_stated: bool,
    /// The key columns' types, in order.
    pub key_types: Vec<SqlType>,
    pub windowed: bool,
    /// The sources a query reads.
    pub from: Vec<String>,
    /// The statement's columns (declared or inferred), when known.
    pub columns: Option<Vec<Column>>,
    /// `PARTITIONS` is given: ksqlDB creates the topic when it does not exist.
    pub creates_topic: bool,
    pub span: Span,
    /// The Avro ksqlDB registers for each side, made on first use
    /// ([`crate::ksql::to_avro::registered`]): V206, the sink tables and `venice build` ask
    /// for the same query's.
    pub registered: RegisteredCache,
}

impl Engine {
    pub fn new() -> Self {
        Engine::default()
    }

    /// A property's value: `SET`, else the engine's configuration.
    fn property(&self, name: &str) -> Option<&str> {
        self.properties.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// Runs the statements in order; returns what each one did.
    pub fn run(
        &mut self,
        sql: &SourceText,
        statements: &[Statement],
        diagnostics: &mut Vec<(Problem, Span)>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        for statement in statements {
            let mut run = Run { engine: self, sql, statement, diagnostics: Vec::new() };
            let effect = run.statement();
            diagnostics.append(&mut run.diagnostics);
            effects.extend(effect);
        }
        effects
    }
}

/// One statement being analysed.
struct Run<'a> {
    engine: &'a mut Engine,
    sql: &'a SourceText,
    statement: &'a Statement,
    diagnostics: Vec<(Problem, Span)>,
}

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
    fn report(&mut self, problem: Problem, span: Span) {
        self.diagnostics.push((problem, span));
    }

    fn reject(&mut self, reason: impl Into<String>, span: Span) {
        self.report(Problem::Rejected { reason: reason.into() }, span);
    }

    fn statement(&mut self) -> Option<Effect> {
        let statement = self.statement;
        match &statement.kind {
            StatementKind::CreateSource(c) => self.create_source(c),
            StatementKind::CreateAsSelect(c) => self.create_as_select(c),
            StatementKind::InsertInto(i) => self.insert_into(i),
            StatementKind::InsertValues(i) => {
                self.insert_values(i);
                None
            }
            StatementKind::CreateType(t) => {
                let resolved = self.resolve_type(&t.sql_type.value, t.sql_type.span);
                if self.engine.types.contains_key(&t.name.value) && !t.if_not_exists {
                    self.reject(format!("type `{}` already exists", t.name.value), t.name.span);
                } else if let Some(resolved) = resolved {
                    self.engine.types.insert(t.name.value.clone(), resolved);
                }
                None
            }
            StatementKind::Drop(d) => {
                self.drop(d);
                None
            }
            StatementKind::AlterSource(a) => {
                self.alter(a);
                None
            }
            StatementKind::Set(p) | StatementKind::AlterSystem(p) => {
                self.engine.properties.insert(p.name.value.to_ascii_lowercase(), p.value.value.clone());
                None
            }
            StatementKind::Unset(name) => {
                self.engine.properties.remove(&name.value.to_ascii_lowercase());
                None
            }
            StatementKind::Query(q) => {
                self.query(q, None, None);
                None
            }
            StatementKind::Informational(Informational::Describe(Describe::Source { name, .. })) => {
                self.lookup_source(name);
                None
            }
            _ => None,
        }
    }

    fn lookup_source(&mut self, name: &Name) -> Option<Source> {
        match self.engine.sources.get(&name.value) {
            Some(source) => Some(source.clone()),
            None => {
                let suggestion = suggest(&name.value, self.engine.sources.keys().map(String::as_str));
                self.report(
                    Problem::UnknownSource { what: "stream or table", name: name.value.clone(), suggestion },
                    name.span,
                );
                None
            }
        }
    }

    /// A type with its custom types replaced by their definitions.
    fn resolve_type(&mut self, t: &SqlType, span: Span) -> Option<SqlType> {
        Some(match t {
            SqlType::Custom(name) => {
                match self.engine.types.get(name).or_else(|| self.engine.types.get(&name.to_uppercase())) {
                    Some(t) => t.clone(),
                    None => {
                        let suggestion = suggest(name, self.engine.types.keys().map(String::as_str));
                        self.report(Problem::UnknownSource { what: "type", name: name.clone(), suggestion }, span);
                        return None;
                    }
                }
            }
            SqlType::Array(e) => SqlType::Array(Box::new(self.resolve_type(e, span)?)),
            SqlType::Map(k, v) => {
                let key = self.resolve_type(k, span)?;
                if !matches!(key, SqlType::String) {
                    self.reject(format!("map keys must be STRING, not {key}"), span);
                    return None;
                }
                SqlType::Map(Box::new(key), Box::new(self.resolve_type(v, span)?))
            }
            SqlType::Struct(fields) => SqlType::Struct(
                fields
                    .iter()
                    .map(|f| {
                        Some(StructField { name: f.name.clone(), sql_type: self.resolve_type(&f.sql_type, span)? })
                    })
                    .collect::<Option<_>>()?,
            ),
            SqlType::Decimal { precision, scale } => {
                if *precision < 1 || *precision > types::MAX_PRECISION || scale > precision {
                    self.reject(
                        format!("DECIMAL({precision}, {scale}): the precision must be 1 to 38 and the scale at most the precision"),
                        span,
                    );
                    return None;
                }
                t.clone()
            }
            other => other.clone(),
        })
    }

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

    fn create_source(&mut self, c: &CreateSource) -> Option<Effect> {
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
        let created = self.created(&source, &c.name, topic, formats, Vec::new(), creates_topic);
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
            if !self.registered_values(c, props, topic, &mut columns, &mut known) {
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
            None => {}
        }
        true
    }

    /// Adds the value columns of the topic's registered value schema; `false` when the schema
    /// cannot be used, or there is none and the CREATE lists no columns.
    fn registered_values(
        &mut self,
        c: &CreateSource,
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
            None if c.elements.is_none() => {
                self.reject(
                    format!("no columns are given and no schema is registered for subject `{}-value`", topic.value),
                    c.name.span,
                );
                return false;
            }
            None => {}
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
        let reason = match format.value.as_str() {
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

    fn create_as_select(&mut self, c: &CreateAsSelect) -> Option<Effect> {
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
        let created = self.created(&source, &c.name, topic, formats, output.from, true);
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
            span: self.statement.span,
            registered: RegisteredCache::default(),
        })
    }

    fn insert_into(&mut self, i: &InsertInto) -> Option<Effect> {
        let target = self.lookup_source(&i.target);
        let output = self.query(&i.query, target.as_ref().map(|t| t.kind), Some(&i.target));
        let target = target?;
        if target.kind == KsqlSourceKind::Table {
            self.reject(format!("INSERT INTO writes streams only; `{}` is a table", target.name), i.target.span);
            return None;
        }
        if target.read_only {
            self.reject(format!("`{}` is a read-only source stream", target.name), i.target.span);
            return None;
        }
        let output = output?;
        if output.known && target.columns_known {
            let strip = |cols: &[Column]| -> Vec<(String, SqlType, bool)> {
                cols.iter()
                    .filter(|c| c.role != Role::Headers)
                    .map(|c| (c.name.clone(), c.sql_type.clone(), c.role == Role::Key))
                    .collect()
            };
            if strip(&output.columns) != strip(&target.columns) {
                self.reject(
                    format!(
                        "the query's schema ({}) differs from that of `{}` ({})",
                        describe_columns(&output.columns, KsqlSourceKind::Stream),
                        target.name,
                        describe_columns(&target.columns, KsqlSourceKind::Stream)
                    ),
                    i.target.span,
                );
                return None;
            }
        }
        if output.windowed.is_some() != target.windowed.is_some() {
            self.reject("the query's key and the target's key differ in windowing", i.target.span);
            return None;
        }
        let types = |role: Role| target.columns.iter().filter(|c| c.role == role).map(|c| c.sql_type.clone()).collect();
        Some(Effect::Inserted {
            target: i.target.clone(),
            topic: target.topic.clone(),
            from: output.from,
            key_format: target.key_format.clone(),
            value_format: target.value_format.clone(),
            key_types: types(Role::Key),
            value_types: types(Role::Value),
            windowed: target.windowed.is_some(),
        })
    }

    fn insert_values(&mut self, i: &InsertValues) {
        let Some(target) = self.lookup_source(&i.target) else { return };
        let columns: Vec<Column> = match &i.columns {
            Some(names) => {
                let mut out = Vec::new();
                for name in names {
                    match target.column(&name.value) {
                        Some(c) => out.push(c.clone()),
                        None if matches!(name.value.as_str(), "ROWTIME" | "ROWPARTITION" | "ROWOFFSET") => {
                            out.push(Column { name: name.value.clone(), sql_type: SqlType::BigInt, role: Role::Value })
                        }
                        None if !target.columns_known => return,
                        None => {
                            let suggestion = suggest(&name.value, target.columns.iter().map(|c| c.name.as_str()));
                            self.report(Problem::UnknownColumn { name: name.value.clone(), suggestion }, name.span);
                            return;
                        }
                    }
                }
                out
            }
            None if target.columns_known => {
                target.columns.iter().filter(|c| c.role != Role::Headers).cloned().collect()
            }
            None => return,
        };
        if columns.len() != i.values.len() {
            self.reject(
                format!("{} values for {} columns", i.values.len(), columns.len()),
                i.values.first().map_or(i.target.span, |v| v.span),
            );
            return;
        }
        let scope = Scope::default();
        for (column, value) in columns.iter().zip(&i.values) {
            let mut cx = self.cx(&scope, value.span);
            let t = cx.ty(&value.expr);
            let problems = cx.problems;
            self.flush(problems);
            if let Some(t) = t
                && !types::can_widen(&t, &column.sql_type)
                && !(t == SqlType::String
                    && matches!(column.sql_type, SqlType::Timestamp | SqlType::Date | SqlType::Time))
            {
                self.report(
                    Problem::Type {
                        reason: format!("column `{}` is {}, the value is {t}", column.name, column.sql_type),
                    },
                    value.span,
                );
            }
        }
    }

    fn drop(&mut self, d: &Drop) {
        match d.object {
            DropObject::Stream | DropObject::Table => {
                let expected =
                    if d.object == DropObject::Stream { KsqlSourceKind::Stream } else { KsqlSourceKind::Table };
                match self.engine.sources.get(&d.name.value) {
                    None if d.if_exists => {}
                    None => {
                        self.lookup_source(&d.name);
                    }
                    Some(s) if s.kind != expected => {
                        let reason =
                            format!("`{}` is a {}, not a {}", d.name.value, s.kind.as_str(), expected.as_str());
                        self.reject(reason, d.name.span);
                    }
                    Some(_) => {
                        self.engine.sources.remove(&d.name.value);
                    }
                }
            }
            DropObject::Type => {
                if self.engine.types.remove(&d.name.value).is_none() && !d.if_exists {
                    let suggestion = suggest(&d.name.value, self.engine.types.keys().map(String::as_str));
                    self.report(
                        Problem::UnknownSource { what: "type", name: d.name.value.clone(), suggestion },
                        d.name.span,
                    );
                }
            }
            DropObject::Connector => {}
        }
    }

    fn alter(&mut self, a: &AlterSource) {
        let Some(source) = self.lookup_source(&a.name) else { return };
        if source.kind != a.kind {
            self.reject(format!("`{}` is a {}", a.name.value, source.kind.as_str()), a.name.span);
            return;
        }
        if source.from_query {
            self.reject(format!("`{}` was created by a query and cannot be altered", a.name.value), a.name.span);
            return;
        }
        let mut added = Vec::new();
        for column in &a.columns {
            if source.column(&column.name.value).is_some() {
                self.reject(
                    format!("`{}` already has a column `{}`", a.name.value, column.name.value),
                    column.name.span,
                );
                return;
            }
            let Some(t) = self.resolve_type(&column.sql_type.value, column.sql_type.span) else { return };
            added.push(Column { name: column.name.value.clone(), sql_type: t, role: Role::Value });
        }
        if let Some(s) = self.engine.sources.get_mut(&a.name.value) {
            s.columns.extend(added);
        }
    }

    fn flush(&mut self, problems: Vec<(Problem, Span)>) {
        for (problem, span) in problems {
            self.report(problem, span);
        }
    }

    fn cx<'s>(&'s self, scope: &'s Scope, fallback: Span) -> Cx<'s> {
        Cx {
            scope,
            lambdas: Vec::new(),
            types: &self.engine.types,
            sql: self.sql,
            statement: self.statement,
            fallback,
            problems: Vec::new(),
            aggregates: AggregateMode::Forbidden("here"),
            aggregate_found: false,
            table_functions: false,
            table_function_found: false,
        }
    }

    /// Analyses a query; `sink` is the kind of what a persistent query creates or writes
    /// (`None` for a query on its own). Clause by clause, in the order ksqlDB's analyser reports.
    fn query(&mut self, q: &Query, sink: Option<KsqlSourceKind>, sink_name: Option<&Name>) -> Option<QueryOutput> {
        let (mut scope, from) = self.scope_of_from(q)?;
        let persistent = sink.is_some();
        let window = self.window_clause(q);
        let mut join_keys = Vec::new();
        if scope.joined && !self.joins(q, &mut scope, &mut join_keys) {
            return None;
        }
        self.check_window_applies(q, &scope, persistent)?;
        scope.window = window.or(scope.sources[0].source.windowed);
        self.where_clause(q, &scope);
        let group_types = match &q.group_by {
            Some(group) => self.group_by_clause(group, &scope)?,
            None => Vec::new(),
        };
        let partition_types = match &q.partition_by {
            Some(partition) => self.partition_by_clause(q, partition, &scope)?,
            None => Vec::new(),
        };
        let (mut items, aggregate) = self.projection(q, &scope)?;
        self.having_clause(q, &scope, aggregate)?;
        self.check_grouped(q, &scope, &items, aggregate, persistent)?;
        if let Some(sink) = sink {
            self.check_sink(q, &scope, aggregate, sink, sink_name)?;
        }
        self.check_persistent_clauses(q, window, persistent)?;
        let known = scope.sources.iter().all(|s| s.source.columns_known);
        self.name_items(&scope, &mut items);
        let mut key = Key::default();
        if persistent {
            if let Some(group) = &q.group_by {
                key.add_expressions(&scope, &items, &group.value, &group_types, known);
            } else if let Some(partition) = &q.partition_by {
                let is_null = partition.value.len() == 1
                    && matches!(&partition.value[0].expr, Expr::Value(v) if v.value == Value::Null);
                if !is_null {
                    key.add_expressions(&scope, &items, &partition.value, &partition_types, known);
                }
            } else if scope.joined {
                self.join_key(q, &scope, &items, &join_keys, known, &mut key)?;
            } else {
                self.source_key(q, &scope, &items, sink_name, known, &mut key)?;
            }
        }
        let (columns, typed) = self.result_columns(items, key, persistent)?;
        let source0 = &scope.sources[0].source;
        Some(QueryOutput {
            columns,
            known: known && typed,
            key_format: source0.key_format.clone(),
            value_format: source0.value_format.clone(),
            windowed: if aggregate { window } else { source0.windowed },
            partitions: source0.partitions,
            from,
        })
    }

    /// FROM and its joins: the scope of the sources (each alias once), and their names. `None`
    /// when one is unknown or an alias repeats.
    fn scope_of_from(&mut self, q: &Query) -> Option<(Scope, Vec<String>)> {
        let mut scope = Scope::default();
        let mut from = Vec::new();
        let mut all_found = true;
        for aliased in std::iter::once(&q.from.source).chain(q.from.joins.iter().map(|j| &j.source)) {
            from.push(aliased.name.value.clone());
            match self.lookup_source(&aliased.name) {
                Some(source) => {
                    let alias = aliased.reference().value.clone();
                    if scope.sources.iter().any(|s| s.alias == alias) {
                        self.reject(
                            format!("`{alias}` appears twice in FROM: give each an alias"),
                            aliased.reference().span,
                        );
                        return None;
                    }
                    scope.sources.push(ScopeSource { alias, source });
                }
                None => all_found = false,
            }
        }
        if !all_found {
            return None;
        }
        scope.joined = !q.from.joins.is_empty();
        Some((scope, from))
    }

    /// The WINDOW clause's type; a HOPPING window's ADVANCE BY is checked against its SIZE.
    fn window_clause(&mut self, q: &Query) -> Option<WindowType> {
        if let Some(w) = &q.window
            && let WindowKind::Hopping { size, advance } = &w.kind
            && (advance.value.millis() > size.value.millis() || advance.value.millis() <= 0)
        {
            self.reject("a HOPPING window's ADVANCE BY must be positive and at most its SIZE", advance.span);
        }
        q.window.as_ref().map(|w| match w.kind {
            WindowKind::Tumbling { .. } => WindowType::Tumbling,
            WindowKind::Hopping { .. } => WindowType::Hopping,
            WindowKind::Session { .. } => WindowType::Session,
        })
    }

    /// A WINDOW needs an aggregation (when the query persists or emits) over a stream.
    fn check_window_applies(&mut self, q: &Query, scope: &Scope, persistent: bool) -> Option<()> {
        let Some(window) = &q.window else { return Some(()) };
        // ksqlDB: windowing only applies to aggregations.
        if q.group_by.is_none() && (persistent || q.emit.is_some()) {
            self.reject("WINDOW is only for aggregations: add GROUP BY", window.span);
            return None;
        }
        if scope.sources[0].source.kind == KsqlSourceKind::Table {
            self.reject("a table cannot be windowed: WINDOW applies to streams", window.span);
            return None;
        }
        Some(())
    }

    /// WHERE: a BOOLEAN, without aggregates.
    fn where_clause(&mut self, q: &Query, scope: &Scope) {
        let Some(filter) = &q.filter else { return };
        let mut cx = self.cx(scope, filter.span);
        cx.aggregates = AggregateMode::Forbidden("WHERE");
        let t = cx.ty(&filter.expr);
        let problems = cx.problems;
        self.flush(problems);
        if let Some(t) = t
            && t != SqlType::Boolean
        {
            self.report(Problem::Type { reason: format!("WHERE needs a BOOLEAN, not {t}") }, filter.span);
        }
    }

    /// GROUP BY: the types of its expressions, at least one.
    fn group_by_clause(&mut self, group: &Spanned<Vec<SqlExpr>>, scope: &Scope) -> Option<Vec<Option<SqlType>>> {
        let types = self.clause_types(&group.value, scope, "GROUP BY");
        if group.value.is_empty() {
            self.reject("GROUP BY needs at least one expression", group.span);
            return None;
        }
        Some(types)
    }

    /// PARTITION BY: the types of its expressions; not with GROUP BY.
    fn partition_by_clause(
        &mut self,
        q: &Query,
        partition: &Spanned<Vec<SqlExpr>>,
        scope: &Scope,
    ) -> Option<Vec<Option<SqlType>>> {
        if q.group_by.is_some() {
            self.reject("PARTITION BY and GROUP BY cannot be used together", partition.span);
            return None;
        }
        Some(self.clause_types(&partition.value, scope, "PARTITION BY"))
    }

    /// The types of a clause's expressions, which may not aggregate.
    fn clause_types(&mut self, exprs: &[SqlExpr], scope: &Scope, clause: &'static str) -> Vec<Option<SqlType>> {
        let mut types = Vec::new();
        for e in exprs {
            let mut cx = self.cx(scope, e.span);
            cx.aggregates = AggregateMode::Forbidden(clause);
            types.push(cx.ty(&e.expr));
            let problems = cx.problems;
            self.flush(problems);
        }
        types
    }

    /// The SELECT items, typed, and whether the query aggregates (it groups or calls an
    /// aggregate function). It may not also call a table function.
    fn projection<'q>(&mut self, q: &'q Query, scope: &Scope) -> Option<(Vec<Item<'q>>, bool)> {
        let mut items: Vec<Item<'q>> = Vec::new();
        let mut aggregate = q.group_by.is_some();
        let mut table_function = false;
        for item in &q.select {
            match item {
                SelectItem::Expr { expr, alias } => {
                    let mut cx = self.cx(scope, expr.span);
                    cx.aggregates = AggregateMode::Allowed;
                    cx.table_functions = true;
                    let t = cx.ty(&expr.expr);
                    aggregate |= cx.aggregate_found;
                    table_function |= cx.table_function_found;
                    let problems = cx.problems;
                    self.flush(problems);
                    let name = alias.as_ref().map(|a| a.value.clone());
                    items.push(Item {
                        expr: Some(std::borrow::Cow::Borrowed(&expr.expr)),
                        name,
                        sql_type: t,
                        role: Role::Value,
                        span: expr.span,
                    });
                }
                SelectItem::Wildcard(span) => {
                    for s in &scope.sources {
                        self.star(scope, s, *span, &mut items);
                    }
                }
                SelectItem::SourceWildcard { source, span } => {
                    self.source_wildcard(scope, source, *span, &mut items)?
                }
                SelectItem::StructWildcard { expr, span } => self.struct_wildcard(scope, expr, *span, &mut items)?,
            }
        }
        if aggregate && table_function {
            self.reject("a query cannot both aggregate and use a table function", q.span);
            return None;
        }
        Some((items, aggregate))
    }

    /// `source.*`, where `source` is one of FROM's.
    fn source_wildcard(&mut self, scope: &Scope, source: &Name, span: Span, items: &mut Vec<Item<'_>>) -> Option<()> {
        let Some(s) = scope.sources.iter().find(|s| s.alias == source.value) else {
            let suggestion = suggest(&source.value, scope.sources.iter().map(|s| s.alias.as_str()));
            self.report(
                Problem::UnknownSource { what: "source in FROM", name: source.value.clone(), suggestion },
                source.span,
            );
            return None;
        };
        self.star(scope, s, span, items);
        Some(())
    }

    /// `expr->*`: a column for each field of a STRUCT.
    fn struct_wildcard(&mut self, scope: &Scope, expr: &SqlExpr, span: Span, items: &mut Vec<Item<'_>>) -> Option<()> {
        let mut cx = self.cx(scope, expr.span);
        let t = cx.ty(&expr.expr);
        let problems = cx.problems;
        self.flush(problems);
        match t {
            Some(SqlType::Struct(fields)) => {
                for f in fields {
                    items.push(Item {
                        expr: None,
                        name: Some(f.name),
                        sql_type: Some(f.sql_type),
                        role: Role::Value,
                        span,
                    });
                }
                Some(())
            }
            Some(other) => {
                self.report(Problem::Type { reason: format!("`->*` needs a STRUCT, not {other}") }, expr.span);
                None
            }
            None => None,
        }
    }

    /// HAVING: a BOOLEAN, in an aggregation.
    fn having_clause(&mut self, q: &Query, scope: &Scope, aggregate: bool) -> Option<()> {
        let Some(having) = &q.having else { return Some(()) };
        if !aggregate {
            self.reject("HAVING needs GROUP BY", having.span);
            return None;
        }
        let mut cx = self.cx(scope, having.span);
        cx.aggregates = AggregateMode::Allowed;
        let t = cx.ty(&having.expr);
        let problems = cx.problems;
        self.flush(problems);
        if let Some(t) = t
            && t != SqlType::Boolean
        {
            self.report(Problem::Type { reason: format!("HAVING needs a BOOLEAN, not {t}") }, having.span);
        }
        Some(())
    }

    /// An aggregation persists only with GROUP BY, and then selects (and HAVING reads) only
    /// what is grouped or aggregated (V308).
    fn check_grouped(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        aggregate: bool,
        persistent: bool,
    ) -> Option<()> {
        if !aggregate {
            return Some(());
        }
        let Some(group) = &q.group_by else {
            if persistent {
                self.reject("an aggregate query needs GROUP BY", q.span);
                return None;
            }
            return Some(());
        };
        let keys: Vec<String> = group.value.iter().map(|e| canon(scope, &e.expr)).collect();
        for item in items {
            let Some(expr) = &item.expr else {
                self.report(
                    Problem::NotGrouped { expression: item.name.clone().unwrap_or_default(), clause: "SELECT" },
                    item.span,
                );
                continue;
            };
            if let Some(bad) = ungrouped(scope, expr, &keys) {
                self.report(Problem::NotGrouped { expression: bad, clause: "SELECT" }, item.span);
            }
        }
        if let Some(having) = &q.having
            && let Some(bad) = ungrouped(scope, &having.expr, &keys)
        {
            self.report(Problem::NotGrouped { expression: bad, clause: "HAVING" }, having.span);
        }
        Some(())
    }

    /// The sink a persistent query creates or writes is of the kind the query produces (a
    /// table when it aggregates or joins tables only), and a table is not repartitioned.
    fn check_sink(
        &mut self,
        q: &Query,
        scope: &Scope,
        aggregate: bool,
        sink: KsqlSourceKind,
        sink_name: Option<&Name>,
    ) -> Option<()> {
        let result_kind = if aggregate {
            KsqlSourceKind::Table
        } else if scope.joined {
            if scope.sources.iter().all(|s| s.source.kind == KsqlSourceKind::Table) {
                KsqlSourceKind::Table
            } else {
                KsqlSourceKind::Stream
            }
        } else {
            scope.sources[0].source.kind
        };
        if sink != result_kind && sink_name.is_some() {
            let (what, instead) = match result_kind {
                KsqlSourceKind::Table => ("a TABLE", "CREATE TABLE AS SELECT"),
                KsqlSourceKind::Stream => ("a STREAM", "CREATE STREAM AS SELECT"),
            };
            self.reject(format!("the query produces {what}: use {instead}"), q.span);
            return None;
        }
        if result_kind == KsqlSourceKind::Table && q.partition_by.is_some() {
            self.reject("a table cannot be repartitioned with PARTITION BY", q.span);
            return None;
        }
        Some(())
    }

    /// LIMIT and EMIT FINAL in a persistent query.
    fn check_persistent_clauses(&mut self, q: &Query, window: Option<WindowType>, persistent: bool) -> Option<()> {
        if !persistent {
            return Some(());
        }
        if let Some(limit) = &q.limit {
            self.reject("a persistent query cannot have LIMIT", limit.span);
            return None;
        }
        if let Some(emit) = &q.emit
            && emit.value == Emit::Final
            && window.is_none()
        {
            self.reject("EMIT FINAL needs a windowed aggregation", emit.span);
            return None;
        }
        Some(())
    }

    /// The key of a join's result: the synthetic key column, else the join column the query
    /// selects (the left side's first), which it must select.
    fn join_key(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        join_keys: &[Expr],
        known: bool,
        key: &mut Key<'_>,
    ) -> Option<()> {
        let wanted: Vec<String> = join_keys.iter().map(|k| canon(scope, k)).collect();
        let chosen = if let Some((name, t)) = &scope.synthetic {
            let reference = Expr::Identifier(Ident::new(name.clone()));
            match find_item(scope, items, &reference) {
                Some(i) => Some(i),
                None => {
                    key.synthetic.push(Item {
                        expr: None,
                        name: Some(name.clone()),
                        sql_type: Some(t.clone()),
                        role: Role::Key,
                        span: q.span,
                    });
                    None
                }
            }
        } else {
            // The left side's join column when it is selected, else the right side's.
            wanted
                .iter()
                .find_map(|w| items.iter().position(|i| i.expr.as_ref().is_some_and(|x| canon(scope, x) == *w)))
        };
        match chosen {
            Some(i) => key.items.push(i),
            None if known && !join_keys.is_empty() && scope.synthetic.is_none() => {
                let names: Vec<String> = join_keys.iter().filter_map(|k| default_name(scope, k)).collect();
                self.reject(
                    format!("the query must select the join key ({}): ksqlDB makes it the key", names.join(" or ")),
                    q.span,
                );
                return None;
            }
            None => {}
        }
        Some(())
    }

    /// The key of a query on one source, neither grouped nor repartitioned: the source's key
    /// columns, which it must select (unless the new planner drops them).
    fn source_key(
        &mut self,
        q: &Query,
        scope: &Scope,
        items: &[Item<'_>],
        sink_name: Option<&Name>,
        known: bool,
        key: &mut Key<'_>,
    ) -> Option<()> {
        let new_planner = self.engine.property("ksql.new.query.planner.enabled") == Some("true");
        for column in scope.sources[0].source.key_columns() {
            let reference = Expr::Identifier(Ident::new(column.name.clone()));
            match find_item(scope, items, &reference) {
                Some(i) => key.items.push(i),
                // The new planner drops a key the projection leaves out.
                None if new_planner => {}
                None if known => {
                    let what = match sink_name {
                        Some(n) => format!("`{}`", n.value),
                        None => "the target".into(),
                    };
                    self.reject(
                        format!("the query that writes {what} must select the key column `{}`", column.name),
                        q.span,
                    );
                    return None;
                }
                None => {}
            }
        }
        // Key columns keep the projection's order.
        key.items.sort_unstable();
        Some(())
    }

    /// The result's columns, key first (in key order), and whether every one is typed. A
    /// persistent query's names are distinct and not reserved.
    fn result_columns(
        &mut self,
        mut items: Vec<Item<'_>>,
        key: Key<'_>,
        persistent: bool,
    ) -> Option<(Vec<Column>, bool)> {
        for &i in &key.items {
            items[i].role = Role::Key;
        }
        let mut columns = Vec::new();
        for item in key.synthetic.iter().chain(key.items.iter().map(|&i| &items[i])) {
            columns.push(item);
        }
        for (i, item) in items.iter().enumerate() {
            if !key.items.contains(&i) {
                columns.push(item);
            }
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        let mut typed = true;
        for item in columns {
            let name = item.name.clone().unwrap_or_default();
            if !seen.insert(name.clone()) && persistent {
                self.reject(format!("the query selects two columns named `{name}`: give one an alias"), item.span);
                return None;
            }
            if persistent
                && matches!(name.as_str(), "ROWTIME" | "ROWPARTITION" | "ROWOFFSET" | "WINDOWSTART" | "WINDOWEND")
            {
                self.reject(format!("`{name}` is a reserved column name: give the column an alias"), item.span);
                return None;
            }
            match &item.sql_type {
                Some(t) => out.push(Column { name, sql_type: t.clone(), role: item.role.clone() }),
                None => typed = false,
            }
        }
        Some((out, typed))
    }

    /// `*` or `source.*`: the source's columns (key first), prefixed with its alias in a join.
    fn star(&mut self, scope: &Scope, s: &ScopeSource, span: Span, items: &mut Vec<Item<'_>>) {
        for column in &s.source.columns {
            let name = if scope.joined { format!("{}_{}", s.alias, column.name) } else { column.name.clone() };
            let expr = Expr::CompoundIdentifier(vec![Ident::new(s.alias.clone()), Ident::new(column.name.clone())]);
            items.push(Item {
                expr: Some(std::borrow::Cow::Owned(expr)),
                name: Some(name),
                sql_type: Some(column.sql_type.clone()),
                role: Role::Value,
                span,
            });
        }
    }

    /// Gives names to unaliased items: a column's name, a field's name, else `KSQL_COL_n`.
    fn name_items(&self, scope: &Scope, items: &mut [Item<'_>]) {
        let taken: BTreeSet<String> = items.iter().filter_map(|i| i.name.clone()).collect();
        let mut taken = taken;
        for item in items.iter_mut() {
            if item.name.is_some() {
                continue;
            }
            if let Some(e) = &item.expr
                && let Some(name) = default_name(scope, e)
            {
                taken.insert(name.clone());
                item.name = Some(name);
            }
        }
        let mut n = 0;
        for item in items.iter_mut() {
            if item.name.is_some() {
                continue;
            }
            while taken.contains(&format!("KSQL_COL_{n}")) {
                n += 1;
            }
            let name = format!("KSQL_COL_{n}");
            taken.insert(name.clone());
            item.name = Some(name);
        }
    }

    /// Checks the joins, left to right; fills `keys` with the expressions the result is keyed on.
    fn joins(&mut self, q: &Query, scope: &mut Scope, keys: &mut Vec<Expr>) -> bool {
        for (index, join) in q.from.joins.iter().enumerate() {
            let kinds = (joined_kind(scope, index), scope.sources[index + 1].source.kind);
            if !self.check_join_kinds(join, kinds) {
                return false;
            }
            let on = match self.join_criteria(scope, join, index) {
                Some(Some(on)) => on,
                // A side's type is unknown (reported already, or an open schema): the joins are
                // not checked further.
                Some(None) => return true,
                None => return false,
            };
            if !self.check_join_key_types(join, &on) {
                return false;
            }
            let Some(foreign_key) = self.foreign_key_join(scope, join, index, kinds, &on) else { return false };
            if !foreign_key {
                self.check_copartitioned(scope, join, index, on.left_source);
            }
            key_after_join(scope, join, &on, foreign_key, keys);
        }
        true
    }

    /// The kinds a join combines (what is joined so far, and the source joined to it): a
    /// stream-stream join needs WITHIN, which no other takes; a stream-table join is INNER or
    /// LEFT; a stream is not joined to a table.
    fn check_join_kinds(&mut self, join: &Join, kinds: (KsqlSourceKind, KsqlSourceKind)) -> bool {
        use KsqlSourceKind::{Stream, Table};
        match kinds {
            (Stream, Stream) if join.within.is_none() => {
                self.reject("a stream-stream join needs a WITHIN clause", join.span);
                false
            }
            (Stream, Table) | (Table, Table) if join.within.is_some() => {
                self.reject(
                    "WITHIN is only for stream-stream joins",
                    join.within.as_ref().map_or(join.span, |w| w.span),
                );
                false
            }
            (Stream, Table) if matches!(join.kind.value, JoinKind::Full | JoinKind::Right) => {
                self.reject("a stream-table join is INNER or LEFT", join.kind.span);
                false
            }
            (Table, Stream) => {
                self.reject("a table cannot be joined with a stream: put the stream on the left", join.span);
                false
            }
            _ => true,
        }
    }

    /// `ON a = b`, typed, one side from the source joined at `index + 1` and one from a source
    /// before it. `None` when it is not (rejected); `Some(None)` when a side's type is unknown.
    fn join_criteria<'q>(&mut self, scope: &Scope, join: &'q Join, index: usize) -> Option<Option<JoinOn<'q>>> {
        let Expr::BinaryOp { left, op: BinaryOperator::Eq, right } = strip_nested(&join.on.expr) else {
            self.reject("a join condition must be an equality between the two sides", join.on.span);
            return None;
        };
        let mut cx = self.cx(scope, join.on.span);
        let lt = cx.ty(left);
        let rt = cx.ty(right);
        let lside = cx.side_of(left);
        let rside = cx.side_of(right);
        let problems = cx.problems;
        self.flush(problems);
        let (Some(lt), Some(rt)) = (lt, rt) else { return Some(None) };
        let joined = index + 1;
        let left_source = match (lside, rside) {
            (Some(l), Some(r)) if l != r && (l == joined || r == joined) => {
                if l == joined {
                    r
                } else {
                    l
                }
            }
            _ => {
                self.reject(
                    format!(
                        "the join condition must compare a column of `{}` with one of the sources before it",
                        scope.sources[joined].alias
                    ),
                    join.on.span,
                );
                return None;
            }
        };
        // The operand on the newly joined source is the right side, whichever way `=` reads.
        Some(Some(if lside == Some(joined) {
            JoinOn { left: right, right: left, left_type: rt, right_type: lt, left_source }
        } else {
            JoinOn { left, right, left_type: lt, right_type: rt, left_source }
        }))
    }

    /// The two sides of a join are compared in one type (V307).
    fn check_join_key_types(&mut self, join: &Join, on: &JoinOn<'_>) -> bool {
        if on.left_type == on.right_type {
            return true;
        }
        self.report(
            Problem::JoinKeyTypes {
                left: on.left.to_string(),
                left_type: on.left_type.to_string(),
                right: on.right.to_string(),
                right_type: on.right_type.to_string(),
            },
            join.on.span,
        );
        false
    }

    /// Whether a join is a foreign-key join: a table joined to a table on something else than
    /// the left one's key. The right table of any other join is joined on its key; a
    /// foreign-key join is INNER or LEFT. `None` when rejected.
    fn foreign_key_join(
        &mut self,
        scope: &Scope,
        join: &Join,
        index: usize,
        (left_kind, right_kind): (KsqlSourceKind, KsqlSourceKind),
        on: &JoinOn<'_>,
    ) -> Option<bool> {
        use KsqlSourceKind::Table;
        let right = &scope.sources[index + 1];
        let right_on_key = is_key_ref(scope, on.right, index + 1);
        let left_on_key = is_key_ref(scope, on.left, on.left_source);
        if right_kind == Table && !right_on_key && right.source.columns_known {
            self.reject(
                format!("a join must use the PRIMARY KEY of the table `{}` on its right", right.alias),
                join.on.span,
            );
            return None;
        }
        if left_kind == Table && right_kind == Table && !left_on_key {
            if matches!(join.kind.value, JoinKind::Right | JoinKind::Full) {
                self.reject("a foreign-key join is INNER or LEFT", join.kind.span);
                return None;
            }
            return Some(true);
        }
        Some(false)
    }

    /// Co-partitioning (V306), when both topics' partition counts are known. A side joined on
    /// something else than its key is repartitioned into a topic of the same partition count, so
    /// the counts must agree all the same.
    fn check_copartitioned(&mut self, scope: &Scope, join: &Join, index: usize, left_source: usize) {
        let left = &scope.sources[left_source].source;
        let right = &scope.sources[index + 1].source;
        if let (Some(lp), Some(rp)) = (left.partitions, right.partitions)
            && lp != rp
        {
            self.report(
                Problem::NotCopartitioned {
                    left: left.name.clone(),
                    left_partitions: lp,
                    right: right.name.clone(),
                    right_partitions: rp,
                    other: right.origin.unwrap_or(join.span),
                },
                join.on.span,
            );
        }
    }
}

/// The equality a join is on, oriented: `right` is the operand on the newly joined source.
struct JoinOn<'q> {
    left: &'q Expr,
    right: &'q Expr,
    left_type: SqlType,
    right_type: SqlType,
    /// The index in the scope of the source `left` reads.
    left_source: usize,
}

/// The kind of what is joined before the source at `index + 1`: the first source, else a table
/// when the joins so far join tables only.
fn joined_kind(scope: &Scope, index: usize) -> KsqlSourceKind {
    if index == 0 {
        scope.sources[0].source.kind
    } else if scope.sources[..=index].iter().all(|s| s.source.kind == KsqlSourceKind::Table) {
        KsqlSourceKind::Table
    } else {
        KsqlSourceKind::Stream
    }
}

/// The expressions the result is keyed on after a join. A foreign-key join keeps the left
/// table's key; a full outer join or a join on expressions is keyed on a synthetic column; else
/// the join column is the key, with the keys before when the join continues on them.
fn key_after_join(scope: &mut Scope, join: &Join, on: &JoinOn<'_>, foreign_key: bool, keys: &mut Vec<Expr>) {
    if foreign_key {
        let key = scope.sources[0].source.key_columns().next().map(|k| {
            Expr::CompoundIdentifier(vec![Ident::new(scope.sources[0].alias.clone()), Ident::new(k.name.clone())])
        });
        keys.clear();
        keys.extend(key);
        return;
    }
    let continues = keys.iter().any(|k| canon(scope, k) == canon(scope, on.left));
    if !continues {
        keys.clear();
    }
    let expression_join = column_ref(on.left).is_none() && column_ref(on.right).is_none();
    if matches!(join.kind.value, JoinKind::Full) || expression_join {
        // The key is neither side's column: ksqlDB names it ROWKEY (ROWKEY_1, ... when a
        // source has a ROWKEY column).
        let taken = |n: &str| scope.sources.iter().any(|s| s.source.column(n).is_some());
        let name = std::iter::once("ROWKEY".to_string())
            .chain((1..).map(|i| format!("ROWKEY_{i}")))
            .find(|n| !taken(n))
            .unwrap_or_default();
        scope.synthetic = Some((name, on.left_type.clone()));
        keys.clear();
    } else {
        // The key is the join column; one side may be an expression, which is no column.
        keys.extend([on.left, on.right].into_iter().filter(|e| column_ref(e).is_some()).cloned());
    }
}

/// A projection item on its way to a column. Its expression is borrowed from the statement (a
/// deep expression is not cloned: cloning recurses).
#[derive(Debug, Clone)]
struct Item<'q> {
    expr: Option<std::borrow::Cow<'q, Expr>>,
    name: Option<String>,
    sql_type: Option<SqlType>,
    role: Role,
    span: Span,
}

fn next_generated(items: &[Item<'_>], extra: &[Item<'_>]) -> String {
    let taken: BTreeSet<&str> = items.iter().chain(extra).filter_map(|i| i.name.as_deref()).collect();
    (0..).map(|n| format!("KSQL_COL_{n}")).find(|n| !taken.contains(n.as_str())).unwrap_or_default()
}

/// The key of a persistent query's result: projection items that are key columns, and key
/// columns the projection leaves out.
#[derive(Default)]
struct Key<'q> {
    /// Indexes into the projection's items.
    items: Vec<usize>,
    /// Columns ksqlDB adds as the key, not selected.
    synthetic: Vec<Item<'q>>,
}

impl Key<'_> {
    /// The key of GROUP BY or PARTITION BY: each expression, selected or else added (named
    /// after its column, else `KSQL_COL_n`) when the columns are known.
    fn add_expressions(
        &mut self,
        scope: &Scope,
        items: &[Item<'_>],
        exprs: &[SqlExpr],
        types: &[Option<SqlType>],
        known: bool,
    ) {
        for (e, t) in exprs.iter().zip(types) {
            match find_item(scope, items, &e.expr) {
                Some(i) if !self.items.contains(&i) => self.items.push(i),
                _ if !known => {}
                _ => {
                    let name = default_name(scope, &e.expr).unwrap_or_else(|| next_generated(items, &self.synthetic));
                    self.synthetic.push(Item {
                        expr: None,
                        name: Some(name),
                        sql_type: t.clone(),
                        role: Role::Key,
                        span: e.span,
                    });
                }
            }
        }
    }
}

/// The result of a query's analysis.
#[derive(Debug, Clone)]
struct QueryOutput {
    columns: Vec<Column>,
    /// Every column's name and type is known.
    known: bool,
    key_format: String,
    value_format: String,
    windowed: Option<WindowType>,
    partitions: Option<u32>,
    from: Vec<String>,
}

/// The sources a query reads, by the names it refers to them with.
#[derive(Debug, Default)]
struct Scope {
    sources: Vec<ScopeSource>,
    joined: bool,
    window: Option<WindowType>,
    /// The synthetic key column of a join on expressions or a full outer join (`ROWKEY`).
    synthetic: Option<(String, SqlType)>,
}

#[derive(Debug)]
struct ScopeSource {
    alias: String,
    source: Source,
}

/// A column reference, resolved.
#[derive(Debug, Clone, PartialEq)]
enum Resolved {
    /// A column of the source at this index of the scope.
    Column { source: usize, name: String, sql_type: Option<SqlType> },
    /// ROWTIME, WINDOWSTART and the like.
    Pseudo(SqlType),
}

fn pseudo_column(name: &str, windowed: bool) -> Option<SqlType> {
    Some(match name {
        "ROWTIME" | "ROWOFFSET" => SqlType::BigInt,
        "ROWPARTITION" => SqlType::Int,
        "WINDOWSTART" | "WINDOWEND" if windowed => SqlType::BigInt,
        _ => return None,
    })
}

impl Scope {
    fn resolve(&self, qualifier: Option<&str>, name: &str) -> Result<Resolved, Problem> {
        match qualifier {
            Some(q) => {
                let Some(index) = self.sources.iter().position(|s| s.alias == q) else {
                    let suggestion = suggest(q, self.sources.iter().map(|s| s.alias.as_str()));
                    return Err(Problem::UnknownSource { what: "source in FROM", name: q.to_string(), suggestion });
                };
                let source = &self.sources[index].source;
                if let Some(c) = source.column(name) {
                    return Ok(Resolved::Column {
                        source: index,
                        name: name.to_string(),
                        sql_type: Some(c.sql_type.clone()),
                    });
                }
                if let Some(t) = pseudo_column(name, self.window.is_some() || source.windowed.is_some()) {
                    return Ok(Resolved::Pseudo(t));
                }
                if !source.columns_known {
                    return Ok(Resolved::Column { source: index, name: name.to_string(), sql_type: None });
                }
                let suggestion = suggest(name, source.columns.iter().map(|c| c.name.as_str()));
                Err(Problem::UnknownColumn { name: format!("{q}.{name}"), suggestion })
            }
            None => {
                let hits: Vec<usize> =
                    (0..self.sources.len()).filter(|&i| self.sources[i].source.column(name).is_some()).collect();
                match hits.as_slice() {
                    [one] => {
                        let c = self.sources[*one].source.column(name).map(|c| c.sql_type.clone());
                        Ok(Resolved::Column { source: *one, name: name.to_string(), sql_type: c })
                    }
                    [] => {
                        if let Some((synthetic, t)) = &self.synthetic
                            && synthetic == name
                        {
                            return Ok(Resolved::Pseudo(t.clone()));
                        }
                        if let Some(t) = pseudo_column(
                            name,
                            self.window.is_some() || self.sources.iter().any(|s| s.source.windowed.is_some()),
                        ) {
                            return Ok(Resolved::Pseudo(t));
                        }
                        if let Some(open) = self.sources.iter().position(|s| !s.source.columns_known) {
                            return Ok(Resolved::Column { source: open, name: name.to_string(), sql_type: None });
                        }
                        let all = self.sources.iter().flat_map(|s| s.source.columns.iter().map(|c| c.name.as_str()));
                        Err(Problem::UnknownColumn { name: name.to_string(), suggestion: suggest(name, all) })
                    }
                    many => Err(Problem::AmbiguousColumn {
                        name: name.to_string(),
                        sources: many.iter().map(|&i| self.sources[i].alias.clone()).collect(),
                    }),
                }
            }
        }
    }
}

/// Whether `e` is a key column of the source at `index`.
fn is_key_ref(scope: &Scope, e: &Expr, index: usize) -> bool {
    let Some((qualifier, name)) = column_ref(e) else { return false };
    match scope.resolve(qualifier.as_deref(), &name) {
        Ok(Resolved::Column { source, name, .. }) => {
            source == index && scope.sources[source].source.column(&name).is_some_and(|c| c.role == Role::Key)
        }
        _ => false,
    }
}

/// `col` or `source.col`, as (qualifier, name).
fn column_ref(e: &Expr) -> Option<(Option<String>, String)> {
    match strip_nested(e) {
        Expr::Identifier(id) => Some((None, id.value.clone())),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            Some((Some(parts[0].value.clone()), parts[1].value.clone()))
        }
        _ => None,
    }
}

fn strip_nested(e: &Expr) -> &Expr {
    let mut e = e;
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// The name ksqlDB gives an unaliased expression, when it is not `KSQL_COL_n`.
fn default_name(scope: &Scope, e: &Expr) -> Option<String> {
    match strip_nested(e) {
        Expr::Identifier(id) => Some(id.value.clone()),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            let (q, name) = (&parts[0].value, &parts[1].value);
            let shared = scope.joined
                && (pseudo_column(name, true).is_some()
                    || scope.sources.iter().filter(|s| s.source.column(name).is_some()).count() > 1);
            Some(if shared { format!("{q}_{name}") } else { name.clone() })
        }
        Expr::BinaryOp { op: BinaryOperator::Arrow, right, .. } => match right.as_ref() {
            Expr::Identifier(field) => Some(field.value.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// A canonical text of an expression, column references resolved to `source.column`, for
/// comparing GROUP BY and join expressions with the projection.
fn canon(scope: &Scope, e: &Expr) -> String {
    // sqlparser prints expressions recursively: a long chain of operators is not printed (it
    // could exhaust the stack), and matches nothing but itself.
    if !shallow(e, 64) {
        return format!("#{:p}", e as *const Expr);
    }
    match column_ref(e) {
        Some((q, name)) => match scope.resolve(q.as_deref(), &name) {
            Ok(Resolved::Column { source, name, .. }) => format!("{}.{}", scope.sources[source].alias, name),
            _ => name,
        },
        None => strip_nested(e).to_string(),
    }
}

/// Whether `e` nests at most `limit` deep (walked with a stack, not by recursion).
fn shallow(e: &Expr, limit: usize) -> bool {
    let mut stack = vec![(e, 0usize)];
    while let Some((e, depth)) = stack.pop() {
        if depth > limit {
            return false;
        }
        stack.extend(children(e).into_iter().map(|c| (c, depth + 1)));
    }
    true
}

/// The projection item whose expression is `e`.
fn find_item(scope: &Scope, items: &[Item<'_>], e: &Expr) -> Option<usize> {
    let wanted = canon(scope, e);
    items.iter().position(|i| i.expr.as_ref().is_some_and(|x| canon(scope, x) == wanted))
}

/// The first part of `e` that is neither grouped nor inside an aggregate, as text. Walked with a
/// stack: chains of operators can be thousands long.
fn ungrouped(scope: &Scope, e: &Expr, keys: &[String]) -> Option<String> {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        if keys.contains(&canon(scope, e)) {
            continue;
        }
        match strip_nested(e) {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                let Some((q, name)) = column_ref(e) else { continue };
                if let Ok(Resolved::Column { .. }) = scope.resolve(q.as_deref(), &name) {
                    return Some(e.to_string());
                }
            }
            Expr::Function(f)
                if function_name(f).and_then(functions::lookup).is_some_and(|f| f.kind == FunctionKind::Aggregate) => {}
            Expr::Lambda(_) => {}
            other => {
                // Left to right: the first offending column is the one reported.
                let mut parts = children(other);
                parts.reverse();
                stack.extend(parts);
            }
        }
    }
    None
}

fn function_name(f: &sqlparser::ast::Function) -> Option<&str> {
    match f.name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id.value.as_str()),
        _ => None,
    }
}

/// The direct sub-expressions of an expression.
fn children(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::UnaryOp { expr, .. } | Expr::Nested(expr) | Expr::IsNull(expr) | Expr::IsNotNull(expr) => vec![expr],
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => vec![a, b],
        Expr::Between { expr, low, high, .. } => vec![expr, low, high],
        Expr::Like { expr, pattern, .. } => vec![expr, pattern],
        Expr::In { expr, target: InTarget::List(list), .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
        Expr::Case { operand, conditions, else_result, .. } => operand
            .iter()
            .map(|o| o.as_ref())
            .chain(conditions.iter().flat_map(|c| [&c.condition, &c.result]))
            .chain(else_result.iter().map(|e| e.as_ref()))
            .collect(),
        Expr::Cast { expr, .. } => vec![expr],
        Expr::AtTimeZone { timestamp, time_zone } => vec![timestamp, time_zone],
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(list) => list
                .args
                .iter()
                .flat_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => vec![e],
                    FunctionArg::ExprNamed { name, arg: FunctionArgExpr::Expr(e), .. } => vec![name, e],
                    _ => vec![],
                })
                .collect(),
            _ => vec![],
        },
        Expr::Array(a) => a.elem.iter().collect(),
        Expr::CompoundFieldAccess { root, access_chain } => std::iter::once(root.as_ref())
            .chain(access_chain.iter().filter_map(|a| match a {
                AccessExpr::Subscript(Subscript::Index { index }) => Some(index),
                _ => None,
            }))
            .collect(),
        Expr::Lambda(l) => vec![&l.body],
        _ => vec![],
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

fn is_complex(t: &SqlType) -> bool {
    matches!(t, SqlType::Array(_) | SqlType::Map(..) | SqlType::Struct(_))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AggregateMode {
    Allowed,
    /// Not allowed; the clause, for the message.
    Forbidden(&'static str),
}

/// Types expressions in a scope, collecting problems.
struct Cx<'a> {
    scope: &'a Scope,
    lambdas: Vec<(String, Option<SqlType>)>,
    types: &'a BTreeMap<String, SqlType>,
    sql: &'a SourceText,
    statement: &'a Statement,
    /// Where problems point when the expression has no span of its own.
    fallback: Span,
    problems: Vec<(Problem, Span)>,
    aggregates: AggregateMode,
    aggregate_found: bool,
    table_functions: bool,
    table_function_found: bool,
}

impl Cx<'_> {
    fn span(&self, span: sqlparser::tokenizer::Span) -> Span {
        if span.start.line == 0 { self.fallback } else { self.statement.span_of(self.sql, span) }
    }

    fn ident_span(&self, ids: &[Ident]) -> Span {
        match (ids.first(), ids.last()) {
            (Some(first), Some(last)) => {
                let a = self.span(first.span);
                let b = self.span(last.span);
                if a.file == b.file && a.start <= b.end { Span::new(a.file, a.start, b.end) } else { a }
            }
            _ => self.fallback,
        }
    }

    fn problem(&mut self, problem: Problem, span: Span) {
        self.problems.push((problem, span));
    }

    fn type_error(&mut self, reason: String) {
        let span = self.fallback;
        self.problem(Problem::Type { reason }, span);
    }

    /// Which source of the scope an expression's columns come from, when it is one column.
    fn side_of(&self, e: &Expr) -> Option<usize> {
        let mut sides = BTreeSet::new();
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            if let Some((q, name)) = column_ref(e) {
                if let Ok(Resolved::Column { source, .. }) = self.scope.resolve(q.as_deref(), &name) {
                    sides.insert(source);
                }
                continue;
            }
            stack.extend(children(e));
        }
        match sides.len() {
            1 => sides.into_iter().next(),
            _ => None,
        }
    }

    /// The type of an expression; `None` when unknown or wrong (the problem is recorded).
    fn ty(&mut self, e: &Expr) -> Option<SqlType> {
        // A chain of binary operators is walked in a loop: it can be thousands long.
        if let Expr::BinaryOp { op, .. } = e
            && *op != BinaryOperator::Arrow
        {
            let mut spine = Vec::new();
            let mut current = e;
            while let Expr::BinaryOp { left, op, right } = current {
                if *op == BinaryOperator::Arrow {
                    break;
                }
                spine.push((op, right.as_ref()));
                current = left;
            }
            let mut acc = self.ty(current);
            let start = self.edge_span(current, true);
            for (op, right) in spine.into_iter().rev() {
                let r = self.ty(right);
                // A problem of this operator points from the chain's start to its right operand.
                let saved = self.fallback;
                if let (Some(a), Some(b)) = (start, self.edge_span(right, false))
                    && a.file == b.file
                    && a.start <= b.end
                {
                    self.fallback = Span::new(a.file, a.start, b.end);
                }
                acc = self.binary(op, acc, r);
                self.fallback = saved;
            }
            return acc;
        }
        self.leaf(e)
    }

    /// The span of an expression's first (or last) token that has one: its leftmost (rightmost)
    /// name or literal. Walked in a loop.
    fn edge_span(&self, e: &Expr, leftmost: bool) -> Option<Span> {
        let mut e = e;
        loop {
            e = match e {
                Expr::Identifier(id) => return Some(self.span(id.span)),
                Expr::CompoundIdentifier(parts) => {
                    let part = if leftmost { parts.first() } else { parts.last() }?;
                    return Some(self.span(part.span));
                }
                Expr::Value(v) => return Some(self.span(v.span)),
                Expr::BinaryOp { left, right, .. } => {
                    if leftmost {
                        left
                    } else {
                        right
                    }
                }
                Expr::Function(f) if leftmost => match f.name.0.as_slice() {
                    [ObjectNamePart::Identifier(id)] => return Some(self.span(id.span)),
                    _ => return None,
                },
                Expr::IsNull(inner) | Expr::IsNotNull(inner) if leftmost => inner,
                Expr::Between { expr, high, .. } => {
                    if leftmost {
                        expr
                    } else {
                        high
                    }
                }
                Expr::Like { expr, pattern, .. } => {
                    if leftmost {
                        expr
                    } else {
                        pattern
                    }
                }
                _ => return None,
            };
        }
    }

    fn binary(&mut self, op: &BinaryOperator, l: Option<SqlType>, r: Option<SqlType>) -> Option<SqlType> {
        use BinaryOperator::*;
        let arithmetic = match op {
            Plus => Some(Arithmetic::Add),
            Minus => Some(Arithmetic::Subtract),
            Multiply => Some(Arithmetic::Multiply),
            Divide => Some(Arithmetic::Divide),
            Modulo => Some(Arithmetic::Modulus),
            _ => None,
        };
        match op {
            And | Or => {
                for t in [&l, &r].into_iter().flatten() {
                    if *t != SqlType::Boolean {
                        self.type_error(format!("`{op}` needs BOOLEAN operands, not {t}"));
                        return None;
                    }
                }
                Some(SqlType::Boolean)
            }
            Eq | NotEq | Lt | LtEq | Gt | GtEq => {
                if let (Some(a), Some(b)) = (&l, &r)
                    && !types::comparable(a, b, matches!(op, Eq | NotEq))
                {
                    self.type_error(format!("cannot compare {a} with {b} (`{op}`)"));
                    return None;
                }
                Some(SqlType::Boolean)
            }
            StringConcat => {
                for t in [&l, &r].into_iter().flatten() {
                    if *t != SqlType::String {
                        self.type_error(format!("`||` needs STRING operands, not {t}"));
                        return None;
                    }
                }
                Some(SqlType::String)
            }
            _ => {
                let arithmetic = arithmetic?;
                let (a, b) = (l?, r?);
                if arithmetic == Arithmetic::Add && a == SqlType::String && b == SqlType::String {
                    return Some(SqlType::String);
                }
                match types::arithmetic(arithmetic, &a, &b) {
                    Some(t) => Some(t),
                    None => {
                        self.type_error(format!("`{op}` needs numbers, not {a} and {b}"));
                        None
                    }
                }
            }
        }
    }

    fn column(&mut self, qualifier: Option<&str>, name: &str, ids: &[Ident]) -> Option<SqlType> {
        if qualifier.is_none()
            && let Some((_, t)) = self.lambdas.iter().rev().find(|(n, _)| n == name)
        {
            return t.clone();
        }
        match self.scope.resolve(qualifier, name) {
            Ok(Resolved::Column { sql_type, .. }) => sql_type,
            Ok(Resolved::Pseudo(t)) => Some(t),
            Err(problem) => {
                let span = self.ident_span(ids);
                self.problem(problem, span);
                None
            }
        }
    }

    /// The type of an expression that is not a chain of binary operators, by its kind.
    fn leaf(&mut self, e: &Expr) -> Option<SqlType> {
        match e {
            Expr::Identifier(id) => self.column(None, &id.value, std::slice::from_ref(id)),
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                // `a.b` may also be a lambda parameter's struct? ksqlDB reads it as source.column.
                self.column(Some(&parts[0].value), &parts[1].value, parts)
            }
            Expr::CompoundIdentifier(_) => None,
            Expr::Value(v) => literal(&v.value),
            Expr::TypedString(ts) => SqlType::from_data_type(&ts.data_type),
            Expr::BinaryOp { left, op: BinaryOperator::Arrow, right } => self.field(left, right),
            Expr::BinaryOp { .. } => self.ty(e),
            Expr::UnaryOp { op, expr } => self.unary(op, expr),
            Expr::Nested(inner) => self.ty(inner),
            Expr::IsNull(inner) | Expr::IsNotNull(inner) => {
                self.ty(inner);
                Some(SqlType::Boolean)
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => self.distinct_from(a, b),
            Expr::Between { expr, low, high, .. } => self.between(expr, low, high),
            Expr::Like { expr, pattern, .. } => self.like(expr, pattern),
            Expr::In { expr, target: InTarget::List(list), .. } => self.in_list(expr, list),
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Cast { expr, data_type, .. } => self.cast(expr, data_type),
            Expr::AtTimeZone { timestamp, .. } => self.ty(timestamp),
            Expr::Array(array) => self.array(&array.elem),
            Expr::CompoundFieldAccess { root, access_chain } => self.subscripts(root, access_chain),
            Expr::Function(f) => self.call(f),
            Expr::Lambda(_) => {
                self.type_error("a lambda here".into());
                None
            }
            _ => None,
        }
    }

    /// `base->field`: the type of a STRUCT's field.
    fn field(&mut self, base: &Expr, field: &Expr) -> Option<SqlType> {
        let base = self.ty(base)?;
        let Expr::Identifier(field) = field else { return None };
        match base {
            SqlType::Struct(fields) => match fields.iter().find(|f| f.name == field.value) {
                Some(f) => Some(f.sql_type.clone()),
                None => {
                    let suggestion = suggest(&field.value, fields.iter().map(|f| f.name.as_str()));
                    let span = self.ident_span(std::slice::from_ref(field));
                    self.problem(Problem::UnknownColumn { name: format!("->{}", field.value), suggestion }, span);
                    None
                }
            },
            other => {
                self.type_error(format!("`->` needs a STRUCT, not {other}"));
                None
            }
        }
    }

    /// `NOT e` needs a BOOLEAN; `-e` and `+e` a number, whose type they keep.
    fn unary(&mut self, op: &UnaryOperator, expr: &Expr) -> Option<SqlType> {
        let t = self.ty(expr);
        match op {
            UnaryOperator::Not => {
                if let Some(t) = &t
                    && *t != SqlType::Boolean
                {
                    self.type_error(format!("NOT needs a BOOLEAN, not {t}"));
                    return None;
                }
                Some(SqlType::Boolean)
            }
            _ => {
                if let Some(t) = &t
                    && !types::is_numeric(t)
                {
                    self.type_error(format!("`{op}` needs a number, not {t}"));
                    return None;
                }
                t
            }
        }
    }

    /// `a IS [NOT] DISTINCT FROM b`.
    fn distinct_from(&mut self, a: &Expr, b: &Expr) -> Option<SqlType> {
        let (a, b) = (self.ty(a), self.ty(b));
        if let (Some(a), Some(b)) = (&a, &b)
            && !types::comparable(a, b, true)
        {
            self.type_error(format!("cannot compare {a} with {b}"));
        }
        Some(SqlType::Boolean)
    }

    /// `e BETWEEN low AND high`.
    fn between(&mut self, expr: &Expr, low: &Expr, high: &Expr) -> Option<SqlType> {
        let t = self.ty(expr);
        for bound in [low, high] {
            let b = self.ty(bound);
            if let (Some(t), Some(b)) = (&t, &b)
                && !types::comparable(t, b, false)
            {
                self.type_error(format!("BETWEEN cannot compare {t} with {b}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `e LIKE pattern`, both STRING.
    fn like(&mut self, expr: &Expr, pattern: &Expr) -> Option<SqlType> {
        for part in [expr, pattern] {
            if let Some(t) = self.ty(part)
                && t != SqlType::String
            {
                self.type_error(format!("LIKE needs STRING operands, not {t}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `e IN (a, b, ...)`.
    fn in_list(&mut self, expr: &Expr, list: &[Expr]) -> Option<SqlType> {
        let t = self.ty(expr);
        for item in list {
            let i = self.ty(item);
            if let (Some(t), Some(i)) = (&t, &i)
                && !types::comparable(t, i, true)
            {
                self.type_error(format!("IN cannot compare {t} with {i}"));
                return None;
            }
        }
        Some(SqlType::Boolean)
    }

    /// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`: the common type of its results.
    fn case(&mut self, operand: Option<&Expr>, conditions: &[CaseWhen], else_result: Option<&Expr>) -> Option<SqlType> {
        let operand_type = operand.and_then(|o| self.ty(o));
        let mut results = Vec::new();
        for c in conditions {
            let ct = self.ty(&c.condition);
            match (&operand_type, &ct) {
                (Some(o), Some(c)) if !types::comparable(o, c, true) => {
                    self.type_error(format!("CASE cannot compare {o} with {c}"));
                }
                (None, Some(c)) if operand.is_none() && *c != SqlType::Boolean => {
                    self.type_error(format!("WHEN needs a BOOLEAN, not {c}"));
                }
                _ => {}
            }
            results.push(self.ty(&c.result));
        }
        if let Some(e) = else_result {
            results.push(self.ty(e));
        }
        let mut result: Option<SqlType> = None;
        for t in results.into_iter().flatten() {
            result = match result {
                None => Some(t),
                Some(r) => match types::common_type(&r, &t) {
                    Some(c) => Some(c),
                    None => {
                        self.type_error(format!("CASE results differ in type: {r} and {t}"));
                        return None;
                    }
                },
            };
        }
        result
    }

    /// `CAST(e AS type)`, a custom type read as its definition.
    fn cast(&mut self, expr: &Expr, data_type: &DataType) -> Option<SqlType> {
        let from = self.ty(expr);
        let to = SqlType::from_data_type(data_type)?;
        let to = match to {
            SqlType::Custom(name) => self.types.get(&name).cloned()?,
            t => t,
        };
        if let Some(from) = from
            && !castable(&from, &to)
        {
            self.type_error(format!("cannot CAST {from} to {to}"));
            return None;
        }
        Some(to)
    }

    /// `ARRAY[a, b, ...]`: an array of its elements' common type.
    fn array(&mut self, elements: &[Expr]) -> Option<SqlType> {
        let mut element: Option<SqlType> = None;
        for item in elements {
            if let Some(t) = self.ty(item) {
                element = match element {
                    None => Some(t),
                    Some(e) => match types::common_type(&e, &t) {
                        Some(c) => Some(c),
                        None => {
                            self.type_error(format!("array elements differ in type: {e} and {t}"));
                            return None;
                        }
                    },
                };
            }
        }
        match element {
            Some(e) => Some(SqlType::Array(Box::new(e))),
            None if elements.is_empty() => {
                self.type_error("an empty ARRAY[] has no element type".into());
                None
            }
            None => None,
        }
    }

    /// `e[i][k]...`: an array's element (an INT index) or a map's value (a key of its type).
    fn subscripts(&mut self, root: &Expr, access_chain: &[AccessExpr]) -> Option<SqlType> {
        let mut t = self.ty(root);
        for access in access_chain {
            let AccessExpr::Subscript(Subscript::Index { index }) = access else { return None };
            let it = self.ty(index);
            t = match t {
                Some(SqlType::Array(e)) => {
                    if let Some(it) = &it
                        && !matches!(it, SqlType::Int | SqlType::BigInt)
                    {
                        self.type_error(format!("an array index must be INT, not {it}"));
                        return None;
                    }
                    Some(*e)
                }
                Some(SqlType::Map(k, v)) => {
                    if let Some(it) = &it
                        && !types::can_widen(it, &k)
                    {
                        self.type_error(format!("this map's keys are {k}, the subscript is {it}"));
                        return None;
                    }
                    Some(*v)
                }
                Some(other) => {
                    self.type_error(format!("only arrays and maps take `[...]`, not {other}"));
                    return None;
                }
                None => None,
            };
        }
        t
    }

    /// A function call: a constructor, a time arithmetic function, or a catalog function (an
    /// aggregate, a table function or a scalar) whose signature its arguments pick.
    fn call(&mut self, f: &sqlparser::ast::Function) -> Option<SqlType> {
        let name = function_name(f)?.to_string();
        let name_span = match f.name.0.as_slice() {
            [ObjectNamePart::Identifier(id)] => self.ident_span(std::slice::from_ref(id)),
            _ => self.fallback,
        };
        let args: Vec<&FunctionArg> = match &f.args {
            FunctionArguments::List(list) => list.args.iter().collect(),
            _ => Vec::new(),
        };
        if name == "STRUCT" {
            return self.struct_constructor(&args);
        }
        if name == "MAP" && args.iter().all(|a| matches!(a, FunctionArg::ExprNamed { .. })) {
            return self.map_constructor(&args);
        }
        // Units as arguments: TIMESTAMPADD(unit, n, ts) and friends.
        if let Some(t) = self.time_arithmetic(&name, &args) {
            return t;
        }
        let Some(function) = functions::lookup(&name) else {
            let suggestion =
                functions::ksql_name_for(&name).map(str::to_string).or_else(|| suggest(&name, functions::names()));
            self.problem(Problem::UnknownFunction { name, suggestion }, name_span);
            return None;
        };
        self.check_function_kind(&name, function.kind, name_span)?;
        // An argument's type is unknown (reported already, or an open schema): the lambdas are
        // not typed and the result is unknown.
        let (shapes, lambdas) = self.arguments(&args, function.kind)?;
        let (result, had_lambda_problems) = self.resolve_signature(function, &shapes, &lambdas);
        match result {
            Some(t) => Some(special_return(&name, &shapes, t)),
            None if had_lambda_problems => None,
            None => {
                let arguments = shapes
                    .iter()
                    .map(|s| match s {
                        Arg::Value(Some(t)) => t.to_string(),
                        Arg::Value(None) => "NULL".into(),
                        Arg::Lambda(n) => format!("a lambda of {n}"),
                    })
                    .collect();
                let signatures = function.signatures.iter().map(|s| s.text.clone()).collect();
                self.problem(Problem::NoSignature { name, arguments, signatures }, name_span);
                None
            }
        }
    }

    /// `STRUCT(name := value, ...)`: a STRUCT of the named values' types.
    fn struct_constructor(&mut self, args: &[&FunctionArg]) -> Option<SqlType> {
        let mut fields = Vec::new();
        for a in args {
            if let FunctionArg::ExprNamed { name: Expr::Identifier(field), arg: FunctionArgExpr::Expr(v), .. } = a {
                let t = self.ty(v);
                // A NULL field has no type ksqlDB can infer.
                let Some(t) = t else {
                    if matches!(v, Expr::Value(x) if x.value == Value::Null) {
                        self.type_error(format!("field `{}` is NULL: CAST it to its type", field.value));
                    }
                    return None;
                };
                fields.push(StructField { name: field.value.clone(), sql_type: t });
            }
        }
        Some(SqlType::Struct(fields))
    }

    /// `MAP(key := value, ...)`: a map from STRING to the values' common type.
    fn map_constructor(&mut self, args: &[&FunctionArg]) -> Option<SqlType> {
        let (mut key, mut value): (Option<SqlType>, Option<SqlType>) = (None, None);
        for a in args {
            if let FunctionArg::ExprNamed { name: k, arg: FunctionArgExpr::Expr(v), .. } = a {
                let kt = self.ty(k);
                let vt = self.ty(v);
                for (slot, t) in [(&mut key, kt), (&mut value, vt)] {
                    if let Some(t) = t {
                        *slot = match slot.take() {
                            None => Some(t),
                            Some(s) => types::common_type(&s, &t).or(Some(s)),
                        };
                    }
                }
            }
        }
        if let Some(k) = &key
            && *k != SqlType::String
        {
            self.type_error(format!("map keys must be STRING, not {k}"));
            return None;
        }
        match value {
            Some(v) => Some(SqlType::Map(Box::new(SqlType::String), Box::new(v))),
            None if args.is_empty() => {
                self.type_error("an empty MAP() has no value type".into());
                None
            }
            None => None,
        }
    }

    /// An aggregate where the clause allows one, a table function only in SELECT; records
    /// which was found.
    fn check_function_kind(&mut self, name: &str, kind: FunctionKind, name_span: Span) -> Option<()> {
        match kind {
            FunctionKind::Aggregate => {
                if let AggregateMode::Forbidden(clause) = self.aggregates {
                    self.problems.push((
                        Problem::Rejected { reason: format!("aggregate function `{name}` cannot be used in {clause}") },
                        name_span,
                    ));
                    return None;
                }
                self.aggregate_found = true;
            }
            FunctionKind::Table => {
                if !self.table_functions {
                    self.problems.push((
                        Problem::Rejected { reason: format!("table function `{name}` can only be used in SELECT") },
                        name_span,
                    ));
                    return None;
                }
                self.table_function_found = true;
            }
            FunctionKind::Scalar => {}
        }
        Some(())
    }

    /// The shapes of a call's arguments (values typed, lambdas by arity) and its lambdas by
    /// position; `None` when a value's type is unknown (not NULL). Aggregates may not nest.
    fn arguments<'f>(
        &mut self,
        args: &[&'f FunctionArg],
        kind: FunctionKind,
    ) -> Option<(Vec<Arg>, BTreeMap<usize, &'f LambdaFunction>)> {
        let saved = self.aggregates;
        if kind == FunctionKind::Aggregate {
            self.aggregates = AggregateMode::Forbidden("another aggregate");
        }
        let mut shapes = Vec::new();
        let mut lambdas = BTreeMap::new();
        let mut unknown = false;
        for (i, a) in args.iter().enumerate() {
            match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Lambda(l))) => {
                    let arity = match &l.params {
                        OneOrManyWithParens::One(_) => 1,
                        OneOrManyWithParens::Many(ps) => ps.len(),
                    };
                    shapes.push(Arg::Lambda(arity));
                    lambdas.insert(i, l);
                }
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                    let t = self.ty(e);
                    let is_null = matches!(strip_nested(e), Expr::Value(v) if v.value == Value::Null);
                    unknown |= t.is_none() && !is_null;
                    shapes.push(Arg::Value(t));
                }
                FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {}
                _ => {}
            }
        }
        self.aggregates = saved;
        (!unknown).then_some((shapes, lambdas))
    }

    /// The signature the arguments pick and its result type; each lambda's body is typed with
    /// its parameters bound to the types the signature gives them. Also whether a lambda's body
    /// had problems (recorded).
    fn resolve_signature(
        &mut self,
        function: &functions::Function,
        shapes: &[Arg],
        lambdas: &BTreeMap<usize, &LambdaFunction>,
    ) -> (Option<SqlType>, bool) {
        let mut lambda_problems = Vec::new();
        let scope_lambdas = self.lambdas.clone();
        let result = {
            let this = &mut *self;
            let mut type_lambda = |i: usize, params: &[SqlType]| -> Option<SqlType> {
                let l = lambdas.get(&i)?;
                let names: Vec<String> = match &l.params {
                    OneOrManyWithParens::One(p) => vec![p.name.value.clone()],
                    OneOrManyWithParens::Many(ps) => ps.iter().map(|p| p.name.value.clone()).collect(),
                };
                this.lambdas = scope_lambdas.clone();
                for (n, t) in names.into_iter().zip(params) {
                    this.lambdas.push((n, Some(t.clone())));
                }
                let before = this.problems.len();
                let t = this.ty(&l.body);
                lambda_problems.extend(this.problems.drain(before..));
                t
            };
            function.resolve(shapes, &mut type_lambda).map(|(t, _)| t)
        };
        self.lambdas = scope_lambdas;
        let had_lambda_problems = !lambda_problems.is_empty();
        self.problems.extend(lambda_problems);
        (result, had_lambda_problems)
    }

    /// `TIMESTAMPADD(unit, n, ts)`, `TIMESTAMPSUB`, `DATEADD`, `DATESUB`, `TIMEADD`, `TIMESUB`:
    /// the first argument is a time unit, not a value.
    fn time_arithmetic(&mut self, name: &str, args: &[&FunctionArg]) -> Option<Option<SqlType>> {
        let result = match name {
            "TIMESTAMPADD" | "TIMESTAMPSUB" => SqlType::Timestamp,
            "DATEADD" | "DATESUB" => SqlType::Date,
            "TIMEADD" | "TIMESUB" => SqlType::Time,
            _ => return None,
        };
        let [_, n, value] = args else {
            self.type_error(format!("`{name}` takes a unit, an amount and a {result}"));
            return Some(None);
        };
        let ty = |cx: &mut Self, a: &FunctionArg| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => cx.ty(e),
            _ => None,
        };
        let nt = ty(self, n);
        let vt = ty(self, value);
        if let Some(nt) = nt
            && !matches!(nt, SqlType::Int | SqlType::BigInt)
        {
            self.type_error(format!("`{name}` takes an INT amount, not {nt}"));
            return Some(None);
        }
        if let Some(vt) = vt
            && vt != result
        {
            self.type_error(format!("`{name}` takes a {result}, not {vt}"));
            return Some(None);
        }
        Some(Some(result))
    }
}

/// Returns that depend on the arguments beyond what the notation says.
fn special_return(name: &str, args: &[Arg], t: SqlType) -> SqlType {
    match (name, args, &t) {
        // ROUND, CEIL and FLOOR of a decimal keep its integer digits, with the scale asked.
        // ROUND of a decimal to no places drops its scale; to some places keeps its type.
        ("ROUND", [Arg::Value(Some(SqlType::Decimal { precision, scale }))], SqlType::Decimal { .. }) => {
            SqlType::Decimal { precision: precision.saturating_sub(*scale).max(1), scale: 0 }
        }
        ("CEIL" | "FLOOR", [Arg::Value(Some(SqlType::Decimal { precision, scale }))], SqlType::Decimal { .. }) => {
            SqlType::Decimal {
                precision: precision.saturating_sub(*scale).saturating_add(1).min(types::MAX_PRECISION),
                scale: 0,
            }
        }
        _ => t,
    }
}

/// The type of a literal; `None` for NULL, whose type is unknown.
fn literal(value: &Value) -> Option<SqlType> {
    match value {
        Value::Number(n, _) => types::number_literal(n),
        Value::SingleQuotedString(_) => Some(SqlType::String),
        Value::Boolean(_) => Some(SqlType::Boolean),
        Value::Null => None,
        _ => None,
    }
}

/// Whether CAST converts `from` to `to` (ksqlDB's `CastEvaluator`).
fn castable(from: &SqlType, to: &SqlType) -> bool {
    use SqlType::*;
    if from == to {
        return true;
    }
    match (from, to) {
        (_, String) => true,
        (String, _) => !matches!(to, Array(_) | Map(..) | Struct(_)),
        (a, b) if types::is_numeric(a) && types::is_numeric(b) => true,
        (Boolean, _) | (_, Boolean) => false,
        (Timestamp, Date | Time) | (Date, Timestamp) => true,
        (Array(a), Array(b)) => castable(a, b),
        (Map(ka, va), Map(kb, vb)) => castable(ka, kb) && castable(va, vb),
        (Struct(a), Struct(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.name == y.name && castable(&x.sql_type, &y.sql_type))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ksql::parser::parse;
    use crate::source::FileId;

    /// Runs `sql`; returns the DESCRIBE schema of each source and the codes reported.
    fn run(sql: &str) -> (BTreeMap<String, String>, Vec<(&'static str, String)>) {
        let text = SourceText::from_file(FileId(0), sql.to_string());
        let (statements, errors) = parse(&text);
        assert!(errors.is_empty(), "{errors:?}");
        let mut engine = Engine::new();
        let mut diagnostics = Vec::new();
        engine.run(&text, &statements, &mut diagnostics);
        let schemas = engine.sources.iter().map(|(n, s)| (n.clone(), s.describe())).collect();
        let codes = diagnostics
            .iter()
            .map(|(problem, span)| (crate::rules::ksql(problem, *span).code, sql[span.start..span.end].to_string()))
            .collect();
        (schemas, codes)
    }

    #[test]
    fn long_operator_chains_are_typed_without_deep_recursion() {
        let chain = vec!["AMOUNT"; 1500].join(" + ");
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE TABLE C AS SELECT NAME, SUM({chain}) AS S, {chain} AS T FROM INPUT GROUP BY NAME HAVING {chain} > 1;"
        ));
        let found: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, ["V308", "V308"], "the unaggregated chains are not grouped");
        assert!(schemas.contains_key("C"), "the table is still known to later statements");
    }

    const INPUT: &str = "CREATE STREAM INPUT (ID INT KEY, NAME STRING, AMOUNT DECIMAL(4, 2), TAGS ARRAY<STRING>, \
                         S STRUCT<F INT>) WITH (kafka_topic='t', value_format='JSON');\n";

    #[test]
    fn projections_take_names_types_and_keys_as_ksqldb_does() {
        let (schemas, codes) = run(&format!(
            "{INPUT}CREATE STREAM OUT AS SELECT ID, NAME AS N, AMOUNT * 2, S->F, LEN(NAME), TAGS[1] FROM INPUT;"
        ));
        assert_eq!(codes, []);
        assert_eq!(
            schemas["OUT"],
            "ID INTEGER KEY, N STRING, KSQL_COL_0 DECIMAL(15, 2), F INTEGER, KSQL_COL_1 INTEGER, KSQL_COL_2 STRING"
        );
    }

    #[test]
    fn group_by_makes_the_key_and_a_table() {
        let (schemas, codes) =
            run(&format!("{INPUT}CREATE TABLE C AS SELECT NAME, COUNT(*) AS N, SUM(AMOUNT) FROM INPUT GROUP BY NAME;"));
        assert_eq!(codes, []);
        assert_eq!(schemas["C"], "NAME STRING PRIMARY KEY, N BIGINT, KSQL_COL_0 DECIMAL(4, 2)");
    }

    #[test]
    fn unknown_names_types_and_functions_are_reported_where_they_are() {
        let (_, codes) = run(&format!(
            "{INPUT}CREATE STREAM A AS SELECT ID, NAM FROM INPUT;\n\
             CREATE STREAM B AS SELECT ID FROM INPUTS;\n\
             CREATE STREAM C AS SELECT ID, NAME + 1 AS X FROM INPUT;\n\
             CREATE STREAM D AS SELECT ID, LENN(NAME) AS X, LEN(ID) AS Y FROM INPUT;\n\
             CREATE TABLE E AS SELECT NAME, AMOUNT, COUNT(*) AS N FROM INPUT GROUP BY NAME;\n\
             CREATE STREAM F AS SELECT NAME FROM INPUT;"
        ));
        let found: Vec<&str> = codes.iter().map(|(c, _)| *c).collect();
        assert_eq!(found, ["V303", "V302", "V304", "V305", "V305", "V308", "V310"]);
        assert_eq!(codes[0].1, "NAM");
        assert_eq!(codes[1].1, "INPUTS");
        assert_eq!(codes[3].1, "LENN");
        assert_eq!(codes[5].1, "AMOUNT");
    }

    #[test]
    fn joins_prefix_star_columns_and_check_key_types() {
        let (schemas, codes) = run("CREATE STREAM L (A INT KEY, B INT) WITH (kafka_topic='l', value_format='JSON');\n\
             CREATE STREAM R (A INT KEY, B BIGINT) WITH (kafka_topic='r', value_format='JSON');\n\
             CREATE STREAM J AS SELECT * FROM L JOIN R WITHIN 10 SECONDS ON L.A = R.A;\n\
             CREATE STREAM K AS SELECT * FROM L JOIN R WITHIN 10 SECONDS ON L.A = R.B;");
        assert_eq!(schemas["J"], "L_A INTEGER KEY, L_B INTEGER, R_A INTEGER, R_B BIGINT");
        assert_eq!(codes.iter().map(|(c, _)| *c).collect::<Vec<_>>(), ["V307"]);
    }
}
