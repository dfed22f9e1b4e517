//! Diagnostic tests: one fixture project per case under `tests/ui/<CODE>/<case>/`, with
//! snapshots of the human and the JSON output beside it (`human.snap`, `json.snap`).
//!
//! A case named `fail-*` must report its folder's code; a case named `pass-*` must report
//! neither its code nor any error (warnings of other codes may appear in its snapshot). Review changed snapshots with `cargo insta review`.

use std::path::{Path, PathBuf};
use venice::render::{HumanOptions, OutputFormat, render};

/// Every case folder, relative to the crate (so file names in snapshots are the same on every
/// machine), sorted.
fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = Vec::new();
    for code in std::fs::read_dir(root.join("tests/ui")).expect("tests/ui exists").flatten() {
        for case in std::fs::read_dir(code.path()).into_iter().flatten().flatten() {
            if case.path().is_dir() {
                cases.push(case.path().strip_prefix(root).expect("under the crate").to_path_buf());
            }
        }
    }
    cases.sort();
    cases
}

#[test]
fn every_fixture_reports_what_its_name_says_and_matches_its_snapshots() {
    let mut failures = Vec::new();
    for case in cases() {
        let code = case.parent().and_then(|p| p.file_name()).unwrap().to_string_lossy().into_owned();
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        // The repository is the root (cargo runs tests in it), named so that the fixtures do not
        // depend on a `.git` above them: a source archive checks the same as a clone.
        let checked = venice::check::check_every_target(&case, Some(std::path::Path::new(".")))
            .unwrap_or_else(|e| panic!("{}: {e:?}", case.display()));
        let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code).collect();
        if name.starts_with("fail-") && !codes.contains(&code.as_str()) {
            failures.push(format!("{}: expected {code}, got {codes:?}", case.display()));
        }
        if name.starts_with("pass-") && (codes.contains(&code.as_str()) || checked.has_errors()) {
            failures.push(format!("{}: expected no {code} and no errors, got {codes:?}", case.display()));
        }
        let human = render(OutputFormat::Human, &checked.diagnostics, &checked.sources, &HumanOptions::default());
        let json = render(OutputFormat::Json, &checked.diagnostics, &checked.sources, &HumanOptions::default());
        insta::with_settings!({
            snapshot_path => Path::new(env!("CARGO_MANIFEST_DIR")).join(&case),
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => case.display().to_string(),
        }, {
            insta::assert_snapshot!("human", human);
            insta::assert_snapshot!("json", json);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_front_end_code_has_a_failing_and_a_passing_case() {
    let all = cases();
    for rule in venice::rules::RULES.iter().filter(|r| r.code.starts_with("V0")) {
        for kind in ["fail-", "pass-"] {
            let found = all.iter().any(|c| {
                c.parent().and_then(|p| p.file_name()).is_some_and(|p| p == rule.code)
                    && c.file_name().is_some_and(|n| n.to_string_lossy().starts_with(kind))
            });
            assert!(found, "{} has no `{kind}*` case in tests/ui/{}", rule.code, rule.code);
        }
    }
}
