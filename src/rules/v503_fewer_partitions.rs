//! V503: a topic with fewer partitions than the baseline records; Kafka cannot shrink a topic.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Project;
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V503",
    name: "fewer partitions than the baseline",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v503_fewer_partitions.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(baseline) = &analysis.baseline else { return };
    for topic in &project.topics {
        let Some(locked) = baseline.lock.topics.get(&topic.name.value) else { continue };
        let partitions = Project::partitions(topic);
        if partitions >= locked.partitions {
            continue;
        }
        let span = topic.partitions.as_ref().map_or(topic.name.span, |p| p.span);
        let fewer = FewerPartitions {
            topic: topic.name.value.clone(),
            partitions,
            baseline: locked.partitions,
            origin: baseline.origin.clone(),
            baseline_span: baseline.topic_spans[&topic.name.value],
        };
        diagnostics.push(fewer.diagnostic(span));
    }
}

/// The facts of a V503.
struct FewerPartitions {
    topic: String,
    partitions: u32,
    baseline: u32,
    origin: String,
    baseline_span: Span,
}

impl FewerPartitions {
    fn diagnostic(&self, span: Span) -> Diagnostic {
        let FewerPartitions { topic, partitions, baseline, origin, baseline_span } = self;
        let message =
            format!("topic `{topic}` has {partitions} partitions, fewer than the {baseline} recorded in {origin}");
        RULE.diagnostic(span, message, "fewer partitions")
            .with_label(*baseline_span, format!("{baseline} recorded here"))
            .with_help(format!("Kafka cannot remove partitions: keep {baseline}, or move to a new topic"))
    }
}
