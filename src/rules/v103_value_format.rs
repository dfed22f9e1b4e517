//! V103: a reader's value format differs from what the topic's writers write.

use super::topic_formats::{Verdict, reader_mismatches};
use crate::diagnostic::{Diagnostic, Mismatch};
use crate::model::{Project, Side};

pub fn check(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    reader_mismatches(project, Side::Value, &[Verdict::Differs], Mismatch::Format, diagnostics);
}
