//! A Kafka admin client that speaks the Kafka protocol itself, over one TCP connection: the five
//! requests `plan` and `apply` need, each at a non-flexible version that Kafka 2.x to 4.x serve
//! (Kafka 4.0 dropped the oldest versions, KIP-896):
//!
//! | request | key | version | for |
//! |---|---|---|---|
//! | Metadata | 3 | 4 | partitions and replicas of topics, without auto-creating them |
//! | CreateTopics | 19 | 2 | new topics with their configs |
//! | DeleteTopics | 20 | 1 | `--prune` |
//! | DescribeConfigs | 32 | 1 | topic configs with their source (a default or set on the topic) |
//! | CreatePartitions | 37 | 0 | more partitions |
//! | IncrementalAlterConfigs | 44 | 0 | set and delete topic configs |
//! | ListOffsets | 2 | 1 | earliest and end offsets (`venice topics`, `tail`; 4.0 dropped v0) |
//! | Fetch | 1 | 4 | records, read committed (`venice tail`, `doctor`; v4 is 4.0's oldest) |
//! | Produce | 0 | 3 | a record batch, acks=all (the live tests and the `tail` benchmark; v3 is 4.0's oldest) |
//! | ListGroups | 16 | 2 | the consumer groups each broker coordinates (`venice import`) |
//! | FindCoordinator | 10 | 2 | the broker that coordinates a group (v0 is deprecated) |
//! | OffsetFetch | 9 | 5 | a group's committed offsets, every topic (null topics, v2+; 4.0 dropped v0) |
//!
//! Schemas from the protocol guide (kafka.apache.org/protocol) and the JSON message definitions
//! in Kafka's `clients/src/main/resources/common/message/`. In a KRaft cluster any broker
//! forwards admin requests to the controller, so the first bootstrap server that answers does.
//! ListOffsets and Fetch must go to each partition's leader: [`Consumer`] reads the leaders from
//! Metadata and keeps one connection per broker. The record batches a Fetch returns are decoded
//! by `super::records`. No TLS or SASL: a target that needs them is a known gap (the report
//! says so).

use super::wire::Reader;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
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
        }
    }
}

impl From<super::wire::Malformed> for Error {
    fn from(m: super::wire::Malformed) -> Self {
        Error::Protocol(m.0)
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
        36 => "TOPIC_ALREADY_EXISTS",
        37 => "INVALID_PARTITIONS",
        38 => "INVALID_REPLICATION_FACTOR",
        40 => "INVALID_CONFIG",
        41 => "NOT_CONTROLLER",
        42 => "INVALID_REQUEST",
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
    link: Link,
}

/// One connection to a broker (the first of `servers` that answers), opened on first use and
/// dropped after a failure so the next request opens it again. Requests are answered in order.
struct Link {
    servers: Vec<String>,
    timeout: Duration,
    stream: Option<TcpStream>,
    correlation: i32,
}

/// Request bodies, big-endian, the protocol's non-flexible encodings.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn i8(&mut self, v: i8) -> &mut Self {
        self.0.push(v as u8);
        self
    }
    fn i16(&mut self, v: i16) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i32(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i64(&mut self, v: i64) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn bool(&mut self, v: bool) -> &mut Self {
        self.0.push(u8::from(v));
        self
    }
    fn string(&mut self, v: &str) -> &mut Self {
        self.i16(v.len() as i16);
        self.0.extend_from_slice(v.as_bytes());
        self
    }
    fn nullable_string(&mut self, v: Option<&str>) -> &mut Self {
        match v {
            Some(v) => self.string(v),
            None => self.i16(-1),
        }
    }
    fn len(&mut self, n: usize) -> &mut Self {
        self.i32(n as i32)
    }
}

impl Link {
    fn new(servers: Vec<String>, timeout: Duration) -> Link {
        Link { servers, timeout, stream: None, correlation: 0 }
    }

    fn unreachable(&self, reason: String) -> Error {
        Error::Unreachable(super::http::Unreachable { service: "Kafka", at: self.servers.join(","), reason })
    }

    fn connect(&mut self) -> Result<&mut TcpStream, Error> {
        if self.stream.is_none() {
            let mut last = "no bootstrap server".to_string();
            for server in &self.servers {
                let addresses = match server.to_socket_addrs() {
                    Ok(a) => a.collect::<Vec<_>>(),
                    Err(e) => {
                        last = format!("{server}: {e}");
                        continue;
                    }
                };
                for address in addresses {
                    match TcpStream::connect_timeout(&address, self.timeout.min(Duration::from_secs(5))) {
                        Ok(stream) => {
                            let _ = stream.set_read_timeout(Some(self.timeout));
                            let _ = stream.set_write_timeout(Some(self.timeout));
                            let _ = stream.set_nodelay(true);
                            self.stream = Some(stream);
                            break;
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                            last = "connection refused".into()
                        }
                        Err(e) => last = e.to_string(),
                    }
                }
                if self.stream.is_some() {
                    break;
                }
            }
            if self.stream.is_none() {
                return Err(self.unreachable(last));
            }
        }
        Ok(self.stream.as_mut().expect("connected"))
    }

    /// Sends one request (header v1: key, version, correlation id, client id) and reads the
    /// answer's body (after its correlation id, header v0).
    fn call(&mut self, key: i16, version: i16, body: &Writer) -> Result<Vec<u8>, Error> {
        self.correlation = self.correlation.wrapping_add(1);
        let correlation = self.correlation;
        let mut frame = Writer::default();
        frame.i16(key).i16(version).i32(correlation).string("venice");
        frame.0.extend_from_slice(&body.0);
        let mut message = (frame.0.len() as i32).to_be_bytes().to_vec();
        message.extend_from_slice(&frame.0);
        let stream = self.connect()?;
        let result = (|| -> std::io::Result<Vec<u8>> {
            stream.write_all(&message)?;
            let mut size = [0; 4];
            stream.read_exact(&mut size)?;
            let size = i32::from_be_bytes(size);
            if !(4..=MAX_ANSWER).contains(&size) {
                return Err(std::io::Error::other(format!("an answer of {size} bytes")));
            }
            let mut answer = vec![0; size as usize];
            stream.read_exact(&mut answer)?;
            Ok(answer)
        })();
        let mut answer = match result {
            Ok(answer) => answer,
            Err(e) => {
                self.stream = None;
                let reason = match e.kind() {
                    std::io::ErrorKind::UnexpectedEof => "the connection closed".to_string(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => "timed out".to_string(),
                    _ => e.to_string(),
                };
                return Err(self.unreachable(reason));
            }
        };
        let got = i32::from_be_bytes(answer[0..4].try_into().expect("four bytes"));
        if got != correlation {
            self.stream = None;
            return Err(Error::Protocol(format!("correlation id {got}, expected {correlation}")));
        }
        answer.drain(..4);
        Ok(answer)
    }
}

/// The largest answer read: a Fetch asks for at most [`FETCH_MAX_BYTES`], plus headers.
const MAX_ANSWER: i32 = 64 * 1024 * 1024;

impl Admin {
    pub fn new(bootstrap: Vec<String>, timeout: Duration) -> Admin {
        Admin { link: Link::new(bootstrap, timeout), timeout }
    }

    fn call(&mut self, key: i16, version: i16, body: &Writer) -> Result<Vec<u8>, Error> {
        self.link.call(key, version, body)
    }

    /// Answers when a broker does (ApiVersions v0).
    pub fn ping(&mut self) -> Result<(), Error> {
        let answer = self.call(18, 0, &Writer::default())?;
        let code = Reader::new(&answer).i16()?;
        if code != 0 {
            return Err(Error::Refused { what: "ApiVersions".into(), code, message: String::new() });
        }
        Ok(())
    }

    /// Partitions and replication of the named topics that exist (Metadata v4, no auto-creation).
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

    /// The configs of topics (DescribeConfigs v1, every key, without synonyms).
    pub fn configs(&mut self, topics: &[String]) -> Result<BTreeMap<String, BTreeMap<String, ConfigEntry>>, Error> {
        let mut out = BTreeMap::new();
        if topics.is_empty() {
            return Ok(out);
        }
        let mut body = Writer::default();
        body.len(topics.len());
        for topic in topics {
            body.i8(2).string(topic).i32(-1);
        }
        body.bool(false);
        let answer = self.call(32, 1, &body)?;
        let mut r = Reader::new(&answer);
        r.i32()?;
        for _ in 0..r.array()? {
            let code = r.i16()?;
            let message = r.nullable_string()?.unwrap_or_default();
            r.i8()?;
            let name = r.string()?;
            let mut entries = BTreeMap::new();
            for _ in 0..r.array()? {
                let key = r.string()?;
                let value = r.nullable_string()?;
                r.bool()?; // read_only
                let source = r.i8()?;
                let sensitive = r.bool()?;
                for _ in 0..r.array()? {
                    r.string()?;
                    r.nullable_string()?;
                    r.i8()?;
                }
                entries.insert(key, ConfigEntry { value, source, sensitive });
            }
            if code != 0 {
                return Err(Error::Refused { what: format!("describing the configs of `{name}`"), code, message });
            }
            out.insert(name, entries);
        }
        Ok(out)
    }

    /// Creates a topic (CreateTopics v2). An existing topic is `Ok(false)`.
    pub fn create_topic(&mut self, topic: &NewTopic) -> Result<bool, Error> {
        let mut body = Writer::default();
        body.len(1).string(&topic.name).i32(topic.partitions as i32).i16(topic.replication as i16);
        body.len(0); // assignments
        body.len(topic.configs.len());
        for (k, v) in &topic.configs {
            body.string(k).nullable_string(Some(v));
        }
        body.i32(self.timeout.as_millis() as i32).bool(false);
        let answer = self.call(19, 2, &body)?;
        let mut r = Reader::new(&answer);
        r.i32()?;
        if r.array()? == 0 {
            return Err(Error::Protocol("CreateTopics answered about no topic".into()));
        }
        let name = r.string()?;
        let code = r.i16()?;
        let message = r.nullable_string()?.unwrap_or_default();
        match code {
            0 => Ok(true),
            TOPIC_ALREADY_EXISTS => Ok(false),
            code => Err(Error::Refused { what: format!("creating topic `{name}`"), code, message }),
        }
    }

    /// Raises a topic's partition count (CreatePartitions v0).
    pub fn add_partitions(&mut self, topic: &str, count: u32) -> Result<(), Error> {
        let mut body = Writer::default();
        body.len(1).string(topic).i32(count as i32).i32(-1);
        body.i32(self.timeout.as_millis() as i32).bool(false);
        let answer = self.call(37, 0, &body)?;
        let mut r = Reader::new(&answer);
        r.i32()?;
        for _ in 0..r.array()? {
            let name = r.string()?;
            let code = r.i16()?;
            let message = r.nullable_string()?.unwrap_or_default();
            if code != 0 {
                return Err(Error::Refused { what: format!("adding partitions to `{name}`"), code, message });
            }
        }
        Ok(())
    }

    /// Sets and deletes configs of a topic (IncrementalAlterConfigs v0).
    pub fn alter_configs(&mut self, topic: &str, ops: &BTreeMap<String, ConfigOp>) -> Result<(), Error> {
        let mut body = Writer::default();
        body.len(1).i8(2).string(topic).len(ops.len());
        for (key, op) in ops {
            match op {
                ConfigOp::Set(v) => body.string(key).i8(0).nullable_string(Some(v)),
                ConfigOp::Delete => body.string(key).i8(1).nullable_string(None),
            };
        }
        body.bool(false);
        let answer = self.call(44, 0, &body)?;
        let mut r = Reader::new(&answer);
        r.i32()?;
        for _ in 0..r.array()? {
            let code = r.i16()?;
            let message = r.nullable_string()?.unwrap_or_default();
            r.i8()?;
            let name = r.string()?;
            if code != 0 {
                return Err(Error::Refused { what: format!("altering the configs of `{name}`"), code, message });
            }
        }
        Ok(())
    }

    /// Deletes a topic (DeleteTopics v1); one that is already gone is fine.
    pub fn delete_topic(&mut self, topic: &str) -> Result<(), Error> {
        let mut body = Writer::default();
        body.len(1).string(topic).i32(self.timeout.as_millis() as i32);
        let answer = self.call(20, 1, &body)?;
        let mut r = Reader::new(&answer);
        r.i32()?;
        for _ in 0..r.array()? {
            let name = r.string()?;
            let code = r.i16()?;
            if code != 0 && code != UNKNOWN_TOPIC_OR_PARTITION {
                return Err(Error::Refused { what: format!("deleting topic `{name}`"), code, message: String::new() });
            }
        }
        Ok(())
    }
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
    /// Every consumer group with the topics it committed offsets on: ListGroups v2 at each
    /// broker (a broker lists the groups it coordinates), then FindCoordinator v2 and
    /// OffsetFetch v5 (every topic: a null topic array) at each group's coordinator. Encoded
    /// as `ListGroupsRequest.json`, `FindCoordinatorRequest.json` and `OffsetFetchRequest.json`
    /// of Kafka's `clients/src/main/resources/common/message/` define those versions (all
    /// below their first flexible version, 3, 3 and 6).
    pub(crate) fn groups(&mut self) -> Result<BTreeMap<String, Group>, Error> {
        let cluster = self.metadata(Some(&[]))?;
        let mut out = BTreeMap::new();
        for address in cluster.brokers.values() {
            let mut link = Link::new(vec![address.clone()], self.timeout);
            let answer = link.call(16, 2, &Writer::default())?;
            for (id, protocol_type) in read_list_groups(&answer)? {
                out.insert(id, Group { protocol_type, committed: BTreeMap::new() });
            }
        }
        for (id, group) in &mut out {
            let mut body = Writer::default();
            body.string(id).i8(0); // key type 0: a group
            let coordinator = read_find_coordinator(&self.call(10, 2, &body)?, id)?;
            let mut link = Link::new(vec![coordinator], self.timeout);
            let mut body = Writer::default();
            body.string(id).i32(-1); // every topic
            group.committed = read_offset_fetch(&link.call(9, 5, &body)?, id)?;
        }
        Ok(out)
    }
}

/// ListGroups v2: throttle_time_ms, error_code, [group_id, protocol_type].
fn read_list_groups(answer: &[u8]) -> Result<Vec<(String, String)>, Error> {
    let mut r = Reader::new(answer);
    r.i32()?;
    let code = r.i16()?;
    if code != 0 {
        return Err(Error::Refused { what: "listing the consumer groups".into(), code, message: String::new() });
    }
    let mut groups = Vec::new();
    for _ in 0..r.array()? {
        groups.push((r.string()?, r.string()?));
    }
    Ok(groups)
}

/// FindCoordinator v2: throttle_time_ms, error_code, error_message, node_id, host, port.
fn read_find_coordinator(answer: &[u8], group: &str) -> Result<String, Error> {
    let mut r = Reader::new(answer);
    r.i32()?;
    let code = r.i16()?;
    let message = r.nullable_string()?.unwrap_or_default();
    r.i32()?;
    let host = r.string()?;
    let port = r.i32()?;
    if code != 0 {
        return Err(Error::Refused { what: format!("finding the coordinator of group `{group}`"), code, message });
    }
    Ok(if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") })
}

/// OffsetFetch v5: throttle_time_ms, [topic, [partition, committed_offset, committed_leader_epoch,
/// metadata, error_code]], error_code. A partition without a commit answers offset -1.
fn read_offset_fetch(answer: &[u8], group: &str) -> Result<BTreeMap<String, Vec<i32>>, Error> {
    let mut r = Reader::new(answer);
    r.i32()?;
    let mut committed: BTreeMap<String, Vec<i32>> = BTreeMap::new();
    for _ in 0..r.array()? {
        let topic = r.string()?;
        for _ in 0..r.array()? {
            let partition = r.i32()?;
            let offset = r.i64()?;
            r.i32()?;
            r.nullable_string()?;
            let code = r.i16()?;
            if code == 0 && offset >= 0 {
                committed.entry(topic.clone()).or_default().push(partition);
            }
        }
    }
    let code = r.i16()?;
    if code != 0 {
        return Err(Error::Refused {
            what: format!("reading the offsets of group `{group}`"),
            code,
            message: String::new(),
        });
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
    pub(crate) records: Vec<u8>,
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
    /// (Metadata v4, no auto-creation). A topic the cluster does not have is left out.
    pub(crate) fn metadata(&mut self, names: Option<&[String]>) -> Result<Cluster, Error> {
        let mut body = Writer::default();
        match names {
            None => {
                body.i32(-1);
            }
            Some(names) => {
                body.len(names.len());
                for name in names {
                    body.string(name);
                }
            }
        }
        body.bool(false);
        let answer = self.call(3, 4, &body)?;
        read_metadata(&answer)
    }
}

fn read_metadata(answer: &[u8]) -> Result<Cluster, Error> {
    let mut r = Reader::new(answer);
    r.i32()?; // throttle_time_ms
    let mut cluster = Cluster::default();
    for _ in 0..r.array()? {
        let node = r.i32()?;
        let host = r.string()?;
        let port = r.i32()?;
        r.nullable_string()?; // rack
        // An IPv6 host needs brackets to be a socket address.
        let address = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        cluster.brokers.insert(node, address);
    }
    r.nullable_string()?; // cluster_id
    r.i32()?; // controller_id
    for _ in 0..r.array()? {
        let code = r.i16()?;
        let name = r.string()?;
        let internal = r.bool()?;
        let mut partitions = Vec::new();
        for _ in 0..r.array()? {
            r.i16()?; // error_code: a partition without a leader says so in `leader`
            let index = r.i32()?;
            let leader = r.i32()?;
            let mut replicas = Vec::new();
            for _ in 0..r.array()? {
                replicas.push(r.i32()?);
            }
            let mut isr = Vec::new();
            for _ in 0..r.array()? {
                isr.push(r.i32()?);
            }
            partitions.push(PartitionMeta { index, leader, replicas, isr });
        }
        partitions.sort_by_key(|p| p.index);
        match code {
            0 => {
                cluster.topics.insert(name, TopicMeta { internal, partitions });
            }
            UNKNOWN_TOPIC_OR_PARTITION => {}
            code => {
                return Err(Error::Refused {
                    what: format!("describing topic `{name}`"),
                    code,
                    message: String::new(),
                });
            }
        }
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
        Consumer { admin: Admin::new(bootstrap, timeout), timeout, links: BTreeMap::new(), cluster: Cluster::default() }
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
        let timeout = self.timeout;
        Ok(self.links.entry(node).or_insert_with(|| Link::new(vec![address.clone()], timeout)))
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
            let mut body = Writer::default();
            body.i32(-1).len(topics.len());
            for (topic, partitions) in &topics {
                body.string(topic).len(partitions.len());
                for p in partitions {
                    body.i32(*p).i64(timestamp);
                }
            }
            let answer = self.link(leader)?.call(2, 1, &body)?;
            let mut r = Reader::new(&answer);
            for _ in 0..r.array()? {
                let name = r.string()?;
                for _ in 0..r.array()? {
                    let partition = r.i32()?;
                    let code = r.i16()?;
                    r.i64()?; // timestamp
                    let offset = r.i64()?;
                    if code != 0 {
                        return Err(Error::Refused {
                            what: format!("the offsets of partition {partition} of `{name}`"),
                            code,
                            message: String::new(),
                        });
                    }
                    out.insert((name.clone(), partition), offset);
                }
            }
        }
        Ok(out)
    }

    /// Records of a topic's partitions from the given offsets (Fetch v4, read committed, at each
    /// leader in turn). A leader waits up to `wait` for new records when it has none.
    pub(crate) fn fetch(
        &mut self,
        topic: &str,
        from: &BTreeMap<i32, i64>,
        wait: Duration,
    ) -> Result<Vec<Fetched>, Error> {
        let mut out = Vec::new();
        for (leader, partitions) in self.by_leader(topic, from.keys().copied())? {
            let mut body = Writer::default();
            body.i32(-1) // replica_id: a consumer
                .i32(wait.as_millis().min(i32::MAX as u128) as i32)
                .i32(1) // min_bytes
                .i32(FETCH_MAX_BYTES)
                .i8(1) // isolation_level: READ_COMMITTED, so aborted transactions are listed
                .len(1)
                .string(topic)
                .len(partitions.len());
            for p in &partitions {
                body.i32(*p).i64(from[p]).i32(PARTITION_MAX_BYTES);
            }
            let answer = self.link(leader)?.call(1, 4, &body)?;
            out.extend(read_fetch(&answer)?);
        }
        Ok(out)
    }
}

impl Consumer {
    /// Writes one encoded record batch (`super::records::write`) to a partition's leader
    /// (Produce v3, acks=all): the offset of its first record. For the live tests and the
    /// benchmark, which need exact bytes on a topic (registry-framed Avro, garbage on purpose).
    pub fn produce(&mut self, topic: &str, partition: i32, batch: &[u8]) -> Result<i64, Error> {
        let leader = self.leader(topic, partition)?;
        let mut body = Writer::default();
        body.nullable_string(None) // transactional_id
            .i16(-1) // acks: all in-sync replicas
            .i32(self.timeout.as_millis().min(i32::MAX as u128) as i32)
            .len(1)
            .string(topic)
            .len(1)
            .i32(partition)
            .len(batch.len());
        body.0.extend_from_slice(batch);
        let answer = self.link(leader)?.call(0, 3, &body)?;
        let mut r = Reader::new(&answer);
        let mut base = None;
        for _ in 0..r.array()? {
            let name = r.string()?;
            for _ in 0..r.array()? {
                let partition = r.i32()?;
                let code = r.i16()?;
                let offset = r.i64()?;
                r.i64()?; // log_append_time_ms
                if code != 0 {
                    return Err(Error::Refused {
                        what: format!("writing to partition {partition} of `{name}`"),
                        code,
                        message: String::new(),
                    });
                }
                base = Some(offset);
            }
        }
        base.ok_or_else(|| Error::Protocol("Produce answered about no partition".into()))
    }
}

fn read_fetch(answer: &[u8]) -> Result<Vec<Fetched>, Error> {
    let mut r = Reader::new(answer);
    r.i32()?; // throttle_time_ms
    let mut out = Vec::new();
    for _ in 0..r.array()? {
        r.string()?; // topic
        for _ in 0..r.array()? {
            let partition = r.i32()?;
            let error = r.i16()?;
            let high_watermark = r.i64()?;
            r.i64()?; // last_stable_offset
            let mut aborted = Vec::new();
            for _ in 0..r.array()? {
                let producer = r.i64()?;
                let first = r.i64()?;
                aborted.push((producer, first));
            }
            let records = r.bytes()?.to_vec();
            out.push(Fetched { partition, error, high_watermark, aborted, records });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_or_garbled_answer_is_an_error_not_a_panic() {
        let mut r = Reader::new(&[0, 0, 0, 1, 0]);
        assert_eq!(r.i32().unwrap(), 1);
        assert!(r.i16().is_err());
        // An array that claims more items than bytes left.
        let mut r = Reader::new(&[0x7f, 0xff, 0xff, 0xff]);
        assert!(r.array().is_err());
        let mut r = Reader::new(&[0xff, 0xff]);
        assert_eq!(r.nullable_string().unwrap(), None);
    }

    #[test]
    fn requests_are_encoded_as_the_protocol_says() {
        let mut w = Writer::default();
        w.string("ab").nullable_string(None).i32(-1).bool(true).i8(2);
        assert_eq!(w.0, [0, 2, b'a', b'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2]);
    }

    #[test]
    fn metadata_and_fetch_answers_are_read_as_the_protocol_says() {
        // Metadata v4: one broker, one topic with two partitions (listed out of order).
        let mut w = Writer::default();
        w.i32(0).len(1).i32(1).string("localhost").i32(9092).nullable_string(None);
        w.nullable_string(Some("c")).i32(1);
        w.len(1).i16(0).string("t").bool(false).len(2);
        w.i16(0).i32(1).i32(1).len(1).i32(1).len(1).i32(1);
        w.i16(0).i32(0).i32(-1).len(1).i32(1).len(0);
        let cluster = read_metadata(&w.0).unwrap();
        assert_eq!(cluster.brokers[&1], "localhost:9092");
        let t = &cluster.topics["t"];
        assert_eq!(t.partitions.iter().map(|p| (p.index, p.leader)).collect::<Vec<_>>(), [(0, -1), (1, 1)]);
        assert!(read_metadata(&w.0[..w.0.len() - 3]).is_err());

        // Fetch v4: one partition with one aborted transaction and three bytes of records.
        let mut w = Writer::default();
        w.i32(0).len(1).string("t").len(1).i32(0).i16(0).i64(42).i64(40);
        w.len(1).i64(7).i64(30).i32(3);
        w.0.extend_from_slice(&[1, 2, 3]);
        let fetched = read_fetch(&w.0).unwrap();
        assert_eq!(
            fetched,
            [Fetched { partition: 0, error: 0, high_watermark: 42, aborted: vec![(7, 30)], records: vec![1, 2, 3] }]
        );
        for cut in 0..w.0.len() {
            assert!(read_fetch(&w.0[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn group_answers_are_read_as_the_message_definitions_say() {
        // ListGroups v2: two groups.
        let mut w = Writer::default();
        w.i32(0).i16(0).len(2).string("billing").string("consumer").string("connect-sink").string("consumer");
        assert_eq!(
            read_list_groups(&w.0).unwrap(),
            [("billing".to_string(), "consumer".to_string()), ("connect-sink".into(), "consumer".into())]
        );
        // FindCoordinator v2.
        let mut w = Writer::default();
        w.i32(0).i16(0).nullable_string(None).i32(1).string("localhost").i32(9092);
        assert_eq!(read_find_coordinator(&w.0, "g").unwrap(), "localhost:9092");
        let mut w = Writer::default();
        w.i32(0).i16(15).nullable_string(Some("not available")).i32(-1).string("").i32(-1);
        assert!(read_find_coordinator(&w.0, "g").unwrap_err().to_string().contains("not available"));
        // OffsetFetch v5: partition 0 committed, partition 1 not (-1).
        let mut w = Writer::default();
        w.i32(0).len(1).string("orders").len(2);
        w.i32(0).i64(42).i32(-1).nullable_string(Some("")).i16(0);
        w.i32(1).i64(-1).i32(-1).nullable_string(None).i16(0);
        w.i16(0);
        assert_eq!(read_offset_fetch(&w.0, "g").unwrap(), BTreeMap::from([("orders".to_string(), vec![0])]));
        for cut in 0..w.0.len() {
            assert!(read_offset_fetch(&w.0[..cut], "g").is_err(), "cut at {cut}");
        }
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
