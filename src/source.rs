//! The files of a project and the spans that point into them.
//!
//! Every diagnostic and every model value carries a [`Span`]: a file and a byte range. The
//! [`SourceMap`] owns the text of every file read, so renderers can turn spans into lines and
//! columns long after the front end has finished.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file. The default is the start of the first file (the root venice.kdl).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub(crate) end: usize,
}

impl Span {
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Self {
        Span { file, start, end: end.max(start) }
    }

    /// An empty span at the start of a file, for problems with the file as a whole.
    pub(crate) fn file_start(file: FileId) -> Self {
        Span::new(file, 0, 0)
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    /// A byte range of a file.
    pub(crate) fn of(file: FileId, range: std::ops::Range<usize>) -> Self {
        Span::new(file, range.start, range.end)
    }
}

/// One file read by the project: its path as shown to the user and relative to the project's
/// root, and its text.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to users (see [`SourceMap::display_name_of`]).
    pub name: String,
    /// The path relative to the project's root, with forward slashes: what the formats read by
    /// tools that place results in the repository (json, sarif, github) show, wherever venice
    /// ran. Until the root names it ([`SourceMap::name_in_root`]), and for files read without a
    /// project, it is `name`.
    pub in_root: String,
    /// The path on disk.
    pub(crate) path: PathBuf,
    pub(crate) text: String,
    /// Where each line starts, computed the first time a position is asked for: most files never
    /// have a diagnostic.
    line_starts: OnceLock<Vec<usize>>,
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    fn new(name: String, path: PathBuf, text: String) -> Self {
        SourceFile { in_root: name.clone(), name, path, text, line_starts: OnceLock::new() }
    }

    /// Converts a byte offset into a 1-based line and character column.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp_to_char_boundary(offset);
        let line_starts = self
            .line_starts
            .get_or_init(|| std::iter::once(0).chain(self.text.match_indices('\n').map(|(i, _)| i + 1)).collect());
        let line = line_starts.partition_point(|&start| start <= offset) - 1;
        let column = self.text[line_starts[line]..offset].chars().count() + 1;
        LineCol { line: line + 1, column }
    }

    /// The byte offset of a 1-based line and character column (the way back from
    /// [`SourceFile::line_col`]), clamped to the text: for tools that report lines and columns.
    pub(crate) fn offset_of(&self, line: usize, column: usize) -> usize {
        offset_in(&self.text, line, column)
    }

    fn clamp_to_char_boundary(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// The byte offset in `text` of a 1-based line and character column, clamped to the text.
pub(crate) fn offset_in(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    let rest = &text[start..];
    start + rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i)
}

/// Every file the project read, in the order they were read.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// Each file's id by its path on disk, so looking a file up does not scan them all.
    by_path: HashMap<PathBuf, FileId>,
}

impl SourceMap {
    pub(crate) fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let name = self.display_name_of(&path);
        let id = FileId(self.files.len() as u32);
        self.by_path.entry(path.clone()).or_insert(id);
        self.files.push(SourceFile::new(name, path, text));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub(crate) fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// The id of a file already read, by its path on disk.
    pub(crate) fn find(&self, path: &Path) -> Option<FileId> {
        self.by_path.get(path).copied()
    }

    /// Names every file relative to the project's root, by `name_of` (the root's resolution of
    /// a path on disk), once the files are read: renderers then read names, not the disk.
    pub(crate) fn name_in_root(&mut self, name_of: impl Fn(&Path) -> String) {
        for file in &mut self.files {
            file.in_root = name_of(&file.path);
        }
    }

    /// The text a span covers.
    pub(crate) fn text(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.start..span.end).unwrap_or("")
    }

    /// The text from a span's start to the end of its line.
    pub(crate) fn text_from(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        let rest = text.get(span.start..).unwrap_or("");
        rest.split('\n').next().unwrap_or("")
    }

    /// How a path is shown to the user.
    pub(crate) fn display_name_of(&self, path: &Path) -> String {
        // Paths are shown as the user wrote them (relative to where venice runs, when the project
        // folder was given relatively), without `./` steps, and with forward slashes on every
        // platform so outputs and snapshots are the same everywhere.
        let shown: PathBuf = path.components().filter(|c| *c != std::path::Component::CurDir).collect();
        shown.to_string_lossy().replace('\\', "/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one_in_characters() {
        let mut map = SourceMap::default();
        let id = map.add("./venice.kdl".into(), "ab\nçd e\n".into());
        let file = map.get(id);
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // `ç` is two bytes but one column.
        assert_eq!(file.line_col(6), LineCol { line: 2, column: 3 });
        assert_eq!(file.name, "venice.kdl");
    }

    #[test]
    fn offsets_past_the_end_or_inside_a_character_are_clamped() {
        let mut map = SourceMap::default();
        let id = map.add("/p/x.kdl".into(), "çç".into());
        assert_eq!(map.get(id).line_col(1), LineCol { line: 1, column: 1 });
        assert_eq!(map.get(id).line_col(99), LineCol { line: 1, column: 3 });
    }
}
