//! `venice doctor` against the real Kafka and Apicurio Registry of `scripts/stack.sh` (and its
//! Kafka Connect and ksqlDB test server): a producer that writes Avro keys where the project
//! declares string keys is found and named as the string-key pitfall (V102), a value without
//! registry framing as V103, a declared topic and connector that are missing are problems, and a
//! topic written as declared passes. The live tests are ignored unless asked for; with the stack
//! up: `cargo test --test doctor_live -- --include-ignored`. The test of a Kafka that does not
//! answer (exit 2) needs no stack and always runs.

#[path = "ops/live.rs"]
mod live;

use apache_avro::types::Value as Avro;
use live::*;

const KEY: &str = r#"{"type":"record","name":"OrderKey","namespace":"live","fields":[{"name":"id","type":"long"}]}"#;
const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"live","fields":[{"name":"id","type":"long"},{"name":"total","type":"double"}]}"#;

fn key(id: i64) -> Avro {
    Avro::Record(vec![("id".into(), Avro::Long(id))])
}

fn order(id: i64) -> Avro {
    Avro::Record(vec![("id".into(), Avro::Long(id)), ("total".into(), Avro::Double(9.5))])
}

fn orders_project(topic: &str, extra: &str) -> tempfile::TempDir {
    project(&format!(
        "schema Order avro=#\"{ORDER}\"#\ntopic {topic} partitions=2 replication=1 {{\n    key string\n    value avro schema=Order\n}}\n{extra}"
    ))
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn avro_keys_where_the_project_declares_string_are_the_string_key_pitfall() {
    let id = unique();
    let topic = format!("doctor.orders_{id}");
    let missing_topic = format!("doctor.missing_{id}");
    let connector = format!("doctor-missing-{id}");
    let dir = orders_project(
        &topic,
        &format!(
            "topic {missing_topic} {{\n    key string\n    value json\n}}\nsource {connector} connector=file topic={missing_topic} {{\n    config \"file\" \"/tmp/nothing\"\n    key string\n    value json\n}}\n"
        ),
    );
    let key_id = register(&format!("{topic}-key"), KEY);
    let value_id = register(&format!("{topic}-value"), ORDER);
    let mut kafka = create_topic(&topic, 2);
    // A producer using the Avro serializer for keys too: every record on partition 0.
    let wrong: Vec<_> =
        (0..7).map(|i| (Some(framed(key_id, KEY, key(i))), Some(framed(value_id, ORDER, order(i))))).collect();
    produce(&mut kafka, &topic, 0, &wrong);
    // Partition 1: right keys, but one value without the registry's framing.
    produce(
        &mut kafka,
        &topic,
        1,
        &[(Some(b"8".to_vec()), Some(framed(value_id, ORDER, order(8)))), (Some(b"9".to_vec()), Some(b"9.5".to_vec()))],
    );

    let run = venice(&["doctor", path(&dir)]);
    assert_eq!(run.code(), Some(1), "{}", run.shown());
    let out = run.stdout();
    assert!(
        out.contains(&format!(
            "  error[V102]: topic `{topic}` key: declared string, 7 of 9 sampled records look like Avro with schema id {key_id} (first at partition 0 offset 0)\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "  error[V103]: topic `{topic}` value: declared avro, 1 of 9 sampled records look like text (first at partition 1 offset 1)\n"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("  error: topic `{missing_topic}` is declared but not on the cluster\n")), "{out}");
    assert!(out.contains(&format!("  error: connector `{connector}` is missing from Kafka Connect\n")), "{out}");
    assert!(out.ends_with("found 4 problems\n"), "{out}");

    let json = venice(&["doctor", path(&dir), "--format", "json"]);
    assert_eq!(json.code(), Some(1), "{}", json.shown());
    let report: serde_json::Value = serde_json::from_str(&json.stdout()).unwrap();
    assert_eq!(report["mismatches"][0]["code"], "V102");
    assert_eq!(report["mismatches"][0]["actual"], "avro");
    assert_eq!(report["mismatches"][0]["records"], 7);
    assert_eq!(report["problems"], 4);
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_topic_written_as_declared_passes() {
    let topic = format!("doctor.good_{}", unique());
    let dir = orders_project(&topic, "");
    let value_id = register(&format!("{topic}-value"), ORDER);
    let mut kafka = create_topic(&topic, 2);
    for partition in 0..2 {
        let records: Vec<_> = (0..150)
            .map(|i| (Some(format!("order-{i}").into_bytes()), Some(framed(value_id, ORDER, order(i)))))
            .collect();
        produce(&mut kafka, &topic, partition, &records);
    }
    // A tombstone is a delete, not a mismatch.
    produce(&mut kafka, &topic, 0, &[(Some(b"order-1".to_vec()), None)]);
    let run = venice(&["doctor", path(&dir)]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    // The last 100 records of each partition.
    assert!(run.stdout().contains("topics: 1 declared, 200 records sampled\n"), "{}", run.shown());
    assert!(run.stdout().ends_with("no problems found\n"), "{}", run.shown());
}

#[test]
fn a_kafka_that_does_not_answer_means_doctor_could_not_run() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("venice.kdl"),
        format!("project p\ntarget down {{\n    kafka \"127.0.0.1:{port}\"\n}}\ntopic t {{\n    key string\n    value json\n}}\n"),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["doctor", dir.path().to_str().unwrap(), "--target", "down"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("error: Kafka is not answering at 127.0.0.1:{port} (connection refused)\n")
    );
}

/// Deletes the connector made to fail when the test ends, however it ends.
struct Broken(String);

impl Drop for Broken {
    fn drop(&mut self) {
        let _ = connect().delete(&self.0);
    }
}

fn connect() -> venice::deploy::connect::Connect {
    use venice::deploy::http::{Auth, Service};
    let service =
        Service::new("Kafka Connect", "http://127.0.0.1:8083", Auth::None, std::time::Duration::from_secs(30));
    venice::deploy::connect::Connect::new(service)
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_declared_connector_whose_task_failed_is_reported_with_its_cause() {
    let id = unique();
    let topic = format!("doctor.lines_{id}");
    let broken = Broken(format!("doctor-broken-{id}"));
    let dir = project(&format!(
        "topic {topic} partitions=1 replication=1 {{\n    key string\n    value string\n}}\n\
         sink {} connector=file topic={topic} {{\n    config \"file\" \"/nonexistent-{id}/out.txt\"\n    key string\n    value string\n}}\n",
        broken.0
    ));
    create_topic(&topic, 1);
    // A FileStream sink writing into a folder that does not exist: its task fails at start.
    let mut config = serde_json::Map::new();
    for (k, v) in [
        ("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector"),
        ("topics", topic.as_str()),
        ("file", &format!("/nonexistent-{id}/out.txt")),
        ("tasks.max", "1"),
    ] {
        config.insert(k.into(), serde_json::Value::from(v));
    }
    connect().put_config(&broken.0, &config).unwrap();
    let started = std::time::Instant::now();
    while !connect().status(&broken.0).ok().flatten().is_some_and(|s| s.task_states.iter().any(|t| t == "FAILED")) {
        assert!(started.elapsed().as_secs() < 60, "the broken sink's task did not fail");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let run = venice(&["doctor", path(&dir)]);
    assert_eq!(run.code(), Some(1), "{}", run.shown());
    let out = run.stdout();
    assert!(out.contains(&format!("  error: connector `{}` is task 0 FAILED: ", broken.0)), "{out}");
    assert!(out.contains("/nonexistent-"), "the cause names the file: {out}");
    assert!(out.contains("connectors: 1 declared\n"), "{out}");
    assert!(out.ends_with("found 1 problem\n"), "{out}");
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn records_written_with_a_schema_the_declared_one_cannot_read_are_v203() {
    let topic = format!("doctor.schema_{}", unique());
    let dir = orders_project(&topic, "");
    // The producer's schema: `total` is a string, which the declared `Order` reads as a double.
    let other = r#"{"type":"record","name":"Order","namespace":"live","fields":[{"name":"id","type":"long"},{"name":"total","type":"string"}]}"#;
    let value_id = register(&format!("{topic}-value"), other);
    let mut kafka = create_topic(&topic, 2);
    let value = Avro::Record(vec![("id".into(), Avro::Long(1)), ("total".into(), Avro::String("9.50".into()))]);
    produce(&mut kafka, &topic, 1, &[(Some(b"1".to_vec()), Some(framed(value_id, other, value)))]);
    let run = venice(&["doctor", path(&dir)]);
    assert_eq!(run.code(), Some(1), "{}", run.shown());
    let out = run.stdout();
    assert!(
        out.contains(&format!(
            "  error[V203]: topic `{topic}` value: declared avro, 1 of 1 sampled records look like Avro with schema id {value_id}, which the declared schema cannot read: "
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "cannot read: /fields/1/type: schema {value_id} writes `string` where `Order` reads `double`"
        )),
        "{out}"
    );
    assert!(out.ends_with("found 1 problem\n"), "{out}");
}
