//! `venice build`: everything needed to run a checked project, rendered from the model.
//!
//! Each output has its file here: `compose` (the stack: docker-compose.yml, .env.example,
//! postgres/), `dockerfile` (connect/Dockerfile, the Connect image with its plugins),
//! `kubernetes` (kubernetes/, Strimzi resources, for `--platform kubernetes` in place of the
//! Compose files), `versions` (the pinned versions of versions.env), `topics` (topics.json), `registry` (registry/), `connectors` (connect/, from the
//! connector catalog), `sql` (sql/, the JDBC sinks' tables), `ksql` (ksql/), `manifest`
//! (manifest.json) and `readme` (README.md). [`render`] builds the whole output set in memory, as
//! relative paths and texts; [`write`] puts it in the output folder. Rendering is pure and
//! deterministic: the same project gives byte-identical files.
//!
//! A build never writes over files it did not make: the output folder must be missing, empty, or
//! an earlier build (its manifest.json says so). Each file is written to a temporary file and
//! renamed; files an earlier build made that this one does not are removed.

pub(crate) mod acls;
pub mod compose;
mod connectors;
pub(crate) mod diff;
mod dockerfile;
pub(crate) mod ksql;
mod kubernetes;
pub(crate) mod manifest;
mod names;
mod readme;
pub(crate) mod registry;
mod sql;
pub(crate) mod topics;
pub mod versions;

use crate::check::Checked;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// The manifest's file name, which also marks a folder as a build.
pub(crate) const MANIFEST: &str = "manifest.json";

/// The build's default output folder, inside the project folder.
pub(crate) const DEFAULT_OUT: &str = "build";

/// The files of a build, by path relative to the output folder (forward slashes).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub files: BTreeMap<String, String>,
    /// The Compose services, sorted (empty without a stack).
    pub(crate) services: Vec<String>,
    /// The Kafka service names.
    pub(crate) brokers: Vec<String>,
    /// What the build could not wire into the stack, also listed in its README.
    pub(crate) notes: Vec<String>,
}

impl Rendered {
    fn add(&mut self, path: String, text: String) {
        self.files.insert(path, text);
    }
}

/// A JSON file: pretty-printed, keys in the order they were built, one trailing newline.
pub(crate) fn json_file(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("JSON serializes");
    text.push('\n');
    text
}

/// The names of the schemas venice derived for Debezium sources (`crate::connect::is_derived`),
/// collected once: their converters register them, so the build does not.
pub(crate) fn derived_schemas(project: &crate::model::Project) -> BTreeSet<&str> {
    project
        .schemas
        .iter()
        .filter(|s| s.doc.as_deref().is_some_and(|d| d.starts_with(crate::connect::DERIVED_DOC)))
        .map(|s| s.name.value.as_str())
        .collect()
}

/// Where the build's stack runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Platform {
    /// Docker Compose on one machine: docker-compose.yml and the Connect image's Dockerfile.
    #[default]
    Compose,
    /// Kubernetes with the Strimzi operator: kubernetes/, applied with `kubectl apply -k`.
    Kubernetes,
}

impl Platform {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Platform::Compose => "compose",
            Platform::Kubernetes => "kubernetes",
        }
    }
}

/// Renders every output of a checked project that has no errors, for the Compose stack. `dir` is
/// the project folder (paths in the manifest are relative to it).
pub fn render(checked: &Checked, dir: &Path) -> Rendered {
    render_for(checked, dir, Platform::Compose)
}

/// [`render`] for a platform: the stack's files are Compose's or Strimzi's; the rest (topics,
/// registry payloads, connector configs, ksqlDB files) is the same, what `venice apply` reads.
pub fn render_for(checked: &Checked, dir: &Path, platform: Platform) -> Rendered {
    let project = &checked.project;
    let analysis = &checked.analysis;
    let mut rendered = Rendered::default();
    match platform {
        Platform::Compose => add_compose(project, &mut rendered),
        Platform::Kubernetes => {
            let (files, notes) = kubernetes::render(project);
            for (path, text) in files {
                rendered.add(path, text);
            }
            rendered.notes = notes;
        }
    }
    // The registry's files (a normalized form and a fingerprint per subject) are rendered on
    // another core while this one renders the rest; everything is added in the same order.
    let ((subjects, registry_files), (topics, connectors, sql, ksql_files)) = crate::parallel::both(
        || registry::render(project, analysis, &checked.sources),
        || {
            let ksql = ksql::render(project, analysis);
            (topics::render(project), connectors::render(project), sql::render(project, analysis), ksql)
        },
    );
    rendered.add("topics.json".into(), topics);
    for (path, text) in registry_files.into_iter().chain(connectors).chain(sql) {
        rendered.add(path, text);
    }
    for file in &ksql_files {
        rendered.add(file.path.clone(), file.text.clone());
    }
    let readme = readme::render(project, &rendered, &subjects, &ksql_files, platform);
    rendered.add("README.md".into(), readme);
    let manifest = manifest::render(project, analysis, dir, &rendered, &subjects, &ksql_files, platform);
    rendered.add(MANIFEST.into(), json_file(&manifest));
    rendered
}

/// The Compose stack's files: docker-compose.yml, .env.example, postgres/, connect/Dockerfile.
fn add_compose(project: &crate::model::Project, rendered: &mut Rendered) {
    if let Some(stack) = compose::render(project) {
        rendered.add("docker-compose.yml".into(), stack.compose);
        rendered.add(".env.example".into(), stack.env_example);
        if let Some(init) = stack.postgres_init {
            rendered.add("postgres/init.sh".into(), init);
            for (path, text) in compose::ddl_files(project) {
                rendered.add(format!("postgres/{path}"), text);
            }
        }
        rendered.services = stack.info.services;
        rendered.brokers = stack.info.brokers;
        rendered.notes = stack.info.notes;
        if let Some(dockerfile) = stack.connect_dockerfile {
            rendered.add("connect/Dockerfile".into(), dockerfile);
        }
    }
}

/// Why the output folder could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError(pub String);

/// Writes a build into `out`: each file through a temporary file and a rename, then removes the
/// files an earlier build there made that this one does not. Refuses a folder that holds files
/// and no earlier build, or that holds a venice.kdl.
pub fn write(rendered: &Rendered, out: &Path) -> Result<(), WriteError> {
    let shown = out.display();
    let fail = |what: &str, e: std::io::Error| WriteError(format!("cannot {what}: {e}"));
    let earlier = earlier_outputs(out)?;
    std::fs::create_dir_all(out).map_err(|e| fail(&format!("create `{shown}`"), e))?;
    // Each folder is made once, first: creating files is most of a large build's time on disk.
    // Files come sorted by path, so a folder's files are together.
    let mut folder: Option<&str> = None;
    for path in rendered.files.keys() {
        let parent = path.rsplit_once('/').map(|(parent, _)| parent);
        if parent.is_some() && parent != folder {
            folder = parent;
            if let Some(parent) = out.join(path).parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(&format!("create `{}`", parent.display()), e))?;
            }
        }
    }
    // Then the files, on every core: each is a few system calls. The first file (in path order)
    // that cannot be written is the error.
    let fresh = earlier.is_empty();
    let files: Vec<(&String, &String)> = rendered.files.iter().collect();
    let write_one = |&(path, text): &(&String, &String)| {
        let target = out.join(path);
        // An unchanged file is left alone: a rebuild of a large project rewrites only what changed.
        if !fresh && std::fs::read(&target).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        crate::fs::write_atomically(&target, text.as_bytes(), path.ends_with(".sh"))
            .map_err(|e| fail(&format!("write `{}`", target.display()), e))
    };
    const FILES_PER_TASK: usize = 64;
    let written = crate::parallel::map_on_every_core(&files, FILES_PER_TASK, write_one);
    for done in written {
        done?;
    }
    let now: BTreeSet<&str> = rendered.files.keys().map(String::as_str).collect();
    for stale in earlier.iter().filter(|p| !now.contains(p.as_str())) {
        let path = out.join(stale);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|e| fail(&format!("remove `{}`", path.display()), e))?;
        }
    }
    Ok(())
}

/// The files an earlier build in `out` made (from its manifest), or an error when `out` holds
/// something that is not a build.
fn earlier_outputs(out: &Path) -> Result<Vec<String>, WriteError> {
    let Ok(mut entries) = std::fs::read_dir(out) else { return Ok(Vec::new()) };
    if entries.next().is_none() {
        return Ok(Vec::new());
    }
    let refuse = |why: &str| {
        Err(WriteError(format!(
            "`{}` {why}; give an empty or new folder with --out (a build replaces only its own files)",
            out.display()
        )))
    };
    if out.join(crate::syntax::loader::PROJECT_FILE).exists() {
        return refuse("holds a venice.kdl");
    }
    let Ok(text) = std::fs::read_to_string(out.join(MANIFEST)) else {
        return refuse("is not empty and holds no build of venice");
    };
    // Only these two entries are read; the rest of the manifest (the whole resolved project) is
    // checked to be JSON and skipped, not built.
    #[derive(serde::Deserialize)]
    struct Earlier {
        #[serde(default)]
        generator: serde_json::Value,
        #[serde(default)]
        outputs: serde_json::Value,
    }
    let manifest: Earlier = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(_) => return refuse("holds a manifest.json that venice did not write"),
    };
    if manifest.generator.as_str() != Some("venice build") {
        return refuse("holds a manifest.json that venice did not write");
    }
    let outputs = manifest.outputs.as_array().map(Vec::as_slice).unwrap_or_default();
    Ok(outputs.iter().filter_map(|o| o.as_str()).filter(|p| is_inside(p)).map(str::to_string).collect())
}

/// Whether a relative path from a manifest stays inside the output folder.
fn is_inside(path: &str) -> bool {
    let path = PathBuf::from(path);
    !path.as_os_str().is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_removed() {
        assert!(is_inside("ksql/01-stream-orders.sql"));
        for bad in ["", "../x", "/etc/passwd", "a/../../b", "./x"] {
            assert!(!is_inside(bad), "{bad}");
        }
    }
}
