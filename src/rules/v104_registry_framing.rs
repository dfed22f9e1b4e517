//! V104: `avro-raw` written where `avro` is read, or the other way round, on a key or a value.

use super::topic_formats::{Verdict, reader_mismatches};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Mismatch};
use crate::model::{Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for side in [Side::Key, Side::Value] {
        reader_mismatches(project, analysis, side, &[Verdict::Framing], Mismatch::Framing, diagnostics);
    }
}
