//! Resources made on the stack of `scripts/stack.sh` without venice's commands, as a team would
//! have made them by hand: topics through the Kafka admin protocol, subjects and connectors over
//! the registry's and Connect's REST APIs, committed offsets with Kafka's own
//! `kafka-consumer-groups` tool (`ConsumerGroupCommand`), ksqlDB statements over its REST API.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;
use venice::deploy::connect::Connect;
use venice::deploy::http::{Auth, Service};
use venice::deploy::kafka::{Admin, NewTopic};
use venice::deploy::ksqldb::Ksqldb;

pub const KAFKA: &str = "127.0.0.1:9092";

/// Creates a topic with configs set on it (replication 1).
pub fn create_topic_with(name: &str, partitions: u32, configs: &[(&str, &str)]) {
    let mut admin = Admin::new(vec![KAFKA.into()], Duration::from_secs(30));
    let configs: BTreeMap<String, String> = configs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let topic = NewTopic { name: name.into(), partitions, replication: 1, configs };
    assert!(admin.create_topic(&topic).unwrap(), "topic `{name}` existed already");
}

/// `PUT /connectors/NAME/config` on the stack's Connect, as curl would.
pub fn put_connector(name: &str, config: serde_json::Value) {
    let connect =
        Connect::new(Service::new("Kafka Connect", "http://127.0.0.1:8083", Auth::None, Duration::from_secs(60)));
    connect.put_config(name, config.as_object().unwrap()).unwrap();
}

pub fn delete_connector(name: &str) {
    let connect =
        Connect::new(Service::new("Kafka Connect", "http://127.0.0.1:8083", Auth::None, Duration::from_secs(60)));
    let _ = connect.delete(name);
}

/// ksqlDB statements through its REST API (`POST /ksql`).
pub fn ksql(statements: &str) {
    let mut ksqldb = Ksqldb::new(Service::new("ksqlDB", "http://127.0.0.1:8088", Auth::None, Duration::from_secs(30)));
    ksqldb.run(statements).unwrap();
}

/// Commits offsets for `group` on `topic` (at the earliest) with Kafka's own tool.
pub fn commit_group_offsets(libs: &std::path::Path, group: &str, topic: &str) {
    let out = Command::new("java")
        .arg("-cp")
        .arg(format!("{}/*", libs.display()))
        .args(["org.apache.kafka.tools.consumer.group.ConsumerGroupCommand", "--bootstrap-server", KAFKA])
        .args(["--group", group, "--topic", topic, "--reset-offsets", "--to-earliest", "--execute"])
        .stdin(Stdio::null())
        .output()
        .expect("java runs (the stack's JDK)");
    assert!(
        out.status.success(),
        "kafka-consumer-groups: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
