//! `venice import` without a cluster: what it refuses before reading anything, and a target that
//! does not answer, after which nothing was written. The imports themselves are tested on the
//! stack (`tests/import_live.rs`) and their mappings by unit tests in `src/import/`.

use std::process::{Command, Stdio};

fn project(kdl: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("venice.kdl"), kdl).unwrap();
    dir
}

fn import(dir: &tempfile::TempDir, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_venice"))
        .arg("import")
        .arg(dir.path())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn a_bad_regex_or_an_undeclared_target_imports_nothing() {
    let dir = project("project p\ntarget prod {\n    kafka \"127.0.0.1:1\"\n}\n");
    let (status, out) = import(&dir, &["--target", "prod", "--include", "("]);
    assert_eq!(status, 2, "{out}");
    assert!(out.contains("`(` is not a regular expression"), "{out}");
    let (status, out) = import(&dir, &["--target", "staging"]);
    assert_eq!(status, 2, "{out}");
    assert!(out.contains("the project has no target `staging`; it has `prod`"), "{out}");
    assert!(out.contains("nothing was imported"), "{out}");
}

#[test]
fn a_target_that_does_not_answer_leaves_the_project_as_it_was() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let kdl = format!("project p // mine\ntarget prod {{\n    kafka \"127.0.0.1:{port}\"\n}}\n");
    let dir = project(&kdl);
    let (status, out) = import(&dir, &["--target", "prod"]);
    assert_eq!(status, 2, "{out}");
    assert!(out.contains(&format!("Kafka is not answering at 127.0.0.1:{port}")), "{out}");
    assert_eq!(std::fs::read_to_string(dir.path().join("venice.kdl")).unwrap(), kdl);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}
