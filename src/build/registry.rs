//! `registry/<subject>/`: for each Schema Registry subject of a declared topic, the body of
//! `PUT /config/<subject>` (`config.json`, its compatibility level) and, when venice knows the
//! schema, the body of `POST /subjects/<subject>/versions` (`versions.json`).
//!
//! Subjects follow TopicNameStrategy (`<topic>-key`, `<topic>-value`). An Avro schema is
//! registered in the registry's normalized form with every named type written out, so it needs
//! no references; JSON Schema and Protobuf schemas are registered as written. A subject whose
//! schema a connector or a ksqlDB query registers (no `schema=`, or a schema venice derived for a
//! Debezium source, whose converter registers it) gets only its config.

use crate::avro::{Fingerprint, normalized_form_of};
use crate::model::{Compatibility, Format, Project, SchemaKind, Side};
use crate::source::SourceMap;
use serde_json::json;
use std::collections::BTreeMap;

/// One subject, for the manifest and the README.
#[derive(Debug, Clone)]
pub struct Subject {
    pub name: String,
    pub topic: String,
    pub side: Side,
    pub format: Format,
    /// The project's schema name (`schema=`), when given.
    pub schema: Option<String>,
    /// The Avro fingerprint (Parsing Canonical Form, Rabin), when the schema is Avro and known.
    pub fingerprint: Option<String>,
    pub compatibility: Compatibility,
    /// Whether `versions.json` was written.
    pub registered: bool,
}

impl Subject {
    pub fn dir(&self) -> String {
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
pub fn render(project: &Project, sources: &SourceMap) -> (Vec<Subject>, Vec<(String, String)>) {
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
            let name = format!("{}-{}", topic.name.value, side.as_str());
            let schema_name = serde.schema.as_ref().map(|s| s.value.clone());
            let mut subject = Subject {
                name,
                topic: topic.name.value.clone(),
                side,
                format: serde.format.value,
                schema: schema_name.clone(),
                fingerprint: None,
                compatibility,
                registered: false,
            };
            // A schema venice derived for a Debezium source is registered by its converter.
            let own = schema_name.as_deref().filter(|name| !derived.contains(name));
            if let Some(root) = schema_name.as_deref().and_then(|name| project.avro.schema(name))
                && serde.format.value == Format::Avro
            {
                subject.fingerprint = Some(Fingerprint::of(&project.avro, root).to_string());
            }
            let text = own.and_then(|schema_name| match serde.format.value {
                Format::Avro => {
                    let root = project.avro.schema(schema_name)?;
                    // The normalized form spells a field's `order` as Java's enum constant;
                    // the registry reads either, the specification only lower case.
                    let locked = crate::lock::LockedSubject {
                        schema: normalized_form_of(&project.avro, root),
                        fingerprint: String::new(),
                        compatibility: String::new(),
                    };
                    Some(locked.schema_text())
                }
                format => {
                    let declared = declared.get(schema_name)?;
                    let expected = if format == Format::JsonSr { SchemaKind::JsonSchema } else { SchemaKind::Protobuf };
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
                files.push((
                    format!("{dir}/versions.json"),
                    super::json_file(&json!({ "schemaType": kind, "schema": text })),
                ));
            }
            subjects.push(subject);
        }
    }
    (subjects, files)
}
