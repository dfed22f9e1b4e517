//! `registry/<subject>/`: for each Schema Registry subject of a declared topic, the body of
//! `PUT /config/<subject>` (`config.json`, its compatibility level) and, when venice knows the
//! schema, the body of `POST /subjects/<subject>/versions` (`versions.json`).
//!
//! Subjects follow TopicNameStrategy (`<topic>-key`, `<topic>-value`). An Avro schema is
//! registered in the registry's normalized form with every named type written out, so it needs
//! no references; JSON Schema and Protobuf schemas are registered as written. A subject whose
//! schema a connector or a ksqlDB query registers (no `schema=`, or a schema venice derived for a
//! Debezium source, whose converter registers it) gets only its config.

use crate::analysis::Analysis;
use crate::avro::{Fingerprint, normalized_form_of, registered_form_of};
use crate::model::{Compatibility, Format, Project, SchemaKind, Side};
use crate::source::SourceMap;
use serde_json::json;
use std::collections::BTreeMap;

/// One subject, for the manifest and the README.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub(crate) name: String,
    /// The topic whose key or value it is, by its declared name (the subject's `name` is after
    /// the physical one); `None` for a schema registered because another one references it.
    pub(crate) topic: Option<String>,
    pub(crate) side: Side,
    pub(crate) format: Format,
    /// The project's schema name (`schema=`), when given.
    pub(crate) schema: Option<String>,
    /// The Avro fingerprint (Parsing Canonical Form, Rabin), when the schema is Avro and known.
    pub(crate) fingerprint: Option<String>,
    pub(crate) compatibility: Compatibility,
    /// Whether `versions.json` was written.
    pub(crate) registered: bool,
}

impl Subject {
    pub(crate) fn dir(&self) -> String {
        format!("registry/{}", super::names::file_name(&self.name))
    }
}

/// The registry's `schemaType` of a format that has one.
fn schema_type(format: Format) -> Option<&'static str> {
    match format {
        Format::Avro => Some("AVRO"),
        Format::JsonSr => Some("JSON"),
        Format::Protobuf => Some("PROTOBUF"),
        _ => None,
    }
}

/// The subjects and their files: (path, text).
pub(crate) fn render(
    project: &Project,
    analysis: &Analysis,
    sources: &SourceMap,
) -> (Vec<Subject>, Vec<(String, String)>) {
    let mut subjects = Vec::new();
    let mut files = Vec::new();
    let derived = super::derived_schemas(project);
    let declared: BTreeMap<&str, &crate::model::Schema> =
        project.schemas.iter().rev().map(|s| (s.name.value.as_str(), s)).collect();
    let mut topics: Vec<_> = project.topics.iter().collect();
    topics.sort_by(|a, b| a.name.value.cmp(&b.name.value));
    for topic in topics {
        let compatibility = topic.compatibility.as_ref().map_or(Compatibility::Backward, |c| c.value);
        for (side, serde) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let Some(serde) = serde else { continue };
            let Some(kind) = schema_type(serde.format.value) else { continue };
            // TopicNameStrategy names the subject after the topic on the cluster.
            let name = format!("{}-{}", project.physical_topic(&topic.name.value), side.as_str());
            let schema_name = serde.schema.as_ref().map(|s| s.value.clone());
            let mut subject = Subject {
                name,
                topic: Some(topic.name.value.clone()),
                side,
                format: serde.format.value,
                schema: schema_name.clone(),
                fingerprint: None,
                compatibility,
                registered: false,
            };
            // A schema venice derived for a Debezium source is registered by its converter.
            let own = schema_name.as_deref().filter(|name| !derived.contains(name));
            let mut references = Vec::new();
            if let Some(root) = schema_name.as_deref().and_then(|name| analysis.avro.schema(name))
                && serde.format.value == Format::Avro
            {
                subject.fingerprint = Some(Fingerprint::of(&analysis.avro, root).to_string());
            }
            let text = own.and_then(|schema_name| match serde.format.value {
                Format::Avro => {
                    let root = analysis.avro.schema(schema_name)?;
                    // The normalized form spells a field's `order` as Java's enum constant;
                    // the registry reads either, the specification only lower case.
                    let text = registered_form_of(&analysis.avro, root);
                    if reads_back_unchanged(&text) {
                        return Some(text);
                    }
                    let locked = crate::lock::LockedSubject {
                        schema: normalized_form_of(&analysis.avro, root),
                        fingerprint: String::new(),
                        compatibility: String::new(),
                        schema_type: None,
                        references: Vec::new(),
                    };
                    Some(locked.schema_text())
                }
                format => {
                    let declared = declared.get(schema_name)?;
                    let expected = if format == Format::JsonSr { SchemaKind::JsonSchema } else { SchemaKind::Protobuf };
                    references = payload_references(declared);
                    (declared.kind == expected).then(|| declared.text(sources)).flatten().map(|t| t.text)
                }
            });
            let dir = subject.dir();
            files.push((
                format!("{dir}/config.json"),
                super::json_file(&json!({ "compatibility": compatibility.registry_name() })),
            ));
            if let Some(text) = text {
                subject.registered = true;
                files.push((format!("{dir}/versions.json"), versions_json(kind, &text, &references)));
            }
            subjects.push(subject);
        }
    }
    referenced(project, sources, &mut subjects, &mut files);
    (subjects, files)
}

/// The body of `POST /subjects/S/versions`: the schema, its type, and its references.
fn versions_json(kind: &str, text: &str, references: &[serde_json::Value]) -> String {
    if references.is_empty() {
        super::json_file(&json!({ "schemaType": kind, "schema": text }))
    } else {
        super::json_file(&json!({ "schemaType": kind, "schema": text, "references": references }))
    }
}

/// A schema's `references` as the registry takes them: name, subject, and version -1, which the
/// registry reads as the subject's latest version and fixes on registration
/// (`AbstractSchemaProvider.replaceLatestVersion`); `venice apply` sends the number itself.
fn payload_references(schema: &crate::model::Schema) -> Vec<serde_json::Value> {
    (schema.references.iter()).map(|r| json!({ "name": r.name.value, "subject": r.subject(), "version": -1 })).collect()
}

/// The subjects of the schemas that others reference (`lock::registered`'s, past the topics'),
/// each with its config and its schema, placed first, a reference's references before it, so
/// that registering in order finds every reference registered.
fn referenced(project: &Project, sources: &SourceMap, subjects: &mut Vec<Subject>, files: &mut Vec<(String, String)>) {
    for registered in crate::lock::registered(project, sources) {
        if subjects.iter().any(|s| s.name == registered.subject) {
            continue;
        }
        let subject = Subject {
            name: registered.subject.clone(),
            topic: None,
            side: Side::Value,
            format: if registered.schema_type == "JSON" { Format::JsonSr } else { Format::Protobuf },
            schema: Some(registered.schema.name.value.clone()),
            fingerprint: None,
            compatibility: registered.compatibility,
            registered: true,
        };
        let dir = subject.dir();
        let references = payload_references(registered.schema);
        files.push((
            format!("{dir}/config.json"),
            super::json_file(&json!({ "compatibility": registered.compatibility.registry_name() })),
        ));
        files.push((
            format!("{dir}/versions.json"),
            versions_json(registered.schema_type, &registered.text, &references),
        ));
        subjects.insert(0, subject);
    }
}

/// Whether a schema's registered form is already what [`crate::lock::LockedSubject::schema_text`]
/// makes of the normalized form (JSON read and written again by serde_json, then every `order`
/// of a `fields` entry in lower case), so that parsing it again can be skipped. Conservative:
/// text with an escape, a number that is not a plain integer, a bare word other than `true`,
/// `false` and `null`, or an `order` string not already in lower case (inside an attribute's
/// value, where only a `fields` entry's would change) takes the long way. Positions inside
/// strings are looked at too; that only sends more texts the long way.
fn reads_back_unchanged(text: &str) -> bool {
    if text.contains('\\') {
        return false;
    }
    let bytes = text.as_bytes();
    for (at, pair) in bytes.windows(2).enumerate() {
        if !matches!(pair[0], b':' | b',' | b'[') {
            continue;
        }
        match pair[1] {
            b'-' => return false,
            b'0'..=b'9' => {
                let digits = bytes[at + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
                    .count();
                let number = &bytes[at + 1..at + 1 + digits];
                let plain = number.iter().all(u8::is_ascii_digit)
                    && number.len() <= 18
                    && (number == b"0" || number[0] != b'0');
                if !plain {
                    return false;
                }
            }
            b'a'..=b'z' | b'A'..=b'Z' if !matches!(pair[1], b't' | b'f' | b'n') => return false,
            _ => {}
        }
    }
    text.match_indices("\"order\":\"").all(|(at, found)| {
        let rest = &text[at + found.len()..];
        let value = rest.split('"').next().unwrap_or("");
        value == value.to_lowercase()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`crate::lock::LockedSubject::schema_text`] makes of a text.
    fn the_long_way(text: &str) -> String {
        let locked = crate::lock::LockedSubject {
            schema: text.into(),
            fingerprint: String::new(),
            compatibility: String::new(),
            schema_type: None,
            references: Vec::new(),
        };
        locked.schema_text()
    }

    #[test]
    fn texts_taken_as_they_are_are_what_reading_them_back_gives() {
        let same = [
            r#"{"name":"shop.Order","type":"record","fields":[{"name":"id","type":"string","order":"ascending"},{"name":"n","type":"int","order":"ignore","default":12}]}"#,
            r#"{"type":"fixed","name":"F","size":16,"logicalType":"uuid"}"#,
            r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"A","doc":"it: nothing"}"#,
            r#"{"type":"array","items":["null","long"],"x":[true,false,null,0]}"#,
        ];
        for text in same {
            assert!(reads_back_unchanged(text), "{text}");
            // The text names no upper-case order, so reading it back changes nothing.
            assert_eq!(the_long_way(text), text);
        }
        let long_way = [
            r#"{"type":"string","doc":"a \"quote\""}"#,
            r#"{"type":"double","default":1.0E10}"#,
            r#"{"type":"int","x":-1}"#,
            r#"{"type":"int","x":007}"#,
            r#"{"type":"int","x":1234567890123456789012}"#,
            r#"{"type":"double","x":NaN}"#,
            r#"{"type":"record","name":"R","fields":[],"x":{"fields":[{"order":"ASCENDING"}]}}"#,
        ];
        for text in long_way {
            assert!(!reads_back_unchanged(text), "{text}");
        }
    }

    #[test]
    fn a_project_schema_is_registered_as_the_long_way_gives() {
        let texts = [
            r#"{"type": "record", "name": "R", "namespace": "n", "doc": "d", "fields": [
                {"name": "a", "type": "int", "order": "descending", "default": 3},
                {"name": "b", "type": {"type": "array", "items": "double"}, "default": [1.5, 2]},
                {"name": "c", "type": ["null", {"type": "enum", "name": "E", "symbols": ["X"]}], "default": null, "order": "ignore"},
                {"name": "d", "type": {"type": "fixed", "name": "F", "size": 4}, "aliases": ["dd"], "custom": {"k": [true]}}
            ]}"#,
            r#"{"type": "map", "values": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}}"#,
        ];
        for text in texts {
            let (catalog, diagnostics) = crate::avro::test_support::parse(text);
            assert!(diagnostics.is_empty(), "{diagnostics:#?}");
            let (_, schema) = catalog.schemas().next().expect("parsed");
            let registered = registered_form_of(&catalog, &schema.root);
            let long_way = the_long_way(&normalized_form_of(&catalog, &schema.root));
            assert_eq!(registered, long_way, "{text}");
        }
    }
}
