//! V109: a declared topic whose key or value format nothing states: no declaration, and no writer
//! that says. Topics that ksqlDB writes are left to ksqlDB's inference.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Actor, Project, Side};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V109",
    name: "undetermined format",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v109_undetermined_format.md"),
};

pub(crate) fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for topic in &project.topics {
        let Some(edges) = analysis.edges.get(&topic.name.value) else { continue };
        let ksql_writes = edges.writers.iter().any(|w| matches!(w.actor, Actor::Transform(_)));
        for (side, declared) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let stated = declared.is_some() || edges.writers.iter().any(|w| w.serde(side).is_some());
            if !stated && !ksql_writes {
                diagnostics.push(diagnostic(side, &topic.name.value, topic.name.span));
            }
        }
    }
}

fn diagnostic(side: Side, topic: &str, span: Span) -> Diagnostic {
    let side = side.as_str();
    RULE.diagnostic(
        span,
        format!("the {side} format of topic `{topic}` cannot be determined"),
        format!("no `{side}` and no writer"),
    )
    .with_help(format!("declare it on the topic: `{side} FORMAT`, e.g. `{side} string`"))
}
