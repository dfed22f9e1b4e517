//! What a checked project wants deployed on a target, rendered by the same functions as
//! `venice build` (topics, registry payloads, ksqlDB files) and, for connectors,
//! `crate::connect::connector_config_for` with the target's [`crate::connect::Deployment`].

use crate::check::Checked;
use crate::model::{Direction, Project};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub partitions: u32,
    pub replication: u32,
    pub configs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub topic: String,
    pub key: bool,
    /// The level, as the registry names it (`BACKWARD`).
    pub compatibility: String,
    /// `(schemaType, schema)` when venice registers the schema; None when a connector's
    /// converter or ksqlDB registers it (venice then sets only the level).
    pub schema: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Connector {
    pub direction: Direction,
    pub config: Map<String, Value>,
}

/// One ksqlDB file of `venice build`, in dependency order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ksql {
    /// `ksql/01-stream-orders.sql`.
    pub path: String,
    pub text: String,
    /// The streams and tables it creates, as ksqlDB names them.
    pub creates: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Desired {
    pub topics: BTreeMap<String, Topic>,
    pub subjects: BTreeMap<String, Subject>,
    pub connectors: BTreeMap<String, Connector>,
    pub ksql: Vec<Ksql>,
}

fn strings(map: &Map<String, Value>) -> BTreeMap<String, String> {
    map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect()
}

impl Desired {
    pub fn of(checked: &Checked, deployment: &crate::connect::Deployment) -> Desired {
        let project: &Project = &checked.project;
        let mut desired = Desired::default();
        for topic in &project.topics {
            desired.topics.insert(
                topic.name.value.clone(),
                Topic {
                    partitions: Project::partitions(topic),
                    replication: crate::build::topics::replication(project, topic),
                    configs: strings(&crate::build::topics::configs(topic)),
                },
            );
        }
        let (subjects, files) = crate::build::registry::render(project, &checked.sources);
        let files: BTreeMap<String, String> = files.into_iter().collect();
        for subject in subjects {
            let schema = files.get(&format!("{}/versions.json", subject.dir())).and_then(|text| {
                let json: Value = serde_json::from_str(text).ok()?;
                Some((json["schemaType"].as_str()?.to_string(), json["schema"].as_str()?.to_string()))
            });
            desired.subjects.insert(
                subject.name.clone(),
                Subject {
                    topic: subject.topic.clone(),
                    key: subject.side == crate::model::Side::Key,
                    compatibility: subject.compatibility.registry_name().to_string(),
                    schema,
                },
            );
        }
        for connector in &project.connectors {
            let config = crate::connect::connector_config_for(project, connector, deployment);
            desired
                .connectors
                .insert(connector.name.value.clone(), Connector { direction: connector.direction, config });
        }
        desired.ksql = crate::build::ksql::render(project)
            .into_iter()
            .map(|f| Ksql { path: f.path, text: f.text, creates: f.creates })
            .collect();
        desired
    }

    pub fn needs_registry(&self) -> bool {
        !self.subjects.is_empty()
    }

    pub fn needs_connect(&self) -> bool {
        !self.connectors.is_empty()
    }

    pub fn needs_ksqldb(&self) -> bool {
        !self.ksql.is_empty()
    }

    pub fn needs_kafka(&self) -> bool {
        !self.topics.is_empty()
    }
}
