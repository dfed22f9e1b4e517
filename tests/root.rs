//! The project's root (V011): files a project names are read only inside it, so nothing outside
//! the repository reaches any output. Each case is built at test time in a temporary folder laid
//! out as a git repository (a `.git` folder) beside an `outside/` folder whose files hold a unique
//! marker; `venice check` runs in every output format, and the marker must appear in none.

use std::path::Path;
use std::process::Command;

/// A string no output holds unless the file outside the root was read.
const MARKER: &str = "OUTSIDE-THE-ROOT-7c1e9a";

const FORMATS: [&str; 4] = ["human", "json", "sarif", "github"];

/// `top/outside/` (files holding the marker, one of them invalid Avro a V201 would quote) and
/// `top/repo/` with a `.git` folder and the project in `top/repo/project/`.
fn layout(project: &str) -> tempfile::TempDir {
    let top = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let full = top.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    write("outside/secret.avsc", &format!("{{\"type\": \"record\", \"name\": \"{MARKER}\"\n"));
    write("outside/leak.kdl", &format!("topic {MARKER} {{\n"));
    write("outside/password", MARKER);
    write("repo/schemas/order.avsc", r#"{"type": "record", "name": "Order", "fields": []}"#);
    std::fs::create_dir_all(top.path().join("repo/.git")).unwrap();
    write("repo/project/venice.kdl", &project.replace("{top}", &top.path().to_string_lossy()));
    top
}

struct Output {
    status: i32,
    text: String,
}

fn venice(args: &[&str], cwd: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_venice"))
        .args(args)
        .current_dir(cwd)
        .env("VENICE_TEST_MARKER", MARKER)
        .output()
        .expect("venice runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Output { status: out.status.code().unwrap_or(-1), text }
}

/// `venice check` of the project in every format: exit 1, V011, and never the marker.
fn refused_in_every_format(project: &str) {
    let top = layout(project);
    refused_in(top.path(), 1);
}

/// Checks `top/repo/project` in every format: exit 1, at least `count` V011, no marker.
fn refused_in(top: &Path, count: usize) {
    for format in FORMATS {
        let out = venice(&["check", "--format", format, "repo/project"], top);
        assert_eq!(out.status, 1, "{format}: {}", out.text);
        assert!(reported(&out.text, format) >= count, "{format}: {}", out.text);
        assert!(!out.text.contains(MARKER), "{format} shows the outside file: {}", out.text);
    }
}

/// How many V011 diagnostics an output holds (SARIF also lists every rule's documentation).
fn reported(text: &str, format: &str) -> usize {
    let needle = match format {
        "human" => "\nV011\n",
        "json" => "\"code\": \"V011\"",
        "sarif" => "\"ruleId\": \"V011\"",
        _ => "title=V011",
    };
    format!("\n{text}").matches(needle).count()
}

#[test]
fn an_absolute_path_outside_the_root_is_not_read() {
    refused_in_every_format("project p\nschema S path=\"{top}/outside/secret.avsc\"\n");
}

#[test]
fn dot_dot_out_of_the_root_is_not_read() {
    refused_in_every_format("project p\ntransform t path=\"../../outside/secret.avsc\"\n");
}

#[test]
fn a_symlink_out_of_the_root_is_not_read() {
    let project = "project p\nschema S path=\"../link.avsc\"\ninclude \"../linked-folder/*.kdl\"\n";
    let top = layout(project);
    symlink(&top.path().join("outside/secret.avsc"), &top.path().join("repo/link.avsc"));
    symlink(&top.path().join("outside"), &top.path().join("repo/linked-folder"));
    refused_in(top.path(), 2);
}

#[test]
fn an_include_out_of_the_root_is_not_read() {
    refused_in_every_format("project p\ninclude \"../../outside/leak.kdl\"\n");
    refused_in_every_format("project p\ninclude \"../../outside/*.kdl\"\n");
}

#[cfg(target_os = "linux")]
#[test]
fn the_process_environment_is_not_read() {
    refused_in_every_format("project p\nschema S path=\"/proc/self/environ\"\n");
}

#[test]
fn a_monorepo_project_reads_beside_its_folder_inside_the_git_root() {
    let top = layout("project p\nschema Order path=\"../schemas/order.avsc\"\n");
    let out = venice(&["check", "repo/project"], top.path());
    assert_eq!(out.status, 0, "{}", out.text);
    assert!(!out.text.contains("V011"), "{}", out.text);
}

#[test]
fn without_git_the_root_is_the_project_folder() {
    let top = layout("project p\nschema Order path=\"../schemas/order.avsc\"\n");
    std::fs::remove_dir(top.path().join("repo/.git")).unwrap();
    let out = venice(&["check", "--format", "json", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("outside the project root `repo/project`"), "{}", out.text);
}

#[test]
fn root_widens_it_explicitly() {
    let project = "project p\nschema S path=\"../../outside/secret.avsc\"\n";
    let top = layout(project);
    // Widened, the file is read: the marker the check refused to show is in the V201 it quotes.
    let out = venice(&["check", "--root", ".", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("V201") && out.text.contains(MARKER) && !out.text.contains("V011"), "{}", out.text);
    // The `root` setting does the same, relative to venice.kdl's folder.
    let top = layout(&format!("root \"../..\"\n{project}"));
    let out = venice(&["check", "repo/project"], top.path());
    assert!(out.text.contains("V201") && !out.text.contains("V011"), "{}", out.text);
    // `--root` replaces the setting: narrowed to the project folder, the file is refused again.
    let out = venice(&["check", "--root", "repo/project", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("V011") && !out.text.contains(MARKER), "{}", out.text);
}

#[test]
fn a_root_that_is_not_a_folder_cannot_run() {
    let top = layout("project p\n");
    let out = venice(&["check", "--root", "missing", "repo/project"], top.path());
    assert_eq!(out.status, 2, "{}", out.text);
    let top = layout("root \"missing\"\nproject p\n");
    let out = venice(&["check", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("V006") && out.text.contains("no such folder"), "{}", out.text);
}

#[test]
fn a_root_that_does_not_hold_the_project_cannot_be_it() {
    let top = layout("project p\n");
    std::fs::create_dir(top.path().join("elsewhere")).unwrap();
    let out = venice(&["check", "--root", "elsewhere", "repo/project"], top.path());
    assert_eq!(out.status, 2, "{}", out.text);
    assert!(out.text.contains("it does not hold the project folder"), "{}", out.text);
    let top = layout("root \"../../elsewhere\"\nproject p\n");
    std::fs::create_dir(top.path().join("elsewhere")).unwrap();
    let out = venice(&["check", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("V006") && out.text.contains("it does not hold the project folder"), "{}", out.text);
}

#[test]
fn a_secret_file_outside_the_root_is_neither_refused_nor_read_by_check() {
    let project = "project p\ntarget staging {\n    kafka \"localhost:9092\"\n    \
                   schema-registry \"http://localhost:8081\" {\n        token file=\"{top}/outside/password\"\n    }\n}\n";
    let top = layout(project);
    for format in FORMATS {
        let out = venice(&["check", "--format", format, "repo/project"], top.path());
        assert_eq!(out.status, 0, "{format}: {}", out.text);
        assert!(!out.text.contains(MARKER) && reported(&out.text, format) == 0, "{format}: {}", out.text);
    }
}

#[test]
fn fmt_reads_and_rewrites_nothing_outside_the_root() {
    let top = layout("project p\ninclude \"../../outside/leak.kdl\"\n");
    let before = std::fs::read_to_string(top.path().join("outside/leak.kdl")).unwrap();
    let out = venice(&["fmt", "repo/project"], top.path());
    assert_eq!(out.status, 1, "{}", out.text);
    assert!(out.text.contains("V011") && !out.text.contains(MARKER), "{}", out.text);
    assert_eq!(std::fs::read_to_string(top.path().join("outside/leak.kdl")).unwrap(), before);
}

/// `top/repo/` (a `.git` folder) with a project in `repo/sub/dir/` that warns in venice.kdl (V502)
/// and reads an invalid schema beside its folder (V201 in `repo/schemas/bad.avsc`), and an
/// `elsewhere/` folder to run venice from.
fn nested_project() -> tempfile::TempDir {
    let top = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let full = top.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    };
    let project = "project p\ntopic orders {\n    key string\n    value json\n}\nproducer w topic=orders\n\
                   schema Bad path=\"../../schemas/bad.avsc\"\n";
    write("repo/sub/dir/venice.kdl", project);
    write("repo/schemas/bad.avsc", "{\"type\": \"record\"");
    std::fs::create_dir_all(top.path().join("repo/.git")).unwrap();
    std::fs::create_dir_all(top.path().join("elsewhere")).unwrap();
    top
}

/// The file of each diagnostic (and of each label, for json) in an output.
fn files(text: &str, format: &str) -> Vec<String> {
    let json = || serde_json::from_str::<serde_json::Value>(text).expect("a JSON document");
    let strings = |values: Vec<&serde_json::Value>| values.iter().map(|v| v.as_str().unwrap().to_string()).collect();
    match format {
        "json" => strings(json()["diagnostics"].as_array().unwrap().iter().map(|d| &d["file"]).collect()),
        "sarif" => {
            let log = json();
            let results = log["runs"][0]["results"].as_array().unwrap();
            let at: Vec<&serde_json::Value> =
                results.iter().map(|r| &r["locations"][0]["physicalLocation"]["artifactLocation"]).collect();
            assert!(at.iter().all(|a| a["uriBaseId"] == "%SRCROOT%"), "{text}");
            strings(at.iter().map(|a| &a["uri"]).collect())
        }
        _ => text
            .lines()
            .map(|line| line.split("file=").nth(1).unwrap().split(',').next().unwrap().to_string())
            .collect(),
    }
}

#[test]
fn machine_formats_name_files_from_the_root_and_human_as_given() {
    let top = nested_project();
    let elsewhere = top.path().join("elsewhere");
    let in_root = ["sub/dir/venice.kdl", "schemas/bad.avsc"];
    for format in ["json", "sarif", "github"] {
        let out = venice(&["check", "--format", format, "../repo/sub/dir"], &elsewhere);
        assert_eq!(out.status, 1, "{format}: {}", out.text);
        assert_eq!(files(&out.text, format), in_root, "{format}: {}", out.text);
        // The same from the root itself and from the project folder: the names do not depend on
        // where venice runs.
        let from_root = venice(&["check", "--format", format, "sub/dir"], &top.path().join("repo"));
        let from_project = venice(&["check", "--format", format], &top.path().join("repo/sub/dir"));
        assert_eq!((&from_root.text, &from_project.text), (&out.text, &out.text), "{format}");
    }
    // Human names them as the user gave the folder, and the schema as venice.kdl wrote its path.
    let out = venice(&["check", "../repo/sub/dir"], &elsewhere);
    assert!(out.text.contains("[../repo/sub/dir/venice.kdl:2:7]"), "{}", out.text);
    assert!(out.text.contains("[../repo/sub/dir/../../schemas/bad.avsc:1:1]"), "{}", out.text);
}

#[test]
#[cfg(unix)]
fn a_project_reached_through_a_symlink_is_named_where_it_is_in_the_root() {
    let top = nested_project();
    symlink(&top.path().join("repo/sub/dir"), &top.path().join("elsewhere/link"));
    let out = venice(&["check", "--format", "github", "link"], &top.path().join("elsewhere"));
    assert_eq!(files(&out.text, "github"), ["sub/dir/venice.kdl", "schemas/bad.avsc"], "{}", out.text);
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(windows)]
fn symlink(target: &Path, link: &Path) {
    if target.is_dir() {
        std::os::windows::fs::symlink_dir(target, link).expect("symlink")
    } else {
        std::os::windows::fs::symlink_file(target, link).expect("symlink")
    }
}
