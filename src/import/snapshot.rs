//! What the target holds, read once through the deploy clients and the `doctor` sampler: the
//! input of the pure mapping in `super::map`.

use crate::deploy::Target;
use crate::deploy::connect::{self, Connect};
use crate::deploy::kafka::{ConfigEntry, Group};
use crate::deploy::ksqldb::Ksqldb;
use crate::deploy::registry::{Registry, Version};
use crate::model::Format;
use crate::ops::decode::Decoder;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A topic: its layout, its configs as `DescribeConfigs` reports them, and what its sampled
/// records look like, one entry per record with that side (a null side is left out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Topic {
    pub(crate) partitions: u32,
    pub(crate) replication: u32,
    pub(crate) configs: BTreeMap<String, ConfigEntry>,
    /// The format each sampled key looks like (`None`: cannot be told, e.g. registry framing
    /// with an id the registry does not have).
    pub(crate) keys: Vec<Option<Format>>,
    pub(crate) values: Vec<Option<Format>>,
}

/// A subject's latest version and its effective compatibility level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Subject {
    pub(crate) latest: Version,
    pub(crate) compatibility: String,
}

/// A ksqlDB stream or table: the statement ksqlDB keeps for it, and the streams and tables its
/// query reads (empty for one declared over a topic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KsqlSource {
    pub(crate) name: String,
    pub(crate) topic: String,
    pub(crate) statement: String,
    pub(crate) reads: BTreeSet<String>,
}

/// A persistent query that is not a source's own (`INSERT INTO`): its text and the source it
/// writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KsqlInsert {
    pub(crate) id: String,
    pub(crate) statement: String,
    pub(crate) sink: String,
}

/// Everything read from the target; a service the target does not name stays empty and is
/// listed in `not_read`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    pub(crate) topics: BTreeMap<String, Topic>,
    pub(crate) subjects: BTreeMap<String, Subject>,
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) connectors: BTreeMap<String, connect::Deployed>,
    pub(crate) ksql: Vec<KsqlSource>,
    pub(crate) inserts: Vec<KsqlInsert>,
    pub(crate) not_read: Vec<String>,
}

/// Reads the target. Topics that `keep` refuses are not sampled (their records are not read).
pub(crate) fn read(target: &Target, keep: &dyn Fn(&str) -> bool) -> Result<Snapshot, String> {
    let mut snapshot = Snapshot::default();
    let registry = || target.registry.as_ref().map(|u| Registry::new(u.service("the schema registry", TIMEOUT)));
    if target.kafka.is_empty() {
        snapshot.not_read.push("Kafka (the target names no `kafka`)".into());
    } else {
        read_kafka(target, registry(), keep, &mut snapshot)?;
    }
    match &registry() {
        Some(registry) => snapshot.subjects = read_subjects(registry)?,
        None => snapshot.not_read.push("subjects (the target names no `schema-registry`)".into()),
    }
    match &target.connect {
        Some(u) => {
            let connect = Connect::new(u.service("Kafka Connect", TIMEOUT));
            snapshot.connectors = connect.connectors().map_err(|e| e.to_string())?;
        }
        None => snapshot.not_read.push("connectors (the target names no `connect`)".into()),
    }
    match &target.ksqldb {
        Some(u) => {
            let mut ksqldb = Ksqldb::new(u.service("ksqlDB", TIMEOUT));
            (snapshot.ksql, snapshot.inserts) = read_ksql(&mut ksqldb).map_err(|e| e.to_string())?;
        }
        None => snapshot.not_read.push("ksqlDB (the target names no `ksqldb`)".into()),
    }
    Ok(snapshot)
}

fn read_kafka(
    target: &Target,
    registry: Option<Registry>,
    keep: &dyn Fn(&str) -> bool,
    snapshot: &mut Snapshot,
) -> Result<(), String> {
    let mut admin = target.admin(TIMEOUT);
    let cluster = admin.metadata(None).map_err(|e| e.to_string())?;
    let names: Vec<String> = cluster.topics.keys().cloned().collect();
    let mut configs = admin.configs(&names).map_err(|e| e.to_string())?;
    snapshot.groups = admin.groups().map_err(|e| e.to_string())?;
    let mut consumer = target.consumer(TIMEOUT);
    consumer.refresh(None).map_err(|e| e.to_string())?;
    let mut decoder = Decoder::new(registry);
    for (name, meta) in &cluster.topics {
        let mut topic = Topic {
            partitions: meta.partitions.len() as u32,
            replication: meta.partitions.first().map_or(0, |p| p.replicas.len() as u32),
            configs: configs.remove(name).unwrap_or_default(),
            ..Topic::default()
        };
        if keep(name) && !meta.internal {
            let partitions: Vec<i32> = meta.partitions.iter().map(|p| p.index).collect();
            for (_, record) in crate::ops::doctor::sample(&mut consumer, name, &partitions)? {
                if let Some(key) = record.key.as_deref() {
                    topic.keys.push(decoder.looks(key, None).format());
                }
                if let Some(value) = record.value.as_deref() {
                    topic.values.push(decoder.looks(value, None).format());
                }
            }
        }
        snapshot.topics.insert(name.clone(), topic);
    }
    Ok(())
}

fn read_subjects(registry: &Registry) -> Result<BTreeMap<String, Subject>, String> {
    let mut out = BTreeMap::new();
    for name in registry.subjects().map_err(|e| e.to_string())? {
        let Some(latest) = registry.latest(&name).map_err(|e| e.to_string())? else { continue };
        let compatibility = registry.compatibility(&name).map_err(|e| e.to_string())?;
        out.insert(name, Subject { latest, compatibility });
    }
    Ok(out)
}

/// ksqlDB's word for a name in a statement: quoted, so any spelling reads back as itself.
fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Streams and tables (`SHOW STREAMS; SHOW TABLES;`, then `DESCRIBE <name> EXTENDED` for the
/// statement and the queries that read each), and the `INSERT INTO` queries (`SHOW QUERIES`).
fn read_ksql(ksqldb: &mut Ksqldb) -> Result<(Vec<KsqlSource>, Vec<KsqlInsert>), crate::deploy::ksqldb::Error> {
    let mut sources = Vec::new();
    // Which sources each query writes, to turn "queries that read X" into "sources that read X".
    let mut readers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in ksqldb.sources()? {
        let described = ksqldb.run(&format!("DESCRIBE {} EXTENDED;", quoted(&name)))?;
        let Some(description) = described.iter().map(|e| &e["sourceDescription"]).find(|d| d.is_object()) else {
            continue;
        };
        for query in description["readQueries"].as_array().into_iter().flatten() {
            for sink in strings(&query["sinks"]) {
                readers.entry(sink).or_default().insert(name.clone());
            }
        }
        sources.push(KsqlSource {
            name: name.clone(),
            topic: description["topic"].as_str().unwrap_or_default().to_string(),
            statement: description["statement"].as_str().unwrap_or_default().to_string(),
            reads: BTreeSet::new(),
        });
    }
    for source in &mut sources {
        source.reads = readers.remove(&source.name).unwrap_or_default();
    }
    let mut inserts = Vec::new();
    for entity in ksqldb.run("SHOW QUERIES;")? {
        for query in entity["queries"].as_array().into_iter().flatten() {
            let statement = query["queryString"].as_str().unwrap_or_default();
            if !crate::deploy::desired::starts_with_words(statement, &["INSERT", "INTO"]) {
                continue;
            }
            inserts.push(KsqlInsert {
                id: query["id"].as_str().unwrap_or_default().to_string(),
                statement: statement.to_string(),
                sink: strings(&query["sinks"]).into_iter().next().unwrap_or_default(),
            });
        }
    }
    Ok((sources, inserts))
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
}
