//! `venice diff --target A --target B`: how two environments differ, resource by resource,
//! offline. Each side is the project as its target sees it (`model::Project::view`), rendered
//! as `venice build` renders it: a topic's partitions, replication and configs, a connector's
//! config (for the local stack's services: the values a target sets are what differs), a
//! database's host, port and name, the names on the cluster (a topic's, a consumer's group) and
//! the ksqlDB service id; where a target's cluster is managed (`Project::deploys_access`), each
//! principal's ACLs (a setting per resource, its value the operations) and quotas. Resources are
//! named by their declared names, the identity; ACLs and quotas by their principal.

use crate::analysis::access::Access;
use crate::model::Project;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One setting of one resource whose value differs; `None` where a side does not have it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Difference {
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    pub(crate) setting: String,
    pub(crate) values: [Option<String>; 2],
}

type Settings = BTreeMap<(&'static str, String), BTreeMap<String, String>>;

/// Every resource's settings, flattened to strings.
fn settings(project: &Project, access: &Access) -> Settings {
    let mut out = Settings::new();
    if project.deploys_access() {
        grants(access, &mut out);
        for quota in &project.quotas {
            let values = quota.settings().into_iter().filter_map(|(k, v)| Some((k.to_string(), v?.to_string())));
            out.insert(("quota", quota.principal.value.clone()), values.collect());
        }
    }
    for topic in &project.topics {
        let mut values = BTreeMap::from([
            ("name".to_string(), project.physical_topic(&topic.name.value).into_owned()),
            ("partitions".to_string(), Project::partitions(topic).to_string()),
            ("replication".to_string(), super::topics::replication(project, topic).to_string()),
        ]);
        for (key, value) in super::topics::configs(topic) {
            values.insert(format!("config {key}"), value.as_str().unwrap_or_default().to_string());
        }
        out.insert(("topic", topic.name.value.clone()), values);
    }
    for connector in &project.connectors {
        let config = crate::connect::connector_config(project, connector);
        let values = config.into_iter().map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string())).collect();
        let kind = if connector.direction == crate::model::Direction::Sink { "sink" } else { "source" };
        out.insert((kind, connector.name.value.clone()), values);
    }
    for database in &project.databases {
        let host = database.host.as_ref().map_or("postgres", |h| h.value.as_str());
        let values = BTreeMap::from([
            ("host".to_string(), host.to_string()),
            ("port".to_string(), database.port.as_ref().map_or(5432, |p| p.value).to_string()),
            ("name".to_string(), database.db_name.as_ref().unwrap_or(&database.name).value.clone()),
        ]);
        out.insert(("database", database.name.value.clone()), values);
    }
    for consumer in &project.consumers {
        let Some(group) = &consumer.group else { continue };
        let values = BTreeMap::from([("group".to_string(), project.physical_group(&group.value).into_owned())]);
        out.insert(("consumer", consumer.name.value.clone()), values);
    }
    let service_id = BTreeMap::from([("service-id".to_string(), project.ksql_service_id())]);
    out.insert(("ksqldb", "ksqldb".to_string()), service_id);
    out
}

/// Each principal's grants, a setting per resource (and host) whose value is the operations.
fn grants(access: &Access, out: &mut Settings) {
    for grant in access.grants.keys() {
        let resource = grant.resource_shown();
        let values = out.entry(("acl", grant.principal.clone())).or_default();
        let operations = values.entry(resource).or_default();
        if !operations.is_empty() {
            operations.push_str(", ");
        }
        operations.push_str(grant.operation.as_str());
    }
}

/// What differs between two views, by resource then setting: the views' projects, each with
/// its grants.
pub(crate) fn diff(a: (&Project, &Access), b: (&Project, &Access)) -> Vec<Difference> {
    let (a, b) = (settings(a.0, a.1), settings(b.0, b.1));
    let empty = BTreeMap::new();
    let mut resources: Vec<&(&'static str, String)> = a.keys().chain(b.keys()).collect();
    resources.sort();
    resources.dedup();
    let mut out = Vec::new();
    for resource in resources {
        let (left, right) = (a.get(resource).unwrap_or(&empty), b.get(resource).unwrap_or(&empty));
        let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let values = [left.get(key).cloned(), right.get(key).cloned()];
            if values[0] != values[1] {
                out.push(Difference { kind: resource.0, name: resource.1.clone(), setting: key.clone(), values });
            }
        }
    }
    out
}

/// One block per resource, one line per differing setting.
pub(crate) fn human(targets: [&str; 2], differences: &[Difference]) -> String {
    if differences.is_empty() {
        return format!("targets `{}` and `{}` do not differ\n", targets[0], targets[1]);
    }
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".into());
    let mut out = format!("{} -> {}\n", targets[0], targets[1]);
    let mut current = None;
    for d in differences {
        if current != Some((d.kind, &d.name)) {
            out.push_str(&format!("{} {}\n", d.kind, d.name));
            current = Some((d.kind, &d.name));
        }
        out.push_str(&format!("    {}: {} -> {}\n", d.setting, shown(&d.values[0]), shown(&d.values[1])));
    }
    out
}

/// `{"targets": [A, B], "differences": [{"kind", "name", "setting", A, B}]}`.
pub(crate) fn json(targets: [&str; 2], differences: &[Difference]) -> Value {
    let differences: Vec<Value> = differences
        .iter()
        .map(|d| {
            let mut entry = json!({ "kind": d.kind, "name": d.name, "setting": d.setting });
            for (target, value) in targets.iter().zip(&d.values) {
                entry[*target] = json!(value);
            }
            entry
        })
        .collect();
    json!({ "targets": targets, "differences": differences })
}
