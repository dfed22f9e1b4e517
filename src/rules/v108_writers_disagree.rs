//! V108: writers of one topic that disagree on a format, with each other or with the topic's
//! declaration.

use super::topic_formats::{Origin, Verdict, compare, written};
use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Format, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V108",
    name: "writers disagree on a format",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v108_writers_disagree.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
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
                let disagree = WritersDisagree {
                    side,
                    topic: topic.clone(),
                    writer: writer.actor.describe(),
                    format: serde.format.value,
                    other: reference.says(),
                    other_format: reference.format,
                    other_span: reference.span,
                };
                diagnostics.push(disagree.diagnostic(serde.format.span));
            }
        }
    }
}

/// The facts of a V108: a writer writes another format than another writer, or than the
/// declaration.
struct WritersDisagree {
    side: Side,
    topic: String,
    writer: String,
    format: Format,
    other: String,
    other_format: Format,
    other_span: Span,
}

impl WritersDisagree {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let WritersDisagree { side, topic, writer, format, other, other_format, other_span } = self;
        let message = format!(
            "{writer} writes the {} of topic `{topic}` as `{format}`, but {other} `{other_format}`",
            side.as_str()
        );
        RULE.diagnostic(span, message, format!("writes `{format}`"))
            .with_label(*other_span, format!("`{other_format}` here"))
            .with_help("every writer of a topic must write the same format")
    }
}
