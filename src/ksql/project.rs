//! The ksqlDB front end over a project: the `stream` and `table` nodes as ksqlDB sources (their
//! columns from the topic's serdes and Avro schema), then every transform's statements in
//! order, each parsed once, resolved and typed by one [`Engine`].
//!
//! What comes out feeds the edges (the topics each statement reads and writes, with the key and
//! value formats, key types and windowing inferred) and the V301 to V310 diagnostics.

use crate::avro::mapping::{self, SqlType as AvroSql};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::ksql::ast::{SqlType, Statement, StatementKind, StructField};
use crate::ksql::catalog::{Column, Role, Source};
use crate::ksql::infer::{Effect, Engine};
use crate::ksql::parser::parse;
use crate::ksql::problem::Problem;
use crate::model::{Format, Project, Serde, Spanned};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What each transform's statements did, in project order.
#[derive(Debug, Default)]
pub struct Analysis {
    pub effects: Vec<Vec<Effect>>,
    /// Where in `effects` the queries that write each topic are, by topic: the rules ask per
    /// topic, and a project has thousands.
    created_by_topic: HashMap<String, Vec<(usize, usize)>>,
    /// The columns the statements name that their sources do not have (V303), with where:
    /// V407 tells which of them are a Debezium row's, read from its envelope.
    pub unknown_columns: Vec<(String, crate::source::Span)>,
}

impl Analysis {
    fn new(effects: Vec<Vec<Effect>>) -> Self {
        let mut created_by_topic: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (transform, list) in effects.iter().enumerate() {
            for (at, effect) in list.iter().enumerate() {
                if let Effect::Created(created) = effect {
                    created_by_topic.entry(created.topic.value.clone()).or_default().push((transform, at));
                }
            }
        }
        Analysis { effects, created_by_topic, unknown_columns: Vec::new() }
    }

    /// The streams and tables that queries (CREATE ... AS SELECT) create over `topic`, in
    /// project order.
    pub fn created_on(&self, topic: &str) -> impl Iterator<Item = &crate::ksql::infer::Created> {
        self.created_by_topic.get(topic).into_iter().flatten().filter_map(|&(transform, at)| {
            match &self.effects[transform][at] {
                Effect::Created(created) => Some(created),
                _ => None,
            }
        })
    }
}

/// Parses and analyses every transform of the project.
pub fn analyse(project: &Project, diagnostics: &mut Vec<Diagnostic>) -> Analysis {
    let mut engine = Engine::new();
    for topic in &project.topics {
        if let Some(p) = &topic.partitions {
            engine.partitions.insert(topic.name.value.clone(), p.value);
        }
    }
    for node in &project.ksql_sources {
        let source = node_source(project, node, &engine);
        engine.sources.entry(source.name.clone()).or_insert(source);
    }
    // Each transform's statements, parsed once.
    let mut parsed = Vec::new();
    for transform in &project.transforms {
        let Some(sql) = transform.sql.as_ref() else {
            parsed.push(None);
            continue;
        };
        let (statements, errors) = parse(sql);
        for error in errors {
            diagnostics.push(Diagnostic::new(DiagnosticKind::KsqlSyntax { message: error.message }, error.span));
        }
        parsed.push(Some((sql, statements)));
    }
    // Transforms run in an order where each comes after those that create what it reads (as
    // `venice apply` deploys them); otherwise in project order.
    let mut effects: Vec<Vec<Effect>> = vec![Vec::new(); parsed.len()];
    let mut unknown_columns = Vec::new();
    for index in deployment_order(&parsed) {
        let Some((sql, statements)) = &parsed[index] else { continue };
        let before = diagnostics.len();
        let done = engine.run(sql, statements, diagnostics);
        unknown_columns.extend(diagnostics[before..].iter().filter_map(|d| match &d.kind {
            DiagnosticKind::Ksql(Problem::UnknownColumn { name, .. }) => Some((name.clone(), d.span)),
            _ => None,
        }));
        check_declared_topics(project, &done, diagnostics);
        effects[index] = done;
    }
    check_topics_exist(project, &effects, diagnostics);
    let mut analysis = Analysis::new(effects);
    analysis.unknown_columns = unknown_columns;
    analysis
}

/// The order to run transforms in: a transform after the transforms that create the streams and
/// tables it uses, else in project order (a cycle, V501, runs in project order too).
fn deployment_order(parsed: &[Option<(&crate::model::SourceText, Vec<Statement>)>]) -> Vec<usize> {
    let mut creates: Vec<BTreeSet<String>> = Vec::new();
    let mut uses: Vec<BTreeSet<String>> = Vec::new();
    for entry in parsed {
        let mut created = BTreeSet::new();
        let mut used = BTreeSet::new();
        for statement in entry.iter().flat_map(|(_, s)| s) {
            match &statement.kind {
                StatementKind::CreateSource(c) => {
                    created.insert(c.name.value.clone());
                }
                StatementKind::CreateAsSelect(c) => {
                    created.insert(c.name.value.clone());
                }
                StatementKind::InsertInto(i) => {
                    used.insert(i.target.value.clone());
                }
                _ => {}
            }
            if let Some(q) = statement.kind.query() {
                used.insert(q.from.source.name.value.clone());
                used.extend(q.from.joins.iter().map(|j| j.source.name.value.clone()));
            }
        }
        let used = used.difference(&created).cloned().collect();
        creates.push(created);
        uses.push(used);
    }
    let mut creator: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, names) in creates.iter().enumerate() {
        for name in names {
            creator.entry(name.as_str()).or_insert(i);
        }
    }
    let mut order = Vec::new();
    let mut done = vec![false; parsed.len()];
    while order.len() < parsed.len() {
        let ready = (0..parsed.len()).find(|&i| {
            !done[i] && uses[i].iter().all(|name| creator.get(name.as_str()).is_none_or(|&j| done[j] || j == i))
        });
        let next = ready.or_else(|| (0..parsed.len()).find(|&i| !done[i])).unwrap_or(0);
        done[next] = true;
        order.push(next);
    }
    order
}

/// A `stream`/`table` node as the source venice's DDL creates: the key column typed by the
/// topic's key serde, the value columns from its Avro schema (unknown for other formats).
fn node_source(project: &Project, node: &crate::model::KsqlSource, engine: &Engine) -> Source {
    let topic = project.topic(&node.topic.value);
    let key = topic.and_then(|t| t.key.as_ref());
    let value = topic.and_then(|t| t.value.as_ref());
    let mut known = true;
    let mut columns = Vec::new();
    if let Some(name) = &node.key_column {
        match key.and_then(|k| serde_type(project, k)) {
            Some(t) => columns.push(Column { name: name.value.to_uppercase(), sql_type: t, role: Role::Key }),
            None => known = false,
        }
    }
    match value.and_then(|v| serde_type(project, v)) {
        // A field named like the key column is the key (ksqlDB has one column per name).
        Some(SqlType::Struct(fields)) => {
            for f in fields {
                let name = f.name.to_uppercase();
                if !columns.iter().any(|c: &Column| c.name == name) {
                    columns.push(Column { name, sql_type: f.sql_type, role: Role::Value });
                }
            }
        }
        _ => known = false,
    }
    Source {
        name: node.name.value.to_uppercase(),
        kind: node.kind,
        columns,
        columns_known: known,
        topic: node.topic.value.clone(),
        // Unknown when the topic does not say: a query over it inherits no format then.
        key_format: key.map_or("", |k| ksql_format(k.format.value)).to_string(),
        value_format: value.map_or("", |v| ksql_format(v.format.value)).to_string(),
        windowed: None,
        partitions: engine.partitions.get(&node.topic.value).copied(),
        origin: Some(node.name.span),
        read_only: false,
        from_query: false,
    }
}

/// ksqlDB's name of a venice format.
pub fn ksql_format(format: Format) -> &'static str {
    match format {
        Format::String | Format::Int | Format::Long | Format::Double | Format::Bytes => "KAFKA",
        Format::None => "NONE",
        Format::Json | Format::ConnectJson => "JSON",
        Format::JsonSr => "JSON_SR",
        Format::Avro | Format::AvroRaw => "AVRO",
        Format::Protobuf => "PROTOBUF",
        Format::Delimited => "DELIMITED",
    }
}

/// The SQL type of a serde: a primitive format's type, or an Avro schema's.
fn serde_type(project: &Project, serde: &Serde) -> Option<SqlType> {
    Some(match serde.format.value {
        Format::String => SqlType::String,
        Format::Int => SqlType::Int,
        Format::Long => SqlType::BigInt,
        Format::Double => SqlType::Double,
        Format::Bytes => SqlType::Bytes,
        Format::Avro => {
            let schema = project.avro.schema(&serde.schema.as_ref()?.value)?;
            from_avro(&mapping::ksql_type(&project.avro, schema).ok()?.sql)
        }
        _ => return None,
    })
}

fn from_avro(t: &AvroSql) -> SqlType {
    match t {
        AvroSql::Boolean => SqlType::Boolean,
        AvroSql::Integer => SqlType::Int,
        AvroSql::Bigint => SqlType::BigInt,
        AvroSql::Double => SqlType::Double,
        AvroSql::Decimal { precision, scale } => SqlType::Decimal { precision: *precision, scale: *scale },
        AvroSql::String => SqlType::String,
        AvroSql::Bytes => SqlType::Bytes,
        AvroSql::Date => SqlType::Date,
        AvroSql::Time => SqlType::Time,
        AvroSql::Timestamp => SqlType::Timestamp,
        AvroSql::Array(e) => SqlType::Array(Box::new(from_avro(e))),
        AvroSql::Map(k, v) => SqlType::Map(Box::new(from_avro(k)), Box::new(from_avro(v))),
        AvroSql::Struct(fields) => SqlType::Struct(
            fields.iter().map(|(name, t)| StructField { name: name.clone(), sql_type: from_avro(t) }).collect(),
        ),
    }
}

/// V302: a CREATE STREAM/TABLE over a topic that is neither declared nor written by a query
/// (and that the statement does not create with `PARTITIONS`): ksqlDB answers "Kafka topic does
/// not exist".
fn check_topics_exist(project: &Project, effects: &[Vec<Effect>], diagnostics: &mut Vec<Diagnostic>) {
    let written: BTreeSet<&str> = effects
        .iter()
        .flatten()
        .filter_map(|e| match e {
            Effect::Created(c) => Some(c.topic.value.as_str()),
            _ => None,
        })
        .collect();
    for effect in effects.iter().flatten() {
        let Effect::Declared(created) = effect else { continue };
        let topic = created.topic.value.as_str();
        if created.creates_topic || written.contains(topic) || project.topic(topic).is_some() {
            continue;
        }
        let names = project.topics.iter().map(|t| t.name.value.as_str()).chain(written.iter().copied());
        let suggestion = crate::diagnostic::suggest(topic, names);
        diagnostics.push(Diagnostic::new(
            DiagnosticKind::Ksql(Problem::UnknownSource { what: "topic", name: topic.to_string(), suggestion }),
            created.topic.span,
        ));
    }
}

/// V309: a CREATE STREAM/TABLE over a declared topic whose columns the topic's Avro value
/// schema does not have, or has with another type.
fn check_declared_topics(project: &Project, effects: &[Effect], diagnostics: &mut Vec<Diagnostic>) {
    for effect in effects {
        let Effect::Declared(created) = effect else { continue };
        let Some(topic) = project.topic(&created.topic.value) else { continue };
        let Some(columns) = &created.columns else { continue };
        let Some(value) = &topic.value else { continue };
        let Some(SqlType::Struct(fields)) = serde_type(project, value) else { continue };
        for column in columns.iter().filter(|c| c.role == Role::Value) {
            let field = fields.iter().find(|f| f.name.eq_ignore_ascii_case(&column.name));
            let reason = match field {
                None => format!("its value schema has no field `{}`", column.name),
                Some(f) if f.sql_type != column.sql_type => {
                    format!("column `{}` is {}, the schema's field is {}", column.name, column.sql_type, f.sql_type)
                }
                Some(_) => continue,
            };
            let span = value.schema.as_ref().map_or(topic.name.span, |s| s.span);
            diagnostics.push(Diagnostic::new(
                DiagnosticKind::Ksql(Problem::TopicMismatch {
                    topic: topic.name.value.clone(),
                    reason,
                    declared: span,
                }),
                created.name.span,
            ));
        }
    }
}

/// The venice format of a ksqlDB format, for an edge; `KAFKA` needs the single key or value
/// column's type.
pub fn edge_format(format: &Spanned<String>, single: Option<&SqlType>) -> Option<Spanned<Format>> {
    let kafka_type = single.map(|t| t.to_string());
    Format::from_ksql(&format.value, kafka_type.as_deref()).map(|f| Spanned::new(f, format.span))
}

/// Whether a created source's key is that of a KAFKA-format single column (for edges).
pub fn single<T>(items: &[T]) -> Option<&T> {
    match items {
        [one] => Some(one),
        _ => None,
    }
}
