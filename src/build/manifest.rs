//! `manifest.json`: the resolved project, for `venice apply` and other tools.
//!
//! Version 1 (the `version` field; a reader refuses a version it does not know). Every object of
//! the project with its serdes, schemas and dependencies: the stack, the databases (credentials
//! as variable names, never values), the schemas with their Avro fingerprints, every topic
//! (declared, or written by a ksqlDB query) with its writers and readers, the registry subjects,
//! the apps, the connectors, the ksqlDB sources, transforms and files in the order to run them,
//! and the list of files of the build. The build README documents each field.

use super::Rendered;
use super::ksql::KsqlFile;
use super::registry::Subject;
use crate::analysis::Analysis;
use crate::model::{
    Actor, Credential, Direction, KafkaMode, Project, SchemaKind, SchemaSource, Serde, Side, TopicEdges,
};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::path::Path;

/// A JSON object built from owned values, without `json!`'s re-serialization of every nested
/// value (which copies a large manifest once per level).
macro_rules! object {
    ({ $($key:literal : $value:expr),* $(,)? }) => {{
        let mut map = Map::new();
        $( map.insert($key.to_string(), IntoValue::into_value($value)); )*
        Value::Object(map)
    }};
}

trait IntoValue {
    fn into_value(self) -> Value;
}

impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl IntoValue for &String {
    fn into_value(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoValue for std::borrow::Cow<'_, str> {
    fn into_value(self) -> Value {
        Value::String(self.into_owned())
    }
}

impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::String(self.to_string())
    }
}

impl IntoValue for u32 {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl IntoValue for u16 {
    fn into_value(self) -> Value {
        Value::from(self)
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl IntoValue for Map<String, Value> {
    fn into_value(self) -> Value {
        Value::Object(self)
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::Null, IntoValue::into_value)
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl IntoValue for &BTreeSet<String> {
    fn into_value(self) -> Value {
        Value::Array(self.iter().map(|s| Value::String(s.clone())).collect())
    }
}

impl IntoValue for &[String] {
    fn into_value(self) -> Value {
        Value::Array(self.iter().map(|s| Value::String(s.clone())).collect())
    }
}

/// The manifest's format version.
pub(crate) const MANIFEST_VERSION: u32 = 1;

fn serde(serde: Option<&Serde>) -> Value {
    match serde {
        None => Value::Null,
        Some(s) => object!({
            "format": s.format.value.as_str(),
            "schema": s.schema.as_ref().map(|n| n.value.clone()),
        }),
    }
}

/// A credential as the manifest records it: an inline user name, a variable's name, or a file's
/// path relative to the project.
fn credential(credential: Option<&Credential>, dir: &Path) -> Value {
    match credential {
        None => Value::Null,
        Some(Credential::Literal(v)) => object!({ "value": &v.value }),
        Some(Credential::Env(v)) => object!({ "env": &v.value }),
        Some(Credential::File(p)) => object!({ "file": relative(&p.value, dir) }),
    }
}

/// A path relative to the project folder, with forward slashes.
pub(crate) fn relative(path: &Path, dir: &Path) -> String {
    let shown = path.strip_prefix(dir).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

fn actor(actor: &Actor) -> (&'static str, &str) {
    match actor {
        Actor::Producer(n) => ("producer", n),
        Actor::Consumer(n) => ("consumer", n),
        Actor::Source(n) => ("source", n),
        Actor::Sink(n) => ("sink", n),
        Actor::Ksql { kind, name } => (kind.as_str(), name),
        Actor::Transform(n) => ("transform", n),
    }
}

fn edges(edges: &[crate::model::Edge]) -> Vec<Value> {
    edges
        .iter()
        .map(|e| {
            let (kind, name) = actor(&e.actor);
            object!({
                "kind": kind,
                "name": name,
                "key": serde(e.key.as_ref()),
                "value": serde(e.value.as_ref()),
                "windowed": e.windowed,
            })
        })
        .collect()
}

pub(crate) fn render(
    project: &Project,
    analysis: &Analysis,
    dir: &Path,
    rendered: &Rendered,
    subjects: &[Subject],
    ksql: &[KsqlFile],
    platform: super::Platform,
) -> Value {
    object!({
        "version": MANIFEST_VERSION,
        "generator": "venice build",
        "platform": platform.as_str(),
        "project": object!({
            "name": project.name.as_ref().map(|n| n.value.clone()),
            "doc": project.doc.clone(),
        }),
        "stack": stack(project, rendered),
        "databases": databases(project, dir),
        "schemas": schemas(project, analysis, dir, subjects),
        "topics": topics(project, analysis, subjects),
        "subjects": registry_subjects(project, subjects),
        "producers": producers(project),
        "consumers": consumers(project),
        "connectors": connectors(project, rendered),
        "ksql": ksqldb(project, ksql),
        "outputs": &rendered.files.keys().cloned().chain(std::iter::once(super::MANIFEST.to_string())).collect::<BTreeSet<_>>(),
    })
}

/// The stack's services and their settings; `null` without a `stack` block.
fn stack(project: &Project, rendered: &Rendered) -> Option<Value> {
    project.stack.as_ref().map(|s| {
        object!({
            "confluent_platform": super::compose::cp_version(),
            "kafka": object!({
                "mode": match s.kafka.as_ref().map_or(KafkaMode::Kraft, |k| k.mode.value) {
                    KafkaMode::Kraft => "kraft",
                    KafkaMode::Zookeeper => "zookeeper",
                },
                "brokers": super::compose::broker_count(s),
                "bootstrap": super::compose::bootstrap(super::compose::broker_count(s)),
            }),
            "schema_registry": s.schema_registry.is_some(),
            "ksqldb": s.ksqldb.as_ref().map(|_| object!({ "version": project.ksqldb_version() })),
            "connect": s.connect.as_ref().map(|c| object!({
                "plugins": c.plugins.iter().map(|p| p.value.clone()).collect::<Vec<_>>(),
            })),
            "postgres": s.postgres.is_some(),
            "ui": s.ui.as_ref().map(|u| u.value.clone()),
            "services": rendered.services.as_slice(),
        })
    })
}

fn databases(project: &Project, dir: &Path) -> Vec<Value> {
    project
        .databases
        .iter()
        .map(|d| {
            object!({
                "name": &d.name.value,
                "kind": "postgres",
                "host": d.host.as_ref().map_or("postgres", |h| h.value.as_str()),
                "port": d.port.as_ref().map_or(5432, |p| p.value),
                "database": d.db_name.as_ref().map_or(&d.name.value, |n| &n.value),
                "user": credential(d.user.as_ref(), dir),
                "password": credential(d.password.as_ref(), dir),
            })
        })
        .collect()
}

fn schemas(project: &Project, analysis: &Analysis, dir: &Path, subjects: &[Subject]) -> Vec<Value> {
    let derived = super::derived_schemas(project);
    let known: std::collections::BTreeMap<&str, &str> =
        subjects.iter().filter_map(|s| Some((s.schema.as_deref()?, s.fingerprint.as_deref()?))).collect();
    project
        .schemas
        .iter()
        .map(|s| {
            let kind = match s.kind {
                SchemaKind::Avro => "avro",
                SchemaKind::JsonSchema => "json-schema",
                SchemaKind::Protobuf => "protobuf",
            };
            let file = match &s.source {
                SchemaSource::File { path, .. } => Some(relative(&path.value, dir)),
                SchemaSource::Inline(_) => None,
            };
            // The registry subjects computed most of them already.
            let fingerprint = known.get(s.name.value.as_str()).map(|f| f.to_string()).or_else(|| {
                analysis
                    .avro
                    .schema(&s.name.value)
                    .filter(|_| s.kind == SchemaKind::Avro)
                    .map(|root| crate::avro::Fingerprint::of(&analysis.avro, root).to_string())
            });
            let derived = derived.contains(s.name.value.as_str());
            object!({ "name": &s.name.value, "kind": kind, "file": file, "derived": derived, "fingerprint": fingerprint })
        })
        .collect()
}

/// Every topic, declared or written by a ksqlDB query, with its registry subjects, writers and
/// readers.
fn topics(project: &Project, analysis: &Analysis, subjects: &[Subject]) -> Vec<Value> {
    let mut subjects_of: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for s in subjects {
        let Some(topic) = &s.topic else { continue };
        subjects_of.entry(topic.as_str()).or_default().push(s.name.as_str());
    }
    analysis
        .edges
        .iter()
        .map(|(name, e): (&String, &TopicEdges)| {
            let declared = project.topic(name);
            let subjects = subjects_of.get(name.as_str()).cloned().unwrap_or_default();
            object!({
                "name": project.physical_topic(name),
                "declared": e.declared,
                "partitions": declared.map(Project::partitions),
                "replication_factor": declared.map(|t| super::topics::replication(project, t)),
                "key": serde(declared.and_then(|t| t.key.as_ref())),
                "value": serde(declared.and_then(|t| t.value.as_ref())),
                "configs": declared.map(super::topics::configs),
                "subjects": subjects,
                "writers": edges(&e.writers),
                "readers": edges(&e.readers),
            })
        })
        .collect()
}

/// The registry subjects, with the paths of their config and registered versions.
fn registry_subjects(project: &Project, subjects: &[Subject]) -> Vec<Value> {
    subjects
        .iter()
        .map(|s| {
            let dir = s.dir();
            object!({
                "name": &s.name,
                "topic": s.topic.as_deref().map(|t| project.physical_topic(t).into_owned()),
                "side": s.topic.as_ref().map(|_| match s.side { Side::Key => "key", Side::Value => "value" }),
                "format": s.format.as_str(),
                "schema": s.schema.clone(),
                "fingerprint": s.fingerprint.clone(),
                "compatibility": s.compatibility.registry_name(),
                "config": format!("{dir}/config.json"),
                "versions": s.registered.then(|| format!("{dir}/versions.json")),
            })
        })
        .collect()
}

fn producers(project: &Project) -> Vec<Value> {
    project
        .producers
        .iter()
        .map(|p| object!({ "name": &p.name.value, "topic": project.physical_topic(&p.topic.value), "key": serde(p.key.as_ref()), "value": serde(p.value.as_ref()) }))
        .collect()
}

fn consumers(project: &Project) -> Vec<Value> {
    project
        .consumers
        .iter()
        .map(|c| {
            object!({
                "name": &c.name.value,
                "topic": project.physical_topic(&c.topic.value),
                "group": c.group.as_ref().map(|g| project.physical_group(&g.value).into_owned()),
                "key": serde(c.key.as_ref()),
                "value": serde(c.value.as_ref()),
            })
        })
        .collect()
}

/// The connectors, with the paths of their config and, for a sink that has one, its table's SQL.
fn connectors(project: &Project, rendered: &Rendered) -> Vec<Value> {
    project
        .connectors
        .iter()
        .map(|c| {
            let (connector, class) = match &c.kind {
                Some(crate::model::ConnectorKind::Catalog(k)) => (Some(k.value.clone()), None),
                Some(crate::model::ConnectorKind::Class(k)) => (None, Some(k.value.clone())),
                None => (None, None),
            };
            let file = super::names::file_name(&c.name.value);
            let table_sql = format!("sql/{file}.sql");
            object!({
                "name": &c.name.value,
                "direction": match c.direction { Direction::Source => "source", Direction::Sink => "sink" },
                "connector": connector,
                "class": class,
                "topics": c.topics().map(|t| project.physical_topic(&t.value).into_owned()).collect::<Vec<_>>(),
                "database": c.database.as_ref().map(|d| d.value.clone()),
                "key": serde(c.key.as_ref()),
                "value": serde(c.value.as_ref()),
                "config": format!("connect/{file}.json"),
                "table_sql": rendered.files.contains_key(&table_sql).then_some(table_sql),
            })
        })
        .collect()
}

/// The ksqlDB version, sources, transforms and the files in the order to run them.
fn ksqldb(project: &Project, files: &[KsqlFile]) -> Value {
    let sources: Vec<Value> = project
        .ksql_sources
        .iter()
        .map(|s| {
            object!({
                "kind": s.kind.as_str(),
                "name": &s.name.value,
                "topic": project.physical_topic(&s.topic.value),
                "key_column": s.key_column.as_ref().map(|k| k.value.clone()),
            })
        })
        .collect();
    let files: Vec<Value> = files
        .iter()
        .map(|f| object!({ "path": &f.path, "from": &f.from, "creates": &f.creates, "reads": &f.reads }))
        .collect();
    object!({
        "version": project.ksqldb_version(),
        "sources": sources,
        "transforms": project.transforms.iter().map(|t| t.name.value.clone()).collect::<Vec<_>>(),
        "files": files,
    })
}
