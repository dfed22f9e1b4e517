//! How long `venice build` takes as a library call on the generated project of N = 1,000 topics
//! (see `support/gen.rs`): check, render every output, and write the folder (and the lock).
//!
//! Target: under 150 ms median on a 2-core machine. Run with `cargo bench --bench build`;
//! criterion writes the estimates (the median included) to
//! `target/criterion/build/<name>/new/estimates.json`. The group measures the whole build
//! (`full`) and the rendering alone of an already checked project (`render`).

#[path = "support/gen.rs"]
mod generator;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 1_000;

fn bench_build(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    generator::write(N, dir.path(), generator::Shape::Full).expect("the project is written");
    let out = tempfile::tempdir().expect("an output folder");
    let checked = venice::check::check(dir.path()).expect("the generated project is found");
    assert!(
        !checked.has_errors(),
        "the generated project has errors: {:#?}",
        &checked.diagnostics[..5.min(checked.diagnostics.len())]
    );
    let rendered = venice::build::render(&checked, dir.path());
    assert!(rendered.files.len() > N / 2, "every output is rendered: {}", rendered.files.len());

    let mut group = c.benchmark_group("build");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(30);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(15));
    group.bench_function("full-1000", |b| {
        b.iter(|| {
            let checked = venice::check::check(black_box(dir.path())).expect("found");
            let rendered = venice::build::render(&checked, dir.path());
            venice::build::write(&rendered, out.path()).expect("written");
            venice::lock::Lock::from_project(&checked.project, &checked.analysis.avro, &checked.sources)
                .write(dir.path())
                .expect("the lock is written");
        });
    });
    group.bench_function("render-1000", |b| b.iter(|| venice::build::render(black_box(&checked), dir.path())));
    group.finish();
}

criterion_group!(benches, bench_build);
criterion_main!(benches);
