//! Text in another language (ksqlDB or PostgreSQL SQL, an Avro schema) kept with its origin, so
//! spans found in it land in the right file and line.
//!
//! Such text comes from its own file (offsets are the file's own) or from a string inside
//! venice.kdl. KDL dedents multi-line strings, so an inline text's offsets differ from the file's;
//! a per-line table maps each line of the text back to where it sits in venice.kdl.

use crate::source::{FileId, Span};
use std::sync::OnceLock;

/// Embedded text (SQL, an Avro schema) and where it came from.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub text: String,
    pub(crate) origin: TextOrigin,
    /// Where each line of `text` starts, so offsets map to lines by binary search rather than by
    /// counting newlines from the start on every call (SQL files hold thousands of tokens). Made
    /// on first use: an Avro schema's file text never needs it.
    line_index: OnceLock<Vec<usize>>,
}

/// Two texts are equal when their text and origin are (the line index follows from the text).
impl PartialEq for SourceText {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.origin == other.origin
    }
}

impl Eq for SourceText {}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextOrigin {
    /// The whole of a file: offsets in the text are offsets in the file.
    File(FileId),
    /// A string in a KDL file: line `i` of the text starts at `line_starts[i]` in that file.
    Inline { file: FileId, line_starts: Vec<usize> },
}

impl SourceText {
    pub fn from_file(file: FileId, text: String) -> Self {
        SourceText { text, origin: TextOrigin::File(file), line_index: OnceLock::new() }
    }

    /// Text written as a KDL string value. `literal` is the string as written in the KDL source
    /// (quotes and hashes included) and `literal_start` its offset there; `value` is the string
    /// KDL gives back.
    pub(crate) fn inline(file: FileId, value: String, literal: &str, literal_start: usize) -> Self {
        let line_starts = map_lines(&value, literal, literal_start);
        SourceText { text: value, origin: TextOrigin::Inline { file, line_starts }, line_index: OnceLock::new() }
    }

    fn line_index(&self) -> &[usize] {
        self.line_index.get_or_init(|| line_index(&self.text))
    }

    pub(crate) fn file(&self) -> FileId {
        match &self.origin {
            TextOrigin::File(file) | TextOrigin::Inline { file, .. } => *file,
        }
    }

    /// The span in the source file of a byte range of the text.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file(), self.source_offset(start), self.source_offset(end))
    }

    /// The offset in the source file of a byte offset of the text.
    pub(crate) fn source_offset(&self, offset: usize) -> usize {
        match &self.origin {
            TextOrigin::File(_) => offset,
            TextOrigin::Inline { line_starts, .. } => {
                let offset = offset.min(self.text.len());
                let line_index = self.line_index();
                let line = line_index.partition_point(|&start| start <= offset) - 1;
                let line_start_in_sql = line_index[line];
                let base = line_starts.get(line).or(line_starts.last()).copied().unwrap_or(0);
                base + (offset - line_start_in_sql)
            }
        }
    }

    /// The byte offset in the text of a 1-based line and character column (as sqlparser reports
    /// token locations).
    pub(crate) fn offset_of(&self, line: u64, column: u64) -> usize {
        let line = usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX);
        let line_start = self.line_index().get(line).copied().unwrap_or(self.text.len());
        let rest = &self.text[line_start..];
        let within = rest.char_indices().nth(column.saturating_sub(1) as usize).map_or(rest.len(), |(i, _)| i);
        line_start + within
    }
}

/// The byte offset where each line of `text` starts (the first is 0).
fn line_index(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// Where each line of a KDL string's value starts in the source.
///
/// A multi-line string (`"""` or `#"""`) drops its first line break and strips from each line the
/// whitespace that precedes the closing quotes. Escapes inside a line are not undone here, so a
/// column after an escape in a non-raw string may be off by the escape's length; raw strings,
/// the form used for SQL, map exactly.
fn map_lines(value: &str, literal: &str, literal_start: usize) -> Vec<usize> {
    let hashes = literal.len() - literal.trim_start_matches('#').len();
    let body_start = hashes + if literal[hashes..].starts_with("\"\"\"") { 3 } else { 1 };
    let is_multiline = literal[hashes..].starts_with("\"\"\"");
    if !is_multiline {
        return vec![literal_start + body_start.min(literal.len())];
    }
    let raw_lines: Vec<(usize, &str)> = line_spans(literal);
    // The closing line's leading whitespace is the indent that was removed.
    let indent = raw_lines.last().map_or(0, |(_, l)| l.len() - l.trim_start().len());
    let value_lines = value.split('\n').count();
    let starts: Vec<usize> = raw_lines
        .iter()
        .skip(1)
        .take(value_lines)
        .map(|(start, line)| literal_start + start + indent.min(line.len()))
        .collect();
    if starts.len() == value_lines { starts } else { vec![literal_start; 1] }
}

/// Each line of `text` with its offset.
fn line_spans(text: &str) -> Vec<(usize, &str)> {
    let mut offset = 0;
    text.split('\n')
        .map(|line| {
            let start = offset;
            offset += line.len() + 1;
            (start, line.strip_suffix('\r').unwrap_or(line))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_multiline_sql_maps_back_to_the_kdl_line_and_column() {
        let kdl =
            "transform t {\n    sql #\"\"\"\n        CREATE TABLE x AS\n          SELECT 1;\n        \"\"\"#\n}\n";
        let literal_start = kdl.find("#\"\"\"").unwrap();
        let literal_end = kdl.rfind("\"\"\"#").unwrap() + 4;
        let literal = &kdl[literal_start..literal_end];
        let doc: kdl::KdlDocument = kdl.parse().unwrap();
        let value = doc.nodes()[0].children().unwrap().nodes()[0].entries()[0].value().as_string().unwrap().to_string();
        let sql = SourceText::inline(FileId(0), value, literal, literal_start);
        let select = sql.text.find("SELECT").unwrap();
        let span = sql.span(select, select + 6);
        assert_eq!(&kdl[span.start..span.end], "SELECT");
        let create = sql.span(0, 6);
        assert_eq!(&kdl[create.start..create.end], "CREATE");
        assert_eq!(sql.offset_of(2, 3), select);
    }

    #[test]
    fn single_line_sql_maps_past_the_quote() {
        let kdl = r#"sql "SELECT 1;""#;
        let sql = SourceText::inline(FileId(0), "SELECT 1;".into(), &kdl[4..], 4);
        let span = sql.span(7, 8);
        assert_eq!(&kdl[span.start..span.end], "1");
    }

    #[test]
    fn file_sql_offsets_are_the_file_offsets() {
        let sql = SourceText::from_file(FileId(3), "SELECT\n  x;".into());
        assert_eq!(sql.span(9, 10), Span::new(FileId(3), 9, 10));
        assert_eq!(sql.offset_of(2, 3), 9);
    }
}
