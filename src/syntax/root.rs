//! The project's root: the folder every file a project names must resolve inside, after `..` and
//! symlinks, before it is opened (V011).
//!
//! `venice check` runs on pull requests, and its output goes to public logs: a `path=` that
//! leads to `/proc/self/environ` or `../../etc/shadow` would otherwise be read and quoted in a
//! diagnostic. The root is, in order: `--root DIR`, the `root` setting of venice.kdl, the top of
//! the git repository that holds venice.kdl (the nearest folder with a `.git` entry, found
//! without running git), the project folder. Credentials given as `file=` are not read here:
//! they are secrets, read only by the commands that deploy.

use super::problem::Problem;
use crate::source::Span;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The folder every file a project names must be in.
#[derive(Debug, Clone)]
pub(crate) struct Root {
    /// Resolved: canonical, or absolute and without `..` when it does not exist.
    dir: PathBuf,
    /// As shown in messages: relative to the project folder as the user gave it.
    shown: String,
    /// Each folder resolved so far, by the path it was reached by. A project names a thousand
    /// files in a few folders, and resolving a folder costs a system call per component: without
    /// it, resolving every file twice (to admit it, to name it) made `check` ~20% slower.
    folders: Arc<Mutex<HashMap<PathBuf, PathBuf>>>,
}

impl Root {
    /// A root given as a folder (`--root DIR`, the `root` setting), shown relative to the
    /// project folder as given (`project`) when it is relative. `Err` is why it cannot be the
    /// root: not a folder, or one that does not hold the project (venice.kdl is inside its root
    /// like every other file, and every file is named from it).
    pub(crate) fn given(folder: &Path, project: &Path) -> Result<Root, String> {
        let dir = folder.canonicalize().map_err(|_| "no such folder".to_string())?;
        if !dir.is_dir() {
            return Err("it is not a folder".into());
        }
        if !resolve(project).starts_with(&dir) {
            return Err("it does not hold the project folder".into());
        }
        Ok(Root::shown_from(dir, project))
    }

    /// The root when none is given: the top of the git repository holding the project folder,
    /// else that folder.
    pub(crate) fn default_for(project: &Path) -> Root {
        let folder = resolve(project);
        let top = folder.ancestors().find(|dir| dir.join(".git").symlink_metadata().is_ok());
        let dir = top.map(Path::to_path_buf).unwrap_or(folder);
        Root::shown_from(dir, project)
    }

    /// The folder itself, taken as it is: for a venice.kdl given as bytes, whose folder may not
    /// exist (`check_bytes`).
    pub(crate) fn lexical(folder: &Path) -> Root {
        Root::shown_from(resolve(folder), folder)
    }

    fn shown_from(dir: PathBuf, project: &Path) -> Root {
        let project_dir = resolve(project);
        let shown = if project.is_absolute() {
            dir.clone()
        } else {
            normalized(&project.join(relative_path(&project_dir, &dir)))
        };
        let shown = shown.to_string_lossy().replace('\\', "/");
        Root { dir, shown: if shown.is_empty() { ".".into() } else { shown }, folders: Arc::default() }
    }

    /// Where a path leads, as [`resolve`] says, with its folder resolved once for all the files
    /// in it: the file itself costs one `lstat`, to follow it when it is a symlink.
    fn resolve_file(&self, path: &Path) -> PathBuf {
        let (Some(folder), Some(Component::Normal(name))) = (path.parent(), path.components().next_back()) else {
            return resolve(path);
        };
        if path.symlink_metadata().is_ok_and(|m| m.file_type().is_symlink()) {
            return resolve(path);
        }
        self.resolve_folder(folder).join(name)
    }

    fn resolve_folder(&self, folder: &Path) -> PathBuf {
        let folder = if folder.as_os_str().is_empty() { Path::new(".") } else { folder };
        let mut folders = self.folders.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        folders.entry(folder.to_path_buf()).or_insert_with(|| resolve(folder)).clone()
    }

    /// Whether the file at `path` (written `written`, at `span`) is inside the root; if not, the
    /// V011 fact. Nothing is opened: the path is resolved, not read.
    pub(crate) fn admit(&self, path: &Path, written: &str, span: Span) -> Result<(), Box<(Problem, Span)>> {
        let resolved = self.resolve_file(path);
        if resolved.starts_with(&self.dir) {
            return Ok(());
        }
        let problem = Problem::PathOutsideRoot {
            path: written.to_string(),
            resolved: resolved.to_string_lossy().replace('\\', "/"),
            root: self.shown.clone(),
        };
        Err(Box::new((problem, span)))
    }

    /// The path of a file read inside the root, relative to it, with forward slashes: how the
    /// formats that tools place in the repository name it (json, sarif, github). The file's
    /// folder is resolved and its own name kept, so a symlink is named where it is and a derived
    /// pseudo-file (`sql/orders.sql#orders-value.avsc`) beside its DDL file.
    pub(crate) fn name_of(&self, path: &Path) -> String {
        let folder = path.parent().unwrap_or(Path::new("."));
        let placed = path.file_name().map(|name| self.resolve_folder(folder).join(name));
        // A symlink whose own folder is outside the root is named where it leads, which V011 admitted.
        let inside = placed.filter(|placed| placed.starts_with(&self.dir)).unwrap_or_else(|| resolve(path));
        relative_path(&self.dir, &inside).to_string_lossy().replace('\\', "/")
    }
}

/// Where a path leads: canonical (symlinks and `..` followed) when it exists; otherwise its
/// nearest existing ancestor made canonical, with the rest appended without `..`.
fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = normalized(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let mut missing = Vec::new();
    let mut at = absolute.as_path();
    while let (Some(parent), Some(name)) = (at.parent(), at.file_name()) {
        missing.push(name);
        if let Ok(real) = parent.canonicalize() {
            return missing.iter().rev().fold(real, |path, name| path.join(name));
        }
        at = parent;
    }
    absolute
}

/// `path` without `.` and with each `..` taking away the folder before it, on the text alone.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if out.has_root() => {}
            other => out.push(other),
        }
    }
    out
}

/// The path from the folder `from` to `to`, both resolved: `..` for each step up.
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let common = from.components().zip(to.components()).take_while(|(a, b)| a == b).count();
    let ups = from.components().skip(common).map(|_| Component::ParentDir);
    ups.chain(to.components().skip(common)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_takes_dots_away_on_the_text() {
        assert_eq!(normalized(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalized(Path::new("../a/..")), PathBuf::from(".."));
        assert_eq!(normalized(Path::new("/../etc")), PathBuf::from("/etc"));
    }

    #[test]
    fn a_root_is_shown_from_the_project_folder_as_given() {
        assert_eq!(relative_path(Path::new("/r/a/b"), Path::new("/r")), PathBuf::from("../.."));
        assert_eq!(relative_path(Path::new("/r/a"), Path::new("/r/c")), PathBuf::from("../c"));
        let root = Root::lexical(Path::new("/nonexistent/project"));
        assert_eq!(root.shown, "/nonexistent/project");
    }

    #[test]
    fn files_are_named_from_the_root_where_they_are() {
        let top = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(top.path().join("sql")).expect("folder");
        std::fs::write(top.path().join("sql/orders.sql"), "").expect("file");
        let root = Root::lexical(top.path());
        assert_eq!(root.name_of(&top.path().join("sql/./../sql/orders.sql")), "sql/orders.sql");
        // A derived schema's pseudo-file follows its DDL file.
        let pseudo = top.path().join("sql/orders.sql#orders-value.avsc");
        assert_eq!(root.name_of(&pseudo), "sql/orders.sql#orders-value.avsc");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("orders.sql", top.path().join("sql/link.sql")).expect("symlink");
            assert_eq!(root.name_of(&top.path().join("sql/link.sql")), "sql/link.sql");
        }
    }

    #[test]
    fn paths_that_leave_the_root_are_refused_before_they_exist() {
        let root = Root::lexical(Path::new("/nonexistent/project"));
        let span = Span::file_start(crate::source::FileId(0));
        assert!(root.admit(Path::new("/nonexistent/project/a/../b.avsc"), "b.avsc", span).is_ok());
        let refused = root.admit(Path::new("/nonexistent/project/../../etc/x"), "../../etc/x", span);
        let (problem, _) = *refused.expect_err("outside");
        assert_eq!(
            problem,
            Problem::PathOutsideRoot {
                path: "../../etc/x".into(),
                resolved: "/etc/x".into(),
                root: "/nonexistent/project".into()
            }
        );
    }
}
