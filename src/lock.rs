//! `venice.lock`: what was last built or applied, the baseline that evolution checks compare
//! the project with (V202 for schemas, V503 for partitions).
//!
//! The lock is TOML, written by `venice build` and committed by the user. `venice check` reads it
//! from the project folder, or from a git revision with `--against REF`.
//!
//! Its `applied` section is `venice apply`'s record of what it made on each target. An apply
//! records each step in a `journal` as the target confirms it, and folds the journal into the
//! lock when it ends (or the next run does, when it was killed); `exclusive` is the lock that
//! keeps a second apply to the same target from running beside it.

pub(crate) mod exclusive;
pub(crate) mod journal;

use crate::avro::{Fingerprint, normalized_form_of};
use crate::model::{Compatibility, Format, Project, SchemaKind, Side};
use crate::source::{FileId, SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) const LOCK_FILE: &str = "venice.lock";

/// The lock's format version; a lock of another version is refused rather than misread.
pub const LOCK_VERSION: u32 = 1;

/// The contents of venice.lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    /// Each topic's partition count, by topic name.
    #[serde(default)]
    pub topics: BTreeMap<String, LockedTopic>,
    /// Each registry subject's schema, by subject (`<topic>-key`, `<topic>-value`).
    #[serde(default)]
    pub subjects: BTreeMap<String, LockedSubject>,
    /// What `venice apply` created or updated, by target name: the only objects `--prune` may
    /// delete. `venice build` keeps this section as it is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub applied: BTreeMap<String, Applied>,
}

/// The objects `venice apply` made on one target, by kind and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Applied {
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub topics: std::collections::BTreeSet<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub subjects: std::collections::BTreeSet<String>,
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub connectors: std::collections::BTreeSet<String>,
    /// The ksqlDB streams and tables, as ksqlDB names them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub ksql: std::collections::BTreeSet<String>,
    /// Each ksqlDB file as it was last applied: its path in the build (`ksql/02-big-orders.sql`)
    /// and the fingerprint of its text (hex of Avro's 64-bit Rabin fingerprint, which venice has
    /// already). ksqlDB keeps statements in its own rewritten form, so an edit to a file is seen
    /// against this record, as ksql-migrations checks its migrations' checksums.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ksql_files: BTreeMap<String, String>,
    /// The ACL bindings venice created, each as `deploy::kafka::acls::key` writes it
    /// (`User:alice write topic="orders" host="*"`): the only ones `--prune` deletes.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub acls: std::collections::BTreeSet<String>,
    /// The client quota keys venice set (`producer_byte_rate`, ...), by principal.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotas: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The partitions of each topic of `topics` as this target's view last applied them, by
    /// physical name: V503's baseline for the target, so that targets with different counts
    /// do not fight over the top-level `topics` (the project as declared). Older locks have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub partitions: BTreeMap<String, u32>,
    /// Each subject whose latest version holds the schema the project registers there (schemas
    /// without references), with the registry's id for it: what lets a plan take the registry's
    /// bulk list of latest ids (Apicurio's) for a read of every schema. Older locks have none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schemas: BTreeMap<String, RegisteredSchema>,
}

/// A schema the registry holds as a subject's latest version: its id there and the fingerprint
/// of the text venice registers (hex of its 64-bit Rabin fingerprint, as for `ksql_files`). A
/// schema id names one schema for good in a registry, so the same id as the latest version
/// again means the same text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisteredSchema {
    pub id: i64,
    pub fingerprint: String,
}

impl RegisteredSchema {
    /// The record of `text` registered under `id`.
    pub(crate) fn of(id: i64, text: &str) -> RegisteredSchema {
        RegisteredSchema { id, fingerprint: text_fingerprint(text) }
    }
}

/// How the lock fingerprints a text it records by fingerprint only (a schema's or a ksqlDB
/// file's): the hex of its 64-bit Rabin fingerprint, which venice has already.
pub(crate) fn text_fingerprint(text: &str) -> String {
    format!("{:016x}", crate::avro::rabin(text.as_bytes()))
}

impl Applied {
    pub(crate) fn is_empty(&self) -> bool {
        self.topics.is_empty()
            && self.subjects.is_empty()
            && self.connectors.is_empty()
            && self.ksql.is_empty()
            && self.ksql_files.is_empty()
            && self.acls.is_empty()
            && self.quotas.is_empty()
            && self.partitions.is_empty()
            && self.schemas.is_empty()
    }

    /// Records the partitions the view gives each topic venice made on the target (`wanted`, by
    /// physical name); a topic no longer made is no longer recorded.
    pub(crate) fn record_partitions<'a>(&mut self, wanted: impl IntoIterator<Item = (&'a String, u32)>) {
        let wanted: BTreeMap<&String, u32> = wanted.into_iter().collect();
        let kept = std::mem::take(&mut self.partitions).into_iter().filter(|(t, _)| self.topics.contains(t));
        let mut partitions: BTreeMap<String, u32> = kept.collect();
        for topic in &self.topics {
            if let Some(&count) = wanted.get(topic) {
                partitions.insert(topic.clone(), count);
            }
        }
        self.partitions = partitions;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedTopic {
    pub partitions: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedSubject {
    /// The schema in the registry's normalized form (`crate::avro::normalized_form_of`), every
    /// named type written out. Not the Parsing Canonical Form: that strips the defaults and
    /// aliases that FORWARD and BACKWARD checks need.
    pub(crate) schema: String,
    /// The 64-bit Rabin fingerprint of its Parsing Canonical Form, as 16 hex digits
    /// (little-endian bytes, as `crate::avro::Fingerprint` prints it).
    pub(crate) fingerprint: String,
    /// The subject's compatibility level, as the registry names it (`BACKWARD`).
    pub(crate) compatibility: String,
    /// The registry's `schemaType` for a schema that is not Avro (`PROTOBUF`, `JSON`), whose
    /// `schema` is then its text as registered and `fingerprint` the Rabin fingerprint of that
    /// text. Absent for Avro, so locks written before are read alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) schema_type: Option<String>,
    /// The schemas it uses (a Protobuf import, a JSON Schema `$ref`), each recorded as a subject
    /// of its own, as the registry's `references` name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) references: Vec<LockedReference>,
}

/// A reference of a recorded schema: the name the schema uses and the subject it resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedReference {
    pub(crate) name: String,
    pub(crate) subject: String,
}

impl LockedSubject {
    /// The recorded schema as the Avro specification spells it, for parsing: the normalized form
    /// writes a field's `order` as Java's enum constant (`ASCENDING`), which Java reads in any
    /// case and the specification (and so Venice's parser) in lower case only. Text that is not
    /// JSON is returned as it is, for the parser to report.
    pub(crate) fn schema_text(&self) -> String {
        fn lower_orders(value: &mut serde_json::Value) {
            match value {
                serde_json::Value::Object(object) => {
                    if let Some(serde_json::Value::Array(fields)) = object.get_mut("fields") {
                        for field in fields.iter_mut() {
                            if let Some(serde_json::Value::String(order)) = field.get_mut("order") {
                                *order = order.to_lowercase();
                            }
                        }
                    }
                    object.values_mut().for_each(lower_orders);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(lower_orders),
                _ => {}
            }
        }
        match serde_json::from_str::<serde_json::Value>(&self.schema) {
            Ok(mut value) => {
                lower_orders(&mut value);
                value.to_string()
            }
            Err(_) => self.schema.clone(),
        }
    }
}

impl Baseline {
    /// A recorded Protobuf subject parsed again, its imports resolved through the subjects its
    /// references name (as recorded too). `None` when it is not recorded as Protobuf; `Err` with
    /// the parser's words when the recorded text does not parse.
    pub(crate) fn protobuf(&self, subject: &str) -> Option<Result<crate::protobuf::Schema, String>> {
        let locked = self.lock.subjects.get(subject).filter(|s| s.schema_type.as_deref() == Some("PROTOBUF"))?;
        let load = |import: &str| {
            let reference = self.reference(subject, import)?;
            let text = self.lock.subjects.get(&reference.subject)?.schema.clone();
            let registered =
                crate::protobuf::Reference { subject: reference.subject.clone(), version: "latest".into() };
            Some(crate::protobuf::Imported { shown: reference.subject.clone(), text, reference: Some(registered) })
        };
        let parsed = crate::protobuf::parse(subject, subject, &locked.schema, &load);
        Some(parsed.map_err(|problems| problems.first().map(|p| p.message.clone()).unwrap_or_default()))
    }

    /// A recorded JSON Schema subject loaded again, with the subjects its references name.
    pub(crate) fn json_schema(&self, subject: &str) -> Option<Result<crate::json_schema::JsonSchema, String>> {
        let locked = self.lock.subjects.get(subject).filter(|s| s.schema_type.as_deref() == Some("JSON"))?;
        let main = crate::json_schema::Document { name: "", file: self.file, text: &locked.schema };
        let mut documents = Vec::new();
        let mut pending: Vec<&LockedReference> = locked.references.iter().collect();
        while let Some(reference) = pending.pop() {
            let Some(target) = self.lock.subjects.get(&reference.subject) else { continue };
            if documents.iter().any(|d: &crate::json_schema::Document| d.name == reference.name) {
                continue;
            }
            documents.push(crate::json_schema::Document {
                name: &reference.name,
                file: self.file,
                text: &target.schema,
            });
            pending.extend(&target.references);
        }
        let loaded = crate::json_schema::parse(main, &documents);
        Some(loaded.map_err(|problems| problems.first().map(|p| p.message.clone()).unwrap_or_default()))
    }

    /// The reference by which a recorded subject, or a subject it references in turn, names
    /// `import`.
    fn reference(&self, subject: &str, import: &str) -> Option<&LockedReference> {
        let mut pending = vec![subject];
        let mut seen = std::collections::BTreeSet::new();
        while let Some(at) = pending.pop() {
            if !seen.insert(at) {
                continue;
            }
            let locked = self.lock.subjects.get(at)?;
            if let Some(found) = locked.references.iter().find(|r| r.name == import) {
                return Some(found);
            }
            pending.extend(locked.references.iter().map(|r| r.subject.as_str()));
        }
        None
    }
}

/// A lock read for checking: its contents and where each entry sits in the lock's text.
#[derive(Debug, Clone)]
pub(crate) struct Baseline {
    pub(crate) lock: Lock,
    pub(crate) file: FileId,
    /// The span of each topic's `partitions` value.
    pub(crate) topic_spans: BTreeMap<String, Span>,
    /// The span of each subject's table.
    pub(crate) subject_spans: BTreeMap<String, Span>,
    /// The span of each `[applied.TARGET.partitions]` value, by target then physical topic.
    pub(crate) applied_spans: BTreeMap<String, BTreeMap<String, Span>>,
    /// Where the baseline came from, for messages: `venice.lock` or `venice.lock at REF`.
    pub(crate) origin: String,
}

/// The same shape, with spans, for reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpannedLock {
    version: toml::Spanned<u32>,
    #[serde(default)]
    topics: BTreeMap<String, SpannedTopic>,
    #[serde(default)]
    subjects: BTreeMap<String, toml::Spanned<LockedSubject>>,
    #[serde(default)]
    applied: BTreeMap<String, Applied>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpannedTopic {
    partitions: toml::Spanned<u32>,
}

/// The targets' recorded partitions with their spans (the rest of `applied` is read above).
#[derive(Deserialize)]
struct AppliedPartitions {
    #[serde(default)]
    applied: BTreeMap<String, PartitionsOf>,
}

#[derive(Deserialize)]
struct PartitionsOf {
    #[serde(default)]
    partitions: BTreeMap<String, toml::Spanned<u32>>,
}

impl Lock {
    /// What `venice build` records for a checked project: each subject of a declared topic whose
    /// key or value is `avro` with a `schema=` (`<topic>-key`, `<topic>-value`), with its
    /// normalized schema, fingerprint and compatibility level (`BACKWARD` when not declared), and
    /// every declared topic's partition count. A `json-sr` or `protobuf` subject is recorded with
    /// its text as registered and its type, and each schema it references under that one's
    /// subject ([`registered`]).
    pub fn from_project(project: &Project, avro: &crate::avro::Catalog, sources: &SourceMap) -> Lock {
        let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
        // Each topic's subjects, on every core (a normalized form and a fingerprint each).
        let subjects_of = |topic: &&crate::model::Topic| {
            let compatibility = topic.compatibility.as_ref().map_or(Compatibility::Backward, |c| c.value);
            let mut subjects = Vec::new();
            for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
                let Some(serde) = serde.as_ref().filter(|s| s.format.value == Format::Avro) else { continue };
                let Some(root) = serde.schema.as_ref().and_then(|name| avro.schema(&name.value)) else {
                    continue;
                };
                let subject = format!("{}-{}", topic.name.value, side.as_str());
                subjects.push((
                    subject,
                    LockedSubject {
                        schema: normalized_form_of(avro, root),
                        fingerprint: Fingerprint::of(avro, root).to_string(),
                        compatibility: compatibility.registry_name().to_string(),
                        schema_type: None,
                        references: Vec::new(),
                    },
                ));
            }
            subjects
        };
        let topics: Vec<&crate::model::Topic> = project.topics.iter().collect();
        const TOPICS_PER_TASK: usize = 64;
        let subjects = crate::parallel::map_on_every_core(&topics, TOPICS_PER_TASK, subjects_of);
        for (topic, subjects) in topics.iter().zip(subjects) {
            lock.topics.insert(topic.name.value.clone(), LockedTopic { partitions: Project::partitions(topic) });
            lock.subjects.extend(subjects);
        }
        for registered in registered(project, sources) {
            let compatibility = registered.compatibility.registry_name().to_string();
            let references = (registered.schema.references.iter())
                .map(|r| LockedReference { name: r.name.value.clone(), subject: r.subject().to_string() })
                .collect();
            let subject = LockedSubject {
                fingerprint: text_fingerprint(&registered.text),
                schema: registered.text,
                compatibility,
                schema_type: Some(registered.schema_type.to_string()),
                references,
            };
            lock.subjects.entry(registered.subject).or_insert(subject);
        }
        lock
    }

    /// The lock `venice apply` writes beside its record: [`Lock::from_project`] of the view it
    /// applied, but with the top-level `topics` as `dir`'s lock has them (none without one) when
    /// the view is a target's: those are the project as declared, `venice build`'s, and a
    /// target's partitions are its own record's ([`Applied::partitions`]).
    pub fn for_apply(project: &Project, avro: &crate::avro::Catalog, sources: &SourceMap, dir: &Path) -> Lock {
        let mut lock = Lock::from_project(project, avro, sources);
        if project.viewed_as.is_some() {
            lock.topics = Lock::read(dir).map(|l| l.topics).unwrap_or_default();
        }
        lock
    }

    /// The lock as TOML, deterministic (sorted tables), with a header saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("the lock serializes");
        format!(
            "# venice.lock: what `venice build` last recorded. Commit it: `venice check` compares the\n\
             # project with it (schema evolution, partition counts). Generated; do not edit.\n{body}"
        )
    }

    /// Writes the lock to `dir/venice.lock` through a temporary file and a rename, so a failed
    /// write never leaves a half-written lock. Unchanged text is not rewritten. The `applied`
    /// section of the lock already there is kept (it is `venice apply`'s; see [`Lock::write_all`]).
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut lock = self.clone();
        // An apply folding its record in at the same moment must not lose it, nor this write.
        let _writing = journal::lock_for_writing(dir)?;
        // A lock without `applied` (and without escapes, which could spell the key another way)
        // has nothing to keep: most do, and reading a large project's lock is not free.
        let nothing_applied = self.applied.is_empty()
            && std::fs::read_to_string(dir.join(LOCK_FILE))
                .is_ok_and(|text| !text.contains("applied") && !text.contains('\\'));
        if !nothing_applied && let Some(old) = Lock::read(dir) {
            lock.applied = old.applied;
        }
        lock.write_all(dir)
    }

    /// The lock in `dir`, when there is one that parses.
    pub fn read(dir: &Path) -> Option<Lock> {
        let text = std::fs::read_to_string(dir.join(LOCK_FILE)).ok()?;
        let mut sources = SourceMap::default();
        let file = sources.add(dir.join(LOCK_FILE), text);
        parse(file, LOCK_FILE.into(), &sources, &mut Vec::new()).map(|b| b.lock)
    }

    /// [`Lock::write`], `applied` section included, as `venice apply` records it.
    pub fn write_all(&self, dir: &Path) -> std::io::Result<()> {
        let text = self.to_toml();
        let path = dir.join(LOCK_FILE);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        crate::fs::write_atomically(&path, text.as_bytes(), false)
    }
}

/// A JSON Schema or Protobuf schema as venice registers it: under a topic's subject, or under a
/// reference's subject for a schema another one uses.
#[derive(Debug, Clone)]
pub(crate) struct Registered<'p> {
    pub(crate) subject: String,
    pub(crate) schema: &'p crate::model::Schema,
    /// `PROTOBUF` or `JSON`.
    pub(crate) schema_type: &'static str,
    pub(crate) text: String,
    pub(crate) compatibility: Compatibility,
}

/// The registry's `schemaType` of a schema kind that is not Avro.
fn non_avro_type(kind: SchemaKind) -> Option<&'static str> {
    match kind {
        SchemaKind::Protobuf => Some("PROTOBUF"),
        SchemaKind::JsonSchema => Some("JSON"),
        SchemaKind::Avro => None,
    }
}

/// Every JSON Schema and Protobuf schema venice registers, each subject once: a declared
/// topic's `json-sr`/`protobuf` key or value with a `schema=` of that kind (its level the
/// topic's), then the schemas they reference, transitively, each under its reference's subject
/// (at the registry's default level, BACKWARD). References come after the subjects that use
/// them here; registration reverses that.
pub(crate) fn registered<'p>(project: &'p Project, sources: &SourceMap) -> Vec<Registered<'p>> {
    fn add<'p>(
        out: &mut Vec<Registered<'p>>,
        sources: &SourceMap,
        subject: String,
        schema: &'p crate::model::Schema,
        compatibility: Compatibility,
    ) {
        let Some(schema_type) = non_avro_type(schema.kind) else { return };
        let Some(text) = schema.text(sources) else { return };
        if !out.iter().any(|r| r.subject == subject) {
            out.push(Registered { subject, schema, schema_type, text: text.text, compatibility });
        }
    }
    let mut out: Vec<Registered> = Vec::new();
    for topic in &project.topics {
        let compatibility = topic.compatibility.as_ref().map_or(Compatibility::Backward, |c| c.value);
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde.as_ref() else { continue };
            let expected = match serde.format.value {
                Format::JsonSr => SchemaKind::JsonSchema,
                Format::Protobuf => SchemaKind::Protobuf,
                _ => continue,
            };
            let Some(schema) = serde.schema.as_ref().and_then(|name| project.schema(&name.value)) else { continue };
            if schema.kind == expected {
                let subject = format!("{}-{}", topic.name.value, side.as_str());
                add(&mut out, sources, subject, schema, compatibility);
            }
        }
    }
    let mut at = 0;
    while at < out.len() {
        let schema = out[at].schema;
        for reference in &schema.references {
            if let Some(target) = project.schema(&reference.schema.value) {
                add(&mut out, sources, reference.subject().to_string(), target, Compatibility::Backward);
            }
        }
        at += 1;
    }
    out
}

/// What is wrong with a baseline, as a fact; `rules` words it (V009).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// venice.lock cannot be read as a lock.
    InvalidLock { message: String },
}

/// Reads the baseline text (already in the source map as `file`). A lock that does not parse is
/// V009, and the check goes on without a baseline.
pub(crate) fn parse(
    file: FileId,
    origin: String,
    sources: &SourceMap,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Option<Baseline> {
    parse_text(file, &sources.get(file).text, origin, diagnostics)
}

/// [`parse`] of the text of `file`, given apart from the source map (so a check can parse the
/// baseline on another core while the front end adds to the map).
pub(crate) fn parse_text(
    file: FileId,
    text: &str,
    origin: String,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Option<Baseline> {
    let invalid = |message: String, span: Option<std::ops::Range<usize>>| {
        let span = span.map_or(Span::file_start(file), |r| Span::new(file, r.start, r.end));
        (Problem::InvalidLock { message }, span)
    };
    let spanned: SpannedLock = match toml::from_str(text) {
        Ok(lock) => lock,
        Err(error) => {
            diagnostics.push(invalid(error.message().to_string(), error.span()));
            return None;
        }
    };
    if *spanned.version.get_ref() != LOCK_VERSION {
        let message =
            format!("version {} is not {LOCK_VERSION}, the version this venice reads", spanned.version.get_ref());
        diagnostics.push(invalid(message, Some(spanned.version.span())));
        return None;
    }
    let span_of = |range: std::ops::Range<usize>| Span::new(file, range.start, range.end);
    let topic_spans = spanned.topics.iter().map(|(name, t)| (name.clone(), span_of(t.partitions.span()))).collect();
    let subject_spans = spanned.subjects.iter().map(|(name, s)| (name.clone(), span_of(s.span()))).collect();
    // Read a second time for the spans of the targets' partitions, only when a target has any.
    let applied_spans = match spanned.applied.values().any(|a| !a.partitions.is_empty()) {
        true => toml::from_str::<AppliedPartitions>(text).map(|a| a.applied).unwrap_or_default(),
        false => BTreeMap::new(),
    };
    let applied_spans = (applied_spans.into_iter())
        .map(|(target, of)| {
            let spans = of.partitions.iter().map(|(topic, p)| (topic.clone(), span_of(p.span()))).collect();
            (target, spans)
        })
        .collect();
    let lock = Lock {
        version: LOCK_VERSION,
        topics: spanned
            .topics
            .into_iter()
            .map(|(n, t)| (n, LockedTopic { partitions: t.partitions.into_inner() }))
            .collect(),
        subjects: spanned.subjects.into_iter().map(|(n, s)| (n, s.into_inner())).collect(),
        applied: spanned.applied,
    };
    Some(Baseline { lock, file, topic_spans, subject_spans, applied_spans, origin })
}

/// Reads `venice.lock` from the project folder into the source map, if there is one.
pub(crate) fn load_working_tree(dir: &Path, sources: &mut SourceMap) -> Option<(FileId, String)> {
    let path = dir.join(LOCK_FILE);
    let bytes = std::fs::read(&path).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some((sources.add(path, text), LOCK_FILE.to_string()))
}

/// Reads `venice.lock` as committed at a git revision (`--against REF`) into the source map.
/// `Err` when the revision or its lock cannot be read: the command cannot run.
pub(crate) fn load_revision(dir: &Path, revision: &str, sources: &mut SourceMap) -> Result<(FileId, String), String> {
    let text = git_show(dir, revision)?;
    // Shown as `venice.lock@REF`, so spans into it are not mistaken for the working copy.
    let shown = dir.join(format!("{LOCK_FILE}@{revision}"));
    Ok((sources.add(shown, text), format!("{LOCK_FILE} at {revision}")))
}

/// `git show REF:./venice.lock`, run in the project folder.
fn git_show(dir: &Path, revision: &str) -> Result<String, String> {
    let spec = format!("{revision}:./{LOCK_FILE}");
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &spec])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr).trim().replace("fatal: ", "");
        return Err(format!("cannot read `{LOCK_FILE}` at `{revision}`: {reason}"));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{LOCK_FILE}` at `{revision}` is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lock written as TOML and parsed back: the same lock, without a diagnostic; and the
    /// text.
    fn read_back(lock: &Lock) -> (Baseline, String) {
        let text = lock.to_toml();
        let mut sources = SourceMap::default();
        let file = sources.add("venice.lock".into(), text.clone());
        let mut diagnostics = Vec::new();
        let baseline = parse(file, LOCK_FILE.into(), &sources, &mut diagnostics).expect("parses");
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(&baseline.lock, lock);
        (baseline, text)
    }

    #[test]
    fn a_lock_round_trips_through_toml_with_spans() {
        let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
        lock.topics.insert("orders".into(), LockedTopic { partitions: 6 });
        lock.subjects.insert(
            "orders-value".into(),
            LockedSubject {
                schema: "\"string\"".into(),
                fingerprint: "8f5c393f1ad57572".into(),
                compatibility: "BACKWARD".into(),
                schema_type: None,
                references: Vec::new(),
            },
        );
        let (baseline, text) = read_back(&lock);
        let span = baseline.topic_spans["orders"];
        assert_eq!(&text[span.start..span.end], "6");
    }

    #[test]
    fn a_lock_made_from_a_project_records_its_avro_subjects_and_partitions_and_round_trips() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let kdl = r##"project p
schema Order avro=#"{"type": "record", "name": "shop.Order", "fields": [{"name": "id", "type": "string"}, {"name": "note", "type": ["null", "string"], "default": null, "aliases": ["memo"]}]}"#
schema Id avro=#""string""#
topic orders partitions=3 {
    key avro schema=Id
    value avro schema=Order
    compatibility full-transitive
}
topic clicks {
    key string
    value json
}
"##;
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        let lock = Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources);
        assert_eq!(lock.topics["orders"], LockedTopic { partitions: 3 });
        assert_eq!(lock.topics["clicks"], LockedTopic { partitions: 1 });
        assert_eq!(lock.subjects.keys().collect::<Vec<_>>(), ["orders-key", "orders-value"]);
        let value = &lock.subjects["orders-value"];
        assert_eq!(value.compatibility, "FULL_TRANSITIVE");
        // The normalized form keeps what the Parsing Canonical Form strips.
        assert!(value.schema.contains(r#""default":null"#) && value.schema.contains(r#""aliases":["memo"]"#));
        assert_eq!(value.fingerprint.len(), 16);
        assert_eq!(lock.subjects["orders-key"].schema, r#""string""#);
        // The recorded text parses back to a schema with the same fingerprint.
        let mut problems = Vec::new();
        let text = crate::model::SourceText::from_file(FileId(9), value.schema_text());
        let recorded = crate::avro::Catalog::from_texts(vec![("v".into(), text)], &mut problems);
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(Fingerprint::of(&recorded, recorded.schema("v").unwrap()).to_string(), value.fingerprint);
        read_back(&lock);
    }

    #[test]
    fn protobuf_and_json_schema_subjects_round_trip_with_their_references_and_parse_back() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let money = "syntax = \"proto3\";\npackage m;\nmessage Money { int64 cents = 1; }\n";
        let payment =
            "syntax = \"proto3\";\npackage p;\nimport \"money.proto\";\nmessage Payment { m.Money amount = 1; }\n";
        let review = r#"{"type": "object", "properties": {"stars": {"$ref": "stars.json"}}}"#;
        for (name, text) in [
            ("money.proto", money),
            ("payment.proto", payment),
            ("review.json", review),
            ("stars.json", r#"{"type": "integer"}"#),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let kdl = r#"project p
schema Money path="money.proto"
schema Payment path="payment.proto" { reference "money.proto" schema=Money; }
schema Stars path="stars.json"
schema Review path="review.json" { reference "stars.json" schema=Stars subject=stars; }
topic payments { key string; value protobuf schema=Payment; compatibility full; }
topic reviews { key string; value json-sr schema=Review; }
"#;
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        let lock = Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources);
        let subjects: Vec<&str> = lock.subjects.keys().map(String::as_str).collect();
        assert_eq!(subjects, ["money.proto", "payments-value", "reviews-value", "stars"]);
        let value = &lock.subjects["payments-value"];
        assert_eq!((value.schema_type.as_deref(), value.compatibility.as_str()), (Some("PROTOBUF"), "FULL"));
        assert_eq!(value.schema, payment);
        assert_eq!(value.references, [LockedReference { name: "money.proto".into(), subject: "money.proto".into() }]);
        assert_eq!(lock.subjects["stars"].schema_type.as_deref(), Some("JSON"));
        let (baseline, _) = read_back(&lock);
        // Each recorded schema parses again with what its references name, as recorded.
        let recorded = baseline.protobuf("payments-value").expect("Protobuf").expect("parses");
        assert_eq!(recorded.messages()[0].0, "p.Payment");
        assert!(baseline.json_schema("reviews-value").expect("JSON Schema").is_ok());
        assert!(baseline.protobuf("reviews-value").is_none(), "not recorded as Protobuf");
    }

    #[test]
    fn a_targets_partitions_are_recorded_for_the_topics_it_made_and_read_with_their_spans() {
        let mut applied = Applied { topics: ["p.orders".to_string(), "p.audit".into()].into(), ..Applied::default() };
        applied.partitions.insert("p.gone".into(), 3);
        let (orders, audit, other) = ("p.orders".to_string(), "p.audit".to_string(), "elsewhere".to_string());
        applied.record_partitions([(&orders, 12), (&audit, 1), (&other, 5)]);
        assert_eq!(applied.partitions, BTreeMap::from([(audit, 1), (orders, 12)]), "made topics only");
        let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
        lock.topics.insert("orders".into(), LockedTopic { partitions: 6 });
        lock.applied.insert("prod".into(), applied);
        let (baseline, text) = read_back(&lock);
        let span = baseline.applied_spans["prod"]["p.orders"];
        assert_eq!(&text[span.start..span.end], "12");
        // A lock written before targets recorded partitions reads as before.
        let old = "version = 1\n[topics.orders]\npartitions = 6\n[applied.prod]\ntopics = [\"orders\"]\n";
        let mut sources = SourceMap::default();
        let file = sources.add("venice.lock".into(), old.into());
        let baseline = parse(file, LOCK_FILE.into(), &sources, &mut Vec::new()).expect("parses");
        assert!(baseline.lock.applied["prod"].partitions.is_empty() && baseline.applied_spans.is_empty());
    }

    #[test]
    fn a_broken_lock_is_a_diagnostic_not_a_failure() {
        for text in [
            "version = 1\n[topics.orders]\npartitions = \"six\"\n",
            "version = 2\n",
            "nonsense = [",
            "version = 1\nextra = 3\n",
        ] {
            let mut sources = SourceMap::default();
            let file = sources.add("venice.lock".into(), text.into());
            let mut diagnostics = Vec::new();
            assert!(parse(file, LOCK_FILE.into(), &sources, &mut diagnostics).is_none(), "{text}");
            assert!(matches!(diagnostics.as_slice(), [(Problem::InvalidLock { .. }, _)]), "{text}");
        }
    }
}
