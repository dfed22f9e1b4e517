//! `topics.json`: each declared topic with its partitions, replication factor and configs, as
//! `kafka-topics --create` (or an AdminClient) takes them, by its physical name.

use crate::model::{CleanupPolicy, Duration, Project, Topic};
use serde_json::{Map, Value, json};

/// A topic's replication factor: as declared, else the stack's brokers (at most 3), else 1.
pub(crate) fn replication(project: &Project, topic: &Topic) -> u32 {
    topic
        .replication
        .as_ref()
        .map(|r| r.value)
        .unwrap_or_else(|| project.stack.as_ref().map_or(1, |s| super::compose::broker_count(s).min(3)))
}

/// A topic's configs: `cleanup.policy` (default `delete`), `retention.ms` (default forever, -1),
/// then every `config` entry, which may override them. Sorted by key.
pub(crate) fn configs(topic: &Topic) -> Map<String, Value> {
    let mut configs = std::collections::BTreeMap::new();
    let cleanup = topic.cleanup.as_ref().map_or(CleanupPolicy::Delete, |c| c.value);
    configs.insert("cleanup.policy".to_string(), cleanup.kafka_value().to_string());
    let retention = topic.retention.as_ref().map_or(Duration::Forever, |r| r.value);
    configs.insert("retention.ms".to_string(), retention.kafka_millis().to_string());
    for entry in &topic.config {
        configs.insert(entry.key.value.clone(), entry.value.value.clone());
    }
    configs.into_iter().map(|(k, v)| (k, Value::String(v))).collect()
}

pub(crate) fn render(project: &Project) -> String {
    let mut sorted: Vec<&Topic> = project.topics.iter().collect();
    sorted.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    let topics: Vec<Value> = sorted
        .into_iter()
        .map(|topic| {
            json!({
                "name": project.physical_topic(&topic.name.value),
                "partitions": Project::partitions(topic),
                "replication_factor": replication(project, topic),
                "configs": configs(topic),
            })
        })
        .collect();
    super::json_file(&json!({ "topics": topics }))
}
