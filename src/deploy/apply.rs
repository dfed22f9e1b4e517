//! `venice apply`: a plan carried out in dependency order: topics, then ACLs and client quotas
//! (before any client venice starts needs them), then schemas (subjects), then source
//! connectors, then ksqlDB files (in their order), then sink connectors; with `--prune`,
//! deletions last, in the reverse order. A phase runs only when the ones before it
//! succeeded, so a failure stops before anything that depends on it. Within a phase, topics go
//! in batches of one request each (CreateTopics, CreatePartitions, IncrementalAlterConfigs,
//! DeleteTopics take many topics: `super::batch`), ACLs in batches of one CreateAcls or
//! DeleteAcls each, quotas in one AlterClientQuotas a batch, subjects in chunks whose requests run a few
//! at a time, connectors a few at a time, ksqlDB files one after another. Every step is idempotent (a topic that exists, a schema registered
//! already, a PUT of the same config, `CREATE ... IF NOT EXISTS`), so running apply again after
//! a failure converges. Topics are created when the controller has them; when connectors or
//! ksqlDB files follow, the topics just created are waited for (until the brokers list them)
//! beside the ACL, quota and subject phases, and before those (`super::listed`).
//!
//! Each step is recorded in the journal (`crate::lock::journal`) as soon as the target confirms
//! it, and a create is announced there before it is sent, so a run killed at any point leaves a
//! record that is true or a step short (a create in doubt, which the next plan settles against
//! the target). A batch is announced with one sync and its outcome recorded, topic by topic,
//! with one more, so a kill leaves at most a batch in doubt. An interrupt (Ctrl-C) lets the steps in flight finish (a request is short, and a
//! connector is recorded as soon as Connect has it), starts no other, and stops a wait for a
//! connector to run or a ksqlDB file between two statements.
//!
//! A connector is done when the worker reports it and its tasks `RUNNING` (bounded by the
//! wait); one that FAILED is an error with the worker's trace. ksqlDB's `ASSERT TOPIC` and
//! `ASSERT SCHEMA` statements are carried out by venice itself (a bounded wait for the topic
//! or the subject), so they work on servers older than 0.27 and on the test server, which does
//! not know them; every other statement goes to `/ksql` with the last command sequence number.

use super::batch::{CONCURRENCY, OBJECTS_PER_CHUNK, RECORDS_PER_REQUEST, TOPICS_PER_REQUEST, bounded, split};
use super::desired::{Desired, Ksql, starts_with_words, without_leading_comments};
use super::kafka::{ConfigOp, NewTopic};
use super::plan::{Action, Clients, Item, Kind, Plan};
use crate::lock::journal::{Entry, Journal, Set, quota_parts};
use crate::lock::{Applied, RegisteredSchema};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ScopedJoinHandle;
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
    /// A batch that was `started` is over (its steps are `finished` one by one).
    fn ended(&self, _batch: &str) {}
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
    let run = Run {
        desired,
        clients,
        journal,
        options,
        progress,
        finished: Mutex::new(0),
        total: steps.len(),
        registered: Mutex::default(),
    };
    let mut phases: Vec<Vec<&Item>> = Vec::new();
    for kind in [Kind::Topic, Kind::Acl, Kind::Quota, Kind::Subject, Kind::Source, Kind::Ksql, Kind::Sink] {
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
    for kind in [Kind::Sink, Kind::Ksql, Kind::Source, Kind::Subject, Kind::Quota, Kind::Acl, Kind::Topic] {
        phases.push(steps.iter().copied().filter(|i| i.kind == kind && i.action == Action::Delete).collect());
    }
    // Connectors and ksqlDB read topics: the brokers are to list the topics just created before
    // those phases start. Without them the apply is done when the controller has its topics
    // (`super::listed`), and the next plan waits for the brokers if it comes too soon.
    let readers_follow =
        steps.iter().any(|i| matches!(i.kind, Kind::Source | Kind::Ksql | Kind::Sink) && i.action != Action::Delete);
    let mut stopped = false;
    std::thread::scope(|scope| {
        // The wait for the brokers to list the topics just created runs beside the phases that
        // do not need them listed (ACLs, quotas and subjects name topics without reading them).
        let mut listing_wait = None;
        for phase in phases.into_iter().filter(|p| !p.is_empty()) {
            if stopped || options.interrupted() {
                outcome.not_run.extend(phase.iter().map(|i| describe(i)));
                continue;
            }
            let beside = matches!(phase[0].kind, Kind::Acl | Kind::Quota | Kind::Subject);
            if !beside || phase[0].action == Action::Delete {
                listing_wait.take().map(finish);
            }
            let results = run.phase(&phase);
            let created = created_topics(&phase, &results);
            if !created.is_empty() && readers_follow {
                let run = &run;
                listing_wait = Some(scope.spawn(move || run.until_listed(&created)));
            }
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
    });
    outcome.interrupted = options.interrupted();
    let mut applied = journal.record();
    applied.schemas.extend(run.registered.into_inner().expect("not poisoned"));
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

/// Waits for the wait beside the phases to end (a panic in it is the apply's).
fn finish(wait: ScopedJoinHandle<'_, ()>) {
    wait.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

/// The topics a phase created: those the brokers are to list before connectors and ksqlDB start.
fn created_topics(phase: &[&Item], outcomes: &Outcomes) -> Vec<String> {
    let created = phase.iter().zip(outcomes);
    let created =
        created.filter(|(i, o)| i.kind == Kind::Topic && i.action == Action::Create && matches!(o, Some(Ok(()))));
    created.map(|(i, _)| i.name.clone()).collect()
}

/// Each step's outcome, in the order of the steps: None when it did not run (an interrupt, or
/// an earlier batch of its phase failed).
type Outcomes = Vec<Option<Result<(), String>>>;

/// What the steps of an apply share.
struct Run<'a> {
    desired: &'a Desired,
    clients: &'a Clients,
    journal: &'a Journal,
    options: ApplyOptions<'a>,
    progress: &'a dyn Progress,
    /// How many steps have finished, for `[n/total]`.
    finished: Mutex<usize>,
    total: usize,
    /// The schemas registered, with their ids: the record's `schemas`.
    registered: Mutex<BTreeMap<String, RegisteredSchema>>,
}

impl Run<'_> {
    /// The steps of one phase (one kind, all deletes or none), as the kind's service allows:
    /// topics in batches of one request each, which stop at the first batch that fails;
    /// subjects in chunks run [`CONCURRENCY`] at a time; connectors each on its own,
    /// [`CONCURRENCY`] at a time; ksqlDB files one after another, in their order.
    fn phase(&self, phase: &[&Item]) -> Outcomes {
        match phase[0].kind {
            Kind::Topic => {
                let weights: Vec<usize> = phase.iter().map(|i| topic_records(i, self.desired)).collect();
                let batches = split(&weights, TOPICS_PER_REQUEST, RECORDS_PER_REQUEST);
                self.batches(phase, batches, true, |batch| {
                    topics(batch, self.desired, self.clients).into_iter().map(Some).collect()
                })
            }
            Kind::Acl | Kind::Quota => {
                let batches = split(&vec![1; phase.len()], ACCESS_PER_REQUEST, usize::MAX);
                self.batches(phase, batches, true, |batch| {
                    let results = if batch[0].kind == Kind::Acl {
                        acls(batch, self.desired, self.clients)
                    } else {
                        quotas(batch, self.desired, self.clients)
                    };
                    results.into_iter().map(Some).collect()
                })
            }
            Kind::Subject => {
                let chunks = split(&vec![1; phase.len()], OBJECTS_PER_CHUNK, usize::MAX);
                self.batches(phase, chunks, false, |chunk| {
                    bounded(chunk, CONCURRENCY, |item| {
                        // An interrupt: the requests in flight finish, none starts.
                        (!self.options.interrupted()).then(|| {
                            let registered = subject(item, self.desired, self.clients)?;
                            if let Some(registered) = registered {
                                self.registered.lock().expect("not poisoned").insert(item.name.clone(), registered);
                            }
                            Ok(())
                        })
                    })
                })
            }
            Kind::Source | Kind::Sink => bounded(phase, CONCURRENCY, |item| self.one(item)),
            Kind::Ksql => {
                let mut results = Vec::new();
                for item in phase {
                    let result = self.one(item);
                    let go_on = matches!(result, Some(Ok(())));
                    results.push(result);
                    if !go_on {
                        break;
                    }
                }
                results.resize(phase.len(), None);
                results
            }
        }
    }

    /// Waits, bounded by `--wait`, until the brokers list the topics just created: connectors
    /// and ksqlDB could fail on topics a broker does not list yet (`super::listed`).
    fn until_listed(&self, names: &[String]) {
        let Some(kafka) = self.clients.kafka.as_ref() else { return };
        let started = Instant::now();
        let go_on = || started.elapsed() < self.options.wait && !self.options.interrupted();
        super::listed::until_listed(kafka, names, go_on);
    }

    /// One step on its own, journaled as it goes (`step`).
    fn one(&self, item: &Item) -> Option<Result<(), String>> {
        // An interrupt: the steps in flight finish, none starts.
        if self.options.interrupted() {
            return None;
        }
        let started = Instant::now();
        self.progress.started(&ongoing(item));
        let result = step(item, self.desired, self.clients, self.options, self.journal);
        self.report(item, &result, started);
        Some(result)
    }

    /// The batches (`ranges` of `phase`) one after another; after an interrupt, or a failure
    /// when `stop_at_failure`, the rest do not run.
    fn batches(
        &self,
        phase: &[&Item],
        ranges: Vec<std::ops::Range<usize>>,
        stop_at_failure: bool,
        run: impl Fn(&[&Item]) -> Outcomes,
    ) -> Outcomes {
        let mut results = Outcomes::with_capacity(phase.len());
        for range in ranges {
            let batch = &phase[range];
            let failed = stop_at_failure && results.iter().any(|r| matches!(r, Some(Err(_))));
            if failed || self.options.interrupted() {
                results.extend(batch.iter().map(|_| None));
                continue;
            }
            results.extend(self.batch(batch, &run));
        }
        results
    }

    /// A batch, journaled as one: its creates announced (one sync), the batch run, the creates
    /// and deletes the target confirmed recorded (one sync), then each step reported in order.
    fn batch(&self, batch: &[&Item], run: impl Fn(&[&Item]) -> Outcomes) -> Outcomes {
        let started = Instant::now();
        let label = batch_label(batch);
        self.progress.started(&label);
        let announced = batch
            .iter()
            .filter(|i| i.action == Action::Create)
            .map(|i| Entry::Creating { set: set_of(i.kind), name: i.name.clone() })
            .collect();
        let mut results = match self.journal.write_all(announced) {
            Ok(()) => run(batch),
            Err(e) => batch.iter().map(|_| Some(Err(e.clone()))).collect(),
        };
        let confirmed = batch
            .iter()
            .zip(&results)
            .filter(|(_, result)| matches!(result, Some(Ok(()))))
            .filter_map(|(item, _)| confirmation(item))
            .collect();
        if let Err(e) = self.journal.write_all(confirmed) {
            for result in results.iter_mut().filter(|r| matches!(r, Some(Ok(())))) {
                *result = Some(Err(e.clone()));
            }
        }
        self.progress.ended(&label);
        for (item, result) in batch.iter().zip(&results) {
            if let Some(result) = result {
                self.report(item, result, started);
            }
        }
        results
    }

    fn report(&self, item: &Item, result: &Result<(), String>, started: Instant) {
        let n = {
            let mut f = self.finished.lock().expect("not poisoned");
            *f += 1;
            *f
        };
        let (secs, total) = (started.elapsed().as_secs_f64(), self.total);
        let line = match result {
            Ok(()) => format!("[{n}/{total}] {} ({secs:.1} s)", past(item)),
            Err(e) => format!("[{n}/{total}] failed to {}: {e}", describe(item)),
        };
        self.progress.finished(&ongoing(item), &line);
    }
}

/// What the journal records once the target confirmed a step: a create made, a delete done.
fn confirmation(item: &Item) -> Option<Entry> {
    let (set, name) = (set_of(item.kind), item.name.clone());
    match item.action {
        Action::Create => Some(Entry::Made { set, name }),
        Action::Delete => Some(Entry::Deleted { set, name }),
        _ => None,
    }
}

/// What a batch shows while it runs: `creating 100 topics`, or the step of a batch of one.
fn batch_label(batch: &[&Item]) -> String {
    match batch {
        [item] => ongoing(item),
        _ => {
            let action = batch[0].action;
            let verb = if batch.iter().all(|i| i.action == action) { verbs(action)[1] } else { "applying" };
            format!("{verb} {} {}s", batch.len(), batch[0].kind.as_str())
        }
    }
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
        Kind::Acl => Set::Acl,
        Kind::Quota => Set::Quota,
        Kind::Subject => Set::Subject,
        Kind::Source | Kind::Sink => Set::Connector,
        Kind::Ksql => Set::Ksql,
    }
}

/// One connector or ksqlDB file, journaled: a create announced before it is sent and recorded
/// once the target confirms it, a delete recorded once confirmed. An update changes an object
/// venice records already, or one it does not own (which stays not owned). Topics and subjects
/// go in batches (`Run::batch`).
fn step(
    item: &Item,
    desired: &Desired,
    clients: &Clients,
    options: ApplyOptions,
    journal: &Journal,
) -> Result<(), String> {
    let name = item.name.as_str();
    let set = set_of(item.kind);
    if item.action == Action::Create && item.kind != Kind::Ksql {
        journal.write(Entry::Creating { set, name: name.to_string() })?;
    }
    match (item.kind, item.action) {
        (Kind::Topic | Kind::Subject | Kind::Acl | Kind::Quota, _) => {
            Err("topics, ACLs, quotas and subjects are applied in batches".into())
        }
        (_, Action::Delete) => {
            delete(item, clients)?;
            journal.write(Entry::Deleted { set, name: name.to_string() })
        }
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
                journal.write(Entry::Made { set, name: name.to_string() })?;
            }
            wait_running(connect, name, options)
        }
        (Kind::Ksql, action) => ksql_step(item, desired, clients, options, journal, action),
    }
}

/// Deletes a connector, or a ksqlDB stream or table.
fn delete(item: &Item, clients: &Clients) -> Result<(), String> {
    let name = item.name.as_str();
    if item.kind == Kind::Ksql {
        let ksqldb = clients.ksqldb.as_ref().ok_or("the target has no ksqlDB")?;
        let mut ksqldb = ksqldb.lock().expect("not poisoned");
        // DROP also terminates the query that writes the source (ksqlDB 0.12 and later).
        let drop = |kind: &str| format!("DROP {kind} IF EXISTS {name};");
        let result = ksqldb.run(&drop("STREAM")).or_else(|_| ksqldb.run(&drop("TABLE")));
        return result.map(|_| ()).map_err(|e| e.to_string());
    }
    connect(clients)?.delete(name).map_err(|e| e.to_string())
}

/// The metadata records a topic step makes at most: the topic, a partition each, a config each.
fn topic_records(item: &Item, desired: &Desired) -> usize {
    let partitions = desired.topics.get(&item.name).map_or(0, |t| t.partitions as usize);
    1 + partitions + item.changes.len()
}

/// A batch of topic steps (all deletes, or creates and updates) in as few requests as the
/// protocol allows: one DeleteTopics, or one CreateTopics, one CreatePartitions and one
/// IncrementalAlterConfigs. Each topic's outcome, in the batch's order.
fn topics(batch: &[&Item], desired: &Desired, clients: &Clients) -> Vec<Result<(), String>> {
    let mut admin = match kafka(clients) {
        Ok(admin) => admin,
        Err(e) => return vec![Err(e); batch.len()],
    };
    let mut results = vec![Ok(()); batch.len()];
    if batch[0].action == Action::Delete {
        let names: Vec<String> = batch.iter().map(|i| i.name.clone()).collect();
        let all: Vec<usize> = (0..batch.len()).collect();
        settle(&mut results, &all, admin.delete_topics(&names));
        return results;
    }
    let (mut creates, mut new) = (Vec::new(), Vec::new());
    let (mut grows, mut grown) = (Vec::new(), Vec::new());
    let mut alters = Vec::new();
    for (i, item) in batch.iter().enumerate() {
        let Some(want) = desired.topics.get(&item.name) else {
            results[i] = Err("not in the project".to_string());
            continue;
        };
        let name = item.name.clone();
        if item.action == Action::Create {
            let configs = want.configs.clone();
            creates.push(i);
            new.push(NewTopic { name, partitions: want.partitions, replication: want.replication, configs });
            continue;
        }
        if item.changes.iter().any(|c| c.field == "partitions") {
            grows.push(i);
            grown.push((name.clone(), want.partitions));
        }
        let ops: BTreeMap<String, ConfigOp> = item
            .changes
            .iter()
            .filter(|c| c.field != "partitions")
            .map(|c| (c.field.clone(), c.to.clone().map_or(ConfigOp::Delete, ConfigOp::Set)))
            .collect();
        if !ops.is_empty() {
            alters.push((i, name, ops));
        }
    }
    if !new.is_empty() {
        settle(&mut results, &creates, admin.create_topics(&new));
    }
    if !grown.is_empty() {
        settle(&mut results, &grows, admin.add_partitions_to(&grown));
    }
    // A topic whose partitions could not grow keeps its configs too: the step failed.
    alters.retain(|(i, _, _)| results[*i].is_ok());
    if !alters.is_empty() {
        let (at, changes): (Vec<usize>, Vec<_>) = alters.into_iter().map(|(i, name, ops)| (i, (name, ops))).unzip();
        settle(&mut results, &at, admin.alter_configs_of(&changes));
    }
    results
}

/// The outcomes of the steps at `at` from one batch request's answers, one per step in order,
/// or its failure as a whole.
fn settle<T>(
    results: &mut [Result<(), String>],
    at: &[usize],
    answers: Result<Vec<Result<T, super::kafka::Error>>, super::kafka::Error>,
) {
    match answers {
        Ok(answers) => {
            for (&i, answer) in at.iter().zip(answers) {
                if let Err(e) = answer {
                    results[i] = Err(e.to_string());
                }
            }
        }
        Err(e) => at.iter().for_each(|&i| results[i] = Err(e.to_string())),
    }
}

/// How many ACL bindings one CreateAcls or DeleteAcls carries, and how many quota keys one
/// AlterClientQuotas: each is one metadata record, far below what a controller takes
/// ([`RECORDS_PER_REQUEST`]); a batch is also a unit of the journal.
const ACCESS_PER_REQUEST: usize = TOPICS_PER_REQUEST;

/// A batch of ACL steps (all creates, or all deletes) in one CreateAcls or DeleteAcls, whose
/// filters each match exactly one binding. Each binding's outcome, in the batch's order.
fn acls(batch: &[&Item], desired: &Desired, clients: &Clients) -> Vec<Result<(), String>> {
    use super::kafka::acls::parse_key;
    let deleting = batch[0].action == Action::Delete;
    let grants: Option<Vec<_>> =
        batch.iter().map(|i| if deleting { parse_key(&i.name) } else { desired.acls.get(&i.name).cloned() }).collect();
    let Some(grants) = grants else { return vec![Err("not a binding venice knows".into()); batch.len()] };
    let mut admin = match kafka(clients) {
        Ok(admin) => admin,
        Err(e) => return vec![Err(e); batch.len()],
    };
    let answers = if deleting { admin.delete_acls(&grants) } else { admin.create_acls(&grants) };
    let mut results = vec![Ok(()); batch.len()];
    settle(&mut results, &(0..batch.len()).collect::<Vec<_>>(), answers);
    results
}

/// A batch of quota steps in one AlterClientQuotas: each principal's keys set, or removed
/// (`--prune`). Each key's outcome (its principal's), in the batch's order.
fn quotas(batch: &[&Item], desired: &Desired, clients: &Clients) -> Vec<Result<(), String>> {
    let mut changes: Vec<(String, BTreeMap<String, Option<f64>>)> = Vec::new();
    let mut at = Vec::with_capacity(batch.len());
    for item in batch {
        let (principal, key) = quota_parts(&item.name);
        let value = match item.action {
            Action::Delete => None,
            _ => desired.quotas.get(principal).and_then(|keys| keys.get(key)).copied(),
        };
        if value.is_none() && item.action != Action::Delete {
            at.push(None);
            continue;
        }
        let index = changes.iter().position(|(p, _)| p == principal).unwrap_or_else(|| {
            changes.push((principal.to_string(), BTreeMap::new()));
            changes.len() - 1
        });
        changes[index].1.insert(key.to_string(), value);
        at.push(Some(index));
    }
    let answers = kafka(clients).and_then(|mut admin| admin.alter_quotas(&changes).map_err(|e| e.to_string()));
    at.into_iter()
        .map(|index| {
            let index = index.ok_or("not in the project")?;
            match &answers {
                Ok(per_principal) => per_principal[index].clone().map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            }
        })
        .collect()
}

/// A subject's step: its level set and its schema registered, or the subject deleted.
/// A subject's step: its level set, its schema registered (with its id, for the record when it
/// has no references), or the subject deleted.
fn subject(item: &Item, desired: &Desired, clients: &Clients) -> Result<Option<RegisteredSchema>, String> {
    let name = item.name.as_str();
    let registry = registry(clients)?;
    if item.action == Action::Delete {
        return registry.delete(name).map(|()| None).map_err(|e| e.to_string());
    }
    let want = desired.subjects.get(name).ok_or("not in the project")?;
    // The level first, so the registration is checked at the project's level.
    if item.changes.iter().any(|c| c.field == "compatibility") {
        registry.set_compatibility(name, &want.compatibility).map_err(|e| e.to_string())?;
    }
    if let Some((schema_type, schema)) = &want.schema
        && item.changes.iter().any(|c| c.field == "schema")
    {
        let id = registry.register_with(name, schema_type, schema, &want.references).map_err(|e| e.to_string())?;
        return Ok(want.references.is_empty().then(|| RegisteredSchema::of(id, schema)));
    }
    Ok(None)
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

    /// The lines an apply prints, and the batches it showed as running.
    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);

    impl Progress for Seen {
        fn started(&self, step: &str) {
            self.0.lock().unwrap().push(format!("started {step}"));
        }
        fn finished(&self, _step: &str, line: &str) {
            let line = line.split(" (").next().unwrap().to_string();
            self.0.lock().unwrap().push(line);
        }
        fn ended(&self, batch: &str) {
            self.0.lock().unwrap().push(format!("ended {batch}"));
        }
    }

    fn create(name: &str) -> Item {
        Item { kind: Kind::Topic, name: name.into(), action: Action::Create, changes: Vec::new(), owned: true }
    }

    /// A batch's creates are announced together, run, and confirmed topic by topic: a refused
    /// topic and one not run stay in doubt; the lines come in the batch's order; a failed
    /// batch stops the batches after it, an interrupt too.
    #[test]
    fn a_batch_is_journaled_as_one_and_its_outcomes_topic_by_topic() {
        let dir = tempfile::tempdir().unwrap();
        let journal = Journal::start(dir.path(), "t", crate::lock::Applied::default()).unwrap();
        let clients = Clients { kafka: None, registry: None, connect: None, ksqldb: None, wait: Duration::ZERO };
        let (desired, seen, interrupted) = (Desired::default(), Seen::default(), AtomicBool::new(false));
        let options = ApplyOptions { wait: Duration::ZERO, interrupted: &interrupted };
        let run = Run {
            desired: &desired,
            clients: &clients,
            journal: &journal,
            options,
            progress: &seen,
            finished: Mutex::new(0),
            total: 5,
            registered: Mutex::default(),
        };
        let items: Vec<Item> = ["a", "b", "c", "d", "e"].map(create).to_vec();
        let phase: Vec<&Item> = items.iter().collect();
        let outcomes = run.batches(&phase, vec![0..3, 3..5], true, |batch| {
            assert_eq!(batch.len(), 3, "the second batch does not run after the first failed");
            vec![Some(Ok(())), Some(Err("INVALID_REPLICATION_FACTOR".into())), None]
        });
        assert_eq!(outcomes, [Some(Ok(())), Some(Err("INVALID_REPLICATION_FACTOR".into())), None, None, None]);
        assert_eq!(
            *seen.0.lock().unwrap(),
            [
                "started creating 3 topics",
                "ended creating 3 topics",
                "[1/5] created topic `a`",
                "[2/5] failed to create topic `b`: INVALID_REPLICATION_FACTOR",
            ]
        );
        let text = std::fs::read_to_string(crate::lock::journal::journal_path(dir.path(), "t")).unwrap();
        let steps: Vec<String> = text
            .lines()
            .map(|l| {
                let entry: serde_json::Value = serde_json::from_str(l).unwrap();
                format!("{} {}", entry["step"].as_str().unwrap(), entry["name"].as_str().unwrap())
            })
            .collect();
        assert_eq!(steps, ["creating a", "creating b", "creating c", "made a"]);
        assert_eq!(journal.record().topics.iter().collect::<Vec<_>>(), ["a"]);
        // Interrupted: no batch starts.
        interrupted.store(true, Ordering::SeqCst);
        #[allow(clippy::single_range_in_vec_init)] // one batch of two steps
        let outcomes = run.batches(&phase[3..], vec![0..2], false, |_| unreachable!("nothing runs"));
        assert_eq!(outcomes, [None, None]);
    }

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
