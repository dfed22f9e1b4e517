//! `venice init`: scaffolds the orders pipeline of `examples/shop` in a folder.
//!
//! The files are the example's own, embedded at build time, so the scaffold always matches an
//! example that the tests check; only the project's name changes. Nothing is overwritten.

use kdl::{KdlDocument, KdlValue};
use std::path::Path;

/// The files of the scaffold, by path in the new project.
const FILES: &[(&str, &str)] = &[
    ("schema/order.avsc", include_str!("../examples/shop/schema/order.avsc")),
    ("schema/money.proto", include_str!("../examples/shop/schema/money.proto")),
    ("schema/payments.proto", include_str!("../examples/shop/schema/payments.proto")),
    ("schema/review.json", include_str!("../examples/shop/schema/review.json")),
    ("ksql/platinum_orders.sql", include_str!("../examples/shop/ksql/platinum_orders.sql")),
];

const VENICE_KDL: &str = include_str!("../examples/shop/venice.kdl");

/// `venice apply`'s run state (its journal and lock, per target) stays out of version control;
/// venice.lock, the record, is committed.
const GITIGNORE: &str = "# venice apply's journal and lock (venice.lock is committed)\n.venice/\n";

/// The README of a new project named `name`.
fn readme(name: &str) -> String {
    format!(
        "# {name}

A Venice pipeline: orders from a web app go to the `orders` topic (string key, Avro value), a
ksqlDB transform keeps the platinum orders, and a JDBC sink writes them to PostgreSQL, while a
fulfillment app reads every order.

- `venice check` checks the whole pipeline offline.
- `venice fmt` formats `venice.kdl`.
- `venice explain CODE` explains a diagnostic.
"
    )
}

/// The lines `venice init` prints: the files `written` into `dir`, and what to run next.
pub(crate) fn report(written: &[String], dir: &Path) -> String {
    let mut out = String::new();
    for file in written {
        out.push_str(&format!("created {file}\n"));
    }
    let ignores = std::fs::read_to_string(dir.join(".gitignore")).unwrap_or_default();
    if !ignores.lines().any(|l| l.trim().trim_matches('/') == ".venice") {
        out.push_str("note: add `.venice/` to .gitignore: it holds venice apply's journal and lock\n");
    }
    out.push_str(&format!("next: venice check {}\n", dir.display()));
    out
}

/// Writes the scaffold into `dir` and returns the files written, or why nothing was written.
pub(crate) fn init(dir: &Path, name: Option<&str>) -> Result<Vec<String>, String> {
    let name = match name {
        Some(name) => name.to_string(),
        None => folder_name(dir)?,
    };
    let files = scaffold(&name);
    let existing: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).filter(|p| dir.join(p).exists()).collect();
    if !existing.is_empty() {
        return Err(format!(
            "`{}` already holds {}; nothing was written",
            dir.display(),
            existing.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    for (path, text) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&full, text).map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
    }
    let mut written: Vec<String> = files.into_iter().map(|(p, _)| p).collect();
    // A folder already under git keeps its own .gitignore: it is the user's, never rewritten.
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        std::fs::write(&gitignore, GITIGNORE).map_err(|e| format!("cannot write `{}`: {e}", gitignore.display()))?;
        written.push(".gitignore".to_string());
    }
    Ok(written)
}

/// The files of a new project named `name`.
fn scaffold(name: &str) -> Vec<(String, String)> {
    let mut files = vec![("venice.kdl".to_string(), renamed_project(name)), ("README.md".to_string(), readme(name))];
    files.extend(FILES.iter().map(|(p, t)| (p.to_string(), t.to_string())));
    files
}

/// The example's venice.kdl with its `project` node renamed, formatting and comments kept.
fn renamed_project(name: &str) -> String {
    let mut document: KdlDocument = VENICE_KDL.parse().expect("examples/shop/venice.kdl is valid KDL");
    if let Some(project) = document.nodes_mut().iter_mut().find(|n| n.name().value() == "project")
        && let Some(entry) = project.entries_mut().iter_mut().find(|e| e.name().is_none())
    {
        entry.set_value(KdlValue::String(name.to_string()));
        // Let kdl choose the quoting the new name needs, keeping the spacing around it.
        let leading = entry.format().map(|f| f.leading.clone()).unwrap_or_else(|| " ".into());
        entry.clear_format();
        entry.autoformat();
        if let Some(format) = entry.format_mut() {
            format.leading = leading;
        }
    }
    document.to_string()
}

fn folder_name(dir: &Path) -> Result<String, String> {
    let absolute = std::path::absolute(dir).map_err(|e| format!("cannot resolve `{}`: {e}", dir.display()))?;
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{}` has no folder name; give one with --name", dir.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_renamed_and_the_rest_kept() {
        let text = renamed_project("my shop");
        assert!(text.contains("project \"my shop\""), "{text}");
        let without_project = |t: &str| t.lines().filter(|l| !l.starts_with("project")).collect::<Vec<_>>().join("\n");
        assert_eq!(without_project(&text), without_project(VENICE_KDL));
    }

    #[test]
    fn the_readme_is_titled_with_the_name_as_given() {
        assert!(readme("{{my}} shop").starts_with("# {{my}} shop\n\nA Venice pipeline"));
    }

    #[test]
    fn names_that_are_bare_identifiers_stay_bare() {
        assert!(renamed_project("orders").contains("project orders"));
    }
}
