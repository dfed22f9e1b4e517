//! Compatibility of two versions of a Protobuf message of 500 fields, as `venice schema compat`
//! checks it (issue 18's target: under 2 ms).
//!
//! `protobuf/compat/500-fields` times the registry's diff and level on parsed schemas;
//! `protobuf/parse-and-compat/500-fields` also parses and compiles both files first, as the
//! command does. Run with `cargo bench --bench protobuf`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use venice::model::Compatibility;
use venice::protobuf::{Schema, check_level, parse};

/// A message of 500 fields of every kind (scalars, enums, messages of a nested type, maps,
/// oneof members, repeated fields); the update widens int32s to int64s, renames some fields and
/// adds one, so every rule runs and the answer, both ways (FULL), is "compatible".
fn message_of_500_fields(update: bool) -> String {
    let mut fields = Vec::new();
    let mut oneof = Vec::new();
    for i in 1..=500 {
        let field = match (i % 6, update) {
            (0, false) => format!("int32 f{i} = {i};"),
            (0, true) => format!("int64 f{i} = {i};"),
            (1, false) => format!("string f{i} = {i};"),
            (1, true) => format!("string g{i} = {i};"),
            (2, _) => format!("Status f{i} = {i};"),
            (3, _) => format!("Inner f{i} = {i};"),
            (4, _) => format!("map<string, Inner> f{i} = {i};"),
            _ if i % 60 == 5 => {
                oneof.push(format!("bytes f{i} = {i};"));
                continue;
            }
            _ => format!("repeated double f{i} = {i};"),
        };
        fields.push(field);
    }
    if update {
        fields.push("string added = 501;".to_string());
    }
    format!(
        "syntax = \"proto3\";\npackage bench;\n\nmessage Wide {{\n  {}\n  oneof choice {{\n    {}\n  }}\n  \
         message Inner {{ string x = 1; repeated float y = 2; }}\n  enum Status {{ A = 0; B = 1; }}\n}}\n",
        fields.join("\n  "),
        oneof.join("\n    ")
    )
}

fn parsed(text: &str) -> Schema {
    parse("wide.proto", "wide.proto", text, &|_| None).expect("the schema compiles")
}

fn bench_compat(c: &mut Criterion) {
    let (old_text, new_text) = (message_of_500_fields(false), message_of_500_fields(true));
    let (old, new) = (parsed(&old_text), parsed(&new_text));
    let previous = [old];
    assert!(check_level(Compatibility::Full, &new, &previous).is_empty(), "the versions are compatible");
    let mut group = c.benchmark_group("protobuf");
    group.bench_function("compat/500-fields", |b| {
        b.iter(|| check_level(Compatibility::Full, black_box(&new), black_box(&previous)))
    });
    group.bench_function("parse-and-compat/500-fields", |b| {
        b.iter(|| {
            let previous = [parsed(black_box(&old_text))];
            check_level(Compatibility::Full, &parsed(black_box(&new_text)), &previous)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_compat);
criterion_main!(benches);
