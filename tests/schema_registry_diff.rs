//! Agreement with the Schema Registry's own JSON Schema compatibility examples.
//!
//! The examples are the registry's test vectors (`diff-schema-examples.json` and
//! `diff-combined-schema-examples.json` of its json-schema-provider), which the project does not
//! ship: these tests read them from the folder `VENICE_SR_DIFF_DIR` names, and are ignored unless
//! asked for (`VENICE_SR_DIFF_DIR=... cargo test --test schema_registry_diff -- --include-ignored`;
//! `.ci/run` sets it). Each case gives `original_schema`, `update_schema`, the registry's
//! `changes` (`TYPE "#/path"`) and `compatible` at BACKWARD.
//!
//! The examples measure the diff; they do not specify it: its rules follow the registry's source
//! (src/json_schema/diff.rs), and no case is treated apart. The floor only goes up.

use std::path::PathBuf;
use venice::json_schema::diff::compare;
use venice::json_schema::{Document, JsonSchema, parse};
use venice::source::FileId;

/// The share of cases whose `compatible` venice agrees with; the target is 0.98.
const COMPATIBLE_FLOOR: f64 = 1.0;

/// The files of the corpus this test reads (the Protobuf examples have their own test).
const FILES: [&str; 2] = ["json-schema-diff-schema-examples.json", "json-schema-diff-combined-schema-examples.json"];

/// The corpus's folder, from `VENICE_SR_DIFF_DIR`: a test that runs without it fails, saying so.
fn corpus() -> PathBuf {
    match std::env::var_os("VENICE_SR_DIFF_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => panic!(
            "set VENICE_SR_DIFF_DIR to the folder of the Schema Registry's compatibility examples \
             (schema-registry-diff; .ci/run sets it)"
        ),
    }
}

fn load(file: u32, value: &serde_json::Value) -> JsonSchema {
    let text = value.to_string();
    parse(Document { name: "schema.json", file: FileId(file), text: &text }, &[])
        .unwrap_or_else(|problems| panic!("{text} does not load: {problems:?}"))
}

/// What venice says of one case: compatible, and the changes as the corpus writes them.
fn judge(case: &serde_json::Value) -> (bool, Vec<String>) {
    let (original, update) = (load(0, &case["original_schema"]), load(1, &case["update_schema"]));
    let changes = compare(&original, &update);
    let compatible = changes.iter().all(|d| d.kind.is_compatible());
    (compatible, changes.iter().map(|d| format!("{} {}", d.kind.as_str(), d.path())).collect())
}

/// The corpus's change list, order aside: the registry walks properties in `HashSet` order.
fn sorted(mut changes: Vec<String>) -> Vec<String> {
    changes.sort();
    changes
}

#[test]
#[ignore = "needs VENICE_SR_DIFF_DIR, the registry's compatibility examples (.ci/run sets it)"]
fn json_schema_compatibility_agrees_with_the_registry() {
    let dir = corpus();
    let (mut total, mut compatible_agree, mut changes_agree) = (0usize, 0usize, 0usize);
    let mut disagreements = Vec::new();
    for file in FILES {
        let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("the examples are JSON");
        for case in &cases {
            total += 1;
            let (compatible, changes) = judge(case);
            let expected: Vec<String> = serde_json::from_value(case["changes"].clone()).expect("changes are strings");
            let same_compatible = Some(compatible) == case["compatible"].as_bool();
            let same_changes = sorted(changes.clone()) == sorted(expected.clone());
            compatible_agree += usize::from(same_compatible);
            changes_agree += usize::from(same_changes);
            if !same_compatible || !same_changes {
                disagreements.push(format!(
                    "{file}: {}: venice {compatible} {changes:?}, registry {expected:?}",
                    case["description"]
                ));
            }
        }
    }
    let share = |n: usize| n as f64 / total as f64;
    eprintln!(
        "{total} cases: `compatible` agrees on {compatible_agree} ({:.1}%), the exact change list on {changes_agree} ({:.1}%)",
        100.0 * share(compatible_agree),
        100.0 * share(changes_agree)
    );
    for d in &disagreements {
        eprintln!("  {d}");
    }
    assert!(
        share(compatible_agree) >= COMPATIBLE_FLOOR,
        "`compatible` agrees on {compatible_agree} of {total}, below the floor {COMPATIBLE_FLOOR}"
    );
}
