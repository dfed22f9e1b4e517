//! The cluster as declarations: a [`Snapshot`] and what the project already declares in,
//! the nodes and files to add and what was left out, out. Pure: the tests feed it snapshots.

use super::connectors::{self, Mapped};
use super::ksql;
use super::node::{Decl, s};
use super::snapshot::{Snapshot, Subject, Topic};
use crate::deploy::kafka::DYNAMIC_TOPIC_CONFIG;
use crate::model::{Compatibility, Format};
use kdl::KdlValue;
use std::collections::{BTreeMap, BTreeSet};

/// What the project declares already (never touched) and the files it has.
#[derive(Debug, Clone, Default)]
pub(crate) struct Existing {
    pub(crate) topics: BTreeSet<String>,
    pub(crate) subjects: BTreeSet<String>,
    pub(crate) schemas: BTreeSet<String>,
    pub(crate) connectors: BTreeSet<String>,
    pub(crate) databases: BTreeSet<String>,
    /// `(group, topic)` of each declared consumer, and the consumers' names.
    pub(crate) consumers: BTreeSet<(String, String)>,
    pub(crate) consumer_names: BTreeSet<String>,
    pub(crate) transforms: BTreeSet<String>,
    /// The streams and tables the project's ksqlDB creates, upper case.
    pub(crate) ksql: BTreeSet<String>,
    /// Paths, relative to the project, of the files that exist.
    pub(crate) files: BTreeSet<String>,
}

/// `--include` and `--exclude`: a name is imported when some include matches it (or none is
/// given) and no exclude does.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub(crate) include: Vec<regex::Regex>,
    pub(crate) exclude: Vec<regex::Regex>,
}

impl Filter {
    pub(crate) fn keeps(&self, name: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.is_match(name)))
            && !self.exclude.iter().any(|r| r.is_match(name))
    }
}

/// What to add.
#[derive(Debug, Clone, Default)]
pub(crate) struct Imported {
    pub(crate) decls: Vec<Decl>,
    /// Connectors, settled against what venice renders for them before they are written.
    pub(crate) connectors: Vec<(String, Mapped)>,
    pub(crate) files: Vec<(String, String)>,
    pub(crate) added: Vec<String>,
    pub(crate) left_out: Vec<String>,
}

/// The compatibility level venice sets when a topic names none.
const VENICE_DEFAULT_LEVEL: Compatibility = Compatibility::Backward;

/// The cluster's declarations that the project does not have.
pub(crate) fn map(snapshot: &Snapshot, existing: &Existing, filter: &Filter) -> Imported {
    let mut m = Mapper { snapshot, existing, filter, out: Imported::default(), taken: existing.clone(), skipped: 0 };
    let ksql_topics = m.ksql_written_topics();
    for (name, topic) in &snapshot.topics {
        if let Some(why) = crate::deploy::plan::internal_topic(name) {
            m.out.left_out.push(format!("topic `{name}`: {why}"));
        } else if existing.topics.contains(name) {
            continue;
        } else if !filter.keeps(name) {
            m.skipped += 1;
        } else if let Some(query) = ksql_topics.get(name) {
            m.out.left_out.push(format!("topic `{name}`: ksqlDB's `{query}` writes it (its transform declares it)"));
        } else {
            m.topic(name, topic);
        }
    }
    m.orphan_subjects();
    m.consumers();
    m.connectors();
    m.ksql();
    if m.skipped > 0 {
        let n = m.skipped;
        m.out.left_out.push(format!(
            "{n} topics, subjects, groups, connectors and ksqlDB objects not matched by --include/--exclude"
        ));
    }
    m.out
}

struct Mapper<'a> {
    snapshot: &'a Snapshot,
    existing: &'a Existing,
    filter: &'a Filter,
    out: Imported,
    /// The names and files taken so far: the project's and the ones imported.
    taken: Existing,
    /// How many objects the filter left out.
    skipped: usize,
}

/// A path `dir/stem.ext` not taken, with `-2`, `-3`, ... before the extension when it is.
fn free_path(taken: &mut BTreeSet<String>, dir: &str, stem: &str, ext: &str) -> String {
    let mut path = format!("{dir}/{stem}.{ext}");
    let mut n = 2;
    while taken.contains(&path) {
        path = format!("{dir}/{stem}-{n}.{ext}");
        n += 1;
    }
    taken.insert(path.clone());
    path
}

/// A name not taken, with `-2`, `-3`, ... when it is.
fn free_name(taken: &mut BTreeSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// The format one side's records and subject agree on, or why none can be told.
pub(crate) fn side_format(samples: &[Option<Format>], subject: Option<Format>) -> Result<Format, String> {
    if samples.contains(&None) {
        return Err("some sampled records cannot be told apart (registry framing with an id the registry does not have, or Avro its schema does not decode)".into());
    }
    let mut formats: BTreeSet<Format> = samples.iter().flatten().copied().collect();
    formats.extend(subject);
    let mut listed: Vec<&str> = formats.iter().map(|f| f.as_str()).collect();
    match listed.len() {
        1 => Ok(*formats.first().expect("one")),
        0 => Err("no records to sample and no subject".into()),
        _ => {
            listed.sort_unstable();
            Err(format!("the records and subject disagree: {}", listed.join(", ")))
        }
    }
}

/// What `check` does with an imported JSON Schema or Protobuf schema (Avro's checks need no
/// word): the registry's own parsing and diffs, as for the subject on the cluster.
fn checked_in_depth(format: Format) -> String {
    let kind = if format == Format::Protobuf { "Protobuf" } else { "JSON Schema" };
    format!(
        "venice checks this {kind} schema as the registry does: parsed (V201), each change against venice.lock by the registry's own diff at the topic's compatibility (V202), each reader's schema against the writers' (V203)"
    )
}

/// The registry's `schemaType` as a format, with the schema file's extension.
fn subject_format(subject: &Subject) -> (Format, &'static str) {
    match subject.latest.schema_type.as_str() {
        "JSON" => (Format::JsonSr, "json"),
        "PROTOBUF" => (Format::Protobuf, "proto"),
        _ => (Format::Avro, "avsc"),
    }
}

/// A topic's retention as venice writes it: `forever`, whole days, hours, minutes or seconds.
pub(crate) fn retention(ms: &str) -> Option<String> {
    let ms: i64 = ms.parse().ok()?;
    if ms < 0 {
        return Some("forever".into());
    }
    if ms == 0 || ms % 1000 != 0 {
        return None;
    }
    let seconds = ms / 1000;
    let (n, unit) = [(86_400, 'd'), (3600, 'h'), (60, 'm'), (1, 's')]
        .into_iter()
        .find(|(size, _)| seconds % size == 0)
        .map(|(size, unit)| (seconds / size, unit))
        .expect("seconds divide by 1");
    Some(format!("{n}{unit}"))
}

/// The topic's settings against venice's defaults (`cleanup delete`, `retention forever`) and the
/// broker's (any other setting made on the topic itself).
pub(crate) fn topic_settings(configs: &BTreeMap<String, crate::deploy::kafka::ConfigEntry>) -> Vec<Decl> {
    let mut out = Vec::new();
    let value = |key: &str| configs.get(key).and_then(|e| e.value.clone());
    let cleanup = value("cleanup.policy").map(|p| {
        let mut parts: Vec<&str> = p.split(',').map(str::trim).collect();
        parts.sort_unstable();
        parts.join(",")
    });
    match cleanup.as_deref() {
        None | Some("delete") => {}
        Some(policy @ ("compact" | "compact,delete")) => out.push(Decl::new("cleanup").arg(s(policy))),
        Some(other) => out.push(Decl::new("config").arg(s("cleanup.policy")).arg(s(other))),
    }
    match value("retention.ms") {
        Some(ms) if ms == "-1" => {}
        Some(ms) => match retention(&ms) {
            Some(duration) => out.push(Decl::new("retention").arg(s(duration))),
            None => out.push(Decl::new("config").arg(s("retention.ms")).arg(s(ms))),
        },
        None => {}
    }
    for (key, entry) in configs {
        if entry.source == DYNAMIC_TOPIC_CONFIG
            && !entry.sensitive
            && !matches!(key.as_str(), "cleanup.policy" | "retention.ms")
            && let Some(v) = &entry.value
        {
            out.push(Decl::new("config").arg(s(key.as_str())).arg(s(v.as_str())));
        }
    }
    out
}

impl Mapper<'_> {
    /// The topics ksqlDB's queries write, with the stream or table that does.
    fn ksql_written_topics(&self) -> BTreeMap<String, String> {
        let query = regex::Regex::new(r"(?is)\bAS\s+SELECT\b").expect("a valid regex");
        self.snapshot
            .ksql
            .iter()
            .filter(|s| query.is_match(&s.statement))
            .map(|s| (s.topic.clone(), s.name.clone()))
            .collect()
    }

    fn topic(&mut self, name: &str, topic: &Topic) {
        let mut decl = Decl::new("topic")
            .arg(s(name))
            .prop("partitions", KdlValue::Integer(topic.partitions.into()))
            .prop("replication", KdlValue::Integer(topic.replication.into()));
        let plural = if topic.partitions == 1 { "" } else { "s" };
        let mut said = vec![format!("{} partition{plural}, replication {}", topic.partitions, topic.replication)];
        let mut levels = BTreeSet::new();
        for (side, samples) in [("key", &topic.keys), ("value", &topic.values)] {
            let subject_name = format!("{name}-{side}");
            let subject = self.snapshot.subjects.get(&subject_name);
            let format = side_format(samples, subject.map(|s| subject_format(s).0));
            match format {
                Ok(format) => {
                    let mut serde = Decl::new(if side == "key" { "key" } else { "value" }).arg(s(format.as_str()));
                    let mut what = format!("{side} {format}");
                    if let Some(subject) = subject {
                        levels.insert(subject.compatibility.clone());
                        if let Some(schema) = self.schema(&subject_name, subject) {
                            serde = serde.prop("schema", s(schema.clone()));
                            what.push_str(&format!(" (schema `{schema}`)"));
                        }
                    }
                    decl = decl.child(serde);
                    said.push(what);
                }
                Err(why) => {
                    decl = decl.comment(format!(
                        "The {side} format is not declared: {why}. `venice check` reports it (V109)."
                    ));
                    said.push(format!("{side} format unknown"));
                }
            }
        }
        let mut parsed: Vec<Compatibility> = levels.iter().filter_map(|l| Compatibility::parse(l)).collect();
        parsed.dedup();
        match parsed[..] {
            [level] if level != VENICE_DEFAULT_LEVEL => {
                let word = level.registry_name().to_ascii_lowercase().replace('_', "-");
                decl = decl.child(Decl::new("compatibility").arg(s(word.clone())));
                said.push(format!("compatibility {word}"));
            }
            [_, _, ..] => {
                decl = decl.comment(format!(
                    "Its key and value subjects have different compatibility levels ({}); venice sets one per topic.",
                    levels.into_iter().collect::<Vec<_>>().join(", ")
                ));
            }
            _ => {}
        }
        for setting in topic_settings(&topic.configs) {
            said.push(format!(
                "{} {}",
                setting.name,
                setting.args.iter().filter_map(|a| a.as_string()).collect::<Vec<_>>().join(" ")
            ));
            decl = decl.child(setting);
        }
        self.taken.topics.insert(name.to_string());
        self.out.added.push(format!("topic `{name}`: {}", said.join(", ")));
        self.out.decls.push(decl);
    }

    /// A subject's latest schema as a file and a `schema` node; its name, or None when it
    /// cannot be imported (it refers to other subjects).
    fn schema(&mut self, subject_name: &str, subject: &Subject) -> Option<String> {
        self.taken.subjects.insert(subject_name.to_string());
        if subject.latest.has_references {
            self.out.left_out.push(format!(
                "the schema of subject `{subject_name}`: it refers to other subjects, which venice does not import yet (the topic is declared without `schema=`)"
            ));
            return None;
        }
        let (format, ext) = subject_format(subject);
        let parsed: Option<serde_json::Value> = serde_json::from_str(&subject.latest.schema).ok();
        let record_name = parsed
            .as_ref()
            .filter(|_| format == Format::Avro)
            .and_then(|v| v["name"].as_str())
            .map(|n| n.rsplit('.').next().unwrap_or(n).to_string());
        let wanted =
            record_name.filter(|n| !self.taken.schemas.contains(n)).unwrap_or_else(|| subject_name.to_string());
        let name = free_name(&mut self.taken.schemas, &wanted);
        let path = free_path(&mut self.taken.files, "schema", subject_name, ext);
        let text = match (&parsed, format) {
            (Some(json), Format::Avro | Format::JsonSr) => {
                format!("{}\n", serde_json::to_string_pretty(json).unwrap_or_else(|_| subject.latest.schema.clone()))
            }
            _ => format!("{}\n", subject.latest.schema.trim_end()),
        };
        let mut decl = Decl::new("schema").arg(s(name.clone())).prop("path", s(path.clone()));
        if format != Format::Avro {
            decl = decl.comment(checked_in_depth(format));
        }
        self.out.decls.push(decl);
        self.out.files.push((path.clone(), text));
        self.out.added.push(format!(
            "schema `{name}`: version {} of subject `{subject_name}`, in {path}",
            subject.latest.version
        ));
        Some(name)
    }

    /// Subjects that no imported or declared topic names (not TopicNameStrategy's).
    fn orphan_subjects(&mut self) {
        for name in self.snapshot.subjects.keys() {
            let topic = name.strip_suffix("-key").or_else(|| name.strip_suffix("-value"));
            let known = topic.is_some_and(|t| self.taken.topics.contains(t) || self.snapshot.topics.contains_key(t));
            if self.taken.subjects.contains(name) || self.existing.subjects.contains(name) || known {
                continue;
            }
            if !self.filter.keeps(name) {
                self.skipped += 1;
            } else {
                self.out.left_out.push(format!(
                    "subject `{name}`: not `<topic>-key` or `<topic>-value` of a topic the cluster has (venice declares subjects through topics)"
                ));
            }
        }
    }

    fn consumers(&mut self) {
        for (group, state) in &self.snapshot.groups {
            let topics: Vec<&String> = state.committed.keys().filter(|t| self.taken.topics.contains(*t)).collect();
            if topics.is_empty() && !self.filter.keeps(group) {
                self.skipped += 1;
                continue;
            }
            if let Some(why) = self.group_owner(group, &state.protocol_type) {
                self.out.left_out.push(format!("consumer group `{group}`: {why}"));
                continue;
            }
            for topic in &topics {
                if self.existing.consumers.contains(&(group.clone(), (*topic).clone())) {
                    continue;
                }
                let wanted = if topics.len() == 1 { group.clone() } else { format!("{group}-{topic}") };
                let name = free_name(&mut self.taken.consumer_names, &wanted);
                self.out.decls.push(
                    Decl::new("consumer")
                        .arg(s(name.clone()))
                        .prop("topic", s(topic.as_str()))
                        .prop("group", s(group.as_str())),
                );
                self.out.added.push(format!("consumer `{name}`: group `{group}` has committed offsets on `{topic}`"));
            }
        }
    }

    /// Why a group is not an app of its own: a Connect worker's, a sink connector's, ksqlDB's.
    fn group_owner(&self, group: &str, protocol: &str) -> Option<String> {
        if protocol == "connect" {
            return Some("Kafka Connect's workers".into());
        }
        if let Some(connector) = group.strip_prefix("connect-")
            && self.snapshot.connectors.contains_key(connector)
        {
            return Some(format!("sink connector `{connector}`'s"));
        }
        if group.starts_with("_confluent-ksql-") {
            return Some("a ksqlDB query's".into());
        }
        None
    }

    fn connectors(&mut self) {
        for (name, deployed) in &self.snapshot.connectors {
            if self.existing.connectors.contains(name) {
                continue;
            }
            if !self.filter.keeps(name) {
                self.skipped += 1;
                continue;
            }
            match connectors::map(name, deployed, &self.taken.databases) {
                Ok(mapped) => {
                    if let Some(missing) = mapped.topics.iter().find(|t| !self.taken.topics.contains(*t)) {
                        self.out.left_out.push(format!("connector `{name}`: its topic `{missing}` is not imported"));
                        continue;
                    }
                    if let Some(database) = &mapped.database {
                        self.taken.databases.insert(database.first());
                    }
                    self.out.connectors.push((name.clone(), mapped));
                }
                Err(why) => self.out.left_out.push(format!("connector `{name}`: {why}")),
            }
        }
    }

    fn ksql(&mut self) {
        let mut number = 1;
        let mut written = BTreeSet::new();
        for source in ksql::order(&self.snapshot.ksql) {
            if self.existing.ksql.contains(&source.name.to_uppercase()) {
                continue;
            }
            if source.name.to_uppercase().ends_with("KSQL_PROCESSING_LOG") {
                self.out.left_out.push(format!("ksqlDB stream `{}`: ksqlDB's processing log", source.name));
                continue;
            }
            if !self.filter.keeps(&source.name) {
                self.skipped += 1;
                continue;
            }
            self.transform(&mut number, &source.name, &source.statement);
            written.insert(source.name.clone());
        }
        for insert in &self.snapshot.inserts {
            if written.contains(&insert.sink) {
                self.transform(&mut number, &format!("insert {}", insert.id), &insert.statement);
            } else {
                self.out
                    .left_out
                    .push(format!("ksqlDB query `{}`: it writes `{}`, which is not imported", insert.id, insert.sink));
            }
        }
    }

    fn transform(&mut self, number: &mut usize, name: &str, statement: &str) {
        let slug = ksql::slug(name);
        let path = loop {
            let candidate = format!("ksql/{number:02}_{slug}.sql");
            *number += 1;
            if self.taken.files.insert(candidate.clone()) {
                break candidate;
            }
        };
        let transform = free_name(&mut self.taken.transforms, &slug.replace('_', "-"));
        self.out.files.push((path.clone(), ksql::file_text(statement)));
        self.out.decls.push(Decl::new("transform").arg(s(transform.clone())).prop("path", s(path.clone())));
        self.out.added.push(format!("transform `{transform}`: ksqlDB's `{name}`, in {path}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::kafka::{ConfigEntry, Group};
    use crate::deploy::registry::Version;
    use crate::import::node::render;

    fn entry(value: &str, source: i8) -> ConfigEntry {
        ConfigEntry { value: Some(value.into()), source, sensitive: false }
    }

    fn avro_subject(schema: &str, level: &str) -> Subject {
        Subject {
            latest: Version {
                version: 1,
                id: 1,
                schema: schema.into(),
                schema_type: "AVRO".into(),
                has_references: false,
            },
            compatibility: level.into(),
        }
    }

    #[test]
    fn configs_are_compared_with_venices_defaults_and_the_brokers() {
        let configs = BTreeMap::from([
            ("cleanup.policy".to_string(), entry("delete,compact", 1)),
            ("retention.ms".to_string(), entry("604800000", 5)),
            ("segment.bytes".to_string(), entry("1073741824", 5)),
            ("min.insync.replicas".to_string(), entry("2", DYNAMIC_TOPIC_CONFIG)),
        ]);
        assert_eq!(
            render(&topic_settings(&configs)),
            "cleanup compact,delete\nretention \"7d\"\nconfig min.insync.replicas \"2\"\n"
        );
        let forever = BTreeMap::from([("retention.ms".to_string(), entry("-1", 1))]);
        assert!(topic_settings(&forever).is_empty());
        assert_eq!(retention("90000").as_deref(), Some("90s"));
        assert_eq!(retention("3600000").as_deref(), Some("1h"));
        assert_eq!(retention("1500"), None);
    }

    #[test]
    fn formats_come_from_subjects_and_records_and_disagreement_is_said() {
        assert_eq!(side_format(&[Some(Format::String); 3], None), Ok(Format::String));
        assert_eq!(side_format(&[Some(Format::Avro)], Some(Format::Avro)), Ok(Format::Avro));
        assert_eq!(side_format(&[], Some(Format::Avro)), Ok(Format::Avro));
        assert_eq!(
            side_format(&[Some(Format::String), Some(Format::Json)], None).unwrap_err(),
            "the records and subject disagree: json, string"
        );
        assert!(side_format(&[], None).unwrap_err().contains("no records"));
        assert!(side_format(&[None], None).unwrap_err().contains("cannot be told"));
    }

    #[test]
    fn a_cluster_becomes_declarations_and_what_is_left_out_says_why() {
        let order = r#"{"type":"record","name":"com.shop.Order","fields":[{"name":"id","type":"string"}]}"#;
        let mut snapshot = Snapshot::default();
        snapshot.topics.insert(
            "orders".into(),
            Topic {
                partitions: 3,
                replication: 1,
                configs: BTreeMap::from([("retention.ms".to_string(), entry("-1", 1))]),
                keys: vec![Some(Format::String); 2],
                values: vec![Some(Format::Avro); 2],
            },
        );
        snapshot.topics.insert("__consumer_offsets".into(), Topic::default());
        snapshot.topics.insert("venice-connect-offsets".into(), Topic::default());
        snapshot.topics.insert("other".into(), Topic::default());
        snapshot.topics.insert("declared".into(), Topic::default());
        snapshot.subjects.insert("orders-value".into(), avro_subject(order, "FULL"));
        snapshot.subjects.insert("stray".into(), avro_subject(order, "BACKWARD"));
        snapshot.groups.insert(
            "billing".into(),
            Group { protocol_type: "consumer".into(), committed: BTreeMap::from([("orders".to_string(), vec![0])]) },
        );
        snapshot.groups.insert("venice-connect".into(), Group { protocol_type: "connect".into(), ..Group::default() });
        let existing = Existing {
            topics: BTreeSet::from(["declared".to_string()]),
            files: BTreeSet::from(["schema/orders-value.avsc".to_string()]),
            ..Existing::default()
        };
        let filter = Filter { include: vec![regex::Regex::new("^(orders|declared)$").unwrap()], exclude: Vec::new() };
        let imported = map(&snapshot, &existing, &filter);
        assert_eq!(
            render(&imported.decls),
            "schema Order path=\"schema/orders-value-2.avsc\"\n\n\
             topic orders partitions=3 replication=1 {\n    key string\n    value avro schema=Order\n    compatibility full\n}\n\n\
             consumer billing topic=orders group=billing\n"
        );
        assert_eq!(imported.files[0].0, "schema/orders-value-2.avsc");
        assert!(imported.files[0].1.contains("\"name\": \"com.shop.Order\""));
        assert_eq!(
            imported.left_out,
            [
                "topic `__consumer_offsets`: internal to Kafka (`__`)",
                "topic `venice-connect-offsets`: Kafka Connect's storage (offsets, configs or status)",
                "3 topics, subjects, groups, connectors and ksqlDB objects not matched by --include/--exclude",
            ]
        );
    }

    #[test]
    fn json_schema_and_protobuf_subjects_say_they_are_checked_in_depth() {
        let mut snapshot = Snapshot::default();
        for (topic, schema_type, schema) in [
            ("visits", "PROTOBUF", "syntax = \"proto3\";\nmessage Visit { string page = 1; }"),
            ("reviews", "JSON", r#"{"type":"object","properties":{"stars":{"type":"integer"}}}"#),
        ] {
            snapshot.topics.insert(topic.into(), Topic { partitions: 1, replication: 1, ..Topic::default() });
            let mut subject = avro_subject(schema, "BACKWARD");
            subject.latest.schema_type = schema_type.into();
            snapshot.subjects.insert(format!("{topic}-value"), subject);
        }
        let imported = map(&snapshot, &Existing::default(), &Filter::default());
        let rendered = render(&imported.decls);
        for kind in ["Protobuf", "JSON Schema"] {
            assert!(rendered.contains(&format!("venice checks this {kind} schema as the registry does")), "{rendered}");
        }
        assert!(!rendered.contains("shallowly"), "{rendered}");
    }

    #[test]
    fn ksqldb_objects_become_transforms_in_dependency_order() {
        use crate::import::snapshot::{KsqlInsert, KsqlSource};
        let mut snapshot = Snapshot::default();
        let source = |name: &str, statement: &str, reads: &[&str]| KsqlSource {
            name: name.into(),
            topic: name.to_lowercase(),
            statement: statement.into(),
            reads: reads.iter().map(|r| r.to_string()).collect(),
        };
        snapshot.ksql = vec![
            source(
                "PLATINUM",
                "CREATE STREAM PLATINUM AS SELECT * FROM ORDERS WHERE TIER = 'P' EMIT CHANGES;",
                &["ORDERS"],
            ),
            source(
                "ORDERS",
                "CREATE STREAM ORDERS (ID STRING KEY) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='AVRO');",
                &[],
            ),
            source("KSQL_PROCESSING_LOG", "CREATE STREAM KSQL_PROCESSING_LOG ...", &[]),
        ];
        snapshot.inserts = vec![KsqlInsert {
            id: "INSERTQUERY_3".into(),
            statement: "INSERT INTO PLATINUM SELECT * FROM ORDERS;".into(),
            sink: "PLATINUM".into(),
        }];
        snapshot.topics.insert("platinum".into(), Topic::default());
        let imported = map(&snapshot, &Existing::default(), &Filter::default());
        assert_eq!(
            render(&imported.decls),
            "transform orders path=\"ksql/01_orders.sql\"\ntransform platinum path=\"ksql/02_platinum.sql\"\n\
             transform insert-insertquery-3 path=\"ksql/03_insert_insertquery_3.sql\"\n"
        );
        assert!(
            imported
                .left_out
                .contains(&"topic `platinum`: ksqlDB's `PLATINUM` writes it (its transform declares it)".to_string())
        );
        assert!(
            imported.left_out.contains(&"ksqlDB stream `KSQL_PROCESSING_LOG`: ksqlDB's processing log".to_string())
        );
    }
}
