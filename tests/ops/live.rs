//! Helpers of the live tests of `venice topics`, `tail` and `doctor` (`tests/topics_live.rs`,
//! `tests/tail_live.rs`, `tests/doctor_live.rs`): a project aimed at the stack of
//! `scripts/stack.sh`, topics made and written with venice's own Kafka client (exact bytes:
//! registry-framed Avro, garbage on purpose), schemas registered through the Confluent API, and
//! Kafka's own console producer for batches that Java compresses.
#![allow(dead_code)]

#[path = "../deploy/support.rs"]
mod support;
pub use support::{Run, unique};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use venice::deploy::http::{Auth, Service};
use venice::deploy::kafka::{Admin, Consumer, NewTopic};
use venice::deploy::records::write::{Batch, KeyValue};
use venice::deploy::registry::Registry;

pub const KAFKA: &str = "127.0.0.1:9092";
pub const REGISTRY: &str = "http://127.0.0.1:8081/apis/ccompat/v7";

/// The target every project here declares: the stack, registry included.
pub const TARGET: &str = r#"target stack {
    kafka "127.0.0.1:9092"
    schema-registry "http://127.0.0.1:8081/apis/ccompat/v7"
    connect "http://127.0.0.1:8083"
    ksqldb "http://127.0.0.1:8088"
}
"#;

/// A project folder holding `venice.kdl` (`project`, the stack target, then `body`).
pub fn project(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), format!("project live\n{TARGET}{body}")).unwrap();
    dir
}

/// `venice ARGS...` with `--target stack` appended.
pub fn venice(args: &[&str]) -> Run {
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(args)
        .args(["--target", "stack"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    Run { output, took: started.elapsed() }
}

pub fn path(dir: &tempfile::TempDir) -> &str {
    dir.path().to_str().unwrap()
}

pub fn client() -> Consumer {
    Consumer::new(vec![KAFKA.into()], Duration::from_secs(30))
}

/// Creates a topic (replication 1) and waits until it has leaders.
pub fn create_topic(name: &str, partitions: u32) -> Consumer {
    let mut admin = Admin::new(vec![KAFKA.into()], Duration::from_secs(30));
    let topic = NewTopic { name: name.into(), partitions, replication: 1, configs: Default::default() };
    admin.create_topic(&topic).unwrap();
    let mut consumer = client();
    for _ in 0..100 {
        let cluster = consumer.refresh(Some(&[name.to_string()])).unwrap();
        if cluster
            .topics
            .get(name)
            .is_some_and(|t| t.partitions.len() == partitions as usize && t.partitions.iter().all(|p| p.leader >= 0))
        {
            return consumer;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("topic `{name}` has no leaders");
}

/// A record to write: key and value, either may be null.
pub type Owned = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Writes records (key, value) to one partition in one uncompressed batch.
pub fn produce(consumer: &mut Consumer, topic: &str, partition: i32, records: &[Owned]) {
    let refs: Vec<KeyValue> = records.iter().map(|(k, v)| (k.as_deref(), v.as_deref())).collect();
    let mut batch = Batch::plain(0, &refs);
    batch.base_timestamp = now_ms();
    let batch = batch.encode();
    // A new topic's leader may not serve it yet (NOT_LEADER_OR_FOLLOWER): ask again, briefly.
    for _ in 0..100 {
        match consumer.produce(topic, partition, &batch) {
            Ok(_) => return,
            Err(venice::deploy::kafka::Error::Refused { code, .. }) if venice::deploy::kafka::stale_leader(code) => {
                std::thread::sleep(Duration::from_millis(100));
                consumer.refresh(Some(&[topic.to_string()])).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
    panic!("topic `{topic}`: no leader takes records");
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

pub fn registry() -> Registry {
    Registry::new(Service::new("the schema registry", REGISTRY, Auth::None, Duration::from_secs(30)))
}

/// Registers an Avro schema under a subject: its id, as the registry assigns it.
pub fn register(subject: &str, schema: &str) -> i64 {
    registry().register(subject, "AVRO", schema).unwrap()
}

/// The Confluent wire format: magic byte 0, the 4-byte id, the Avro datum.
pub fn framed(id: i64, schema: &str, value: apache_avro::types::Value) -> Vec<u8> {
    let schema = apache_avro::Schema::parse_str(schema).unwrap();
    let writer = apache_avro::writer::datum::GenericDatumWriter::builder(&schema).build().unwrap();
    let mut out = vec![0];
    out.extend_from_slice(&(id as u32).to_be_bytes());
    out.extend(writer.write_value_to_vec(value).unwrap());
    out
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The stack's Kafka libraries (for the console producer).
pub fn kafka_libs() -> PathBuf {
    let home = std::env::var("VENICE_STACK_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&std::env::var("HOME").unwrap_or("/root".into())).join(".cache/venice-stack"));
    home.join("dist/kafka/libs")
}

/// Kafka's console producer writes `key<TAB>value` lines with a compression codec, as Java
/// clients compress batches (xerial-framed snappy, LZ4 frames, ...).
pub fn console_produce(topic: &str, codec: &str, lines: &str) {
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(format!("{}/*", kafka_libs().display()))
        .args(["org.apache.kafka.tools.ConsoleProducer", "--bootstrap-server", KAFKA, "--topic", topic])
        .args(["--compression-codec", codec, "--batch-size", "100000", "--timeout", "100"])
        .args(["--reader-property", "parse.key=true", "--reader-property", "key.separator=\t"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("java runs (the stack's JDK)");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(lines.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "console producer: {}", String::from_utf8_lossy(&out.stderr));
}
