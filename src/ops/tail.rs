//! `venice tail TOPIC`: a topic's records, each key and value decoded by the serde the project
//! declares for it (`ops::decode`), printed with partition, offset and timestamp; records whose
//! bytes are not what was declared are shown raw and flagged with what they look like.
//!
//! By default it starts [`LAST`] records (or `--limit`) before the end of each partition and
//! follows new records until interrupted; `--from-beginning` starts at the earliest offsets,
//! `--limit N` stops after N records, `--no-follow` stops at the end offsets read at the start.
//! A topic the project does not declare is shown by what its bytes look like, and tail says so.
//! The records come from venice's own Kafka client (Fetch v4, read committed, at each
//! partition's leader), their batches decoded by `deploy::records`.

use super::decode::{Decoded, Decoder, Expect, Looks};
use crate::check::Checked;
use crate::deploy::Target;
use crate::deploy::kafka::{self, At, Consumer, OFFSET_OUT_OF_RANGE};
use crate::deploy::registry::Registry;
use crate::model::{Format, Serde, Side};
use apache_avro::Schema;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

/// Records per partition shown before following, without `--from-beginning` or `--limit`.
pub(crate) const LAST: i64 = 10;

/// How long a broker holds a Fetch open waiting for new records when following.
const FOLLOW_WAIT: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) topic: String,
    pub(crate) from_beginning: bool,
    pub(crate) limit: Option<u64>,
    pub(crate) partition: Option<i32>,
    /// Stop at the end offsets read at the start instead of following.
    pub(crate) no_follow: bool,
    pub(crate) json: bool,
}

/// The format declared for one side of a topic and, for Avro, the project's schema; `None`
/// when nothing declares it.
pub(crate) type Declared = Option<(Format, Option<Schema>)>;

/// What a key or value side of a topic is expected to hold.
#[derive(Debug, Default)]
pub(crate) struct Sides {
    pub(crate) key: Declared,
    pub(crate) value: Declared,
    /// The names of the project's schemas for each side (`schema=`), when named.
    pub(crate) key_schema: Option<String>,
    pub(crate) value_schema: Option<String>,
    /// Whether the project declares the topic at all.
    pub(crate) declared: bool,
}

impl Sides {
    /// The topic's declaration, else its first writer's serde, side by side (as
    /// `rules::topic_formats::written` decides), with the Avro schemas parsed.
    pub(crate) fn of(checked: &Checked, topic: &str) -> Sides {
        let project = &checked.project;
        let declared = project.topic(topic);
        let edges = checked.analysis.edges.get(topic);
        let serde = |side: Side| {
            let from_topic = declared.and_then(|t| match side {
                Side::Key => t.key.as_ref(),
                Side::Value => t.value.as_ref(),
            });
            from_topic.or_else(|| edges.and_then(|e| e.writers.iter().find_map(|w| w.serde(side)))).cloned()
        };
        let (key, value) = (serde(Side::Key), serde(Side::Value));
        let name = |s: &Option<Serde>| s.as_ref().and_then(|s| s.schema.as_ref()).map(|n| n.value.clone());
        let parsed = |s: &Option<Serde>| {
            s.as_ref().map(|s| (s.format.value, s.schema.as_ref().and_then(|n| project_schema(checked, &n.value))))
        };
        Sides {
            declared: declared.is_some() || edges.is_some_and(|e| !e.writers.is_empty()),
            key: parsed(&key),
            value: parsed(&value),
            key_schema: name(&key),
            value_schema: name(&value),
        }
    }

    fn expect(side: &Declared) -> Option<Expect<'_>> {
        side.as_ref().map(|(format, schema)| Expect { format: *format, schema: schema.as_ref() })
    }

    pub(crate) fn key(&self) -> Option<Expect<'_>> {
        Sides::expect(&self.key)
    }

    pub(crate) fn value(&self) -> Option<Expect<'_>> {
        Sides::expect(&self.value)
    }
}

/// A project Avro schema parsed by `apache-avro`, with the project's other Avro schemas for
/// the named types it refers to. `None` when it does not parse (venice check reports why).
fn project_schema(checked: &Checked, name: &str) -> Option<Schema> {
    let project = &checked.project;
    let text = project.schema(name)?.text(&checked.sources)?.text;
    if let Ok(schema) = Schema::parse_str(&text) {
        return Some(schema);
    }
    let others: Vec<String> = project
        .schemas
        .iter()
        .filter(|s| s.name.value != name && s.kind == crate::model::SchemaKind::Avro)
        .filter_map(|s| s.text(&checked.sources).map(|t| t.text))
        .collect();
    Schema::parse_str_with_list(&text, &others).ok().map(|(schema, _)| schema)
}

/// The registry client of a target, if it names one.
pub(crate) fn registry(target: &Target) -> Option<Registry> {
    target.registry.as_ref().map(|url| Registry::new(url.service("the schema registry", Duration::from_secs(30))))
}

/// Milliseconds since the epoch as RFC 3339 UTC (`2026-11-26T12:00:00.123Z`), by the civil
/// calendar algorithm of Howard Hinnant's `days_from_civil` paper, run backwards.
pub(crate) fn timestamp(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    )
}

/// Counts of what was printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Summary {
    pub(crate) records: u64,
    pub(crate) flagged: u64,
}

/// One record, decoded, as text or JSON lines.
pub(crate) struct Printer<'a> {
    pub(crate) json: bool,
    pub(crate) sides: &'a Sides,
    pub(crate) decoder: Decoder,
}

impl Printer<'_> {
    /// Writes one record; whether it was flagged.
    pub(crate) fn print(
        &mut self,
        out: &mut dyn Write,
        partition: i32,
        record: &crate::deploy::records::Record,
    ) -> std::io::Result<bool> {
        let key = self.decoder.decode(record.key.as_deref(), self.sides.key());
        let value = self.decoder.decode(record.value.as_deref(), self.sides.value());
        let flags: Vec<(&str, &Declared, &Looks)> =
            [("key", &self.sides.key, key.mismatch.as_ref()), ("value", &self.sides.value, value.mismatch.as_ref())]
                .into_iter()
                .filter_map(|(side, declared, looks)| Some((side, declared, looks?)))
                .collect();
        let declared_as = |d: &Declared| d.as_ref().map_or("nothing", |(f, _)| f.as_str());
        if self.json {
            let mut line = serde_json::Map::new();
            line.insert("partition".into(), json!(partition));
            line.insert("offset".into(), json!(record.offset));
            line.insert("timestamp".into(), json!(timestamp(record.timestamp)));
            line.insert("key".into(), key.json.clone());
            line.insert("value".into(), value.json.clone());
            for (name, d) in [("keySchemaId", &key), ("valueSchemaId", &value)] {
                if let Some(id) = d.schema_id {
                    line.insert(name.into(), json!(id));
                }
            }
            if !record.headers.is_empty() {
                let headers: Vec<Value> = record
                    .headers
                    .iter()
                    .map(|(k, v)| json!({"key": k, "value": v.as_deref().map(super::decode::raw)}))
                    .collect();
                line.insert("headers".into(), Value::Array(headers));
            }
            let notes: Vec<Value> = [("key", &key), ("value", &value)]
                .iter()
                .filter_map(|(side, d)| Some(json!({"side": side, "note": d.note.as_ref()?})))
                .collect();
            if !notes.is_empty() {
                line.insert("notes".into(), Value::Array(notes));
            }
            if !flags.is_empty() {
                let flags: Vec<Value> = flags
                    .iter()
                    .map(|(side, d, looks)| {
                        json!({"side": side, "declared": declared_as(d), "looksLike": looks.describe()})
                    })
                    .collect();
                line.insert("flags".into(), Value::Array(flags));
            }
            serde_json::to_writer(&mut *out, &Value::Object(line))?;
            out.write_all(b"\n")?;
        } else {
            let shown = |d: &Decoded| match d.schema_id {
                Some(id) if d.mismatch.is_none() => format!("{} (schema {id})", d.text()),
                _ => d.text(),
            };
            writeln!(
                out,
                "{partition}@{} {} key={} value={}",
                record.offset,
                timestamp(record.timestamp),
                shown(&key),
                shown(&value)
            )?;
            for (side, d) in [("key", &key), ("value", &value)] {
                if let Some(note) = &d.note
                    && d.mismatch.is_none()
                    && self.sides.declared
                {
                    writeln!(out, "  {side}: {note}")?;
                }
            }
            for (side, declared, looks) in &flags {
                writeln!(out, "  ! {side}: declared {}, looks like {}", declared_as(declared), looks.describe())?;
            }
        }
        Ok(!flags.is_empty())
    }
}

/// Tails a topic, writing records to `out` and remarks (an undeclared topic, a registry not
/// answering) to `err`. Errors are messages naming what failed: the command could not run.
pub(crate) fn tail(
    checked: &Checked,
    target: &Target,
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Summary, String> {
    let sides = Sides::of(checked, &options.topic);
    if !sides.declared {
        let _ = writeln!(
            err,
            "note: the project does not declare topic `{}`: each key and value is shown by what its bytes look like",
            options.topic
        );
    }
    // A declared topic is read on the cluster by its physical name in the target.
    let options = &Options { topic: checked.project.physical_topic(&options.topic).into_owned(), ..options.clone() };
    let mut consumer = target.consumer(super::topics::TIMEOUT);
    let mut printer = Printer { json: options.json, sides: &sides, decoder: Decoder::new(registry(target)) };
    let positions = start(&mut consumer, target, options)?;
    let stop_at = if options.no_follow {
        Some(
            consumer
                .offsets(&options.topic, &positions.keys().copied().collect::<Vec<_>>(), At::End)
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    run(&mut consumer, &mut printer, options, positions, stop_at.as_ref(), out, err)
}

/// How long tail waits for the brokers to list a topic the controller has.
const NOT_LISTED_YET: std::time::Duration = std::time::Duration::from_secs(30);

/// The offset each partition starts at.
fn start(consumer: &mut Consumer, target: &Target, options: &Options) -> Result<BTreeMap<i32, i64>, String> {
    let topic = &options.topic;
    let mut cluster = consumer.refresh(Some(std::slice::from_ref(topic))).map_err(|e| e.to_string())?;
    if !cluster.topics.contains_key(topic) {
        // Created a moment ago (an apply just ended): the brokers list it once they have made
        // its partitions, which is waited for when the controller has it.
        let admin = std::sync::Mutex::new(target.admin(super::topics::TIMEOUT));
        crate::deploy::listed::read(&admin, std::slice::from_ref(topic), NOT_LISTED_YET)?;
        cluster = consumer.refresh(Some(std::slice::from_ref(topic))).map_err(|e| e.to_string())?;
    }
    let Some(meta) = cluster.topics.get(topic) else {
        return Err(format!("Kafka at {} has no topic `{topic}`", target.kafka.join(",")));
    };
    let mut partitions: Vec<i32> = meta.partitions.iter().map(|p| p.index).collect();
    if let Some(p) = options.partition {
        if !partitions.contains(&p) {
            return Err(format!("topic `{topic}` has no partition {p} (it has {})", partitions.len()));
        }
        partitions = vec![p];
    }
    let earliest = consumer.offsets(topic, &partitions, At::Earliest).map_err(|e| e.to_string())?;
    if options.from_beginning {
        return Ok(earliest);
    }
    let end = consumer.offsets(topic, &partitions, At::End).map_err(|e| e.to_string())?;
    let back = options.limit.map_or(LAST, |l| l.min(i64::MAX as u64) as i64);
    Ok(end.iter().map(|(&p, &e)| (p, (e - back).max(earliest.get(&p).copied().unwrap_or(0)))).collect())
}

/// The fetch loop: fetch at the leaders, decode the batches, print; until the limit, the stop
/// offsets, or forever.
fn run(
    consumer: &mut Consumer,
    printer: &mut Printer,
    options: &Options,
    mut positions: BTreeMap<i32, i64>,
    stop_at: Option<&BTreeMap<i32, i64>>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Summary, String> {
    let topic = &options.topic;
    let io = |e: std::io::Error| format!("cannot write the records: {e}");
    let mut summary = Summary::default();
    let mut warned = false;
    let mut stale_tries = 0;
    loop {
        let active: BTreeMap<i32, i64> = positions
            .iter()
            .filter(|(p, at)| stop_at.is_none_or(|s| s.get(p).is_some_and(|end| *at < end)))
            .map(|(&p, &at)| (p, at))
            .collect();
        if active.is_empty() || options.limit.is_some_and(|l| summary.records >= l) {
            break;
        }
        let wait = if stop_at.is_some() { Duration::from_millis(100) } else { FOLLOW_WAIT };
        let fetched = match consumer.fetch(topic, &active, wait) {
            Ok(fetched) => fetched,
            Err(kafka::Error::Refused { code, .. }) if kafka::stale_leader(code) && stale_tries < 10 => {
                stale_tries += 1;
                std::thread::sleep(Duration::from_millis(200));
                consumer.refresh(Some(std::slice::from_ref(topic))).map_err(|e| e.to_string())?;
                continue;
            }
            Err(e) => return Err(e.to_string()),
        };
        let mut refresh = false;
        for partition in fetched {
            let p = partition.partition;
            match partition.error {
                0 => {}
                OFFSET_OUT_OF_RANGE => {
                    // Deleted by retention while we read: go on from the earliest.
                    let earliest = consumer.offsets(topic, &[p], At::Earliest).map_err(|e| e.to_string())?;
                    positions.insert(p, earliest.get(&p).copied().unwrap_or(0));
                    continue;
                }
                code if kafka::stale_leader(code) => {
                    refresh = true;
                    continue;
                }
                code => {
                    return Err(format!(
                        "Kafka refused fetching partition {p} of `{topic}`: {} ({code})",
                        kafka::error_name(code)
                    ));
                }
            }
            let batches = crate::deploy::records::decode(&partition.records, &partition.aborted)
                .map_err(|e| format!("partition {p} of `{topic}`: {e}"))?;
            let at = positions.get(&p).copied().unwrap_or(0);
            for record in batches.records.iter().filter(|r| r.offset >= at) {
                if options.limit.is_some_and(|l| summary.records >= l)
                    || stop_at.is_some_and(|s| s.get(&p).is_some_and(|end| record.offset >= *end))
                {
                    break;
                }
                summary.records += 1;
                if printer.print(out, p, record).map_err(io)? {
                    summary.flagged += 1;
                }
            }
            if let Some(next) = batches.next {
                positions.insert(p, next.max(at));
            }
        }
        out.flush().map_err(io)?;
        // Said once, as soon as it happens: records framed for the registry are shown raw.
        if let Some(error) = printer.decoder.registry_error.as_ref().filter(|_| !warned) {
            warned = true;
            let _ = writeln!(err, "warning: schemas could not be read: {error}");
        }
        if refresh {
            stale_tries += 1;
            if stale_tries > 10 {
                return Err(format!("the leaders of `{topic}` keep moving"));
            }
            std::thread::sleep(Duration::from_millis(200));
            consumer.refresh(Some(std::slice::from_ref(topic))).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(io)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::records::Record;
    use crate::deploy::registry::Registered;

    #[test]
    fn timestamps_are_rfc_3339_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(timestamp(-1), "1969-12-31T23:59:59.999Z");
    }

    fn checked(kdl: &str) -> (tempfile::TempDir, Checked) {
        let dir = tempfile::tempdir().unwrap();
        let checked = crate::check::check_bytes(dir.path(), kdl.as_bytes());
        (dir, checked)
    }

    #[test]
    fn records_print_as_lines_with_flags() {
        let (_dir, checked) = checked(
            "project p\nschema Visit avro=#\"{\"type\":\"record\",\"name\":\"Visit\",\"fields\":[{\"name\":\"page\",\"type\":\"string\"}]}\"#\ntopic visits {\n    key string\n    value avro schema=Visit\n}\n",
        );
        let sides = Sides::of(&checked, "visits");
        assert!(sides.declared);
        assert_eq!(sides.key.as_ref().map(|k| k.0), Some(Format::String));
        assert!(sides.value.as_ref().unwrap().1.is_some(), "the project's schema is parsed");
        let schema = r#"{"type":"record","name":"Visit","fields":[{"name":"page","type":"string"}]}"#;
        let registered = Registered { schema: schema.into(), schema_type: "AVRO".into(), references: vec![] };
        let decoder = Decoder::with_schemas([(3, registered)]);
        let mut value = vec![0, 0, 0, 0, 3, 10];
        value.extend_from_slice(b"/home");
        let good = Record {
            offset: 4,
            timestamp: 0,
            key: Some(b"ada".to_vec().into()),
            value: Some(value.clone().into()),
            headers: vec![],
        };
        let bad = Record {
            offset: 5,
            timestamp: 0,
            key: Some(value.clone().into()),
            value: Some(b"oops".to_vec().into()),
            headers: vec![],
        };
        let mut printer = Printer { json: false, sides: &sides, decoder };
        let mut out = Vec::new();
        assert!(!printer.print(&mut out, 0, &good).unwrap());
        assert!(printer.print(&mut out, 0, &bad).unwrap());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0@4 1970-01-01T00:00:00.000Z key=ada value={\"page\":\"/home\"} (schema 3)\n\
             0@5 1970-01-01T00:00:00.000Z key=0x00000000030a2f686f6d65 value=0x6f6f7073 \"oops\"\n\
             \x20 ! key: declared string, looks like Avro with schema id 3\n\
             \x20 ! value: declared avro, looks like text\n"
        );
        printer.json = true;
        let mut out = Vec::new();
        printer.print(&mut out, 0, &bad).unwrap();
        let line: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            line["flags"][0],
            json!({"side": "key", "declared": "string", "looksLike": "Avro with schema id 3"})
        );
        assert_eq!(line["value"], json!({"hex": "6f6f7073", "text": "oops"}));
        assert_eq!(line["offset"], 5);
    }

    #[test]
    fn an_undeclared_topic_is_guessed() {
        let (_dir, checked) = checked("project p\n");
        let sides = Sides::of(&checked, "elsewhere");
        assert!(!sides.declared);
        let mut printer = Printer { json: false, sides: &sides, decoder: Decoder::with_schemas([]) };
        let record =
            Record { offset: 0, timestamp: 0, key: None, value: Some(br#"{"a":1}"#.to_vec().into()), headers: vec![] };
        let mut out = Vec::new();
        assert!(!printer.print(&mut out, 2, &record).unwrap());
        assert_eq!(String::from_utf8(out).unwrap(), "2@0 1970-01-01T00:00:00.000Z key=null value={\"a\":1}\n");
    }
}
