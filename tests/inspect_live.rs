//! `venice connectors` and `venice schemas` against the real services of `scripts/stack.sh`
//! (Kafka Connect with Debezium, Apicurio Registry's Confluent API), after applying
//! `tests/deploy/stack-cdc`; and a connector failing on purpose (a JDBC sink to a database that
//! does not exist) for its trace. The live test is ignored unless asked for; with the stack up:
//! `cargo test --test inspect_live -- --include-ignored`. The tests of a service that is not
//! answering need no stack and always run.

#[path = "deploy/support.rs"]
mod support;

use serde_json::{Map, Value};
use std::time::Duration;
use support::*;
use venice::deploy::connect::Connect;
use venice::deploy::http::{Auth, Service};
use venice::deploy::registry::Registry;

const CONNECT: &str = "http://127.0.0.1:8083";
const REGISTRY: &str = "http://127.0.0.1:8081/apis/ccompat/v7";

fn connect() -> Connect {
    Connect::new(Service::new("Kafka Connect", CONNECT, Auth::None, Duration::from_secs(30)))
}

/// Deletes the connector made to fail when the test ends, however it ends.
struct Broken(String);

impl Drop for Broken {
    fn drop(&mut self) {
        let _ = connect().delete(&self.0);
    }
}

/// When the test fails part way, deletes the project's connectors, the replication slot and the
/// tables anyway (best effort, nothing asserted), so a failed run leaves no Debezium task behind.
struct CleanUpOnPanic<'a>(&'a Project);

impl Drop for CleanUpOnPanic<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let project = self.0;
        let _ = connect().delete(&project.source);
        let _ = connect().delete(&project.sink);
        let slot = project.source.replace('-', "_");
        let _ = psql(&format!(
            "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots \
             WHERE slot_name = '{slot}' AND NOT active"
        ));
        let _ = psql(&format!(
            "DROP TABLE IF EXISTS public.{}; DROP TABLE IF EXISTS {}; DROP PUBLICATION IF EXISTS {slot};",
            project.table, project.copy
        ));
    }
}

/// The lines of one connector's block in the text output: its line and the indented ones after it.
fn block(out: &str, name: &str) -> String {
    let start = out.find(&format!("{name} (")).unwrap_or_else(|| panic!("no `{name}` in\n{out}"));
    let mut lines = out[start..].lines();
    let mut text = format!("{}\n", lines.next().unwrap());
    for line in lines.take_while(|l| l.starts_with(' ')) {
        text.push_str(line);
        text.push('\n');
    }
    text
}

#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn connectors_and_schemas_show_what_the_stack_runs_and_what_the_project_declares() {
    let project = Project::stack_cdc();
    let _guard = CleanUpOnPanic(&project);
    create_source_table(&project);
    let (source, sink, id) = (project.source.clone(), project.sink.clone(), project.id.clone());
    let key = format!("{}-key", project.cdc_topic);
    let value = format!("{}-value", project.cdc_topic);
    let visits = format!("{}-value", project.visits_topic);

    // Before apply: everything the project declares is missing.
    let before = project.venice(&["connectors", "--declared"]);
    assert_eq!(before.code(), Some(1), "{}", before.shown());
    assert_eq!(
        before.stdout(),
        format!(
            "missing: `{source}` is declared by the project and not on Kafka Connect\n\
             missing: `{sink}` is declared by the project and not on Kafka Connect\n\
             0 connectors on Kafka Connect at {CONNECT} (target `stack`): 0 declared by the project, 2 missing; 0 with a failure\n"
        )
    );
    let before = project.venice(&["schemas", "--declared"]);
    assert_eq!(before.code(), Some(0), "{}", before.shown());
    let by_writer = "(registered by the connector or ksqlDB query that first writes it)";
    assert_eq!(
        before.stdout(),
        format!(
            "missing: `{key}` is declared by the project and not in the registry {by_writer}\n\
             missing: `{value}` is declared by the project and not in the registry {by_writer}\n\
             missing: `{visits}` is declared by the project and not in the registry (venice registers it: `venice apply`)\n\
             0 subjects in the schema registry at {REGISTRY} (target `stack`): 0 declared by the project (*), 3 missing; global compatibility BACKWARD\n"
        )
    );

    let applied = project.venice(&["apply", "--yes"]);
    assert_eq!(applied.code(), Some(0), "{}", applied.shown());
    // The snapshot reaching the sink means the converters registered their subjects.
    wait_for("the snapshot in the sink table", 90, || sink_rows(&project).filter(|r| r.starts_with("1|Ada")));

    let expected = format!(
        "{source} (source, declared): RUNNING on 127.0.0.1:8083\n  task 0: RUNNING on 127.0.0.1:8083\n\
         {sink} (sink, declared): RUNNING on 127.0.0.1:8083\n  task 0: RUNNING on 127.0.0.1:8083\n\
         2 connectors on Kafka Connect at {CONNECT} (target `stack`): 2 declared by the project, 0 missing; 0 with a failure\n"
    );
    let (declared, _) = wait_for("both connectors and their tasks running", 60, || {
        let run = project.venice(&["connectors", "--declared"]);
        (run.stdout() == expected).then_some(run)
    });
    assert_eq!(declared.code(), Some(0), "{}", declared.shown());

    let json = project.venice(&["connectors", "--declared", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout()).unwrap_or_else(|_| panic!("{}", json.shown()));
    assert_eq!(doc["target"], "stack");
    assert_eq!(doc["connectors"][0]["name"], source.as_str());
    assert_eq!(doc["connectors"][0]["class"], "io.debezium.connector.postgresql.PostgresConnector");
    assert_eq!(doc["connectors"][1]["type"], "sink");
    assert_eq!(doc["connectors"][1]["declared"], true);
    assert_eq!(doc["connectors"][1]["tasks"][0]["state"], "RUNNING");
    assert_eq!(doc["missing"], serde_json::json!([]));

    // Schemas: the three declared subjects, with the ids the registry gives them.
    let schemas = project.venice(&["schemas", "--declared"]);
    assert_eq!(schemas.code(), Some(0), "{}", schemas.shown());
    let out = schemas.stdout();
    assert!(out.starts_with("  SUBJECT "), "{out}");
    for subject in [&key, &value, &visits] {
        let line = out.lines().find(|l| l.starts_with(&format!("* {subject} "))).unwrap_or_else(|| panic!("{out}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[2], "1", "the first version: {line}");
        assert_eq!(&cells[4..], ["AVRO", "BACKWARD", "1"], "type, level and the versions: {line}");
    }
    assert!(
        out.ends_with(&format!(
            "3 subjects in the schema registry at {REGISTRY} (target `stack`): 3 declared by the project (*), 0 missing; global compatibility BACKWARD\n"
        )),
        "{out}"
    );
    let json = project.venice(&["schemas", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout()).unwrap_or_else(|_| panic!("{}", json.shown()));
    let registry = Registry::new(Service::new("the schema registry", REGISTRY, Auth::None, Duration::from_secs(30)));
    let subjects = doc["subjects"].as_array().unwrap();
    assert!(subjects.len() > 3, "every subject of the registry, not only the declared ones");
    for subject in [&key, &value, &visits] {
        let entry = subjects.iter().find(|s| s["subject"] == subject.as_str()).unwrap();
        assert_eq!(entry["declared"], true);
        let latest = registry.latest(subject).unwrap().unwrap();
        assert_eq!(entry["latest"]["id"], latest.id, "{subject}");
        assert_eq!(entry["latest"]["version"], latest.version, "{subject}");
        assert_eq!(entry["versions"], serde_json::json!([latest.version]), "{subject}");
    }
    // Apicurio's converter registers the row record under a subject of its own, which the
    // project does not declare.
    let row = format!("{}.Value", project.cdc_topic);
    let entry = subjects.iter().find(|s| s["subject"] == row.as_str()).unwrap_or_else(|| panic!("no `{row}`"));
    assert_eq!(entry["declared"], false);

    // A connector failing on purpose: a JDBC sink to a database that does not exist.
    let broken = Broken(format!("c{id}-broken"));
    let mut config = Map::new();
    for (k, v) in [
        ("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
        ("topics", project.visits_topic.as_str()),
        ("connection.url", &format!("jdbc:postgresql://127.0.0.1:5432/no_such_db_{id}")),
        ("connection.username", "venice"),
        ("connection.password", "venice"),
        ("tasks.max", "1"),
    ] {
        config.insert(k.into(), Value::from(v));
    }
    connect().put_config(&broken.0, &config).unwrap();
    wait_for("the broken sink's task to fail", 60, || {
        connect().status(&broken.0).ok().flatten().filter(|s| s.task_states.iter().any(|t| t == "FAILED"))
    });
    let all = project.venice(&["connectors"]);
    // Not declared by the project: shown, and the exit status stays 0.
    assert_eq!(all.code(), Some(0), "{}", all.shown());
    let shown = block(&all.stdout(), &broken.0);
    assert!(
        shown.starts_with(&format!(
            "{} (sink): RUNNING on 127.0.0.1:8083\n  task 0: FAILED on 127.0.0.1:8083\n",
            broken.0
        )),
        "{shown}"
    );
    assert!(
        shown.contains("\n    org.hibernate.service.spi.ServiceException: Unable to create requested service"),
        "{shown}"
    );
    assert!(shown.contains("\n        at org.hibernate."), "{shown}");
    assert!(
        shown.contains(
            "\n    Caused by: org.hibernate.HibernateException: Unable to determine Dialect without JDBC metadata"
        ),
        "{shown}"
    );
    assert!(shown.ends_with("more lines: `--trace` shows the whole trace)\n"), "{shown}");
    assert!(shown.lines().count() < 14, "only the first lines: {shown}");

    let full = project.venice(&["connectors", "--trace"]);
    let shown_full = block(&full.stdout(), &broken.0);
    assert!(!shown_full.contains("more lines"), "{shown_full}");
    assert!(shown_full.lines().count() > 20, "the whole trace: {shown_full}");
    let json = project.venice(&["connectors", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout()).unwrap_or_else(|_| panic!("{}", json.shown()));
    let entry = doc["connectors"].as_array().unwrap().iter().find(|c| c["name"] == broken.0.as_str()).unwrap().clone();
    assert_eq!(entry["declared"], false);
    assert!(entry["tasks"][0]["trace"].as_str().unwrap().contains("Caused by: org.hibernate.HibernateException"));

    drop(broken);
    clean_up(&project);
}

/// A project whose `stack` target names services at a closed port.
fn unreachable_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let kdl = "project p\ntarget stack {\n    kafka \"127.0.0.1:9\"\n    schema-registry \"http://127.0.0.1:9/apis/ccompat/v7\"\n    connect \"http://127.0.0.1:9\"\n}\ntopic t partitions=1 replication=1 {\n    key string\n    value string\n}\nproducer w topic=t {\n    key string\n    value string\n}\nconsumer r topic=t group=g {\n    key string\n    value string\n}\n";
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    dir
}

#[test]
fn a_service_that_is_not_answering_is_named_with_where_as_apply_names_it() {
    let dir = unreachable_project();
    let connectors = venice(dir.path(), &["connectors"]);
    assert_eq!(connectors.code(), Some(2), "{}", connectors.shown());
    assert_eq!(
        connectors.stderr(),
        "error: Kafka Connect is not answering at http://127.0.0.1:9 (connection refused)\n"
    );
    assert_eq!(connectors.stdout(), "");
    let schemas = venice(dir.path(), &["schemas"]);
    assert_eq!(schemas.code(), Some(2), "{}", schemas.shown());
    assert_eq!(
        schemas.stderr(),
        "error: the schema registry is not answering at http://127.0.0.1:9/apis/ccompat/v7 (connection refused)\n"
    );
}

#[test]
fn a_target_without_the_service_or_an_unknown_target_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), "project p\ntarget stack {\n    kafka \"127.0.0.1:9\"\n}\n").unwrap();
    let connectors = venice(dir.path(), &["connectors"]);
    assert_eq!(connectors.code(), Some(2), "{}", connectors.shown());
    assert_eq!(connectors.stderr(), "error: target `stack` names no Kafka Connect (`connect` in the target)\n");
    let schemas = venice(dir.path(), &["schemas"]);
    assert_eq!(schemas.stderr(), "error: target `stack` names no schema registry (`schema-registry` in the target)\n");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["schemas", &dir.path().display().to_string(), "--target", "prod"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "error: the project has no target `prod`; it has `stack`\n");
}
