//! Reads venice.kdl and the files it includes, and parses each as KDL.
//!
//! Reading never stops at the first problem: an unreadable include, a syntax error or an include
//! cycle becomes a diagnostic, and the other files are still read.

use super::problem::Problem;
use super::root::Root;
use super::tree::{self, Document};
use crate::source::{FileId, SourceMap, Span};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The name of the root file of a project.
pub(crate) const PROJECT_FILE: &str = "venice.kdl";

/// A KDL file that parsed.
#[derive(Debug)]
pub(crate) struct ParsedFile {
    pub(crate) file: FileId,
    pub(crate) document: Document,
}

/// A project's KDL files that parsed, and the root every file it names must be in.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) files: Vec<ParsedFile>,
    pub(crate) root: Root,
}

/// Why a project could not be read at all (exit status 2, not a diagnostic).
#[derive(Debug)]
pub struct ProjectNotFound {
    pub path: PathBuf,
    pub(crate) reason: String,
}

/// Files larger than this are refused: a venice.kdl is hand-written, and this keeps a stray
/// binary from being parsed.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// After this many syntax errors in one file, the rest are not reported: past that point they are
/// echoes of the first, and a binary file would otherwise produce thousands.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Includes deeper than this (a chain of files, each including the next) are refused.
const MAX_INCLUDE_DEPTH: usize = 32;

/// Reads a text file the project names, as a diagnostic at `named_at` when it cannot be read or
/// is outside the root (then it is not opened).
pub(crate) fn read_text(root: &Root, path: &Path, shown: &str, named_at: Span) -> Result<String, Box<(Problem, Span)>> {
    root.admit(path, shown, named_at)?;
    let unreadable = |reason: String| Box::new((Problem::UnreadableFile { path: shown.to_string(), reason }, named_at));
    let bytes = read_bounded(path).map_err(unreadable)?;
    String::from_utf8(bytes).map_err(|_| Box::new((Problem::NotUtf8 { path: shown.to_string() }, named_at)))
}

/// The bytes of a regular file of at most [`MAX_FILE_BYTES`]. Folders, devices and pipes are
/// refused before they are opened (a FIFO would block; `/dev/zero` never ends), and the read is
/// bounded whatever the metadata says.
fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let metadata = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if metadata.is_dir() {
        return Err("it is a folder".into());
    }
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    let too_large = || format!("it is larger than {} MiB", MAX_FILE_BYTES >> 20);
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    // One read with room for the whole file and a byte more: a regular file gives less than asked
    // only at its end, so getting the size the metadata said means the file is read, without
    // a second call to find the end (a project names a file per schema and transform).
    let expected = metadata.len() as usize;
    let mut bytes = vec![0; expected + 1];
    let first = loop {
        match file.read(&mut bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            done => break done.map_err(|e| io_reason(&e))?,
        }
    };
    bytes.truncate(first);
    if first != expected {
        // The file changed since its metadata was read: read on to its end, still bounded.
        file.take(MAX_FILE_BYTES + 1 - first as u64).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// How an I/O error reads in a message: lowercase, without the OS error number.
pub(crate) fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = error.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_string();
            text.to_lowercase()
        }
    }
}

/// Loads the project in `dir`: venice.kdl and, transitively, every file it includes. `root`
/// is `--root DIR`, which replaces the root venice.kdl's `root` setting or the default gives.
pub(crate) fn load(
    dir: &Path,
    root: Option<&Path>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Result<Loaded, ProjectNotFound> {
    let project_file = dir.join(PROJECT_FILE);
    let bytes = match read_bounded(&project_file) {
        Ok(bytes) => bytes,
        Err(reason) => return Err(ProjectNotFound { path: project_file, reason }),
    };
    let root = match root.map(|folder| Root::given(folder, dir)) {
        Some(Err(reason)) => return Err(ProjectNotFound { path: root.unwrap_or(dir).to_path_buf(), reason }),
        given => given.and_then(Result::ok),
    };
    Ok(load_bytes(project_file, bytes, root, sources, diagnostics))
}

/// Loads a project whose venice.kdl (at `project_file`) has the given content; includes and other
/// files are still read from disk, relative to it, inside `root` (when `None`: the `root` setting,
/// else the default). The fuzz target and tests use it directly.
pub(crate) fn load_bytes(
    project_file: PathBuf,
    bytes: Vec<u8>,
    root: Option<Root>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<(Problem, Span)>,
) -> Loaded {
    let dir = match project_file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            // Keep the file (lossily) so the diagnostic can name it.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = sources.add(project_file, text);
            let path = sources.get(file).name.clone();
            diagnostics.push((Problem::NotUtf8 { path }, Span::file_start(file)));
            return Loaded { files: Vec::new(), root: root.unwrap_or_else(|| Root::default_for(&dir)) };
        }
    };
    let file = sources.add(project_file.clone(), text);
    let parsed = tree::parse(&sources.get(file).text);
    let root = root.unwrap_or_else(|| {
        let setting = parsed.as_ref().ok().and_then(|document| root_setting(document, file));
        settle_root(setting, &dir, diagnostics)
    });
    let mut loader = Loader {
        sources,
        diagnostics,
        root,
        parsed: Vec::new(),
        stack: Vec::new(),
        read: HashSet::new(),
        prefetched: HashMap::new(),
    };
    loader.parse_and_follow(file, canonical(&project_file), Some(parsed));
    Loaded { files: loader.parsed, root: loader.root }
}

/// The root the `root` setting of venice.kdl names, relative to its folder `dir`; when there is
/// none, the default. A setting that names no folder is V006, and the default applies.
fn settle_root(setting: Option<(String, Span)>, dir: &Path, diagnostics: &mut Vec<(Problem, Span)>) -> Root {
    let Some((written, span)) = setting else { return Root::default_for(dir) };
    Root::given(&dir.join(&written), dir).unwrap_or_else(|reason| {
        diagnostics.push((Problem::UnreadableFile { path: written, reason }, span));
        Root::default_for(dir)
    })
}

/// The folder of the `root` node at the top of venice.kdl, with its span. A malformed node is
/// left to the decoder, which reports it against the grammar.
fn root_setting(document: &Document, file: FileId) -> Option<(String, Span)> {
    let node = document.nodes.iter().find(|n| n.name() == "root")?;
    let entry = node.entries().iter().find(|e| e.name().is_none())?;
    Some((entry.value().as_string()?.to_string(), Span::of(file, entry.span())))
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diagnostics: &'a mut Vec<(Problem, Span)>,
    /// The folder every file read must be in.
    root: Root,
    parsed: Vec<ParsedFile>,
    /// The chain of files being included, to detect cycles.
    stack: Vec<PathBuf>,
    /// The canonical paths of every file read, so a file reached twice is read once.
    read: HashSet<PathBuf>,
    /// Files of a glob, read and parsed ahead on every core (see [`prefetch`]), by path.
    prefetched: HashMap<PathBuf, (Span, Prefetched)>,
}

/// A file read and parsed ahead of its turn.
type Prefetched = Result<(String, Parsed), Box<(Problem, Span)>>;
type Parsed = Result<Document, Vec<tree::SyntaxError>>;

impl Loader<'_> {
    /// Parses a file (unless `parsed` holds its tree already) and loads what it includes.
    fn parse_and_follow(&mut self, file: FileId, canonical_path: PathBuf, parsed: Option<Parsed>) {
        self.read.insert(canonical_path.clone());
        let parsed = parsed.unwrap_or_else(|| tree::parse(&self.sources.get(file).text));
        let document = match parsed {
            Ok(document) => document,
            Err(errors) => return self.report_syntax_errors(file, errors),
        };
        self.stack.push(canonical_path);
        let includes = include_patterns(&document, file);
        self.parsed.push(ParsedFile { file, document });
        for (pattern, span) in includes {
            self.follow_include(file, &pattern, span);
        }
        self.stack.pop();
    }

    fn report_syntax_errors(&mut self, file: FileId, errors: Vec<tree::SyntaxError>) {
        let mut seen = HashSet::new();
        for error in errors {
            if seen.len() == MAX_SYNTAX_ERRORS {
                break;
            }
            // The parser may report the same place twice while recovering.
            if !seen.insert((error.span.start, error.message.clone())) {
                continue;
            }
            let span = Span::of(file, error.span);
            let help = unquoted_word_help(self.sources.text_from(span)).or(error.help);
            self.report(Problem::InvalidKdl { message: error.message, label: error.label, help }, span);
        }
    }

    fn follow_include(&mut self, from: FileId, pattern: &str, span: Span) {
        let base = self.sources.get(from).path.parent().map(Path::to_path_buf).unwrap_or_default();
        // A pattern that leaves the root is not expanded: listing a folder outside it would tell
        // its file names.
        if let Err(outside) = self.root.admit(&base.join(fixed_part(pattern)), pattern, span) {
            self.diagnostics.push(*outside);
            return;
        }
        let paths = match expand(&base, pattern) {
            Ok(paths) => paths,
            Err(reason) => {
                self.report(Problem::UnreadableFile { path: pattern.into(), reason }, span);
                return;
            }
        };
        if paths.is_empty() {
            let kind = if has_glob_characters(pattern) {
                Problem::IncludeMatchesNothing { pattern: pattern.into() }
            } else {
                Problem::UnreadableFile { path: pattern.into(), reason: "no such file".into() }
            };
            self.report(kind, span);
            return;
        }
        self.prefetch(&paths, span);
        for path in paths {
            self.include_file(&path, span);
        }
    }

    /// Reads and parses the files a glob names on every core, ahead of their turn: a project
    /// split over many files spends most of its loading time there. The files are still taken
    /// in order, with cycles and repeats decided as if read one by one.
    fn prefetch(&mut self, paths: &[PathBuf], span: Span) {
        if paths.len() < 2 {
            return;
        }
        let jobs: Vec<(&PathBuf, String)> = paths
            .iter()
            .filter(|path| !self.read.contains(&canonical(path)))
            .map(|path| (path, self.sources.display_name_of(path)))
            .collect();
        let root = &self.root;
        let read_and_parse = |(path, shown): &(&PathBuf, String)| {
            read_text(root, path, shown, span).map(|text| {
                let parsed = tree::parse(&text);
                (text, parsed)
            })
        };
        let results = crate::parallel::map_on_every_core(&jobs, 1, read_and_parse);
        for ((path, _), result) in jobs.iter().zip(results) {
            self.prefetched.insert(path.to_path_buf(), (span, result));
        }
    }

    fn include_file(&mut self, path: &Path, span: Span) {
        let canonical_path = canonical(path);
        let shown = self.sources.display_name_of(path);
        if self.stack.contains(&canonical_path) {
            self.report(Problem::IncludeCycle { path: shown }, span);
            return;
        }
        // A file reached twice without a cycle (two includes of one file) is read once.
        if self.read.contains(&canonical_path) {
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.report(Problem::IncludeTooDeep { limit: MAX_INCLUDE_DEPTH }, span);
            return;
        }
        // Ahead-of-time work counts only for the include it was done for: a read error names it.
        let read = match self.prefetched.remove(path) {
            Some((at, prefetched)) if at == span => prefetched.map(|(text, parsed)| (text, Some(parsed))),
            _ => read_text(&self.root, path, &shown, span).map(|text| (text, None)),
        };
        match read {
            Ok((text, parsed)) => {
                let file = self.sources.add(path.to_path_buf(), text);
                self.parse_and_follow(file, canonical_path, parsed);
            }
            Err(diagnostic) => self.diagnostics.push(*diagnostic),
        }
    }

    fn report(&mut self, kind: Problem, span: Span) {
        self.diagnostics.push((kind, span));
    }
}

/// KDL v2 reads a bare word that starts with a digit as a number, so `retention 7d` fails to
/// parse; the fix is to quote it. Returns that advice when the failing token looks like it.
fn unquoted_word_help(rest: &str) -> Option<String> {
    let token: String = rest.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
    let starts_with_digit = token.chars().next().is_some_and(|c| c.is_ascii_digit());
    let has_letters = token.chars().any(|c| c.is_alphabetic());
    let is_number_syntax = token.starts_with("0x") || token.starts_with("0o") || token.starts_with("0b");
    (starts_with_digit && has_letters && !is_number_syntax)
        .then(|| format!("a word that starts with a digit must be quoted: `\"{token}\"`"))
}

/// The patterns of the `include` nodes at the top of a document, with their spans. Malformed
/// include nodes are left to the decoder, which reports them against the grammar.
fn include_patterns(document: &Document, file: FileId) -> Vec<(String, Span)> {
    document
        .nodes
        .iter()
        .filter(|n| n.name() == "include")
        .filter_map(|n| {
            let entry = n.entries().iter().find(|e| e.name().is_none())?;
            let pattern = entry.value().as_string()?;
            Some((pattern.to_string(), Span::of(file, entry.span())))
        })
        .collect()
}

/// The files a pattern names, sorted. A pattern without glob characters names one path.
fn expand(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let full = base.join(pattern);
    if !has_glob_characters(pattern) {
        return Ok(if full.exists() { vec![full] } else { Vec::new() });
    }
    let full = full.to_string_lossy().into_owned();
    let entries = glob::glob(&full).map_err(|e| format!("not a valid pattern: {}", e.msg))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).filter(|p| p.is_file()).collect();
    paths.sort();
    Ok(paths)
}

/// The part of a pattern before its first component with glob characters: the folder a glob
/// lists, or the whole path when there are none.
fn fixed_part(pattern: &str) -> PathBuf {
    Path::new(pattern).components().take_while(|c| !has_glob_characters(&c.as_os_str().to_string_lossy())).collect()
}

fn has_glob_characters(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_start_with_a_digit_get_quoting_advice() {
        assert_eq!(
            unquoted_word_help("7d extra"),
            Some("a word that starts with a digit must be quoted: `\"7d\"`".into())
        );
        assert_eq!(unquoted_word_help("0x1F"), None);
        assert_eq!(unquoted_word_help("42"), None);
    }
}
