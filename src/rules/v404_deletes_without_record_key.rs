//! V404: `deletes #true` on a JDBC sink whose primary key is not the record key. A tombstone
//! has a key and no value, so the only way to find the row it deletes is by the key's fields;
//! both JDBC sinks refuse `delete.enabled=true` with any other `pk.mode`.

use super::{Rule, Status};
use crate::analysis::Analysis;
use crate::analysis::sink_table::is_jdbc_sink;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{PkSource, Project};
use crate::source::Span;

pub(crate) const RULE: Rule = Rule {
    code: "V404",
    name: "deletes without record-key",
    severity: Severity::Error,
    status: Status::Checked,
    doc: include_str!("v404_deletes_without_record_key.md"),
};

pub(crate) fn check(project: &Project, _: &Analysis, diagnostics: &mut Vec<Diagnostic>) {
    for sink in project.connectors.iter().filter(|c| is_jdbc_sink(c)) {
        let Some(deletes) = sink.deletes.as_ref().filter(|d| d.value) else { continue };
        if sink.pk.as_ref().is_none_or(|pk| pk.source.value != PkSource::RecordKey) {
            diagnostics.push(diagnostic(&sink.name.value, deletes.span));
        }
    }
}

fn diagnostic(sink: &str, span: Span) -> Diagnostic {
    let message = format!("sink `{sink}` has `deletes #true` but does not take its primary key from the record key");
    RULE.diagnostic(span, message, "needs `pk record-key`")
        .with_help("use `pk record-key`: a tombstone has only a key, so the row to delete is found by the key's fields")
}
