//! `venice apply` interrupted, on the real stack of `scripts/stack.sh`: killed (SIGKILL, as an
//! OOM kill or a CI runner does) at several points of a 1000-topic apply, stopped by Ctrl-C
//! (SIGINT, once and twice), and run twice at once. After each, the record (venice.lock and the
//! journal a killed run leaves) is true or a batch short: everything recorded exists, everything
//! the project's runs made is recorded or in doubt, and a re-run and a pruning apply leave
//! nothing behind and make nothing twice.
//! Ignored unless asked for; with the stack up: `cargo test --test deploy_interrupt -- --include-ignored`.

#[path = "deploy/support.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use support::*;

/// One at a time: each loads the broker with hundreds of topics, and timings are reported.
static SERIAL: Mutex<()> = Mutex::new(());

/// A project of `topics` string topics and `avro` topics whose value schema venice registers.
struct Many {
    dir: tempfile::TempDir,
    topics: Vec<String>,
    subjects: Vec<String>,
}

const TARGET: &str = "target stack {\n    kafka \"127.0.0.1:9092\"\n    \
                      schema-registry \"http://127.0.0.1:8081/apis/ccompat/v7\"\n}\n";

impl Many {
    fn new(topics: usize, avro: usize) -> Many {
        let id = unique();
        let dir = tempfile::tempdir().unwrap();
        let mut kdl = format!(
            "project many\n{TARGET}schema Row avro=#\"{{\"type\": \"record\", \"name\": \"Row\", \"fields\": [{{\"name\": \"id\", \"type\": \"int\"}}]}}\"#\n"
        );
        let mut names = Vec::new();
        let mut subjects = Vec::new();
        for n in 0..topics + avro {
            let name = format!("m{id}_{n:03}");
            let value = if n < topics { "value string".to_string() } else { "value avro schema=Row".to_string() };
            if n >= topics {
                subjects.push(format!("{name}-value"));
            }
            kdl.push_str(&format!("topic {name} partitions=1 replication=1 {{\n    key string\n    {value}\n}}\n"));
            names.push(name);
        }
        std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
        Many { dir, topics: names, subjects }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `venice apply` in the background, its output into files beside the project: a pipe
    /// nobody reads fills with the plan of a large project and stops apply before it starts.
    fn spawn_apply(&self) -> Child {
        let out = std::fs::File::create(self.dir.path().join("apply.stdout")).unwrap();
        let err = std::fs::File::create(self.dir.path().join("apply.stderr")).unwrap();
        Command::new(env!("CARGO_BIN_EXE_venice"))
            .arg("apply")
            .arg(self.path())
            .args(["--target", "stack", "--yes"])
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap()
    }

    /// Waits for an apply of [`Many::spawn_apply`] to end: its exit status and output.
    fn finish(&self, mut child: Child) -> Run {
        let started = Instant::now();
        let status = child.wait().unwrap();
        let stdout = std::fs::read(self.dir.path().join("apply.stdout")).unwrap();
        let stderr = std::fs::read(self.dir.path().join("apply.stderr")).unwrap();
        Run { output: std::process::Output { status, stdout, stderr }, took: started.elapsed() }
    }

    fn journal(&self) -> std::path::PathBuf {
        self.path().join(".venice/apply-stack.journal")
    }

    /// The topics of the project that exist.
    fn existing(&self) -> BTreeSet<String> {
        topics_listed(&self.topics)
    }

    /// The topics of the project the broker lists once it lists every one of `recorded` (or
    /// after 60 s): see [`listed_within_a_minute`].
    fn listing(&self, recorded: &BTreeSet<String>) -> BTreeSet<String> {
        listed_within_a_minute(&recorded.iter().cloned().collect::<Vec<_>>());
        self.existing()
    }

    /// The record as the next run reads it: venice.lock's topics with the journal's lines
    /// carried out; and the topics in doubt (announced, not confirmed).
    fn record(&self) -> (BTreeSet<String>, BTreeSet<String>) {
        let lock = venice::lock::Lock::read(self.path());
        let mut topics = lock.and_then(|l| l.applied.get("stack").map(|a| a.topics.clone())).unwrap_or_default();
        let mut in_doubt = BTreeSet::new();
        let text = std::fs::read_to_string(self.journal()).unwrap_or_default();
        // A last line without its newline is torn: the next run ignores it.
        let complete = &text[..text.rfind('\n').map_or(0, |i| i + 1)];
        for line in complete.lines() {
            let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if entry["set"] != "topic" {
                continue;
            }
            let name = entry["name"].as_str().unwrap().to_string();
            match entry["step"].as_str().unwrap() {
                "creating" => {
                    in_doubt.insert(name);
                }
                "made" => {
                    in_doubt.remove(&name);
                    topics.insert(name);
                }
                "deleted" => {
                    in_doubt.remove(&name);
                    topics.remove(&name);
                }
                other => panic!("unexpected step {other}"),
            }
        }
        (topics, in_doubt)
    }

    /// How many topics this run's journal records as made.
    fn made_in_journal(&self) -> usize {
        std::fs::read_to_string(self.journal()).map_or(0, |t| t.matches("\"step\":\"made\"").count())
    }

    /// The record is true or a batch short: each recorded topic exists, and each existing one is
    /// recorded or in doubt (at most the batch in flight: apply creates topics 100 to a
    /// CreateTopics request, `deploy::batch::TOPICS_PER_REQUEST`, and journals each batch's
    /// outcome, topic by topic, once the broker answers it).
    fn assert_record_true(&self, when: &str) -> (usize, usize) {
        let (recorded, in_doubt) = self.record();
        let existing = self.listing(&recorded);
        let too_far: Vec<&String> = recorded.difference(&existing).collect();
        assert!(too_far.is_empty(), "{when}: recorded but not on the target: {too_far:?}");
        let short: Vec<&String> = existing.difference(&recorded).collect();
        assert!(
            short.iter().all(|t| in_doubt.contains(*t)),
            "{when}: made but neither recorded nor in doubt: {short:?}"
        );
        assert!(short.len() <= 100, "{when}: more than the batch in flight short: {short:?}");
        (existing.len(), short.len())
    }

    /// `plan --format json`: the objects, and how many changes.
    fn plan(&self) -> (Vec<serde_json::Value>, u64) {
        let plan = venice(self.path(), &["plan", "--format", "json"]);
        assert_eq!(plan.code(), Some(0), "{}", plan.shown());
        let document: serde_json::Value = serde_json::from_str(&plan.stdout()).unwrap();
        (document["objects"].as_array().unwrap().clone(), document["changes"].as_u64().unwrap())
    }

    /// The project cut down to its target, applied with `--prune`: nothing of it is left.
    fn prune_all(&self) -> Run {
        std::fs::write(self.path().join("venice.kdl"), format!("project many\n{TARGET}")).unwrap();
        let pruned = venice(self.path(), &["apply", "--yes", "--prune"]);
        assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
        // Kafka deletes a topic a moment after it answers.
        let _ = wait_for("the topics to go", 60, || self.existing().is_empty().then_some(()));
        let registry = registry();
        for subject in &self.subjects {
            let reply = registry.get(&format!("/subjects/{subject}/versions")).unwrap();
            assert_eq!(reply.status, 404, "{subject} left behind: {}", reply.body);
        }
        let lock = venice::lock::Lock::read(self.path()).unwrap();
        assert!(!lock.applied.contains_key("stack"), "{lock:?}");
        pruned
    }
}

fn registry() -> venice::deploy::http::Service {
    venice::deploy::http::Service::new(
        "the schema registry",
        "http://127.0.0.1:8081/apis/ccompat/v7",
        venice::deploy::http::Auth::None,
        Duration::from_secs(10),
    )
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill").args([&format!("-{name}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
}

/// Kills apply with SIGKILL at three points of a 1000-topic project (each run resuming the
/// last), checks the record after each, then lets a run finish and prunes: every topic made once,
/// each subject at version 1, nothing left.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn sigkill_at_several_points_then_a_rerun_and_a_prune_leave_nothing_behind() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Ten batches of topics (`deploy::batch::TOPICS_PER_REQUEST`); each run is killed once it
    // has made a batch of its own (its journal, not the one it folds in when it starts).
    let many = Many::new(995, 5);
    let mut killed_pid = None;
    let mut report = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let before = std::fs::read_to_string(many.journal()).ok();
        let child = many.spawn_apply();
        let pid = child.id();
        // Looked at every 10 ms, not wait_for's 200: a batch takes tens of milliseconds, and a
        // run looked at too rarely would finish the project before it is killed.
        let waiting = Instant::now();
        loop {
            let now = std::fs::read_to_string(many.journal()).ok();
            if now.is_some() && now != before && many.made_in_journal() >= 100 {
                break;
            }
            assert!(waiting.elapsed() < Duration::from_secs(120), "the apply made no batch in 120 s");
            std::thread::sleep(Duration::from_millis(10));
        }
        let mut child = child;
        child.kill().unwrap();
        let run = many.finish(child);
        if let Some(previous) = killed_pid {
            assert!(
                run.stderr().contains(&format!(
                    "notice: took over the lock of an apply to target `stack` that did not finish (pid {previous} on "
                )),
                "{}",
                run.shown()
            );
            assert!(run.stderr().contains("notice: an apply to target `stack` did not finish: "), "{}", run.shown());
        }
        killed_pid = Some(pid);
        let (existing, in_doubt) =
            many.assert_record_true(&format!("killed after {:.1} s", started.elapsed().as_secs_f64()));
        // Every topic that exists is venice's to the next plan (the one in doubt settled).
        let (objects, _) = many.plan();
        let not_owned: Vec<&serde_json::Value> = objects.iter().filter(|o| o["owned"] == false).collect();
        assert!(not_owned.is_empty(), "{not_owned:?}");
        report.push(format!(
            "killed at {existing} topics ({in_doubt} in doubt) after {:.1} s",
            started.elapsed().as_secs_f64()
        ));
    }
    let rerun = venice(many.path(), &["apply", "--yes"]);
    assert_eq!(rerun.code(), Some(0), "{}", rerun.shown());
    let created = rerun.stdout().matches("] created topic `").count();
    let (recorded, in_doubt) = many.record();
    assert_eq!(recorded.len(), 1000);
    assert!(in_doubt.is_empty() && !many.journal().exists());
    // The apply ends when the controller has the topics; the broker lists the last ones later.
    assert_eq!(many.listing(&recorded).len(), 1000);
    let (objects, changes) = many.plan();
    assert_eq!(changes, 0);
    assert!(objects.iter().all(|o| o["owned"] == true));
    let registry = registry();
    for subject in &many.subjects {
        let versions = registry.get(&format!("/subjects/{subject}/versions")).unwrap();
        assert_eq!(versions.json(), serde_json::json!([1]), "{subject}: {}", versions.body);
    }
    let pruned = many.prune_all();
    eprintln!(
        "measured: {}; the re-run created {created} topics in {:.1} s; the prune deleted 1000 topics and 5 subjects in {:.1} s",
        report.join("; "),
        rerun.took.as_secs_f64(),
        pruned.took.as_secs_f64()
    );
}

/// Ctrl-C: the step in flight finishes, no other starts, exit 130 with what was not applied,
/// and venice.lock records exactly the topics that exist. Twice: exit 130 at once, the journal
/// true, folded in by the next run.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn sigint_stops_at_a_safe_point_with_exit_130_and_a_true_record() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Ten batches of topics (`deploy::batch::TOPICS_PER_REQUEST`), interrupted after the first.
    let many = Many::new(1000, 0);
    let child = many.spawn_apply();
    let _ = wait_for("100 topics", 120, || (many.made_in_journal() >= 100).then_some(()));
    let sent = Instant::now();
    signal(&child, "INT");
    let run = many.finish(child);
    let stopped_in = sent.elapsed();
    assert_eq!(run.code(), Some(130), "{}", run.shown());
    let stderr = run.stderr();
    assert!(stderr.starts_with("interrupted: apply stopped at a safe point:\n"), "{}", run.shown());
    assert!(stderr.contains("\nnot applied: create topic `"), "{}", run.shown());
    assert!(!many.journal().exists(), "folded into venice.lock");
    let (recorded, in_doubt) = many.record();
    let existing = many.listing(&recorded);
    assert_eq!(recorded, existing, "an interrupt records exactly what exists");
    assert!(in_doubt.is_empty());
    let first = existing.len();

    // Twice: the second exits at once; the journal is left, true, and the next run folds it.
    let child = many.spawn_apply();
    let _ = wait_for("100 more topics", 120, || (many.made_in_journal() >= 100).then_some(()));
    signal(&child, "INT");
    signal(&child, "INT");
    let run = many.finish(child);
    assert_eq!(run.code(), Some(130), "{}", run.shown());
    let (second, _) = many.assert_record_true("after a second Ctrl-C");
    let rerun = venice(many.path(), &["apply", "--yes"]);
    assert_eq!(rerun.code(), Some(0), "{}", rerun.shown());
    assert_eq!(many.record().0.len(), 1000);
    let (_, changes) = many.plan();
    assert_eq!(changes, 0);
    many.prune_all();
    eprintln!(
        "measured: Ctrl-C at {first} topics, exit 130 after {:.0} ms; a second Ctrl-C at {second} topics",
        stopped_in.as_secs_f64() * 1000.0
    );
}

/// Two applies at once on one project and target: the second is refused (exit 2) naming the
/// first's pid, host and start time; the first runs to the end; the plan afterwards is empty.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn two_applies_at_once_one_runs_the_other_is_refused() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Ten batches of topics, so that the first is still running when the second starts (it
    // makes them in about a second, since it does not wait for the brokers to list them); it
    // holds the lock from before its plan, and its journal shows it got that far.
    let many = Many::new(1000, 0);
    let first = many.spawn_apply();
    let _ = wait_for("the first apply to start", 60, || many.journal().exists().then_some(()));
    let second = venice(many.path(), &["apply", "--yes"]);
    assert_eq!(second.code(), Some(2), "{}", second.shown());
    let expected = format!("error: another apply on target `stack` is running (pid {} on ", first.id());
    assert!(second.stderr().starts_with(&expected), "{}", second.shown());
    assert!(second.stderr().contains(", since 20"), "{}", second.shown());
    let first = many.finish(first);
    assert_eq!(first.code(), Some(0), "{}", first.shown());
    let plan = venice(many.path(), &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code(), Some(0), "{}", plan.shown());
    many.prune_all();
}

/// Objects the project declares that someone else made: not owned, left by a prune, taken by
/// `apply --adopt` (listed), then pruned.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn objects_made_by_someone_else_are_not_owned_until_adopted() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let many = Many::new(3, 0);
    let mut admin = venice::deploy::kafka::Admin::new(vec!["127.0.0.1:9092".into()], Duration::from_secs(10));
    let theirs = &many.topics[0];
    let topic = venice::deploy::kafka::NewTopic {
        name: theirs.clone(),
        partitions: 1,
        replication: 1,
        configs: Default::default(),
    };
    assert!(admin.create_topic(&topic).unwrap());
    let plan = venice(many.path(), &["plan"]);
    assert!(plan.stdout().contains(&format!(" topic `{theirs}` (not owned: ")), "{}", plan.shown());
    let apply = venice(many.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert!(!many.record().0.contains(theirs));
    let adopt = venice(many.path(), &["apply", "--yes", "--adopt"]);
    assert_eq!(adopt.code(), Some(0), "{}", adopt.shown());
    assert!(adopt.stdout().contains(&format!("adopted topic `{theirs}`\n")), "{}", adopt.shown());
    assert!(many.record().0.contains(theirs));
    many.prune_all();
}

/// A journal as a run killed in the middle of two creates leaves it (both announced, neither
/// confirmed, the last line torn): the next apply folds it in, records the topic the target
/// holds (the killed run made it), creates the other, and the prune deletes both.
#[test]
#[ignore = "needs the real-services stack (scripts/stack.sh up)"]
fn creates_left_in_doubt_are_settled_against_the_target() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let many = Many::new(2, 0);
    let (made, never) = (&many.topics[0], &many.topics[1]);
    let mut admin = venice::deploy::kafka::Admin::new(vec!["127.0.0.1:9092".into()], Duration::from_secs(10));
    let topic = venice::deploy::kafka::NewTopic {
        name: made.clone(),
        partitions: 1,
        replication: 1,
        configs: Default::default(),
    };
    assert!(admin.create_topic(&topic).unwrap());
    std::fs::create_dir_all(many.path().join(".venice")).unwrap();
    let journal = format!(
        "{{\"step\":\"creating\",\"set\":\"topic\",\"name\":\"{made}\"}}\n\
         {{\"step\":\"creating\",\"set\":\"topic\",\"name\":\"{never}\"}}\n{{\"step\":\"ma"
    );
    std::fs::write(many.journal(), journal).unwrap();
    let plan = venice(many.path(), &["plan"]);
    assert!(!plan.stdout().contains("not owned"), "{}", plan.shown());
    let apply = venice(many.path(), &["apply", "--yes"]);
    assert_eq!(apply.code(), Some(0), "{}", apply.shown());
    assert!(
        apply.stderr().contains(
            "notice: an apply to target `stack` did not finish: 2 steps of its journal folded into venice.lock (its torn last line ignored)"
        ),
        "{}",
        apply.shown()
    );
    assert!(apply.stdout().contains(&format!("created topic `{never}`")), "{}", apply.shown());
    assert!(!apply.stdout().contains(&format!("created topic `{made}`")), "{}", apply.shown());
    assert_eq!(many.record().0, many.topics.iter().cloned().collect());
    assert_record_true(many.path());
    many.prune_all();
}
