//! `venice check` as a library call: load, decode, resolve, and collect every diagnostic.

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lock;
use crate::model::Project;
use crate::resolve::resolve;
use crate::rules;
use crate::source::{SourceMap, Span};
use crate::syntax::{decode::decode, loader};
use std::path::Path;

pub(crate) use crate::syntax::loader::ProjectNotFound;

/// A checked project: its files, its model, what the analyses found and the diagnostics.
#[derive(Debug)]
pub struct Checked {
    pub sources: SourceMap,
    /// What venice.kdl declares (and Debezium sources declare implicitly).
    pub project: Project,
    pub analysis: Analysis,
    /// Sorted by file, then position, then code, so output is the same on every run.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

/// Checks the project in `dir` against its `venice.lock`, if it has one, reading files only
/// inside its default root (see [`check_within`]). Fails only when there is no project to check.
pub fn check(dir: &Path) -> Result<Checked, ProjectNotFound> {
    check_within(dir, None)
}

/// Checks the project in `dir`, reading the files it names only inside `root` (`--root DIR`)
/// when given, else inside the root venice.kdl's `root` setting names, else the top of the git
/// repository holding `dir`, else `dir` itself. Fails only when there is no project to check
/// (or `root` is not a folder).
pub fn check_within(dir: &Path, root: Option<&Path>) -> Result<Checked, ProjectNotFound> {
    check_view(dir, root, None)
}

/// Checks the project in `dir` as `target` sees it (its values applied, see
/// [`Project::view`]); `None` is the project as declared, as [`check_within`] checks it. A
/// target the project does not declare leaves the project as declared.
pub fn check_view(dir: &Path, root: Option<&Path>, target: Option<&str>) -> Result<Checked, ProjectNotFound> {
    crate::parallel::on_pool(|| {
        let mut sources = SourceMap::default();
        let mut diagnostics = Vec::new();
        let files = loader::load(dir, root, &mut sources, &mut diagnostics)?;
        let baseline = lock::load_working_tree(dir, &mut sources);
        Ok(finish(files, target, sources, diagnostics, baseline))
    })
}

/// `venice check` with no target: the project as declared, then as each target that changes
/// something sees it or has partitions of its own in venice.lock (V503). A diagnostic found as declared is reported once; one found only in views
/// (identical ones merged) says in which targets, in its message.
pub fn check_every_target(dir: &Path, root: Option<&Path>) -> Result<Checked, ProjectNotFound> {
    let mut checked = check_within(dir, root)?;
    let project = &checked.project;
    let baseline = checked.analysis.baseline.as_ref();
    let recorded =
        |name: &str| baseline.is_some_and(|b| b.lock.applied.get(name).is_some_and(|a| !a.partitions.is_empty()));
    // A target whose view is the declared project checks the same, except for the rules that
    // judge a target itself: its brokers (V504), its own partition record (V503) and, once
    // principals are declared anywhere, its ACLs (V508).
    let manages_acls = project.first_principal().is_some();
    let changing = project.targets.iter().filter(|t| {
        !t.overrides.is_empty()
            || t.brokers.is_some()
            || recorded(&t.name.value)
            || manages_acls
            || t.access.declares_any()
    });
    let targets: Vec<String> = changing.map(|t| t.name.value.clone()).collect();
    let mut only_in_views: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    for target in targets {
        let view = check_view(dir, root, Some(&target))?;
        for diagnostic in view.diagnostics.into_iter().filter_map(|d| moved(d, &view.sources, &checked.sources)) {
            if checked.diagnostics.contains(&diagnostic) {
                continue;
            }
            match only_in_views.iter_mut().find(|(d, _)| *d == diagnostic) {
                Some((_, targets)) => targets.push(target.clone()),
                None => only_in_views.push((diagnostic, vec![target.clone()])),
            }
        }
    }
    for (mut diagnostic, targets) in only_in_views {
        let names: Vec<String> = targets.iter().map(|t| format!("`{t}`")).collect();
        let plural = if names.len() == 1 { "" } else { "s" };
        diagnostic.message = format!("in target{plural} {}: {}", names.join(", "), diagnostic.message);
        checked.diagnostics.push(diagnostic);
    }
    crate::diagnostic::sort(&mut checked.diagnostics);
    Ok(checked)
}

/// A view's diagnostic with its places in the declared project's source map. The two read the
/// same files in the same order, so this only renumbers if that ever changes; a place in a file
/// the declared project did not read drops the diagnostic.
fn moved(mut diagnostic: Diagnostic, from: &SourceMap, to: &SourceMap) -> Option<Diagnostic> {
    let place = |span: Span| to.find(&from.get(span.file).path).map(|file| Span::new(file, span.start, span.end));
    diagnostic.span = place(diagnostic.span)?;
    for label in &mut diagnostic.labels {
        label.span = place(label.span)?;
    }
    for impact in &mut diagnostic.impact {
        impact.span = place(impact.span)?;
    }
    Some(diagnostic)
}

/// Checks the project in `dir` against `venice.lock` as committed at a git revision, the way
/// `buf breaking --against` does. `Err` when the project or that lock cannot be read.
pub(crate) fn check_against(dir: &Path, root: Option<&Path>, revision: &str) -> Result<Checked, String> {
    crate::parallel::on_pool(|| {
        let mut sources = SourceMap::default();
        let mut diagnostics = Vec::new();
        let files = loader::load(dir, root, &mut sources, &mut diagnostics)
            .map_err(|e| format!("cannot read `{}`: {}", e.path.display(), e.reason))?;
        let baseline = lock::load_revision(dir, revision, &mut sources)?;
        Ok(finish(files, None, sources, diagnostics, Some(baseline)))
    })
}

/// Checks a venice.kdl given as bytes, as if it were in `dir` (files it names are read from
/// there, and only there: the root is `dir` as written). Never fails: this is the front end's
/// entry for fuzzing.
pub fn check_bytes(dir: &Path, bytes: &[u8]) -> Checked {
    check_bytes_as(dir, bytes, None)
}

/// [`check_bytes`] as `target` sees the project (see [`check_view`]).
pub(crate) fn check_bytes_as(dir: &Path, bytes: &[u8], target: Option<&str>) -> Checked {
    crate::parallel::on_pool(|| {
        let mut sources = SourceMap::default();
        let mut diagnostics = Vec::new();
        let project_file = dir.join(loader::PROJECT_FILE);
        let root = Some(crate::syntax::root::Root::lexical(dir));
        let files = loader::load_bytes(project_file, bytes.to_vec(), root, &mut sources, &mut diagnostics);
        finish(files, target, sources, diagnostics, None)
    })
}

/// The pipeline after loading: decode (the lock parsed beside it), the schemas Debezium sources
/// derive, the Avro catalog (the transforms' SQL parsed beside it), the ksqlDB analysis and the
/// edges, the column lineage, then the rules. Each step reads what the earlier ones made; none changes it.
fn finish(
    files: loader::Loaded,
    view: Option<&str>,
    mut sources: SourceMap,
    mut syntax: Vec<(crate::syntax::Problem, Span)>,
    baseline: Option<(crate::source::FileId, String)>,
) -> Checked {
    let root = files.root.clone();
    // The baseline is parsed on another core while the front end decodes: decoding does not
    // read it, and a large project's lock is as long as its schemas.
    let lock_text = baseline.as_ref().map(|(file, _)| sources.get(*file).text.clone());
    let (declared, lock) = crate::parallel::both(
        || decode(files, view, &mut sources, &mut syntax),
        || {
            baseline.zip(lock_text.as_deref()).map(|((file, origin), text)| {
                let mut found = Vec::new();
                (lock::parse_text(file, text, origin, &mut found), found)
            })
        },
    );
    // Each phase's facts are worded as they come, in the order the phases ran.
    let mut diagnostics: Vec<Diagnostic> = syntax.iter().map(|(p, span)| rules::syntax(p, *span)).collect();
    let baseline = lock.and_then(|(baseline, found)| {
        diagnostics.extend(found.iter().map(|(p, span)| rules::lock(p, *span)));
        baseline
    });
    // The transforms' SQL parses beside the Avro phase: neither reads what the other makes.
    let (parsed, (implied, avro, found)) = crate::parallel::both(
        || crate::ksql::project::parse_transforms(&declared.transforms),
        || {
            // What Debezium sources derive from their DDL joins the schemas before they are
            // parsed.
            let implied = crate::connect::derive_schemas(&declared, &mut sources);
            let mut found = Vec::new();
            let schemas = declared.schemas.iter().chain(implied.schemas());
            let avro = crate::avro::build(schemas, &sources, &mut found);
            (implied, avro, found)
        },
    );
    let (project, derived) = implied.complete(declared);
    let (protobuf, protobuf_found) = crate::protobuf::catalog::build(&project.schemas, &sources);
    let (json_schema, json_found) = crate::json_schema::catalog::build(&project.schemas, &sources);
    diagnostics.extend(protobuf_found.iter().map(|(p, span)| rules::protobuf(p, *span)));
    diagnostics.extend(json_found.iter().map(rules::json_schema));
    // The queries' column references, read before the ksqlDB analysis takes the statements.
    let queries = crate::analysis::lineage::Queries::of(&project, &parsed);
    diagnostics.extend(found.iter().map(|(p, span)| rules::avro(p, *span)));
    let (mut resolved, mut ksql_found) = (Vec::new(), Vec::new());
    // The Protobuf and JSON Schema schemas as ksqlDB reads them (their columns, V205).
    let foreign = crate::ksql::foreign::Foreign::build(&project, &sources);
    let (ksql, edges) = resolve(&project, &avro, foreign, parsed, &mut resolved, &mut ksql_found);
    diagnostics.extend(resolved.iter().map(|(p, span)| rules::resolve(p, *span)));
    diagnostics.extend(ksql_found.iter().map(|(p, span)| rules::ksql(p, *span)));
    let lineage = crate::analysis::lineage::Lineage::of(&project, queries, &ksql.effects);
    let access = crate::analysis::access::Access::of(&project, &edges);
    let analysis = Analysis { baseline, derived, avro, protobuf, json_schema, ksql, edges, lineage, access };
    rules::check_all(&project, &analysis, &mut diagnostics);
    crate::diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    // Every file is read by now (the derived schemas' pseudo-files too): each is named in the
    // root once, here, so that renderers do not touch the disk.
    sources.name_in_root(|path| root.name_of(path));
    Checked { sources, project, analysis, diagnostics }
}
