//! `venice plan` and `venice apply` against the real services of `scripts/stack.sh` (Kafka 4
//! KRaft, Apicurio Registry's Confluent API, Kafka Connect with Debezium, PostgreSQL) and the
//! stack's ksqlDB test server. Each test is ignored unless asked for; with the stack up:
//! `cargo test --test deploy_live -- --include-ignored`.

#[path = "deploy/support.rs"]
mod support;

use std::time::Duration;
use support::*;

/// The whole CDC pipeline: the first apply creates everything in order, rows inserted, updated
/// and deleted in the source table arrive in the sink table (Debezium → Avro in the registry's
/// wire format → Kafka → the JDBC sink), the plan afterwards shows no change (under 1 s), a second
/// apply changes nothing, and `--prune` deletes exactly what the project applied.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_cdc_pipeline_applies_converges_and_carries_rows_to_the_sink() {
    let project = Project::stack_cdc();
    create_source_table(&project);

    let before = project.venice(&["plan", "--detailed-exitcode"]);
    assert_eq!(before.code(), Some(2), "{}", before.shown());
    assert!(before.stdout().contains(&format!("  + source `{}`\n", project.source)), "{}", before.shown());

    let first = project.venice(&["apply", "--yes"]);
    assert_eq!(first.code(), Some(0), "{}", first.shown());
    let out = first.stdout();
    // Dependency order: topics, the subject venice registers, the source, ksqlDB, the sink.
    let order: Vec<usize> = [
        format!("created topic `{}`", project.cdc_topic),
        format!("created subject `{}-value`", project.visits_topic),
        format!("created source `{}`", project.source),
        "created ksql `ksql/01-stream-".to_string(),
        format!("created sink `{}`", project.sink),
    ]
    .iter()
    .map(|line| out.find(line.as_str()).unwrap_or_else(|| panic!("no `{line}` in\n{out}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "not in dependency order:\n{out}");
    let lock = std::fs::read_to_string(project.path().join("venice.lock")).unwrap();
    assert!(lock.contains("[applied.stack]"), "{lock}");
    assert!(lock.contains(&format!("connectors = [\"{}\", \"{}\"]", project.source, project.sink)), "{lock}");

    let (_, snapshot) = wait_for("the snapshot in the sink table", 90, || {
        sink_rows(&project).filter(|r| r == "1|Ada|ada@example.com\n2|Grace|-")
    });
    psql(&format!(
        "INSERT INTO public.{t} VALUES (3, 'Edsger', 'ed@example.com'); \
         UPDATE public.{t} SET email = 'grace@example.com' WHERE id = 2; \
         DELETE FROM public.{t} WHERE id = 1;",
        t = project.table
    ))
    .unwrap();
    let (_, changes) = wait_for("insert, update and delete in the sink table", 60, || {
        sink_rows(&project).filter(|r| r == "2|Grace|grace@example.com\n3|Edsger|ed@example.com")
    });

    // The registry holds the converter's subjects, and venice's own.
    let after = project.venice(&["plan", "--detailed-exitcode"]);
    assert_eq!(after.code(), Some(0), "{}", after.shown());
    assert!(
        after.stdout().ends_with(" to create, 0 to update, 0 to restart, 0 to delete, 9 unchanged\n"),
        "{}",
        after.shown()
    );
    let mut plans = Vec::new();
    for _ in 0..5 {
        let plan = project.venice(&["plan", "--detailed-exitcode"]);
        assert_eq!(plan.code(), Some(0), "{}", plan.shown());
        plans.push(plan.took);
    }
    plans.sort();
    let median = plans[plans.len() / 2];
    assert!(median < Duration::from_secs(1), "a no-change plan took {median:?}");

    let second = project.venice(&["apply", "--yes"]);
    assert_eq!(second.code(), Some(0), "{}", second.shown());
    assert!(second.stdout().ends_with("nothing to apply\n"), "{}", second.shown());

    let json = project.venice(&["plan", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout()).expect("plan --format json is JSON");
    assert_eq!(document["changes"], 0, "{document}");
    assert_eq!(document["objects"].as_array().unwrap().len(), 9, "{document}");

    eprintln!(
        "measured: first apply {:?} (plan before it {:?}); snapshot in the sink {snapshot:?} after; \
         changes {changes:?}; no-change plan median {median:?} of {plans:?}; second apply {:?}",
        first.took, before.took, second.took
    );
    clean_up(&project);
    let gone = project.venice(&["plan", "--detailed-exitcode"]);
    assert_eq!(gone.code(), Some(0), "{}", gone.shown());
    assert!(!project.kdl().contains("source "), "the project was cut down");
}

/// An incompatible value schema: the plan refuses it (venice's checker and the registry's
/// `/compatibility` agree), and apply applies nothing, not even the unrelated new topic.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn an_incompatible_schema_change_is_refused_and_nothing_is_applied() {
    let id = unique();
    let dir = tempfile::tempdir().unwrap();
    let kdl = |fields: &str, extra_topic: bool| {
        let mut text = format!(
            "project compat\n\
             target stack {{\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n}}\n\
             schema Row avro=#\"{{\"type\": \"record\", \"name\": \"Row\", \"fields\": [{fields}]}}\"#\n\
             topic t{id} {{\n    key string\n    value avro schema=Row\n}}\n\
             producer w topic=t{id} {{\n    key string\n    value avro schema=Row\n}}\n"
        );
        if extra_topic {
            text.push_str(&format!("topic u{id} {{\n    key string\n    value string\n}}\nproducer v topic=u{id} {{\n    key string\n    value string\n}}\n"));
        }
        std::fs::write(dir.path().join("venice.kdl"), text).unwrap();
    };
    kdl(r#"{"name": "id", "type": "int"}"#, false);
    let first = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(first.code(), Some(0), "{}", first.shown());

    // int -> string cannot read the old records under BACKWARD. With venice.lock, `venice
    // check` already says so (V202 against the recorded schema), and nothing is planned.
    kdl(r#"{"name": "id", "type": "string"}"#, true);
    let checked = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(checked.code(), Some(1), "{}", checked.shown());
    assert!(checked.stdout().contains("V202"), "{}", checked.shown());
    assert!(checked.stderr().contains("the project has errors; nothing was planned or applied"), "{}", checked.shown());
    // Without the lock (a fresh clone that never applied), the registry's state decides.
    let lock_path = dir.path().join("venice.lock");
    let lock = std::fs::read_to_string(&lock_path).unwrap();
    std::fs::remove_file(&lock_path).unwrap();
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(1), "{}", plan.shown());
    let out = plan.stdout();
    assert!(
        out.contains(&format!(
            "error: subject `t{id}-value`: the new schema is incompatible with version 1 under BACKWARD: "
        )),
        "{out}"
    );
    assert!(out.contains(&format!("  + topic `u{id}`")), "{out}");
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(1), "{}", apply.shown());
    assert!(apply.stderr().contains("error: the plan has errors; nothing was applied"), "{}", apply.shown());
    assert!(!lock_path.exists(), "a refused apply wrote a lock");
    std::fs::write(&lock_path, lock).unwrap();
    // Nothing was applied: the new topic is still to be created.
    kdl(r#"{"name": "id", "type": "int"}"#, true);
    let plan = venice(dir.path(), &["plan", "--format", "json"]);
    let document: serde_json::Value = serde_json::from_str(&plan.stdout()).unwrap();
    let actions: Vec<(String, String)> = document["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["name"].as_str().unwrap().to_string(), o["action"].as_str().unwrap().to_string()))
        .collect();
    assert!(actions.contains(&(format!("u{id}"), "create".to_string())), "{actions:?}");
    assert!(actions.contains(&(format!("t{id}-value"), "unchanged".to_string())), "{actions:?}");

    // A compatible change (a field with a default) registers version 2.
    kdl(r#"{"name": "id", "type": "int"}, {"name": "note", "type": "string", "default": ""}"#, false);
    let evolve = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(evolve.code(), Some(0), "{}", evolve.shown());
    assert!(evolve.stdout().contains(&format!("updated subject `t{id}-value`")), "{}", evolve.shown());
    let again = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code(), Some(0), "{}", again.shown());

    std::fs::write(
        dir.path().join("venice.kdl"),
        "project compat\ntarget stack {\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n}\n",
    )
    .unwrap();
    let pruned = venice(dir.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    assert!(pruned.stdout().contains(&format!("deleted subject `t{id}-value`")), "{}", pruned.shown());
    assert!(pruned.stdout().contains(&format!("deleted topic `t{id}`")), "{}", pruned.shown());
}

/// The ksqlDB client against the stack's test server started on a free port with basic auth:
/// the login is sent, a wrong one is refused with ksqlDB's answer, and statements run in order.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_ksqldb_client_logs_in_and_runs_statements_in_order() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut server = std::process::Command::new("python3")
        .arg(repo().join("scripts/stack/ksqldb_fake.py"))
        .args(["--port", &port.to_string(), "--basic-auth", "ada:s3cret"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    let url = format!("http://127.0.0.1:{port}");
    let _ = wait_for("the test server", 20, || std::net::TcpStream::connect(("127.0.0.1", port)).ok());
    use venice::deploy::http::{Auth, Secret, Service};
    use venice::deploy::ksqldb::Ksqldb;
    let login = |password: &str| Auth::Basic { user: "ada".into(), password: Secret::new(password) };
    let wrong = Ksqldb::new(Service::new("ksqlDB", &url, login("nope"), Duration::from_secs(5)));
    let error = wrong.info().unwrap_err().to_string();
    assert!(error.contains("401"), "{error}");
    let mut ksqldb = Ksqldb::new(Service::new("ksqlDB", &url, login("s3cret"), Duration::from_secs(5)));
    assert_eq!(ksqldb.info().unwrap(), "0.29.0");
    ksqldb.run("CREATE STREAM a (id INT KEY, v STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');").unwrap();
    let first = ksqldb.sequence.expect("a sequence number");
    ksqldb.run("CREATE STREAM b AS SELECT * FROM a EMIT CHANGES;").unwrap();
    assert!(ksqldb.sequence.unwrap() > first);
    assert_eq!(ksqldb.sources().unwrap().into_iter().collect::<Vec<_>>(), ["A", "B"]);
    let refused = ksqldb.run("CREATE STREAM a (id INT KEY) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON');").unwrap_err();
    assert!(refused.to_string().starts_with("ksqlDB refused `CREATE STREAM a"), "{refused}");
    let _ = server.kill();
    let _ = server.wait();
}

/// Kafka admin against the real broker: create (twice: the second is not an error), describe
/// with sources, alter, add partitions, delete.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_kafka_admin_creates_alters_grows_and_deletes_a_topic() {
    use venice::deploy::kafka::{Admin, ConfigOp, NewTopic};
    let topic = format!("admin_{}", unique());
    let mut admin = Admin::new(vec!["127.0.0.1:9092".into()], Duration::from_secs(10));
    admin.ping().unwrap();
    let new = NewTopic {
        name: topic.clone(),
        partitions: 2,
        replication: 1,
        configs: [("retention.ms".to_string(), "3600000".to_string())].into(),
    };
    assert!(admin.create_topic(&new).unwrap());
    assert!(!admin.create_topic(&new).unwrap(), "an existing topic is not created again");
    let names = [topic.clone()];
    // CreateTopics is answered once the controller has the topic; the broker's Metadata lists
    // it once it has replayed it, which takes a moment on a busy machine.
    let (topics, _) =
        wait_for("the topic in Metadata", 30, || admin.topics(&names).ok().filter(|t| t.contains_key(&topic)));
    let state = &topics[&topic];
    assert_eq!((state.partitions, state.replication), (2, 1));
    let configs = &admin.configs(&names).unwrap()[&topic];
    assert_eq!(configs["retention.ms"].value.as_deref(), Some("3600000"));
    assert_eq!(configs["retention.ms"].source, 1, "set on the topic");
    assert_eq!(configs["cleanup.policy"].source, 5, "a default");
    admin
        .alter_configs(
            &topic,
            &[
                ("retention.ms".to_string(), ConfigOp::Delete),
                ("max.message.bytes".to_string(), ConfigOp::Set("2000000".into())),
            ]
            .into(),
        )
        .unwrap();
    // The controller has committed the change when it answers; the broker applies its metadata
    // a moment later, so what it describes may lag behind for a few milliseconds.
    let (configs, _) = wait_for("the altered configs", 10, || {
        let configs = admin.configs(&names).ok()?.remove(&topic)?;
        (configs["retention.ms"].source == 5).then_some(configs)
    });
    assert_eq!(configs["max.message.bytes"].value.as_deref(), Some("2000000"));
    admin.add_partitions(&topic, 4).unwrap();
    let _ = wait_for("4 partitions", 10, || admin.topics(&names).ok().filter(|t| t[&topic].partitions == 4));
    let fewer = admin.add_partitions(&topic, 1).unwrap_err().to_string();
    assert!(fewer.starts_with("Kafka refused adding partitions to"), "{fewer}");
    admin.delete_topic(&topic).unwrap();
    let _ = wait_for("the topic to go", 30, || admin.topics(&names).ok().filter(|t| t.is_empty()));
    assert!(admin.topics(&["no_such_topic_venice".into()]).unwrap().is_empty(), "Metadata v4 does not auto-create");
}

/// A transform edited after it was applied: plan shows the file as an update (its text differs
/// from the fingerprint venice.lock recorded), apply sends its statements as `CREATE OR REPLACE`
/// (ksqlDB upgrades the query in place), and the plan afterwards is empty.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn an_edited_transform_is_replaced_in_place_and_then_converges() {
    let id = unique();
    let dir = tempfile::tempdir().unwrap();
    let kdl = |threshold: u32| {
        let text = format!(
            "project edits\n\
             target stack {{\n    kafka \"127.0.0.1:9092\"\n    ksqldb \"http://127.0.0.1:8088\"\n}}\n\
             topic t{id} partitions=1 replication=1 {{\n    key int\n    value json\n}}\n\
             producer app topic=t{id} {{\n    key int\n    value json\n}}\n\
             transform big {{\n    sql #\"\"\"\n        \
             CREATE STREAM s{id} (id INT KEY, total DOUBLE) WITH (KAFKA_TOPIC='t{id}', VALUE_FORMAT='JSON');\n        \
             CREATE STREAM big{id} AS SELECT * FROM s{id} WHERE total > {threshold} EMIT CHANGES;\n        \
             \"\"\"#\n}}\n"
        );
        std::fs::write(dir.path().join("venice.kdl"), text).unwrap();
    };
    kdl(100);
    let first = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(first.code(), Some(0), "{}", first.shown());
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(lock.contains("[applied.stack.ksql_files]\n\"transform-big.sql\" = \""), "{lock}");

    kdl(500);
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(2), "{}", plan.shown());
    assert!(
        plan.stdout().contains("  ~ ksql `ksql/01-transform-big.sql`\n      text fingerprint: \""),
        "{}",
        plan.shown()
    );
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert!(apply.stdout().contains("updated ksql `ksql/01-transform-big.sql`"), "{}", apply.shown());

    // The server holds the new query, under the statement apply sent.
    let described = ureq::post("http://127.0.0.1:8088/ksql")
        .header("content-type", "application/json")
        .send(serde_json::json!({ "ksql": format!("DESCRIBE big{id};"), "streamsProperties": {} }).to_string())
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(
        described.contains(&format!("CREATE OR REPLACE STREAM big{id} AS SELECT * FROM s{id} WHERE total > 500")),
        "{described}"
    );
    let after = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(after.code(), Some(0), "{}", after.shown());

    std::fs::write(
        dir.path().join("venice.kdl"),
        "project edits\ntarget stack {\n    kafka \"127.0.0.1:9092\"\n    ksqldb \"http://127.0.0.1:8088\"\n}\n",
    )
    .unwrap();
    let pruned = venice(dir.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(!lock.contains("ksql_files"), "{lock}");
}

/// A secret given by `file=` outside the project's root (`/run/secrets/...` is where secrets
/// live) is read by `plan` and `apply`, which need it, and its content appears in nothing venice
/// prints or writes: `check` in every format, `build`'s files, `plan`, `apply`, venice.lock.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_secret_outside_the_root_is_used_and_never_shown() {
    let id = unique();
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join(".git")).unwrap();
    let secrets = tempfile::tempdir().unwrap();
    let marker = format!("venice-secret-{id}");
    let secret = secrets.path().join("registry-password");
    std::fs::write(&secret, format!("{marker}\n")).unwrap();
    let kdl = format!(
        "project secrets\n\
         target stack {{\n    kafka \"127.0.0.1:9092\"\n    \
         schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\" {{\n        user \"venice\"\n        \
         password file=\"{}\"\n    }}\n}}\n\
         schema Row avro=#\"{{\"type\": \"record\", \"name\": \"Row\", \"fields\": [{{\"name\": \"id\", \"type\": \"int\"}}]}}\"#\n\
         topic s{id} {{\n    key string\n    value avro schema=Row\n}}\n\
         producer w topic=s{id} {{\n    key string\n    value avro schema=Row\n}}\n\
         consumer r topic=s{id} group=r {{\n    key string\n    value avro schema=Row\n}}\n",
        secret.display()
    );
    std::fs::write(root.path().join("venice.kdl"), kdl).unwrap();
    let mut shown = Vec::new();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_venice")).args(args).output().expect("venice runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let project = root.path().to_str().unwrap();
    for format in ["human", "json", "sarif", "github"] {
        let (code, out) = run(&["check", project, "--format", format]);
        assert_eq!(code, Some(0), "{out}");
        shown.push(out);
    }
    let out_dir = tempfile::tempdir().unwrap();
    let (code, out) = run(&["build", project, "--out", out_dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    shown.push(out);
    let plan = venice(root.path(), &["plan"]);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    let apply = venice(root.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert!(apply.stdout().contains(&format!("s{id}-value")), "the subject is registered: {}", apply.shown());
    shown.extend([plan.shown(), apply.shown()]);
    shown.push(std::fs::read_to_string(root.path().join("venice.lock")).unwrap());
    for file in walk(out_dir.path()) {
        shown.push(String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned());
    }
    for text in &shown {
        assert!(!text.contains(&marker), "the secret is shown:\n{text}");
    }
    // The secret is read when it is needed: without it, plan stops and names the file, not a value.
    std::fs::remove_file(&secret).unwrap();
    let missing = venice(root.path(), &["plan"]);
    assert_eq!(missing.code(), Some(2), "{}", missing.shown());
    assert!(missing.shown().contains("registry-password"), "{}", missing.shown());
    // Deletes what it applied: the project cut down to its target, with the secret back.
    std::fs::write(&secret, format!("{marker}\n")).unwrap();
    let kdl = std::fs::read_to_string(root.path().join("venice.kdl")).unwrap();
    let target_only = &kdl[..kdl.find("schema Row").expect("the layout above")];
    std::fs::write(root.path().join("venice.kdl"), target_only).unwrap();
    let pruned = venice(root.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    assert!(!pruned.shown().contains(&marker), "{}", pruned.shown());
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() { files.extend(walk(&path)) } else { files.push(path) }
    }
    files
}

/// A no-change plan takes Apicurio's bulk list of latest versions for a read of each schema
/// when venice.lock records the id of the schema it registered; what is changed by hand beside
/// venice is still seen: a newer version, another level, a subject deleted.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn the_bulk_read_of_the_registry_still_sees_changes_made_by_hand() {
    let id = unique();
    let dir = tempfile::tempdir().unwrap();
    let registry = "http://127.0.0.1:8081/apis/ccompat/v7";
    let mut kdl = format!(
        "project bulk\ntarget stack {{\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"{registry}\"\n}}\n\
         schema Row avro=#\"{{\"type\": \"record\", \"name\": \"Row\", \"fields\": [{{\"name\": \"id\", \"type\": \"int\"}}]}}\"#\n"
    );
    for topic in [format!("t{id}"), format!("u{id}")] {
        kdl.push_str(&format!(
            "topic {topic} {{\n    key string\n    value avro schema=Row\n}}\n\
             producer w{topic} topic={topic} {{\n    key string\n    value avro schema=Row\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("venice.kdl"), &kdl).unwrap();
    let first = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(first.code(), Some(0), "{}", first.shown());

    // The lock records the id the registry gave each schema.
    let latest = |subject: &str| -> serde_json::Value {
        let url = format!("{registry}/subjects/{subject}/versions/latest");
        serde_json::from_str(&ureq::get(&url).call().unwrap().into_body().read_to_string().unwrap()).unwrap()
    };
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    let registered = latest(&format!("t{id}-value"))["id"].as_i64().unwrap();
    assert!(lock.contains(&format!("[applied.stack.schemas.t{id}-value]\nid = {registered}\n")), "{lock}");
    let unchanged = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(unchanged.code(), Some(0), "{}", unchanged.shown());

    // A version registered by hand: the listed latest id is not the recorded one.
    let newer = r#"{"type": "record", "name": "Row", "fields": [{"name": "id", "type": "int"}, {"name": "note", "type": "string", "default": ""}]}"#;
    let send = |method: &str, path: &str, body: serde_json::Value| {
        let url = format!("{registry}{path}");
        let request = match method {
            "POST" => ureq::post(&url),
            _ => ureq::put(&url),
        };
        let reply = request.header("content-type", "application/vnd.schemaregistry.v1+json").send(body.to_string());
        assert_eq!(reply.unwrap().status(), 200, "{method} {path}");
    };
    send("POST", &format!("/subjects/t{id}-value/versions"), serde_json::json!({ "schema": newer }));
    // Another level set by hand on the second subject.
    send("PUT", &format!("/config/u{id}-value"), serde_json::json!({ "compatibility": "NONE" }));
    let drift = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(drift.code(), Some(2), "{}", drift.shown());
    let out = drift.stdout();
    assert!(out.contains(&format!("  ~ subject `t{id}-value`\n      schema: \"version 2\" -> ")), "{out}");
    assert!(
        out.contains(&format!("  ~ subject `u{id}-value`\n      compatibility: \"NONE\" -> \"BACKWARD\"")),
        "{out}"
    );

    // A subject deleted by hand (soft, as the Confluent API does first) is to be created again.
    let deleted = ureq::delete(&format!("{registry}/subjects/u{id}-value")).call().unwrap();
    assert_eq!(deleted.status(), 200);
    let gone = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(gone.code(), Some(2), "{}", gone.shown());
    assert!(gone.stdout().contains(&format!("  + subject `u{id}-value`")), "{}", gone.shown());

    std::fs::write(
        dir.path().join("venice.kdl"),
        format!(
            "project bulk\ntarget stack {{\n    kafka \"127.0.0.1:9092\"\n    schema-registry \"{registry}\"\n}}\n"
        ),
    )
    .unwrap();
    let pruned = venice(dir.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
}

/// An apply without connectors or ksqlDB is done once the controller has its topics; a plan
/// right after, while the broker is still making the partitions' files and does not list every
/// topic yet, waits for them instead of proposing to create them again, and keeps them on the
/// record; so does `tail`. Topics the project adds are still creates, and the controller's check
/// made nothing.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn a_plan_right_after_an_apply_waits_for_the_topics_the_controller_holds() {
    const HELD: usize = 200;
    let id = unique();
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = (0..HELD).map(|i| format!("held{id}_{i}")).collect();
    let topic = |name: &str, partitions: u32| {
        format!(
            "topic {name} partitions={partitions} replication=1 {{\n    key string\n    value string\n}}\n\
             producer p_{name} topic={name} {{\n    key string\n    value string\n}}\n"
        )
    };
    let target = format!("project held{id}\ntarget stack {{\n    kafka \"127.0.0.1:9092\"\n}}\n");
    // 1,600 partitions: the stack's broker lists them a few seconds after the controller has them.
    let declared: String = names.iter().map(|n| topic(n, 8)).collect();
    std::fs::write(dir.path().join("venice.kdl"), format!("{target}{declared}")).unwrap();
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    let listed_at_once = topics_listed(&names).len();
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    assert!(plan.stdout().contains("0 to create, 0 to update"), "{}", plan.shown());
    eprintln!("listed right after the apply: {listed_at_once} of {HELD} topics; the plan took {:?}", plan.took);
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    for name in &names {
        assert!(lock.contains(&format!("\"{name}\"")), "{name} is recorded:\n{lock}");
    }

    // The same again, the topics read by `tail` right after the apply: the topic created last
    // is listed last, and tail waits for it too. A plan first: the controller's check made nothing.
    let added: Vec<String> = (0..HELD).map(|i| format!("held{id}_new{i}")).collect();
    let more: String = added.iter().map(|n| topic(n, 8)).collect();
    std::fs::write(dir.path().join("venice.kdl"), format!("{target}{declared}{more}")).unwrap();
    let plan = venice(dir.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(2), "{}", plan.shown());
    assert!(plan.stdout().contains(&format!("  + topic `{}`\n", added[0])), "{}", plan.shown());
    assert!(plan.stdout().contains(&format!("{HELD} to create, 0 to update")), "{}", plan.shown());
    assert!(topics_listed(&added).is_empty(), "the plan created nothing");
    let apply = venice(dir.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    let last = added.iter().max().unwrap();
    let listed_at_once = !topics_listed(std::slice::from_ref(last)).is_empty();
    let started = std::time::Instant::now();
    let tail = std::process::Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["tail", last.as_str()])
        .arg(dir.path())
        .args(["--target", "stack", "--no-follow"])
        .output()
        .unwrap();
    assert!(tail.status.success(), "{}", String::from_utf8_lossy(&tail.stderr));
    eprintln!("`{last}` listed right after the apply: {listed_at_once}; tail took {:?}", started.elapsed());

    std::fs::write(dir.path().join("venice.kdl"), &target).unwrap();
    let pruned = venice(dir.path(), &["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    assert!(pruned.stdout().contains(&format!("applied {} changes", 2 * HELD)), "{}", pruned.shown());
}
