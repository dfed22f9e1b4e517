//! `venice doctor`: what runs on a target checked against what the project declares.
//!
//! - Topics: the last [`SAMPLE`] records of each partition of every declared topic are decoded
//!   by the declared serdes (`ops::decode`); every kind of mismatch is reported once per topic
//!   and side, with how many sampled records show it, and the code of the static check that
//!   catches the same mistake in venice.kdl ([`code`]). Avro records that decode are also
//!   checked against the project's `schema=`: a registry schema the declared one cannot read is
//!   V203 (the resolution rules of `avro::compat`). A declared topic missing from the cluster is
//!   a problem too.
//! - Connectors: each declared connector missing from Kafka Connect, or not `RUNNING`, or with
//!   a task not `RUNNING` (`GET /connectors?expand=status&expand=info`, through
//!   `ops::connectors`), with the root cause of a failure.
//! - ksqlDB: each persistent query not `RUNNING` (`SHOW QUERIES;` over `/ksql`; a query's
//!   `state`, and its `statusCount` across servers), when the project has ksqlDB streams,
//!   tables or transforms and the target names a ksqlDB.
//!
//! A service that does not answer means doctor could not run (exit 2); a problem found, exit 1.

use super::decode::{Decoder, Expect, Looks};
use super::tail::Sides;
use crate::check::Checked;
use crate::deploy::Target;
use crate::deploy::kafka::{self, At, Consumer};
use crate::model::{Format, Side};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Records sampled from the end of each partition.
pub(crate) const SAMPLE: i64 = 100;

/// The static check that reports the same mismatch in venice.kdl (docs/checks.md): V104 registry
/// framing (`avro` against `avro-raw`), V105 the JSON envelope (`json` against `connect-json`),
/// V102 the string-key pitfall (a structured key where a string key is declared), else V101
/// for a key and V103 for a value.
pub(crate) fn code(side: Side, declared: Format, actual: Option<Format>) -> &'static str {
    use Format::*;
    match (declared, actual) {
        (Avro, Some(AvroRaw)) | (AvroRaw, Some(Avro)) => "V104",
        (Json, Some(ConnectJson)) | (ConnectJson, Some(Json)) => "V105",
        (String | Delimited, Some(a)) if side == Side::Key && a.is_structured() => "V102",
        _ if side == Side::Key => "V101",
        _ => "V103",
    }
}

/// One kind of mismatch on one side of a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub(crate) topic: String,
    pub(crate) side: Side,
    pub(crate) declared: Format,
    pub(crate) looks: Looks,
    pub(crate) code: &'static str,
    pub(crate) records: u64,
    /// The first sampled record that shows it: partition, offset.
    pub(crate) first: (i32, i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sampled {
    pub(crate) topic: String,
    pub(crate) records: u64,
    /// Not on the cluster.
    pub(crate) missing: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NotRunning {
    /// `connector` or `query`.
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    /// `missing`, `FAILED`, `PAUSED`, `task 0 FAILED`, ...
    pub(crate) state: String,
    /// The root cause of a failure, when the service says.
    pub(crate) cause: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Report {
    pub(crate) target: String,
    pub(crate) topics: Vec<Sampled>,
    pub(crate) mismatches: Vec<Mismatch>,
    pub(crate) not_running: Vec<NotRunning>,
    /// What was not checked, and why (`ksqlDB: the target names none`).
    pub(crate) skipped: Vec<String>,
    pub(crate) connectors_checked: usize,
    pub(crate) queries_checked: usize,
}

impl Report {
    pub(crate) fn problems(&self) -> usize {
        self.mismatches.len() + self.topics.iter().filter(|t| t.missing).count() + self.not_running.len()
    }

    pub(crate) fn human(&self) -> String {
        let mut out = format!("doctor: target `{}`\n", self.target);
        let sampled: u64 = self.topics.iter().map(|t| t.records).sum();
        out.push_str(&format!("topics: {} declared, {sampled} records sampled\n", self.topics.len()));
        for t in self.topics.iter().filter(|t| t.missing) {
            out.push_str(&format!("  error: topic `{}` is declared but not on the cluster\n", t.topic));
        }
        for m in &self.mismatches {
            let of = self.topics.iter().find(|t| t.topic == m.topic).map_or(0, |t| t.records);
            out.push_str(&format!(
                "  error[{}]: topic `{}` {}: declared {}, {} of {of} sampled records look like {} (first at partition {} offset {})\n",
                m.code,
                m.topic,
                m.side.as_str(),
                m.declared,
                m.records,
                m.looks.describe(),
                m.first.0,
                m.first.1
            ));
        }
        out.push_str(&format!("connectors: {} declared\n", self.connectors_checked));
        for n in self.not_running.iter().filter(|n| n.kind == "connector") {
            out.push_str(&format!("  error: connector `{}` is {}", n.name, n.state));
            if !n.cause.is_empty() {
                out.push_str(&format!(": {}", n.cause));
            }
            out.push('\n');
        }
        let queries = if self.queries_checked == 1 { "query" } else { "queries" };
        out.push_str(&format!("ksqlDB: {} persistent {queries}\n", self.queries_checked));
        for n in self.not_running.iter().filter(|n| n.kind == "query") {
            out.push_str(&format!("  error: query `{}` is {}\n", n.name, n.state));
        }
        for s in &self.skipped {
            out.push_str(&format!("not checked: {s}\n"));
        }
        match self.problems() {
            0 => out.push_str("no problems found\n"),
            1 => out.push_str("found 1 problem\n"),
            n => out.push_str(&format!("found {n} problems\n")),
        }
        out
    }

    pub(crate) fn json(&self) -> Value {
        let topics: Vec<Value> =
            self.topics.iter().map(|t| json!({"name": t.topic, "sampled": t.records, "missing": t.missing})).collect();
        let mismatches: Vec<Value> = self
            .mismatches
            .iter()
            .map(|m| {
                json!({
                    "code": m.code, "topic": m.topic, "side": m.side.as_str(), "declared": m.declared.as_str(),
                    "actual": m.looks.format().map(Format::as_str), "looksLike": m.looks.describe(),
                    "records": m.records, "first": {"partition": m.first.0, "offset": m.first.1},
                })
            })
            .collect();
        let not_running: Vec<Value> = self
            .not_running
            .iter()
            .map(|n| json!({"kind": n.kind, "name": n.name, "state": n.state, "cause": n.cause}))
            .collect();
        json!({
            "target": self.target, "topics": topics, "mismatches": mismatches, "notRunning": not_running,
            "skipped": self.skipped, "problems": self.problems(),
        })
    }
}

/// Runs every check. `Err` is a service that does not answer: doctor could not run.
pub(crate) fn doctor(checked: &Checked, target: &Target) -> Result<Report, String> {
    let mut report = Report { target: target.name.clone(), ..Report::default() };
    let registry = super::tail::registry(target);
    if registry.is_none() {
        report.skipped.push("registry framing: the target names no schema registry".into());
    }
    let mut decoder = Decoder::new(registry);
    topics(checked, target, &mut decoder, &mut report)?;
    if let Some(error) = decoder.registry_error {
        return Err(error);
    }
    connectors(checked, target, &mut report)?;
    queries(checked, target, &mut report)?;
    Ok(report)
}

fn topics(checked: &Checked, target: &Target, decoder: &mut Decoder, report: &mut Report) -> Result<(), String> {
    // Read on the cluster by the physical name, decoded by the declaration's serdes.
    let project = &checked.project;
    let declared: Vec<&str> = project.topics.iter().map(|t| t.name.value.as_str()).collect();
    let names: Vec<String> = declared.iter().map(|d| project.physical_topic(d).into_owned()).collect();
    let mut consumer = target.consumer(super::topics::TIMEOUT);
    consumer.refresh(Some(&names)).map_err(|e| e.to_string())?;
    for (name, declared) in names.iter().zip(declared) {
        let Some(meta) = consumer.cluster.topics.get(name) else {
            report.topics.push(Sampled { topic: name.clone(), records: 0, missing: true });
            continue;
        };
        let partitions: Vec<i32> = meta.partitions.iter().map(|p| p.index).collect();
        let sides = Sides::of(checked, declared);
        let records = sample(&mut consumer, name, &partitions)?;
        let mut found: BTreeMap<(u8, String), Mismatch> = BTreeMap::new();
        // The schema ids of the records that decoded, per side: (records, the first one).
        let mut ids: BTreeMap<(u8, u32), (u64, (i32, i64))> = BTreeMap::new();
        for (partition, record) in &records {
            for (side, order, bytes, expect) in [
                (Side::Key, 0u8, record.key.as_deref(), sides.key()),
                (Side::Value, 1, record.value.as_deref(), sides.value()),
            ] {
                let Some(Expect { format, .. }) = expect else { continue };
                let decoded = decoder.decode(bytes, expect);
                let Some(looks) = decoded.mismatch else {
                    if let Some(id) = decoded.schema_id.filter(|_| format == Format::Avro) {
                        ids.entry((order, id)).or_insert((0, (*partition, record.offset))).0 += 1;
                    }
                    continue;
                };
                let entry = found.entry((order, looks.describe())).or_insert_with(|| Mismatch {
                    topic: name.clone(),
                    side,
                    declared: format,
                    code: code(side, format, looks.format()),
                    looks,
                    records: 0,
                    first: (*partition, record.offset),
                });
                entry.records += 1;
            }
        }
        // V203: the declared schema must read what each registered writer schema wrote.
        for ((order, id), (records, first)) in ids {
            let (side, schema) =
                if order == 0 { (Side::Key, &sides.key_schema) } else { (Side::Value, &sides.value_schema) };
            let Some(schema) = schema else { continue };
            let Some(reason) = decoder.avro_schema(id).and_then(|w| unreadable(checked, schema, id, w)) else {
                continue;
            };
            let looks = Looks::Unreadable { id, reason };
            found.insert(
                (order, looks.describe()),
                Mismatch { topic: name.clone(), side, declared: Format::Avro, looks, code: "V203", records, first },
            );
        }
        report.mismatches.extend(found.into_values());
        report.topics.push(Sampled { topic: name.clone(), records: records.len() as u64, missing: false });
    }
    Ok(())
}

/// Why the project's schema `reader` cannot read what the registry's `writer` schema writes,
/// by the same resolution rules as V203 (`avro::compat`, after Java's `SchemaCompatibility`);
/// `None` when it can, or when either schema cannot be read here.
fn unreadable(checked: &Checked, reader: &str, id: u32, writer: &super::decode::AvroSchema) -> Option<String> {
    use crate::avro::Catalog;
    use crate::avro::compat::{SchemaRef, check_reader_writer};
    let r = checked.analysis.avro.schema(reader)?;
    let mut sources = crate::source::SourceMap::default();
    let mut texts = Vec::new();
    for (i, text) in writer.references.iter().chain(std::iter::once(&writer.text)).enumerate() {
        let name = format!("registry-{i}");
        let file = sources.add(std::path::PathBuf::from(&name), text.clone());
        texts.push((name, crate::model::SourceText::from_file(file, text.clone())));
    }
    let main = format!("registry-{}", writer.references.len());
    let mut diagnostics = Vec::new();
    let catalog = Catalog::from_texts(texts, &mut diagnostics);
    let w = catalog.schema(&main)?;
    let found = check_reader_writer(SchemaRef::new(&checked.analysis.avro, r), SchemaRef::new(&catalog, w));
    let first = found.first()?;
    let mut reason =
        format!("{}: {}", first.path, first.reason.describe(&format!("`{reader}`"), &format!("schema {id}")));
    if found.len() > 1 {
        reason.push_str(&format!(" (and {} more)", found.len() - 1));
    }
    Some(reason)
}

/// The last [`SAMPLE`] records of each partition (fewer when a partition holds fewer); `venice
/// import` samples with it too.
pub(crate) fn sample(
    consumer: &mut Consumer,
    topic: &str,
    partitions: &[i32],
) -> Result<Vec<(i32, crate::deploy::records::Record)>, String> {
    let earliest = consumer.offsets(topic, partitions, At::Earliest).map_err(|e| e.to_string())?;
    let end = consumer.offsets(topic, partitions, At::End).map_err(|e| e.to_string())?;
    let mut positions: BTreeMap<i32, i64> =
        end.iter().map(|(&p, &e)| (p, (e - SAMPLE).max(earliest.get(&p).copied().unwrap_or(0)))).collect();
    let mut out = Vec::new();
    // Bounded: each round moves at least one partition forward or gives up on it.
    for _ in 0..10_000 {
        positions.retain(|p, at| end.get(p).is_some_and(|e| *at < *e));
        if positions.is_empty() {
            break;
        }
        let fetched = consumer.fetch(topic, &positions, Duration::from_millis(100)).map_err(|e| e.to_string())?;
        for partition in fetched {
            let p = partition.partition;
            if partition.error != 0 {
                // Retention moved the start, or the leader moved: sample what could be read.
                positions.remove(&p);
                if partition.error != kafka::OFFSET_OUT_OF_RANGE && !kafka::stale_leader(partition.error) {
                    return Err(format!(
                        "Kafka refused fetching partition {p} of `{topic}`: {} ({})",
                        kafka::error_name(partition.error),
                        partition.error
                    ));
                }
                continue;
            }
            let batches = crate::deploy::records::decode(&partition.records, &partition.aborted)
                .map_err(|e| format!("partition {p} of `{topic}`: {e}"))?;
            let at = positions.get(&p).copied().unwrap_or(0);
            let stop = end.get(&p).copied().unwrap_or(0);
            out.extend(batches.records.into_iter().filter(|r| r.offset >= at && r.offset < stop).map(|r| (p, r)));
            match batches.next {
                Some(next) if next > at => {
                    positions.insert(p, next);
                }
                // Nothing more below the end (transaction markers at the end, say): done.
                _ => {
                    positions.remove(&p);
                }
            }
        }
    }
    Ok(out)
}

fn connectors(checked: &Checked, target: &Target, report: &mut Report) -> Result<(), String> {
    let declared: BTreeSet<String> = checked.project.connectors.iter().map(|c| c.name.value.clone()).collect();
    if declared.is_empty() {
        return Ok(());
    }
    let Some(url) = &target.connect else {
        report.skipped.push("connectors: the target names no Kafka Connect".into());
        return Ok(());
    };
    let listing = super::connectors::read(&target.name, url, &declared, true)?;
    report.connectors_checked = declared.len();
    for name in &listing.missing {
        report.not_running.push(NotRunning {
            kind: "connector",
            name: name.clone(),
            state: "missing from Kafka Connect".into(),
            cause: String::new(),
        });
    }
    for c in &listing.connectors {
        let mut states = Vec::new();
        if c.state != "RUNNING" {
            states.push(c.state.clone());
        }
        for t in c.tasks.iter().filter(|t| t.state != "RUNNING") {
            states.push(format!("task {} {}", t.id, t.state));
        }
        if c.tasks.is_empty() && c.state == "RUNNING" {
            states.push("running without tasks".into());
        }
        if states.is_empty() {
            continue;
        }
        let trace = c.trace.iter().chain(c.tasks.iter().filter_map(|t| t.trace.as_ref())).next();
        let cause = trace.map(|t| crate::deploy::connect::root_cause(t)).unwrap_or_default();
        report.not_running.push(NotRunning {
            kind: "connector",
            name: c.name.clone(),
            state: states.join(", "),
            cause,
        });
    }
    Ok(())
}

fn queries(checked: &Checked, target: &Target, report: &mut Report) -> Result<(), String> {
    let project = &checked.project;
    if project.transforms.is_empty() && project.ksql_sources.is_empty() {
        return Ok(());
    }
    let Some(url) = &target.ksqldb else {
        report.skipped.push("ksqlDB queries: the target names no ksqlDB".into());
        return Ok(());
    };
    let service = url.service("ksqlDB", Duration::from_secs(30));
    let mut ksqldb = crate::deploy::ksqldb::Ksqldb::new(service);
    let entities = ksqldb.run("SHOW QUERIES;").map_err(|e| e.to_string())?;
    let problems = not_running_queries(&entities);
    report.queries_checked = entities
        .iter()
        .flat_map(|e| e["queries"].as_array().into_iter().flatten())
        .filter(|q| q["queryType"].as_str().is_none_or(|t| t == "PERSISTENT"))
        .count();
    report.not_running.extend(problems);
    Ok(())
}

/// The persistent queries of a `SHOW QUERIES` answer that are not running everywhere: their
/// `state` (one server's view), or any server in `statusCount` that reports another state.
pub(crate) fn not_running_queries(entities: &[Value]) -> Vec<NotRunning> {
    let mut out = Vec::new();
    for q in entities.iter().flat_map(|e| e["queries"].as_array().into_iter().flatten()) {
        if q["queryType"].as_str().is_some_and(|t| t != "PERSISTENT") {
            continue;
        }
        let mut states: BTreeSet<String> = BTreeSet::new();
        if let Some(state) = q["state"].as_str().filter(|s| *s != "RUNNING") {
            states.insert(state.to_string());
        }
        for (state, count) in q["statusCount"].as_object().into_iter().flatten() {
            if state != "RUNNING" && count.as_i64().unwrap_or(0) > 0 {
                states.insert(state.clone());
            }
        }
        if !states.is_empty() {
            out.push(NotRunning {
                kind: "query",
                name: q["id"].as_str().unwrap_or("?").to_string(),
                state: states.into_iter().collect::<Vec<_>>().join(", "),
                cause: String::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mismatch_names_the_static_check_that_catches_it() {
        assert_eq!(code(Side::Key, Format::String, Some(Format::Avro)), "V102");
        assert_eq!(code(Side::Key, Format::String, Some(Format::Json)), "V102");
        assert_eq!(code(Side::Key, Format::Avro, Some(Format::AvroRaw)), "V104");
        assert_eq!(code(Side::Value, Format::AvroRaw, Some(Format::Avro)), "V104");
        assert_eq!(code(Side::Value, Format::Json, Some(Format::ConnectJson)), "V105");
        assert_eq!(code(Side::Value, Format::ConnectJson, Some(Format::Json)), "V105");
        assert_eq!(code(Side::Key, Format::Int, Some(Format::String)), "V101");
        assert_eq!(code(Side::Key, Format::String, None), "V101");
        assert_eq!(code(Side::Value, Format::Avro, Some(Format::String)), "V103");
        assert_eq!(code(Side::Value, Format::String, Some(Format::Avro)), "V103");
    }

    #[test]
    fn queries_not_running_on_some_server_are_reported() {
        let entities = vec![json!({"@type": "queries", "queries": [
            {"id": "CSAS_A_1", "queryType": "PERSISTENT", "state": "RUNNING", "statusCount": {"RUNNING": 2}},
            {"id": "CTAS_B_2", "queryType": "PERSISTENT", "state": "RUNNING", "statusCount": {"RUNNING": 1, "ERROR": 1}},
            {"id": "CSAS_C_3", "queryType": "PERSISTENT", "state": "PAUSED"},
            {"id": "transient_1", "queryType": "PUSH", "state": "ERROR"}
        ]})];
        let found = not_running_queries(&entities);
        let names: Vec<(&str, &str)> = found.iter().map(|n| (n.name.as_str(), n.state.as_str())).collect();
        assert_eq!(names, [("CTAS_B_2", "ERROR"), ("CSAS_C_3", "PAUSED")]);
    }

    #[test]
    fn the_report_reads_as_a_list_of_problems() {
        let report = Report {
            target: "stack".into(),
            topics: vec![
                Sampled { topic: "orders".into(), records: 12, missing: false },
                Sampled { topic: "payments".into(), records: 0, missing: true },
            ],
            mismatches: vec![Mismatch {
                topic: "orders".into(),
                side: Side::Key,
                declared: Format::String,
                looks: Looks::Registry { format: Format::Avro, id: 7 },
                code: "V102",
                records: 12,
                first: (0, 0),
            }],
            not_running: vec![NotRunning {
                kind: "connector",
                name: "sink".into(),
                state: "task 0 FAILED".into(),
                cause: "org.apache.kafka.connect.errors.DataException: boom".into(),
            }],
            skipped: vec![],
            connectors_checked: 1,
            queries_checked: 0,
        };
        assert_eq!(
            report.human(),
            "doctor: target `stack`\n\
             topics: 2 declared, 12 records sampled\n\
             \x20 error: topic `payments` is declared but not on the cluster\n\
             \x20 error[V102]: topic `orders` key: declared string, 12 of 12 sampled records look like Avro with schema id 7 (first at partition 0 offset 0)\n\
             connectors: 1 declared\n\
             \x20 error: connector `sink` is task 0 FAILED: org.apache.kafka.connect.errors.DataException: boom\n\
             ksqlDB: 0 persistent queries\n\
             found 3 problems\n"
        );
        assert_eq!(report.json()["mismatches"][0]["code"], "V102");
        assert_eq!(report.json()["mismatches"][0]["actual"], "avro");
        assert_eq!(report.json()["problems"], 3);
    }
}
