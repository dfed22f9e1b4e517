//! V404: `deletes #true` on a JDBC sink whose primary key is not the record key. A tombstone
//! has a key and no value, so the only way to find the row it deletes is by the key's fields;
//! both JDBC sinks refuse `delete.enabled=true` with any other `pk.mode`.

use crate::analysis::Analysis;
use crate::analysis::sink_table::is_jdbc_sink;
use crate::connect::Problem;
use crate::diagnostic::{Diagnostic, DiagnosticKind};
use crate::model::{PkSource, Project};

pub fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let Some(deletes) = sink.deletes.as_ref().filter(|d| d.value) else { continue };
        if sink.pk.as_ref().is_none_or(|pk| pk.source.value != PkSource::RecordKey) {
            let problem = Problem::DeletesWithoutRecordKey { sink: sink.name.value.clone() };
            diagnostics.push(Diagnostic::new(DiagnosticKind::Connect(problem), deletes.span));
        }
    }
}
