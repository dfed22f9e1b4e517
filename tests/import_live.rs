//! `venice import` against the real-services stack of `scripts/stack.sh`: resources made by
//! hand (a topic with configs, a subject, string keys and registry-framed Avro values, a consumer
//! group with committed offsets, a FileStream sink, a ksqlDB stream), imported into a project
//! that declares only its target. The result checks clean and `venice plan` finds nothing to
//! change; the unmanaged listing shows the topic before and not after. A second cluster plants
//! the string-key pitfall (Avro keys read by a sink expecting strings) with a password in the
//! sink's config, and a ksqlDB stream reading them as `KAFKA`: `check` after import reports V101
//! and V102, and the password is written nowhere.
//! Ignored unless asked for: `cargo test --test import_live -- --include-ignored`.

#[path = "support/cluster.rs"]
mod cluster;
#[path = "ops/live.rs"]
mod live;

use apache_avro::types::Value as Avro;
use cluster::*;
use live::{Owned, framed, kafka_libs, project, register, unique};
use serde_json::json;
use std::path::Path;
use std::process::{Command, Stdio};

const ORDER: &str = r#"{"type":"record","name":"Order","namespace":"imported","fields":[{"name":"id","type":"long"},{"name":"total","type":"double"}]}"#;
const ORDER_KEY: &str =
    r#"{"type":"record","name":"OrderKey","namespace":"imported","fields":[{"name":"id","type":"long"}]}"#;

fn order(id: i64) -> Avro {
    Avro::Record(vec![("id".into(), Avro::Long(id)), ("total".into(), Avro::Double(12.5))])
}

/// `venice ARGS...` in no particular folder; stdout and stderr together, and the status.
fn venice(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// Every file under `dir`, with its text.
fn files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default()));
        }
    }
    out
}

#[test]
#[ignore = "needs the services stack (scripts/stack.sh up)"]
fn a_cluster_made_by_hand_round_trips_import_check_and_an_empty_plan() {
    let id = unique();
    let orders = format!("imp{id}.orders");
    let notes = format!("imp{id}.notes");
    let sink = format!("imp{id}-notes-file");
    let group = format!("imp{id}-billing");
    let stream = format!("IMP{}_ORDERS", id.to_uppercase());

    create_topic_with(&orders, 2, &[("retention.ms", "86400000"), ("min.insync.replicas", "1")]);
    let schema_id = register(&format!("{orders}-value"), ORDER);
    let mut client = live::client();
    client.refresh(None).unwrap();
    let records: Vec<Owned> =
        (0..5).map(|i| (Some(format!("order-{i}").into_bytes()), Some(framed(schema_id, ORDER, order(i))))).collect();
    live::produce(&mut client, &orders, 0, &records);
    live::produce(&mut client, &orders, 1, &records);
    create_topic_with(&notes, 1, &[]);
    client.refresh(None).unwrap();
    let lines: Vec<Owned> =
        (0..3).map(|i| (Some(format!("n{i}").into_bytes()), Some(format!("note {i}").into_bytes()))).collect();
    live::produce(&mut client, &notes, 0, &lines);
    commit_group_offsets(&kafka_libs(), &group, &orders);
    put_connector(
        &sink,
        json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1",
            "topics": notes,
            "file": format!("/tmp/{sink}.txt"),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        }),
    );
    ksql(&format!("CREATE STREAM {stream} WITH (KAFKA_TOPIC='{orders}', KEY_FORMAT='KAFKA', VALUE_FORMAT='AVRO');"));

    let dir = project("");
    let at = dir.path().to_str().unwrap();
    let (_, before) = venice(&["plan", at, "--target", "stack", "--unmanaged"]);
    assert!(before.contains(&format!("? topic `{orders}`")), "{before}");
    assert!(before.contains("ACLs are not listed"), "{before}");

    let include = format!("(?i)imp{id}");
    let (status, imported) = venice(&["import", at, "--target", "stack", "--include", &include]);
    println!("{imported}");
    println!("{}", std::fs::read_to_string(dir.path().join("venice.kdl")).unwrap());
    assert_eq!(status, 0, "import, then check: {imported}");
    let kdl = std::fs::read_to_string(dir.path().join("venice.kdl")).unwrap();
    for expected in [
        format!(
            "topic {orders} partitions=2 replication=1 {{\n    key string\n    value avro schema=Order\n    retention \"1d\"\n    config min.insync.replicas \"1\"\n}}"
        ),
        format!("consumer {group} topic={orders} group={group}"),
        format!(
            "sink {sink} connector=file topic={notes} {{\n    file \"/tmp/{sink}.txt\"\n    key string\n    value string\n"
        ),
        "transform imp".to_string(),
    ] {
        assert!(kdl.contains(&expected), "missing {expected:?} in\n{kdl}");
    }
    assert!(imported.contains("left out:"), "{imported}");

    let (status, plan) = venice(&["plan", at, "--target", "stack", "--detailed-exitcode", "--unmanaged"]);
    println!("{plan}");
    assert_eq!(status, 0, "the plan after import changes nothing: {plan}");
    assert!(!plan.contains(&format!("? topic `{orders}`")), "{plan}");
    assert!(!plan.contains(&format!("? connector `{sink}`")), "{plan}");
    delete_connector(&sink);
}

#[test]
#[ignore = "needs the services stack (scripts/stack.sh up)"]
fn the_string_key_pitfall_is_found_at_import_and_no_secret_is_written() {
    let id = unique();
    let orders = format!("pit{id}.orders");
    let sink = format!("pit{id}-orders-file");
    let secret = format!("hunter2-{id}");

    create_topic_with(&orders, 1, &[]);
    let key_id = register(&format!("{orders}-key"), ORDER_KEY);
    let value_id = register(&format!("{orders}-value"), ORDER);
    let mut client = live::client();
    client.refresh(None).unwrap();
    let records: Vec<Owned> = (0..4)
        .map(|i| {
            let key = framed(key_id, ORDER_KEY, Avro::Record(vec![("id".into(), Avro::Long(i))]));
            (Some(key), Some(framed(value_id, ORDER, order(i))))
        })
        .collect();
    live::produce(&mut client, &orders, 0, &records);
    put_connector(
        &sink,
        json!({
            "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
            "tasks.max": "1",
            "topics": orders,
            "file": format!("/tmp/{sink}.txt"),
            "key.converter": "org.apache.kafka.connect.storage.StringConverter",
            "value.converter": "org.apache.kafka.connect.converters.ByteArrayConverter",
            "audit.password": secret,
        }),
    );

    // ksqlDB reading the Avro key as KAFKA: the string-key pitfall proper.
    let stream = format!("PIT{}_ORDERS", id.to_uppercase());
    ksql(&format!(
        "CREATE STREAM {stream} (ID STRING KEY) WITH (KAFKA_TOPIC='{orders}', KEY_FORMAT='KAFKA', VALUE_FORMAT='AVRO');"
    ));

    let dir = project("");
    let at = dir.path().to_str().unwrap();
    let (status, imported) = venice(&["import", at, "--target", "stack", "--include", &format!("(?i)^pit{id}")]);
    println!("{imported}");
    assert_eq!(status, 1, "check after import finds the pitfall: {imported}");
    // The sink that expects string keys (V101), and ksqlDB reading them as KAFKA (V102).
    assert!(imported.contains(&format!("sink `{sink}` reads the key of topic `{orders}` as")), "{imported}");
    assert!(imported.contains("V101") && imported.contains("V102"), "{imported}");
    let variable = format!("PIT{}_ORDERS_FILE_AUDIT_PASSWORD", id.to_uppercase());
    assert!(imported.contains(&variable), "the note names the variable: {imported}");
    for (file, text) in files(dir.path()) {
        assert!(!text.contains(&secret), "{file} holds the secret:\n{text}");
    }
    delete_connector(&sink);
}
