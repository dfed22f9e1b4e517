//! The conformance runner over ksqlDB's own query-validation tests (the JSON files of
//! `ksqldb-functional-tests/src/test/resources/query-validation-tests` in confluentinc/ksql, each
//! `{"tests": [...]}`, each test with its `statements` and what ksqlDB expects of them).
//!
//! It measures the parser against ksqlDB: the share of the statements of tests that expect no
//! error which parse cleanly, and the share of tests that expect a `ParseFailedException` in
//! which some statement does not parse.

use crate::ksql::ast::{ColumnConstraint, StatementKind};
use crate::ksql::catalog::{Column, Registered, Role, Source};
use crate::ksql::infer::Engine;
use crate::ksql::parser::parse;
use crate::model::SourceText;
use crate::source::FileId;
use std::collections::BTreeMap;
use std::path::Path;

/// One test of the corpus, for one format (a test with a `format` list is one test per format,
/// with `{FORMAT}` replaced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CorpusTest {
    /// The file's name, e.g. `joins.json`.
    pub(crate) file: String,
    /// The test's name, with its format when it has several.
    pub(crate) name: String,
    pub(crate) statements: Vec<String>,
    /// The class name of the exception ksqlDB throws, when it must throw one.
    pub(crate) expected_exception: Option<String>,
    /// The test expects an error of the REST endpoint (`expectedError`).
    pub(crate) expects_error: bool,
    /// The topics with registered schemas, partition counts and formats.
    pub(crate) topics: Vec<serde_json::Value>,
    /// The ksqlDB properties the test runs with.
    pub(crate) properties: BTreeMap<String, String>,
    /// The sources that must exist afterwards (`post.sources`).
    pub(crate) post_sources: Vec<ExpectedSource>,
}

/// A source a test expects after its statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExpectedSource {
    pub(crate) name: String,
    /// `stream` or `table`.
    pub(crate) kind: String,
    /// In DESCRIBE form, when given.
    pub(crate) schema: Option<String>,
    pub(crate) key_format: Option<String>,
    pub(crate) value_format: Option<String>,
}

impl CorpusTest {
    /// Whether ksqlDB accepts every statement of the test.
    pub(crate) fn expects_success(&self) -> bool {
        self.expected_exception.is_none() && !self.expects_error
    }

    /// Whether ksqlDB rejects one of the statements while parsing it.
    pub(crate) fn expects_parse_failure(&self) -> bool {
        self.expected_exception.as_deref().is_some_and(|e| e.ends_with(".ParseFailedException"))
    }

    /// Whether ksqlDB rejects one of the statements while parsing or analysing it
    /// (`ParseFailedException`, `KsqlStatementException`): what a static front end can see.
    pub(crate) fn expects_rejection(&self) -> bool {
        self.expected_exception
            .as_deref()
            .is_some_and(|e| e.ends_with(".ParseFailedException") || e.ends_with(".KsqlStatementException"))
    }
}

/// The tests of a corpus folder, and what was odd about its files.
#[derive(Debug, Default)]
pub(crate) struct Corpus {
    pub(crate) tests: Vec<CorpusTest>,
    /// Files that could not be read, and files whose `//` comments were stripped to read them.
    pub(crate) notes: Vec<String>,
    /// Tests marked `"enabled": false`, left out.
    pub(crate) disabled: usize,
}

/// Reads every `*.json` file of `dir` (sorted by name).
pub(crate) fn load(dir: &Path) -> Result<Corpus, String> {
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
    let topics: Vec<serde_json::Value> = test.get("topics").and_then(|t| t.as_array()).cloned().unwrap_or_default();
    let properties: BTreeMap<String, String> = test
        .get("properties")
        .and_then(|p| p.as_object())
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string))).collect())
        .unwrap_or_default();
    let post_sources: Vec<ExpectedSource> = test
        .pointer("/post/sources")
        .and_then(|s| s.as_array())
        .map(|sources| {
            sources
                .iter()
                .map(|s| {
                    let text = |key: &str| s.get(key).and_then(|v| v.as_str()).map(str::to_string);
                    let format =
                        |key: &str| s.pointer(&format!("/{key}/format")).and_then(|v| v.as_str()).map(str::to_string);
                    ExpectedSource {
                        name: text("name").unwrap_or_default(),
                        kind: text("type").unwrap_or_default(),
                        schema: text("schema"),
                        key_format: format("keyFormat"),
                        value_format: format("valueFormat"),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let one = |name: String, statements: Vec<String>, format: Option<&str>| {
        let replace = |t: &str| format.map_or_else(|| t.to_string(), |f| t.replace("{FORMAT}", f));
        let topics = match format {
            None => topics.clone(),
            Some(f) => topics
                .iter()
                .map(|t| serde_json::from_str(&t.to_string().replace("{FORMAT}", f)).unwrap_or_else(|_| t.clone()))
                .collect(),
        };
        CorpusTest {
            file: file.to_string(),
            name,
            statements,
            expected_exception: expected_exception.clone(),
            expects_error,
            topics,
            properties: properties.clone(),
            post_sources: post_sources
                .iter()
                .map(|s| ExpectedSource {
                    schema: s.schema.as_deref().map(replace),
                    key_format: s.key_format.as_deref().map(replace),
                    value_format: s.value_format.as_deref().map(replace),
                    ..s.clone()
                })
                .collect(),
        }
    };
    if formats.is_empty() {
        return vec![one(name, statements, None)];
    }
    formats
        .iter()
        .map(|format| {
            let replaced = statements.iter().map(|s| s.replace("{FORMAT}", format)).collect();
            one(format!("{name} - {format}"), replaced, Some(format))
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

/// How the analysis fares on a corpus: statements analysed cleanly, expected sources
/// inferred exactly, expected rejections reported.
#[derive(Debug, Default)]
pub struct AnalysisReport {
    /// Statements of the tests that expect success.
    pub statements: usize,
    /// Of those, the statements that parse and analyse without a diagnostic.
    pub clean: usize,
    /// Sources of `post.sources` of tests that expect success.
    pub sources: usize,
    /// Of those, the sources inferred exactly (name, type, schema, and formats where given).
    pub matched: usize,
    /// Tests that expect a `ParseFailedException` or a `KsqlStatementException`.
    pub rejections_expected: usize,
    /// Of those, the tests in which some statement gets a diagnostic.
    pub rejected: usize,
    /// Statements with diagnostics in tests that expect success: test, statement, message.
    pub failures: Vec<(String, String, String)>,
    /// Sources not inferred exactly: test, expected, what was inferred.
    pub mismatches: Vec<(String, String, String)>,
    /// Tests expecting a rejection whose statements all passed.
    pub missed_rejections: Vec<String>,
    pub(crate) notes: Vec<String>,
}

impl AnalysisReport {
    pub fn clean_share(&self) -> f64 {
        share(self.clean, self.statements)
    }

    pub fn source_share(&self) -> f64 {
        share(self.matched, self.sources)
    }

    pub fn rejection_share(&self) -> f64 {
        share(self.rejected, self.rejections_expected)
    }
}

/// The engine a test starts with: its registered schemas, partition counts and properties.
pub(crate) fn engine_for(test: &CorpusTest) -> Engine {
    let mut engine = Engine::new();
    for (key, value) in &test.properties {
        engine.properties.insert(key.to_ascii_lowercase(), value.clone());
    }
    for topic in &test.topics {
        let Some(name) = topic.get("name").and_then(|n| n.as_str()) else { continue };
        if let Some(p) = topic.get("partitions").and_then(|p| p.as_u64()) {
            engine.partitions.insert(name.to_string(), p as u32);
        }
        let format = topic.get("format").and_then(|f| f.as_str());
        for (side, schema_key, format_key) in
            [("key", "keySchema", "keyFormat"), ("value", "valueSchema", "valueFormat")]
        {
            let Some(schema) = topic.get(schema_key) else { continue };
            let format = topic.get(format_key).and_then(|f| f.as_str()).or(format).unwrap_or("AVRO").to_uppercase();
            let registered = match (format.as_str(), schema.as_str()) {
                ("PROTOBUF", Some(text)) => {
                    let key = format!("{schema_key}References");
                    // Each reference by the name the schema imports it as.
                    let references = (topic.get(key.as_str()).and_then(|r| r.as_array()).into_iter().flatten())
                        .filter_map(|r| {
                            Some((r.get("name")?.as_str()?.to_string(), r.get("schema")?.as_str()?.to_string()))
                        })
                        .collect();
                    Registered::Protobuf { text: text.to_string(), references }
                }
                _ => registered(&format, schema),
            };
            engine.registry.insert(format!("{name}-{side}"), registered);
        }
    }
    engine
}

/// A registered schema of a format, as ksqlDB would translate it. The corpus gives a schema as
/// JSON, or as a string holding its JSON text (or a bare Avro type name, such as `"int"`).
pub(crate) fn registered(format: &str, schema: &serde_json::Value) -> Registered {
    let parsed;
    let schema = match schema {
        serde_json::Value::String(text) if format != "PROTOBUF" => match serde_json::from_str(text) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => schema,
        },
        _ => schema,
    };
    match format {
        "AVRO" => Registered::avro(&schema.to_string()),
        "JSON" | "JSON_SR" => Registered::json_schema(&schema.to_string()),
        _ => Registered::Opaque,
    }
}

/// Parses a DESCRIBE-form schema (`ID INT KEY, NAME STRING`) into columns.
pub(crate) fn parse_schema(schema: &str) -> Option<Vec<Column>> {
    if schema.trim().is_empty() {
        return Some(Vec::new());
    }
    let text = format!(
        "CREATE STREAM S ({}) WITH (kafka_topic='t', value_format='JSON');",
        schema.replace(" PRIMARY KEY", " KEY")
    );
    let (statements, errors) = parse(&SourceText::from_file(FileId(0), text));
    if !errors.is_empty() {
        return None;
    }
    let StatementKind::CreateSource(c) = &statements.first()?.kind else { return None };
    Some(
        c.elements
            .iter()
            .flatten()
            .map(|e| Column {
                name: e.name.value.clone(),
                sql_type: e.sql_type.value.clone(),
                role: match e.constraint.as_ref().map(|c| &c.value) {
                    Some(ColumnConstraint::Key | ColumnConstraint::PrimaryKey) => Role::Key,
                    Some(_) => Role::Headers,
                    None => Role::Value,
                },
            })
            .collect(),
    )
}

/// Runs a test's statements through the parser and the engine, in order. Returns the engine
/// afterwards and, for each statement, its first problem (`None` when clean).
pub(crate) fn run_test(test: &CorpusTest) -> (Engine, Vec<Option<String>>) {
    let mut engine = engine_for(test);
    let mut outcomes = Vec::new();
    for statement in &test.statements {
        let text = SourceText::from_file(FileId(0), statement.clone());
        let (statements, errors) = parse(&text);
        if let Some(error) = errors.first() {
            outcomes.push(Some(format!("V301 {}", error.message)));
            continue;
        }
        let mut diagnostics = Vec::new();
        engine.run(&text, &statements, &mut diagnostics);
        let first = diagnostics.first().map(|(problem, span)| crate::rules::ksql(problem, *span));
        outcomes.push(first.map(|d| format!("{} {}", d.code, d.message)));
    }
    (engine, outcomes)
}

/// Analyses every test of the corpus in `dir` and compares with what ksqlDB expects.
pub fn analysis_conformance(dir: &Path) -> Result<AnalysisReport, String> {
    let corpus = load(dir)?;
    let mut report = AnalysisReport { notes: corpus.notes, ..AnalysisReport::default() };
    for test in &corpus.tests {
        let label = format!("{}: {}", test.file, test.name);
        if test.expects_success() {
            let (engine, outcomes) = run_test(test);
            for (statement, outcome) in test.statements.iter().zip(&outcomes) {
                report.statements += 1;
                match outcome {
                    None => report.clean += 1,
                    Some(message) => report.failures.push((label.clone(), statement.clone(), message.clone())),
                }
            }
            for expected in &test.post_sources {
                report.sources += 1;
                let got = engine.sources.get(&expected.name);
                if got.is_some_and(|s| source_matches(expected, s)) {
                    report.matched += 1;
                } else {
                    let shown = got.map_or_else(
                        || "no such source".to_string(),
                        |s| {
                            format!(
                                "{} {} [{}] key {} value {}",
                                s.kind.as_str(),
                                s.name,
                                s.describe(),
                                s.key_format,
                                s.value_format
                            )
                        },
                    );
                    let wanted = format!(
                        "{} {} [{}] key {} value {}",
                        expected.kind,
                        expected.name,
                        expected.schema.as_deref().unwrap_or("?"),
                        expected.key_format.as_deref().unwrap_or("?"),
                        expected.value_format.as_deref().unwrap_or("?")
                    );
                    report.mismatches.push((label.clone(), wanted, shown));
                }
            }
        } else if test.expects_rejection() {
            report.rejections_expected += 1;
            let (_, outcomes) = run_test(test);
            if outcomes.iter().any(Option::is_some) {
                report.rejected += 1;
            } else {
                report.missed_rejections.push(label);
            }
        }
    }
    Ok(report)
}

/// The report in words: the three shares, the time, and with `verbose` every miss.
pub(crate) fn summary(report: &AnalysisReport, verbose: bool, elapsed: std::time::Duration) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if verbose {
        for note in &report.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for (test, statement, message) in &report.failures {
            let _ = writeln!(out, "not clean: {test}\n  {statement}\n  {message}");
        }
        for (test, expected, got) in &report.mismatches {
            let _ = writeln!(out, "source differs: {test}\n  expected {expected}\n  inferred {got}");
        }
        for test in &report.missed_rejections {
            let _ = writeln!(out, "not rejected: {test}");
        }
    }
    for (what, part, whole) in [
        ("statements of accepting tests analysed cleanly", report.clean, report.statements),
        ("expected sources inferred exactly", report.matched, report.sources),
        ("expected rejections reported", report.rejected, report.rejections_expected),
    ] {
        let _ = writeln!(out, "{what}: {:.1}% ({part} of {whole})", share(part, whole) * 100.0);
    }
    let _ = writeln!(out, "time: {} ms", elapsed.as_millis());
    out
}

/// Whether an inferred source is what the test expects.
pub(crate) fn source_matches(expected: &ExpectedSource, got: &Source) -> bool {
    if !expected.kind.eq_ignore_ascii_case(got.kind.as_str()) {
        return false;
    }
    if let Some(schema) = &expected.schema {
        let Some(columns) = parse_schema(schema) else { return false };
        if !got.columns_known || columns != got.columns {
            return false;
        }
    }
    let same = |wanted: &Option<String>, got: &str| wanted.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(got));
    same(&expected.key_format, &got.key_format) && same(&expected.value_format, &got.value_format)
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
