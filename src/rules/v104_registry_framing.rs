//! V104: `avro-raw` written where `avro` is read, or the other way round, on a key or a value.

use super::topic_formats::{ReaderMismatch, Verdict, reader_mismatches};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V104",
    name: "registry framing mismatch",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v104_registry_framing.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for side in [Side::Key, Side::Value] {
        reader_mismatches(project, analysis, side, &[Verdict::Framing], diagnostic, diagnostics);
    }
}

fn diagnostic(mismatch: &ReaderMismatch, span: Span) -> Diagnostic {
    let help = "`avro` is framed for the Schema Registry (magic byte 0, 4-byte schema id), `avro-raw` is not: make both sides the same";
    mismatch.diagnostic(&RULE, span, help.into())
}
