//! Faults during `venice apply`, on the real stack of `scripts/stack.sh`: a service down before
//! the apply, Kafka Connect stopped in the middle of one. These stop and start services of the
//! shared stack, so they run one at a time, and each puts the stack back as it found it.
//! Ignored unless asked for; with the stack up: `cargo test --test deploy_faults -- --include-ignored`.

#[path = "deploy/support.rs"]
mod support;

use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::*;

/// One fault test at a time: they stop shared services.
static SERIAL: Mutex<()> = Mutex::new(());

/// Starts the service again when the test ends, even when it fails.
struct Restart(&'static str);

impl Drop for Restart {
    fn drop(&mut self) {
        stack(&["up", self.0]);
    }
}

/// The registry down: apply waits for it (bounded), then fails naming it and where, and
/// changes nothing; once it is back, the same apply converges.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn with_the_registry_down_apply_fails_fast_naming_it_and_changes_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let project = Project::stack_cdc();
    create_source_table(&project);
    {
        let _restart = Restart("registry");
        stack(&["down", "registry"]);
        let run = project.venice(&["apply", "--yes", "--wait", "3"]);
        assert_eq!(run.code(), Some(2), "{}", run.shown());
        assert!(
            run.stderr().contains(
                "error: the schema registry is not answering at http://127.0.0.1:8081/apis/ccompat/v7 (connection refused); waited 3 s\nnothing was applied\n"
            ),
            "{}",
            run.shown()
        );
        assert!(run.took < Duration::from_secs(10), "took {:?}", run.took);
        assert!(topics_listed(&[project.cdc_topic.clone(), project.visits_topic.clone()]).is_empty());
        assert!(!project.path().join("venice.lock").exists());
        assert!(!project.path().join(".venice/apply-stack.journal").exists(), "nothing was journaled");
    }
    let run = project.venice(&["apply", "--yes"]);
    assert_eq!(run.code(), Some(0), "{}", run.shown());
    assert_record_true(project.path());
    let _ = wait_for("the snapshot in the sink table", 90, || {
        sink_rows(&project).filter(|r| r == "1|Ada|ada@example.com\n2|Grace|-")
    });
    clean_up(&project);
}

/// Connect stopped while apply runs (once the source connector exists, so the apply is between
/// the source and the sink): apply fails naming Connect and listing what was and was not
/// applied; with Connect back, the rerun converges, and nothing is duplicated: one connector of
/// each name, one version of venice's subject, each source row once in the sink table.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn connect_stopped_in_the_middle_of_an_apply_then_a_rerun_converges() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let project = Project::stack_cdc();
    create_source_table(&project);
    let stopped_at;
    let outcome;
    {
        let _restart = Restart("connect");
        let child = Command::new(env!("CARGO_BIN_EXE_venice"))
            .arg("apply")
            .arg(project.path())
            .args(["--target", "stack", "--yes", "--wait", "8"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let connect = venice::deploy::http::Service::new(
            "Kafka Connect",
            "http://127.0.0.1:8083",
            venice::deploy::http::Auth::None,
            Duration::from_secs(5),
        );
        let _ = wait_for("the source connector to be created", 30, || {
            connect.get("/connectors").ok().filter(|r| r.body.contains(&project.source))
        });
        stack(&["down", "connect"]);
        stopped_at = started.elapsed();
        outcome = child.wait_with_output().unwrap();
    }
    let stdout = String::from_utf8_lossy(&outcome.stdout);
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    let shown = format!("stopped at {stopped_at:?}\n--- stdout\n{stdout}--- stderr\n{stderr}");
    eprintln!("the interrupted apply:\n{shown}");
    assert_eq!(outcome.status.code(), Some(1), "{shown}");
    assert!(stderr.starts_with("error: apply stopped:\n"), "{shown}");
    assert!(stderr.contains("Kafka Connect is not answering at http://127.0.0.1:8083"), "{shown}");
    assert!(stderr.contains(&format!("applied: created topic `{}`", project.cdc_topic)), "{shown}");
    assert!(stderr.contains(&format!("create sink `{}`", project.sink)), "the sink was not applied: {shown}");
    assert!(stderr.ends_with("run `venice apply` again to converge\n"), "{shown}");
    let lock = std::fs::read_to_string(project.path().join("venice.lock")).unwrap();
    assert!(lock.contains(&format!("\"{}\"", project.cdc_topic)), "what was applied is recorded: {lock}");
    // The source was created before Connect stopped: recorded, as the sink (never created) is not.
    assert!(lock.contains(&format!("connectors = [\"{}\"]", project.source)), "{lock}");

    // Connect is back (the guard started it): the record is true, and the rerun converges.
    let _ = wait_for("Kafka Connect to list the source", 60, || {
        registry_free_connectors_or_none().filter(|c| c.contains(&project.source))
    });
    assert_record_true(project.path());
    let rerun = project.venice(&["apply", "--yes"]);
    let status = |name: &str| {
        let connect = venice::deploy::http::Service::new(
            "Kafka Connect",
            "http://127.0.0.1:8083",
            venice::deploy::http::Auth::None,
            Duration::from_secs(5),
        );
        connect.get(&format!("/connectors/{name}/status")).map(|r| r.body).unwrap_or_default()
    };
    assert_eq!(rerun.code(), Some(0), "{}\nthe source: {}", rerun.shown(), status(&project.source));
    assert!(rerun.stdout().contains(&format!("created sink `{}`", project.sink)), "{}", rerun.shown());
    let plan = project.venice(&["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    let _ = wait_for("the snapshot in the sink table", 90, || {
        sink_rows(&project).filter(|r| r == "1|Ada|ada@example.com\n2|Grace|-")
    });
    psql(&format!("INSERT INTO public.{} VALUES (3, 'Edsger', NULL)", project.table)).unwrap();
    let _ = wait_for("the new row in the sink table", 60, || {
        sink_rows(&project).filter(|r| r == "1|Ada|ada@example.com\n2|Grace|-\n3|Edsger|-")
    });
    let counts = psql(&format!("SELECT count(*), count(DISTINCT id) FROM {}", project.copy)).unwrap();
    assert_eq!(counts, "3|3");
    let registry = venice::deploy::http::Service::new(
        "the schema registry",
        "http://127.0.0.1:8081/apis/ccompat/v7",
        venice::deploy::http::Auth::None,
        Duration::from_secs(5),
    );
    let versions = registry.get(&format!("/subjects/{}-value/versions", project.visits_topic)).unwrap();
    assert_eq!(versions.json(), serde_json::json!([1]), "{}", versions.body);
    let connectors = registry_free_connectors();
    assert_eq!(connectors.iter().filter(|c| **c == project.source).count(), 1);
    assert_eq!(connectors.iter().filter(|c| **c == project.sink).count(), 1);
    assert_record_true(project.path());
    clean_up(&project);
}

fn registry_free_connectors() -> Vec<String> {
    registry_free_connectors_or_none().expect("Kafka Connect answers")
}

/// The connectors Connect lists, or None while it is not answering.
fn registry_free_connectors_or_none() -> Option<Vec<String>> {
    let connect = venice::deploy::http::Service::new(
        "Kafka Connect",
        "http://127.0.0.1:8083",
        venice::deploy::http::Auth::None,
        Duration::from_secs(5),
    );
    let reply = connect.get("/connectors").ok().filter(|r| r.status == 200)?;
    Some(reply.json().as_array()?.iter().filter_map(|c| c.as_str().map(str::to_owned)).collect())
}
