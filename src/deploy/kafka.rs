//! Venice's Kafka client: the requests `plan`, `apply`, `topics`, `tail`, `doctor` and `import`
//! need, as `kafka-protocol`'s messages (generated from Kafka's own JSON definitions, every
//! version), sent over `conn`'s connections at the newest version both sides speak:
//!
//! | request | for |
//! |---|---|
//! | Metadata | brokers, partitions, replicas and leaders of topics, without auto-creating them |
//! | CreateTopics | new topics with their configs |
//! | DeleteTopics | `--prune` |
//! | DescribeConfigs | topic configs with their source (a default or set on the topic), many topics at once |
//! | CreatePartitions | more partitions |
//! | IncrementalAlterConfigs | set and delete topic configs |
//! | ListOffsets | earliest and end offsets (`venice topics`, `tail`), many topics per leader |
//! | Fetch | records, read committed (`venice tail`, `doctor`) |
//! | Produce | a record batch, acks=all (the live tests and the `tail` benchmark) |
//! | ListGroups, FindCoordinator, OffsetFetch | consumer groups and their committed offsets (`venice import`) |
//! | DescribeAcls, CreateAcls, DeleteAcls | the ACLs of the principals the project names (`acls`) |
//! | DescribeClientQuotas, AlterClientQuotas | their `user` quotas (`acls`) |
//!
//! In a KRaft cluster any broker forwards admin requests to the controller, so the first
//! bootstrap server that answers does. ListOffsets and Fetch must go to each partition's leader:
//! [`Consumer`] reads the leaders from Metadata and keeps one connection per broker. The record
//! batches a Fetch returns are decoded by `super::records`. Every connection is secured as the
//! target says ([`Security`]: TLS, a SASL login by `sasl`, the OAUTHBEARER token by `oauth`).

pub(crate) mod acls;
mod conn;
pub mod oauth;
pub mod sasl;

use bytes::Bytes;
use conn::Link;
pub use conn::Security;
use kafka_protocol::messages::create_partitions_request::CreatePartitionsTopic;
use kafka_protocol::messages::create_topics_request::{CreatableTopic, CreatableTopicConfig};
use kafka_protocol::messages::describe_configs_request::DescribeConfigsResource;
use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
use kafka_protocol::messages::fetch_response::PartitionData;
use kafka_protocol::messages::incremental_alter_configs_request::{AlterConfigsResource, AlterableConfig};
use kafka_protocol::messages::list_offsets_request::{ListOffsetsPartition, ListOffsetsTopic};
use kafka_protocol::messages::metadata_request::MetadataRequestTopic;
use kafka_protocol::messages::produce_request::{PartitionProduceData, TopicProduceData};
use kafka_protocol::messages::{
    BrokerId, CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest, DescribeConfigsRequest, FetchRequest,
    FindCoordinatorRequest, GroupId, IncrementalAlterConfigsRequest, ListGroupsRequest, ListOffsetsRequest,
    MetadataRequest, MetadataResponse, OffsetFetchRequest, OffsetFetchResponse, ProduceRequest, TopicName,
};
use kafka_protocol::protocol::StrBytes;
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Unreachable(super::http::Unreachable),
    /// A request the broker answered with an error code.
    Refused {
        what: String,
        code: i16,
        message: String,
    },
    /// An answer that does not parse: a bug, or not a Kafka broker.
    Protocol(String),
    /// TLS or the SASL login failed: the reason and what to do, in one line.
    Denied(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unreachable(u) => u.fmt(f),
            Error::Refused { what, code, message } => {
                write!(f, "Kafka refused {what}: {} ({code})", error_name(*code))?;
                if !message.is_empty() {
                    write!(f, ": {message}")?;
                }
                Ok(())
            }
            Error::Protocol(m) => write!(f, "Kafka answered something venice cannot read: {m}"),
            Error::Denied(m) => f.write_str(m),
        }
    }
}

/// The names of the error codes an admin sees most (kafka.apache.org/protocol, "Error Codes").
pub(crate) fn error_name(code: i16) -> &'static str {
    match code {
        0 => "NONE",
        3 => "UNKNOWN_TOPIC_OR_PARTITION",
        7 => "REQUEST_TIMED_OUT",
        17 => "INVALID_TOPIC_EXCEPTION",
        29 => "TOPIC_AUTHORIZATION_FAILED",
        30 => "GROUP_AUTHORIZATION_FAILED",
        31 => "CLUSTER_AUTHORIZATION_FAILED",
        36 => "TOPIC_ALREADY_EXISTS",
        37 => "INVALID_PARTITIONS",
        38 => "INVALID_REPLICATION_FACTOR",
        40 => "INVALID_CONFIG",
        41 => "NOT_CONTROLLER",
        42 => "INVALID_REQUEST",
        53 => "TRANSACTIONAL_ID_AUTHORIZATION_FAILED",
        54 => "SECURITY_DISABLED",
        _ => "an error",
    }
}

pub(crate) const TOPIC_ALREADY_EXISTS: i16 = 36;
pub(crate) const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;

/// `DescribeConfigs` v1's config sources.
pub(crate) const DYNAMIC_TOPIC_CONFIG: i8 = 1;

/// A topic as the cluster has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicState {
    pub partitions: u32,
    /// The replicas of partition 0.
    pub replication: u32,
}

/// One config entry as `DescribeConfigs` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigEntry {
    pub value: Option<String>,
    /// 1 set on the topic, 4 static broker config, 5 the default, ... (`DescribeConfigs` v1).
    pub source: i8,
    pub sensitive: bool,
}

/// A new topic for `CreateTopics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTopic {
    pub name: String,
    pub partitions: u32,
    pub replication: u32,
    pub configs: BTreeMap<String, String>,
}

/// An `IncrementalAlterConfigs` operation on one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigOp {
    Set(String),
    Delete,
}

pub struct Admin {
    timeout: Duration,
    security: Security,
    link: Link,
}

impl Admin {
    pub fn new(bootstrap: Vec<String>, timeout: Duration) -> Admin {
        Admin::secured(bootstrap, timeout, Security::default())
    }

    /// An admin client whose connections are secured as `security` says.
    pub(crate) fn secured(bootstrap: Vec<String>, timeout: Duration, security: Security) -> Admin {
        Admin { link: Link::new(bootstrap, timeout, security.clone()), timeout, security }
    }

    fn timeout_ms(&self) -> i32 {
        self.timeout.as_millis().min(i32::MAX as u128) as i32
    }

    /// Answers when a broker does (the connection's ApiVersions exchange, then Metadata of no
    /// topic: a broker that lists its versions but cannot serve requests is not up).
    pub fn ping(&mut self) -> Result<(), Error> {
        self.metadata(Some(&[])).map(|_| ())
    }

    /// Partitions and replication of the named topics that exist (Metadata, no auto-creation).
    pub fn topics(&mut self, names: &[String]) -> Result<BTreeMap<String, TopicState>, Error> {
        self.topics_and_brokers(names).map(|(topics, _)| topics)
    }

    /// [`Admin::topics`], and how many brokers the cluster has (from the same Metadata answer).
    pub(crate) fn topics_and_brokers(
        &mut self,
        names: &[String],
    ) -> Result<(BTreeMap<String, TopicState>, u32), Error> {
        let cluster = self.metadata(Some(names))?;
        let brokers = cluster.brokers.len() as u32;
        let state = |topic: TopicMeta| TopicState {
            partitions: topic.partitions.len() as u32,
            // Partitions are sorted by index: partition 0's replicas.
            replication: topic.partitions.first().map_or(0, |p| p.replicas.len() as u32),
        };
        Ok((cluster.topics.into_iter().map(|(name, topic)| (name, state(topic))).collect(), brokers))
    }

    /// The configs of topics, all in one DescribeConfigs (every key, without synonyms). A topic
    /// that no longer exists is left out.
    pub fn configs(&mut self, topics: &[String]) -> Result<BTreeMap<String, BTreeMap<String, ConfigEntry>>, Error> {
        let mut out = BTreeMap::new();
        if topics.is_empty() {
            return Ok(out);
        }
        let resources = topics
            .iter()
            .map(|t| {
                // Null keys: every config (the crate's default is an empty list).
                DescribeConfigsResource::default()
                    .with_resource_type(TOPIC)
                    .with_resource_name(text(t))
                    .with_configuration_keys(None)
            })
            .collect();
        let answer = self.link.call(&DescribeConfigsRequest::default().with_resources(resources))?;
        for result in answer.results {
            let name = result.resource_name.to_string();
            // Deleted since Metadata listed it: absent, as the caller's next look will find it.
            if result.error_code == UNKNOWN_TOPIC_OR_PARTITION {
                continue;
            }
            if result.error_code != 0 {
                let (code, message) = (result.error_code, message(result.error_message));
                return Err(Error::Refused { what: format!("describing the configs of `{name}`"), code, message });
            }
            let entries = result.configs.into_iter().map(|c| {
                let entry = ConfigEntry {
                    value: c.value.map(|v| v.to_string()),
                    source: c.config_source,
                    sensitive: c.is_sensitive,
                };
                (c.name.to_string(), entry)
            });
            out.insert(name, entries.collect());
        }
        Ok(out)
    }

    /// Creates topics in one CreateTopics; the caller keeps a batch within what a controller
    /// takes (`super::batch`). Each topic's answer in the order given: `Ok(false)` for one that
    /// exists. Only a request that fails as a whole is an `Err`.
    pub fn create_topics(&mut self, topics: &[NewTopic]) -> Result<Vec<Result<bool, Error>>, Error> {
        let creatable = topics.iter().map(|topic| {
            let configs = topic
                .configs
                .iter()
                .map(|(k, v)| CreatableTopicConfig::default().with_name(text(k)).with_value(Some(text(v))))
                .collect();
            CreatableTopic::default()
                .with_name(name(&topic.name))
                .with_num_partitions(topic.partitions as i32)
                .with_replication_factor(topic.replication as i16)
                .with_configs(configs)
        });
        let request =
            CreateTopicsRequest::default().with_topics(creatable.collect()).with_timeout_ms(self.timeout_ms());
        let answers = self.link.call(&request)?.topics.into_iter().map(|r| {
            let (name, code) = (r.name.0.to_string(), r.error_code);
            let result = match code {
                0 => Ok(true),
                TOPIC_ALREADY_EXISTS => Ok(false),
                code => Err(refused(format!("creating topic `{name}`"), code, r.error_message)),
            };
            (name, result)
        });
        Ok(in_order(topics.iter().map(|t| t.name.as_str()), answers.collect(), "CreateTopics"))
    }

    /// Creates a topic (CreateTopics). An existing topic is `Ok(false)`.
    pub fn create_topic(&mut self, topic: &NewTopic) -> Result<bool, Error> {
        one(self.create_topics(std::slice::from_ref(topic))?)
    }

    /// Which of `names` the controller holds, whether or not the brokers list them yet: one
    /// CreateTopics with `validate_only`, which creates nothing. A KRaft controller answers
    /// TOPIC_ALREADY_EXISTS from its own metadata before it validates anything else
    /// (`ReplicationControlManager.createTopics`); every other answer (the topic could be
    /// made, a name or a right refused) means not held. One partition and the cluster's
    /// replication factor keep the trial creation small; the caller keeps a request within
    /// [`super::batch::TOPICS_PER_REQUEST`].
    pub(crate) fn held_by_controller(&mut self, names: &[String]) -> Result<Vec<String>, Error> {
        let creatable = names
            .iter()
            .map(|n| CreatableTopic::default().with_name(name(n)).with_num_partitions(1).with_replication_factor(-1));
        let request = CreateTopicsRequest::default()
            .with_topics(creatable.collect())
            .with_timeout_ms(self.timeout_ms())
            .with_validate_only(true);
        let answers = self.link.call(&request)?.topics;
        let held = answers.into_iter().filter(|r| r.error_code == TOPIC_ALREADY_EXISTS).map(|r| r.name.0.to_string());
        Ok(held.collect())
    }

    /// Raises the partition counts of topics, `(topic, count)`, in one CreatePartitions; each
    /// topic's answer in the order given.
    pub(crate) fn add_partitions_to(&mut self, counts: &[(String, u32)]) -> Result<Vec<Result<(), Error>>, Error> {
        // Null assignments: the controller places the new partitions (the crate's default, an
        // empty list, asks for none and is refused).
        let grown = counts.iter().map(|(topic, count)| {
            CreatePartitionsTopic::default().with_name(name(topic)).with_count(*count as i32).with_assignments(None)
        });
        let request =
            CreatePartitionsRequest::default().with_topics(grown.collect()).with_timeout_ms(self.timeout_ms());
        let answers = self.link.call(&request)?.results.into_iter().map(|r| {
            let name = r.name.0.to_string();
            let what = format!("adding partitions to `{name}`");
            (name, ok_or_refused(what, r.error_code, r.error_message))
        });
        Ok(in_order(counts.iter().map(|(t, _)| t.as_str()), answers.collect(), "CreatePartitions"))
    }

    /// Raises a topic's partition count (CreatePartitions).
    pub fn add_partitions(&mut self, topic: &str, count: u32) -> Result<(), Error> {
        one(self.add_partitions_to(&[(topic.to_string(), count)])?)
    }

    /// Sets and deletes configs of topics, `(topic, operations)`, in one
    /// IncrementalAlterConfigs; each topic's answer in the order given.
    pub(crate) fn alter_configs_of(
        &mut self,
        changes: &[(String, BTreeMap<String, ConfigOp>)],
    ) -> Result<Vec<Result<(), Error>>, Error> {
        let resources = changes.iter().map(|(topic, ops)| {
            let configs = ops
                .iter()
                .map(|(key, op)| {
                    let config = AlterableConfig::default().with_name(text(key));
                    match op {
                        ConfigOp::Set(v) => config.with_config_operation(0).with_value(Some(text(v))),
                        ConfigOp::Delete => config.with_config_operation(1).with_value(None),
                    }
                })
                .collect();
            AlterConfigsResource::default()
                .with_resource_type(TOPIC)
                .with_resource_name(text(topic))
                .with_configs(configs)
        });
        let request = IncrementalAlterConfigsRequest::default().with_resources(resources.collect());
        let answers = self.link.call(&request)?.responses.into_iter().map(|r| {
            let name = r.resource_name.to_string();
            let what = format!("altering the configs of `{name}`");
            (name, ok_or_refused(what, r.error_code, r.error_message))
        });
        Ok(in_order(changes.iter().map(|(t, _)| t.as_str()), answers.collect(), "IncrementalAlterConfigs"))
    }

    /// Sets and deletes configs of a topic (IncrementalAlterConfigs).
    pub fn alter_configs(&mut self, topic: &str, ops: &BTreeMap<String, ConfigOp>) -> Result<(), Error> {
        one(self.alter_configs_of(&[(topic.to_string(), ops.clone())])?)
    }

    /// Deletes topics in one DeleteTopics; one that is already gone is fine. Each topic's answer
    /// in the order given.
    pub(crate) fn delete_topics(&mut self, topics: &[String]) -> Result<Vec<Result<(), Error>>, Error> {
        let names = topics.iter().map(|t| name(t)).collect();
        let request = DeleteTopicsRequest::default().with_topic_names(names).with_timeout_ms(self.timeout_ms());
        let answers = self.link.call(&request)?.responses.into_iter().map(|r| {
            let name = r.name.map(|n| n.0.to_string()).unwrap_or_default();
            let code = if r.error_code == UNKNOWN_TOPIC_OR_PARTITION { 0 } else { r.error_code };
            let what = format!("deleting topic `{name}`");
            (name, ok_or_refused(what, code, r.error_message))
        });
        Ok(in_order(topics.iter().map(String::as_str), answers.collect(), "DeleteTopics"))
    }

    /// Deletes a topic (DeleteTopics); one that is already gone is fine.
    pub fn delete_topic(&mut self, topic: &str) -> Result<(), Error> {
        one(self.delete_topics(&[topic.to_string()])?)
    }
}

fn refused(what: String, code: i16, m: Option<StrBytes>) -> Error {
    Error::Refused { what, code, message: message(m) }
}

fn ok_or_refused(what: String, code: i16, m: Option<StrBytes>) -> Result<(), Error> {
    if code == 0 { Ok(()) } else { Err(refused(what, code, m)) }
}

/// The answers of a batch request, by topic, in the order the topics were asked for; a topic the
/// broker said nothing about is an error of its own.
fn in_order<'a, T>(
    asked: impl Iterator<Item = &'a str>,
    mut answers: BTreeMap<String, Result<T, Error>>,
    request: &str,
) -> Vec<Result<T, Error>> {
    asked
        .map(|topic| {
            answers
                .remove(topic)
                .unwrap_or_else(|| Err(Error::Protocol(format!("{request} answered nothing about `{topic}`"))))
        })
        .collect()
}

/// The one answer of a request about one topic.
fn one<T>(answers: Vec<Result<T, Error>>) -> Result<T, Error> {
    answers.into_iter().next().unwrap_or_else(|| Err(Error::Protocol("an answer about no topic".into())))
}

/// `DescribeConfigs`' and `IncrementalAlterConfigs`' resource type of a topic.
const TOPIC: i8 = 2;

fn text(s: &str) -> StrBytes {
    StrBytes::from_string(s.to_string())
}

fn name(s: &str) -> TopicName {
    TopicName(text(s))
}

fn message(m: Option<StrBytes>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// `host:port`; an IPv6 host needs brackets to be a socket address.
fn address(host: &str, port: i32) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// A consumer group as ListGroups names it, with the topics it has committed offsets on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    /// `consumer` for Kafka's consumers, `connect` for Connect workers, empty for a group that
    /// only commits offsets (`ListGroupsResponse` v2's `ProtocolType`).
    pub protocol_type: String,
    /// Each topic with a committed offset (>= 0) on some partition: those partitions.
    pub committed: BTreeMap<String, Vec<i32>>,
}

impl Admin {
    /// Every consumer group with the topics it committed offsets on: ListGroups at each broker
    /// (a broker lists the groups it coordinates), then FindCoordinator and OffsetFetch (every
    /// topic: null topics) at each group's coordinator.
    pub(crate) fn groups(&mut self) -> Result<BTreeMap<String, Group>, Error> {
        let cluster = self.metadata(Some(&[]))?;
        let mut out = BTreeMap::new();
        for address in cluster.brokers.values() {
            let mut link = Link::new(vec![address.clone()], self.timeout, self.security.clone());
            let answer = link.call(&ListGroupsRequest::default())?;
            if answer.error_code != 0 {
                let code = answer.error_code;
                return Err(Error::Refused {
                    what: "listing the consumer groups".into(),
                    code,
                    message: String::new(),
                });
            }
            for g in answer.groups {
                out.insert(
                    g.group_id.0.to_string(),
                    Group { protocol_type: g.protocol_type.to_string(), ..Group::default() },
                );
            }
        }
        for (id, group) in &mut out {
            let request = FindCoordinatorRequest::default().with_key(text(id)).with_key_type(0);
            let found = self.link.call(&request)?;
            if found.error_code != 0 {
                return Err(Error::Refused {
                    what: format!("finding the coordinator of group `{id}`"),
                    code: found.error_code,
                    message: message(found.error_message),
                });
            }
            let coordinator = address(&found.host, found.port);
            let mut link = Link::new(vec![coordinator], self.timeout, self.security.clone());
            let request = OffsetFetchRequest::default().with_group_id(GroupId(text(id))).with_topics(None);
            group.committed = committed(link.call(&request)?, id)?;
        }
        Ok(out)
    }
}

/// The partitions of each topic with a committed offset (a partition without a commit answers
/// offset -1).
fn committed(answer: OffsetFetchResponse, group: &str) -> Result<BTreeMap<String, Vec<i32>>, Error> {
    if answer.error_code != 0 {
        return Err(Error::Refused {
            what: format!("reading the offsets of group `{group}`"),
            code: answer.error_code,
            message: String::new(),
        });
    }
    let mut committed: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for topic in answer.topics {
        for p in topic.partitions.iter().filter(|p| p.error_code == 0 && p.committed_offset >= 0) {
            committed.entry(topic.name.0.to_string()).or_default().push(p.partition_index);
        }
    }
    Ok(committed)
}

/// A broker, a topic or a partition as Metadata v4 describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cluster {
    /// Node id to `host:port`.
    pub brokers: BTreeMap<i32, String>,
    pub topics: BTreeMap<String, TopicMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TopicMeta {
    pub internal: bool,
    /// Sorted by index.
    pub partitions: Vec<PartitionMeta>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartitionMeta {
    pub index: i32,
    /// -1 when the partition has no leader right now.
    pub leader: i32,
    pub(crate) replicas: Vec<i32>,
    pub(crate) isr: Vec<i32>,
}

/// Which offset ListOffsets asks for (its special timestamps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The log start offset (timestamp -2).
    Earliest,
    /// The end offset, the next offset to be written: the high watermark (timestamp -1).
    End,
}

/// One partition of a Fetch answer: its records are still encoded (`super::records` reads them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fetched {
    pub(crate) partition: i32,
    pub(crate) error: i16,
    pub(crate) high_watermark: i64,
    /// `(producer id, first offset)` of the aborted transactions in the returned range.
    pub(crate) aborted: Vec<(i64, i64)>,
    /// A slice of the Fetch answer, not a copy.
    pub(crate) records: Bytes,
}

pub(crate) const OFFSET_OUT_OF_RANGE: i16 = 1;
/// Error codes after which the leaders are read again: LEADER_NOT_AVAILABLE,
/// NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH.
pub fn stale_leader(code: i16) -> bool {
    matches!(code, 3 | 5 | 6 | 74 | 75)
}

/// The most a Fetch asks for, in all and per partition.
pub(crate) const FETCH_MAX_BYTES: i32 = 32 * 1024 * 1024;
const PARTITION_MAX_BYTES: i32 = 8 * 1024 * 1024;

impl Admin {
    /// Brokers, and every topic (`None`) or the named ones with their partitions and leaders
    /// (Metadata, no auto-creation). A topic the cluster does not have is left out.
    pub(crate) fn metadata(&mut self, names: Option<&[String]>) -> Result<Cluster, Error> {
        let topics =
            names.map(|names| names.iter().map(|n| MetadataRequestTopic::default().with_name(Some(name(n)))).collect());
        let request = MetadataRequest::default().with_topics(topics).with_allow_auto_topic_creation(false);
        cluster(self.link.call(&request)?)
    }
}

fn cluster(answer: MetadataResponse) -> Result<Cluster, Error> {
    let mut cluster = Cluster::default();
    for b in &answer.brokers {
        cluster.brokers.insert(b.node_id.0, address(&b.host, b.port));
    }
    for topic in answer.topics {
        let name = topic.name.map(|n| n.0.to_string()).unwrap_or_default();
        match topic.error_code {
            0 => {}
            UNKNOWN_TOPIC_OR_PARTITION => continue,
            code => {
                return Err(Error::Refused {
                    what: format!("describing topic `{name}`"),
                    code,
                    message: String::new(),
                });
            }
        }
        // A partition without a leader says so in `leader`; its error code is not needed.
        let mut partitions: Vec<PartitionMeta> = topic
            .partitions
            .iter()
            .map(|p| PartitionMeta {
                index: p.partition_index,
                leader: p.leader_id.0,
                replicas: p.replica_nodes.iter().map(|b| b.0).collect(),
                isr: p.isr_nodes.iter().map(|b| b.0).collect(),
            })
            .collect();
        partitions.sort_by_key(|p| p.index);
        cluster.topics.insert(name, TopicMeta { internal: topic.is_internal, partitions });
    }
    Ok(cluster)
}

/// Reads topics: the offsets and records of their partitions, each request sent to the
/// partition's leader over one connection per broker (the leaders come from Metadata, read
/// again when a broker says it no longer leads).
pub struct Consumer {
    admin: Admin,
    timeout: Duration,
    links: BTreeMap<i32, Link>,
    pub(crate) cluster: Cluster,
}

impl Consumer {
    pub fn new(bootstrap: Vec<String>, timeout: Duration) -> Consumer {
        Consumer::secured(bootstrap, timeout, Security::default())
    }

    pub(crate) fn secured(bootstrap: Vec<String>, timeout: Duration, security: Security) -> Consumer {
        let admin = Admin::secured(bootstrap, timeout, security);
        Consumer { admin, timeout, links: BTreeMap::new(), cluster: Cluster::default() }
    }

    /// Reads the brokers and the topics (all of them, or the named ones) with their leaders.
    pub fn refresh(&mut self, topics: Option<&[String]>) -> Result<&Cluster, Error> {
        self.cluster = self.admin.metadata(topics)?;
        // Forget connections to brokers that left.
        let brokers = &self.cluster.brokers;
        self.links.retain(|node, link| brokers.get(node).is_some_and(|a| link.servers == [a.clone()]));
        Ok(&self.cluster)
    }

    fn leader(&self, topic: &str, partition: i32) -> Result<i32, Error> {
        let meta = self.cluster.topics.get(topic).and_then(|t| t.partitions.iter().find(|p| p.index == partition));
        match meta {
            Some(p) if p.leader >= 0 => Ok(p.leader),
            Some(_) => Err(Error::Refused {
                what: format!("reading partition {partition} of `{topic}`"),
                code: 5,
                message: "the partition has no leader".into(),
            }),
            None => Err(Error::Refused {
                what: format!("reading partition {partition} of `{topic}`"),
                code: UNKNOWN_TOPIC_OR_PARTITION,
                message: String::new(),
            }),
        }
    }

    /// The partitions grouped by their leader.
    fn by_leader(&self, topic: &str, partitions: impl Iterator<Item = i32>) -> Result<BTreeMap<i32, Vec<i32>>, Error> {
        let mut out: BTreeMap<i32, Vec<i32>> = BTreeMap::new();
        for p in partitions {
            out.entry(self.leader(topic, p)?).or_default().push(p);
        }
        Ok(out)
    }

    fn link(&mut self, node: i32) -> Result<&mut Link, Error> {
        let Some(address) = self.cluster.brokers.get(&node) else {
            return Err(Error::Protocol(format!("a leader, broker {node}, that Metadata did not list")));
        };
        let (timeout, security) = (self.timeout, self.admin.security.clone());
        Ok(self.links.entry(node).or_insert_with(|| Link::new(vec![address.clone()], timeout, security)))
    }

    /// The earliest or end offset of each partition (ListOffsets v1, at each leader).
    pub(crate) fn offsets(&mut self, topic: &str, partitions: &[i32], at: At) -> Result<BTreeMap<i32, i64>, Error> {
        let asked = [(topic.to_string(), partitions.to_vec())];
        let found = self.offsets_of(&asked, at)?;
        Ok(found.into_iter().map(|((_, p), offset)| (p, offset)).collect())
    }

    /// The earliest or end offsets of partitions of many topics: one ListOffsets v1 per leader.
    /// A leader that moved, or a partition its broker does not serve yet (a topic created a
    /// moment ago), is asked again after the leaders are read again, for up to about 3 s.
    pub(crate) fn offsets_of(
        &mut self,
        topics: &[(String, Vec<i32>)],
        at: At,
    ) -> Result<BTreeMap<(String, i32), i64>, Error> {
        let mut tries = 0;
        loop {
            match self.offsets_once(topics, at) {
                Err(Error::Refused { code, .. }) if stale_leader(code) && tries < 20 => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(150));
                    let names: Vec<String> = topics.iter().map(|(t, _)| t.clone()).collect();
                    self.refresh(Some(&names))?;
                }
                done => return done,
            }
        }
    }

    fn offsets_once(&mut self, topics: &[(String, Vec<i32>)], at: At) -> Result<BTreeMap<(String, i32), i64>, Error> {
        let timestamp = match at {
            At::Earliest => -2,
            At::End => -1,
        };
        let mut by_leader: BTreeMap<i32, BTreeMap<&str, Vec<i32>>> = BTreeMap::new();
        for (topic, partitions) in topics {
            for (leader, ps) in self.by_leader(topic, partitions.iter().copied())? {
                by_leader.entry(leader).or_default().entry(topic.as_str()).or_default().extend(ps);
            }
        }
        let mut out = BTreeMap::new();
        for (leader, topics) in by_leader {
            let topics = topics
                .iter()
                .map(|(topic, partitions)| {
                    let partitions = partitions
                        .iter()
                        .map(|&p| ListOffsetsPartition::default().with_partition_index(p).with_timestamp(timestamp))
                        .collect();
                    ListOffsetsTopic::default().with_name(name(topic)).with_partitions(partitions)
                })
                .collect();
            let request = ListOffsetsRequest::default().with_replica_id(BrokerId(-1)).with_topics(topics);
            for topic in self.link(leader)?.call(&request)?.topics {
                for p in topic.partitions {
                    if p.error_code != 0 {
                        return Err(Error::Refused {
                            what: format!("the offsets of partition {} of `{}`", p.partition_index, topic.name.0),
                            code: p.error_code,
                            message: String::new(),
                        });
                    }
                    out.insert((topic.name.0.to_string(), p.partition_index), p.offset);
                }
            }
        }
        Ok(out)
    }

    /// Records of a topic's partitions from the given offsets (Fetch, read committed, at each
    /// leader in turn). A leader waits up to `wait` for new records when it has none.
    pub(crate) fn fetch(
        &mut self,
        topic: &str,
        from: &BTreeMap<i32, i64>,
        wait: Duration,
    ) -> Result<Vec<Fetched>, Error> {
        let mut out = Vec::new();
        for (leader, partitions) in self.by_leader(topic, from.keys().copied())? {
            let partitions = partitions
                .iter()
                .map(|p| {
                    FetchPartition::default()
                        .with_partition(*p)
                        .with_fetch_offset(from[p])
                        .with_partition_max_bytes(PARTITION_MAX_BYTES)
                        .with_current_leader_epoch(-1)
                        .with_last_fetched_epoch(-1)
                        .with_log_start_offset(-1)
                })
                .collect();
            // Sessionless (epoch -1): every fetch names its partitions, as a CLI reads them.
            let request = FetchRequest::default()
                .with_replica_id(BrokerId(-1))
                .with_max_wait_ms(wait.as_millis().min(i32::MAX as u128) as i32)
                .with_min_bytes(1)
                .with_max_bytes(FETCH_MAX_BYTES)
                .with_isolation_level(1) // READ_COMMITTED, so aborted transactions are listed
                .with_session_id(0)
                .with_session_epoch(-1)
                .with_topics(vec![FetchTopic::default().with_topic(name(topic)).with_partitions(partitions)]);
            let answer = self.link(leader)?.call(&request)?;
            if answer.error_code != 0 {
                let code = answer.error_code;
                return Err(Error::Refused { what: format!("fetching from `{topic}`"), code, message: String::new() });
            }
            out.extend(answer.responses.into_iter().flat_map(|t| t.partitions).map(fetched));
        }
        Ok(out)
    }
}

fn fetched(p: PartitionData) -> Fetched {
    let aborted = p.aborted_transactions.unwrap_or_default();
    Fetched {
        partition: p.partition_index,
        error: p.error_code,
        high_watermark: p.high_watermark,
        aborted: aborted.iter().map(|a| (a.producer_id.0, a.first_offset)).collect(),
        records: p.records.unwrap_or_default(),
    }
}

impl Consumer {
    /// Writes one encoded record batch (`super::records::write`) to a partition's leader
    /// (Produce, acks=all): the offset of its first record. For the live tests and the
    /// benchmark, which need exact bytes on a topic (registry-framed Avro, garbage on purpose).
    pub fn produce(&mut self, topic: &str, partition: i32, batch: &[u8]) -> Result<i64, Error> {
        let leader = self.leader(topic, partition)?;
        let data =
            PartitionProduceData::default().with_index(partition).with_records(Some(Bytes::copy_from_slice(batch)));
        let request = ProduceRequest::default()
            .with_acks(-1) // all in-sync replicas
            .with_timeout_ms(self.timeout.as_millis().min(i32::MAX as u128) as i32)
            .with_topic_data(vec![TopicProduceData::default().with_name(name(topic)).with_partition_data(vec![data])]);
        let answer = self.link(leader)?.call(&request)?;
        let mut base = None;
        for topic in answer.responses {
            for p in topic.partition_responses {
                if p.error_code != 0 {
                    return Err(Error::Refused {
                        what: format!("writing to partition {} of `{}`", p.index, topic.name.0),
                        code: p.error_code,
                        message: message(p.error_message),
                    });
                }
                base = Some(p.base_offset);
            }
        }
        base.ok_or_else(|| Error::Protocol("Produce answered about no partition".into()))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bytes::BytesMut;
    use kafka_protocol::messages::api_versions_response::ApiVersion;
    use kafka_protocol::messages::fetch_response::{AbortedTransaction, FetchableTopicResponse};
    use kafka_protocol::messages::metadata_response::{
        MetadataResponseBroker, MetadataResponsePartition, MetadataResponseTopic,
    };
    use kafka_protocol::messages::{
        ApiKey, ApiVersionsRequest, ApiVersionsResponse, FetchResponse, ProducerId, RequestHeader, ResponseHeader,
    };
    use kafka_protocol::protocol::{Decodable, Encodable, Message};
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};

    pub(crate) type Seen = std::sync::Arc<std::sync::Mutex<Vec<(ApiKey, i16)>>>;

    /// A broker that answers what `answer` makes of each request (its key and version, and the
    /// broker's own address), on every connection; the requests it saw, `(key, version)`.
    pub(crate) fn broker(answer: impl Fn(ApiKey, i16, &str, &mut BytesMut) + Send + Sync + 'static) -> (String, Seen) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let seen = Seen::default();
        let (answer, own, log) = (std::sync::Arc::new(answer), address.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let (answer, own, log) = (answer.clone(), own.clone(), log.clone());
                std::thread::spawn(move || {
                    let mut stream = stream.unwrap();
                    while let Some((key, version, correlation)) = request(&mut stream) {
                        log.lock().unwrap().push((key, version));
                        let mut body = BytesMut::new();
                        ResponseHeader::default()
                            .with_correlation_id(correlation)
                            .encode(&mut body, key.response_header_version(version))
                            .unwrap();
                        answer(key, version, &own, &mut body);
                        stream.write_all(&(body.len() as i32).to_be_bytes()).unwrap();
                        stream.write_all(&body).unwrap();
                    }
                });
            }
        });
        (address, seen)
    }

    fn request(stream: &mut TcpStream) -> Option<(ApiKey, i16, i32)> {
        let mut size = [0; 4];
        stream.read_exact(&mut size).ok()?;
        let mut frame = vec![0; i32::from_be_bytes(size) as usize];
        stream.read_exact(&mut frame).ok()?;
        let key = ApiKey::try_from(i16::from_be_bytes([frame[0], frame[1]])).unwrap();
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        let header = RequestHeader::decode(&mut Bytes::from(frame), key.request_header_version(version)).unwrap();
        Some((key, version, header.correlation_id))
    }

    /// An ApiVersions answer serving each `(key, newest version)` of `apis`.
    pub(crate) fn serving(apis: &[(ApiKey, i16)]) -> ApiVersionsResponse {
        let api = |&(k, max): &(ApiKey, i16)| ApiVersion::default().with_api_key(k as i16).with_max_version(max);
        ApiVersionsResponse::default().with_api_keys(apis.iter().map(api).collect())
    }

    /// What a Kafka 4 broker serves: every version the crate knows.
    fn versions() -> ApiVersionsResponse {
        let keys = [ApiKey::ApiVersions, ApiKey::Metadata, ApiKey::Fetch, ApiKey::ListOffsets];
        let api = |k: ApiKey| {
            let (min, max) = match k {
                ApiKey::ApiVersions => (0, ApiVersionsRequest::VERSIONS.max),
                ApiKey::Metadata => (0, MetadataRequest::VERSIONS.max),
                ApiKey::Fetch => (4, FetchRequest::VERSIONS.max),
                _ => (1, ListOffsetsRequest::VERSIONS.max),
            };
            ApiVersion::default().with_api_key(k as i16).with_min_version(min).with_max_version(max)
        };
        ApiVersionsResponse::default().with_api_keys(keys.into_iter().map(api).collect())
    }

    /// Topic `t`: partition 0 without a leader, partition 1 led by broker 1 at `leader`.
    fn metadata(leader: &str) -> MetadataResponse {
        let partition = |index| {
            MetadataResponsePartition::default()
                .with_partition_index(index)
                .with_leader_id(BrokerId(if index == 0 { -1 } else { 1 }))
                .with_replica_nodes(vec![BrokerId(1)])
        };
        let (host, port) = leader.rsplit_once(':').unwrap();
        let broker = MetadataResponseBroker::default().with_node_id(BrokerId(1)).with_host(text(host));
        MetadataResponse::default().with_brokers(vec![broker.with_port(port.parse().unwrap())]).with_topics(vec![
            MetadataResponseTopic::default()
                .with_name(Some(name("t")))
                .with_partitions(vec![partition(1), partition(0)]),
            MetadataResponseTopic::default().with_name(Some(name("gone"))).with_error_code(UNKNOWN_TOPIC_OR_PARTITION),
        ])
    }

    fn fetch_answer() -> FetchResponse {
        let records = crate::deploy::records::write::Batch::plain(7, &[(None, Some(b"v"))]).encode();
        let partition = PartitionData::default()
            .with_partition_index(1)
            .with_high_watermark(8)
            .with_aborted_transactions(Some(vec![
                AbortedTransaction::default().with_producer_id(ProducerId(3)).with_first_offset(2),
            ]))
            .with_records(Some(Bytes::from(records)));
        let topic = FetchableTopicResponse::default().with_topic(name("t")).with_partitions(vec![partition]);
        FetchResponse::default().with_responses(vec![topic])
    }

    #[test]
    fn requests_go_at_the_newest_version_both_speak_and_answers_are_read() {
        let (address, seen) = broker(|key, version, own, body| match key {
            ApiKey::ApiVersions => versions().encode(body, version).unwrap(),
            ApiKey::Metadata => metadata(own).encode(body, version).unwrap(),
            _ => fetch_answer().encode(body, version).unwrap(),
        });
        let mut consumer = Consumer::new(vec![address.clone()], Duration::from_secs(5));
        let cluster = consumer.refresh(Some(&["t".to_string(), "gone".to_string()])).unwrap();
        assert_eq!(cluster.brokers[&1], address);
        let partitions: Vec<(i32, i32)> = cluster.topics["t"].partitions.iter().map(|p| (p.index, p.leader)).collect();
        assert_eq!(partitions, [(0, -1), (1, 1)]);
        assert!(!cluster.topics.contains_key("gone"));
        let fetched = consumer.fetch("t", &BTreeMap::from([(1, 7)]), Duration::ZERO).unwrap();
        assert_eq!(fetched.len(), 1);
        assert_eq!((fetched[0].partition, fetched[0].high_watermark, &fetched[0].aborted[..]), (1, 8, &[(3, 2)][..]));
        let batches = crate::deploy::records::decode(&fetched[0].records, &fetched[0].aborted).unwrap();
        assert_eq!(batches.records[0].value.as_deref(), Some(&b"v"[..]));
        assert_eq!(batches.next, Some(8));
        // A partition without a leader is refused before anything is sent.
        assert!(consumer.fetch("t", &BTreeMap::from([(0, 0)]), Duration::ZERO).is_err());
        let seen = seen.lock().unwrap().clone();
        // Two connections (bootstrap, leader), each negotiating first; Fetch capped at 12,
        // the last version that names topics (13 names them by id).
        assert_eq!(
            seen,
            [
                (ApiKey::ApiVersions, 3),
                (ApiKey::Metadata, MetadataRequest::VERSIONS.max),
                (ApiKey::ApiVersions, 3),
                (ApiKey::Fetch, 12),
            ]
        );
    }

    #[test]
    fn an_unknown_api_is_refused_in_words() {
        let (address, _) = broker(|key, version, _, body| match key {
            ApiKey::ApiVersions => versions().encode(body, version).unwrap(),
            _ => unreachable!("nothing else is asked"),
        });
        let mut admin = Admin::new(vec![address.clone()], Duration::from_secs(5));
        let error = admin.configs(&["t".into()]).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "Kafka answered something venice cannot read: the broker at {address} does not serve DescribeConfigs"
            )
        );
    }

    /// A broker that serves CreateTopics and DeleteTopics, answering each topic of a batch on its
    /// own: made, existing, refused, or (`silent`) not named in the answer.
    #[test]
    fn a_batch_answer_is_read_topic_by_topic_in_the_order_asked() {
        use kafka_protocol::messages::create_topics_response::CreatableTopicResult;
        use kafka_protocol::messages::delete_topics_response::DeletableTopicResult;
        use kafka_protocol::messages::{CreateTopicsResponse, DeleteTopicsResponse};
        let (address, seen) = broker(|key, version, _, body| match key {
            ApiKey::ApiVersions => serving(&[
                (ApiKey::ApiVersions, 3),
                (ApiKey::CreateTopics, CreateTopicsRequest::VERSIONS.max),
                (ApiKey::DeleteTopics, DeleteTopicsRequest::VERSIONS.max),
            ])
            .encode(body, version)
            .unwrap(),
            ApiKey::CreateTopics => {
                let result = |n: &str, code| CreatableTopicResult::default().with_name(name(n)).with_error_code(code);
                let topics = vec![
                    result("refused", 38)
                        .with_error_message(Some(text("Replication factor: 3 larger than available brokers: 1."))),
                    result("made", 0),
                    result("there", TOPIC_ALREADY_EXISTS),
                ];
                CreateTopicsResponse::default().with_topics(topics).encode(body, version).unwrap()
            }
            _ => {
                let result =
                    |n: &str, code| DeletableTopicResult::default().with_name(Some(name(n))).with_error_code(code);
                let responses =
                    vec![result("gone", UNKNOWN_TOPIC_OR_PARTITION), result("deleted", 0), result("denied", 29)];
                DeleteTopicsResponse::default().with_responses(responses).encode(body, version).unwrap()
            }
        });
        let mut admin = Admin::new(vec![address], Duration::from_secs(5));
        let topic =
            |name: &str| NewTopic { name: name.into(), partitions: 1, replication: 1, configs: BTreeMap::new() };
        let created = admin.create_topics(&[topic("made"), topic("there"), topic("refused"), topic("silent")]).unwrap();
        assert_eq!(created[0], Ok(true));
        assert_eq!(created[1], Ok(false));
        assert_eq!(
            created[2].as_ref().unwrap_err().to_string(),
            "Kafka refused creating topic `refused`: INVALID_REPLICATION_FACTOR (38): Replication factor: 3 larger than available brokers: 1."
        );
        assert_eq!(
            created[3].as_ref().unwrap_err().to_string(),
            "Kafka answered something venice cannot read: CreateTopics answered nothing about `silent`"
        );
        let names: Vec<String> = ["deleted", "gone", "denied"].map(String::from).to_vec();
        let deleted = admin.delete_topics(&names).unwrap();
        assert_eq!(deleted[..2], [Ok(()), Ok(())]);
        assert_eq!(
            deleted[2].as_ref().unwrap_err().to_string(),
            "Kafka refused deleting topic `denied`: TOPIC_AUTHORIZATION_FAILED (29)"
        );
        // One request each, whatever the number of topics.
        let seen = seen.lock().unwrap().iter().map(|(key, _)| *key).collect::<Vec<_>>();
        assert_eq!(seen, [ApiKey::ApiVersions, ApiKey::CreateTopics, ApiKey::DeleteTopics]);
    }

    #[test]
    fn a_closed_port_is_unreachable_and_named() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut admin = Admin::new(vec![format!("127.0.0.1:{port}")], Duration::from_secs(1));
        let error = admin.ping().unwrap_err();
        assert_eq!(error.to_string(), format!("Kafka is not answering at 127.0.0.1:{port} (connection refused)"));
    }
}
