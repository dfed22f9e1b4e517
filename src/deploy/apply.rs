//! `venice apply`: a plan carried out in dependency order: topics, then schemas (subjects),
//! then source connectors, then ksqlDB files (in their order), then sink connectors; with
//! `--prune`, deletions last, in the reverse order. The steps of one phase run side by side;
//! a phase runs only when the ones before it succeeded, so a failure stops before anything
//! that depends on it. Every step is idempotent (a topic that exists, a schema registered
//! already, a PUT of the same config, `CREATE ... IF NOT EXISTS`), so running apply again after
//! a failure converges.
//!
//! Each step is recorded in the journal (`crate::lock::journal`) as soon as the target confirms
//! it, and a create is announced there before it is sent, so a run killed at any point leaves a
//! record that is true or a step short (a create in doubt, which the next plan settles against
//! the target). An interrupt (Ctrl-C) lets the steps in flight finish (a request is short, and a
//! connector is recorded as soon as Connect has it), starts no other, and stops a wait for a
//! connector to run or a ksqlDB file between two statements.
//!
//! A connector is done when the worker reports it and its tasks `RUNNING` (bounded by the
//! wait); one that FAILED is an error with the worker's trace. ksqlDB's `ASSERT TOPIC` and
//! `ASSERT SCHEMA` statements are carried out by venice itself (a bounded wait for the topic
//! or the subject), so they work on servers older than 0.27 and on the test server, which does
//! not know them; every other statement goes to `/ksql` with the last command sequence number.

use super::desired::{Desired, Ksql, starts_with_words, without_leading_comments};
use super::kafka::{ConfigOp, NewTopic};
use super::plan::{Action, Clients, Item, Kind, Plan};
use crate::lock::Applied;
use crate::lock::journal::{Entry, Journal, Set};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub(crate) struct ApplyOptions<'a> {
    /// How long to wait for a service, a connector to run, an asserted topic or subject.
    pub(crate) wait: Duration,
    /// Set by an interrupt (Ctrl-C): no step starts after it.
    pub(crate) interrupted: &'a AtomicBool,
}

impl ApplyOptions<'_> {
    fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
}

/// The message of a wait or a file cut short by an interrupt.
const INTERRUPTED: &str = "interrupted";

/// What an apply did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// `created topic `orders``, in the order they finished.
    pub(crate) done: Vec<String>,
    /// Each step that failed, with why.
    pub(crate) failed: Vec<String>,
    /// The steps not run because an earlier phase failed or the apply was interrupted.
    pub(crate) not_run: Vec<String>,
    /// Whether an interrupt stopped the apply.
    pub(crate) interrupted: bool,
    /// The lock's record for the target after the apply.
    pub(crate) applied: Applied,
}

impl Outcome {
    /// What `venice apply` says when a step failed: the failures, what was applied and what not.
    pub(crate) fn stopped(&self) -> String {
        let mut out = String::from(if self.interrupted {
            "interrupted: apply stopped at a safe point:\n"
        } else {
            "error: apply stopped:\n"
        });
        for failed in &self.failed {
            out.push_str(&format!("  {failed}\n"));
        }
        let list = |items: &[String]| if items.is_empty() { "nothing".to_string() } else { items.join(", ") };
        out.push_str(&format!("applied: {}\n", list(&self.done)));
        out.push_str(&format!("not applied: {}\n", list(&self.not_run)));
        out.push_str("what was applied is recorded in venice.lock; run `venice apply` again to converge\n");
        out
    }
}

/// An action's verb, as a step to do (`create`), a step running (`creating`) and a step done
/// (`created`).
fn verbs(action: Action) -> [&'static str; 3] {
    match action {
        Action::Create => ["create", "creating", "created"],
        Action::Update => ["update", "updating", "updated"],
        Action::Restart => ["restart", "restarting", "restarted"],
        Action::Delete => ["delete", "deleting", "deleted"],
        Action::Keep | Action::Unchanged => ["keep", "keeping", "kept"],
    }
}

fn step_text(item: &Item, tense: usize) -> String {
    format!("{} {} `{}`", verbs(item.action)[tense], item.kind.as_str(), item.name)
}

/// `create source `cdc``: a step to do.
fn describe(item: &Item) -> String {
    step_text(item, 0)
}

/// `creating source `cdc``: a step running.
fn ongoing(item: &Item) -> String {
    step_text(item, 1)
}

/// `created source `cdc``: a step done.
fn past(item: &Item) -> String {
    step_text(item, 2)
}

/// Who watches an apply: told when each step starts (`creating source `cdc``) and given one
/// line when it finishes (`[3/7] created source `cdc` (1.2 s)`). Steps of a phase run side by
/// side, so calls come from several threads.
pub(crate) trait Progress: Sync {
    fn started(&self, _step: &str) {}
    fn finished(&self, step: &str, line: &str);
}

/// Carries out `plan` (which must have no refusals), telling `progress` about each step and
/// recording each in `journal` (started from `plan.record`) as the target confirms it.
pub(crate) fn apply(
    plan: &Plan,
    desired: &Desired,
    clients: &Clients,
    journal: &Journal,
    options: ApplyOptions,
    progress: &dyn Progress,
) -> Outcome {
    let mut outcome = Outcome::default();
    let steps: Vec<&Item> = plan.items.iter().filter(|i| i.action.is_change()).collect();
    let total = steps.len();
    let finished = Mutex::new(0usize);
    let mut phases: Vec<Vec<&Item>> = Vec::new();
    for kind in [Kind::Topic, Kind::Subject, Kind::Source, Kind::Ksql, Kind::Sink] {
        let made: Vec<&Item> = steps.iter().copied().filter(|i| i.kind == kind && i.action != Action::Delete).collect();
        if kind != Kind::Subject {
            phases.push(made);
            continue;
        }
        // A schema's references are registered in an earlier wave than the schema.
        let height = |item: &&Item| desired.reference_height(&item.name);
        let highest = made.iter().map(height).max().unwrap_or(0);
        phases.extend((0..=highest).map(|h| made.iter().copied().filter(|i| height(i) == h).collect()));
    }
    for kind in [Kind::Sink, Kind::Ksql, Kind::Source, Kind::Subject, Kind::Topic] {
        phases.push(steps.iter().copied().filter(|i| i.kind == kind && i.action == Action::Delete).collect());
    }
    let mut stopped = false;
    for phase in phases.into_iter().filter(|p| !p.is_empty()) {
        if stopped || options.interrupted() {
            outcome.not_run.extend(phase.iter().map(|i| describe(i)));
            continue;
        }
        let run = |item: &&Item| -> Option<Result<(), String>> {
            // An interrupt: the steps in flight finish, none starts.
            if options.interrupted() {
                return None;
            }
            let started = Instant::now();
            progress.started(&ongoing(item));
            let result = step(item, desired, clients, options, journal);
            report(item, &result, started, &finished, total, progress);
            Some(result)
        };
        // Topics share one connection and ksqlDB files run in order: one at a time.
        let sequential = matches!(phase[0].kind, Kind::Topic | Kind::Ksql);
        let results: Vec<Option<Result<(), String>>> = if sequential {
            let mut results = Vec::new();
            for item in &phase {
                let result = run(item);
                let go_on = matches!(result, Some(Ok(())));
                results.push(result);
                if !go_on {
                    break;
                }
            }
            results.resize(phase.len(), None);
            results
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = phase.iter().map(|item| scope.spawn(move || run(item))).collect();
                handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Some(Err("it panicked".into())))).collect()
            })
        };
        for (item, result) in phase.iter().zip(results) {
            match result {
                Some(Ok(())) => outcome.done.push(past(item)),
                Some(Err(e)) => {
                    outcome.failed.push(format!("{}: {e}", describe(item)));
                    stopped = true;
                }
                None => outcome.not_run.push(describe(item)),
            }
        }
    }
    outcome.interrupted = options.interrupted();
    let mut applied = journal.record();
    // Files applied before this record existed: their text now is the baseline for edits.
    for item in plan.items.iter().filter(|i| i.kind == Kind::Ksql && i.action == Action::Unchanged) {
        if let Some(file) = desired.ksql.iter().find(|f| f.path == item.name) {
            applied.ksql_files.entry(file.key().to_string()).or_insert_with(|| file.fingerprint());
        }
    }
    applied.ksql_files.retain(|key, _| desired.ksql.iter().any(|f| f.key() == key));
    outcome.applied = applied;
    outcome
}

/// Takes ownership of what the plan found declared, deployed and not venice's (`apply
/// --adopt`): recorded in the journal as if venice had made it. Returns a line per object.
pub(crate) fn adopt(plan: &Plan, desired: &Desired, journal: &Journal) -> Result<Vec<String>, String> {
    let mut adopted = Vec::new();
    for item in plan.not_owned() {
        let names = match item.kind {
            Kind::Ksql => {
                // The streams and tables the file creates that exist: all but those still to create.
                let file = desired.ksql.iter().find(|f| f.path == item.name).ok_or("not in the project")?;
                let missing: Vec<&str> =
                    item.changes.iter().filter(|c| c.field == "creates").filter_map(|c| c.to.as_deref()).collect();
                file.creates.iter().filter(|n| !missing.contains(&n.as_str())).cloned().collect()
            }
            _ => vec![item.name.clone()],
        };
        for name in names {
            journal.write(Entry::Made { set: set_of(item.kind), name })?;
        }
        adopted.push(format!("adopted {} `{}`", item.kind.as_str(), item.name));
    }
    Ok(adopted)
}

/// The set of the record a kind of object is recorded in.
fn set_of(kind: Kind) -> Set {
    match kind {
        Kind::Topic => Set::Topic,
        Kind::Subject => Set::Subject,
        Kind::Source | Kind::Sink => Set::Connector,
        Kind::Ksql => Set::Ksql,
    }
}

fn report(
    item: &Item,
    result: &Result<(), String>,
    started: Instant,
    finished: &Mutex<usize>,
    total: usize,
    progress: &dyn Progress,
) {
    let n = {
        let mut f = finished.lock().expect("not poisoned");
        *f += 1;
        *f
    };
    let secs = started.elapsed().as_secs_f64();
    match result {
        Ok(()) => progress.finished(&ongoing(item), &format!("[{n}/{total}] {} ({secs:.1} s)", past(item))),
        Err(e) => progress.finished(&ongoing(item), &format!("[{n}/{total}] failed to {}: {e}", describe(item))),
    }
}

/// One step, journaled: a create announced before it is sent and recorded once the target
/// confirms it, a delete recorded once confirmed. An update changes an object venice records
/// already, or one it does not own (which stays not owned).
fn step(
    item: &Item,
    desired: &Desired,
    clients: &Clients,
    options: ApplyOptions,
    journal: &Journal,
) -> Result<(), String> {
    let name = item.name.as_str();
    let set = set_of(item.kind);
    let creating = |name: &str| journal.write(Entry::Creating { set, name: name.to_string() });
    let made = |name: &str| journal.write(Entry::Made { set, name: name.to_string() });
    if item.action == Action::Create && item.kind != Kind::Ksql {
        creating(name)?;
    }
    match (item.kind, item.action) {
        (_, Action::Delete) => {
            delete(item, clients)?;
            return journal.write(Entry::Deleted { set, name: name.to_string() });
        }
        (Kind::Topic, _) => topic(item, desired, clients)?,
        (Kind::Subject, _) => subject(item, desired, clients)?,
        (Kind::Source | Kind::Sink, action) => {
            let want = desired.connectors.get(name).ok_or("not in the project")?;
            let connect = connect(clients)?;
            if action == Action::Restart {
                connect.restart(name).map_err(|e| e.to_string())?;
            } else {
                connect.put_config(name, &want.config).map_err(|e| e.to_string())?;
            }
            // Connect has it: recorded before the wait, which an interrupt may cut short.
            if action == Action::Create {
                made(name)?;
            }
            return wait_running(connect, name, options);
        }
        (Kind::Ksql, action) => return ksql_step(item, desired, clients, options, journal, action),
    }
    if item.action == Action::Create {
        made(name)?;
    }
    Ok(())
}

fn delete(item: &Item, clients: &Clients) -> Result<(), String> {
    let name = item.name.as_str();
    match item.kind {
        Kind::Topic => kafka(clients)?.delete_topic(name).map_err(|e| e.to_string()),
        Kind::Subject => registry(clients)?.delete(name).map_err(|e| e.to_string()),
        Kind::Source | Kind::Sink => connect(clients)?.delete(name).map_err(|e| e.to_string()),
        Kind::Ksql => {
            let ksqldb = clients.ksqldb.as_ref().ok_or("the target has no ksqlDB")?;
            let mut ksqldb = ksqldb.lock().expect("not poisoned");
            // DROP also terminates the query that writes the source (ksqlDB 0.12 and later).
            let drop = |kind: &str| format!("DROP {kind} IF EXISTS {name};");
            let result = ksqldb.run(&drop("STREAM")).or_else(|_| ksqldb.run(&drop("TABLE")));
            result.map(|_| ()).map_err(|e| e.to_string())
        }
    }
}

fn topic(item: &Item, desired: &Desired, clients: &Clients) -> Result<(), String> {
    let name = item.name.as_str();
    let want = desired.topics.get(name).ok_or("not in the project")?;
    let mut admin = kafka(clients)?;
    if item.action == Action::Create {
        let topic = NewTopic {
            name: name.to_string(),
            partitions: want.partitions,
            replication: want.replication,
            configs: want.configs.clone(),
        };
        admin.create_topic(&topic).map_err(|e| e.to_string())?;
        return Ok(());
    }
    let mut ops = BTreeMap::new();
    for change in &item.changes {
        if change.field == "partitions" {
            admin.add_partitions(name, want.partitions).map_err(|e| e.to_string())?;
            continue;
        }
        let op = change.to.clone().map_or(ConfigOp::Delete, ConfigOp::Set);
        ops.insert(change.field.clone(), op);
    }
    if !ops.is_empty() {
        admin.alter_configs(name, &ops).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn subject(item: &Item, desired: &Desired, clients: &Clients) -> Result<(), String> {
    let name = item.name.as_str();
    let want = desired.subjects.get(name).ok_or("not in the project")?;
    let registry = registry(clients)?;
    // The level first, so the registration is checked at the project's level.
    if item.changes.iter().any(|c| c.field == "compatibility") {
        registry.set_compatibility(name, &want.compatibility).map_err(|e| e.to_string())?;
    }
    if let Some((schema_type, schema)) = &want.schema
        && item.changes.iter().any(|c| c.field == "schema")
    {
        registry.register_with(name, schema_type, schema, &want.references).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A ksqlDB file: the streams and tables it is to create announced, its statements run, then
/// each recorded. Cut short (a failure or an interrupt between two statements), those of its
/// streams and tables that ksqlDB holds now are recorded.
fn ksql_step(
    item: &Item,
    desired: &Desired,
    clients: &Clients,
    options: ApplyOptions,
    journal: &Journal,
    action: Action,
) -> Result<(), String> {
    let file = desired.ksql.iter().find(|f| f.path == item.name).ok_or("not in the project")?;
    // A create's changes name the streams and tables still missing: those this run makes.
    let making: Vec<&str> = if action == Action::Create {
        item.changes.iter().filter(|c| c.field == "creates").filter_map(|c| c.to.as_deref()).collect()
    } else {
        Vec::new()
    };
    for name in &making {
        journal.write(Entry::Creating { set: Set::Ksql, name: name.to_string() })?;
    }
    let made = |names: &[&str]| -> Result<(), String> {
        names.iter().try_for_each(|n| journal.write(Entry::Made { set: Set::Ksql, name: n.to_string() }))
    };
    if let Err(e) = run_ksql_file(clients, file, action == Action::Update, options) {
        if !making.is_empty()
            && let Some(ksqldb) = &clients.ksqldb
            && let Ok(existing) = ksqldb.lock().expect("not poisoned").sources()
        {
            let existing: Vec<String> = existing.iter().map(|n| n.to_uppercase()).collect();
            let found: Vec<&str> = making.iter().copied().filter(|n| existing.contains(&n.to_uppercase())).collect();
            made(&found)?;
        }
        return Err(e);
    }
    made(&making)?;
    if action == Action::Create && file.creates.is_empty() {
        made(&[file.path.as_str()])?;
    }
    journal.write(Entry::KsqlFile { key: file.key().to_string(), fingerprint: file.fingerprint() })
}

fn kafka(clients: &Clients) -> Result<std::sync::MutexGuard<'_, super::kafka::Admin>, String> {
    Ok(clients.kafka.as_ref().ok_or("the target has no Kafka")?.lock().expect("not poisoned"))
}

fn registry(clients: &Clients) -> Result<&super::registry::Registry, String> {
    clients.registry.as_ref().ok_or_else(|| "the target has no schema registry".to_string())
}

fn connect(clients: &Clients) -> Result<&super::connect::Connect, String> {
    clients.connect.as_ref().ok_or_else(|| "the target has no Kafka Connect".to_string())
}

/// How long a FAILED state may be stale: the status Connect reports right after a PUT, a
/// restart, or a restart of the worker can still be the one an earlier task wrote (a task that
/// failed while the old worker shut down is reported FAILED until the new one starts it).
const STALE_FAILURE: Duration = Duration::from_secs(5);

/// Waits until the connector and its tasks run; FAILED for longer than [`STALE_FAILURE`] is an
/// error without waiting for the rest of the bound, and so is an interrupt (the connector is
/// recorded already; the next plan restarts it if it failed).
fn wait_running(connect: &super::connect::Connect, name: &str, options: ApplyOptions) -> Result<(), String> {
    use super::http::{Retry, with_backoff};
    let started = Instant::now();
    let bound = options.wait;
    let result = with_backoff(bound, || match connect.status(name) {
        _ if options.interrupted() => {
            Err(Retry::Fatal(format!("{INTERRUPTED} while waiting for it to run (it is created and recorded)")))
        }
        Ok(Some(status)) if status.failed() && started.elapsed() < STALE_FAILURE.min(bound) => {
            Err(Retry::Again(format!("it FAILED: {}", status.cause)))
        }
        Ok(Some(status)) if status.failed() => Err(Retry::Fatal(format!(
            "it FAILED (connector {}, tasks {}): {}; `GET /connectors/{name}/status` has the trace",
            status.state,
            status.task_states.join(", "),
            status.cause
        ))),
        Ok(Some(status))
            if status.state == "RUNNING"
                && !status.task_states.is_empty()
                && status.task_states.iter().all(|s| s == "RUNNING") =>
        {
            Ok(Some(()))
        }
        Ok(status) => Err(Retry::Again(format!(
            "it is not running yet ({})",
            status.map_or("not listed".to_string(), |s| format!(
                "connector {}, tasks [{}]",
                s.state,
                s.task_states.join(", ")
            ))
        ))),
        Err(e) => Err(Retry::Again(e.to_string())),
    });
    match result {
        Ok(()) => Ok(()),
        Err(Retry::Fatal(e)) => Err(e),
        Err(Retry::Again(e) | Retry::TimedOut(Some(e))) => Err(format!("{e} after {} s", bound.as_secs())),
        Err(Retry::TimedOut(None)) => Err(format!("not running after {} s", bound.as_secs())),
    }
}

/// An `ASSERT` statement venice carries out itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Assert {
    Topic { name: String, timeout: Option<Duration> },
    Subject { name: String, timeout: Option<Duration> },
}

/// Reads `ASSERT [NOT EXISTS] TOPIC 'name' ... [TIMEOUT n SECONDS]` and `ASSERT [NOT EXISTS]
/// SCHEMA SUBJECT 'name' ...`; None for any other statement (`NOT EXISTS` ones go to ksqlDB).
pub(crate) fn parse_assert(statement: &str) -> Option<Assert> {
    let text = without_leading_comments(statement);
    let words: Vec<&str> = text.split_whitespace().collect();
    if !words.first()?.eq_ignore_ascii_case("ASSERT") {
        return None;
    }
    let quoted = {
        let start = text.find('\'')? + 1;
        let end = start + text[start..].find('\'')?;
        text[start..end].to_string()
    };
    let upper: Vec<String> = words.iter().map(|w| w.to_uppercase()).collect();
    let timeout = upper.iter().position(|w| w == "TIMEOUT").and_then(|i| {
        let n: u64 = upper.get(i + 1)?.parse().ok()?;
        let unit = upper.get(i + 2).map(|u| u.trim_end_matches(';').to_string()).unwrap_or_default();
        Some(match unit.as_str() {
            "MILLISECONDS" | "MILLISECOND" => Duration::from_millis(n),
            "MINUTES" | "MINUTE" => Duration::from_secs(n * 60),
            "HOURS" | "HOUR" => Duration::from_secs(n * 3600),
            _ => Duration::from_secs(n),
        })
    });
    match upper.get(1).map(String::as_str) {
        Some("TOPIC") => Some(Assert::Topic { name: quoted, timeout }),
        Some("SCHEMA") => Some(Assert::Subject { name: quoted, timeout }),
        _ => None,
    }
}

/// Runs a ksqlDB file statement by statement. `replace`: the file was applied before and has
/// been edited since, so each `CREATE STREAM|TABLE` becomes `CREATE OR REPLACE`, which ksqlDB
/// carries out in place when the change allows it (a query keeps its offsets) and refuses with
/// its reason when not.
fn run_ksql_file(clients: &Clients, file: &Ksql, replace: bool, options: ApplyOptions) -> Result<(), String> {
    use super::http::{Retry, with_backoff};
    let ksqldb = clients.ksqldb.as_ref().ok_or("the target has no ksqlDB")?;
    let wait = options.wait;
    let statements: Vec<&str> = file.statements().collect();
    let total = statements.len();
    for (n, statement) in statements.into_iter().enumerate() {
        // Each statement is one command on the server: an interrupt stops between two.
        if options.interrupted() {
            return Err(format!("{INTERRUPTED} after {n} of {total} statements"));
        }
        let replaced;
        let statement = if replace {
            replaced = or_replace(statement);
            replaced.as_str()
        } else {
            statement
        };
        match parse_assert(statement) {
            Some(Assert::Topic { name, timeout }) => {
                let bound = timeout.unwrap_or(wait).min(wait.max(Duration::from_secs(1)));
                let names = [name.clone()];
                let kafka = clients.kafka.as_ref().ok_or("the target has no Kafka")?;
                let found = with_backoff(bound, || match kafka.lock().expect("not poisoned").topics(&names) {
                    Ok(t) if t.contains_key(&name) => Ok(Some(())),
                    Ok(_) => Ok(None),
                    Err(e) => Err(Retry::Again(e.to_string())),
                });
                found
                    .map_err(|_| format!("topic `{name}` does not exist after {} s (ASSERT TOPIC)", bound.as_secs()))?;
            }
            Some(Assert::Subject { name, timeout }) => {
                let bound = timeout.unwrap_or(wait).min(wait.max(Duration::from_secs(1)));
                let registry = registry(clients)?;
                let found = with_backoff(bound, || match registry.latest(&name) {
                    Ok(Some(_)) => Ok(Some(())),
                    Ok(None) => Ok(None),
                    Err(e) => Err(Retry::Again(e.to_string())),
                });
                found.map_err(|_| {
                    format!("subject `{name}` has no schema after {} s (ASSERT SCHEMA)", bound.as_secs())
                })?;
            }
            None => {
                ksqldb.lock().expect("not poisoned").run(statement).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}

/// `CREATE [SOURCE] STREAM|TABLE ...` as `CREATE OR REPLACE ...`; other statements as they are.
fn or_replace(statement: &str) -> String {
    let creates = ["STREAM", "TABLE", "SOURCE"].iter().any(|kind| starts_with_words(statement, &["CREATE", kind]));
    match statement.split_once(char::is_whitespace) {
        Some((create, rest)) if creates => format!("{create} OR REPLACE {}", rest.trim_start()),
        _ => statement.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_file_replaces_its_streams_and_tables() {
        assert_eq!(
            or_replace("create  stream big AS SELECT * FROM orders;"),
            "create OR REPLACE stream big AS SELECT * FROM orders;"
        );
        assert_eq!(
            or_replace("CREATE SOURCE TABLE t (id INT PRIMARY KEY) WITH (KAFKA_TOPIC='t');"),
            "CREATE OR REPLACE SOURCE TABLE t (id INT PRIMARY KEY) WITH (KAFKA_TOPIC='t');"
        );
        assert_eq!(or_replace("CREATE TYPE money AS DECIMAL(10, 2);"), "CREATE TYPE money AS DECIMAL(10, 2);");
        assert_eq!(or_replace("ASSERT TOPIC 'orders';"), "ASSERT TOPIC 'orders';");
    }

    #[test]
    fn asserts_are_read_with_their_timeouts() {
        assert_eq!(
            parse_assert("-- a comment\nASSERT TOPIC 'shop.public.orders' WITH (PARTITIONS=1) TIMEOUT 60 SECONDS;"),
            Some(Assert::Topic { name: "shop.public.orders".into(), timeout: Some(Duration::from_secs(60)) })
        );
        assert_eq!(
            parse_assert("ASSERT SCHEMA SUBJECT 'orders-value' TIMEOUT 2 MINUTES;"),
            Some(Assert::Subject { name: "orders-value".into(), timeout: Some(Duration::from_secs(120)) })
        );
        assert_eq!(parse_assert("assert topic 'x';"), Some(Assert::Topic { name: "x".into(), timeout: None }));
        assert_eq!(parse_assert("ASSERT NOT EXISTS TOPIC 'x';"), None);
        assert_eq!(parse_assert("CREATE STREAM s (id INT KEY) WITH (KAFKA_TOPIC='t');"), None);
    }
}
