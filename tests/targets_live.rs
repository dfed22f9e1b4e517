//! Two targets of one project on one broker (issue 15 §1 and §3): each names its topics with its
//! own prefix (`names topic-prefix=`), so both deploy side by side on the stack's plaintext
//! listener with their own partitions and configs; `venice topics`, the Kafka admin API and
//! `venice diff` (offline) agree. Ignored unless asked for; with the stack up:
//! `cargo test --test targets_live -- --ignored`.

#[path = "deploy/support.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Run, unique, wait_for};
use venice::deploy::kafka::Admin;

const KAFKA: &str = "127.0.0.1:9092";

/// `venice ARGS...` as given (the targets are named by each call).
fn venice(args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("venice runs");
    Run { output, took: started.elapsed() }
}

/// Target `a`: prefix `live_<id>_a.`, `t` with 2 partitions; target `b`: prefix `live_<id>_b.`,
/// `t` with 4 partitions and a retention of one hour from its `defaults`.
fn project(id: &str) -> tempfile::TempDir {
    let kdl = format!(
        r#"project targets-live
topic t {{
    key string
    value string
}}
producer writer topic=t
consumer reader topic=t group=readers
target a {{
    kafka "{KAFKA}"
    names topic-prefix="live_{id}_a." group-prefix="live_{id}_a-"
    topic t partitions=2
}}
target b {{
    kafka "{KAFKA}"
    names topic-prefix="live_{id}_b."
    defaults {{
        config "retention.ms" "3600000"
    }}
    topic t partitions=4
}}
"#
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    dir
}

#[test]
#[ignore = "needs the venice stack (scripts/stack.sh up)"]
fn two_targets_deploy_their_own_names_partitions_and_configs_on_one_broker() {
    let id = unique();
    let dir = project(&id);
    let at = dir.path().to_str().unwrap();
    let (a, b) = (format!("live_{id}_a.t"), format!("live_{id}_b.t"));
    for target in ["a", "b"] {
        let run = venice(&["apply", at, "--target", target, "--yes"]);
        assert_eq!(run.code(), Some(0), "apply --target {target}: {}", run.shown());
    }

    // On the cluster: each target's topic by its own name, partitions and configs.
    let mut admin = Admin::new(vec![KAFKA.into()], Duration::from_secs(10));
    let names = [a.clone(), b.clone()];
    let (topics, _) = wait_for("both topics in Metadata", 30, || admin.topics(&names).ok().filter(|t| t.len() == 2));
    assert_eq!((topics[&a].partitions, topics[&b].partitions), (2, 4));
    let configs = admin.configs(&names).unwrap();
    assert_eq!(configs[&a]["retention.ms"].value.as_deref(), Some("-1"), "venice's default: forever");
    assert_eq!(configs[&b]["retention.ms"].value.as_deref(), Some("3600000"), "b's defaults");

    // Each target converges on its own, and `venice topics` finds b's topic by its name there.
    for target in ["a", "b"] {
        let plan = venice(&["plan", at, "--target", target, "--detailed-exitcode"]);
        assert_eq!(plan.code(), Some(0), "plan --target {target} after apply: {}", plan.shown());
    }
    let listed = venice(&["topics", at, "--target", "b", "--format", "json"]);
    assert_eq!(listed.code(), Some(0), "{}", listed.shown());
    let listing: serde_json::Value = serde_json::from_str(&listed.stdout()).unwrap();
    let found = listing["topics"].as_array().unwrap().iter().find(|t| t["name"] == b.as_str()).expect("b's topic");
    assert_eq!((found["declared"].as_bool(), found["partitions"].as_array().map(Vec::len)), (Some(true), Some(4)));

    // Each target's partitions are its own record in venice.lock (V503's baseline for it).
    let lock = std::fs::read_to_string(dir.path().join("venice.lock")).unwrap();
    assert!(lock.contains(&format!("[applied.a.partitions]\n\"{a}\" = 2")), "{lock}");
    assert!(lock.contains(&format!("[applied.b.partitions]\n\"{b}\" = 4")), "{lock}");
    let check = venice(&["check", at]);
    assert_eq!(check.code(), Some(0), "{}", check.shown());

    // Offline, `venice diff` says the same.
    let diff = venice(&["diff", at, "--target", "a", "--target", "b", "--format", "json"]);
    assert_eq!(diff.code(), Some(0), "{}", diff.shown());
    let differences: serde_json::Value = serde_json::from_str(&diff.stdout()).unwrap();
    let setting = |name: &str| {
        let all = differences["differences"].as_array().unwrap();
        let found = all.iter().find(|d| d["kind"] == "topic" && d["name"] == "t" && d["setting"] == name);
        found.map(|d| (d["a"].as_str().unwrap_or("").to_string(), d["b"].as_str().unwrap_or("").to_string()))
    };
    assert_eq!(setting("name"), Some((a.clone(), b.clone())));
    assert_eq!(setting("partitions"), Some(("2".into(), "4".into())));
    assert_eq!(setting("config retention.ms"), Some(("-1".into(), "3600000".into())));

    for topic in [&a, &b] {
        admin.delete_topic(topic).unwrap();
    }
}
