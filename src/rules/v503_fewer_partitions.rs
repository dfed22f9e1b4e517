//! V503: a topic with fewer partitions than the baseline records; Kafka cannot shrink a topic.
//!
//! A target's view is compared with what `venice apply` recorded for that target (a prod target
//! with 12 partitions and the stack with 6 each keep their own count); the project as declared,
//! and a target without such a record, with the top-level `topics` that `venice build` writes.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::lock::Baseline;
use crate::model::Project;
use crate::source::Span;
use std::collections::BTreeMap;

pub(crate) const RULE: Rule = Rule {
    code: "V503",
    name: "fewer partitions than the baseline",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v503_fewer_partitions.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    let Some(baseline) = &analysis.baseline else { return };
    let record = Record::of(project, baseline);
    for topic in &project.topics {
        let Some((recorded, baseline_span)) = record.partitions(project, &topic.name.value) else { continue };
        let partitions = Project::partitions(topic);
        if partitions >= recorded {
            continue;
        }
        let span = topic.partitions.as_ref().map_or(topic.name.span, |p| p.span);
        let fewer = FewerPartitions {
            topic: topic.name.value.clone(),
            partitions,
            baseline: recorded,
            origin: record.origin(baseline),
            baseline_span,
        };
        diagnostics.push(fewer.diagnostic(span));
    }
}

/// Which partitions a view is compared with: the record of its target in `[applied.TARGET]`
/// (by physical name) when apply recorded partitions there, else the top-level `topics`, the
/// project as declared (`venice build`'s, and older locks').
enum Record<'b> {
    Target { name: &'b str, partitions: &'b BTreeMap<String, u32>, spans: Option<&'b BTreeMap<String, Span>> },
    Declared { baseline: &'b Baseline },
}

impl<'b> Record<'b> {
    fn of(project: &Project, baseline: &'b Baseline) -> Record<'b> {
        let target = project.viewed_as.as_ref().map(|t| t.value.as_str());
        let applied = target.and_then(|t| baseline.lock.applied.get_key_value(t));
        match applied.filter(|(_, a)| !a.partitions.is_empty()) {
            Some((name, applied)) => {
                Record::Target { name, partitions: &applied.partitions, spans: baseline.applied_spans.get(name) }
            }
            None => Record::Declared { baseline },
        }
    }

    /// The recorded count of a declared topic, and where it is written.
    fn partitions(&self, project: &Project, topic: &str) -> Option<(u32, Span)> {
        match self {
            Record::Target { partitions, spans, .. } => {
                let physical = project.physical_topic(topic);
                let span = spans.and_then(|s| s.get(physical.as_ref()).copied()).unwrap_or_default();
                Some((*partitions.get(physical.as_ref())?, span))
            }
            Record::Declared { baseline } => {
                let locked = baseline.lock.topics.get(topic)?;
                Some((locked.partitions, baseline.topic_spans[topic]))
            }
        }
    }

    fn origin(&self, baseline: &Baseline) -> String {
        match self {
            Record::Target { name, .. } => format!("{} for target `{name}`", baseline.origin),
            Record::Declared { .. } => baseline.origin.clone(),
        }
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
