//! Helpers of the live `plan`/`apply` tests (`tests/deploy_live.rs`, `tests/deploy_faults.rs`):
//! the stack of `scripts/stack.sh` on loopback, the `venice` binary, psql.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A suffix no earlier run used: lower case, digits and `_`, for tables, topics and connectors.
pub fn unique() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("{}_{}", std::process::id(), nanos.as_nanos() % 10_000_000_000)
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/deploy/stack-cdc` copied into a temporary folder with every `customers` renamed
/// `c<id>` and the topic prefix `app` renamed `a<id>`, so runs do not meet each other's objects.
pub struct Project {
    pub dir: tempfile::TempDir,
    pub id: String,
    /// The source table, and the sink's.
    pub table: String,
    pub copy: String,
    pub source: String,
    pub sink: String,
    pub cdc_topic: String,
    pub visits_topic: String,
}

impl Project {
    pub fn stack_cdc() -> Project {
        let id = unique();
        let dir = tempfile::tempdir().unwrap();
        let from = repo().join("tests/deploy/stack-cdc");
        let rename = |text: &str| {
            text.replace("customers", &format!("c{id}"))
                .replace("app.", &format!("a{id}."))
                .replace("stream visits", &format!("stream visits_{id}"))
        };
        std::fs::create_dir_all(dir.path().join("sql")).unwrap();
        for file in ["venice.kdl", "sql/customers.sql"] {
            let text = std::fs::read_to_string(from.join(file)).unwrap();
            std::fs::write(dir.path().join(rename(file)), rename(&text)).unwrap();
        }
        Project {
            table: format!("c{id}"),
            copy: format!("c{id}_copy"),
            source: format!("c{id}-cdc"),
            sink: format!("c{id}-copy"),
            cdc_topic: format!("a{id}.public.c{id}"),
            visits_topic: format!("a{id}.visits"),
            id,
            dir,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn kdl(&self) -> String {
        std::fs::read_to_string(self.path().join("venice.kdl")).unwrap()
    }

    pub fn write_kdl(&self, text: &str) {
        std::fs::write(self.path().join("venice.kdl"), text).unwrap();
    }

    /// The project cut down to its target: `apply --prune` then deletes what it applied.
    pub fn only_the_target(&self) -> String {
        let kdl = self.kdl();
        let end = kdl.find("// The stack's PostgreSQL").expect("the fixture's layout");
        kdl[..end].to_string()
    }

    pub fn venice(&self, args: &[&str]) -> Run {
        venice(self.path(), args)
    }
}

/// One run of the binary, timed.
pub struct Run {
    pub output: Output,
    pub took: Duration,
}

impl Run {
    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    pub fn shown(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code(), self.stdout(), self.stderr())
    }
    /// Each stdout line parsed as JSON (`--format json` of `tail`).
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
    }
}

/// `venice COMMAND DIR --target stack ARGS...`.
pub fn venice(dir: &Path, args: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .arg(args[0])
        .arg(dir)
        .args(["--target", "stack"])
        .args(&args[1..])
        .env_remove("NO_COLOR")
        .output()
        .expect("venice runs");
    Run { output, took: started.elapsed() }
}

pub fn psql(sql: &str) -> Result<String, String> {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-p", "5432", "-U", "venice", "-d", "venice", "-qAtX"])
        .args(["-v", "ON_ERROR_STOP=1", "-c", sql])
        .env("PGPASSWORD", "venice")
        .output()
        .map_err(|e| format!("psql: {e} (apt-get install postgresql-client)"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Polls `probe` every 200 ms until it answers, or panics after `secs`.
pub fn wait_for<T>(what: &str, secs: u64, mut probe: impl FnMut() -> Option<T>) -> (T, Duration) {
    let start = Instant::now();
    loop {
        if let Some(value) = probe() {
            return (value, start.elapsed());
        }
        assert!(start.elapsed() < Duration::from_secs(secs), "timed out after {secs} s waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `scripts/stack.sh ARGS` (e.g. `down connect`), which must succeed.
pub fn stack(args: &[&str]) {
    let out = Command::new(repo().join("scripts/stack.sh")).args(args).output().expect("scripts/stack.sh runs");
    assert!(
        out.status.success(),
        "scripts/stack.sh {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The source table with two rows.
pub fn create_source_table(project: &Project) {
    psql(&format!(
        "CREATE TABLE public.{} (id int PRIMARY KEY, name text NOT NULL, email text); \
         INSERT INTO public.{} VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL);",
        project.table, project.table
    ))
    .unwrap();
}

/// Deletes what the project applied (`apply --prune` of the project cut down to its target),
/// then the tables and the publication Debezium made.
pub fn clean_up(project: &Project) {
    project.write_kdl(&project.only_the_target());
    let pruned = project.venice(&["apply", "--yes", "--prune"]);
    assert_eq!(pruned.code(), Some(0), "{}", pruned.shown());
    // The slot outlives the connector (the fixture does not set `slot.drop.on.stop`, which
    // would lose changes across a restart of Connect): drop it once no task holds it.
    let slot = project.source.replace('-', "_");
    let _ = wait_for("the replication slot to be dropped", 30, || {
        psql(&format!(
            "SELECT count(pg_drop_replication_slot(slot_name)) FROM pg_replication_slots \
             WHERE slot_name = '{slot}' AND NOT active"
        ))
        .ok()?;
        let left = psql(&format!("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}'")).ok()?;
        (left == "0").then_some(())
    });
    psql(&format!(
        "DROP TABLE IF EXISTS public.{}; DROP TABLE IF EXISTS {}; DROP PUBLICATION IF EXISTS {slot};",
        project.table, project.copy
    ))
    .unwrap();
}

pub fn sink_rows(project: &Project) -> Option<String> {
    psql(&format!("SELECT id, name, coalesce(email, '-') FROM {} ORDER BY id", project.copy)).ok()
}

/// The topics of `names` the stack's broker lists in Metadata.
pub fn topics_listed(names: &[String]) -> BTreeSet<String> {
    let mut admin = venice::deploy::kafka::Admin::new(vec!["127.0.0.1:9092".into()], Duration::from_secs(30));
    admin.topics(names).unwrap().into_keys().collect()
}

/// [`topics_listed`] once it holds every one of `names`, or after 60 s: an apply ends when the
/// controller has its topics, and the broker lists them a moment later (seconds for hundreds).
pub fn listed_within_a_minute(names: &[String]) -> BTreeSet<String> {
    let started = Instant::now();
    loop {
        let listed = topics_listed(names);
        if listed.len() == names.len() || started.elapsed() > Duration::from_secs(60) {
            return listed;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// The record of target `stack` in `dir` is true after a run that ended (however it ended): no
/// journal is left, each topic, subject and connector venice.lock records exists, and the plan
/// finds nothing that exists and is declared but not recorded (a step short).
pub fn assert_record_true(dir: &Path) {
    assert!(!dir.join(".venice/apply-stack.journal").exists(), "the journal was not folded in");
    let applied = venice::lock::Lock::read(dir).and_then(|l| l.applied.get("stack").cloned()).unwrap_or_default();
    let names: Vec<String> = applied.topics.iter().cloned().collect();
    let existing = listed_within_a_minute(&names);
    for topic in &applied.topics {
        assert!(existing.contains(topic), "recorded topic `{topic}` does not exist");
    }
    let service = |name, url| {
        venice::deploy::http::Service::new(name, url, venice::deploy::http::Auth::None, Duration::from_secs(10))
    };
    let registry = service("the schema registry", "http://127.0.0.1:8081/apis/ccompat/v7");
    for subject in &applied.subjects {
        let reply = registry.get(&format!("/subjects/{subject}/versions")).unwrap();
        assert_eq!(reply.status, 200, "recorded subject `{subject}` does not exist: {}", reply.body);
    }
    if !applied.connectors.is_empty() {
        let listed = service("Kafka Connect", "http://127.0.0.1:8083").get("/connectors").unwrap().body;
        for connector in &applied.connectors {
            assert!(listed.contains(&format!("\"{connector}\"")), "recorded connector `{connector}` does not exist");
        }
    }
    let plan = venice(dir, &["plan", "--format", "json"]);
    let document: serde_json::Value =
        serde_json::from_str(&plan.stdout()).unwrap_or_else(|_| panic!("{}", plan.shown()));
    let short: Vec<&serde_json::Value> =
        document["objects"].as_array().unwrap().iter().filter(|o| o["owned"] == false).collect();
    assert!(short.is_empty(), "made by the project but not recorded: {short:?}");
}
