//! How long `venice check` takes as a library call, on generated projects of N = 1,000 and
//! N = 10,000 topics (see `support/gen.rs`).
//!
//! Target: under 50 ms median for N = 1,000 on a 2-core machine, and growth no worse than
//! linear. Run with `cargo bench --bench check`; criterion writes each benchmark's estimates
//! (the median included) to `target/criterion/check/<N>/new/estimates.json`.
//!
//! `check/locked/1000` is N = 1,000 with the venice.lock its build records: every rule on,
//! the evolution checks included (target: under 100 ms).
//!
//! The group `compat` measures reader/writer compatibility of two versions of a record of 500
//! fields (`cargo bench --bench check -- compat`).

#[path = "support/gen.rs"]
mod generator;

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// The sizes measured, with the sample count and measurement time for each; chosen so that the
/// whole run stays within a few minutes on 2 cores.
const SIZES: [(usize, usize, u64); 2] = [(1_000, 50, 10), (10_000, 10, 30)];

fn assert_clean(n: usize, dir: &Path) {
    let checked = venice::check::check(dir).expect("the generated project is found");
    assert!(
        checked.diagnostics.is_empty(),
        "the generated project of {n} topics has {} diagnostics; the first: {:#?}",
        checked.diagnostics.len(),
        checked.diagnostics.iter().take(5).collect::<Vec<_>>()
    );
}

fn bench_check(c: &mut Criterion) {
    let projects: Vec<(usize, tempfile::TempDir)> = SIZES
        .iter()
        .map(|&(n, _, _)| {
            let dir = tempfile::tempdir().expect("a temporary folder");
            generator::write(n, dir.path(), generator::Shape::Full).expect("the project is written");
            assert_clean(n, dir.path());
            (n, dir)
        })
        .collect();
    let mut group = c.benchmark_group("check");
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(2));
    for ((n, dir), &(_, samples, seconds)) in projects.iter().zip(&SIZES) {
        group.sample_size(samples);
        group.measurement_time(Duration::from_secs(seconds));
        group.bench_with_input(BenchmarkId::from_parameter(n), dir.path(), |b, dir| {
            b.iter(|| venice::check::check(black_box(dir)).expect("the project is found"));
        });
    }
    // With every rule on: the N = 1,000 project with the venice.lock its build records, so the
    // evolution checks (V202, V503) compare every subject and topic with it.
    let (n, dir) = &projects[0];
    let checked = venice::check::check(dir.path()).expect("found");
    venice::lock::Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources)
        .write(dir.path())
        .expect("the lock is written");
    assert_clean(*n, dir.path());
    group.sample_size(50);
    group.measurement_time(Duration::from_secs(10));
    group.bench_with_input(BenchmarkId::new("locked", n), dir.path(), |b, dir| {
        b.iter(|| venice::check::check(black_box(dir)).expect("the project is found"));
    });
    group.finish();
}

/// Two versions of a record of 500 fields: the reader promotes ints to longs, renames fields
/// through aliases, widens unions and adds fields with defaults, so every rule runs and the
/// answer is "compatible".
fn record_of_500_fields(reader: bool) -> String {
    let mut fields = Vec::new();
    for i in 0..500 {
        let field = match (i % 5, reader) {
            (0, false) => format!(r#"{{"name": "f{i}", "type": "int"}}"#),
            (0, true) => format!(r#"{{"name": "f{i}", "type": "long"}}"#),
            (1, false) => format!(r#"{{"name": "f{i}", "type": "string"}}"#),
            (1, true) => format!(r#"{{"name": "g{i}", "aliases": ["f{i}"], "type": "string"}}"#),
            (2, false) => format!(r#"{{"name": "f{i}", "type": ["null", "string"], "default": null}}"#),
            (2, true) => format!(r#"{{"name": "f{i}", "type": ["null", "string", "long"], "default": null}}"#),
            (3, _) => format!(
                r#"{{"name": "f{i}", "type": {{"type": "enum", "name": "E{i}", "symbols": ["A", "B"], "default": "A"}}}}"#
            ),
            _ => format!(
                r#"{{"name": "f{i}", "type": {{"type": "record", "name": "R{i}", "fields": [{{"name": "x", "type": "double"}}, {{"name": "y", "type": {{"type": "array", "items": "float"}}}}]}}}}"#
            ),
        };
        fields.push(field);
    }
    if reader {
        fields.push(r#"{"name": "added", "type": "string", "default": ""}"#.to_string());
    }
    format!(r#"{{"type": "record", "name": "Wide", "namespace": "bench", "fields": [{}]}}"#, fields.join(", "))
}

fn bench_compat(c: &mut Criterion) {
    use venice::avro::Catalog;
    use venice::avro::compat::{SchemaRef, check_reader_writer};
    let parse = |i: u32, text: String| {
        let mut diagnostics = Vec::new();
        let text = venice::model::SourceText::from_file(venice::source::FileId(i), text);
        let catalog = Catalog::from_texts(vec![("Wide".into(), text)], &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:#?}");
        catalog
    };
    let (reader, writer) = (parse(0, record_of_500_fields(true)), parse(1, record_of_500_fields(false)));
    let r = SchemaRef::new(&reader, reader.schema("Wide").expect("parsed"));
    let w = SchemaRef::new(&writer, writer.schema("Wide").expect("parsed"));
    assert!(check_reader_writer(r, w).is_empty(), "the versions are compatible");
    let mut group = c.benchmark_group("compat");
    group.bench_function("500-fields", |b| b.iter(|| check_reader_writer(black_box(r), black_box(w))));
    group.finish();
}

criterion_group!(benches, bench_check, bench_compat);
criterion_main!(benches);
