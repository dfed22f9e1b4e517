//! The plan: what is deployed, read from the services, against what the project wants.
//!
//! Compared normalized, so an unchanged project plans no change:
//! - topics: partitions, replication, and each config the project sets against the value the
//!   broker reports whatever its source (a broker default that equals the project's value is no
//!   change); a config set on the topic that the project does not name is a change (back to the
//!   default); list values (`compact,delete`) compared as sets;
//! - schemas: both sides in the registry's normalized form (`crate::avro::normalized_form_of`),
//!   whitespace and key order aside; a subject's level against its effective level (its own, else
//!   the registry's global one);
//! - connectors: the config without `name` (the worker adds it) and with masked secrets
//!   (`********`, `[hidden]`) taken as equal; a connector whose config matches but which FAILED
//!   is restarted;
//! - ksqlDB: a file is applied when every stream and table it creates exists;
//! - ACLs: the bindings of the principals the project names (or venice.lock records), read
//!   with DescribeAcls per principal, against every grant of the view, binding by binding (an
//!   ALLOW of principal, operation, resource pattern and host); one made by hand is never
//!   deleted, and one venice made is deleted only with `--prune`;
//! - quotas: each key of a principal's `user` entity (DescribeClientQuotas, strict) against
//!   the `quota` nodes; a key venice set and the project dropped is removed only with `--prune`.
//!
//! Refused before anything is applied: fewer partitions, a replication change, a
//! `cleanup.policy` change, a key schema change, a value schema that is incompatible at the
//! subject's level (checked by venice and asked of the registry's `/compatibility`), a
//! connector config its plugin's `/config/validate` rejects.

use super::batch::{CONCURRENCY, bounded};
use super::connect::{self, Connect};
use super::desired::{self, Desired};
use super::http::{Retry, with_backoff};
use super::kafka::{self, Admin, ConfigEntry, TopicState};
use super::ksqldb::Ksqldb;
use super::registry::{self, Error as RegistryError, Registry, Version};
use super::target::Target;
use crate::lock::journal::{Folded, Set, quota_name};
use crate::lock::{Applied, RegisteredSchema};
use crate::model::{Compatibility, Direction};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The kinds of object, in the order `apply` creates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Topic,
    /// An ACL binding, named by `super::kafka::acls::key`.
    Acl,
    /// A client quota key of a principal, `User:alice producer_byte_rate`.
    Quota,
    Subject,
    Source,
    Ksql,
    Sink,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Topic => "topic",
            Kind::Acl => "acl",
            Kind::Quota => "quota",
            Kind::Subject => "subject",
            Kind::Source => "source",
            Kind::Ksql => "ksql",
            Kind::Sink => "sink",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    /// A connector whose config matches but that (or a task of which) FAILED.
    Restart,
    /// Recorded in venice.lock as applied by this project, gone from it, and `--prune` given.
    Delete,
    /// Recorded in venice.lock, gone from the project, kept because `--prune` was not given.
    Keep,
    Unchanged,
}

impl Action {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Restart => "restart",
            Action::Delete => "delete",
            Action::Keep => "keep",
            Action::Unchanged => "unchanged",
        }
    }

    /// Whether applying it changes something.
    pub(crate) fn is_change(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Restart | Action::Delete)
    }
}

/// One changed field: `from` None when it is new, `to` None when it goes back to its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub field: String,
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    pub name: String,
    pub action: Action,
    pub changes: Vec<Change>,
    /// False when the object exists, the project declares it, and venice.lock does not record it
    /// as venice's: someone else made it, so `--prune` never deletes it; `apply --adopt` takes it.
    pub owned: bool,
}

/// A change refused before anything is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub kind: Kind,
    pub(crate) name: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub target: String,
    pub items: Vec<Item>,
    pub refusals: Vec<Refusal>,
    /// The record apply starts from: venice.lock's for the target (with the creates in doubt
    /// that the target holds), less what is no longer on the target.
    pub record: Applied,
}

impl Plan {
    pub fn changes(&self) -> usize {
        self.items.iter().filter(|i| i.action.is_change()).count()
    }

    fn count(&self, action: Action) -> usize {
        self.items.iter().filter(|i| i.action == action).count()
    }

    /// The objects that exist and are declared but are not venice's (`apply --adopt` takes them).
    pub fn not_owned(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(|i| !i.owned)
    }

    /// For people: one line per object (`+` create, `~` update or restart, `-` delete, `=`
    /// unchanged, `!` kept), its changed fields below it, refusals, then a summary line.
    pub fn human(&self) -> String {
        let mut out = format!("plan for target `{}`:\n", self.target);
        for item in &self.items {
            let sign = match item.action {
                Action::Create => '+',
                Action::Update | Action::Restart => '~',
                Action::Delete => '-',
                Action::Keep => '!',
                Action::Unchanged => '=',
            };
            let note = match item.action {
                Action::Restart => " (failed: restart)",
                Action::Keep => " (not in the project any more; `venice apply --prune` deletes it)",
                Action::Delete => " (recorded in venice.lock, not in the project)",
                _ if !item.owned => {
                    " (not owned: it exists and venice did not make it; `--prune` leaves it, `venice apply --adopt` takes it)"
                }
                _ => "",
            };
            out.push_str(&format!("  {sign} {} `{}`{note}\n", item.kind.as_str(), item.name));
            for change in &item.changes {
                let show = |v: &Option<String>| v.as_deref().map_or("(default)".to_string(), |v| format!("{v:?}"));
                match (&change.from, item.action) {
                    (_, Action::Create) => out.push_str(&format!("      {}: {}\n", change.field, show(&change.to))),
                    _ => out.push_str(&format!(
                        "      {}: {} -> {}\n",
                        change.field,
                        show(&change.from),
                        show(&change.to)
                    )),
                }
            }
        }
        for refusal in &self.refusals {
            out.push_str(&format!("error: {} `{}`: {}\n", refusal.kind.as_str(), refusal.name, refusal.message));
        }
        out.push_str(&format!(
            "{} to create, {} to update, {} to restart, {} to delete, {} unchanged{}{}{}\n",
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Restart),
            self.count(Action::Delete),
            self.count(Action::Unchanged),
            match self.count(Action::Keep) {
                0 => String::new(),
                n => format!(", {n} kept (not in the project; `--prune` deletes them)"),
            },
            match self.not_owned().count() {
                0 => String::new(),
                n => format!(", {n} not owned (`venice apply --adopt` takes them)"),
            },
            match self.refusals.len() {
                0 => String::new(),
                1 => "; 1 change refused, nothing will be applied".to_string(),
                n => format!("; {n} changes refused, nothing will be applied"),
            }
        ));
        out
    }

    /// One JSON document: `{"target", "changes", "objects": [{"kind", "name", "action", "owned",
    /// "changes": [{"field", "from", "to"}]}], "errors": [{"kind", "name", "message"}]}`.
    pub fn json(&self) -> serde_json::Value {
        let objects: Vec<_> = self
            .items
            .iter()
            .map(|i| {
                let changes: Vec<_> =
                    i.changes.iter().map(|c| json!({ "field": c.field, "from": c.from, "to": c.to })).collect();
                json!({
                    "kind": i.kind.as_str(),
                    "name": i.name,
                    "action": i.action.as_str(),
                    "owned": i.owned,
                    "changes": changes
                })
            })
            .collect();
        let errors: Vec<_> = self
            .refusals
            .iter()
            .map(|r| json!({ "kind": r.kind.as_str(), "name": r.name, "message": r.message }))
            .collect();
        json!({ "target": self.target, "changes": self.changes(), "objects": objects, "errors": errors })
    }
}

/// A topic as deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedTopic {
    pub state: TopicState,
    pub configs: BTreeMap<String, ConfigEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedSubject {
    pub latest: Option<Version>,
    /// The effective level.
    pub compatibility: String,
}

/// What the services hold of the objects the project wants or recorded.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deployed {
    pub topics: BTreeMap<String, DeployedTopic>,
    pub subjects: BTreeMap<String, DeployedSubject>,
    pub connectors: BTreeMap<String, connect::Deployed>,
    pub ksql: BTreeSet<String>,
    /// How many brokers the target's Kafka has, when it was asked.
    pub brokers: Option<u32>,
    /// The ALLOW bindings of the principals asked about, by key (`super::kafka::acls::key`).
    pub acls: BTreeSet<String>,
    /// The quotas of the principals asked about: each one's `user` entity, by key.
    pub quotas: BTreeMap<String, BTreeMap<String, f64>>,
}

/// The clients a plan needs, made from the target.
pub(crate) struct Clients {
    pub(crate) kafka: Option<Mutex<Admin>>,
    pub(crate) registry: Option<Registry>,
    pub(crate) connect: Option<Connect>,
    pub(crate) ksqldb: Option<Mutex<Ksqldb>>,
    /// How long to wait for a service that is not answering (bounded backoff).
    pub(crate) wait: Duration,
}

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

impl Clients {
    /// The clients of the services the project (and the objects recorded for `--prune`) need;
    /// an error when the target does not name one of them.
    pub(crate) fn for_target(
        target: &Target,
        desired: &Desired,
        recorded: &Applied,
        wait: Duration,
    ) -> Result<Clients, String> {
        let missing = |what: &str, node: &str| {
            format!("target `{}` names no {what} (`{node}` in the target), and the project needs one", target.name)
        };
        let recorded_on_kafka = !recorded.topics.is_empty() || !recorded.acls.is_empty() || !recorded.quotas.is_empty();
        let kafka = if desired.needs_kafka() || recorded_on_kafka {
            if target.kafka.is_empty() {
                return Err(missing("Kafka bootstrap server", "kafka"));
            }
            Some(Mutex::new(target.admin(REQUEST_TIMEOUT)))
        } else {
            None
        };
        let service = |url: &Option<super::target::Url>, name: &'static str, node: &str| {
            url.as_ref().map(|u| u.service(name, REQUEST_TIMEOUT)).ok_or_else(|| missing(name, node))
        };
        let registry = if desired.needs_registry() || !recorded.subjects.is_empty() {
            Some(Registry::new(service(&target.registry, "the schema registry", "schema-registry")?))
        } else {
            None
        };
        let connect = if desired.needs_connect() || !recorded.connectors.is_empty() {
            let mut connect = Connect::new(service(&target.connect, "Kafka Connect", "connect")?);
            connect.rebalance_bound = wait.max(Duration::from_secs(1));
            Some(connect)
        } else {
            None
        };
        let ksqldb = if desired.needs_ksqldb() || !recorded.ksql.is_empty() {
            let mut ksqldb = Ksqldb::new(service(&target.ksqldb, "ksqlDB", "ksqldb")?);
            ksqldb.not_ready_bound = wait.max(Duration::from_secs(1));
            Some(Mutex::new(ksqldb))
        } else {
            None
        };
        Ok(Clients { kafka, registry, connect, ksqldb, wait })
    }

    /// Waits, each service side by side, until every one answers, or `wait` has passed: then
    /// the error names the service that is not answering and where.
    pub(crate) fn wait_for_services(&self) -> Result<(), String> {
        let waited = self.wait;
        let bounded = |ping: &dyn Fn() -> Result<(), String>| -> Result<(), String> {
            let result = with_backoff(waited, || match ping() {
                Ok(()) => Ok(Some(())),
                Err(e) => Err(Retry::Again(e)),
            });
            result.map_err(|e| match e {
                Retry::Again(m) | Retry::Fatal(m) | Retry::TimedOut(Some(m)) => {
                    format!("{m}; waited {} s", waited.as_secs_f64().round())
                }
                Retry::TimedOut(None) => "a service did not answer".into(),
            })
        };
        let results: Vec<Result<(), String>> =
            std::thread::scope(|scope| {
                let mut handles = Vec::new();
                if let Some(kafka) = &self.kafka {
                    handles.push(scope.spawn(move || {
                        bounded(&|| kafka.lock().expect("not poisoned").ping().map_err(|e| e.to_string()))
                    }));
                }
                if let Some(registry) = &self.registry {
                    handles.push(scope.spawn(move || bounded(&|| registry.ping().map_err(|e| e.to_string()))));
                }
                if let Some(connect) = &self.connect {
                    handles.push(scope.spawn(move || bounded(&|| connect.ping().map_err(|e| e.to_string()))));
                }
                if let Some(ksqldb) = &self.ksqldb {
                    handles.push(scope.spawn(move || {
                        bounded(&|| ksqldb.lock().expect("not poisoned").info().map(|_| ()).map_err(|e| e.to_string()))
                    }));
                }
                handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err("a client panicked".into()))).collect()
            });
        let errors: Vec<String> = results.into_iter().filter_map(Result::err).collect();
        if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) }
    }

    /// Reads what is deployed of the objects desired or recorded, each service side by side.
    pub(crate) fn read(&self, desired: &Desired, recorded: &Applied) -> Result<Deployed, String> {
        let topic_names: Vec<String> =
            desired.topics.keys().chain(&recorded.topics).cloned().collect::<BTreeSet<_>>().into_iter().collect();
        let subject_names: Vec<&String> =
            desired.subjects.keys().chain(&recorded.subjects).collect::<BTreeSet<_>>().into_iter().collect();
        std::thread::scope(|scope| {
            let topics = scope.spawn(|| -> Result<(BTreeMap<String, DeployedTopic>, Option<u32>), String> {
                let Some(kafka) = &self.kafka else { return Ok((BTreeMap::new(), None)) };
                let (states, brokers) = super::listed::read(kafka, &topic_names, self.wait)?;
                let existing: Vec<String> = states.keys().cloned().collect();
                let mut configs = kafka.lock().expect("not poisoned").configs(&existing).map_err(|e| e.to_string())?;
                // A topic deleted between the two requests has no configs: it is absent.
                let topics = states
                    .into_iter()
                    .filter_map(|(name, state)| {
                        let configs = configs.remove(&name)?;
                        Some((name, DeployedTopic { state, configs }))
                    })
                    .collect();
                Ok((topics, Some(brokers)))
            });
            let subjects = scope.spawn(|| -> Result<BTreeMap<String, DeployedSubject>, String> {
                let Some(registry) = &self.registry else { return Ok(BTreeMap::new()) };
                read_subjects(registry, &subject_names, &expected(desired, recorded)).map_err(|e| e.to_string())
            });
            let connectors = scope.spawn(|| -> Result<BTreeMap<String, connect::Deployed>, String> {
                let Some(connect) = &self.connect else { return Ok(BTreeMap::new()) };
                connect.connectors().map_err(|e| e.to_string())
            });
            let ksql = scope.spawn(|| -> Result<BTreeSet<String>, String> {
                let Some(ksqldb) = &self.ksqldb else { return Ok(BTreeSet::new()) };
                ksqldb.lock().expect("not poisoned").sources().map_err(|e| e.to_string())
            });
            fn join<T>(r: std::thread::Result<Result<T, String>>) -> Result<T, String> {
                r.unwrap_or_else(|_| Err("a client panicked".to_string()))
            }
            let (topics, brokers) = join(topics.join())?;
            let (acls, quotas) = self.access(desired, recorded)?;
            Ok(Deployed {
                topics,
                brokers,
                acls,
                quotas,
                subjects: join(subjects.join())?,
                connectors: join(connectors.join())?,
                ksql: join(ksql.join())?,
            })
        })
    }
}

impl Clients {
    /// The bindings and quotas of each principal the project names or the record holds:
    /// DescribeAcls and DescribeClientQuotas per principal. Nothing is asked when neither names
    /// one, so a target without an authorizer is never asked about ACLs.
    #[allow(clippy::type_complexity)]
    fn access(
        &self,
        desired: &Desired,
        recorded: &Applied,
    ) -> Result<(BTreeSet<String>, BTreeMap<String, BTreeMap<String, f64>>), String> {
        let (mut acls, mut quotas) = (BTreeSet::new(), BTreeMap::new());
        let Some(kafka) = &self.kafka else { return Ok((acls, quotas)) };
        let mut admin = kafka.lock().expect("not poisoned");
        let recorded_acls = recorded.acls.iter().filter_map(|k| kafka::acls::parse_key(k));
        let principals: BTreeSet<String> =
            desired.acls.values().cloned().chain(recorded_acls).map(|g| g.principal).collect();
        for principal in &principals {
            let grants = admin.acls_of(principal).map_err(|e| e.to_string())?;
            acls.extend(grants.iter().map(kafka::acls::key));
        }
        for principal in desired.quotas.keys().chain(recorded.quotas.keys()).collect::<BTreeSet<_>>() {
            let values = admin.quotas_of(principal).map_err(|e| e.to_string())?;
            if !values.is_empty() {
                quotas.insert(principal.clone(), values);
            }
        }
        Ok((acls, quotas))
    }
}

/// The latest version each subject holds when the record says it is the schema the project
/// registers there: the version as the project has it, with the record's id (no references:
/// those are always read).
fn expected(desired: &Desired, recorded: &Applied) -> BTreeMap<String, Version> {
    let mut expected = BTreeMap::new();
    for (name, want) in &desired.subjects {
        let (Some((schema_type, schema)), Some(registered)) = (&want.schema, recorded.schemas.get(name)) else {
            continue;
        };
        if want.references.is_empty() && RegisteredSchema::of(registered.id, schema) == *registered {
            let version = Version {
                version: 0,
                id: registered.id,
                schema: schema.clone(),
                schema_type: schema_type.clone(),
                has_references: false,
            };
            expected.insert(name.clone(), version);
        }
    }
    expected
}

/// Each subject's latest version and effective level, [`CONCURRENCY`] subjects at a time, and
/// beside them the global level, once. The Confluent API reads neither in bulk (`GET /schemas`
/// lists schemas without their subjects on Apicurio 3.3; there is no bulk `/config`), so each
/// subject's level is one request, and its latest version another, unless Apicurio's bulk
/// listing ([`Registry::listing`]) answers it: a subject it does not list has no version, and
/// one whose latest id is the one `expected` records holds the expected schema (a schema id
/// names one schema for good).
fn read_subjects(
    registry: &Registry,
    names: &[&String],
    expected: &BTreeMap<String, Version>,
) -> Result<BTreeMap<String, DeployedSubject>, RegistryError> {
    if names.is_empty() {
        return Ok(BTreeMap::new());
    }
    let (global, listing) = std::thread::scope(|scope| {
        let global = scope.spawn(|| registry.global_compatibility());
        let listing = Listing::read(registry, expected);
        (global.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), listing)
    });
    let (global, listing) = (global?, listing?);
    let read = bounded(names, CONCURRENCY, |name| {
        let latest = match listing.as_ref().and_then(|l| l.latest(name, expected)) {
            Some(known) => known,
            None => registry.latest(name)?,
        };
        Ok((latest, registry.own_compatibility(name)?))
    });
    names
        .iter()
        .zip(read)
        .map(|(name, subject): (_, Result<_, RegistryError>)| {
            let (latest, own) = subject?;
            Ok(((*name).clone(), DeployedSubject { latest, compatibility: own.unwrap_or_else(|| global.clone()) }))
        })
        .collect()
}

/// Apicurio's bulk listing of latest versions, with which of a version's ids its Confluent API
/// answers as the schema id.
struct Listing {
    listed: BTreeMap<String, registry::Listed>,
    /// Whether the Confluent API's ids are global ids (Apicurio's legacy id mode), not content ids.
    global_ids: bool,
}

impl Listing {
    /// The listing, or None when the registry has none. Which id the Confluent API answers is
    /// asked once, of a version whose two ids differ (when none does, either is right), only when
    /// some subject is expected.
    fn read(registry: &Registry, expected: &BTreeMap<String, Version>) -> Result<Option<Listing>, RegistryError> {
        let Some(listed) = registry.listing()? else { return Ok(None) };
        let differing = listed.iter().find(|(_, l)| l.content_id != l.global_id);
        let global_ids = match differing {
            Some((subject, l)) if !expected.is_empty() => {
                let id = registry.version_id(subject, l.version)?;
                if id == Some(l.global_id) {
                    true
                } else if id == Some(l.content_id) {
                    false
                } else {
                    // Changed since listed: the listing is not to be trusted this time.
                    return Ok(None);
                }
            }
            _ => false,
        };
        Ok(Some(Listing { listed, global_ids }))
    }

    /// What the listing says of a subject's latest version: `Some(None)`, no version;
    /// `Some(Some(v))`, the expected one; None, a version to read.
    fn latest(&self, name: &str, expected: &BTreeMap<String, Version>) -> Option<Option<Version>> {
        if name.contains(':') {
            // A `group:artifact` subject (Apicurio's ccompat group-concat mode) is not in the
            // `default` group the listing reads.
            return None;
        }
        let Some(listed) = self.listed.get(name) else { return Some(None) };
        let version = expected.get(name)?;
        let answered = if self.global_ids { listed.global_id } else { listed.content_id };
        (answered == version.id).then(|| Some(Version { version: listed.version, ..version.clone() }))
    }
}

/// Config values that Kafka treats as lists, compared as sets.
fn normalized_config(key: &str, value: &str) -> String {
    if key == "cleanup.policy" {
        let mut parts: Vec<&str> = value.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
        parts.sort_unstable();
        parts.join(",")
    } else {
        value.trim().to_string()
    }
}

fn is_masked(value: &str) -> bool {
    matches!(value, "********" | "****" | "[hidden]" | "<hidden>")
        || (value.len() >= 3 && value.chars().all(|c| c == '*'))
}

/// Keys a Connect worker adds to a config it returns.
const SERVER_KEYS: &[&str] = &["name"];

/// An Avro schema in the registry's normalized form, or None when it does not parse alone
/// (it refers to other subjects, or it is not Avro).
fn avro_normalized(text: &str) -> Option<String> {
    let mut problems = Vec::new();
    let source = crate::model::SourceText::from_file(crate::source::FileId(0), text.to_string());
    let catalog = crate::avro::Catalog::from_texts(vec![("s".to_string(), source)], &mut problems);
    if !problems.is_empty() {
        return None;
    }
    Some(crate::avro::normalized_form_of(&catalog, catalog.schema("s")?))
}

/// Whether two schema texts are the same schema: Avro in normalized form, others as JSON
/// values (JSON Schema) or text without surrounding whitespace (Protobuf).
pub(crate) fn same_schema(schema_type: &str, a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if schema_type == "AVRO"
        && let (Some(a), Some(b)) = (avro_normalized(a), avro_normalized(b))
    {
        return a == b;
    }
    match (serde_json::from_str::<serde_json::Value>(a), serde_json::from_str::<serde_json::Value>(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a.trim() == b.trim(),
    }
}

/// venice's own verdict on a new Avro schema after the latest one at a level: the reasons it
/// may not follow (empty when it may, or when either side cannot be read alone).
pub(crate) fn avro_incompatibilities(level: &str, old: &str, new: &str) -> Vec<String> {
    let Some(level) = Compatibility::parse(level) else { return Vec::new() };
    let mut problems = Vec::new();
    let text = |t: &str| crate::model::SourceText::from_file(crate::source::FileId(0), t.to_string());
    let old_catalog = crate::avro::Catalog::from_texts(vec![("old".into(), text(old))], &mut problems);
    let new_catalog = crate::avro::Catalog::from_texts(vec![("new".into(), text(new))], &mut problems);
    let (Some(old_root), Some(new_root)) = (old_catalog.schema("old"), new_catalog.schema("new")) else {
        return Vec::new();
    };
    let found = crate::avro::compat::check_level(
        level,
        crate::avro::compat::SchemaRef::new(&new_catalog, new_root),
        &[crate::avro::compat::SchemaRef::new(&old_catalog, old_root)],
    );
    found
        .iter()
        .map(|f| {
            let i = &f.incompatibility;
            let reason = match f.direction {
                crate::avro::compat::Direction::NewReadsOld => {
                    i.reason.describe("the new schema", "the registered one")
                }
                crate::avro::compat::Direction::OldReadsNew => {
                    i.reason.describe("the registered schema", "the new one")
                }
            };
            format!("{} {}", i.path, reason)
        })
        .collect()
}

/// venice's own verdict on a new Protobuf or JSON Schema schema after the latest one at a level,
/// by the registry's diffs: each change it would refuse, by its name and path (empty when it
/// may follow, or when either side cannot be read alone: it imports or `$ref`s another subject,
/// which the registry's own check then judges).
pub(crate) fn other_incompatibilities(schema_type: &str, level: &str, old: &str, new: &str) -> Vec<String> {
    let Some(level) = Compatibility::parse(level) else { return Vec::new() };
    let named = |(change, path): (&str, &str)| format!("{change} at `{path}`");
    match schema_type {
        "PROTOBUF" => {
            let no_imports = |_: &str| None;
            let parse = |text: &str| crate::protobuf::parse("registered", "registered.proto", text, &no_imports).ok();
            let (Some(old), Some(new)) = (parse(old), parse(new)) else { return Vec::new() };
            let found = crate::protobuf::check_level(level, &new, std::slice::from_ref(&old));
            found.iter().map(|f| named((f.difference.change.as_str(), &f.difference.path))).collect()
        }
        "JSON" => {
            let parse = |text: &str| {
                let main = crate::json_schema::Document { name: "", file: crate::source::FileId(0), text };
                crate::json_schema::parse(main, &[]).ok()
            };
            let (Some(old), Some(new)) = (parse(old), parse(new)) else { return Vec::new() };
            let found = crate::json_schema::compat::check_level(level, &new, std::slice::from_ref(&old));
            found.iter().map(|f| named((f.difference.kind.as_str(), f.difference.path()))).collect()
        }
        _ => Vec::new(),
    }
}

/// The difference between what the project wants and what is deployed. `registry` answers the
/// `/compatibility` question for a changed value schema; `connect` validates each connector
/// config to be created or updated. Both are optional so the diff can be tested offline.
pub fn diff(
    target: &str,
    desired: &Desired,
    deployed: &Deployed,
    recorded: &Applied,
    prune: bool,
    registry: Option<&Registry>,
    connect: Option<&Connect>,
) -> Plan {
    let existing_ksql = deployed.ksql.iter().map(|n| n.to_uppercase()).collect();
    let mut d = Differ {
        deployed,
        recorded,
        existing_ksql,
        items: Vec::new(),
        refusals: Vec::new(),
        registered: BTreeMap::new(),
    };
    for (name, want) in &desired.topics {
        d.topic(name, want);
    }
    for (name, want) in desired.subjects_in_order() {
        d.subject(name, want, registry);
    }
    for (name, want) in &desired.connectors {
        d.connector(name, want, connect);
    }
    for file in &desired.ksql {
        d.ksql_file(file, recorded);
    }
    for key in desired.acls.keys() {
        d.acl(key);
    }
    for (principal, keys) in &desired.quotas {
        for (key, value) in keys {
            d.quota(principal, key, *value);
        }
    }
    d.orphans(desired, recorded, if prune { Action::Delete } else { Action::Keep });
    let mut record = still_there(recorded, deployed, &d.existing_ksql);
    let Differ { mut items, refusals, registered, .. } = d;
    // Those that change are recorded again as apply registers them.
    record.schemas = registered;
    items.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
    // ksqlDB files keep their dependency order (their names are numbered, so sorting keeps it).
    Plan { target: target.to_string(), items, refusals, record }
}

/// The record without what the target no longer holds (deleted by hand, or by a run killed
/// before it journaled the delete): venice owns what it made and what exists.
fn still_there(recorded: &Applied, deployed: &Deployed, existing_ksql: &BTreeSet<String>) -> Applied {
    let mut record = recorded.clone();
    record.topics.retain(|n| deployed.topics.contains_key(n));
    record.subjects.retain(|n| deployed.subjects.get(n).is_some_and(|s| s.latest.is_some()));
    record.connectors.retain(|n| deployed.connectors.contains_key(n));
    // A file that creates nothing is recorded by its path; ksqlDB cannot be asked about it.
    record.ksql.retain(|n| n.ends_with(".sql") || existing_ksql.contains(&n.to_uppercase()));
    record.acls.retain(|k| deployed.acls.contains(k));
    for (principal, keys) in &mut record.quotas {
        keys.retain(|k| deployed.quotas.get(principal).is_some_and(|have| have.contains_key(k)));
    }
    record.quotas.retain(|_, keys| !keys.is_empty());
    record
}

/// The record with the creates a killed apply left in doubt settled: those the target holds
/// were made by that run (its plan had found them missing), the others were never made.
pub fn settle(recorded: &Applied, in_doubt: &Applied, deployed: &Deployed) -> Applied {
    let existing_ksql: BTreeSet<String> = deployed.ksql.iter().map(|n| n.to_uppercase()).collect();
    let found = still_there(in_doubt, deployed, &existing_ksql);
    let mut record = recorded.clone();
    for name in found.quota_names() {
        record.insert(Set::Quota, &name);
    }
    record.topics.extend(found.topics);
    record.subjects.extend(found.subjects);
    record.connectors.extend(found.connectors);
    record.ksql.extend(found.ksql.into_iter().filter(|n| !n.ends_with(".sql")));
    record.acls.extend(found.acls);
    record
}

/// A diff on its way: the items and refusals found so far, against what is deployed.
struct Differ<'a> {
    deployed: &'a Deployed,
    /// What venice.lock records as venice's on the target.
    recorded: &'a Applied,
    /// The streams and tables ksqlDB holds, upper-cased.
    existing_ksql: BTreeSet<String>,
    items: Vec<Item>,
    refusals: Vec<Refusal>,
    /// The subjects whose latest version is the project's schema, with its id: the record's
    /// `schemas`.
    registered: BTreeMap<String, RegisteredSchema>,
}

fn change(field: &str, from: Option<&str>, to: Option<&str>) -> Change {
    Change { field: field.to_string(), from: from.map(str::to_owned), to: to.map(str::to_owned) }
}

impl Differ<'_> {
    fn refuse(&mut self, kind: Kind, name: &str, message: String) {
        self.refusals.push(Refusal { kind, name: name.to_string(), message });
    }

    /// A topic: created, or its partitions grown and its configs set; never fewer partitions,
    /// another replication factor or another `cleanup.policy`.
    fn topic(&mut self, name: &str, want: &desired::Topic) {
        let Some(have) = self.deployed.topics.get(name) else {
            self.replication_within_brokers(name, want.replication);
            let mut changes = vec![
                change("partitions", None, Some(&want.partitions.to_string())),
                change("replication", None, Some(&want.replication.to_string())),
            ];
            changes.extend(want.configs.iter().map(|(k, v)| change(k, None, Some(v))));
            let action = Action::Create;
            self.items.push(Item { kind: Kind::Topic, name: name.to_string(), action, changes, owned: true });
            return;
        };
        let mut changes = Vec::new();
        if want.partitions < have.state.partitions {
            self.refuse(
                Kind::Topic,
                name,
                format!(
                    "{} partitions cannot become {}: Kafka cannot remove partitions (create a new topic instead)",
                    have.state.partitions, want.partitions
                ),
            );
        } else if want.partitions > have.state.partitions {
            changes.push(change(
                "partitions",
                Some(&have.state.partitions.to_string()),
                Some(&want.partitions.to_string()),
            ));
        }
        if want.replication != have.state.replication {
            self.refuse(
                Kind::Topic,
                name,
                format!(
                    "its replication factor is {}, the project says {}: venice does not reassign replicas",
                    have.state.replication, want.replication
                ),
            );
        }
        changes.extend(self.topic_configs(name, want, have));
        let action = if changes.is_empty() { Action::Unchanged } else { Action::Update };
        let owned = self.recorded.topics.contains(name);
        self.items.push(Item { kind: Kind::Topic, name: name.to_string(), action, changes, owned });
    }

    /// V504 where `venice check` cannot see it: a target names only bootstrap servers, so its
    /// broker count is known once Metadata answers. Kafka refuses such a topic at create time
    /// (`InvalidReplicationFactorException`); refusing it in the plan stops the apply before
    /// anything is made.
    fn replication_within_brokers(&mut self, name: &str, replication: u32) {
        let Some(brokers) = self.deployed.brokers.filter(|&b| replication > b) else { return };
        let s = if brokers == 1 { "" } else { "s" };
        let message = format!(
            "replication {replication} is above the {brokers} broker{s} the cluster has (V504): each replica needs its own broker: lower the topic's `replication`"
        );
        self.refuse(Kind::Topic, name, message);
    }

    /// The config changes of a deployed topic: the project's values, and the topic's own
    /// settings the project drops (back to the default).
    fn topic_configs(&mut self, name: &str, want: &desired::Topic, have: &DeployedTopic) -> Vec<Change> {
        let mut changes = Vec::new();
        for (key, value) in &want.configs {
            let current = have.configs.get(key).and_then(|e| e.value.as_deref());
            if current.map(|c| normalized_config(key, c)) == Some(normalized_config(key, value)) {
                continue;
            }
            if key == "cleanup.policy" {
                self.refuse(
                    Kind::Topic,
                    name,
                    format!(
                        "its `cleanup.policy` is {}, the project says {value:?}: changing it changes what the topic keeps (create a new topic instead)",
                        current.map_or("(unknown)".to_string(), |c| format!("{c:?}"))
                    ),
                );
                continue;
            }
            changes.push(change(key, current, Some(value)));
        }
        for (key, entry) in &have.configs {
            if entry.source == kafka::DYNAMIC_TOPIC_CONFIG && !want.configs.contains_key(key) {
                changes.push(change(key, entry.value.as_deref(), None));
            }
        }
        changes
    }

    /// A subject: its schema registered (unless it changes a key, or is incompatible with the
    /// latest version) and its compatibility level set.
    fn subject(&mut self, name: &str, want: &desired::Subject, registry: Option<&Registry>) {
        let have = self.deployed.subjects.get(name);
        let mut changes = Vec::new();
        let latest = have.and_then(|h| h.latest.as_ref());
        if let Some((schema_type, schema)) = &want.schema {
            match latest {
                None => changes.push(change("schema", None, Some(schema))),
                Some(latest) if latest.schema_type != *schema_type => self.refuse(
                    Kind::Subject,
                    name,
                    format!("its schemas are {}, the project's is {schema_type}", latest.schema_type),
                ),
                Some(latest) if same_schema(schema_type, &latest.schema, schema) => {
                    if want.references.is_empty() && !latest.has_references {
                        self.registered.insert(name.to_string(), RegisteredSchema::of(latest.id, schema));
                    }
                }
                Some(latest) if want.key => self.refuse(
                    Kind::Subject,
                    name,
                    format!(
                        "the key schema of topic `{}` would change (version {} is registered): records with equal keys would no longer hash to the same partition; use a new topic",
                        want.topic, latest.version
                    ),
                ),
                Some(latest) => {
                    if let Some(c) = self.new_value_schema(name, want, schema_type, schema, latest, registry) {
                        changes.push(c);
                    }
                }
            }
        }
        let level = have.map(|h| h.compatibility.as_str());
        if level != Some(want.compatibility.as_str()) {
            changes.push(change("compatibility", level, Some(&want.compatibility)));
        }
        let action = match (latest.is_some() || want.schema.is_none(), changes.is_empty()) {
            (_, true) => Action::Unchanged,
            (false, false) => Action::Create,
            (true, false) => Action::Update,
        };
        // A subject whose schemas a converter registers (the project names none) is not venice's
        // to make or delete: venice sets only its level, so it is neither owned nor not.
        let owned = want.schema.is_none() || latest.is_none() || self.recorded.subjects.contains(name);
        self.items.push(Item { kind: Kind::Subject, name: name.to_string(), action, changes, owned });
    }

    /// A changed value schema: the change, or `None` (refused) when venice or the registry
    /// finds it incompatible with the latest version at the subject's new level.
    fn new_value_schema(
        &mut self,
        name: &str,
        want: &desired::Subject,
        schema_type: &str,
        schema: &str,
        latest: &Version,
        registry: Option<&Registry>,
    ) -> Option<Change> {
        // Apply sets the level before it registers, so the new level is the one that holds.
        let level = want.compatibility.as_str();
        let mut reasons = match schema_type {
            "AVRO" => avro_incompatibilities(level, &latest.schema, schema),
            _ if latest.has_references || !want.references.is_empty() => Vec::new(),
            _ => other_incompatibilities(schema_type, level, &latest.schema, schema),
        };
        if reasons.is_empty()
            && let Some(registry) = registry
        {
            match registry.compatible(name, schema_type, schema, &want.references) {
                Ok(true) => {}
                Ok(false) => reasons.push("the registry's `/compatibility` check says no".into()),
                Err(e) => reasons.push(format!("the compatibility check failed: {e}")),
            }
        }
        if reasons.is_empty() {
            return Some(change("schema", Some(&format!("version {}", latest.version)), Some(schema)));
        }
        self.refuse(
            Kind::Subject,
            name,
            format!(
                "the new schema is incompatible with version {} under {level}: {}",
                latest.version,
                reasons.join("; ")
            ),
        );
        None
    }

    /// A connector: created, its config updated, or restarted when it failed with the same
    /// config; a config to send is validated by its plugin first.
    fn connector(&mut self, name: &str, want: &desired::Connector, connect: Option<&Connect>) {
        let kind = if want.direction == Direction::Source { Kind::Source } else { Kind::Sink };
        let wanted: BTreeMap<&str, String> = want
            .config
            .iter()
            .filter(|(k, _)| !SERVER_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
        let (action, changes) = match self.deployed.connectors.get(name) {
            None => (Action::Create, wanted.iter().map(|(k, v)| change(k, None, Some(v))).collect()),
            Some(have) => connector_update(&wanted, have),
        };
        if matches!(action, Action::Create | Action::Update)
            && let Some(connect) = connect
        {
            match connect.validate(&want.config) {
                Ok(errors) if errors.is_empty() => {}
                Ok(errors) => {
                    let listed: Vec<String> = errors.iter().map(|(k, m)| format!("`{k}`: {}", m.join("; "))).collect();
                    self.refuse(kind, name, format!("Kafka Connect rejects its config: {}", listed.join(", ")));
                }
                Err(e) => self.refuse(kind, name, format!("its config could not be validated: {e}")),
            }
        }
        let owned = action == Action::Create || self.recorded.connectors.contains(name);
        self.items.push(Item { kind, name: name.to_string(), action, changes, owned });
    }

    /// A ksqlDB file: created when what it creates is missing, updated when edited since it
    /// was applied (refused when that would start a second INSERT INTO).
    fn ksql_file(&mut self, file: &desired::Ksql, recorded: &Applied) {
        let missing: Vec<&String> =
            file.creates.iter().filter(|n| !self.existing_ksql.contains(&n.to_uppercase())).collect();
        let done = if file.creates.is_empty() { recorded.ksql.contains(&file.path) } else { missing.is_empty() };
        let applied_as = recorded.ksql_files.get(file.key()).filter(|_| done);
        let (action, changes) = match applied_as {
            Some(before) if *before != file.fingerprint() => {
                if file.inserts() {
                    self.refuse(
                        Kind::Ksql,
                        &file.path,
                        "edited since it was applied, and its INSERT INTO would start a second query: \
                         TERMINATE the running one in ksqlDB first, or put the edit in a new transform"
                            .into(),
                    );
                }
                (Action::Update, vec![change("text fingerprint", Some(before), Some(&file.fingerprint()))])
            }
            _ if done => (Action::Unchanged, Vec::new()),
            _ => (Action::Create, missing.into_iter().map(|n| change("creates", None, Some(n))).collect()),
        };
        let recorded: BTreeSet<String> = recorded.ksql.iter().map(|n| n.to_uppercase()).collect();
        let owned = file
            .creates
            .iter()
            .map(|n| n.to_uppercase())
            .all(|n| !self.existing_ksql.contains(&n) || recorded.contains(&n));
        self.items.push(Item { kind: Kind::Ksql, name: file.path.clone(), action, changes, owned });
    }

    /// An ACL binding: created when the cluster lacks it, else unchanged (and not owned when
    /// someone else made it: `--prune` leaves it, `--adopt` takes it).
    fn acl(&mut self, key: &str) {
        let exists = self.deployed.acls.contains(key);
        let action = if exists { Action::Unchanged } else { Action::Create };
        let owned = !exists || self.recorded.acls.contains(key);
        self.items.push(Item { kind: Kind::Acl, name: key.to_string(), action, changes: Vec::new(), owned });
    }

    /// A quota key of a principal: set when missing or different.
    fn quota(&mut self, principal: &str, key: &str, value: f64) {
        let have = self.deployed.quotas.get(principal).and_then(|h| h.get(key)).copied();
        let (action, changes) = match have {
            None => (Action::Create, vec![change("value", None, Some(&kafka::acls::quota_text(value)))]),
            Some(v) if v == value => (Action::Unchanged, Vec::new()),
            Some(v) => {
                let (from, to) = (kafka::acls::quota_text(v), kafka::acls::quota_text(value));
                (Action::Update, vec![change("value", Some(&from), Some(&to))])
            }
        };
        let owned = have.is_none() || self.recorded.quotas.get(principal).is_some_and(|k| k.contains(key));
        let name = quota_name(principal, key);
        self.items.push(Item { kind: Kind::Quota, name, action, changes, owned });
    }

    /// What this project applied before and no longer declares, and which still exists: the
    /// `orphan` action (deleted only with --prune).
    fn orphans(&mut self, desired: &Desired, recorded: &Applied, orphan: Action) {
        let orphan_item =
            |kind, name: &String| Item { kind, name: name.clone(), action: orphan, changes: Vec::new(), owned: true };
        for name in &recorded.topics {
            if !desired.topics.contains_key(name) && self.deployed.topics.contains_key(name) {
                self.items.push(orphan_item(Kind::Topic, name));
            }
        }
        for name in &recorded.subjects {
            if !desired.subjects.contains_key(name)
                && self.deployed.subjects.get(name).is_some_and(|s| s.latest.is_some())
            {
                self.items.push(orphan_item(Kind::Subject, name));
            }
        }
        for name in &recorded.connectors {
            if !desired.connectors.contains_key(name)
                && let Some(have) = self.deployed.connectors.get(name)
            {
                let kind = if have.kind == "source" { Kind::Source } else { Kind::Sink };
                self.items.push(orphan_item(kind, name));
            }
        }
        for key in &recorded.acls {
            if !desired.acls.contains_key(key) && self.deployed.acls.contains(key) {
                self.items.push(orphan_item(Kind::Acl, key));
            }
        }
        for (principal, keys) in &recorded.quotas {
            let have = self.deployed.quotas.get(principal);
            let wanted = desired.quotas.get(principal);
            for key in keys {
                if !wanted.is_some_and(|w| w.contains_key(key)) && have.is_some_and(|h| h.contains_key(key)) {
                    let mut item = orphan_item(Kind::Quota, &quota_name(principal, key));
                    let value = have.and_then(|h| h.get(key)).map(|v| kafka::acls::quota_text(*v));
                    item.changes.push(change("value", value.as_deref(), None));
                    self.items.push(item);
                }
            }
        }
        let created_by_project: BTreeSet<String> =
            desired.ksql.iter().flat_map(|f| &f.creates).map(|n| n.to_uppercase()).collect();
        for name in &recorded.ksql {
            let upper = name.to_uppercase();
            if !name.ends_with(".sql") && !created_by_project.contains(&upper) && self.existing_ksql.contains(&upper) {
                self.items.push(orphan_item(Kind::Ksql, name));
            }
        }
    }
}

/// What changes in a deployed connector's config (a masked secret taken as equal, `name`
/// aside): an update, else a restart when it failed.
fn connector_update(wanted: &BTreeMap<&str, String>, have: &connect::Deployed) -> (Action, Vec<Change>) {
    let mut changes = Vec::new();
    for (key, value) in wanted {
        match have.config.get(*key) {
            Some(current) if current == value || is_masked(current) => {}
            current => changes.push(change(key, current.map(String::as_str), Some(value))),
        }
    }
    for (key, value) in &have.config {
        if !wanted.contains_key(key.as_str()) && !SERVER_KEYS.contains(&key.as_str()) {
            changes.push(change(key, Some(value), None));
        }
    }
    match (changes.is_empty(), have.failed()) {
        (false, _) => (Action::Update, changes),
        (true, true) => {
            let mut state = format!("connector {}, tasks [{}]", have.state, have.task_states.join(", "));
            if !have.cause.is_empty() {
                state.push_str(&format!(": {}", have.cause));
            }
            (Action::Restart, vec![change("state", Some(&state), Some("RUNNING"))])
        }
        (true, false) => (Action::Unchanged, changes),
    }
}

/// Everything `venice plan` does after the project is checked: resolve clients, wait for the
/// services, read, diff. The error is a message naming what could not be reached.
pub(crate) fn read_and_plan(
    target: &Target,
    desired: &Desired,
    recorded: &Folded,
    prune: bool,
    wait: Duration,
) -> Result<(Plan, Clients, Duration), String> {
    let started = Instant::now();
    // What is in doubt is read too, to settle it.
    let mut known = recorded.applied.clone();
    for (set, doubt) in [
        (&mut known.topics, &recorded.in_doubt.topics),
        (&mut known.subjects, &recorded.in_doubt.subjects),
        (&mut known.connectors, &recorded.in_doubt.connectors),
        (&mut known.ksql, &recorded.in_doubt.ksql),
        (&mut known.acls, &recorded.in_doubt.acls),
    ] {
        set.extend(doubt.iter().cloned());
    }
    for name in recorded.in_doubt.quota_names() {
        known.insert(Set::Quota, &name);
    }
    let clients = Clients::for_target(target, desired, &known, wait)?;
    clients.wait_for_services()?;
    let deployed = clients.read(desired, &known)?;
    let settled = settle(&recorded.applied, &recorded.in_doubt, &deployed);
    let plan =
        diff(&target.name, desired, &deployed, &settled, prune, clients.registry.as_ref(), clients.connect.as_ref());
    Ok((plan, clients, started.elapsed()))
}

/// Why a topic is a service's own and not the pipeline's, or None: Kafka's internal topics
/// (`__consumer_offsets`, `__transaction_state`, ...), the Schema Registry's (`_schemas`),
/// Confluent's and ksqlDB's (`_confluent-*`, the processing log), Apicurio's `kafkasql-journal`,
/// and Kafka Connect's storage topics (`offset.storage.topic` and its siblings, named
/// `...connect...-offsets|-configs|-status` by custom).
pub(crate) fn internal_topic(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if name.starts_with("__") {
        return Some("internal to Kafka (`__`)");
    }
    if name == "_schemas" || name == "kafkasql-journal" {
        return Some("the schema registry's storage");
    }
    if name.starts_with("_confluent") || lower.ends_with("ksql_processing_log") {
        return Some("ksqlDB's or Confluent's internal topic");
    }
    let storage = ["offsets", "offset", "configs", "config", "status", "statuses"];
    let connect_storage = lower.contains("connect")
        && storage
            .iter()
            .any(|s| [format!("-{s}"), format!("_{s}"), format!(".{s}")].iter().any(|e| lower.ends_with(e)));
    connect_storage.then_some("Kafka Connect's storage (offsets, configs or status)")
}

/// What the target has that the project does not declare (`venice plan --unmanaged`): never
/// proposed for deletion, only listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unmanaged {
    pub topics: Vec<String>,
    pub subjects: Vec<String>,
    pub connectors: Vec<String>,
    pub ksql: Vec<String>,
}

impl Unmanaged {
    /// The lines after the plan: one per object, and what is not compared.
    pub fn human(&self) -> String {
        let mut out =
            String::from("on the target, not declared by the project (left as they are; `venice import` adds them):\n");
        let mut any = false;
        for (kind, names) in [
            ("topic", &self.topics),
            ("subject", &self.subjects),
            ("connector", &self.connectors),
            ("ksql", &self.ksql),
        ] {
            for name in names {
                out.push_str(&format!("  ? {kind} `{name}`\n"));
                any = true;
            }
        }
        if !any {
            out.push_str("  (nothing)\n");
        }
        out.push_str("ACLs are not listed: the plan compares those of the principals the project names\n");
        out
    }

    pub fn json(&self) -> serde_json::Value {
        json!({
            "topics": self.topics,
            "subjects": self.subjects,
            "connectors": self.connectors,
            "ksql": self.ksql,
            "acls": "not listed: the plan compares those of the principals the project names",
        })
    }
}

/// Reads every topic, subject, connector and ksqlDB stream or table of the services the target
/// names, and keeps those the project does not declare or make: internal topics aside, and the
/// topics and subjects of the project's own ksqlDB streams and tables.
pub(crate) fn unmanaged(target: &Target, desired: &Desired) -> Result<Unmanaged, String> {
    let service = |u: &super::target::Url, name: &'static str| u.service(name, REQUEST_TIMEOUT);
    let mut ksql_topics: BTreeMap<String, String> = BTreeMap::new();
    if let Some(u) = &target.ksqldb {
        let mut ksqldb = Ksqldb::new(service(u, "ksqlDB"));
        for entity in ksqldb.run("SHOW STREAMS; SHOW TABLES;").map_err(|e| e.to_string())? {
            for source in ["streams", "tables"].iter().flat_map(|k| entity[*k].as_array().cloned().unwrap_or_default())
            {
                let (Some(name), Some(topic)) = (source["name"].as_str(), source["topic"].as_str()) else { continue };
                ksql_topics.insert(name.to_uppercase(), topic.to_string());
            }
        }
    }
    let created: BTreeSet<String> = desired.ksql.iter().flat_map(|f| &f.creates).map(|n| n.to_uppercase()).collect();
    let managed_topics: BTreeSet<&String> =
        desired.topics.keys().chain(ksql_topics.iter().filter(|(n, _)| created.contains(*n)).map(|(_, t)| t)).collect();
    let mut out = Unmanaged {
        ksql: ksql_topics.keys().filter(|n| !created.contains(*n)).cloned().collect(),
        ..Unmanaged::default()
    };
    if !target.kafka.is_empty() {
        let cluster = target.admin(REQUEST_TIMEOUT).metadata(None).map_err(|e| e.to_string())?;
        out.topics = cluster
            .topics
            .into_iter()
            .filter(|(name, meta)| !meta.internal && internal_topic(name).is_none() && !managed_topics.contains(name))
            .map(|(name, _)| name)
            .collect();
    }
    if let Some(u) = &target.registry {
        let registry = Registry::new(service(u, "the schema registry"));
        let of_managed = |s: &str| {
            let topic = s.strip_suffix("-key").or_else(|| s.strip_suffix("-value"));
            topic.is_some_and(|t| managed_topics.contains(&t.to_string()))
        };
        out.subjects = registry
            .subjects()
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|s| !desired.subjects.contains_key(s) && !of_managed(s))
            .collect();
    }
    if let Some(u) = &target.connect {
        let connectors = Connect::new(service(u, "Kafka Connect")).connectors().map_err(|e| e.to_string())?;
        out.connectors = connectors.into_keys().filter(|n| !desired.connectors.contains_key(n)).collect();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{BTreeMap, Registry, Version, other_incompatibilities, read_subjects};
    use crate::deploy::http::{Auth, Service, testing::route};
    use serde_json::json;

    fn expected(id: i64, schema: &str) -> Version {
        Version { version: 0, id, schema: schema.into(), schema_type: "AVRO".into(), has_references: false }
    }

    /// An Apicurio registry whose bulk listing holds `versions`; `legacy_ids`: its Confluent API
    /// answers global ids. Counts nothing: [`route`] takes exactly the requests a test expects.
    fn apicurio(
        count: usize,
        versions: serde_json::Value,
        legacy_ids: bool,
    ) -> (Registry, std::thread::JoinHandle<Vec<String>>) {
        let (url, server) = route(count, move |line| {
            let path = line.split(' ').nth(1).unwrap_or_default();
            match path {
                _ if path.starts_with("/apis/registry/v3/search/versions") => (200, versions.to_string()),
                "/apis/ccompat/v7/config" => (200, r#"{"compatibilityLevel":"BACKWARD"}"#.into()),
                "/apis/ccompat/v7/config/a-value" => (200, r#"{"compatibilityLevel":"FULL"}"#.into()),
                _ if path.starts_with("/apis/ccompat/v7/config/") => (404, r#"{"error_code":40408}"#.into()),
                "/apis/ccompat/v7/subjects/b-value/versions/latest" => {
                    (200, r#"{"version":2,"id":9,"schema":"\"long\""}"#.into())
                }
                "/apis/ccompat/v7/subjects/a-value/versions/1"
                | "/apis/ccompat/v7/subjects/a-value/versions/latest" => {
                    (200, format!(r#"{{"version":1,"id":{},"schema":"\"int\""}}"#, if legacy_ids { 21 } else { 7 }))
                }
                _ => (500, format!("unexpected {line}")),
            }
        });
        let service = Service::new(
            "the schema registry",
            &format!("{url}/apis/ccompat/v7"),
            Auth::None,
            std::time::Duration::from_secs(5),
        );
        (Registry::new(service), server)
    }

    #[test]
    fn the_listing_stands_for_the_reads_of_the_schemas_the_record_expects() {
        let listed = json!({ "count": 2, "versions": [
            { "artifactId": "a-value", "version": "1", "globalId": 7, "contentId": 7, "state": "ENABLED" },
            { "artifactId": "b-value", "version": "2", "globalId": 9, "contentId": 9, "state": "ENABLED" },
        ]});
        // The global level, the listing, three subjects' levels, and b's latest version only:
        // a is listed with the id recorded, b with another, c not at all.
        let (registry, server) = apicurio(6, listed, false);
        let want = BTreeMap::from([
            ("a-value".to_string(), expected(7, "\"int\"")),
            ("b-value".into(), expected(8, "\"int\"")),
        ]);
        let names = ["a-value".to_string(), "b-value".into(), "c-value".into()];
        let read = read_subjects(&registry, &names.iter().collect::<Vec<_>>(), &want).unwrap();
        let a = read["a-value"].latest.as_ref().expect("a has a version");
        assert_eq!(
            (a.version, a.id, a.schema.as_str(), read["a-value"].compatibility.as_str()),
            (1, 7, "\"int\"", "FULL")
        );
        let b = read["b-value"].latest.as_ref().expect("b has a version");
        assert_eq!((b.version, b.id, b.schema.as_str()), (2, 9, "\"long\""));
        assert_eq!((&read["c-value"].latest, read["c-value"].compatibility.as_str()), (&None, "BACKWARD"));
        let requests = server.join().unwrap();
        assert!(!requests.iter().any(|r| r.contains("/subjects/a-value/versions")), "{requests:#?}");
    }

    #[test]
    fn which_id_the_confluent_api_answers_is_asked_once_when_the_two_differ() {
        let listed = json!({ "count": 1, "versions": [
            { "artifactId": "a-value", "version": "1", "globalId": 21, "contentId": 7, "state": "ENABLED" },
        ]});
        for (legacy_ids, recorded, read_again) in [(false, 7, false), (true, 21, false), (true, 7, true)] {
            // The global level, the listing, version 1 of a (which id?), a's level, and its latest
            // version when the recorded id is not the one answered.
            let (registry, server) = apicurio(4 + usize::from(read_again), listed.clone(), legacy_ids);
            let want = BTreeMap::from([("a-value".to_string(), expected(recorded, "\"int\""))]);
            let names = ["a-value".to_string()];
            let read = read_subjects(&registry, &names.iter().collect::<Vec<_>>(), &want).unwrap();
            let requests = server.join().unwrap();
            assert!(requests.iter().any(|r| r.starts_with("GET /apis/ccompat/v7/subjects/a-value/versions/1 ")));
            let latest = requests.iter().any(|r| r.contains("/subjects/a-value/versions/latest"));
            assert_eq!(latest, read_again, "{requests:#?}");
            // Read or listed, the version is the one the Confluent API answers.
            assert_eq!(read["a-value"].latest.as_ref().map(|v| v.id), Some(if legacy_ids { 21 } else { 7 }));
        }
    }

    #[test]
    fn protobuf_and_json_schema_changes_are_judged_by_the_registry_diffs() {
        let old = "syntax = \"proto3\";\nmessage M { int64 a = 1; }\n";
        let found = other_incompatibilities("PROTOBUF", "BACKWARD", old, &old.replace("int64", "string"));
        assert_eq!(found, ["FIELD_SCALAR_KIND_CHANGED at `#/M/1`"]);
        let added = old.replace("1; }", "1; int32 b = 2; }");
        assert!(other_incompatibilities("PROTOBUF", "BACKWARD", old, &added).is_empty());
        let old = r#"{"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false}"#;
        let new = r#"{"type": "object", "properties": {}, "additionalProperties": false}"#;
        let found = other_incompatibilities("JSON", "BACKWARD", old, new);
        assert_eq!(found, ["PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at `#/properties/a`"]);
        // A schema that imports another subject is left to the registry's own check.
        let imports = "syntax = \"proto3\";\nimport \"other.proto\";\nmessage M { O a = 1; }\n";
        assert!(other_incompatibilities("PROTOBUF", "BACKWARD", imports, imports).is_empty());
    }
}
