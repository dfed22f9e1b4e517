//! How long the registry's JSON Schema compatibility takes: two versions of a closed object of
//! 500 properties (strings with bounds, integers widened to numbers, `oneOf` unions extended,
//! nested objects, enums extended, arrays and `$ref`s), compared at BACKWARD.
//!
//! Target (issue 18): under 2 ms. Run with `cargo bench --bench json_schema`; criterion writes
//! the estimates to `target/criterion/json-schema-compat/500-fields/new/estimates.json`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use venice::json_schema::compat::incompatible_changes;
use venice::json_schema::{Document, JsonSchema, parse};
use venice::model::Compatibility;
use venice::source::FileId;

/// An object of 500 properties; the `update` version widens what it may and adds an optional
/// property, so the registry's answer is "compatible".
fn object_of_500_properties(update: bool) -> String {
    let mut properties = Vec::new();
    for i in 0..500 {
        let property = match (i % 6, update) {
            (0, false) => r#"{"type": "integer"}"#.to_string(),
            (0, true) => r#"{"type": "number"}"#.to_string(),
            (1, false) => r#"{"type": "string", "maxLength": 10}"#.to_string(),
            (1, true) => r#"{"type": "string", "maxLength": 20, "description": "wider"}"#.to_string(),
            (2, false) => r#"{"oneOf": [{"type": "null"}, {"type": "string"}]}"#.to_string(),
            (2, true) => r#"{"oneOf": [{"type": "null"}, {"type": "string"}, {"type": "integer"}]}"#.to_string(),
            (3, false) => r#"{"enum": ["A", "B"]}"#.to_string(),
            (3, true) => r#"{"enum": ["A", "B", "C"]}"#.to_string(),
            (4, _) => r##"{"$ref": "#/definitions/point"}"##.to_string(),
            _ => r#"{"type": "array", "items": {"type": "object", "properties": {"x": {"type": "number"}}, "additionalProperties": false}}"#.to_string(),
        };
        properties.push(format!(r#""f{i}": {property}"#));
    }
    if update {
        properties.push(r#""added": {"type": "string"}"#.to_string());
    }
    let required: Vec<String> = (0..500).step_by(7).map(|i| format!(r#""f{i}""#)).collect();
    format!(
        r#"{{"type": "object", "properties": {{{}}}, "required": [{}], "additionalProperties": false,
            "definitions": {{"point": {{"type": "object", "properties": {{"x": {{"type": "number"}}, "y": {{"type": "number"}}}}}}}}}}"#,
        properties.join(", "),
        required.join(", ")
    )
}

fn load(i: u32, text: &str) -> JsonSchema {
    parse(Document { name: "wide.json", file: FileId(i), text }, &[]).expect("the schema loads")
}

fn bench_json_schema_compat(c: &mut Criterion) {
    let (old_text, new_text) = (object_of_500_properties(false), object_of_500_properties(true));
    let (old, new) = (load(0, &old_text), load(1, &new_text));
    assert!(incompatible_changes(&old, &new).is_empty(), "the versions are compatible");
    let previous = [old];
    let mut group = c.benchmark_group("json-schema-compat");
    group.bench_function("500-fields", |b| {
        b.iter(|| {
            venice::json_schema::compat::check_level(Compatibility::Backward, black_box(&new), black_box(&previous))
        })
    });
    // What `venice schema compat` does end to end: both texts loaded, then compared.
    group.bench_function("500-fields-with-loading", |b| {
        b.iter(|| incompatible_changes(&load(0, black_box(&old_text)), &load(1, black_box(&new_text))))
    });
    group.finish();
}

criterion_group!(benches, bench_json_schema_compat);
criterion_main!(benches);
