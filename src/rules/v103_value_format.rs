//! V103: a reader's value format differs from what the topic's writers write.

use super::topic_formats::{Verdict, reader_mismatches};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Mismatch};
use crate::model::{Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    reader_mismatches(project, analysis, Side::Value, &[Verdict::Differs], Mismatch::Format, diagnostics);
}
