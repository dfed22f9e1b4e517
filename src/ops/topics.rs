//! `venice topics`: every topic on a target's Kafka with its partitions, replication and, per
//! partition, the leader and the earliest and end offsets; the topics the project declares are
//! marked, and declared topics the cluster lacks are listed.
//!
//! Read with venice's own Kafka client (`deploy::kafka`): one Metadata request, then one
//! ListOffsets request per leader for the earliest offsets and one for the end offsets.
//! Internal topics (`__consumer_offsets`, `__transaction_state`, ...) are hidden unless `--all`.

use crate::check::Checked;
use crate::deploy::Target;
use crate::deploy::kafka::At;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

/// How long one Kafka request may take.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Partition {
    pub(crate) index: i32,
    pub(crate) leader: i32,
    pub(crate) replicas: usize,
    pub(crate) isr: usize,
    pub(crate) earliest: i64,
    pub(crate) end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Topic {
    pub(crate) name: String,
    pub(crate) internal: bool,
    pub(crate) declared: bool,
    pub(crate) partitions: Vec<Partition>,
}

impl Topic {
    /// The replicas of partition 0, as `venice plan` counts replication.
    pub(crate) fn replication(&self) -> usize {
        self.partitions.first().map_or(0, |p| p.replicas)
    }
}

/// What `venice topics` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Listing {
    pub(crate) target: String,
    pub(crate) bootstrap: String,
    /// In name order.
    pub(crate) topics: Vec<Topic>,
    /// Declared by the project, absent from the cluster, in name order.
    pub(crate) missing: Vec<String>,
}

/// The checked project and the resolved target that the ops commands read (default `local`,
/// as `plan` and `apply` do). A project with errors is still used: these commands read what is
/// running, and the project only says what to expect.
pub(crate) fn open(dir: &Path, root: Option<&Path>, target: Option<&str>) -> Result<(Checked, Target), String> {
    // The project as the target sees it: its values and its physical names.
    let checked = crate::check::check_view(dir, root, Some(target.unwrap_or("local")))
        .map_err(|e| format!("cannot read `{}`: {}", e.path.display(), e.reason))?;
    let target = crate::deploy::resolve(&checked.project, dir, target)?;
    if target.kafka.is_empty() {
        return Err(format!("target `{}` names no Kafka (`kafka \"host:port\"`)", target.name));
    }
    Ok((checked, target))
}

/// Reads every topic with its offsets. The error names the service and where.
pub(crate) fn read(target: &Target, declared: &BTreeSet<String>, all: bool) -> Result<Listing, String> {
    let mut consumer = target.consumer(TIMEOUT);
    let cluster = consumer.refresh(None).map_err(|e| e.to_string())?.clone();
    let shown: Vec<(String, Vec<i32>)> = cluster
        .topics
        .iter()
        .filter(|(_, t)| all || !t.internal)
        .map(|(name, t)| (name.clone(), t.partitions.iter().map(|p| p.index).collect()))
        .collect();
    let earliest = consumer.offsets_of(&shown, At::Earliest).map_err(|e| e.to_string())?;
    let end = consumer.offsets_of(&shown, At::End).map_err(|e| e.to_string())?;
    let mut topics = Vec::new();
    for (name, _) in &shown {
        let meta = &cluster.topics[name];
        let partitions = meta
            .partitions
            .iter()
            .map(|p| {
                let key = (name.clone(), p.index);
                Partition {
                    index: p.index,
                    leader: p.leader,
                    replicas: p.replicas.len(),
                    isr: p.isr.len(),
                    earliest: earliest.get(&key).copied().unwrap_or(-1),
                    end: end.get(&key).copied().unwrap_or(-1),
                }
            })
            .collect();
        topics.push(Topic {
            name: name.clone(),
            internal: meta.internal,
            declared: declared.contains(name),
            partitions,
        });
    }
    let missing = declared.iter().filter(|d| !cluster.topics.contains_key(*d)).cloned().collect();
    Ok(Listing { target: target.name.clone(), bootstrap: target.kafka.join(","), topics, missing })
}

/// The topics a project declares (its `topic` nodes), by their names on the target's cluster.
pub(crate) fn declared(checked: &Checked) -> BTreeSet<String> {
    let project = &checked.project;
    project.topics.iter().map(|t| project.physical_topic(&t.name.value).into_owned()).collect()
}

impl Listing {
    /// A declared topic is missing from the cluster.
    pub(crate) fn problems(&self) -> bool {
        !self.missing.is_empty()
    }

    pub(crate) fn human(&self) -> String {
        let mut out = format!(
            "target `{}` (Kafka at {}): {} topics; * declared by the project\n",
            self.target,
            self.bootstrap,
            self.topics.len()
        );
        for topic in &self.topics {
            let records: i64 = topic.partitions.iter().map(|p| (p.end - p.earliest).max(0)).sum();
            out.push_str(&format!(
                "{} {}{}  partitions {}  replication {}  records {}\n",
                if topic.declared { "*" } else { " " },
                topic.name,
                if topic.internal { " (internal)" } else { "" },
                topic.partitions.len(),
                topic.replication(),
                records
            ));
            for p in &topic.partitions {
                let leader = if p.leader < 0 { "none".to_string() } else { p.leader.to_string() };
                out.push_str(&format!(
                    "    {:>3}  earliest {}  end {}  leader {leader}  in sync {}/{}\n",
                    p.index, p.earliest, p.end, p.isr, p.replicas
                ));
            }
        }
        if !self.missing.is_empty() {
            out.push_str(&format!("declared but not on the cluster: {}\n", self.missing.join(", ")));
        }
        out
    }

    pub(crate) fn json(&self) -> Value {
        let topics: Vec<Value> = self
            .topics
            .iter()
            .map(|t| {
                let partitions: Vec<Value> = t
                    .partitions
                    .iter()
                    .map(|p| {
                        json!({
                            "partition": p.index, "leader": p.leader, "replicas": p.replicas,
                            "inSync": p.isr, "earliest": p.earliest, "end": p.end,
                        })
                    })
                    .collect();
                json!({
                    "name": t.name, "internal": t.internal, "declared": t.declared,
                    "replication": t.replication(), "partitions": partitions,
                })
            })
            .collect();
        json!({ "target": self.target, "kafka": self.bootstrap, "topics": topics, "missing": self.missing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing() -> Listing {
        let p = |index, earliest, end| Partition { index, leader: 1, replicas: 1, isr: 1, earliest, end };
        Listing {
            target: "stack".into(),
            bootstrap: "127.0.0.1:9092".into(),
            topics: vec![
                Topic {
                    name: "orders".into(),
                    internal: false,
                    declared: true,
                    partitions: vec![p(0, 0, 5), p(1, 2, 4)],
                },
                Topic { name: "other".into(), internal: false, declared: false, partitions: vec![p(0, 0, 0)] },
            ],
            missing: vec!["payments".into()],
        }
    }

    #[test]
    fn the_listing_marks_declared_topics_and_lists_missing_ones() {
        let listing = listing();
        assert_eq!(
            listing.human(),
            "target `stack` (Kafka at 127.0.0.1:9092): 2 topics; * declared by the project\n\
             * orders  partitions 2  replication 1  records 7\n\
             \x20     0  earliest 0  end 5  leader 1  in sync 1/1\n\
             \x20     1  earliest 2  end 4  leader 1  in sync 1/1\n\
             \x20 other  partitions 1  replication 1  records 0\n\
             \x20     0  earliest 0  end 0  leader 1  in sync 1/1\n\
             declared but not on the cluster: payments\n"
        );
        assert!(listing.problems());
        let json = listing.json();
        assert_eq!(json["topics"][0]["partitions"][1]["end"], 4);
        assert_eq!(json["topics"][0]["declared"], true);
        assert_eq!(json["missing"][0], "payments");
    }
}
