//! Reads venice.kdl and the files it includes, and parses each as KDL.
//!
//! Reading never stops at the first problem: an unreadable include, a syntax error or an include
//! cycle becomes a diagnostic, and the other files are still read.

use super::lexical::{block_comment_len, first_char_len, line_comment_len, string_len};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::source::{FileId, SourceMap, Span};
use kdl::KdlDocument;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The name of the root file of a project.
pub const PROJECT_FILE: &str = "venice.kdl";

/// A KDL file that parsed.
#[derive(Debug)]
pub struct ParsedFile {
    pub file: FileId,
    pub document: KdlDocument,
}

/// Why a project could not be read at all (exit status 2, not a diagnostic).
#[derive(Debug)]
pub struct ProjectNotFound {
    pub path: PathBuf,
    pub reason: String,
}

/// Files larger than this are refused: a venice.kdl is hand-written, and this keeps a stray
/// binary from being parsed.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Nesting deeper than this is refused before parsing, so that the recursive KDL parser cannot
/// run out of stack on hostile input. Real projects nest three levels.
const MAX_NESTING: usize = 64;

/// kdl 6.7 parses a block comment recursively, one level per `*`, `/` or run of other characters
/// (`commented_block` in its v2 parser); comments with more steps than this are refused.
const MAX_COMMENT_STEPS: usize = 4096;

/// The KDL parser runs on a thread with this much stack: enough for the limits above in a debug
/// build, with a wide margin. It is reserved, not touched, unless the parser needs it.
const PARSER_STACK_BYTES: usize = 256 << 20;

/// Includes deeper than this (a chain of files, each including the next) are refused.
const MAX_INCLUDE_DEPTH: usize = 32;

/// After this many syntax errors in one file, the rest are not reported: past that point they are
/// echoes of the first, and a binary file would otherwise produce thousands.
const MAX_SYNTAX_ERRORS: usize = 50;

/// Reads a text file, as a diagnostic at `named_at` when it cannot be read.
pub fn read_text(path: &Path, shown: &str, named_at: Span) -> Result<String, Box<Diagnostic>> {
    let unreadable = |reason: String| {
        Box::new(Diagnostic::new(DiagnosticKind::UnreadableFile { path: shown.to_string(), reason }, named_at))
    };
    let bytes = read_bounded(path).map_err(unreadable)?;
    String::from_utf8(bytes)
        .map_err(|_| Box::new(Diagnostic::new(DiagnosticKind::NotUtf8 { path: shown.to_string() }, named_at)))
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
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

/// How an I/O error reads in a message: lowercase, without the OS error number.
pub fn io_reason(error: &std::io::Error) -> String {
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

/// Loads the project in `dir`: venice.kdl and, transitively, every file it includes.
pub fn load(
    dir: &Path,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<Vec<ParsedFile>, ProjectNotFound> {
    let root = dir.join(PROJECT_FILE);
    let bytes = match read_bounded(&root) {
        Ok(bytes) => bytes,
        Err(reason) => return Err(ProjectNotFound { path: root, reason }),
    };
    Ok(load_bytes(root, bytes, sources, diagnostics))
}

/// Loads a project whose venice.kdl (at `root`) has the given content; includes and other files
/// are still read from disk, relative to `root`. The fuzz target and tests use it directly.
pub fn load_bytes(
    root: PathBuf,
    bytes: Vec<u8>,
    sources: &mut SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ParsedFile> {
    let mut loader = Loader { sources, diagnostics, parsed: Vec::new(), stack: Vec::new(), read: HashSet::new() };
    let file = match String::from_utf8(bytes) {
        Ok(text) => loader.sources.add(root.clone(), text),
        Err(e) => {
            // Keep the file (lossily) so the diagnostic can name it.
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let file = loader.sources.add(root.clone(), text);
            let path = loader.sources.get(file).name.clone();
            loader.report(DiagnosticKind::NotUtf8 { path }, Span::file_start(file));
            return Vec::new();
        }
    };
    loader.parse_and_follow(file, canonical(&root));
    loader.parsed
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    diagnostics: &'a mut Vec<Diagnostic>,
    parsed: Vec<ParsedFile>,
    /// The chain of files being included, to detect cycles.
    stack: Vec<PathBuf>,
    /// The canonical paths of every file read, so a file reached twice is read once.
    read: HashSet<PathBuf>,
}

impl Loader<'_> {
    fn parse_and_follow(&mut self, file: FileId, canonical_path: PathBuf) {
        self.read.insert(canonical_path.clone());
        let Some(document) = self.parse(file) else { return };
        self.stack.push(canonical_path);
        let includes = include_patterns(&document, file);
        self.parsed.push(ParsedFile { file, document });
        for (pattern, span) in includes {
            self.follow_include(file, &pattern, span);
        }
        self.stack.pop();
    }

    fn parse(&mut self, file: FileId) -> Option<KdlDocument> {
        let text = &self.sources.get(file).text;
        if let Some((offset, problem)) = too_complex(text) {
            let (message, label) = match problem {
                Complexity::Nesting => (format!("nesting deeper than {MAX_NESTING} levels"), "too deep"),
                Complexity::Comment => (format!("a block comment longer than {MAX_COMMENT_STEPS} steps"), "too long"),
            };
            self.diagnostics.push(Diagnostic::new(
                DiagnosticKind::InvalidKdl { message, label: Some(label.into()), help: None },
                Span::new(file, offset, offset + 1),
            ));
            return None;
        }
        match parse_with_room(text) {
            Ok(document) => Some(document),
            Err(error) => {
                self.report_syntax_errors(file, error);
                None
            }
        }
    }

    fn report_syntax_errors(&mut self, file: FileId, error: kdl::KdlError) {
        let mut seen = std::collections::BTreeSet::new();
        for d in error.diagnostics {
            if seen.len() == MAX_SYNTAX_ERRORS {
                break;
            }
            let span = Span::from_miette(file, d.span);
            // The parser may report the same place twice while recovering.
            if !seen.insert((span.start, d.message.clone())) {
                continue;
            }
            let message = d.message.unwrap_or_else(|| "syntax error".into());
            let help = unquoted_word_help(self.sources.text_from(span)).or(d.help);
            self.diagnostics.push(Diagnostic::new(DiagnosticKind::InvalidKdl { message, label: d.label, help }, span));
        }
    }

    fn follow_include(&mut self, from: FileId, pattern: &str, span: Span) {
        let base = self.sources.get(from).path.parent().map(Path::to_path_buf).unwrap_or_default();
        let paths = match expand(&base, pattern) {
            Ok(paths) => paths,
            Err(reason) => {
                self.report(DiagnosticKind::UnreadableFile { path: pattern.into(), reason }, span);
                return;
            }
        };
        if paths.is_empty() {
            let kind = if has_glob_characters(pattern) {
                DiagnosticKind::IncludeMatchesNothing { pattern: pattern.into() }
            } else {
                DiagnosticKind::UnreadableFile { path: pattern.into(), reason: "no such file".into() }
            };
            self.report(kind, span);
            return;
        }
        for path in paths {
            self.include_file(&path, span);
        }
    }

    fn include_file(&mut self, path: &Path, span: Span) {
        let canonical_path = canonical(path);
        let shown = self.sources.display_name_of(path);
        if self.stack.contains(&canonical_path) {
            self.report(DiagnosticKind::IncludeCycle { path: shown }, span);
            return;
        }
        // A file reached twice without a cycle (two includes of one file) is read once.
        if self.read.contains(&canonical_path) {
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.report(DiagnosticKind::IncludeTooDeep { limit: MAX_INCLUDE_DEPTH }, span);
            return;
        }
        match read_text(path, &shown, span) {
            Ok(text) => {
                let file = self.sources.add(path.to_path_buf(), text);
                self.parse_and_follow(file, canonical_path);
            }
            Err(diagnostic) => self.diagnostics.push(*diagnostic),
        }
    }

    fn report(&mut self, kind: DiagnosticKind, span: Span) {
        self.diagnostics.push(Diagnostic::new(kind, span));
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
fn include_patterns(document: &KdlDocument, file: FileId) -> Vec<(String, Span)> {
    document
        .nodes()
        .iter()
        .filter(|n| n.name().value() == "include")
        .filter_map(|n| {
            let entry = n.entries().iter().find(|e| e.name().is_none())?;
            let pattern = entry.value().as_string()?;
            Some((pattern.to_string(), Span::from_miette(file, entry.span())))
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

fn has_glob_characters(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// What makes a text too complex to hand to the recursive KDL parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Complexity {
    Nesting,
    Comment,
}

/// Parses on a thread with [`PARSER_STACK_BYTES`] of stack; on the current thread if no such
/// thread can be made.
fn parse_with_room(text: &str) -> Result<KdlDocument, kdl::KdlError> {
    std::thread::scope(|scope| {
        let parser = std::thread::Builder::new().stack_size(PARSER_STACK_BYTES).spawn_scoped(scope, || text.parse());
        match parser {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => text.parse(),
        }
    })
}

/// Where the text first nests deeper than [`MAX_NESTING`] blocks, or holds a block comment of
/// more than [`MAX_COMMENT_STEPS`] steps. Strings (quoted, raw, multi-line) and comments (line,
/// nested block) are skipped with the same lexical rules the formatter uses, so braces inside them
/// neither count nor hide real ones.
fn too_complex(text: &str) -> Option<(usize, Complexity)> {
    let mut depth = 0usize;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        if let Some(len) = string_len(rest) {
            at += len.max(1);
            continue;
        }
        if rest.starts_with("//") {
            at += line_comment_len(rest).max(2);
            continue;
        }
        if rest.starts_with("/*") {
            let len = block_comment_len(rest).max(2);
            let steps = rest[..len].bytes().filter(|b| matches!(b, b'*' | b'/')).count();
            if steps > MAX_COMMENT_STEPS {
                return Some((at, Complexity::Comment));
            }
            at += len;
            continue;
        }
        match rest.as_bytes()[0] {
            b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some((at, Complexity::Nesting));
                }
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += first_char_len(rest);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_strings_and_comments() {
        assert_eq!(too_complex("a { b { c } }"), None);
        let long_comment = format!("/* {} */", "* ".repeat(MAX_COMMENT_STEPS));
        assert_eq!(too_complex(&long_comment).map(|(_, c)| c), Some(Complexity::Comment));
        let deep = "a {".repeat(MAX_NESTING + 1);
        assert!(too_complex(&deep).is_some());
        let quoted = format!("a \"{}\"", "{".repeat(500));
        assert_eq!(too_complex(&quoted), None);
        let commented = format!("// {}\na", "{".repeat(500));
        assert_eq!(too_complex(&commented), None);
        // A quote inside a block comment must not hide the braces after it (found by fuzzing).
        let hidden = format!("/*\"*/\n{}", "a{".repeat(MAX_NESTING + 1));
        assert!(too_complex(&hidden).is_some());
        let raw = format!("a #\"{}\"# {}", "\\\"{".repeat(100), "b{".repeat(MAX_NESTING + 1));
        assert!(too_complex(&raw).is_some(), "a backslash in a raw string escapes nothing");
    }
}
