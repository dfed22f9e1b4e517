//! V105: `connect-json` written where `json` is read, or the other way round, on a key or a value.

use super::topic_formats::{ReaderMismatch, Verdict, reader_mismatches};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V105",
    name: "JSON envelope mismatch",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v105_json_envelope.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for side in [Side::Key, Side::Value] {
        reader_mismatches(project, analysis, side, &[Verdict::Envelope], diagnostic, diagnostics);
    }
}

fn diagnostic(mismatch: &ReaderMismatch, span: Span) -> Diagnostic {
    let help = "`connect-json` wraps each record as {\"schema\": ..., \"payload\": ...}, `json` does not: make both sides the same (JsonConverter's `schemas.enable`)";
    mismatch.diagnostic(&RULE, span, help.into())
}
