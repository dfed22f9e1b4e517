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
    pub(crate) replication: u32,
    pub(crate) configs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub topic: String,
    pub(crate) key: bool,
    /// The level, as the registry names it (`BACKWARD`).
    pub(crate) compatibility: String,
    /// `(schemaType, schema)` when venice registers the schema; None when a connector's
    /// converter or ksqlDB registers it (venice then sets only the level).
    pub(crate) schema: Option<(String, String)>,
    /// The schema's `references` as `venice build` writes them (name, subject, version -1 for
    /// the latest); registered before it, they are sent with their version numbers.
    pub(crate) references: Vec<Value>,
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
    pub(crate) path: String,
    pub(crate) text: String,
    /// The streams and tables it creates, as ksqlDB names them.
    pub(crate) creates: BTreeSet<String>,
}

impl Ksql {
    /// The file's name in venice.lock: its path without the order number, which moves when
    /// statements are added before it (`ksql/02-transform-big-orders.sql` is `transform-big-orders.sql`).
    pub fn key(&self) -> &str {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        match name.split_once('-') {
            Some((number, rest)) if number.bytes().all(|b| b.is_ascii_digit()) => rest,
            _ => name,
        }
    }

    /// What venice.lock records of the text as applied: hex of its 64-bit Rabin fingerprint.
    pub fn fingerprint(&self) -> String {
        crate::lock::text_fingerprint(&self.text)
    }

    /// The file's statements (each with its `;`), leading comments left out, empty ones skipped.
    pub(crate) fn statements(&self) -> impl Iterator<Item = &str> {
        crate::ksql::split::split_statements(&self.text)
            .into_iter()
            .map(|range| without_leading_comments(&self.text[range]))
            .filter(|s| !s.trim().trim_end_matches(';').trim().is_empty())
    }

    /// Whether a statement starts another persistent query each time it runs (`INSERT INTO`):
    /// such a file cannot be run again to replace what it made.
    pub(crate) fn inserts(&self) -> bool {
        self.statements().any(|s| starts_with_words(s, &["INSERT", "INTO"]))
    }
}

/// A statement without the `--` and `/* */` comments before it.
pub(crate) fn without_leading_comments(statement: &str) -> &str {
    let mut rest = statement.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r).trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r).trim_start();
        } else {
            return rest;
        }
    }
}

/// Whether `statement` begins with `words` (case-insensitive, any whitespace between them).
pub(crate) fn starts_with_words(statement: &str, words: &[&str]) -> bool {
    let mut found = statement.split_whitespace();
    words.iter().all(|w| found.next().is_some_and(|f| f.eq_ignore_ascii_case(w)))
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Desired {
    pub topics: BTreeMap<String, Topic>,
    pub subjects: BTreeMap<String, Subject>,
    pub connectors: BTreeMap<String, Connector>,
    pub ksql: Vec<Ksql>,
    /// Every grant of the view (derived from the graph and written in `acl` nodes), by its key
    /// (`super::kafka::acls::key`).
    pub(crate) acls: BTreeMap<String, crate::analysis::access::Grant>,
    /// Each principal's client quotas, by Kafka's key (`producer_byte_rate`, ...).
    pub(crate) quotas: BTreeMap<String, BTreeMap<String, f64>>,
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
                project.physical_topic(&topic.name.value).into_owned(),
                Topic {
                    partitions: Project::partitions(topic),
                    replication: crate::build::topics::replication(project, topic),
                    configs: strings(&crate::build::topics::configs(topic)),
                },
            );
        }
        let (subjects, files) = crate::build::registry::render(project, &checked.analysis, &checked.sources);
        let files: BTreeMap<String, String> = files.into_iter().collect();
        for subject in subjects {
            let payload: Option<Value> =
                files.get(&format!("{}/versions.json", subject.dir())).and_then(|text| serde_json::from_str(text).ok());
            let schema = payload.as_ref().and_then(|json| {
                Some((json["schemaType"].as_str()?.to_string(), json["schema"].as_str()?.to_string()))
            });
            let references =
                payload.as_ref().and_then(|json| json["references"].as_array().cloned()).unwrap_or_default();
            desired.subjects.insert(
                subject.name.clone(),
                Subject {
                    topic: subject
                        .topic
                        .as_deref()
                        .map_or_else(String::new, |t| project.physical_topic(t).into_owned()),
                    key: subject.topic.is_some() && subject.side == crate::model::Side::Key,
                    compatibility: subject.compatibility.registry_name().to_string(),
                    schema,
                    references,
                },
            );
        }
        for connector in &project.connectors {
            let config = crate::connect::connector_config_for(project, connector, deployment);
            desired
                .connectors
                .insert(connector.name.value.clone(), Connector { direction: connector.direction, config });
        }
        desired.ksql = crate::build::ksql::render(project, &checked.analysis)
            .into_iter()
            .map(|f| Ksql { path: f.path, text: f.text, creates: f.creates })
            .collect();
        if project.deploys_access() {
            let grants = checked.analysis.access.grants.keys();
            desired.acls = grants.map(|g| (super::kafka::acls::key(g), g.clone())).collect();
            desired.quotas = quotas(project);
        }
        desired
    }

    /// The subjects, each after the subjects its schema references (so registering in this
    /// order finds every reference registered), otherwise by name.
    pub(crate) fn subjects_in_order(&self) -> Vec<(&String, &Subject)> {
        fn visit<'d>(
            name: &'d String,
            desired: &'d Desired,
            seen: &mut BTreeSet<&'d String>,
            out: &mut Vec<(&'d String, &'d Subject)>,
        ) {
            let Some((name, subject)) = desired.subjects.get_key_value(name) else { return };
            if !seen.insert(name) {
                return;
            }
            for reference in &subject.references {
                if let Some((referenced, _)) =
                    reference["subject"].as_str().and_then(|s| desired.subjects.get_key_value(s))
                {
                    visit(referenced, desired, seen, out);
                }
            }
            out.push((name, subject));
        }
        let (mut seen, mut out) = (BTreeSet::new(), Vec::new());
        for name in self.subjects.keys() {
            visit(name, self, &mut seen, &mut out);
        }
        out
    }

    /// How many levels of references a subject's schema stands on: 0 for a schema that
    /// references nothing, else one more than the highest it references. Registering by
    /// ascending height finds every reference registered.
    pub(crate) fn reference_height(&self, name: &str) -> usize {
        fn height(desired: &Desired, name: &str, depth: usize) -> usize {
            let Some(subject) = desired.subjects.get(name).filter(|_| depth < 32) else { return 0 };
            (subject.references.iter())
                .filter_map(|r| r["subject"].as_str())
                .filter(|s| desired.subjects.contains_key(*s))
                .map(|s| 1 + height(desired, s, depth + 1))
                .max()
                .unwrap_or(0)
        }
        height(self, name, 0)
    }

    pub(crate) fn needs_registry(&self) -> bool {
        !self.subjects.is_empty()
    }

    pub(crate) fn needs_connect(&self) -> bool {
        !self.connectors.is_empty()
    }

    pub(crate) fn needs_ksqldb(&self) -> bool {
        !self.ksql.is_empty()
    }

    pub(crate) fn needs_kafka(&self) -> bool {
        !self.topics.is_empty() || !self.acls.is_empty() || !self.quotas.is_empty()
    }
}

/// The `quota` nodes of the view as Kafka's quota keys (`QuotaConfigs`), by principal.
fn quotas(project: &Project) -> BTreeMap<String, BTreeMap<String, f64>> {
    let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for quota in &project.quotas {
        let keys = out.entry(quota.principal.value.clone()).or_default();
        keys.extend(quota.settings().into_iter().filter_map(|(k, v)| Some((k.to_string(), v? as f64))));
    }
    out.retain(|_, keys| !keys.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::Desired;
    use crate::check::check_bytes_as;
    use std::path::Path;

    const PROJECT: &str = r##"
schema Order avro=#"{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}"#
topic orders partitions=2 { key string; value avro schema=Order; }
topic audit { key string; value json; }
producer web topic=orders
producer auditor topic=audit
stream orders_s topic=orders
sink archive connector=file topic=audit { file "/tmp/audit.txt"; }
target staging {
    kafka "k:9092"
    names topic-prefix="staging." group-prefix="staging-"
    topic audit name="audit.v2"
}
"##;

    /// Everything that reaches the cluster is addressed by its physical name in the target.
    #[test]
    fn a_targets_desired_state_uses_the_physical_names() {
        let checked = check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), Some("staging"));
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        let desired = Desired::of(&checked, &crate::connect::Deployment::local());
        assert_eq!(desired.topics.keys().collect::<Vec<_>>(), ["audit.v2", "staging.orders"]);
        assert_eq!(desired.subjects.keys().collect::<Vec<_>>(), ["staging.orders-value"]);
        assert_eq!(desired.subjects["staging.orders-value"].topic, "staging.orders");
        assert_eq!(desired.connectors["archive"].config["topics"], "audit.v2");
        let ddl = &desired.ksql[0].text;
        assert!(ddl.contains("KAFKA_TOPIC = 'staging.orders'"), "{ddl}");
        assert!(ddl.contains("ASSERT TOPIC 'staging.orders'") && ddl.contains("'staging.orders-value'"), "{ddl}");
    }

    #[test]
    fn the_project_as_declared_keeps_the_declared_names() {
        let checked = check_bytes_as(Path::new("/nonexistent"), PROJECT.as_bytes(), None);
        let desired = Desired::of(&checked, &crate::connect::Deployment::local());
        assert_eq!(desired.topics.keys().collect::<Vec<_>>(), ["audit", "orders"]);
        assert_eq!(desired.connectors["archive"].config["topics"], "audit");
    }
}
