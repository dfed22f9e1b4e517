//! How long `venice check` takes as a library call, on generated projects of N = 1,000 and
//! N = 10,000 topics (see `support/gen.rs`).
//!
//! Target: under 50 ms median for N = 1,000 on a 2-core machine, and growth no worse than
//! linear. Run with `cargo bench --bench check`; criterion writes each benchmark's estimates
//! (the median included) to `target/criterion/check/<N>/new/estimates.json`.

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
            generator::write(n, dir.path()).expect("the project is written");
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
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
