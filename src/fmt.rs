//! `venice fmt`: formats venice.kdl and the files it includes, in the canonical style of
//! [`style`], keeping every comment and every value as written.

pub(crate) mod style;

use crate::diagnostic::Diagnostic;
use crate::source::SourceMap;
use crate::syntax::guard;
use crate::syntax::loader::{self, ProjectNotFound};
use std::path::Path;

/// What `venice fmt` did or would do.
#[derive(Debug)]
pub(crate) struct FmtOutcome {
    pub(crate) sources: SourceMap,
    /// Problems that stopped formatting (syntax errors, unreadable includes); nothing was written.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// How many files were looked at.
    pub(crate) files: usize,
    /// The files that changed (or, with `check`, would change), as shown to the user.
    pub(crate) changed: Vec<String>,
    /// A file that could not be written, after the others were.
    pub(crate) write_error: Option<String>,
}

impl FmtOutcome {
    /// The lines `venice fmt` prints: each file (re)formatted, else how many were already.
    pub(crate) fn summary(&self, check: bool) -> String {
        let mut out = String::new();
        for file in &self.changed {
            let verb = if check { "would reformat" } else { "reformatted" };
            out.push_str(&format!("{verb} {file}\n"));
        }
        if self.changed.is_empty() {
            let files = if self.files == 1 { "1 file".to_string() } else { format!("{} files", self.files) };
            out.push_str(&format!("{files} already formatted\n"));
        }
        out
    }
}

/// Formats the project in `dir`; with `check`, only reports which files would change.
/// It reads, and so rewrites, only files inside the project's root (`root`, as `--root` gives it).
pub(crate) fn format_project(dir: &Path, root: Option<&Path>, check: bool) -> Result<FmtOutcome, ProjectNotFound> {
    let mut sources = SourceMap::default();
    let mut found = Vec::new();
    let files = loader::load(dir, root, &mut sources, &mut found)?.files;
    let diagnostics = found.iter().map(|(problem, span)| crate::rules::syntax(problem, *span)).collect();
    let mut outcome = FmtOutcome { sources, diagnostics, files: files.len(), changed: Vec::new(), write_error: None };
    if !outcome.diagnostics.is_empty() {
        return Ok(outcome);
    }
    for parsed in &files {
        let file = outcome.sources.get(parsed.file);
        // The loader has already refused what the parser cannot take (`syntax::guard`).
        let Ok(formatted) = guard::with_room(|| style::format_source(&file.text)) else { continue };
        if formatted == file.text {
            continue;
        }
        outcome.changed.push(file.name.clone());
        if !check && let Err(e) = crate::fs::write_atomically(&file.path, formatted.as_bytes(), false) {
            outcome.write_error = Some(format!("cannot write `{}`: {e}", file.name));
            break;
        }
    }
    Ok(outcome)
}
