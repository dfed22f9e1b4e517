//! Agreement with the Schema Registry's own Protobuf compatibility examples
//! (`protobuf-provider/src/test/resources/diff-schema-examples.json` in
//! confluentinc/schema-registry): for each case, whether `update_schema` may follow
//! `original_schema` at BACKWARD (`compatible`), and the exact list of changes its diff reports
//! (`changes`, `TYPE #/path`, compared as sets: the registry walks hash sets).
//!
//! The examples are third-party data (Confluent Community License) and are not part of the
//! project: the test reads them from the folder that `VENICE_SR_DIFF_DIR` names, and is ignored
//! unless asked for (`VENICE_SR_DIFF_DIR=... cargo test --test schema_registry_diff_protobuf --
//! --include-ignored`; `.ci/run` sets the variable). The examples measure the rules; they do not
//! write them: the rules follow the registry's source (src/protobuf/diff.rs).

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::Value;
use venice::protobuf::{Imported, Reference, Schema, compare, parse};

/// The examples' folder, from `VENICE_SR_DIFF_DIR`: a test that runs without it fails, saying so.
fn corpus() -> PathBuf {
    match std::env::var_os("VENICE_SR_DIFF_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!(
            "set VENICE_SR_DIFF_DIR to the folder of the Schema Registry's compatibility examples \
             (protobuf-diff-schema-examples.json, from protobuf-provider/src/test/resources in \
             confluentinc/schema-registry)"
        ),
    }
}

/// The share of cases on which `compatible` agrees with the registry. Floors only go up.
const COMPATIBLE_FLOOR: f64 = 1.0;
/// The share of cases whose list of changes is the registry's exactly. Floors only go up.
const EXACT_FLOOR: f64 = 1.0;

/// A case's schema with its dependencies, each under its reference (subject and version).
fn schema(case: &Value, side: &str) -> Result<Schema, String> {
    let text = case[format!("{side}_schema")].as_str().ok_or("no schema")?;
    let references: HashMap<&str, Reference> = (case[format!("{side}_references")].as_array().into_iter().flatten())
        .filter_map(|r| {
            let reference =
                Reference { subject: r["subject"].as_str()?.to_string(), version: r["version"].to_string() };
            Some((r["name"].as_str()?, reference))
        })
        .collect();
    let dependencies: HashMap<&str, &str> = (case[format!("{side}_dependencies")].as_array().into_iter().flatten())
        .filter_map(|d| Some((d["name"].as_str()?, d["dependency"].as_str()?)))
        .collect();
    let load = |name: &str| {
        let text = dependencies.get(name)?;
        Some(Imported { shown: name.to_string(), text: text.to_string(), reference: references.get(name).cloned() })
    };
    parse(&format!("{side}.proto"), &format!("{side}.proto"), text, &load).map_err(|problems| format!("{problems:?}"))
}

#[test]
#[ignore = "needs the Schema Registry's examples in VENICE_SR_DIFF_DIR (.ci/run sets it)"]
fn the_diff_agrees_with_the_registry() {
    let path = corpus().join("protobuf-diff-schema-examples.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let cases: Vec<Value> = serde_json::from_str(&text).expect("the examples are JSON");
    let (mut agreed, mut exact) = (0, 0);
    for case in &cases {
        let description = case["description"].as_str().unwrap_or_default();
        let (original, update) = match (schema(case, "original"), schema(case, "update")) {
            (Ok(o), Ok(u)) => (o, u),
            (o, u) => {
                println!("does not parse: {description}: {:?} {:?}", o.err(), u.err());
                continue;
            }
        };
        let differences = compare(&original, &update);
        let compatible = differences.iter().all(|d| d.change.is_compatible());
        let mut found: Vec<String> = differences.iter().map(|d| format!("{} {}", d.change.as_str(), d.path)).collect();
        let mut expected: Vec<String> =
            (case["changes"].as_array().into_iter().flatten()).filter_map(|c| Some(c.as_str()?.to_string())).collect();
        found.sort();
        expected.sort();
        if compatible == case["compatible"].as_bool().unwrap_or_default() {
            agreed += 1;
        } else {
            println!("disagrees on compatible: {description}: found {found:?}");
        }
        if found == expected {
            exact += 1;
        } else {
            println!("other changes: {description}: found {found:?}, the registry {expected:?}");
        }
    }
    let share = |n: usize| n as f64 / cases.len() as f64;
    println!("compatible agrees: {:.1}% ({agreed} of {})", share(agreed) * 100.0, cases.len());
    println!("changes exactly the registry's: {:.1}% ({exact} of {})", share(exact) * 100.0, cases.len());
    assert!(share(agreed) >= COMPATIBLE_FLOOR, "agreement on `compatible` fell below {COMPATIBLE_FLOOR}");
    assert!(share(exact) >= EXACT_FLOOR, "agreement on the changes fell below {EXACT_FLOOR}");
}
