//! V101: a reader's key format differs from what the topic's writers write.

use super::topic_formats::{INFERRED_FORMATS, ReaderMismatch, Verdict, reader_mismatches};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V101",
    name: "key format mismatch",
    severity: Severity::Error,
    status: Status::Partial(INFERRED_FORMATS),
    doc: include_str!("v101_key_format.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    reader_mismatches(project, analysis, Side::Key, &[Verdict::Differs], diagnostic, diagnostics);
}

fn diagnostic(mismatch: &ReaderMismatch, span: Span) -> Diagnostic {
    mismatch.diagnostic(&RULE, span, mismatch.differs_help())
}
