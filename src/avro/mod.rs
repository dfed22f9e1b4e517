//! Avro schemas: parsing with spans, named types across the project's files, canonical forms,
//! and the mapping of Avro types to Kafka Connect and PostgreSQL types (ksqlDB's, through
//! Connect, is `ksql::from_avro`).
//!
//! - `schema`: the typed model (Avro 1.12), every node with its span.
//! - `parse`: JSON text to the model, reporting V201 (invalid schema) and V204 (bad default).
//! - `catalog`: the project phase: every `schema` of the project parsed into one arena, so a
//!   schema file may use a named type another one defines.
//! - `canonical`: Parsing Canonical Form, its Rabin fingerprint, the registry's normalized form.
//! - `compat`: reader/writer compatibility as Java Avro checks it, and the registry's levels.
//! - `mapping`: Avro types as Kafka Connect and PostgreSQL see them.

pub(crate) mod canonical;
mod catalog;
pub mod compat;
pub(crate) mod mapping;
mod parse;
mod problem;
pub(crate) mod schema;

pub(crate) use canonical::{Fingerprint, normalized_form_of, rabin, registered_form_of};
pub use catalog::{Catalog, build};
pub(crate) use parse::describe;
pub(crate) use problem::{DefaultIssue, Problem};
pub(crate) use schema::*;

/// Helpers for the unit tests of this folder: parse texts, and list what was reported as
/// (code, the text the span covers).
#[cfg(test)]
pub(crate) mod test_support {
    use super::Catalog;
    use crate::diagnostic::Diagnostic;
    use crate::model::SourceText;
    use crate::source::FileId;

    /// Parses schema texts, each its own file (`FileId(i)`), named `s0`, `s1`, ..., and words what
    /// is found as `venice check` would.
    pub(crate) fn parse_all(texts: &[&str]) -> (Catalog, Vec<Diagnostic>) {
        let mut found = Vec::new();
        let texts = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("s{i}"), SourceText::from_file(FileId(i as u32), t.to_string())))
            .collect();
        let catalog = Catalog::from_texts(texts, &mut found);
        (catalog, found.iter().map(|(problem, span)| crate::rules::avro(problem, *span)).collect())
    }

    pub(crate) fn parse(text: &str) -> (Catalog, Vec<Diagnostic>) {
        parse_all(&[text])
    }

    /// What was reported: each diagnostic's code and the text under its span, in order.
    pub(crate) fn reported_all(texts: &[&str]) -> Vec<(&'static str, String)> {
        let (_, diagnostics) = parse_all(texts);
        let mut out: Vec<(usize, usize, &'static str, String)> = diagnostics
            .iter()
            .map(|d| {
                let text = texts[d.span.file.0 as usize];
                let covered = text.get(d.span.start..d.span.end).unwrap_or("<bad span>").to_string();
                (d.span.file.0 as usize, d.span.start, d.code, covered)
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, _, code, covered)| (code, covered)).collect()
    }

    pub(crate) fn reported(text: &str) -> Vec<(&'static str, String)> {
        reported_all(&[text])
    }

    /// Asserts that `text` is reported exactly as `expected`: (code, covered text) pairs.
    #[track_caller]
    pub(crate) fn check(text: &str, expected: &[(&str, &str)]) {
        let got = reported(text);
        let got: Vec<(&str, &str)> = got.iter().map(|(c, s)| (*c, s.as_str())).collect();
        assert_eq!(got, expected, "for {text}");
    }

    /// Asserts that `text` parses without any problem.
    #[track_caller]
    pub(crate) fn clean(text: &str) {
        check(text, &[]);
    }
}
