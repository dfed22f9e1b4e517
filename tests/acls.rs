//! The access each example grants in each of its targets, offline: `venice acls --target T`
//! (per principal, each resource's operations, derived from the graph or written in an `acl`,
//! and why; then the quotas), one insta snapshot per example and target.
//!
//! A change to what the graph derives, to an example's principals or to a target's mapping shows
//! here as a reviewed diff (`cargo insta review`, or `INSTA_UPDATE=always`).

use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: [&str; 3] = ["shop", "bus-locations", "cdc"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The targets an example's venice.kdl declares, in order (`target NAME` at the start of a line).
fn targets(example: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(example.join("venice.kdl")).unwrap();
    text.lines()
        .filter_map(|line| line.strip_prefix("target "))
        .map(|rest| rest.split_whitespace().next().unwrap().to_string())
        .collect()
}

/// `venice acls --target TARGET` of an example, run from the repository root so that the paths
/// it prints are the same on every machine.
fn acls(example: &str, target: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(["acls", &format!("examples/{example}"), "--target", target])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("venice runs");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{example} in {target}: {stdout}{stderr}");
    stdout
}

#[test]
fn each_examples_access_in_each_target() {
    let mut seen = 0;
    for example in EXAMPLES {
        for target in targets(&root().join("examples").join(example)) {
            insta::assert_snapshot!(format!("{example}@{target}"), acls(example, &target));
            seen += 1;
        }
    }
    // The shop declares staging and prod beside the local stack; every example its `local`.
    assert!(seen >= 5, "only {seen} views");
}

/// The targets differ where the shop says they do: staging prefixes every principal, prod runs
/// the web app and the ledger as its own accounts and limits the web app's.
#[test]
fn the_shops_targets_map_its_principals() {
    let staging = acls("shop", "staging");
    let prod = acls("shop", "prod");
    assert!(staging.contains("\nUser:staging-web-app\n") && !staging.contains("\nUser:web-app\n"), "{staging}");
    assert!(prod.contains("\nUser:sa-web-7f3k2\n") && !prod.contains("\nUser:web-app\n"), "{prod}");
    assert!(prod.contains("quota User:sa-web-7f3k2"), "{prod}");
    for text in [&staging, &prod] {
        assert!(text.contains("[explicit]") && text.contains("[derived]"), "{text}");
    }
}
