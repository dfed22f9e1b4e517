//! The ksqlDB front end over a project: the `stream` and `table` nodes as ksqlDB sources (their
//! columns from the topic's serdes and Avro schema), then every transform's statements in
//! order, each parsed once, resolved and typed by one [`Engine`].
//!
//! What comes out feeds the edges (the topics each statement reads and writes, with the key and
//! value formats, key types and windowing inferred) and the V301 to V310 diagnostics.

use crate::avro::Catalog;
use crate::ksql::ast::{SqlType, Statement, StatementKind};
use crate::ksql::catalog::{Column, Registered, Role, Source};
use crate::ksql::foreign::Foreign;
use crate::ksql::from_avro::ksql_type;
use crate::ksql::infer::{Effect, Engine};
use crate::ksql::parser::parse;
use crate::ksql::problem::Problem;
use crate::model::{Format, Project, Serde, Spanned, Transform};
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What each transform's statements did, in project order.
#[derive(Debug, Default)]
pub(crate) struct Analysis {
    pub(crate) effects: Vec<Vec<Effect>>,
    /// Where in `effects` the queries that write each topic are, by topic: the rules ask per
    /// topic, and a project has thousands.
    created_by_topic: HashMap<String, Vec<(usize, usize)>>,
    /// The columns the statements name that their sources do not have (V303), with where:
    /// V407 tells which of them are a Debezium row's, read from its envelope.
    pub(crate) unknown_columns: Vec<(String, crate::source::Span)>,
    /// Each transform's ksqlDB names: the streams and tables it creates, and those it reads
    /// that it does not create (for `venice build`'s file order).
    names: Vec<Names>,
    /// The project's Protobuf and JSON Schema schemas as ksqlDB reads them (V205 words what it
    /// cannot represent).
    pub(crate) foreign: Foreign,
}

/// What a transform creates and what else it reads (ksqlDB names as written).
type Names = (BTreeSet<String>, BTreeSet<String>);

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
        Analysis {
            effects,
            created_by_topic,
            unknown_columns: Vec::new(),
            names: Vec::new(),
            foreign: Foreign::default(),
        }
    }

    /// The ksqlDB names the transform at `index` (in project order) creates, and those it reads
    /// and does not create; `None` when the analysis did not run.
    pub(crate) fn transform_names(&self, index: usize) -> Option<&Names> {
        self.names.get(index)
    }

    /// The streams and tables that queries (CREATE ... AS SELECT) create over `topic`, in
    /// project order.
    pub(crate) fn created_on(&self, topic: &str) -> impl Iterator<Item = &crate::ksql::infer::Created> {
        self.created_by_topic.get(topic).into_iter().flatten().filter_map(|&(transform, at)| {
            match &self.effects[transform][at] {
                Effect::Created(created) => Some(created),
                _ => None,
            }
        })
    }
}

/// How many transforms a task parses at least: one takes about a hundred microseconds, handing a
/// task to another thread some.
const TRANSFORMS_PER_TASK: usize = 8;

/// How many `stream`/`table` nodes a task maps at least.
const NODES_PER_TASK: usize = 32;

/// Each transform's statements and syntax errors, in project order (`None` for a transform
/// without SQL).
pub(crate) type Parsed = Vec<Option<(Vec<Statement>, Vec<crate::ksql::parser::ParseError>)>>;

/// Parses every transform's SQL, once, on every core (transforms parse on their own). It needs
/// nothing but the SQL, so `venice check` runs it beside the Avro phase.
pub(crate) fn parse_transforms(transforms: &[Transform]) -> Parsed {
    crate::parallel::map_on_every_core(transforms, TRANSFORMS_PER_TASK, |transform| transform.sql.as_ref().map(parse))
}

/// Analyses every transform of the project, from their statements as [`parse_transforms`] gave
/// them.
pub(crate) fn analyse(
    project: &Project,
    avro: &Catalog,
    foreign: Foreign,
    parsed: Parsed,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Analysis {
    let mut engine = Engine::new();
    for topic in &project.topics {
        if let Some(p) = &topic.partitions {
            engine.partitions.insert(topic.name.value.clone(), p.value);
        }
        for (side, serde) in [("key", &topic.key), ("value", &topic.value)] {
            if let Some(registered) = serde.as_ref().and_then(|s| registered(avro, &foreign, s)) {
                engine.registry.insert(format!("{}-{side}", topic.name.value), registered);
            }
        }
    }
    // Producers venice does not see may register subjects for the project's topics.
    engine.registry_open = true;
    // The `stream`/`table` nodes' sources (each maps an Avro schema to columns), on every core;
    // they read only the partitions. Added in project order, the first of a name kept.
    let partitions = std::mem::take(&mut engine.partitions);
    let source_of = |node: &crate::model::KsqlSource| node_source(project, (avro, &foreign), node, &partitions);
    let sources = crate::parallel::map_on_every_core(&project.ksql_sources, NODES_PER_TASK, source_of);
    for source in sources {
        engine.sources.entry(source.name.clone()).or_insert(source);
    }
    engine.partitions = partitions;
    let mut statements_of = Vec::with_capacity(parsed.len());
    for (transform, done) in project.transforms.iter().zip(parsed) {
        let (Some(sql), Some((statements, errors))) = (&transform.sql, done) else {
            statements_of.push(None);
            continue;
        };
        for error in errors {
            diagnostics.push((Problem::Syntax { message: error.message }, error.span));
        }
        statements_of.push(Some((sql, statements)));
    }
    let parsed = statements_of;
    // Transforms run in an order where each comes after those that create what it reads (as
    // `venice apply` deploys them); otherwise in project order.
    let mut effects: Vec<Vec<Effect>> = vec![Vec::new(); parsed.len()];
    let mut unknown_columns = Vec::new();
    let names: Vec<Names> = parsed.iter().map(|entry| names_of(entry.iter().flat_map(|(_, s)| s))).collect();
    let order = deployment_order(&names);
    for (position, &index) in order.iter().enumerate() {
        let Some((sql, statements)) = &parsed[index] else { continue };
        let before = diagnostics.len();
        let done = engine.run(sql, statements, diagnostics);
        forgive_names_created_later(&names, &order[position + 1..], diagnostics, before);
        unknown_columns.extend(diagnostics[before..].iter().filter_map(|(problem, span)| match problem {
            Problem::UnknownColumn { name, .. } => Some((name.clone(), *span)),
            _ => None,
        }));
        check_declared_topics(project, (avro, &foreign), &done, diagnostics);
        effects[index] = done;
    }
    check_topics_exist(project, &effects, diagnostics);
    let mut analysis = Analysis::new(effects);
    analysis.unknown_columns = unknown_columns;
    analysis.names = names;
    analysis.foreign = foreign;
    analysis
}

/// Drops, from the problems pushed since `from`, each unknown stream or table that a transform
/// still to run creates. It is missing only because the transforms need each other, which V501
/// reports once as a loop; what reads it is unknown, not wrong (the statement's columns are
/// already unknown, so nothing else follows from it).
fn forgive_names_created_later(names: &[Names], later: &[usize], problems: &mut Vec<(Problem, Span)>, from: usize) {
    let created_later: BTreeSet<&str> = later.iter().flat_map(|&j| names[j].0.iter().map(String::as_str)).collect();
    let mut position = 0;
    problems.retain(|(problem, _)| {
        position += 1;
        let forgiven = matches!(problem, Problem::UnknownSource { what: "stream or table", name, .. }
            if created_later.contains(name.as_str()));
        position <= from || !forgiven
    });
}

/// The names a transform's statements create, and those they read that they do not create.
pub(crate) fn names_of<'s>(statements: impl Iterator<Item = &'s Statement>) -> Names {
    let mut created = BTreeSet::new();
    let mut used = BTreeSet::new();
    for statement in statements {
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
    (created, used)
}

/// The order to run transforms in: a transform after the transforms that create the streams and
/// tables it uses, else in project order (a cycle, V501, runs in project order too).
fn deployment_order(names: &[Names]) -> Vec<usize> {
    let mut creator: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (creates, _)) in names.iter().enumerate() {
        for name in creates {
            creator.entry(name.as_str()).or_insert(i);
        }
    }
    let needs: Vec<BTreeSet<usize>> = names
        .iter()
        .enumerate()
        .map(|(i, (_, uses))| {
            uses.iter().filter_map(|name| creator.get(name.as_str()).copied()).filter(|&j| j != i).collect()
        })
        .collect();
    earliest_ready_order(&needs)
}

/// An order of items where each comes after the items it needs (`needs[i]`, never `i` itself),
/// taking the earliest ready item each time; items in a cycle keep their order. Kahn's algorithm:
/// `waits[i]` counts what `i` needs that is not placed yet.
pub(crate) fn earliest_ready_order(needs: &[BTreeSet<usize>]) -> Vec<usize> {
    let mut needed_by: Vec<Vec<usize>> = vec![Vec::new(); needs.len()];
    let mut waits = vec![0usize; needs.len()];
    for (i, needed) in needs.iter().enumerate() {
        waits[i] = needed.len();
        for &j in needed {
            needed_by[j].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..needs.len()).filter(|&i| waits[i] == 0).collect();
    let mut done = vec![false; needs.len()];
    let mut first_not_done = 0;
    let mut order = Vec::with_capacity(needs.len());
    while order.len() < needs.len() {
        // In a cycle (V501) nothing is ready: the earliest item not placed goes next.
        let next = match ready.pop_first() {
            Some(next) => next,
            None => {
                while done[first_not_done] {
                    first_not_done += 1;
                }
                first_not_done
            }
        };
        done[next] = true;
        order.push(next);
        for &user in &needed_by[next] {
            waits[user] -= 1;
            if waits[user] == 0 && !done[user] {
                ready.insert(user);
            }
        }
    }
    order
}

/// A `stream`/`table` node as the source venice's DDL creates: the key column typed by the
/// topic's key serde, the value columns from its Avro, Protobuf or JSON Schema schema (unknown
/// for other formats).
fn node_source(
    project: &Project,
    schemas: Schemas<'_>,
    node: &crate::model::KsqlSource,
    partitions: &BTreeMap<String, u32>,
) -> Source {
    let topic = project.topic(&node.topic.value);
    let key = topic.and_then(|t| t.key.as_ref());
    let value = topic.and_then(|t| t.value.as_ref());
    let mut known = true;
    let mut columns = Vec::new();
    if let Some(name) = &node.key_column {
        match key.and_then(|k| serde_type(schemas, k)) {
            Some(t) => columns.push(Column { name: name.value.to_uppercase(), sql_type: t, role: Role::Key }),
            None => known = false,
        }
    }
    match value.and_then(|v| serde_type(schemas, v)) {
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
        partitions: partitions.get(&node.topic.value).copied(),
        origin: Some(node.name.span),
        read_only: false,
        from_query: false,
    }
}

/// ksqlDB's name of a venice format.
pub(crate) fn ksql_format(format: Format) -> &'static str {
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

/// The Avro catalog and the Protobuf and JSON Schema views, which the serdes' types come from.
type Schemas<'a> = (&'a Catalog, &'a Foreign);

/// The SQL type of a serde: a primitive format's type, or its schema's (Avro, Protobuf, JSON
/// Schema).
fn serde_type((avro, foreign): Schemas<'_>, serde: &Serde) -> Option<SqlType> {
    Some(match serde.format.value {
        Format::String => SqlType::String,
        Format::Int => SqlType::Int,
        Format::Long => SqlType::BigInt,
        Format::Double => SqlType::Double,
        Format::Bytes => SqlType::Bytes,
        Format::Avro => {
            let schema = avro.schema(&serde.schema.as_ref()?.value)?;
            ksql_type(avro, schema).ok()?.sql
        }
        Format::Protobuf | Format::JsonSr => foreign.sql(&serde.schema.as_ref()?.value)?.clone(),
        _ => return None,
    })
}

/// What the registry holds for a topic's side, by the topic-name strategy (`<topic>-key`,
/// `<topic>-value`): the Avro, Protobuf or JSON Schema schema its serde declares, as ksqlDB's
/// `DefaultSchemaInjector` reads it for a CREATE that leaves that side's columns to inference.
fn registered(avro: &Catalog, foreign: &Foreign, serde: &Serde) -> Option<Registered> {
    if matches!(serde.format.value, Format::Protobuf | Format::JsonSr) {
        let view = foreign.view(&serde.schema.as_ref()?.value)?;
        return Some(match view.sql.as_ref() {
            Some(Ok(t)) => Registered::Type(t.clone()),
            Some(Err((why, _))) => Registered::Unsupported(why.clone()),
            None => Registered::Opaque,
        });
    }
    if serde.format.value != Format::Avro {
        return None;
    }
    let schema = avro.schema(&serde.schema.as_ref()?.value)?;
    Some(match ksql_type(avro, schema) {
        Ok(mapping) => Registered::Type(mapping.sql),
        Err(why) => Registered::Unsupported(why.to_string()),
    })
}

/// V302: a CREATE STREAM/TABLE over a topic that is neither declared nor written by a query
/// (and that the statement does not create with `PARTITIONS`): ksqlDB answers "Kafka topic does
/// not exist".
fn check_topics_exist(project: &Project, effects: &[Vec<Effect>], diagnostics: &mut Vec<(Problem, Span)>) {
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
        diagnostics
            .push((Problem::UnknownSource { what: "topic", name: topic.to_string(), suggestion }, created.topic.span));
    }
}

/// V309: a CREATE STREAM/TABLE over a declared topic whose columns the topic's value schema
/// (Avro, Protobuf, JSON Schema) does not have, or has with another type.
fn check_declared_topics(
    project: &Project,
    schemas: Schemas<'_>,
    effects: &[Effect],
    diagnostics: &mut Vec<(Problem, Span)>,
) {
    for effect in effects {
        let Effect::Declared(created) = effect else { continue };
        let Some(topic) = project.topic(&created.topic.value) else { continue };
        let Some(columns) = &created.columns else { continue };
        let Some(value) = &topic.value else { continue };
        let Some(SqlType::Struct(fields)) = serde_type(schemas, value) else { continue };
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
            diagnostics.push((
                Problem::TopicMismatch { topic: topic.name.value.clone(), reason, declared: span },
                created.name.span,
            ));
        }
    }
}

/// The venice format of a ksqlDB format, for an edge; `KAFKA` needs the single key or value
/// column's type.
pub(crate) fn edge_format(format: &Spanned<String>, single: Option<&SqlType>) -> Option<Spanned<Format>> {
    let kafka_type = single.map(|t| t.to_string());
    Format::from_ksql(&format.value, kafka_type.as_deref()).map(|f| Spanned::new(f, format.span))
}

/// Whether a created source's key is that of a KAFKA-format single column (for edges).
pub(crate) fn single<T>(items: &[T]) -> Option<&T> {
    match items {
        [one] => Some(one),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order as first written: each time, the earliest transform whose creators are placed.
    fn by_scanning(names: &[Names]) -> Vec<usize> {
        let mut creator: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, (creates, _)) in names.iter().enumerate() {
            for name in creates {
                creator.entry(name.as_str()).or_insert(i);
            }
        }
        let mut order = Vec::new();
        let mut done = vec![false; names.len()];
        while order.len() < names.len() {
            let ready = (0..names.len()).find(|&i| {
                !done[i] && names[i].1.iter().all(|n| creator.get(n.as_str()).is_none_or(|&j| done[j] || j == i))
            });
            let next = ready.or_else(|| (0..names.len()).find(|&i| !done[i])).unwrap_or(0);
            done[next] = true;
            order.push(next);
        }
        order
    }

    #[test]
    fn transforms_run_after_what_creates_what_they_read_cycles_in_project_order() {
        let set = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<BTreeSet<String>>();
        // 0 reads what 2 creates; 3 and 4 read each other (a cycle); 5 reads what nobody creates.
        let names: Vec<Names> = vec![
            (set(&["A"]), set(&["C"])),
            (set(&["B"]), set(&[])),
            (set(&["C"]), set(&["B"])),
            (set(&["D"]), set(&["E"])),
            (set(&["E"]), set(&["D"])),
            (set(&["F"]), set(&["X", "A"])),
        ];
        assert_eq!(deployment_order(&names), [1, 2, 0, 5, 3, 4]);
        assert_eq!(deployment_order(&names), by_scanning(&names));
        // Pseudo-random graphs agree with the first way of ordering.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        for _ in 0..200 {
            let count = 1 + next(12) as usize;
            let names: Vec<Names> = (0..count)
                .map(|_| {
                    let creates = (0..next(3)).map(|_| format!("S{}", next(10))).collect();
                    let uses = (0..next(4)).map(|_| format!("S{}", next(10))).collect();
                    (creates, uses)
                })
                .collect();
            assert_eq!(deployment_order(&names), by_scanning(&names), "{names:?}");
        }
    }
}
