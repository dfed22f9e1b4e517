//! Conformance of the ksqlDB front end with ksqlDB's own query-validation tests (the JSON files
//! of `ksqldb-functional-tests/src/test/resources/query-validation-tests` in confluentinc/ksql):
//! the parser (statements that parse, expected parse failures reported) and the analysis
//! (statements analysed without a diagnostic, expected `post.sources` inferred exactly, expected
//! `ParseFailedException`/`KsqlStatementException` rejections reported).
//!
//! The corpus is third-party data (Confluent Community License) and is not part of the project:
//! these tests read it from the folder that `VENICE_QTT_DIR` names, and are ignored unless asked
//! for (`VENICE_QTT_DIR=... cargo test --test ksql_conformance -- --include-ignored`; `.ci/run`
//! sets the variable).
//!
//! The floors below are what the front end reaches today on the development set CI points to
//! (149 of the folder's files), rounded down to 0.1%. Floors only go up: raise them when the
//! front end gets better, never lower them. `venice ksql conformance DIR` prints the same shares
//! (`--verbose` lists every miss).

use std::path::PathBuf;
use venice::ksql_conformance::{analysis_conformance, parse_conformance};

/// The corpus's folder, from `VENICE_QTT_DIR`: a test that runs without it fails, saying so.
fn corpus() -> PathBuf {
    match std::env::var_os("VENICE_QTT_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => panic!(
            "set VENICE_QTT_DIR to the folder of ksqlDB's query-validation tests \
             (ksqldb-functional-tests/src/test/resources/query-validation-tests in confluentinc/ksql)"
        ),
    }
}

/// The share of the statements of tests that expect no error which parse without error.
const PARSE_FLOOR: f64 = 1.0;
/// The share of tests expecting a `ParseFailedException` in which some statement does not parse.
const REJECTION_FLOOR: f64 = 1.0;

#[test]
#[ignore = "needs the ksqlDB corpus in VENICE_QTT_DIR (.ci/run sets it)"]
fn the_parser_holds_its_conformance_shares() {
    let report = parse_conformance(&corpus()).expect("the corpus can be read");
    for note in &report.notes {
        println!("note: {note}");
    }
    for (test, statement, error) in &report.failures {
        println!("does not parse: {test}\n  {statement}\n  {error}");
    }
    for test in &report.missed_rejections {
        println!("not rejected: {test}");
    }
    println!(
        "statements that parse: {:.1}% ({} of {})",
        report.parse_share() * 100.0,
        report.parsed,
        report.statements
    );
    println!(
        "expected parse failures reported: {:.1}% ({} of {})",
        report.rejection_share() * 100.0,
        report.rejected,
        report.rejections_expected
    );
    assert!(report.statements > 0, "the corpus has statements");
    assert!(report.parse_share() >= PARSE_FLOOR, "the parse share fell below {PARSE_FLOOR}");
    assert!(report.rejection_share() >= REJECTION_FLOOR, "the rejection share fell below {REJECTION_FLOOR}");
}

/// The share of the statements of tests that expect no error which parse and analyse without a
/// diagnostic.
const CLEAN_FLOOR: f64 = 0.985;
/// The share of the expected `post.sources` inferred exactly (name, type, schema, formats).
const SOURCE_FLOOR: f64 = 0.965;
/// The share of tests expecting a `ParseFailedException` or `KsqlStatementException` in which
/// some statement gets a diagnostic.
const ANALYSIS_REJECTION_FLOOR: f64 = 0.821;

#[test]
#[ignore = "needs the ksqlDB corpus in VENICE_QTT_DIR (.ci/run sets it)"]
fn the_analysis_holds_its_conformance_shares() {
    let started = std::time::Instant::now();
    let report = analysis_conformance(&corpus()).expect("the corpus can be read");
    let elapsed = started.elapsed();
    for (test, statement, message) in &report.failures {
        println!("not clean: {test}\n  {statement}\n  {message}");
    }
    for (test, expected, got) in &report.mismatches {
        println!("source differs: {test}\n  expected {expected}\n  inferred {got}");
    }
    for test in &report.missed_rejections {
        println!("not rejected: {test}");
    }
    println!(
        "statements analysed cleanly: {:.1}% ({} of {})",
        report.clean_share() * 100.0,
        report.clean,
        report.statements
    );
    println!(
        "sources inferred exactly: {:.1}% ({} of {})",
        report.source_share() * 100.0,
        report.matched,
        report.sources
    );
    println!(
        "expected rejections reported: {:.1}% ({} of {})",
        report.rejection_share() * 100.0,
        report.rejected,
        report.rejections_expected
    );
    println!("the whole corpus parsed and analysed in {} ms", elapsed.as_millis());
    assert!(report.sources > 0, "the corpus has expected sources");
    assert!(report.clean_share() >= CLEAN_FLOOR, "the clean share fell below {CLEAN_FLOOR}");
    assert!(report.source_share() >= SOURCE_FLOOR, "the source share fell below {SOURCE_FLOOR}");
    assert!(
        report.rejection_share() >= ANALYSIS_REJECTION_FLOOR,
        "the rejection share fell below {ANALYSIS_REJECTION_FLOOR}"
    );
}
