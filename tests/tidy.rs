//! The shape of the code, checked (rust-analyzer's "tidy" tests are the model): data flows one
//! way through the phases, and the claims ARCHITECTURE.md makes about who prints, who touches
//! the network, who starts programs and who writes files hold.
//!
//! Each test reads `src/` as text. Unit tests (`#[cfg(test)]` items) are left out: a test of a
//! phase may drive the whole pipeline (`check::check_bytes`) to get its input.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The top-level modules of the crate, lowest first. A module may import only modules listed
/// before it: `model` and `diagnostic` sit at the bottom, `run` (the command line) at the top.
/// ARCHITECTURE.md's bird's-eye view draws the same order.
const LAYERS: &[&str] = &[
    // Shared utilities, below every phase.
    "source",
    "parallel",
    "fs",
    "text",
    // The declaration and the diagnostic type.
    "model",
    "diagnostic",
    // The phases of `venice check`, in the order data flows.
    "syntax",
    "avro",
    "protobuf",
    "json_schema",
    "ksql",
    "connect",
    "lock",
    "resolve",
    "analysis",
    "rules",
    "check",
    // What reads a checked project: output, commands, deployment.
    "render",
    "fmt",
    "init",
    "explain",
    "schema_compat",
    "ksql_describe",
    "ksql_conformance",
    "build",
    "graph",
    "deploy",
    "ops",
    // Reads a cluster through `deploy` and `ops`, checks through `check`.
    "import",
    // The command line.
    "cli",
    "run",
    "main",
    "lib",
];

/// Each `.rs` file under `src/` with its top-level module and its text, unit tests removed.
fn sources() -> Vec<(PathBuf, String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(&root).expect("under src/");
            let first = relative.components().next().expect("a component").as_os_str().to_string_lossy();
            let module = first.trim_end_matches(".rs").to_string();
            let text = fs::read_to_string(&path).expect("readable");
            (relative.to_path_buf(), module, without_comment_lines(&without_tests(&text)))
        })
        .collect()
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a folder") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// The text without its `#[cfg(test)]` items (a `mod tests { ... }`, or one function). Braces in
/// strings and comments inside a test module are rare enough not to matter: a miscount only
/// removes more test code.
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let Some(open) = item.find(['{', ';']) else { return out };
        if item.as_bytes()[open] == b';' {
            rest = &item[open + 1..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = item.len();
        for (i, c) in item[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The text without its comment lines (`//`, `///`, `//!`): a doc may name a later phase.
fn without_comment_lines(text: &str) -> String {
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a text names through `crate::` paths.
fn imports(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in text.match_indices("crate::") {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, or part of a longer name
        }
        let name: String = text[at + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    // `use crate::{a, b}` names several at once.
    for (at, _) in text.match_indices("crate::{") {
        let group = &text[at + 8..];
        let group = &group[..group.find('}').unwrap_or(group.len())];
        for part in group.split(',') {
            let name: String = part.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn rank(module: &str) -> usize {
    LAYERS.iter().position(|m| *m == module).unwrap_or_else(|| panic!("module `{module}` is not in LAYERS"))
}

#[test]
fn every_module_is_placed_in_the_layers() {
    for (path, module, _) in sources() {
        assert!(LAYERS.contains(&module.as_str()), "{}: add `{module}` to LAYERS, where it belongs", path.display());
    }
}

#[test]
fn no_module_imports_a_later_phase() {
    let mut back_edges = Vec::new();
    for (path, module, text) in sources() {
        for imported in imports(&text) {
            if imported != module && rank(&imported) > rank(&module) {
                back_edges.push(format!("{} ({module}) imports `{imported}`", path.display()));
            }
        }
    }
    assert!(back_edges.is_empty(), "imports from a later phase:\n{}", back_edges.join("\n"));
}

/// The files (paths under `src/`, or whole modules) that may do something, and those that do it.
fn offenders(allowed: &[&str], needles: &[&str]) -> Vec<String> {
    sources()
        .into_iter()
        .filter(|(path, module, _)| {
            let shown = path.to_string_lossy().replace('\\', "/");
            !allowed.iter().any(|a| *a == module || *a == shown)
        })
        .filter_map(|(path, _, text)| {
            let hit: Vec<&str> = needles.iter().copied().filter(|n| text.contains(n)).collect();
            (!hit.is_empty()).then(|| format!("{}: {}", path.display(), hit.join(", ")))
        })
        .collect()
}

#[test]
fn only_run_prints() {
    // `deploy/progress.rs` draws apply's progress (spinners on a terminal), which it must do while
    // the steps run; `run` hands it the terminal.
    let found = offenders(
        &["run", "main", "deploy/progress.rs"],
        &["print!(", "println!(", "eprint!(", "eprintln!(", "stdout()", "stderr()", "dbg!("],
    );
    assert!(found.is_empty(), "printing outside `run`:\n{}", found.join("\n"));
}

#[test]
fn only_deploy_and_ops_touch_the_network() {
    let found = offenders(&["deploy", "ops"], &["ureq::", "std::net", "TcpStream", "UdpSocket"]);
    assert!(found.is_empty(), "network outside `deploy` and `ops`:\n{}", found.join("\n"));
}

#[test]
fn only_lock_and_ops_docker_start_programs() {
    // `lock` runs `git show` for `--against`; `ops/docker.rs` runs `docker`.
    let found = offenders(&["lock", "ops/docker.rs"], &["Command::new", "process::Command"]);
    assert!(found.is_empty(), "programs started elsewhere:\n{}", found.join("\n"));
}

#[test]
fn only_the_writing_commands_write_files() {
    // `fs` is the one write-through-a-temporary-file helper; `fmt`, `init`, `build` and `lock`
    // (venice.lock) are the commands that write, and `run` writes `venice graph --out`;
    // `import` adds the schema and ksqlDB files it imports and appends to venice.kdl.
    let found = offenders(
        &["fs", "fmt", "init", "build", "lock", "import", "run"],
        &["fs::write", "File::create", "fs::rename", "create_dir", "OpenOptions", "remove_file", "remove_dir"],
    );
    assert!(found.is_empty(), "files written elsewhere:\n{}", found.join("\n"));
}

#[test]
fn the_tidy_reader_sees_imports_and_skips_tests() {
    let text = "//! See [`crate::run`].\nuse crate::model::Project;\nuse crate::{avro, ksql::Engine};\n$crate::x();\n\
                #[cfg(test)]\nmod tests {\n    use crate::check::check_bytes;\n    fn f() { if x { } }\n}\n\
                fn after() { crate::source::Span::default(); }\n";
    let imported: Vec<String> = imports(&without_comment_lines(&without_tests(text))).into_iter().collect();
    assert_eq!(imported, ["avro", "ksql", "model", "source"]);
}
