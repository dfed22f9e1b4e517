//! `venice ksql describe`: runs a file of ksqlDB statements, in order, against the schemas given
//! for registry subjects, and says which streams and tables exist afterwards, in ksqlDB's
//! DESCRIBE form (`ID INTEGER KEY, NAME STRING`), with their key and value formats.

use crate::ksql::catalog::{Registered, Source};
use crate::ksql::infer::Engine;
use crate::ksql::parser::parse;
use crate::ksql::problem::Problem;
use crate::model::SourceText;
use crate::source::{FileId, Span};
use std::fmt::Write as _;

/// The sources after the statements, sorted by name, and what was found on the way.
#[derive(Debug)]
pub(crate) struct Described {
    pub(crate) sources: Vec<Source>,
    pub(crate) problems: Vec<(Problem, Span)>,
}

/// A registry subject's schema, by its file's extension: `.proto` Protobuf, `.json` JSON Schema,
/// anything else Avro.
pub(crate) fn registered(text: &str, path: &str) -> Registered {
    if path.ends_with(".proto") {
        return Registered::Protobuf { text: text.to_string(), references: Vec::new() };
    }
    if !path.ends_with(".json") {
        return Registered::avro(text);
    }
    Registered::json_schema(text)
}

/// Runs the statements of `file` (its text is `text`) with the given subjects registered.
pub(crate) fn describe(file: FileId, text: String, subjects: Vec<(String, Registered)>) -> Described {
    let sql = SourceText::from_file(file, text);
    let (statements, errors) = parse(&sql);
    let mut problems: Vec<(Problem, Span)> =
        errors.into_iter().map(|e| (Problem::Syntax { message: e.message }, e.span)).collect();
    let mut engine = Engine::new();
    engine.registry.extend(subjects);
    engine.run(&sql, &statements, &mut problems);
    Described { sources: engine.sources.into_values().collect(), problems }
}

impl Described {
    /// The `sources` list of the JSON document: `{"name", "type", "schema", "keyFormat",
    /// "valueFormat"}` each, plus `"windowType"` for a windowed key and `"schemaKnown": false`
    /// when the columns could not be read (a Protobuf schema).
    pub(crate) fn sources_json(&self) -> serde_json::Value {
        let sources: Vec<serde_json::Value> = self
            .sources
            .iter()
            .map(|s| {
                let mut v = serde_json::json!({
                    "name": s.name,
                    "type": s.kind.as_str(),
                    "schema": s.describe(),
                    "keyFormat": s.key_format,
                    "valueFormat": s.value_format,
                    "topic": s.topic,
                });
                if let Some(w) = s.windowed {
                    v["windowType"] = serde_json::Value::from(w.as_str());
                }
                if !s.columns_known {
                    v["schemaKnown"] = serde_json::Value::Bool(false);
                }
                v
            })
            .collect();
        serde_json::Value::Array(sources)
    }

    /// The sources for people: one paragraph each.
    pub(crate) fn sources_human(&self) -> String {
        let mut out = String::new();
        for s in &self.sources {
            let window = s.windowed.map(|w| format!(", windowed {}", w.as_str())).unwrap_or_default();
            let _ = writeln!(
                out,
                "{} {} (topic `{}`, key {}, value {}{window})",
                s.kind.as_str().to_uppercase(),
                s.name,
                s.topic,
                if s.key_format.is_empty() { "?" } else { &s.key_format },
                if s.value_format.is_empty() { "?" } else { &s.value_format },
            );
            let schema = if s.columns_known { s.describe() } else { "(columns unknown)".into() };
            let _ = writeln!(out, "  {schema}");
        }
        if self.sources.is_empty() {
            out.push_str("no streams or tables\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_run_in_order_against_the_registered_subjects() {
        let avro = r#"{"type": "record", "name": "V", "fields": [{"name": "amount", "type": "double"}]}"#;
        let described = describe(
            FileId(0),
            "CREATE STREAM orders (id INT KEY) WITH (kafka_topic='orders', value_format='AVRO');\n\
             CREATE TABLE totals AS SELECT id, SUM(amount) AS total FROM orders GROUP BY id;"
                .into(),
            vec![("orders-value".into(), registered(avro, "order.avsc"))],
        );
        assert!(described.problems.is_empty(), "{:?}", described.problems);
        let json = described.sources_json();
        assert_eq!(json[0]["name"], "ORDERS");
        assert_eq!(json[0]["schema"], "ID INTEGER KEY, AMOUNT DOUBLE");
        assert_eq!(json[1]["schema"], "ID INTEGER PRIMARY KEY, TOTAL DOUBLE");
        assert_eq!(json[1]["keyFormat"], "KAFKA");
        assert_eq!(json[1]["valueFormat"], "AVRO");
        assert!(described.sources_human().contains("TABLE TOTALS (topic `TOTALS`, key KAFKA, value AVRO)"));
    }
}
