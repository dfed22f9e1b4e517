//! The compatibility suite: every case of `tests/data/avro_compat.json` (ported from the test
//! suites of Java Avro and of the Confluent Schema Registry, each with the `source` it comes
//! from) must get the verdict Java gives, and where the case lists them, Java's incompatibility
//! types, locations and detail messages, in Java's order.

use serde_json::Value;
use std::collections::BTreeMap;
use venice::avro::Catalog;
use venice::avro::compat::{SchemaRef, check_level, check_reader_writer};
use venice::model::{Compatibility, SourceText};
use venice::source::FileId;

const DATA: &str = include_str!("data/avro_compat.json");

/// Each named schema parsed on its own, as the registry parses each version.
fn catalogs(schemas: &serde_json::Map<String, Value>) -> BTreeMap<String, Catalog> {
    schemas
        .iter()
        .enumerate()
        .map(|(i, (name, schema))| {
            let mut diagnostics = Vec::new();
            let text = SourceText::from_file(FileId(i as u32), schema.to_string());
            let catalog = Catalog::from_texts(vec![(name.clone(), text)], &mut diagnostics);
            assert!(diagnostics.is_empty(), "schema {name} does not parse: {diagnostics:#?}");
            (name.clone(), catalog)
        })
        .collect()
}

fn schema<'a>(catalogs: &'a BTreeMap<String, Catalog>, name: &Value) -> SchemaRef<'a> {
    let name = name.as_str().expect("a schema is named");
    let catalog = catalogs.get(name).unwrap_or_else(|| panic!("no schema {name}"));
    SchemaRef::new(catalog, catalog.schema(name).expect("parsed"))
}

#[test]
fn every_case_agrees_with_java_avro_and_the_schema_registry() {
    let data: Value = serde_json::from_str(DATA).expect("the data file is JSON");
    let catalogs = catalogs(data["schemas"].as_object().expect("schemas"));
    let cases = data["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let (mut pairs, mut levels) = (0, 0);
    for (i, case) in cases.iter().enumerate() {
        let source = case["source"].as_str().expect("every case cites its source");
        let expected = case["compatible"].as_bool().expect("every case has a verdict");
        let got: Vec<Value> = if let Some(level) = case.get("level") {
            levels += 1;
            let level = Compatibility::parse(level.as_str().unwrap()).expect("a level");
            let previous: Vec<SchemaRef> =
                case["previous"].as_array().unwrap().iter().map(|p| schema(&catalogs, p)).collect();
            check_level(level, schema(&catalogs, &case["new"]), &previous)
                .into_iter()
                .map(|found| {
                    let i = found.incompatibility;
                    serde_json::json!({"type": i.kind().as_str(), "path": i.path, "message": i.java_message()})
                })
                .collect()
        } else {
            pairs += 1;
            check_reader_writer(schema(&catalogs, &case["reader"]), schema(&catalogs, &case["writer"]))
                .into_iter()
                .map(|i| serde_json::json!({"type": i.kind().as_str(), "path": i.path, "message": i.java_message()}))
                .collect()
        };
        if got.is_empty() != expected {
            failures.push(format!("case {i} ({source}): expected compatible={expected}, got {got:?}"));
        } else if let Some(listed) = case.get("incompatibilities")
            && listed.as_array() != Some(&got)
        {
            failures.push(format!("case {i} ({source}):\n  expected {listed}\n  got      {}", Value::Array(got)));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases disagree:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert!(cases.len() >= 120, "the suite holds at least 120 cases");
    assert!(pairs > 0 && levels > 0);
    eprintln!("{} cases agree ({pairs} reader/writer, {levels} registry levels)", cases.len());
}

#[test]
fn every_case_cites_where_it_comes_from() {
    let data: Value = serde_json::from_str(DATA).unwrap();
    for case in data["cases"].as_array().unwrap() {
        let source = case["source"].as_str().unwrap_or_default();
        assert!(source.starts_with("apache/avro ") || source.starts_with("confluentinc/schema-registry "), "{case}");
    }
}
