//! V402: a JDBC sink with `mode upsert` or `mode update` and no primary key. Both sinks build
//! their `INSERT ... ON CONFLICT` and `UPDATE ... WHERE` from the key columns, and refuse to
//! start without them.

use crate::analysis::Analysis;
use crate::analysis::sink_table::is_jdbc_sink;
use crate::connect::Problem;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{PkSource, Project, SinkMode};

pub fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let Some(mode) = &sink.mode else { continue };
        let word = match mode.value {
            SinkMode::Insert => continue,
            SinkMode::Upsert => "upsert",
            SinkMode::Update => "update",
        };
        if sink.pk.as_ref().is_none_or(|pk| pk.source.value == PkSource::None) {
            let problem = Problem::UpsertWithoutKey { sink: sink.name.value.clone(), mode: word };
            diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), mode.span));
        }
    }
}
