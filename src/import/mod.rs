//! `venice import`: what a running cluster holds, added to a project as declarations.
//!
//! - `snapshot`: the target read once, through the deploy clients (topics and their configs,
//!   consumer groups and their committed offsets, subjects, connectors, ksqlDB) and `doctor`'s
//!   sampler with `ops::decode`'s decoder (what each topic's keys and values look like).
//! - `map`: the snapshot as nodes and files, pure: topics against venice's and the broker's
//!   defaults, formats from subjects and records, schemas, consumers, ksqlDB transforms
//!   (`ksql`: dependency order); `connectors`: connectors onto the catalog, secrets as `env=`.
//! - `node`: the nodes as KDL (the `kdl` crate), appended to venice.kdl's text as it was.
//!
//! Nothing the project declares is touched and no file is overwritten: a new file takes a
//! name not taken. This module writes the files it adds (tests/tidy.rs lists it).

mod connectors;
mod ksql;
mod map;
mod node;
mod snapshot;

pub(crate) use map::Filter;

use crate::check::Checked;
use map::{Existing, Imported};
use std::collections::BTreeMap;
use std::path::Path;

/// What an import did, for people.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Report {
    pub(crate) added: Vec<String>,
    pub(crate) files: Vec<String>,
    pub(crate) left_out: Vec<String>,
    /// Environment variables to set: (variable, what it holds).
    pub(crate) env: Vec<(String, String)>,
    /// Settings venice renders for an imported connector that the deployed config lacks.
    pub(crate) notes: Vec<String>,
}

impl Report {
    pub(crate) fn human(&self) -> String {
        let mut out = String::new();
        let mut section = |title: &str, lines: &[String]| {
            if !lines.is_empty() {
                out.push_str(&format!("{title}:\n"));
                for line in lines {
                    out.push_str(&format!("  {line}\n"));
                }
            }
        };
        section("added", &self.added);
        section("files written", &self.files);
        section("left out", &self.left_out);
        let env: Vec<String> = self.env.iter().map(|(v, what)| format!("{v}: {what}")).collect();
        section(
            "set these environment variables (secrets were not written; Connect reads them with config.providers=env)",
            &env,
        );
        section("note", &self.notes);
        if self.added.is_empty() {
            out.push_str("nothing to import: the project declares everything the target has\n");
        }
        out
    }
}

/// Imports what target `target` has into the project in `dir` (checked as `checked`).
pub(crate) fn import(dir: &Path, checked: &Checked, target: &str, filter: &Filter) -> Result<Report, String> {
    let target = crate::deploy::resolve(&checked.project, dir, Some(target))?;
    let file = dir.join("venice.kdl");
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let snapshot = snapshot::read(&target, &|name| filter.keeps(name))?;
    let existing = existing(dir, checked, &target.deployment);
    let mut imported = map::map(&snapshot, &existing, filter);
    let mut report = Report { left_out: std::mem::take(&mut imported.left_out), ..Report::default() };
    for what in &snapshot.not_read {
        report.left_out.push(format!("{what}: not read"));
    }
    let decls = settle_connectors(
        dir,
        &text,
        imported.decls.clone(),
        &snapshot,
        &mut imported,
        &target.deployment,
        &mut report,
    );
    let heading = format!("Imported from target `{}` by `venice import`.", target.name);
    let new_text = node::append(&text, &node::render(&decls), &heading);
    for (path, content) in &imported.files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        crate::fs::write_atomically(&full, content.as_bytes(), false)
            .map_err(|e| format!("cannot write `{}`: {e}", full.display()))?;
        report.files.push(path.clone());
    }
    if new_text != text {
        crate::fs::write_atomically(&file, new_text.as_bytes(), false)
            .map_err(|e| format!("cannot write `{}`: {e}", file.display()))?;
    }
    report.added.append(&mut imported.added);
    Ok(report)
}

/// What the project declares, and the files under `schema/` and `ksql/` that exist.
fn existing(dir: &Path, checked: &Checked, deployment: &crate::connect::Deployment) -> Existing {
    let project = &checked.project;
    let desired = crate::deploy::desired::Desired::of(checked, deployment);
    let names = |it: &mut dyn Iterator<Item = &String>| it.cloned().collect();
    let mut files = std::collections::BTreeSet::new();
    for folder in ["schema", "ksql"] {
        for entry in std::fs::read_dir(dir.join(folder)).into_iter().flatten().flatten() {
            files.insert(format!("{folder}/{}", entry.file_name().to_string_lossy()));
        }
    }
    Existing {
        topics: names(&mut project.topics.iter().map(|t| &t.name.value)),
        subjects: names(&mut desired.subjects.keys()),
        schemas: names(&mut project.schemas.iter().map(|s| &s.name.value)),
        connectors: names(&mut project.connectors.iter().map(|c| &c.name.value)),
        databases: names(&mut project.databases.iter().map(|d| &d.name.value)),
        consumers: project
            .consumers
            .iter()
            .filter_map(|c| Some((c.group.as_ref()?.value.clone(), c.topic.value.clone())))
            .collect(),
        consumer_names: names(&mut project.consumers.iter().map(|c| &c.name.value)),
        transforms: names(&mut project.transforms.iter().map(|t| &t.name.value)),
        ksql: desired.ksql.iter().flat_map(|f| &f.creates).map(|n| n.to_uppercase()).collect(),
        files,
    }
}

/// The declarations with each imported connector (and its database) settled: the project as
/// it will be is checked in memory, venice's config for each connector rendered from it and
/// compared with the deployed one (see `connectors::settle`).
fn settle_connectors(
    dir: &Path,
    text: &str,
    mut decls: Vec<node::Decl>,
    snapshot: &snapshot::Snapshot,
    imported: &mut Imported,
    deployment: &crate::connect::Deployment,
    report: &mut Report,
) -> Vec<node::Decl> {
    if imported.connectors.is_empty() {
        return decls;
    }
    let mut draft = decls.clone();
    for (_, mapped) in &imported.connectors {
        draft.extend(mapped.database.clone());
        draft.push(mapped.node.clone());
    }
    let candidate = node::append(text, &node::render(&draft), "draft");
    let checked = crate::check::check_bytes(dir, candidate.as_bytes());
    let rendered: BTreeMap<&str, BTreeMap<String, String>> = checked
        .project
        .connectors
        .iter()
        .map(|c| (c.name.value.as_str(), crate::connect::render::config(&checked.project, c, deployment)))
        .collect();
    for (name, mapped) in std::mem::take(&mut imported.connectors) {
        let deployed = &snapshot.connectors[&name].config;
        let (mapped, extra) =
            connectors::settle(mapped, &name, deployed, rendered.get(name.as_str()).unwrap_or(&BTreeMap::new()));
        if !extra.is_empty() {
            report.notes.push(format!(
                "connector `{name}`: venice also sets {}, which its deployed config does not have: `venice plan` shows them as an update",
                extra.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let kind = mapped.node.name;
        report.env.extend(mapped.env.iter().cloned());
        imported.added.push(format!(
            "{kind} `{name}`: {}",
            mapped
                .node
                .props
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_string().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(" ")
        ));
        if let Some(database) = mapped.database {
            imported.added.push(format!("database `{}`", database.first()));
            decls.push(database);
        }
        decls.push(mapped.node);
    }
    decls
}
