//! The conformance runner over ksqlDB's own query-validation tests (the `ksql-qtt` corpus: JSON
//! files of `{"tests": [...]}`, each test with its `statements` and what ksqlDB expects of them).
//!
//! It measures the parser against ksqlDB: the share of the statements of tests that expect no
//! error which parse cleanly, and the share of tests that expect a `ParseFailedException` in
//! which some statement does not parse.

use crate::ksql::parser::parse;
use crate::model::SourceText;
use crate::source::FileId;
use std::path::Path;

/// One test of the corpus, for one format (a test with a `format` list is one test per format,
/// with `{FORMAT}` replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusTest {
    /// The file's name, e.g. `joins.json`.
    pub file: String,
    /// The test's name, with its format when it has several.
    pub name: String,
    pub statements: Vec<String>,
    /// The class name of the exception ksqlDB throws, when it must throw one.
    pub expected_exception: Option<String>,
    /// The test expects an error of the REST endpoint (`expectedError`).
    pub expects_error: bool,
}

impl CorpusTest {
    /// Whether ksqlDB accepts every statement of the test.
    pub fn expects_success(&self) -> bool {
        self.expected_exception.is_none() && !self.expects_error
    }

    /// Whether ksqlDB rejects one of the statements while parsing it.
    pub fn expects_parse_failure(&self) -> bool {
        self.expected_exception.as_deref().is_some_and(|e| e.ends_with(".ParseFailedException"))
    }
}

/// The tests of a corpus folder, and what was odd about its files.
#[derive(Debug, Default)]
pub struct Corpus {
    pub tests: Vec<CorpusTest>,
    /// Files that could not be read, and files whose `//` comments were stripped to read them.
    pub notes: Vec<String>,
    /// Tests marked `"enabled": false`, left out.
    pub disabled: usize,
}

/// Reads every `*.json` file of `dir` (sorted by name).
pub fn load(dir: &Path) -> Result<Corpus, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut paths: Vec<_> =
        entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")).collect();
    paths.sort();
    let mut corpus = Corpus::default();
    for path in paths {
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                corpus.notes.push(format!("{file}: cannot read: {e}"));
                continue;
            }
        };
        let json: serde_json::Value = match serde_json::from_str(&text) {
            Ok(json) => json,
            Err(_) => {
                let stripped = strip_line_comments(&text);
                match serde_json::from_str(&stripped) {
                    Ok(json) => {
                        corpus.notes.push(format!("{file}: not strict JSON, `//` comments stripped"));
                        json
                    }
                    Err(e) => {
                        corpus.notes.push(format!("{file}: not JSON: {e}"));
                        continue;
                    }
                }
            }
        };
        let Some(tests) = json.get("tests").and_then(|t| t.as_array()) else {
            corpus.notes.push(format!("{file}: no `tests` list"));
            continue;
        };
        for test in tests {
            if test.get("enabled").and_then(|e| e.as_bool()) == Some(false) {
                corpus.disabled += 1;
                continue;
            }
            corpus.tests.extend(expand(&file, test));
        }
    }
    Ok(corpus)
}

/// A test, once per format of its `format` list.
fn expand(file: &str, test: &serde_json::Value) -> Vec<CorpusTest> {
    let name = test.get("name").and_then(|n| n.as_str()).unwrap_or("unnamed").to_string();
    let statements: Vec<String> = test
        .get("statements")
        .and_then(|s| s.as_array())
        .map(|s| s.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let expected_exception =
        test.get("expectedException").map(|e| e.get("type").and_then(|t| t.as_str()).unwrap_or("").to_string());
    let expects_error = test.get("expectedError").is_some();
    let formats: Vec<&str> = test
        .get("format")
        .and_then(|f| f.as_array())
        .map(|f| f.iter().filter_map(|f| f.as_str()).collect())
        .unwrap_or_default();
    let one = |name: String, statements: Vec<String>| CorpusTest {
        file: file.to_string(),
        name,
        statements,
        expected_exception: expected_exception.clone(),
        expects_error,
    };
    if formats.is_empty() {
        return vec![one(name, statements)];
    }
    formats
        .iter()
        .map(|format| {
            let replaced = statements.iter().map(|s| s.replace("{FORMAT}", format)).collect();
            one(format!("{name} - {format}"), replaced)
        })
        .collect()
}

/// `text` without its `//` line comments (outside strings), for the files that have them.
fn strip_line_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '/' && chars.peek() == Some(&'/') {
            for skipped in chars.by_ref() {
                if skipped == '\n' {
                    out.push('\n');
                    break;
                }
            }
        } else {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

/// How the parser fares on a corpus.
#[derive(Debug, Default)]
pub struct ParseReport {
    /// Statements of the tests that expect success.
    pub statements: usize,
    /// Of those, the statements that parse without error.
    pub parsed: usize,
    /// Tests that expect a `ParseFailedException`.
    pub rejections_expected: usize,
    /// Of those, the tests in which some statement has a parse error.
    pub rejected: usize,
    /// The statements of tests that expect success which did not parse: test, statement, error.
    pub failures: Vec<(String, String, String)>,
    /// The tests expecting a parse failure whose statements all parsed.
    pub missed_rejections: Vec<String>,
    pub notes: Vec<String>,
}

impl ParseReport {
    /// The share of statements that parse, between 0 and 1.
    pub fn parse_share(&self) -> f64 {
        share(self.parsed, self.statements)
    }

    /// The share of expected parse failures that are reported, between 0 and 1.
    pub fn rejection_share(&self) -> f64 {
        share(self.rejected, self.rejections_expected)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 { 1.0 } else { part as f64 / whole as f64 }
}

/// Parses every statement of the corpus in `dir` and compares with what ksqlDB expects.
pub fn parse_conformance(dir: &Path) -> Result<ParseReport, String> {
    let corpus = load(dir)?;
    let mut report = ParseReport { notes: corpus.notes, ..ParseReport::default() };
    for test in &corpus.tests {
        let label = format!("{}: {}", test.file, test.name);
        if test.expects_success() {
            for statement in &test.statements {
                report.statements += 1;
                let (_, errors) = parse(&SourceText::from_file(FileId(0), statement.clone()));
                match errors.first() {
                    None => report.parsed += 1,
                    Some(error) => report.failures.push((label.clone(), statement.clone(), error.message.clone())),
                }
            }
        } else if test.expects_parse_failure() {
            report.rejections_expected += 1;
            // ksqlDB stops at the first statement it rejects; so does the comparison.
            let rejected =
                test.statements.iter().any(|s| !parse(&SourceText::from_file(FileId(0), s.clone())).1.is_empty());
            if rejected {
                report.rejected += 1;
            } else {
                report.missed_rejections.push(label);
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_comments_are_stripped_outside_strings_only() {
        let text = "{\"a\": \"http://x\", // a comment\n \"b\": 1 // another\n}";
        let json: serde_json::Value = serde_json::from_str(&strip_line_comments(text)).unwrap();
        assert_eq!(json["a"], "http://x");
        assert_eq!(json["b"], 1);
    }

    #[test]
    fn a_test_with_formats_is_one_test_per_format() {
        let test = serde_json::json!({
            "name": "t",
            "format": ["AVRO", "JSON"],
            "statements": ["CREATE STREAM s (id INT) WITH (kafka_topic='t', value_format='{FORMAT}');"],
            "expectedException": {"type": "io.confluent.ksql.parser.exception.ParseFailedException"}
        });
        let tests = expand("f.json", &test);
        assert_eq!(tests.len(), 2);
        assert!(tests[1].statements[0].contains("value_format='JSON'"));
        assert_eq!(tests[1].name, "t - JSON");
        assert!(tests[0].expects_parse_failure() && !tests[0].expects_success());
    }
}
