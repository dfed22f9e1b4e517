//! `venice tail` against the real Kafka and Apicurio Registry of `scripts/stack.sh`: Avro in the
//! registry's wire format decoded with the schema the registry assigned, records written wrongly
//! on purpose flagged, every compression codec Java's producer writes read back, an undeclared
//! topic guessed. Ignored unless asked for; with the stack up:
//! `cargo test --test tail_live -- --include-ignored`.

#[path = "ops/live.rs"]
mod live;

use apache_avro::types::Value as Avro;
use live::*;

const VISIT: &str = r#"{"type":"record","name":"Visit","namespace":"live","fields":[{"name":"customer","type":"int"},{"name":"page","type":"string"},{"name":"referrer","type":["null","string"],"default":null}]}"#;

fn visit(customer: i32, page: &str) -> Avro {
    Avro::Record(vec![
        ("customer".into(), Avro::Int(customer)),
        ("page".into(), Avro::String(page.into())),
        ("referrer".into(), Avro::Union(0, Box::new(Avro::Null))),
    ])
}

fn visits_project(topic: &str) -> tempfile::TempDir {
    project(&format!(
        "schema Visit avro=#\"{VISIT}\"#\ntopic {topic} partitions=1 replication=1 {{\n    key string\n    value avro schema=Visit\n}}\n"
    ))
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn avro_written_through_the_registry_is_decoded_by_its_schema_id() {
    let topic = format!("tail.visits_{}", unique());
    let dir = visits_project(&topic);
    let id = register(&format!("{topic}-value"), VISIT);
    let mut kafka = create_topic(&topic, 1);
    let records: Vec<_> = (0..5)
        .map(|i| (Some(format!("customer-{i}").into_bytes()), Some(framed(id, VISIT, visit(i, &format!("/p/{i}"))))))
        .collect();
    produce(&mut kafka, &topic, 0, &records);

    let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow", "--format", "json"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let lines = run.json_lines();
    assert_eq!(lines.len(), 5, "{}", run.shown());
    assert_eq!(lines[3]["offset"], 3);
    assert_eq!(lines[3]["key"], "customer-3");
    assert_eq!(lines[3]["value"], serde_json::json!({"customer": 3, "page": "/p/3", "referrer": null}));
    assert_eq!(lines[3]["valueSchemaId"], id);
    assert!(lines.iter().all(|l| l.get("flags").is_none()), "{}", run.shown());

    // The default: the last records, here the last 2 with --limit, as text.
    let run = venice(&["tail", &topic, path(&dir), "--limit", "2"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let out = run.stdout();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("0@3 "), "{out}");
    assert!(
        lines[1].ends_with(&format!(
            r#"key=customer-4 value={{"customer":4,"page":"/p/4","referrer":null}} (schema {id})"#
        )),
        "{out}"
    );
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn records_written_wrongly_on_purpose_are_shown_raw_and_flagged() {
    let id = unique();
    let topic = format!("tail.wrong_{id}");
    let ints = format!("tail.ints_{id}");
    let dir = project(&format!(
        "schema Visit avro=#\"{VISIT}\"#\ntopic {topic} partitions=1 replication=1 {{\n    key string\n    value avro schema=Visit\n}}\ntopic {ints} partitions=1 replication=1 {{\n    key none\n    value int\n}}\n"
    ));
    let schema_id = register(&format!("{topic}-value"), VISIT);
    let mut kafka = create_topic(&topic, 1);
    let avro = framed(schema_id, VISIT, visit(1, "/"));
    produce(
        &mut kafka,
        &topic,
        0,
        &[
            // An Avro key where a string is declared (the string-key pitfall).
            (Some(avro.clone()), Some(avro.clone())),
            // A value without the registry framing.
            (Some(b"k".to_vec()), Some(b"{\"customer\":1}".to_vec())),
            // Invalid UTF-8 in a string key.
            (Some(vec![0xc3, 0x28]), Some(avro.clone())),
        ],
    );
    create_topic(&ints, 1);
    produce(&mut kafka, &ints, 0, &[(None, Some(42i32.to_be_bytes().to_vec())), (None, Some(vec![1, 2, 3]))]);

    let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let out = run.stdout();
    let hex: String = avro.iter().map(|b| format!("{b:02x}")).collect();
    assert!(out.contains("0@0 "), "{out}");
    assert!(out.contains(&format!(" key=0x{hex} value={{")), "{out}");
    assert!(out.contains(&format!("  ! key: declared string, looks like Avro with schema id {schema_id}\n")), "{out}");
    assert!(
        out.contains(
            "value=0x7b22637573746f6d6572223a317d \"{\\\"customer\\\":1}\"\n  ! value: declared avro, looks like JSON\n"
        ),
        "{out}"
    );
    assert!(out.contains(" key=0xc328 value={"), "{out}");
    assert!(out.contains("  ! key: declared string, looks like binary data\n"), "{out}");
    assert_eq!(out.matches("  ! ").count(), 3, "{out}");

    let run = venice(&["tail", &ints, path(&dir), "--from-beginning", "--no-follow", "--format", "json"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    let lines = run.json_lines();
    assert_eq!(lines[0]["value"], 42);
    assert_eq!(lines[1]["value"], serde_json::json!({"hex": "010203"}));
    assert_eq!(
        lines[1]["flags"],
        serde_json::json!([{"side": "value", "declared": "int", "looksLike": "binary data"}])
    );
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn every_codec_the_java_producer_writes_is_read() {
    let id = unique();
    for codec in ["none", "gzip", "snappy", "lz4", "zstd"] {
        let topic = format!("tail.codec_{codec}_{id}");
        let dir =
            project(&format!("topic {topic} partitions=1 replication=1 {{\n    key string\n    value json\n}}\n"));
        create_topic(&topic, 1);
        let lines: String = (0..20)
            .map(|i| format!("k{i}\t{{\"n\":{i},\"codec\":\"{codec}\",\"pad\":\"{}\"}}\n", "x".repeat(50)))
            .collect();
        console_produce(&topic, codec, &lines);
        let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow", "--format", "json"]);
        assert_eq!(run.code(), Some(0), "{codec}: {}", run.shown());
        let records = run.json_lines();
        assert_eq!(records.len(), 20, "{codec}: {}", run.shown());
        for (i, r) in records.iter().enumerate() {
            assert_eq!(r["key"], format!("k{i}"), "{codec}");
            assert_eq!(r["value"]["n"], i, "{codec}");
            assert_eq!(r["value"]["codec"], codec);
            assert!(r.get("flags").is_none(), "{codec}: {r}");
        }
    }
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn an_undeclared_topic_is_tailed_by_what_its_bytes_look_like() {
    let topic = format!("tail.undeclared_{}", unique());
    let dir = project("");
    let schema_id = register(&format!("{topic}-value"), VISIT);
    let mut kafka = create_topic(&topic, 2);
    produce(&mut kafka, &topic, 1, &[(Some(b"ada".to_vec()), Some(framed(schema_id, VISIT, visit(9, "/x"))))]);
    let run = venice(&["tail", &topic, path(&dir), "--from-beginning", "--no-follow", "--partition", "1"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    assert!(run.stderr().contains(&format!("note: the project does not declare topic `{topic}`")), "{}", run.shown());
    assert!(
        run.stdout()
            .contains(&format!(r#"key=ada value={{"customer":9,"page":"/x","referrer":null}} (schema {schema_id})"#)),
        "{}",
        run.shown()
    );
    let missing = venice(&["tail", "no.such.topic.anywhere", path(&dir), "--no-follow"]);
    assert_eq!(missing.code(), Some(2), "{}", missing.shown());
    assert!(missing.stderr().contains("has no topic `no.such.topic.anywhere`"), "{}", missing.shown());
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn tail_follows_records_written_after_it_started() {
    let topic = format!("tail.follow_{}", unique());
    let dir = project(&format!("topic {topic} partitions=2 replication=1 {{\n    key string\n    value string\n}}\n"));
    let mut kafka = create_topic(&topic, 2);
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["tail", &topic, path(&dir), "--target", "stack", "--limit", "3", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // A tail that missed a record would follow for ever: stop it after a minute, and fail below.
    let pid = child.id().to_string();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(60));
        let _ = std::process::Command::new("kill").arg(&pid).status();
    });
    // Nothing yet: tail waits at the end of both partitions; then records arrive on each.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    produce(&mut kafka, &topic, 1, &[(Some(b"a".to_vec()), Some(b"first".to_vec()))]);
    produce(&mut kafka, &topic, 0, &[(Some(b"b".to_vec()), Some(b"second".to_vec())), (None, Some(b"third".to_vec()))]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let mut values: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["value"].as_str().unwrap().to_string())
        .collect();
    values.sort();
    assert_eq!(values, ["first", "second", "third"]);
}
