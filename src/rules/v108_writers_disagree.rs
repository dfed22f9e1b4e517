//! V108: writers of one topic that disagree on a format, with each other or with the topic's
//! declaration.

use super::topic_formats::{Origin, Verdict, compare, written};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for (topic, edges) in &analysis.edges {
        for side in [Side::Key, Side::Value] {
            // The declaration, else the first writer that states a format, is the reference.
            let Some(reference) = written(project, topic, edges, side) else { continue };
            for writer in &edges.writers {
                let Some(serde) = writer.serde(side) else { continue };
                if reference.origin == Origin::Writer(writer.actor.clone()) && reference.span == serde.format.span {
                    continue;
                }
                if compare(reference.format, serde.format.value, side, false) == Verdict::Fits {
                    continue;
                }
                diagnostics.push(Diagnostic::new(
                    DiagnosticKind::WritersDisagree {
                        side,
                        topic: topic.clone(),
                        writer: writer.actor.describe(),
                        format: serde.format.value,
                        other: reference.says(),
                        other_format: reference.format,
                        other_span: reference.span,
                    },
                    serde.format.span,
                ));
            }
        }
    }
}
