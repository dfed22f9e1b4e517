//! V109: a declared topic whose key or value format nothing states: no declaration, and no writer
//! that says. Topics that ksqlDB writes are left to ksqlDB's inference.

use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Actor, Project, Side};

pub fn check(project: &Project, analysis: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for topic in &project.topics {
        let Some(edges) = analysis.edges.get(&topic.name.value) else { continue };
        let ksql_writes = edges.writers.iter().any(|w| matches!(w.actor, Actor::Transform(_)));
        for (side, declared) in [(Side::Key, &topic.key), (Side::Value, &topic.value)] {
            let stated = declared.is_some() || edges.writers.iter().any(|w| w.serde(side).is_some());
            if !stated && !ksql_writes {
                diagnostics.push(Diagnostic::new(
                    DiagnosticKind::UndeterminedFormat { side, topic: topic.name.value.clone() },
                    topic.name.span,
                ));
            }
        }
    }
}
