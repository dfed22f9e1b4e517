//! The false-positive guard: correct pipelines written outside venice's own tests (public
//! tutorials of Confluent, Debezium and ksqlDB, and variations of the examples), each under
//! `tests/clean/<name>/` with its source named in its README.md. Each must check with no
//! diagnostic at all, not even a warning: a checker that cries wolf gets switched off.
//!
//! A project venice wrongly reports waits in `PENDING`, with the false diagnostic named, until
//! the fix lands; then it moves to `CLEAN`. Offline: nothing here needs a service.

use std::path::Path;
use venice::render::{HumanOptions, OutputFormat, render};

/// The projects that must check clean: the examples, and every folder of tests/clean not
/// pending.
const CLEAN: &[&str] = &[
    "examples/bus-locations",
    "examples/cdc",
    "examples/shop",
    "tests/clean/bus-positions",
    "tests/clean/cdc-customer-totals",
    "tests/clean/debezium-envelope-ksql",
    "tests/clean/debezium-inventory",
    "tests/clean/foreign-key-join",
    "tests/clean/jdbc-sink-quickstart",
    "tests/clean/ksqldb-quickstart",
    "tests/clean/movie-ratings",
    "tests/clean/movies-rekeyed",
    "tests/clean/pageviews",
    "tests/clean/session-windows",
    "tests/clean/shipped-orders",
    "tests/clean/shop-customers",
];

/// Correct projects venice still reports, each with the false diagnostic.
const PENDING: &[(&str, &str)] = &[];

#[test]
fn every_clean_project_checks_without_a_diagnostic() {
    let mut failures = Vec::new();
    for project in CLEAN {
        // The repository is the root, as for the UI fixtures: a source archive checks the same.
        let checked = venice::check::check_every_target(Path::new(project), Some(Path::new(".")))
            .unwrap_or_else(|e| panic!("{project}: {e:?}"));
        if !checked.diagnostics.is_empty() {
            let shown = render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &HumanOptions::default());
            failures.push(format!("{project}:\n{shown}"));
        }
    }
    assert!(failures.is_empty(), "correct projects reported:\n{}", failures.join("\n"));
}

#[test]
fn every_project_of_the_corpus_is_listed_and_names_its_source() {
    let mut listed: Vec<&str> = CLEAN.iter().copied().chain(PENDING.iter().map(|(p, _)| *p)).collect();
    listed.retain(|p| p.starts_with("tests/clean/"));
    listed.sort();
    let mut found: Vec<String> = std::fs::read_dir("tests/clean")
        .expect("tests/clean exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| format!("tests/clean/{}", e.file_name().to_string_lossy()))
        .collect();
    found.sort();
    assert_eq!(found, listed, "every folder of tests/clean is in CLEAN or PENDING");
    assert!(found.len() >= 8, "the corpus has at least eight projects");
    for project in &found {
        let readme = std::fs::read_to_string(Path::new(project).join("README.md"))
            .unwrap_or_else(|_| panic!("{project} has a README.md naming its source"));
        assert!(readme.contains("Source"), "{project}'s README.md names its source");
    }
}

#[test]
fn pending_projects_are_still_reported_with_their_code() {
    // When a fix lands, the project moves to CLEAN: this fails to say so.
    for (project, why) in PENDING {
        let checked = venice::check::check_within(Path::new(project), Some(Path::new("."))).unwrap();
        let code = &why[..4];
        assert!(
            checked.diagnostics.iter().any(|d| d.code == code),
            "{project} no longer reports {code}: move it to CLEAN"
        );
    }
}
