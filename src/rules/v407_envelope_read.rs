//! V407: Confluent's JDBC sink reading a topic that a Debezium source writes change envelopes
//! to (`before`, `after`, `source`, `op`, ...), without `unwrap #true` on the source. The sink
//! wants one flat row per record; it cannot store the nested `before` and `after`. Debezium's
//! own JDBC sink reads envelopes (it takes `after`), so it is not reported.

use crate::connect::sink_table::debezium_writer;
use crate::connect::{Kind, Problem, catalog};
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{Direction, Project};

pub fn check(project: &Project, diagnostics: &mut Vec<Diagnostic>) {
    let expects_rows = |c: &&crate::model::Connector| {
        c.direction == Direction::Sink && catalog::of(c).is_some_and(|e| e.kind == Kind::Jdbc)
    };
    for sink in project.connectors.iter().filter(expects_rows) {
        let Some(topic) = &sink.topic else { continue };
        let Some((source, table)) = debezium_writer(project, &topic.value) else { continue };
        if source.unwrap.as_ref().is_some_and(|u| u.value) {
            continue;
        }
        let problem = Problem::EnvelopeRead {
            sink: sink.name.value.clone(),
            topic: topic.value.clone(),
            source: source.name.value.clone(),
            source_span: table.topic.span,
        };
        diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), topic.span));
    }
}
