//! Cutting SQL text into statements, substituting `${var}` references, and mapping the positions
//! sqlparser reports in a statement back to the SQL text.
//!
//! Statements are cut at every `;` outside quotes and comments, so a syntax error in one statement
//! (even text the tokenizer rejects) does not hide the statements after it. Each statement is
//! tokenized on its own; `${var}` references are replaced before that, as ksqlDB does, and a
//! [`Locator`] maps positions in the substituted text back to the original.

use std::collections::BTreeMap;
use std::ops::Range;

/// Where each statement of `text` lies: from its first character to its `;` (included), or to
/// the end of the text for the last one. Pieces holding only whitespace and comments are dropped.
pub(crate) fn split_statements(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut significant = false;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"' | b'`') => {
                significant = true;
                i = skip_quoted(bytes, i, quote);
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..].find("*/").map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b';' => {
                pieces.push(start..i + 1);
                start = i + 1;
                significant = false;
            }
            c if !c.is_ascii_whitespace() => significant = true,
            _ => {}
        }
        i += 1;
    }
    if significant {
        pieces.push(start..bytes.len());
    }
    pieces
}

/// The offset just past a quoted run starting at `at` (a doubled quote stands for itself).
fn skip_quoted(bytes: &[u8], at: usize, quote: u8) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// A statement's text after `${var}` substitution, and how it maps back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Substituted {
    pub(crate) text: String,
    /// Runs of the new text: copied from the original, or a variable's value replacing a
    /// `${var}` reference. Offsets are relative to the statement.
    runs: Vec<Run>,
    /// References to variables that are not defined, outside string literals: the name and its
    /// range in the original statement.
    pub(crate) undefined: Vec<(String, Range<usize>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    out: Range<usize>,
    original: Range<usize>,
    copied: bool,
}

/// Replaces each `${name}` in `statement` by the value of variable `name` (names are
/// case-insensitive; `variables` is keyed by upper-cased name). `$${` stands for a literal `${`.
/// References to undefined variables are left as written (ksqlDB does the same); those outside
/// string literals are listed, since they cannot parse.
pub(crate) fn substitute(statement: &str, variables: &BTreeMap<String, String>) -> Substituted {
    let bytes = statement.as_bytes();
    let mut text = String::with_capacity(statement.len());
    let mut runs: Vec<Run> = Vec::new();
    let mut undefined = Vec::new();
    let mut copy_from = 0;
    // The quote of the quoted run (string or identifier) the scan is in, if any.
    let mut quote: Option<u8> = None;
    let mut i = 0;
    let flush = |text: &mut String, runs: &mut Vec<Run>, from: usize, to: usize| {
        if to > from {
            let out = text.len();
            text.push_str(&statement[from..to]);
            runs.push(Run { out: out..text.len(), original: from..to, copied: true });
        }
    };
    while i < bytes.len() {
        match bytes[i] {
            c @ (b'\'' | b'"' | b'`') => match quote {
                None => quote = Some(c),
                Some(q) if q == c => quote = None,
                Some(_) => {}
            },
            b'$' if bytes.get(i + 1) == Some(&b'$') && bytes.get(i + 2) == Some(&b'{') => {
                // `$${` is an escaped `${`: keep one `$`.
                flush(&mut text, &mut runs, copy_from, i);
                copy_from = i + 1;
                i += 3;
                continue;
            }
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                if let Some(close) = statement[i + 2..].find('}') {
                    let name = &statement[i + 2..i + 2 + close];
                    let end = i + 2 + close + 1;
                    if is_variable_name(name) {
                        match variables.get(&name.to_uppercase()) {
                            Some(value) => {
                                flush(&mut text, &mut runs, copy_from, i);
                                let out = text.len();
                                text.push_str(value);
                                runs.push(Run { out: out..text.len(), original: i..end, copied: false });
                                copy_from = end;
                            }
                            None if quote != Some(b'\'') => undefined.push((name.to_string(), i..end)),
                            None => {}
                        }
                        i = end;
                        continue;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    flush(&mut text, &mut runs, copy_from, bytes.len());
    Substituted { text, runs, undefined }
}

/// ksqlDB's variable names: a letter or `_`, then letters, digits, `_` or `@`.
pub(crate) fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '@')
}

/// Maps positions in a statement's (maybe substituted) text, as sqlparser reports them, to byte
/// offsets in the whole SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Locator {
    /// The text that was tokenized.
    text: String,
    /// Where each line of `text` starts.
    line_starts: Vec<usize>,
    /// Whether each line is ASCII (its columns are then byte offsets).
    ascii_lines: Vec<bool>,
    /// Where the statement starts in the SQL text.
    base: usize,
    /// The substitution runs, when variables were substituted.
    runs: Option<Vec<Run>>,
}

impl Locator {
    /// A locator for `text`, the statement that starts at `base` in the SQL text, maybe after
    /// substitution.
    pub(crate) fn new(text: &str, base: usize, substituted: Option<&Substituted>) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        let ascii_lines = text.split('\n').map(str::is_ascii).collect();
        Locator { text: text.to_string(), line_starts, ascii_lines, base, runs: substituted.map(|s| s.runs.clone()) }
    }

    /// The text that was tokenized.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset in the tokenized text of a 1-based line and character column.
    pub(crate) fn local_offset(&self, line: u64, column: u64) -> usize {
        let index = line.saturating_sub(1) as usize;
        let Some(&start) = self.line_starts.get(index) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        if self.ascii_lines.get(index).copied().unwrap_or(false) {
            return start + (column.saturating_sub(1) as usize).min(line_end);
        }
        let within =
            rest[..line_end].char_indices().nth(column.saturating_sub(1) as usize).map_or(line_end, |(i, _)| i);
        start + within
    }

    /// The offset in the SQL text of an offset in the tokenized text. A position inside a
    /// substituted value maps to the start of its `${var}` reference, or to its end when `end`.
    pub(crate) fn original(&self, offset: usize, end: bool) -> usize {
        let Some(runs) = &self.runs else { return self.base + offset };
        let run = if end {
            runs.iter().find(|r| r.out.start < offset && offset <= r.out.end)
        } else {
            runs.iter().find(|r| r.out.start <= offset && offset < r.out.end)
        };
        let local = match run {
            Some(run) if run.copied => run.original.start + (offset - run.out.start),
            Some(run) if end => run.original.end,
            Some(run) => run.original.start,
            None => runs.last().map_or(offset, |r| r.original.end),
        };
        self.base + local
    }

    /// The byte range in the SQL text of a sqlparser span.
    pub(crate) fn range(&self, span: sqlparser::tokenizer::Span) -> Range<usize> {
        let start = self.original(self.local_offset(span.start.line, span.start.column), false);
        let end = self.original(self.local_offset(span.end.line, span.end.column), true);
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_cut_at_semicolons_outside_quotes_and_comments() {
        let sql = "SELECT ';' FROM a; -- x; y\nSELECT `b;` /* ; */ FROM c;\n  \n-- only a comment\n";
        let pieces: Vec<&str> = split_statements(sql).into_iter().map(|r| &sql[r]).collect();
        assert_eq!(pieces, ["SELECT ';' FROM a;", " -- x; y\nSELECT `b;` /* ; */ FROM c;"]);
        assert_eq!(split_statements("SELECT 1 FROM a"), vec![0..15]);
    }

    #[test]
    fn variables_are_substituted_and_positions_map_back() {
        let variables = BTreeMap::from([("FORMAT".to_string(), "AVRO".to_string()), ("N".into(), "12345".into())]);
        let sql = "WITH (f='${format}', p=${n}, q='${undefined}', r=$${n})";
        let s = substitute(sql, &variables);
        assert_eq!(s.text, "WITH (f='AVRO', p=12345, q='${undefined}', r=${n})");
        assert!(s.undefined.is_empty());
        let locator = Locator::new(&s.text, 100, Some(&s));
        // `p` is copied text; `12345` maps to the whole `${n}`.
        let p = s.text.find("p=").unwrap();
        assert_eq!(locator.original(p, false), 100 + sql.find("p=").unwrap());
        let value = s.text.find("12345").unwrap();
        assert_eq!(locator.original(value + 2, false), 100 + sql.find("${n}").unwrap());
        assert_eq!(locator.original(value + 5, true), 100 + sql.find("${n}").unwrap() + 4);
        let undefined = substitute("SELECT ${nope} FROM t", &variables);
        assert_eq!(undefined.undefined, [("nope".to_string(), 7..14)]);
    }

    #[test]
    fn columns_are_characters_not_bytes() {
        let locator = Locator::new("SELECT 'é', x\n  FROM t", 10, None);
        assert_eq!(locator.local_offset(1, 13), 13);
        assert_eq!(locator.local_offset(2, 3), 17);
        assert_eq!(locator.original(17, false), 27);
    }
}
