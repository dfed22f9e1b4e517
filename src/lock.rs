//! `venice.lock`: what was last built or applied, the baseline that evolution checks compare
//! the project with (V202 for schemas, V503 for partitions).
//!
//! The lock is TOML, written by `venice build` and committed by the user. `venice check` reads it
//! from the project folder, or from a git revision with `--against REF`.

use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::source::{FileId, SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

pub const LOCK_FILE: &str = "venice.lock";

/// The lock's format version; a lock of another version is refused rather than misread.
pub const LOCK_VERSION: u32 = 1;

/// The contents of venice.lock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    /// Each topic's partition count, by topic name.
    #[serde(default)]
    pub topics: BTreeMap<String, LockedTopic>,
    /// Each registry subject's schema, by subject (`<topic>-key`, `<topic>-value`).
    #[serde(default)]
    pub subjects: BTreeMap<String, LockedSubject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedTopic {
    pub partitions: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockedSubject {
    /// The schema in Parsing Canonical Form.
    pub schema: String,
    /// Its 64-bit Rabin fingerprint, as 16 hex digits.
    pub fingerprint: String,
    /// The subject's compatibility level, as the registry names it (`BACKWARD`).
    pub compatibility: String,
}

/// A lock read for checking: its contents and where each entry sits in the lock's text.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub lock: Lock,
    pub file: FileId,
    /// The span of each topic's `partitions` value.
    pub topic_spans: BTreeMap<String, Span>,
    /// The span of each subject's table.
    pub subject_spans: BTreeMap<String, Span>,
    /// Where the baseline came from, for messages: `venice.lock` or `venice.lock at REF`.
    pub origin: String,
}

/// The same shape, with spans, for reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpannedLock {
    version: toml::Spanned<u32>,
    #[serde(default)]
    topics: BTreeMap<String, SpannedTopic>,
    #[serde(default)]
    subjects: BTreeMap<String, toml::Spanned<LockedSubject>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpannedTopic {
    partitions: toml::Spanned<u32>,
}

impl Lock {
    /// The lock as TOML, deterministic (sorted tables), with a header saying what it is.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("the lock serializes");
        format!(
            "# venice.lock: what `venice build` last recorded. Commit it: `venice check` compares the\n\
             # project with it (schema evolution, partition counts). Generated; do not edit.\n{body}"
        )
    }
}

/// Reads the baseline text (already in the source map as `file`). A lock that does not parse is
/// V009, and the check goes on without a baseline.
pub fn parse(file: FileId, origin: String, sources: &SourceMap, diagnostics: &mut Vec<Diagnostic>) -> Option<Baseline> {
    let text = &sources.get(file).text;
    let invalid = |message: String, span: Option<std::ops::Range<usize>>| {
        let span = span.map_or(Span::file_start(file), |r| Span::new(file, r.start, r.end));
        Diagnostic::new(DiagnosticKind::InvalidLock { message }, span)
    };
    let spanned: SpannedLock = match toml::from_str(text) {
        Ok(lock) => lock,
        Err(error) => {
            diagnostics.push(invalid(error.message().to_string(), error.span()));
            return None;
        }
    };
    if *spanned.version.get_ref() != LOCK_VERSION {
        let message =
            format!("version {} is not {LOCK_VERSION}, the version this venice reads", spanned.version.get_ref());
        diagnostics.push(invalid(message, Some(spanned.version.span())));
        return None;
    }
    let span_of = |range: std::ops::Range<usize>| Span::new(file, range.start, range.end);
    let topic_spans = spanned.topics.iter().map(|(name, t)| (name.clone(), span_of(t.partitions.span()))).collect();
    let subject_spans = spanned.subjects.iter().map(|(name, s)| (name.clone(), span_of(s.span()))).collect();
    let lock = Lock {
        version: LOCK_VERSION,
        topics: spanned
            .topics
            .into_iter()
            .map(|(n, t)| (n, LockedTopic { partitions: t.partitions.into_inner() }))
            .collect(),
        subjects: spanned.subjects.into_iter().map(|(n, s)| (n, s.into_inner())).collect(),
    };
    Some(Baseline { lock, file, topic_spans, subject_spans, origin })
}

/// Reads `venice.lock` from the project folder into the source map, if there is one.
pub fn load_working_tree(dir: &Path, sources: &mut SourceMap) -> Option<(FileId, String)> {
    let path = dir.join(LOCK_FILE);
    let bytes = std::fs::read(&path).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Some((sources.add(path, text), LOCK_FILE.to_string()))
}

/// Reads `venice.lock` as committed at a git revision (`--against REF`) into the source map.
/// `Err` when the revision or its lock cannot be read: the command cannot run.
pub fn load_revision(dir: &Path, revision: &str, sources: &mut SourceMap) -> Result<(FileId, String), String> {
    let text = git_show(dir, revision)?;
    // Shown as `venice.lock@REF`, so spans into it are not mistaken for the working copy.
    let shown = dir.join(format!("{LOCK_FILE}@{revision}"));
    Ok((sources.add(shown, text), format!("{LOCK_FILE} at {revision}")))
}

/// `git show REF:./venice.lock`, run in the project folder.
fn git_show(dir: &Path, revision: &str) -> Result<String, String> {
    let spec = format!("{revision}:./{LOCK_FILE}");
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["show", &spec])
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        let reason = String::from_utf8_lossy(&output.stderr).trim().replace("fatal: ", "");
        return Err(format!("cannot read `{LOCK_FILE}` at `{revision}`: {reason}"));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{LOCK_FILE}` at `{revision}` is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_round_trips_through_toml_with_spans() {
        let mut lock = Lock { version: LOCK_VERSION, ..Lock::default() };
        lock.topics.insert("orders".into(), LockedTopic { partitions: 6 });
        lock.subjects.insert(
            "orders-value".into(),
            LockedSubject {
                schema: "\"string\"".into(),
                fingerprint: "8f5c393f1ad57572".into(),
                compatibility: "BACKWARD".into(),
            },
        );
        let text = lock.to_toml();
        let mut sources = SourceMap::new(".");
        let file = sources.add("venice.lock".into(), text.clone());
        let mut diagnostics = Vec::new();
        let baseline = parse(file, LOCK_FILE.into(), &sources, &mut diagnostics).expect("parses");
        assert!(diagnostics.is_empty());
        assert_eq!(baseline.lock, lock);
        let span = baseline.topic_spans["orders"];
        assert_eq!(&text[span.start..span.end], "6");
    }

    #[test]
    fn a_broken_lock_is_a_diagnostic_not_a_failure() {
        for text in [
            "version = 1\n[topics.orders]\npartitions = \"six\"\n",
            "version = 2\n",
            "nonsense = [",
            "version = 1\nextra = 3\n",
        ] {
            let mut sources = SourceMap::new(".");
            let file = sources.add("venice.lock".into(), text.into());
            let mut diagnostics = Vec::new();
            assert!(parse(file, LOCK_FILE.into(), &sources, &mut diagnostics).is_none(), "{text}");
            assert_eq!(diagnostics.iter().map(|d| d.code()).collect::<Vec<_>>(), ["V009"], "{text}");
        }
    }
}
