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
//!
//! Schemas from the protocol guide (kafka.apache.org/protocol) and the JSON message definitions
//! in Kafka's `clients/src/main/resources/common/message/`. In a KRaft cluster any broker
//! forwards admin requests to the controller, so the first bootstrap server that answers does.
//! No TLS or SASL: a target that needs them is a known gap (the report says so).

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

/// The names of the error codes an admin sees most (kafka.apache.org/protocol, "Error Codes").
pub fn error_name(code: i16) -> &'static str {
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

pub const TOPIC_ALREADY_EXISTS: i16 = 36;
pub const UNKNOWN_TOPIC_OR_PARTITION: i16 = 3;

/// `DescribeConfigs` v1's config sources.
pub const DYNAMIC_TOPIC_CONFIG: i8 = 1;

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
    pub bootstrap: Vec<String>,
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

/// Reads an answer; every read is bounds-checked, so a short or garbled answer is an error.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| Error::Protocol(format!("the answer ends early (at byte {})", self.at)))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    fn i8(&mut self) -> Result<i8, Error> {
        Ok(self.take(1)?[0] as i8)
    }
    fn i16(&mut self) -> Result<i16, Error> {
        Ok(i16::from_be_bytes(self.take(2)?.try_into().expect("two bytes")))
    }
    fn i32(&mut self) -> Result<i32, Error> {
        Ok(i32::from_be_bytes(self.take(4)?.try_into().expect("four bytes")))
    }
    fn bool(&mut self) -> Result<bool, Error> {
        Ok(self.take(1)?[0] != 0)
    }
    fn nullable_string(&mut self) -> Result<Option<String>, Error> {
        let n = self.i16()?;
        if n < 0 {
            return Ok(None);
        }
        Ok(Some(String::from_utf8_lossy(self.take(n as usize)?).into_owned()))
    }
    fn string(&mut self) -> Result<String, Error> {
        Ok(self.nullable_string()?.unwrap_or_default())
    }
    /// An array's length; a null array (-1) is empty. Bounded by what is left, so a garbled
    /// length cannot make the reader allocate or loop for long.
    fn array(&mut self) -> Result<usize, Error> {
        let n = self.i32()?;
        if n < 0 {
            return Ok(0);
        }
        let n = n as usize;
        if n > self.bytes.len() - self.at {
            return Err(Error::Protocol(format!("an array of {n} items in {} bytes", self.bytes.len() - self.at)));
        }
        Ok(n)
    }
}

impl Admin {
    pub fn new(bootstrap: Vec<String>, timeout: Duration) -> Admin {
        Admin { bootstrap, timeout, stream: None, correlation: 0 }
    }

    fn unreachable(&self, reason: String) -> Error {
        Error::Unreachable(super::http::Unreachable { service: "Kafka", at: self.bootstrap.join(","), reason })
    }

    fn connect(&mut self) -> Result<&mut TcpStream, Error> {
        if self.stream.is_none() {
            let mut last = "no bootstrap server".to_string();
            for server in &self.bootstrap {
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
            if !(4..=64 * 1024 * 1024).contains(&size) {
                return Err(std::io::Error::other(format!("an answer of {size} bytes")));
            }
            let mut answer = vec![0; size as usize];
            stream.read_exact(&mut answer)?;
            Ok(answer)
        })();
        let answer = match result {
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
        Ok(answer[4..].to_vec())
    }

    /// Answers when a broker does (ApiVersions v0).
    pub fn ping(&mut self) -> Result<(), Error> {
        let answer = self.call(18, 0, &Writer::default())?;
        let code = Reader { bytes: &answer, at: 0 }.i16()?;
        if code != 0 {
            return Err(Error::Refused { what: "ApiVersions".into(), code, message: String::new() });
        }
        Ok(())
    }

    /// Partitions and replication of the named topics that exist (Metadata v4, no auto-creation).
    pub fn topics(&mut self, names: &[String]) -> Result<BTreeMap<String, TopicState>, Error> {
        let mut body = Writer::default();
        body.len(names.len());
        for name in names {
            body.string(name);
        }
        body.bool(false);
        let answer = self.call(3, 4, &body)?;
        let mut r = Reader { bytes: &answer, at: 0 };
        r.i32()?; // throttle_time_ms
        for _ in 0..r.array()? {
            r.i32()?; // node_id
            r.string()?; // host
            r.i32()?; // port
            r.nullable_string()?; // rack
        }
        r.nullable_string()?; // cluster_id
        r.i32()?; // controller_id
        let mut out = BTreeMap::new();
        for _ in 0..r.array()? {
            let code = r.i16()?;
            let name = r.string()?;
            r.bool()?; // is_internal
            let partitions = r.array()?;
            let mut replication = 0;
            for p in 0..partitions {
                r.i16()?; // error_code
                let index = r.i32()?;
                r.i32()?; // leader_id
                let replicas = r.array()?;
                for _ in 0..replicas {
                    r.i32()?;
                }
                for _ in 0..r.array()? {
                    r.i32()?; // isr
                }
                if index == 0 || p == 0 {
                    replication = replicas as u32;
                }
            }
            match code {
                0 => {
                    out.insert(name, TopicState { partitions: partitions as u32, replication });
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
        Ok(out)
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
        let mut r = Reader { bytes: &answer, at: 0 };
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
        let mut r = Reader { bytes: &answer, at: 0 };
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
        let mut r = Reader { bytes: &answer, at: 0 };
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
        let mut r = Reader { bytes: &answer, at: 0 };
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
        let mut r = Reader { bytes: &answer, at: 0 };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_or_garbled_answer_is_an_error_not_a_panic() {
        let mut r = Reader { bytes: &[0, 0, 0, 1, 0], at: 0 };
        assert_eq!(r.i32().unwrap(), 1);
        assert!(r.i16().is_err());
        // An array that claims more items than bytes left.
        let mut r = Reader { bytes: &[0x7f, 0xff, 0xff, 0xff], at: 0 };
        assert!(r.array().is_err());
        let mut r = Reader { bytes: &[0xff, 0xff], at: 0 };
        assert_eq!(r.nullable_string().unwrap(), None);
    }

    #[test]
    fn requests_are_encoded_as_the_protocol_says() {
        let mut w = Writer::default();
        w.string("ab").nullable_string(None).i32(-1).bool(true).i8(2);
        assert_eq!(w.0, [0, 2, b'a', b'b', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2]);
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
