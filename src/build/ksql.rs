//! `ksql/NN-<name>.sql`: the ksqlDB statements in dependency order, one numbered file per
//! `stream`/`table` node and per transform.
//!
//! A node becomes the `CREATE STREAM|TABLE` venice writes for it, preceded by `ASSERT TOPIC` (the
//! topic exists, with its declared partitions) and `ASSERT SCHEMA` for each registry subject it
//! reads, so that running the files on a fresh stack waits for what they need instead of failing.
//! A transform's SQL is copied as written. A file comes after every file that creates a stream or
//! table it reads; otherwise files keep the order of venice.kdl (nodes first).
//!
//! Key columns: a `key-column` of a topic whose key is a KAFKA format gets that format's SQL
//! type; of an Avro key, the type of the key schema (`schema=`, or the key record a Debezium
//! source derives from its `ddl=`), unwrapped as ksqlDB reads a single key column. Value columns
//! of registry formats are left to ksqlDB's schema inference from the registry. When a type is
//! not known, the columns are left to inference and a comment says so.

use super::names::{ksql_ident, ksql_string};
use crate::analysis::Analysis;
use crate::avro::mapping::{ConnectKind, ConnectSchema};
use crate::ksql::from_avro::ksql_type;
use crate::model::{Format, KsqlSource, KsqlSourceKind, Project, Serde, Side, Transform};
use std::collections::{BTreeMap, BTreeSet};

/// How long a generated ASSERT waits for its topic or subject.
const ASSERT_TIMEOUT: &str = "TIMEOUT 60 SECONDS";

/// One file of `ksql/`.
#[derive(Debug, Clone)]
pub(crate) struct KsqlFile {
    pub(crate) path: String,
    pub(crate) text: String,
    /// `stream orders`, `transform platinum-orders`.
    pub(crate) from: String,
    /// The ksqlDB names it creates and reads.
    pub(crate) creates: BTreeSet<String>,
    pub(crate) reads: BTreeSet<String>,
}

/// A ksqlDB name as ksqlDB knows it: unquoted names upper-cased, quoted ones as written.
fn ksql_name(name: &str) -> String {
    let ident = ksql_ident(name);
    if ident.starts_with('`') { name.to_string() } else { name.to_uppercase() }
}

/// The ksqlDB `KEY_FORMAT`/`VALUE_FORMAT` of a serde format, with the SQL type of a KAFKA one.
pub(crate) fn ksql_format(format: Format) -> Option<(&'static str, Option<&'static str>)> {
    Some(match format {
        Format::String => ("KAFKA", Some("STRING")),
        Format::Int => ("KAFKA", Some("INTEGER")),
        Format::Long => ("KAFKA", Some("BIGINT")),
        Format::Double => ("KAFKA", Some("DOUBLE")),
        Format::Bytes => ("KAFKA", Some("BYTES")),
        Format::None => ("NONE", None),
        Format::Json => ("JSON", None),
        Format::JsonSr => ("JSON_SR", None),
        Format::Avro => ("AVRO", None),
        Format::Protobuf => ("PROTOBUF", None),
        Format::Delimited => ("DELIMITED", None),
        Format::ConnectJson | Format::AvroRaw => return None,
    })
}

/// The serde of one side of a topic: its declaration, else its first writer's.
fn topic_serde<'p>(project: &'p Project, analysis: &'p Analysis, topic: &str, side: Side) -> Option<&'p Serde> {
    let declared = project.topic(topic).and_then(|t| match side {
        Side::Key => t.key.as_ref(),
        Side::Value => t.value.as_ref(),
    });
    declared.or_else(|| analysis.edges.get(topic)?.writers.iter().find_map(|w| w.serde(side)))
}

/// The ksqlDB type of a Connect schema, for a Debezium key; `None` for what has no exact type here.
fn connect_to_ksql(schema: &ConnectSchema) -> Option<String> {
    let logical = schema.name.as_deref();
    Some(match &schema.kind {
        ConnectKind::Int8 | ConnectKind::Int16 => "INTEGER".into(),
        ConnectKind::Int32 => match logical {
            Some("org.apache.kafka.connect.data.Date") => "DATE".into(),
            Some("org.apache.kafka.connect.data.Time") => "TIME".into(),
            _ => "INTEGER".into(),
        },
        ConnectKind::Int64 => match logical {
            Some("org.apache.kafka.connect.data.Timestamp") => "TIMESTAMP".into(),
            _ => "BIGINT".into(),
        },
        ConnectKind::Float32 | ConnectKind::Float64 => "DOUBLE".into(),
        ConnectKind::Boolean => "BOOLEAN".into(),
        ConnectKind::String => "STRING".into(),
        // A decimal's precision is not in the Connect schema.
        ConnectKind::Bytes if logical == Some("org.apache.kafka.connect.data.Decimal") => return None,
        ConnectKind::Bytes => "BYTES".into(),
        ConnectKind::Array(item) => format!("ARRAY<{}>", connect_to_ksql(item)?),
        ConnectKind::Map(k, v) => format!("MAP<{}, {}>", connect_to_ksql(k)?, connect_to_ksql(v)?),
        ConnectKind::Struct(fields) => {
            let fields: Option<Vec<String>> = fields
                .iter()
                .map(|(name, ty)| Some(format!("{} {}", ksql_ident(&name.to_uppercase()), connect_to_ksql(ty)?)))
                .collect();
            format!("STRUCT<{}>", fields?.join(", "))
        }
        ConnectKind::Cycle(_) => return None,
    })
}

/// The key record a Debezium source with `ddl=` writes to `topic`, as a ksqlDB type.
fn derived_key_type(project: &Project, analysis: &Analysis, topic: &str) -> Option<String> {
    let (_, table) = crate::analysis::sink_table::debezium_writer(project, topic)?;
    connect_to_ksql(crate::analysis::sink_table::derived(analysis, table)?.key.as_ref()?)
}

/// The key column's SQL type, when venice knows it.
fn key_type(project: &Project, analysis: &Analysis, topic: &str, serde: Option<&Serde>) -> Option<String> {
    let serde = serde?;
    if let Some((_, Some(kafka))) = ksql_format(serde.format.value) {
        return Some(kafka.to_string());
    }
    if serde.format.value != Format::Avro {
        return None;
    }
    match &serde.schema {
        Some(name) => {
            let root = analysis.avro.schema(&name.value)?;
            let mapping = ksql_type(&analysis.avro, root).ok()?;
            Some(mapping.sql.written().to_string())
        }
        None => derived_key_type(project, analysis, topic),
    }
}

/// The registry subjects a node's formats read, after the topic's physical name.
fn subjects(project: &Project, analysis: &Analysis, topic: &str) -> Vec<String> {
    [Side::Key, Side::Value]
        .into_iter()
        .filter(|&side| {
            topic_serde(project, analysis, topic, side)
                .is_some_and(|s| matches!(s.format.value, Format::Avro | Format::JsonSr | Format::Protobuf))
        })
        .map(|side| format!("{}-{}", project.physical_topic(topic), side.as_str()))
        .collect()
}

/// The statements of a `stream`/`table` node.
pub(crate) fn node_ddl(project: &Project, analysis: &Analysis, node: &KsqlSource) -> String {
    let topic = &node.topic.value;
    let kind = match node.kind {
        KsqlSourceKind::Stream => "STREAM",
        KsqlSourceKind::Table => "TABLE",
    };
    let mut out = format!(
        "-- Generated by `venice build` from `{} {}` in venice.kdl: a {} over the topic `{topic}`.\n",
        node.kind.as_str(),
        node.name.value,
        node.kind.as_str()
    );
    if let Some(doc) = &node.doc {
        for line in doc.lines() {
            out.push_str(&format!("-- {line}\n"));
        }
    }
    // On the cluster, the topic has its physical name.
    let physical = ksql_string(&project.physical_topic(topic));
    let partitions = project.topic(topic).map(Project::partitions);
    match partitions {
        Some(p) => out.push_str(&format!("ASSERT TOPIC {physical} WITH (PARTITIONS={p}) {ASSERT_TIMEOUT};\n")),
        None => out.push_str(&format!("ASSERT TOPIC {physical} {ASSERT_TIMEOUT};\n")),
    }
    for subject in subjects(project, analysis, topic) {
        out.push_str(&format!("ASSERT SCHEMA SUBJECT {} {ASSERT_TIMEOUT};\n", ksql_string(&subject)));
    }
    let key = topic_serde(project, analysis, topic, Side::Key);
    let value = topic_serde(project, analysis, topic, Side::Value);
    let mut columns = Vec::new();
    if let Some(column) = &node.key_column {
        match key_type(project, analysis, topic, key) {
            Some(ty) => {
                let constraint = if node.kind == KsqlSourceKind::Table { "PRIMARY KEY" } else { "KEY" };
                columns.push(format!("{} {ty} {constraint}", ksql_ident(&column.value)));
            }
            None => out.push_str(&format!(
                "-- The type of the key column `{}` is not known to venice: ksqlDB infers the key from the registry.\n",
                column.value
            )),
        }
    }
    let registry_value =
        value.is_some_and(|v| matches!(v.format.value, Format::Avro | Format::JsonSr | Format::Protobuf));
    if !registry_value {
        out.push_str(
            "-- The value is not in a registry format: declare its columns in a transform if ksqlDB needs them.\n",
        );
    }
    let mut properties = vec![format!("KAFKA_TOPIC = {physical}")];
    if let Some((format, _)) = key.and_then(|k| ksql_format(k.format.value)) {
        properties.push(format!("KEY_FORMAT = {}", ksql_string(format)));
    }
    if let Some((format, _)) = value.and_then(|v| ksql_format(v.format.value)) {
        properties.push(format!("VALUE_FORMAT = {}", ksql_string(format)));
    }
    let columns = if columns.is_empty() { String::new() } else { format!(" ({})", columns.join(", ")) };
    out.push_str(&format!(
        "CREATE {kind} IF NOT EXISTS {}{columns} WITH (\n    {}\n);\n",
        ksql_ident(&node.name.value),
        properties.join(",\n    ")
    ));
    out
}

/// What a transform's statements create and read (ksqlDB names): from the analysis, which
/// parsed them (`index` is the transform's place in the project), else parsed here.
fn transform_names(
    project: &Project,
    analysis: &Analysis,
    index: usize,
    transform: &Transform,
) -> (BTreeSet<String>, BTreeSet<String>) {
    if analysis.ksql.effects.len() == project.transforms.len()
        && let Some(names) = analysis.ksql.transform_names(index)
    {
        return names.clone();
    }
    let Some(sql) = &transform.sql else { return Default::default() };
    let (statements, _) = crate::ksql::parser::parse(sql);
    crate::ksql::project::names_of(statements.iter())
}

/// The files, in dependency order, numbered from 01.
pub(crate) fn render(project: &Project, analysis: &Analysis) -> Vec<KsqlFile> {
    let mut items: Vec<KsqlFile> = Vec::new();
    for node in &project.ksql_sources {
        items.push(KsqlFile {
            path: format!("{}-{}", node.kind.as_str(), node.name.value),
            text: node_ddl(project, analysis, node),
            from: format!("{} {}", node.kind.as_str(), node.name.value),
            creates: BTreeSet::from([ksql_name(&node.name.value)]),
            reads: BTreeSet::new(),
        });
    }
    for (index, transform) in project.transforms.iter().enumerate() {
        let (creates, reads) = transform_names(project, analysis, index, transform);
        let mut text = format!("-- From `transform {}` in venice.kdl, as written.\n", transform.name.value);
        let sql = transform.sql.as_ref().map_or("", |s| s.text.as_str());
        text.push_str(sql);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        items.push(KsqlFile {
            path: format!("transform-{}", transform.name.value),
            text,
            from: format!("transform {}", transform.name.value),
            creates,
            reads,
        });
    }
    let order = dependency_order(&items);
    let width = items.len().to_string().len().max(2);
    order
        .into_iter()
        .enumerate()
        .map(|(n, i)| {
            let mut item = items[i].clone();
            item.path = format!("ksql/{:0width$}-{}.sql", n + 1, super::names::file_name(&item.path));
            item
        })
        .collect()
}

/// Kahn's algorithm, taking the earliest ready item each time; items in a cycle (V501) keep
/// their order at the end.
fn dependency_order(items: &[KsqlFile]) -> Vec<usize> {
    let mut creator: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        for name in &item.creates {
            creator.entry(name.as_str()).or_insert(i);
        }
    }
    let needs: Vec<BTreeSet<usize>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.reads.iter().filter_map(|r| creator.get(r.as_str()).copied()).filter(|&c| c != i).collect()
        })
        .collect();
    crate::ksql::project::earliest_ready_order(&needs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, creates: &[&str], reads: &[&str]) -> KsqlFile {
        KsqlFile {
            path: name.into(),
            text: String::new(),
            from: name.into(),
            creates: creates.iter().map(|s| s.to_string()).collect(),
            reads: reads.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn files_come_after_what_they_read_and_otherwise_keep_their_order() {
        let items = vec![
            file("b", &["B"], &["A"]),
            file("a", &["A"], &[]),
            file("c", &["C"], &[]),
            file("d", &["D"], &["B", "C"]),
        ];
        assert_eq!(dependency_order(&items), [1, 0, 2, 3]);
        let cycle = vec![file("x", &["X"], &["Y"]), file("y", &["Y"], &["X"])];
        assert_eq!(dependency_order(&cycle), [0, 1]);
    }

    fn ddl_of(kdl: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        checked.project.ksql_sources.iter().map(|node| node_ddl(&checked.project, &checked.analysis, node)).collect()
    }

    #[test]
    fn a_table_gets_a_primary_key_of_its_topics_key_type_and_its_value_format() {
        let ddl = ddl_of(
            r#"project p
topic "user-counts" partitions=2 {
    key long
    value json
    cleanup compact
}
producer app topic="user-counts"
table "user-counts" topic="user-counts" key-column=ID
"#,
        );
        assert_eq!(
            ddl[0],
            "-- Generated by `venice build` from `table user-counts` in venice.kdl: a table over the topic `user-counts`.\n\
             ASSERT TOPIC 'user-counts' WITH (PARTITIONS=2) TIMEOUT 60 SECONDS;\n\
             -- The value is not in a registry format: declare its columns in a transform if ksqlDB needs them.\n\
             CREATE TABLE IF NOT EXISTS `user-counts` (ID BIGINT PRIMARY KEY) WITH (\n    \
             KAFKA_TOPIC = 'user-counts',\n    KEY_FORMAT = 'KAFKA',\n    VALUE_FORMAT = 'JSON'\n);\n"
        );
    }

    #[test]
    fn an_avro_key_with_a_schema_is_one_key_column_of_its_type() {
        let ddl = ddl_of(
            r##"project p
schema Key avro=#"{"type": "record", "name": "Key", "fields": [{"name": "id", "type": "int"}, {"name": "region", "type": "string"}]}"#
topic t {
    key avro schema=Key
    value avro schema=Key
}
producer app topic=t
stream s topic=t key-column=K
"##,
        );
        assert!(
            ddl[0].contains("CREATE STREAM IF NOT EXISTS s (K STRUCT<ID INTEGER, REGION STRING> KEY)"),
            "{}",
            ddl[0]
        );
        assert!(ddl[0].contains("ASSERT SCHEMA SUBJECT 't-key'") && ddl[0].contains("ASSERT SCHEMA SUBJECT 't-value'"));
    }

    #[test]
    fn debezium_keys_map_to_ksqldb_types() {
        let int = ConnectSchema { kind: ConnectKind::Int32, name: None, optional: false, scale: None };
        let key = ConnectSchema {
            kind: ConnectKind::Struct(vec![("id".into(), int)]),
            name: Some("k".into()),
            optional: false,
            scale: None,
        };
        assert_eq!(connect_to_ksql(&key).as_deref(), Some("STRUCT<ID INTEGER>"));
    }
}
