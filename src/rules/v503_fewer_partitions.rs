//! V503: a topic with fewer partitions than the baseline records; Kafka cannot shrink a topic.

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::Project;

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(baseline) = &analysis.baseline else { return };
    for topic in &project.topics {
        let Some(locked) = baseline.lock.topics.get(&topic.name.value) else { continue };
        let partitions = Project::partitions(topic);
        if partitions >= locked.partitions {
            continue;
        }
        let span = topic.partitions.as_ref().map_or(topic.name.span, |p| p.span);
        diagnostics.push(Diagnostic::new(
            DiagnosticKind::FewerPartitions {
                topic: topic.name.value.clone(),
                partitions,
                baseline: locked.partitions,
                origin: baseline.origin.clone(),
                baseline_span: baseline.topic_spans[&topic.name.value],
            },
            span,
        ));
    }
}
